/* ccd/call.c: TRY -> Originate, the event relay both ways, the ways a call
 * ends, and events that make no sense. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_ccd_harness.h"

#define ORIG_BIT (1ULL << 63)

static const char offer[] = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\n"
			    "t=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
static const char answer[] = "v=0\r\no=- 2 2 IN IP4 198.51.100.1\r\ns=-\r\nc=IN IP4 198.51.100.1\r\n"
			     "t=0 0\r\nm=audio 5000 RTP/AVP 0\r\n";

static const struct h_try alice = {
	.call_id = "a84b4c76e66710@pc33.example.org",
	.cli = "1000",
	.cld = "2000",
	.caller_name = "Alice Liddell",
	.callee_name = "Bob",
	.source_host = "192.0.2.1",
	.source_port = 5061,
	.local_host = "192.0.2.200",
	.max_forwards = 69,
	.sdp = offer,
};

static void assert_body(const Tandem__Body *b, const char *sdp)
{
	assert_non_null(b);
	assert_string_equal(b->content_type, "application/sdp");
	assert_int_equal(b->content.len, strlen(sdp));
	assert_memory_equal(b->content.data, sdp, strlen(sdp));
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

/* start_call, then the callee answers. */
static uint64_t connected_call(struct fake_node **ap)
{
	Tandem__Originate *o = start_call(ap, &alice);
	uint64_t oleg = o->leg;

	fn_simple(*ap, oleg, TANDEM__EVENT_TYPE__CONNECT, 200, "OK", answer);
	assert_body(fn_expect_event(*ap, 1, TANDEM__EVENT_TYPE__CONNECT)->body, answer);
	return oleg;
}

/* Both legs report LegClosed: the call is freed. */
static void close_both(struct fake_node *a, uint64_t oleg)
{
	fn_closed(a, 1);
	fn_closed(a, oleg);
	H_UNTIL(H.cd.stats.calls_active == 0);
}

static void test_try_originate_fields(void **state)
{
	struct fake_node *a;
	Tandem__Originate *o;

	(void)state;
	o = start_call(&a, &alice);
	assert_true(o->leg & ORIG_BIT);
	assert_string_equal(o->call_id, "a84b4c76e66710@pc33.example.org-b2b_1");
	assert_string_equal(o->request_uri, "sip:2000@127.0.0.1:5070");
	assert_string_equal(o->from_uri, "sip:1000@192.0.2.10");
	assert_string_equal(o->from_name, "Alice Liddell");
	assert_string_equal(o->to_uri, "sip:2000@127.0.0.1");
	assert_string_equal(o->to_name, "Bob");
	assert_non_null(o->target);
	assert_int_equal(o->target->transport, TANDEM__TRANSPORT__UDP);
	assert_string_equal(o->target->host, "127.0.0.1");
	assert_int_equal(o->target->port, 5070);
	assert_body(o->body, offer);
	assert_int_equal(o->max_forwards, 69);
	assert_int_equal(o->answer_leg, 1);
	assert_int_equal(o->n_extra_headers, 0);
	assert_string_equal(o->auth_username, "");
	assert_null(o->pass_credentials);
	assert_int_equal(H.cd.stats.calls_total, 1);
	assert_int_equal(H.cd.stats.calls_active, 1);
	assert_true(calls_have_leg(&H.cd, nodes_find(&H.cd, PL("edge1")), o->leg));
	assert_int_equal(h_log_count("/a84b4c76e66710@pc33.example.org/test: call 1: Idle -> WaitRoute"), 1);
	assert_int_equal(h_log_count("call 1: WaitRoute -> ARComplete"), 1);

	/* a second call gets another originate leg id */
	struct h_try t = alice;
	t.call_id = "second@x";
	fn_try(a, 2, &t);
	Tandem__Originate *o2 = fn_expect(a, TANDEM__MESSAGE__BODY_ORIGINATE)->originate;
	assert_true(o2->leg & ORIG_BIT);
	assert_true(o2->leg != o->leg);
	assert_string_equal(o2->call_id, "second@x-b2b_1");
	assert_int_equal(o2->answer_leg, 2);

	/* Max-Forwards beyond 255 is passed on as 255 */
	t.call_id = "third@x";
	t.max_forwards = 1000;
	fn_try(a, 3, &t);
	assert_int_equal(fn_expect(a, TANDEM__MESSAGE__BODY_ORIGINATE)->originate->max_forwards, 255);
}

