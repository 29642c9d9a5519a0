/*
 * test_media.c - ccd's media relay (media.c): proxies and their health,
 * weighted choice, the SDP rewrite with the rtpproxy protocol against a
 * fake proxy played by the test (the commands it gets, the SDP that comes
 * out, errors, release while a command is under way), and the same with
 * rtpengine's ng protocol against a real rtpengine.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "ccd/ccd.h"
#include "ccd/media.h"
#include "test_media_harness.h"

#define FAKE_MAX 2
#define CMD_LOG 32

/* A fake rtpproxy on 127.0.0.1:port: answers V, VF, U, L and D. */
struct fake {
	int fd;
	uint16_t port;
	bool silent;		/* answers nothing */
	const char *reply;	/* U/L answer instead of "<port> 192.0.2.9" */
	unsigned next_port;
	char cmd[CMD_LOG][512];	/* U, L and D commands seen, cookie removed */
	unsigned ncmd;
	unsigned checks;	/* V seen */
};

static struct ccd CD;
static struct fake F[FAKE_MAX];

static void fake_open(struct fake *f, uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	memset(f, 0, sizeof(*f));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	f->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_true(f->fd >= 0);
	assert_int_equal(bind(f->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	f->port = port;
	f->next_port = 40000;
}

static void fake_serve(struct fake *f)
{
	char buf[4096], out[4200];
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	ssize_t n;

	if (f->fd <= 0)
		return;
	while ((n = recvfrom(f->fd, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&from, &fl)) > 0) {
		char *sp, *cmd;
		const char *rep;
		char tmp[64];

		buf[n] = '\0';
		if (!(sp = strchr(buf, ' ')))
			continue;
		*sp = '\0';
		cmd = sp + 1;
		if (cmd[0] == 'V' && cmd[1] == 'F')
			rep = "1";
		else if (cmd[0] == 'V')
			rep = "20040107";
		else if (cmd[0] == 'D')
			rep = "0";
		else if (cmd[0] == 'U' || cmd[0] == 'L') {
			if (f->reply) {
				rep = f->reply;
			} else {
				snprintf(tmp, sizeof(tmp), "%u 192.0.2.9", f->next_port);
				f->next_port += 2;
				rep = tmp;
			}
		} else {
			rep = "E1";
		}
		if (cmd[0] == 'V' && cmd[1] != 'F')
			f->checks++;
		if (f->silent)
			continue;
		if ((cmd[0] == 'U' || cmd[0] == 'L' || cmd[0] == 'D') && f->ncmd < CMD_LOG)
			snprintf(f->cmd[f->ncmd++], sizeof(f->cmd[0]), "%s", cmd);
		snprintf(out, sizeof(out), "%s %s\n", buf, rep);
		sendto(f->fd, out, strlen(out), 0, (struct sockaddr *)&from, fl);
	}
}

/* Runs ccd's loop and the fakes until *flag (if given) or ms pass. */
static void pump(const bool *flag, int ms)
{
	int64_t end = mh_now_ms() + ms;

	while ((!flag || !*flag) && mh_now_ms() < end) {
		event_base_loop(CD.base, EVLOOP_NONBLOCK);
		for (int i = 0; i < FAKE_MAX; i++)
			fake_serve(&F[i]);
		usleep(500);
	}
}

static int setup(void **state)
{
	(void)state;
	memset(&CD, 0, sizeof(CD));
	memset(F, 0, sizeof(F));
	CD.base = event_base_new();
	CD.instance = 0x1234;
	return CD.base ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	media_close(&CD);
	for (int i = 0; i < FAKE_MAX; i++)
		if (F[i].fd > 0)
			close(F[i].fd);
	event_base_free(CD.base);
	return 0;
}

static void open_media(const char *s0, const char *s1)
{
	char err[256];

	CD.cfg.rtpp[0] = s0;
	CD.cfg.rtpp[1] = s1;
	CD.cfg.n_rtpp = s1 ? 2 : 1;
	if (media_open(&CD, err, sizeof(err)) < 0)
		fail_msg("media_open: %s", err);
}

static bool all_online(void)
{
	return media_proxies_online(&CD) == media_proxies(&CD);
}

/* ---------------------------------------------------------------- rewrite results */

struct result {
	bool done;
	unsigned calls;
	unsigned code;
	char reason[64];
	char body[8192];
};

static void on_done(struct ccd *cd, void *arg, unsigned code, const char *reason, struct pl body)
{
	struct result *r = arg;

	assert_ptr_equal(cd, &CD);
	r->done = true;
	r->calls++;
	r->code = code;
	snprintf(r->reason, sizeof(r->reason), "%s", reason ? reason : "");
	snprintf(r->body, sizeof(r->body), "%.*s", PL_FMT(body));
}

static void rewrite(struct media_session *ms, enum media_side from, enum media_msg msg, const char *sdp,
		    struct result *r)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(media_rewrite(ms, from, msg, pl_from_str(sdp), on_done, r), 0);
	assert_false(r->done);	/* never from inside media_rewrite() */
	pump(&r->done, 5000);
	assert_true(r->done);
	assert_int_equal(r->calls, 1);
}

static unsigned count(const char *hay, const char *needle)
{
	unsigned n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static const char caller_sdp[] =
	"v=0\r\n"
	"o=alice 100 1 IN IP4 127.0.0.1\r\n"
	"s=-\r\n"
	"c=IN IP4 127.0.0.1\r\n"
	"t=0 0\r\n"
	"a=nortpproxy:yes\r\n"
	"m=audio 7000 RTP/AVP 0 101\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=rtcp:7001\r\n"
	"a=sendrecv\r\n"
	"m=video 0 RTP/AVP 96\r\n"
	"m=message 7010 TCP/MSRP *\r\n"
	"m=image 7020 udptl t38\r\n"
	"c=IN IP4 127.0.0.2\r\n";

static const char callee_sdp[] =
	"v=0\r\n"
	"o=bob 200 1 IN IP4 127.0.0.1\r\n"
	"s=-\r\n"
	"c=IN IP4 127.0.0.1\r\n"
	"t=0 0\r\n"
	"m=audio 7100 RTP/AVP 0\r\n";

/* ---------------------------------------------------------------- tests */

static void test_no_proxies(void **state)
{
	struct media_session *ms = (void *)1;
	char err[64];

	(void)state;
	assert_int_equal(media_open(&CD, err, sizeof(err)), 0);
	assert_null(CD.media);
	assert_int_equal(media_session_new(&CD, PL("c1"), 1, -1, &ms), MEDIA_PICK_NONE);
	assert_null(ms);
	assert_int_equal(media_session_new(&CD, PL("c1"), 1, 1, &ms), MEDIA_PICK_NONE);
	assert_int_equal(media_proxies(&CD), 0);
	assert_int_equal(media_proxies_online(&CD), 0);
	assert_int_equal(media_sessions(&CD), 0);
	media_release(NULL);
	media_note(NULL, MEDIA_CALLER, MEDIA_MSG_FINAL);
	assert_false(media_busy(NULL));
	assert_string_equal(media_proxy_name(NULL), "-");
	assert_int_equal(media_rewrite(NULL, MEDIA_CALLER, MEDIA_MSG_OFFER, PL("v=0"), on_done, NULL), -1);
}

static void test_open_errors(void **state)
{
	char err[256];

	(void)state;
	CD.cfg.rtpp[0] = "bogus:1.2.3.4";
	CD.cfg.n_rtpp = 1;
	assert_int_equal(media_open(&CD, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown RTP proxy type"));
	assert_null(CD.media);
	CD.cfg.rtpp[0] = "udp:no-such-host.invalid";
	assert_int_equal(media_open(&CD, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot resolve"));
	assert_null(CD.media);
}

static void test_health_and_choice(void **state)
{
	struct media_session *ms[400];
	unsigned on_b = 0;
	int64_t t0;

	(void)state;
	if (!mh_in_netns)
		skip();
	fake_open(&F[0], 26001);
	fake_open(&F[1], 26002);
	F[1].silent = true;
	CD.cfg.rtpp_retry_s = 1;
	CD.cfg.rtpp_check_s = 1;
	open_media("udp:127.0.0.1:26001", "udp:127.0.0.1:26002;weight=3");
	assert_int_equal(media_proxies(&CD), 2);
	/* Not chosen before it answered. */
	assert_int_equal(media_session_new(&CD, PL("c0"), 1, -1, &ms[0]), MEDIA_PICK_NO_PROXY);
	t0 = mh_now_ms();
	while (media_proxies_online(&CD) < 1 && mh_now_ms() - t0 < 2000)
		pump(NULL, 10);
	assert_int_equal(media_proxies_online(&CD), 1);
	/* B never answers: only A is chosen, whatever the weights. */
	for (int i = 0; i < 20; i++) {
		assert_int_equal(media_session_new(&CD, PL("c1"), (uint64_t)i, -1, &ms[i]), MEDIA_PICK_OK);
		assert_string_equal(media_proxy_name(ms[i]), "udp:127.0.0.1:26001");
	}
	assert_int_equal(media_sessions(&CD), 20);
	for (int i = 0; i < 20; i++)
		media_release(ms[i]);
	assert_int_equal(media_sessions(&CD), 0);
	/* Nothing was sent for them: no delete either. */
	pump(NULL, 50);
	assert_int_equal(F[0].ncmd, 0);
	/* route rtpp=0: no proxy. */
	assert_int_equal(media_session_new(&CD, PL("c2"), 1, 0, &ms[0]), MEDIA_PICK_NONE);
	/* B answers now: back within the retry interval. */
	F[1].silent = false;
	t0 = mh_now_ms();
	while (!all_online() && mh_now_ms() - t0 < 6000)
		pump(NULL, 10);
	assert_true(all_online());
	/* Weights 1:3. */
	for (int i = 0; i < 400; i++) {
		assert_int_equal(media_session_new(&CD, PL("c3"), (uint64_t)i, 1, &ms[i]), MEDIA_PICK_OK);
		on_b += strcmp(media_proxy_name(ms[i]), "udp:127.0.0.1:26002;weight=3") == 0;
	}
	assert_true(on_b > 240 && on_b < 360);
	for (int i = 0; i < 400; i++)
		media_release(ms[i]);
	/* Checked again while online. */
	{
		unsigned before = F[0].checks;

		pump(NULL, 1300);
		assert_true(F[0].checks > before);
	}
	/* A stops answering: offline after the check times out (3 s). */
	F[0].silent = true;
	t0 = mh_now_ms();
	while (media_proxies_online(&CD) == 2 && mh_now_ms() - t0 < 6000)
		pump(NULL, 10);
	assert_int_equal(media_proxies_online(&CD), 1);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(media_session_new(&CD, PL("c4"), (uint64_t)i, -1, &ms[i]), MEDIA_PICK_OK);
		assert_string_equal(media_proxy_name(ms[i]), "udp:127.0.0.1:26002;weight=3");
		media_release(ms[i]);
	}
}

static void test_rewrite_rtpproxy(void **state)
{
	struct media_session *ms;
	struct result r;
	char want[256], sdp2[1024], *p;

	(void)state;
	if (!mh_in_netns)
		skip();
	fake_open(&F[0], 26011);
	open_media("udp:127.0.0.1:26011", NULL);
	pump(NULL, 100);
	assert_true(all_online());
	assert_int_equal(media_session_new(&CD, PL("call-1@host"), 7, -1, &ms), MEDIA_PICK_OK);

	/* The offer: one U for the audio (m= 1) and one for the T.38 (m= 4,
	 * its own c=); the disabled video and MSRP over TCP stay as they are. */
	rewrite(ms, MEDIA_CALLER, MEDIA_MSG_OFFER, caller_sdp, &r);
	assert_int_equal(r.code, 0);
	assert_int_equal(F[0].ncmd, 2);
	assert_int_equal(strncmp(F[0].cmd[0], "U call-1@host-7 127.0.0.1 7000 ", 31), 0);
	assert_non_null(strstr(F[0].cmd[0], ";1"));
	assert_null(strchr(strchr(F[0].cmd[0], ';'), ' '));	/* one tag */
	assert_int_equal(strncmp(F[0].cmd[1], "U call-1@host-7 127.0.0.2 7020 ", 31), 0);
	assert_non_null(strstr(F[0].cmd[1], ";4"));
	assert_non_null(strstr(r.body, "\r\nm=audio 40000 RTP/AVP 0 101\r\nc=IN IP4 192.0.2.9\r\n"));
	assert_non_null(strstr(r.body, "a=rtcp:40001 IN IP4 192.0.2.9\r\n"));
	assert_non_null(strstr(r.body, "\r\nm=video 0 RTP/AVP 96\r\n"));
	assert_non_null(strstr(r.body, "\r\nm=message 7010 TCP/MSRP *\r\n"));
	assert_non_null(strstr(r.body, "\r\nm=image 40002 udptl t38\r\nc=IN IP4 192.0.2.9\r\n"));
	assert_non_null(strstr(r.body, "\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\n"));	/* session c= */
	assert_int_equal(count(r.body, "nortpproxy"), 1);
	assert_non_null(strstr(r.body, "a=nortpproxy:yes\r\nm=audio"));
	assert_non_null(strstr(r.body, "a=sendrecv"));
	assert_int_equal(strncmp(r.body, "v=0\r\no=- ", 9), 0);
	assert_non_null(strstr(r.body, " 1 IN IP4 192.0.2.9\r\n"));
	assert_null(strstr(r.body, "7000"));
	assert_false(media_busy(ms));

	/* The answer: L with the caller's tag first, for the audio only. */
	rewrite(ms, MEDIA_CALLEE, MEDIA_MSG_FINAL, callee_sdp, &r);
	assert_int_equal(r.code, 0);
	assert_int_equal(F[0].ncmd, 3);
	assert_int_equal(strncmp(F[0].cmd[2], "L call-1@host-7 127.0.0.1 7100 ", 31), 0);
	p = strchr(F[0].cmd[0] + 31, ';');
	snprintf(want, sizeof(want), "%.*s;1 ", (int)(p - (F[0].cmd[0] + 31)), F[0].cmd[0] + 31);
	assert_non_null(strstr(F[0].cmd[2], want));	/* the offerer's tag first */
	assert_non_null(strstr(r.body, "m=audio 40004 RTP/AVP 0\r\n"));

	/* The same offer again (a refresh): both tags, the same o= version. */
	{
		char first_o[128];
		struct result r2;

		rewrite(ms, MEDIA_CALLER, MEDIA_MSG_OFFER, caller_sdp, &r);
		snprintf(first_o, sizeof(first_o), "%.*s", (int)(strstr(r.body, "\r\ns=") - r.body), r.body);
		assert_non_null(strstr(first_o, " 1 IN IP4"));
		assert_int_equal(count(F[0].cmd[3], ";1"), 2);
		/* A new version of the caller's SDP: ours goes up by one. */
		snprintf(sdp2, sizeof(sdp2), "%s", caller_sdp);
		memcpy(strstr(sdp2, "100 1 IN"), "100 2 IN", 8);
		rewrite(ms, MEDIA_CALLER, MEDIA_MSG_OFFER, sdp2, &r2);
		assert_non_null(strstr(r2.body, " 2 IN IP4 192.0.2.9\r\n"));
		/* Same id, towards the same side. */
		assert_int_equal(strncmp(r2.body, first_o, (size_t)(strstr(first_o, " 1 IN") - first_o)), 0);
		rewrite(ms, MEDIA_CALLEE, MEDIA_MSG_FINAL, callee_sdp, &r);
	}

	/* Hold, RFC 2543 style: the proxy's address and a=sendonly. */
	snprintf(sdp2, sizeof(sdp2), "v=0\r\no=alice 100 3 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 0.0.0.0\r\n"
		 "t=0 0\r\nm=audio 7000 RTP/AVP 0\r\na=sendrecv\r\n");
	rewrite(ms, MEDIA_CALLER, MEDIA_MSG_OFFER, sdp2, &r);
	assert_int_equal(r.code, 0);
	assert_non_null(strstr(F[0].cmd[F[0].ncmd - 1], " 0.0.0.0 7000 "));
	assert_non_null(strstr(r.body, "a=sendonly\r\n"));
	assert_null(strstr(r.body, "sendrecv"));
	assert_null(strstr(r.body, "0.0.0.0"));
	/* ...and a proxy that answers 0.0.0.0 for the hold (rtpengine). */
	F[0].reply = "40100 0.0.0.0 4";
	rewrite(ms, MEDIA_CALLER, MEDIA_MSG_OFFER, sdp2, &r);
	assert_null(strstr(r.body, "0.0.0.0"));
	assert_non_null(strstr(r.body, "c=IN IP4 127.0.0.1\r\n"));	/* the proxy's control address */
	F[0].reply = "40102";	/* no address at all: the same */
	rewrite(ms, MEDIA_CALLEE, MEDIA_MSG_FINAL, callee_sdp, &r);
	assert_non_null(strstr(r.body, "m=audio 40102 RTP/AVP 0\r\nc=IN IP4 127.0.0.1\r\n"));
	F[0].reply = NULL;

	/* An SDP with nothing to relay: our o= and a=nortpproxy only. */
	rewrite(ms, MEDIA_CALLER, MEDIA_MSG_OFFER,
		"v=0\r\no=a 1 9 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\n", &r);
	assert_int_equal(r.code, 0);
	assert_non_null(strstr(r.body, "m=audio 0 RTP/AVP 0\r\n"));
	assert_non_null(strstr(r.body, "a=nortpproxy:yes"));

	/* Release: D with both tags, the first offerer's first. */
	{
		unsigned before = F[0].ncmd;

		media_release(ms);
		pump(NULL, 100);
		assert_int_equal(F[0].ncmd, before + 1);
		assert_int_equal(strncmp(F[0].cmd[before], "D call-1@host-7 ", 16), 0);
		/* "D <call> <caller's tag> <callee's tag>" */
		assert_int_equal(strncmp(F[0].cmd[before] + 16, want, strlen(want) - 3), 0);
		assert_int_equal(F[0].cmd[before][16 + strlen(want) - 3], ' ');
	}
	assert_int_equal(media_sessions(&CD), 0);
}

static void test_rewrite_errors(void **state)
{
	struct media_session *ms;
	struct result r;
	int64_t t0;

	(void)state;
	if (!mh_in_netns)
		skip();
	fake_open(&F[0], 26021);
	open_media("udp:127.0.0.1:26021", NULL);
	pump(NULL, 100);
	assert_int_equal(media_session_new(&CD, PL("e1"), 1, -1, &ms), MEDIA_PICK_OK);
	/* Not SDP, or SDP without an address: 488, nothing asked. */
	rewrite(ms, MEDIA_CALLER, MEDIA_MSG_OFFER, "hello", &r);
	assert_int_equal(r.code, 488);
	assert_string_equal(r.reason, "Malformed SDP");
	rewrite(ms, MEDIA_CALLER, MEDIA_MSG_OFFER, "v=0\r\no=a 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 5 RTP/AVP 0\r\n",
		&r);
	assert_int_equal(r.code, 488);
	assert_int_equal(F[0].ncmd, 0);
	/* A withdrawn offer cannot be rewritten. */
	assert_int_equal(media_rewrite(ms, MEDIA_CALLER, MEDIA_MSG_REJECT, PL("v=0"), on_done, &r), -1);
	/* The proxy refuses: 502. */
	F[0].reply = "E8";
	rewrite(ms, MEDIA_CALLER, MEDIA_MSG_OFFER, caller_sdp, &r);
	assert_int_equal(r.code, 502);
	assert_string_equal(r.reason, "RTP proxy error");
	F[0].reply = "0 0.0.0.0";
	rewrite(ms, MEDIA_CALLER, MEDIA_MSG_OFFER, caller_sdp, &r);
	assert_int_equal(r.code, 502);
	F[0].reply = NULL;
	/* One rewrite at a time. */
	memset(&r, 0, sizeof(r));
	assert_int_equal(media_rewrite(ms, MEDIA_CALLER, MEDIA_MSG_OFFER, pl_from_str(caller_sdp), on_done, &r), 0);
	assert_true(media_busy(ms));
	assert_int_equal(media_rewrite(ms, MEDIA_CALLER, MEDIA_MSG_OFFER, pl_from_str(caller_sdp), on_done, &r), -1);
	pump(&r.done, 2000);
	assert_int_equal(r.code, 0);
	/* No answer: 502 after the retransmissions, and the proxy is offline. */
	F[0].silent = true;
	t0 = mh_now_ms();
	rewrite(ms, MEDIA_CALLER, MEDIA_MSG_OFFER, caller_sdp, &r);
	assert_int_equal(r.code, 502);
	assert_string_equal(r.reason, "RTP proxy not answering");
	assert_true(mh_now_ms() - t0 >= 2900);
	assert_int_equal(media_proxies_online(&CD), 0);
	{
		struct media_session *ms2;

		assert_int_equal(media_session_new(&CD, PL("e2"), 2, -1, &ms2), MEDIA_PICK_NO_PROXY);
	}
	media_release(ms);
}

static void test_release_during_rewrite(void **state)
{
	struct media_session *ms;
	struct result r = { 0 };

	(void)state;
	if (!mh_in_netns)
		skip();
	fake_open(&F[0], 26031);
	open_media("udp:127.0.0.1:26031", NULL);
	pump(NULL, 100);
	assert_int_equal(media_session_new(&CD, PL("r1"), 1, -1, &ms), MEDIA_PICK_OK);
	/* Late offer: the callee offers, the caller answers. */
	assert_int_equal(media_rewrite(ms, MEDIA_CALLEE, MEDIA_MSG_OFFER, pl_from_str(callee_sdp), on_done, &r), 0);
	media_release(ms);	/* before the proxy answered */
	media_release(ms);	/* twice is harmless while it waits */
	pump(NULL, 200);
	assert_false(r.done);	/* no callback after the release */
	/* The U was answered first, then came the D: callee's tag first. */
	assert_int_equal(F[0].ncmd, 2);
	assert_int_equal(F[0].cmd[0][0], 'U');
	assert_int_equal(F[0].cmd[1][0], 'D');
	{
		char tag[32];

		assert_int_equal(sscanf(F[0].cmd[0], "U r1-1 127.0.0.1 7100 %31[^;]", tag), 1);
		assert_non_null(strstr(F[0].cmd[1], tag));
		assert_int_equal(strncmp(F[0].cmd[1] + 7, tag, strlen(tag)), 0);
	}
	assert_int_equal(media_sessions(&CD), 0);

	/* An answer after a late offer: L, the callee's tag first. */
	assert_int_equal(media_session_new(&CD, PL("r2"), 2, -1, &ms), MEDIA_PICK_OK);
	rewrite(ms, MEDIA_CALLEE, MEDIA_MSG_OFFER, callee_sdp, &r);
	media_note(ms, MEDIA_CALLER, MEDIA_MSG_PROVISIONAL);
	rewrite(ms, MEDIA_CALLER, MEDIA_MSG_FINAL, caller_sdp, &r);
	assert_int_equal(F[0].cmd[F[0].ncmd - 1][0], 'L');
	/* Its offer is closed: the caller's next SDP is an offer (U). */
	rewrite(ms, MEDIA_CALLER, MEDIA_MSG_FINAL, caller_sdp, &r);
	assert_int_equal(F[0].cmd[F[0].ncmd - 1][0], 'U');
	/* A rejected offer closes too. */
	rewrite(ms, MEDIA_CALLER, MEDIA_MSG_OFFER, caller_sdp, &r);
	media_note(ms, MEDIA_CALLEE, MEDIA_MSG_REJECT);
	rewrite(ms, MEDIA_CALLEE, MEDIA_MSG_FINAL, callee_sdp, &r);
	assert_int_equal(F[0].cmd[F[0].ncmd - 1][0], 'U');
	media_release(ms);
	pump(NULL, 100);
	assert_int_equal(F[0].cmd[F[0].ncmd - 1][0], 'D');
}

static void test_unreachable_proxy(void **state)
{
	struct media_session *ms;
	struct result r;

	(void)state;
	/* A UNIX socket that does not exist: offline at once. */
	open_media("unix:/tmp/tandem-test-media-none.sock", NULL);
	pump(NULL, 50);
	assert_int_equal(media_proxies_online(&CD), 0);
	assert_int_equal(media_session_new(&CD, PL("u1"), 1, -1, &ms), MEDIA_PICK_NO_PROXY);
	(void)r;
}

static void test_ng_rewrite(void **state)
{
	struct media_session *ms;
	struct result r;
	char spec[64], list[4096];
	int n;

	(void)state;
	MH_NEED_RTPENGINE("media");
	snprintf(spec, sizeof(spec), "ng:127.0.0.1:%d", MH_NG_PORT);
	open_media(spec, NULL);
	pump(NULL, 200);
	assert_true(all_online());
	assert_int_equal(media_session_new(&CD, PL("ng-call"), 3, -1, &ms), MEDIA_PICK_OK);
	rewrite(ms, MEDIA_CALLER, MEDIA_MSG_OFFER, caller_sdp, &r);
	assert_int_equal(r.code, 0);
	assert_non_null(strstr(r.body, "m=audio 30"));
	assert_null(strstr(r.body, "m=audio 7000"));
	assert_int_equal(strncmp(r.body, "v=0\r\no=- ", 9), 0);
	assert_int_equal(count(r.body, "nortpproxy"), 1);
	n = mh_ng_raw("d7:command4:liste", 17, list, sizeof(list), 1000);
	assert_true(n > 0 && memmem(list, (size_t)n, "ng-call-3", 9));
	rewrite(ms, MEDIA_CALLEE, MEDIA_MSG_PROVISIONAL, callee_sdp, &r);
	assert_int_equal(r.code, 0);
	assert_non_null(strstr(r.body, "m=audio 30"));
	rewrite(ms, MEDIA_CALLEE, MEDIA_MSG_FINAL, callee_sdp, &r);
	assert_int_equal(r.code, 0);
	/* A hold through rtpengine: still sendonly. */
	rewrite(ms, MEDIA_CALLER, MEDIA_MSG_OFFER,
		"v=0\r\no=alice 100 5 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
		"m=audio 7000 RTP/AVP 0\r\na=sendrecv\r\n", &r);
	assert_int_equal(r.code, 0);
	assert_non_null(strstr(r.body, "a=sendonly"));
	assert_non_null(strstr(r.body, " 2 IN IP4 127.0.0.1\r\n"));
	/* Garbage SDP: rtpengine refuses, 502. */
	rewrite(ms, MEDIA_CALLER, MEDIA_MSG_OFFER, "v=0\r\nnot sdp", &r);
	assert_int_equal(r.code, 502);
	media_release(ms);
	for (int i = 0; i < 50; i++) {
		pump(NULL, 20);
		n = mh_ng_raw("d7:command4:liste", 17, list, sizeof(list), 1000);
		if (n > 0 && !memmem(list, (size_t)n, "ng-call-3", 9))
			break;
	}
	assert_true(n > 0 && !memmem(list, (size_t)n, "ng-call-3", 9));
}

/* ccd's media options: -r (repeatable), --rtpp-retry, --rtpp-check,
 * --rtpp-notify. */
static enum ccd_config_result parse(struct ccd_config *cfg, char *err, int n, ...)
{
	char *argv[32] = { (char *)"ccd", (char *)"-u", (char *)"-s", (char *)"127.0.0.1" };
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		argv[4 + i] = va_arg(ap, char *);
	va_end(ap);
	return ccd_config_parse(cfg, 4 + n, argv, err, 256);
}

static void test_config_options(void **state)
{
	struct ccd_config cfg;
	char err[256], many[CCD_RTPP_MAX + 1][8];
	char *argv[64] = { (char *)"ccd", (char *)"-u", (char *)"-s", (char *)"127.0.0.1" };
	int argc = 4;

	(void)state;
	assert_int_equal(parse(&cfg, err, 8, "-r", "udp:127.0.0.1:7722", "-r", "ng:127.0.0.1;weight=3", "--rtpp-retry",
			       "5", "--rtpp-check", "2"), CCD_CONFIG_OK);
	assert_int_equal(cfg.n_rtpp, 2);
	assert_string_equal(cfg.rtpp[1], "ng:127.0.0.1;weight=3");
	assert_int_equal(cfg.rtpp_retry_s, 5);
	assert_int_equal(cfg.rtpp_check_s, 2);
	assert_null(cfg.rtpp_notify);
	assert_int_equal(parse(&cfg, err, 4, "-r", "/run/rtpp.sock", "--rtpp-notify", "127.0.0.1:8090"), CCD_CONFIG_OK);
	assert_string_equal(cfg.rtpp_notify, "127.0.0.1:8090");
	assert_int_equal(parse(&cfg, err, 2, "-r", "sctp:x"), CCD_CONFIG_ERROR);
	assert_non_null(strstr(err, "invalid RTP proxy (-r): unknown RTP proxy type"));
	assert_int_equal(parse(&cfg, err, 2, "--rtpp-retry", "0"), CCD_CONFIG_ERROR);
	assert_non_null(strstr(err, "invalid --rtpp-retry '0'"));
	assert_int_equal(parse(&cfg, err, 2, "--rtpp-check", "x"), CCD_CONFIG_ERROR);
	assert_non_null(strstr(err, "invalid --rtpp-check 'x'"));
	assert_int_equal(parse(&cfg, err, 2, "--rtpp-retry", "86401"), CCD_CONFIG_ERROR);
	assert_int_equal(parse(&cfg, err, 4, "-r", "udp:1.2.3.4", "--rtpp-notify", "nohostport"), CCD_CONFIG_ERROR);
	assert_non_null(strstr(err, "invalid --rtpp-notify"));
	assert_int_equal(parse(&cfg, err, 2, "--rtpp-notify", "127.0.0.1:8090"), CCD_CONFIG_ERROR);
	assert_string_equal(err, "--rtpp-notify needs an RTP proxy (-r)");
	for (int i = 0; i <= CCD_RTPP_MAX; i++) {
		snprintf(many[i], sizeof(many[i]), "/r%d", i);
		argv[argc++] = (char *)"-r";
		argv[argc++] = many[i];
	}
	assert_int_equal(ccd_config_parse(&cfg, argc, argv, err, sizeof(err)), CCD_CONFIG_ERROR);
	assert_non_null(strstr(err, "too many RTP proxies"));
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
		cmocka_unit_test_setup_teardown(test_no_proxies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_health_and_choice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rewrite_rtpproxy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rewrite_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release_during_rewrite, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreachable_proxy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_rewrite, setup, teardown),
		cmocka_unit_test(test_config_options),
	};

	signal(SIGPIPE, SIG_IGN);
	mh_netns();
	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
