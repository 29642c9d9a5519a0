/* event: the SIP <-> LegEvent mapping helpers and the checks of ccd's input. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "digest.h"
#include "sigd/event.h"
#include "sip_msg.h"
#include "sip_write.h"
#include "sigd/tsx.h"

static struct ev_out *ev_new(void)
{
	struct ev_out *o = test_malloc(sizeof(*o));

	ev_begin(o, 42, TANDEM__EVENT_TYPE__RING, TANDEM__ORIGIN__CALLEE, 1234);
	return o;
}

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

static void test_begin_and_str(void **state)
{
	struct ev_out *o = ev_new();
	char big[EV_SCRATCH];

	(void)state;
	assert_int_equal(o->msg.body_case, TANDEM__MESSAGE__BODY_EVENT);
	assert_ptr_equal(o->msg.event, &o->ev);
	assert_int_equal(o->ev.leg, 42);
	assert_int_equal(o->ev.type, TANDEM__EVENT_TYPE__RING);
	assert_int_equal(o->ev.origin, TANDEM__ORIGIN__CALLEE);
	assert_int_equal(o->ev.time_us, 1234);
	assert_string_equal(ev_str(o, PL("abc")), "abc");
	assert_string_equal(ev_str(o, PL("")), "");
	/* the scratch area runs out: NULL, and the event says so */
	memset(big, 'x', sizeof(big));
	assert_null(ev_str(o, pl_from(big, sizeof(big))));
	assert_true(o->truncated);
	test_free(o);
}

static const char resp_180[] =
	"SIP/2.0 183 Session Progress\n"
	"Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\n"
	"From: <sip:a@x>;tag=1\nTo: <sip:b@x>;tag=2\nCall-ID: x\nCSeq: 1 INVITE\n"
	"Reason: Q.850 ;cause=16 ;text=\"Normal \\\"call\\\" clearing\"\n"
	"Warning: 399 host \"media ok\"\n"
	"Content-Type: application/sdp\n"
	"Content-Length: 5\n\nv=0\n";

static void test_from_response(void **state)
{
	struct ev_out *o = ev_new();
	struct sip_msg m;
	char buf[2048];

	(void)state;
	parse(&m, buf, sizeof(buf), resp_180);
	ev_from_response(o, &m);
	assert_int_equal(o->ev.code, 183);
	assert_string_equal(o->ev.reason, "Session Progress");
	assert_non_null(o->ev.body);
	assert_string_equal(o->ev.body->content_type, "application/sdp");
	assert_int_equal(o->ev.body->content.len, 5);
	assert_memory_equal(o->ev.body->content.data, "v=0\r\n", 5);
	assert_non_null(o->ev.reason_header);
	assert_string_equal(o->ev.reason_header->protocol, "Q.850");
	assert_int_equal(o->ev.reason_header->cause, 16);
	assert_string_equal(o->ev.reason_header->text, "Normal \"call\" clearing");
	assert_string_equal(o->ev.warning, "399 host \"media ok\"");
	assert_int_equal(o->ev.n_challenges, 0);
	assert_int_equal(o->ev.n_contacts, 0);
	test_free(o);
}

