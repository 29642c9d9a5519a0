/*
 * gen_seeds.c - writes the seed corpora of the daemon fuzzers
 * (tests/fuzz/corpus/sigd_rx, sigd_link, ccd_frames): realistic calls and
 * node conversations in the record formats of fuzz_sigd_rx.c,
 * fuzz_sigd_link.c and fuzz_ccd_frames.c, with the protobuf Frames packed
 * by protobuf-c. Run once; its output is committed. The Makefile does not
 * build it (it is no fuzz_*.c); to regenerate, after `make fuzz-build`:
 *
 *   cc -std=c11 -D_GNU_SOURCE -I. -Icommon -Ibuild/fuzz/proto -o /tmp/gen_seeds \
 *      tests/fuzz/gen_seeds.c build/fuzz/proto/tandem.pb-c.c -lprotobuf-c
 *   /tmp/gen_seeds tests/fuzz/corpus
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tandem.pb-c.h"
#include "tests/fuzz/fuzz_sigd_sip.h"

#define LEG_BIT (1ULL << 63)
#define UAC1 (LEG_BIT | 1)

/* ---------------------------------------------------------------- output */

static const char *root;
static uint8_t out[1 << 20];
static size_t out_len;

static void start(void)
{
	out_len = 0;
}

static void rec(uint8_t op, const void *data, size_t len)
{
	if (len > 0xffff || out_len + 3 + len > sizeof(out)) {
		fprintf(stderr, "gen_seeds: record too large\n");
		exit(1);
	}
	out[out_len++] = op;
	out[out_len++] = (uint8_t)len;
	out[out_len++] = (uint8_t)(len >> 8);
	memcpy(out + out_len, data, len);
	out_len += len;
}

static void raw(const void *data, size_t len)
{
	memcpy(out + out_len, data, len);
	out_len += len;
}

static void save(const char *dir, const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, dir);
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/%s", root, dir, name);
	if (!(f = fopen(path, "wb")) || fwrite(out, 1, out_len, f) != out_len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* A SIP datagram: headers (LF becomes CRLF), Content-Length, body. */
static void sip(uint8_t op, const char *hdrs, const char *body)
{
	char buf[8192];
	size_t n = 0;

	for (const char *p = hdrs; *p; p++) {
		if (*p == '\n' && (p == hdrs || p[-1] != '\r'))
			buf[n++] = '\r';
		buf[n++] = *p;
	}
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "Content-Length: %zu\r\n\r\n%s", strlen(body), body);
	rec(op, buf, n);
}

static void canned_as(uint8_t op, unsigned i)
{
	sip(op, fz_canned[i].text, fz_canned[i].body);
}

/* ---------------------------------------------------------------- frames */

static void frame(uint8_t op, Tandem__Message **m, size_t n)
{
	Tandem__Frame f = TANDEM__FRAME__INIT;
	uint8_t buf[65536];
	size_t len;

	f.messages = m;
	f.n_messages = n;
	len = tandem__frame__get_packed_size(&f);
	if (len > sizeof(buf))
		exit(1);
	tandem__frame__pack(&f, buf);
	rec(op, buf, len);
}

static void frame1(uint8_t op, Tandem__Message *m)
{
	frame(op, &m, 1);
}

static Tandem__Body sdp_a = { PROTOBUF_C_MESSAGE_INIT(&tandem__body__descriptor), (char *)"application/sdp",
			      { sizeof(FZ_SDP_A) - 1, (uint8_t *)FZ_SDP_A } };
static Tandem__Body sdp_b = { PROTOBUF_C_MESSAGE_INIT(&tandem__body__descriptor), (char *)"application/sdp",
			      { sizeof(FZ_SDP_B) - 1, (uint8_t *)FZ_SDP_B } };

/* An event message (static storage: valid until the next call). */
static Tandem__Message *event(uint64_t leg, Tandem__EventType type, uint32_t code, Tandem__Body *body)
{
	static Tandem__Message m;
	static Tandem__LegEvent ev;

	tandem__message__init(&m);
	tandem__leg_event__init(&ev);
	ev.leg = leg;
	ev.type = type;
	ev.code = code;
	ev.body = body;
	ev.origin = TANDEM__ORIGIN__CALLEE;
	m.body_case = TANDEM__MESSAGE__BODY_EVENT;
	m.event = &ev;
	return &m;
}

static Tandem__Message *originate(uint64_t leg, const char *call_id, Tandem__Body *body)
{
	static Tandem__Message m;
	static Tandem__Originate o;
	static Tandem__Address t;

	tandem__message__init(&m);
	tandem__originate__init(&o);
	tandem__address__init(&t);
	t.transport = TANDEM__TRANSPORT__UDP;
	t.host = (char *)"127.0.0.1";
	t.port = FZ_CALLEE_PORT;
	o.leg = leg;
	o.call_id = (char *)call_id;
	o.request_uri = (char *)"sip:bob@127.0.0.1:40002";
	o.from_uri = (char *)"sip:alice@127.0.0.1";
	o.from_name = (char *)"Alice";
	o.to_uri = (char *)"sip:bob@127.0.0.1";
	o.target = &t;
	o.body = body;
	o.max_forwards = 69;
	o.answer_leg = 1;
	m.body_case = TANDEM__MESSAGE__BODY_ORIGINATE;
	m.originate = &o;
	return &m;
}

/* ---------------------------------------------------------------- sigd_rx */

enum { RX_CALLER, RX_CALLEE, RX_STRANGER, RX_CCD, RX_TIME };

static void act(const uint8_t *b, size_t n)
{
	rec(RX_CCD, b, n);
}

#define ACT(...) do { static const uint8_t a_[] = { __VA_ARGS__ }; act(a_, sizeof(a_)); } while (0)
#define TIME(sel) do { uint8_t t_ = (sel); rec(RX_TIME, &t_, 1); } while (0)

/* fz_ccd_action bytes: kind, leg selector (0-3: answer legs 1-4, 4-7:
 * originate legs 2^63+1-4), type, code index, body, flags, ... */
