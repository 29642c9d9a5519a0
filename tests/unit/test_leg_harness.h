/*
 * test_leg_harness.h - a whole sigd in a test: the real transport,
 * transaction layer, dispatcher, legs and link on a libevent loop, with
 * two raw UDP peers (the caller and the callee) and a ZeroMQ ROUTER
 * playing ccd over ipc:// in a temporary directory. Timers are short
 * (T1 = 20 ms, linger 300 ms) so every scenario runs in well under a
 * second. Included by the test_leg_*.c files that drive the UA machines.
 */
#ifndef TANDEM_TEST_LEG_HARNESS_H
#define TANDEM_TEST_LEG_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zmq.h>

#include "sigd/dispatch.h"
#include "sigd/event.h"
#include "sigd/leg.h"
#include "sigd/link.h"
#include "sigd/sigd.h"
#include "sigd/transport.h"
#include "sigd/tsx.h"
#include "sip_msg.h"
#include "tandem.pb-c.h"
#include "zlink.h"

#define H_MAX_RX 128
#define H_MAX_CCD 128
#define H_T1 20

#define SDP_A "v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" \
	      "m=audio 6000 RTP/AVP 0\r\n"
#define SDP_B "v=0\r\no=bob 7 7 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" \
	      "m=audio 7000 RTP/AVP 0\r\n"
#define SDP_C "v=0\r\no=alice 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" \
	      "m=audio 6002 RTP/AVP 0\r\na=sendonly\r\n"

struct h_peer {
	const char *name;
	int fd;
	uint16_t port;
	struct event *ev;
	unsigned n;
	char *msg[H_MAX_RX];
	size_t len[H_MAX_RX];
	bool used[H_MAX_RX];
};

struct h {
	struct sigd *sd;
	uint16_t sigd_port;
	struct h_peer caller, callee;
	char dir[64], ep[128];
	void *zctx;
	struct zlink *router;
	struct event *tick;
	unsigned nccd;
	Tandem__Message *ccd[H_MAX_CCD];
	bool ccd_used[H_MAX_CCD];
	/* what run() waits for */
	bool (*until)(struct h *f);
	struct h_peer *want_peer;
	const char *want_prefix;
	int want_case, want_type;
	uint64_t want_leg;
	int found;
	/* the last SIP message expect_sip() returned, parsed */
	char got_buf[SIP_MAX_MESSAGE + 1];
	struct sip_msg got;
	char text[8192];
};

/* ---------------------------------------------------------------- plumbing */

static inline void h_on_peer(evutil_socket_t fd, short what, void *arg)
{
	struct h_peer *p = arg;
	char buf[SIP_MAX_MESSAGE + 1];
	ssize_t n;

	(void)what;
	while ((n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0) {
		assert_true(p->n < H_MAX_RX);
		p->msg[p->n] = malloc((size_t)n + 1);
		memcpy(p->msg[p->n], buf, (size_t)n);
		p->msg[p->n][n] = '\0';
		p->len[p->n] = (size_t)n;
		p->used[p->n] = false;
		p->n++;
	}
}

static inline void h_on_router(struct zlink *z, struct pl peer, const uint8_t *data, size_t len, void *arg)
{
	struct h *f = arg;
	Tandem__Frame *fr = tandem__frame__unpack(NULL, len, data);

	(void)z;
	(void)peer;
	assert_non_null(fr);
	for (size_t i = 0; i < fr->n_messages; i++) {
		Tandem__Message *m = fr->messages[i];
		size_t sz = tandem__message__get_packed_size(m);
		uint8_t *b = malloc(sz + 1);

		tandem__message__pack(m, b);
		assert_true(f->nccd < H_MAX_CCD);
		f->ccd[f->nccd] = tandem__message__unpack(NULL, sz, b);
		f->ccd_used[f->nccd] = false;
		f->nccd++;
		free(b);
	}
	tandem__frame__free_unpacked(fr, NULL);
}

static inline void h_on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct h *f = arg;

	(void)fd;
	(void)what;
	if (f->until && f->until(f))
		event_base_loopbreak(f->sd->base);
}