static void test_from_response_challenges_contacts(void **state)
{
	struct ev_out *o = ev_new();
	struct sip_msg m;
	char buf[2048];

	(void)state;
	parse(&m, buf, sizeof(buf),
	      "SIP/2.0 407 Proxy Authentication Required\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\n"
	      "From: <sip:a@x>;tag=1\nTo: <sip:b@x>;tag=2\nCall-ID: x\nCSeq: 1 INVITE\n"
	      "Proxy-Authenticate: Digest realm=\"r\", nonce=\"n1\", algorithm=SHA-256\n"
	      "Proxy-Authenticate: Digest realm=\"r\", nonce=\"n2\"\n"
	      "WWW-Authenticate: Digest realm=\"other\", nonce=\"n3\"\n"
	      "Content-Length: 0\n\n");
	ev_from_response(o, &m);
	assert_int_equal(o->ev.code, 407);
	assert_null(o->ev.body);
	assert_int_equal(o->ev.n_challenges, 2);
	assert_string_equal(o->ev.challenges[0], "Digest realm=\"r\", nonce=\"n1\", algorithm=SHA-256");
	assert_string_equal(o->ev.challenges[1], "Digest realm=\"r\", nonce=\"n2\"");

	ev_begin(o, 1, TANDEM__EVENT_TYPE__REDIRECT, TANDEM__ORIGIN__CALLEE, 0);
	parse(&m, buf, sizeof(buf),
	      "SIP/2.0 300 Multiple Choices\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\n"
	      "From: <sip:a@x>;tag=1\nTo: <sip:b@x>;tag=2\nCall-ID: x\nCSeq: 1 INVITE\n"
	      "Contact: <sip:c1@192.0.2.5>;q=0.5, \"C2\" <sip:c2@192.0.2.6;user=phone>\n"
	      "Contact: sip:c3@192.0.2.7\n"
	      "Content-Length: 0\n\n");
	ev_from_response(o, &m);
	assert_int_equal(o->ev.n_contacts, 3);
	assert_string_equal(o->ev.contacts[0], "sip:c1@192.0.2.5");
	assert_string_equal(o->ev.contacts[1], "sip:c2@192.0.2.6;user=phone");
	assert_string_equal(o->ev.contacts[2], "sip:c3@192.0.2.7");
	test_free(o);
}

static void test_reason_parse(void **state)
{
	struct pl proto, text;
	uint32_t cause;

	(void)state;
	assert_true(ev_reason_parse(PL("SIP;cause=200;text=\"Call completed elsewhere\""), &proto,
				    &cause, &text));
	assert_true(pl_eq_str(proto, "SIP"));
	assert_int_equal(cause, 200);
	assert_true(pl_eq_str(text, "\"Call completed elsewhere\""));
	assert_true(ev_reason_parse(PL("Q.850"), &proto, &cause, &text));
	assert_int_equal(cause, 0);
	assert_false(pl_isset(text));
	assert_true(ev_reason_parse(PL("X ; text=token"), &proto, &cause, &text));
	assert_true(pl_eq_str(text, "token"));
	assert_false(ev_reason_parse(PL(""), &proto, &cause, &text));
	assert_false(ev_reason_parse(PL("S I P;cause=1"), &proto, &cause, &text));
	assert_false(ev_reason_parse(PL("SIP;cause=abc"), &proto, &cause, &text));
	assert_false(ev_reason_parse(PL("SIP;cause=99999999"), &proto, &cause, &text));
	assert_false(ev_reason_parse(PL("SIP;;;"), &proto, &cause, &text));
}

static void test_reason_from_msg(void **state)
{
	struct ev_out *o = ev_new();
	struct sip_msg m;
	char buf[2048];

	(void)state;
	/* unquoted text, and a broken Reason (ignored) */
	parse(&m, buf, sizeof(buf),
	      "BYE sip:a@192.0.2.1 SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\n"
	      "From: <sip:a@x>;tag=1\nTo: <sip:b@x>;tag=2\nCall-ID: x\nCSeq: 2 BYE\n"
	      "Reason: SIP;cause=487;text=Gone\nContent-Length: 0\n\n");
	ev_reason_from_msg(o, &m);
	assert_non_null(o->ev.reason_header);
	assert_string_equal(o->ev.reason_header->text, "Gone");
	ev_begin(o, 1, TANDEM__EVENT_TYPE__DISCONNECT, TANDEM__ORIGIN__CALLER, 0);
	parse(&m, buf, sizeof(buf),
	      "BYE sip:a@192.0.2.1 SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\n"
	      "From: <sip:a@x>;tag=1\nTo: <sip:b@x>;tag=2\nCall-ID: x\nCSeq: 2 BYE\n"
	      "Reason: ;cause=1\nContent-Length: 0\n\n");
	ev_reason_from_msg(o, &m);
	assert_null(o->ev.reason_header);
	test_free(o);
}

