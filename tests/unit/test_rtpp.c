/*
 * test_rtpp.c - RTP proxy specs, the rtpproxy commands and replies, and
 * the control client: against fake proxies played by the test (UDP,
 * unix, cunix, tcp: cookies, retransmission, timeouts, broken streams)
 * and against a real rtpengine's rtpproxy listener (V, U, L, D).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/un.h>

#include "ccd/rtpp.h"
#include "test_media_harness.h"

/* ---------------------------------------------------------------- specs */

static void spec_ok(const char *s, struct rtpp_spec *sp)
{
	char err[256];

	if (rtpp_spec_parse(s, sp, err, sizeof(err)) < 0)
		fail_msg("'%s': %s", s, err);
}

static void spec_bad(const char *s, const char *why)
{
	struct rtpp_spec sp;
	char err[256];

	assert_int_equal(rtpp_spec_parse(s, &sp, err, sizeof(err)), -1);
	if (!strstr(err, why))
		fail_msg("'%s': '%s' does not say '%s'", s, err, why);
}

static void test_spec_parse(void **state)
{
	struct rtpp_spec sp;
	char longpath[200];

	(void)state;
	spec_ok("udp:127.0.0.1", &sp);
	assert_int_equal(sp.proto, RTPP_PROTO_RTPPROXY);
	assert_int_equal(sp.transport, RTPP_TR_UDP);
	assert_string_equal(sp.host, "127.0.0.1");
	assert_int_equal(sp.port, RTPP_DEFAULT_PORT);
	assert_int_equal(sp.weight, 1);
	spec_ok("udp:rtpp.example.net:7722", &sp);
	assert_string_equal(sp.host, "rtpp.example.net");
	assert_int_equal(sp.port, 7722);
	spec_ok("udp6:[::1]:5000", &sp);
	assert_true(sp.ipv6_only);
	assert_string_equal(sp.host, "::1");
	assert_int_equal(sp.port, 5000);
	spec_ok("udp6:2001:db8::1", &sp);
	assert_string_equal(sp.host, "2001:db8::1");
	assert_int_equal(sp.port, RTPP_DEFAULT_PORT);
	spec_ok("tcp:10.0.0.1:9", &sp);
	assert_int_equal(sp.transport, RTPP_TR_TCP);
	spec_ok("tcp6:[::1]", &sp);
	assert_int_equal(sp.transport, RTPP_TR_TCP);
	assert_true(sp.ipv6_only);
	spec_ok("unix:/var/run/rtpproxy.sock", &sp);
	assert_int_equal(sp.transport, RTPP_TR_UNIX);
	assert_string_equal(sp.path, "/var/run/rtpproxy.sock");
	spec_ok("cunix:/run/r.sock", &sp);
	assert_int_equal(sp.transport, RTPP_TR_CUNIX);
	spec_ok("/run/bare.sock", &sp);
	assert_int_equal(sp.transport, RTPP_TR_UNIX);
	assert_string_equal(sp.path, "/run/bare.sock");
	spec_ok("/run/odd:name.sock", &sp);
	assert_string_equal(sp.path, "/run/odd:name.sock");
	spec_ok("ng:127.0.0.1", &sp);
	assert_int_equal(sp.proto, RTPP_PROTO_NG);
	assert_int_equal(sp.port, RTPP_NG_DEFAULT_PORT);
	spec_ok("ng:127.0.0.1:2224;weight=5", &sp);
	assert_int_equal(sp.port, 2224);
	assert_int_equal(sp.weight, 5);
	spec_ok("unix:/a;b.sock;weight=1000", &sp);
	assert_string_equal(sp.path, "/a;b.sock");
	assert_int_equal(sp.weight, 1000);

	spec_bad("", "empty RTP proxy");
	spec_bad(NULL, "empty RTP proxy");
	spec_bad("udp:", "bad host[:port]");
	spec_bad("udp:1.2.3.4:0", "bad host[:port]");
	spec_bad("udp:1.2.3.4:70000", "bad host[:port]");
	spec_bad("udp:[::1", "bad host[:port]");
	spec_bad("udp:a\tb", "bad host");
	spec_bad("udp:[]:5", "bad host");
	spec_bad("sctp:1.2.3.4", "unknown RTP proxy type");
	spec_bad("unix:", "UNIX socket path empty or too long");
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	spec_bad(longpath, "UNIX socket path empty or too long");
	spec_bad("udp:1.2.3.4;weight=0", "weight must be 1..1000");
	spec_bad("udp:1.2.3.4;weight=1001", "weight must be 1..1000");
	spec_bad("udp:1.2.3.4;weight=x", "weight must be 1..1000");
	{
		char big[RTPP_SPEC_MAX + 10];

		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		memcpy(big, "udp:", 4);
		spec_bad(big, "RTP proxy spec too long");
	}
}

