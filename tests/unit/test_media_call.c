/*
 * test_media_call.c - the media relay inside the call controller
 * (call.c with media.c): every SDP of a call goes through the RTP proxy
 * before it is relayed, events keep their order behind a rewrite, and the
 * failures Sippy answers with 502 and a Reason header. The proxy is a fake
 * rtpproxy in a thread of the test; the sigd nodes are the ccd harness's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>

#include "test_ccd_harness.h"
#include "ccd/media.h"
#include "test_media_harness.h"

#define FAKE_PORT 26101
#define CMD_LOG 64

/* The fake rtpproxy: answers V, VF, U/L ("<port> 192.0.2.9") and D. */
static struct {
	pthread_t thread;
	int fd;
	atomic_bool stop, silent, refuse, hold, notify_cap;
	atomic_uint ncmd;
	char cmd[CMD_LOG][512];
	unsigned next_port;
} P;

static void *fake_proxy(void *arg)
{
	char buf[4096], out[4200];
	struct sockaddr_storage from;

	(void)arg;
	while (!atomic_load(&P.stop)) {
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(P.fd, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&from, &fl);
		char *sp, *cmd, rep[64];

		if (n <= 0 || atomic_load(&P.silent))
			continue;
		while (atomic_load(&P.hold) && !atomic_load(&P.stop))
			usleep(1000);
		buf[n] = '\0';
		if (!(sp = strchr(buf, ' ')))
			continue;
		*sp = '\0';
		cmd = sp + 1;
		if (cmd[0] == 'V')
			snprintf(rep, sizeof(rep), "%s", cmd[1] != 'F' ? "20040107" : atomic_load(&P.notify_cap) ? "1" : "0");
		else if (cmd[0] == 'D')
			snprintf(rep, sizeof(rep), "0");
		else if (atomic_load(&P.refuse))
			snprintf(rep, sizeof(rep), "E8");
		else
			snprintf(rep, sizeof(rep), "%u 192.0.2.9", P.next_port += 2);
		if (cmd[0] != 'V' && atomic_load(&P.ncmd) < CMD_LOG) {
			snprintf(P.cmd[atomic_load(&P.ncmd)], sizeof(P.cmd[0]), "%s", cmd);
			atomic_fetch_add(&P.ncmd, 1);
		}
		snprintf(out, sizeof(out), "%s %s\n", buf, rep);
		sendto(P.fd, out, strlen(out), 0, (struct sockaddr *)&from, fl);
	}
	return NULL;
}

