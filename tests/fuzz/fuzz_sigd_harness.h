/*
 * fuzz_sigd_harness.h - a whole sigd for the fuzzers: the real transport
 * entry (transport_datagram), transaction layer, dispatcher, legs and
 * link, on a libevent loop driven by the fake clock of fuzz_fake.h, with
 * ccd played over the fake ZeroMQ. Included by fuzz_sigd_rx.c and
 * fuzz_sigd_link.c, which decode their inputs into the steps below.
 *
 * Per input everything but the socket, the loop and the transport is
 * built and freed again (transactions, legs, the link with its sockets),
 * so an input behaves the same whatever ran before it, and anything left
 * allocated after an input is a leak.
 *
 * What sigd sends is checked as it leaves:
 *   - every datagram parses as SIP and carries no header ccd smuggled in
 *     through a value (X-Injected, only ever written inside CR/LF values);
 *     sendto() on sigd's socket is interposed, so nothing reaches the
 *     network, whatever addresses the input names;
 *   - every frame to ccd unpacks, holds only messages sigd may send, and
 *     talks about legs in order: TRY first (answer legs) or an Originate
 *     first (originate legs), nothing after LegClosed or DropLeg (Hello
 *     and ListReply list live legs only).
 * At the end of an input the fake clock runs 20 minutes on: every leg must
 * then be connected (or gone, or waiting for ccd's answer to its peer's
 * re-INVITE) and every transaction no leg holds gone, since nothing in
 * sigd may wait forever.
 */
#ifndef TANDEM_FUZZ_SIGD_HARNESS_H
#define TANDEM_FUZZ_SIGD_HARNESS_H

#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fuzz_fake.h"
#include "fuzz_sigd_sip.h"
#include "log.h"
#include "netaddr.h"
#include "sigd/dispatch.h"
#include "sigd/leg.h"
#include "sigd/link.h"
#include "sigd/sigd.h"
#include "sigd/transport.h"
#include "sigd/tsx.h"
#include "sip_msg.h"
#include "tandem.pb-c.h"

#define FZ_STEP_MS 250		/* clock step while the input runs */
#define FZ_DRAIN_STEP_MS 4000	/* and at the end (T2: no retransmission is later) */
#define FZ_DRAIN_MS (20 * 60 * 1000)
#define FZ_BUDGET 3000		/* clock steps per input */
#define FZ_SEEN_MAX 512
#define FZ_TRACK_MAX 256
#define FZ_CCD_INSTANCE 0xccd0ccd0ULL
#define FZ_HEARTBEAT_MS 600000	/* the longest sigd accepts: the link stays up */
#define FZ_LEGS_MAX 16		/* small, so that "node full" is reachable */

struct fz_str {
	size_t l;
	char s[FZ_SEEN_MAX];
};

/* What sigd last sent to a peer, for the tokens of fuzz_sigd_sip.h. */
struct fz_seen {
	struct fz_str via, from, from_tag, to, call_id, cseq, method;	/* last request */
	struct fz_str to_tag;						/* last response */
};

enum fz_leg_state { FZ_LEG_ORIGINATED, FZ_LEG_OPEN, FZ_LEG_GONE };

struct fz_leg {
	uint64_t id;
	uint8_t state;
};

struct fz_sigd {
	struct sigd sd;
	bool ready;
	struct netaddr addr[3];		/* enum fz_peer_id */
	struct fz_seen seen[2];		/* caller, callee */
	struct fz_leg legs[FZ_TRACK_MAX];
	size_t n_legs;
	unsigned budget;
	struct sip_msg msg;
	struct sip_parse_error perr;
	char text[SIP_MAX_MESSAGE + 1];
};

static struct fz_sigd FZ;

static void fz_fail(const char *what, const void *data, size_t len)
{
	fprintf(stderr, "fuzz_sigd: %s\n%.*s\n", what, (int)(len > 4096 ? 4096 : len), (const char *)data);
	abort();
}

static void fz_str_set(struct fz_str *d, struct pl s)
{
	d->l = s.p ? (s.l < FZ_SEEN_MAX ? s.l : FZ_SEEN_MAX) : 0;
	if (d->l)
		memcpy(d->s, s.p, d->l);
}

/* ---------------------------------------------------------------- SIP out */

