#!/bin/sh
# -F 0,101 with RADIUS routes and rtpengine (ng): the offer is filtered
# once, when the call comes in, and that filtered offer is what every
# route gets.
#  1. The caller offers 0 8 18 101; route 1 answers 183 with SDP, then
#     486; route 2 answers 0 8 101. Both routes' INVITEs point at
#     rtpengine and carry only 0 and 101, and so do the caller's 183 and
#     200; RTP flows between the caller and route 2; after the BYE
#     rtpengine holds no session.
#  2. The caller offers 18 alone: 488 with Sippy's Reason header before
#     RADIUS, rtpengine or a route hear of it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/media.inc"
. "$(dirname "$0")/radius.inc"

cat >"$W/users" <<'EOF2'
"127.0.0.1"	Called-Station-Id == "2001", Auth-Type := Accept
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5070",
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5072"

DEFAULT	Auth-Type := Reject
	Reply-Message = "unknown caller"
EOF2

media_rtpengine rtpengine "$MEDIA_NG_PORT" "$MEDIA_RTPP_PORT" 30000 30999
rad_setup "$W/users" -r "ng:127.0.0.1:$MEDIA_NG_PORT" -F 0,101
tb_wait_log ccd "RTP proxy ng:127.0.0.1:$MEDIA_NG_PORT: unknown -> online" 1 5 || fail "rtpengine not online in ccd"

# payloads NAME REGEX [INDEX]: of the INDEX-th (default first) message
# the sipp NAME received whose first line matches REGEX, the payload types
# of its m=audio line, "|" and those its rtpmap/fmtp lines name (each
# once, in order).
payloads() {
	awk -v re="$2" -v want="${3:-1}" '
		/message received/ { rx = 1; first = 1; on = 0; next }
		/message sent/ { rx = 0; next }
		!rx { next }
		{ sub(/\r$/, "") }
		first && NF { first = 0; on = ($0 ~ re) && ++n == want; next }
		!on { next }
		/^m=audio / { $1 = $2 = $3 = ""; sub(/^ +/, ""); m = $0 }
		/^a=(rtpmap|fmtp):/ { split($1, f, ":"); if (!(f[2] in seen)) { seen[f[2]] = 1; a = a " " f[2] } }
		END { print m "|" a }' "$W/$1/messages.log"
}

# only_0_101 WHAT NAME REGEX [INDEX]: that message has only 0 and 101.
only_0_101() {
	got=$(payloads "$2" "$3" "${4:-1}")
	[ "$got" = "0 101| 0 101" ] || fail "$1: payload types (m= | rtpmap, fmtp) '$got', expected '0 101| 0 101'"
}

# 1. Route 1: 183 + 486, route 2 answers.
rad_uas busy1 media_uas_early_busy 5070 -m 1
busy_pid=$UAS_PID
rad_uas callee media_uas_filter 5072 -m 1
answer_pid=$UAS_PID
tb_uac_start caller media_uac_filter -m 1 -s 2001
media_received caller '^SIP/2.0 200' || fail "no 200 at the caller"
media_relay_check "-F 0,101 after failover"
tb_wait_exit "$UAC_PID" 30
tb_sipp_check caller "$TB_RC" 0 1
rad_sipp_done "$busy_pid" busy1 1
rad_sipp_done "$answer_pid" callee 1
only_0_101 "the INVITE at route 1" busy1 '^INVITE '
only_0_101 "the INVITE at route 2" callee '^INVITE '
only_0_101 "the caller's 183 from route 1" caller '^SIP/2.0 183'
only_0_101 "the caller's 200 (route 2 answered 0 8 101)" caller '^SIP/2.0 200'
media_wait_gone "$MEDIA_NG_PORT" || fail "rtpengine still holds a call after the BYE: $(media_calls "$MEDIA_NG_PORT")"
echo "ok: the filtered offer went to both routes, the caller saw only 0 101"

# 2. Only G729 (18): refused before RADIUS is asked.
auths=$(rad_auth_count "$W")
chosen=$(tb_log_count "$TB_CCD_LOG" 'RTP proxy .* chosen')
rad_uas idle uas_rr 5070
idle_pid=$UAS_PID
tb_uac caller2 media_uac_filter_reject -m 1 -s 2001
tb_sipp_check caller2 "$TB_RC" 0 1
grep -q '^Reason: SIP;cause=488;text="offered media prohibited by the policy"' "$W/caller2/messages.log" ||
	fail "the 488 has no Reason header: $(grep -A12 '^SIP/2.0 488' "$W/caller2/messages.log")"
[ "$(rad_auth_count "$W")" = "$auths" ] || fail "RADIUS was asked about a call -F refuses"
[ "$(tb_log_count "$TB_CCD_LOG" 'RTP proxy .* chosen')" = "$chosen" ] || fail "ccd chose an RTP proxy for the refused call"
media_calls "$MEDIA_NG_PORT" | grep -q '5:callsle' || fail "rtpengine holds a call after the 488: $(media_calls "$MEDIA_NG_PORT")"
tb_alive
tb_check_no_legs
n=$(rad_received idle '^INVITE ')
tb_stop "$idle_pid" 3
tb_forget "$idle_pid"
[ "$n" = 0 ] || fail "route 1 got $n INVITEs for a call whose offer -F leaves empty"
tb_daemons_stop
rad_stop
pass "-F 0,101 with RADIUS routes: the filtered offer reaches every route through rtpengine; 18 alone is refused with 488"
