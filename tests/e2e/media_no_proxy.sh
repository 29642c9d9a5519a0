#!/bin/sh
# An RTP proxy that never answers: it stays offline, and a call fails at
# once with 502 and a Reason header saying why; nothing reaches the callee.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/media.inc"

TB_CCD_OPTS="-r udp:127.0.0.1:7799"
tb_ccd_start
tb_sigd_start
tb_sigd_ready || fail "ccd did not welcome sigd within 5 s"
tb_uac caller sn:uac -m 1
tb_sipp_check caller "$TB_RC" 1 0 1
grep -q '^SIP/2.0 502 Bad Gateway' "$W/caller/messages.log" || fail "the caller got no 502"
grep -q '^Reason: SIP;cause=502;text="No online RTP proxy"' "$W/caller/messages.log" ||
	fail "the 502 has no Reason header: $(grep -A12 '^SIP/2.0 502' "$W/caller/messages.log")"
tb_check_no_legs
tb_daemons_stop
pass "no RTP proxy online: 502 with a Reason header"
