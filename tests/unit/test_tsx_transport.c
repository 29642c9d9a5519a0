/*
 * The transport (RFC 3261 §18): what is not SIP is dropped and counted,
 * a malformed request gets 400 with the parser's reason, a malformed
 * response is dropped, a flood of garbage costs little and harms nothing,
 * sigd_send and sigd_local_addr, and the SIP trace in the log.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_child.h"
#include "test_tsx_harness.h"

#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>

/* A request that fails to parse but still has every header a response
 * needs: 400 with the parser's reason, the Via as for any response, a To
 * tag added. */
static void test_malformed_request_400(void **state)
{
	struct h_dgram *d;
	char via[256];

	(void)state;
	h_sendf(0,
		"INVITE sip:svc@example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP %s;branch=z9hG4bK-bad;rport, SIP/2.0/UDP 10.1.1.1;branch=z9hG4bK-2\r\n"
		"Via: SIP/2.0/UDP 10.2.2.2;branch=z9hG4bK-3\r\n"
		"From: <sip:alice@example.com>;tag=f1\r\n"
		"To: <sip:svc@example.com>\r\n"
		"Call-ID: cid-bad\r\n"
		"CSeq: 1 INVITE\r\n"
		"Max-Forwards: many\r\n"
		"Content-Length: 0\r\n\r\n", H.peer_host[0]);
	d = h_next();
	assert_non_null(strstr(d->buf, "SIP/2.0 400 Malformed Max-Forwards header (line 8)\r\n"));
	snprintf(via, sizeof(via), "SIP/2.0/UDP %s;branch=z9hG4bK-bad;rport=%u;received=127.0.0.1",
		 H.peer_host[0], netaddr_port(&H.peer_addr[0]));
	assert_string_equal(h_header(d, "Via"), via);
	assert_non_null(strstr(d->buf, "\r\nVia: SIP/2.0/UDP 10.1.1.1;branch=z9hG4bK-2\r\n"
				       "Via: SIP/2.0/UDP 10.2.2.2;branch=z9hG4bK-3\r\n"));
	assert_string_equal(h_header(d, "From"), "<sip:alice@example.com>;tag=f1");
	assert_int_equal(strlen(h_header(d, "To")), strlen("<sip:svc@example.com>;tag=") + 16);
	assert_string_equal(h_header(d, "Call-ID"), "cid-bad");
	assert_string_equal(h_header(d, "CSeq"), "1 INVITE");
	assert_int_equal(H.sd.stats.parse_errors, 1);
	assert_int_equal(H.sd.stats.bad_requests_answered, 1);
	assert_int_equal(H.sd.stats.requests_in, 0);
	assert_int_equal(H.requests, 0);
	assert_int_equal(tsx_count(&H.sd, TSX_SERVER_INVITE), 0);
}

/* A fault in the request line; compact headers; a To that has a tag. */
static void test_malformed_request_line_400(void **state)
{
	struct h_dgram *d;

	(void)state;
	h_sendf(0,
		"BYE sip:svc@[::1 SIP/2.0\r\n"
		"v: SIP/2.0/UDP %s;branch=z9hG4bK-rl\r\n"
		"f: <sip:alice@example.com>;tag=f1\r\n"
		"t: <sip:svc@example.com>;tag=t1\r\n"
		"i: cid-rl\r\n"
		"CSeq: 2 BYE\r\n\r\n", H.peer_host[1]);
	d = h_next();
	assert_int_equal(d->peer, 1);	/* no rport: the sent-by port */
	assert_non_null(strstr(d->buf, "SIP/2.0 400 Malformed Request-URI\r\n"));
	assert_string_equal(h_header(d, "To"), "<sip:svc@example.com>;tag=t1");
	assert_string_equal(h_header(d, "Call-ID"), "cid-rl");
}

