#!/bin/sh
# Failover hunting over the routes a real FreeRADIUS returns (radius.inc),
# one route list per called number:
#  1001: route 1 answers 486 -> route 2 answers; the caller sees the 200;
#        route 1 got one INVITE with Call-ID <id>-b2b_1, route 2 one with
#        <id>-b2b_2.
#  1002: route 1 (np_expires=1) answers only 100 Trying -> after 1 s it is
#        cancelled (CANCEL with the INVITE's branch, 487, ACK) and route 2
#        answers.
#  1003: route 1 (hs_scodes=403,486) answers 486 -> hunting stops: the
#        caller gets "486 Busy Here" and route 2 never sees an INVITE.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/radius.inc"

cat >"$W/users" <<'EOF'
"127.0.0.1"	Called-Station-Id == "1001", Auth-Type := Accept
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5070",
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5072"

"127.0.0.1"	Called-Station-Id == "1002", Auth-Type := Accept
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5070;np_expires=1",
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5072"

"127.0.0.1"	Called-Station-Id == "1003", Auth-Type := Accept
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5070;hs_scodes=403,486",
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5072"

DEFAULT	Auth-Type := Reject
	Reply-Message = "unknown caller"
EOF
rad_setup "$W/users"

# callids NAME: the Call-IDs of the INVITEs the sipp NAME received (each
# once, space-separated).
callids() {
	rad_msg_hdr "$1" received '^INVITE ' Call-ID | sort -u | tr '\n' ' ' | sed 's/ $//'
}

# 1. 486 from route 1, route 2 answers.
rad_uas busy1 uas_reject 5070 -m 1
busy_pid=$UAS_PID
rad_uas answer1 uas_rr 5072 -m 1
answer_pid=$UAS_PID
tb_uac caller1 uac_rr -m 1 -d 300 -s 1001
tb_sipp_check caller1 "$TB_RC" 0 1
rad_sipp_done "$busy_pid" busy1 1
rad_sipp_done "$answer_pid" answer1 1
cid=$(rad_msg_hdr caller1 sent '^INVITE ' Call-ID | head -1)
[ "$(callids busy1)" = "$cid-b2b_1" ] || fail "route 1 got Call-IDs '$(callids busy1)', expected '$cid-b2b_1'"
[ "$(callids answer1)" = "$cid-b2b_2" ] || fail "route 2 got Call-IDs '$(callids answer1)', expected '$cid-b2b_2'"
[ "$(rad_received caller1 '^SIP/2.0 486 ')" = 0 ] || fail "the caller saw route 1's 486"
echo "ok: 486 on route 1, route 2 answered"

# 2. No progress on route 1 within np_expires=1: CANCEL, route 2 answers.
rad_uas trying2 radius_uas_trying 5070 -m 1
trying_pid=$UAS_PID
rad_uas answer2 uas_rr 5072 -m 1
answer_pid=$UAS_PID
tb_uac caller2 uac_rr -m 1 -d 300 -s 1002
tb_sipp_check caller2 "$TB_RC" 0 1
rad_sipp_done "$trying_pid" trying2 1
rad_sipp_done "$answer_pid" answer2 1
cid=$(rad_msg_hdr caller2 sent '^INVITE ' Call-ID | head -1)
[ "$(callids trying2)" = "$cid-b2b_1" ] || fail "route 1 got Call-IDs '$(callids trying2)', expected '$cid-b2b_1'"
[ "$(callids answer2)" = "$cid-b2b_2" ] || fail "route 2 got Call-IDs '$(callids answer2)', expected '$cid-b2b_2'"
t_inv=$(rad_log_ms trying2 INVITE)
t_can=$(rad_log_ms trying2 CANCEL)
[ -n "$t_inv" ] && [ -n "$t_can" ] || fail "route 1 logged no INVITE or CANCEL time"
dt=$((t_can - t_inv))
[ "$dt" -ge 900 ] && [ "$dt" -le 2000 ] ||
	fail "route 1 was cancelled ${dt} ms after its INVITE; np_expires=1 wants about 1000 ms"
echo "ok: np_expires=1: route 1 cancelled after ${dt} ms, route 2 answered"

# 3. 486 is a hunt-stop code of route 1: the caller gets it, route 2
# (a callee that would take any number of calls) sees nothing.
rad_uas busy3 uas_reject 5070 -m 1
busy_pid=$UAS_PID
rad_uas idle3 uas_rr 5072
idle_pid=$UAS_PID
tb_uac caller3 uac_reject -m 1 -s 1003
tb_sipp_check caller3 "$TB_RC" 0 1
rad_sipp_done "$busy_pid" busy3 1
cid=$(rad_msg_hdr caller3 sent '^INVITE ' Call-ID | head -1)
[ "$(callids busy3)" = "$cid-b2b_1" ] || fail "route 1 got Call-IDs '$(callids busy3)', expected '$cid-b2b_1'"
echo "ok: hs_scodes=403,486: 486 relayed"

tb_alive
tb_check_no_legs
n=$(rad_received idle3 '^INVITE ')
tb_stop "$idle_pid" 3
tb_forget "$idle_pid"
[ "$n" = 0 ] || fail "route 2 got $n INVITEs although 486 is a hunt-stop code of route 1"
tb_daemons_stop
rad_stop
pass "RADIUS routes: 486 and np_expires hunt to route 2, a hs_scodes code stops hunting"