#define ORIGINATE_OFFER 1, 0, 0, 1, 70, 0, 0
#define ORIGINATE_LATE 1, 0, 0, 0, 70, 0, 0
#define EV(leg, type, code_ix, body) 0, leg, type, code_ix, body, 0, 0
enum { C0 = 0, C180 = 2, C183 = 3, C200 = 5, C302 = 9, C401 = 11, C486 = 15, C487 = 16, C503 = 20 };
enum { B_NONE = 0, B_SDP_A = 1, B_SDP_B = 2, B_HOLD = 3 };

static const char *const callee_ringing =
	"SIP/2.0 180 Ringing\nVia: $v\nFrom: $F\nTo: $T;tag=ce\nCall-ID: $c\nCSeq: $n $m\n"
	"Contact: <sip:bob@127.0.0.1:40002>\n";
static const char *const callee_ok =
	"SIP/2.0 200 OK\nVia: $v\nFrom: $F\nTo: $T;tag=ce\nCall-ID: $c\nCSeq: $n $m\n"
	"Contact: <sip:bob@127.0.0.1:40002>\nContent-Type: application/sdp\n";
static const char *const callee_ok_plain =
	"SIP/2.0 200 OK\nVia: $v\nFrom: $F\nTo: $T\nCall-ID: $c\nCSeq: $n $m\n";
static const char *const caller_ack =
	"ACK sip:fz@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:40001;branch=z9hG4bK-c1a;rport\n"
	"From: \"Alice\" <sip:alice@127.0.0.1>;tag=ca\nTo: <sip:bob@127.0.0.1>;tag=$t\n"
	"Call-ID: c1@fz\nCSeq: 1 ACK\nMax-Forwards: 70\n";
static const char *const caller_ok_plain =
	"SIP/2.0 200 OK\nVia: $v\nFrom: $F\nTo: $T\nCall-ID: $c\nCSeq: $n $m\n";

/* INVITE, Originate, 180 both ways, 200 both ways, ACK: a call up. */
static void rx_connected(void)
{
	canned_as(RX_CALLER, 0);
	ACT(ORIGINATE_OFFER);
	canned_as(RX_CALLEE, 7);
	sip(RX_CALLEE, callee_ringing, "");
	ACT(EV(0, 2, C180, B_NONE));
	sip(RX_CALLEE, callee_ok, FZ_SDP_B);
	ACT(EV(0, 4, C200, B_SDP_B));
	sip(RX_CALLER, caller_ack, "");
}

