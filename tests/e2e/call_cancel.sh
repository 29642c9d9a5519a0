#!/bin/sh
# CANCEL before the answer: the callee rings; the caller CANCELs and gets
# 200 for the CANCEL and 487 for the INVITE; the callee sees the CANCEL
# (relayed by sigd), answers 487 and gets its ACK.
. "$(dirname "$0")/lib.sh"

tb_call_setup uas_cancel -m 2
tb_uac caller uac_cancel -m 2 -r 5
tb_sipp_check caller "$TB_RC" 0 2
tb_uas_done callee 2
tb_alive
tb_check_no_legs
tb_daemons_stop
pass "CANCEL before answer: callee sees CANCEL, caller gets 487"
