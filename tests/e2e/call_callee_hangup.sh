#!/bin/sh
# Basic call, the callee hangs up: its BYE (sent to sigd's Contact) is
# relayed to the caller, which answers 200; both sides count the call
# successful; no leg or call remains.
. "$(dirname "$0")/lib.sh"

tb_call_setup uas_bye -m 1 -d 300
tb_uac caller uac_wait_bye -m 1
tb_sipp_check caller "$TB_RC" 0 1
tb_uas_done callee 1
tb_alive
tb_check_no_legs
tb_daemons_stop
pass "basic call, callee hangs up"