/* A Via list whose parameter is a quoted-string with a comma in it. */
static void test_malformed_quoted_via_list(void **state)
{
	struct h_dgram *d;

	(void)state;
	h_sendf(0,
		"MESSAGE sip:svc@example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP %s;branch=z9hG4bK-q;x=\"a,\\\"b\", SIP/2.0/UDP 10.1.1.1\r\n"
		"From: <sip:alice@example.com>;tag=f1\r\nTo: <sip:svc@example.com>\r\n"
		"Call-ID: cid-q\r\nCSeq: 1 MESSAGE\r\nContent-Length: x\r\n\r\n", H.peer_host[1]);
	d = h_next();
	assert_int_equal(d->peer, 1);
	assert_non_null(strstr(d->buf, ";branch=z9hG4bK-q;x=\"a,\\\"b\"\r\nVia: SIP/2.0/UDP 10.1.1.1\r\n"));
}

/* SIP/3.0: 505 Version Not Supported (§21.5.7). */
static void test_unsupported_version_505(void **state)
{
	(void)state;
	h_sendf(0,
		"OPTIONS sip:svc@example.com SIP/3.0\r\n"
		"Via: SIP/2.0/UDP %s;branch=z9hG4bK-v3;rport\r\n"
		"From: <sip:alice@example.com>;tag=f1\r\nTo: <sip:svc@example.com>\r\n"
		"Call-ID: cid-v3\r\nCSeq: 1 OPTIONS\r\n\r\n", H.peer_host[0]);
	assert_non_null(strstr(h_next()->buf, "SIP/2.0 505 Version Not Supported\r\n"));
}

/* What cannot be answered is dropped and counted: no Call-ID, a top Via
 * that does not parse, a header value with a NUL, an ACK, a malformed
 * response. */
static void test_unanswerable_dropped(void **state)
{
	static const char nul_msg[] =
		"OPTIONS sip:svc@example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-nul\r\n"
		"From: <sip:a@example.com>;tag=f\r\nTo: <sip:b@example.com>\r\n"
		"Call-ID: cid\0nul\r\nCSeq: 1 OPTIONS\r\n\r\n";

	(void)state;
	h_sendf(0,
		"OPTIONS sip:svc@example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP %s;branch=z9hG4bK-nocid;rport\r\n"
		"From: <sip:alice@example.com>;tag=f1\r\nTo: <sip:svc@example.com>\r\n"
		"CSeq: 1 OPTIONS\r\n\r\n", H.peer_host[0]);
	h_send(0,
	       "OPTIONS sip:svc@example.com SIP/2.0\r\n"
	       "Via: SIP/2.0/UDP\r\n"
	       "From: <sip:alice@example.com>;tag=f1\r\nTo: <sip:svc@example.com>\r\n"
	       "Call-ID: cid-badvia\r\nCSeq: 1 OPTIONS\r\n\r\n");
	assert_int_equal(sendto(H.peer_fd[0], nul_msg, sizeof(nul_msg) - 1, 0,
				(struct sockaddr *)&H.sigd_addr.ss, H.sigd_addr.len),
			 (ssize_t)sizeof(nul_msg) - 1);
	h_sendf(0,
		"ACK sip:svc@example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP %s;branch=z9hG4bK-ack;rport\r\n"
		"From: <sip:alice@example.com>;tag=f1\r\nTo: <sip:svc@example.com>;tag=x\r\n"
		"Call-ID: cid-ack\r\nCSeq: one ACK\r\n\r\n", H.peer_host[0]);
	h_sendf(0,
		"SIP/2.0 200 OK\r\n"
		"Via: SIP/2.0/UDP %s;branch=z9hG4bK-resp\r\n"
		"From: <sip:alice@example.com>;tag=f1\r\nTo: <sip:svc@example.com>;tag=x\r\n"
		"Call-ID: cid-resp\r\nCSeq: 1 OPTIONS\r\nContent-Length: 99\r\n\r\n", H.peer_host[0]);
	h_sendf(0, "SIP/2.0 2000 OK\r\nVia: SIP/2.0/UDP %s\r\n\r\n", H.peer_host[0]);
	h_quiet(50);
	assert_int_equal(H.sd.stats.datagrams_in, 6);
	assert_int_equal(H.sd.stats.parse_errors, 6);
	assert_int_equal(H.sd.stats.bad_requests_answered, 0);
	assert_int_equal(H.sd.stats.not_sip, 0);
	assert_int_equal(H.sd.stats.responses_in, 0);
}