static void test_route_shapes(void **state)
{
	struct fake_node *a = h_node(0, "edge1");
	struct h_try t = alice;
	Tandem__Originate *o;

	(void)state;
	fn_hello(a, "2001:db8::10");

	h_route("999@127.0.0.1:5071");
	t.call_id = "r1";
	fn_try(a, 1, &t);
	o = fn_expect(a, TANDEM__MESSAGE__BODY_ORIGINATE)->originate;
	assert_string_equal(o->request_uri, "sip:999@127.0.0.1:5071");
	assert_string_equal(o->to_uri, "sip:999@127.0.0.1");
	assert_string_equal(o->from_uri, "sip:1000@[2001:db8::10]");

	h_route("[::1]:5072");
	t.call_id = "r2";
	fn_try(a, 2, &t);
	o = fn_expect(a, TANDEM__MESSAGE__BODY_ORIGINATE)->originate;
	assert_string_equal(o->request_uri, "sip:2000@[::1]:5072");
	assert_string_equal(o->to_uri, "sip:2000@[::1]");
	assert_string_equal(o->target->host, "::1");
	assert_int_equal(o->target->port, 5072);

	/* "@host" removes the user part; a caller without a number too */
	h_route("@127.0.0.1");
	t.call_id = "r3";
	t.cli = "";
	t.caller_name = "";
	fn_try(a, 3, &t);
	o = fn_expect(a, TANDEM__MESSAGE__BODY_ORIGINATE)->originate;
	assert_string_equal(o->request_uri, "sip:127.0.0.1:5060");
	assert_string_equal(o->to_uri, "sip:127.0.0.1");
	assert_string_equal(o->from_uri, "sip:[2001:db8::10]");
	assert_string_equal(o->from_name, "");

	/* sip-ua: back to where the INVITE came from */
	h_route("sip-ua");
	t = alice;
	t.call_id = "r4";
	fn_try(a, 4, &t);
	o = fn_expect(a, TANDEM__MESSAGE__BODY_ORIGINATE)->originate;
	assert_string_equal(o->request_uri, "sip:2000@192.0.2.1:5061");
	assert_string_equal(o->target->host, "192.0.2.1");
	assert_int_equal(o->target->port, 5061);

	t.call_id = "r4b";
	t.source_host = "2001:db8::9";
	fn_try(a, 44, &t);
	o = fn_expect(a, TANDEM__MESSAGE__BODY_ORIGINATE)->originate;
	assert_string_equal(o->request_uri, "sip:2000@[2001:db8::9]:5061");
	assert_string_equal(o->target->host, "2001:db8::9");
	t.source_host = alice.source_host;

	/* sip-ua without a source port: 5060; without a source: refused */
	t.call_id = "r5";
	t.source_port = 0;
	fn_try(a, 5, &t);
	o = fn_expect(a, TANDEM__MESSAGE__BODY_ORIGINATE)->originate;
	assert_int_equal(o->target->port, 5060);
	t.call_id = "r6";
	t.source_host = NULL;
	fn_try(a, 6, &t);
	assert_int_equal(fn_expect_event(a, 6, TANDEM__EVENT_TYPE__FAIL)->code, 500);

	/* a route without a usable destination (never resolved) */
	struct route_error rerr;
	assert_int_equal(route_parse(&H.cd.static_route, PL("127.0.0.1"), &rerr), 0);
	t = alice;
	t.call_id = "r7";
	fn_try(a, 7, &t);
	Tandem__LegEvent *ev = fn_expect_event(a, 7, TANDEM__EVENT_TYPE__FAIL);
	assert_int_equal(ev->code, 500);
	assert_string_equal(ev->reason, "Internal Server Error");
	assert_int_equal(H.cd.stats.calls_by_code[500], 2);
}

/* Without a usable listen address, From takes the address the INVITE
 * came in on, and without that the target's. */
static void test_from_host_fallbacks(void **state)
{
	struct fake_node *a = h_node(0, "edge1");
	struct h_try t = alice;
	Tandem__Originate *o;

	(void)state;
	fn_hello(a, NULL);
	fn_try(a, 1, &t);
	o = fn_expect(a, TANDEM__MESSAGE__BODY_ORIGINATE)->originate;
	assert_string_equal(o->from_uri, "sip:1000@192.0.2.200");
	t.local_host = NULL;
	t.call_id = "f2";
	fn_try(a, 2, &t);
	o = fn_expect(a, TANDEM__MESSAGE__BODY_ORIGINATE)->originate;
	assert_string_equal(o->from_uri, "sip:1000@127.0.0.1");
}

static void fill_event(Tandem__LegEvent *ev, uint64_t leg, Tandem__EventType type, uint32_t code,
		       const char *reason)
{
	tandem__leg_event__init(ev);
	ev->leg = leg;
	ev->type = type;
	ev->code = code;
	ev->reason = (char *)reason;
}

/* Every field of an event reaches the other leg unchanged. */
static void test_relay_all_fields(void **state)
{
	struct fake_node *a;
	Tandem__Originate *o = start_call(&a, &alice);
	uint64_t oleg = o->leg;
	Tandem__LegEvent ev, *got;
	Tandem__Body b = TANDEM__BODY__INIT;
	Tandem__Reason rh = TANDEM__REASON__INIT;
	Tandem__Header h1 = TANDEM__HEADER__INIT, h2 = TANDEM__HEADER__INIT, *hs[2] = { &h1, &h2 };
	char *challenges[] = { (char *)"Digest realm=\"x\", nonce=\"1\"" };

	(void)state;
	fill_event(&ev, oleg, TANDEM__EVENT_TYPE__RING, 183, "Session Progress");
	b.content_type = (char *)"application/sdp";
	b.content.data = (uint8_t *)answer;
	b.content.len = strlen(answer);
	ev.body = &b;
	ev.origin = TANDEM__ORIGIN__CALLEE;
	rh.protocol = (char *)"Q.850";
	rh.cause = 16;
	rh.text = (char *)"Normal call clearing";
	ev.reason_header = &rh;
	h1.name = (char *)"X-Foo";
	h1.value = (char *)"bar";
	h2.name = (char *)"P-Charge-Info";
	h2.value = (char *)"<sip:1@h>";
	ev.n_extra_headers = 2;
	ev.extra_headers = hs;
	ev.time_us = 1763683200123456;
	ev.warning = (char *)"399 gw \"early media\"";
	/* a field of a newer protocol (number 100, varint 1) is not passed on */
	uint8_t one = 1;
	ProtobufCMessageUnknownField unknown = { 100, PROTOBUF_C_WIRE_TYPE_VARINT, 1, &one };
	ev.base.n_unknown_fields = 1;
	ev.base.unknown_fields = &unknown;
	fn_event(a, &ev);
	got = fn_expect_event(a, 1, TANDEM__EVENT_TYPE__RING);
	assert_int_equal(got->code, 183);
	assert_string_equal(got->reason, "Session Progress");
	assert_body(got->body, answer);
	assert_int_equal(got->origin, TANDEM__ORIGIN__CALLEE);
	assert_non_null(got->reason_header);
	assert_string_equal(got->reason_header->protocol, "Q.850");
	assert_int_equal(got->reason_header->cause, 16);
	assert_string_equal(got->reason_header->text, "Normal call clearing");
	assert_int_equal(got->n_extra_headers, 2);
	assert_string_equal(got->extra_headers[0]->name, "X-Foo");
	assert_string_equal(got->extra_headers[1]->value, "<sip:1@h>");
	assert_int_equal(got->time_us, 1763683200123456);
	assert_string_equal(got->warning, "399 gw \"early media\"");
	assert_null(got->try_);
	assert_int_equal(got->base.n_unknown_fields, 0);

	/* FAIL with challenges and a warning */
	ev.base.n_unknown_fields = 0;
	fill_event(&ev, oleg, TANDEM__EVENT_TYPE__FAIL, 407, "Proxy Authentication Required");
	ev.n_challenges = 1;
	ev.challenges = challenges;
	ev.warning = (char *)"399 x";
	fn_event(a, &ev);
	got = fn_expect_event(a, 1, TANDEM__EVENT_TYPE__FAIL);
	assert_int_equal(got->code, 407);
	assert_int_equal(got->n_challenges, 1);
	assert_string_equal(got->challenges[0], challenges[0]);
	assert_string_equal(got->warning, "399 x");
	assert_int_equal(H.cd.stats.calls_by_code[407], 1);
}

