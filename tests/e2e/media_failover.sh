#!/bin/sh
# Two RTP proxies (rtpengine A over ng, rtpengine B over the rtpproxy
# protocol, B weighted 1000:1), one of them stopped: ccd notices, new
# calls all go through the live one, and once the stopped one is back
# (ccd asks it again every --rtpp-retry seconds) calls use it again.
# Every call's SDP points at the proxy it was given.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/media.inc"

# A: ng 2223, media 30000-30499; B: rtpproxy protocol 7723, media 30500-30999.
media_rtpengine rtpengine-a 2223 7722 30000 30499
media_rtpengine rtpengine-b 2224 7723 30500 30999
TB_CCD_OPTS="-r ng:127.0.0.1:2223 -r udp:127.0.0.1:7723;weight=1000 --rtpp-retry 2 --rtpp-check 1"
tb_call_setup sn:uas -m 12 -d 100
tb_wait_log ccd 'RTP proxy .*: unknown -> online' 2 5 || fail "the two proxies are not online in ccd"

# calls N: N calls (sipp's built-in uac), all must succeed.
n_calls=0
calls() {
	n_calls=$((n_calls + 1))
	tb_uac "caller$n_calls" sn:uac -m "$1" -r 10 -d 100
	tb_sipp_check "caller$n_calls" "$TB_RC" 0 "$1"
}

# chosen PROXY: how many calls ccd gave to PROXY so far.
chosen() {
	tb_log_count "$TB_CCD_LOG" "RTP proxy $1 chosen"
}

# The callee's media ports so far, one per INVITE it got.
callee_ports() {
	awk '/message received/ { rx = 1; next } /message sent/ { rx = 0; next }
		rx && /^m=audio / { print $2 }' "$W/callee/messages.log"
}

calls 2
[ "$(chosen 'udp:127.0.0.1:7723;weight=1000')" -ge 1 ] || fail "B (weight 1000) was never chosen"

# B stops: offline after a check that gets no answer.
tb_stop "$(cat "$W/rtpengine-b.pid")"
tb_wait_log ccd 'RTP proxy udp:127.0.0.1:7723;weight=1000: online -> offline' 1 10 ||
	fail "ccd did not notice that B stopped"
a_before=$(chosen ng:127.0.0.1:2223)
b_before=$(chosen 'udp:127.0.0.1:7723;weight=1000')
calls 5
[ "$(chosen ng:127.0.0.1:2223)" -eq $((a_before + 5)) ] || fail "not every call went to A while B was down"
[ "$(chosen 'udp:127.0.0.1:7723;weight=1000')" -eq "$b_before" ] || fail "a call went to B while it was down"
for p in $(callee_ports | tail -5); do
	case "$p" in 30[0-4][0-9][0-9]) ;; *) fail "a call while B was down has m=audio $p, not a port of A" ;; esac
done

# B is back: ccd asks again within --rtpp-retry and uses it.
media_rtpengine rtpengine-b2 2224 7723 30500 30999
tb_wait_log ccd 'RTP proxy udp:127.0.0.1:7723;weight=1000: offline -> online' 1 10 ||
	fail "ccd did not notice that B is back"
calls 5
[ "$(chosen 'udp:127.0.0.1:7723;weight=1000')" -ge $((b_before + 4)) ] || fail "B is not used again after it returned"
for p in $(callee_ports | tail -5); do
	case "$p" in 30[0-9][0-9][0-9]) ;; *) fail "m=audio $p is no port of rtpengine" ;; esac
done
tb_uas_done callee 12
media_wait_gone 2223 || fail "A still holds a call: $(media_calls 2223)"
media_wait_gone 2224 || fail "B still holds a call: $(media_calls 2224)"
tb_check_no_legs
tb_daemons_stop
pass "calls avoid the stopped proxy and use it again once it is back"