static void gen_rx(void)
{
	const char *d = "sigd_rx";

	start();
	rx_connected();
	TIME(5);
	canned_as(RX_CALLER, 3);		/* BYE */
	ACT(EV(4, 7, C0, B_NONE));		/* DISCONNECT to the originate leg */
	sip(RX_CALLEE, callee_ok_plain, "");	/* 200 to sigd's BYE */
	TIME(9);
	TIME(9);
	save(d, "call_caller_hangs_up");

	/* found by this fuzzer: a re-INVITE answered 100 and nothing more
	 * left the leg in Updating for ever; now CANCELled after Expires */
	start();
	rx_connected();
	ACT(EV(4, 5, C0, B_HOLD));		/* UPDATE: sigd re-INVITEs the callee */
	canned_as(RX_CALLEE, 7);		/* 100, then silence */
	TIME(11);
	save(d, "reinvite_answered_100_only");

	start();
	rx_connected();
	canned_as(RX_CALLEE, 14);		/* the callee's BYE */
	ACT(EV(0, 7, C0, B_NONE));		/* DISCONNECT to the answer leg */
	sip(RX_CALLER, caller_ok_plain, "");
	TIME(9);
	save(d, "call_callee_hangs_up");

	start();
	canned_as(RX_CALLER, 0);
	ACT(ORIGINATE_OFFER);
	sip(RX_CALLEE, callee_ringing, "");
	ACT(EV(0, 2, C180, B_NONE));
	canned_as(RX_CALLER, 4);		/* CANCEL */
	ACT(EV(4, 7, C0, B_NONE));		/* sigd CANCELs the callee */
	sip(RX_CALLEE, callee_ok_plain, "");	/* 200 to the CANCEL */
	sip(RX_CALLEE, "SIP/2.0 487 Request Terminated\nVia: $v\nFrom: $F\nTo: $T;tag=ce\nCall-ID: $c\n"
		       "CSeq: $n INVITE\n", "");
	TIME(9);
	save(d, "call_cancelled");

	start();
	canned_as(RX_CALLER, 0);
	ACT(ORIGINATE_OFFER);
	canned_as(RX_CALLEE, 11);		/* 486 */
	ACT(0, 0, 8, C486, B_NONE, 0x43, 0);	/* FAIL 486 with reason and warning */
	sip(RX_CALLER, "ACK sip:bob@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:40001;branch=z9hG4bK-c1;rport\n"
		       "From: \"Alice\" <sip:alice@127.0.0.1>;tag=ca\nTo: <sip:bob@127.0.0.1>;tag=$t\n"
		       "Call-ID: c1@fz\nCSeq: 1 ACK\n", "");
	TIME(9);
	save(d, "call_rejected");

	start();
	canned_as(RX_CALLER, 1);		/* INVITE without SDP */
	ACT(ORIGINATE_LATE);
	sip(RX_CALLEE, callee_ok, FZ_SDP_B);	/* 200 with an offer: PRE_CONNECT */
	ACT(EV(0, 3, C200, B_SDP_B));		/* PRE_CONNECT to the caller */
	sip(RX_CALLER, "ACK sip:fz@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:40001;branch=z9hG4bK-c2a\n"
		       "From: <sip:alice@127.0.0.1>;tag=cb\nTo: <sip:carol@127.0.0.1>;tag=$t\n"
		       "Call-ID: c2@fz\nCSeq: 1 ACK\nContent-Type: application/sdp\n", FZ_SDP_A);
	ACT(EV(4, 4, C0, B_SDP_A));		/* CONNECT "ACK": the held ACK */
	TIME(6);
	save(d, "call_late_offer");

	start();
	rx_connected();
	canned_as(RX_CALLER, 5);		/* re-INVITE: hold */
	ACT(EV(4, 5, C0, B_HOLD));		/* UPDATE to the callee */
	sip(RX_CALLEE, callee_ok_plain, "");
	sip(RX_CALLEE, "SIP/2.0 200 OK\nVia: $v\nFrom: $F\nTo: $T\nCall-ID: $c\nCSeq: $n $m\n"
		       "Content-Type: application/sdp\n", FZ_SDP_B);
	ACT(EV(0, 4, C200, B_SDP_B));
	sip(RX_CALLER, "ACK sip:fz@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:40001;branch=z9hG4bK-c1ra\n"
		       "From: \"Alice\" <sip:alice@127.0.0.1>;tag=ca\nTo: <sip:bob@127.0.0.1>;tag=$t\n"
		       "Call-ID: c1@fz\nCSeq: 3 ACK\n", "");
	canned_as(RX_CALLER, 6);		/* INFO */
	ACT(EV(4, 6, C0, B_NONE));
	sip(RX_CALLEE, callee_ok_plain, "");
	ACT(EV(0, 5, C0, B_SDP_B));		/* the callee side re-INVITEs the caller */
	ACT(6, 1, 1, 0);			/* ListRequest: legs */
	ACT(6, 2, 2, 0);			/* ListRequest: transactions */
	sip(RX_CALLER, caller_ok_plain, "");
	save(d, "call_reinvite_info");

	start();
	canned_as(RX_CALLER, 0);
	ACT(1, 0, 0, 1, 70, 2, 0);		/* Originate with credentials */
	canned_as(RX_CALLEE, 12);		/* 401: sigd retries */
	sip(RX_CALLEE, callee_ringing, "");
	sip(RX_CALLEE, callee_ok, FZ_SDP_B);
	ACT(EV(0, 4, C200, B_SDP_B));
	sip(RX_CALLER, caller_ack, "");
	save(d, "call_digest_retry");

	start();
	canned_as(RX_CALLER, 0);
	ACT(ORIGINATE_OFFER);
	canned_as(RX_CALLEE, 13);		/* 302 */
	ACT(0, 0, 9, C302, B_NONE, 0x10, 0);	/* REDIRECT with contacts */
	TIME(8);
	save(d, "call_redirected");

	start();
	canned_as(RX_CALLER, 0);
	ACT(0, 0, 8, C401, B_NONE, 0x08, 0x04);	/* FAIL with a challenge */
	TIME(7);
	save(d, "call_challenged");

	start();
	canned_as(RX_CALLER, 0);
	ACT(ORIGINATE_OFFER);
	ACT(EV(4, 7, C0, B_NONE));		/* DISCONNECT before any 1xx: CANCEL waits */
	canned_as(RX_CALLEE, 7);		/* 100: now the CANCEL goes */
	sip(RX_CALLEE, callee_ok_plain, "");
	TIME(11);
	TIME(11);
	save(d, "call_cancel_deferred");

	start();
	canned_as(RX_CALLER, 0);
	ACT(ORIGINATE_OFFER);
	for (int i = 0; i < 6; i++)
		TIME(11);			/* expires, timer B */
	save(d, "call_unanswered");

	start();
	rx_connected();
	canned_as(RX_CALLER, 0);		/* a retransmitted INVITE */
	ACT(EV(0, 4, C200, B_SDP_B));
	TIME(4);
	TIME(6);
	TIME(9);				/* 2xx retransmitted, no ACK: BYE */
	save(d, "call_no_ack");

	start();
	rx_connected();
	sip(RX_CALLER, "REFER sip:fz@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:40001;branch=z9hG4bK-rf\n"
		       "From: \"Alice\" <sip:alice@127.0.0.1>;tag=ca\nTo: <sip:bob@127.0.0.1>;tag=$t\n"
		       "Call-ID: c1@fz\nCSeq: 5 REFER\nRefer-To: <sip:carol@127.0.0.1>\nReferred-By: <sip:alice@127.0.0.1>\n", "");
	canned_as(RX_CALLER, 5);		/* re-INVITE crossing */
	ACT(EV(0, 5, C0, B_SDP_B));
	sip(RX_CALLER, "OPTIONS sip:fz@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:40001;branch=z9hG4bK-op\n"
		       "From: \"Alice\" <sip:alice@127.0.0.1>;tag=ca\nTo: <sip:bob@127.0.0.1>;tag=$t\n"
		       "Call-ID: c1@fz\nCSeq: 6 OPTIONS\n", "");
	save(d, "call_refer_glare");

	start();
	canned_as(RX_STRANGER, 17);		/* OPTIONS from [::1] */
	sip(RX_STRANGER, "MESSAGE sip:fz@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP [::1]:5060;branch=z9hG4bK-m\n"
			 "From: <sip:x@[::1]>;tag=x\nTo: <sip:fz@127.0.0.1>\nCall-ID: m@fz\nCSeq: 1 MESSAGE\n", "hi");
	sip(RX_CALLER, "BYE sip:fz@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:40001;branch=z9hG4bK-b0\n"
		       "From: <sip:a@h>;tag=a\nTo: <sip:b@h>;tag=nope\nCall-ID: none@fz\nCSeq: 1 BYE\n", "");
	sip(RX_CALLER, "INVITE sip:bob@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:40001;branch=z9hG4bK-mf\n"
		       "From: <sip:a@h>;tag=a\nTo: <sip:b@h>\nCall-ID: mf@fz\nCSeq: 1 INVITE\nMax-Forwards: 0\n", "");
	sip(RX_CALLER, "INVITE sip:bob@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:40001;branch=z9hG4bK-bad\n"
		       "From: <sip:a@h>;tag=a\nTo: <sip:b@h>\nCall-ID: bad@fz\nCSeq: x INVITE\n", "");
	sip(RX_CALLER, "SIP/2.0 200 OK\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-stray\n"
		       "From: <sip:a@h>;tag=a\nTo: <sip:b@h>;tag=b\nCall-ID: s@fz\nCSeq: 1 INVITE\n", "");
	rec(RX_CALLER, "\r\n\r\n", 4);
	rec(RX_CALLER, "\x16\x03\x01 not sip at all, really", 30);
	save(d, "out_of_dialog_and_malformed");

	start();
	canned_as(RX_CALLER, 0);
	sip(RX_CALLER, "INVITE sip:bob@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:40001;branch=z9hG4bK-c1x;rport\n"
		       "From: \"Alice\" <sip:alice@127.0.0.1>;tag=ca\nTo: <sip:bob@127.0.0.1>\nCall-ID: c1@fz\n"
		       "CSeq: 1 INVITE\nContent-Type: application/sdp\n", FZ_SDP_A);	/* merged: 482 */
	ACT(3, 1);				/* ccd restarted: Hello again */
	canned_as(RX_CALLER, 1);		/* 503 until Welcome */
	ACT(4, 0, 0);				/* Welcome */
	ACT(4, 0, 0xff);			/* Welcome with an unknown leg */
	ACT(2, 0);				/* DropLeg 1 */
	ACT(5, 0);				/* LegClosed: wrong direction */
	ACT(7);					/* a message of a newer protocol */
	save(d, "ccd_restart_and_odd_messages");

	start();
	for (int i = 0; i < 18; i++) {
		char b[512];

		snprintf(b, sizeof(b), "INVITE sip:bob@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:40001;branch=z9hG4bK-f%d\n"
			 "From: <sip:a@h>;tag=f%d\nTo: <sip:b@h>\nCall-ID: full%d@fz\nCSeq: 1 INVITE\n", i, i, i);
		sip(RX_CALLER, b, "");
	}
	save(d, "node_full");

	start();
	canned_as(RX_CALLER, 0);
	ACT(ORIGINATE_OFFER);
	sip(RX_CALLEE, callee_ringing, "");
	sip(RX_CALLEE, "BYE sip:fz@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:40002;branch=z9hG4bK-eb\n"
		       "From: $T;tag=ce\nTo: $F\nCall-ID: $c\nCSeq: 10 BYE\n", "");	/* early BYE */
	ACT(EV(0, 8, C487, B_NONE));
	ACT(0, 0, 2, C183, B_SDP_B, 0x07, 0x03);	/* RING after the end, with extras */
	save(d, "early_bye");

	/* keep-alives (LegOptions: kind 7, bit 0 of the next byte, leg
	 * selector, period index): OPTIONS answered 200, then 481 */
	start();
	rx_connected();
	ACT(7, 1, 4, 2);			/* originate leg: every 100 ms */
	ACT(7, 1, 0, 3);			/* answer leg: every second */
	TIME(2);
	sip(RX_CALLEE, callee_ok_plain, "");	/* 200 to the OPTIONS */
	TIME(2);
	sip(RX_CALLEE, "SIP/2.0 481 Call Does Not Exist\nVia: $v\nFrom: $F\nTo: $T\nCall-ID: $c\n"
		       "CSeq: $n $m\n", "");	/* gone: BYE, DISCONNECT */
	ACT(EV(0, 7, C0, B_NONE));
	sip(RX_CALLER, caller_ok_plain, "");
	TIME(9);
	save(d, "call_keepalive_481");

	/* keep-alives nobody answers: timer F ends the call */
	start();
	rx_connected();
	ACT(7, 1, 0, 2);			/* answer leg, 100 ms */
	ACT(7, 1, 4, 1);			/* originate leg, 1 ms: raised to 100 */
	ACT(7, 1, 0xff, 2);			/* unknown leg */
	ACT(7, 1, 0xfe, 2);			/* leg 0 */
	TIME(4);
	ACT(EV(4, 5, C0, B_HOLD));		/* a re-INVITE of ours: beats skipped */
	TIME(9);
	TIME(9);
	ACT(7, 1, 4, 0);			/* off */
	save(d, "call_keepalive_silent");

	/* set before the answer, then a late offer keeps the ACK waiting */
	start();
	canned_as(RX_CALLER, 1);		/* INVITE without SDP */
	ACT(7, 1, 0, 2);
	ACT(ORIGINATE_LATE);
	ACT(7, 1, 4, 4);
	sip(RX_CALLEE, callee_ok, FZ_SDP_B);	/* PRE_CONNECT, ACK held */
	TIME(3);
	ACT(EV(0, 3, C200, B_SDP_B));
	TIME(4);
	save(d, "call_keepalive_late_offer");

	/* Originate with report_trying and an outbound proxy: RING 100 */
	start();
	canned_as(RX_CALLER, 0);
	ACT(1, 0, 0, 1, 70, 0x18, 0);
	canned_as(RX_CALLEE, 7);		/* 100: RING 100 */
	canned_as(RX_CALLEE, 7);		/* again: nothing */
	sip(RX_CALLEE, callee_ringing, "");
	sip(RX_CALLEE, callee_ok, FZ_SDP_B);
	ACT(EV(4, 7, C0, B_NONE));		/* BYE via the proxy */
	sip(RX_CALLEE, callee_ok_plain, "");
	save(d, "call_report_trying_proxy");

	/* report_trying and credentials: the 401 answered is the reply */
	start();
	canned_as(RX_CALLER, 0);
	ACT(1, 0, 0, 1, 70, 0x0a, 0);
	canned_as(RX_CALLEE, 12);		/* 401: RING 100, retry */
	canned_as(RX_CALLEE, 7);
	canned_as(RX_CALLEE, 12);		/* 401 again: FAIL */
	ACT(0, 0, 8, C401, B_NONE, 0x80, 0);	/* FAIL relayed with the challenges */
	save(d, "report_trying_auth_pass_through");

	/* found while testing the digest retry: the INVITE answering a 401
	 * re-sends ccd's extra headers from the leg's copy, which a CR/LF in
	 * a value split into a line of its own (X-Injected) */
	start();
	canned_as(RX_CALLER, 0);
	ACT(1, 0, 0, 1, 70, 0x03, 0);		/* extra headers and credentials */
	canned_as(RX_CALLEE, 12);		/* 401: the retry */
	sip(RX_CALLEE, callee_ok, FZ_SDP_B);
	save(d, "digest_retry_extra_headers");

	/* Welcome with ccd's nonce secret, a bad one, none; a challenge */
	start();
	ACT(4, 0, 0, 1);			/* shared secret */
	canned_as(RX_CALLER, 0);
	ACT(0, 0, 8, C401, B_NONE, 0x08, 0x04);
	ACT(4, 0, 0, 2);			/* too short: kept the shared one */
	sip(RX_CALLER, "INVITE sip:bob@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:40001;branch=z9hG4bK-au2\n"
		       "From: \"Alice\" <sip:alice@127.0.0.1>;tag=ca\nTo: <sip:bob@127.0.0.1>\nCall-ID: c1@fz\n"
		       "CSeq: 2 INVITE\nContact: <sip:alice@127.0.0.1:40001>\n"
		       "Authorization: Digest username=\"alice\",realm=\"fz\",cnonce=\"6b8b4567\",nc=00000001,"
		       "qop=auth,uri=\"sip:127.0.0.1:5060\",nonce=\"AAAAAGZmZmZmZmZmZmZmZmZmZmZmZmZm\","
		       "response=\"7040a7ed17792cb00bac98ab507da8a0\",algorithm=MD5\n", "");
	ACT(4, 0, 0, 0);			/* back to the node's own */
	save(d, "welcome_nonce_secret");
}