static void rx_from(struct sip_rx *rx, const char *host, uint16_t port)
{
	memset(rx, 0, sizeof(*rx));
	assert_true(netaddr_from_host(&rx->src, pl_from_str(host), port));
	rx->time_us = 99;
}

static void test_try_basic(void **state)
{
	struct ev_out *o = ev_new();
	struct sip_msg m;
	struct sip_rx rx;
	char buf[4096];
	char *fwd[] = { "X-Test", "p-asserted-identity", "Missing" };
	struct ev_try_ctx ctx = {
		.local_host = PL("[2001:db8::1]"), .local_port = 5060,
		.forward_headers = fwd, .n_forward_headers = 3, .now = 1000,
	};

	(void)state;
	parse(&m, buf, sizeof(buf),
	      "INVITE sip:+15551234@192.0.2.10;user=phone SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\n"
	      "From: \"Al \\\"the\\\" Ice\" <sip:alice@example.com>;tag=1\n"
	      "To: Bob Smith <sip:+15551234@example.com>\n"
	      "Call-ID: try1\nCSeq: 1 INVITE\nMax-Forwards: 5\n"
	      "X-Test: one\nP-Asserted-Identity: <sip:a@x>, <tel:+1>\nx-test: two\n"
	      "Content-Length: 0\n\n");
	rx_from(&rx, "192.0.2.1", 5062);
	ev_try(o, &m, &rx, &ctx);
	Tandem__TryInfo *t = o->ev.try_;
	assert_non_null(t);
	assert_string_equal(t->call_id, "try1");
	assert_string_equal(t->cli, "alice");
	assert_string_equal(t->cld, "+15551234");
	assert_string_equal(t->caller_name, "Al \"the\" Ice");
	assert_string_equal(t->callee_name, "Bob Smith");
	assert_string_equal(t->request_uri, "sip:+15551234@192.0.2.10;user=phone");
	assert_string_equal(t->from_uri, "sip:alice@example.com");
	assert_string_equal(t->to_uri, "sip:+15551234@example.com");
	assert_string_equal(t->source->host, "192.0.2.1");
	assert_int_equal(t->source->port, 5062);
	assert_int_equal(t->source->transport, TANDEM__TRANSPORT__UDP);
	assert_string_equal(t->local->host, "2001:db8::1");
	assert_int_equal(t->local->port, 5060);
	assert_int_equal(t->max_forwards, 4);
	assert_int_equal(t->n_headers, 4);
	assert_string_equal(t->headers[0]->name, "X-Test");
	assert_string_equal(t->headers[0]->value, "one");
	assert_string_equal(t->headers[1]->value, "two");
	assert_string_equal(t->headers[2]->value, "<sip:a@x>");
	assert_string_equal(t->headers[3]->value, "<tel:+1>");
	assert_null(t->credentials);

	/* no Max-Forwards: 70 decremented; tel: From */
	ev_begin(o, 1, TANDEM__EVENT_TYPE__TRY, TANDEM__ORIGIN__CALLER, 0);
	parse(&m, buf, sizeof(buf),
	      "INVITE sip:192.0.2.10 SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\n"
	      "From: <tel:+4930123>;tag=1\nTo: <sip:b@x>\n"
	      "Call-ID: try2\nCSeq: 1 INVITE\nContent-Length: 0\n\n");
	ctx.n_forward_headers = 0;
	ev_try(o, &m, &rx, &ctx);
	assert_int_equal(o->ev.try_->max_forwards, 69);
	assert_string_equal(o->ev.try_->cli, "+4930123");
	assert_string_equal(o->ev.try_->cld, "");
	assert_string_equal(o->ev.try_->caller_name, "");
	test_free(o);
}

