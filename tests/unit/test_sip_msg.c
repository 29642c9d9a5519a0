/*
 * test_sip_msg.c - whole messages: start lines, header splitting, folding,
 * lists, accessors, mandatory headers, bodies, stream framing and every
 * parse error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sip_msg.h"
#include "sip_param.h"

#define assert_pl(x, s) \
	do { \
		assert_true(pl_isset(x)); \
		assert_int_equal((x).l, strlen(s)); \
		assert_memory_equal((x).p, s, strlen(s)); \
	} while (0)

static char buf[3 * SIP_MAX_MESSAGE];
static size_t buf_len;
static struct sip_msg m;
static struct sip_parse_error e;

/* Copy text into buf, turning each "\n" into CRLF (tests read better). */
static void load(const char *text)
{
	buf_len = 0;
	for (; *text; text++) {
		if (*text == '\n')
			buf[buf_len++] = '\r';
		buf[buf_len++] = *text;
	}
}

static enum sip_parse_result parse(const char *text, enum sip_framing fr)
{
	load(text);
	return sip_msg_parse(&m, buf, buf_len, fr, &e);
}

static enum sip_parse_result parse_raw(const char *data, size_t len, enum sip_framing fr)
{
	memcpy(buf, data, len);
	buf_len = len;
	return sip_msg_parse(&m, buf, buf_len, fr, &e);
}

static void check_reason_printable(void)
{
	for (const char *c = e.reason; *c; c++)
		assert_true(*c >= 0x20 && *c < 0x7f);
}

#define expect_error(text, fr, why) \
	do { \
		assert_int_equal(parse(text, fr), SIP_PARSE_ERROR); \
		assert_string_equal(e.reason, why); \
		check_reason_printable(); \
	} while (0)

#define expect_raw_error(data, fr, why) \
	do { \
		assert_int_equal(parse_raw(data, sizeof(data) - 1, fr), SIP_PARSE_ERROR); \
		assert_string_equal(e.reason, why); \
		check_reason_printable(); \
	} while (0)

#define REQ_CR_BARE "INVITE sip:h SIP/2.0\r\n\rX: 1\r\n\r\n"
#define DG SIP_FRAMING_DATAGRAM
#define ST SIP_FRAMING_STREAM

#define REQ "INVITE sip:bob@biloxi.example.com SIP/2.0\n"
#define VIA "Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776\n"
#define FROM "From: Alice <sip:alice@example.com>;tag=1928\n"
#define TO "To: Bob <sip:bob@example.com>\n"
#define CID "Call-ID: a84b4c76e66710@pc33\n"
#define CSEQ "CSeq: 314159 INVITE\n"
/* lines 2..6 */
#define BASE VIA FROM TO CID CSEQ

static const char invite[] =
	"INVITE sip:+15551234567@carrier.example.net;user=phone SIP/2.0\n"
	"Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK74bf9;rport\n"
	"Via: SIP/2.0/TCP edge.example.com;branch=z9hG4bK1x;received=198.51.100.7\n"
	"Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr;transport=tcp>\n"
	"Route: <sip:core.example.net;lr>\n"
	"Max-Forwards: 69\n"
	"From: \"Alice\" <sip:alice@example.com>;tag=9fxced76sl\n"
	"To: <sip:+15551234567@carrier.example.net;user=phone>\n"
	"Call-ID: 3848276298220188511@192.0.2.10\n"
	"CSeq: 1 INVITE\n"
	"Contact: <sip:alice@192.0.2.10:5060;transport=udp>\n"
	"Allow: INVITE, ACK, CANCEL, BYE\n"
	"Supported: 100rel, timer\n"
	"X-Custom: a, b\n"
	"Content-Type: application/sdp\n"
	"Content-Length: 10\n"
	"\n"
	"v=0\no=x\n";

static void test_invite(void **state)
{
	const struct sip_hdr *h;
	struct sip_addr a;

	(void)state;
	assert_int_equal(parse(invite, DG), SIP_PARSE_OK);
	assert_true(m.is_request);
	assert_pl(m.method, "INVITE");
	assert_int_equal(m.method_id, SIP_METHOD_INVITE);
	assert_pl(m.ruri_pl, "sip:+15551234567@carrier.example.net;user=phone");
	assert_pl(m.ruri.user, "+15551234567");
	assert_pl(m.ruri.host, "carrier.example.net");
	assert_pl(m.version, "SIP/2.0");
	assert_int_equal(m.status, 0);

	assert_pl(m.via.host, "192.0.2.10");
	assert_int_equal(m.via.port, 5060);
	assert_pl(m.via.branch, "z9hG4bK74bf9");
	assert_true(m.via.rport);
	assert_pl(m.from.tag, "9fxced76sl");
	assert_pl(m.from.display, "\"Alice\"");
	assert_false(pl_isset(m.to.tag));
	assert_pl(m.to.uri.user, "+15551234567");
	assert_pl(m.call_id, "3848276298220188511@192.0.2.10");
	assert_int_equal(m.cseq, 1);
	assert_pl(m.cseq_method, "INVITE");
	assert_int_equal(m.cseq_method_id, SIP_METHOD_INVITE);
	assert_true(m.has_max_forwards);
	assert_int_equal(m.max_forwards, 69);
	assert_true(m.has_content_length);
	assert_int_equal(m.content_length, 10);
	assert_true(m.has_content_type);
	assert_true(sip_ctype_is(&m.content_type, "APPLICATION", "Sdp"));
	assert_pl(m.body, "v=0\r\no=x\r\n");
	assert_ptr_equal(m.raw.p, buf);
	assert_int_equal(m.raw.l, buf_len);
	assert_int_equal(m.consumed, buf_len);

	/* 2 Via + 2 Record-Route + 1 Route + ... + 4 Allow + 2 Supported */
	assert_int_equal(m.hdr_count, 20);
	assert_int_equal(sip_msg_hdr_count(&m, SIP_HDR_VIA), 2);
	assert_int_equal(sip_msg_hdr_count(&m, SIP_HDR_RECORD_ROUTE), 2);
	assert_int_equal(sip_msg_hdr_count(&m, SIP_HDR_ALLOW), 4);
	assert_int_equal(sip_msg_hdr_count(&m, SIP_HDR_OTHER), 1);

	h = sip_msg_hdr(&m, SIP_HDR_RECORD_ROUTE);
	assert_pl(h->value, "<sip:p1.example.com;lr>");
	assert_int_equal(h->line, 4);
	assert_int_equal(sip_addr_parse(h->value, &a), 0);
	assert_true(sip_uri_has_lr(&a.uri));
	h = sip_msg_hdr_next(&m, h);
	assert_pl(h->value, "<sip:p2.example.com;lr;transport=tcp>");
	assert_pl(h->name, "Record-Route");
	assert_int_equal(h->line, 4);
	assert_null(sip_msg_hdr_next(&m, h));

	h = sip_msg_hdr(&m, SIP_HDR_VIA);
	h = sip_msg_hdr_next(&m, h);
	assert_pl(h->value, "SIP/2.0/TCP edge.example.com;branch=z9hG4bK1x;received=198.51.100.7");

	h = sip_msg_hdr(&m, SIP_HDR_ALLOW);
	assert_pl(h->value, "INVITE");
	h = sip_msg_hdr_next(&m, sip_msg_hdr_next(&m, sip_msg_hdr_next(&m, h)));
	assert_pl(h->value, "BYE");

	/* unknown headers are not split and keep name and value verbatim */
	h = sip_msg_hdr_by_str(&m, "x-custom");
	assert_non_null(h);
	assert_pl(h->name, "X-Custom");
	assert_pl(h->value, "a, b");
	assert_int_equal(h->id, SIP_HDR_OTHER);
	assert_null(sip_msg_hdr(&m, SIP_HDR_REPLACES));
}

