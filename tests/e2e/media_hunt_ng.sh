#!/bin/sh
# Failover between RADIUS routes with an RTP proxy (rtpengine over ng;
# media_hunt_rtpp.sh runs the same over the rtpproxy protocol):
#  2001: route 1 answers 183 with SDP (early media), then 486 -> route 2
#        answers 200. The caller's 183 and 200 point at rtpengine, so does
#        the INVITE route 2 receives (not at the caller); RTP flows both
#        ways between the caller's and route 2's media addresses.
#  2002: route 1 (np_expires=1) answers only 100 Trying -> after 1 s it
#        is cancelled and route 2 answers; the same checks.
#  2003: route 1 (np_expires=1) stays silent -> after 1 s route 2 is
#        tried (route 1 gets no CANCEL: it sent no provisional response)
#        and answers; the same checks.
# After each call rtpengine holds no session.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/media.inc"
. "$(dirname "$0")/radius.inc"

MEDIA_HUNT_PROTO=${MEDIA_HUNT_PROTO:-ng}
case "$MEDIA_HUNT_PROTO" in
ng) proxy=ng:127.0.0.1:$MEDIA_NG_PORT ;;
rtpp) proxy=udp:127.0.0.1:$MEDIA_RTPP_PORT ;;
*) fail "MEDIA_HUNT_PROTO=$MEDIA_HUNT_PROTO: ng or rtpp" ;;
esac

# Route 2's media address (uas_media.xml); route 1's early media is at
# 127.0.0.1:7200 (media_uas_early_busy.xml).
ROUTE2_MEDIA=$MEDIA_CALLEE

cat >"$W/users" <<'EOF2'
"127.0.0.1"	Called-Station-Id == "2001", Auth-Type := Accept
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5070",
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5072"

"127.0.0.1"	Called-Station-Id == "2002", Auth-Type := Accept
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5070;np_expires=1",
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5072"

"127.0.0.1"	Called-Station-Id == "2003", Auth-Type := Accept
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5070;np_expires=1",
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5072"

DEFAULT	Auth-Type := Reject
	Reply-Message = "unknown caller"
EOF2

media_rtpengine rtpengine "$MEDIA_NG_PORT" "$MEDIA_RTPP_PORT" 30000 30999
rad_setup "$W/users" -r "$proxy"
tb_wait_log ccd "RTP proxy $proxy: unknown -> online" 1 5 || fail "rtpengine not online in ccd"

# sdp_of NAME REGEX [INDEX]: "ADDRESS PORT" of the audio stream of the
# INDEX-th (default first) message the sipp NAME received whose first line
# matches REGEX (a media-level c= wins); empty if it has no SDP.
sdp_of() {
	awk -v re="$2" -v want="${3:-1}" '
		/message received/ { rx = 1; first = 1; on = 0; next }
		/message sent/ { rx = 0; next }
		!rx { next }
		{ sub(/\r$/, "") }
		first && NF { first = 0; on = ($0 ~ re) && ++n == want; c = ""; mc = ""; m = ""; inm = 0; next }
		!on { next }
		/^c=IN IP[46] / { if (inm) mc = $3; else c = $3 }
		/^m=audio / { m = $2; inm = 1 }
		/^m=/ && !/^m=audio / { inm = 0 }
		m != "" { res = ((mc != "") ? mc : c) " " m }
		END { print res }' "$W/$1/messages.log"
}

# at_proxy WHAT ADDRESS PORT: the SDP (ADDRESS PORT) points at rtpengine.
at_proxy() {
	[ "$2" = 127.0.0.1 ] || fail "$1: c= '$2', not rtpengine's 127.0.0.1"
	case "$3" in 30[0-9][0-9][0-9]) ;; *) fail "$1: m=audio '$3', not a port of rtpengine" ;; esac
}

