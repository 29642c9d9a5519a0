/* ccd/drain.c and the stopping part of ccd/call.c: while ccd stops a TRY
 * gets FAIL 503 with Retry-After; SIGTERM ends the calls after the drain
 * time with DISCONNECT on both legs and ccd leaves its loop once they are
 * gone; SIGHUP ends them and ccd goes on; STATUS= says all that. The real
 * nodes and call code with fake sigd nodes (test_ccd_harness.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>

#include "test_ccd_harness.h"
#include "ccd/drain.h"
#include "daemon.h"

static const char offer[] = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\n"
			    "t=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";

static const struct h_try alice = {
	.call_id = "drain-1@pc33.example.org",
	.cli = "1000",
	.cld = "2000",
	.source_host = "192.0.2.1",
	.source_port = 5061,
	.max_forwards = 70,
	.sdp = offer,
};

/* Hello, TRY on answer leg `leg`, the callee answers; the originate leg. */
static uint64_t connected_call(struct fake_node *a, uint64_t leg)
{
	Tandem__Originate *o;

	fn_try(a, leg, &alice);
	o = fn_expect(a, TANDEM__MESSAGE__BODY_ORIGINATE)->originate;
	fn_simple(a, o->leg, TANDEM__EVENT_TYPE__CONNECT, 200, "OK", NULL);
	fn_expect_event(a, leg, TANDEM__EVENT_TYPE__CONNECT);
	return o->leg;
}

static void expect_disconnect(struct fake_node *a, uint64_t leg)
{
	Tandem__LegEvent *ev = fn_expect_event(a, leg, TANDEM__EVENT_TYPE__DISCONNECT);

	assert_int_equal(ev->origin, TANDEM__ORIGIN__SWITCH);
}

static void test_refuse_new(void **state)
{
	struct fake_node *a = h_node(0, "edge1");
	Tandem__LegEvent *ev;
	size_t active, ending;
	char status[256];

	(void)state;
	fn_hello(a, "192.0.2.10");
	connected_call(a, 1);
	assert_false(calls_refusing(&H.cd));
	ccd_status(&H.cd, status, sizeof(status));
	assert_string_equal(status, "1 calls in progress, 0 ending; 1 calls so far; 1 sigd nodes");

	calls_refuse_new(&H.cd);
	assert_true(calls_refusing(&H.cd));
	fn_try(a, 2, &alice);
	ev = fn_expect_event(a, 2, TANDEM__EVENT_TYPE__FAIL);
	assert_int_equal(ev->code, 503);
	assert_string_equal(ev->reason, "Service Unavailable");
	assert_int_equal(ev->origin, TANDEM__ORIGIN__SWITCH);
	assert_int_equal(ev->n_extra_headers, 1);
	assert_string_equal(ev->extra_headers[0]->name, "Retry-After");
	assert_string_equal(ev->extra_headers[0]->value, "5");
	assert_int_equal(H.cd.stats.calls_refused_stopping, 1);
	assert_int_equal(H.cd.stats.calls_total, 1);
	assert_int_equal(h_log_count("TRY on leg 0000000000000002 refused: ccd is stopping"), 1);

	/* the call in progress is untouched */
	fn_expect_quiet(a, 20);
	calls_count(&H.cd, &active, &ending);
	assert_int_equal(active, 1);
	assert_int_equal(ending, 0);
	ccd_status(&H.cd, status, sizeof(status));
	assert_string_equal(status, "stopping: refusing new calls; 1 calls in progress, 0 ending; "
				    "1 calls so far; 1 sigd nodes");
}

/* SIGTERM with --drain 0: at once every call gets DISCONNECT on both
 * legs; ccd leaves its loop once their LegClosed came. */
static void test_sigterm(void **state)
{
	struct fake_node *a = h_node(0, "edge1");
	struct daemon_life *life;
	uint64_t o1, o2;
	size_t active, ending;

	(void)state;
	fn_hello(a, "192.0.2.10");
	o1 = connected_call(a, 1);
	o2 = connected_call(a, 3);
	H.cd.cfg.drain_s = 0;
	H.cd.cfg.foreground = true;
	life = ccd_life_new(&H.cd);
	assert_non_null(life);
	raise(SIGTERM);
	H_UNTIL(h_log_count("ending every call (drain time over): 2 calls") == 1);
	assert_true(daemon_life_stopping(life));
	for (int i = 0; i < 4; i++) {
		Tandem__LegEvent *ev = fn_expect(a, TANDEM__MESSAGE__BODY_EVENT)->event;

		assert_int_equal(ev->type, TANDEM__EVENT_TYPE__DISCONNECT);
		assert_int_equal(ev->origin, TANDEM__ORIGIN__SWITCH);
		assert_true(ev->leg == 1 || ev->leg == 3 || ev->leg == o1 || ev->leg == o2);
	}
	calls_count(&H.cd, &active, &ending);
	assert_int_equal(active, 0);
	assert_int_equal(ending, 2);
	/* a TRY now is refused */
	fn_try(a, 5, &alice);
	assert_int_equal(fn_expect_event(a, 5, TANDEM__EVENT_TYPE__FAIL)->code, 503);
	fn_closed(a, 1);
	fn_closed(a, o1);
	fn_closed(a, 3);
	fn_closed(a, o2);
	H_UNTIL(h_log_count("exiting: no calls left") == 1);
	assert_int_equal(H.cd.stats.calls_active, 0);
	daemon_life_free(life);
}

/* SIGHUP: every call ends (DISCONNECT on both legs), new calls work. */
static void test_sighup(void **state)
{
	struct fake_node *a = h_node(0, "edge1");
	struct daemon_life *life;
	size_t active, ending;
	uint64_t o1;

	(void)state;
	fn_hello(a, "192.0.2.10");
	o1 = connected_call(a, 1);
	life = ccd_life_new(&H.cd);
	assert_non_null(life);
	raise(SIGHUP);
	expect_disconnect(a, 1);
	expect_disconnect(a, o1);
	assert_int_equal(h_log_count("SIGHUP: ending every call"), 1);
	calls_count(&H.cd, &active, &ending);
	assert_int_equal(active, 0);
	assert_int_equal(ending, 1);
	assert_false(daemon_life_stopping(life));
	assert_false(calls_refusing(&H.cd));
	connected_call(a, 3);
	calls_count(&H.cd, &active, &ending);
	assert_int_equal(active, 1);
	daemon_life_free(life);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refuse_new, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_sigterm, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_sighup, h_setup, h_teardown),
	};
	int rc;

	unsetenv("NOTIFY_SOCKET");
	h_log_to_file("test_daemon_ccd");
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	log_close();
	unlink(h_logpath);
	return rc;
}
