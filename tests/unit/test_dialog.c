/* dialog: RFC 3261 §12 state from messages, CSeq rules, in-dialog requests. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sigd/dialog.h"
#include "sip_msg.h"
#include "sip_write.h"

/* Parses text (LF line ends become CRLF) into m, using buf. */
static void parse(struct sip_msg *m, char *buf, size_t cap, const char *text)
{
	size_t n = 0;

	for (const char *p = text; *p; p++) {
		if (*p == '\n')
			buf[n++] = '\r';
		buf[n++] = *p;
		assert_true(n < cap);
	}
	assert_int_equal(sip_msg_parse(m, buf, n, SIP_FRAMING_DATAGRAM, NULL), SIP_PARSE_OK);
}

static const char invite_rr[] =
	"INVITE sip:bob@192.0.2.10 SIP/2.0\n"
	"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\n"
	"Record-Route: <sip:p1.example.com;lr>\n"
	"Record-Route: <sip:192.0.2.2;lr>, <sip:192.0.2.3:5070;lr;transport=UDP>\n"
	"From: \"Alice\" <sip:alice@example.com>;tag=a1\n"
	"To: <sip:bob@example.com>\n"
	"Call-ID: c1@host\n"
	"CSeq: 10 INVITE\n"
	"Contact: <sip:alice@192.0.2.1:5062;transport=UDP>\n"
	"Content-Length: 0\n\n";

static void test_route_set_order(void **state)
{
	struct sip_msg m;
	char buf[2048], rs[DIALOG_ROUTES_MAX];
	int n;

	(void)state;
	parse(&m, buf, sizeof(buf), invite_rr);
	n = dialog_route_set(&m, false, rs, sizeof(rs));
	assert_true(n > 0);
	assert_memory_equal(rs, "<sip:p1.example.com;lr>\n<sip:192.0.2.2;lr>\n<sip:192.0.2.3:5070;lr;transport=UDP>",
			    (size_t)n);
	n = dialog_route_set(&m, true, rs, sizeof(rs));
	assert_true(n > 0);
	assert_memory_equal(rs, "<sip:192.0.2.3:5070;lr;transport=UDP>\n<sip:192.0.2.2;lr>\n<sip:p1.example.com;lr>",
			    (size_t)n);
	/* too small a buffer */
	assert_int_equal(dialog_route_set(&m, false, rs, 10), -1);
}

static void test_route_set_limits(void **state)
{
	struct sip_msg m;
	char buf[4096], text[4096], rs[DIALOG_ROUTES_MAX];
	size_t off = 0;

	(void)state;
	off += (size_t)snprintf(text + off, sizeof(text) - off,
				"INVITE sip:b@192.0.2.10 SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\n");
	for (int i = 0; i <= DIALOG_MAX_ROUTES; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "Record-Route: <sip:10.0.0.%d;lr>\n", i);
	snprintf(text + off, sizeof(text) - off,
		 "From: <sip:a@x>;tag=1\nTo: <sip:b@x>\nCall-ID: x\nCSeq: 1 INVITE\nContent-Length: 0\n\n");
	parse(&m, buf, sizeof(buf), text);
	assert_int_equal(dialog_route_set(&m, false, rs, sizeof(rs)), -1);

	/* a Record-Route that is not a SIP URI */
	parse(&m, buf, sizeof(buf),
	      "INVITE sip:b@192.0.2.10 SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\n"
	      "Record-Route: <tel:+123>\n"
	      "From: <sip:a@x>;tag=1\nTo: <sip:b@x>\nCall-ID: x\nCSeq: 1 INVITE\nContent-Length: 0\n\n");
	assert_int_equal(dialog_route_set(&m, false, rs, sizeof(rs)), -1);

	/* none at all */
	parse(&m, buf, sizeof(buf),
	      "INVITE sip:b@192.0.2.10 SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\n"
	      "From: <sip:a@x>;tag=1\nTo: <sip:b@x>\nCall-ID: x\nCSeq: 1 INVITE\nContent-Length: 0\n\n");
	assert_int_equal(dialog_route_set(&m, false, rs, sizeof(rs)), 0);
}

static void test_route_next(void **state)
{
	struct pl rest = PL("a\nbb\n\nc"), e;

	(void)state;
	assert_true(dialog_route_next(&rest, &e));
	assert_true(pl_eq_str(e, "a"));
	assert_true(dialog_route_next(&rest, &e));
	assert_true(pl_eq_str(e, "bb"));
	assert_true(dialog_route_next(&rest, &e));
	assert_int_equal(e.l, 0);
	assert_true(dialog_route_next(&rest, &e));
	assert_true(pl_eq_str(e, "c"));
	assert_false(dialog_route_next(&rest, &e));
	rest = PL_NULL;
	assert_false(dialog_route_next(&rest, &e));
}