static void fz_sip_out(const void *buf, size_t len, const struct sockaddr *to)
{
	struct sip_msg *m = &FZ.msg;
	struct fz_seen *s;
	char *copy;
	bool callee;

	if (len == 0 || len > SIP_MAX_MESSAGE)
		fz_fail("sigd sent a datagram of impossible size", buf, len);
	/* Exactly sized, so that a parser overrun would be seen too. */
	if (!(copy = malloc(len)))
		abort();
	memcpy(copy, buf, len);
	if (sip_msg_parse(m, copy, len, SIP_FRAMING_DATAGRAM, &FZ.perr) != SIP_PARSE_OK) {
		/* transport_reject() answers a malformed request with its own
		 * Via/From/To/Call-ID/CSeq, as RFC 3261 §8.2.6.2 wants, so
		 * the 400 (505) may carry the fault it reports. */
		if (len > 12 && (memcmp(buf, "SIP/2.0 400 ", 12) == 0 || memcmp(buf, "SIP/2.0 505 ", 12) == 0)) {
			free(copy);
			return;
		}
		fprintf(stderr, "fuzz_sigd: sigd sent malformed SIP: %s\n", FZ.perr.reason);
		fz_fail("the message:", buf, len);
	}
	if (sip_msg_hdr_by_str(m, "X-Injected"))
		fz_fail("sigd sent a header smuggled in through a value from ccd:", buf, len);
	callee = to->sa_family == AF_INET &&
		 ntohs(((const struct sockaddr_in *)(const void *)to)->sin_port) == FZ_CALLEE_PORT;
	s = &FZ.seen[callee ? FZ_CALLEE : FZ_CALLER];
	if (m->is_request) {
		const struct sip_hdr *via = sip_msg_hdr(m, SIP_HDR_VIA);
		const struct sip_hdr *from = sip_msg_hdr(m, SIP_HDR_FROM);
		const struct sip_hdr *to_h = sip_msg_hdr(m, SIP_HDR_TO);
		char n[16];

		fz_str_set(&s->via, via ? via->value : PL_NULL);
		fz_str_set(&s->from, from ? from->value : PL_NULL);
		fz_str_set(&s->to, to_h ? to_h->value : PL_NULL);
		fz_str_set(&s->from_tag, m->from.tag);
		fz_str_set(&s->call_id, m->call_id);
		snprintf(n, sizeof(n), "%u", (unsigned)m->cseq);
		fz_str_set(&s->cseq, pl_from_str(n));
		fz_str_set(&s->method, m->cseq_method);
	} else if (pl_isset(m->to.tag) && m->to.tag.l) {
		fz_str_set(&s->to_tag, m->to.tag);
	}
	free(copy);
}

/* Interposes libc's for sigd's socket only: nothing leaves the process. */
ssize_t sendto(int fd, const void *buf, size_t len, int flags, __CONST_SOCKADDR_ARG to, socklen_t tolen)
{
	if (FZ.ready && FZ.sd.udp.nfd > 0 && fd == FZ.sd.udp.fd[0]) {
		fz_sip_out(buf, len, to.__sockaddr__);
		return (ssize_t)len;
	}
	return syscall(SYS_sendto, fd, buf, len, flags, to.__sockaddr__, tolen);
}

/* ---------------------------------------------------------------- legs seen */

static struct fz_leg *fz_leg(uint64_t id, bool add)
{
	for (size_t i = 0; i < FZ.n_legs; i++)
		if (FZ.legs[i].id == id)
			return &FZ.legs[i];
	if (!add || FZ.n_legs == FZ_TRACK_MAX)
		return NULL;
	FZ.legs[FZ.n_legs].id = id;
	FZ.legs[FZ.n_legs].state = FZ_LEG_GONE;
	return &FZ.legs[FZ.n_legs++];
}

/* A message sigd sends about leg id: it must be one sigd has. */
static void fz_leg_heard(uint64_t id, bool try_, bool closed, const void *frame, size_t len)
{
	struct fz_leg *l = fz_leg(id, try_);

	if (!l) {
		if (FZ.n_legs == FZ_TRACK_MAX)
			return;	/* too many to follow */
		fz_fail("sigd sent a message about a leg that never existed", frame, 0);
	}
	if (try_ ? l->state != FZ_LEG_GONE : l->state == FZ_LEG_GONE) {
		fprintf(stderr, "fuzz_sigd: leg %016llx: %s in state %d\n", (unsigned long long)id,
			try_ ? "TRY" : closed ? "LegClosed" : "message", l->state);
		fz_fail("sigd talked about a leg out of order", frame, len);
	}
	l->state = closed ? FZ_LEG_GONE : FZ_LEG_OPEN;
}

