/* ccd/nodes.c: Hello/Welcome, heartbeats both ways, silence and restarts,
 * strangers, and inbound frames that must not be believed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_ccd_harness.h"

static const struct h_try basic_try = {
	.call_id = "c1@example.org", .cli = "1000", .cld = "2000", .max_forwards = 69,
	.sdp = "v=0\r\n",
};

static void test_hello_welcome(void **state)
{
	struct fake_node *a = h_node(0, "edge1");
	Tandem__Welcome *w;

	(void)state;
	w = fn_hello(a, "192.0.2.10");
	assert_int_equal(w->instance, H_INSTANCE);
	assert_int_equal(w->heartbeat_interval_ms, H_HEARTBEAT_MS);
	assert_int_equal(w->n_forward_headers, 0);
	assert_int_equal(w->n_unknown_legs, 0);
	assert_int_equal(H.cd.stats.nodes_up, 1);
	assert_int_equal(nodes_live(&H.cd), 1);
	struct node *n = nodes_find(&H.cd, PL("edge1"));
	assert_non_null(n);
	assert_int_equal(n->state, NODE_LIVE);
	assert_string_equal(n->listen_host, "192.0.2.10");
	assert_int_equal(n->instance, a->instance);
	assert_non_null(nodes_link_stats(&H.cd));
}

/* Legs listed in Hello that have no call come back in unknown_legs. */
static void test_hello_unknown_legs(void **state)
{
	struct fake_node *a = h_node(0, "edge1");
	const uint64_t legs1[] = { 1, 2, 0x8000000000000007ULL };
	const uint64_t legs2[] = { 5, 6 };
	Tandem__Welcome *w;

	(void)state;
	/* a node that knew legs before ccd started (ccd restarted) */
	fn_hello_full(a, a->instance, "edge1", 1, "192.0.2.10", legs1, 3);
	w = fn_expect(a, TANDEM__MESSAGE__BODY_WELCOME)->welcome;
	assert_int_equal(w->n_unknown_legs, 3);
	assert_int_equal(w->unknown_legs[0], 1);
	assert_int_equal(w->unknown_legs[1], 2);
	assert_int_equal(w->unknown_legs[2], 0x8000000000000007ULL);
	a->auto_heartbeat = true;

	/* leg 5 gets a call; the same instance says Hello again */
	fn_try(a, 5, &basic_try);
	fn_expect(a, TANDEM__MESSAGE__BODY_ORIGINATE);
	fn_hello_full(a, a->instance, "edge1", 1, "192.0.2.10", legs2, 2);
	w = fn_expect(a, TANDEM__MESSAGE__BODY_WELCOME)->welcome;
	assert_int_equal(w->n_unknown_legs, 1);
	assert_int_equal(w->unknown_legs[0], 6);
	assert_int_equal(H.cd.stats.calls_active, 1);	/* the call survived */
	assert_int_equal(H.cd.stats.nodes_up, 1);
}

static void test_heartbeats_both_ways(void **state)
{
	struct fake_node *a = h_node(0, "edge1");

	(void)state;
	fn_hello(a, NULL);
	/* ccd beats every interval, with its instance... */
	h_pump(H_HEARTBEAT_MS * 5 + 50);
	assert_true(a->heartbeats_in >= 3);
	assert_int_equal(a->last_hb_instance, H_INSTANCE);
	/* ...and a node that beats stays up well past 3 intervals */
	assert_int_equal(nodes_live(&H.cd), 1);
	assert_int_equal(H.cd.stats.nodes_down, 0);
	/* a heartbeat from another instance is out of order: counted, no harm */
	fn_heartbeat(a, 999);
	H_UNTIL(H.cd.stats.msgs_invalid == 1);
	assert_int_equal(nodes_live(&H.cd), 1);
}

