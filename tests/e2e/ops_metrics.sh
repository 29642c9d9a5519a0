#!/bin/sh
# Prometheus metrics of both daemons (--metrics), scraped with curl: during
# three held calls (gauges: calls, legs by state, node and link up), then
# after those three answered calls and two rejected ones (counters: calls
# by final code, attempts, setup latency, SIP messages by method and code);
# only GET /metrics is served; a busy metrics port is a one-line error.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || fail "curl is missing (make deps installs it)"
CCD_M=127.0.0.1:9100
SIGD_M=127.0.0.1:9101

# scrape NAME HOSTPORT: the metrics into $W/NAME.prom (fails on non-200).
scrape() {
	curl -sf -o "$W/$1.prom" "http://$2/metrics" || fail "scraping $2 failed"
}

# value NAME SERIES: the value of one series ('name' or 'name{labels}').
value() {
	awk -v s="$2" '$1 == s { print $2; found = 1 } END { if (!found) print "missing" }' "$W/$1.prom"
}

# want NAME SERIES VALUE
want() {
	tb_v=$(value "$1" "$2")
	[ "$tb_v" = "$3" ] || fail "$1: $2 is $tb_v, expected $3"
}

# want_rtx NAME SERIES VALUE: VALUE plus at most the retransmissions sigd
# sent (our own messages repeat when T1 = 50 ms runs out on a busy box).
want_rtx() {
	tb_v=$(value "$1" "$2")
	tb_r=$(value sigd tandem_sigd_retransmissions_sent_total)
	if [ "$tb_v" = missing ] || [ "$tb_v" -lt "$3" ] || [ "$tb_v" -gt $(($3 + tb_r)) ]; then
		fail "$1: $2 is $tb_v, expected $3 (+ up to $tb_r retransmissions)"
	fi
}

# Every family has HELP and TYPE, names are tandem_*, counters end in _total.
check_format() {
	awk '
		/^# HELP / { help[$3] = 1; next }
		/^# TYPE / { type[$3] = $4; if ($3 !~ /^tandem_(ccd|sigd)_/) bad = bad " name:" $3
			     if ($4 == "counter" && $3 !~ /_total$/) bad = bad " counter:" $3; next }
		/^#/ { next }
		{ n = $1; sub(/\{.*/, "", n); f = n; sub(/_(bucket|sum|count)$/, "", f)
		  if (!(n in type) && !((f in type) && type[f] == "histogram")) bad = bad " untyped:" n
		  if (!((n in help) || (f in help))) bad = bad " nohelp:" n }
		END { if (bad) { print bad; exit 1 } }' "$W/$1.prom" || fail "$1: malformed exposition"
}

tb_ccd_start --metrics "$CCD_M"
tb_sigd_start --metrics "$SIGD_M"
tb_sigd_ready || fail "ccd did not welcome sigd within 5 s"

# Only GET /metrics.
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$CCD_M/")" = 404 ] || fail "ccd: / is not 404"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$SIGD_M/other")" = 404 ] || fail "sigd: /other is not 404"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://$CCD_M/metrics")" = 405 ] || fail "POST is not 405"
curl -sI "http://$SIGD_M/metrics" | grep -qi '^content-type: text/plain; version=0.0.4' || fail "wrong content type"

# Before any call.
scrape ccd "$CCD_M"
scrape sigd "$SIGD_M"
check_format ccd
check_format sigd
want ccd tandem_ccd_calls 0
want ccd 'tandem_ccd_node_up{node="n1"}' 1
want ccd tandem_ccd_nodes 1
want ccd 'tandem_ccd_radius_requests_total{kind="auth"}' 0
want ccd tandem_ccd_radius_spool_size 0
want ccd tandem_ccd_rtpproxies_online 0
want ccd 'tandem_ccd_radius_request_duration_seconds_count{kind="auth"}' 0
want sigd tandem_sigd_link_up 1

# Three calls held open for 3 s by the caller.
tb_uas callee uas_rr -m 3
tb_uac_start caller uac_rr -m 3 -l 3 -r 10 -d 3000
i=0
until scrape sigd "$SIGD_M" && [ "$(value sigd 'tandem_sigd_legs{state="Connected"}')" = 6 ]; do
	[ $i -ge 50 ] && fail "six connected legs expected during the calls"
	sleep 0.1
	i=$((i + 1))
done
scrape ccd "$CCD_M"
want ccd tandem_ccd_calls 3
want ccd 'tandem_ccd_calls_total{code="200"}' 3
want ccd 'tandem_ccd_node_legs{node="n1"}' "$(value ccd 'tandem_ccd_node_legs{node="n1"}')"
want sigd 'tandem_sigd_legs{state="Trying"}' 0
want sigd 'tandem_sigd_legs_created_total{side="uas"}' 3
want sigd 'tandem_sigd_legs_created_total{side="uac"}' 3
want sigd tandem_sigd_link_up 1
tb_wait_exit "$UAC_PID" 30
tb_sipp_check caller "$TB_RC" 0 3
tb_uas_done callee 3

# Two calls the callee rejects with 486.
tb_uas callee486 uas_reject -m 2
tb_uac caller486 uac_reject -m 2 -r 10
tb_sipp_check caller486 "$TB_RC" 0 2
tb_uas_done callee486 2
tb_alive
tb_check_no_legs

