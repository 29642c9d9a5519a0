/*
 * test_leg_memory.c - what one held call costs sigd, in bytes of heap.
 *
 * A whole sigd (real transport, transactions, legs and link, as in
 * test_leg_harness.h) sets up N basic calls the way the benchmark does
 * (sipp's uac and uas: an INVITE with SDP, a 200 with SDP, ACK, then the
 * call is held): a UDP caller and callee in this process answer at once,
 * and a ZeroMQ ROUTER plays ccd (TRY -> Originate, the callee's CONNECT ->
 * CONNECT to the caller's leg). mallinfo2() deltas over the N calls give
 * the bytes per call twice: right after the set-ups, while the
 * transactions of the set-ups still live (64*T1), and once they have
 * gone. malloc_usable_size() over the legs says where the bytes of a held
 * call are. The figures go out as TAP comments ("# ..."); the test fails
 * when a held call costs more than its budget.
 *
 * Under AddressSanitizer malloc is ASan's: the calls run, the budgets are
 * not checked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <malloc.h>
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

#if defined(__SANITIZE_ADDRESS__)
#define M_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define M_ASAN 1
#endif
#endif
#ifndef M_ASAN
#define M_ASAN 0
#endif

#define M_T1 50			/* ms: 64*T1 = 3.2 s */
#define M_WARMUP 300		/* calls before the base line (tables, buffers) */
#define M_CALLS 5000
#define M_BATCH 100

/* Budgets, bytes per held call (sigd alone), checked without ASan. */
#define M_BUDGET_HELD 1050	/* the transactions of the set-up gone */
#define M_BUDGET_SETUP 1520	/* right after the set-up */

/* sipp's SDP (bench/sipp/uac.xml and uas.xml). */
#define M_SDP_CALLER "v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\n" \
		     "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\n" \
		     "a=rtpmap:0 PCMU/8000\r\n"
#define M_SDP_CALLEE "v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\n" \
		     "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6002 RTP/AVP 0\r\n" \
		     "a=rtpmap:0 PCMU/8000\r\n"

struct m_peer {
	int fd;
	uint16_t port;
	struct event *ev;
};

struct m {
	struct sigd *sd;
	uint16_t sigd_port;
	struct m_peer caller, callee;
	char dir[64], ep[128];
	void *zctx;
	struct zlink *router;
	unsigned sent, established, ccd_errors, sip_errors;
	uint8_t acked[M_WARMUP + M_CALLS + 1];
	char buf[SIP_MAX_MESSAGE + 1], out[SIP_MAX_MESSAGE + 1];
	struct sip_msg msg;
};

/* ---------------------------------------------------------------- SIP peers */

static void m_send(struct m *f, struct m_peer *p, const char *text, size_t len)
{
	struct sockaddr_in to = { .sin_family = AF_INET };

	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	to.sin_port = htons(f->sigd_port);
	assert_int_equal(sendto(p->fd, text, len, 0, (struct sockaddr *)&to, sizeof(to)), (ssize_t)len);
}

/* Headers with "\n" line ends become CRLF; then Content-Length and body. */
static void m_sendf(struct m *f, struct m_peer *p, const char *body, const char *fmt, ...)
{
	char hdrs[2048];
	size_t n = 0, blen = body ? strlen(body) : 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(hdrs, sizeof(hdrs), fmt, ap);
	va_end(ap);
	for (const char *c = hdrs; *c; c++) {
		if (*c == '\n')
			f->out[n++] = '\r';
		f->out[n++] = *c;
	}
	if (blen)
		n += (size_t)snprintf(f->out + n, sizeof(f->out) - n, "Content-Type: application/sdp\r\n");
	n += (size_t)snprintf(f->out + n, sizeof(f->out) - n, "Content-Length: %zu\r\n\r\n%s", blen,
			      body ? body : "");
	m_send(f, p, f->out, n);
}