static inline void h_on_deadline(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

/* Runs the loop until cond holds or ms pass (a timer of its own: a
 * loopexit left over from an earlier run would end a later one early). */
static inline bool h_run(struct h *f, bool (*cond)(struct h *f), unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	struct event *deadline;

	if (cond && cond(f))
		return true;
	deadline = evtimer_new(f->sd->base, h_on_deadline, f->sd->base);
	evtimer_add(deadline, &tv);
	f->until = cond;
	event_base_dispatch(f->sd->base);
	f->until = NULL;
	event_free(deadline);
	return cond ? cond(f) : true;
}

static inline void h_sleep(struct h *f, unsigned ms)
{
	h_run(f, NULL, ms);
}

static inline void h_peer_open(struct h *f, struct h_peer *p, const char *name)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);

	p->name = name;
	p->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_true(p->fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(p->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(p->fd, (struct sockaddr *)&a, &alen);
	p->port = ntohs(a.sin_port);
	p->ev = event_new(f->sd->base, p->fd, EV_READ | EV_PERSIST, h_on_peer, p);
	event_add(p->ev, NULL);
}

static inline void h_peer_close(struct h_peer *p)
{
	event_free(p->ev);
	close(p->fd);
	for (unsigned i = 0; i < p->n; i++)
		free(p->msg[i]);
}

/* Sends headers (LF -> CRLF, "%" formats) plus Content-Length and body. */
static inline void h_send(struct h *f, struct h_peer *p, const char *body, const char *fmt, ...)
{
	char hdrs[4096], out[8192];
	struct sockaddr_in to = { .sin_family = AF_INET };
	size_t n = 0, blen = body ? strlen(body) : 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(hdrs, sizeof(hdrs), fmt, ap);
	va_end(ap);
	for (const char *c = hdrs; *c; c++) {
		if (*c == '\n')
			out[n++] = '\r';
		out[n++] = *c;
	}
	if (blen)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "Content-Type: application/sdp\r\n");
	n += (size_t)snprintf(out + n, sizeof(out) - n, "Content-Length: %zu\r\n\r\n%s", blen,
			      body ? body : "");
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	to.sin_port = htons(f->sigd_port);
	assert_int_equal(sendto(p->fd, out, n, 0, (struct sockaddr *)&to, sizeof(to)), (ssize_t)n);
}

/* A byte-identical copy of a message already taken: a retransmission. */
static inline bool h_is_retransmission(const struct h_peer *p, unsigned i)
{
	for (unsigned j = 0; j < i; j++)
		if (p->used[j] && p->len[j] == p->len[i] && memcmp(p->msg[j], p->msg[i], p->len[i]) == 0)
			return true;
	return false;
}

static inline bool h_find_sip(struct h *f)
{
	struct h_peer *p = f->want_peer;
	size_t pl = strlen(f->want_prefix);

	for (unsigned i = 0; i < p->n; i++) {
		if (p->used[i] || p->len[i] < pl || memcmp(p->msg[i], f->want_prefix, pl) != 0)
			continue;
		if (h_is_retransmission(p, i)) {
			p->used[i] = true;
			continue;
		}
		f->found = (int)i;
		return true;
	}
	return false;
}

/* How many messages starting with prefix p has received (seen or not). */
static inline unsigned h_count(const struct h_peer *p, const char *prefix)
{
	unsigned n = 0;

	for (unsigned i = 0; i < p->n; i++)
		n += strncmp(p->msg[i], prefix, strlen(prefix)) == 0;
	return n;
}

/*
 * Waits for the first unseen message at p starting with prefix (e.g.
 * "SIP/2.0 180", "BYE "), marks it seen and returns it parsed.
 * Retransmissions of messages already seen are skipped.
 */
