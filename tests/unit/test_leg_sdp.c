/*
 * The SDP packing of kept bodies (sigd/leg_sdp.h): round trips of the SDP
 * the common UAs send, how small they get, the one-to-one property the
 * legs compare with, and every error of packing and unpacking.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "sigd/leg_sdp.h"

/* sipp's (bench/sipp/uac.xml). */
#define SDP_SIPP "v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\n" \
		 "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\n" \
		 "a=rtpmap:0 PCMU/8000\r\n"

/* A PBX's offer. */
#define SDP_PBX "v=0\r\no=FreeSWITCH 1700000000 1700000001 IN IP4 203.0.113.10\r\n" \
		"s=FreeSWITCH\r\nc=IN IP4 203.0.113.10\r\nt=0 0\r\n" \
		"m=audio 24576 RTP/AVP 0 8 18 101\r\na=rtpmap:0 PCMU/8000\r\n" \
		"a=rtpmap:8 PCMA/8000\r\na=rtpmap:18 G729/8000\r\na=fmtp:18 annexb=no\r\n" \
		"a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\n" \
		"a=sendrecv\r\na=rtcp:24577 IN IP4 203.0.113.10\r\n"

/* A browser's (ICE, DTLS, bundle, opus). */
#define SDP_WEBRTC "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n" \
		   "a=group:BUNDLE 0\r\na=msid-semantic: WMS\r\n" \
		   "m=audio 9 UDP/TLS/RTP/SAVPF 111 0 8 126\r\nc=IN IP4 0.0.0.0\r\n" \
		   "a=rtcp:9 IN IP4 0.0.0.0\r\n" \
		   "a=candidate:1 1 udp 2122260223 192.0.2.7 54321 typ host generation 0 network-id 1\r\n" \
		   "a=ice-ufrag:x7Yq\r\na=ice-pwd:Zk3pQW8mxR2vN5tJbL9cHs1d\r\n" \
		   "a=ice-options:trickle\r\n" \
		   "a=fingerprint:sha-256 8A:4F:21:9C:0D:77:E5:12:AB:CD:EF:01:23:45:67:89:" \
		   "8A:4F:21:9C:0D:77:E5:12:AB:CD:EF:01:23:45:67:89\r\n" \
		   "a=setup:actpass\r\na=mid:0\r\n" \
		   "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n" \
		   "a=sendrecv\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n" \
		   "a=rtcp-fb:111 transport-cc\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n" \
		   "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n" \
		   "a=rtpmap:126 telephone-event/8000\r\na=ssrc:1001 cname:abc\r\n"

/* A fax gateway's T.38 re-offer. */
#define SDP_T38 "v=0\r\no=gw 1 2 IN IP4 198.51.100.4\r\ns=SIP Call\r\n" \
		"c=IN IP4 198.51.100.4\r\nt=0 0\r\nm=image 4000 udptl t38\r\n" \
		"a=T38FaxVersion:0\r\na=T38MaxBitRate:14400\r\na=T38FaxRateManagement:transferredTCF\r\n" \
		"a=T38FaxMaxBuffer:200\r\na=T38FaxMaxDatagram:72\r\na=T38FaxUdpEC:t38UDPRedundancy\r\n"

/* Non-ASCII (UTF-8 in s=), and the escape byte itself. */
#define SDP_UTF8 "v=0\r\no=- 1 1 IN IP6 2001:db8::1\r\ns=R\xc3\xa9union \xe2\x98\x8e\r\n" \
		 "c=IN IP6 2001:db8::1\r\nt=0 0\r\nm=audio 5004 RTP/AVP 96\r\n" \
		 "a=rtpmap:96 opus/48000/2\r\ni=\xff\xfe\x80\r\n"

struct f {
	struct leg_sdp_index ix;
	char packed[4096], text[4096];
};

static int setup(void **state)
{
	static struct f f;

	leg_sdp_index_init(&f.ix);
	*state = &f;
	return 0;
}

static long pack(struct f *f, const char *sdp)
{
	return leg_sdp_pack(&f->ix, pl_from_str(sdp), f->packed, sizeof(f->packed));
}

/* Packs, checks the size, unpacks, checks every byte came back. */
static long round_trip(struct f *f, const char *sdp)
{
	long n = pack(f, sdp), m;

	assert_true(n >= 0);
	assert_true((size_t)n <= LEG_SDP_PACKED_MAX(strlen(sdp)));
	m = leg_sdp_unpack(pl_from(f->packed, (size_t)n), f->text, sizeof(f->text));
	assert_int_equal(m, strlen(sdp));
	assert_memory_equal(f->text, sdp, strlen(sdp));
	return n;
}

static void test_round_trips(void **state)
{
	struct f *f = *state;

	/* about half, or better, for the usual bodies */
	assert_true(round_trip(f, SDP_SIPP) * 2 <= (long)strlen(SDP_SIPP));
	assert_true(round_trip(f, SDP_PBX) * 3 <= (long)strlen(SDP_PBX));
	assert_true(round_trip(f, SDP_WEBRTC) * 3 <= (long)strlen(SDP_WEBRTC) * 2);
	assert_true(round_trip(f, SDP_T38) * 3 <= (long)strlen(SDP_T38) * 2);
	round_trip(f, SDP_UTF8);
	/* no words at all: byte for byte */
	assert_int_equal(round_trip(f, "xyz"), 3);
	assert_int_equal(round_trip(f, ""), 0);
	/* one byte left, no word is that short */
	assert_int_equal(round_trip(f, "v=0\r\na"), 2);
}

