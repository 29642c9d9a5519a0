#!/bin/sh
# -F with an RTP proxy (rtpengine over ng; media_filter_rtpp.sh runs it
# over the rtpproxy protocol), ccd -F 0,101:
#  1. The caller offers 0 8 18 101: the INVITE the callee gets points at
#     rtpengine and carries only 0 and 101 (their rtpmap/fmtp, none of 8
#     or 18). The callee answers 0 8 101: the 200 the caller gets carries
#     only 0 and 101 too. Over ng the filter must run before the rewrite:
#     the offer and the answer rtpengine was given already had only 0 and
#     101, and each side got rtpengine's m= line as rtpengine wrote it.
#     RTP flows both ways; after the BYE rtpengine holds no session.
#  2. The caller offers 18 alone: 488 with Sippy's Reason header, the
#     callee and rtpengine never hear of it, and no session is left.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/media.inc"

MEDIA_FILTER_PROTO=${MEDIA_FILTER_PROTO:-ng}
case "$MEDIA_FILTER_PROTO" in
ng) proxy=ng:127.0.0.1:$MEDIA_NG_PORT ;;
rtpp) proxy=udp:127.0.0.1:$MEDIA_RTPP_PORT ;;
*) fail "MEDIA_FILTER_PROTO=$MEDIA_FILTER_PROTO: ng or rtpp" ;;
esac

# rtpengine as media_rtpengine starts it, but logging at debug level: it
# then dumps every ng request and reply ("Dump for 'offer' from ...",
# "Response dump for 'offer' to ..."), which is how the test sees the SDP
# rtpengine was given, and every rtpproxy command with its Call-ID.
tb_need_tool rtpio
command -v rtpengine >/dev/null 2>&1 || fail "rtpengine is not installed (make deps)"
tb_start rtpengine rtpengine --config-file=none --table=-1 --foreground --log-stderr --log-level=7 \
	--interface=127.0.0.1 --listen-ng="127.0.0.1:$MEDIA_NG_PORT" --listen-udp="127.0.0.1:$MEDIA_RTPP_PORT" \
	--port-min=30000 --port-max=30999 --delete-delay=0 --pidfile="$W/rtpengine-daemon.pid"
i=0
until "$BUILD/tools/rtpio" ng "127.0.0.1:$MEDIA_NG_PORT" ping 2>/dev/null | grep -q pong; do
	i=$((i + 1))
	[ $i -ge 50 ] && fail "rtpengine does not answer on 127.0.0.1:$MEDIA_NG_PORT"
	sleep 0.1
done

TB_CCD_OPTS="-r $proxy -F 0,101"
tb_call_setup media_uas_filter -m 1
tb_wait_log ccd "RTP proxy $proxy: unknown -> online" 1 5 || fail "rtpengine not online in ccd"

# rtpe_sdp WHAT: the m= line and the rtpmap/fmtp lines of the SDP in
# rtpengine's first dump WHAT ("Dump for 'offer'", "Response dump for
# 'answer'", ...), one per line.
rtpe_sdp() {
	awk -v what="$1" '
		{ sub(/\r$/, "") }
		!done && index($0, "] " what " ") { on = 1; next }
		on && /^"/ { on = 0; done = 1 }
		on && /^(m=|a=rtpmap:|a=fmtp:)/ { print }' "$W/rtpengine.log"
}

# msg_sdp NAME sent|received REGEX: the same lines of the first message
# the sipp NAME sent or received whose first line matches REGEX.
msg_sdp() {
	awk -v dir="$2" -v re="$3" '
		/^-+ [0-9]/ { on = 0; next }
		/message (sent|received)/ { on = !done && ($0 ~ ("message " dir)); first = 1; next }
		!on { next }
		{ sub(/\r$/, "") }
		first && NF { first = 0; if ($0 ~ re) done = 1; else on = 0; next }
		/^(m=|a=rtpmap:|a=fmtp:)/ { print }' "$W/$1/messages.log"
}

# only_0_101 WHAT LINES: the SDP lines (m=, rtpmap, fmtp) carry payload
# types 0 and 101 and nothing else.
only_0_101() {
	pts=$(printf '%s\n' "$2" | awk '/^m=audio / { $1 = $2 = $3 = ""; sub(/^ +/, ""); print }')
	[ "$pts" = "0 101" ] || fail "$1: m=audio payload types '$pts', expected '0 101'; SDP: $(echo "$2" | tr '\n' '|')"
	printf '%s\n' "$2" | grep -qE '^a=(rtpmap|fmtp):(8|18) ' &&
		fail "$1: rtpmap/fmtp of 8 or 18 left: $(echo "$2" | tr '\n' '|')"
	printf '%s\n' "$2" | grep -q '^a=rtpmap:0 PCMU/8000$' || fail "$1: no a=rtpmap:0: $(echo "$2" | tr '\n' '|')"
	printf '%s\n' "$2" | grep -q '^a=rtpmap:101 telephone-event/8000$' ||
		fail "$1: no a=rtpmap:101: $(echo "$2" | tr '\n' '|')"
	return 0
}

# mline LINES: the m= line of them.
mline() {
	printf '%s\n' "$1" | grep '^m='
}

