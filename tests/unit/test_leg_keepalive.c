/*
 * Keep-alives (LegOptions.keepalive_ms, ua_keepalive.c) through the real
 * transaction layer (test_leg_harness.h): in-dialog OPTIONS every period
 * once connected, on either leg; any answer but 408/481 means alive; 408,
 * 481 or no answer ends the leg with BYE and DISCONNECT (origin SWITCH,
 * Reason SIP;cause=408); beats skipped while one is pending or a
 * re-INVITE is in progress; switched off, clamped, and sent for unknown
 * legs.
 */
#include "test_leg_harness.h"

#define UAC1 (LEG_ID_UAC_BIT | 1)
#define PERIOD 100

/* The next keep-alive the callee gets (kept in k), checked for being ours
 * and in the dialog. */
static void expect_callee_options(struct h *f, const struct h_call *c, struct h_inv *k, unsigned ms)
{
	struct sip_msg *m = h_expect_sip(f, &f->callee, "OPTIONS ", ms);
	char ruri[64];

	/* the callee's Contact: "bob@" from its 200, "peer@" after a refresh */
	snprintf(ruri, sizeof(ruri), "@127.0.0.1:%u;transport=UDP", f->callee.port);
	assert_true(m->ruri_pl.l > strlen(ruri) &&
		    memcmp(m->ruri_pl.p + m->ruri_pl.l - strlen(ruri), ruri, strlen(ruri)) == 0);
	assert_true(pl_eq_str(m->to.tag, "btag"));
	assert_true(pl_eq_str(m->call_id, c->k.call_id));
	assert_int_equal(m->cseq_method_id, SIP_METHOD_OPTIONS);
	assert_true(m->cseq > c->k.cseq);
	assert_int_equal(m->body.l, 0);
	h_keep(f, k, m);
}

static void expect_gone(struct h *f, const struct h_call *c, unsigned code, unsigned ms)
{
	Tandem__Message *msg;
	Tandem__LegEvent *ev;
	struct sip_msg *m;

	m = h_expect_sip(f, &f->callee, "BYE ", ms);
	assert_string_equal(h_hdr(f, m, "Reason"), "SIP;cause=408;text=\"keep-alive failed\"");
	msg = h_expect_ccd(f, TANDEM__MESSAGE__BODY_EVENT, TANDEM__EVENT_TYPE__DISCONNECT, c->uac, 1000);
	ev = msg->event;
	assert_int_equal(ev->origin, TANDEM__ORIGIN__SWITCH);
	assert_int_equal(ev->code, code);
	assert_non_null(ev->reason_header);
	assert_string_equal(ev->reason_header->protocol, "SIP");
	assert_int_equal(ev->reason_header->cause, 408);
	assert_string_equal(ev->reason_header->text, "keep-alive failed");
	assert_int_equal(leg_by_id(f->sd, c->uac)->state, LEG_DISCONNECTED);
	assert_int_equal(legs_stats(f->sd)->keepalive_failures, 1);
	/* the other leg is ccd's business: nothing happened to it */
	assert_int_equal(leg_by_id(f->sd, c->uas)->state, LEG_CONNECTED);
}

/* OPTIONS every period; 200, 405 and 401 all mean alive; 481 ends it. */
static void test_alive_then_481(void **state)
{
	struct h *f = *state;
	struct h_call c;
	struct h_inv k;
	uint32_t last;

	h_connect_call(f, &c, "ka1", UAC1);
	h_leg_options(f, UAC1, PERIOD);
	assert_true(h_no_sip(f, &f->callee, "OPTIONS ", PERIOD - 30));
	expect_callee_options(f, &c, &k, 1000);
	last = k.cseq;
	h_answer(f, &f->callee, &k, 200, NULL);
	expect_callee_options(f, &c, &k, 1000);
	assert_true(k.cseq > last);
	last = k.cseq;
	h_answer(f, &f->callee, &k, 405, NULL);
	expect_callee_options(f, &c, &k, 1000);
	assert_true(k.cseq > last);
	h_answer(f, &f->callee, &k, 401, NULL);
	expect_callee_options(f, &c, &k, 1000);
	assert_int_equal(legs_stats(f->sd)->keepalive_failures, 0);
	assert_true(h_no_event(f, TANDEM__EVENT_TYPE__DISCONNECT, 0, 5));
	/* the dialog is gone at the callee */
	h_answer(f, &f->callee, &k, 481, NULL);
	expect_gone(f, &c, 481, 1000);
	assert_true(legs_stats(f->sd)->keepalives_sent >= 4);
	/* no keep-alive after the end */
	assert_true(h_no_sip(f, &f->callee, "OPTIONS ", 3 * PERIOD));
	h_expect_ccd(f, TANDEM__MESSAGE__BODY_CLOSED, 0, UAC1, 2000);
}

/* A 408 to the keep-alive ends the leg too. */
static void test_408(void **state)
{
	struct h *f = *state;
	struct h_call c;
	struct h_inv k;

	h_connect_call(f, &c, "ka2", UAC1);
	h_leg_options(f, UAC1, PERIOD);
	expect_callee_options(f, &c, &k, 1000);
	h_answer(f, &f->callee, &k, 100, NULL);
	h_answer(f, &f->callee, &k, 408, NULL);
	expect_gone(f, &c, 408, 1000);
}

