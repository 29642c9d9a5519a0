#!/bin/sh
# INFO relayed both ways with its body and Content-Type (dtmf-relay), each
# answered 200, then the caller's BYE.
. "$(dirname "$0")/lib.sh"

tb_call_setup uas_info -m 1
tb_uac caller uac_info -m 1
tb_sipp_check caller "$TB_RC" 0 1
tb_uas_done callee 1
tb_alive
tb_check_no_legs
tb_daemons_stop
pass "INFO relayed both ways"