static void test_response(void **state)
{
	(void)state;
	assert_int_equal(parse("SIP/2.0 180 Ringing\n" BASE "\n", DG), SIP_PARSE_OK);
	assert_false(m.is_request);
	assert_int_equal(m.status, 180);
	assert_pl(m.reason, "Ringing");
	assert_false(pl_isset(m.method));
	assert_int_equal(m.body.l, 0);
	assert_true(pl_isset(m.body));
	assert_false(m.has_content_length);
	assert_false(m.has_max_forwards);
	assert_false(m.has_content_type);

	/* the CSeq method of a response need not be anything in particular */
	assert_int_equal(parse("sip/2.0 699 \xc3\x9c" "ber\tweird reason: 100% ok\n"
			       VIA FROM TO CID "CSeq: 7 BYE\n\n", DG), SIP_PARSE_OK);
	assert_int_equal(m.status, 699);
	assert_pl(m.reason, "\xc3\x9c" "ber\tweird reason: 100% ok");
	assert_int_equal(m.cseq_method_id, SIP_METHOD_BYE);

	assert_int_equal(parse("SIP/2.0 100\n" BASE "\n", DG), SIP_PARSE_OK);
	assert_int_equal(m.status, 100);
	assert_int_equal(m.reason.l, 0);
	assert_int_equal(parse("SIP/2.0 100 \n" BASE "\n", DG), SIP_PARSE_OK);
	assert_int_equal(m.reason.l, 0);
}

static void test_compact_forms(void **state)
{
	const struct sip_hdr *h;

	(void)state;
	assert_int_equal(parse("OPTIONS sip:h SIP/2.0\n"
			       "v: SIP/2.0/UDP a;branch=z9hG4bK1\n"
			       "V : SIP/2.0/UDP b;branch=z9hG4bK2\n"
			       "f: <sip:x@h>;tag=1\n"
			       "T\t: sip:y@h\n"
			       "i:abc\n"
			       "CSEQ: 2 OPTIONS\n"
			       "m: <sip:x@h>\n"
			       "k: path\n"
			       "L: 0\n"
			       "c: text/plain\n"
			       "\n", DG), SIP_PARSE_OK);
	assert_int_equal(sip_msg_hdr_count(&m, SIP_HDR_VIA), 2);
	h = sip_msg_hdr(&m, SIP_HDR_VIA);
	assert_pl(h->name, "v");
	assert_pl(sip_msg_hdr_next(&m, h)->name, "V");
	assert_pl(m.via.host, "a");
	assert_pl(m.from.tag, "1");
	assert_pl(m.to.uri_pl, "sip:y@h");
	assert_pl(m.call_id, "abc");
	assert_true(m.has_content_length);
	assert_int_equal(m.content_length, 0);
	assert_true(sip_ctype_is(&m.content_type, "text", "plain"));
	/* lookups by long and compact name find the same entries */
	assert_ptr_equal(sip_msg_hdr_by_str(&m, "Call-ID"), sip_msg_hdr_by_str(&m, "I"));
	assert_ptr_equal(sip_msg_hdr_by_str(&m, "contact"), sip_msg_hdr(&m, SIP_HDR_CONTACT));
	assert_ptr_equal(sip_msg_hdr_by_str(&m, "Supported"), sip_msg_hdr(&m, SIP_HDR_SUPPORTED));
	assert_null(sip_msg_hdr_by_str(&m, "Route"));
	assert_null(sip_msg_hdr_by_str(&m, "X-None"));
}

