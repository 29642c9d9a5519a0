#!/bin/sh
# 500 calls at 100 calls per second (up to 100 at once, 1 s each): every
# one succeeds on both sides, sigd and ccd survive and end up empty.
. "$(dirname "$0")/lib.sh"

TB_SIPP_TIMEOUT=60s
tb_call_setup uas_rr -m 500
tb_uac caller uac_rr -m 500 -r 100 -l 200 -d 1000
tb_sipp_check caller "$TB_RC" 0 500
tb_uas_done callee 500
tb_alive
tb_check_no_legs full
tb_daemons_stop
pass "500 calls at 100 cps"
