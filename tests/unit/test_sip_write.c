/*
 * test_sip_write.c - the SIP message writer: every appender, exact bytes
 * of whole messages, overflow at every cut point, header injection.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <string.h>

#include "sip_write.h"

#define CANARY 0xA5
#define CANARY_LEN 32

/* The writer's output so far, compared byte for byte with a literal. */
#define assert_out(w, lit)                                          \
	do {                                                        \
		assert_false((w)->overflow);                        \
		assert_int_equal((w)->len, sizeof(lit) - 1);        \
		assert_memory_equal((w)->buf, (lit), sizeof(lit) - 1); \
	} while (0)

struct fixture {
	char buf[2048];
	struct sip_writer w;
};

static struct fixture fx;

static struct sip_writer *fresh(void)
{
	memset(fx.buf, 0, sizeof(fx.buf));
	sip_w_init(&fx.w, fx.buf, sizeof(fx.buf));
	return &fx.w;
}

static void test_init(void **state)
{
	struct sip_writer w;
	char buf[8];

	(void)state;
	sip_w_init(&w, buf, sizeof(buf));
	assert_ptr_equal(w.buf, buf);
	assert_int_equal(w.cap, sizeof(buf));
	assert_int_equal(w.len, 0);
	assert_false(w.overflow);
	assert_int_equal(w.body_len_at, 0);
}

/* The int result of finish must always hold len: cap is clamped. */
static void test_init_clamps_cap(void **state)
{
	struct sip_writer w;
	char buf[1];

	(void)state;
	sip_w_init(&w, buf, (size_t)INT_MAX + 100);
	assert_int_equal(w.cap, INT_MAX);
}

static void test_null_buffer(void **state)
{
	struct sip_writer w;

	(void)state;
	sip_w_init(&w, NULL, 100);
	assert_int_equal(w.cap, 0);
	sip_w_pl(&w, PL_NULL); /* nothing to write: no overflow */
	assert_false(w.overflow);
	sip_w_str(&w, "x");
	assert_true(w.overflow);
	assert_int_equal(sip_w_finish(&w, PL_NULL, PL_NULL), -1);
}