/* The relay table: what one leg reports, the other is told. */
static void test_relay_table(void **state)
{
	struct fake_node *a;
	Tandem__Originate *o = start_call(&a, &alice);
	uint64_t oleg = o->leg;
	Tandem__LegEvent *got;

	(void)state;
	/* callee -> caller before the answer */
	fn_simple(a, oleg, TANDEM__EVENT_TYPE__RING, 180, "Ringing", NULL);
	got = fn_expect_event(a, 1, TANDEM__EVENT_TYPE__RING);
	assert_int_equal(got->code, 180);
	assert_null(got->body);
	fn_simple(a, oleg, TANDEM__EVENT_TYPE__INFO, 0, NULL, "early info");
	fn_expect_event(a, 1, TANDEM__EVENT_TYPE__INFO);
	fn_simple(a, oleg, TANDEM__EVENT_TYPE__UPDATE, 0, NULL, answer);
	fn_expect_event(a, 1, TANDEM__EVENT_TYPE__UPDATE);
	/* caller -> callee before the answer: INFO and UPDATE pass */
	fn_simple(a, 1, TANDEM__EVENT_TYPE__INFO, 0, NULL, "dtmf");
	fn_expect_event(a, oleg, TANDEM__EVENT_TYPE__INFO);
	fn_simple(a, 1, TANDEM__EVENT_TYPE__UPDATE, 0, NULL, offer);
	fn_expect_event(a, oleg, TANDEM__EVENT_TYPE__UPDATE);

	fn_simple(a, oleg, TANDEM__EVENT_TYPE__CONNECT, 0, NULL, answer);
	got = fn_expect_event(a, 1, TANDEM__EVENT_TYPE__CONNECT);
	assert_int_equal(H.cd.stats.calls_by_code[200], 1);	/* code 0 = 200 */
	assert_int_equal(h_log_count("call 1: ARComplete -> Connected"), 1);

	/* connected: everything passes both ways */
	static const Tandem__EventType all[] = {
		TANDEM__EVENT_TYPE__RING, TANDEM__EVENT_TYPE__PRE_CONNECT, TANDEM__EVENT_TYPE__CONNECT,
		TANDEM__EVENT_TYPE__UPDATE, TANDEM__EVENT_TYPE__INFO, TANDEM__EVENT_TYPE__FAIL,
		TANDEM__EVENT_TYPE__REDIRECT,
	};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		fn_simple(a, 1, all[i], 0, NULL, offer);
		assert_body(fn_expect_event(a, oleg, all[i])->body, offer);
		fn_simple(a, oleg, all[i], 0, NULL, answer);
		assert_body(fn_expect_event(a, 1, all[i])->body, answer);
	}
	/* a re-INVITE refused by the caller comes back to the callee as FAIL */
	fn_simple(a, oleg, TANDEM__EVENT_TYPE__UPDATE, 0, NULL, answer);
	fn_expect_event(a, 1, TANDEM__EVENT_TYPE__UPDATE);
	fn_simple(a, 1, TANDEM__EVENT_TYPE__FAIL, 488, "Not Acceptable Here", NULL);
	assert_int_equal(fn_expect_event(a, oleg, TANDEM__EVENT_TYPE__FAIL)->code, 488);
	assert_int_equal(H.cd.stats.calls_active, 1);

	/* the caller hangs up */
	fn_simple(a, 1, TANDEM__EVENT_TYPE__DISCONNECT, 0, NULL, NULL);
	fn_expect_event(a, oleg, TANDEM__EVENT_TYPE__DISCONNECT);
	assert_int_equal(h_log_count("call 1: Connected -> Disconnecting"), 1);
	close_both(a, oleg);
	assert_int_equal(h_log_count("call 1: Disconnecting -> Dead"), 1);
	assert_int_equal(H.cd.stats.calls_by_code[200], 1);
}