static void test_from_invite(void **state)
{
	struct sip_msg m;
	struct dialog d;
	struct dialog_cseq cs;
	char buf[2048];

	(void)state;
	parse(&m, buf, sizeof(buf), invite_rr);
	dialog_from_invite(&d, &cs, &m, PL("ourtag"), PL("<sip:r;lr>"), 77);
	assert_true(pl_eq_str(d.call_id, "c1@host"));
	assert_true(pl_eq_str(d.local_tag, "ourtag"));
	assert_true(pl_eq_str(d.remote_tag, "a1"));
	assert_true(pl_eq_str(d.local_uri, "sip:bob@example.com"));
	assert_true(pl_eq_str(d.remote_uri, "sip:alice@example.com"));
	/* ;transport=UDP in capitals is just a parameter */
	assert_true(pl_eq_str(d.remote_target, "sip:alice@192.0.2.1:5062;transport=UDP"));
	assert_true(pl_eq_str(d.route_set, "<sip:r;lr>"));
	assert_int_equal(cs.local, 77);
	assert_int_equal(cs.remote, 10);
	assert_true(cs.remote_set);

	/* no From tag, no Contact */
	parse(&m, buf, sizeof(buf),
	      "INVITE sip:b@192.0.2.10 SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\n"
	      "From: <sip:a@x>\nTo: <sip:b@x>\nCall-ID: x\nCSeq: 1 INVITE\nContent-Length: 0\n\n");
	dialog_from_invite(&d, &cs, &m, PL("t"), PL(""), 1);
	assert_int_equal(d.remote_tag.l, 0);
	assert_int_equal(d.remote_target.l, 0);
}

static void test_contact_uri(void **state)
{
	struct sip_msg m;
	char buf[2048];
	struct pl uri;

	(void)state;
	parse(&m, buf, sizeof(buf),
	      "SIP/2.0 200 OK\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\n"
	      "From: <sip:a@x>;tag=1\nTo: <sip:b@x>;tag=2\nCall-ID: x\nCSeq: 1 INVITE\n"
	      "Contact: sip:b@192.0.2.9:5080;TRANSPORT=udp\nContent-Length: 0\n\n");
	assert_true(dialog_contact_uri(&m, &uri));
	assert_true(pl_eq_str(uri, "sip:b@192.0.2.9:5080"));

	parse(&m, buf, sizeof(buf),
	      "SIP/2.0 200 OK\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\n"
	      "From: <sip:a@x>;tag=1\nTo: <sip:b@x>;tag=2\nCall-ID: x\nCSeq: 1 INVITE\n"
	      "Contact: <sip:b@192.0.2.9:5080;TRANSPORT=udp>\nContent-Length: 0\n\n");
	assert_true(dialog_contact_uri(&m, &uri));
	assert_true(pl_eq_str(uri, "sip:b@192.0.2.9:5080;TRANSPORT=udp"));

	/* a tel: Contact cannot be a remote target; nor "*"; nor none */
	parse(&m, buf, sizeof(buf),
	      "SIP/2.0 200 OK\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\n"
	      "From: <sip:a@x>;tag=1\nTo: <sip:b@x>;tag=2\nCall-ID: x\nCSeq: 1 INVITE\n"
	      "Contact: <tel:+1234>\nContent-Length: 0\n\n");
	assert_false(dialog_contact_uri(&m, &uri));
	parse(&m, buf, sizeof(buf),
	      "SIP/2.0 200 OK\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\n"
	      "From: <sip:a@x>;tag=1\nTo: <sip:b@x>;tag=2\nCall-ID: x\nCSeq: 1 INVITE\n"
	      "Contact: *\nContent-Length: 0\n\n");
	assert_false(dialog_contact_uri(&m, &uri));
	parse(&m, buf, sizeof(buf),
	      "SIP/2.0 200 OK\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\n"
	      "From: <sip:a@x>;tag=1\nTo: <sip:b@x>;tag=2\nCall-ID: x\nCSeq: 1 INVITE\nContent-Length: 0\n\n");
	assert_false(dialog_contact_uri(&m, &uri));
}

