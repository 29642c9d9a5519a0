/*
 * Both legs once the call is up, through the real transaction layer
 * (test_leg_harness.h): re-INVITE from either side and its answers,
 * glare, the hold offer of a body-less re-INVITE, unchanged offers, INFO
 * both ways, OPTIONS, REFER, methods no state handles, CSeq rules, and
 * the ends of a call that ccd or the peer decide.
 */
#include "test_leg_harness.h"

#define UAC1 (LEG_ID_UAC_BIT | 1)

struct call {
	uint64_t uas;
	struct h_inv k;		/* the callee's INVITE */
	char totag[64];		/* our tag towards the caller */
	uint32_t caller_cseq, callee_cseq;
	char cid[64];
};

/* caller -> answer leg -> originate leg -> callee, connected and ACKed. */
static void connect_call(struct h *f, struct call *c, const char *cid)
{
	struct sip_msg *m;
	char ocid[96];

	snprintf(c->cid, sizeof(c->cid), "%s", cid);
	c->uas = h_caller_invite(f, cid, SDP_A);
	snprintf(ocid, sizeof(ocid), "%s-b2b_1", cid);
	h_originate(f, UAC1, ocid, SDP_A, NULL);
	m = h_expect_sip(f, &f->callee, "INVITE ", 1000);
	h_keep(f, &c->k, m);
	h_callee_respond(f, &c->k, 200, "OK", SDP_B, NULL);
	h_expect_sip(f, &f->callee, "ACK ", 1000);
	h_expect_event(f, TANDEM__EVENT_TYPE__CONNECT, UAC1);
	h_ccd_event(f, c->uas, TANDEM__EVENT_TYPE__CONNECT, 200, SDP_B);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 200 ", 1000);
	pl_strcpy(m->to.tag, c->totag, sizeof(c->totag));
	h_send(f, &f->caller, NULL,
	       "ACK sip:127.0.0.1:%u SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-%s-ack\n"
	       "From: <sip:alice@127.0.0.1>;tag=ftag-%s\nTo: <sip:bob@127.0.0.1>;tag=%s\n"
	       "Call-ID: %s\nCSeq: 1 ACK\n", f->sigd_port, f->caller.port, cid, cid, c->totag, cid);
	c->caller_cseq = 1;
	c->callee_cseq = 500;
	h_sleep(f, 5);
}

/* A request from the caller in the dialog (headers after CSeq in extra). */
static void caller_req(struct h *f, struct call *c, const char *method, const char *sdp,
		       const char *extra)
{
	c->caller_cseq++;
	h_send(f, &f->caller, sdp,
	       "%s sip:127.0.0.1:%u SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-%s-%u\n"
	       "From: <sip:alice@127.0.0.1>;tag=ftag-%s\nTo: <sip:bob@127.0.0.1>;tag=%s\n"
	       "Call-ID: %s\nCSeq: %u %s\nContact: <sip:alice@127.0.0.1:%u>\n%s",
	       method, f->sigd_port, f->caller.port, c->cid, c->caller_cseq, c->cid, c->totag, c->cid,
	       c->caller_cseq, method, f->caller.port, extra ? extra : "");
}

static void caller_ack(struct h *f, struct call *c, const char *sdp)
{
	h_send(f, &f->caller, sdp,
	       "ACK sip:127.0.0.1:%u SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-%s-a%u\n"
	       "From: <sip:alice@127.0.0.1>;tag=ftag-%s\nTo: <sip:bob@127.0.0.1>;tag=%s\n"
	       "Call-ID: %s\nCSeq: %u ACK\n", f->sigd_port, f->caller.port, c->cid, c->caller_cseq,
	       c->cid, c->totag, c->cid, c->caller_cseq);
}

/* A request from the callee in the dialog. */
static void callee_req(struct h *f, struct call *c, const char *method, const char *sdp,
		       const char *extra)
{
	c->callee_cseq++;
	h_send(f, &f->callee, sdp,
	       "%s sip:127.0.0.1:%u SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-cl-%u\n"
	       "From: %s;tag=btag\nTo: %s\nCall-ID: %s\nCSeq: %u %s\n"
	       "Contact: <sip:bob@127.0.0.1:%u;transport=UDP>\n%s",
	       method, f->sigd_port, f->callee.port, c->callee_cseq, c->k.to, c->k.from, c->k.call_id,
	       c->callee_cseq, method, f->callee.port, extra ? extra : "");
}