/* Late offer: the INVITE had no SDP; the callee's 2xx offer goes to the
 * caller as PRE_CONNECT and the ACK's answer back as CONNECT. */
static void test_late_offer(void **state)
{
	struct fake_node *a;
	struct h_try t = alice;
	Tandem__Originate *o;
	Tandem__LegEvent *got;
	uint64_t oleg;

	(void)state;
	t.sdp = NULL;
	o = start_call(&a, &t);
	oleg = o->leg;
	assert_null(o->body);
	fn_simple(a, oleg, TANDEM__EVENT_TYPE__PRE_CONNECT, 200, "OK", answer);
	got = fn_expect_event(a, 1, TANDEM__EVENT_TYPE__PRE_CONNECT);
	assert_body(got->body, answer);
	fn_simple(a, 1, TANDEM__EVENT_TYPE__CONNECT, 0, "ACK", offer);
	got = fn_expect_event(a, oleg, TANDEM__EVENT_TYPE__CONNECT);
	assert_string_equal(got->reason, "ACK");
	assert_body(got->body, offer);
}

/* CANCEL before the answer, and a 200 that crossed it. */
static void test_cancel_before_answer(void **state)
{
	struct fake_node *a;
	Tandem__Originate *o = start_call(&a, &alice);
	uint64_t oleg = o->leg;
	Tandem__LegEvent ev, *got;
	Tandem__Reason rh = TANDEM__REASON__INIT;

	(void)state;
	fn_simple(a, oleg, TANDEM__EVENT_TYPE__RING, 180, "Ringing", NULL);
	fn_expect_event(a, 1, TANDEM__EVENT_TYPE__RING);
	fill_event(&ev, 1, TANDEM__EVENT_TYPE__DISCONNECT, 0, "");
	ev.origin = TANDEM__ORIGIN__CALLER;
	rh.protocol = (char *)"SIP";
	rh.cause = 200;
	rh.text = (char *)"Call completed elsewhere";
	ev.reason_header = &rh;
	fn_event(a, &ev);
	got = fn_expect_event(a, oleg, TANDEM__EVENT_TYPE__DISCONNECT);
	assert_int_equal(got->origin, TANDEM__ORIGIN__CALLER);
	assert_string_equal(got->reason_header->text, "Call completed elsewhere");
	assert_int_equal(H.cd.stats.calls_by_code[487], 1);

	/* the callee's 200 crossed the CANCEL: it is told to end again */
	fn_simple(a, oleg, TANDEM__EVENT_TYPE__CONNECT, 200, "OK", answer);
	got = fn_expect_event(a, oleg, TANDEM__EVENT_TYPE__DISCONNECT);
	assert_int_equal(got->origin, TANDEM__ORIGIN__SWITCH);
	fn_simple(a, oleg, TANDEM__EVENT_TYPE__PRE_CONNECT, 200, "OK", answer);
	fn_expect_event(a, oleg, TANDEM__EVENT_TYPE__DISCONNECT);
	/* other events of an ending call go nowhere */
	fn_simple(a, oleg, TANDEM__EVENT_TYPE__RING, 180, NULL, NULL);
	fn_simple(a, 1, TANDEM__EVENT_TYPE__INFO, 0, NULL, NULL);
	H_UNTIL(H.cd.stats.events_dropped == 2);
	fn_expect_quiet(a, 30);
	close_both(a, oleg);
	assert_int_equal(H.cd.stats.calls_by_code[200], 0);
}

static void test_fail_relay(void **state)
{
	struct fake_node *a;
	Tandem__Originate *o = start_call(&a, &alice);
	uint64_t oleg = o->leg;
	Tandem__LegEvent *got;

	(void)state;
	fn_simple(a, oleg, TANDEM__EVENT_TYPE__FAIL, 486, "Busy Here", NULL);
	got = fn_expect_event(a, 1, TANDEM__EVENT_TYPE__FAIL);
	assert_int_equal(got->code, 486);
	assert_string_equal(got->reason, "Busy Here");
	assert_int_equal(H.cd.stats.calls_by_code[486], 1);
	assert_int_equal(h_log_count("call 1: ARComplete -> Disconnecting"), 1);
	close_both(a, oleg);
}

static void test_fail_without_code(void **state)
{
	struct fake_node *a;
	Tandem__Originate *o = start_call(&a, &alice);

	(void)state;
	fn_simple(a, o->leg, TANDEM__EVENT_TYPE__FAIL, 0, NULL, NULL);
	fn_expect_event(a, 1, TANDEM__EVENT_TYPE__FAIL);
	assert_int_equal(H.cd.stats.calls_by_code[500], 1);
}

static void test_redirect_relay(void **state)
{
	struct fake_node *a;
	Tandem__Originate *o = start_call(&a, &alice);
	Tandem__LegEvent ev, *got;
	char *contacts[] = { (char *)"sip:bob@192.0.2.9", (char *)"sip:bob@192.0.2.10" };

	(void)state;
	fill_event(&ev, o->leg, TANDEM__EVENT_TYPE__REDIRECT, 300, "Multiple Choices");
	ev.n_contacts = 2;
	ev.contacts = contacts;
	fn_event(a, &ev);
	got = fn_expect_event(a, 1, TANDEM__EVENT_TYPE__REDIRECT);
	assert_int_equal(got->code, 300);
	assert_int_equal(got->n_contacts, 2);
	assert_string_equal(got->contacts[1], "sip:bob@192.0.2.10");
	assert_int_equal(H.cd.stats.calls_by_code[300], 1);

	/* without a code, a redirect counts as 302 */
	struct h_try t = alice;
	t.call_id = "r2";
	fn_try(a, 2, &t);
	o = fn_expect(a, TANDEM__MESSAGE__BODY_ORIGINATE)->originate;
	fn_simple(a, o->leg, TANDEM__EVENT_TYPE__REDIRECT, 0, NULL, NULL);
	fn_expect_event(a, 2, TANDEM__EVENT_TYPE__REDIRECT);
	assert_int_equal(H.cd.stats.calls_by_code[302], 1);
}