static void test_cseq_rules(void **state)
{
	struct dialog_cseq cs;

	(void)state;
	memset(&cs, 0, sizeof(cs));
	/* the first request of the peer (UAC dialog) sets the sequence */
	assert_true(dialog_remote_cseq_ok(&cs, 5));
	assert_int_equal(cs.remote, 5);
	/* equal and lower: 500 */
	assert_false(dialog_remote_cseq_ok(&cs, 5));
	assert_false(dialog_remote_cseq_ok(&cs, 4));
	assert_int_equal(cs.remote, 5);
	/* higher, with gaps: fine */
	assert_true(dialog_remote_cseq_ok(&cs, 9));
	assert_int_equal(cs.remote, 9);

	cs.local = 41;
	assert_int_equal(dialog_next_cseq(&cs), 42);
	assert_int_equal(cs.local, 42);
	cs.local = 0x7fffffff;
	assert_int_equal(dialog_next_cseq(&cs), 1);
}

static void test_matches_remote(void **state)
{
	struct sip_msg m;
	char buf[2048];

	(void)state;
	parse(&m, buf, sizeof(buf), invite_rr);
	/* remote tag unknown yet: anything matches */
	assert_true(dialog_matches_remote(PL(""), &m));
	assert_true(dialog_matches_remote(PL_NULL, &m));
	assert_true(dialog_matches_remote(PL("A1"), &m));
	assert_false(dialog_matches_remote(PL("other"), &m));
	/* a response: the To tag is the remote one */
	parse(&m, buf, sizeof(buf),
	      "SIP/2.0 200 OK\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\n"
	      "From: <sip:a@x>;tag=1\nTo: <sip:b@x>;tag=other\nCall-ID: x\nCSeq: 1 INVITE\nContent-Length: 0\n\n");
	assert_true(dialog_matches_remote(PL("other"), &m));
}

static struct dialog sample(struct pl routes)
{
	struct dialog d;

	memset(&d, 0, sizeof(d));
	d.call_id = PL("cid");
	d.local_tag = PL("lt");
	d.remote_tag = PL("rt");
	d.local_uri = PL("sip:me@a");
	d.remote_uri = PL("sip:you@b");
	d.remote_target = PL("sip:you@192.0.2.9:5080;transport=UDP");
	d.route_set = routes;
	return d;
}

static int write_req(const struct dialog *d, char *buf, size_t cap, const char *method, bool contact)
{
	struct dialog_req r = {
		.method = pl_from_str(method), .cseq = 7, .branch = PL("z9hG4bKx"),
		.local_host = PL("192.0.2.1"), .local_port = 5060, .contact = contact,
	};
	struct sip_writer w;

	sip_w_init(&w, buf, cap);
	dialog_write_request(d, &w, &r);
	return sip_w_finish(&w, PL_NULL, PL_NULL);
}

static void test_request_loose(void **state)
{
	struct dialog d = sample(PL("<sip:192.0.2.2;lr>\n<sip:p2.example.com;lr>"));
	char buf[2048];
	int n;

	(void)state;
	n = write_req(&d, buf, sizeof(buf), "BYE", false);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf,
		"BYE sip:you@192.0.2.9:5080;transport=UDP SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKx;rport\r\n"
		"Route: <sip:192.0.2.2;lr>\r\n"
		"Route: <sip:p2.example.com;lr>\r\n"
		"Max-Forwards: 70\r\n"
		"From: <sip:me@a>;tag=lt\r\n"
		"To: <sip:you@b>;tag=rt\r\n"
		"Call-ID: cid\r\n"
		"CSeq: 7 BYE\r\n"
		"Content-Length: 0\r\n\r\n");
}

static void test_request_strict(void **state)
{
	struct dialog d = sample(PL("<sip:192.0.2.2;method=INVITE;maddr=192.0.2.5?X=y>\n<sip:p2.example.com;lr>"));
	char buf[2048];
	int n;

	(void)state;
	n = write_req(&d, buf, sizeof(buf), "INVITE", true);
	assert_true(n > 0);
	buf[n] = '\0';
	/* §12.2.1.1: the strict router's URI is the Request-URI (without
	 * method and headers), the target goes last in Route */
	assert_string_equal(buf,
		"INVITE sip:192.0.2.2;maddr=192.0.2.5 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKx;rport\r\n"
		"Route: <sip:p2.example.com;lr>\r\n"
		"Route: <sip:you@192.0.2.9:5080;transport=UDP>\r\n"
		"Max-Forwards: 70\r\n"
		"From: <sip:me@a>;tag=lt\r\n"
		"To: <sip:you@b>;tag=rt\r\n"
		"Call-ID: cid\r\n"
		"CSeq: 7 INVITE\r\n"
		"Contact: <sip:192.0.2.1:5060>\r\n"
		"Content-Length: 0\r\n\r\n");

	/* strict without parameters to strip */
	d = sample(PL("<sip:192.0.2.2>"));
	n = write_req(&d, buf, sizeof(buf), "BYE", false);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "BYE sip:192.0.2.2 SIP/2.0\r\n"));
	assert_non_null(strstr(buf, "Route: <sip:you@192.0.2.9:5080;transport=UDP>\r\n"));
}