static inline struct sip_msg *h_expect_sip(struct h *f, struct h_peer *p, const char *prefix, unsigned ms)
{
	f->want_peer = p;
	f->want_prefix = prefix;
	if (!h_run(f, h_find_sip, ms)) {
		fprintf(stderr, "# %s: no \"%s\" within %u ms; it got %u message(s)%s\n", p->name, prefix,
			ms, p->n, p->n ? ", the last:" : "");
		if (p->n)
			fprintf(stderr, "%s\n", p->msg[p->n - 1]);
		fail();
	}
	p->used[f->found] = true;
	memcpy(f->got_buf, p->msg[f->found], p->len[f->found]);
	assert_int_equal(sip_msg_parse(&f->got, f->got_buf, p->len[f->found], SIP_FRAMING_DATAGRAM,
				       NULL), SIP_PARSE_OK);
	return &f->got;
}

/* True when no unseen message starting with prefix arrives within ms. */
static inline bool h_no_sip(struct h *f, struct h_peer *p, const char *prefix, unsigned ms)
{
	f->want_peer = p;
	f->want_prefix = prefix;
	return !h_run(f, h_find_sip, ms);
}

/* The value of the first header called name in m, as a C string in f->text. */
static inline const char *h_hdr(struct h *f, const struct sip_msg *m, const char *name)
{
	const struct sip_hdr *h = sip_msg_hdr_by_str(m, name);

	if (!h)
		return NULL;
	pl_strcpy(h->value, f->text, sizeof(f->text));
	return f->text;
}

static inline const char *h_body(struct h *f, const struct sip_msg *m)
{
	pl_strcpy(m->body, f->text, sizeof(f->text));
	return f->text;
}

static inline bool h_find_ccd(struct h *f)
{
	for (unsigned i = 0; i < f->nccd; i++) {
		Tandem__Message *m = f->ccd[i];

		if (f->ccd_used[i] || (int)m->body_case != f->want_case)
			continue;
		if (m->body_case == TANDEM__MESSAGE__BODY_EVENT &&
		    ((f->want_type && (int)m->event->type != f->want_type) ||
		     (f->want_leg && m->event->leg != f->want_leg)))
			continue;
		if (m->body_case == TANDEM__MESSAGE__BODY_CLOSED && f->want_leg &&
		    m->closed->leg != f->want_leg)
			continue;
		f->found = (int)i;
		return true;
	}
	return false;
}

/* Waits for a message to ccd (an event of type for leg: 0 = any). */
static inline Tandem__Message *h_expect_ccd(struct h *f, Tandem__Message__BodyCase kind, int type,
				     uint64_t leg, unsigned ms)
{
	f->want_case = kind;
	f->want_type = type;
	f->want_leg = leg;
	if (!h_run(f, h_find_ccd, ms)) {
		fprintf(stderr, "# ccd: no message %d (event %s, leg %llu) within %u ms\n", kind,
			ev_type_name((Tandem__EventType)type), (unsigned long long)leg, ms);
		fail();
	}
	f->ccd_used[f->found] = true;
	return f->ccd[f->found];
}

static inline Tandem__LegEvent *h_expect_event(struct h *f, Tandem__EventType type, uint64_t leg)
{
	return h_expect_ccd(f, TANDEM__MESSAGE__BODY_EVENT, type, leg, 1000)->event;
}

static inline bool h_no_event(struct h *f, Tandem__EventType type, uint64_t leg, unsigned ms)
{
	f->want_case = TANDEM__MESSAGE__BODY_EVENT;
	f->want_type = type;
	f->want_leg = leg;
	return !h_run(f, h_find_ccd, ms);
}

static inline void h_ccd_send(struct h *f, Tandem__Message *m)
{
	assert_int_equal(zlink_frame_append(f->router, PL("n1"), &m->base), 0);
	zlink_flush(f->router);
}

/* An event from ccd to a leg, with an optional SDP body. */
static inline void h_ccd_event(struct h *f, uint64_t leg, Tandem__EventType type, unsigned code,
			const char *body)
{
	Tandem__Message m = TANDEM__MESSAGE__INIT;
	Tandem__LegEvent ev = TANDEM__LEG_EVENT__INIT;
	Tandem__Body b = TANDEM__BODY__INIT;

	ev.leg = leg;
	ev.type = type;
	ev.code = code;
	if (body) {
		b.content_type = (char *)"application/sdp";
		b.content.data = (uint8_t *)body;
		b.content.len = strlen(body);
		ev.body = &b;
	}
	m.body_case = TANDEM__MESSAGE__BODY_EVENT;
	m.event = &ev;
	h_ccd_send(f, &m);
}