/* Not SIP: too short, binary, not starting with a token; keep-alives
 * (CRLF only) are not even counted. Nothing is answered. */
static void test_not_sip_dropped(void **state)
{
	static const unsigned char binary[] = { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01,
						0xfc, 0x03, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00,
						0x00, 0x00, 0x00, 0x00 };

	(void)state;
	h_send(0, "INVITE sip:a");
	h_send(0, "\r\n\r\n");
	h_send(0, "\r\n");
	h_send(0, "<?xml version=\"1.0\"?><a>not sip at all</a>");
	h_send(0, "\r\n  SIP/2.0 200 OK with a space first\r\n\r\n");
	assert_int_equal(sendto(H.peer_fd[0], binary, sizeof(binary), 0,
				(struct sockaddr *)&H.sigd_addr.ss, H.sigd_addr.len),
			 (ssize_t)sizeof(binary));
	h_quiet(50);
	assert_int_equal(H.sd.stats.datagrams_in, 6);
	assert_int_equal(H.sd.stats.not_sip, 4);
	assert_int_equal(H.sd.stats.parse_errors, 0);
}

static unsigned garbage(uint64_t *rng, char *buf, size_t cap)
{
	unsigned len = 1 + (unsigned)(*rng % (cap - 1));

	for (unsigned i = 0; i < len; i++) {
		*rng ^= *rng << 13;
		*rng ^= *rng >> 7;
		*rng ^= *rng << 17;
		buf[i] = (char)*rng;
	}
	return len;
}

/*
 * 10,000 garbage datagrams (random bytes, and SIP-looking ones that fail
 * the parser) while a transaction is in progress: all dropped and counted,
 * cheaply, and the transaction and a new OPTIONS are served as if nothing
 * happened.
 */
static void test_garbage_flood_harms_nothing(void **state)
{
	static const char *sipish[] = {
		"INVITE sip:x SIP/2.0\r\nVia: SIP/2.0/UDP 1.2.3.4\r\n\r\n",
		"SIP/2.0 180 Ringing\r\nCall-ID: x\r\n\r\n",
		"REGISTER sip:x SIP/2.0\r\nFrom: <sip:a@b>\r\n\r\nbody",
		"OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1;rport\r\nCSeq: 1\r\n\r\n",
	};
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	struct tsx *t;
	char buf[1400];
	int64_t start;
	unsigned sent = 0;

	(void)state;
	H.adopt = true;
	h_request("INVITE", "z9hG4bK-alive", "cid-alive", NULL, 1, "");
	h_run(20);
	t = H.req_tsx;
	assert_int_equal(tsx_respond(t, 180, PL_NULL, PL("tag")), 0);
	assert_int_equal(h_status(h_next()), 180);
	H.adopt = false;
	H.auto_code = 200;

	start = h_now_ms();
	while (sent < 10000) {
		/* bursts the size of a socket buffer, the loop drains between */
		for (unsigned i = 0; i < 100; i++, sent++) {
			const char *s = sipish[sent % 4];
			ssize_t r;

			if (sent % 5 == 0)
				r = sendto(H.peer_fd[1], s, strlen(s), 0,
					   (struct sockaddr *)&H.sigd_addr.ss, H.sigd_addr.len);
			else
				r = sendto(H.peer_fd[1], buf, garbage(&rng, buf, sizeof(buf)), 0,
					   (struct sockaddr *)&H.sigd_addr.ss, H.sigd_addr.len);
			assert_true(r > 0);
		}
		H_UNTIL(H.sd.stats.datagrams_in >= sent + 1, 2000);
	}
	/* cheap: well under a millisecond per hundred, even with sanitizers */
	assert_true(h_now_ms() - start < 3000);
	assert_int_equal(H.sd.stats.datagrams_in, 10001);
	assert_int_equal(H.sd.stats.not_sip + H.sd.stats.parse_errors, 10000);
	assert_true(H.sd.stats.parse_errors >= 2000);
	assert_int_equal(H.sd.stats.bad_requests_answered, 0);
	assert_int_equal(H.requests, 1);
	assert_int_equal(H.nq, H.rd);	/* garbage got no answer */

	/* the call in progress is served... */
	h_request("INVITE", "z9hG4bK-alive", "cid-alive", NULL, 1, "");
	assert_int_equal(h_status(h_next()), 180);
	assert_int_equal(tsx_respond(t, 200, PL_NULL, PL("tag")), 0);
	assert_int_equal(h_status(h_next()), 200);
	tsx_release(t);
	/* ...and so is a new request */
	h_request("OPTIONS", "z9hG4bK-after", "cid-after", NULL, 1, "");
	assert_int_equal(h_status(h_next()), 200);
	assert_int_equal(H.requests, 2);
}