static void test_try_credentials(void **state)
{
	struct ev_out *o = ev_new();
	static const uint8_t secret[] = "0123456789abcdef0123456789abcdef";
	char nonce[DIGEST_NONCE_SIZE], text[2048], buf[4096];
	struct sip_msg m;
	struct sip_rx rx;
	struct ev_try_ctx ctx = {
		.local_host = PL("192.0.2.9"), .local_port = 5060, .nonce_secret = secret,
		.nonce_secret_len = 32, .nonce_lifetime = 300, .now = 100000,
	};

	(void)state;
	rx_from(&rx, "192.0.2.1", 5060);
	assert_true(digest_nonce_make(secret, 32, PL("sip.example"), 100000 - 10, nonce,
				      sizeof(nonce)) > 0);
	snprintf(text, sizeof(text),
		 "INVITE sip:b@192.0.2.10 SIP/2.0\n"
		 "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\n"
		 "From: <sip:a@x>;tag=1\nTo: <sip:b@x>\nCall-ID: c\nCSeq: 1 INVITE\n"
		 "Authorization: Digest username=\"a\\\\b\", realm=\"sip.example\", nonce=\"%s\", "
		 "uri=\"sip:b@192.0.2.10\", response=\"0123456789abcdef0123456789abcdef\", "
		 "algorithm=MD5, cnonce=\"cn\", qop=auth, nc=0000000a, opaque=\"op\"\n"
		 "Content-Length: 0\n\n", nonce);
	parse(&m, buf, sizeof(buf), text);
	ev_try(o, &m, &rx, &ctx);
	Tandem__Credentials *c = o->ev.try_->credentials;
	assert_non_null(c);
	assert_false(c->proxy);
	assert_string_equal(c->username, "a\\b");
	assert_string_equal(c->realm, "sip.example");
	assert_string_equal(c->nonce, nonce);
	assert_string_equal(c->uri, "sip:b@192.0.2.10");
	assert_string_equal(c->algorithm, "MD5");
	assert_string_equal(c->cnonce, "cn");
	assert_string_equal(c->qop, "auth");
	assert_string_equal(c->nc, "0000000a");
	assert_string_equal(c->opaque, "op");
	assert_string_equal(c->method, "INVITE");
	assert_int_equal(c->nonce_state, TANDEM__NONCE_STATE__NONCE_VALID);

	/* the same nonce, much later: stale */
	ctx.now = 100000 + 1000;
	ev_begin(o, 1, TANDEM__EVENT_TYPE__TRY, TANDEM__ORIGIN__CALLER, 0);
	ev_try(o, &m, &rx, &ctx);
	assert_int_equal(o->ev.try_->credentials->nonce_state, TANDEM__NONCE_STATE__NONCE_STALE);

	/* stamped a little in the future (another node's clock with a shared
	 * secret): valid within nonce_skew, stale beyond it or without one */
	ctx.now = 100000 - 10 - 2;
	ctx.nonce_skew = 2;
	ev_begin(o, 1, TANDEM__EVENT_TYPE__TRY, TANDEM__ORIGIN__CALLER, 0);
	ev_try(o, &m, &rx, &ctx);
	assert_int_equal(o->ev.try_->credentials->nonce_state, TANDEM__NONCE_STATE__NONCE_VALID);
	ctx.now = 100000 - 10 - 3;
	ev_begin(o, 1, TANDEM__EVENT_TYPE__TRY, TANDEM__ORIGIN__CALLER, 0);
	ev_try(o, &m, &rx, &ctx);
	assert_int_equal(o->ev.try_->credentials->nonce_state, TANDEM__NONCE_STATE__NONCE_STALE);
	ctx.now = 100000 - 10 - 1;
	ctx.nonce_skew = 0;
	ev_begin(o, 1, TANDEM__EVENT_TYPE__TRY, TANDEM__ORIGIN__CALLER, 0);
	ev_try(o, &m, &rx, &ctx);
	assert_int_equal(o->ev.try_->credentials->nonce_state, TANDEM__NONCE_STATE__NONCE_STALE);
	/* the skew never stretches the lifetime */
	ctx.now = 100000 - 10 + 301;
	ctx.nonce_skew = 2;
	ev_begin(o, 1, TANDEM__EVENT_TYPE__TRY, TANDEM__ORIGIN__CALLER, 0);
	ev_try(o, &m, &rx, &ctx);
	assert_int_equal(o->ev.try_->credentials->nonce_state, TANDEM__NONCE_STATE__NONCE_STALE);
	ctx.now = 100000 - 10 + 300;
	ev_begin(o, 1, TANDEM__EVENT_TYPE__TRY, TANDEM__ORIGIN__CALLER, 0);
	ev_try(o, &m, &rx, &ctx);
	assert_int_equal(o->ev.try_->credentials->nonce_state, TANDEM__NONCE_STATE__NONCE_VALID);

	/* a nonce someone else made, in Proxy-Authorization */
	ev_begin(o, 1, TANDEM__EVENT_TYPE__TRY, TANDEM__ORIGIN__CALLER, 0);
	parse(&m, buf, sizeof(buf),
	      "INVITE sip:b@192.0.2.10 SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\n"
	      "From: <sip:a@x>;tag=1\nTo: <sip:b@x>\nCall-ID: c\nCSeq: 1 INVITE\n"
	      "Proxy-Authorization: Digest username=\"a\", realm=\"r\", nonce=\"foreign\", "
	      "uri=\"sip:b@192.0.2.10\", response=\"0123456789abcdef0123456789abcdef\"\n"
	      "Content-Length: 0\n\n");
	ev_try(o, &m, &rx, &ctx);
	c = o->ev.try_->credentials;
	assert_non_null(c);
	assert_true(c->proxy);
	assert_null(c->algorithm);
	assert_int_equal(c->nonce_state, TANDEM__NONCE_STATE__NONCE_FOREIGN);

	/* credentials that do not parse are left out */
	ev_begin(o, 1, TANDEM__EVENT_TYPE__TRY, TANDEM__ORIGIN__CALLER, 0);
	parse(&m, buf, sizeof(buf),
	      "INVITE sip:b@192.0.2.10 SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\n"
	      "From: <sip:a@x>;tag=1\nTo: <sip:b@x>\nCall-ID: c\nCSeq: 1 INVITE\n"
	      "Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l\n"
	      "Content-Length: 0\n\n");
	ev_try(o, &m, &rx, &ctx);
	assert_null(o->ev.try_->credentials);
	test_free(o);
}