/* A node silent for 3 intervals is down: removed, its calls ended. */
static void test_node_timeout_ends_calls(void **state)
{
	struct fake_node *a = h_node(0, "edge1"), *b = h_node(1, "edge2");
	Tandem__Originate *o;

	(void)state;
	fn_hello(a, "192.0.2.10");
	fn_hello(b, "192.0.2.20");
	fn_try(a, 1, &basic_try);
	o = fn_expect(a, TANDEM__MESSAGE__BODY_ORIGINATE)->originate;
	(void)o;
	assert_int_equal(H.cd.stats.calls_active, 1);

	a->auto_heartbeat = false;
	int64_t t0 = h_now();
	H_UNTIL(H.cd.stats.nodes_down == 1);
	int64_t silent = h_now() - t0;
	assert_true(silent >= 2 * H_HEARTBEAT_MS);
	assert_true(silent <= 20 * H_HEARTBEAT_MS);
	assert_null(nodes_find(&H.cd, PL("edge1")));
	assert_int_equal(nodes_live(&H.cd), 1);
	assert_int_equal(H.cd.stats.calls_active, 0);
	assert_int_equal(H.cd.stats.calls_by_code[0], 1);	/* the caller got no answer */
	/* the other node is untouched and nothing went to the dead one */
	assert_non_null(nodes_find(&H.cd, PL("edge2")));
	fn_expect_quiet(b, 50);

	/* the node comes back: a stranger until it says Hello again */
	a->auto_heartbeat = true;
	h_pump(20);
	assert_true(H.cd.stats.msgs_from_strangers >= 1);
	fn_hello(a, "192.0.2.10");
	assert_int_equal(H.cd.stats.nodes_up, 3);
}

/* A new instance from a known node: it restarted, its calls are gone. */
static void test_node_restart(void **state)
{
	struct fake_node *a = h_node(0, "edge1");
	Tandem__Originate *o;
	uint64_t oleg;

	(void)state;
	fn_hello(a, "192.0.2.10");
	fn_try(a, 1, &basic_try);
	o = fn_expect(a, TANDEM__MESSAGE__BODY_ORIGINATE)->originate;
	oleg = o->leg;
	fn_simple(a, oleg, TANDEM__EVENT_TYPE__CONNECT, 200, "OK", "v=0\r\n");
	fn_expect_event(a, 1, TANDEM__EVENT_TYPE__CONNECT);

	a->instance++;
	fn_hello(a, "192.0.2.11");
	assert_int_equal(H.cd.stats.nodes_restarted, 1);
	assert_int_equal(H.cd.stats.calls_active, 0);
	assert_int_equal(nodes_live(&H.cd), 1);
	assert_string_equal(nodes_find(&H.cd, PL("edge1"))->listen_host, "192.0.2.11");
	/* nothing is sent to the legs the old instance had */
	fn_expect_quiet(a, 50);
	/* and they are unknown now */
	fn_closed(a, oleg);
	H_UNTIL(H.cd.stats.unknown_legs == 1);
}

/* A peer that never said Hello gets no answer, and one log line. */
static void test_stranger(void **state)
{
	struct fake_node *s = h_node_raw(0, "\0bin", 4);

	(void)state;
	int before = h_log_count("ignoring it until it says Hello");
	fn_heartbeat(s, 1);
	fn_simple(s, 1, TANDEM__EVENT_TYPE__RING, 180, "Ringing", NULL);
	fn_closed(s, 1);
	H_UNTIL(H.cd.stats.msgs_from_strangers == 3);
	fn_expect_quiet(s, 50);
	assert_int_equal(h_log_count("ignoring it until it says Hello") - before, 1);
	assert_int_equal(h_log_count("peer \\x00bin sent a message before Hello"), 1);
	struct node *n = nodes_find(&H.cd, pl_from("\0bin", 4));
	assert_non_null(n);
	assert_int_equal(n->state, NODE_STRANGER);
	assert_int_equal(nodes_live(&H.cd), 0);
	/* a stranger cannot say Hello with a binary routing id */
	fn_hello_full(s, 1, "bin", 1, NULL, NULL, 0);
	H_UNTIL(H.cd.stats.msgs_invalid == 1);
	fn_expect_quiet(s, 30);
}

/* A stranger that says Hello becomes a node. */
static void test_stranger_then_hello(void **state)
{
	struct fake_node *a = h_node(0, "late");

	(void)state;
	fn_heartbeat(a, 1);
	H_UNTIL(H.cd.stats.msgs_from_strangers == 1);
	fn_hello(a, "0.0.0.0");
	assert_int_equal(nodes_live(&H.cd), 1);
	/* a wildcard listen address is no host for From */
	assert_string_equal(nodes_find(&H.cd, PL("late"))->listen_host, "");
}