/* The caller's re-INVITE goes through ccd to the callee and back. */
static void test_reinvite_from_caller(void **state)
{
	struct h *f = *state;
	struct call c;
	struct sip_msg *m;
	Tandem__LegEvent *ev;
	struct h_inv ri;

	connect_call(f, &c, "ri1");
	caller_req(f, &c, "INVITE", SDP_C, NULL);
	h_expect_sip(f, &f->caller, "SIP/2.0 100 ", 1000);
	ev = h_expect_event(f, TANDEM__EVENT_TYPE__UPDATE, c.uas);
	assert_int_equal(ev->body->content.len, strlen(SDP_C));
	assert_int_equal(leg_by_id(f->sd, c.uas)->state, LEG_UPDATING);

	/* a second re-INVITE while the first is pending: 500 + Retry-After */
	caller_req(f, &c, "INVITE", SDP_A, NULL);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 500 ", 1000);
	assert_non_null(h_hdr(f, m, "Retry-After"));

	h_ccd_event(f, UAC1, TANDEM__EVENT_TYPE__UPDATE, 0, SDP_C);
	m = h_expect_sip(f, &f->callee, "INVITE ", 1000);
	assert_string_equal(h_body(f, m), SDP_C);
	assert_true(pl_eq_str(m->to.tag, "btag"));
	assert_true(m->cseq > c.k.cseq);
	h_keep(f, &ri, m);
	/* the ccd-level glare: another UPDATE to a leg that is updating */
	h_ccd_event(f, UAC1, TANDEM__EVENT_TYPE__UPDATE, 0, SDP_A);
	ev = h_expect_event(f, TANDEM__EVENT_TYPE__FAIL, UAC1);
	assert_int_equal(ev->code, 491);
	/* and the callee's own re-INVITE crossing ours: 491 */
	callee_req(f, &c, "INVITE", SDP_B, NULL);
	h_expect_sip(f, &f->callee, "SIP/2.0 491 ", 1000);

	h_answer(f, &f->callee, &ri, 183, NULL);
	ev = h_expect_event(f, TANDEM__EVENT_TYPE__RING, UAC1);
	h_ccd_event(f, c.uas, TANDEM__EVENT_TYPE__RING, 180, NULL);
	h_expect_sip(f, &f->caller, "SIP/2.0 180 ", 1000);
	h_answer(f, &f->callee, &ri, 200, SDP_B);
	h_expect_sip(f, &f->callee, "ACK ", 1000);
	ev = h_expect_event(f, TANDEM__EVENT_TYPE__CONNECT, UAC1);
	assert_int_equal(ev->body->content.len, strlen(SDP_B));
	assert_int_equal(leg_by_id(f->sd, UAC1)->state, LEG_CONNECTED);
	/* the 200 again: ACK again */
	h_answer(f, &f->callee, &ri, 200, SDP_B);
	h_expect_sip(f, &f->callee, "ACK ", 1000);

	h_ccd_event(f, c.uas, TANDEM__EVENT_TYPE__CONNECT, 200, SDP_B);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 200 ", 1000);
	assert_int_equal(m->cseq, c.caller_cseq - 1);
	assert_string_equal(h_body(f, m), SDP_B);
	c.caller_cseq--;
	caller_ack(f, &c, NULL);
	c.caller_cseq++;
	h_sleep(f, 5);
	assert_int_equal(leg_by_id(f->sd, c.uas)->state, LEG_CONNECTED);
	assert_null(leg_by_id(f->sd, c.uas)->rtx);

	/* the same offer again (a refresh): answered at once, no event */
	caller_req(f, &c, "INVITE", SDP_C, NULL);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 200 ", 1000);
	assert_string_equal(h_body(f, m), SDP_B);
	assert_true(h_no_event(f, TANDEM__EVENT_TYPE__UPDATE, c.uas, 50));
	caller_ack(f, &c, NULL);
}