static void test_try_many_headers(void **state)
{
	struct ev_out *o = ev_new();
	char text[8192], buf[16384];
	char *fwd[] = { "X-Many" };
	struct ev_try_ctx ctx = { .local_host = PL("192.0.2.9"), .forward_headers = fwd,
				  .n_forward_headers = 1 };
	struct sip_msg m;
	struct sip_rx rx;
	size_t off;

	(void)state;
	off = (size_t)snprintf(text, sizeof(text),
			       "INVITE sip:b@192.0.2.10 SIP/2.0\n"
			       "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\n"
			       "From: <sip:a@x>;tag=1\nTo: <sip:b@x>\nCall-ID: c\nCSeq: 1 INVITE\n");
	for (int i = 0; i < EV_MAX_HEADERS + 5; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "X-Many: %d\n", i);
	snprintf(text + off, sizeof(text) - off, "Content-Length: 0\n\n");
	parse(&m, buf, sizeof(buf), text);
	rx_from(&rx, "192.0.2.1", 5060);
	ev_try(o, &m, &rx, &ctx);
	assert_int_equal(o->ev.try_->n_headers, EV_MAX_HEADERS);
	assert_true(o->truncated);
	test_free(o);
}

static void test_address(void **state)
{
	struct ev_out *o = ev_new();
	Tandem__Address a;
	struct netaddr n, back;

	(void)state;
	assert_true(netaddr_from_host(&n, PL("2001:db8::7"), 5070));
	ev_address(o, &a, &n);
	assert_string_equal(a.host, "2001:db8::7");
	assert_int_equal(a.port, 5070);
	assert_true(ev_address_to_netaddr(&a, &back));
	assert_true(netaddr_eq(&n, &back));
	a.port = 0;
	assert_true(ev_address_to_netaddr(&a, &back));
	assert_int_equal(netaddr_port(&back), 5060);
	a.port = 70000;
	assert_false(ev_address_to_netaddr(&a, &back));
	a.port = 1;
	a.transport = TANDEM__TRANSPORT__TLS;
	assert_false(ev_address_to_netaddr(&a, &back));
	a.transport = TANDEM__TRANSPORT__UDP;
	a.host = (char *)"example.com";
	assert_false(ev_address_to_netaddr(&a, &back));
	a.host = (char *)"";
	assert_false(ev_address_to_netaddr(&a, &back));
	assert_false(ev_address_to_netaddr(NULL, &back));
	test_free(o);
}