static void test_many_strangers(void **state)
{
	void *socks[NODES_STRANGERS_MAX + 2];
	struct fake_node *a = h_node(0, "edge1");
	int zero = 0;

	(void)state;
	for (int i = 0; i < NODES_STRANGERS_MAX + 2; i++) {
		char id[16];
		uint8_t junk[] = { 0x18, 0x00 };	/* a Frame with one empty Message */
		snprintf(id, sizeof(id), "s%d", i);
		socks[i] = zmq_socket(H.cd.zctx, ZMQ_DEALER);
		zmq_setsockopt(socks[i], ZMQ_LINGER, &zero, sizeof(zero));
		zmq_setsockopt(socks[i], ZMQ_ROUTING_ID, id, strlen(id));
		assert_int_equal(zmq_connect(socks[i], H.endpoint), 0);
		junk[0] = (1 << 3) | 2;
		assert_int_equal(zmq_send(socks[i], junk, 2, 0), 2);
	}
	H_UNTIL(H.cd.stats.msgs_from_strangers == NODES_STRANGERS_MAX + 2);
	assert_int_equal(h_log_count("peers without Hello: no longer logging them"), 1);
	/* real nodes still get in */
	fn_hello(a, NULL);
	for (int i = 0; i < NODES_STRANGERS_MAX + 2; i++)
		zmq_close(socks[i]);
}

static void test_hello_refused(void **state)
{
	struct fake_node *a = h_node(0, "edge1");

	(void)state;
	/* node_id must be the routing id */
	fn_hello_full(a, 1, "edge2", 1, NULL, NULL, 0);
	H_UNTIL(H.cd.stats.msgs_invalid == 1);
	fn_expect_quiet(a, 30);
	assert_int_equal(h_log_count("peer edge1 sent a Hello whose node_id is not its routing id"), 1);
	/* a protocol we do not speak: no answer, the node keeps answering 503 */
	fn_hello_full(a, 1, "edge1", 2, NULL, NULL, 0);
	H_UNTIL(H.cd.stats.msgs_invalid == 2);
	fn_expect_quiet(a, 30);
	assert_int_equal(nodes_live(&H.cd), 0);
	/* an empty node id */
	fn_hello_full(a, 1, "", 1, NULL, NULL, 0);
	H_UNTIL(H.cd.stats.msgs_invalid == 3);
	/* a good Hello, then a bad one from the live node: logged, node kept */
	fn_hello(a, NULL);
	fn_hello_full(a, a->instance, "edge1", 7, NULL, NULL, 0);
	H_UNTIL(H.cd.stats.msgs_invalid == 4);
	assert_int_equal(h_log_count("node edge1: Hello refused (speaks another protocol version)"), 1);
	assert_int_equal(nodes_live(&H.cd), 1);
	/* a node id with a space, and one too long */
	struct fake_node *b = h_node(1, "a b");
	fn_hello_full(b, 1, "a b", 1, NULL, NULL, 0);
	char longid[80];
	memset(longid, 'x', sizeof(longid));
	longid[79] = '\0';
	struct fake_node *c = h_node(2, longid);
	fn_hello_full(c, 1, longid, 1, NULL, NULL, 0);
	H_UNTIL(H.cd.stats.msgs_invalid == 6);
	assert_int_equal(nodes_live(&H.cd), 1);
}

/* Listen hosts that cannot go into a From are not taken. */
static void test_listen_hosts(void **state)
{
	struct fake_node *a = h_node(0, "edge1");
	struct node *n;

	(void)state;
	fn_hello(a, "2001:db8::1");
	n = nodes_find(&H.cd, PL("edge1"));
	assert_string_equal(n->listen_host, "2001:db8::1");
	fn_hello(a, "bad host");
	assert_string_equal(n->listen_host, "");
	fn_hello(a, "::");
	assert_string_equal(n->listen_host, "");
	fn_hello(a, "*");
	assert_string_equal(n->listen_host, "");
	fn_hello(a, "sip.example.com");
	assert_string_equal(n->listen_host, "sip.example.com");
}

