/*
 * test_tsx_harness.h - what test_tsx_*.c share: a sigd with its real
 * transport and transaction layer on a libevent loop, bound to an
 * ephemeral port; raw UDP peer sockets on the same loop that record every
 * datagram they get (with its arrival time); a test TU and a test client
 * owner that record every callback. Timers are short (T1 = 20 ms) so every
 * timer of every machine can be waited for.
 *
 * Include after cmocka.h. One harness per test (setup/teardown).
 */
#ifndef TANDEM_TEST_TSX_HARNESS_H
#define TANDEM_TEST_TSX_HARNESS_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "sigd/sigd.h"
#include "sip_msg.h"
#include "sip_write.h"
#include "sigd/transport.h"
#include "sigd/tsx.h"

#define HF static __attribute__((unused))

#define T1 20
#define T2 80
#define T4 100
#define T64 (64 * T1)

#define H_PEERS 2
#define H_QUEUE 256
#define H_DGRAM 8192

struct h_dgram {
	char buf[H_DGRAM + 1];
	size_t len;
	int64_t t_ms;		/* arrival (kernel timestamp), ms since setup */
	int peer;		/* which peer socket got it */
};

struct harness {
	struct sigd sd;
	struct netaddr sigd_addr;
	int peer_fd[H_PEERS];
	struct netaddr peer_addr[H_PEERS];
	char peer_host[H_PEERS][64];	/* "127.0.0.1:port" / "[::1]:port" for Via */
	struct event *peer_ev[H_PEERS];
	struct event *stop_ev;
	struct h_dgram q[H_QUEUE];
	unsigned nq, rd;
	int64_t t0_us, t0_real_us;	/* CLOCK_MONOTONIC, CLOCK_REALTIME at setup */

	/* the TU */
	unsigned requests, acks, cancels, ack_timeouts;
	struct tsx *req_tsx, *cancel_tsx, *ack_timeout_tsx;
	char req_method[32];
	unsigned auto_code;		/* answer every request with this, 0: don't */
	bool adopt;			/* tsx_set_owner() on every request */
	bool release_in_request;	/* tsx_release() from inside on_request */
	unsigned cancel_code;		/* answer the INVITE from on_cancel, 0: don't */

	/* the client owner */
	unsigned responses, timeouts, dones;
	unsigned status[64];
	struct tsx *client;
	bool release_on_end;		/* tsx_release() from the final/timeout callback */
};

static struct harness H;

static int64_t h_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 - H.t0_us) / 1000;
}

/* ---------------------------------------------------------------- the TU */

HF void tu_request(struct sigd *sd, struct tsx *t, const struct sip_msg *req, const struct sip_rx *rx)
{
	assert_ptr_equal(sd, &H.sd);
	assert_non_null(rx);
	H.requests++;
	H.req_tsx = t;
	pl_strcpy(req->method, H.req_method, sizeof(H.req_method));
	if (H.adopt)
		tsx_set_owner(t, &H);
	if (H.auto_code)
		assert_int_equal(tsx_respond(t, H.auto_code, PL_NULL, PL("uas-tag")), 0);
	if (H.release_in_request) {
		tsx_release(t);
		H.req_tsx = NULL;
	}
}

HF void tu_ack(struct sigd *sd, const struct sip_msg *ack, const struct sip_rx *rx)
{
	(void)sd;
	(void)rx;
	assert_int_equal(ack->method_id, SIP_METHOD_ACK);
	H.acks++;
}

HF void tu_cancel(struct sigd *sd, struct tsx *invite, const struct sip_msg *cancel,
		  const struct sip_rx *rx)
{
	(void)sd;
	(void)rx;
	assert_int_equal(cancel->method_id, SIP_METHOD_CANCEL);
	assert_int_equal(tsx_kind(invite), TSX_SERVER_INVITE);
	H.cancels++;
	H.cancel_tsx = invite;
	if (H.cancel_code)
		assert_int_equal(tsx_respond(invite, H.cancel_code, PL_NULL, PL("uas-tag")), 0);
}

HF void tu_ack_timeout(struct sigd *sd, struct tsx *invite)
{
	(void)sd;
	H.ack_timeouts++;
	H.ack_timeout_tsx = invite;
}

static const struct tsx_user_ops h_tu = {
	.on_request = tu_request,
	.on_ack = tu_ack,
	.on_cancel = tu_cancel,
	.on_ack_timeout = tu_ack_timeout,
};

/* ---------------------------------------------------------------- the client owner */

