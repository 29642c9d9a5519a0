#!/bin/sh
# A callee that never answers (not even 100): sigd retransmits the INVITE
# (timer A doubling from T1 = 500 ms, capped at T2 = 4 s: 10 retransmissions
# in Timer B's 32 s, where an uncapped timer A would send 6), sends no CANCEL
# (RFC 3261 9.1: none before a provisional response), and when Timer B
# fires the caller gets 408 about 32 s after its INVITE. The suite's one
# long test.
# Real RFC 3261 timers: this test measures Timer B and the T2 cap.
TB_T1=500
export TB_T1
. "$(dirname "$0")/lib.sh"

TB_SIPP_TIMEOUT=50s
tb_call_setup uas_silent -m 1
tb_uac caller uac_timeout -m 1
tb_sipp_check caller "$TB_RC" 0 1
# The 408 came 31 to 34 s after the INVITE (the scenario's buckets).
late=$(tb_stat_sum caller 'ResponseTimeRepartition1_<32000' 'ResponseTimeRepartition1_<33000' \
	'ResponseTimeRepartition1_<34000')
[ "$late" = 1 ] || fail "408 not 31-34 s after the INVITE (ResponseTime1 $(tb_stat caller 'ResponseTime1(C)'))"
tb_uas_done callee 1
rtx=$(tb_count callee 0_INVITE_Retrans)
if ! [ "$rtx" -ge 9 ] 2>/dev/null || ! [ "$rtx" -le 11 ]; then
	fail "the callee saw $rtx INVITE retransmissions, expected 10 (timer A capped at T2)"
fi
tb_alive
tb_check_no_legs
tb_daemons_stop
pass "no answer: 408 after Timer B, $rtx INVITE retransmissions"