/* No answer at all: after timer F (64*T1) the peer is gone. Beats in
 * between are skipped: keep-alives never overlap. */
static void test_no_answer(void **state)
{
	struct h *f = *state;
	struct h_call c;
	struct h_inv k;

	h_connect_call(f, &c, "ka3", UAC1);
	h_leg_options(f, UAC1, PERIOD);
	expect_callee_options(f, &c, &k, 1000);
	/* only retransmissions of that one OPTIONS (same CSeq) until then */
	assert_true(h_no_sip(f, &f->callee, "BYE ", 64 * H_T1 - 300));
	for (unsigned i = 0; i < f->callee.n; i++)
		if (strncmp(f->callee.msg[i], "OPTIONS ", 8) == 0) {
			struct sip_msg m;
			char buf[SIP_MAX_MESSAGE + 1];

			memcpy(buf, f->callee.msg[i], f->callee.len[i]);
			assert_int_equal(sip_msg_parse(&m, buf, f->callee.len[i], SIP_FRAMING_DATAGRAM, NULL),
					 SIP_PARSE_OK);
			assert_int_equal(m.cseq, k.cseq);
		}
	assert_true(legs_stats(f->sd)->keepalives_skipped >= 5);
	assert_int_equal(legs_stats(f->sd)->keepalives_sent, 1);
	expect_gone(f, &c, 408, 1000);
}

/* Set before the answer (and on the answer leg): nothing until connected,
 * then OPTIONS to the caller along its Record-Route. */
static void test_before_connect_answer_leg(void **state)
{
	struct h *f = *state;
	struct h_inv k;
	struct sip_msg *m;
	char route[64], ruri[64], totag[64];
	uint64_t uas = h_caller_invite(f, "ka4", SDP_A);

	h_leg_options(f, uas, PERIOD);
	assert_true(h_no_sip(f, &f->caller, "OPTIONS ", 2 * PERIOD));
	h_ccd_event(f, uas, TANDEM__EVENT_TYPE__CONNECT, 200, SDP_B);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 200 ", 1000);
	pl_strcpy(m->to.tag, totag, sizeof(totag));
	/* not yet ACKed: the beats wait for the offer/answer to close */
	assert_true(h_no_sip(f, &f->caller, "OPTIONS ", PERIOD + 30));
	assert_true(legs_stats(f->sd)->keepalives_skipped >= 1);
	h_send(f, &f->caller, NULL,
	       "ACK sip:127.0.0.1:%u SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-ka4-ack\n"
	       "From: <sip:alice@127.0.0.1>;tag=ftag-ka4\nTo: <sip:bob@127.0.0.1>;tag=%.*s\n"
	       "Call-ID: ka4\nCSeq: 1 ACK\n", f->sigd_port, f->caller.port, PL_FMT(pl_from_str(totag)));
	m = h_expect_sip(f, &f->caller, "OPTIONS ", 1000);
	snprintf(route, sizeof(route), "<sip:127.0.0.1:%u;lr>", f->caller.port);
	assert_string_equal(h_hdr(f, m, "Route"), route);
	snprintf(ruri, sizeof(ruri), "sip:alice@127.0.0.1:%u;transport=UDP", f->caller.port);
	assert_true(pl_eq_str(m->ruri_pl, ruri));
	assert_true(pl_eq_str(m->to.tag, "ftag-ka4"));
	h_keep(f, &k, m);
	h_answer(f, &f->caller, &k, 200, NULL);
	h_expect_sip(f, &f->caller, "OPTIONS ", 1000);
	/* the caller hangs up: keep-alives stop with the leg */
	h_send(f, &f->caller, NULL,
	       "BYE sip:127.0.0.1:%u SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-ka4-bye\n"
	       "From: <sip:alice@127.0.0.1>;tag=ftag-ka4\nTo: <sip:bob@127.0.0.1>;tag=%s\n"
	       "Call-ID: ka4\nCSeq: 2 BYE\n", f->sigd_port, f->caller.port, totag);
	h_expect_sip(f, &f->caller, "SIP/2.0 200 ", 1000);
	h_expect_event(f, TANDEM__EVENT_TYPE__DISCONNECT, uas);
	assert_true(h_no_sip(f, &f->caller, "OPTIONS ", 3 * PERIOD));
	assert_int_equal(legs_stats(f->sd)->keepalive_failures, 0);
}