static const char *hdr(struct m *f, enum sip_hdr_id id, char *buf, size_t cap)
{
	const struct sip_hdr *h = sip_msg_hdr(&f->msg, id);

	assert_non_null(h);
	pl_strcpy(h->value, buf, cap);
	return buf;
}

static bool m_recv(struct m *f, struct m_peer *p)
{
	ssize_t n = recv(p->fd, f->buf, sizeof(f->buf) - 1, MSG_DONTWAIT);

	if (n <= 0)
		return false;
	if (sip_msg_parse(&f->msg, f->buf, (size_t)n, SIP_FRAMING_DATAGRAM, NULL) != SIP_PARSE_OK) {
		f->sip_errors++;
		return m_recv(f, p);
	}
	return true;
}

/* The caller: a 200 gets its ACK, and the call counts as established. */
static void on_caller(evutil_socket_t fd, short what, void *arg)
{
	struct m *f = arg;
	char from[256], to[256], cid[128];
	unsigned i;

	(void)fd;
	(void)what;
	while (m_recv(f, &f->caller)) {
		if (f->msg.is_request || f->msg.status < 200)
			continue;
		if (f->msg.status >= 300) {
			f->sip_errors++;
			continue;
		}
		hdr(f, SIP_HDR_FROM, from, sizeof(from));
		hdr(f, SIP_HDR_TO, to, sizeof(to));
		pl_strcpy(f->msg.call_id, cid, sizeof(cid));
		i = (unsigned)strtoul(cid, NULL, 10);
		assert_true(i > 0 && i < sizeof(f->acked));
		m_sendf(f, &f->caller, NULL,
			"ACK sip:127.0.0.1:%u SIP/2.0\n"
			"Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-ack-%u\n"
			"From: %s\nTo: %s\nCall-ID: %s\nCSeq: 1 ACK\n"
			"Contact: sip:sipp@127.0.0.1:%u\nMax-Forwards: 70\n",
			f->sigd_port, f->caller.port, i, from, to, cid, f->caller.port);
		/* a retransmitted 200 (the ACK crossed it) is ACKed again */
		if (!f->acked[i]) {
			f->acked[i] = 1;
			f->established++;
		}
	}
}

/* The callee: an INVITE gets 200 with SDP at once (sipp's uas). */
static void on_callee(evutil_socket_t fd, short what, void *arg)
{
	struct m *f = arg;
	char via[512], from[256], to[256], cid[128];

	(void)fd;
	(void)what;
	while (m_recv(f, &f->callee)) {
		if (!f->msg.is_request || f->msg.method_id != SIP_METHOD_INVITE)
			continue;
		hdr(f, SIP_HDR_VIA, via, sizeof(via));
		hdr(f, SIP_HDR_FROM, from, sizeof(from));
		hdr(f, SIP_HDR_TO, to, sizeof(to));
		pl_strcpy(f->msg.call_id, cid, sizeof(cid));
		m_sendf(f, &f->callee, M_SDP_CALLEE,
			"SIP/2.0 200 OK\nVia: %s\nFrom: %s\nTo: %s;tag=1234SIPpTag01%u\n"
			"Call-ID: %s\nCSeq: %u INVITE\n"
			"Contact: <sip:127.0.0.1:%u;transport=UDP>\n",
			via, from, to, f->msg.cseq, cid, f->msg.cseq, f->callee.port);
	}
}

static void caller_invite(struct m *f, unsigned i)
{
	m_sendf(f, &f->caller, M_SDP_CALLER,
		"INVITE sip:service@127.0.0.1:%u SIP/2.0\n"
		"Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-%u-1-0\n"
		"From: sipp <sip:sipp@127.0.0.1:%u>;tag=4242SIPpTag00%u\n"
		"To: service <sip:service@127.0.0.1:%u>\n"
		"Call-ID: %u-4242@127.0.0.1\nCSeq: 1 INVITE\n"
		"Contact: sip:sipp@127.0.0.1:%u\nMax-Forwards: 70\n"
		"Subject: Performance Test\n",
		f->sigd_port, f->caller.port, i, f->caller.port, i, f->sigd_port, i, f->caller.port);
	f->sent++;
}