static void test_malformed_frames(void **state)
{
	struct fake_node *a = h_node(0, "edge1");
	static const uint8_t garbage[] = { 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01 };
	static const uint8_t truncated[] = { 0x0a, 0x10, 0x0a };
	static const uint8_t empty_msg[] = { 0x0a, 0x00 };	/* a Message of no known kind */
	static const uint8_t unknown_field[] = { 0x0a, 0x03, 0xf8, 0x07, 0x01 };	/* field 127 */

	(void)state;
	fn_hello(a, NULL);
	fn_send_raw(a, garbage, sizeof(garbage));
	fn_send_raw(a, truncated, sizeof(truncated));
	H_UNTIL(H.cd.stats.frames_malformed == 2);
	fn_send_raw(a, empty_msg, sizeof(empty_msg));
	fn_send_raw(a, unknown_field, sizeof(unknown_field));
	H_UNTIL(H.cd.stats.msgs_unknown == 2);
	/* an empty frame is a frame of no messages */
	fn_send_raw(a, "", 0);

	/* messages only ccd sends */
	Tandem__Welcome w = TANDEM__WELCOME__INIT;
	Tandem__Originate o = TANDEM__ORIGINATE__INIT;
	Tandem__DropLeg d = TANDEM__DROP_LEG__INIT;
	Tandem__Message mw = TANDEM__MESSAGE__INIT, mo = TANDEM__MESSAGE__INIT, md = TANDEM__MESSAGE__INIT;
	Tandem__Message *batch[3] = { &mw, &mo, &md };
	mw.body_case = TANDEM__MESSAGE__BODY_WELCOME;
	mw.welcome = &w;
	mo.body_case = TANDEM__MESSAGE__BODY_ORIGINATE;
	mo.originate = &o;
	md.body_case = TANDEM__MESSAGE__BODY_DROP;
	md.drop = &d;
	fn_send_msgs(a, batch, 3);
	H_UNTIL(H.cd.stats.msgs_invalid == 3);
	fn_expect_quiet(a, 30);
	assert_int_equal(nodes_live(&H.cd), 1);

	/* a frame too large to decode into the arena still decodes */
	enum { N = 30000 };
	Tandem__Message *many[N];
	Tandem__Heartbeat hb = TANDEM__HEARTBEAT__INIT;
	Tandem__Message mh = TANDEM__MESSAGE__INIT;
	hb.instance = a->instance;
	mh.body_case = TANDEM__MESSAGE__BODY_HEARTBEAT;
	mh.heartbeat = &hb;
	for (int i = 0; i < N; i++)
		many[i] = &mh;
	fn_send_msgs(a, many, N);
	h_pump(50);
	assert_int_equal(H.cd.stats.msgs_invalid, 3);
	assert_int_equal(H.cd.stats.frames_malformed, 2);
}

/* Many messages in one frame are handled in order: Hello first makes the
 * rest of the frame a live node's. */
static void test_batched_frame(void **state)
{
	struct fake_node *a = h_node(0, "edge1");
	Tandem__Hello h = TANDEM__HELLO__INIT;
	Tandem__Heartbeat hb = TANDEM__HEARTBEAT__INIT;
	Tandem__Message mh = TANDEM__MESSAGE__INIT, mb = TANDEM__MESSAGE__INIT;
	Tandem__Message *batch[2] = { &mh, &mb };

	(void)state;
	h.node_id = (char *)"edge1";
	h.protocol = 1;
	h.instance = 42;
	mh.body_case = TANDEM__MESSAGE__BODY_HELLO;
	mh.hello = &h;
	hb.instance = 42;
	mb.body_case = TANDEM__MESSAGE__BODY_HEARTBEAT;
	mb.heartbeat = &hb;
	fn_send_msgs(a, batch, 2);
	fn_expect(a, TANDEM__MESSAGE__BODY_WELCOME);
	assert_int_equal(H.cd.stats.msgs_from_strangers, 0);
	assert_int_equal(H.cd.stats.msgs_invalid, 0);
}

/* A message too large for a frame is dropped and counted, not sent. */
static void test_send_too_large(void **state)
{
	struct fake_node *a = h_node(0, "edge1");
	char *big = malloc(ZLINK_FRAME_MAX + 10);
	struct h_try t = basic_try;
	uint64_t oleg;

	(void)state;
	assert_non_null(big);
	memset(big, 'a', ZLINK_FRAME_MAX + 9);
	big[ZLINK_FRAME_MAX + 9] = '\0';
	fn_hello(a, NULL);
	fn_try(a, 1, &t);
	oleg = fn_expect(a, TANDEM__MESSAGE__BODY_ORIGINATE)->originate->leg;
	fn_simple(a, oleg, TANDEM__EVENT_TYPE__RING, 183, "Session Progress", big);
	H_UNTIL(H.cd.stats.send_errors == 1);
	free(big);
	/* the caller's TRY with a huge SDP: the Originate cannot be queued */
	char *sdp = malloc(ZLINK_FRAME_MAX + 10);
	assert_non_null(sdp);
	memset(sdp, 'b', ZLINK_FRAME_MAX + 9);
	sdp[ZLINK_FRAME_MAX + 9] = '\0';
	t.sdp = sdp;
	t.call_id = "big@x";
	fn_try(a, 2, &t);
	Tandem__LegEvent *ev = fn_expect_event(a, 2, TANDEM__EVENT_TYPE__FAIL);
	assert_int_equal(ev->code, 500);
	assert_int_equal(H.cd.stats.send_errors, 2);
	free(sdp);
}

