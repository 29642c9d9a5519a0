#!/bin/sh
# -h (pass_headers, sippy-behaviour §1.12): the named headers of the
# caller's INVITE (names without case, every instance, in order) are added
# to the callee's INVITE; other headers are not.
# The caller's INVITE carries
#   X-Foo: foo-value / x-bar: bar-1 / X-Bar: bar-2 / X-Other: secret
#  1. ccd -u -s ... -h X-Foo,X-Bar: the callee's INVITE has X-Foo
#     foo-value, then bar-1 and bar-2 as X-Bar; no X-Other.
#  2. RADIUS (radius.inc), two routes, route 1 answers 486: the INVITE of
#     each attempt carries the same headers.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/radius.inc"

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

# hdr NAME FILE: the values of header NAME (any case) in the message FILE,
# in order, as "value" lines.
hdr() {
	awk -v h="$1" '
		NR == 1 { next }
		!NF { exit }
		tolower(substr($0, 1, length(h) + 1)) == tolower(h ":") {
			v = substr($0, length(h) + 2); sub(/^[ \t]+/, "", v); print v }' "$2"
}

# check_invite NAME: the first INVITE the sipp NAME received has the -h
# headers and nothing else of the caller's X- headers.
check_invite() {
	sipp_msg "$1" received '^INVITE ' >"$W/$1.invite"
	[ -s "$W/$1.invite" ] || fail "$1 received no INVITE"
	got=$(hdr X-Foo "$W/$1.invite" | tr '\n' '|')
	[ "$got" = "foo-value|" ] || { cat "$W/$1.invite"; fail "$1: X-Foo values '$got', expected 'foo-value|'"; }
	got=$(hdr X-Bar "$W/$1.invite" | tr '\n' '|')
	[ "$got" = "bar-1|bar-2|" ] || { cat "$W/$1.invite"; fail "$1: X-Bar values '$got', expected 'bar-1|bar-2|'"; }
	[ -z "$(hdr X-Other "$W/$1.invite")" ] || { cat "$W/$1.invite"; fail "$1: X-Other was passed, -h does not name it"; }
	grep -qi 'secret' "$W/$1.invite" && { cat "$W/$1.invite"; fail "$1: the value of X-Other leaked"; }
	return 0
}

sed 's|^\( *\)Subject: Performance Test|&\n\1X-Foo: foo-value\n\1x-bar: bar-1\n\1X-Other: secret\n\1X-Bar: bar-2|' \
	"$TB_SCEN/uac_rr.xml" >"$W/uac_headers.xml"
[ "$(grep -c 'X-Foo: foo-value' "$W/uac_headers.xml")" = 1 ] || fail "cannot make the caller's scenario"

# 1. Static route.
TB_CCD_OPTS="-h X-Foo,X-Bar"
tb_call_setup uas_rr -m 1
tb_uac caller1 "$W/uac_headers.xml" -m 1 -d 200 -s 5551234
tb_sipp_check caller1 "$TB_RC" 0 1
tb_uas_done callee 1
sipp_msg caller1 sent '^INVITE ' >"$W/caller1.invite"
[ "$(hdr X-Other "$W/caller1.invite")" = secret ] || fail "the caller did not send X-Other"
check_invite callee
# Only the INVITE: the BYE the caller's hang-up becomes has none of them.
sipp_msg callee received '^BYE ' >"$W/callee.bye"
[ -s "$W/callee.bye" ] || fail "the callee got no BYE"
grep -qiE '^x-(foo|bar|other):' "$W/callee.bye" && { cat "$W/callee.bye"; fail "X- headers on the callee's BYE"; }
echo "ok: -u -s: X-Foo and both X-Bar reached the callee, X-Other did not"
tb_alive
tb_check_no_legs quick
tb_daemons_stop

# 2. RADIUS, hunting: every attempt gets them.
cat >"$W/users" <<'EOF'
"127.0.0.1"	Called-Station-Id == "5551234", Auth-Type := Accept
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5070",
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5072"

DEFAULT	Auth-Type := Reject
	Reply-Message = "unknown caller"
EOF
TB_CCD_LOG=ccd2
rad_setup "$W/users" -h X-Foo,X-Bar
rad_uas busy uas_reject 5070 -m 1
busy_pid=$UAS_PID
rad_uas answer uas_rr 5072 -m 1
answer_pid=$UAS_PID
tb_uac caller2 "$W/uac_headers.xml" -m 1 -d 200 -s 5551234
tb_sipp_check caller2 "$TB_RC" 0 1
rad_sipp_done "$busy_pid" busy 1
rad_sipp_done "$answer_pid" answer 1
check_invite busy
check_invite answer
echo "ok: RADIUS: both attempts' INVITEs carried X-Foo and X-Bar, not X-Other"

tb_alive
tb_check_no_legs
tb_daemons_stop
rad_stop
pass "-h: the named headers reach the callee's INVITE on every attempt, others do not"