/* ---------------------------------------------------------------- frames out */

static int fz_ccd_out(struct fz_zsock *s, const uint8_t *peer, size_t peer_len, const uint8_t *data,
		      size_t len)
{
	Tandem__Frame *f;

	(void)peer;
	(void)peer_len;
	if (s->type != ZMQ_DEALER)
		fz_fail("sigd sent on a socket other than its DEALER", data, 0);
	if (!(f = tandem__frame__unpack(NULL, len, data)))
		fz_fail("sigd sent a frame that does not unpack", data, 0);
	for (size_t i = 0; i < f->n_messages; i++) {
		const Tandem__Message *m = f->messages[i];

		switch (m->body_case) {
		case TANDEM__MESSAGE__BODY_HELLO:
			for (size_t j = 0; j < m->hello->n_legs; j++)
				fz_leg_heard(m->hello->legs[j]->leg, false, false, data, 0);
			break;
		case TANDEM__MESSAGE__BODY_HEARTBEAT:
			break;
		case TANDEM__MESSAGE__BODY_EVENT:
			if (m->event->type == TANDEM__EVENT_TYPE__TRY &&
			    (!m->event->try_ || (m->event->leg & LEG_ID_UAC_BIT) || !m->event->leg))
				fz_fail("sigd sent a TRY without details or on a bad leg id", data, 0);
			fz_leg_heard(m->event->leg, m->event->type == TANDEM__EVENT_TYPE__TRY, false, data, 0);
			break;
		case TANDEM__MESSAGE__BODY_CLOSED:
			fz_leg_heard(m->closed->leg, false, true, data, 0);
			break;
		case TANDEM__MESSAGE__BODY_LIST_REPLY:
			for (size_t j = 0; j < m->list_reply->n_legs; j++)
				fz_leg_heard(m->list_reply->legs[j]->leg, false, false, data, 0);
			break;
		default:
			fz_fail("sigd sent a message only ccd sends", data, 0);
		}
	}
	tandem__frame__free_unpacked(f, NULL);
	return 0;
}

/* ---------------------------------------------------------------- frames in */

/* One frame from ccd, through the fake DEALER and zlink into link.c. */
static void fz_frame_in(const uint8_t *data, size_t len)
{
	struct fz_zsock *dealer = fz_zmq_find(ZMQ_DEALER);
	Tandem__Frame *f = tandem__frame__unpack(NULL, len, data);

	if (!dealer)
		abort();
	/* An Originate makes messages about its leg legitimate (even a
	 * refusal: FAIL and LegClosed), if its id is one ccd may choose. */
	for (size_t i = 0; f && i < f->n_messages; i++)
		if (f->messages[i]->body_case == TANDEM__MESSAGE__BODY_ORIGINATE &&
		    (f->messages[i]->originate->leg & LEG_ID_UAC_BIT)) {
			struct fz_leg *l = fz_leg(f->messages[i]->originate->leg, true);

			if (l && l->state == FZ_LEG_GONE)
				l->state = FZ_LEG_ORIGINATED;
		}
	fz_zmq_push(dealer, data, len, false);
	fz_run(FZ.sd.base);
	/* What sigd said before the DropLeg is in; after it, nothing. */
	for (size_t i = 0; f && i < f->n_messages; i++)
		if (f->messages[i]->body_case == TANDEM__MESSAGE__BODY_DROP) {
			struct fz_leg *l = fz_leg(f->messages[i]->drop->leg, false);

			if (l)
				l->state = FZ_LEG_GONE;
		}
	if (f)
		tandem__frame__free_unpacked(f, NULL);
}

static void fz_message_in(const Tandem__Message *m)
{
	Tandem__Frame f = TANDEM__FRAME__INIT;
	Tandem__Message *mp = (Tandem__Message *)m;
	uint8_t *buf;
	size_t n;

	f.messages = &mp;
	f.n_messages = 1;
	n = tandem__frame__get_packed_size(&f);
	if (!(buf = malloc(n ? n : 1)))
		abort();
	tandem__frame__pack(&f, buf);
	fz_frame_in(buf, n);
	free(buf);
}

