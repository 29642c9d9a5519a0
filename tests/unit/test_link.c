/*
 * link: sigd's DEALER against a real ROUTER in the test playing ccd (over
 * ipc:// in a temporary directory): Hello until Welcome, heartbeats both
 * ways, readiness and its loss, a ccd restart, and whatever garbage ccd
 * may send.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "sigd/event.h"
#include "sigd/leg.h"
#include "sigd/link.h"
#include "sigd/sigd.h"
#include "tandem.pb-c.h"
#include "zlink.h"

#define MAX_SEEN 64

struct seen {
	Tandem__Message__BodyCase kind;
	uint64_t leg;			/* event, closed */
	unsigned type, code, state;	/* event type/code, closed state */
	uint64_t instance;		/* hello, heartbeat */
	unsigned n_legs;		/* hello */
	uint64_t first_leg;
	char node_id[64], listen[64];
	uint32_t protocol, max_legs;
};

struct fx {
	struct sigd *sd;
	char dir[64], ep[128];
	void *zctx;
	struct zlink *router;
	struct event *tick;
	bool (*until)(struct fx *f);
	unsigned n;
	struct seen seen[MAX_SEEN];
	bool echo_heartbeats;		/* answer every Heartbeat (ccd alive) */
	uint64_t ccd_instance;
};

