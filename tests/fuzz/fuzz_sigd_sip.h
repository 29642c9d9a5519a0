/*
 * fuzz_sigd_sip.h - the SIP side of the sigd fuzzers: the peers'
 * addresses, the tokens a datagram may carry, and canned messages of a
 * call (used by fuzz_sigd_link's "canned SIP" records and written into the
 * seed corpora by gen_seeds.c).
 *
 * sigd picks branches, tags and its port at run time, so a datagram that
 * answers sigd or talks in one of its dialogs names them with tokens,
 * replaced just before the datagram is handed to sigd by what sigd last
 * sent to the same peer:
 *
 *   from the last request sigd sent to the peer (sigd as UAC)
 *     $v  its top Via value          $F  its From value   $f  From tag
 *     $T  its To value               $c  its Call-ID
 *     $n  its CSeq number            $m  its CSeq method
 *   from the last response sigd sent to the peer (sigd as UAS)
 *     $t  its To tag (the dialog's tag on sigd's side)
 *   $$    a "$"
 *
 * Any other "$" stays as it is; a token with nothing behind it yet is
 * empty. Only the headers carry tokens here, so every Content-Length is
 * right as written.
 */
#ifndef TANDEM_FUZZ_SIGD_SIP_H
#define TANDEM_FUZZ_SIGD_SIP_H

#define FZ_CALLER_PORT 40001
#define FZ_CALLEE_PORT 40002

#define FZ_SDP_A "v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" \
		 "m=audio 6000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n"
#define FZ_SDP_B "v=0\r\no=bob 7 7 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" \
		 "m=audio 7000 RTP/AVP 0\r\n"
#define FZ_SDP_HOLD "v=0\r\no=alice 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n" \
		    "m=audio 6000 RTP/AVP 0\r\na=sendonly\r\n"

#define FZ_STR_(x) #x
#define FZ_STR(x) FZ_STR_(x)

/* The caller's side of a call: Call-ID c1@fz, From tag ca. */
#define FZ_CALLER_HDRS(branch, cseq)                                                    \
	"Via: SIP/2.0/UDP 127.0.0.1:" FZ_STR(FZ_CALLER_PORT) ";branch=" branch ";rport\r\n" \
	"From: \"Alice\" <sip:alice@127.0.0.1>;tag=ca\r\n"                                  \
	"Call-ID: c1@fz\r\n"                                                                \
	"CSeq: " cseq "\r\n"                                                                \
	"Max-Forwards: 70\r\n"

#define FZ_INVITE_OFFER                                                                       \
	"INVITE sip:bob@127.0.0.1 SIP/2.0\r\n" FZ_CALLER_HDRS("z9hG4bK-c1", "1 INVITE")             \
	"To: <sip:bob@127.0.0.1>\r\n"                                                            \
	"Contact: <sip:alice@127.0.0.1:" FZ_STR(FZ_CALLER_PORT) ">\r\n"                           \
	"Subject: fuzz\r\nX-Fwd: kept\r\n"                                                       \
	"Content-Type: application/sdp\r\n"

enum fz_peer_id { FZ_CALLER, FZ_CALLEE, FZ_STRANGER };

struct fz_canned {
	enum fz_peer_id from;
	const char *text;	/* headers with tokens, up to the blank line */
	const char *body;
};

