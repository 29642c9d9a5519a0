/*
 * fuzz_fake.h - the two fakes that make the daemon fuzzers deterministic
 * and bounded: a monotonic clock the fuzzer advances, and an in-memory
 * ZeroMQ. Include it in exactly one .c (a fuzz target): it defines
 * functions that interpose libc's and libzmq's.
 *
 * Clock. The daemons' timers are libevent timers, and libevent, link.c,
 * tsx.c and nodes.c read CLOCK_MONOTONIC through clock_gettime(). A
 * definition in the executable interposes libc's for every shared library
 * (the linker exports it because libevent refers to it), so while
 * fz_clock_on is set the monotonic clocks read fz_clock_ns, which only
 * fz_advance() moves. The wall clock (CLOCK_REALTIME: event timestamps,
 * nonces, libFuzzer's own -timeout) stays real. The loop is only ever run
 * with EVLOOP_NONBLOCK: a timer fires when fake time passed its deadline,
 * the same for every run of an input.
 *
 * ZeroMQ. sigd's link and ccd's nodes talk to ZeroMQ through a dozen calls
 * (zlink.c, link.c, nodes.c). The fake implements exactly those, in
 * memory, on the fuzzer's thread: no I/O threads, no reaper freeing memory
 * after an input ended (which would look like a leak to libFuzzer and make
 * it turn leak detection off), and sockets that can be created and closed
 * for every input. Inbound messages are queued by the fuzzer
 * (fz_zmq_push); outbound ones go to fz_zmq_deliver. ZMQ_FD is one
 * eventfd that is always readable, so zlink drains its socket on every
 * loop iteration, as it would after an edge.
 */
#ifndef TANDEM_FUZZ_FAKE_H
#define TANDEM_FUZZ_FAKE_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include <event2/event.h>

/* ---------------------------------------------------------------- clock */

static bool fz_clock_on;
static int64_t fz_clock_ns = 1000000LL * 1000000000LL;	/* 1e6 s: far from 0 */

int clock_gettime(clockid_t clk, struct timespec *ts)
{
	if (fz_clock_on && (clk == CLOCK_MONOTONIC || clk == CLOCK_MONOTONIC_COARSE ||
			    clk == CLOCK_MONOTONIC_RAW || clk == CLOCK_BOOTTIME)) {
		ts->tv_sec = (time_t)(fz_clock_ns / 1000000000LL);
		ts->tv_nsec = (long)(fz_clock_ns % 1000000000LL);
		return 0;
	}
	return (int)syscall(SYS_clock_gettime, clk, ts);
}

/* Runs what is due now: expired timers, activated events (a callback may
 * activate more, which libevent runs on the next pass). */
static void fz_run(struct event_base *base)
{
	for (int i = 0; i < 3; i++)
		event_base_loop(base, EVLOOP_NONBLOCK | EVLOOP_ONCE);
}

/*
 * Moves the fake clock ms forward in steps of at most step_ms, running the
 * loop after each step, so timers fire in deadline order and at most
 * step_ms late. budget counts steps left for the whole input (bounded
 * work per input whatever it asks for).
 */
static void fz_advance(struct event_base *base, uint32_t ms, uint32_t step_ms, unsigned *budget)
{
	while (ms > 0 && *budget > 0) {
		uint32_t d = ms < step_ms ? ms : step_ms;

		fz_clock_ns += (int64_t)d * 1000000;
		ms -= d;
		(*budget)--;
		fz_run(base);
	}
}

/* ---------------------------------------------------------------- ZeroMQ */

#define FZ_ZID_MAX 255

struct fz_part {
	struct fz_part *next;
	bool more;
	size_t len;
	uint8_t data[];
};

struct fz_zsock {
	struct fz_zsock *next;		/* every open socket */
	int type;
	uint8_t id[FZ_ZID_MAX];		/* ZMQ_ROUTING_ID */
	size_t id_len;
	struct fz_part *head, *tail;	/* inbound, not yet received */
	int rcvmore;
	bool peer_pending;		/* ROUTER send: routing id part seen */
	uint8_t peer[FZ_ZID_MAX];
	size_t peer_len;
};

/* Outbound: one payload from socket s (to peer on a ROUTER; peer_len 0 on
 * a DEALER). Returns 0, or -1 for "no such peer" (EHOSTUNREACH). */
typedef int (*fz_deliver_fn)(struct fz_zsock *s, const uint8_t *peer, size_t peer_len,
			     const uint8_t *data, size_t len);

static struct fz_zsock *fz_zsocks;
static fz_deliver_fn fz_zmq_deliver;
static int fz_zctx_dummy;
static int fz_efd = -1;

static struct fz_zsock *fz_zsock_of(void *s)
{
	for (struct fz_zsock *z = fz_zsocks; z; z = z->next)
		if (z == s)
			return z;
	fprintf(stderr, "fuzz_fake: ZeroMQ call on a socket that is not open\n");
	abort();
}

/* The open socket of a type (the first one), or NULL. */
static struct fz_zsock *fz_zmq_find(int type)
{
	for (struct fz_zsock *z = fz_zsocks; z; z = z->next)
		if (z->type == type)
			return z;
	return NULL;
}

/* Queues one inbound part for s to receive. */
static void fz_zmq_push(struct fz_zsock *s, const void *data, size_t len, bool more)
{
	struct fz_part *p = malloc(sizeof(*p) + len);

	if (!p)
		abort();
	p->next = NULL;
	p->more = more;
	p->len = len;
	if (len)
		memcpy(p->data, data, len);
	if (s->tail)
		s->tail->next = p;
	else
		s->head = p;
	s->tail = p;
}