HF void owner_response(void *owner, struct tsx *t, const struct sip_msg *resp,
		       const struct sip_rx *rx)
{
	assert_ptr_equal(owner, &H);
	assert_non_null(rx);
	if (H.responses < 64)
		H.status[H.responses] = resp->status;
	H.responses++;
	if (H.release_on_end && resp->status >= 200) {
		tsx_release(t);
		H.client = NULL;
	}
}

HF void owner_timeout(void *owner, struct tsx *t)
{
	assert_ptr_equal(owner, &H);
	H.timeouts++;
	if (H.release_on_end) {
		tsx_release(t);
		H.client = NULL;
	}
}

HF void owner_done(void *owner, struct tsx *t)
{
	assert_ptr_equal(owner, &H);
	assert_int_equal(tsx_state(t), TSX_TERMINATED);
	H.dones++;
}

static const struct tsx_client_ops h_owner = {
	.on_response = owner_response,
	.on_timeout = owner_timeout,
	.on_done = owner_done,
};

/* ---------------------------------------------------------------- the loop */

/* Arrival times are the kernel's (SO_TIMESTAMPNS): what the peer saw on
 * the wire, whatever the loop was doing when it read them. */
static void on_peer(evutil_socket_t fd, short what, void *arg)
{
	int peer = (int)(intptr_t)arg;
	static char buf[65536];
	char ctl[256];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			     .msg_controllen = sizeof(ctl) };
	ssize_t n;

	(void)what;
	while ((n = recvmsg(fd, &mh, MSG_DONTWAIT)) >= 0) {
		struct h_dgram *d;
		struct cmsghdr *c;

		assert_true(H.nq < H_QUEUE);
		assert_true((size_t)n <= H_DGRAM);
		d = &H.q[H.nq++];
		memcpy(d->buf, buf, (size_t)n);
		d->buf[n] = '\0';
		d->len = (size_t)n;
		d->t_ms = h_now_ms();
		d->peer = peer;
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
				struct timespec ts;

				memcpy(&ts, CMSG_DATA(c), sizeof(ts));
				d->t_ms = ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 -
					   H.t0_real_us) / 1000;
			}
		}
		mh.msg_controllen = sizeof(ctl);
	}
}

static void on_stop(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	event_base_loopbreak(H.sd.base);
}

/* Runs the loop for ms milliseconds. */
HF void h_run(unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	event_add(H.stop_ev, &tv);
	event_base_dispatch(H.sd.base);
	event_del(H.stop_ev);
}

/* One turn of the loop, at most 2 ms long. */
HF void h_step(void)
{
	struct timeval tv = { 0, 2000 };

	event_add(H.stop_ev, &tv);
	event_base_loop(H.sd.base, EVLOOP_ONCE);
	event_del(H.stop_ev);
}

/* Runs the loop until expr holds (at most max_ms: a loaded machine may
 * fire timers late), then asserts it. */
#define H_UNTIL(expr, max_ms)                                      \
	do {                                                       \
		int64_t h_end_ = h_now_ms() + (max_ms);           \
		while (!(expr) && h_now_ms() < h_end_)             \
			h_step();                                  \
		assert_true(expr);                                 \
	} while (0)

/* Runs the loop until n unread datagrams are queued or timeout_ms passed. */
HF bool h_wait(unsigned n, unsigned timeout_ms)
{
	int64_t end = h_now_ms() + timeout_ms;

	while (H.nq - H.rd < n && h_now_ms() < end)
		h_step();
	return H.nq - H.rd >= n;
}

/* H_UNTIL, and nothing was sent to the peers meanwhile. */
#define H_QUIET_UNTIL(expr, max_ms)                                          \
	do {                                                                 \
		H_UNTIL(expr, max_ms);                                       \
		if (H.nq != H.rd)                                            \
			fail_msg("unexpected datagram:\n%s", H.q[H.rd].buf); \
	} while (0)

/* The next datagram a peer got (waiting up to 2 s for it). */
HF struct h_dgram *h_next(void)
{
	if (!h_wait(1, 2000))
		fail_msg("no datagram arrived");
	return &H.q[H.rd++];
}

/* The next datagram that is not a response with status skip (a final
 * response of an INVITE server transaction is retransmitted by timer G). */
HF struct h_dgram *h_next_skip(unsigned skip)
{
	for (;;) {
		struct h_dgram *d = h_next();

		if (strncmp(d->buf, "SIP/2.0 ", 8) != 0 || (unsigned)atoi(d->buf + 8) != skip)
			return d;
	}
}

/* The next request of this method, skipping retransmissions of others. */
HF struct h_dgram *h_next_req(const char *method)
{
	size_t n = strlen(method);

	for (;;) {
		struct h_dgram *d = h_next();

		if (strncmp(d->buf, method, n) == 0 && d->buf[n] == ' ')
			return d;
	}
}

