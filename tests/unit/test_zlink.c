/* zlink: ZeroMQ sockets on a libevent loop, batched protobuf frames. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <zmq.h>

#include "tandem.pb-c.h"
#include "zlink.h"

struct fixture {
	struct event_base *base;
	void *ctx;
	struct zlink *router, *dealer;
	struct event *deadline;
	unsigned requests_seen, replies_seen, frames_seen_by_router, frames_seen_by_dealer;
	unsigned expect;
	char last_peer[64];
};

static Tandem__Message heartbeat_msg(Tandem__Heartbeat *hb, uint32_t legs)
{
	Tandem__Message m = TANDEM__MESSAGE__INIT;

	tandem__heartbeat__init(hb);
	hb->legs = legs;
	m.body_case = TANDEM__MESSAGE__BODY_HEARTBEAT;
	m.heartbeat = hb;
	return m;
}

static void on_router(struct zlink *z, struct pl peer, const uint8_t *data, size_t len, void *arg)
{
	struct fixture *f = arg;
	Tandem__Frame *frame = tandem__frame__unpack(NULL, len, data);

	assert_non_null(frame);
	f->frames_seen_by_router++;
	pl_strcpy(peer, f->last_peer, sizeof(f->last_peer));
	for (size_t i = 0; i < frame->n_messages; i++) {
		Tandem__Message *in = frame->messages[i];
		assert_int_equal(in->body_case, TANDEM__MESSAGE__BODY_HEARTBEAT);
		/* messages arrive in the order they were appended */
		assert_int_equal(in->heartbeat->legs, f->requests_seen);
		f->requests_seen++;
		Tandem__Heartbeat hb;
		Tandem__Message reply = heartbeat_msg(&hb, in->heartbeat->legs);
		assert_int_equal(zlink_frame_append(z, peer, &reply.base), 0);
	}
	tandem__frame__free_unpacked(frame, NULL);
}

static void on_dealer(struct zlink *z, struct pl peer, const uint8_t *data, size_t len, void *arg)
{
	struct fixture *f = arg;
	Tandem__Frame *frame = tandem__frame__unpack(NULL, len, data);

	(void)z;
	assert_int_equal(peer.l, 0);
	assert_non_null(frame);
	f->frames_seen_by_dealer++;
	f->replies_seen += (unsigned)frame->n_messages;
	tandem__frame__free_unpacked(frame, NULL);
	if (f->replies_seen == f->expect)
		event_base_loopbreak(f->base);
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(((struct fixture *)arg)->base);
}

static int setup(void **state)
{
	static struct fixture f;
	struct timeval five = { 5, 0 };
	int linger = 0;

	memset(&f, 0, sizeof(f));
	f.base = event_base_new();
	f.ctx = zmq_ctx_new();
	void *r = zmq_socket(f.ctx, ZMQ_ROUTER), *d = zmq_socket(f.ctx, ZMQ_DEALER);
	zmq_setsockopt(r, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(d, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(d, ZMQ_ROUTING_ID, "node-a", 6);
	assert_int_equal(zmq_bind(r, "inproc://zlink-test"), 0);
	assert_int_equal(zmq_connect(d, "inproc://zlink-test"), 0);
	f.router = zlink_new(f.base, r, true, on_router, &f);
	f.dealer = zlink_new(f.base, d, false, on_dealer, &f);
	assert_non_null(f.router);
	assert_non_null(f.dealer);
	f.deadline = evtimer_new(f.base, on_deadline, &f);
	evtimer_add(f.deadline, &five);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	event_free(f->deadline);
	zlink_free(f->router);
	zlink_free(f->dealer);
	zmq_ctx_term(f->ctx);
	event_base_free(f->base);
	return 0;
}

/* Many messages appended in one callback travel as few frames, in order,
 * and the replies (sent from inside the receive callback) all come back:
 * the re-arm after each send keeps the edge-triggered fd from stalling. */
static void test_batched_round_trip(void **state)
{
	struct fixture *f = *state;

	f->expect = 5000;
	for (unsigned i = 0; i < f->expect; i++) {
		Tandem__Heartbeat hb;
		Tandem__Message m = heartbeat_msg(&hb, i);
		assert_int_equal(zlink_frame_append(f->dealer, PL_NULL, &m.base), 0);
	}
	event_base_dispatch(f->base);
	assert_int_equal(f->requests_seen, f->expect);
	assert_int_equal(f->replies_seen, f->expect);
	assert_string_equal(f->last_peer, "node-a");
	/* 5000 small messages fit a handful of frames, not 5000 */
	assert_true(f->frames_seen_by_router < 10);
	assert_true(f->frames_seen_by_dealer < 10);
	assert_int_equal(zlink_stats(f->dealer)->msgs_out, f->expect);
}

/* Messages to a peer ZeroMQ does not know are dropped and counted when the
 * ROUTER is in mandatory mode, not queued forever. */
static void test_unknown_peer_is_dropped(void **state)
{
	struct fixture *f = *state;
	int mandatory = 1;
	Tandem__Heartbeat hb;
	Tandem__Message m = heartbeat_msg(&hb, 1);

	zmq_setsockopt(zlink_socket(f->router), ZMQ_ROUTER_MANDATORY, &mandatory, sizeof(mandatory));
	assert_int_equal(zlink_frame_append(f->router, PL("nobody"), &m.base), 0);
	assert_int_equal(zlink_flush(f->router), -1);
	assert_int_equal(zlink_stats(f->router)->send_drops, 1);
	assert_int_equal(zlink_flush(f->router), 0); /* nothing pending any more */
}

/* A message too large for any frame is refused up front. */
static void test_oversized_message_refused(void **state)
{
	struct fixture *f = *state;
	static uint8_t big[ZLINK_FRAME_MAX];
	Tandem__Body body = TANDEM__BODY__INIT;
	Tandem__LegEvent ev = TANDEM__LEG_EVENT__INIT;
	Tandem__Message m = TANDEM__MESSAGE__INIT;

	body.content.data = big;
	body.content.len = sizeof(big);
	ev.body = &body;
	m.body_case = TANDEM__MESSAGE__BODY_EVENT;
	m.event = &ev;
	assert_int_equal(zlink_frame_append(f->dealer, PL_NULL, &m.base), -1);
	assert_int_equal(zlink_stats(f->dealer)->msgs_out, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_batched_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_peer_is_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversized_message_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