static void test_folding(void **state)
{
	static const char text[] =
		"OPTIONS sip:h SIP/2.0\n"
		"Via: SIP/2.0/UDP\n  h.example.com\n\t;branch=z9hG4bK1\n"
		FROM TO CID
		"CSeq: 1\n OPTIONS\n"
		"Subject: I know you're there,\n      pick up the phone\n  \n"
		"X-After: yes\n"
		"\n";
	char orig[sizeof(text) * 2];
	const struct sip_hdr *h;

	(void)state;
	load(text);
	memcpy(orig, buf, buf_len);
	assert_int_equal(sip_msg_parse(&m, buf, buf_len, DG, &e), SIP_PARSE_OK);
	assert_pl(m.via.host, "h.example.com");
	assert_pl(m.via.branch, "z9hG4bK1");
	assert_pl(sip_msg_hdr(&m, SIP_HDR_VIA)->value,
		  "SIP/2.0/UDP    h.example.com  \t;branch=z9hG4bK1");
	assert_int_equal(m.cseq, 1);
	assert_pl(m.cseq_method, "OPTIONS");
	h = sip_msg_hdr(&m, SIP_HDR_SUBJECT);
	assert_pl(h->value, "I know you're there,        pick up the phone");
	assert_int_equal(h->line, 10);
	assert_int_equal(sip_msg_hdr_by_str(&m, "X-After")->line, 13);
	/* only the folding CR LF pairs changed, into SP SP */
	for (size_t i = 0; i < buf_len; i++) {
		if (buf[i] == orig[i])
			continue;
		assert_int_equal(buf[i], ' ');
		assert_true((orig[i] == '\r' && orig[i + 1] == '\n') ||
			    (orig[i] == '\n' && orig[i - 1] == '\r'));
		assert_true(orig[i] == '\r' ? (orig[i + 2] == ' ' || orig[i + 2] == '\t')
					    : (orig[i + 1] == ' ' || orig[i + 1] == '\t'));
	}
	/* parsing the unfolded buffer again gives the same message */
	assert_int_equal(sip_msg_parse(&m, buf, buf_len, DG, &e), SIP_PARSE_OK);
	assert_pl(m.cseq_method, "OPTIONS");
	assert_pl(sip_msg_hdr(&m, SIP_HDR_SUBJECT)->value,
		  "I know you're there,        pick up the phone");
}

static void test_lws_and_zeros(void **state)
{
	(void)state;
	assert_int_equal(parse("INVITE sip:h SIP/2.0\n"
			       "Via: SIP / 2.0 / UDP h ; branch = z9hG4bK1\n"
			       "From   :<sip:a@h>;tag=x\n"
			       "To:<sip:b@h>\n"
			       "Call-ID :  c@h  \n"
			       "CSeq:  0001   INVITE\n"
			       "Max-Forwards: 070\n"
			       "Content-Length:0\n"
			       "\n", DG), SIP_PARSE_OK);
	assert_pl(m.via.branch, "z9hG4bK1");
	assert_pl(m.call_id, "c@h");
	assert_int_equal(m.cseq, 1);
	assert_int_equal(m.max_forwards, 70);
	assert_int_equal(m.content_length, 0);
	/* a transport param in any case is just a param */
	assert_int_equal(parse("INVITE sip:h;transport=UdP SIP/2.0\n" BASE "\n", DG), SIP_PARSE_OK);
	/* boundaries: CSeq 2^31-1, Max-Forwards 0 and 255 */
	assert_int_equal(parse(REQ VIA FROM TO CID "CSeq: 2147483647 INVITE\n"
			       "Max-Forwards: 0\n\n", DG), SIP_PARSE_OK);
	assert_int_equal(m.cseq, 2147483647u);
	assert_true(m.has_max_forwards);
	assert_int_equal(m.max_forwards, 0);
	assert_int_equal(parse(REQ BASE "Max-Forwards: 255\n\n", DG), SIP_PARSE_OK);
	assert_int_equal(m.max_forwards, 255);
}

