/*
 * test_ng.c - rtpengine's ng protocol: the requests ccd builds, the
 * replies it reads, and the whole exchange with a real rtpengine through
 * the rtpp client (ping, offer, answer with RTP relayed both ways, delete).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "bencode.h"
#include "ccd/ng.h"
#include "ccd/rtpp.h"
#include "test_media_harness.h"

static void build_is(const struct ng_request *r, const char *want)
{
	char buf[1024];
	int n = ng_build(buf, sizeof(buf), r);

	if (!want) {
		assert_int_equal(n, -1);
		return;
	}
	if (n != (int)strlen(want) || memcmp(buf, want, (size_t)n) != 0)
		fail_msg("built '%.*s', want '%s'", n < 0 ? 0 : n, buf, want);
}

static void test_build(void **state)
{
	struct ng_request r = { .cmd = NG_PING };
	char small[16];

	(void)state;
	build_is(&r, "d7:command4:pinge");
	r.cmd = NG_OFFER;
	r.call_id = PL("c1");
	r.from_tag = PL("F");
	r.sdp = PL("v=0\r\n");
	build_is(&r, "d7:command5:offer7:call-id2:c18:from-tag1:F3:sdp5:v=0\r\n"
		     "7:replacel6:origin18:session-connectionee");
	r.to_tag = PL("T");
	build_is(&r, "d7:command5:offer7:call-id2:c18:from-tag1:F6:to-tag1:T3:sdp5:v=0\r\n"
		     "7:replacel6:origin18:session-connectionee");
	r.cmd = NG_ANSWER;
	build_is(&r, "d7:command6:answer7:call-id2:c18:from-tag1:F6:to-tag1:T3:sdp5:v=0\r\n"
		     "7:replacel6:origin18:session-connectionee");
	r.cmd = NG_DELETE;
	build_is(&r, "d7:command6:delete7:call-id2:c18:from-tag1:F6:to-tag1:T12:delete-delayi0ee");
	r.to_tag = PL_NULL;
	build_is(&r, "d7:command6:delete7:call-id2:c18:from-tag1:F12:delete-delayi0ee");
	/* Missing fields. */
	r.cmd = NG_ANSWER;
	build_is(&r, NULL);		/* no to-tag */
	r.to_tag = PL("T");
	r.sdp = PL_NULL;
	build_is(&r, NULL);		/* no SDP */
	r.cmd = NG_DELETE;
	r.call_id = PL_NULL;
	build_is(&r, NULL);
	r.call_id = PL("c");
	r.from_tag = PL("");
	build_is(&r, NULL);
	r.cmd = (enum ng_command)42;
	build_is(&r, NULL);
	r.cmd = NG_PING;
	assert_int_equal(ng_build(small, sizeof(small), &r), -1);
}

static void parse_ok(const char *in, bool ok, const char *result)
{
	struct ng_reply r;
	const char *why = NULL;

	if (ng_parse_reply(pl_from_str(in), &r, &why) < 0)
		fail_msg("'%s': %s", in, why);
	assert_int_equal(r.ok, ok);
	assert_true(pl_eq_str(r.result, result));
}

static void parse_bad(const char *in, const char *why_want)
{
	struct ng_reply r;
	const char *why = NULL;

	assert_int_equal(ng_parse_reply(pl_from_str(in), &r, &why), -1);
	assert_string_equal(why, why_want);
}

static void test_parse(void **state)
{
	struct ng_reply r;
	const char *why;

	(void)state;
	parse_ok("d6:result4:ponge", true, "pong");
	parse_ok("d6:result2:oke", true, "ok");
	parse_ok("d6:result5:error12:error-reason20:Unrecognized commande", false, "error");
	assert_int_equal(ng_parse_reply(PL("d3:sdp3:v=06:result2:ok7:warning4:hmm!e"), &r, &why), 0);
	assert_true(pl_eq_str(r.sdp, "v=0"));
	assert_true(pl_eq_str(r.warning, "hmm!"));
	assert_null(r.error_reason.p);
	assert_int_equal(ng_parse_reply(PL("d6:result5:error12:error-reason3:bade"), &r, &why), 0);
	assert_true(pl_eq_str(r.error_reason, "bad"));
	parse_bad("", "empty input");
	parse_bad("l6:resulte", "the reply is not a dictionary");
	parse_bad("d3:sdp3:v=0e", "the reply has no result");
	parse_bad("d6:resulti1ee", "the reply has no result");
	parse_bad("d6:result2:ok", "truncated input");
}

/* ---------------------------------------------------------------- real rtpengine */

static struct event_base *B;

struct done {
	int calls;
	enum rtpp_result result;
	char reply[65536];
	size_t len;
};

static void on_done(void *arg, enum rtpp_result result, struct pl reply)
{
	struct done *d = arg;

	d->calls++;
	d->result = result;
	d->len = reply.l < sizeof(d->reply) ? reply.l : sizeof(d->reply);
	if (d->len)
		memcpy(d->reply, reply.p, d->len);
}

static struct rtpp_client *ng_client(void)
{
	struct rtpp_spec sp;
	struct rtpp_client *c;
	char spec[64], err[256];