static inline void h_ccd_event_full(struct h *f, Tandem__LegEvent *ev)
{
	Tandem__Message m = TANDEM__MESSAGE__INIT;

	m.body_case = TANDEM__MESSAGE__BODY_EVENT;
	m.event = ev;
	h_ccd_send(f, &m);
}

/* Originate towards the callee peer; body may be NULL (late offer). */
static inline void h_originate(struct h *f, uint64_t leg, const char *call_id, const char *body,
			Tandem__Originate *extra)
{
	Tandem__Message m = TANDEM__MESSAGE__INIT;
	Tandem__Originate o = TANDEM__ORIGINATE__INIT;
	Tandem__Address a = TANDEM__ADDRESS__INIT;
	Tandem__Body b = TANDEM__BODY__INIT;
	char ruri[64];

	if (extra)
		o = *extra;
	snprintf(ruri, sizeof(ruri), "sip:bob@127.0.0.1:%u", f->callee.port);
	a.host = (char *)"127.0.0.1";
	a.port = f->callee.port;
	o.leg = leg;
	o.call_id = (char *)call_id;
	o.request_uri = ruri;
	o.from_uri = (char *)"sip:alice@127.0.0.1";
	o.from_name = (char *)"Alice";
	o.to_uri = (char *)"sip:bob@127.0.0.1";
	o.target = &a;
	if (!o.max_forwards)
		o.max_forwards = 69;
	if (body) {
		b.content_type = (char *)"application/sdp";
		b.content.data = (uint8_t *)body;
		b.content.len = strlen(body);
		o.body = &b;
	}
	m.body_case = TANDEM__MESSAGE__BODY_ORIGINATE;
	m.originate = &o;
	h_ccd_send(f, &m);
}

static inline void h_welcome(struct h *f)
{
	Tandem__Message m = TANDEM__MESSAGE__INIT;
	Tandem__Welcome w = TANDEM__WELCOME__INIT;
	char *fwd[] = { (char *)"X-Pass" };

	w.instance = 0xccd;
	w.heartbeat_interval_ms = 1000;
	w.forward_headers = fwd;
	w.n_forward_headers = 1;
	m.body_case = TANDEM__MESSAGE__BODY_WELCOME;
	m.welcome = &w;
	h_ccd_send(f, &m);
}

static inline bool h_ready(struct h *f)
{
	return link_ready(f->sd);
}