/* The callee's re-INVITE; the other side refuses it: the call stays. */
static void test_reinvite_refused(void **state)
{
	struct h *f = *state;
	struct call c;
	struct sip_msg *m;
	Tandem__LegEvent *ev;
	struct h_inv ri;

	connect_call(f, &c, "ri2");
	callee_req(f, &c, "INVITE", SDP_C, NULL);
	h_expect_sip(f, &f->callee, "SIP/2.0 100 ", 1000);
	ev = h_expect_event(f, TANDEM__EVENT_TYPE__UPDATE, UAC1);
	assert_int_equal(ev->origin, TANDEM__ORIGIN__CALLEE);
	h_ccd_event(f, c.uas, TANDEM__EVENT_TYPE__UPDATE, 0, SDP_C);
	m = h_expect_sip(f, &f->caller, "INVITE ", 1000);
	h_keep(f, &ri, m);
	h_answer(f, &f->caller, &ri, 488, NULL);
	h_expect_sip(f, &f->caller, "ACK ", 1000);
	ev = h_expect_event(f, TANDEM__EVENT_TYPE__FAIL, c.uas);
	assert_int_equal(ev->code, 488);
	assert_int_equal(leg_by_id(f->sd, c.uas)->state, LEG_CONNECTED);
	h_ccd_event(f, UAC1, TANDEM__EVENT_TYPE__FAIL, 488, NULL);
	h_expect_sip(f, &f->callee, "SIP/2.0 488 ", 1000);
	assert_int_equal(leg_by_id(f->sd, UAC1)->state, LEG_CONNECTED);
	/* the call still works: INFO both ways */
	callee_req(f, &c, "INFO", NULL, "Content-Type: application/dtmf-relay\nContent-Length: 0\n");
	h_expect_sip(f, &f->callee, "SIP/2.0 200 ", 1000);
	h_expect_event(f, TANDEM__EVENT_TYPE__INFO, UAC1);
}

/* Our re-INVITE answered 481: FAIL, then the dialog is gone: BYE and DISCONNECT. */
static void test_reinvite_481(void **state)
{
	struct h *f = *state;
	struct call c;
	struct h_inv ri;

	connect_call(f, &c, "ri3");
	h_ccd_event(f, UAC1, TANDEM__EVENT_TYPE__UPDATE, 0, SDP_C);
	h_keep(f, &ri, h_expect_sip(f, &f->callee, "INVITE ", 1000));
	h_answer(f, &f->callee, &ri, 481, NULL);
	h_expect_sip(f, &f->callee, "ACK ", 1000);
	Tandem__LegEvent *ev = h_expect_event(f, TANDEM__EVENT_TYPE__FAIL, UAC1);
	assert_int_equal(ev->code, 481);
	h_expect_sip(f, &f->callee, "BYE ", 1000);
	ev = h_expect_event(f, TANDEM__EVENT_TYPE__DISCONNECT, UAC1);
	assert_int_equal(ev->code, 481);
}

/* Our re-INVITE never answered: FAIL 408, BYE, DISCONNECT. */
static void test_reinvite_timeout(void **state)
{
	struct h *f = *state;
	struct call c;

	connect_call(f, &c, "ri4");
	h_ccd_event(f, UAC1, TANDEM__EVENT_TYPE__UPDATE, 0, SDP_C);
	h_expect_sip(f, &f->callee, "INVITE ", 1000);
	Tandem__Message *m = h_expect_ccd(f, TANDEM__MESSAGE__BODY_EVENT, TANDEM__EVENT_TYPE__FAIL,
					  UAC1, 64 * H_T1 + 500);
	assert_int_equal(m->event->code, 408);
	h_expect_sip(f, &f->callee, "BYE ", 1000);
	h_expect_event(f, TANDEM__EVENT_TYPE__DISCONNECT, UAC1);
}

/* Our re-INVITE answered 100 and then nothing (found by fuzz_sigd_rx): a
 * client INVITE waits in Proceeding for ever, so after Expires it is
 * CANCELled; the 487 fails it and the call stays up. */