/* secret: 0 none (the node's own), 1 a shared one, 2 one too short. */
static void fz_welcome(uint32_t heartbeat_ms, uint64_t unknown_leg, uint8_t secret)
{
	static uint8_t shared[32] = "fuzz: the nodes' nonce secret!!";
	static char fwd1[] = "X-Fwd", fwd2[] = "subject", fwd3[] = "Bad Name";
	char *fwd[] = { fwd1, fwd2, fwd3 };
	uint64_t unknown[] = { unknown_leg };
	Tandem__Message m = TANDEM__MESSAGE__INIT;
	Tandem__Welcome w = TANDEM__WELCOME__INIT;

	w.instance = FZ_CCD_INSTANCE;
	w.heartbeat_interval_ms = heartbeat_ms;
	w.forward_headers = fwd;
	w.n_forward_headers = 3;
	w.unknown_legs = unknown;
	w.n_unknown_legs = unknown_leg ? 1 : 0;
	w.nonce_secret.data = secret % 3 ? shared : NULL;
	w.nonce_secret.len = secret % 3 == 1 ? sizeof(shared) : secret % 3 == 2 ? 8 : 0;
	m.body_case = TANDEM__MESSAGE__BODY_WELCOME;
	m.welcome = &w;
	fz_message_in(&m);
}

/* ---------------------------------------------------------------- ccd actions */

static const uint32_t fz_codes[] = {
	0, 100, 180, 183, 199, 200, 202, 299, 300, 302, 399, 401, 403, 407, 480, 486,
	487, 488, 491, 500, 503, 603, 699, 99, 700,
};

static void fz_body(uint8_t sel, Tandem__Body *b, Tandem__Body **out)
{
	static const struct { const char *type, *content; } bodies[] = {
		{ "application/sdp", FZ_SDP_A },
		{ "", FZ_SDP_B },
		{ "application/sdp", FZ_SDP_HOLD },
		{ "text/plain", "hello" },
		{ "", "" },
		{ "application/sdp\r\nX-Injected: body", FZ_SDP_B },
		{ "application/sdp", "v=0\r\nm=bogus\r\nc=IN IP4 not-an-ip\r\n" },
	};
	size_t n = sizeof(bodies) / sizeof(bodies[0]);

	*out = NULL;
	if (sel % (n + 1) == 0)
		return;
	tandem__body__init(b);
	b->content_type = (char *)bodies[sel % (n + 1) - 1].type;
	b->content.data = (uint8_t *)bodies[sel % (n + 1) - 1].content;
	b->content.len = strlen(bodies[sel % (n + 1) - 1].content);
	*out = b;
}

/* Legs by a byte: answer legs 1-4, originate legs 2^63+1-4, 0, unknown. */
static uint64_t fz_leg_sel(uint8_t b)
{
	if (b == 0xff)
		return 0x123456789ULL;
	if (b == 0xfe)
		return 0;
	return (b & 4 ? LEG_ID_UAC_BIT : 0) | (uint64_t)(1 + (b & 3));
}

static uint8_t fz_byte(const uint8_t *p, size_t n, size_t i)
{
	return i < n ? p[i] : 0;
}

/*
 * One message from ccd built from a few bytes: an event for a leg (any
 * type, code, body and optional fields, some with CR/LF in them), an
 * Originate towards the callee, DropLeg, a Heartbeat (a new instance is
 * a ccd restart), a Welcome, a message only sigd may send, a ListRequest
 * (the control socket's l / lt / llt), LegOptions (keep-alives) or a
 * message of a newer protocol.
 */