# relay CALLER CALLEE: RTP from the caller's media address reaches the
# callee's (route 2's) and back, through the ports each last got.
relay() {
	# shellcheck disable=SC2046 # two words
	set -- "$1" "$2" $(sdp_of "$1" '^SIP/2.0 200') $(sdp_of "$2" '^INVITE ')
	at_proxy "the 200 at $1" "$3" "$4"
	at_proxy "the INVITE at $2" "$5" "$6"
	"$BUILD/tools/rtpio" relay "$MEDIA_CALLER" "$3:$4" "$ROUTE2_MEDIA" "$5:$6" 20 >"$W/rtpio.out" 2>&1 ||
		fail "$1: RTP not relayed (caller -> $3:$4, route 2 -> $5:$6): $(cat "$W/rtpio.out")"
	echo "$1: $(cat "$W/rtpio.out") (caller -> $3:$4, route 2 -> $5:$6)"
}

# callids NAME: the Call-IDs of the INVITEs the sipp NAME received.
callids() {
	rad_msg_hdr "$1" received '^INVITE ' Call-ID | sort -u | tr '\n' ' ' | sed 's/ $//'
}

# 1. Early media from route 1, then 486: route 2 answers.
rad_uas busy1 media_uas_early_busy 5070 -m 1
busy_pid=$UAS_PID
rad_uas answer1 uas_media 5072 -m 1
answer_pid=$UAS_PID
tb_uac_start caller1 uac_media -m 1 -s 2001
media_received caller1 '^SIP/2.0 200' || fail "no 200 at the caller"
relay caller1 answer1
tb_wait_exit "$UAC_PID" 30
tb_sipp_check caller1 "$TB_RC" 0 1
rad_sipp_done "$busy_pid" busy1 1
rad_sipp_done "$answer_pid" answer1 1
cid=$(rad_msg_hdr caller1 sent '^INVITE ' Call-ID | head -1)
[ "$(callids busy1)" = "$cid-b2b_1" ] || fail "route 1 got Call-IDs '$(callids busy1)', expected '$cid-b2b_1'"
[ "$(callids answer1)" = "$cid-b2b_2" ] || fail "route 2 got Call-IDs '$(callids answer1)', expected '$cid-b2b_2'"
[ "$(rad_received caller1 '^SIP/2.0 486 ')" = 0 ] || fail "the caller saw route 1's 486"
# shellcheck disable=SC2046 # two words
set -- $(sdp_of caller1 '^SIP/2.0 183' 1)
[ -n "${1:-}" ] || fail "the caller got no 183 with SDP (route 1's early media)"
at_proxy "the caller's first 183 (route 1's early media)" "$1" "$2"
# shellcheck disable=SC2046 # two words
set -- $(sdp_of busy1 '^INVITE ')
at_proxy "the INVITE at route 1" "$1" "$2"
# shellcheck disable=SC2046 # two words
set -- $(sdp_of answer1 '^INVITE ')
[ "$1:$2" != "$MEDIA_CALLER" ] || fail "route 2's INVITE points at the caller's media $MEDIA_CALLER"
media_wait_gone "$MEDIA_NG_PORT" || fail "rtpengine still holds a call after the BYE: $(media_calls "$MEDIA_NG_PORT")"
echo "ok: $MEDIA_HUNT_PROTO: 183 + 486 on route 1, route 2 answered, media through rtpengine"