/* The callee hangs up before answering (or its leg gives up). */
static void test_callee_disconnect_before_answer(void **state)
{
	struct fake_node *a;
	Tandem__Originate *o = start_call(&a, &alice);

	(void)state;
	fn_simple(a, o->leg, TANDEM__EVENT_TYPE__DISCONNECT, 0, NULL, NULL);
	fn_expect_event(a, 1, TANDEM__EVENT_TYPE__DISCONNECT);
	assert_int_equal(H.cd.stats.calls_by_code[500], 1);
}

static void test_callee_disconnect(void **state)
{
	struct fake_node *a;
	uint64_t oleg;

	(void)state;
	oleg = connected_call(&a);
	fn_simple(a, oleg, TANDEM__EVENT_TYPE__DISCONNECT, 0, NULL, NULL);
	assert_int_equal(fn_expect_event(a, 1, TANDEM__EVENT_TYPE__DISCONNECT)->origin,
			 TANDEM__ORIGIN__ORIGIN_UNSPECIFIED);
	/* the other side's BYE crossing ours changes nothing */
	fn_simple(a, 1, TANDEM__EVENT_TYPE__DISCONNECT, 0, NULL, NULL);
	H_UNTIL(H.cd.stats.events_dropped == 1);
	fn_expect_quiet(a, 20);
	/* LegClosed in either order; the call lives until the last */
	fn_closed(a, oleg);
	h_pump(20);
	assert_int_equal(H.cd.stats.calls_active, 1);
	fn_closed(a, 1);
	H_UNTIL(H.cd.stats.calls_active == 0);
	/* later messages about those legs are about unknown legs */
	fn_closed(a, 1);
	H_UNTIL(H.cd.stats.unknown_legs == 1);
}

/* A leg closes while its call is up: the other leg is told to end. */
static void test_leg_closed_while_up(void **state)
{
	struct fake_node *a;
	uint64_t oleg;
	Tandem__LegEvent *got;

	(void)state;
	oleg = connected_call(&a);
	fn_closed(a, 1);
	got = fn_expect_event(a, oleg, TANDEM__EVENT_TYPE__DISCONNECT);
	assert_int_equal(got->origin, TANDEM__ORIGIN__SWITCH);
	fn_closed(a, oleg);
	H_UNTIL(H.cd.stats.calls_active == 0);

	/* before the answer: the originate leg vanishes, the caller gets
	 * DISCONNECT (a 500 from sigd) */
	struct h_try t = alice;
	t.call_id = "c2";
	fn_try(a, 2, &t);
	oleg = fn_expect(a, TANDEM__MESSAGE__BODY_ORIGINATE)->originate->leg;
	fn_closed(a, oleg);
	fn_expect_event(a, 2, TANDEM__EVENT_TYPE__DISCONNECT);
	assert_int_equal(H.cd.stats.calls_by_code[500], 1);
	/* the answer leg vanishes before the answer: code 0 */
	t.call_id = "c3";
	fn_try(a, 3, &t);
	oleg = fn_expect(a, TANDEM__MESSAGE__BODY_ORIGINATE)->originate->leg;
	fn_closed(a, 3);
	fn_expect_event(a, oleg, TANDEM__EVENT_TYPE__DISCONNECT);
	assert_int_equal(H.cd.stats.calls_by_code[0], 1);
}

/* LegClosed that never comes: after the linger time the legs are dropped. */
static void test_linger_expiry(void **state)
{
	struct fake_node *a;
	uint64_t oleg;
	Tandem__Message *m;

	(void)state;
	oleg = connected_call(&a);
	fn_simple(a, 1, TANDEM__EVENT_TYPE__DISCONNECT, 0, NULL, NULL);
	fn_expect_event(a, oleg, TANDEM__EVENT_TYPE__DISCONNECT);
	fn_closed(a, 1);
	int64_t t0 = h_now();
	m = fn_expect(a, TANDEM__MESSAGE__BODY_DROP);
	assert_true(h_now() - t0 >= 200);
	assert_int_equal(m->drop->leg, oleg);
	assert_string_equal(m->drop->reason, "call ended, LegClosed overdue");
	assert_int_equal(H.cd.stats.calls_linger_expired, 1);
	assert_int_equal(H.cd.stats.calls_active, 0);

	/* several ending calls expire in order; one that closes in time
	 * leaves the queue */
	uint64_t legs[3];
	for (int i = 0; i < 3; i++) {
		struct h_try t = alice;
		char cidbuf[16];
		snprintf(cidbuf, sizeof(cidbuf), "q%d", i);
		t.call_id = cidbuf;
		fn_try(a, 10 + (uint64_t)i, &t);
		legs[i] = fn_expect(a, TANDEM__MESSAGE__BODY_ORIGINATE)->originate->leg;
		fn_simple(a, 10 + (uint64_t)i, TANDEM__EVENT_TYPE__DISCONNECT, 0, NULL, NULL);
		fn_expect_event(a, legs[i], TANDEM__EVENT_TYPE__DISCONNECT);
	}
	fn_closed(a, 10);
	fn_closed(a, legs[0]);
	H_UNTIL(H.cd.stats.calls_active == 2);
	m = fn_expect(a, TANDEM__MESSAGE__BODY_DROP);
	assert_int_equal(m->drop->leg, 11);
	m = fn_expect(a, TANDEM__MESSAGE__BODY_DROP);
	assert_int_equal(m->drop->leg, legs[1]);
	m = fn_expect(a, TANDEM__MESSAGE__BODY_DROP);
	assert_int_equal(m->drop->leg, 12);
	m = fn_expect(a, TANDEM__MESSAGE__BODY_DROP);
	assert_int_equal(m->drop->leg, legs[2]);
	assert_int_equal(H.cd.stats.calls_active, 0);
	assert_int_equal(H.cd.stats.calls_linger_expired, 3);
}

