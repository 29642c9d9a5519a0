#!/bin/sh
# sipp's built-in uac against its built-in uas. The uas's Contact carries
# ";transport=UDP" (upper case: Sippy lost every BYE to such a callee) and
# the uac sends ACK and BYE to sigd's address, ignoring its Contact; the
# BYE must still reach the callee, so both sides succeed.
. "$(dirname "$0")/lib.sh"

tb_call_setup sn:uas -m 3
tb_uac caller sn:uac -m 3 -r 10 -d 200
tb_sipp_check caller "$TB_RC" 0 3
tb_uas_done callee 3
grep -q 'transport=UDP' "$W/callee/messages.log" || fail "the stock uas's Contact had no ;transport=UDP"
tb_alive
tb_check_no_legs
tb_daemons_stop
pass "stock sipp uac -> sigd -> stock sipp uas"
