#!/bin/sh
# RADIUS authentication by the caller's IP address, against a real
# FreeRADIUS (radius.inc): a caller FreeRADIUS accepts with a route gets
# its call through to that route (Call-ID <id>-b2b_1), and the
# Access-Request carried what Sippy's b2bua_radius sends (User-Name = the
# caller's address, Password "cisco", Calling/Called-Station-Id, Cisco-AVPair
# call-id and h323-session-protocol=sipv2, h323-remote-address). A caller
# FreeRADIUS rejects (another source address) gets "403 Auth Failed" (-D:
# no digest challenge), no route sees an INVITE and no accounting record
# is written for it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/radius.inc"

cat >"$W/users" <<'EOF'
"127.0.0.1"	Auth-Type := Accept
	h323-return-code = "h323-return-code=0",
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5070",
	Reply-Message = "ok-by-ip"

"127.0.0.2"	Auth-Type := Reject
	h323-return-code = "h323-return-code=4",
	Reply-Message = "no credit"

DEFAULT	Auth-Type := Reject
	Reply-Message = "unknown caller"
EOF
rad_setup "$W/users" -D

# 1. Accepted: the call goes to the route FreeRADIUS gave.
rad_uas callee uas_rr 5070 -m 1
tb_uac caller uac_rr -m 1 -d 300 -s 5551234
tb_sipp_check caller "$TB_RC" 0 1
tb_uas_done callee 1
cid=$(rad_msg_hdr caller sent '^INVITE ' Call-ID | head -1)
[ -n "$cid" ] || fail "no Call-ID in the caller's INVITE"
got=$(rad_msg_hdr callee received '^INVITE ' Call-ID | sort -u | tr '\n' ' ')
[ "$got" = "$cid-b2b_1 " ] || fail "the route got INVITEs with Call-ID '$got', expected '$cid-b2b_1'"

[ "$(rad_auth_count "$W")" = 1 ] || fail "FreeRADIUS got $(rad_auth_count "$W") Access-Requests, expected 1"
rad_auth_records "$W" 127.0.0.1 >"$W/auth_accept" || fail "no Access-Request with User-Name 127.0.0.1"
rad_expect "$W/auth_accept" User-Name 127.0.0.1
rad_expect "$W/auth_accept" User-Password cisco
rad_expect "$W/auth_accept" Calling-Station-Id sipp
rad_expect "$W/auth_accept" Called-Station-Id 5551234
rad_expect "$W/auth_accept" Cisco-AVPair "call-id=$cid"
rad_expect "$W/auth_accept" Cisco-AVPair "h323-session-protocol=sipv2"
rad_expect "$W/auth_accept" h323-remote-address "h323-remote-address=127.0.0.1"
rad_expect_none "$W/auth_accept" Digest-Response
echo "ok: accepted by IP, Access-Request attributes as Sippy's"

# 2. Rejected (the caller on 127.0.0.2): 403 Auth Failed, and the route
# (a callee that would take any number of calls) never sees an INVITE.
rad_uas idle uas_rr 5070
idle_pid=$UAS_PID
sed -e "s/486 Busy Here/403 Auth Failed/" -e "s/486/403/g" "$TB_SCEN/uac_reject.xml" >"$W/uac_403.xml"
tb_uac rejected "$W/uac_403.xml" -m 1 -i 127.0.0.2 -s 5551234
tb_sipp_check rejected "$TB_RC" 0 1
cid2=$(rad_msg_hdr rejected sent '^INVITE ' Call-ID | head -1)
rad_auth_records "$W" 127.0.0.2 >"$W/auth_reject" || fail "no Access-Request with User-Name 127.0.0.2"
rad_expect "$W/auth_reject" Calling-Station-Id sipp
rad_expect "$W/auth_reject" Called-Station-Id 5551234
rad_expect "$W/auth_reject" Cisco-AVPair "call-id=$cid2"
rad_expect "$W/auth_reject" h323-remote-address "h323-remote-address=127.0.0.2"
grep -q 'Login incorrect.*127\.0\.0\.2' "$W/radius.log" || fail "FreeRADIUS did not reject 127.0.0.2"
echo "ok: rejected by IP: 403 Auth Failed"

tb_alive
tb_check_no_legs
n=$(rad_received idle '^INVITE ')
tb_stop "$idle_pid" 3
tb_forget "$idle_pid"
[ "$n" = 0 ] || fail "the route got $n INVITEs of the rejected call"
# The accepted call's Stop records (-A 1, the default) arrived; the
# rejected call has none.
rad_wait_detail "$W" Stop answer 1 || fail "no answer-leg Stop record for the accepted call"
rad_detail "$W" | grep -qF "call-id=$cid2" && fail "an accounting record for the rejected call: $(rad_detail "$W")"
tb_daemons_stop
rad_stop
pass "RADIUS remote-IP auth: accept routes the call, reject gives 403 Auth Failed"