static inline void fz_ccd_action(const uint8_t *p, size_t n)
{
	static char x_extra[] = "X-Extra", v1[] = "v1", via[] = "Via", evil[] = "evil";
	static char bad_name[] = "X-Bad\r\nX-Injected", x_val[] = "X-Val", bad_val[] = "a\r\nX-Injected: 1";
	static char realm[] = "fz", sha[] = "SHA-256", md5[] = "MD5", sip[] = "SIP", q850[] = "Q.850";
	static char normal[] = "Normal \"call\" clearing", c1[] = "sip:a@127.0.0.1:5070";
	static char c2[] = "<sip:b@127.0.0.1>;q=0.1", c3[] = "sip:c@h\r\nX-Injected: 2";
	static char ch1[] = "Digest realm=\"x\", nonce=\"y\"", ch2[] = "Digest\r\nX-Injected: 3";
	static char xfer[] = "sip:x@127.0.0.1", warn[] = "399 fz \"warn\"", reason[] = "Custom Reason";
	static char bad_reason[] = "Bad\r\nX-Injected: 4", cid[16], ruri[] = "sip:bob@127.0.0.1:40002";
	static char from[] = "sip:alice@127.0.0.1", to[] = "tel:+15551234", name[] = "Al \"Q\" \\ice";
	static char h4[] = "127.0.0.1", h6[] = "::1", user[] = "user", pass[] = "secret";
	static char why[] = "fuzz";
	Tandem__Header hx[4] = { TANDEM__HEADER__INIT, TANDEM__HEADER__INIT, TANDEM__HEADER__INIT,
				 TANDEM__HEADER__INIT };
	Tandem__Header *hp[4] = { &hx[0], &hx[1], &hx[2], &hx[3] };
	char *algs[] = { sha, md5 }, *contacts[] = { c1, c2, c3 }, *challenges[] = { ch1, ch2 };
	Tandem__Message m = TANDEM__MESSAGE__INIT;
	Tandem__LegEvent ev = TANDEM__LEG_EVENT__INIT;
	Tandem__Originate o = TANDEM__ORIGINATE__INIT;
	Tandem__Address target = TANDEM__ADDRESS__INIT;
	Tandem__ChallengeRequest chr = TANDEM__CHALLENGE_REQUEST__INIT;
	Tandem__Reason rh = TANDEM__REASON__INIT;
	Tandem__DropLeg d = TANDEM__DROP_LEG__INIT;
	Tandem__Heartbeat hb = TANDEM__HEARTBEAT__INIT;
	Tandem__LegClosed lc = TANDEM__LEG_CLOSED__INIT;
	Tandem__Credentials cr = TANDEM__CREDENTIALS__INIT;
	Tandem__ListRequest lr = TANDEM__LIST_REQUEST__INIT;
	Tandem__LegOptions lo = TANDEM__LEG_OPTIONS__INIT;
	Tandem__Body body;
	uint8_t flags = fz_byte(p, n, 5);

	hx[0].name = x_extra;
	hx[0].value = v1;
	hx[1].name = via;
	hx[1].value = evil;
	hx[2].name = bad_name;
	hx[2].value = v1;
	hx[3].name = x_val;
	hx[3].value = bad_val;
	switch (fz_byte(p, n, 0) % 8) {
	case 0:
		ev.leg = fz_leg_sel(fz_byte(p, n, 1));
		ev.type = (Tandem__EventType)(fz_byte(p, n, 2) % 10);
		ev.code = fz_codes[fz_byte(p, n, 3) % (sizeof(fz_codes) / sizeof(fz_codes[0]))];
		fz_body(fz_byte(p, n, 4), &body, &ev.body);
		if (flags & 0x01)
			ev.reason = fz_byte(p, n, 6) & 1 ? bad_reason : reason;
		if (flags & 0x02) {
			rh.protocol = fz_byte(p, n, 6) & 2 ? q850 : sip;
			rh.cause = fz_byte(p, n, 7);
			rh.text = normal;
			ev.reason_header = &rh;
		}
		if (flags & 0x04) {
			ev.extra_headers = hp;
			ev.n_extra_headers = 4;
		}
		if (flags & 0x08) {
			chr.realm = realm;
			chr.algorithms = algs;
			chr.n_algorithms = fz_byte(p, n, 6) & 4 ? 2 : 0;
			chr.stale = fz_byte(p, n, 6) & 8;
			chr.proxy = fz_byte(p, n, 6) & 16;
			ev.challenge = &chr;
		}
		if (flags & 0x10) {
			ev.contacts = contacts;
			ev.n_contacts = 3;
		}
		if (flags & 0x20)
			ev.transfer_to = xfer;
		if (flags & 0x40)
			ev.warning = warn;
		if (flags & 0x80) {
			ev.challenges = challenges;
			ev.n_challenges = 2;
		}
		ev.origin = (Tandem__Origin)(fz_byte(p, n, 6) % 5);
		m.body_case = TANDEM__MESSAGE__BODY_EVENT;
		m.event = &ev;
		break;
	case 1:
		o.leg = (fz_byte(p, n, 1) & 0x80 ? 0 : LEG_ID_UAC_BIT) | (uint64_t)(1 + fz_byte(p, n, 1) % 4);
		snprintf(cid, sizeof(cid), "o%u@fz", (unsigned)(fz_byte(p, n, 1) % 4));
		o.call_id = cid;
		o.request_uri = ruri;
		o.from_uri = from;
		o.to_uri = fz_byte(p, n, 2) & 4 ? to : ruri;
		if (fz_byte(p, n, 2) & 1)
			o.from_name = o.to_name = name;
		target.transport = TANDEM__TRANSPORT__UDP;
		target.host = fz_byte(p, n, 2) & 2 ? h6 : h4;
		target.port = FZ_CALLEE_PORT;
		o.target = &target;
		fz_body(fz_byte(p, n, 3), &body, &o.body);
		o.max_forwards = fz_byte(p, n, 4) == 0xff ? 300 : fz_byte(p, n, 4);
		if (flags & 1) {
			o.extra_headers = hp;
			o.n_extra_headers = 4;
		}
		if (flags & 2) {
			o.auth_username = user;
			o.auth_password = pass;
		}
		if (flags & 4) {
			cr.username = user;
			cr.realm = realm;
			cr.nonce = realm;
			cr.uri = ruri;
			cr.response = pass;
			cr.qop = fz_byte(p, n, 6) & 1 ? (char *)"auth" : NULL;
			cr.nc = fz_byte(p, n, 6) & 2 ? (char *)"00000001" : NULL;
			cr.cnonce = fz_byte(p, n, 6) & 4 ? bad_val : NULL;
			o.pass_credentials = &cr;
		}
		o.report_trying = flags & 8;
		o.outbound_proxy = flags & 16;
		o.answer_leg = 1;
		m.body_case = TANDEM__MESSAGE__BODY_ORIGINATE;
		m.originate = &o;
		break;
	case 2:
		d.leg = fz_leg_sel(fz_byte(p, n, 1));
		d.reason = why;
		m.body_case = TANDEM__MESSAGE__BODY_DROP;
		m.drop = &d;
		break;
	case 3:
		hb.instance = fz_byte(p, n, 1) & 1 ? FZ_CCD_INSTANCE + 1 : FZ_CCD_INSTANCE;
		m.body_case = TANDEM__MESSAGE__BODY_HEARTBEAT;
		m.heartbeat = &hb;
		break;
	case 4: {
		static const uint32_t iv[] = { FZ_HEARTBEAT_MS, 0, 5, 1000, 700000 };

		fz_welcome(iv[fz_byte(p, n, 1) % 5], fz_leg_sel(fz_byte(p, n, 2)), fz_byte(p, n, 3));
		return;
	}
	case 5:
		lc.leg = fz_leg_sel(fz_byte(p, n, 1));
		m.body_case = TANDEM__MESSAGE__BODY_CLOSED;
		m.closed = &lc;
		break;
	case 6:
		lr.request_id = fz_byte(p, n, 1);
		lr.kind = (Tandem__ListKind)(fz_byte(p, n, 2) % 4);
		lr.min_age_ms = fz_byte(p, n, 3) * 1000u;
		m.body_case = TANDEM__MESSAGE__BODY_LIST_REQUEST;
		m.list_request = &lr;
		break;
	default:
		if (fz_byte(p, n, 1) & 1) {
			static const uint32_t ka[] = { 0, 1, 100, 1000, 32000, 4000000000u };

			lo.leg = fz_leg_sel(fz_byte(p, n, 2));
			lo.keepalive_ms = ka[fz_byte(p, n, 3) % 6];
			m.body_case = TANDEM__MESSAGE__BODY_LEG_OPTIONS;
			m.leg_options = &lo;
		}
		break;	/* else a message of a newer protocol: no body we know */
	}
	fz_message_in(&m);
}

