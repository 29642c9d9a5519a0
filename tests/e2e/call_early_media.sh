#!/bin/sh
# 180, then 183 with SDP, then 200: the caller sees all three in order, the
# 183 with the callee's early-media SDP, the 200 with its answer.
. "$(dirname "$0")/lib.sh"

tb_call_setup uas_early -m 1
tb_uac caller uac_early -m 1 -d 200
tb_sipp_check caller "$TB_RC" 0 1
tb_uas_done callee 1
tb_alive
tb_check_no_legs
tb_daemons_stop
pass "180, 183 with SDP, 200 relayed in order"