static void test_body(void **state)
{
	Tandem__Body b = TANDEM__BODY__INIT;
	struct pl ct, content;

	(void)state;
	assert_false(ev_body(NULL, &ct, &content));
	assert_false(ev_body(&b, &ct, &content));
	b.content.data = (uint8_t *)"v=0\r\n";
	b.content.len = 5;
	assert_true(ev_body(&b, &ct, &content));
	assert_true(pl_eq_str(ct, "application/sdp"));
	assert_int_equal(content.l, 5);
	b.content_type = (char *)"application/isup;version=itu-t92+";
	assert_true(ev_body(&b, &ct, &content));
	assert_true(pl_eq_str(ct, "application/isup;version=itu-t92+"));
	/* a type that would inject a header falls back to SDP */
	b.content_type = (char *)"text/plain\r\nX-Evil: 1";
	assert_true(ev_body(&b, &ct, &content));
	assert_true(pl_eq_str(ct, "application/sdp"));
	b.content_type = (char *)"garbage";
	assert_true(ev_body(&b, &ct, &content));
	assert_true(pl_eq_str(ct, "application/sdp"));
}

static void test_set_body(void **state)
{
	struct ev_out *o = ev_new();
	struct sip_msg m;
	char buf[2048];

	(void)state;
	ev_set_body(o, PL(""), PL("xyz"));
	assert_string_equal(o->ev.body->content_type, "application/sdp");
	assert_int_equal(o->ev.body->content.len, 3);
	/* no body in the message: nothing */
	ev_begin(o, 1, TANDEM__EVENT_TYPE__INFO, TANDEM__ORIGIN__CALLER, 0);
	parse(&m, buf, sizeof(buf),
	      "INFO sip:a@192.0.2.1 SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\n"
	      "From: <sip:a@x>;tag=1\nTo: <sip:b@x>;tag=2\nCall-ID: x\nCSeq: 2 INFO\n"
	      "Content-Length: 0\n\n");
	ev_body_from_msg(o, &m);
	assert_null(o->ev.body);
	parse(&m, buf, sizeof(buf),
	      "INFO sip:a@192.0.2.1 SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\n"
	      "From: <sip:a@x>;tag=1\nTo: <sip:b@x>;tag=2\nCall-ID: x\nCSeq: 2 INFO\n"
	      "Content-Type: application/dtmf-relay\nContent-Length: 10\n\nSignal=5\n");
	ev_body_from_msg(o, &m);
	assert_string_equal(o->ev.body->content_type, "application/dtmf-relay");
	assert_int_equal(o->ev.body->content.len, 10);
	test_free(o);
}