# 2. No progress on route 1 within np_expires=1: CANCEL, route 2 answers.
rad_uas trying2 radius_uas_trying 5070 -m 1
trying_pid=$UAS_PID
rad_uas answer2 uas_media 5072 -m 1
answer_pid=$UAS_PID
tb_uac_start caller2 uac_media -m 1 -s 2002
media_received caller2 '^SIP/2.0 200' 1 15 || fail "no 200 at the caller"
relay caller2 answer2
tb_wait_exit "$UAC_PID" 30
tb_sipp_check caller2 "$TB_RC" 0 1
rad_sipp_done "$trying_pid" trying2 1
rad_sipp_done "$answer_pid" answer2 1
cid=$(rad_msg_hdr caller2 sent '^INVITE ' Call-ID | head -1)
[ "$(callids trying2)" = "$cid-b2b_1" ] || fail "route 1 got Call-IDs '$(callids trying2)', expected '$cid-b2b_1'"
[ "$(callids answer2)" = "$cid-b2b_2" ] || fail "route 2 got Call-IDs '$(callids answer2)', expected '$cid-b2b_2'"
# shellcheck disable=SC2046 # two words
set -- $(sdp_of trying2 '^INVITE ')
at_proxy "the INVITE at route 1" "$1" "$2"
# shellcheck disable=SC2046 # two words
set -- $(sdp_of answer2 '^INVITE ')
[ "$1:$2" != "$MEDIA_CALLER" ] || fail "route 2's INVITE points at the caller's media $MEDIA_CALLER"
t_inv=$(rad_log_ms trying2 INVITE)
t_can=$(rad_log_ms trying2 CANCEL)
[ -n "$t_inv" ] && [ -n "$t_can" ] || fail "route 1 logged no INVITE or CANCEL time"
dt=$((t_can - t_inv))
[ "$dt" -ge 900 ] && [ "$dt" -le 2000 ] ||
	fail "route 1 was cancelled ${dt} ms after its INVITE; np_expires=1 wants about 1000 ms"
media_wait_gone "$MEDIA_NG_PORT" || fail "rtpengine still holds a call after the BYE: $(media_calls "$MEDIA_NG_PORT")"
echo "ok: $MEDIA_HUNT_PROTO: np_expires=1 cancelled route 1 after ${dt} ms, route 2 answered, media through rtpengine"

# 3. Route 1 silent: after np_expires=1 route 2 answers.
rad_uas silent3 media_uas_silent 5070 -m 1
silent_pid=$UAS_PID
rad_uas answer3 uas_media 5072 -m 1
answer_pid=$UAS_PID
tb_uac_start caller3 uac_media -m 1 -s 2003
media_received caller3 '^SIP/2.0 200' 1 15 || fail "no 200 at the caller"
relay caller3 answer3
tb_wait_exit "$UAC_PID" 30
tb_sipp_check caller3 "$TB_RC" 0 1
rad_sipp_done "$answer_pid" answer3 1
rad_sipp_done "$silent_pid" silent3 1
cid=$(rad_msg_hdr caller3 sent '^INVITE ' Call-ID | head -1)
[ "$(tb_log_count "$TB_CCD_LOG" 'call 3: attempt 1: np_expires ran out')" = 1 ] ||
	fail "ccd did not give up route 1 of call 3 on np_expires"
[ "$(callids silent3)" = "$cid-b2b_1" ] || fail "route 1 got Call-IDs '$(callids silent3)', expected '$cid-b2b_1'"
[ "$(callids answer3)" = "$cid-b2b_2" ] || fail "route 2 got Call-IDs '$(callids answer3)', expected '$cid-b2b_2'"
# shellcheck disable=SC2046 # two words
set -- $(sdp_of silent3 '^INVITE ')
at_proxy "the INVITE at route 1" "$1" "$2"
# shellcheck disable=SC2046 # two words
set -- $(sdp_of answer3 '^INVITE ')
[ "$1:$2" != "$MEDIA_CALLER" ] || fail "route 2's INVITE points at the caller's media $MEDIA_CALLER"
media_wait_gone "$MEDIA_NG_PORT" || fail "rtpengine still holds a call after the BYE: $(media_calls "$MEDIA_NG_PORT")"
echo "ok: $MEDIA_HUNT_PROTO: np_expires=1 on a silent route 1, route 2 answered, media through rtpengine"

tb_check_no_legs
tb_daemons_stop
rad_stop
pass "$MEDIA_HUNT_PROTO: failover to route 2 (after 183+486, np_expires with 100, silent route) relays media through rtpengine"
