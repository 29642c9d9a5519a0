#!/bin/sh
# 10 % packet loss on both sides (sipp -lost 10 drops a tenth of what each
# sipp sends and receives): sigd's retransmissions (INVITE, 2xx until ACK,
# BYE) and its absorbing of the sipps' retransmissions must still complete
# every call on both sides.
#
# sigd's T1 is 150 ms here, not the tests' 50: sipp retransmits with RFC
# 3261's 500 ms (0.5, 1.5, 3.5, 7.5 s after the first BYE), and a BYE whose
# 200 was lost must still find its transaction, which lives 64*T1. With
# 3.2 s only the first three sends counted, and three losses in a row
# failed a call with 481 (seen in CI); 9.6 s covers five.
TB_T1=150
export TB_T1
. "$(dirname "$0")/lib.sh"

TB_SIPP_TIMEOUT=60s
# A longer timewait: the callee must still answer sigd's BYE retransmission
# when its 200 to the BYE was lost.
sed 's/timewait milliseconds="500"/timewait milliseconds="4000"/' "$TB_SCEN/uas_rr.xml" >"$W/uas_lossy.xml"
tb_call_setup "$W/uas_lossy.xml" -m 20 -lost 10
tb_uac caller uac_rr -m 20 -r 10 -d 200 -lost 10
tb_sipp_check caller "$TB_RC" 0 20
tb_uas_done callee 20
lost=$(cat "$W/caller/messages.log" "$W/callee/messages.log" | grep -c 'lost')
[ "$lost" -gt 0 ] || fail "sipp lost no message at all: the test tested nothing"
tb_alive
tb_check_no_legs full
tb_daemons_stop
pass "20 calls through 10 % packet loss ($lost messages lost)"