static int setup(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(FAKE_PORT) };
	struct timeval tv = { 0, 20000 };
	char err[256];

	if (!mh_in_netns)
		return 0;
	h_setup(state);
	memset(&P, 0, sizeof(P));
	P.next_port = 40000;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	P.fd = socket(AF_INET, SOCK_DGRAM, 0);
	setsockopt(P.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	assert_int_equal(bind(P.fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(pthread_create(&P.thread, NULL, fake_proxy, NULL), 0);
	H.cd.cfg.rtpp[0] = "udp:127.0.0.1:26101";
	H.cd.cfg.n_rtpp = 1;
	H.cd.cfg.rtpp_notify = "127.0.0.1:26180";
	if (media_open(&H.cd, err, sizeof(err)) < 0)
		fail_msg("media_open: %s", err);
	H_UNTIL(media_proxies_online(&H.cd) == 1);
	return 0;
}

static int teardown(void **state)
{
	if (!mh_in_netns)
		return 0;
	calls_free(&H.cd);
	media_close(&H.cd);
	atomic_store(&P.stop, true);
	atomic_store(&P.hold, false);
	pthread_join(P.thread, NULL);
	close(P.fd);
	return h_teardown(state);
}

static const char offer[] = "v=0\r\no=alice 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\n"
			    "t=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
static const char answer[] = "v=0\r\no=bob 2 2 IN IP4 198.51.100.1\r\ns=-\r\nc=IN IP4 198.51.100.1\r\n"
			     "t=0 0\r\nm=audio 5000 RTP/AVP 0\r\n";

static const struct h_try alice = {
	.call_id = "media-call@pc33.example.org",
	.cli = "1000",
	.cld = "2000",
	.source_host = "192.0.2.1",
	.source_port = 5061,
	.max_forwards = 69,
	.sdp = offer,
};

/* The body as a C string (SDP has no NUL). */
static const char *body(const Tandem__Body *b)
{
	static char buf[4096];

	assert_non_null(b);
	assert_string_equal(b->content_type, "application/sdp");
	snprintf(buf, sizeof(buf), "%.*s", (int)b->content.len, (const char *)b->content.data);
	return buf;
}

/* A body the proxy rewrote: its port, its address, ccd's o=. */
static void assert_relayed(const Tandem__Body *b)
{
	const char *s = body(b);

	assert_non_null(strstr(s, "c=IN IP4 192.0.2.9\r\n"));
	assert_non_null(strstr(s, "m=audio 40"));
	assert_non_null(strstr(s, "o=- "));
	assert_non_null(strstr(s, "a=nortpproxy:yes"));
	assert_null(strstr(s, "m=audio 4000 "));
	assert_null(strstr(s, "m=audio 5000 "));
}

static void assert_reason(const Tandem__LegEvent *ev, unsigned code, const char *text)
{
	assert_int_equal(ev->code, code);
	assert_non_null(ev->reason_header);
	assert_string_equal(ev->reason_header->protocol, "SIP");
	assert_int_equal(ev->reason_header->cause, code);
	assert_string_equal(ev->reason_header->text, text);
}

static const char *last_cmd(void)
{
	unsigned n = atomic_load(&P.ncmd);

	return n ? P.cmd[n - 1] : "";
}

/* Hello + TRY on leg 1; returns the Originate. */
static Tandem__Originate *start_call(struct fake_node **ap, const struct h_try *t)
{
	struct fake_node *a = h_node(0, "edge1");

	fn_hello(a, "192.0.2.10");
	fn_try(a, 1, t);
	*ap = a;
	return fn_expect(a, TANDEM__MESSAGE__BODY_ORIGINATE)->originate;
}

static void test_call_relayed(void **state)
{
	struct fake_node *a;
	Tandem__Originate *o;
	Tandem__LegEvent *ev;
	uint64_t oleg;

	(void)state;
	if (!mh_in_netns)
		skip();
	o = start_call(&a, &alice);
	oleg = o->leg;
	assert_relayed(o->body);
	assert_int_equal(strncmp(last_cmd(), "U media-call@pc33.example.org-1 192.0.2.1 4000 ", 47), 0);
	/* 183 with SDP, then a 200 without, at once: the 200 waits its turn. */
	fn_simple(a, oleg, TANDEM__EVENT_TYPE__RING, 183, "Session Progress", answer);
	fn_simple(a, oleg, TANDEM__EVENT_TYPE__CONNECT, 200, "OK", NULL);
	ev = fn_expect_event(a, 1, TANDEM__EVENT_TYPE__RING);
	assert_relayed(ev->body);
	assert_int_equal(last_cmd()[0], 'L');
	ev = fn_expect_event(a, 1, TANDEM__EVENT_TYPE__CONNECT);
	assert_null(ev->body);
	/* The caller's re-INVITE and the callee's answer. */
	fn_simple(a, 1, TANDEM__EVENT_TYPE__UPDATE, 0, NULL, offer);
	assert_relayed(fn_expect_event(a, oleg, TANDEM__EVENT_TYPE__UPDATE)->body);
	assert_int_equal(last_cmd()[0], 'U');
	fn_simple(a, oleg, TANDEM__EVENT_TYPE__CONNECT, 200, "OK", answer);
	assert_relayed(fn_expect_event(a, 1, TANDEM__EVENT_TYPE__CONNECT)->body);
	assert_int_equal(last_cmd()[0], 'L');
	/* INFO is not SDP: as it is. */
	fn_simple(a, oleg, TANDEM__EVENT_TYPE__INFO, 0, NULL, NULL);
	fn_expect_event(a, 1, TANDEM__EVENT_TYPE__INFO);
	/* BYE: relayed, and the proxy's session deleted. */
	fn_simple(a, 1, TANDEM__EVENT_TYPE__DISCONNECT, 0, NULL, NULL);
	fn_expect_event(a, oleg, TANDEM__EVENT_TYPE__DISCONNECT);
	H_UNTIL(last_cmd()[0] == 'D');
	assert_int_equal(media_sessions(&H.cd), 0);
}

static void test_no_proxy_online(void **state)
{
	struct fake_node *a;
	Tandem__LegEvent *ev;

	(void)state;
	if (!mh_in_netns)
		skip();
	/* The proxy stops answering: a call's command times out... */
	atomic_store(&P.silent, true);
	a = h_node(0, "edge1");
	fn_hello(a, "192.0.2.10");
	fn_try(a, 1, &alice);
	ev = fn_next(a, 5000)->event;
	assert_int_equal(ev->type, TANDEM__EVENT_TYPE__FAIL);
	assert_reason(ev, 502, "RTP proxy not answering");
	assert_int_equal(H.cd.stats.calls_by_code[502], 1);
	/* ...so it is offline, and the next call fails at once. */
	assert_int_equal(media_proxies_online(&H.cd), 0);
	fn_try(a, 2, &alice);
	ev = fn_expect_event(a, 2, TANDEM__EVENT_TYPE__FAIL);
	assert_reason(ev, 502, "No online RTP proxy");
	assert_int_equal(atomic_load(&P.ncmd), 0);
}

static void test_proxy_errors(void **state)
{
	struct fake_node *a;
	Tandem__Originate *o;
	Tandem__LegEvent *ev;
	uint64_t oleg;

	(void)state;
	if (!mh_in_netns)
		skip();
	o = start_call(&a, &alice);
	oleg = o->leg;
	/* The answer cannot be relayed: 502 to the caller, the callee's
	 * answered leg is told to end. */
	atomic_store(&P.refuse, true);
	fn_simple(a, oleg, TANDEM__EVENT_TYPE__CONNECT, 200, "OK", answer);
	ev = fn_expect_event(a, 1, TANDEM__EVENT_TYPE__FAIL);
	assert_reason(ev, 502, "RTP proxy error");
	fn_expect_event(a, oleg, TANDEM__EVENT_TYPE__DISCONNECT);
	assert_int_equal(H.cd.stats.calls_by_code[200] + H.cd.stats.calls_by_code[502], 1);
	atomic_store(&P.refuse, false);

	/* A second call, connected; then a re-INVITE the proxy refuses: 502
	 * to the re-INVITE only, the call stays. */
	fn_try(a, 2, &alice);
	o = fn_expect(a, TANDEM__MESSAGE__BODY_ORIGINATE)->originate;
	oleg = o->leg;
	fn_simple(a, oleg, TANDEM__EVENT_TYPE__CONNECT, 200, "OK", answer);
	fn_expect_event(a, 2, TANDEM__EVENT_TYPE__CONNECT);
	atomic_store(&P.refuse, true);
	fn_simple(a, oleg, TANDEM__EVENT_TYPE__UPDATE, 0, NULL, answer);
	ev = fn_expect_event(a, oleg, TANDEM__EVENT_TYPE__FAIL);
	assert_reason(ev, 502, "RTP proxy error");
	atomic_store(&P.refuse, false);
	/* Still up: the next re-INVITE goes through. */
	fn_simple(a, 2, TANDEM__EVENT_TYPE__UPDATE, 0, NULL, offer);
	assert_relayed(fn_expect_event(a, oleg, TANDEM__EVENT_TYPE__UPDATE)->body);
	/* Its answer is refused: the call ends with BYE on both legs. */
	atomic_store(&P.refuse, true);
	fn_simple(a, oleg, TANDEM__EVENT_TYPE__CONNECT, 200, "OK", answer);
	fn_expect_event(a, 2, TANDEM__EVENT_TYPE__DISCONNECT);
	fn_expect_event(a, oleg, TANDEM__EVENT_TYPE__DISCONNECT);
	atomic_store(&P.refuse, false);
}

static void test_late_offer(void **state)
{
	struct fake_node *a;
	struct h_try t = alice;
	Tandem__Originate *o;
	Tandem__LegEvent *ev;
	uint64_t oleg;

	(void)state;
	if (!mh_in_netns)
		skip();
	t.sdp = NULL;
	o = start_call(&a, &t);
	oleg = o->leg;
	assert_null(o->body);
	assert_int_equal(atomic_load(&P.ncmd), 0);
	fn_simple(a, oleg, TANDEM__EVENT_TYPE__PRE_CONNECT, 200, "OK", answer);
	ev = fn_expect_event(a, 1, TANDEM__EVENT_TYPE__PRE_CONNECT);
	assert_relayed(ev->body);
	assert_int_equal(strncmp(last_cmd(), "U media-call@pc33.example.org-1 198.51.100.1 5000 ", 50), 0);
	fn_simple(a, 1, TANDEM__EVENT_TYPE__CONNECT, 0, "ACK", offer);
	ev = fn_expect_event(a, oleg, TANDEM__EVENT_TYPE__CONNECT);
	assert_string_equal(ev->reason, "ACK");
	assert_relayed(ev->body);
	assert_int_equal(strncmp(last_cmd(), "L media-call@pc33.example.org-1 192.0.2.1 4000 ", 47), 0);
}

static void test_cancel_during_rewrite(void **state)
{
	struct fake_node *a;

	(void)state;
	if (!mh_in_netns)
		skip();
	/* The proxy is slow: the caller cancels while the offer waits. */
	atomic_store(&P.hold, true);
	a = h_node(0, "edge1");
	fn_hello(a, "192.0.2.10");
	fn_try(a, 1, &alice);
	h_pump(50);
	fn_simple(a, 1, TANDEM__EVENT_TYPE__DISCONNECT, 0, NULL, NULL);
	h_pump(50);
	atomic_store(&P.hold, false);
	/* No attempt is placed; the proxy's session goes once it answered. */
	H_UNTIL(last_cmd()[0] == 'D');
	fn_expect_quiet(a, 200);
	assert_int_equal(H.cd.stats.attempts_by_route[1], 0);
	assert_int_equal(H.cd.stats.calls_by_code[487], 1);
	assert_int_equal(media_sessions(&H.cd), 0);
}

/* Events pile up behind a slow rewrite only up to a bound. */
static void test_held_bound(void **state)
{
	struct fake_node *a;
	Tandem__Message *m;
	uint64_t dropped;
	int infos = 0;

	(void)state;
	if (!mh_in_netns)
		skip();
	atomic_store(&P.hold, true);
	a = h_node(0, "edge1");
	fn_hello(a, "192.0.2.10");
	fn_try(a, 1, &alice);
	h_pump(50);
	dropped = H.cd.stats.events_dropped;
	for (int i = 0; i < 40; i++)
		fn_simple(a, 1, TANDEM__EVENT_TYPE__INFO, 0, NULL, NULL);
	h_pump(100);
	/* The held offer and 31 INFOs wait; 9 are dropped. */
	assert_int_equal(H.cd.stats.events_dropped - dropped, 9);
	atomic_store(&P.hold, false);
	fn_expect(a, TANDEM__MESSAGE__BODY_ORIGINATE);
	while ((m = fn_next(a, 300)))
		infos += m->body_case == TANDEM__MESSAGE__BODY_EVENT && m->event->type == TANDEM__EVENT_TYPE__INFO;
	assert_int_equal(infos, 31);
}

static void test_route_without_proxy(void **state)
{
	struct fake_node *a;
	Tandem__Originate *o;

	(void)state;
	if (!mh_in_netns)
		skip();
	h_route("127.0.0.1:5070;rtpp=0");
	o = start_call(&a, &alice);
	assert_string_equal(body(o->body), offer);
	assert_int_equal(atomic_load(&P.ncmd), 0);
	assert_int_equal(media_sessions(&H.cd), 0);
}

/* An HTTP POST to ccd's --rtpp-notify listener (served by ccd's loop,
 * which runs while the answer is awaited); the whole answer. */
static const char *http(const char *method, const char *body)
{
	static char resp[8192];
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(26180) };
	char req[4096];
	size_t got = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0), n;
	int64_t end = h_now() + 2000;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	n = snprintf(req, sizeof(req), "%s / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n"
		     "Content-Length: %zu\r\nConnection: close\r\n\r\n%s", method, strlen(body), body);
	assert_true(write(fd, req, (size_t)n) == n);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (h_now() < end) {
		ssize_t r = read(fd, resp + got, sizeof(resp) - 1 - got);

		if (r == 0)
			break;
		if (r > 0)
			got += (size_t)r;
		else
			h_pump_once();
	}
	close(fd);
	resp[got] = '\0';
	return resp;
}