static void on_router(struct zlink *z, struct pl peer, const uint8_t *data, size_t len, void *arg)
{
	struct fx *f = arg;
	Tandem__Frame *fr = tandem__frame__unpack(NULL, len, data);

	(void)z;
	assert_non_null(fr);
	assert_true(pl_eq_str(peer, "n1"));
	for (size_t i = 0; i < fr->n_messages; i++) {
		Tandem__Message *m = fr->messages[i];
		struct seen *s = &f->seen[f->n < MAX_SEEN ? f->n : MAX_SEEN - 1];

		memset(s, 0, sizeof(*s));
		s->kind = m->body_case;
		switch (m->body_case) {
		case TANDEM__MESSAGE__BODY_HELLO:
			s->instance = m->hello->instance;
			s->protocol = m->hello->protocol;
			s->max_legs = m->hello->max_legs;
			s->n_legs = (unsigned)m->hello->n_legs;
			if (m->hello->n_legs)
				s->first_leg = m->hello->legs[0]->leg;
			snprintf(s->node_id, sizeof(s->node_id), "%s", m->hello->node_id);
			if (m->hello->n_listen)
				snprintf(s->listen, sizeof(s->listen), "%s:%u", m->hello->listen[0]->host,
					 m->hello->listen[0]->port);
			break;
		case TANDEM__MESSAGE__BODY_HEARTBEAT:
			s->instance = m->heartbeat->instance;
			if (f->echo_heartbeats) {
				Tandem__Message r = TANDEM__MESSAGE__INIT;
				Tandem__Heartbeat hb = TANDEM__HEARTBEAT__INIT;

				hb.instance = f->ccd_instance;
				r.body_case = TANDEM__MESSAGE__BODY_HEARTBEAT;
				r.heartbeat = &hb;
				zlink_frame_append(f->router, PL("n1"), &r.base);
			}
			break;
		case TANDEM__MESSAGE__BODY_EVENT:
			s->leg = m->event->leg;
			s->type = m->event->type;
			s->code = m->event->code;
			break;
		case TANDEM__MESSAGE__BODY_CLOSED:
			s->leg = m->closed->leg;
			s->state = m->closed->last_state;
			break;
		default:
			break;
		}
		f->n++;
	}
	tandem__frame__free_unpacked(fr, NULL);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct fx *f = arg;

	(void)fd;
	(void)what;
	if (f->until && f->until(f))
		event_base_loopbreak(f->sd->base);
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

/* Runs the loop until cond holds or ms pass; returns cond's last value.
 * The deadline is a timer of its own: a loopexit left over from an
 * earlier run would end a later one early. */
static bool run(struct fx *f, bool (*cond)(struct fx *f), unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	struct event *deadline = evtimer_new(f->sd->base, on_deadline, f->sd->base);

	evtimer_add(deadline, &tv);
	f->until = cond;
	event_base_dispatch(f->sd->base);
	f->until = NULL;
	event_free(deadline);
	return cond ? cond(f) : true;
}

static unsigned count(struct fx *f, Tandem__Message__BodyCase kind)
{
	unsigned n = 0;

	for (unsigned i = 0; i < f->n && i < MAX_SEEN; i++)
		n += f->seen[i].kind == kind;
	return n;
}

static const struct seen *last(struct fx *f, Tandem__Message__BodyCase kind)
{
	for (unsigned i = f->n < MAX_SEEN ? f->n : MAX_SEEN; i-- > 0;)
		if (f->seen[i].kind == kind)
			return &f->seen[i];
	return NULL;
}

static bool got_hello(struct fx *f) { return count(f, TANDEM__MESSAGE__BODY_HELLO) > 0; }
static bool is_ready(struct fx *f) { return link_ready(f->sd); }
static bool not_ready(struct fx *f) { return !link_ready(f->sd); }
static bool got_3_heartbeats(struct fx *f) { return count(f, TANDEM__MESSAGE__BODY_HEARTBEAT) >= 3; }
static bool got_closed(struct fx *f) { return count(f, TANDEM__MESSAGE__BODY_CLOSED) > 0; }
static bool got_event(struct fx *f) { return count(f, TANDEM__MESSAGE__BODY_EVENT) > 0; }

static void send_raw(struct fx *f, const void *data, size_t len)
{
	zmq_send(zlink_socket(f->router), "n1", 2, ZMQ_SNDMORE);
	zmq_send(zlink_socket(f->router), data, len, 0);
}

static void send_msg(struct fx *f, Tandem__Message *m)
{
	assert_int_equal(zlink_frame_append(f->router, PL("n1"), &m->base), 0);
	zlink_flush(f->router);
}

static void send_welcome(struct fx *f, uint32_t interval, char **fwd, size_t nfwd, uint64_t *unknown,
			 size_t nunknown)
{
	Tandem__Message m = TANDEM__MESSAGE__INIT;
	Tandem__Welcome w = TANDEM__WELCOME__INIT;

	w.instance = f->ccd_instance;
	w.heartbeat_interval_ms = interval;
	w.forward_headers = fwd;
	w.n_forward_headers = nfwd;
	w.unknown_legs = unknown;
	w.n_unknown_legs = nunknown;
	m.body_case = TANDEM__MESSAGE__BODY_WELCOME;
	m.welcome = &w;
	send_msg(f, &m);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	void *router;
	int linger = 0, mandatory = 1;
	struct timeval tv = { 0, 5000 };
	struct leg_timers tm = { 20, 80, 100, 0 };

	assert_non_null(f);
	f->sd = calloc(1, sizeof(*f->sd));
	assert_non_null(f->sd);
	snprintf(f->dir, sizeof(f->dir), "/tmp/tandem-link-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->ep, sizeof(f->ep), "ipc://%s/ccd", f->dir);
	f->sd->base = event_base_new();
	f->sd->cfg.ccd_endpoint = f->ep;
	f->sd->cfg.listen_addr = "127.0.0.1";
	f->sd->cfg.port = 5999;
	strcpy(f->sd->cfg.node_id, "n1");
	f->ccd_instance = 0xccd1;
	f->zctx = zmq_ctx_new();
	router = zmq_socket(f->zctx, ZMQ_ROUTER);
	zmq_setsockopt(router, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(router, ZMQ_ROUTER_MANDATORY, &mandatory, sizeof(mandatory));
	assert_int_equal(zmq_bind(router, f->ep), 0);
	f->router = zlink_new(f->sd->base, router, true, on_router, f);
	f->tick = event_new(f->sd->base, -1, EV_PERSIST, on_tick, f);
	event_add(f->tick, &tv);
	assert_int_equal(legs_init(f->sd), 0);
	legs_set_timers(f->sd, &tm);
	assert_int_equal(link_init(f->sd), 0);
	assert_int_not_equal(f->sd->instance, 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char path[200];

	link_free(f->sd);
	legs_free(f->sd);
	event_free(f->tick);
	zlink_free(f->router);
	zmq_ctx_term(f->zctx);
	event_base_free(f->sd->base);
	snprintf(path, sizeof(path), "%s/ccd", f->dir);
	unlink(path);
	rmdir(f->dir);
	free(f->sd);
	free(f);
	return 0;
}

/* Hello until Welcome; then ready, forward headers kept, bad names refused. */
static void test_hello_welcome(void **state)
{
	struct fx *f = *state;
	char *fwd[] = { (char *)"X-Test", (char *)"bad name", (char *)"P-Asserted-Identity" };
	char *const *names;
	size_t n;

	assert_true(run(f, got_hello, 3000));
	const struct seen *h = last(f, TANDEM__MESSAGE__BODY_HELLO);
	assert_string_equal(h->node_id, "n1");
	assert_int_equal(h->protocol, 1);
	assert_int_equal(h->instance, f->sd->instance);
	assert_int_equal(h->max_legs, LEGS_MAX_DEFAULT);
	assert_string_equal(h->listen, "127.0.0.1:5999");
	assert_int_equal(h->n_legs, 0);
	assert_false(link_ready(f->sd));

	/* no Welcome: Hello again a second later */
	f->n = 0;
	assert_true(run(f, got_hello, 1500));

	send_welcome(f, 50, fwd, 3, NULL, 0);
	assert_true(run(f, is_ready, 1000));
	link_forward_headers(f->sd, &names, &n);
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "X-Test");
	assert_string_equal(names[1], "P-Asserted-Identity");
	assert_int_equal(link_stats(f->sd)->bad_msgs, 1);
	assert_int_equal(link_stats(f->sd)->welcomes_in, 1);
}

/* Heartbeats every interval, ready while ccd answers, down when it stops. */
static void test_heartbeat_and_down(void **state)
{
	struct fx *f = *state;

	assert_true(run(f, got_hello, 3000));
	send_welcome(f, 40, NULL, 0, NULL, 0);
	f->echo_heartbeats = true;
	f->n = 0;
	assert_true(run(f, got_3_heartbeats, 1000));
	assert_int_equal(last(f, TANDEM__MESSAGE__BODY_HEARTBEAT)->instance, f->sd->instance);
	assert_true(link_ready(f->sd));
	/* still ready a while later: ccd's heartbeats keep it so */
	run(f, NULL, 200);
	assert_true(link_ready(f->sd));
	assert_int_equal(link_stats(f->sd)->downs, 0);

	/* ccd falls silent: down after three intervals, Hello again */
	f->echo_heartbeats = false;
	f->n = 0;
	assert_true(run(f, not_ready, 1000));
	assert_true(run(f, got_hello, 1500));
	assert_int_equal(link_stats(f->sd)->downs, 1);

	/* and a Welcome brings it back */
	send_welcome(f, 40, NULL, 0, NULL, 0);
	assert_true(run(f, is_ready, 1000));
}

/* A Heartbeat with another ccd instance: Hello again listing the live legs;
 * the legs ccd does not know get ended and closed. */
static void test_ccd_restart(void **state)
{
	struct fx *f = *state;
	Tandem__Message m = TANDEM__MESSAGE__INIT;
	Tandem__Heartbeat hb = TANDEM__HEARTBEAT__INIT;
	uint64_t id = LEG_ID_UAC_BIT | 77;
	struct leg *l;

	assert_true(run(f, got_hello, 3000));
	send_welcome(f, 1000, NULL, 0, NULL, 0);
	assert_true(run(f, is_ready, 1000));

	/* a live originate leg, still trying (no transaction: none needed) */
	l = leg_new(f->sd, id, false, 16);
	assert_non_null(l);
	assert_int_equal(leg_dialog_init(l, &(struct dialog){ .call_id = PL("cid-77") }), 0);
	leg_set_state(l, LEG_TRYING);

	f->n = 0;
	hb.instance = 0xccd2;
	m.body_case = TANDEM__MESSAGE__BODY_HEARTBEAT;
	m.heartbeat = &hb;
	send_msg(f, &m);
	assert_true(run(f, got_hello, 1000));
	assert_false(link_ready(f->sd));
	assert_int_equal(link_stats(f->sd)->ccd_restarts, 1);
	const struct seen *h = last(f, TANDEM__MESSAGE__BODY_HELLO);
	assert_int_equal(h->n_legs, 1);
	assert_int_equal(h->first_leg, id);

	f->ccd_instance = 0xccd2;
	send_welcome(f, 1000, NULL, 0, &id, 1);
	assert_true(run(f, got_closed, 2000));
	const struct seen *c = last(f, TANDEM__MESSAGE__BODY_CLOSED);
	assert_int_equal(c->leg, id);
	assert_int_equal(c->state, LEG_FAILED);
	assert_null(leg_by_id(f->sd, id));
	assert_int_equal(legs_count(f->sd), 0);
}

/* Nothing ccd sends can crash the node. */
static void test_garbage(void **state)
{
	struct fx *f = *state;
	static const uint8_t junk[] = { 0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3 };
	Tandem__Message m = TANDEM__MESSAGE__INIT;
	Tandem__LegEvent ev = TANDEM__LEG_EVENT__INIT;
	Tandem__Hello hello = TANDEM__HELLO__INIT;
	Tandem__DropLeg drop = TANDEM__DROP_LEG__INIT;
	Tandem__Originate o = TANDEM__ORIGINATE__INIT;
	Tandem__LegClosed closed = TANDEM__LEG_CLOSED__INIT;
	struct leg *l;

	assert_true(run(f, got_hello, 3000));
	send_welcome(f, 1000, NULL, 0, NULL, 0);
	assert_true(run(f, is_ready, 1000));

	/* bytes that are not a Frame, an empty frame, a frame of nothing */
	send_raw(f, junk, sizeof(junk));
	send_raw(f, "", 0);
	send_raw(f, "\x0a\x00", 2);
	run(f, NULL, 50);
	assert_int_equal(link_stats(f->sd)->bad_frames, 1);

	/* an event for a leg nobody has */
	ev.leg = 12345;
	ev.type = TANDEM__EVENT_TYPE__CONNECT;
	m.body_case = TANDEM__MESSAGE__BODY_EVENT;
	m.event = &ev;
	send_msg(f, &m);
	/* an event of no type, one with an absurd code */
	ev.type = 0;
	send_msg(f, &m);
	ev.type = TANDEM__EVENT_TYPE__FAIL;
	ev.code = 1000;
	send_msg(f, &m);
	/* messages only sigd sends */
	m.body_case = TANDEM__MESSAGE__BODY_HELLO;
	m.hello = &hello;
	send_msg(f, &m);
	closed.leg = 1;
	m.body_case = TANDEM__MESSAGE__BODY_CLOSED;
	m.closed = &closed;
	send_msg(f, &m);
	/* DropLeg for nobody */
	drop.leg = 999;
	m.body_case = TANDEM__MESSAGE__BODY_DROP;
	m.drop = &drop;
	send_msg(f, &m);
	/* an Originate without bit 63: not a leg id ccd may choose */
	o.leg = 5;
	m.body_case = TANDEM__MESSAGE__BODY_ORIGINATE;
	m.originate = &o;
	send_msg(f, &m);
	run(f, NULL, 100);
	assert_int_equal(legs_stats(f->sd)->events_unknown_leg, 1);
	/* the frame that did not unpack counts as well */
	assert_int_equal(link_stats(f->sd)->bad_msgs, 6);
	assert_int_equal(count(f, TANDEM__MESSAGE__BODY_EVENT), 0);
	assert_true(link_ready(f->sd));

	/* an Originate with a proper id but nonsense inside: FAIL and closed */
	o.leg = LEG_ID_UAC_BIT | 9;
	send_msg(f, &m);
	assert_true(run(f, got_closed, 1000));
	const struct seen *e = last(f, TANDEM__MESSAGE__BODY_EVENT);
	assert_non_null(e);
	assert_int_equal(e->type, TANDEM__EVENT_TYPE__FAIL);
	assert_int_equal(e->code, 500);
	assert_int_equal(last(f, TANDEM__MESSAGE__BODY_CLOSED)->leg, LEG_ID_UAC_BIT | 9);

	/* DropLeg forgets a leg without a word */
	l = leg_new(f->sd, 4242, true, 8);
	assert_non_null(l);
	assert_int_equal(leg_dialog_init(l, &(struct dialog){ .call_id = PL("x") }), 0);
	f->n = 0;
	drop.leg = 4242;
	drop.reason = (char *)"test";
	m.body_case = TANDEM__MESSAGE__BODY_DROP;
	m.drop = &drop;
	send_msg(f, &m);
	run(f, NULL, 100);
	assert_null(leg_by_id(f->sd, 4242));
	assert_int_equal(f->n, 0);
	assert_int_equal(legs_stats(f->sd)->dropped, 1);
}

/* An Originate while no transaction layer can send: FAIL 503. */
static void test_originate_unsendable(void **state)
{
	struct fx *f = *state;
	Tandem__Message m = TANDEM__MESSAGE__INIT;
	Tandem__Originate o = TANDEM__ORIGINATE__INIT;
	Tandem__Address a = TANDEM__ADDRESS__INIT;

	assert_true(run(f, got_hello, 3000));
	send_welcome(f, 1000, NULL, 0, NULL, 0);
	assert_true(run(f, is_ready, 1000));
	a.host = (char *)"127.0.0.1";
	a.port = 5070;
	o.leg = LEG_ID_UAC_BIT | 3;
	o.call_id = (char *)"cid-b2b_1";
	o.request_uri = (char *)"sip:bob@127.0.0.1:5070";
	o.from_uri = (char *)"sip:alice@127.0.0.1";
	o.to_uri = (char *)"sip:bob@127.0.0.1";
	o.target = &a;
	m.body_case = TANDEM__MESSAGE__BODY_ORIGINATE;
	m.originate = &o;
	send_msg(f, &m);
	assert_true(run(f, got_event, 1000));
	const struct seen *e = last(f, TANDEM__MESSAGE__BODY_EVENT);
	assert_int_equal(e->type, TANDEM__EVENT_TYPE__FAIL);
	assert_int_equal(e->code, 503);
	assert_true(run(f, got_closed, 1000));
	/* the same id again while it lives is refused; a full node says 503 */
	legs_set_max(f->sd, 0);
	assert_false(legs_full(f->sd));
}

/* The connection to ccd breaks: not ready at once, not after 3 intervals. */
static void test_disconnect(void **state)
{
	struct fx *f = *state;

	assert_true(run(f, got_hello, 3000));
	send_welcome(f, 5000, NULL, 0, NULL, 0);
	assert_true(run(f, is_ready, 1000));
	zlink_free(f->router);
	f->router = NULL;
	assert_true(run(f, not_ready, 1000));
	assert_int_equal(link_stats(f->sd)->downs, 1);
	/* a new ccd binds the same endpoint: the node says Hello to it */
	void *router = zmq_socket(f->zctx, ZMQ_ROUTER);
	int linger = 0;
	zmq_setsockopt(router, ZMQ_LINGER, &linger, sizeof(linger));
	assert_int_equal(zmq_bind(router, f->ep), 0);
	f->router = zlink_new(f->sd->base, router, true, on_router, f);
	f->n = 0;
	assert_true(run(f, got_hello, 3000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hello_welcome, setup, teardown),
		cmocka_unit_test_setup_teardown(test_heartbeat_and_down, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ccd_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_originate_unsendable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disconnect, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