static int write_reason(const Tandem__Reason *r, char *buf, size_t cap)
{
	struct sip_writer w;
	int n;

	sip_w_init(&w, buf, cap);
	ev_write_reason(&w, r);
	n = sip_w_finish(&w, PL_NULL, PL_NULL);
	buf[n] = '\0';
	return n;
}

static void test_write_reason(void **state)
{
	Tandem__Reason r = TANDEM__REASON__INIT;
	struct sip_writer w;
	char buf[512];

	(void)state;
	write_reason(NULL, buf, sizeof(buf));
	assert_string_equal(buf, "Content-Length: 0\r\n\r\n");
	r.cause = 200;
	r.text = (char *)"Call \"completed\"\r\nX-Evil: 1";
	write_reason(&r, buf, sizeof(buf));
	assert_string_equal(buf, "Reason: SIP;cause=200;text=\"Call \\\"completed\\\"  X-Evil: 1\"\r\n"
				 "Content-Length: 0\r\n\r\n");
	r.protocol = (char *)"Q.850";
	r.cause = 0;
	r.text = NULL;
	write_reason(&r, buf, sizeof(buf));
	assert_string_equal(buf, "Reason: Q.850\r\nContent-Length: 0\r\n\r\n");
	r.protocol = (char *)"bad proto";
	write_reason(&r, buf, sizeof(buf));
	assert_string_equal(buf, "Content-Length: 0\r\n\r\n");
	sip_w_init(&w, buf, sizeof(buf));
	assert_false(ev_write_reason_value(&w, &r));
	assert_int_equal(w.len, 0);
}

static void test_write_extra(void **state)
{
	Tandem__Header h[5] = {
		TANDEM__HEADER__INIT, TANDEM__HEADER__INIT, TANDEM__HEADER__INIT,
		TANDEM__HEADER__INIT, TANDEM__HEADER__INIT,
	};
	Tandem__Header *hp[6] = { &h[0], &h[1], &h[2], &h[3], &h[4], NULL };
	struct sip_writer w;
	char buf[1024];
	int n;

	(void)state;
	h[0].name = (char *)"X-Route";
	h[0].value = (char *)"a\r\nVia: evil";
	h[1].name = (char *)"Via";		/* sigd's own */
	h[1].value = (char *)"x";
	h[2].name = (char *)"l";		/* compact Content-Length */
	h[2].value = (char *)"0";
	h[3].name = (char *)"Bad Name";
	h[3].value = (char *)"x";
	h[4].name = NULL;
	sip_w_init(&w, buf, sizeof(buf));
	assert_int_equal(ev_write_extra(&w, hp, 6), 5);
	n = sip_w_finish(&w, PL_NULL, PL_NULL);
	buf[n] = '\0';
	assert_string_equal(buf, "X-Route: a  Via: evil\r\nContent-Length: 0\r\n\r\n");
	assert_true(ev_header_name_ok("P-Asserted-Identity"));
	assert_false(ev_header_name_ok("Call-ID"));
	assert_false(ev_header_name_ok("i"));
	assert_false(ev_header_name_ok(""));
	assert_false(ev_header_name_ok(NULL));
}