static void test_u32_edges(void **state)
{
	static const struct {
		uint32_t v;
		const char *s;
	} cases[] = {
		{ 0, "0" },	   { 9, "9" },	       { 10, "10" },
		{ 99, "99" },	   { 100, "100" },     { 65535, "65535" },
		{ 1000000000u, "1000000000" }, { UINT32_MAX, "4294967295" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sip_writer *w = fresh();
		sip_w_u32(w, cases[i].v);
		assert_int_equal(w->len, strlen(cases[i].s));
		assert_memory_equal(w->buf, cases[i].s, w->len);
	}
}

static void test_u64_edges(void **state)
{
	static const struct {
		uint64_t v;
		const char *s;
	} cases[] = {
		{ 0, "0" },
		{ 9, "9" },
		{ 10, "10" },
		{ UINT32_MAX, "4294967295" },
		{ (uint64_t)UINT32_MAX + 1, "4294967296" },
		{ 10000000000000000000u, "10000000000000000000" },
		{ UINT64_MAX, "18446744073709551615" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sip_writer *w = fresh();
		sip_w_u64(w, cases[i].v);
		assert_int_equal(w->len, strlen(cases[i].s));
		assert_memory_equal(w->buf, cases[i].s, w->len);
	}
}

static void test_pl_str_char(void **state)
{
	struct sip_writer *w = fresh();

	(void)state;
	sip_w_pl(w, PL("ab"));
	sip_w_pl(w, PL_NULL);
	sip_w_pl(w, pl_from("zz", 0));
	sip_w_str(w, "cd");
	sip_w_str(w, NULL);
	sip_w_str(w, "");
	sip_w_char(w, 'e');
	assert_out(w, "abcde");
}

static void test_request_line(void **state)
{
	struct sip_writer *w = fresh();

	(void)state;
	sip_w_request_line(w, PL("INVITE"), PL("sip:bob@example.com;transport=tcp"));
	assert_out(w, "INVITE sip:bob@example.com;transport=tcp SIP/2.0\r\n");
}

static void test_status_line(void **state)
{
	struct sip_writer *w = fresh();

	(void)state;
	sip_w_status_line(w, 486, PL("Busy Here Now"));
	assert_out(w, "SIP/2.0 486 Busy Here Now\r\n");
	w = fresh();
	sip_w_status_line(w, 200, PL_NULL);
	assert_out(w, "SIP/2.0 200 OK\r\n");
	w = fresh();
	sip_w_status_line(w, 183, pl_from("", 0));
	assert_out(w, "SIP/2.0 183 Session Progress\r\n");
	w = fresh();
	sip_w_status_line(w, 499, PL_NULL);
	assert_out(w, "SIP/2.0 499 Request Failure\r\n");
}

static void test_reason_phrase_table(void **state)
{
	static const struct {
		unsigned code;
		const char *phrase;
	} cases[] = {
		{ 100, "Trying" },
		{ 180, "Ringing" },
		{ 181, "Call Is Being Forwarded" },
		{ 182, "Queued" },
		{ 183, "Session Progress" },
		{ 199, "Early Dialog Terminated" },
		{ 200, "OK" },
		{ 202, "Accepted" },
		{ 204, "No Notification" },
		{ 300, "Multiple Choices" },
		{ 301, "Moved Permanently" },
		{ 302, "Moved Temporarily" },
		{ 305, "Use Proxy" },
		{ 380, "Alternative Service" },
		{ 400, "Bad Request" },
		{ 401, "Unauthorized" },
		{ 402, "Payment Required" },
		{ 403, "Forbidden" },
		{ 404, "Not Found" },
		{ 405, "Method Not Allowed" },
		{ 406, "Not Acceptable" },
		{ 407, "Proxy Authentication Required" },
		{ 408, "Request Timeout" },
		{ 410, "Gone" },
		{ 412, "Conditional Request Failed" },
		{ 413, "Request Entity Too Large" },
		{ 414, "Request-URI Too Long" },
		{ 415, "Unsupported Media Type" },
		{ 416, "Unsupported URI Scheme" },
		{ 417, "Unknown Resource-Priority" },
		{ 420, "Bad Extension" },
		{ 421, "Extension Required" },
		{ 422, "Session Interval Too Small" },
		{ 423, "Interval Too Brief" },
		{ 424, "Bad Location Information" },
		{ 425, "Bad Alert Message" },
		{ 428, "Use Identity Header" },
		{ 429, "Provide Referrer Identity" },
		{ 430, "Flow Failed" },
		{ 433, "Anonymity Disallowed" },
		{ 436, "Bad Identity Info" },
		{ 437, "Unsupported Credential" },
		{ 438, "Invalid Identity Header" },
		{ 439, "First Hop Lacks Outbound Support" },
		{ 440, "Max-Breadth Exceeded" },
		{ 469, "Bad Info Package" },
		{ 470, "Consent Needed" },
		{ 480, "Temporarily Unavailable" },
		{ 481, "Call/Transaction Does Not Exist" },
		{ 482, "Loop Detected" },
		{ 483, "Too Many Hops" },
		{ 484, "Address Incomplete" },
		{ 485, "Ambiguous" },
		{ 486, "Busy Here" },
		{ 487, "Request Terminated" },
		{ 488, "Not Acceptable Here" },
		{ 489, "Bad Event" },
		{ 491, "Request Pending" },
		{ 493, "Undecipherable" },
		{ 494, "Security Agreement Required" },
		{ 500, "Server Internal Error" },
		{ 501, "Not Implemented" },
		{ 502, "Bad Gateway" },
		{ 503, "Service Unavailable" },
		{ 504, "Server Time-out" },
		{ 505, "Version Not Supported" },
		{ 513, "Message Too Large" },
		{ 555, "Push Notification Service Not Supported" },
		{ 580, "Precondition Failure" },
		{ 600, "Busy Everywhere" },
		{ 603, "Decline" },
		{ 604, "Does Not Exist Anywhere" },
		{ 606, "Not Acceptable" },
		{ 607, "Unwanted" },
		{ 608, "Rejected" },
		/* unregistered: the class */
		{ 101, "Provisional" },
		{ 299, "Successful" },
		{ 399, "Redirection" },
		{ 409, "Request Failure" },
		{ 599, "Server Failure" },
		{ 699, "Global Failure" },
		/* not a status code */
		{ 0, "Unknown" },
		{ 99, "Unknown" },
		{ 700, "Unknown" },
		{ 1000, "Unknown" },
		{ UINT_MAX, "Unknown" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(sip_reason_phrase(cases[i].code), cases[i].phrase);
}

static void test_header(void **state)
{
	struct sip_writer *w = fresh();

	(void)state;
	sip_w_header(w, PL("Subject"), PL("hello there"));
	sip_w_header(w, PL("X-Empty"), PL_NULL);
	assert_out(w, "Subject: hello there\r\nX-Empty: \r\n");
}

static void test_header_pieces(void **state)
{
	struct sip_writer *w = fresh();

	(void)state;
	sip_w_header_begin(w, PL("Expires"));
	sip_w_u32(w, 3600);
	sip_w_header_end(w);
	sip_w_header_begin(w, PL("Route"));
	sip_w_char(w, '<');
	sip_w_str(w, "sip:p1.example.com;lr");
	sip_w_char(w, '>');
	sip_w_header_end(w);
	assert_out(w, "Expires: 3600\r\nRoute: <sip:p1.example.com;lr>\r\n");
}

/* No caller-supplied CR or LF may start a new header line. */
static void test_header_injection(void **state)
{
	struct sip_writer *w = fresh();

	(void)state;
	sip_w_header(w, PL("Subject"), PL("hi\r\nContact: <sip:evil>\n\r"));
	assert_out(w, "Subject: hi  Contact: <sip:evil>  \r\n");

	w = fresh();
	sip_w_header(w, PL("X-A\r\nX-B"), PL("v"));
	assert_out(w, "X-A  X-B: v\r\n");

	w = fresh();
	sip_w_header_begin(w, PL("X"));
	sip_w_str(w, "a\rb");
	sip_w_char(w, '\n');
	sip_w_char(w, '\r');
	sip_w_pl(w, PL("\n"));
	sip_w_header_end(w);
	assert_out(w, "X: a b   \r\n");

	w = fresh();
	sip_w_request_line(w, PL("INVITE\r\nX"), PL("sip:a\nb"));
	assert_out(w, "INVITE  X sip:a b SIP/2.0\r\n");

	w = fresh();
	sip_w_status_line(w, 200, PL("OK\r\nX: y"));
	assert_out(w, "SIP/2.0 200 OK  X: y\r\n");

	w = fresh();
	sip_w_via(w, PL("UDP\n"), PL("h\r"), 0, PL("z9hG4bK\r\n"), false);
	assert_out(w, "Via: SIP/2.0/UDP  h ;branch=z9hG4bK  \r\n");

	w = fresh();
	sip_w_name_addr(w, PL("a\r\n"), PL("sip:x\r"), PL("t\n"));
	assert_out(w, "\"a  \" <sip:x >;tag=t ");

	w = fresh();
	sip_w_cseq(w, 1, PL("BYE\r\n"));
	assert_out(w, "CSeq: 1 BYE  \r\n");
}

/*
 * The CR/LF scan works a word at a time with separate paths for short,
 * medium and long values and for the tail: try every length and position,
 * and the neighbours of CR and LF that must pass unchanged.
 */
static void test_crlf_every_position(void **state)
{
	static const char hostile[] = { '\r', '\n' };
	static const char benign[] = { '\t', 0x0b, 0x0c, 0x0e, 0x1a, 0x2a, 0x2d,
				       (char)0x8a, (char)0x8d, (char)0xff, 0x00 };
	char in[40], out[40];

	(void)state;
	for (size_t n = 1; n <= sizeof(in); n++) {
		for (size_t at = 0; at < n; at++) {
			for (size_t k = 0; k < sizeof(hostile) + sizeof(benign); k++) {
				char c = k < sizeof(hostile) ? hostile[k] : benign[k - sizeof(hostile)];
				struct sip_writer w;

				memset(in, 'a', n);
				in[at] = c;
				sip_w_init(&w, out, sizeof(out));
				sip_w_pl(&w, pl_from(in, n));
				assert_int_equal(w.len, n);
				if (k < sizeof(hostile))
					in[at] = ' ';
				assert_memory_equal(out, in, n);
			}
		}
	}
}

static void test_quoted(void **state)
{
	struct sip_writer *w = fresh();

	(void)state;
	sip_w_quoted(w, PL("Alice"));
	assert_out(w, "\"Alice\"");

	w = fresh();
	sip_w_quoted(w, PL_NULL);
	assert_out(w, "\"\"");

	w = fresh();
	sip_w_quoted(w, PL("say \"hi\" \\o/"));
	assert_out(w, "\"say \\\"hi\\\" \\\\o/\"");

	/* HTAB is qdtext (LWS); other CTLs are quoted-pairs; CR/LF become SP */
	w = fresh();
	sip_w_quoted(w, PL("a\tb\x01" "c\x7f" "d\re\nf"));
	assert_out(w, "\"a\tb\\\x01" "c\\\x7f" "d e f\"");

	/* NUL is a legal quoted-pair */
	w = fresh();
	sip_w_quoted(w, pl_from("x\0y", 3));
	assert_int_equal(w->len, 6);
	assert_memory_equal(w->buf, "\"x\\\0y\"", 6);

	/* UTF-8 passes unchanged */
	w = fresh();
	sip_w_quoted(w, PL("J\xc3\xbcrgen"));
	assert_out(w, "\"J\xc3\xbcrgen\"");
}

static void test_via(void **state)
{
	struct sip_writer *w = fresh();

	(void)state;
	sip_w_via(w, PL("UDP"), PL("192.0.2.1"), 5060, PL("z9hG4bK776asdhds"), true);
	assert_out(w, "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds;rport\r\n");

	w = fresh();
	sip_w_via(w, PL("TCP"), PL("proxy.example.com"), 0, PL("z9hG4bKx"), false);
	assert_out(w, "Via: SIP/2.0/TCP proxy.example.com;branch=z9hG4bKx\r\n");

	w = fresh();
	sip_w_via(w, PL("TLS"), PL("host"), 65535, PL_NULL, false);
	assert_out(w, "Via: SIP/2.0/TLS host:65535\r\n");

	w = fresh();
	sip_w_via(w, PL("UDP"), PL_NULL, 1, PL_NULL, true);
	assert_out(w, "Via: SIP/2.0/UDP :1;rport\r\n");
}

static void test_via_ipv6(void **state)
{
	struct sip_writer *w = fresh();

	(void)state;
	sip_w_via(w, PL("UDP"), PL("2001:db8::1"), 5060, PL("z9hG4bK1"), false);
	assert_out(w, "Via: SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK1\r\n");

	/* already bracketed: unchanged */
	w = fresh();
	sip_w_via(w, PL("UDP"), PL("[2001:db8::1]"), 5060, PL("z9hG4bK1"), false);
	assert_out(w, "Via: SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK1\r\n");

	w = fresh();
	sip_w_via(w, PL("TCP"), PL("::1"), 0, PL_NULL, true);
	assert_out(w, "Via: SIP/2.0/TCP [::1];rport\r\n");
}

static void test_name_addr(void **state)
{
	struct sip_writer *w = fresh();

	(void)state;
	sip_w_name_addr(w, PL_NULL, PL("sip:bob@example.com"), PL_NULL);
	assert_out(w, "<sip:bob@example.com>");

	w = fresh();
	sip_w_name_addr(w, PL("Bob"), PL("sip:bob@example.com"), PL("a6c85cf"));
	assert_out(w, "\"Bob\" <sip:bob@example.com>;tag=a6c85cf");

	w = fresh();
	sip_w_name_addr(w, PL("Mr \"B\", Esq."), PL("sip:b@x;transport=tcp"), PL_NULL);
	assert_out(w, "\"Mr \\\"B\\\", Esq.\" <sip:b@x;transport=tcp>");
}

static void test_common_headers(void **state)
{
	struct sip_writer *w = fresh();

	(void)state;
	sip_w_from(w, PL("A"), PL("sip:a@x"), PL("1"));
	sip_w_to(w, PL_NULL, PL("sip:b@y"), PL_NULL);
	sip_w_to(w, PL_NULL, PL("sip:b@y"), PL("2"));
	sip_w_contact(w, PL("A"), PL("sip:a@192.0.2.1"));
	sip_w_call_id(w, PL("abc@x"));
	sip_w_cseq(w, 0, PL("ACK"));
	sip_w_cseq(w, UINT32_MAX, PL("BYE"));
	sip_w_max_forwards(w, 70);
	sip_w_max_forwards(w, 0);
	assert_out(w, "From: \"A\" <sip:a@x>;tag=1\r\n"
		      "To: <sip:b@y>\r\n"
		      "To: <sip:b@y>;tag=2\r\n"
		      "Contact: \"A\" <sip:a@192.0.2.1>\r\n"
		      "Call-ID: abc@x\r\n"
		      "CSeq: 0 ACK\r\n"
		      "CSeq: 4294967295 BYE\r\n"
		      "Max-Forwards: 70\r\n"
		      "Max-Forwards: 0\r\n");
}

static void test_finish_no_body(void **state)
{
	struct sip_writer *w = fresh();

	(void)state;
	sip_w_status_line(w, 100, PL_NULL);
	/* a type without a body is not written */
	assert_int_equal(sip_w_finish(w, PL("application/sdp"), PL_NULL), 41);
	assert_out(w, "SIP/2.0 100 Trying\r\nContent-Length: 0\r\n\r\n");
}

static void test_finish_body_without_type(void **state)
{
	struct sip_writer *w = fresh();

	(void)state;
	assert_int_equal(sip_w_finish(w, PL_NULL, PL("abc\r\n")), 26);
	assert_out(w, "Content-Length: 5\r\n\r\nabc\r\n");
}

/* The body is copied as is: CRLF inside it is content, not injection. */
static void test_finish_body_raw(void **state)
{
	struct sip_writer *w = fresh();

	(void)state;
	sip_w_finish(w, PL("text/plain"), PL("a\r\nb\nc\r"));
	assert_out(w, "Content-Type: text/plain\r\nContent-Length: 7\r\n\r\na\r\nb\nc\r");
}

static const char sdp[] =
	"v=0\r\n"
	"o=alice 2890844526 2890844526 IN IP4 192.0.2.1\r\n"
	"s=-\r\n"
	"c=IN IP4 192.0.2.1\r\n"
	"t=0 0\r\n"
	"m=audio 49170 RTP/AVP 0\r\n"
	"a=rtpmap:0 PCMU/8000\r\n";

static const char invite[] =
	"INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK74bf9;rport\r\n"
	"Max-Forwards: 70\r\n"
	"From: \"Alice\" <sip:alice@atlanta.example.com>;tag=9fxced76sl\r\n"
	"To: <sip:bob@biloxi.example.com>\r\n"
	"Call-ID: 3848276298220188511@atlanta.example.com\r\n"
	"CSeq: 314159 INVITE\r\n"
	"Contact: <sip:alice@192.0.2.1:5060>\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: 132\r\n"
	"\r\n"
	"v=0\r\n"
	"o=alice 2890844526 2890844526 IN IP4 192.0.2.1\r\n"
	"s=-\r\n"
	"c=IN IP4 192.0.2.1\r\n"
	"t=0 0\r\n"
	"m=audio 49170 RTP/AVP 0\r\n"
	"a=rtpmap:0 PCMU/8000\r\n";

static int build_invite(struct sip_writer *w)
{
	sip_w_request_line(w, PL("INVITE"), PL("sip:bob@biloxi.example.com"));
	sip_w_via(w, PL("UDP"), PL("192.0.2.1"), 5060, PL("z9hG4bK74bf9"), true);
	sip_w_max_forwards(w, 70);
	sip_w_from(w, PL("Alice"), PL("sip:alice@atlanta.example.com"), PL("9fxced76sl"));
	sip_w_to(w, PL_NULL, PL("sip:bob@biloxi.example.com"), PL_NULL);
	sip_w_call_id(w, PL("3848276298220188511@atlanta.example.com"));
	sip_w_cseq(w, 314159, PL("INVITE"));
	sip_w_contact(w, PL_NULL, PL("sip:alice@192.0.2.1:5060"));
	return sip_w_finish(w, PL("application/sdp"), PL(sdp));
}

static const char ok200[] =
	"SIP/2.0 200 OK\r\n"
	"Via: SIP/2.0/UDP [2001:db8::9]:5062;branch=z9hG4bKnashds8\r\n"
	"From: \"Alice \\\"A\\\"\" <sip:alice@atlanta.example.com>;tag=9fxced76sl\r\n"
	"To: <sip:bob@biloxi.example.com>;tag=8321234356\r\n"
	"Call-ID: 3848276298220188511@atlanta.example.com\r\n"
	"CSeq: 1 INVITE\r\n"
	"Contact: <sip:bob@192.0.2.4>\r\n"
	"Supported: timer, 100rel\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: 132\r\n"
	"\r\n"
	"v=0\r\n"
	"o=alice 2890844526 2890844526 IN IP4 192.0.2.1\r\n"
	"s=-\r\n"
	"c=IN IP4 192.0.2.1\r\n"
	"t=0 0\r\n"
	"m=audio 49170 RTP/AVP 0\r\n"
	"a=rtpmap:0 PCMU/8000\r\n";

static int build_200(struct sip_writer *w)
{
	sip_w_status_line(w, 200, PL_NULL);
	sip_w_via(w, PL("UDP"), PL("2001:db8::9"), 5062, PL("z9hG4bKnashds8"), false);
	sip_w_from(w, PL("Alice \"A\""), PL("sip:alice@atlanta.example.com"), PL("9fxced76sl"));
	sip_w_to(w, PL_NULL, PL("sip:bob@biloxi.example.com"), PL("8321234356"));
	sip_w_call_id(w, PL("3848276298220188511@atlanta.example.com"));
	sip_w_cseq(w, 1, PL("INVITE"));
	sip_w_contact(w, PL_NULL, PL("sip:bob@192.0.2.4"));
	sip_w_header(w, PL("Supported"), PL("timer, 100rel"));
	return sip_w_finish(w, PL("application/sdp"), PL(sdp));
}

/* The same 200 OK with the body produced in place. */
static int build_200_in_place(struct sip_writer *w)
{
	sip_w_status_line(w, 200, PL_NULL);
	sip_w_via(w, PL("UDP"), PL("2001:db8::9"), 5062, PL("z9hG4bKnashds8"), false);
	sip_w_from(w, PL("Alice \"A\""), PL("sip:alice@atlanta.example.com"), PL("9fxced76sl"));
	sip_w_to(w, PL_NULL, PL("sip:bob@biloxi.example.com"), PL("8321234356"));
	sip_w_call_id(w, PL("3848276298220188511@atlanta.example.com"));
	sip_w_cseq(w, 1, PL("INVITE"));
	sip_w_contact(w, PL_NULL, PL("sip:bob@192.0.2.4"));
	sip_w_header(w, PL("Supported"), PL("timer, 100rel"));
	sip_w_body_begin(w, PL("application/sdp"));
	sip_w_body(w, pl_from(sdp, 60));
	sip_w_body(w, PL_NULL);
	sip_w_body(w, pl_from(sdp + 60, sizeof(sdp) - 1 - 60));
	return sip_w_body_end(w);
}

static void test_invite_exact(void **state)
{
	struct sip_writer *w = fresh();

	(void)state;
	assert_int_equal(build_invite(w), sizeof(invite) - 1);
	assert_out(w, invite);
}

static void test_200_exact(void **state)
{
	struct sip_writer *w = fresh();

	(void)state;
	assert_int_equal(build_200(w), sizeof(ok200) - 1);
	assert_out(w, ok200);
}

static void test_body_in_place(void **state)
{
	static const char expect_head[] =
		"Content-Type: application/sdp\r\n"
		"Content-Length:        132\r\n\r\n";
	struct sip_writer *w = fresh();
	const char *head;
	int n;

	(void)state;
	n = build_200_in_place(w);
	assert_int_equal(n, sizeof(ok200) - 1 + SIP_W_CLEN_WIDTH - 3);
	head = strstr(w->buf, "Content-Type:");
	assert_non_null(head);
	assert_memory_equal(head, expect_head, sizeof(expect_head) - 1);
	assert_memory_equal(w->buf + n - (sizeof(sdp) - 1), sdp, sizeof(sdp) - 1);
}

static void test_body_in_place_empty(void **state)
{
	struct sip_writer *w = fresh();

	(void)state;
	sip_w_status_line(w, 200, PL_NULL);
	sip_w_body_begin(w, PL_NULL);
	assert_int_equal(sip_w_body_end(w), 46);
	assert_out(w, "SIP/2.0 200 OK\r\nContent-Length:          0\r\n\r\n");
}

static void test_body_end_without_begin(void **state)
{
	struct sip_writer *w = fresh();

	(void)state;
	sip_w_status_line(w, 200, PL_NULL);
	assert_int_equal(sip_w_body_end(w), -1);
	assert_false(w->overflow); /* nothing written, the caller may finish */
}

static void test_finish_after_body_begin(void **state)
{
	struct sip_writer *w = fresh();
	size_t len;

	(void)state;
	sip_w_body_begin(w, PL_NULL);
	len = w->len;
	assert_int_equal(sip_w_finish(w, PL_NULL, PL("x")), -1);
	assert_true(w->overflow);
	assert_int_equal(w->len, len);
	assert_int_equal(sip_w_body_end(w), -1);
}

static void test_body_begin_twice(void **state)
{
	struct sip_writer *w = fresh();

	(void)state;
	sip_w_body_begin(w, PL_NULL);
	sip_w_body_begin(w, PL_NULL);
	assert_true(w->overflow);
	assert_int_equal(sip_w_body_end(w), -1);
}

/* Raw bytes with CRLF must not reach the header section. */
static void test_body_without_begin(void **state)
{
	struct sip_writer *w = fresh();

	(void)state;
	sip_w_status_line(w, 200, PL_NULL);
	sip_w_body(w, PL("X-Evil: 1\r\n"));
	assert_true(w->overflow);
	assert_int_equal(w->len, 16);
	assert_int_equal(sip_w_finish(w, PL_NULL, PL_NULL), -1);
}

/* Once full, nothing more goes in, not even a piece that would fit. */
static void test_overflow_sticks(void **state)
{
	char buf[8 + CANARY_LEN];
	struct sip_writer w;

	(void)state;
	memset(buf, CANARY, sizeof(buf));
	sip_w_init(&w, buf, 8);
	sip_w_str(&w, "12345");
	sip_w_str(&w, "6789"); /* does not fit: dropped whole */
	assert_true(w.overflow);
	assert_int_equal(w.len, 5);
	sip_w_char(&w, 'x'); /* would fit, but overflow sticks */
	sip_w_u32(&w, 1);
	sip_w_quoted(&w, PL_NULL);
	sip_w_body(&w, PL("y"));
	assert_int_equal(w.len, 5);
	assert_memory_equal(buf, "12345", 5);
	for (size_t i = 5; i < sizeof(buf); i++)
		assert_int_equal((unsigned char)buf[i], CANARY);
	assert_int_equal(sip_w_finish(&w, PL_NULL, PL_NULL), -1);
	assert_int_equal(w.len, 5);
}

/* A piece that exactly fills the buffer is not an overflow. */
static void test_exact_fit(void **state)
{
	char buf[5];
	struct sip_writer w;

	(void)state;
	sip_w_init(&w, buf, sizeof(buf));
	sip_w_str(&w, "abcde");
	assert_false(w.overflow);
	sip_w_pl(&w, PL_NULL);
	assert_false(w.overflow);
	sip_w_char(&w, 'f');
	assert_true(w.overflow);
	assert_int_equal(w.len, 5);
}

/*
 * Build a message into every buffer size from 0 to its full length: the
 * result is -1 below the full length and the length at it, nothing is
 * written past cap (canary), and what was written is a prefix of the
 * message (with a Content-Length placeholder left blank: a failed
 * message is never patched).
 */
static void cut_everywhere(int (*build)(struct sip_writer *), size_t full_len)
{
	static char full[4096], blank[4096];
	static char buf[4096 + CANARY_LEN];
	struct sip_writer w;

	assert_true(full_len <= sizeof(full));
	sip_w_init(&w, full, sizeof(full));
	assert_int_equal(build(&w), (int)full_len);
	memcpy(blank, full, full_len);
	if (w.body_len_at)
		memset(blank + w.body_len_at, ' ', SIP_W_CLEN_WIDTH);

	for (size_t cap = 0; cap <= full_len; cap++) {
		memset(buf, CANARY, cap + CANARY_LEN);
		sip_w_init(&w, buf, cap);
		int n = build(&w);
		if (cap < full_len) {
			assert_int_equal(n, -1);
			assert_true(w.overflow);
		} else {
			assert_int_equal(n, (int)full_len);
			assert_false(w.overflow);
		}
		assert_true(w.len <= cap);
		assert_memory_equal(buf, n < 0 ? blank : full, w.len);
		for (size_t i = cap; i < cap + CANARY_LEN; i++)
			assert_int_equal((unsigned char)buf[i], CANARY);
	}
}

static void test_overflow_every_cut_invite(void **state)
{
	(void)state;
	cut_everywhere(build_invite, sizeof(invite) - 1);
}

static void test_overflow_every_cut_200(void **state)
{
	(void)state;
	cut_everywhere(build_200, sizeof(ok200) - 1);
}

static void test_overflow_every_cut_in_place(void **state)
{
	(void)state;
	cut_everywhere(build_200_in_place, sizeof(ok200) - 1 + SIP_W_CLEN_WIDTH - 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_init_clamps_cap),
		cmocka_unit_test(test_null_buffer),
		cmocka_unit_test(test_u32_edges),
		cmocka_unit_test(test_u64_edges),
		cmocka_unit_test(test_pl_str_char),
		cmocka_unit_test(test_request_line),
		cmocka_unit_test(test_status_line),
		cmocka_unit_test(test_reason_phrase_table),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_header_pieces),
		cmocka_unit_test(test_header_injection),
		cmocka_unit_test(test_crlf_every_position),
		cmocka_unit_test(test_quoted),
		cmocka_unit_test(test_via),
		cmocka_unit_test(test_via_ipv6),
		cmocka_unit_test(test_name_addr),
		cmocka_unit_test(test_common_headers),
		cmocka_unit_test(test_finish_no_body),
		cmocka_unit_test(test_finish_body_without_type),
		cmocka_unit_test(test_finish_body_raw),
		cmocka_unit_test(test_invite_exact),
		cmocka_unit_test(test_200_exact),
		cmocka_unit_test(test_body_in_place),
		cmocka_unit_test(test_body_in_place_empty),
		cmocka_unit_test(test_body_end_without_begin),
		cmocka_unit_test(test_finish_after_body_begin),
		cmocka_unit_test(test_body_begin_twice),
		cmocka_unit_test(test_body_without_begin),
		cmocka_unit_test(test_overflow_sticks),
		cmocka_unit_test(test_exact_fit),
		cmocka_unit_test(test_overflow_every_cut_invite),
		cmocka_unit_test(test_overflow_every_cut_200),
		cmocka_unit_test(test_overflow_every_cut_in_place),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