static inline struct h *h_setup(bool welcome)
{
	struct h *f = calloc(1, sizeof(*f));
	static const struct tsx_timers tt = { H_T1, 4 * H_T1, 5 * H_T1 };
	struct leg_timers lt = { H_T1, 4 * H_T1, 300, 0 };
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	struct timeval tick = { 0, 2000 };
	char err[128];
	void *router;
	int linger = 0;

	assert_non_null(f);
	f->sd = calloc(1, sizeof(*f->sd));
	f->sd->base = event_base_new();
	f->sd->cfg.listen_addr = "127.0.0.1";
	strcpy(f->sd->cfg.node_id, "n1");
	assert_int_equal(sigd_udp_open(&f->sd->udp, "127.0.0.1", 0, err, sizeof(err)), 0);
	getsockname(f->sd->udp.fd[0], (struct sockaddr *)&a, &alen);
	f->sigd_port = ntohs(a.sin_port);
	f->sd->cfg.port = f->sigd_port;
	snprintf(f->dir, sizeof(f->dir), "/tmp/tandem-leg-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->ep, sizeof(f->ep), "ipc://%s/ccd", f->dir);
	f->sd->cfg.ccd_endpoint = f->ep;
	f->zctx = zmq_ctx_new();
	router = zmq_socket(f->zctx, ZMQ_ROUTER);
	zmq_setsockopt(router, ZMQ_LINGER, &linger, sizeof(linger));
	assert_int_equal(zmq_bind(router, f->ep), 0);
	f->router = zlink_new(f->sd->base, router, true, h_on_router, f);
	assert_int_equal(transport_init(f->sd), 0);
	assert_int_equal(tsx_layer_init(f->sd, &sigd_dispatch_ops, &tt), 0);
	assert_int_equal(legs_init(f->sd), 0);
	legs_set_timers(f->sd, &lt);
	assert_int_equal(link_init(f->sd), 0);
	h_peer_open(f, &f->caller, "caller");
	h_peer_open(f, &f->callee, "callee");
	f->tick = event_new(f->sd->base, -1, EV_PERSIST, h_on_tick, f);
	event_add(f->tick, &tick);
	h_expect_ccd(f, TANDEM__MESSAGE__BODY_HELLO, 0, 0, 3000);
	if (welcome) {
		h_welcome(f);
		assert_true(h_run(f, h_ready, 1000));
	}
	return f;
}

static inline void h_teardown(struct h *f)
{
	char path[200];

	link_free(f->sd);
	legs_free(f->sd);
	tsx_layer_free(f->sd);
	transport_free(f->sd);
	sigd_udp_close(&f->sd->udp);
	h_peer_close(&f->caller);
	h_peer_close(&f->callee);
	event_free(f->tick);
	zlink_free(f->router);
	zmq_ctx_term(f->zctx);
	for (unsigned i = 0; i < f->nccd; i++)
		tandem__message__free_unpacked(f->ccd[i], NULL);
	event_base_free(f->sd->base);
	snprintf(path, sizeof(path), "%s/ccd", f->dir);
	unlink(path);
	rmdir(f->dir);
	free(f->sd);
	free(f);
}

static inline int h_setup_ready(void **state)
{
	*state = h_setup(true);
	return 0;
}

static inline int h_setup_unwelcomed(void **state)
{
	*state = h_setup(false);
	return 0;
}

static inline int h_teardown_cb(void **state)
{
	h_teardown(*state);
	return 0;
}

/* ---------------------------------------------------------------- scenario pieces */

/* The caller's INVITE (optional SDP), its 100 and the TRY; returns the answer leg. */
static inline uint64_t h_caller_invite(struct h *f, const char *call_id, const char *sdp)
{
	Tandem__LegEvent *ev;

	h_send(f, &f->caller, sdp,
	       "INVITE sip:bob@127.0.0.1:%u SIP/2.0\n"
	       "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-%s-1;rport\n"
	       "Record-Route: <sip:127.0.0.1:%u;lr>\n"
	       "From: \"Alice\" <sip:alice@127.0.0.1>;tag=ftag-%s\n"
	       "To: <sip:bob@127.0.0.1>\n"
	       "Call-ID: %s\nCSeq: 1 INVITE\nMax-Forwards: 70\n"
	       "Contact: <sip:alice@127.0.0.1:%u;transport=UDP>\n"
	       "X-Pass: passed\n",
	       f->sigd_port, f->caller.port, call_id, f->caller.port, call_id, call_id, f->caller.port);
	h_expect_sip(f, &f->caller, "SIP/2.0 100 ", 1000);
	ev = h_expect_event(f, TANDEM__EVENT_TYPE__TRY, 0);
	assert_int_equal(ev->leg & LEG_ID_UAC_BIT, 0);
	return ev->leg;
}

/* The originate leg's INVITE as the callee sees it; returns its branch etc. in text. */
struct h_inv {
	char via[256], from[256], to[256], call_id[128], method[32];
	uint32_t cseq;
};

static inline void h_keep(struct h *f, struct h_inv *k, const struct sip_msg *m)
{
	pl_strcpy(sip_msg_hdr(m, SIP_HDR_VIA)->value, k->via, sizeof(k->via));
	pl_strcpy(sip_msg_hdr(m, SIP_HDR_FROM)->value, k->from, sizeof(k->from));
	pl_strcpy(sip_msg_hdr(m, SIP_HDR_TO)->value, k->to, sizeof(k->to));
	pl_strcpy(m->call_id, k->call_id, sizeof(k->call_id));
	pl_strcpy(m->cseq_method, k->method, sizeof(k->method));
	k->cseq = m->cseq;
	(void)f;
}

/* The callee answers the INVITE in k with code (To tag "btag" unless
 * notag), a Contact with ;transport=UDP in capitals, a Record-Route. */
static inline void h_callee_respond(struct h *f, const struct h_inv *k, unsigned code, const char *reason,
			     const char *sdp, const char *extra)
{
	bool tag = code != 100;

	h_send(f, &f->callee, sdp,
	       "SIP/2.0 %u %s\n"
	       "Via: %s\n"
	       "Record-Route: <sip:127.0.0.1:%u;lr>\n"
	       "From: %s\nTo: %s%s\nCall-ID: %s\nCSeq: %u INVITE\n"
	       "Contact: <sip:bob@127.0.0.1:%u;transport=UDP>\n%s",
	       code, reason, k->via, f->callee.port, k->from, k->to, tag ? ";tag=btag" : "",
	       k->call_id, k->cseq, f->callee.port, extra ? extra : "");
}

/* A peer answers the request kept in k (To as received: in-dialog). */
static inline void h_answer(struct h *f, struct h_peer *p, const struct h_inv *k, unsigned code,
			    const char *sdp)
{
	h_send(f, p, sdp,
	       "SIP/2.0 %u Whatever\nVia: %s\nFrom: %s\nTo: %s\nCall-ID: %s\nCSeq: %u %s\n"
	       "Contact: <sip:peer@127.0.0.1:%u;transport=UDP>\n",
	       code, k->via, k->from, k->to, k->call_id, k->cseq, k->method, p->port);
}

/* ccd's LegOptions for a leg. */
static inline void h_leg_options(struct h *f, uint64_t leg, uint32_t keepalive_ms)
{
	Tandem__Message m = TANDEM__MESSAGE__INIT;
	Tandem__LegOptions lo = TANDEM__LEG_OPTIONS__INIT;

	lo.leg = leg;
	lo.keepalive_ms = keepalive_ms;
	m.body_case = TANDEM__MESSAGE__BODY_LEG_OPTIONS;
	m.leg_options = &lo;
	h_ccd_send(f, &m);
}

/* A call connected end to end: caller -> answer leg, originate leg uac
 * (Call-ID "<cid>-b2b_1") -> callee, both 200s ACKed. */
struct h_call {
	uint64_t uas, uac;
	struct h_inv k;		/* the callee's INVITE */
	char totag[64];		/* our tag towards the caller */
	char cid[64];
};

static inline void h_connect_call(struct h *f, struct h_call *c, const char *cid, uint64_t uac)
{
	struct sip_msg *m;
	char ocid[96];

	snprintf(c->cid, sizeof(c->cid), "%s", cid);
	c->uac = uac;
	c->uas = h_caller_invite(f, cid, SDP_A);
	snprintf(ocid, sizeof(ocid), "%s-b2b_1", cid);
	h_originate(f, uac, ocid, SDP_A, NULL);
	m = h_expect_sip(f, &f->callee, "INVITE ", 1000);
	h_keep(f, &c->k, m);
	h_callee_respond(f, &c->k, 200, "OK", SDP_B, NULL);
	h_expect_sip(f, &f->callee, "ACK ", 1000);
	h_expect_event(f, TANDEM__EVENT_TYPE__CONNECT, uac);
	h_ccd_event(f, c->uas, TANDEM__EVENT_TYPE__CONNECT, 200, SDP_B);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 200 ", 1000);
	pl_strcpy(m->to.tag, c->totag, sizeof(c->totag));
	h_send(f, &f->caller, NULL,
	       "ACK sip:127.0.0.1:%u SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-%s-ack\n"
	       "From: <sip:alice@127.0.0.1>;tag=ftag-%s\nTo: <sip:bob@127.0.0.1>;tag=%s\n"
	       "Call-ID: %s\nCSeq: 1 ACK\n", f->sigd_port, f->caller.port, cid, cid, c->totag, cid);
	h_sleep(f, 5);
}

#endif