/* Batches: more datagrams than one recvmmsg() call reads, all handled. */
static void test_batches(void **state)
{
	(void)state;
	H.auto_code = 200;
	for (unsigned i = 0; i < 3 * TRANSPORT_BATCH + 5; i++) {
		char branch[32];

		snprintf(branch, sizeof(branch), "z9hG4bK-b%u", i);
		h_request("OPTIONS", branch, "cid-batch", NULL, i + 1, "");
	}
	H_UNTIL(H.nq == 3 * TRANSPORT_BATCH + 5, 2000);
	assert_int_equal(H.requests, 3 * TRANSPORT_BATCH + 5);
	assert_int_equal(H.sd.stats.datagrams_out, 3 * TRANSPORT_BATCH + 5);
}

/* sigd_send: counted; a destination of a family with no socket fails. */
static void test_send(void **state)
{
	struct netaddr v6;

	(void)state;
	assert_int_equal(sigd_send(&H.sd, &H.peer_addr[0], "hello, peer", 11), 0);
	assert_string_equal(h_next()->buf, "hello, peer");
	assert_int_equal(H.sd.stats.datagrams_out, 1);
	netaddr_from_host(&v6, PL("::1"), 5060);
	assert_int_equal(sigd_send(&H.sd, &v6, "x", 1), -1);
	assert_int_equal(sigd_send(&H.sd, &v6, "x", 1), -1);
	assert_int_equal(H.sd.stats.send_errors, 2);
	assert_int_equal(H.sd.stats.datagrams_out, 1);
}

/* Held sends: queued (sigd_send says 0, nothing leaves, nothing counted)
 * until the last release, then sent in order to each peer; nested holds
 * send only at the outermost release. */
static void test_send_held(void **state)
{
	(void)state;
	transport_hold(&H.sd);
	transport_hold(&H.sd);
	assert_int_equal(sigd_send(&H.sd, &H.peer_addr[0], "one", 3), 0);
	assert_int_equal(sigd_send(&H.sd, &H.peer_addr[1], "two", 3), 0);
	assert_int_equal(sigd_send(&H.sd, &H.peer_addr[0], "three", 5), 0);
	transport_release(&H.sd);
	h_quiet(50);
	assert_int_equal(H.sd.stats.datagrams_out, 0);
	transport_release(&H.sd);
	assert_int_equal(H.sd.stats.datagrams_out, 3);
	assert_true(h_wait(3, 2000));
	/* each peer's datagrams in the order they were given */
	const char *want[H_PEERS][2] = { { "one", "three" }, { "two", NULL } };
	unsigned got[H_PEERS] = { 0, 0 };

	for (int i = 0; i < 3; i++) {
		struct h_dgram *d = h_next();

		assert_non_null(want[d->peer][got[d->peer]]);
		assert_string_equal(d->buf, want[d->peer][got[d->peer]]);
		got[d->peer]++;
	}
	/* an unmatched release is harmless; outside a hold, at once */
	transport_release(&H.sd);
	assert_int_equal(sigd_send(&H.sd, &H.peer_addr[1], "four", 4), 0);
	assert_int_equal(H.sd.stats.datagrams_out, 4);
	assert_string_equal(h_next()->buf, "four");
}