# After 5 calls: 3 answered (caller hung up), 2 rejected.
scrape ccd "$CCD_M"
scrape sigd "$SIGD_M"
check_format ccd
check_format sigd
cat "$W/ccd.prom" "$W/sigd.prom" | grep -v '^#' | grep -v ' 0$'
want ccd tandem_ccd_calls 0
want ccd tandem_ccd_calls_started_total 5
want ccd 'tandem_ccd_calls_total{code="200"}' 3
want ccd 'tandem_ccd_calls_total{code="486"}' 2
want ccd 'tandem_ccd_call_attempts_total{route="1"}' 5
want ccd tandem_ccd_call_setup_seconds_count 3
want ccd 'tandem_ccd_call_setup_seconds_bucket{le="+Inf"}' 3
want ccd tandem_ccd_calls_rejected_total 0
want ccd 'tandem_ccd_node_up{node="n1"}' 1
want ccd 'tandem_ccd_node_changes_total{change="up"}' 1
want ccd 'tandem_ccd_node_changes_total{change="down"}' 0
# from the caller: INVITE, the ACK of each final response, BYE of the answered
want sigd 'tandem_sigd_sip_requests_received_total{method="INVITE"}' 5
want sigd 'tandem_sigd_sip_requests_received_total{method="ACK"}' 5
want sigd 'tandem_sigd_sip_requests_received_total{method="BYE"}' 3
want sigd 'tandem_sigd_sip_requests_received_total{method="CANCEL"}' 0
# to the callee: the same
want_rtx sigd 'tandem_sigd_sip_requests_sent_total{method="INVITE"}' 5
want_rtx sigd 'tandem_sigd_sip_requests_sent_total{method="ACK"}' 5
want_rtx sigd 'tandem_sigd_sip_requests_sent_total{method="BYE"}' 3
# from the callee: 100 each, 180 and 200 of the answered, 200 to BYE, 486
want_rtx sigd 'tandem_sigd_sip_responses_received_total{code="100"}' 5
want_rtx sigd 'tandem_sigd_sip_responses_received_total{code="180"}' 3
want_rtx sigd 'tandem_sigd_sip_responses_received_total{code="200"}' 6
want_rtx sigd 'tandem_sigd_sip_responses_received_total{code="486"}' 2
# to the caller: the same relayed
want_rtx sigd 'tandem_sigd_sip_responses_sent_total{code="100"}' 5
want_rtx sigd 'tandem_sigd_sip_responses_sent_total{code="180"}' 3
want_rtx sigd 'tandem_sigd_sip_responses_sent_total{code="200"}' 6
want_rtx sigd 'tandem_sigd_sip_responses_sent_total{code="486"}' 2
want sigd tandem_sigd_parse_errors_total 0
want sigd tandem_sigd_not_sip_datagrams_total 0
want sigd 'tandem_sigd_legs_created_total{side="uas"}' 5
want sigd 'tandem_sigd_legs_created_total{side="uac"}' 5
for s in Idle Trying Ringing Connected Updating Cancelling Disconnected Failed Dead; do
	want sigd "tandem_sigd_legs{state=\"$s\"}" 0
done
want sigd tandem_sigd_link_up 1

# Garbage counts where it belongs.
tb_need_tool udpsend
printf '\001\002 binary junk that is not SIP at all' | "$BUILD/tools/udpsend" -w 100 127.0.0.1 5060 - >/dev/null
printf 'INVITE sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKx\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\nCall-ID: junk@x\r\nCSeq: 1 INVITE\r\nMax-Forwards: many\r\n\r\n' |
	"$BUILD/tools/udpsend" -w 300 127.0.0.1 5060 - >/dev/null
scrape sigd "$SIGD_M"
want sigd tandem_sigd_not_sip_datagrams_total 1
want sigd tandem_sigd_parse_errors_total 1
want sigd 'tandem_sigd_sip_responses_sent_total{code="400"}' 1

# A busy metrics port is a one-line error.
"$BUILD/ccd" -f -u -s 127.0.0.1:5070 --bind tcp://127.0.0.1:5556 --metrics "$CCD_M" >"$W/second.out" 2>&1 &&
	fail "a second ccd started with metrics on $CCD_M"
[ "$(wc -l <"$W/second.out")" -eq 1 ] || fail "second ccd said: $(cat "$W/second.out")"
grep -qx "ccd: metrics: cannot listen on $CCD_M: Address already in use" "$W/second.out" ||
	fail "second ccd said: $(cat "$W/second.out")"
"$BUILD/ccd" -f -u -s 127.0.0.1:5070 --metrics 9100 >"$W/fourth.out" 2>&1 && fail "ccd took --metrics 9100"
grep -qx "ccd: invalid --metrics: '9100' is not host:port (\[IPv6\]:port for IPv6)" "$W/fourth.out" ||
	fail "ccd said: $(cat "$W/fourth.out")"
"$BUILD/sigd" -f -l 127.0.0.1 -p 5062 --metrics bogus >"$W/third.out" 2>&1 && fail "sigd took --metrics bogus"
grep -qx "sigd: invalid --metrics: 'bogus' is not host:port (\[IPv6\]:port for IPv6)" "$W/third.out" ||
	fail "sigd said: $(cat "$W/third.out")"

tb_daemons_stop
pass "metrics of ccd and sigd: families, gauges during calls, counters after 5 calls, 404/405"
