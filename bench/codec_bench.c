/*
 * codec_bench.c - how long sigd's receive path spends in the SIP parser.
 *
 *   codec_bench N [ROUNDS]
 *
 * Parses a realistic ~1 KB INVITE with SDP N times per round and reads
 * everything the transaction, dialog and routing layers read from it.
 * Each message is parsed from its own fresh copy (the parser may unfold
 * in place): copies are made BATCH at a time outside the timed region.
 * Prints the best round as "sip_parse_invite_ns_per_msg <ns>".
 *
 * All the per-message work is in bench_one(), so that
 * `valgrind --tool=callgrind --toggle-collect=bench_one` counts exactly
 * that (see codec_bench.sh).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sip_addr.h"
#include "sip_msg.h"
#include "sip_uri.h"
#include "sip_via.h"

#define BATCH 64

static const char invite[] =
	"INVITE sip:+4930123456789@core.carrier.example.net;user=phone SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-524287-1---6a2f0b5e3c1d;rport\r\n"
	"Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK3f9e.1c2b7a0e;received=198.51.100.7\r\n"
	"Record-Route: <sip:198.51.100.7:5060;lr;ftag=as4f2c1d9e>\r\n"
	"Route: <sip:203.0.113.5:5060;lr>\r\n"
	"Max-Forwards: 69\r\n"
	"From: \"Alice Example\" <sip:+4930987654321@pbx.example.com;user=phone>;tag=as4f2c1d9e\r\n"
	"To: <sip:+4930123456789@core.carrier.example.net;user=phone>\r\n"
	"Call-ID: 7c1f0a2e5b3d4c6f8e9a0b1c2d3e4f50@192.0.2.10\r\n"
	"CSeq: 102 INVITE\r\n"
	"Contact: <sip:+4930987654321@192.0.2.10:5060;transport=udp>\r\n"
	"Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, SUBSCRIBE, NOTIFY, INFO, PUBLISH, MESSAGE\r\n"
	"Supported: replaces, timer\r\n"
	"P-Asserted-Identity: \"Alice Example\" <sip:+4930987654321@pbx.example.com;user=phone>\r\n"
	"Session-Expires: 1800;refresher=uac\r\n"
	"Min-SE: 90\r\n"
	"User-Agent: ExamplePBX 16.2.1\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: 293\r\n"
	"\r\n"
	"v=0\r\n"
	"o=root 1821547322 1821547322 IN IP4 192.0.2.10\r\n"
	"s=ExamplePBX 16.2.1\r\n"
	"c=IN IP4 192.0.2.10\r\n"
	"t=0 0\r\n"
	"m=audio 17056 RTP/AVP 8 0 18 101\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:18 G729/8000\r\n"
	"a=fmtp:18 annexb=no\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-16\r\n"
	"a=ptime:20\r\n"
	"a=maxptime:150\r\n"
	"a=sendrecv\r\n";

static struct sip_msg msg;  /* a per-socket scratch area in sigd */
static volatile uint64_t sink;

/* Fold a slice into the sink so that no read can be optimised away. */
static inline uint64_t use(struct pl x)
{
	return (uint64_t)(uintptr_t)x.p + x.l;
}

/* Every name-addr value of one header, URI parsed, like the routing layer does. */
static uint64_t read_addrs(const struct sip_msg *m, enum sip_hdr_id id)
{
	struct sip_addr a;
	uint64_t acc = 0;

	for (const struct sip_hdr *h = sip_msg_hdr(m, id); h; h = sip_msg_hdr_next(m, h)) {
		if (sip_addr_parse(h->value, &a) != 0)
			abort();
		acc += use(a.uri.host) + a.uri.port + sip_uri_has_lr(&a.uri);
	}
	return acc;
}

__attribute__((noinline)) void bench_one(char *buf, size_t len);
__attribute__((noinline)) void bench_one(char *buf, size_t len)
{
	struct sip_msg *m = &msg;
	uint64_t acc;

	if (sip_msg_parse(m, buf, len, SIP_FRAMING_DATAGRAM, NULL) != SIP_PARSE_OK)
		abort();
	acc = use(m->call_id) + use(m->from.tag) + use(m->to.tag) + m->cseq + m->cseq_method_id;
	acc += use(m->via.branch) + use(m->via.host) + m->via.port + m->via.rport;
	acc += sip_via_branch_is_rfc3261(&m->via);
	acc += read_addrs(m, SIP_HDR_ROUTE);
	acc += read_addrs(m, SIP_HDR_RECORD_ROUTE);
	acc += read_addrs(m, SIP_HDR_CONTACT);
	acc += m->max_forwards + m->has_max_forwards;
	acc += sip_ctype_is(&m->content_type, "application", "sdp");
	acc += use(m->body);
	sink += acc;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	static char bufs[BATCH][sizeof(invite)];
	const size_t len = sizeof(invite) - 1;
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	long rounds = argc > 2 ? atol(argv[2]) : 7;
	double best = 0;

	if (n <= 0 || rounds <= 0) {
		fprintf(stderr, "usage: %s N [ROUNDS]\n", argv[0]);
		return 2;
	}
	for (long r = 0; r < rounds; r++) {
		double total = 0;

		for (long done = 0; done < n; done += BATCH) {
			long k = n - done < BATCH ? n - done : BATCH;
			double t0;

			for (long i = 0; i < k; i++)
				memcpy(bufs[i], invite, len);
			t0 = now_ns();
			for (long i = 0; i < k; i++)
				bench_one(bufs[i], len);
			total += now_ns() - t0;
		}
		if (r == 0 || total < best)
			best = total;
	}
	printf("sip_parse_invite_bytes %zu\n", len);
	printf("sip_parse_invite_ns_per_msg %.1f\n", best / (double)n);
	return 0;
}