/* ---------------------------------------------------------------- sigd_link */

enum { LK_FRAME, LK_SIP, LK_TIME, LK_MONITOR };

static void lk_sip(uint8_t canned)
{
	rec(LK_SIP, &canned, 1);
}

static void lk_time(uint8_t sel)
{
	rec(LK_TIME, &sel, 1);
}

static void gen_link(void)
{
	const char *d = "sigd_link";
	Tandem__Message m = TANDEM__MESSAGE__INIT;

	/* a whole call, driven by frames */
	start();
	lk_sip(0);
	frame1(LK_FRAME, originate(UAC1, "o1@fz", &sdp_a));
	lk_sip(7);
	lk_sip(8);
	frame1(LK_FRAME, event(1, TANDEM__EVENT_TYPE__RING, 180, NULL));
	lk_sip(10);
	frame1(LK_FRAME, event(1, TANDEM__EVENT_TYPE__CONNECT, 200, &sdp_b));
	lk_sip(2);
	lk_sip(5);
	frame1(LK_FRAME, event(UAC1, TANDEM__EVENT_TYPE__UPDATE, 0, &sdp_a));
	lk_sip(15);
	frame1(LK_FRAME, event(1, TANDEM__EVENT_TYPE__CONNECT, 200, &sdp_b));
	frame1(LK_FRAME, event(1, TANDEM__EVENT_TYPE__INFO, 0, &sdp_b));
	{
		Tandem__ListRequest lr = TANDEM__LIST_REQUEST__INIT;

		lr.request_id = 7;
		lr.kind = TANDEM__LIST_KIND__LIST_LEGS;
		m.body_case = TANDEM__MESSAGE__BODY_LIST_REQUEST;
		m.list_request = &lr;
		frame1(LK_FRAME, &m);
		lr.request_id = 8;
		lr.kind = TANDEM__LIST_KIND__LIST_TRANSACTIONS;
		frame1(LK_FRAME, &m);
		lr.min_age_ms = 60000;
		frame1(LK_FRAME, &m);
	}
	lk_sip(16);
	lk_sip(3);
	frame1(LK_FRAME, event(UAC1, TANDEM__EVENT_TYPE__DISCONNECT, 0, NULL));
	lk_sip(15);
	lk_time(9);
	lk_time(9);
	save(d, "call_by_frames");

	/* every event type for a ringing pair of legs, in one frame */
	start();
	lk_sip(0);
	frame1(LK_FRAME, originate(UAC1, "o1@fz", NULL));
	lk_sip(8);
	{
		static Tandem__Message ms[10];
		static Tandem__LegEvent evs[10];
		Tandem__Message *mp[10];

		for (int i = 0; i < 10; i++) {
			tandem__message__init(&ms[i]);
			tandem__leg_event__init(&evs[i]);
			evs[i].leg = i & 1 ? UAC1 : 1;
			evs[i].type = (Tandem__EventType)(1 + i % 9);
			evs[i].code = i == 4 ? 183 : 0;
			ms[i].body_case = TANDEM__MESSAGE__BODY_EVENT;
			ms[i].event = &evs[i];
			mp[i] = &ms[i];
		}
		frame(LK_FRAME, mp, 10);
	}
	lk_time(10);
	save(d, "all_event_types");

	/* Originates sigd must refuse, and one for an id in use */
	start();
	lk_sip(0);
	{
		Tandem__Message *o = originate(1, "o1@fz", NULL);	/* no bit 63 */
		frame1(LK_FRAME, o);
		o = originate(UAC1, "bad call id", NULL);
		frame1(LK_FRAME, o);
		o = originate(LEG_BIT | 2, "o2@fz", NULL);
		o->originate->request_uri = (char *)"mailto:x";
		frame1(LK_FRAME, o);
		o = originate(LEG_BIT | 3, "o3@fz", NULL);
		o->originate->max_forwards = 1000;
		frame1(LK_FRAME, o);
		o = originate(LEG_BIT | 4, "o4@fz", NULL);
		o->originate->target->host = (char *)"example.com";
		frame1(LK_FRAME, o);
		o = originate(LEG_BIT | 5, "o5@fz", NULL);
		o->originate->target->host = (char *)"::1";
		frame1(LK_FRAME, o);
		o = originate(LEG_BIT | 6, "o6@fz", NULL);
		o->originate->target = NULL;
		frame1(LK_FRAME, o);
		o = originate(LEG_BIT | 7, "o7@fz", NULL);
		o->originate->auth_username = (char *)"u";
		o->originate->auth_password = (char *)"p";
		o->originate->from_name = (char *)"\"quoted\" \\ name";
		frame1(LK_FRAME, o);
		frame1(LK_FRAME, originate(LEG_BIT | 7, "o7b@fz", NULL));	/* in use */
	}
	lk_time(11);
	save(d, "originate_absurd");

	/* events for legs that do not exist, and odd messages */
	start();
	frame1(LK_FRAME, event(42, TANDEM__EVENT_TYPE__CONNECT, 200, &sdp_a));
	frame1(LK_FRAME, event(0, TANDEM__EVENT_TYPE__RING, 180, NULL));
	frame1(LK_FRAME, event(1, TANDEM__EVENT_TYPE__TRY, 0, NULL));
	frame1(LK_FRAME, event(1, (Tandem__EventType)42, 0, NULL));
	frame1(LK_FRAME, event(1, TANDEM__EVENT_TYPE__FAIL, 1000, NULL));
	{
		Tandem__DropLeg dl = TANDEM__DROP_LEG__INIT;
		Tandem__Heartbeat hb = TANDEM__HEARTBEAT__INIT;
		Tandem__LegClosed lc = TANDEM__LEG_CLOSED__INIT;

		dl.leg = 77;
		dl.reason = (char *)"gone";
		m.body_case = TANDEM__MESSAGE__BODY_DROP;
		m.drop = &dl;
		frame1(LK_FRAME, &m);
		hb.instance = 0xccd0ccd0ULL;
		m.body_case = TANDEM__MESSAGE__BODY_HEARTBEAT;
		m.heartbeat = &hb;
		frame1(LK_FRAME, &m);
		lc.leg = 1;
		m.body_case = TANDEM__MESSAGE__BODY_CLOSED;
		m.closed = &lc;
		frame1(LK_FRAME, &m);
		tandem__message__init(&m);
		frame1(LK_FRAME, &m);
	}
	rec(LK_FRAME, "\xff\xff\xff\xff", 4);
	rec(LK_FRAME, "", 0);
	save(d, "unknown_legs_and_odd_messages");

	/* ccd restarts: Hello lists the legs, Welcome names one unknown */
	start();
	lk_sip(0);
	frame1(LK_FRAME, originate(UAC1, "o1@fz", &sdp_a));
	lk_sip(8);
	{
		Tandem__Heartbeat hb = TANDEM__HEARTBEAT__INIT;
		Tandem__Welcome w = TANDEM__WELCOME__INIT;
		uint64_t unknown[] = { 1, 99 };
		char *fwd[] = { (char *)"X-Fwd", (char *)"Bad:Name", (char *)"" };

		hb.instance = 0x5eed;
		m.body_case = TANDEM__MESSAGE__BODY_HEARTBEAT;
		m.heartbeat = &hb;
		frame1(LK_FRAME, &m);
		lk_sip(0);		/* a retransmission while not welcomed */
		w.instance = 0x5eed;
		w.heartbeat_interval_ms = 5;
		w.unknown_legs = unknown;
		w.n_unknown_legs = 2;
		w.forward_headers = fwd;
		w.n_forward_headers = 3;
		m.body_case = TANDEM__MESSAGE__BODY_WELCOME;
		m.welcome = &w;
		frame1(LK_FRAME, &m);
		lk_time(2);		/* 5 ms heartbeats, no answer: link down */
		lk_sip(1);		/* 503 */
	}
	rec(LK_MONITOR, "\x01", 1);	/* connection lost */
	rec(LK_MONITOR, "\x00", 1);	/* handshake: Hello at once */
	save(d, "ccd_restart_unknown_legs");

	/* DropLeg in the middle of a call, then its late messages */
	start();
	lk_sip(0);
	frame1(LK_FRAME, originate(UAC1, "o1@fz", &sdp_a));
	lk_sip(10);
	{
		Tandem__DropLeg dl = TANDEM__DROP_LEG__INIT;

		dl.leg = UAC1;
		m.body_case = TANDEM__MESSAGE__BODY_DROP;
		m.drop = &dl;
		frame1(LK_FRAME, &m);
	}
	lk_sip(10);
	lk_sip(14);
	frame1(LK_FRAME, event(UAC1, TANDEM__EVENT_TYPE__DISCONNECT, 0, NULL));
	frame1(LK_FRAME, event(1, TANDEM__EVENT_TYPE__FAIL, 503, NULL));
	save(d, "drop_leg");

	/* keep-alives on both legs of a call, in one frame with odd ones */
	start();
	lk_sip(0);
	frame1(LK_FRAME, originate(UAC1, "o1@fz", &sdp_a));
	{
		static Tandem__Message ms[5];
		static Tandem__LegOptions lo[5];
		static const uint64_t legs[5] = { 1, UAC1, 0, 4242, UAC1 };
		static const uint32_t ka[5] = { 1000, 100, 100, 100, 0 };
		Tandem__Message *mp[5];

		for (int i = 0; i < 5; i++) {
			tandem__message__init(&ms[i]);
			tandem__leg_options__init(&lo[i]);
			lo[i].leg = legs[i];
			lo[i].keepalive_ms = ka[i];
			ms[i].body_case = TANDEM__MESSAGE__BODY_LEG_OPTIONS;
			ms[i].leg_options = &lo[i];
			mp[i] = &ms[i];
		}
		frame(LK_FRAME, mp, 4);		/* before the answer */
		lk_sip(10);			/* the callee's 200 */
		frame1(LK_FRAME, event(1, TANDEM__EVENT_TYPE__CONNECT, 200, &sdp_b));
		lk_sip(2);			/* ACK */
		lk_time(2);			/* OPTIONS to the callee */
		lk_sip(15);			/* 200 */
		lk_time(4);
		lk_sip(11);			/* 486: alive */
		lk_time(4);
		lk_sip(16);			/* the caller's 200 */
		frame1(LK_FRAME, event(UAC1, TANDEM__EVENT_TYPE__UPDATE, 0, &sdp_a));
		lk_time(3);
		lk_sip(15);
		frame(LK_FRAME, &mp[4], 1);	/* off on the originate leg */
		lk_time(9);
		lk_time(10);			/* the caller stays silent: gone */
	}
	save(d, "leg_options_keepalive");

	/* ccd's nonce secret in Welcome; an Originate with report_trying
	 * through an outbound proxy */
	start();
	{
		static uint8_t secret[32] = "link seed: the shared secret!!!";
		Tandem__Welcome w = TANDEM__WELCOME__INIT;
		Tandem__Message *o;

		w.instance = 0xccd0ccd0ULL;
		w.heartbeat_interval_ms = 600000;
		w.nonce_secret.data = secret;
		w.nonce_secret.len = sizeof(secret);
		m.body_case = TANDEM__MESSAGE__BODY_WELCOME;
		m.welcome = &w;
		frame1(LK_FRAME, &m);
		lk_sip(0);
		frame1(LK_FRAME, event(1, TANDEM__EVENT_TYPE__FAIL, 401, NULL));
		w.nonce_secret.len = 7;		/* refused */
		frame1(LK_FRAME, &m);
		o = originate(UAC1, "o1@fz", &sdp_a);
		o->originate->report_trying = 1;
		o->originate->outbound_proxy = 1;
		o->originate->request_uri = (char *)"sip:bob@gw.example.net";
		frame1(LK_FRAME, o);
		lk_sip(7);			/* 100: RING 100 */
		lk_sip(7);
		lk_sip(8);
		lk_sip(10);
		frame1(LK_FRAME, event(UAC1, TANDEM__EVENT_TYPE__DISCONNECT, 0, NULL));
		lk_sip(15);
		w.nonce_secret.len = 0;		/* back to the node's own */
		frame1(LK_FRAME, &m);
	}
	save(d, "welcome_secret_report_trying");
}