/* Nothing arrives for ms. */
HF void h_quiet(unsigned ms)
{
	h_run(ms);
	if (H.nq != H.rd)
		fail_msg("unexpected datagram:\n%s", H.q[H.rd].buf);
}

HF void h_drain(void)
{
	H.rd = H.nq;
}

/* ---------------------------------------------------------------- setup */

static int h_open_peer(int i, const char *host)
{
	struct netaddr a;
	char ip[NETADDR_STRLEN];
	int one = 1;

	assert_true(netaddr_from_host(&a, pl_from_str(host), 0));
	H.peer_fd[i] = socket(netaddr_family(&a), SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_true(H.peer_fd[i] >= 0);
	setsockopt(H.peer_fd[i], SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	assert_int_equal(bind(H.peer_fd[i], (struct sockaddr *)&a.ss, a.len), 0);
	H.peer_addr[i].len = sizeof(H.peer_addr[i].ss);
	assert_int_equal(getsockname(H.peer_fd[i], (struct sockaddr *)&H.peer_addr[i].ss,
				     &H.peer_addr[i].len), 0);
	netaddr_host_str(&H.peer_addr[i], ip, sizeof(ip));
	snprintf(H.peer_host[i], sizeof(H.peer_host[i]),
		 netaddr_family(&a) == AF_INET6 ? "[%s]:%u" : "%s:%u", ip,
		 netaddr_port(&H.peer_addr[i]));
	H.peer_ev[i] = event_new(H.sd.base, H.peer_fd[i], EV_READ | EV_PERSIST, on_peer,
				 (void *)(intptr_t)i);
	event_add(H.peer_ev[i], NULL);
	return 0;
}

/* sigd on host:0 (or the wildcards when host is NULL), peers on peer_host. */
HF int h_setup_at(const char *host, const char *peer_host)
{
	static const struct tsx_timers tm = { .t1_ms = T1, .t2_ms = T2, .t4_ms = T4 };
	struct timespec ts;
	char err[256];

	memset(&H, 0, sizeof(H));
	clock_gettime(CLOCK_MONOTONIC, &ts);
	H.t0_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	clock_gettime(CLOCK_REALTIME, &ts);
	H.t0_real_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	H.sd.cfg.listen_addr = host;
	if (sigd_udp_open(&H.sd.udp, host, 0, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	H.sd.base = event_base_new();
	assert_non_null(H.sd.base);
	assert_int_equal(transport_init(&H.sd), 0);
	assert_int_equal(tsx_layer_init(&H.sd, &h_tu, &tm), 0);
	H.stop_ev = evtimer_new(H.sd.base, on_stop, NULL);
	for (int i = 0; i < H_PEERS; i++)
		h_open_peer(i, peer_host);
	assert_true(netaddr_from_host(&H.sigd_addr, pl_from_str(peer_host), 0));
	for (int i = 0; i < H.sd.udp.nfd; i++) {
		struct netaddr a;

		a.len = sizeof(a.ss);
		getsockname(H.sd.udp.fd[i], (struct sockaddr *)&a.ss, &a.len);
		if (netaddr_family(&a) == netaddr_family(&H.sigd_addr))
			netaddr_set_port(&H.sigd_addr, netaddr_port(&a));
	}
	return 0;
}

HF int h_setup(void **state)
{
	(void)state;
	return h_setup_at("127.0.0.1", "127.0.0.1");
}

HF int h_teardown(void **state)
{
	(void)state;
	tsx_layer_free(&H.sd);
	assert_null(H.sd.tsx);
	transport_free(&H.sd);
	for (int i = 0; i < H_PEERS; i++) {
		event_free(H.peer_ev[i]);
		close(H.peer_fd[i]);
	}
	event_free(H.stop_ev);
	sigd_udp_close(&H.sd.udp);
	event_base_free(H.sd.base);
	return 0;
}

/* ---------------------------------------------------------------- messages */

/* Sends text from peer p to sigd. */
HF void h_send(int p, const char *text)
{
	size_t len = strlen(text);

	assert_int_equal(sendto(H.peer_fd[p], text, len, 0, (struct sockaddr *)&H.sigd_addr.ss,
				H.sigd_addr.len), (ssize_t)len);
}

HF void h_sendf(int p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
HF void h_sendf(int p, const char *fmt, ...)
{
	char buf[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	h_send(p, buf);
}

/*
 * A request from peer 0: Via sent-by is the peer's address, with rport.
 * to_tag NULL: none. extra: more header lines ("" for none).
 */
HF void h_request(const char *method, const char *branch, const char *call_id, const char *to_tag,
		  unsigned cseq, const char *extra)
{
	h_sendf(0,
		"%s sip:svc@example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP %s;branch=%s;rport\r\n"
		"Max-Forwards: 70\r\n"
		"From: \"Alice\" <sip:alice@example.com>;tag=ftag-1\r\n"
		"To: <sip:svc@example.com>%s%s\r\n"
		"Call-ID: %s\r\n"
		"CSeq: %u %s\r\n"
		"%s"
		"Content-Length: 0\r\n\r\n",
		method, H.peer_host[0], branch, to_tag ? ";tag=" : "", to_tag ? to_tag : "",
		call_id, cseq, method, extra);
}

/* Parses a datagram we got (a copy: the parser may unfold in place). */
HF void h_parse(const struct h_dgram *d, struct sip_msg *m, char *copy)
{
	struct sip_parse_error err;

	memcpy(copy, d->buf, d->len);
	if (sip_msg_parse(m, copy, d->len, SIP_FRAMING_DATAGRAM, &err) != SIP_PARSE_OK)
		fail_msg("cannot parse what sigd sent (%s):\n%s", err.reason, d->buf);
}

/* The status code of a response datagram. */
HF unsigned h_status(const struct h_dgram *d)
{
	static struct sip_msg m;
	static char copy[H_DGRAM];

	h_parse(d, &m, copy);
	assert_false(m.is_request);
	return m.status;
}

/* The value of the first header called name in d, or "" (NUL-terminated, static). */
HF const char *h_header(const struct h_dgram *d, const char *name)
{
	static struct sip_msg m;
	static char copy[H_DGRAM], out[1024];
	const struct sip_hdr *h;

	h_parse(d, &m, copy);
	h = sip_msg_hdr_by_str(&m, name);
	out[0] = '\0';
	if (h)
		pl_strcpy(h->value, out, sizeof(out));
	return out;
}

/*
 * The response a UAS at peer p gives to request d (a datagram sigd sent):
 * its Vias, From, To (plus to_tag unless NULL), Call-ID and CSeq.
 */
HF void h_reply(int p, const struct h_dgram *d, unsigned code, const char *to_tag)
{
	static struct sip_msg m;
	static char copy[H_DGRAM], out[H_DGRAM];
	struct sip_writer w;
	const struct sip_hdr *h;
	int n;

	h_parse(d, &m, copy);
	assert_true(m.is_request);
	sip_w_init(&w, out, sizeof(out));
	sip_w_status_line(&w, code, PL_NULL);
	for (h = sip_msg_hdr(&m, SIP_HDR_VIA); h; h = sip_msg_hdr_next(&m, h))
		sip_w_header(&w, PL("Via"), h->value);
	sip_w_header(&w, PL("From"), sip_msg_hdr(&m, SIP_HDR_FROM)->value);
	sip_w_header_begin(&w, PL("To"));
	sip_w_pl(&w, sip_msg_hdr(&m, SIP_HDR_TO)->value);
	if (to_tag) {
		sip_w_str(&w, ";tag=");
		sip_w_str(&w, to_tag);
	}
	sip_w_header_end(&w);
	sip_w_call_id(&w, m.call_id);
	sip_w_header(&w, PL("CSeq"), sip_msg_hdr(&m, SIP_HDR_CSEQ)->value);
	n = sip_w_finish(&w, PL_NULL, PL_NULL);
	assert_true(n > 0);
	assert_int_equal(sendto(H.peer_fd[p], out, (size_t)n, 0, (struct sockaddr *)&H.sigd_addr.ss,
				H.sigd_addr.len), n);
}

/*
 * Asserts that the intervals between the datagrams d[0..n) are the
 * expected ones: never shorter by more than 5 ms (libevent's timers run on
 * the coarse monotonic clock, one jiffy of 4 ms), and longer by more
 * than tol for at most max_late of them (a stalled loop fires late; the
 * next interval counts from the late send, so one stall costs one).
 */
HF void h_check_intervals(const struct h_dgram *d, const unsigned *expect, unsigned n, unsigned tol,
			  unsigned max_late)
{
	unsigned late = 0;

	for (unsigned i = 1; i < n; i++) {
		int64_t gap = d[i].t_ms - d[i - 1].t_ms;

		if (gap < (int64_t)expect[i - 1] - 5)
			fail_msg("interval %u is %lld ms, expected %u", i, (long long)gap, expect[i - 1]);
		if (gap > (int64_t)(expect[i - 1] + tol) && ++late > max_late)
			fail_msg("interval %u is %lld ms, expected %u (%u late)", i, (long long)gap,
				 expect[i - 1], late);
	}
}

#endif