static void test_reinvite_proceeding_expires(void **state)
{
	struct h *f = *state;
	struct call c;
	struct leg_timers lt;
	struct h_inv ri;
	Tandem__Message *m;

	connect_call(f, &c, "ri5");
	lt = *legs_timers(f->sd);
	lt.expires_ms = 300;
	legs_set_timers(f->sd, &lt);
	h_ccd_event(f, UAC1, TANDEM__EVENT_TYPE__UPDATE, 0, SDP_C);
	h_keep(f, &ri, h_expect_sip(f, &f->callee, "INVITE ", 1000));
	h_answer(f, &f->callee, &ri, 100, NULL);
	assert_true(h_no_sip(f, &f->callee, "CANCEL ", 100));
	h_expect_sip(f, &f->callee, "CANCEL ", 1000);
	h_answer(f, &f->callee, &ri, 487, NULL);
	h_expect_sip(f, &f->callee, "ACK ", 1000);
	m = h_expect_ccd(f, TANDEM__MESSAGE__BODY_EVENT, TANDEM__EVENT_TYPE__FAIL, UAC1, 1000);
	assert_int_equal(m->event->code, 487);
	assert_int_equal(leg_by_id(f->sd, UAC1)->state, LEG_CONNECTED);
}

/* A body-less re-INVITE becomes a hold offer from the last remote SDP. */
static void test_bodyless_reinvite(void **state)
{
	struct h *f = *state;
	struct call c;
	struct sip_msg *m;
	char body[512];

	connect_call(f, &c, "ri5");
	caller_req(f, &c, "INVITE", NULL, NULL);
	h_expect_sip(f, &f->caller, "SIP/2.0 100 ", 1000);
	Tandem__LegEvent *ev = h_expect_event(f, TANDEM__EVENT_TYPE__UPDATE, c.uas);
	assert_non_null(ev->body);
	snprintf(body, sizeof(body), "%.*s", (int)ev->body->content.len, ev->body->content.data);
	assert_string_equal(body, "v=0\r\no=alice 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 0.0.0.0\r\n"
				  "t=0 0\r\nm=audio 6000 RTP/AVP 0\r\n");
	/* the answer from the other side goes into our 2xx; the ACK brings
	 * the caller's answer back as CONNECT "ACK" */
	h_ccd_event(f, c.uas, TANDEM__EVENT_TYPE__CONNECT, 200, SDP_B);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 200 ", 1000);
	assert_string_equal(h_body(f, m), SDP_B);
	caller_ack(f, &c, SDP_C);
	ev = h_expect_event(f, TANDEM__EVENT_TYPE__CONNECT, c.uas);
	assert_string_equal(ev->reason, "ACK");
}