/* The longest word wins where several start. */
static void test_longest_word(void **state)
{
	struct f *f = *state;

	assert_int_equal(pack(f, "a=rtpmap:0 PCMU/8000\r\n"), 1);
	/* "a=rtpmap:", "0 PCMU", "/16000\r\n" */
	assert_int_equal(pack(f, "a=rtpmap:0 PCMU/16000\r\n"), 1 + 6 + 1);
	assert_int_equal(pack(f, "a=ptime:20\r\n"), 1);
	assert_int_equal(pack(f, "a=ptime:40\r\n"), 1 + 2 + 1);	/* "a=ptime:" 40 CRLF */
	assert_int_equal(pack(f, "\r\n\r\n"), 2);
	assert_int_equal(pack(f, "c=IN IP4 0.0.0.0\r\n"), 1);
}

/* Every code unpacks to a word that packs back to that one code. */
static void test_every_word(void **state)
{
	struct f *f = *state;
	unsigned words = 0;

	for (unsigned c = 0x80; c < 0xff; c++) {
		char code = (char)c;
		long n = leg_sdp_unpack(pl_from(&code, 1), f->text, sizeof(f->text));

		if (n < 0)
			break;
		assert_true(n >= 2);
		assert_int_equal(leg_sdp_pack(&f->ix, pl_from(f->text, (size_t)n), f->packed,
					      sizeof(f->packed)), 1);
		assert_int_equal((uint8_t)f->packed[0], c);
		words++;
	}
	assert_true(words >= 100);
}

/* Equal bodies pack equal, different ones differently: what the legs'
 * comparisons of a re-offer with the kept body rely on. */
static void test_one_to_one(void **state)
{
	struct f *f = *state;
	char a[4096], b[4096];
	long na, nb;

	na = pack(f, SDP_PBX);
	memcpy(a, f->packed, (size_t)na);
	nb = pack(f, SDP_PBX);
	assert_int_equal(na, nb);
	assert_memory_equal(a, f->packed, (size_t)na);
	/* the same body with another port */
	strcpy(b, SDP_PBX);
	memcpy(strstr(b, "24576"), "24578", 5);
	nb = pack(f, b);
	assert_true(na != nb || memcmp(a, f->packed, (size_t)na) != 0);
	/* a literal 0x80 and the first word never look alike */
	na = pack(f, "\x80");
	assert_int_equal(na, 2);
	assert_int_equal((uint8_t)f->packed[0], 0xff);
	nb = pack(f, "\r\n");
	assert_int_equal(nb, 1);
	assert_int_equal((uint8_t)f->packed[0], 0x80);
}

static void test_pack_errors(void **state)
{
	struct f *f = *state;
	char out[4];

	/* room for the words, not for the literal after them */
	assert_int_equal(leg_sdp_pack(&f->ix, PL("\r\n\r\n\r\n\r\nx"), out, 4), -1);
	/* nor for a word */
	assert_int_equal(leg_sdp_pack(&f->ix, PL("abcd\r\n"), out, 4), -1);
	/* nor for an escape's second byte */
	assert_int_equal(leg_sdp_pack(&f->ix, PL("abc\xe9"), out, 4), -1);
	assert_int_equal(leg_sdp_pack(&f->ix, PL("abc"), out, 3), 3);
	assert_int_equal(leg_sdp_pack(&f->ix, PL(""), out, 0), 0);
}

static void test_unpack_errors(void **state)
{
	struct f *f = *state;
	char out[8];

	/* an escape with nothing after it */
	assert_int_equal(leg_sdp_unpack(PL("ab\xff"), out, sizeof(out)), -1);
	/* a code no word has */
	assert_int_equal(leg_sdp_unpack(PL("\xfe"), out, sizeof(out)), -1);
	/* too small for a literal, an escaped byte, a word */
	assert_int_equal(leg_sdp_unpack(PL("abc"), out, 2), -1);
	assert_int_equal(leg_sdp_unpack(PL("\xff\xe9"), out, 0), -1);
	assert_int_equal(leg_sdp_unpack(PL("\x81"), out, 4), -1);	/* "v=0\r\n" */
	assert_int_equal(leg_sdp_unpack(PL("\x81"), out, 5), 5);
	assert_memory_equal(out, "v=0\r\n", 5);
	(void)f;
}

/* The worst case, every byte escaped, fits LEG_SDP_PACKED_MAX exactly. */
static void test_worst_case(void **state)
{
	struct f *f = *state;
	char body[1000];

	memset(body, 0xe9, sizeof(body));
	assert_int_equal(leg_sdp_pack(&f->ix, pl_from(body, sizeof(body)), f->packed,
				      LEG_SDP_PACKED_MAX(sizeof(body))), LEG_SDP_PACKED_MAX(sizeof(body)));
	assert_int_equal(leg_sdp_pack(&f->ix, pl_from(body, sizeof(body)), f->packed,
				      LEG_SDP_PACKED_MAX(sizeof(body)) - 1), -1);
	assert_int_equal(leg_sdp_unpack(pl_from(f->packed, LEG_SDP_PACKED_MAX(sizeof(body))), f->text,
					sizeof(body)), sizeof(body));
	assert_memory_equal(f->text, body, sizeof(body));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_longest_word),
		cmocka_unit_test(test_every_word),
		cmocka_unit_test(test_one_to_one),
		cmocka_unit_test(test_pack_errors),
		cmocka_unit_test(test_unpack_errors),
		cmocka_unit_test(test_worst_case),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
