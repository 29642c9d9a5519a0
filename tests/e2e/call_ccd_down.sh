#!/bin/sh
# ccd stops: a new INVITE gets 503 with Retry-After from sigd itself, within
# one second, and never reaches the callee. ccd starts again: once sigd is
# welcomed again, calls work again.
. "$(dirname "$0")/lib.sh"

TB_SIPP_TIMEOUT=15s
tb_call_setup uas_rr -m 6
tb_uac before uac_rr -m 1 -d 100
tb_sipp_check before "$TB_RC" 0 1

tb_stop "$CCD_PID" || fail "ccd exited non-zero on SIGTERM"
tb_forget "$CCD_PID"
# Three INVITEs over 0.4 s, the first one right away: each gets 503 with a
# Retry-After header (checked by the scenario) in under a second.
tb_uac down uac_unavailable -m 3 -r 5
tb_sipp_check down "$TB_RC" 0 3
fast=$(tb_stat_sum down 'ResponseTimeRepartition1_<100' 'ResponseTimeRepartition1_<200' \
	'ResponseTimeRepartition1_<500' 'ResponseTimeRepartition1_<1000')
[ "$fast" = 3 ] || fail "only $fast of 3 503s came within one second (mean $(tb_stat down 'ResponseTime1(C)'))"

TB_CCD_LOG=ccd2
tb_ccd_start
tb_wait_log sigd 'welcomed node' 2 10 || fail "sigd was not welcomed by the new ccd within 10 s"
tb_uac after uac_rr -m 5 -r 10 -d 100
tb_sipp_check after "$TB_RC" 0 5
tb_uas_done callee 6
tb_alive
tb_check_no_legs
tb_daemons_stop
pass "ccd down: 503 + Retry-After within 1 s; calls work again after its restart"
