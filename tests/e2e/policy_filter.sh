#!/bin/sh
# -F 0,8,[telephone-event/8000] (allowed_pts, sippy-behaviour §1.11):
# every SDP crossing the call keeps only the allowed payload types (a
# [name/rate] entry matches through a=rtpmap, whatever its number), with
# their rtpmap/fmtp lines; the rest of the SDP stays.
#  Call 1 (policy_uac_filter / policy_uas_filter):
#   - offer 0 8 18 101 -> the callee's INVITE has 0 8 101, the rtpmaps of
#     0, 8, 101 and fmtp:101, nothing of G729; a=ptime and a=sendrecv stay;
#   - answer 0 18 101 -> the caller's 200 has 0 101;
#   - re-INVITE 18 0 96 (96 = telephone-event) -> the callee gets 0 96;
#   - re-INVITE with G729 alone -> the caller gets 488 with
#     Reason: SIP;cause=488;text="offered media prohibited by the policy",
#     the callee sees nothing of it, the call goes on until the caller's BYE.
#  Call 2: an offer of G729 alone -> 488 with that Reason, no callee sees
#   an INVITE.
# Three set-ups, the same expectations: ccd -u -s; ccd -u -s with
# -m 3600 (a max credit time); RADIUS (radius.inc) with two routes, the
# first answering 486 (the offer is filtered for every attempt).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/radius.inc"

FILTER="0,8,[telephone-event/8000]"
REASON='text="offered media prohibited by the policy"'

# sipp_msg NAME sent|received REGEX [INDEX]: the INDEX-th (default 1)
# message the sipp NAME sent or received whose first line matches REGEX
# (retransmissions count), without CRs.
sipp_msg() {
	awk -v dir="$2" -v re="$3" -v want="${4:-1}" '
		/^-+ [0-9]/ { on = 0; keep = 0; next }
		/message (sent|received)/ { on = ($0 ~ ("message " dir)); first = 1; keep = 0; next }
		!on { next }
		{ sub(/\r$/, "") }
		first && NF { first = 0; if ($0 ~ re && ++n == want) keep = 1 }
		keep { print }' "$W/$1/messages.log"
}

# sdp_check FILE WHAT FORMATS ATTRS: the message in FILE has an m=audio
# line with the payload types FORMATS and exactly the rtpmap/fmtp lines
# ATTRS ("line|line|"), in that order.
sdp_check() {
	[ -s "$1" ] || fail "$2: no such message"
	f=$(awk '/^m=audio / { s = $4; for (i = 5; i <= NF; i++) s = s " " $i; print s }' "$1")
	a=$(grep -E '^a=(rtpmap|fmtp):' "$1" | tr '\n' '|')
	if [ "$f" != "$3" ] || [ "$a" != "$4" ]; then
		echo "--- $1"
		cat "$1"
		fail "$2: m=audio formats '$f' and '$a', expected '$3' and '$4'"
	fi
}

# reason_check NAME: the 488 the sipp NAME received has Sippy's Reason.
reason_check() {
	r=$(rad_msg_hdr "$1" received '^SIP/2.0 488 ' Reason | head -1)
	case "$r" in
	SIP*cause=488*"$REASON"*) ;;
	*) fail "$1: the 488 has Reason '$r', expected SIP;cause=488;$REASON" ;;
	esac
}

sed -e "s/486 Busy Here/488 Not Acceptable Here/" -e "s/486/488/g" \
	-e "s|RTP/AVP 0\$|RTP/AVP 18|" -e "s|a=rtpmap:0 PCMU/8000|a=rtpmap:18 G729/8000|" \
	"$TB_SCEN/uac_reject.xml" >"$W/uac_g729.xml"
grep -q 'RTP/AVP 18$' "$W/uac_g729.xml" || fail "cannot make the G729-only caller"