/* INFO, OPTIONS, REFER, unknown methods and CSeq rules in a dialog. */
static void test_in_dialog_requests(void **state)
{
	struct h *f = *state;
	struct call c;
	struct sip_msg *m;
	Tandem__LegEvent *ev;

	struct h_inv ri;

	connect_call(f, &c, "ind");
	caller_req(f, &c, "INFO", NULL, "Content-Type: application/dtmf-relay\n");
	h_expect_sip(f, &f->caller, "SIP/2.0 200 ", 1000);
	ev = h_expect_event(f, TANDEM__EVENT_TYPE__INFO, c.uas);
	(void)ev;
	/* INFO from ccd: sent to the callee */
	h_ccd_event(f, UAC1, TANDEM__EVENT_TYPE__INFO, 0, SDP_A);
	m = h_expect_sip(f, &f->callee, "INFO ", 1000);
	assert_string_equal(h_body(f, m), SDP_A);
	h_keep(f, &ri, m);
	h_answer(f, &f->callee, &ri, 200, NULL);

	caller_req(f, &c, "OPTIONS", NULL, NULL);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 200 ", 1000);
	assert_string_equal(h_hdr(f, m, "Accept"), "application/sdp");
	caller_req(f, &c, "UPDATE", NULL, NULL);
	h_expect_sip(f, &f->caller, "SIP/2.0 501 ", 1000);
	caller_req(f, &c, "NOTIFY", NULL, NULL);
	h_expect_sip(f, &f->caller, "SIP/2.0 501 ", 1000);
	/* CSeq not above the last one: 500 */
	c.caller_cseq -= 2;
	caller_req(f, &c, "INFO", NULL, NULL);
	h_expect_sip(f, &f->caller, "SIP/2.0 500 ", 1000);
	assert_int_equal(legs_stats(f->sd)->cseq_500, 1);
	c.caller_cseq += 2;
	/* a From tag that is not the dialog's: 481 */
	h_send(f, &f->caller, NULL,
	       "INFO sip:127.0.0.1:%u SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-wrong\n"
	       "From: <sip:alice@127.0.0.1>;tag=other\nTo: <sip:bob@127.0.0.1>;tag=%s\n"
	       "Call-ID: ind\nCSeq: 99 INFO\n", f->sigd_port, f->caller.port, c.totag);
	h_expect_sip(f, &f->caller, "SIP/2.0 481 ", 1000);
	/* REFER without Refer-To: 400; with it: 202, DISCONNECT + transfer, BYE */
	caller_req(f, &c, "REFER", NULL, NULL);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 400 ", 1000);
	assert_true(pl_eq_str(m->reason, "Missing Refer-To"));
	caller_req(f, &c, "REFER", NULL, "Refer-To: <sip:carol@192.0.2.8>\n");
	h_expect_sip(f, &f->caller, "SIP/2.0 202 ", 1000);
	ev = h_expect_event(f, TANDEM__EVENT_TYPE__DISCONNECT, c.uas);
	assert_string_equal(ev->transfer_to, "sip:carol@192.0.2.8");
	h_keep(f, &ri, h_expect_sip(f, &f->caller, "BYE ", 1000));
	h_answer(f, &f->caller, &ri, 200, NULL);
	/* Disconnected: BYE still 200, anything else 500 */
	caller_req(f, &c, "INFO", NULL, NULL);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 500 ", 1000);
	assert_true(pl_eq_str(m->reason, "Disconnected"));
	caller_req(f, &c, "BYE", NULL, NULL);
	h_expect_sip(f, &f->caller, "SIP/2.0 200 ", 1000);
	/* events now make no sense: ignored */
	h_ccd_event(f, c.uas, TANDEM__EVENT_TYPE__INFO, 0, NULL);
	h_ccd_event(f, c.uas, TANDEM__EVENT_TYPE__DISCONNECT, 0, NULL);
	h_sleep(f, 20);
	assert_true(h_no_sip(f, &f->caller, "BYE ", 10));
}

/* ccd ends a connected call with FAIL (Sippy: BYE), and asks for a
 * re-INVITE without an offer (FAIL 488) or with the current one (CONNECT). */
static void test_ccd_requests(void **state)
{
	struct h *f = *state;
	struct call c;
	Tandem__LegEvent *ev;

	connect_call(f, &c, "ccdr");
	h_ccd_event(f, UAC1, TANDEM__EVENT_TYPE__UPDATE, 0, NULL);
	ev = h_expect_event(f, TANDEM__EVENT_TYPE__FAIL, UAC1);
	assert_int_equal(ev->code, 488);
	h_ccd_event(f, UAC1, TANDEM__EVENT_TYPE__UPDATE, 0, SDP_A);
	ev = h_expect_event(f, TANDEM__EVENT_TYPE__CONNECT, UAC1);
	assert_int_equal(ev->body->content.len, strlen(SDP_B));
	assert_true(h_no_sip(f, &f->callee, "INVITE ", 30));
	/* RING to a connected leg means nothing */
	h_ccd_event(f, UAC1, TANDEM__EVENT_TYPE__RING, 180, NULL);
	h_ccd_event(f, c.uas, TANDEM__EVENT_TYPE__FAIL, 500, NULL);
	h_expect_sip(f, &f->caller, "BYE ", 1000);
	h_ccd_event(f, UAC1, TANDEM__EVENT_TYPE__DISCONNECT, 0, NULL);
	h_expect_sip(f, &f->callee, "BYE ", 1000);
}

