/* sigd/drain.c and its hook in dispatch.c: while sigd stops a new INVITE
 * gets 503 with Retry-After; ending every leg sends BYE (answered legs),
 * CANCEL (our INVITE) or 503 with Retry-After (a caller not answered yet)
 * and tells ccd with DISCONNECT of origin SWITCH; the load and the
 * STATUS= line; SIGTERM and SIGHUP through the real life cycle. A whole
 * sigd with UDP peers and a fake ccd (test_leg_harness.h). */
#include "test_leg_harness.h"

#include <signal.h>

#include "daemon.h"
#include "sigd/drain.h"

#define UAC1 (LEG_ID_UAC_BIT | 1)

/* The caller's INVITE, the originate leg, the callee answers, both ACKs. */
static uint64_t connect_call(struct h *f, const char *cid)
{
	struct sip_msg *m;
	struct h_inv k;
	char ocid[96], totag[64];
	uint64_t uas = h_caller_invite(f, cid, SDP_A);

	snprintf(ocid, sizeof(ocid), "%s-b2b_1", cid);
	h_originate(f, UAC1, ocid, SDP_A, NULL);
	m = h_expect_sip(f, &f->callee, "INVITE ", 1000);
	h_keep(f, &k, m);
	h_callee_respond(f, &k, 200, "OK", SDP_B, NULL);
	h_expect_sip(f, &f->callee, "ACK ", 1000);
	h_expect_event(f, TANDEM__EVENT_TYPE__CONNECT, UAC1);
	h_ccd_event(f, uas, TANDEM__EVENT_TYPE__CONNECT, 200, SDP_B);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 200 ", 1000);
	pl_strcpy(m->to.tag, totag, sizeof(totag));
	h_send(f, &f->caller, NULL,
	       "ACK sip:127.0.0.1:%u SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-%s-ack\n"
	       "From: <sip:alice@127.0.0.1>;tag=ftag-%s\nTo: <sip:bob@127.0.0.1>;tag=%s\n"
	       "Call-ID: %s\nCSeq: 1 ACK\n", f->sigd_port, f->caller.port, cid, cid, totag, cid);
	h_sleep(f, 5);
	return uas;
}

static void expect_switch_disconnect(struct h *f, uint64_t leg, unsigned code)
{
	Tandem__LegEvent *ev = h_expect_event(f, TANDEM__EVENT_TYPE__DISCONNECT, leg);

	assert_int_equal(ev->origin, TANDEM__ORIGIN__SWITCH);
	assert_int_equal(ev->code, code);
}

static void assert_retry_after(struct h *f, const struct sip_msg *m)
{
	const char *ra = h_hdr(f, m, "Retry-After");

	assert_non_null(ra);
	assert_true(strlen(ra) == 1 && ra[0] >= '1' && ra[0] <= '5');
}

static bool no_legs(struct h *f)
{
	return legs_count(f->sd) == 0;
}

static void test_refuse_new(void **state)
{
	struct h *f = *state;
	struct sip_msg *m;
	char status[256];

	sigd_status(f->sd, status, sizeof(status));
	assert_string_equal(status, "0 legs in progress, 0 ending; 0 calls so far");
	sigd_refuse_new(f->sd);
	h_send(f, &f->caller, SDP_A,
	       "INVITE sip:bob@127.0.0.1:%u SIP/2.0\n"
	       "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-refused-1\n"
	       "From: <sip:alice@127.0.0.1>;tag=ftag-r\nTo: <sip:bob@127.0.0.1>\n"
	       "Call-ID: refused\nCSeq: 1 INVITE\nMax-Forwards: 70\n"
	       "Contact: <sip:alice@127.0.0.1:%u>\n",
	       f->sigd_port, f->caller.port, f->caller.port);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 503 ", 1000);
	assert_retry_after(f, m);
	assert_true(h_no_event(f, TANDEM__EVENT_TYPE__TRY, 0, 50));
	assert_int_equal(f->sd->stats.rejected_draining, 1);
	assert_int_equal(legs_count(f->sd), 0);
	sigd_status(f->sd, status, sizeof(status));
	assert_string_equal(status, "stopping: refusing new calls; 0 legs in progress, 0 ending; 0 calls so far");
}

