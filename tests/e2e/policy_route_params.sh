#!/bin/sh
# The parameters of a RADIUS route (sippy-behaviour §1.5, §2.5) as the
# callee sees them, with a real FreeRADIUS (radius.inc):
#  6001: route "5557777@127.0.0.1:5070;cli=4441234;cnam=Bob%20Smith;
#        ash=X-Test%3A%20hello;ash=X-Test%3A%20again;auth=user:pass", the
#        reply also has h323-ivr-in=CLI:9990000 and CNAM:Radius Name (the
#        route's own cli/cnam win): the callee's INVITE is
#        "INVITE sip:5557777@127.0.0.1:5070", To user 5557777, From
#        "Bob Smith" <sip:4441234@...>, X-Test: hello then X-Test: again.
#        The callee challenges with 401 (qop=auth); the retried INVITE
#        answers for user "user" with password "pass" (sipp's verifyauth)
#        and still has all of the above.
#  6002: route "127.0.0.1:5070", reply h323-ivr-in=CLI:5550001 and
#        CNAM:Alice Jones: From "Alice Jones" <sip:5550001@...>, the
#        dialled number in Request-URI and To, no extra header.
#  6003: route "127.0.0.1:5070;cli=;cnam=" (both empty), the reply's CLI
#        and CNAM too: From has no user part and no display name.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/radius.inc"

cat >"$W/users" <<'EOF'
"127.0.0.1"	Called-Station-Id == "6001", Auth-Type := Accept
	Cisco-AVPair = "h323-ivr-in=CLI:9990000",
	Cisco-AVPair = "h323-ivr-in=CNAM:Radius Name",
	Cisco-AVPair = "h323-ivr-in=Routing:5557777@127.0.0.1:5070;cli=4441234;cnam=Bob%20Smith;ash=X-Test%3A%20hello;ash=X-Test%3A%20again;auth=user:pass"

"127.0.0.1"	Called-Station-Id == "6002", Auth-Type := Accept
	Cisco-AVPair = "h323-ivr-in=CLI:5550001",
	Cisco-AVPair = "h323-ivr-in=CNAM:Alice Jones",
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5070"

"127.0.0.1"	Called-Station-Id == "6003", Auth-Type := Accept
	Cisco-AVPair = "h323-ivr-in=CLI:5550001",
	Cisco-AVPair = "h323-ivr-in=CNAM:Alice Jones",
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5070;cli=;cnam="

DEFAULT	Auth-Type := Reject
	Reply-Message = "unknown caller"
EOF
rad_setup "$W/users"

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
# one per line, in order.
hdr() {
	awk -v h="$1" '
		NR == 1 { next }
		!NF { exit }
		tolower(substr($0, 1, length(h) + 1)) == tolower(h ":") {
			v = substr($0, length(h) + 2); sub(/^[ \t]+/, "", v); print v }' "$2"
}

# expect FILE WHAT GOT WANT: fail showing the message FILE unless GOT = WANT.
expect() {
	[ "$3" = "$4" ] && return 0
	echo "--- $1"
	cat "$1"
	fail "$(basename "$1"): $2 is '$3', expected '$4'"
}

# check_invite FILE RURI TO_URI FROM_PREFIX X_TEST: the INVITE in FILE has
# that first line, To with <TO_URI>, a From starting with FROM_PREFIX and
# the X-Test values X_TEST ("a|b|").
check_invite() {
	expect "$1" "the first line" "$(head -1 "$1")" "INVITE $2 SIP/2.0"
	to=$(hdr To "$1")
	case "$to" in *"<$3>"*) ;; *) expect "$1" To "$to" "... <$3>" ;; esac
	from=$(hdr From "$1")
	case "$from" in "$4"*) ;; *) expect "$1" From "$from" "$4...;tag=..." ;; esac
	expect "$1" "X-Test" "$(hdr X-Test "$1" | tr '\n' '|')" "$5"
}

# 6001: every route parameter, and the callee's digest challenge.
rad_uas callee1 policy_uas_auth 5070 -m 1
tb_uac caller1 uac_rr -m 1 -d 300 -s 6001
tb_sipp_check caller1 "$TB_RC" 0 1
tb_uas_done callee1 1
grep -q 'digest ok' "$W/callee1/logs.log" || fail "the callee did not accept the digest answer: $(cat "$W/callee1/logs.log")"
sipp_msg callee1 received '^INVITE ' 1 >"$W/c1_invite1"
[ -s "$W/c1_invite1" ] || fail "callee 1 received no INVITE"
n=1
while sipp_msg callee1 received '^INVITE ' $((n + 1)) >"$W/c1_invite2" && [ -s "$W/c1_invite2" ]; do
	hdr Authorization "$W/c1_invite2" | grep -q . && break
	n=$((n + 1))
done
[ -s "$W/c1_invite2" ] || fail "callee 1 received no INVITE with Authorization"
for f in "$W/c1_invite1" "$W/c1_invite2"; do
	check_invite "$f" sip:5557777@127.0.0.1:5070 sip:5557777@127.0.0.1 '"Bob Smith" <sip:4441234@127.0.0.1>;tag=' \
		'hello|again|'
done
auth=$(hdr Authorization "$W/c1_invite2")
for p in 'username="user"' 'realm="callee.test"' 'nonce="4b1d6f0e9a2c5e37"' 'uri="sip:5557777@127.0.0.1:5070"' \
	'qop=auth' 'nc=00000001'; do
	case "$auth" in *"$p"*) ;; *) expect "$W/c1_invite2" Authorization "$auth" "... $p ..." ;; esac
done
expect "$W/c1_invite1" "Authorization in the first INVITE" "$(hdr Authorization "$W/c1_invite1")" ""
[ "$(rad_received caller1 '^SIP/2.0 401 ')" = 0 ] || fail "the caller saw the callee's 401: auth= answers it"
echo "ok: 6001: R-URI/To 5557777, From \"Bob Smith\" <sip:4441234@...>, X-Test twice, 401 answered for user"

# 6002: the reply's CLI and CNAM.
rad_uas callee2 uas_rr 5070 -m 1
tb_uac caller2 uac_rr -m 1 -d 200 -s 6002
tb_sipp_check caller2 "$TB_RC" 0 1
tb_uas_done callee2 1
sipp_msg callee2 received '^INVITE ' >"$W/c2_invite"
check_invite "$W/c2_invite" sip:6002@127.0.0.1:5070 sip:6002@127.0.0.1 '"Alice Jones" <sip:5550001@127.0.0.1>;tag=' ''
echo "ok: 6002: From \"Alice Jones\" <sip:5550001@...> from the RADIUS reply"

# 6003: empty cli= and cnam= mean none.
rad_uas callee3 uas_rr 5070 -m 1
tb_uac caller3 uac_rr -m 1 -d 200 -s 6003
tb_sipp_check caller3 "$TB_RC" 0 1
tb_uas_done callee3 1
sipp_msg callee3 received '^INVITE ' >"$W/c3_invite"
check_invite "$W/c3_invite" sip:6003@127.0.0.1:5070 sip:6003@127.0.0.1 '<sip:127.0.0.1>;tag=' ''
echo "ok: 6003: cli= and cnam= empty: From <sip:127.0.0.1>"

tb_alive
tb_check_no_legs
tb_daemons_stop
rad_stop
pass "route cld, cli, cnam, ash, auth=user:pass and the reply's CLI/CNAM reach the callee's INVITE"