static const struct fz_canned fz_canned[] = {
	/* 0: the caller's INVITE with an offer */
	{ FZ_CALLER, FZ_INVITE_OFFER, FZ_SDP_A },
	/* 1: a second call, late offer */
	{ FZ_CALLER,
	  "INVITE sip:carol@127.0.0.1 SIP/2.0\r\n"
	  "Via: SIP/2.0/UDP 127.0.0.1:" FZ_STR(FZ_CALLER_PORT) ";branch=z9hG4bK-c2\r\n"
	  "From: <sip:alice@127.0.0.1>;tag=cb\r\nTo: <sip:carol@127.0.0.1>\r\n"
	  "Call-ID: c2@fz\r\nCSeq: 1 INVITE\r\n"
	  "Contact: <sip:alice@127.0.0.1:" FZ_STR(FZ_CALLER_PORT) ">\r\n", "" },
	/* 2: ACK for sigd's 2xx */
	{ FZ_CALLER,
	  "ACK sip:fz@127.0.0.1 SIP/2.0\r\n" FZ_CALLER_HDRS("z9hG4bK-c1a", "1 ACK")
	  "To: <sip:bob@127.0.0.1>;tag=$t\r\n", "" },
	/* 3: BYE */
	{ FZ_CALLER,
	  "BYE sip:fz@127.0.0.1 SIP/2.0\r\n" FZ_CALLER_HDRS("z9hG4bK-c1b", "2 BYE")
	  "To: <sip:bob@127.0.0.1>;tag=$t\r\n", "" },
	/* 4: CANCEL of the INVITE */
	{ FZ_CALLER,
	  "CANCEL sip:bob@127.0.0.1 SIP/2.0\r\n" FZ_CALLER_HDRS("z9hG4bK-c1", "1 CANCEL")
	  "To: <sip:bob@127.0.0.1>\r\n", "" },
	/* 5: re-INVITE putting the call on hold */
	{ FZ_CALLER,
	  "INVITE sip:fz@127.0.0.1 SIP/2.0\r\n" FZ_CALLER_HDRS("z9hG4bK-c1r", "3 INVITE")
	  "To: <sip:bob@127.0.0.1>;tag=$t\r\nContent-Type: application/sdp\r\n", FZ_SDP_HOLD },
	/* 6: INFO */
	{ FZ_CALLER,
	  "INFO sip:fz@127.0.0.1 SIP/2.0\r\n" FZ_CALLER_HDRS("z9hG4bK-c1i", "4 INFO")
	  "To: <sip:bob@127.0.0.1>;tag=$t\r\nContent-Type: application/dtmf-relay\r\n",
	  "Signal=5\r\nDuration=160\r\n" },
	/* 7..13: the callee answers sigd's last request */
	{ FZ_CALLEE, "SIP/2.0 100 Trying\r\nVia: $v\r\nFrom: $F\r\nTo: $T\r\nCall-ID: $c\r\nCSeq: $n $m\r\n", "" },
	{ FZ_CALLEE,
	  "SIP/2.0 180 Ringing\r\nVia: $v\r\nFrom: $F\r\nTo: $T;tag=ce\r\nCall-ID: $c\r\nCSeq: $n $m\r\n"
	  "Contact: <sip:bob@127.0.0.1:" FZ_STR(FZ_CALLEE_PORT) ">\r\n", "" },
	{ FZ_CALLEE,
	  "SIP/2.0 183 Session Progress\r\nVia: $v\r\nFrom: $F\r\nTo: $T;tag=ce\r\nCall-ID: $c\r\n"
	  "CSeq: $n $m\r\nContact: <sip:bob@127.0.0.1:" FZ_STR(FZ_CALLEE_PORT) ">\r\n"
	  "Content-Type: application/sdp\r\n", FZ_SDP_B },
	{ FZ_CALLEE,
	  "SIP/2.0 200 OK\r\nVia: $v\r\nFrom: $F\r\nTo: $T;tag=ce\r\nCall-ID: $c\r\nCSeq: $n $m\r\n"
	  "Contact: <sip:bob@127.0.0.1:" FZ_STR(FZ_CALLEE_PORT) ">\r\nRecord-Route: <sip:p1@127.0.0.1;lr>\r\n"
	  "Content-Type: application/sdp\r\n", FZ_SDP_B },
	{ FZ_CALLEE, "SIP/2.0 486 Busy Here\r\nVia: $v\r\nFrom: $F\r\nTo: $T;tag=ce\r\nCall-ID: $c\r\n"
	  "CSeq: $n $m\r\nReason: SIP;cause=486;text=\"busy\"\r\nWarning: 399 bob \"busy\"\r\n", "" },
	{ FZ_CALLEE, "SIP/2.0 401 Unauthorized\r\nVia: $v\r\nFrom: $F\r\nTo: $T;tag=ce\r\nCall-ID: $c\r\n"
	  "CSeq: $n $m\r\nWWW-Authenticate: Digest realm=\"fz\", nonce=\"abc\", qop=\"auth\", algorithm=MD5\r\n", "" },
	{ FZ_CALLEE, "SIP/2.0 302 Moved\r\nVia: $v\r\nFrom: $F\r\nTo: $T;tag=ce\r\nCall-ID: $c\r\n"
	  "CSeq: $n $m\r\nContact: <sip:a@127.0.0.1:5070>;q=0.5, <sip:b@127.0.0.1:5071>\r\n", "" },
	/* 14: the callee hangs up */
	{ FZ_CALLEE,
	  "BYE sip:fz@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" FZ_STR(FZ_CALLEE_PORT)
	  ";branch=z9hG4bK-eb\r\nFrom: $T;tag=ce\r\nTo: $F\r\nCall-ID: $c\r\nCSeq: 10 BYE\r\n", "" },
	/* 15: the callee answers any request 200 (BYE, INFO, re-INVITE with SDP) */
	{ FZ_CALLEE, "SIP/2.0 200 OK\r\nVia: $v\r\nFrom: $F\r\nTo: $T\r\nCall-ID: $c\r\nCSeq: $n $m\r\n"
	  "Contact: <sip:bob@127.0.0.1:" FZ_STR(FZ_CALLEE_PORT) ">\r\nContent-Type: application/sdp\r\n", FZ_SDP_B },
	/* 16: the caller answers sigd's request 200 */
	{ FZ_CALLER, "SIP/2.0 200 OK\r\nVia: $v\r\nFrom: $F\r\nTo: $T\r\nCall-ID: $c\r\nCSeq: $n $m\r\n"
	  "Contact: <sip:alice@127.0.0.1:" FZ_STR(FZ_CALLER_PORT) ">\r\n", "" },
	/* 17: an out-of-dialog OPTIONS (load balancer probe) */
	{ FZ_STRANGER,
	  "OPTIONS sip:fz@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP [::1]:5060;branch=z9hG4bK-o\r\n"
	  "From: <sip:lb@[::1]>;tag=lb\r\nTo: <sip:fz@127.0.0.1>\r\nCall-ID: o@fz\r\nCSeq: 1 OPTIONS\r\n", "" },
};

#define FZ_N_CANNED (sizeof(fz_canned) / sizeof(fz_canned[0]))

#endif