static void test_too_many_hops(void **state)
{
	struct fake_node *a = h_node(0, "edge1");
	struct h_try t = alice;
	Tandem__LegEvent *got;

	(void)state;
	fn_hello(a, NULL);
	t.max_forwards = 0;
	fn_try(a, 1, &t);
	got = fn_expect_event(a, 1, TANDEM__EVENT_TYPE__FAIL);
	assert_int_equal(got->code, 483);
	assert_string_equal(got->reason, "Too Many Hops");
	fn_expect_quiet(a, 20);
	assert_int_equal(H.cd.stats.calls_by_code[483], 1);
	assert_int_equal(H.cd.stats.calls_active, 1);
	fn_closed(a, 1);
	H_UNTIL(H.cd.stats.calls_active == 0);
	assert_int_equal(H.cd.stats.unknown_legs, 0);
}

/* A TRY that cannot become a call is answered 500, never silence. */
static void test_malformed_try(void **state)
{
	struct fake_node *a = h_node(0, "edge1");
	struct h_try t;
	char longs[300];
	uint64_t leg = 1;

	(void)state;
	fn_hello(a, NULL);
	memset(longs, '1', sizeof(longs));
	longs[sizeof(longs) - 1] = '\0';

	/* TRY without details */
	fn_simple(a, leg, TANDEM__EVENT_TYPE__TRY, 0, NULL, NULL);
	assert_int_equal(fn_expect_event(a, leg, TANDEM__EVENT_TYPE__FAIL)->code, 500);

	const struct { const char *field; const char *value; const char *why; } bad[] = {
		{ "call_id", "", "Call-ID empty or too long" },
		{ "call_id", longs, "Call-ID empty or too long" },
		{ "call_id", "a b", "Call-ID with characters SIP does not allow" },
		{ "cli", "a@b", "CLI too long or not a SIP URI user part" },
		{ "cli", longs, "CLI too long or not a SIP URI user part" },
		{ "cld", "20 00", "CLD too long or not a SIP URI user part" },
		{ "caller_name", "A\r\nB", "display name too long or with control characters" },
		{ "callee_name", longs, "display name too long or with control characters" },
		{ "source_host", "1.2.3.4 x", "malformed source or local address" },
		{ "source_host", longs, "malformed source or local address" },
		{ "local_host", "a/b", "malformed source or local address" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = alice;
		if (!strcmp(bad[i].field, "call_id"))
			t.call_id = bad[i].value;
		else if (!strcmp(bad[i].field, "cli"))
			t.cli = bad[i].value;
		else if (!strcmp(bad[i].field, "cld"))
			t.cld = bad[i].value;
		else if (!strcmp(bad[i].field, "caller_name"))
			t.caller_name = bad[i].value;
		else if (!strcmp(bad[i].field, "callee_name"))
			t.callee_name = bad[i].value;
		else if (!strcmp(bad[i].field, "source_host"))
			t.source_host = bad[i].value;
		else
			t.local_host = bad[i].value;
		fn_try(a, ++leg, &t);
		assert_int_equal(fn_expect_event(a, leg, TANDEM__EVENT_TYPE__FAIL)->code, 500);
		assert_true(h_log_count(bad[i].why) >= 1);
	}
	/* a source port out of range */
	t = alice;
	t.source_port = 70000;
	fn_try(a, ++leg, &t);
	assert_int_equal(fn_expect_event(a, leg, TANDEM__EVENT_TYPE__FAIL)->code, 500);
	/* a content type with a line break */
	Tandem__LegEvent ev = TANDEM__LEG_EVENT__INIT;
	Tandem__TryInfo ti = TANDEM__TRY_INFO__INIT;
	Tandem__Body b = TANDEM__BODY__INIT;
	ti.call_id = (char *)"ct@x";
	ti.max_forwards = 70;
	b.content_type = (char *)"application/sdp\r\nX: y";
	ev.leg = ++leg;
	ev.type = TANDEM__EVENT_TYPE__TRY;
	ev.try_ = &ti;
	ev.body = &b;
	fn_event(a, &ev);
	assert_int_equal(fn_expect_event(a, leg, TANDEM__EVENT_TYPE__FAIL)->code, 500);
	assert_int_equal(h_log_count("rejected: control characters in the content type"), 1);
	assert_int_equal(H.cd.stats.calls_rejected, 14);
	assert_int_equal(H.cd.stats.msgs_invalid, 0);
	assert_int_equal(H.cd.stats.calls_active, 0);

	/* a TRY with a code out of range */
	t = alice;
	ev.code = 99;
	ev.body = NULL;
	ev.leg = ++leg;
	fn_event(a, &ev);
	assert_int_equal(fn_expect_event(a, leg, TANDEM__EVENT_TYPE__FAIL)->code, 500);
	assert_int_equal(h_log_count("rejected: status code out of range for the event"), 1);
	assert_int_equal(H.cd.stats.calls_rejected, 15);

	/* TRY on an originate leg id, or leg 0: nonsense, ignored */
	fn_try(a, ORIG_BIT | 5, &t);
	fn_try(a, 0, &t);
	H_UNTIL(H.cd.stats.msgs_invalid == 2);
	/* a second TRY on a leg that has a call: ignored */
	fn_try(a, 100, &t);
	fn_expect(a, TANDEM__MESSAGE__BODY_ORIGINATE);
	fn_try(a, 100, &t);
	H_UNTIL(H.cd.stats.msgs_invalid == 3);
	fn_expect_quiet(a, 20);
	assert_int_equal(H.cd.stats.calls_active, 1);
}

/* Events that cannot be believed are dropped before they reach a call. */
static void test_invalid_events(void **state)
{
	struct fake_node *a;
	Tandem__Originate *o = start_call(&a, &alice);
	uint64_t oleg = o->leg;
	Tandem__LegEvent ev;
	Tandem__Body b = TANDEM__BODY__INIT;
	Tandem__Reason rh = TANDEM__REASON__INIT;
	Tandem__Header h = TANDEM__HEADER__INIT, *hp = &h;
	char *bad_list[] = { (char *)"a\nb" };
	unsigned n = 0;

	(void)state;
	fill_event(&ev, oleg, 99, 0, "");
	fn_event(a, &ev), n++;
	fill_event(&ev, 0, TANDEM__EVENT_TYPE__RING, 180, "");
	fn_event(a, &ev), n++;
	/* status codes outside the event's class */
	const struct { Tandem__EventType t; uint32_t code; } codes[] = {
		{ TANDEM__EVENT_TYPE__RING, 99 }, { TANDEM__EVENT_TYPE__RING, 200 },
		{ TANDEM__EVENT_TYPE__CONNECT, 180 }, { TANDEM__EVENT_TYPE__PRE_CONNECT, 300 },
		{ TANDEM__EVENT_TYPE__FAIL, 200 }, { TANDEM__EVENT_TYPE__FAIL, 700 },
		{ TANDEM__EVENT_TYPE__REDIRECT, 404 }, { TANDEM__EVENT_TYPE__INFO, 99 },
	};
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		fill_event(&ev, oleg, codes[i].t, codes[i].code, "");
		fn_event(a, &ev), n++;
	}
	fill_event(&ev, oleg, TANDEM__EVENT_TYPE__RING, 180, "Ringing\r\nVia: evil");
	fn_event(a, &ev), n++;
	fill_event(&ev, oleg, TANDEM__EVENT_TYPE__RING, 180, "");
	ev.warning = (char *)"\x7f";
	fn_event(a, &ev), n++;
	fill_event(&ev, oleg, TANDEM__EVENT_TYPE__RING, 180, "");
	b.content_type = (char *)"a\nb";
	ev.body = &b;
	fn_event(a, &ev), n++;
	fill_event(&ev, oleg, TANDEM__EVENT_TYPE__RING, 180, "");
	rh.protocol = (char *)"Q 850";
	ev.reason_header = &rh;
	fn_event(a, &ev), n++;
	fill_event(&ev, oleg, TANDEM__EVENT_TYPE__RING, 180, "");
	h.name = (char *)"X-A";
	h.value = (char *)"1\r\n";
	ev.n_extra_headers = 1;
	ev.extra_headers = &hp;
	fn_event(a, &ev), n++;
	h.name = (char *)"";
	h.value = (char *)"";
	fn_event(a, &ev), n++;
	fill_event(&ev, oleg, TANDEM__EVENT_TYPE__FAIL, 401, "");
	ev.n_challenges = 1;
	ev.challenges = bad_list;
	fn_event(a, &ev), n++;
	fill_event(&ev, oleg, TANDEM__EVENT_TYPE__REDIRECT, 302, "");
	ev.n_contacts = 1;
	ev.contacts = bad_list;
	fn_event(a, &ev), n++;
	H_UNTIL(H.cd.stats.msgs_invalid == n);
	fn_expect_quiet(a, 30);
	assert_int_equal(H.cd.stats.calls_active, 1);
	assert_int_equal(h_log_count("dropped: unknown event type"), 1);
	assert_int_equal(h_log_count("dropped: leg 0"), 1);
	assert_true(h_log_count("dropped: status code out of range for the event") >= 8);
	assert_true(h_log_count("dropped: control characters in reason, warning or transfer target") >= 2);
	assert_int_equal(h_log_count("dropped: control characters in the content type"), 1);
	assert_int_equal(h_log_count("dropped: malformed Reason header"), 1);
	assert_int_equal(h_log_count("dropped: malformed extra header"), 2);
	assert_int_equal(h_log_count("dropped: malformed challenge"), 1);
	assert_int_equal(h_log_count("dropped: malformed contact"), 1);

	/* the call still works */
	fn_simple(a, oleg, TANDEM__EVENT_TYPE__RING, 180, "Ringing", NULL);
	fn_expect_event(a, 1, TANDEM__EVENT_TYPE__RING);
}

