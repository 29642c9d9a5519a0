#!/bin/sh
# Re-INVITEs both ways: the caller's (hold) reaches the callee and the
# callee's answer comes back; then the callee's reaches the caller and its
# answer goes back; each gets its ACK; the call goes on to the caller's BYE.
. "$(dirname "$0")/lib.sh"

tb_call_setup uas_reinvite -m 1
tb_uac caller uac_reinvite -m 1
tb_sipp_check caller "$TB_RC" 0 1
tb_uas_done callee 1
tb_alive
tb_check_no_legs
tb_daemons_stop
pass "re-INVITE from the caller and from the callee"