/* Answered legs: BYE to both sides; ccd hears DISCONNECT for each. */
static void test_end_connected(void **state)
{
	struct h *f = *state;
	size_t active, ending;
	uint64_t uas = connect_call(f, "end-connected");

	sigd_load(f->sd, &active, &ending);
	assert_int_equal(active, 2);
	assert_int_equal(ending, 0);
	assert_int_equal(sigd_end_all(f->sd, "test"), 2);
	h_expect_sip(f, &f->caller, "BYE ", 1000);
	h_expect_sip(f, &f->callee, "BYE ", 1000);
	expect_switch_disconnect(f, uas, 0);
	expect_switch_disconnect(f, UAC1, 0);
	sigd_load(f->sd, &active, &ending);
	assert_int_equal(active, 0);
	assert_int_equal(ending, 2);
	assert_int_equal(sigd_end_all(f->sd, "again"), 0);	/* nothing left to end */
	assert_true(h_run(f, no_legs, 2000));
	sigd_load(f->sd, &active, &ending);
	assert_int_equal(active + ending, 0);
}

/* Before the answer: the caller gets 503 with Retry-After, the callee a
 * CANCEL; a cancelling leg is ending already. */
static void test_end_early(void **state)
{
	struct h *f = *state;
	struct sip_msg *m;
	struct h_inv k;
	size_t active, ending;
	uint64_t uas = h_caller_invite(f, "end-early", SDP_A);

	h_originate(f, UAC1, "end-early-b2b_1", SDP_A, NULL);
	m = h_expect_sip(f, &f->callee, "INVITE ", 1000);
	h_keep(f, &k, m);
	h_callee_respond(f, &k, 180, "Ringing", NULL, NULL);
	h_expect_event(f, TANDEM__EVENT_TYPE__RING, UAC1);
	assert_int_equal(sigd_end_all(f->sd, "test"), 2);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 503 ", 1000);
	assert_retry_after(f, m);
	h_expect_sip(f, &f->callee, "CANCEL ", 1000);
	expect_switch_disconnect(f, uas, 503);
	expect_switch_disconnect(f, UAC1, 0);
	sigd_load(f->sd, &active, &ending);
	assert_int_equal(active, 0);
	assert_int_equal(ending, 2);
}

/* SIGTERM with --drain 0: the legs are ended at once and the loop is
 * left once they are gone; SIGHUP first ends calls and sigd goes on. */
static void test_signals(void **state)
{
	struct h *f = *state;
	struct daemon_life *life;
	uint64_t uas;

	f->sd->cfg.foreground = true;
	f->sd->cfg.drain_s = 0;
	life = sigd_life_new(f->sd);
	assert_non_null(life);

	uas = connect_call(f, "hup");
	raise(SIGHUP);
	h_expect_sip(f, &f->caller, "BYE ", 1000);
	h_expect_sip(f, &f->callee, "BYE ", 1000);
	expect_switch_disconnect(f, uas, 0);
	assert_false(f->sd->draining);
	assert_false(daemon_life_stopping(life));
	assert_true(h_run(f, no_legs, 2000));

	uas = connect_call(f, "term");
	raise(SIGTERM);
	h_expect_sip(f, &f->caller, "BYE ", 1000);
	h_expect_sip(f, &f->callee, "BYE ", 1000);
	expect_switch_disconnect(f, uas, 0);
	assert_true(f->sd->draining);
	assert_true(daemon_life_stopping(life));
	assert_true(h_run(f, no_legs, 3000));
	daemon_life_free(life);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refuse_new, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_end_connected, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_end_early, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_signals, h_setup_ready, h_teardown_cb),
	};

	unsetenv("NOTIFY_SOCKET");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
