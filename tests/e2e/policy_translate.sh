#!/bin/sh
# CLD translation (sippy-behaviour §1.17, §1.19):
#   -t 's/^00/+/'                    (static_tr_in: the dialled number,
#                                     before RADIUS)
#   -T 's/^\+/00/;s/^0044/44/g'       (static_tr_out: each route's number)
# and the nat- prefix (stripped; a=nated:yes appended to the caller's SDP).
#  1. RADIUS (radius.inc):
#     0044201      -> Access-Request Called-Station-Id +44201; route
#                     "127.0.0.1:5070" -> the callee's R-URI/To user 44201
#     nat-0044202  -> Called-Station-Id +44202; route
#                     "+15550100@127.0.0.1:5070" -> R-URI/To user
#                     0015550100; the callee's SDP ends with a=nated:yes
#                     (the first call's has none)
#  2. ccd -u -s 127.0.0.1:5070, the same rules:
#     0044203 -> 44203;  nat-0044204 -> 44204 with a=nated:yes
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/radius.inc"

TR_IN='s/^00/+/'
TR_OUT='s/^\+/00/;s/^0044/44/g'

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

# call TAG DIALLED WANT_USER NATED: a call to DIALLED; the callee's INVITE
# must name WANT_USER in its Request-URI and To, and have a=nated:yes in
# its SDP when NATED is 1 (none when 0).
call() {
	rad_uas "callee_$1" uas_rr 5070 -m 1
	tb_uac "caller_$1" uac_rr -m 1 -d 200 -s "$2"
	tb_sipp_check "caller_$1" "$TB_RC" 0 1
	tb_uas_done "callee_$1" 1
	sipp_msg "callee_$1" received '^INVITE ' >"$W/$1_invite"
	first=$(head -1 "$W/$1_invite")
	[ "$first" = "INVITE sip:$3@127.0.0.1:5070 SIP/2.0" ] ||
		{ cat "$W/$1_invite"; fail "$1: dialled $2, the callee got '$first', expected user $3"; }
	to=$(rad_msg_hdr "callee_$1" received '^INVITE ' To | head -1)
	case "$to" in *"<sip:$3@127.0.0.1>"*) ;; *) fail "$1: dialled $2, the callee's To is '$to'" ;; esac
	if [ "$4" = 1 ]; then
		[ "$(tail -1 "$W/$1_invite")" = "a=nated:yes" ] || [ "$(sed '/^$/d' "$W/$1_invite" | tail -1)" = "a=nated:yes" ] ||
			{ cat "$W/$1_invite"; fail "$1: dialled $2 (nat-), the callee's SDP does not end with a=nated:yes"; }
	else
		grep -q 'a=nated' "$W/$1_invite" && { cat "$W/$1_invite"; fail "$1: a=nated without nat-"; }
	fi
	# The caller's own view of its call is unchanged.
	to=$(rad_msg_hdr "caller_$1" received '^SIP/2.0 200 ' To | head -1)
	case "$to" in *"sip:$2@"*) ;; *) fail "$1: the caller's 200 has To '$to', not its number $2" ;; esac
	echo "ok: $1: dialled $2 -> the callee got $3$([ "$4" = 1 ] && echo ' and a=nated:yes')"
}

# 1. RADIUS.
cat >"$W/users" <<'EOF'
"127.0.0.1"	Called-Station-Id == "+44201", Auth-Type := Accept
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5070"

"127.0.0.1"	Called-Station-Id == "+44202", Auth-Type := Accept
	Cisco-AVPair = "h323-ivr-in=Routing:+15550100@127.0.0.1:5070"

DEFAULT	Auth-Type := Reject
	Reply-Message = "unknown number"
EOF
rad_setup "$W/users" -t "$TR_IN" -T "$TR_OUT"
call r1 0044201 44201 0
call r2 nat-0044202 0015550100 1
[ "$(rad_auth_count "$W")" = 2 ] || fail "FreeRADIUS got $(rad_auth_count "$W") Access-Requests, expected 2"
for i in 1 2; do
	rad_auth_records "$W" "" $i >"$W/auth$i" || fail "no Access-Request $i"
	rad_expect "$W/auth$i" Called-Station-Id "+4420$i"
done
echo "ok: the Access-Requests had Called-Station-Id +44201 and +44202 (after -t, without nat-)"
tb_alive
tb_check_no_legs quick
tb_daemons_stop
rad_stop

# 2. No RADIUS.
TB_CCD_LOG=ccd2
TB_CCD_OPTS=""
tb_ccd_start -t "$TR_IN" -T "$TR_OUT"
tb_sigd_start
tb_sigd_ready || fail "ccd did not welcome sigd within 5 s"
call s1 0044203 44203 0
call s2 nat-0044204 44204 1

tb_alive
tb_check_no_legs
tb_daemons_stop
pass "-t, -T and nat-: RADIUS sees the -t number, callees the -T number, nat- adds a=nated:yes"