static void test_request_no_routes(void **state)
{
	struct dialog d = sample(PL(""));
	struct dialog_req r = {
		.method = PL("INFO"), .cseq = 1, .branch = PL("z9hG4bKy"),
		.local_host = PL("[2001:db8::1]"), .local_port = 5062, .max_forwards = 10,
		.contact = true,
	};
	struct sip_writer w;
	char buf[2048];
	int n;

	(void)state;
	d.remote_tag = PL("");
	sip_w_init(&w, buf, sizeof(buf));
	dialog_write_request(&d, &w, &r);
	n = sip_w_finish(&w, PL_NULL, PL_NULL);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_null(strstr(buf, "Route:"));
	assert_non_null(strstr(buf, "INFO sip:you@192.0.2.9:5080;transport=UDP SIP/2.0\r\n"));
	assert_non_null(strstr(buf, "Max-Forwards: 10\r\n"));
	assert_non_null(strstr(buf, "To: <sip:you@b>\r\n"));
	assert_non_null(strstr(buf, "Contact: <sip:[2001:db8::1]:5062>\r\n"));
}

static void test_contact_writer(void **state)
{
	struct sip_writer w;
	char buf[256];
	int n;

	(void)state;
	sip_w_init(&w, buf, sizeof(buf));
	dialog_write_contact(&w, PL("2001:db8::2"), 5060);
	dialog_write_contact(&w, PL("192.0.2.1"), 0);
	n = sip_w_finish(&w, PL_NULL, PL_NULL);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "Contact: <sip:[2001:db8::2]:5060>\r\nContact: <sip:192.0.2.1>\r\n"
				 "Content-Length: 0\r\n\r\n");
}

static void test_next_hop(void **state)
{
	struct dialog d = sample(PL("<sip:192.0.2.2:5099;lr>\n<sip:192.0.2.3;lr>"));
	struct netaddr a, want;

	(void)state;
	assert_true(dialog_next_hop(&d, &a));
	assert_true(netaddr_from_host(&want, PL("192.0.2.2"), 5099));
	assert_true(netaddr_eq(&a, &want));

	/* no routes: the remote target (transport=UDP in capitals is fine) */
	d = sample(PL(""));
	assert_true(dialog_next_hop(&d, &a));
	assert_true(netaddr_from_host(&want, PL("192.0.2.9"), 5080));
	assert_true(netaddr_eq(&a, &want));

	/* default port, IPv6 */
	d.remote_target = PL("sip:[2001:db8::9]");
	assert_true(dialog_next_hop(&d, &a));
	assert_true(netaddr_from_host(&want, PL("2001:db8::9"), 5060));
	assert_true(netaddr_eq(&a, &want));

	/* host names do not resolve in the event loop */
	d.remote_target = PL("sip:bob@example.com");
	assert_false(dialog_next_hop(&d, &a));
	d = sample(PL("<sip:proxy.example.com;lr>"));
	assert_false(dialog_next_hop(&d, &a));
	/* garbage and emptiness */
	d = sample(PL("not a uri"));
	assert_false(dialog_next_hop(&d, &a));
	d = sample(PL(""));
	d.remote_target = PL("");
	assert_false(dialog_next_hop(&d, &a));
	assert_false(dialog_uri_addr(PL("tel:+1234"), &a));
	assert_true(dialog_uri_addr(PL("sips:10.1.2.3:5061"), &a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route_set_order),
		cmocka_unit_test(test_route_set_limits),
		cmocka_unit_test(test_route_next),
		cmocka_unit_test(test_from_invite),
		cmocka_unit_test(test_contact_uri),
		cmocka_unit_test(test_cseq_rules),
		cmocka_unit_test(test_matches_remote),
		cmocka_unit_test(test_request_loose),
		cmocka_unit_test(test_request_strict),
		cmocka_unit_test(test_request_no_routes),
		cmocka_unit_test(test_contact_writer),
		cmocka_unit_test(test_next_hop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