/* ---------------------------------------------------------------- ccd_frames */

enum { CF_FRAME = 0, CF_TIME = 1, CF_MSG = 2 };
#define CF_NODE(i) ((uint8_t)(CF_FRAME | (i) << 2))

static Tandem__Message *hello(const char *id, uint64_t instance)
{
	static Tandem__Message m;
	static Tandem__Hello h;
	static Tandem__Address a;
	static Tandem__Address *ap = &a;

	tandem__message__init(&m);
	tandem__hello__init(&h);
	tandem__address__init(&a);
	a.transport = TANDEM__TRANSPORT__UDP;
	a.host = (char *)"127.0.0.1";
	a.port = 5060;
	h.node_id = (char *)id;
	h.version = (char *)"0.1.0";
	h.protocol = 1;
	h.instance = instance;
	h.listen = &ap;
	h.n_listen = 1;
	m.body_case = TANDEM__MESSAGE__BODY_HELLO;
	m.hello = &h;
	return &m;
}

static Tandem__Message *try_(uint64_t leg, const char *call_id)
{
	static Tandem__TryInfo t;
	static Tandem__Address src, loc;
	Tandem__Message *m = event(leg, TANDEM__EVENT_TYPE__TRY, 0, &sdp_a);

	tandem__try_info__init(&t);
	tandem__address__init(&src);
	tandem__address__init(&loc);
	src.transport = loc.transport = TANDEM__TRANSPORT__UDP;
	src.host = (char *)"127.0.0.1";
	src.port = 40001;
	loc.host = (char *)"127.0.0.1";
	loc.port = 5060;
	t.call_id = (char *)call_id;
	t.cli = (char *)"alice";
	t.cld = (char *)"bob";
	t.caller_name = (char *)"Alice";
	t.request_uri = (char *)"sip:bob@127.0.0.1";
	t.from_uri = (char *)"sip:alice@127.0.0.1";
	t.to_uri = (char *)"sip:bob@127.0.0.1";
	t.source = &src;
	t.local = &loc;
	t.max_forwards = 69;
	m->event->try_ = &t;
	m->event->origin = TANDEM__ORIGIN__CALLER;
	return m;
}