static void test_bind_error(void **state)
{
	struct ccd other;
	char err[256];

	(void)state;
	memset(&other, 0, sizeof(other));
	other.base = H.cd.base;
	other.zctx = H.cd.zctx;
	other.cfg.bind = "bogus://nowhere";
	assert_int_equal(nodes_open(&other, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot bind bogus://nowhere: "));
	assert_null(other.nodes);
	/* the interval defaults to a second */
	assert_int_equal(other.heartbeat_ms, CCD_HEARTBEAT_MS);
}

/* The registry is bounded: node NODES_LIVE_MAX + 1 is refused. */
static void test_registry_full(void **state)
{
	enum { N = NODES_LIVE_MAX + 1 };
	static void *socks[N];
	int zero = 0;

	(void)state;
	H.cd.heartbeat_ms = 60000;	/* none of these nodes beats: no timeouts */
	for (int i = 0; i < N; i++) {
		char id[16];
		Tandem__Hello h = TANDEM__HELLO__INIT;
		Tandem__Message m = TANDEM__MESSAGE__INIT, *mp = &m;
		Tandem__Frame fr = TANDEM__FRAME__INIT;
		uint8_t buf[64];
		size_t len;

		snprintf(id, sizeof(id), "n%d", i);
		socks[i] = zmq_socket(H.cd.zctx, ZMQ_DEALER);
		zmq_setsockopt(socks[i], ZMQ_LINGER, &zero, sizeof(zero));
		zmq_setsockopt(socks[i], ZMQ_ROUTING_ID, id, strlen(id));
		assert_int_equal(zmq_connect(socks[i], H.endpoint), 0);
		h.node_id = id;
		h.protocol = 1;
		h.instance = 1;
		m.body_case = TANDEM__MESSAGE__BODY_HELLO;
		m.hello = &h;
		fr.n_messages = 1;
		fr.messages = &mp;
		len = tandem__frame__pack(&fr, buf);
		assert_int_equal(zmq_send(socks[i], buf, len, 0), (int)len);
		/* one at a time, so which one is refused is known */
		H_UNTIL(H.cd.stats.nodes_up + H.cd.stats.msgs_invalid == (uint64_t)i + 1);
	}
	assert_int_equal(nodes_live(&H.cd), NODES_LIVE_MAX);
	assert_int_equal(H.cd.stats.msgs_invalid, 1);
	assert_int_equal(h_log_count("said Hello but the node registry is full"), 1);
	for (int i = 0; i < N; i++)
		zmq_close(socks[i]);
}

/* A Welcome lists at most what fits one frame. */
static void test_too_many_unknown_legs(void **state)
{
	enum { N = 27000 };
	struct fake_node *a = h_node(0, "edge1");
	static Tandem__LegSummary ls[N];
	static Tandem__LegSummary *lsp[N];
	Tandem__Hello h = TANDEM__HELLO__INIT;
	Tandem__Message m = TANDEM__MESSAGE__INIT;
	Tandem__Welcome *w;

	(void)state;
	for (int i = 0; i < N; i++) {
		tandem__leg_summary__init(&ls[i]);
		ls[i].leg = (uint64_t)i + 1;
		lsp[i] = &ls[i];
	}
	h.node_id = (char *)"edge1";
	h.protocol = 1;
	h.instance = a->instance;
	h.n_legs = N;
	h.legs = lsp;
	m.body_case = TANDEM__MESSAGE__BODY_HELLO;
	m.hello = &h;
	fn_send(a, &m);
	w = fn_expect(a, TANDEM__MESSAGE__BODY_WELCOME)->welcome;
	assert_true(w->n_unknown_legs > 20000);
	assert_true(w->n_unknown_legs < N);
	assert_int_equal(w->unknown_legs[0], 1);
	assert_int_equal(h_log_count("unknown legs: the rest are not listed"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hello_welcome, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_hello_unknown_legs, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_heartbeats_both_ways, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_node_timeout_ends_calls, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_node_restart, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_stranger, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_stranger_then_hello, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_many_strangers, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_hello_refused, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_listen_hosts, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_malformed_frames, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_batched_frame, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_send_too_large, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_bind_error, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_registry_full, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_too_many_unknown_legs, h_setup, h_teardown),
	};
	int rc;

	h_log_to_file("test_ccd_nodes");
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	log_close();
	unlink(h_logpath);
	return rc;
}