static void test_spec_resolve(void **state)
{
	struct rtpp_spec sp;
	char err[256];

	(void)state;
	spec_ok("udp:127.0.0.1:7722", &sp);
	assert_int_equal(rtpp_spec_resolve(&sp, err, sizeof(err)), 0);
	assert_int_equal(netaddr_port(&sp.addr), 7722);
	spec_ok("udp:localhost:7722", &sp);
	assert_int_equal(rtpp_spec_resolve(&sp, err, sizeof(err)), 0);
	assert_int_equal(netaddr_port(&sp.addr), 7722);
	spec_ok("udp6:127.0.0.1", &sp);
	assert_int_equal(rtpp_spec_resolve(&sp, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is not an IPv6 address"));
	spec_ok("udp:no-such-host.invalid", &sp);
	assert_int_equal(rtpp_spec_resolve(&sp, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot resolve no-such-host.invalid"));
	spec_ok("unix:/x", &sp);
	assert_int_equal(rtpp_spec_resolve(&sp, err, sizeof(err)), 0);
}

/* ---------------------------------------------------------------- commands */

static void cmd_is(const struct rtpp_stream_cmd *cmd, const char *want)
{
	char buf[512];
	int n = rtpp_cmd_stream(buf, sizeof(buf), cmd);

	if (!want) {
		assert_int_equal(n, -1);
		return;
	}
	assert_int_equal(n, (int)strlen(want));
	assert_memory_equal(buf, want, (size_t)n);
}

static void test_cmd_stream(void **state)
{
	struct rtpp_stream_cmd c = {
		.call_id = PL("abc@host-1"), .addr = PL("192.0.2.1"), .port = 6000,
		.offerer_tag = PL("f1"), .medianum = 1,
	};
	char small[10];

	(void)state;
	cmd_is(&c, "U abc@host-1 192.0.2.1 6000 f1;1");
	c.answerer_tag = PL("t2");
	c.medianum = 2;
	cmd_is(&c, "U abc@host-1 192.0.2.1 6000 f1;2 t2;2");
	c.answer = true;
	cmd_is(&c, "L abc@host-1 192.0.2.1 6000 f1;2 t2;2");
	c.ipv6 = true;
	c.addr = PL("2001:db8::1");
	cmd_is(&c, "L6 abc@host-1 2001:db8::1 6000 f1;2 t2;2");
	c.notify_socket = PL("unix:/run/ccd.sock");
	c.notify_tag = PL("r%207");
	cmd_is(&c, "L6 abc@host-1 2001:db8::1 6000 f1;2 t2;2 unix:/run/ccd.sock r%207");
	/* A notify socket needs the second tag; without it, none is sent. */
	c.answer = false;
	c.answerer_tag = PL_NULL;
	cmd_is(&c, "U6 abc@host-1 2001:db8::1 6000 f1;2");
	/* Errors. */
	c.answer = true;
	cmd_is(&c, NULL);		/* an answer without the answerer's tag */
	c.answer = false;
	c.medianum = 0;
	cmd_is(&c, NULL);
	c.medianum = 1;
	c.port = 0;
	cmd_is(&c, NULL);
	c.port = 1;
	c.call_id = PL("a b");
	cmd_is(&c, NULL);
	c.call_id = PL("a\r\nb");
	cmd_is(&c, NULL);
	c.call_id = PL("");
	cmd_is(&c, NULL);
	c.call_id = PL("ok");
	assert_int_equal(rtpp_cmd_stream(small, sizeof(small), &c), -1);
}

static void test_cmd_delete(void **state)
{
	char buf[64];
	int n;

	(void)state;
	n = rtpp_cmd_delete(buf, sizeof(buf), PL("c1"), PL("f"), PL("t"));
	assert_int_equal(n, 8);
	assert_memory_equal(buf, "D c1 f t", 8);
	n = rtpp_cmd_delete(buf, sizeof(buf), PL("c1"), PL("f"), PL_NULL);
	assert_int_equal(n, 6);
	assert_memory_equal(buf, "D c1 f", 6);
	assert_int_equal(rtpp_cmd_delete(buf, sizeof(buf), PL("c 1"), PL("f"), PL_NULL), -1);
	assert_int_equal(rtpp_cmd_delete(buf, 4, PL("c1"), PL("f"), PL_NULL), -1);
}

static void reply_ok(const char *r, unsigned port, const char *addr, bool v6)
{
	uint16_t p = 0;
	struct pl a;
	bool ipv6;
	const char *why = NULL;

	if (rtpp_parse_stream_reply(pl_from_str(r), &p, &a, &ipv6, &why) < 0)
		fail_msg("'%s': %s", r, why);
	assert_int_equal(p, port);
	if (addr)
		assert_true(pl_eq_str(a, addr));
	else
		assert_null(a.p);
	assert_int_equal(ipv6, v6);
}

static void reply_bad(const char *r, const char *why_want)
{
	uint16_t p;
	struct pl a;
	bool ipv6;
	const char *why = NULL;

	assert_int_equal(rtpp_parse_stream_reply(pl_from_str(r), &p, &a, &ipv6, &why), -1);
	assert_string_equal(why, why_want);
}

static void test_stream_reply(void **state)
{
	(void)state;
	reply_ok("30000 127.0.0.1 4\n", 30000, "127.0.0.1", false);
	reply_ok("30002", 30002, NULL, false);
	reply_ok("30004 ::1 6", 30004, "::1", true);
	reply_ok("30006 2001:db8::5", 30006, "2001:db8::5", true);
	reply_ok("30008 127.0.0.1", 30008, "127.0.0.1", false);
	reply_bad("E8", "the proxy answered an error");
	reply_bad("e71\n", "the proxy answered an error");
	reply_bad("0 0.0.0.0", "the proxy answered port 0 (no session)");
	reply_bad("", "the proxy's answer is not a port");
	reply_bad("abc", "the proxy's answer is not a port");
	reply_bad("70000 1.2.3.4", "the proxy's answer is not a port");
	reply_bad("30000 1.2.3.4 4 x", "the proxy's answer has too many words");
	reply_bad("30000 1.2.3.4 5", "the proxy's answer has an unknown address family");
	reply_bad("30000 not-an-ip", "the proxy's answer has no valid address");
	reply_bad("30000 ::1 4", "the proxy's answer has no valid address");
	reply_bad("30000 1.2.3.4 6", "the proxy's answer has no valid address");
	assert_true(rtpp_version_ok(PL("20040107\n")));
	assert_false(rtpp_version_ok(PL("20040108")));
	assert_false(rtpp_version_ok(PL("E1")));
}

/* ---------------------------------------------------------------- client harness */

struct done {
	int calls;
	enum rtpp_result result;
	char reply[512];
	int order[8];		/* tags of the callbacks in order */
};

struct done_arg {
	struct done *d;
	int tag;
};

static void on_done(void *arg, enum rtpp_result result, struct pl reply)
{
	struct done_arg *a = arg;

	if (a->d->calls < 8)
		a->d->order[a->d->calls] = a->tag;
	a->d->calls++;
	a->d->result = result;
	snprintf(a->d->reply, sizeof(a->d->reply), "%.*s", PL_FMT(reply));
}

static struct event_base *B;

/* Runs the loop until *calls reaches want or ms pass. */
static void pump_until(int *calls, int want, int ms)
{
	int64_t end = mh_now_ms() + ms;

	while ((!calls || *calls < want) && mh_now_ms() < end) {
		event_base_loop(B, EVLOOP_NONBLOCK);
		usleep(1000);
	}
}

static void pump(int ms)
{
	pump_until(NULL, 0, ms);
}

static int setup(void **state)
{
	(void)state;
	B = event_base_new();
	return B ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	event_base_free(B);
	return 0;
}

static struct rtpp_client *client(const char *spec_str, uint32_t first_ms, uint32_t total_ms)
{
	struct rtpp_spec sp;
	struct rtpp_timing tm = { first_ms, total_ms };
	struct rtpp_client *c;
	char err[256];

	spec_ok(spec_str, &sp);
	assert_int_equal(rtpp_spec_resolve(&sp, err, sizeof(err)), 0);
	c = rtpp_client_new(B, &sp, 0xc0ffee01, &tm, err, sizeof(err));
	if (!c)
		fail_msg("client %s: %s", spec_str, err);
	return c;
}

/* A fake proxy on UDP 127.0.0.1:port. */
static int fake_udp(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/* One datagram the fake got (NUL-terminated), and who sent it. */
static int fake_recv(int fd, char *buf, size_t cap, struct sockaddr_storage *from)
{
	socklen_t fl = sizeof(*from);
	ssize_t n = -1;

	for (int i = 0; i < 500 && n < 0; i++) {
		n = recvfrom(fd, buf, cap - 1, 0, (struct sockaddr *)from, &fl);
		if (n < 0) {
			event_base_loop(B, EVLOOP_NONBLOCK);
			usleep(1000);
		}
	}
	assert_true(n > 0);
	buf[n] = '\0';
	return (int)n;
}

static void fake_send(int fd, const struct sockaddr_storage *to, const char *msg)
{
	assert_true(sendto(fd, msg, strlen(msg), 0, (const struct sockaddr *)to, sizeof(struct sockaddr_in)) ==
		    (ssize_t)strlen(msg));
}

/* The cookie of a request ("xxx " at its start) followed by reply. */
static void answer(int fd, const struct sockaddr_storage *to, const char *req, const char *reply)
{
	char msg[512];
	const char *sp = strchr(req, ' ');

	assert_non_null(sp);
	snprintf(msg, sizeof(msg), "%.*s %s", (int)(sp - req), req, reply);
	fake_send(fd, to, msg);
}

/* ---------------------------------------------------------------- UDP client */

static void test_udp_request_reply(void **state)
{
	struct rtpp_client *c;
	struct done d = { 0 };
	struct done_arg a1 = { &d, 1 }, a2 = { &d, 2 };
	struct sockaddr_storage from;
	char req1[256], req2[256];
	int fd;

	(void)state;
	if (!mh_in_netns)
		skip();
	fd = fake_udp(25001);
	c = client("udp:127.0.0.1:25001", 200, 1000);
	assert_int_equal(rtpp_request(c, PL("V"), on_done, &a1), 0);
	assert_int_equal(rtpp_request(c, PL("VF 20081224"), on_done, &a2), 0);
	assert_int_equal(d.calls, 0);	/* never from inside rtpp_request */
	assert_int_equal(rtpp_pending(c), 2);
	fake_recv(fd, req1, sizeof(req1), &from);
	fake_recv(fd, req2, sizeof(req2), &from);
	/* "<8 hex>_<seq> V": cookies differ. */
	assert_non_null(strstr(req1, "c0ffee01_"));
	assert_non_null(strstr(req1, " V"));
	assert_non_null(strstr(req2, " VF 20081224"));
	assert_true(strncmp(req1, req2, (size_t)(strchr(req1, ' ') - req1 + 1)) != 0);
	/* Replies out of order are matched by cookie. */
	answer(fd, &from, req2, "1");
	answer(fd, &from, req1, "20040107\n");
	pump_until(&d.calls, 2, 1000);
	assert_int_equal(d.calls, 2);
	assert_int_equal(d.order[0], 2);
	assert_int_equal(d.order[1], 1);
	assert_int_equal(d.result, RTPP_OK);
	assert_string_equal(d.reply, "20040107\n");
	assert_int_equal(rtpp_pending(c), 0);
	/* A second answer (the proxy saw a retransmission) is a stray. */
	answer(fd, &from, req1, "20040107");
	fake_send(fd, &from, "nonsense");
	fake_send(fd, &from, "c0ffee01_zz V");
	fake_send(fd, &from, "c0ffee01_");
	fake_send(fd, &from, "deadbeef_1 x");
	pump(100);
	assert_int_equal(d.calls, 2);
	assert_int_equal(rtpp_client_stats(c)->stray_replies, 5);
	assert_int_equal(rtpp_client_stats(c)->replies, 2);
	assert_int_equal(rtpp_client_stats(c)->requests, 2);
	assert_int_equal(rtpp_client_spec(c)->port, 25001);
	rtpp_client_free(c);
	close(fd);
}

static void test_udp_retransmit_and_timeout(void **state)
{
	struct rtpp_client *c;
	struct done d = { 0 };
	struct done_arg a = { &d, 1 };
	struct sockaddr_storage from;
	char r1[256], r2[256], r3[256];
	int fd;
	int64_t t0;

	(void)state;
	if (!mh_in_netns)
		skip();
	fd = fake_udp(25002);
	c = client("udp:127.0.0.1:25002", 50, 300);
	/* Retransmitted with the same cookie, answered on the second copy. */
	assert_int_equal(rtpp_request(c, PL("U c 1.2.3.4 5 f;1"), on_done, &a), 0);
	fake_recv(fd, r1, sizeof(r1), &from);
	fake_recv(fd, r2, sizeof(r2), &from);
	assert_string_equal(r1, r2);
	answer(fd, &from, r2, "30000 127.0.0.1 4");
	pump_until(&d.calls, 1, 1000);
	assert_int_equal(d.calls, 1);
	assert_int_equal(d.result, RTPP_OK);
	assert_int_equal(rtpp_client_stats(c)->retransmissions, 1);
	/* No answer: sent at 0, 50 and 150 ms, then a timeout at 300 ms. */
	t0 = mh_now_ms();
	assert_int_equal(rtpp_request(c, PL("V"), on_done, &a), 0);
	pump_until(&d.calls, 2, 2000);
	assert_int_equal(d.calls, 2);
	assert_int_equal(d.result, RTPP_TIMEOUT);
	assert_int_equal(d.reply[0], '\0');
	assert_true(mh_now_ms() - t0 >= 290);
	fake_recv(fd, r1, sizeof(r1), &from);
	fake_recv(fd, r2, sizeof(r2), &from);
	fake_recv(fd, r3, sizeof(r3), &from);
	assert_string_equal(r1, r3);
	assert_int_equal(rtpp_client_stats(c)->timeouts, 1);
	assert_int_equal(rtpp_client_stats(c)->retransmissions, 3);
	/* Too large or empty: refused at once. */
	{
		static char big[RTPP_REQUEST_MAX + 2];

		memset(big, 'x', sizeof(big));
		assert_int_equal(rtpp_request(c, pl_from(big, sizeof(big)), on_done, &a), -1);
		assert_int_equal(rtpp_request(c, PL(""), on_done, &a), -1);
	}
	/* Freeing with a request pending: no callback. */
	assert_int_equal(rtpp_request(c, PL("V"), on_done, &a), 0);
	rtpp_client_free(c);
	pump(50);
	assert_int_equal(d.calls, 2);
	close(fd);
}

/* ---------------------------------------------------------------- stream clients */

static int listen_unix(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

	unlink(path);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(fd, 4), 0);
	return fd;
}

static int listen_tcp(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 4), 0);
	return fd;
}

static int accept_one(int lfd)
{
	int fd = -1;

	for (int i = 0; i < 1000 && fd < 0; i++) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
		if (fd < 0) {
			event_base_loop(B, EVLOOP_NONBLOCK);
			usleep(1000);
		}
	}
	assert_true(fd >= 0);
	return fd;
}

/* Reads until want lines arrived; returns them NUL-terminated. */
static void read_lines(int fd, char *buf, size_t cap, int want)
{
	size_t len = 0;
	int lines = 0;

	for (int i = 0; i < 1000 && lines < want; i++) {
		ssize_t n = read(fd, buf + len, cap - 1 - len);

		if (n > 0) {
			for (ssize_t j = 0; j < n; j++)
				lines += buf[len + (size_t)j] == '\n';
			len += (size_t)n;
		} else {
			event_base_loop(B, EVLOOP_NONBLOCK);
			usleep(1000);
		}
	}
	buf[len] = '\0';
	assert_int_equal(lines, want);
}

static void write_str(int fd, const char *s)
{
	assert_true(write(fd, s, strlen(s)) == (ssize_t)strlen(s));
}

static void test_unix_in_order(void **state)
{
	const char *path = "/tmp/tandem-test-rtpp-unix.sock";
	char spec[128], lines[512];
	struct rtpp_client *c;
	struct done d = { 0 };
	struct done_arg a1 = { &d, 1 }, a2 = { &d, 2 }, a3 = { &d, 3 };
	int lfd = listen_unix(path), fd;

	(void)state;
	snprintf(spec, sizeof(spec), "unix:%s", path);
	c = client(spec, 50, 300);
	assert_int_equal(rtpp_request(c, PL("V"), on_done, &a1), 0);
	assert_int_equal(rtpp_request(c, PL("U c 1.2.3.4 5 f;1"), on_done, &a2), 0);
	assert_int_equal(rtpp_request(c, PL("bad\nline"), on_done, &a3), -1);
	fd = accept_one(lfd);
	read_lines(fd, lines, sizeof(lines), 2);
	/* No cookies on a unix: stream. */
	assert_string_equal(lines, "V\nU c 1.2.3.4 5 f;1\n");
	write_str(fd, "20040107\n30000 ");
	pump_until(&d.calls, 1, 1000);
	assert_int_equal(d.calls, 1);
	assert_string_equal(d.reply, "20040107");
	write_str(fd, "127.0.0.1\r\n");
	pump_until(&d.calls, 2, 1000);
	assert_int_equal(d.order[1], 2);
	assert_string_equal(d.reply, "30000 127.0.0.1");
	/* A reply nobody waits for is a stray. */
	write_str(fd, "junk\n");
	pump(50);
	assert_int_equal(rtpp_client_stats(c)->stray_replies, 1);
	/* No answer: the stream is out of step, so everything on it fails
	 * and the next request reconnects. */
	assert_int_equal(rtpp_request(c, PL("V"), on_done, &a1), 0);
	assert_int_equal(rtpp_request(c, PL("V"), on_done, &a2), 0);
	pump_until(&d.calls, 4, 2000);
	assert_int_equal(d.calls, 4);
	assert_int_equal(d.result, RTPP_TIMEOUT);
	assert_int_equal(rtpp_client_stats(c)->timeouts, 2);
	close(fd);
	assert_int_equal(rtpp_request(c, PL("V"), on_done, &a3), 0);
	fd = accept_one(lfd);
	read_lines(fd, lines, sizeof(lines), 1);
	/* The proxy closes the connection: I/O error. */
	close(fd);
	pump_until(&d.calls, 5, 1000);
	assert_int_equal(d.calls, 5);
	assert_int_equal(d.result, RTPP_IO_ERROR);
	/* A reply longer than any we accept breaks the stream too. */
	assert_int_equal(rtpp_request(c, PL("V"), on_done, &a3), 0);
	fd = accept_one(lfd);
	{
		static char big[RTPP_REPLY_MAX + 100];

		memset(big, 'x', sizeof(big));
		assert_true(write(fd, big, sizeof(big)) > 0);
	}
	pump_until(&d.calls, 6, 1000);
	assert_int_equal(d.result, RTPP_IO_ERROR);
	close(fd);
	rtpp_client_free(c);
	close(lfd);
	unlink(path);
	/* No such socket: refused at once. */
	c = client(spec, 50, 300);
	assert_int_equal(rtpp_request(c, PL("V"), on_done, &a1), -1);
	rtpp_client_free(c);
}

static void test_cunix_cookies(void **state)
{
	const char *path = "/tmp/tandem-test-rtpp-cunix.sock";
	char spec[128], lines[512], c1[64], c2[64];
	struct rtpp_client *c;
	struct done d = { 0 };
	struct done_arg a1 = { &d, 1 }, a2 = { &d, 2 };
	int lfd = listen_unix(path), fd;

	(void)state;
	snprintf(spec, sizeof(spec), "cunix:%s", path);
	c = client(spec, 50, 300);
	assert_int_equal(rtpp_request(c, PL("V"), on_done, &a1), 0);
	assert_int_equal(rtpp_request(c, PL("D c f t"), on_done, &a2), 0);
	fd = accept_one(lfd);
	read_lines(fd, lines, sizeof(lines), 2);
	assert_int_equal(sscanf(lines, "%63s V\n%63s D c f t\n", c1, c2), 2);
	/* Answered out of order: cookies match them. */
	{
		char out[256];

		snprintf(out, sizeof(out), "%s 0\n%s 20040107\n", c2, c1);
		write_str(fd, out);
	}
	pump_until(&d.calls, 2, 1000);
	assert_int_equal(d.calls, 2);
	assert_int_equal(d.order[0], 2);
	assert_int_equal(d.order[1], 1);
	assert_string_equal(d.reply, "20040107");
	/* A timeout on a cookie stream fails only that request. */
	assert_int_equal(rtpp_request(c, PL("V"), on_done, &a1), 0);
	pump_until(&d.calls, 3, 1000);
	assert_int_equal(d.result, RTPP_TIMEOUT);
	assert_int_equal(rtpp_pending(c), 0);
	/* A broken stream fails what is pending. */
	assert_int_equal(rtpp_request(c, PL("V"), on_done, &a1), 0);
	close(fd);
	pump_until(&d.calls, 4, 1000);
	assert_int_equal(d.result, RTPP_IO_ERROR);
	rtpp_client_free(c);
	close(lfd);
	unlink(path);
}

static void test_tcp(void **state)
{
	struct rtpp_client *c;
	struct done d = { 0 };
	struct done_arg a1 = { &d, 1 };
	char lines[256];
	int lfd, fd;

	(void)state;
	if (!mh_in_netns)
		skip();
	lfd = listen_tcp(25003);
	c = client("tcp:127.0.0.1:25003", 50, 500);
	assert_int_equal(rtpp_request(c, PL("V"), on_done, &a1), 0);
	fd = accept_one(lfd);
	read_lines(fd, lines, sizeof(lines), 1);
	assert_string_equal(lines, "V\n");
	write_str(fd, "20040107\n");
	pump_until(&d.calls, 1, 1000);
	assert_int_equal(d.result, RTPP_OK);
	assert_string_equal(d.reply, "20040107");
	close(fd);
	rtpp_client_free(c);
	close(lfd);
	/* Nobody listens: the connection fails later, as an I/O error. */
	c = client("tcp:127.0.0.1:25003", 50, 500);
	assert_int_equal(rtpp_request(c, PL("V"), on_done, &a1), 0);
	pump_until(&d.calls, 2, 1000);
	assert_int_equal(d.calls, 2);
	assert_int_equal(d.result, RTPP_IO_ERROR);
	rtpp_client_free(c);
}

/* ---------------------------------------------------------------- real rtpengine */

static void ask(struct rtpp_client *c, struct done *d, const char *cmd)
{
	struct done_arg a = { d, 0 };
	int before = d->calls;

	assert_int_equal(rtpp_request(c, pl_from_str(cmd), on_done, &a), 0);
	pump_until(&d->calls, before + 1, 3000);
	assert_int_equal(d->calls, before + 1);
	if (d->result != RTPP_OK)
		fail_msg("'%s': no answer from rtpengine", cmd);
}

static void test_rtpengine_legacy(void **state)
{
	struct rtpp_client *c;
	struct done d = { 0 };
	struct rtpp_stream_cmd cmd = {
		.call_id = PL("test-rtpp-legacy-1"), .addr = PL("127.0.0.1"), .port = 6000,
		.offerer_tag = PL("ftag"), .medianum = 1,
	};
	char buf[256], port_s[8];
	uint16_t p1, p2;
	struct pl addr;
	bool v6;
	const char *why;

	(void)state;
	MH_NEED_RTPENGINE("rtpp");
	snprintf(port_s, sizeof(port_s), "%d", MH_RTPP_PORT);
	snprintf(buf, sizeof(buf), "udp:127.0.0.1:%s", port_s);
	c = client(buf, 500, 3000);
	ask(c, &d, "V");
	assert_true(rtpp_version_ok(pl_from_str(d.reply)));
	/* Offer, then the answer: each gets a port of rtpengine. */
	buf[rtpp_cmd_stream(buf, sizeof(buf), &cmd)] = '\0';
	ask(c, &d, buf);
	assert_int_equal(rtpp_parse_stream_reply(pl_from_str(d.reply), &p1, &addr, &v6, &why), 0);
	assert_true(p1 >= 30000 && p1 <= 30999);
	assert_true(pl_eq_str(addr, "127.0.0.1"));
	assert_false(v6);
	cmd.answer = true;
	cmd.port = 6002;
	cmd.answerer_tag = PL("ttag");
	buf[rtpp_cmd_stream(buf, sizeof(buf), &cmd)] = '\0';
	ask(c, &d, buf);
	assert_int_equal(rtpp_parse_stream_reply(pl_from_str(d.reply), &p2, &addr, &v6, &why), 0);
	assert_true(p2 >= 30000 && p2 <= 30999 && p2 != p1);
	/* The same offer again (a re-INVITE) keeps the port. */
	cmd.answer = false;
	cmd.port = 6000;
	buf[rtpp_cmd_stream(buf, sizeof(buf), &cmd)] = '\0';
	ask(c, &d, buf);
	assert_int_equal(rtpp_parse_stream_reply(pl_from_str(d.reply), &p2, &addr, &v6, &why), 0);
	assert_int_equal(p2, p1);
	buf[rtpp_cmd_delete(buf, sizeof(buf), PL("test-rtpp-legacy-1"), PL("ftag"), PL("ttag"))] = '\0';
	ask(c, &d, buf);
	assert_string_equal(d.reply, "0\n");
	/* An answer for a call rtpengine does not know: "0 0.0.0.0". */
	cmd.answer = true;
	cmd.call_id = PL("test-rtpp-legacy-unknown");
	buf[rtpp_cmd_stream(buf, sizeof(buf), &cmd)] = '\0';
	ask(c, &d, buf);
	assert_int_equal(rtpp_parse_stream_reply(pl_from_str(d.reply), &p2, &addr, &v6, &why), -1);
	rtpp_client_free(c);
}

static int group_teardown(void **state)
{
	(void)state;
	mh_rtpengine_stop();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_parse),
		cmocka_unit_test(test_spec_resolve),
		cmocka_unit_test(test_cmd_stream),
		cmocka_unit_test(test_cmd_delete),
		cmocka_unit_test(test_stream_reply),
		cmocka_unit_test_setup_teardown(test_udp_request_reply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_retransmit_and_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unix_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cunix_cookies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtpengine_legacy, setup, teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	mh_netns();
	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