static void test_lists(void **state)
{
	const struct sip_hdr *h;

	(void)state;
	assert_int_equal(parse(REQ
			       "Via: SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2\n"
			       "Route: \"Proxy, One\" <sip:p1;lr>,<sip:p2;lr;x=\"a,b\">\n"
			       FROM TO CID CSEQ
			       "Via: SIP/2.0/UDP c;branch=z9hG4bK3\n"
			       "Contact: *\n"
			       "Contact: <sip:a@h;p=1,2>, sip:b@h;q=0.5\n"
			       "Allow: INVITE,,ACK , ,BYE,\n"
			       "Require: \n"
			       "Supported: ,\n"
			       "Warning: 399 h \"a, b\", 301 h \"c\"\n"
			       "Date: Sat, 13 Nov 2010 23:29:00 GMT\n"
			       "Proxy-Authorization: Digest username=\"a\", realm=\"b\"\n"
			       "\n", DG), SIP_PARSE_OK);
	h = sip_msg_hdr(&m, SIP_HDR_VIA);
	assert_pl(h->value, "SIP/2.0/UDP a;branch=z9hG4bK1");
	h = sip_msg_hdr_next(&m, h);
	assert_pl(h->value, "SIP/2.0/UDP b;branch=z9hG4bK2");
	h = sip_msg_hdr_next(&m, h);
	assert_pl(h->value, "SIP/2.0/UDP c;branch=z9hG4bK3");
	assert_int_equal(h->line, 8);
	assert_null(sip_msg_hdr_next(&m, h));

	h = sip_msg_hdr(&m, SIP_HDR_ROUTE);
	assert_pl(h->value, "\"Proxy, One\" <sip:p1;lr>");
	h = sip_msg_hdr_next(&m, h);
	assert_pl(h->value, "<sip:p2;lr;x=\"a,b\">");

	h = sip_msg_hdr(&m, SIP_HDR_CONTACT);
	assert_pl(h->value, "*");
	assert_true(sip_addr_is_star(h->value));
	h = sip_msg_hdr_next(&m, h);
	assert_pl(h->value, "<sip:a@h;p=1,2>");
	h = sip_msg_hdr_next(&m, h);
	assert_pl(h->value, "sip:b@h;q=0.5");

	assert_int_equal(sip_msg_hdr_count(&m, SIP_HDR_ALLOW), 3);
	h = sip_msg_hdr(&m, SIP_HDR_ALLOW);
	assert_pl(h->value, "INVITE");
	assert_pl(sip_msg_hdr_next(&m, h)->value, "ACK");
	/* an empty list is one empty entry, a list of nothing is kept whole */
	assert_pl(sip_msg_hdr(&m, SIP_HDR_REQUIRE)->value, "");
	assert_pl(sip_msg_hdr(&m, SIP_HDR_SUPPORTED)->value, ",");

	assert_int_equal(sip_msg_hdr_count(&m, SIP_HDR_WARNING), 2);
	assert_pl(sip_msg_hdr(&m, SIP_HDR_WARNING)->value, "399 h \"a, b\"");
	assert_pl(sip_msg_hdr(&m, SIP_HDR_DATE)->value, "Sat, 13 Nov 2010 23:29:00 GMT");
	assert_int_equal(sip_msg_hdr_count(&m, SIP_HDR_PROXY_AUTHORIZATION), 1);

	/* unterminated quote or bracket: the rest stays one element */
	assert_int_equal(parse(REQ BASE "Route: <sip:a>, \"x, <sip:b>\n"
			       "Path: <sip:a, <sip:b>\n"
			       "Contact: \"a\\\", b\" <sip:c@h>, \"d\\\n\n", DG), SIP_PARSE_OK);
	assert_int_equal(sip_msg_hdr_count(&m, SIP_HDR_ROUTE), 2);
	assert_pl(sip_msg_hdr_next(&m, sip_msg_hdr(&m, SIP_HDR_ROUTE))->value, "\"x, <sip:b>");
	assert_int_equal(sip_msg_hdr_count(&m, SIP_HDR_PATH), 1);
	assert_int_equal(sip_msg_hdr_count(&m, SIP_HDR_CONTACT), 2);
	assert_pl(sip_msg_hdr(&m, SIP_HDR_CONTACT)->value, "\"a\\\", b\" <sip:c@h>");
	assert_pl(sip_msg_hdr_next(&m, sip_msg_hdr(&m, SIP_HDR_CONTACT))->value, "\"d\\");
}

static void test_unknown_headers(void **state)
{
	const struct sip_hdr *h;

	(void)state;
	assert_int_equal(parse(REQ BASE
			       "X-A: 1\n"
			       "X-B: 2\n"
			       "x-a: 3\n"
			       "P-Foo: \n"
			       "X-A: 4\n"
			       "\n", DG), SIP_PARSE_OK);
	assert_int_equal(sip_msg_hdr_count(&m, SIP_HDR_OTHER), 5);
	h = sip_msg_hdr_by_name(&m, PL("X-a"));
	assert_pl(h->value, "1");
	h = sip_msg_hdr_next(&m, h);
	assert_pl(h->name, "x-a");
	assert_pl(h->value, "3");
	h = sip_msg_hdr_next(&m, h);
	assert_pl(h->value, "4");
	assert_null(sip_msg_hdr_next(&m, h));
	h = sip_msg_hdr_by_str(&m, "X-B");
	assert_pl(h->value, "2");
	assert_null(sip_msg_hdr_next(&m, h));
	assert_pl(sip_msg_hdr_by_str(&m, "p-foo")->value, "");
	/* all unknown headers in order, by raw index */
	h = sip_msg_hdr(&m, SIP_HDR_OTHER);
	assert_pl(h->name, "X-A");
	assert_pl(m.hdrs[h->next].name, "X-B");
	assert_null(sip_msg_hdr(&m, (enum sip_hdr_id)SIP_HDR__COUNT));
	assert_int_equal(sip_msg_hdr_count(&m, (enum sip_hdr_id)SIP_HDR__COUNT), 0);
}

static void test_leading_crlf(void **state)
{
	(void)state;
	assert_int_equal(parse("\n\n\r" REQ BASE "\n", DG), SIP_PARSE_OK);
	assert_ptr_equal(m.raw.p, buf + 5);
	assert_int_equal(m.consumed, buf_len);
	assert_int_equal(m.raw.l, buf_len - 5);
	/* lines count from the start of the buffer */
	expect_error("\n\n" REQ BASE "Max-Forwards: x\n\n", DG, "Malformed Max-Forwards header (line 9)");
}

static void test_datagram_body(void **state)
{
	(void)state;
	/* no Content-Length: the rest of the datagram */
	assert_int_equal(parse(REQ BASE "\nbody\nmore", DG), SIP_PARSE_OK);
	assert_pl(m.body, "body\r\nmore");
	/* shorter Content-Length: truncated (§18.3) */
	assert_int_equal(parse(REQ BASE "Content-Length: 4\n\nbody\nmore", DG), SIP_PARSE_OK);
	assert_pl(m.body, "body");
	assert_int_equal(m.raw.l, buf_len - 6);
	assert_int_equal(m.consumed, buf_len - 6);
	assert_int_equal(parse(REQ BASE "l: 0\n\ntrailing", DG), SIP_PARSE_OK);
	assert_int_equal(m.body.l, 0);
	/* a body may hold anything, NUL included */
	assert_int_equal(parse_raw("INVITE sip:h SIP/2.0\r\n"
				   "Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
				   "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: c\r\n"
				   "CSeq: 1 INVITE\r\nContent-Length: 3\r\n\r\n\0\r\n",
				   sizeof("INVITE sip:h SIP/2.0\r\n"
					  "Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
					  "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: c\r\n"
					  "CSeq: 1 INVITE\r\nContent-Length: 3\r\n\r\n\0\r\n") - 1, DG),
			 SIP_PARSE_OK);
	assert_int_equal(m.body.l, 3);
	assert_int_equal(m.body.p[0], 0);
	/* exactly SIP_MAX_MESSAGE bytes is fine */
	load(REQ BASE "\n");
	memset(buf + buf_len, 'x', SIP_MAX_MESSAGE - buf_len);
	assert_int_equal(sip_msg_parse(&m, buf, SIP_MAX_MESSAGE, DG, &e), SIP_PARSE_OK);
	assert_int_equal(m.raw.l, SIP_MAX_MESSAGE);
}

