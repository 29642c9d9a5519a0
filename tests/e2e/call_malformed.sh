#!/bin/sh
# Malformed input. A datagram that is not SIP gets no answer. A malformed
# request gets "400" with the parser's reason ("Malformed CSeq header (line
# 6)", "Malformed Max-Forwards header (line 7)") as the reason phrase, sent
# back per Via.
# And 10,000 garbage datagrams (random bytes, junk, keep-alives, oversized,
# corrupted SIP: tests/tools/udpsend.c) sent while 20 calls are in progress
# leave those calls unharmed: all complete on both sides.
. "$(dirname "$0")/lib.sh"

tb_need_tool udpsend
udpsend=$BUILD/tools/udpsend
TB_SIPP_TIMEOUT=60s
tb_call_setup uas_rr -m 20

# Not SIP at all: dropped without an answer.
printf 'hello, this is not SIP\r\n\r\n' >"$W/notsip.txt"
printf '\200\010\000\001\000\000\000\240\336\255\276\357\377\000\r\n' >"$W/binary.bin"
for f in notsip.txt binary.bin; do
	"$udpsend" -w 1000 "$TB_IP" "$TB_SIGD_PORT" "$W/$f" >"$W/$f.reply"
	rc=$?
	[ $rc -eq 1 ] || fail "$f: udpsend exit $rc (0 = an answer came: '$(head -1 "$W/$f.reply")')"
done

# request FILE LINES...: a request from 127.0.0.1:5098, CRLF line ends.
request() {
	tb_out=$1
	shift
	printf '%s\r\n' "$@" >"$tb_out"
	printf '\r\n' >>"$tb_out"
}
# expect_400 FILE REASON: the answer is 400 and its reason phrase has REASON.
expect_400() {
	"$udpsend" -p 5098 -w 2000 "$TB_IP" "$TB_SIGD_PORT" "$1" >"$1.reply" ||
		fail "$(basename "$1"): no answer"
	status=$(head -1 "$1.reply" | tr -d '\r')
	case "$status" in
	"SIP/2.0 400 "*"$2"*) ;;
	*) fail "$(basename "$1"): got '$status', expected 400 with '$2'" ;;
	esac
	echo "ok: $(basename "$1") -> $status"
}
request "$W/bad_cseq.sip" \
	"INVITE sip:service@$TB_IP:$TB_SIGD_PORT SIP/2.0" \
	"Via: SIP/2.0/UDP $TB_IP:5098;branch=z9hG4bK-bad-cseq" \
	"From: <sip:bad@$TB_IP:5098>;tag=bad1" \
	"To: <sip:service@$TB_IP:$TB_SIGD_PORT>" \
	"Call-ID: bad-cseq@$TB_IP" \
	"CSeq: abc INVITE" \
	"Max-Forwards: 70" \
	"Content-Length: 0"
expect_400 "$W/bad_cseq.sip" "Malformed CSeq header (line 6)"
request "$W/bad_maxfwd.sip" \
	"OPTIONS sip:service@$TB_IP:$TB_SIGD_PORT SIP/2.0" \
	"Via: SIP/2.0/UDP $TB_IP:5098;branch=z9hG4bK-bad-maxfwd" \
	"From: <sip:bad@$TB_IP:5098>;tag=bad2" \
	"To: <sip:service@$TB_IP:$TB_SIGD_PORT>" \
	"Call-ID: bad-maxfwd@$TB_IP" \
	"CSeq: 1 OPTIONS" \
	"Max-Forwards: seventy" \
	"Content-Length: 0"
expect_400 "$W/bad_maxfwd.sip" "Malformed Max-Forwards header (line 7)"
tb_alive

# All 20 calls are set up within about a second and then held for 6 s: the
# burst hits established calls. (A burst overflows sigd's socket buffer, so a
# call being set up at that moment sees retransmissions, which is correct,
# but sipp's UAS aborts on an INVITE retransmitted after its 200.)
tb_uac_start caller uac_rr -m 20 -r 20 -d 6000
sleep 2
"$udpsend" -g 10000 -s 42 "$TB_IP" "$TB_SIGD_PORT" >"$W/burst.out" 2>&1 ||
	fail "udpsend burst failed: $(cat "$W/burst.out")"
echo "burst: $(cat "$W/burst.out")"
tb_alive
tb_wait_exit "$UAC_PID" 90
tb_sipp_check caller "$TB_RC" 0 20
tb_uas_done callee 20
tb_alive
tb_check_no_legs full
tb_daemons_stop
pass "malformed input: not-SIP dropped, 400 with the parser's reason, calls survive 10,000 garbage datagrams"