static Tandem__Message *closed(uint64_t leg)
{
	static Tandem__Message m;
	static Tandem__LegClosed c;

	tandem__message__init(&m);
	tandem__leg_closed__init(&c);
	c.leg = leg;
	c.last_state = TANDEM__LEG_STATE__LEG_DISCONNECTED;
	m.body_case = TANDEM__MESSAGE__BODY_CLOSED;
	m.closed = &c;
	return &m;
}

static Tandem__Message *heartbeat(uint64_t instance)
{
	static Tandem__Message m;
	static Tandem__Heartbeat hb;

	tandem__message__init(&m);
	tandem__heartbeat__init(&hb);
	hb.instance = instance;
	m.body_case = TANDEM__MESSAGE__BODY_HEARTBEAT;
	m.heartbeat = &hb;
	return &m;
}

static void cf_time(uint8_t sel)
{
	rec(CF_TIME, &sel, 1);
}

static void cf_route(uint8_t route)
{
	raw(&route, 1);
}

static void gen_ccd(void)
{
	const char *d = "ccd_frames";

	for (uint8_t route = 0; route < 6; route++) {
		char name[64];

		start();
		cf_route(route);
		frame1(CF_NODE(0), hello("edge1", 0xabc0));
		frame1(CF_NODE(0), try_(1, "c1@fz"));
		frame1(CF_NODE(0), event(UAC1, TANDEM__EVENT_TYPE__RING, 180, NULL));
		frame1(CF_NODE(0), event(UAC1, TANDEM__EVENT_TYPE__CONNECT, 200, &sdp_b));
		frame1(CF_NODE(0), event(1, TANDEM__EVENT_TYPE__UPDATE, 0, &sdp_a));
		frame1(CF_NODE(0), event(UAC1, TANDEM__EVENT_TYPE__CONNECT, 200, &sdp_b));
		frame1(CF_NODE(0), event(UAC1, TANDEM__EVENT_TYPE__INFO, 0, &sdp_b));
		frame1(CF_NODE(0), heartbeat(0xabc0));
		frame1(CF_NODE(0), event(1, TANDEM__EVENT_TYPE__DISCONNECT, 0, NULL));
		frame1(CF_NODE(0), closed(1));
		frame1(CF_NODE(0), closed(UAC1));
		snprintf(name, sizeof(name), "call_route%u", (unsigned)route);
		save(d, name);
	}

	start();
	cf_route(0);
	frame1(CF_NODE(0), hello("edge1", 0xabc0));
	frame1(CF_NODE(0), try_(1, "c1@fz"));
	frame1(CF_NODE(0), event(UAC1, TANDEM__EVENT_TYPE__FAIL, 486, NULL));
	frame1(CF_NODE(0), try_(2, "c2@fz"));
	frame1(CF_NODE(0), event(LEG_BIT | 2, TANDEM__EVENT_TYPE__REDIRECT, 302, NULL));
	frame1(CF_NODE(0), try_(3, "c3@fz"));
	frame1(CF_NODE(0), event(3, TANDEM__EVENT_TYPE__DISCONNECT, 0, NULL));	/* CANCEL */
	frame1(CF_NODE(0), event(LEG_BIT | 3, TANDEM__EVENT_TYPE__CONNECT, 200, NULL));	/* crossed */
	for (int i = 0; i < 12; i++) {			/* alive, but no LegClosed: */
		frame1(CF_NODE(0), heartbeat(0xabc0));	/* the linger expires */
		cf_time(5);
	}
	save(d, "failures_and_linger");

	start();
	cf_route(0);
	frame1(CF_NODE(0), hello("edge1", 0xabc0));
	frame1(CF_NODE(1), hello("edge2", 0xabc1));
	frame1(CF_NODE(0), try_(1, "c1@fz"));
	frame1(CF_NODE(1), try_(1, "c1@fz"));
	frame1(CF_NODE(0), event(UAC1, TANDEM__EVENT_TYPE__CONNECT, 200, &sdp_b));
	frame1(CF_NODE(0), hello("edge1", 0xabc9));	/* edge1 restarted */
	cf_time(6);					/* edge2 silent: down */
	frame1(CF_NODE(1), heartbeat(0xabc1));		/* too late */
	save(d, "two_nodes_restart_silence");

	start();
	cf_route(2);
	frame1(CF_NODE(2), event(1, TANDEM__EVENT_TYPE__RING, 180, NULL));	/* before Hello */
	frame1(CF_NODE(3), hello("zq", 1));			/* id is not the routing id */
	frame1(CF_NODE(2), hello("n3", 7));
	{
		Tandem__Message *h = hello("n3", 7);
		h->hello->protocol = 2;
		frame1(CF_NODE(2), h);
	}
	frame1(CF_NODE(2), heartbeat(8));			/* wrong instance */
	frame1(CF_NODE(2), try_(LEG_BIT | 5, "c@fz"));		/* TRY on an originate id */
	frame1(CF_NODE(2), try_(1, "bad call id"));
	frame1(CF_NODE(2), try_(1, "c1@fz"));
	frame1(CF_NODE(2), try_(1, "c1@fz"));			/* second TRY */
	frame1(CF_NODE(2), event(9, TANDEM__EVENT_TYPE__CONNECT, 200, NULL));	/* unknown leg */
	frame1(CF_NODE(2), closed(99));
	frame1(CF_NODE(2), event(1, TANDEM__EVENT_TYPE__RING, 900, NULL));	/* bad code */
	{
		Tandem__Message m = TANDEM__MESSAGE__INIT;
		Tandem__Welcome w = TANDEM__WELCOME__INIT;

		m.body_case = TANDEM__MESSAGE__BODY_WELCOME;
		m.welcome = &w;
		frame1(CF_NODE(2), &m);				/* only ccd sends it */
		tandem__message__init(&m);
		frame1(CF_NODE(2), &m);				/* newer protocol */
	}
	rec(CF_NODE(2), "\x0a\xff\xff", 3);			/* does not unpack */
	{
		Tandem__Message *t = try_(2, "c2@fz");
		t->event->try_->max_forwards = 0;
		frame1(CF_NODE(2), t);				/* 483 */
	}
	{
		Tandem__Message *h = hello("n3", 7);
		static Tandem__LegSummary ls[2];
		static Tandem__LegSummary *lsp[2] = { &ls[0], &ls[1] };

		tandem__leg_summary__init(&ls[0]);
		tandem__leg_summary__init(&ls[1]);
		ls[0].leg = 1;
		ls[1].leg = 55;
		h->hello->legs = lsp;
		h->hello->n_legs = 2;
		frame1(CF_NODE(2), h);				/* Hello again, one unknown leg */
	}
	save(d, "strangers_and_bad_messages");

	/* structured node messages (fz node_msg bytes) */
	start();
	cf_route(1);
	{
		static const uint8_t msgs[][6] = {
			{ 0 << 2 | 0, 8 },		/* Hello edge1 with a listen address */
			{ 2 << 2 | 0, 0, 70, 1, 0 },	/* TRY leg 1 with SDP */
			{ 3 << 2 | 0, 4, 2, 2, 0 },	/* RING from the originate leg */
			{ 3 << 2 | 0, 4, 4, 4, 1 },	/* CONNECT with SDP */
			{ 1 << 2 | 0, 0 },		/* Heartbeat */
			{ 5 << 2 | 0, 9, 4, 0, 0x0f },	/* ListReply nobody asked for */
			{ 3 << 2 | 0, 0, 7, 0, 0x10 },	/* DISCONNECT with Reason */
			{ 4 << 2 | 0, 0, 7 },		/* LegClosed 1 */
			{ 4 << 2 | 0, 4, 7 },		/* LegClosed originate */
		};
		for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++)
			rec(CF_MSG, msgs[i], 6);
	}
	save(d, "call_by_node_messages");
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_seeds <corpus directory>\n");
		return 2;
	}
	root = argv[1];
	gen_rx();
	gen_link();
	gen_ccd();
	return 0;
}
