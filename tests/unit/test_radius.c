/*
 * test_radius.c - the RADIUS pool (ccd/radius.h) against a small RADIUS
 * responder in a thread of this test: radcli, the worker threads, the
 * inproc sockets, the callbacks and the accounting spool, for real.
 * (The end-to-end test tests/e2e/radius_client.sh does the same against
 * FreeRADIUS.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/evp.h>
#include <zmq.h>

#include "ccd/acct_spool.h"
#include "ccd/radius.h"

#define SECRET "testing123"
#define ACCT_MAX 64

/* ---------------------------------------------------------------- the responder */

struct responder {
	int auth_fd, acct_fd;
	uint16_t auth_port, acct_port;
	pthread_t thread;
	pthread_mutex_t mu;
	bool stop;
	bool silent_auth, silent_acct;	/* drop requests: "no server answers" */
	unsigned n_auth;
	unsigned n_acct;
	char acct_session[ACCT_MAX][64];
	uint32_t acct_delay[ACCT_MAX];
	char last_user[64];
	bool last_had_digest;	/* Digest-Attributes (207) with a realm sub-attribute */
	uint32_t last_nas_port;
};

static int udp_socket(uint16_t *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

static size_t put_attr(uint8_t *p, uint8_t type, const void *v, size_t n)
{
	p[0] = type;
	p[1] = (uint8_t)(n + 2);
	memcpy(p + 2, v, n);
	return n + 2;
}

static size_t put_vsa(uint8_t *p, uint32_t vendor, uint8_t type, const char *v)
{
	size_t n = strlen(v);
	uint32_t ven = htonl(vendor);

	p[0] = 26;
	p[1] = (uint8_t)(n + 8);
	memcpy(p + 2, &ven, 4);
	p[6] = type;
	p[7] = (uint8_t)(n + 2);
	memcpy(p + 8, v, n);
	return n + 8;
}

static void answer(int fd, const struct sockaddr_in *to, uint8_t code, const uint8_t *req, uint8_t *attrs,
		   size_t alen)
{
	uint8_t pkt[4096];
	size_t len = 20 + alen;
	unsigned mdlen;

	pkt[0] = code;
	pkt[1] = req[1];
	pkt[2] = (uint8_t)(len >> 8);
	pkt[3] = (uint8_t)len;
	memcpy(pkt + 4, req + 4, 16);
	if (alen)
		memcpy(pkt + 20, attrs, alen);
	memcpy(pkt + len, SECRET, strlen(SECRET));
	/* Response Authenticator: MD5(packet with the request's, secret). */
	EVP_Digest(pkt, len + strlen(SECRET), pkt + 4, &mdlen, EVP_md5(), NULL);
	sendto(fd, pkt, len, 0, (const struct sockaddr *)to, sizeof(*to));
}

static void on_auth(struct responder *rs, const uint8_t *req, size_t n, const struct sockaddr_in *from)
{
	uint8_t attrs[2048];
	size_t a = 0;
	char user[64] = "";
	bool digest = false;
	uint32_t port = 0, v;

	for (size_t i = 20; i + 2 <= n && req[i + 1] >= 2 && i + req[i + 1] <= n; i += req[i + 1]) {
		if (req[i] == 1 && req[i + 1] - 2 < (int)sizeof(user)) {
			memcpy(user, req + i + 2, req[i + 1] - 2u);
			user[req[i + 1] - 2] = '\0';
		}
		if (req[i] == 207 && req[i + 1] > 4 && req[i + 2] == 1)
			digest = true;
		if (req[i] == 5 && req[i + 1] == 6) {
			memcpy(&port, req + i + 2, 4);
			port = ntohl(port);
		}
	}
	pthread_mutex_lock(&rs->mu);
	rs->n_auth++;
	snprintf(rs->last_user, sizeof(rs->last_user), "%s", user);
	rs->last_had_digest = digest;
	rs->last_nas_port = port;
	bool silent = rs->silent_auth || strcmp(user, "silent") == 0;
	pthread_mutex_unlock(&rs->mu);
	if (silent)
		return;
	if (strcmp(user, "reject") == 0) {
		a += put_attr(attrs + a, 18, "denied", 6);
		a += put_vsa(attrs + a, 9, 103, "h323-return-code=4");
		answer(rs->auth_fd, from, 3, req, attrs, a);
		return;
	}
	a += put_attr(attrs + a, 18, "welcome", 7);
	v = htonl(30);
	a += put_attr(attrs + a, 27, &v, 4);	/* Session-Timeout */
	v = htonl(0x0a010203);
	a += put_attr(attrs + a, 8, &v, 4);	/* Framed-IP-Address */
	a += put_vsa(attrs + a, 9, 1, "h323-ivr-in=Routing:10.0.0.1");
	a += put_vsa(attrs + a, 9, 1, "h323-ivr-in=Routing:10.0.0.2:5070");
	a += put_vsa(attrs + a, 9, 102, "h323-credit-time=60");
	a += put_vsa(attrs + a, 12345, 1, "unknown vendor");	/* radcli skips it */
	a += put_attr(attrs + a, 25, "a\0b", 3);	/* Class with a NUL: skipped */
	answer(rs->auth_fd, from, 2, req, attrs, a);
}

static void on_acct(struct responder *rs, const uint8_t *req, size_t n, const struct sockaddr_in *from)
{
	char session[64] = "";
	uint32_t delay = UINT32_MAX;
	bool silent;

	for (size_t i = 20; i + 2 <= n && req[i + 1] >= 2 && i + req[i + 1] <= n; i += req[i + 1]) {
		if (req[i] == 44 && req[i + 1] - 2 < (int)sizeof(session)) {
			memcpy(session, req + i + 2, req[i + 1] - 2u);
			session[req[i + 1] - 2] = '\0';
		}
		if (req[i] == 41 && req[i + 1] == 6) {
			memcpy(&delay, req + i + 2, 4);
			delay = ntohl(delay);
		}
	}
	pthread_mutex_lock(&rs->mu);
	silent = rs->silent_acct;
	if (!silent && rs->n_acct < ACCT_MAX) {
		snprintf(rs->acct_session[rs->n_acct], sizeof(rs->acct_session[0]), "%s", session);
		rs->acct_delay[rs->n_acct] = delay;
		rs->n_acct++;
	}
	pthread_mutex_unlock(&rs->mu);
	if (!silent)
		answer(rs->acct_fd, from, 5, req, NULL, 0);
}

static void *responder_main(void *arg)
{
	struct responder *rs = arg;

	for (;;) {
		struct pollfd p[2] = { { rs->auth_fd, POLLIN, 0 }, { rs->acct_fd, POLLIN, 0 } };
		uint8_t buf[4096];
		struct sockaddr_in from;
		socklen_t fl;
		ssize_t n;
		bool stop;

		pthread_mutex_lock(&rs->mu);
		stop = rs->stop;
		pthread_mutex_unlock(&rs->mu);
		if (stop)
			return NULL;
		if (poll(p, 2, 20) <= 0)
			continue;
		for (int k = 0; k < 2; k++) {
			if (!(p[k].revents & POLLIN))
				continue;
			fl = sizeof(from);
			n = recvfrom(p[k].fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
			if (n < 20)
				continue;
			if (k == 0 && buf[0] == 1)
				on_auth(rs, buf, (size_t)n, &from);
			else if (k == 1 && buf[0] == 4)
				on_acct(rs, buf, (size_t)n, &from);
		}
	}
}

static void set_silent(struct responder *rs, bool auth, bool acct)
{
	pthread_mutex_lock(&rs->mu);
	rs->silent_auth = auth;
	rs->silent_acct = acct;
	pthread_mutex_unlock(&rs->mu);
}

static unsigned n_acct(struct responder *rs)
{
	unsigned n;

	pthread_mutex_lock(&rs->mu);
	n = rs->n_acct;
	pthread_mutex_unlock(&rs->mu);
	return n;
}

/* ---------------------------------------------------------------- fixture */

struct fx {
	struct responder rs;
	char dir[64], conf[96], servers[96], spool[96], dict[512];
	struct event_base *base;
	void *zctx;
	struct radius *r;
};

/* The repository's etc/radius/dictionary, found from this file's path
 * (the tests run from the top of the tree). */
static void dictionary_path(char *out, size_t size)
{
	const char *me = __FILE__, *t = strstr(me, "tests/unit/");

	snprintf(out, size, "%.*setc/radius/dictionary", (int)(t - me), me);
}

static void write_conf(struct fx *f, const char *dict, int timeout, int retries)
{
	FILE *c = fopen(f->conf, "w");

	assert_non_null(c);
	fprintf(c, "authserver 127.0.0.1:%u\nacctserver 127.0.0.1:%u\nservers %s\ndictionary %s\n"
		   "radius_timeout %d\nradius_retries %d\nbindaddr *\n",
		f->rs.auth_port, f->rs.acct_port, f->servers, dict, timeout, retries);
	fclose(c);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	FILE *s;

	assert_non_null(f);
	strcpy(f->dir, "/tmp/test_radius.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->conf, sizeof(f->conf), "%s/radiusclient.conf", f->dir);
	snprintf(f->servers, sizeof(f->servers), "%s/servers", f->dir);
	snprintf(f->spool, sizeof(f->spool), "%s/acct.spool", f->dir);
	dictionary_path(f->dict, sizeof(f->dict));
	s = fopen(f->servers, "w");
	assert_non_null(s);
	fprintf(s, "127.0.0.1 %s\n", SECRET);
	fclose(s);
	f->rs.auth_fd = udp_socket(&f->rs.auth_port);
	f->rs.acct_fd = udp_socket(&f->rs.acct_port);
	pthread_mutex_init(&f->rs.mu, NULL);
	assert_int_equal(pthread_create(&f->rs.thread, NULL, responder_main, &f->rs), 0);
	write_conf(f, f->dict, 1, 1);
	f->base = event_base_new();
	f->zctx = zmq_ctx_new();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	radius_close(f->r);
	pthread_mutex_lock(&f->rs.mu);
	f->rs.stop = true;
	pthread_mutex_unlock(&f->rs.mu);
	pthread_join(f->rs.thread, NULL);
	close(f->rs.auth_fd);
	close(f->rs.acct_fd);
	/* Every socket is closed: this would hang otherwise. */
	zmq_ctx_term(f->zctx);
	event_base_free(f->base);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void open_pool(struct fx *f, unsigned workers, bool spool)
{
	char err[512] = "";

	if (radius_open(&f->r, f->base, f->zctx, f->conf, workers, spool ? f->spool : NULL, err, sizeof(err)) < 0)
		fail_msg("radius_open: %s", err);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs the loop until *done (or the spool is empty when done is NULL) or
 * ms passed; returns whether the condition came true. */
static bool run_until(struct fx *f, const int *done, size_t spool_empty, int ms)
{
	int64_t end = now_ms() + ms;

	while (now_ms() < end) {
		struct timeval tv = { 0, 10000 };

		if (done ? *done : radius_spool_size(f->r) == spool_empty)
			return true;
		event_base_loopexit(f->base, &tv);
		event_base_dispatch(f->base);
	}
	return done ? *done : radius_spool_size(f->r) == spool_empty;
}

static void run_for(struct fx *f, int ms)
{
	int never = 0;

	run_until(f, &never, 0, ms);
}

/* ---------------------------------------------------------------- callbacks */

struct answer {
	int calls;
	enum radius_result result;
	struct avlist reply;
	int64_t at_ms;
};

static void on_done(void *arg, enum radius_result result, const struct avlist *reply)
{
	struct answer *a = arg;

	a->calls++;
	a->result = result;
	a->reply = *reply;
	a->at_ms = now_ms();
}

static void request(struct avlist *av, const char *user)
{
	avlist_init(av);
	assert_int_equal(avlist_add(av, "User-Name", user), 0);
	assert_int_equal(avlist_add(av, "Password", "cisco"), 0);
	assert_int_equal(avlist_add(av, "Calling-Station-Id", "5551000"), 0);
	assert_int_equal(avlist_add(av, "Cisco-AVPair", "call-id=abc@host"), 0);
	assert_int_equal(avlist_add(av, "h323-remote-address", "h323-remote-address=127.0.0.1"), 0);
}

static void acct_record(struct avlist *av, const char *session)
{
	avlist_init(av);
	assert_int_equal(avlist_add(av, "Acct-Status-Type", "Stop"), 0);
	assert_int_equal(avlist_add(av, "Acct-Session-Id", session), 0);
	assert_int_equal(avlist_add(av, "User-Name", "5551000"), 0);
	assert_int_equal(avlist_add(av, "Acct-Session-Time", "12"), 0);
	assert_int_equal(avlist_add(av, "Acct-Terminate-Cause", "User-Request"), 0);
	assert_int_equal(avlist_add(av, "h323-call-origin", "h323-call-origin=answer"), 0);
	assert_int_equal(avlist_add(av, "NAS-IP-Address", "127.0.0.1"), 0);
}

/* ---------------------------------------------------------------- tests */

static void test_accept(void **state)
{
	struct fx *f = *state;
	struct answer a = { 0 };
	struct avlist av;
	unsigned from = 0;

	open_pool(f, 2, false);
	request(&av, "alice");
	assert_int_equal(avlist_add(&av, "Digest-Realm", "example.com"), 0);
	assert_int_equal(avlist_add(&av, "Digest-Response", "0123456789abcdef0123456789abcdef"), 0);
	assert_non_null(radius_auth(f->r, &av, on_done, &a));
	assert_int_equal(a.calls, 0);	/* never from inside radius_auth() */
	assert_true(run_until(f, &a.calls, 0, 3000));
	assert_int_equal(a.calls, 1);
	assert_int_equal(a.result, RADIUS_ACCEPT);
	assert_string_equal(avlist_find(&a.reply, "Reply-Message", NULL), "welcome");
	assert_string_equal(avlist_find(&a.reply, "Session-Timeout", NULL), "30");
	assert_string_equal(avlist_find(&a.reply, "Framed-IP-Address", NULL), "10.1.2.3");
	assert_string_equal(avlist_find(&a.reply, "Cisco-AVPair", &from), "h323-ivr-in=Routing:10.0.0.1");
	assert_string_equal(avlist_find(&a.reply, "Cisco-AVPair", &from), "h323-ivr-in=Routing:10.0.0.2:5070");
	assert_string_equal(avlist_find(&a.reply, "h323-credit-time", NULL), "h323-credit-time=60");
	assert_null(avlist_find(&a.reply, "Class", NULL));
	assert_int_equal(a.reply.n, 6);
	pthread_mutex_lock(&f->rs.mu);
	assert_string_equal(f->rs.last_user, "alice");
	assert_true(f->rs.last_had_digest);	/* radcli packed Digest-Realm into 207 */
	assert_int_equal(f->rs.last_nas_port, RADIUS_NAS_PORT);
	pthread_mutex_unlock(&f->rs.mu);
	assert_int_equal(radius_stats(f->r)->auth.requests, 1);
	assert_int_equal(radius_stats(f->r)->auth.accepts, 1);
	assert_int_equal(radius_stats(f->r)->auth.seconds.count, 1);
	assert_int_equal(radius_stats(f->r)->workers, 2);
}

static void test_reject(void **state)
{
	struct fx *f = *state;
	struct answer a = { 0 };
	struct avlist av;

	open_pool(f, 1, false);
	request(&av, "reject");
	assert_non_null(radius_auth(f->r, &av, on_done, &a));
	assert_true(run_until(f, &a.calls, 0, 3000));
	assert_int_equal(a.result, RADIUS_REJECT);
	assert_string_equal(avlist_find(&a.reply, "Reply-Message", NULL), "denied");
	assert_string_equal(avlist_find(&a.reply, "h323-return-code", NULL), "h323-return-code=4");
	assert_int_equal(radius_stats(f->r)->auth.rejects, 1);
	assert_string_equal(radius_result_name(RADIUS_ACCEPT), "accept");
	assert_string_equal(radius_result_name(RADIUS_REJECT), "reject");
	assert_string_equal(radius_result_name(RADIUS_TIMEOUT), "timeout");
	assert_string_equal(radius_result_name(RADIUS_ERROR), "error");
}

/* A request no server answers times out after radius_timeout; another one
 * on a second worker is answered meanwhile, not behind it. */
static void test_timeout_does_not_block(void **state)
{
	struct fx *f = *state;
	struct answer slow = { 0 }, fast = { 0 };
	struct avlist av;
	int64_t t0;

	open_pool(f, 2, false);
	t0 = now_ms();
	request(&av, "silent");
	assert_non_null(radius_auth(f->r, &av, on_done, &slow));
	request(&av, "bob");
	assert_non_null(radius_auth(f->r, &av, on_done, &fast));
	assert_true(run_until(f, &fast.calls, 0, 3000));
	assert_int_equal(fast.result, RADIUS_ACCEPT);
	assert_true(fast.at_ms - t0 < 500);
	assert_int_equal(slow.calls, 0);
	assert_true(run_until(f, &slow.calls, 0, 3000));
	assert_int_equal(slow.result, RADIUS_TIMEOUT);
	assert_int_equal(slow.reply.n, 0);
	/* radius_timeout 1, radius_retries 1: two tries. */
	assert_true(slow.at_ms - t0 >= 1900 && slow.at_ms - t0 < 3000);
	assert_int_equal(radius_stats(f->r)->auth.timeouts, 1);
}

/* With one worker, the second request waits in the queue (not in radcli). */
static void test_queue_and_cancel(void **state)
{
	struct fx *f = *state;
	struct answer a1 = { 0 }, a2 = { 0 }, a3 = { 0 };
	struct radius_req *r1, *r2;
	struct avlist av;

	open_pool(f, 1, false);
	request(&av, "silent");
	r1 = radius_auth(f->r, &av, on_done, &a1);
	request(&av, "bob");
	r2 = radius_auth(f->r, &av, on_done, &a2);
	assert_non_null(radius_auth(f->r, &av, on_done, &a3));
	assert_non_null(r1);
	assert_non_null(r2);
	assert_int_equal(radius_stats(f->r)->queued, 2);
	assert_int_equal(radius_stats(f->r)->busy, 1);
	radius_cancel(r2);	/* queued: gone at once */
	radius_cancel(r1);	/* in flight: its answer is dropped */
	radius_cancel(NULL);
	assert_int_equal(radius_stats(f->r)->queued, 1);
	assert_true(run_until(f, &a3.calls, 0, 3000));
	assert_int_equal(a3.result, RADIUS_ACCEPT);
	run_for(f, 200);
	assert_int_equal(a1.calls, 0);
	assert_int_equal(a2.calls, 0);
	assert_int_equal(radius_stats(f->r)->auth_cancelled, 2);
	assert_int_equal(radius_stats(f->r)->auth.timeouts, 1);
}

static void test_queue_full(void **state)
{
	struct fx *f = *state;
	struct answer a = { 0 };
	struct avlist av;

	open_pool(f, 1, false);
	request(&av, "silent");
	for (int i = 0; i <= RADIUS_QUEUE_MAX; i++)
		assert_non_null(radius_auth(f->r, &av, on_done, &a));	/* one runs, the rest wait */
	assert_null(radius_auth(f->r, &av, on_done, &a));
	assert_int_equal(radius_stats(f->r)->auth_refused, 1);
	assert_int_equal(radius_stats(f->r)->queued, RADIUS_QUEUE_MAX);
	/* Closing drops them without callbacks. */
	radius_close(f->r);
	f->r = NULL;
	assert_int_equal(a.calls, 0);
}

static void test_unknown_attribute(void **state)
{
	struct fx *f = *state;
	struct answer a = { 0 }, b = { 0 }, c = { 0 };
	struct avlist av;

	open_pool(f, 1, true);
	request(&av, "bob");
	assert_int_equal(avlist_add(&av, "No-Such-Attribute", "x"), 0);
	assert_non_null(radius_auth(f->r, &av, on_done, &a));
	request(&av, "bob");
	assert_int_equal(avlist_add(&av, "Session-Timeout", "soon"), 0);
	assert_non_null(radius_auth(f->r, &av, on_done, &b));
	request(&av, "bob");
	assert_int_equal(avlist_add(&av, "Framed-IP-Address", "not-an-ip"), 0);
	assert_non_null(radius_auth(f->r, &av, on_done, &c));
	assert_int_equal(a.calls, 0);
	assert_true(run_until(f, &c.calls, 0, 3000));
	assert_int_equal(a.result, RADIUS_ERROR);
	assert_int_equal(b.result, RADIUS_ERROR);
	assert_int_equal(c.result, RADIUS_ERROR);
	assert_int_equal(f->rs.n_auth, 0);
	/* An accounting record that cannot be encoded is logged and dropped,
	 * not spooled: it would block the spool for ever. */
	acct_record(&av, "bad-1");
	assert_int_equal(avlist_add(&av, "No-Such-Attribute", "x"), 0);
	assert_int_equal(radius_acct(f->r, &av), 0);
	run_for(f, 300);
	assert_int_equal(radius_stats(f->r)->acct_lost, 1);
	assert_int_equal(radius_spool_size(f->r), 0);
	assert_int_equal(n_acct(&f->rs), 0);
}

/* Every value type the dictionary has goes out. */
static void test_value_types(void **state)
{
	struct fx *f = *state;
	struct answer a = { 0 };
	struct avlist av;

	open_pool(f, 1, false);
	request(&av, "bob");
	assert_int_equal(avlist_add(&av, "Service-Type", "Sip-Session"), 0);	/* a VALUE */
	assert_int_equal(avlist_add(&av, "NAS-Port", "7"), 0);
	assert_int_equal(avlist_add(&av, "Event-Timestamp", "1700000000"), 0);
	assert_int_equal(avlist_add(&av, "NAS-IPv6-Address", "2001:db8::1"), 0);
	assert_int_equal(avlist_add(&av, "Framed-IPv6-Prefix", "2001:db8::/32"), 0);
	assert_non_null(radius_auth(f->r, &av, on_done, &a));
	assert_true(run_until(f, &a.calls, 0, 3000));
	assert_int_equal(a.result, RADIUS_ACCEPT);
	pthread_mutex_lock(&f->rs.mu);
	assert_int_equal(f->rs.last_nas_port, 7);
	pthread_mutex_unlock(&f->rs.mu);
	/* A VALUE of another attribute is no value of this one. */
	request(&av, "bob");
	assert_int_equal(avlist_add(&av, "Service-Type", "User-Request"), 0);
	a.calls = 0;
	assert_non_null(radius_auth(f->r, &av, on_done, &a));
	assert_true(run_until(f, &a.calls, 0, 3000));
	assert_int_equal(a.result, RADIUS_ERROR);
	static const char *const bad[][2] = {
		{ "NAS-IPv6-Address", "1.2.3.4" },	{ "Framed-IPv6-Prefix", "2001:db8::" },
		{ "Framed-IPv6-Prefix", "2001:db8::/129" }, { "Event-Timestamp", "-1" },
		{ "NAS-Port", "4294967296" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		request(&av, "bob");
		assert_int_equal(avlist_add(&av, bad[i][0], bad[i][1]), 0);
		a.calls = 0;
		assert_non_null(radius_auth(f->r, &av, on_done, &a));
		assert_true(run_until(f, &a.calls, 0, 3000));
		assert_int_equal(a.result, RADIUS_ERROR);
	}
}

static void test_acct_delivered(void **state)
{
	struct fx *f = *state;
	struct avlist av;
	int64_t t0 = now_ms();

	open_pool(f, 2, true);
	acct_record(&av, "call-1");
	assert_int_equal(radius_acct(f->r, &av), 0);
	acct_record(&av, "call-2");
	assert_int_equal(avlist_add(&av, "Acct-Delay-Time", "5"), 0);
	assert_int_equal(radius_acct(f->r, &av), 0);
	while (n_acct(&f->rs) < 2 && now_ms() - t0 < 3000)
		run_for(f, 20);
	assert_int_equal(n_acct(&f->rs), 2);
	pthread_mutex_lock(&f->rs.mu);
	for (int i = 0; i < 2; i++) {
		bool first = strcmp(f->rs.acct_session[i], "call-1") == 0;

		assert_int_equal(f->rs.acct_delay[i], first ? 0 : 5);
	}
	pthread_mutex_unlock(&f->rs.mu);
	run_for(f, 50);
	assert_int_equal(radius_stats(f->r)->acct.accepts, 2);
	assert_int_equal(radius_spool_size(f->r), 0);
}

/* The server goes silent: records are spooled, later ones go behind them;
 * it comes back: the spool retries (timer), delivers oldest first with
 * their delay, and ends empty. */
static void test_acct_spool_and_retry(void **state)
{
	struct fx *f = *state;
	struct avlist av;
	char name[16];

	open_pool(f, 1, true);
	set_silent(&f->rs, false, true);
	acct_record(&av, "s-0");
	assert_int_equal(radius_acct(f->r, &av), 0);
	assert_true(run_until(f, NULL, 1, 3000));	/* timed out: spooled */
	for (int i = 1; i < 4; i++) {
		snprintf(name, sizeof(name), "s-%d", i);
		acct_record(&av, name);
		assert_int_equal(radius_acct(f->r, &av), 0);	/* behind the spool */
	}
	assert_int_equal(radius_spool_size(f->r), 4);
	assert_int_equal(radius_stats(f->r)->acct_spooled, 4);
	run_for(f, 1500);
	set_silent(&f->rs, false, false);
	/* The retry timer (RADIUS_SPOOL_RETRY_MS) sends the oldest; then the rest. */
	assert_true(run_until(f, NULL, 0, RADIUS_SPOOL_RETRY_MS + 4000));
	assert_int_equal(n_acct(&f->rs), 4);
	pthread_mutex_lock(&f->rs.mu);
	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "s-%d", i);
		assert_string_equal(f->rs.acct_session[i], name);
		assert_true(f->rs.acct_delay[i] >= 2);	/* it waited */
	}
	pthread_mutex_unlock(&f->rs.mu);
	assert_int_equal(radius_stats(f->r)->acct_unspooled, 4);
	assert_int_equal(radius_stats(f->r)->acct.timeouts, 1);
	/* Empty again: new records go straight out. */
	acct_record(&av, "s-4");
	assert_int_equal(radius_acct(f->r, &av), 0);
	run_for(f, 300);
	assert_int_equal(n_acct(&f->rs), 5);
	assert_int_equal(radius_stats(f->r)->acct_spooled, 4);
}

/* An answer to anything (here an Access-Accept) sends the spool at once. */
static void test_spool_kicked_by_answer(void **state)
{
	struct fx *f = *state;
	struct answer a = { 0 };
	struct avlist av;

	open_pool(f, 2, true);
	set_silent(&f->rs, false, true);
	acct_record(&av, "k-0");
	assert_int_equal(radius_acct(f->r, &av), 0);
	assert_true(run_until(f, NULL, 1, 3000));
	set_silent(&f->rs, false, false);
	request(&av, "bob");
	assert_non_null(radius_auth(f->r, &av, on_done, &a));
	assert_true(run_until(f, NULL, 0, 2000));	/* well before the retry timer */
	assert_int_equal(n_acct(&f->rs), 1);
}

/* Records queued or in flight when ccd stops are spooled; the next start
 * delivers them. */
static void test_close_spools_and_restart_delivers(void **state)
{
	struct fx *f = *state;
	struct answer a = { 0 };
	struct avlist av;

	open_pool(f, 1, true);
	set_silent(&f->rs, false, true);
	request(&av, "silent");
	assert_non_null(radius_auth(f->r, &av, on_done, &a));	/* holds the only worker */
	acct_record(&av, "c-0");
	assert_int_equal(radius_acct(f->r, &av), 0);	/* queued */
	acct_record(&av, "c-1");
	assert_int_equal(radius_acct(f->r, &av), 0);
	radius_close(f->r);	/* waits for the auth job (timeout), spools c-0, c-1 */
	f->r = NULL;
	assert_int_equal(a.calls, 0);
	{
		struct acct_spool *sp;
		char err[256];

		assert_int_equal(acct_spool_open(&sp, f->spool, err, sizeof(err)), 0);
		assert_int_equal(acct_spool_pending(sp), 2);
		acct_spool_close(sp);
	}
	set_silent(&f->rs, false, false);
	open_pool(f, 1, true);
	assert_int_equal(radius_spool_size(f->r), 2);
	assert_true(run_until(f, NULL, 0, 3000));
	assert_int_equal(n_acct(&f->rs), 2);
	pthread_mutex_lock(&f->rs.mu);
	assert_string_equal(f->rs.acct_session[0], "c-0");
	assert_string_equal(f->rs.acct_session[1], "c-1");
	pthread_mutex_unlock(&f->rs.mu);
}

/* An accounting record in flight at close that times out is spooled. */
static void test_close_spools_in_flight(void **state)
{
	struct fx *f = *state;
	struct avlist av;

	open_pool(f, 1, true);
	set_silent(&f->rs, false, true);
	acct_record(&av, "f-0");
	assert_int_equal(radius_acct(f->r, &av), 0);
	run_for(f, 50);
	assert_int_equal(radius_stats(f->r)->busy, 1);
	radius_close(f->r);
	f->r = NULL;
	set_silent(&f->rs, false, false);
	open_pool(f, 1, true);
	assert_true(run_until(f, NULL, 0, 3000));
	assert_int_equal(n_acct(&f->rs), 1);
}

static void test_no_spool_loses_and_says_so(void **state)
{
	struct fx *f = *state;
	struct avlist av;

	open_pool(f, 1, false);
	set_silent(&f->rs, false, true);
	acct_record(&av, "l-0");
	assert_int_equal(radius_acct(f->r, &av), 0);
	run_for(f, 2500);
	assert_int_equal(radius_stats(f->r)->acct_lost, 1);
	assert_int_equal(radius_spool_size(f->r), 0);
	assert_int_equal(radius_spool_size(NULL), 0);
	assert_int_equal(radius_stats(NULL)->acct_lost, 0);
}

static void test_open_errors(void **state)
{
	struct fx *f = *state;
	char err[512], path[160], dict[160];
	struct radius *r;
	FILE *d;

	assert_int_equal(radius_open(&r, f->base, f->zctx, f->conf, 0, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "must be 1.."));
	assert_null(r);

	snprintf(path, sizeof(path), "%s/nothing.conf", f->dir);
	assert_int_equal(radius_open(&r, f->base, f->zctx, path, 1, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));

	/* radcli's own complaint (through our syslog) makes the reason. */
	snprintf(dict, sizeof(dict), "%s/no-dictionary", f->dir);
	write_conf(f, dict, 1, 1);
	assert_int_equal(radius_open(&r, f->base, f->zctx, f->conf, 1, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "radcli cannot use"));
	assert_non_null(strstr(err, "no-dictionary"));

	/* A dictionary without the Cisco VSAs. */
	snprintf(dict, sizeof(dict), "%s/dictionary", f->dir);
	d = fopen(dict, "w");
	assert_non_null(d);
	fprintf(d, "ATTRIBUTE User-Name 1 string\nATTRIBUTE Password 2 string\n"
		   "ATTRIBUTE Calling-Station-Id 31 string\nATTRIBUTE Called-Station-Id 30 string\n"
		   "ATTRIBUTE Acct-Status-Type 40 integer\nATTRIBUTE Acct-Session-Id 44 string\n"
		   "ATTRIBUTE Acct-Session-Time 46 integer\nATTRIBUTE Acct-Delay-Time 41 integer\n"
		   "ATTRIBUTE Digest-Response 206 string\nATTRIBUTE Digest-Attributes 207 string\n"
		   "ATTRIBUTE Digest-Realm 1063 string\nATTRIBUTE Digest-User-Name 1072 string\n");
	fclose(d);
	write_conf(f, dict, 1, 1);
	assert_int_equal(radius_open(&r, f->base, f->zctx, f->conf, 1, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "has no Cisco-AVPair (vendor 9)"));
	/* ... and one with them but without Alive. */
	d = fopen(dict, "a");
	fprintf(d, "VENDOR Cisco 9\nATTRIBUTE Cisco-AVPair 1 string Cisco\n"
		   "ATTRIBUTE h323-remote-address 23 string Cisco\nATTRIBUTE h323-credit-time 102 string Cisco\n");
	fclose(d);
	assert_int_equal(radius_open(&r, f->base, f->zctx, f->conf, 1, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "VALUE Acct-Status-Type Alive 3"));

	write_conf(f, f->dict, 1, 1);
	snprintf(path, sizeof(path), "%s/no/dir/acct.spool", f->dir);
	assert_int_equal(radius_open(&r, f->base, f->zctx, f->conf, 1, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "acct spool"));
	radius_close(NULL);
}

/* radcli's syslog(3) lines come to our log; errors are remembered. */
static void test_syslog_hook(void **state)
{
	(void)state;
	openlog("x", LOG_PID, LOG_USER);
	errno = ENOENT;
	radius_clear_radcli_errors();
	syslog(LOG_ERR, "radcli: cannot open %s: %m", "thing");
	assert_string_equal(radius_last_radcli_error(), "cannot open thing: No such file or directory");
	syslog(LOG_INFO, "just saying");
	syslog(LOG_DEBUG, "debug");
	syslog(LOG_WARNING, "warning");
	syslog(LOG_CRIT, "critical");
	assert_string_equal(radius_last_radcli_error(), "cannot open thing: No such file or directory; critical");
	for (int i = 0; i < 100; i++)
		syslog(LOG_ERR, "a long line to fill the buffer up");
	assert_true(strlen(radius_last_radcli_error()) < 400);
	radius_clear_radcli_errors();
	assert_string_equal(radius_last_radcli_error(), "");
	closelog();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_accept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reject, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_does_not_block, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_and_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_attribute, setup, teardown),
		cmocka_unit_test_setup_teardown(test_value_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_acct_delivered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_acct_spool_and_retry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool_kicked_by_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_spools_and_restart_delivers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_spools_in_flight, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_spool_loses_and_says_so, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
		cmocka_unit_test(test_syslog_hook),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