tb_uac_start caller media_uac_filter -m 1
media_received caller '^SIP/2.0 200' || fail "no 200 at the caller"
media_relay_check "-F 0,101"
tb_wait_exit "$UAC_PID" 30
tb_sipp_check caller "$TB_RC" 0 1
tb_uas_done callee 1
media_wait_gone "$MEDIA_NG_PORT" || fail "rtpengine still holds a call after the BYE: $(media_calls "$MEDIA_NG_PORT")"

# call_id NAME: the Call-ID of the first request the sipp NAME sent.
call_id() {
	awk '/message sent/ { on = 1; next } on && /^Call-ID:/ { sub(/\r$/, ""); print $2; exit }' "$W/$1/messages.log"
}
cid1=$(call_id caller)
[ -n "$cid1" ] && grep -qF "$cid1" "$W/rtpengine.log" || fail "rtpengine's log does not name the call '$cid1'"
callee_offer=$(msg_sdp callee received '^INVITE ')
caller_answer=$(msg_sdp caller received '^SIP/2.0 200')
only_0_101 "the INVITE at the callee" "$callee_offer"
only_0_101 "the 200 at the caller (the callee answered 0 8 101)" "$caller_answer"
if [ "$MEDIA_FILTER_PROTO" = ng ]; then
	# The filter ran before the rewrite: what rtpengine was given
	# already had only 0 and 101, in both directions; what it
	# answered, too; and each side got rtpengine's m= line.
	rtpe_offer_in=$(rtpe_sdp "Dump for 'offer'")
	rtpe_offer_out=$(rtpe_sdp "Response dump for 'offer'")
	rtpe_answer_in=$(rtpe_sdp "Dump for 'answer'")
	rtpe_answer_out=$(rtpe_sdp "Response dump for 'answer'")
	[ -n "$rtpe_offer_in" ] && [ -n "$rtpe_answer_in" ] || fail "no ng offer and answer in rtpengine's log"
	only_0_101 "the offer rtpengine was given" "$rtpe_offer_in"
	[ "$(mline "$rtpe_offer_in")" = "m=audio 7000 RTP/AVP 0 101" ] ||
		fail "the offer rtpengine was given has '$(mline "$rtpe_offer_in")', not the caller's 7000 with 0 101"
	only_0_101 "rtpengine's offer" "$rtpe_offer_out"
	only_0_101 "the answer rtpengine was given (the callee answered 0 8 101)" "$rtpe_answer_in"
	[ "$(mline "$rtpe_answer_in")" = "m=audio 7100 RTP/AVP 0 101" ] ||
		fail "the answer rtpengine was given has '$(mline "$rtpe_answer_in")', not the callee's 7100 with 0 101"
	only_0_101 "rtpengine's answer" "$rtpe_answer_out"
	[ "$(mline "$callee_offer")" = "$(mline "$rtpe_offer_out")" ] ||
		fail "the callee got '$(mline "$callee_offer")', rtpengine offered '$(mline "$rtpe_offer_out")'"
	[ "$(mline "$caller_answer")" = "$(mline "$rtpe_answer_out")" ] ||
		fail "the caller got '$(mline "$caller_answer")', rtpengine answered '$(mline "$rtpe_answer_out")'"
fi
echo "ok: $MEDIA_FILTER_PROTO: 0 8 18 101 offered, 0 8 101 answered: only 0 101 went through rtpengine"

# 2. Only G729 (18): 488 with the Reason header, nothing reaches the
# callee (a fresh one that would take any call) or rtpengine.
tb_uas idle uas_rr
idle_pid=$UAS_PID
tb_uac caller2 media_uac_filter_reject -m 1
tb_sipp_check caller2 "$TB_RC" 0 1
cid=$(call_id caller2)
grep -q "^Reason: SIP;cause=488;text=\"offered media prohibited by the policy\"" "$W/caller2/messages.log" ||
	fail "the 488 has no Reason header: $(grep -A12 '^SIP/2.0 488' "$W/caller2/messages.log")"
[ -n "$cid" ] || fail "no Call-ID in what caller2 sent"
grep -qF "$cid" "$W/rtpengine.log" && fail "rtpengine heard of the refused call $cid: $(grep -F "$cid" "$W/rtpengine.log" | head -3)"
[ "$(tb_log_count "$TB_CCD_LOG" 'RTP proxy .* chosen')" = 1 ] || fail "ccd chose an RTP proxy for the refused call"
media_calls "$MEDIA_NG_PORT" | grep -q '5:callsle' || fail "rtpengine holds a call after the 488: $(media_calls "$MEDIA_NG_PORT")"
tb_alive
tb_check_no_legs
n=$(awk '/message received/ { rx = 1; first = 1; next } /message sent/ { rx = 0; next }
	rx && first && NF { if (/^INVITE /) n++; first = 0 } END { print n + 0 }' "$W/idle/messages.log")
tb_stop "$idle_pid" 3
tb_forget "$idle_pid"
[ "$n" = 0 ] || fail "the callee got $n INVITEs for a call whose offer -F leaves empty"
tb_daemons_stop
pass "$MEDIA_FILTER_PROTO: -F 0,101 with rtpengine: only 0 101 relayed both ways, an offer of 18 alone is refused with 488"