static const char *teardown_call(const char *method, const char *call_id)
{
	char body[1024];

	snprintf(body, sizeof(body), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<methodCall>\n"
		 "<methodName>%s</methodName>\n<params>\n<param><value><string>%s</string></value></param>\n"
		 "</params>\n</methodCall>\n", method, call_id);
	return http("POST", body);
}

static void test_media_timeout(void **state)
{
	struct fake_node *a;
	Tandem__Originate *o;
	Tandem__LegEvent *ev;
	uint64_t oleg;
	const char *r;

	(void)state;
	if (!mh_in_netns)
		skip();
	/* Connected: rtpengine's teardown ends the call, BYE on both legs. */
	o = start_call(&a, &alice);
	oleg = o->leg;
	fn_simple(a, oleg, TANDEM__EVENT_TYPE__CONNECT, 200, "OK", answer);
	fn_expect_event(a, 1, TANDEM__EVENT_TYPE__CONNECT);
	r = teardown_call("teardown", "media-call@pc33.example.org-1");
	assert_non_null(strstr(r, "HTTP/1.1 200"));
	assert_non_null(strstr(r, "<string>ok</string>"));
	ev = fn_expect_event(a, 1, TANDEM__EVENT_TYPE__DISCONNECT);
	assert_int_equal(ev->origin, TANDEM__ORIGIN__MEDIA_TIMEOUT);
	ev = fn_expect_event(a, oleg, TANDEM__EVENT_TYPE__DISCONNECT);
	assert_int_equal(ev->origin, TANDEM__ORIGIN__MEDIA_TIMEOUT);
	/* rtpengine deleted the session itself: no delete is sent. */
	h_pump(100);
	assert_true(last_cmd()[0] != 'D');
	assert_int_equal(media_sessions(&H.cd), 0);

	/* Ringing: the attempt fails, CANCEL to the callee, 408 to the caller
	 * (Kamailio's format 2 says dlg.terminate_dlg). */
	fn_try(a, 2, &alice);
	oleg = fn_expect(a, TANDEM__MESSAGE__BODY_ORIGINATE)->originate->leg;
	fn_simple(a, oleg, TANDEM__EVENT_TYPE__RING, 183, "Session Progress", answer);
	fn_expect_event(a, 2, TANDEM__EVENT_TYPE__RING);
	r = teardown_call("dlg.terminate_dlg", "media-call@pc33.example.org-2");
	assert_non_null(strstr(r, "<string>ok</string>"));
	ev = fn_expect_event(a, oleg, TANDEM__EVENT_TYPE__DISCONNECT);
	assert_int_equal(ev->origin, TANDEM__ORIGIN__MEDIA_TIMEOUT);
	ev = fn_expect_event(a, 2, TANDEM__EVENT_TYPE__FAIL);
	assert_reason(ev, 408, "Media timeout");
	assert_int_equal(H.cd.stats.calls_by_code[408], 1);

	/* The control socket's `r` (RTPproxy's notification) does the same. */
	fn_try(a, 3, &alice);
	oleg = fn_expect(a, TANDEM__MESSAGE__BODY_ORIGINATE)->originate->leg;
	assert_int_equal(calls_end_by_id(&H.cd, 3, TANDEM__ORIGIN__MEDIA_TIMEOUT), 1);
	fn_expect_event(a, oleg, TANDEM__EVENT_TYPE__DISCONNECT);
	assert_reason(fn_expect_event(a, 3, TANDEM__EVENT_TYPE__FAIL), 408, "Media timeout");

	/* Not ours, not XML-RPC, not a POST. */
	r = teardown_call("teardown", "media-call@pc33.example.org-99");
	assert_non_null(strstr(r, "dialog not found"));
	r = teardown_call("teardown", "no-serial");
	assert_non_null(strstr(r, "dialog not found"));
	r = teardown_call("teardown", "x-1a");
	assert_non_null(strstr(r, "dialog not found"));
	r = teardown_call("teardown", "a&amp;b-1");
	assert_non_null(strstr(r, "dialog not found"));
	r = teardown_call("teardown", "bad&entity;-1");
	assert_non_null(strstr(r, "HTTP/1.1 400"));
	r = teardown_call("system.reboot", "x-1");
	assert_non_null(strstr(r, "<name>faultCode</name>"));
	r = http("POST", "<methodCall><methodName>teardown</methodName></methodCall>");
	assert_non_null(strstr(r, "HTTP/1.1 400"));
	r = http("POST", "<methodCall><methodName>teardown</methodName><params><param><value>raw-5</value>"
			 "</param></params></methodCall>");
	assert_non_null(strstr(r, "dialog not found"));
	r = http("GET", "");
	assert_non_null(strstr(r, "HTTP/1.1 400"));
	r = http("POST", "");
	assert_non_null(strstr(r, "HTTP/1.1 400"));
}