/* Events the caller cannot send before it is answered. */
static void test_senseless_events(void **state)
{
	struct fake_node *a;
	Tandem__Originate *o = start_call(&a, &alice);

	(void)state;
	fn_simple(a, 1, TANDEM__EVENT_TYPE__RING, 180, NULL, NULL);
	fn_simple(a, 1, TANDEM__EVENT_TYPE__CONNECT, 200, NULL, NULL);
	fn_simple(a, 1, TANDEM__EVENT_TYPE__FAIL, 486, NULL, NULL);
	fn_simple(a, 1, TANDEM__EVENT_TYPE__REDIRECT, 302, NULL, NULL);
	H_UNTIL(H.cd.stats.events_dropped == 4);
	fn_expect_quiet(a, 20);
	assert_int_equal(h_log_count("RING from the answer leg makes no sense in ARComplete"), 1);
	/* an originate leg cannot start a call */
	fn_simple(a, o->leg, TANDEM__EVENT_TYPE__RING, 180, NULL, NULL);
	fn_expect_event(a, 1, TANDEM__EVENT_TYPE__RING);
}

/* Events for legs without a call: counted; a leg still alive in SIP is
 * told to end. */
static void test_unknown_legs(void **state)
{
	struct fake_node *a = h_node(0, "edge1");
	static const Tandem__EventType alive[] = {
		TANDEM__EVENT_TYPE__RING, TANDEM__EVENT_TYPE__PRE_CONNECT, TANDEM__EVENT_TYPE__CONNECT,
		TANDEM__EVENT_TYPE__UPDATE, TANDEM__EVENT_TYPE__INFO,
	};
	static const Tandem__EventType ending[] = {
		TANDEM__EVENT_TYPE__DISCONNECT, TANDEM__EVENT_TYPE__FAIL, TANDEM__EVENT_TYPE__REDIRECT,
	};

	(void)state;
	fn_hello(a, NULL);
	for (size_t i = 0; i < sizeof(alive) / sizeof(alive[0]); i++) {
		fn_simple(a, 77 + i, alive[i], 0, NULL, NULL);
		Tandem__LegEvent *got = fn_expect_event(a, 77 + i, TANDEM__EVENT_TYPE__DISCONNECT);
		assert_int_equal(got->origin, TANDEM__ORIGIN__SWITCH);
	}
	for (size_t i = 0; i < sizeof(ending) / sizeof(ending[0]); i++)
		fn_simple(a, 99, ending[i], 0, NULL, NULL);
	fn_closed(a, 1234);
	H_UNTIL(H.cd.stats.unknown_legs == 9);
	fn_expect_quiet(a, 20);
	assert_int_equal(H.cd.stats.calls_active, 0);
}