/* While the leg's own re-INVITE is pending, beats are skipped. */
static void test_skip_while_updating(void **state)
{
	struct h *f = *state;
	struct h_call c;
	struct h_inv k, ri;

	h_connect_call(f, &c, "ka5", UAC1);
	h_leg_options(f, UAC1, PERIOD);
	expect_callee_options(f, &c, &k, 1000);
	h_answer(f, &f->callee, &k, 200, NULL);
	h_ccd_event(f, UAC1, TANDEM__EVENT_TYPE__UPDATE, 0, SDP_C);
	h_keep(f, &ri, h_expect_sip(f, &f->callee, "INVITE ", 1000));
	h_answer(f, &f->callee, &ri, 100, NULL);
	assert_true(h_no_sip(f, &f->callee, "OPTIONS ", 4 * PERIOD));
	assert_true(legs_stats(f->sd)->keepalives_skipped >= 2);
	h_answer(f, &f->callee, &ri, 200, SDP_B);
	h_expect_sip(f, &f->callee, "ACK ", 1000);
	h_expect_event(f, TANDEM__EVENT_TYPE__CONNECT, UAC1);
	/* Connected again: the beats resume */
	expect_callee_options(f, &c, &k, 1000);
	h_answer(f, &f->callee, &k, 200, NULL);
}

/* keepalive_ms 0 switches them off; a new value restarts the period; a
 * value below the minimum is raised to it. */
static void test_off_restart_clamp(void **state)
{
	struct h *f = *state;
	struct h_call c;
	struct h_inv k;

	h_connect_call(f, &c, "ka6", UAC1);
	h_leg_options(f, UAC1, PERIOD);
	h_leg_options(f, UAC1, 0);
	assert_true(h_no_sip(f, &f->callee, "OPTIONS ", 3 * PERIOD));
	assert_null(leg_by_id(f->sd, UAC1)->ka);
	h_leg_options(f, UAC1, 1);	/* clamped to LEG_KEEPALIVE_MIN_MS */
	assert_int_equal(LEG_KEEPALIVE_MIN_MS, PERIOD);
	assert_true(h_no_sip(f, &f->callee, "OPTIONS ", PERIOD - 40));
	expect_callee_options(f, &c, &k, 1000);
	h_answer(f, &f->callee, &k, 200, NULL);
	/* a new, long period starts now: the next beat is far off */
	h_leg_options(f, UAC1, 60000);
	assert_true(h_no_sip(f, &f->callee, "OPTIONS ", 3 * PERIOD));
	h_leg_options(f, UAC1, 4000000000u);	/* clamped to a day */
	assert_true(h_no_sip(f, &f->callee, "OPTIONS ", PERIOD));
}

/* LegOptions for legs sigd does not have, or without a leg id. */
static void test_unknown_leg(void **state)
{
	struct h *f = *state;
	uint64_t before = legs_stats(f->sd)->events_unknown_leg;
	uint64_t bad = link_stats(f->sd)->bad_msgs;
	uint64_t uas;

	h_leg_options(f, 0x4242, PERIOD);
	h_leg_options(f, 0, PERIOD);
	h_sleep(f, 50);
	assert_int_equal(legs_stats(f->sd)->events_unknown_leg, before + 1);
	assert_int_equal(link_stats(f->sd)->bad_msgs, bad + 1);
	/* and for a leg that has ended: ignored */
	uas = h_caller_invite(f, "ka7", SDP_A);
	h_ccd_event(f, uas, TANDEM__EVENT_TYPE__FAIL, 486, NULL);
	h_expect_sip(f, &f->caller, "SIP/2.0 486 ", 1000);
	h_leg_options(f, uas, PERIOD);
	h_sleep(f, 2 * PERIOD);
	struct leg *l = leg_by_id(f->sd, uas);
	assert_true(!l || !l->ka);
	assert_int_equal(h_count(&f->caller, "OPTIONS "), 0);
}

/* The pending keep-alive's 481 arrives while the callee's own re-INVITE
 * waits for ccd (Updating): the leg still ends, and that re-INVITE gets
 * its 487 before the BYE. */
static void test_481_while_updating(void **state)
{
	struct h *f = *state;
	struct h_call c;
	struct h_inv k;
	struct sip_msg *m;

	h_connect_call(f, &c, "ka8", UAC1);
	h_leg_options(f, UAC1, PERIOD);
	expect_callee_options(f, &c, &k, 1000);
	/* the callee's re-INVITE crosses the keep-alive */
	h_send(f, &f->callee, SDP_C,
	       "INVITE sip:127.0.0.1:%u SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-ka8-ri\n"
	       "From: %s;tag=btag\nTo: %s\nCall-ID: %s\nCSeq: 900 INVITE\n"
	       "Contact: <sip:bob@127.0.0.1:%u;transport=UDP>\n",
	       f->sigd_port, f->callee.port, c.k.to, c.k.from, c.k.call_id, f->callee.port);
	h_expect_sip(f, &f->callee, "SIP/2.0 100 ", 1000);
	h_expect_event(f, TANDEM__EVENT_TYPE__UPDATE, UAC1);
	h_answer(f, &f->callee, &k, 481, NULL);
	m = h_expect_sip(f, &f->callee, "SIP/2.0 487 ", 1000);
	assert_int_equal(m->cseq, 900);
	expect_gone(f, &c, 481, 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_alive_then_481, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_408, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_no_answer, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_before_connect_answer_leg, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_skip_while_updating, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_off_restart_clamp, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_unknown_leg, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_481_while_updating, h_setup_ready, h_teardown_cb),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
