#!/bin/sh
# Overload at a small scale (sigd/overload.h; the benchmark's overload
# phase does it at full scale, docs/performance.md).
#
# 1. --max-cps 20: ten calls are set up and held; then a flood at 200
#    calls/s for 2 s. New INVITEs beyond 20/s get a stateless 503 with
#    Retry-After, the others are answered; no call fails otherwise. The held
#    calls keep working: each one's BYE is answered. The refusals are
#    counted in tandem_sigd_calls_shed_total{reason="cps"}. After the flood
#    a new run at 10 calls/s has no failure, and nothing is left behind.
# 2. --max-setups 4 with a callee that never answers: two calls in setup
#    make four legs in Trying, so the next INVITEs get 503 (setups) while
#    those two end with 408 after Timer B.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || fail "curl is missing (make deps installs it)"
SIGD_M=127.0.0.1:9102
HOLD_PORT=5062

# shed REASON: tandem_sigd_calls_shed_total{reason="REASON"} now.
shed() {
	curl -sf "http://$SIGD_M/metrics" >"$W/sigd.prom" || fail "scraping sigd's metrics failed"
	awk -v s="tandem_sigd_calls_shed_total{reason=\"$1\"}" '$1 == s { print $2; found = 1 }
		END { if (!found) print "missing" }' "$W/sigd.prom"
}

# ---------------------------------------------------------------- 1. max-cps
tb_ccd_start
tb_sigd_start --max-cps 20 --metrics "$SIGD_M"
tb_sigd_ready || fail "ccd did not welcome sigd within 5 s"
tb_uas callee uas_rr
CALLEE_PID=$UAS_PID

# Ten calls held for 6 s: established before the flood, hung up after it.
TB_UAC_PORT=$HOLD_PORT tb_uac_start holder uac_rr -m 10 -r 10 -l 10 -d 6000
HOLDER_PID=$UAC_PID
tb_i=0
while [ "$(tb_count holder 6_Pause_Sessions)" != 10 ]; do
	[ $tb_i -ge 100 ] && { tb_sipp_report holder; fail "the 10 held calls were not all set up"; }
	sleep 0.1
	tb_i=$((tb_i + 1))
done

tb_uac flood overload_uac -m 400 -r 200 -l 400 -d 200
tb_sipp_check flood "$TB_RC" 0 400
answered=$(tb_count flood 5_200_Recv)
refused=$(tb_count flood 4_503_Recv)
[ "$(tb_count flood 3_408_Recv)" = 0 ] || fail "flood: $(tb_count flood 3_408_Recv) calls got 408"
[ $((answered + refused)) = 400 ] || fail "flood: $answered answered + $refused refused is not 400"
# 20 calls/s for about 2 s, plus a burst of 2 and the flood's ramp.
[ "$answered" -ge 30 ] && [ "$answered" -le 80 ] || fail "flood: $answered calls answered, expected about 40"
n=$(shed cps)
[ "$n" != missing ] && [ "$n" -ge "$refused" ] ||
	fail "tandem_sigd_calls_shed_total{reason=\"cps\"} is $n, the flood saw $refused refusals"

tb_wait_exit "$HOLDER_PID" 30
tb_sipp_check holder "$TB_RC" 0 10
[ "$(tb_count holder 8_200_Recv)" = 10 ] || fail "held calls: $(tb_count holder 8_200_Recv) of 10 BYEs answered"

tb_uac after uac_rr -m 30 -r 10
tb_sipp_check after "$TB_RC" 0 30
[ "$(shed cps)" = "$n" ] || fail "calls refused after the flood"
tb_alive
tb_check_no_legs full
tb_stop "$CALLEE_PID"
tb_forget "$CALLEE_PID"
[ "$(tb_stat callee 'FailedCall(C)')" = 0 ] || fail "the callee saw $(tb_stat callee 'FailedCall(C)') failed calls"
tb_daemons_stop
cps_answered=$answered cps_refused=$refused

# ---------------------------------------------------------------- 2. max-setups
tb_ccd_start
tb_sigd_start --max-setups 4 --metrics "$SIGD_M"
tb_sigd_ready || fail "ccd did not welcome sigd within 5 s"
tb_uas silent uas_silent -m 2
tb_uac setups overload_uac -m 6 -r 5 -l 6
tb_sipp_check setups "$TB_RC" 0 6
[ "$(tb_count setups 3_408_Recv)" = 2 ] || fail "setups: $(tb_count setups 3_408_Recv) calls got 408, expected 2"
[ "$(tb_count setups 4_503_Recv)" = 4 ] || fail "setups: $(tb_count setups 4_503_Recv) calls got 503, expected 4"
[ "$(shed setups)" = 4 ] || fail "tandem_sigd_calls_shed_total{reason=\"setups\"} is $(shed setups), expected 4"
grep -q 'overload: refusing new calls with 503: 4 or more legs in Trying' "$W/sigd.log" ||
	fail "no 'overload: refusing' line in sigd.log"
tb_stop "$UAS_PID"
tb_forget "$UAS_PID"
tb_alive
tb_check_no_legs full
tb_daemons_stop
pass "overload: $cps_refused of 400 refused with 503 + Retry-After at --max-cps 20 ($cps_answered answered), held calls and their BYEs kept, none refused after; --max-setups 4 refused 4 of 6"