static void test_stream(void **state)
{
	static const char two[] =
		"\r\n\r\nOPTIONS sip:a@h SIP/2.0\r\n"
		"Via: SIP/2.0/TCP h;branch=z9hG4bK1\r\n"
		"From: <sip:x@h>;tag=1\r\nTo: <sip:a@h>\r\nCall-ID: s1\r\nCSeq: 1 OPTIONS\r\n"
		"Content-Length: 4\r\n\r\nabcd"
		"BYE sip:a@h SIP/2.0\r\n"
		"Via: SIP/2.0/TCP h;branch=z9hG4bK2\r\n"
		"From: <sip:x@h>;tag=1\r\nTo: <sip:a@h>;tag=2\r\nCall-ID: s1\r\nCSeq: 2 BYE\r\n"
		"l: 0\r\n\r\n";
	size_t first, len = sizeof(two) - 1;

	(void)state;
	assert_int_equal(parse_raw(two, len, ST), SIP_PARSE_OK);
	assert_int_equal(m.method_id, SIP_METHOD_OPTIONS);
	assert_pl(m.body, "abcd");
	first = m.consumed;
	assert_ptr_equal(pl_end(m.body), buf + first);
	assert_int_equal(sip_msg_parse(&m, buf + first, len - first, ST, &e), SIP_PARSE_OK);
	assert_int_equal(m.method_id, SIP_METHOD_BYE);
	assert_int_equal(m.consumed, len - first);

	/* every proper prefix of the first message is incomplete */
	for (size_t n = 0; n < first; n++) {
		memcpy(buf, two, len);
		if (sip_msg_parse(&m, buf, n, ST, &e) != SIP_PARSE_INCOMPLETE)
			fail_msg("prefix of %zu bytes not incomplete: %s", n, e.reason);
	}
	expect_error(REQ BASE "\n", ST, "Missing Content-Length on stream transport");
	/* folding at the very end of the bytes: wait for the next one */
	assert_int_equal(parse(REQ BASE "Subject: a\n", ST), SIP_PARSE_INCOMPLETE);
}

#define FRAME(s, err) sip_stream_frame(s, strlen(s), &skip, err)

static void test_stream_frame(void **state)
{
	static const char two[] =
		"\r\n\r\nOPTIONS sip:a@h SIP/2.0\r\n"
		"Via: SIP/2.0/TCP h;branch=z9hG4bK1\r\n"
		"Content-Length:\r\n  4\r\n"
		"X: y\r\n\r\nabcd"
		"BYE sip:a@h SIP/2.0\r\nl: 0\r\nContent-Length: 00\r\n\r\n";
	const char *bye = strstr(two, "BYE");
	struct sip_parse_error fe;
	size_t skip;
	ssize_t n;

	(void)state;
	n = FRAME(two, &fe);
	assert_int_equal(skip, 4);
	assert_int_equal(n, bye - two - 4);
	n = FRAME(bye, &fe);
	assert_int_equal(skip, 0);
	assert_int_equal(n, strlen(bye));
	/* HCOLON allows whitespace before the colon; other headers are ignored */
	assert_int_equal(FRAME("A sip:h SIP/2.0\r\nX\r\nContent-Length\t : 1\r\n\r\nz", &fe), 44);

	/* incomplete: keep-alives only, partial headers, partial body */
	assert_int_equal(sip_stream_frame("", 0, &skip, NULL), 0);
	assert_int_equal(skip, 0);
	assert_int_equal(FRAME("\r\n\r\n", NULL), 0);
	assert_int_equal(skip, 4);
	for (size_t i = 1; i < (size_t)(bye - two); i++) {
		if (sip_stream_frame(two, i, &skip, &fe) != 0)
			fail_msg("prefix of %zu bytes framed", i);
	}

	/* malformed frames */
	assert_int_equal(FRAME("A sip:h SIP/2.0\r\nX: 1\r\n\r\n", &fe), -1);
	assert_string_equal(fe.reason, "Missing Content-Length on stream transport");
	assert_int_equal(FRAME("A sip:h SIP/2.0\r\nX: 1\r\nl: 1x\r\n\r\n", &fe), -1);
	assert_string_equal(fe.reason, "Malformed Content-Length header (line 3)");
	assert_int_equal(fe.line, 3);
	assert_int_equal(fe.offset, 25);
	assert_int_equal(FRAME("A sip:h SIP/2.0\r\nl: 1\r\nContent-Length: 2\r\n\r\n", &fe), -1);
	assert_string_equal(fe.reason,
			    "Duplicate Content-Length header with different value (line 3)");
	assert_int_equal(FRAME("A sip:h SIP/2.0\r\nl: 65535\r\n\r\n", &fe), -1);
	assert_string_equal(fe.reason, "Message too large");
	assert_int_equal(FRAME("A sip:h SIP/2.0\r\nl: 99999999999\r\n\r\n", NULL), -1);
	/* a header section that cannot end within the limit */
	memset(buf, 'a', SIP_MAX_MESSAGE);
	assert_int_equal(sip_stream_frame(buf, SIP_MAX_MESSAGE - 1, &skip, &fe), 0);
	assert_int_equal(sip_stream_frame(buf, SIP_MAX_MESSAGE, &skip, &fe), -1);
	assert_string_equal(fe.reason, "Message too large");
	/* the largest message that fits */
	memcpy(buf, "A sip:h SIP/2.0\r\nl: 65506\r\n\r\n", 29);
	assert_int_equal(sip_stream_frame(buf, SIP_MAX_MESSAGE, &skip, &fe), SIP_MAX_MESSAGE);
	assert_int_equal(sip_stream_frame(buf, SIP_MAX_MESSAGE - 1, &skip, &fe), 0);
}