/* ---------------------------------------------------------------- ccd */

static void ccd_send(struct m *f, Tandem__Message *msg)
{
	if (zlink_frame_append(f->router, PL("n1"), &msg->base) < 0)
		f->ccd_errors++;
}

static void ccd_welcome(struct m *f)
{
	Tandem__Message msg = TANDEM__MESSAGE__INIT;
	Tandem__Welcome w = TANDEM__WELCOME__INIT;

	w.instance = 0xccd;
	w.heartbeat_interval_ms = 60000;
	msg.body_case = TANDEM__MESSAGE__BODY_WELCOME;
	msg.welcome = &w;
	ccd_send(f, &msg);
}

/* What ccd -u -s does with a TRY: one Originate, Call-ID "<ingress>-b2b_1",
 * the caller's numbers and offer. */
static void ccd_originate(struct m *f, const Tandem__LegEvent *ev)
{
	Tandem__Message msg = TANDEM__MESSAGE__INIT;
	Tandem__Originate o = TANDEM__ORIGINATE__INIT;
	Tandem__Address a = TANDEM__ADDRESS__INIT;
	char cid[160], ruri[96], from[96], to[96];

	snprintf(cid, sizeof(cid), "%s-b2b_1", ev->try_->call_id);
	snprintf(ruri, sizeof(ruri), "sip:%s@127.0.0.1:%u", ev->try_->cld, f->callee.port);
	snprintf(from, sizeof(from), "sip:%s@127.0.0.1", ev->try_->cli);
	snprintf(to, sizeof(to), "sip:%s@127.0.0.1:%u", ev->try_->cld, f->callee.port);
	a.host = (char *)"127.0.0.1";
	a.port = f->callee.port;
	o.leg = ev->leg | LEG_ID_UAC_BIT;
	o.answer_leg = ev->leg;
	o.call_id = cid;
	o.request_uri = ruri;
	o.from_uri = from;
	o.from_name = ev->try_->caller_name;
	o.to_uri = to;
	o.target = &a;
	o.max_forwards = 69;
	o.body = ev->body;
	msg.body_case = TANDEM__MESSAGE__BODY_ORIGINATE;
	msg.originate = &o;
	ccd_send(f, &msg);
}

/* The callee's CONNECT goes to the caller's leg, body and all. */
static void ccd_relay(struct m *f, const Tandem__LegEvent *ev)
{
	Tandem__Message msg = TANDEM__MESSAGE__INIT;
	Tandem__LegEvent out = TANDEM__LEG_EVENT__INIT;

	out.leg = ev->leg & ~LEG_ID_UAC_BIT;
	out.type = ev->type;
	out.code = ev->code;
	out.reason = ev->reason;
	out.body = ev->body;
	msg.body_case = TANDEM__MESSAGE__BODY_EVENT;
	msg.event = &out;
	ccd_send(f, &msg);
}

static void on_router(struct zlink *z, struct pl peer, const uint8_t *data, size_t len, void *arg)
{
	struct m *f = arg;
	Tandem__Frame *fr = tandem__frame__unpack(NULL, len, data);

	(void)z;
	(void)peer;
	if (!fr) {
		f->ccd_errors++;
		return;
	}
	for (size_t i = 0; i < fr->n_messages; i++) {
		const Tandem__Message *msg = fr->messages[i];
		const Tandem__LegEvent *ev = msg->event;

		if (msg->body_case == TANDEM__MESSAGE__BODY_HELLO)
			ccd_welcome(f);
		if (msg->body_case != TANDEM__MESSAGE__BODY_EVENT)
			continue;
		if (ev->type == TANDEM__EVENT_TYPE__TRY && ev->try_)
			ccd_originate(f, ev);
		else if (ev->type == TANDEM__EVENT_TYPE__CONNECT && (ev->leg & LEG_ID_UAC_BIT))
			ccd_relay(f, ev);
		else if (ev->type != TANDEM__EVENT_TYPE__RING)
			f->ccd_errors++;
	}
	tandem__frame__free_unpacked(fr, NULL);
	zlink_flush(f->router);
}

