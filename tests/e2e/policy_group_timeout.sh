#!/bin/sh
# Route parameter gt=timeout,skip (group timeout, sippy-behaviour §1.5;
# broken in Sippy, working here): when the attempt on a route with
# gt=1,1 has no answer after 1 s, it is cancelled and hunting skips 1
# route ahead. Three RADIUS routes (radius.inc):
#   route 1 127.0.0.1:5070;gt=1,1  rings forever (100, 180)
#   route 2 127.0.0.1:5072         skipped: never sees an INVITE
#   route 3 127.0.0.1:5074         answers
# Route 1 gets CANCEL (its branch) about 1 s after its INVITE, route 3
# its INVITE about 1 s after route 1's (900-2000 ms), with its own Call-ID
# suffix; the caller sees route 1's 180 and route 3's 200.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/radius.inc"

cat >"$W/users" <<'EOF'
"127.0.0.1"	Called-Station-Id == "7001", Auth-Type := Accept
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5070;gt=1,1",
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5072",
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5074"

DEFAULT	Auth-Type := Reject
	Reply-Message = "unknown caller"
EOF
rad_setup "$W/users"

# Route 3: sipp's uas_rr, logging when its INVITE came.
sed 's|assign_to="inv_b,inv_branch"/>|&\n      <gettimeofday assign_to="inv_s,inv_us"/>\n      <log message="INVITE [$inv_s] [$inv_us]"/>|' \
	"$TB_SCEN/uas_rr.xml" >"$W/uas_timed.xml"
grep -q 'gettimeofday' "$W/uas_timed.xml" || fail "cannot make the timed callee"

rad_uas ring policy_uas_ring 5070 -m 1
ring_pid=$UAS_PID
rad_uas skipped uas_rr 5072
skipped_pid=$UAS_PID
rad_uas answer "$W/uas_timed.xml" 5074 -m 1
answer_pid=$UAS_PID
tb_uac caller uac_rr -m 1 -d 300 -s 7001
cid=$(rad_msg_hdr caller sent '^INVITE ' Call-ID | head -1)
n=$(rad_received skipped '^INVITE ')
[ "$n" = 0 ] || fail "route 2 got $n INVITE(s) (Call-ID $(rad_msg_hdr skipped received '^INVITE ' Call-ID | head -1)): gt=1,1 on route 1 must skip it"
tb_sipp_check caller "$TB_RC" 0 1
rad_sipp_done "$ring_pid" ring 1
rad_sipp_done "$answer_pid" answer 1
tb_stop "$skipped_pid" 3
tb_forget "$skipped_pid"
[ "$(rad_received skipped '^INVITE ')" = 0 ] || fail "route 2 got an INVITE late"
[ "$(rad_msg_hdr ring received '^INVITE ' Call-ID | sort -u)" = "$cid-b2b_1" ] || fail "route 1's Call-ID is not $cid-b2b_1"
# The second attempt, on the third route: -b2b_2 counting attempts
# (sippy-behaviour §1.18), -b2b_3 counting routes (Sippy's rnum).
got=$(rad_msg_hdr answer received '^INVITE ' Call-ID | sort -u)
[ "$got" = "$cid-b2b_2" ] || [ "$got" = "$cid-b2b_3" ] ||
	fail "route 3 got Call-ID '$got', expected $cid-b2b_2 (second attempt) or $cid-b2b_3 (third route)"
t_inv=$(rad_log_ms ring INVITE)
t_can=$(rad_log_ms ring CANCEL)
t_ans=$(rad_log_ms answer INVITE)
[ -n "$t_inv" ] && [ -n "$t_can" ] && [ -n "$t_ans" ] || fail "a callee logged no time (INVITE '$t_inv', CANCEL '$t_can', route 3 '$t_ans')"
dc=$((t_can - t_inv))
da=$((t_ans - t_inv))
[ "$dc" -ge 900 ] && [ "$dc" -le 2000 ] || fail "route 1 was cancelled $dc ms after its INVITE; gt=1 wants about 1000 ms"
[ "$da" -ge 900 ] && [ "$da" -le 2000 ] || fail "route 3 got its INVITE $da ms after route 1's; gt=1 wants about 1000 ms"
[ "$(rad_received caller '^SIP/2.0 180 ')" -ge 1 ] || fail "the caller did not see route 1's 180"
echo "ok: route 1 cancelled after $dc ms, route 2 skipped, route 3 called after $da ms and answered"

tb_alive
tb_check_no_legs
tb_daemons_stop
rad_stop
pass "gt=1,1: after 1 s without an answer hunting skips a route"