static void test_check_event(void **state)
{
	Tandem__LegEvent ev = TANDEM__LEG_EVENT__INIT;
	Tandem__Body b = TANDEM__BODY__INIT;
	Tandem__ChallengeRequest c = TANDEM__CHALLENGE_REQUEST__INIT;

	(void)state;
	assert_string_equal(ev_check(&ev), "no leg id");
	ev.leg = 5;
	assert_string_equal(ev_check(&ev), "bad event type");
	ev.type = TANDEM__EVENT_TYPE__TRY;
	assert_string_equal(ev_check(&ev), "bad event type");
	ev.type = (Tandem__EventType)99;
	assert_string_equal(ev_check(&ev), "bad event type");
	ev.type = TANDEM__EVENT_TYPE__FAIL;
	assert_null(ev_check(&ev));
	ev.code = 99;
	assert_string_equal(ev_check(&ev), "bad code");
	ev.code = 700;
	assert_string_equal(ev_check(&ev), "bad code");
	ev.code = 486;
	ev.n_extra_headers = EV_MAX_HEADERS + 1;
	assert_string_equal(ev_check(&ev), "too many extra headers");
	ev.n_extra_headers = 0;
	ev.n_contacts = EV_MAX_LIST + 1;
	assert_string_equal(ev_check(&ev), "too many contacts");
	ev.n_contacts = 0;
	ev.n_challenges = EV_MAX_LIST + 1;
	assert_string_equal(ev_check(&ev), "too many challenges");
	ev.n_challenges = 0;
	b.content.len = SIP_MAX_MESSAGE + 1;
	ev.body = &b;
	assert_string_equal(ev_check(&ev), "body too large");
	ev.body = NULL;
	c.n_algorithms = EV_MAX_LIST + 1;
	ev.challenge = &c;
	assert_string_equal(ev_check(&ev), "too many algorithms");
	assert_string_equal(ev_type_name(TANDEM__EVENT_TYPE__CONNECT), "CONNECT");
	assert_string_equal(ev_type_name((Tandem__EventType)42), "?");
}

static void test_check_originate(void **state)
{
	Tandem__Originate o = TANDEM__ORIGINATE__INIT;
	Tandem__Address a = TANDEM__ADDRESS__INIT;
	Tandem__Body b = TANDEM__BODY__INIT;
	char longname[300];

	(void)state;
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_string_equal(ev_check_originate(&o), "leg id without bit 63");
	o.leg = 1ULL << 63 | 1;
	assert_string_equal(ev_check_originate(&o), "bad call_id");
	o.call_id = (char *)"has space";
	assert_string_equal(ev_check_originate(&o), "bad call_id");
	o.call_id = (char *)"abc@host-b2b_1";
	assert_string_equal(ev_check_originate(&o), "bad request_uri");
	o.request_uri = (char *)"tel:+123";
	assert_string_equal(ev_check_originate(&o), "bad request_uri");
	o.request_uri = (char *)"sip:b@192.0.2.10";
	assert_string_equal(ev_check_originate(&o), "bad from_uri");
	o.from_uri = (char *)"tel:+4930";
	assert_string_equal(ev_check_originate(&o), "bad to_uri");
	o.to_uri = (char *)"sip:b@192.0.2.10";
	assert_string_equal(ev_check_originate(&o), "bad target");
	a.host = (char *)"192.0.2.10";
	o.target = &a;
	assert_null(ev_check_originate(&o));
	o.max_forwards = 256;
	assert_string_equal(ev_check_originate(&o), "bad max_forwards");
	o.max_forwards = 70;
	o.n_extra_headers = EV_MAX_HEADERS + 1;
	assert_string_equal(ev_check_originate(&o), "too many extra headers");
	o.n_extra_headers = 0;
	b.content.len = SIP_MAX_MESSAGE;
	o.body = &b;
	assert_string_equal(ev_check_originate(&o), "body too large");
	o.body = NULL;
	o.from_name = longname;
	assert_string_equal(ev_check_originate(&o), "display name too long");
	o.from_name = NULL;
	o.auth_password = longname;
	assert_string_equal(ev_check_originate(&o), "credentials too long");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_begin_and_str),
		cmocka_unit_test(test_from_response),
		cmocka_unit_test(test_from_response_challenges_contacts),
		cmocka_unit_test(test_reason_parse),
		cmocka_unit_test(test_reason_from_msg),
		cmocka_unit_test(test_try_basic),
		cmocka_unit_test(test_try_credentials),
		cmocka_unit_test(test_try_many_headers),
		cmocka_unit_test(test_address),
		cmocka_unit_test(test_body),
		cmocka_unit_test(test_set_body),
		cmocka_unit_test(test_write_reason),
		cmocka_unit_test(test_write_extra),
		cmocka_unit_test(test_check_event),
		cmocka_unit_test(test_check_originate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