	snprintf(spec, sizeof(spec), "ng:127.0.0.1:%d", MH_NG_PORT);
	assert_int_equal(rtpp_spec_parse(spec, &sp, err, sizeof(err)), 0);
	assert_int_equal(rtpp_spec_resolve(&sp, err, sizeof(err)), 0);
	c = rtpp_client_new(B, &sp, 0x5eed0001, NULL, err, sizeof(err));
	assert_non_null(c);
	return c;
}

/* One request, its parsed reply (slices of d->reply). */
static void ng(struct rtpp_client *c, const struct ng_request *r, struct done *d, struct ng_reply *out)
{
	char buf[4096];
	int n = ng_build(buf, sizeof(buf), r);
	int before = d->calls;
	const char *why;

	assert_true(n > 0);
	assert_int_equal(rtpp_request(c, pl_from(buf, (size_t)n), on_done, d), 0);
	for (int64_t end = mh_now_ms() + 3000; d->calls == before && mh_now_ms() < end;) {
		event_base_loop(B, EVLOOP_NONBLOCK);
		usleep(1000);
	}
	assert_int_equal(d->calls, before + 1);
	assert_int_equal(d->result, RTPP_OK);
	if (ng_parse_reply(pl_from(d->reply, d->len), out, &why) < 0)
		fail_msg("reply '%.*s': %s", (int)d->len, d->reply, why);
}

static int udp_at(uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	struct timeval tv = { 1, 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(fd, (struct sockaddr *)&a, &al);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	*port = ntohs(a.sin_port);
	return fd;
}

static unsigned sdp_port(struct pl sdp)
{
	const char *m = memmem(sdp.p, sdp.l, "m=audio ", 8);

	assert_non_null(m);
	return (unsigned)atoi(m + 8);
}

static void rtp(int fd, unsigned to_port, uint16_t seq)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)to_port) };
	unsigned char pkt[172] = { 0x80, 0x00 };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	pkt[2] = (unsigned char)(seq >> 8);
	pkt[3] = (unsigned char)seq;
	memset(pkt + 12, 0xff, 160);
	assert_true(sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&a, sizeof(a)) == (ssize_t)sizeof(pkt));
}

static void test_rtpengine_ng(void **state)
{
	struct rtpp_client *c;
	struct done d = { 0 };
	struct ng_reply rep;
	struct ng_request r = { .cmd = NG_PING };
	char sdp_a[256], sdp_b[256], buf[2048];
	uint16_t pa, pb;
	int fa, fb, got = 0, n;
	unsigned to_b, to_a;

	(void)state;
	MH_NEED_RTPENGINE("ng");
	B = event_base_new();
	c = ng_client();
	ng(c, &r, &d, &rep);
	assert_true(rep.ok);
	assert_true(pl_eq_str(rep.result, "pong"));

	fa = udp_at(&pa);
	fb = udp_at(&pb);
	snprintf(sdp_a, sizeof(sdp_a), "v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		 "m=audio %u RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n", pa);
	snprintf(sdp_b, sizeof(sdp_b), "v=0\r\no=b 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		 "m=audio %u RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n", pb);
	r = (struct ng_request){ .cmd = NG_OFFER, .call_id = PL("test-ng-1"), .from_tag = PL("A"),
				 .sdp = pl_from_str(sdp_a) };
	ng(c, &r, &d, &rep);
	assert_true(rep.ok);
	assert_non_null(rep.sdp.p);
	to_b = sdp_port(rep.sdp);	/* B sends here */
	assert_true(to_b >= 30000 && to_b <= 30999);
	r.cmd = NG_ANSWER;
	r.to_tag = PL("B");
	r.sdp = pl_from_str(sdp_b);
	ng(c, &r, &d, &rep);
	assert_true(rep.ok);
	to_a = sdp_port(rep.sdp);	/* A sends here */
	assert_true(to_a >= 30000 && to_a <= 30999 && to_a != to_b);
	/* RTP both ways through rtpengine. */
	for (uint16_t i = 0; i < 5; i++) {
		rtp(fa, to_a, i);
		rtp(fb, to_b, i);
		got += recv(fb, buf, sizeof(buf), 0) == 172;
		got += recv(fa, buf, sizeof(buf), 0) == 172;
	}
	assert_int_equal(got, 10);
	/* Delete: gone from the list; a second delete only warns. */
	r.cmd = NG_DELETE;
	ng(c, &r, &d, &rep);
	assert_true(rep.ok);
	n = mh_ng_raw("d7:command4:liste", 17, buf, sizeof(buf), 1000);
	assert_true(n > 0);
	assert_null(memmem(buf, (size_t)n, "test-ng-1", 9));
	ng(c, &r, &d, &rep);
	assert_true(rep.ok);
	assert_non_null(rep.warning.p);
	/* An unknown command is an error reply, which ng_parse_reply reads. */
	n = mh_ng_raw("d7:command5:boguse", 18, buf, sizeof(buf), 1000);
	assert_true(n > 0);
	assert_int_equal(ng_parse_reply(pl_from(buf, (size_t)n), &rep, &(const char *){ NULL }), 0);
	assert_false(rep.ok);
	assert_true(pl_eq_str(rep.error_reason, "Unrecognized command"));
	close(fa);
	close(fb);
	rtpp_client_free(c);
	event_base_free(B);
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
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_rtpengine_ng),
	};

	signal(SIGPIPE, SIG_IGN);
	mh_netns();
	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