# calls TAG CALLEE_PORT IDLE_PORTS: call 1 and call 2 through the running
# daemons; the callee of call 1 is on CALLEE_PORT (started here), for
# call 2 an idle callee on each of IDLE_PORTS (the route ports) must see
# no INVITE.
calls() {
	rad_uas "callee_$1" policy_uas_filter "$2" -m 1
	callee_pid=$UAS_PID
	tb_uac "caller_$1" policy_uac_filter -m 1 -s 5551234
	tb_sipp_check "caller_$1" "$TB_RC" 0 1
	rad_sipp_done "$callee_pid" "callee_$1" 1
	sipp_msg "callee_$1" received '^INVITE ' 1 >"$W/$1_offer"
	sdp_check "$W/$1_offer" "$1: the callee's INVITE" "0 8 101" \
		"a=rtpmap:0 PCMU/8000|a=rtpmap:8 PCMA/8000|a=rtpmap:101 telephone-event/8000|a=fmtp:101 0-16|"
	grep -qx 'a=ptime:20' "$W/$1_offer" && grep -qx 'a=sendrecv' "$W/$1_offer" ||
		{ cat "$W/$1_offer"; fail "$1: the filter dropped a=ptime or a=sendrecv"; }
	sipp_msg "caller_$1" received '^SIP/2.0 200 ' 1 >"$W/$1_answer"
	sdp_check "$W/$1_answer" "$1: the caller's 200" "0 101" \
		"a=rtpmap:0 PCMU/8000|a=rtpmap:101 telephone-event/8000|a=fmtp:101 0-16|"
	n=1
	while sipp_msg "callee_$1" received '^INVITE ' $n >"$W/$1_reoffer" && [ -s "$W/$1_reoffer" ]; do
		grep -q 's=caller-reinvite' "$W/$1_reoffer" && break
		n=$((n + 1))
	done
	sdp_check "$W/$1_reoffer" "$1: the callee's re-INVITE" "0 96" \
		"a=rtpmap:0 PCMU/8000|a=rtpmap:96 telephone-event/8000|a=fmtp:96 0-15|"
	grep -q 's=caller-g729-only' "$W/callee_$1/messages.log" &&
		fail "$1: the G729-only re-INVITE reached the callee"
	reason_check "caller_$1"
	echo "ok: $1: offer, answer and re-INVITE filtered, G729-only re-INVITE refused with 488"

	idle=""
	for p in $3; do
		rad_uas "idle_$1_$p" uas_rr "$p"
		idle="$idle $UAS_PID:$p"
	done
	tb_uac "g729_$1" "$W/uac_g729.xml" -m 1 -s 5551234
	tb_sipp_check "g729_$1" "$TB_RC" 0 1
	reason_check "g729_$1"
	for i in $idle; do
		tb_stop "${i%:*}" 3
		tb_forget "${i%:*}"
		[ "$(rad_received "idle_$1_${i#*:}" '^INVITE ')" = 0 ] || fail "$1: the callee on ${i#*:} got the G729-only INVITE"
	done
	echo "ok: $1: a G729-only offer got 488 with the Reason"
}

# static TAG [CCD ARGS...]: the set-up with -u -s.
static() {
	tag=$1
	shift
	TB_CCD_LOG=ccd_$tag
	tb_start "$TB_CCD_LOG" env SIPLOG_LVL=DBUG SIPLOG_BEND=stderr \
		"$BUILD/ccd" -f -u -s 127.0.0.1:5070 --bind "$TB_CCD_BIND" -F "$FILTER" "$@"
	CCD_PID=$TB_PID
	tb_wait_tcp "${TB_CCD_BIND##*:}" || fail "ccd does not listen on $TB_CCD_BIND"
	tb_sigd_start
	tb_sigd_ready || fail "ccd did not welcome sigd within 5 s"
	calls "$tag" 5070 5070
	tb_alive
	tb_check_no_legs quick
	tb_daemons_stop
}

static plain
static max_credit -m 3600

# RADIUS: route 1 busy, route 2 the filter callee.
cat >"$W/users" <<'EOF'
"127.0.0.1"	Called-Station-Id == "5551234", Auth-Type := Accept
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5070",
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5072"

DEFAULT	Auth-Type := Reject
	Reply-Message = "unknown caller"
EOF
TB_CCD_LOG=ccd_radius
rad_setup "$W/users" -F "$FILTER"
rad_uas busy uas_reject 5070 -m 1
busy_pid=$UAS_PID
calls radius 5072 "5070 5072"
rad_sipp_done "$busy_pid" busy 1
sipp_msg busy received '^INVITE ' 1 >"$W/radius_busy_offer"
sdp_check "$W/radius_busy_offer" "radius: route 1's INVITE" "0 8 101" \
	"a=rtpmap:0 PCMU/8000|a=rtpmap:8 PCMA/8000|a=rtpmap:101 telephone-event/8000|a=fmtp:101 0-16|"
tb_alive
tb_check_no_legs
tb_daemons_stop
rad_stop
pass "-F: offers, answers and re-INVITEs keep only the allowed payload types; nothing allowed -> 488 with the Reason"