static bool fz_zmq_all_closed(void)
{
	return fz_zsocks == NULL;
}

void *zmq_ctx_new(void)
{
	return &fz_zctx_dummy;
}

int zmq_ctx_term(void *ctx)
{
	(void)ctx;
	return 0;
}

int zmq_errno(void)
{
	return errno;
}

const char *zmq_strerror(int errnum)
{
	return strerror(errnum);
}

void *zmq_socket(void *ctx, int type)
{
	struct fz_zsock *z = calloc(1, sizeof(*z));

	(void)ctx;
	if (!z)
		return NULL;
	if (fz_efd < 0 && (fz_efd = eventfd(1, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
		abort();
	z->type = type;
	z->next = fz_zsocks;
	fz_zsocks = z;
	return z;
}

int zmq_close(void *s)
{
	struct fz_zsock *z = fz_zsock_of(s), **pp = &fz_zsocks;

	while (*pp != z)
		pp = &(*pp)->next;
	*pp = z->next;
	while (z->head) {
		struct fz_part *p = z->head;

		z->head = p->next;
		free(p);
	}
	free(z);
	return 0;
}

int zmq_setsockopt(void *s, int opt, const void *val, size_t len)
{
	struct fz_zsock *z = fz_zsock_of(s);

	if (opt == ZMQ_ROUTING_ID) {
		if (len == 0 || len > FZ_ZID_MAX) {
			errno = EINVAL;
			return -1;
		}
		memcpy(z->id, val, len);
		z->id_len = len;
	}
	return 0;
}

int zmq_getsockopt(void *s, int opt, void *val, size_t *len)
{
	struct fz_zsock *z = fz_zsock_of(s);
	int v;

	switch (opt) {
	case ZMQ_FD:
		v = fz_efd;
		break;
	case ZMQ_EVENTS:
		v = ZMQ_POLLOUT | (z->head ? ZMQ_POLLIN : 0);
		break;
	case ZMQ_RCVMORE:
		v = z->rcvmore;
		break;
	default:
		errno = EINVAL;
		return -1;
	}
	if (*len < sizeof(v)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(val, &v, sizeof(v));
	*len = sizeof(v);
	return 0;
}

int zmq_bind(void *s, const char *addr)
{
	(void)fz_zsock_of(s);
	(void)addr;
	return 0;
}

int zmq_connect(void *s, const char *addr)
{
	(void)fz_zsock_of(s);
	(void)addr;
	return 0;
}

int zmq_socket_monitor(void *s, const char *addr, int events)
{
	(void)fz_zsock_of(s);
	(void)addr;
	(void)events;
	return 0;
}

int zmq_send(void *s, const void *buf, size_t len, int flags)
{
	struct fz_zsock *z = fz_zsock_of(s);
	int rc;

	if (z->type == ZMQ_ROUTER && !z->peer_pending) {
		if (!(flags & ZMQ_SNDMORE) || len > FZ_ZID_MAX) {
			errno = EINVAL;
			return -1;
		}
		memcpy(z->peer, buf, len);
		z->peer_len = len;
		z->peer_pending = true;
		return (int)len;
	}
	z->peer_pending = false;
	rc = fz_zmq_deliver ? fz_zmq_deliver(z, z->peer, z->type == ZMQ_ROUTER ? z->peer_len : 0,
					     buf, len) : 0;
	if (rc < 0) {
		errno = EHOSTUNREACH;
		return -1;
	}
	return (int)len;
}

/* A zmq_msg_t holds the received part (or NULL): taken from the queue,
 * freed by zmq_msg_close. */
static struct fz_part *fz_msg_part(const zmq_msg_t *m)
{
	struct fz_part *p;

	memcpy(&p, m->_, sizeof(p));
	return p;
}

static void fz_msg_set(zmq_msg_t *m, struct fz_part *p)
{
	memcpy(m->_, &p, sizeof(p));
}

int zmq_msg_init(zmq_msg_t *m)
{
	memset(m, 0, sizeof(*m));
	return 0;
}

int zmq_msg_close(zmq_msg_t *m)
{
	free(fz_msg_part(m));
	fz_msg_set(m, NULL);
	return 0;
}

int zmq_msg_recv(zmq_msg_t *m, void *s, int flags)
{
	struct fz_zsock *z = fz_zsock_of(s);
	struct fz_part *p = z->head;

	(void)flags;
	if (!p) {
		errno = EAGAIN;
		return -1;
	}
	z->head = p->next;
	if (!z->head)
		z->tail = NULL;
	z->rcvmore = p->more;
	free(fz_msg_part(m));
	fz_msg_set(m, p);
	return (int)p->len;
}

void *zmq_msg_data(zmq_msg_t *m)
{
	struct fz_part *p = fz_msg_part(m);

	return p ? p->data : NULL;
}

size_t zmq_msg_size(const zmq_msg_t *m)
{
	struct fz_part *p = fz_msg_part(m);

	return p ? p->len : 0;
}

/* ---------------------------------------------------------------- input */

/* The fuzz inputs are records: [op][len: 2 bytes LE][len bytes]; a
 * truncated last record keeps what is there. */
struct fz_reader {
	const uint8_t *p;
	size_t left;
};

static bool fz_next(struct fz_reader *r, uint8_t *op, const uint8_t **data, size_t *len)
{
	size_t n;

	if (r->left < 3)
		return false;
	*op = r->p[0];
	n = (size_t)r->p[1] | (size_t)r->p[2] << 8;
	r->p += 3;
	r->left -= 3;
	if (n > r->left)
		n = r->left;
	*data = r->p;
	*len = n;
	r->p += n;
	r->left -= n;
	return true;
}

#endif