/* The caller cancels its re-INVITE: 487, and (Sippy) the call ends. */
static void test_cancel_reinvite(void **state)
{
	struct h *f = *state;
	struct call c;

	connect_call(f, &c, "cri");
	caller_req(f, &c, "INVITE", SDP_C, NULL);
	h_expect_event(f, TANDEM__EVENT_TYPE__UPDATE, c.uas);
	h_send(f, &f->caller, NULL,
	       "CANCEL sip:127.0.0.1:%u SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-cri-%u\n"
	       "From: <sip:alice@127.0.0.1>;tag=ftag-cri\nTo: <sip:bob@127.0.0.1>;tag=%s\n"
	       "Call-ID: cri\nCSeq: %u CANCEL\n", f->sigd_port, f->caller.port, c.caller_cseq, c.totag,
	       c.caller_cseq);
	h_expect_sip(f, &f->caller, "SIP/2.0 200 ", 1000);
	h_expect_sip(f, &f->caller, "SIP/2.0 487 ", 1000);
	h_expect_sip(f, &f->caller, "BYE ", 1000);
	h_expect_event(f, TANDEM__EVENT_TYPE__DISCONNECT, c.uas);
}

/* BYE while the other side answers our re-INVITE; DISCONNECT from ccd
 * while the peer's re-INVITE waits: 487 to it, then BYE. */
static void test_bye_while_updating(void **state)
{
	struct h *f = *state;
	struct call c;
	struct sip_msg *m;

	connect_call(f, &c, "bwu");
	callee_req(f, &c, "INVITE", SDP_C, NULL);
	h_expect_event(f, TANDEM__EVENT_TYPE__UPDATE, UAC1);
	h_ccd_event(f, UAC1, TANDEM__EVENT_TYPE__DISCONNECT, 0, NULL);
	h_expect_sip(f, &f->callee, "SIP/2.0 487 ", 1000);
	h_expect_sip(f, &f->callee, "BYE ", 1000);

	/* our re-INVITE pending on the caller side, the caller says BYE */
	h_ccd_event(f, c.uas, TANDEM__EVENT_TYPE__UPDATE, 0, SDP_C);
	m = h_expect_sip(f, &f->caller, "INVITE ", 1000);
	(void)m;
	caller_req(f, &c, "BYE", NULL, NULL);
	h_expect_sip(f, &f->caller, "SIP/2.0 200 ", 1000);
	h_expect_event(f, TANDEM__EVENT_TYPE__DISCONNECT, c.uas);
	h_expect_ccd(f, TANDEM__MESSAGE__BODY_CLOSED, 0, c.uas, 2000);
	h_expect_ccd(f, TANDEM__MESSAGE__BODY_CLOSED, 0, UAC1, 2000);
}

/* Welcome.unknown_legs ends a connected leg with BYE; DropLeg silently. */
static void test_unknown_and_dropped(void **state)
{
	struct h *f = *state;
	struct call c;
	Tandem__Message m = TANDEM__MESSAGE__INIT;
	Tandem__Welcome w = TANDEM__WELCOME__INIT;
	Tandem__DropLeg d = TANDEM__DROP_LEG__INIT;

	connect_call(f, &c, "unk");
	w.instance = 0xccd;
	w.heartbeat_interval_ms = 1000;
	w.unknown_legs = &c.uas;
	w.n_unknown_legs = 1;
	m.body_case = TANDEM__MESSAGE__BODY_WELCOME;
	m.welcome = &w;
	h_ccd_send(f, &m);
	h_expect_sip(f, &f->caller, "BYE ", 1000);
	d.leg = UAC1;
	m.body_case = TANDEM__MESSAGE__BODY_DROP;
	m.drop = &d;
	h_ccd_send(f, &m);
	h_sleep(f, 20);
	assert_null(leg_by_id(f->sd, UAC1));
	assert_true(h_no_sip(f, &f->callee, "BYE ", 10));
	/* the callee's BYE now finds no dialog */
	callee_req(f, &c, "BYE", NULL, NULL);
	h_expect_sip(f, &f->callee, "SIP/2.0 481 ", 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reinvite_from_caller, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_reinvite_refused, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_reinvite_481, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_reinvite_timeout, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_reinvite_proceeding_expires, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_bodyless_reinvite, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_in_dialog_requests, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_ccd_requests, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_cancel_reinvite, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_bye_while_updating, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_unknown_and_dropped, h_setup_ready, h_teardown_cb),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