/* ---------------------------------------------------------------- set-up */

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

/* Runs the loop for ms, or until *counter reaches want (want 0: ms). */
static void m_run(struct m *f, const unsigned *counter, unsigned want, unsigned ms)
{
	struct event *deadline = evtimer_new(f->sd->base, on_deadline, f->sd->base);
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(deadline, &tv);
	while (!counter || *counter < want) {
		if (event_base_loop(f->sd->base, EVLOOP_ONCE) != 0 || event_base_got_break(f->sd->base))
			break;
	}
	event_free(deadline);
}

static void peer_open(struct m *f, struct m_peer *p, event_callback_fn fn)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	int sz = 4 << 20;

	p->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_true(p->fd >= 0);
	setsockopt(p->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(p->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(p->fd, (struct sockaddr *)&a, &alen);
	p->port = ntohs(a.sin_port);
	p->ev = event_new(f->sd->base, p->fd, EV_READ | EV_PERSIST, fn, f);
	event_add(p->ev, NULL);
}

static bool linked(struct m *f)
{
	for (int i = 0; i < 300 && !link_ready(f->sd); i++)
		m_run(f, NULL, 0, 10);
	return link_ready(f->sd);
}

static int setup(void **state)
{
	static const struct tsx_timers tt = { M_T1, 4 * M_T1, 5 * M_T1 };
	struct leg_timers lt = { M_T1, 4 * M_T1, 300, 0 };
	struct m *f = calloc(1, sizeof(*f));
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
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
	snprintf(f->dir, sizeof(f->dir), "/tmp/tandem-mem-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->ep, sizeof(f->ep), "ipc://%s/ccd", f->dir);
	f->sd->cfg.ccd_endpoint = f->ep;
	f->zctx = zmq_ctx_new();
	router = zmq_socket(f->zctx, ZMQ_ROUTER);
	zmq_setsockopt(router, ZMQ_LINGER, &linger, sizeof(linger));
	assert_int_equal(zmq_bind(router, f->ep), 0);
	f->router = zlink_new(f->sd->base, router, true, on_router, f);
	assert_int_equal(transport_init(f->sd), 0);
	assert_int_equal(tsx_layer_init(f->sd, &sigd_dispatch_ops, &tt), 0);
	assert_int_equal(legs_init(f->sd), 0);
	legs_set_timers(f->sd, &lt);
	assert_int_equal(link_init(f->sd), 0);
	peer_open(f, &f->caller, on_caller);
	peer_open(f, &f->callee, on_callee);
	assert_true(linked(f));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct m *f = *state;
	char path[200];

	link_free(f->sd);
	legs_free(f->sd);
	tsx_layer_free(f->sd);
	transport_free(f->sd);
	sigd_udp_close(&f->sd->udp);
	event_free(f->caller.ev);
	event_free(f->callee.ev);
	close(f->caller.fd);
	close(f->callee.fd);
	zlink_free(f->router);
	zmq_ctx_term(f->zctx);
	event_base_free(f->sd->base);
	snprintf(path, sizeof(path), "%s/ccd", f->dir);
	unlink(path);
	rmdir(f->dir);
	free(f->sd);
	free(f);
	return 0;
}

/* ---------------------------------------------------------------- measuring */

/* Bytes malloc hands out now (every arena: ZeroMQ's threads have their own). */
static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/* The chunk behind p: its usable bytes plus glibc's 8-byte size field. */
static size_t chunk(const void *p)
{
	return p ? malloc_usable_size((void *)p) + sizeof(size_t) : 0;
}

struct census {
	size_t legs[2], bytes[2], var[2], other[2];
	size_t busy;	/* legs with a timer, a transaction or a 2xx kept */
};

static void count_leg(struct leg *l, void *arg)
{
	struct census *c = arg;
	int uas = l->uas ? 1 : 0;

	c->legs[uas]++;
	c->bytes[uas] += chunk(l);
	c->var[uas] += chunk(l->var);
	c->other[uas] += chunk(l->rtx) + chunk(l->ka) + (l->timer ? sizeof(struct event) + 16 : 0);
	c->busy += l->timer || l->inv || l->reinv || l->rtx || l->ka;
}

/* Where a held call's bytes are; returns how many legs still keep
 * something of their set-up. */
static size_t report_legs(struct m *f)
{
	struct census c;

	memset(&c, 0, sizeof(c));
	legs_foreach(f->sd, count_leg, &c);
	for (int uas = 1; uas >= 0; uas--)
		if (c.legs[uas])
			print_message("# %s leg: %zu B (struct leg %zu B + strings), "
				      "changing strings and SDP %zu B, other %zu B\n",
				      uas ? "answer" : "originate", c.bytes[uas] / c.legs[uas],
				      sizeof(struct leg), c.var[uas] / c.legs[uas],
				      c.other[uas] / c.legs[uas]);
	return c.busy;
}

/* N calls in batches: each batch's INVITEs, then the loop until every
 * call of the batch is ACKed. */
static void set_up_calls(struct m *f, unsigned n)
{
	for (unsigned done = 0; done < n; done += M_BATCH) {
		unsigned batch = n - done < M_BATCH ? n - done : M_BATCH;

		for (unsigned i = 0; i < batch; i++)
			caller_invite(f, f->sent + 1);
		m_run(f, &f->established, f->sent, 5000);
		assert_int_equal(f->established, f->sent);
	}
	/* the last ACKs in, nothing pending on the link */
	m_run(f, NULL, 0, 20);
	assert_int_equal(f->ccd_errors, 0);
	assert_int_equal(f->sip_errors, 0);
}

static void test_bytes_per_held_call(void **state)
{
	struct m *f = *state;
	size_t base, setup, held;
	double per_setup, per_held;

	set_up_calls(f, M_WARMUP);
	m_run(f, NULL, 0, 64 * M_T1 + 500);
	base = heap_in_use();
	set_up_calls(f, M_CALLS);
	setup = heap_in_use();
	print_message("# %u calls: %zu transactions alive right after the set-ups\n", M_CALLS,
		      tsx_count(f->sd, TSX_SERVER_INVITE) + tsx_count(f->sd, TSX_CLIENT_INVITE) +
		      tsx_count(f->sd, TSX_SERVER_NON_INVITE) + tsx_count(f->sd, TSX_CLIENT_NON_INVITE));
	/* Timers L and M (64*T1), the originate legs' hold on their INVITE. */
	m_run(f, NULL, 0, 64 * M_T1 + 500);
	held = heap_in_use();
	assert_int_equal(legs_count(f->sd), 2 * (M_WARMUP + M_CALLS));
	assert_int_equal(tsx_count(f->sd, TSX_SERVER_INVITE) + tsx_count(f->sd, TSX_CLIENT_INVITE), 0);
	per_setup = ((double)setup - (double)base) / M_CALLS;
	per_held = ((double)held - (double)base) / M_CALLS;
	print_message("# sigd heap per call: %.0f B right after the set-up, %.0f B held%s\n",
		      per_setup, per_held, M_ASAN ? " (ASan: not checked)" : "");
	/* A held leg keeps no timer, transaction or 2xx. */
	assert_int_equal(report_legs(f), 0);
	if (M_ASAN || setup == base)
		return;
	assert_true(per_held <= M_BUDGET_HELD);
	assert_true(per_setup <= M_BUDGET_SETUP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bytes_per_held_call, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