/* sigd_send_now() inside a hold: what was queued leaves first, then it,
 * and its refusal is its caller's to see. A held send the kernel refuses
 * shows in the counters at the release. */
static void test_send_now_and_held_errors(void **state)
{
	struct netaddr v6, bcast;

	(void)state;
	transport_hold(&H.sd);
	assert_int_equal(sigd_send(&H.sd, &H.peer_addr[0], "queued", 6), 0);
	assert_int_equal(sigd_send_now(&H.sd, &H.peer_addr[0], "now", 3), 0);
	assert_int_equal(H.sd.stats.datagrams_out, 2);
	assert_string_equal(h_next()->buf, "queued");
	assert_string_equal(h_next()->buf, "now");
	netaddr_from_host(&v6, PL("::1"), 5060);
	assert_int_equal(sigd_send_now(&H.sd, &v6, "x", 1), -1);
	assert_int_equal(H.sd.stats.send_errors, 1);
	/* no socket of the family: refused at once even when held */
	assert_int_equal(sigd_send(&H.sd, &v6, "x", 1), -1);
	assert_int_equal(H.sd.stats.send_errors, 2);
	/* the kernel refuses broadcast on a socket without SO_BROADCAST */
	netaddr_from_host(&bcast, PL("255.255.255.255"), 5060);
	assert_int_equal(sigd_send(&H.sd, &H.peer_addr[0], "before", 6), 0);
	assert_int_equal(sigd_send(&H.sd, &bcast, "refused", 7), 0);
	assert_int_equal(sigd_send(&H.sd, &H.peer_addr[0], "after", 5), 0);
	transport_release(&H.sd);
	assert_int_equal(H.sd.stats.send_errors, 3);
	assert_int_equal(H.sd.stats.datagrams_out, 4);
	assert_string_equal(h_next()->buf, "before");
	assert_string_equal(h_next()->buf, "after");
}

/* More held datagrams than the queue takes, by count and by bytes: the
 * full queue goes when the next one comes, and all leave in order. */
static void test_send_held_overflow(void **state)
{
	static char big[8000];
	char text[32];

	(void)state;
	transport_hold(&H.sd);
	for (int i = 0; i < TRANSPORT_TX_BATCH + 3; i++) {
		snprintf(text, sizeof(text), "d%d", i);
		assert_int_equal(sigd_send(&H.sd, &H.peer_addr[0], text, strlen(text)), 0);
	}
	assert_int_equal(H.sd.stats.datagrams_out, TRANSPORT_TX_BATCH);
	transport_release(&H.sd);
	for (int i = 0; i < TRANSPORT_TX_BATCH + 3; i++) {
		snprintf(text, sizeof(text), "d%d", i);
		assert_string_equal(h_next()->buf, text);
	}
	/* bytes: 8 of 8,000 fit in TRANSPORT_TX_BYTES, the 9th does not */
	assert_true(8 * sizeof(big) <= TRANSPORT_TX_BYTES && 9 * sizeof(big) > TRANSPORT_TX_BYTES);
	transport_hold(&H.sd);
	for (int i = 0; i < 9; i++) {
		memset(big, 'a' + i, sizeof(big));
		assert_int_equal(sigd_send(&H.sd, &H.peer_addr[0], big, sizeof(big)), 0);
	}
	assert_int_equal(H.sd.stats.datagrams_out, TRANSPORT_TX_BATCH + 3 + 8);
	transport_release(&H.sd);
	assert_int_equal(H.sd.stats.datagrams_out, TRANSPORT_TX_BATCH + 3 + 9);
	for (int i = 0; i < 9; i++) {
		struct h_dgram *d = h_next();

		assert_int_equal(d->len, sizeof(big));
		assert_int_equal(d->buf[0], 'a' + i);
	}
	assert_int_equal(H.sd.stats.send_errors, 0);
}