static void test_stream_parse_limits(void **state)
{
	(void)state;
	/* a header section still growing at the size limit is an error */
	load(REQ BASE "X: ");
	memset(buf + buf_len, 'a', 2 * SIP_MAX_MESSAGE);
	assert_int_equal(sip_msg_parse(&m, buf, SIP_MAX_MESSAGE - 1, ST, &e), SIP_PARSE_INCOMPLETE);
	assert_int_equal(sip_msg_parse(&m, buf, SIP_MAX_MESSAGE, ST, &e), SIP_PARSE_ERROR);
	assert_string_equal(e.reason, "Message too large");
	assert_int_equal(sip_msg_parse(&m, buf, 2 * SIP_MAX_MESSAGE, ST, &e), SIP_PARSE_ERROR);
	assert_string_equal(e.reason, "Message too large");
	expect_error(REQ BASE "Content-Length: 65500\n\n", ST, "Message too large");
	assert_int_equal(parse(REQ BASE "Content-Length: 10\n\n12345", ST), SIP_PARSE_INCOMPLETE);
}

static void test_errors_start_line(void **state)
{
	(void)state;
	expect_raw_error("", DG, "Empty message");
	expect_raw_error("\r\n\r\n", DG, "Empty message");
	assert_int_equal(parse_raw("\r\n\r\n", 4, ST), SIP_PARSE_INCOMPLETE);
	assert_int_equal(parse_raw("", 0, ST), SIP_PARSE_INCOMPLETE);

	expect_error("INVITE\n" BASE "\n", DG, "Malformed request line");
	expect_error("INVITE sip:h\n" BASE "\n", DG, "Malformed request line");
	expect_error(" INVITE sip:h SIP/2.0\n" BASE "\n", DG, "Malformed request line");
	expect_error("INV@TE sip:h SIP/2.0\n" BASE "\n", DG, "Malformed request line");
	expect_error("INVITE sip:h SIP/2.0 \n" BASE "\n", DG, "Malformed request line");
	expect_error("INVITE sip:h HTTP/1.1\n" BASE "\n", DG, "Malformed request line");
	expect_error("INVITE sip:h SIP/2\n" BASE "\n", DG, "Malformed request line");
	expect_error("INVITE sip:h SIP/.0\n" BASE "\n", DG, "Malformed request line");
	expect_error("INVITE  sip:h SIP/2.0\n" BASE "\n", DG, "Malformed request line");
	expect_error("INVITE sip:h SIP/3.0\n" BASE "\n", DG, "Unsupported SIP version");
	expect_error("INVITE sip:h SIP/2.01\n" BASE "\n", DG, "Unsupported SIP version");
	expect_error("INVITE sip:h@ SIP/2.0\n" BASE "\n", DG, "Malformed Request-URI");
	expect_error("INVITE <sip:h> SIP/2.0\n" BASE "\n", DG, "Malformed Request-URI");
	expect_error("INVITE sip:h\t SIP/2.0\n" BASE "\n", DG, "Malformed Request-URI");

	expect_error("SIP/2.0\n" BASE "\n", DG, "Malformed status line");
	expect_error("SIP/2.x 200 OK\n" BASE "\n", DG, "Malformed status line");
	expect_error("SIP/2.0 200 O\x01K\n" BASE "\n", DG, "Malformed status line");
	expect_error("SIP/1.0 200 OK\n" BASE "\n", DG, "Unsupported SIP version");
	expect_error("SIP/2.0 099 Low\n" BASE "\n", DG, "Invalid status code");
	expect_error("SIP/2.0 700 High\n" BASE "\n", DG, "Invalid status code");
	expect_error("SIP/2.0 2000 OK\n" BASE "\n", DG, "Invalid status code");
	expect_error("SIP/2.0 20 OK\n" BASE "\n", DG, "Invalid status code");
	expect_error("SIP/2.0 2x0 OK\n" BASE "\n", DG, "Invalid status code");
	expect_error("SIP/2.0 \n" BASE "\n", DG, "Invalid status code");
}