/* ---------------------------------------------------------------- SIP in */

static void fz_tok(char *out, size_t *o, const struct fz_str *s)
{
	size_t n = s->l < SIP_MAX_MESSAGE - *o ? s->l : SIP_MAX_MESSAGE - *o;

	memcpy(out + *o, s->s, n);
	*o += n;
}

/* Replaces the tokens of fuzz_sigd_sip.h; returns the new length. */
static size_t fz_expand(enum fz_peer_id peer, const uint8_t *in, size_t len, char *out)
{
	const struct fz_seen *s = &FZ.seen[peer == FZ_CALLEE ? FZ_CALLEE : FZ_CALLER];
	size_t o = 0;

	for (size_t i = 0; i < len && o < SIP_MAX_MESSAGE; i++) {
		const struct fz_str *t = NULL;

		if (in[i] != '$' || i + 1 == len) {
			out[o++] = (char)in[i];
			continue;
		}
		switch (in[i + 1]) {
		case 'v': t = &s->via; break;
		case 'F': t = &s->from; break;
		case 'f': t = &s->from_tag; break;
		case 'T': t = &s->to; break;
		case 'c': t = &s->call_id; break;
		case 'n': t = &s->cseq; break;
		case 'm': t = &s->method; break;
		case 't': t = &s->to_tag; break;
		case '$': out[o++] = '$'; i++; continue;
		default: out[o++] = '$'; continue;
		}
		fz_tok(out, &o, t);
		i++;
	}
	return o;
}