/* With -l, the listen address and port, whatever the destination. */
static void test_local_addr_fixed(void **state)
{
	struct netaddr dst;
	struct pl host;
	uint16_t port;

	(void)state;
	netaddr_from_host(&dst, PL("192.0.2.7"), 5060);
	sigd_local_addr(&H.sd, &dst, &host, &port);
	assert_true(pl_eq_str(host, "127.0.0.1"));
	assert_int_equal(port, netaddr_port(&H.sigd_addr));
	netaddr_from_host(&dst, PL("2001:db8::1"), 5060);
	sigd_local_addr(&H.sd, &dst, &host, &port);
	assert_true(pl_eq_str(host, "127.0.0.1"));
}

static bool have_ipv6(void)
{
	int fd = socket(AF_INET6, SOCK_DGRAM, 0);
	struct netaddr a;
	bool ok;

	netaddr_from_host(&a, PL("::1"), 0);
	ok = fd >= 0 && bind(fd, (struct sockaddr *)&a.ss, a.len) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* On the wildcards, the address the kernel would send from (cached); a
 * destination with no route gets the loopback address. */
static void test_local_addr_wildcard(void **state)
{
	struct netaddr dst, a;
	struct pl host;
	uint16_t port, port4;

	(void)state;
	h_teardown(NULL);
	h_setup_at(NULL, "127.0.0.1");
	netaddr_from_host(&dst, PL("127.0.0.1"), 5060);
	sigd_local_addr(&H.sd, &dst, &host, &port4);
	assert_true(pl_eq_str(host, "127.0.0.1"));
	assert_int_equal(port4, netaddr_port(&H.sigd_addr));
	sigd_local_addr(&H.sd, &dst, &host, &port);	/* from the cache */
	assert_true(pl_eq_str(host, "127.0.0.1"));
	netaddr_from_host(&dst, PL("127.9.9.9"), 0);
	sigd_local_addr(&H.sd, &dst, &host, &port);
	assert_true(pl_eq_str(host, "127.0.0.1"));
	/* anywhere: some address of ours, or 127.0.0.1 without a route */
	netaddr_from_host(&dst, PL("192.0.2.7"), 5060);
	sigd_local_addr(&H.sd, &dst, &host, &port);
	assert_true(netaddr_from_host(&a, host, 0));
	assert_int_equal(netaddr_family(&a), AF_INET);
	if (H.sd.udp.nfd == 2 && have_ipv6()) {
		netaddr_from_host(&dst, PL("::1"), 5060);
		sigd_local_addr(&H.sd, &dst, &host, &port);
		assert_true(pl_eq_str(host, "[::1]"));
		assert_int_not_equal(port, 0);
		netaddr_from_host(&dst, PL("2001:db8::1"), 5060);
		sigd_local_addr(&H.sd, &dst, &host, &port);
		assert_true(netaddr_from_host(&a, host, 0));
		assert_int_equal(netaddr_family(&a), AF_INET6);
	}
}

/* In a network namespace with nothing but lo (as the end-to-end tests
 * run): a destination without a route still gets an address (loopback). */
static int only_lo_child(void)
{
	struct ifreq ifr;
	struct netaddr dst;
	struct pl host;
	uint16_t port;
	char err[256];
	int fd;

	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0)
		return 77;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) != 0)
		return 77;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) != 0)
		return 77;
	close(fd);
	memset(&H, 0, sizeof(H));
	if (sigd_udp_open(&H.sd.udp, NULL, 0, err, sizeof(err)) != 0)
		return 1;
	H.sd.base = event_base_new();
	if (transport_init(&H.sd) != 0)
		return 2;
	netaddr_from_host(&dst, PL("192.0.2.7"), 5060);
	sigd_local_addr(&H.sd, &dst, &host, &port);
	if (!pl_eq_str(host, "127.0.0.1") || port == 0)
		return 3;
	netaddr_from_host(&dst, PL("127.0.0.1"), 5060);
	sigd_local_addr(&H.sd, &dst, &host, &port);
	if (!pl_eq_str(host, "127.0.0.1"))
		return 4;
	transport_free(&H.sd);
	sigd_udp_close(&H.sd.udp);
	event_base_free(H.sd.base);
	return 0;
}