static void test_errors_lines(void **state)
{
	(void)state;
	expect_error(REQ VIA "From <sip:a@h>\n" TO CID CSEQ "\n", DG,
		     "Header line without colon (line 3)");
	expect_error(REQ VIA "From\n" TO CID CSEQ "\n", DG, "Header line without colon (line 3)");
	expect_error(REQ BASE "X-Foo bar: baz\n\n", DG, "Header line without colon (line 7)");
	expect_error(REQ BASE "X@Foo: baz\n\n", DG, "Invalid character in header name (line 7)");
	expect_error(REQ BASE ": baz\n\n", DG, "Invalid character in header name (line 7)");
	expect_error(REQ " folded: start line\n" BASE "\n", DG,
		     "Invalid character in header name (line 2)");
	expect_error(REQ BASE "X-\xc3\xa9: 1\n\n", DG, "Invalid character in header name (line 7)");
	expect_raw_error(REQ_CR_BARE, DG, "Invalid character in header name (line 2)");
	expect_error(REQ BASE "X-Foo: a\x01z\n\n", DG, "Invalid character in header value (line 7)");
	expect_error(REQ BASE "X-Foo: a\x7f\n\n", DG, "Invalid character in header value (line 7)");
	expect_error(REQ BASE "X-Foo: abcdefgh\x1b" "abcdefgh\n\n", DG,
		     "Invalid character in header value (line 7)");
	expect_raw_error("INVITE sip:h SIP/2.0\r\nX: a\rb\r\n\r\n", DG,
			 "Invalid character in header value (line 2)");
	expect_raw_error("INVITE sip:h SIP/2.0\r\nX: a\r\r\n\r\n", DG,
			 "Invalid character in header value (line 2)");
	expect_raw_error("INVITE sip:h SIP/2.0\nX: a\r\n\r\n", DG,
			 "Line not terminated by CRLF (line 1)");
	expect_raw_error("INVITE sip:h SIP/2.0\r\nX: a\n\r\n", DG,
			 "Line not terminated by CRLF (line 2)");
	expect_raw_error("INVITE sip:h SIP/2.0\r\nX: a\r\n\n", DG,
			 "Line not terminated by CRLF (line 3)");
	expect_raw_error("INVITE sip:h SIP/2.0\r\nX: a\r\n b\n\r\n", DG,
			 "Line not terminated by CRLF (line 3)");
	expect_raw_error("INVITE sip:h SIP/2.0\r\nX: a\r\n\0\r\n", DG,
			 "NUL byte in header section (line 3)");
	expect_raw_error("INV\0TE sip:h SIP/2.0\r\n\r\n", DG, "NUL byte in header section (line 1)");
	expect_raw_error("\r\nINVITE sip:h SIP/2.0\r\nX: \0\r\n\r\n", DG,
			 "NUL byte in header section (line 3)");
	expect_error(REQ BASE, DG, "Unterminated header section");
	expect_error(REQ BASE "X: y", DG, "Unterminated header section");
	expect_error(REQ BASE "X: y\n", DG, "Unterminated header section");
	expect_error(REQ BASE "X-y", DG, "Unterminated header section");
	expect_error(REQ BASE "X-y z", DG, "Unterminated header section");
	expect_error("INVITE sip:h SIP/2.0", DG, "Unterminated header section");
	expect_raw_error("INVITE sip:h SIP/2.0\r\nX: y\r\n\r", DG, "Unterminated header section");
}

static void test_errors_mandatory(void **state)
{
	(void)state;
	expect_error(REQ FROM TO CID CSEQ "\n", DG, "Missing Via header");
	expect_error(REQ VIA TO CID CSEQ "\n", DG, "Missing From header");
	expect_error(REQ VIA FROM CID CSEQ "\n", DG, "Missing To header");
	expect_error(REQ VIA FROM TO CSEQ "\n", DG, "Missing Call-ID header");
	expect_error(REQ VIA FROM TO CID "\n", DG, "Missing CSeq header");
	expect_error("SIP/2.0 200 OK\n" VIA FROM TO CID "\n", DG, "Missing CSeq header");

	expect_error(REQ "Via: SIP/2.0/UDP\n" FROM TO CID CSEQ "\n", DG,
		     "Malformed Via header (line 2)");
	expect_error(REQ "v: SIP/2.0/UDP h;branch\n" FROM TO CID CSEQ "\n", DG,
		     "Malformed Via header (line 2)");
	expect_error(REQ VIA "From: sip:a@h x\n" TO CID CSEQ "\n", DG,
		     "Malformed From header (line 3)");
	expect_error(REQ VIA FROM "To: <sip:b@h>;tag\n" CID CSEQ "\n", DG,
		     "Malformed To header (line 4)");
	expect_error(REQ VIA FROM TO "Call-ID: a b\n" CSEQ "\n", DG,
		     "Malformed Call-ID header (line 5)");
	expect_error(REQ VIA FROM TO "Call-ID: a@b@c\n" CSEQ "\n", DG,
		     "Malformed Call-ID header (line 5)");
	expect_error(REQ VIA FROM TO "Call-ID:\n" CSEQ "\n", DG,
		     "Malformed Call-ID header (line 5)");
	expect_error(REQ VIA FROM TO CID "CSeq: INVITE\n\n", DG, "Malformed CSeq header (line 6)");
	expect_error(REQ VIA FROM TO CID "CSeq: 1\n\n", DG, "Malformed CSeq header (line 6)");
	expect_error(REQ VIA FROM TO CID "CSeq: 1INVITE\n\n", DG, "Malformed CSeq header (line 6)");
	expect_error(REQ VIA FROM TO CID "CSeq: 2147483648 INVITE\n\n", DG,
		     "Malformed CSeq header (line 6)");
	expect_error(REQ VIA FROM TO CID "CSeq: 1 INVITE x\n\n", DG, "Malformed CSeq header (line 6)");
	expect_error(REQ BASE "Max-Forwards: 256\n\n", DG, "Malformed Max-Forwards header (line 7)");
	expect_error(REQ BASE "Max-Forwards: -1\n\n", DG, "Malformed Max-Forwards header (line 7)");
	expect_error(REQ BASE "Max-Forwards:\n\n", DG, "Malformed Max-Forwards header (line 7)");
	expect_error(REQ BASE "Content-Length: 1 2\n\n12", DG,
		     "Malformed Content-Length header (line 7)");
	expect_error(REQ BASE "Content-Length: 4294967296\n\n", DG,
		     "Malformed Content-Length header (line 7)");
	expect_error(REQ BASE "Content-Type: application\n\n", DG,
		     "Malformed Content-Type header (line 7)");

	expect_error(REQ VIA FROM TO CID "CSeq: 1 ACK\n\n", DG,
		     "CSeq method does not match request method (line 6)");
	expect_error(REQ VIA FROM TO CID "CSeq: 1 invite\n\n", DG,
		     "CSeq method does not match request method (line 6)");
}