/* A leg id is (node, id): equal ids on two nodes are two legs. */
static void test_two_nodes_same_leg_ids(void **state)
{
	struct fake_node *a = h_node(0, "edge1"), *b = h_node(1, "edge2");
	struct h_try t = alice;
	Tandem__Originate *oa, *ob;

	(void)state;
	fn_hello(a, "192.0.2.10");
	fn_hello(b, "192.0.2.20");
	fn_try(a, 1, &t);
	oa = fn_expect(a, TANDEM__MESSAGE__BODY_ORIGINATE)->originate;
	t.call_id = "other@b";
	fn_try(b, 1, &t);
	ob = fn_expect(b, TANDEM__MESSAGE__BODY_ORIGINATE)->originate;
	assert_string_equal(ob->from_uri, "sip:1000@192.0.2.20");
	fn_simple(b, ob->leg, TANDEM__EVENT_TYPE__RING, 180, NULL, NULL);
	fn_expect_event(b, 1, TANDEM__EVENT_TYPE__RING);
	fn_expect_quiet(a, 20);
	fn_simple(a, 1, TANDEM__EVENT_TYPE__DISCONNECT, 0, NULL, NULL);
	fn_expect_event(a, oa->leg, TANDEM__EVENT_TYPE__DISCONNECT);
	fn_expect_quiet(b, 20);
	assert_int_equal(H.cd.stats.calls_active, 2);
}

/* Many calls at once; all freed at the end (ASan checks the rest). */
static void test_many_calls(void **state)
{
	struct fake_node *a = h_node(0, "edge1");
	enum { N = 500 };
	static uint64_t oleg[N];
	char cidbuf[32];

	(void)state;
	fn_hello(a, NULL);
	for (int i = 0; i < N; i++) {
		struct h_try t = alice;
		snprintf(cidbuf, sizeof(cidbuf), "many-%d", i);
		t.call_id = cidbuf;
		fn_try(a, 1000 + (uint64_t)i, &t);
	}
	for (int i = 0; i < N; i++)
		oleg[i] = fn_expect(a, TANDEM__MESSAGE__BODY_ORIGINATE)->originate->leg;
	assert_int_equal(H.cd.stats.calls_active, N);
	for (int i = 0; i < N; i += 2)
		fn_simple(a, oleg[i], TANDEM__EVENT_TYPE__CONNECT, 200, NULL, NULL);
	for (int i = 0; i < N; i += 2)
		fn_expect_event(a, 1000 + (uint64_t)i, TANDEM__EVENT_TYPE__CONNECT);
	/* the rest is freed by calls_free() at teardown */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_try_originate_fields, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_route_shapes, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_from_host_fallbacks, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_relay_all_fields, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_relay_table, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_late_offer, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_cancel_before_answer, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_fail_relay, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_fail_without_code, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_redirect_relay, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_callee_disconnect_before_answer, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_callee_disconnect, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_leg_closed_while_up, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_linger_expiry, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_too_many_hops, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_malformed_try, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_invalid_events, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_senseless_events, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_legs, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_two_nodes_same_leg_ids, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_many_calls, h_setup, h_teardown),
	};
	int rc;

	h_log_to_file("test_ccd_call");
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	log_close();
	unlink(h_logpath);
	return rc;
}