static void test_local_addr_only_lo(void **state)
{
	int code;

	(void)state;
	code = run_in_child(only_lo_child);
	if (code == 77)
		skip();		/* no user namespaces here */
	assert_int_equal(code, 0);
}

/* Before the transport exists: sigd_send fails, sigd_local_addr says
 * something sensible. */
static void test_no_transport(void **state)
{
	static struct sigd bare;
	struct netaddr dst;
	struct pl host;
	uint16_t port;

	(void)state;
	bare.cfg.port = 5060;
	netaddr_from_host(&dst, PL("127.0.0.1"), 5060);
	assert_int_equal(sigd_send(&bare, &dst, "x", 1), -1);
	assert_int_equal(bare.stats.send_errors, 1);
	sigd_local_addr(&bare, &dst, &host, &port);
	assert_true(pl_eq_str(host, "127.0.0.1"));
	assert_int_equal(port, 5060);
	assert_true(sigd_now_us() > 1600000000LL * 1000000);
	transport_free(&bare);
}

/* Messages in and out are logged at DBUG with their Call-ID, as Sippy's
 * "RECEIVED message from udp:..." / "SENDING message to udp:...". */
static void test_sip_trace_logged(void **state)
{
	char path[] = "/tmp/test_tsx_transport_XXXXXX";
	char text[65536];
	int fd = mkstemp(path);
	ssize_t n;

	(void)state;
	assert_true(fd >= 0);
	setenv("SIPLOG_BEND", "file", 1);
	setenv("SIPLOG_LOGFILE_FILE", path, 1);
	setenv("SIPLOG_LVL", "DBUG", 1);
	assert_int_equal(log_init("sigd"), 0);
	H.auto_code = 200;
	h_request("OPTIONS", "z9hG4bK-log", "cid-log", NULL, 1, "");
	assert_int_equal(h_status(h_next()), 200);
	h_send(0, "not sip");
	h_run(20);
	log_close();
	unsetenv("SIPLOG_BEND");
	unsetenv("SIPLOG_LOGFILE_FILE");
	unsetenv("SIPLOG_LVL");
	log_init("test_tsx_transport");
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	unlink(path);
	assert_true(n > 0);
	text[n] = '\0';
	assert_non_null(strstr(text, "/cid-log/sigd: RECEIVED message from udp:127.0.0.1:"));
	assert_non_null(strstr(text, "/cid-log/sigd: SENDING message to udp:127.0.0.1:"));
	assert_non_null(strstr(text, "\nOPTIONS sip:svc@example.com SIP/2.0\r\n"));
	assert_non_null(strstr(text, "/GLOBAL/sigd: dropped a 7-byte datagram"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_malformed_request_400, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_malformed_request_line_400, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_malformed_quoted_via_list, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_unsupported_version_505, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_unanswerable_dropped, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_not_sip_dropped, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_garbage_flood_harms_nothing, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_batches, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_send, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_send_held, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_send_now_and_held_errors, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_send_held_overflow, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_local_addr_fixed, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_local_addr_wildcard, h_setup, h_teardown),
		cmocka_unit_test(test_local_addr_only_lo),
		cmocka_unit_test(test_no_transport),
		cmocka_unit_test_setup_teardown(test_sip_trace_logged, h_setup, h_teardown),
	};

	log_init("test_tsx_transport");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