static void test_errors_duplicates(void **state)
{
	(void)state;
	/* the same value again is tolerated */
	assert_int_equal(parse(REQ BASE FROM TO CID "CSeq: 0314159  INVITE\n"
			       "Max-Forwards: 5\nMax-Forwards: 05\n"
			       "Content-Length: 0\nl: 000\n\n", DG), SIP_PARSE_OK);
	assert_int_equal(m.max_forwards, 5);

	expect_error(REQ BASE "Call-ID: other\n\n", DG,
		     "Duplicate Call-ID header with different value (line 7)");
	expect_error(REQ BASE "CSeq: 314160 INVITE\n\n", DG,
		     "Duplicate CSeq header with different value (line 7)");
	expect_error(REQ BASE "f: Alice <sip:alice@example.com>;tag=1929\n\n", DG,
		     "Duplicate From header with different value (line 7)");
	expect_error(REQ BASE "To: <sip:b@h>\n\n", DG,
		     "Duplicate To header with different value (line 7)");
	expect_error(REQ BASE "Content-Length: 0\nContent-Length: 1\n\nx", DG,
		     "Duplicate Content-Length header with different value (line 8)");
	expect_error(REQ BASE "Max-Forwards: 70\nMax-Forwards: 69\n\n", DG,
		     "Duplicate Max-Forwards header with different value (line 8)");
	expect_error(REQ BASE "CSeq: 314159 ACK\n\n", DG,
		     "Duplicate CSeq header with different value (line 7)");
	expect_error(REQ BASE "CSeq: x\n\n", DG, "Malformed CSeq header (line 7)");
}

static void test_errors_body_and_limits(void **state)
{
	char text[4096];
	size_t n;

	(void)state;
	expect_error(REQ BASE "Content-Length: 5\n\nabcd", DG, "Content-Length exceeds body");

	/* 96 entries are fine, the 97th is not */
	n = (size_t)snprintf(text, sizeof(text), "%s", REQ BASE "Allow: A");
	for (int i = 1; i < SIP_MAX_HEADERS - 5; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, ",A");
	snprintf(text + n, sizeof(text) - n, "\n\n");
	assert_int_equal(parse(text, DG), SIP_PARSE_OK);
	assert_int_equal(m.hdr_count, SIP_MAX_HEADERS);
	snprintf(text + n, sizeof(text) - n, "\nX: 1\n\n");
	expect_error(text, DG, "Too many headers (line 8)");
	snprintf(text + n, sizeof(text) - n, ",B\n\n");
	expect_error(text, DG, "Too many headers (line 7)");

	load(REQ BASE "\n");
	assert_int_equal(sip_msg_parse(&m, buf, SIP_MAX_MESSAGE + 1, DG, &e), SIP_PARSE_ERROR);
	assert_string_equal(e.reason, "Message too large");
}

static void test_error_position(void **state)
{
	(void)state;
	expect_error(REQ VIA FROM TO CID "CSeq: 1 BYE\n\n", DG,
		     "CSeq method does not match request method (line 6)");
	assert_int_equal(e.line, 6);
	assert_memory_equal(buf + e.offset, "BYE", 3);
	expect_error(REQ BASE "X@: 1\n\n", DG, "Invalid character in header name (line 7)");
	assert_int_equal(e.line, 7);
	assert_int_equal(buf[e.offset], '@');
	expect_raw_error("INVITE sip:h SIP/2.0\r\nX: a\r\n\0\r\n", DG,
			 "NUL byte in header section (line 3)");
	assert_int_equal(e.offset, 28);
	assert_int_equal(e.line, 3);
	expect_error(REQ BASE, DG, "Unterminated header section");
	assert_int_equal(e.offset, buf_len);
	/* err may be NULL */
	load("garbage\n\n");
	assert_int_equal(sip_msg_parse(&m, buf, buf_len, DG, NULL), SIP_PARSE_ERROR);
	load(REQ BASE "\n");
	assert_int_equal(sip_msg_parse(&m, buf, buf_len, DG, NULL), SIP_PARSE_OK);
}

static void test_ctype(void **state)
{
	struct sip_ctype ct;
	struct pl v;

	(void)state;
	assert_int_equal(sip_ctype_parse(pl_from_str(" multipart / mixed ; boundary=\"a b\" "), &ct), 0);
	assert_pl(ct.type, "multipart");
	assert_pl(ct.subtype, "mixed");
	assert_true(sip_param_get(ct.params, "BOUNDARY", &v, NULL));
	assert_pl(v, "\"a b\"");
	assert_true(sip_ctype_is(&ct, "Multipart", "MIXED"));
	assert_false(sip_ctype_is(&ct, "multipart", "alternative"));
	assert_int_equal(sip_ctype_parse(pl_from_str("application/sdp"), &ct), 0);
	assert_int_equal(ct.params.l, 0);
	assert_int_equal(sip_ctype_parse(pl_from_str(""), &ct), -1);
	assert_int_equal(sip_ctype_parse(pl_from_str("/sdp"), &ct), -1);
	assert_int_equal(sip_ctype_parse(pl_from_str("application/"), &ct), -1);
	assert_int_equal(sip_ctype_parse(pl_from_str("application sdp"), &ct), -1);
	assert_int_equal(sip_ctype_parse(pl_from_str("application/sdp x"), &ct), -1);
	assert_int_equal(sip_ctype_parse(pl_from_str("application/sdp;"), &ct), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invite),
		cmocka_unit_test(test_response),
		cmocka_unit_test(test_compact_forms),
		cmocka_unit_test(test_folding),
		cmocka_unit_test(test_lws_and_zeros),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_unknown_headers),
		cmocka_unit_test(test_leading_crlf),
		cmocka_unit_test(test_datagram_body),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_stream_frame),
		cmocka_unit_test(test_stream_parse_limits),
		cmocka_unit_test(test_errors_start_line),
		cmocka_unit_test(test_errors_lines),
		cmocka_unit_test(test_errors_mandatory),
		cmocka_unit_test(test_errors_duplicates),
		cmocka_unit_test(test_errors_body_and_limits),
		cmocka_unit_test(test_error_position),
		cmocka_unit_test(test_ctype),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
