#!/bin/sh
# Basic call, the caller hangs up: caller -> sigd -> ccd -> callee, 180 and
# 200 relayed, ACK, BYE from the caller reaches the callee; both sipps count
# the call successful, and afterwards sigd and ccd hold no leg or call.
. "$(dirname "$0")/lib.sh"

tb_call_setup uas_rr -m 1
tb_uac caller uac_rr -m 1 -d 300
tb_sipp_check caller "$TB_RC" 0 1
tb_uas_done callee 1
tb_alive
tb_check_no_legs
tb_daemons_stop
pass "basic call, caller hangs up"
