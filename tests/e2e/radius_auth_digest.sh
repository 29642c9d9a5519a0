#!/bin/sh
# RADIUS digest authentication against a real FreeRADIUS, whose rlm_digest
# checks the response (radius.inc). The caller's first INVITE has no
# credentials: FreeRADIUS rejects its address, and digest being on the
# caller gets 401 with a Digest challenge (not a bare 401, Sippy defect
# 5). sipp answers it (-au/-ap): with the right password the call reaches
# the route FreeRADIUS gave alice; the Access-Request carried the
# draft-sterman attributes, as radcli packs them, with the values of the
# caller's Authorization header: Digest-Response, and Digest-Attributes
# for realm, nonce, method, URI, algorithm MD5, user name and, with qop,
# qop, cnonce and nonce count. With a wrong password the caller gets "403 Auth Failed" and no
# route sees an INVITE.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/radius.inc"

cat >"$W/users" <<'EOF'
"alice"	Cleartext-Password := "secret"
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5070",
	Reply-Message = "digest-ok"

DEFAULT	Auth-Type := Reject
	Reply-Message = "unknown user"
EOF
rad_setup "$W/users"

# subattr TYPE VALUE: a Digest-Attributes value as FreeRADIUS prints it:
# 0x, the sub-attribute type and length, the value, in hex.
subattr() {
	printf '0x%02x%02x%s\n' "$1" $((${#2} + 2)) "$(printf '%s' "$2" | od -An -tx1 | tr -d ' \n')"
}

# 1. The right password: 401 with a challenge, then the call.
rad_uas callee uas_rr 5070 -m 1
tb_uac caller radius_uac_auth -m 1 -d 300 -s 5551234 -au alice -ap secret
tb_sipp_check caller "$TB_RC" 0 1
tb_uas_done callee 1
cid=$(rad_msg_hdr caller sent '^INVITE ' Call-ID | head -1)
got=$(rad_msg_hdr callee received '^INVITE ' Call-ID | sort -u | tr '\n' ' ')
[ "$got" = "$cid-b2b_1 " ] || fail "the route got INVITEs with Call-ID '$got', expected '$cid-b2b_1'"
chal=$(rad_msg_hdr caller received '^SIP/2.0 401 ' WWW-Authenticate | head -1)
echo "$chal" | grep -qE '^Digest .*realm="[^"]+".*' && echo "$chal" | grep -qE 'nonce="[^"]+"' ||
	fail "401 challenge without realm or nonce: '$chal'"
grep -q 'Login OK: \[alice' "$W/radius.log" || fail "FreeRADIUS did not accept alice"

# What sipp answered the challenge with, and what ccd sent FreeRADIUS.
authz=$(rad_msg_hdr caller sent '^INVITE ' Authorization | head -1)
[ -n "$authz" ] || fail "the caller sent no Authorization"
# param NAME: a parameter of that Authorization header, unquoted.
param() {
	echo "$authz" | tr ',' '\n' | sed -n "s/^ *\(Digest \)\{0,1\}$1=\"\{0,1\}\([^\"]*\)\"\{0,1\} *\$/\2/p"
}
for p in response realm nonce uri; do
	[ -n "$(param $p)" ] || fail "no $p in the caller's Authorization: $authz"
done
rad_auth_records "$W" alice >"$W/auth_alice" || fail "no Access-Request with User-Name alice"
rad_expect "$W/auth_alice" Digest-Response "$(param response)"
rad_expect "$W/auth_alice" Digest-Attributes "$(subattr 1 "$(param realm)")"
rad_expect "$W/auth_alice" Digest-Attributes "$(subattr 2 "$(param nonce)")"
rad_expect "$W/auth_alice" Digest-Attributes "$(subattr 3 INVITE)"
rad_expect "$W/auth_alice" Digest-Attributes "$(subattr 4 "$(param uri)")"
rad_expect "$W/auth_alice" Digest-Attributes "$(subattr 6 MD5)"
rad_expect "$W/auth_alice" Digest-Attributes "$(subattr 10 alice)"
# With qop (RFC 2617), rlm_digest also needs qop, cnonce and nc.
if [ -n "$(param qop)" ]; then
	rad_expect "$W/auth_alice" Digest-Attributes "$(subattr 5 "$(param qop)")"
	rad_expect "$W/auth_alice" Digest-Attributes "$(subattr 8 "$(param cnonce)")"
	rad_expect "$W/auth_alice" Digest-Attributes "$(subattr 9 "$(param nc)")"
fi
rad_expect "$W/auth_alice" Calling-Station-Id sipp
rad_expect "$W/auth_alice" Called-Station-Id 5551234
rad_expect "$W/auth_alice" Cisco-AVPair "call-id=$cid"
rad_expect "$W/auth_alice" Cisco-AVPair "h323-session-protocol=sipv2"
rad_expect "$W/auth_alice" h323-remote-address "h323-remote-address=127.0.0.1"
rad_expect_none "$W/auth_alice" User-Password
echo "ok: digest accepted by rlm_digest, call completed"

# 2. A wrong password: 403 Auth Failed, no INVITE to the route.
rad_uas idle uas_rr 5070
idle_pid=$UAS_PID
tb_uac wrong radius_uac_auth_fail -m 1 -s 5551234 -au alice -ap wrong
tb_sipp_check wrong "$TB_RC" 0 1
[ "$(rad_auth_count "$W" alice)" = 2 ] ||
	fail "FreeRADIUS got $(rad_auth_count "$W" alice) digest requests for alice, expected 2"
grep -q 'Login incorrect.*alice' "$W/radius.log" || fail "FreeRADIUS did not reject alice's wrong digest"
echo "ok: wrong password: 403 Auth Failed"

tb_alive
tb_check_no_legs
n=$(rad_received idle '^INVITE ')
tb_stop "$idle_pid" 3
tb_forget "$idle_pid"
[ "$n" = 0 ] || fail "the route got $n INVITEs of the call with the wrong password"
tb_daemons_stop
rad_stop
pass "RADIUS digest auth: 401 challenge, rlm_digest accepts the right password, 403 Auth Failed for a wrong one"
