#!/bin/sh
# Late offer (RFC 3261 13.2.1, Sippy's PreConnect): the caller's INVITE has
# no SDP; the callee must get an INVITE without SDP, offers in its 200,
# the caller answers in its ACK, and the callee's ACK carries that answer.
. "$(dirname "$0")/lib.sh"

tb_call_setup uas_late -m 1
tb_uac caller uac_late -m 1 -d 200
tb_sipp_check caller "$TB_RC" 0 1
tb_uas_done callee 1
tb_alive
tb_check_no_legs
tb_daemons_stop
pass "late offer: the callee's ACK carries the caller's answer"