/* RTPproxy is given the control socket and "r <serial>" with each stream
 * that has both tags (when it supports notifications: VF 20081224). */
static void test_rtpproxy_notify(void **state)
{
	struct fake_node *a;
	uint64_t oleg;

	(void)state;
	if (!mh_in_netns)
		skip();
	atomic_store(&P.notify_cap, true);
	H.cd.cfg.control = "tcp:127.0.0.1";
	media_close(&H.cd);
	{
		char err[256];

		assert_int_equal(media_open(&H.cd, err, sizeof(err)), 0);
	}
	H_UNTIL(media_proxies_online(&H.cd) == 1);
	h_pump(50);
	oleg = start_call(&a, &alice)->leg;
	assert_null(strstr(last_cmd(), "tcp:"));	/* one tag: none */
	fn_simple(a, oleg, TANDEM__EVENT_TYPE__CONNECT, 200, "OK", answer);
	fn_expect_event(a, 1, TANDEM__EVENT_TYPE__CONNECT);
	assert_int_equal(last_cmd()[0], 'L');
	assert_non_null(strstr(last_cmd(), ";1 tcp:127.0.0.1:12345 r%201"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_call_relayed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_proxy_online, setup, teardown),
		cmocka_unit_test_setup_teardown(test_proxy_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_late_offer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_during_rewrite, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_without_proxy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_held_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_media_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtpproxy_notify, setup, teardown),
	};
	int rc;

	signal(SIGPIPE, SIG_IGN);
	mh_netns();
	h_log_to_file("test_media_call");
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	log_close();
	unlink(h_logpath);
	return rc;
}