/* One datagram from a peer, as the read callback would hand it on. */
static void fz_sip_in(enum fz_peer_id peer, const uint8_t *data, size_t len)
{
	size_t n = fz_expand(peer, data, len, FZ.text);
	/* Exactly sized: the parser must not read a byte past the datagram. */
	char *buf = malloc(n ? n : 1);

	if (!buf)
		abort();
	memcpy(buf, FZ.text, n);
	transport_datagram(&FZ.sd, 0, buf, n, &FZ.addr[peer]);
	free(buf);
	fz_run(FZ.sd.base);
}

/* A canned message of fuzz_sigd_sip.h, with its Content-Length. */
static inline void fz_canned_in(uint8_t sel)
{
	const struct fz_canned *c = &fz_canned[sel % FZ_N_CANNED];
	char *msg;
	int n;

	if (!(msg = malloc(SIP_MAX_MESSAGE)))
		abort();
	n = snprintf(msg, SIP_MAX_MESSAGE, "%sContent-Length: %zu\r\n\r\n%s", c->text, strlen(c->body),
		     c->body);
	fz_sip_in(c->from, (const uint8_t *)msg, (size_t)n);
	free(msg);
}

/* ---------------------------------------------------------------- time */

static void fz_time(uint8_t sel)
{
	static const uint32_t ms[] = { 1, 20, 100, 500, 1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000 };

	fz_advance(FZ.sd.base, ms[sel % (sizeof(ms) / sizeof(ms[0]))], FZ_STEP_MS, &FZ.budget);
}

/* The link's socket monitor says the connection dropped or came up. */
static inline void fz_monitor(uint8_t sel)
{
	struct fz_zsock *pair = fz_zmq_find(ZMQ_PAIR);
	uint8_t ev[6] = { 0 };
	uint16_t e = sel & 1 ? ZMQ_EVENT_DISCONNECTED : ZMQ_EVENT_HANDSHAKE_SUCCEEDED;

	if (!pair)
		return;
	memcpy(ev, &e, sizeof(e));
	fz_zmq_push(pair, ev, sel & 2 ? 3 : sizeof(ev), true);
	fz_zmq_push(pair, "inproc://ccd", 12, false);
	fz_run(FZ.sd.base);
}

/* ---------------------------------------------------------------- life */

static void fz_setup_once(void)
{
	char err[256] = "";

	if (FZ.sd.base)
		return;
	/* Every log line is formatted (at DBUG) and thrown away, unless the
	 * environment says otherwise (SIPLOG_BEND=stderr to watch a run). */
	setenv("SIPLOG_BEND", "file", 0);
	setenv("SIPLOG_LOGFILE_FILE", "/dev/null", 0);
	setenv("SIPLOG_LVL", "DBUG", 0);
	if (log_init("fuzz") < 0)
		abort();
	FZ.sd.base = event_base_new();
	if (!FZ.sd.base || sigd_udp_open(&FZ.sd.udp, "127.0.0.1", 0, err, sizeof(err)) < 0 ||
	    transport_init(&FZ.sd) < 0) {
		fprintf(stderr, "fuzz_sigd: setup: %s\n", err);
		abort();
	}
	FZ.sd.cfg.listen_addr = "127.0.0.1";
	FZ.sd.cfg.ccd_endpoint = "inproc://ccd";
	strcpy(FZ.sd.cfg.node_id, "fz");
	FZ.sd.cfg.t1_ms = 500;
	FZ.sd.cfg.t2_ms = 4000;
	netaddr_from_host(&FZ.addr[FZ_CALLER], PL("127.0.0.1"), FZ_CALLER_PORT);
	netaddr_from_host(&FZ.addr[FZ_CALLEE], PL("127.0.0.1"), FZ_CALLEE_PORT);
	netaddr_from_host(&FZ.addr[FZ_STRANGER], PL("::1"), 5060);
	fz_zmq_deliver = fz_ccd_out;
}

/* sigd as main() wires it, with the link welcomed by "ccd". */
static void fz_begin(void)
{
	static const struct tsx_timers tt = { 500, 4000, 5000 };
	static const struct leg_timers lt = { 500, 4000, 64 * 500, 120000 };

	fz_clock_on = true;
	fz_setup_once();
	memset(&FZ.sd.stats, 0, sizeof(FZ.sd.stats));
	memset(FZ.seen, 0, sizeof(FZ.seen));
	FZ.n_legs = 0;
	FZ.budget = FZ_BUDGET;
	FZ.sd.instance = 0x5167d;
	if (tsx_layer_init(&FZ.sd, &sigd_dispatch_ops, &tt) < 0 || legs_init(&FZ.sd) < 0)
		abort();
	legs_set_timers(&FZ.sd, &lt);
	legs_set_max(&FZ.sd, FZ_LEGS_MAX);
	legs_seed(&FZ.sd, 42);
	FZ.ready = true;
	if (link_init(&FZ.sd) < 0)
		abort();
	fz_run(FZ.sd.base);
	fz_welcome(FZ_HEARTBEAT_MS, 0, 0);
}

/* Connected legs live until someone hangs up; so does a peer's re-INVITE
 * that ccd was told about (UPDATE) and has not answered: sigd waits for
 * ccd there as in Trying, and ccd's own answer is bounded by the other
 * leg's re-INVITE. Anything else sigd must bring to an end by itself. */
static void fz_check_leg(struct leg *l, void *arg)
{
	if (l->state != LEG_CONNECTED && !(l->state == LEG_UPDATING && !l->reinv_ours)) {
		fprintf(stderr, "fuzz_sigd: leg %016llx (%s) still %s after %d minutes\n",
			(unsigned long long)l->id, l->uas ? "answer" : "originate",
			leg_state_name((enum leg_state)l->state), FZ_DRAIN_MS / 60000);
		abort();
	}
	*(size_t *)arg += (l->inv != NULL) + (l->reinv != NULL);
}

/*
 * Lets 20 minutes pass (ccd quiet, but the link still up: its interval
 * is 10 minutes), checks that only connected legs are left, and no
 * transaction but theirs, then frees everything as main() does.
 */
static void fz_end(void)
{
	unsigned budget = FZ_DRAIN_MS / FZ_DRAIN_STEP_MS;
	size_t held = 0, alive = 0;

	fz_welcome(FZ_HEARTBEAT_MS, 0, 0);
	fz_advance(FZ.sd.base, FZ_DRAIN_MS, FZ_DRAIN_STEP_MS, &budget);
	legs_foreach(&FZ.sd, fz_check_leg, &held);
	for (int k = TSX_SERVER_INVITE; k <= TSX_CLIENT_NON_INVITE; k++)
		alive += tsx_count(&FZ.sd, (enum tsx_kind)k);
	if (alive > held) {
		fprintf(stderr, "fuzz_sigd: %zu transactions left after %d minutes, %zu held by legs\n", alive,
			FZ_DRAIN_MS / 60000, held);
		abort();
	}
	link_free(&FZ.sd);
	legs_free(&FZ.sd);
	tsx_layer_free(&FZ.sd);
	fz_run(FZ.sd.base);
	FZ.ready = false;
	if (!fz_zmq_all_closed())
		fz_fail("a ZeroMQ socket was left open", "", 0);
	fz_clock_on = false;
}

#endif
