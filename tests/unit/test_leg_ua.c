/*
 * The UA machines of both legs until the call is up and torn down, driven
 * through the real transaction layer (test_leg_harness.h): a basic call
 * with early media and the 2xx retransmitted until ACK, CANCEL both ways,
 * failures, redirects, challenges, the late offer, timeouts, and the
 * out-of-dialog answers of the dispatcher.
 */
#include "test_leg_harness.h"

#include "digest.h"

#define UAC1 (LEG_ID_UAC_BIT | 1)

/* Sets up caller -> answer leg -> ccd -> originate leg -> callee, up to
 * the callee's INVITE (kept in k). */
static uint64_t to_callee(struct h *f, const char *cid, const char *sdp, struct h_inv *k)
{
	uint64_t uas = h_caller_invite(f, cid, sdp);
	char ocid[128];
	struct sip_msg *m;

	snprintf(ocid, sizeof(ocid), "%s-b2b_1", cid);
	h_originate(f, UAC1, ocid, sdp, NULL);
	m = h_expect_sip(f, &f->callee, "INVITE ", 1000);
	h_keep(f, k, m);
	return uas;
}

static void test_basic_call(void **state)
{
	struct h *f = *state;
	struct h_inv k;
	struct sip_msg *m;
	Tandem__LegEvent *ev;
	char totag[64], contact[128];
	uint64_t uas;

	uas = h_caller_invite(f, "basic", SDP_A);
	m = NULL;
	/* the TRY */
	f->ccd_used[f->found] = false;
	ev = h_expect_event(f, TANDEM__EVENT_TYPE__TRY, uas);
	assert_string_equal(ev->try_->call_id, "basic");
	assert_string_equal(ev->try_->cli, "alice");
	assert_string_equal(ev->try_->cld, "bob");
	assert_string_equal(ev->try_->caller_name, "Alice");
	assert_int_equal(ev->try_->max_forwards, 69);
	assert_int_equal(ev->try_->source->port, f->caller.port);
	assert_string_equal(ev->try_->local->host, "127.0.0.1");
	assert_int_equal(ev->try_->n_headers, 1);
	assert_string_equal(ev->try_->headers[0]->value, "passed");
	assert_non_null(ev->body);
	assert_int_equal(ev->body->content.len, strlen(SDP_A));
	assert_int_equal(ev->origin, TANDEM__ORIGIN__CALLER);
	assert_true(ev->time_us > 0);

	/* ccd originates: the callee's INVITE */
	h_originate(f, UAC1, "basic-b2b_1", SDP_A, NULL);
	m = h_expect_sip(f, &f->callee, "INVITE ", 1000);
	/* no credentials: nothing kept for a digest retry */
	assert_null(leg_uac(leg_by_id(f->sd, UAC1)));
	h_keep(f, &k, m);
	assert_int_equal(m->max_forwards, 69);
	assert_true(pl_eq_str(m->call_id, "basic-b2b_1"));
	assert_non_null(strstr(h_hdr(f, m, "From"), "\"Alice\" <sip:alice@127.0.0.1>;tag="));
	assert_string_equal(h_body(f, m), SDP_A);
	assert_non_null(h_hdr(f, m, "Contact"));

	/* 180 with early media: RING both ways, 180 to the caller with a tag */
	h_callee_respond(f, &k, 180, "Ringing", SDP_B, NULL);
	ev = h_expect_event(f, TANDEM__EVENT_TYPE__RING, UAC1);
	assert_int_equal(ev->code, 180);
	assert_int_equal(ev->origin, TANDEM__ORIGIN__CALLEE);
	assert_non_null(ev->body);
	h_ccd_event(f, uas, TANDEM__EVENT_TYPE__RING, 183, SDP_B);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 183 ", 1000);
	assert_true(pl_isset(m->to.tag));
	assert_string_equal(h_body(f, m), SDP_B);
	/* the dialog-creating response echoes Record-Route and has our Contact */
	snprintf(contact, sizeof(contact), "<sip:127.0.0.1:%u;lr>", f->caller.port);
	assert_string_equal(h_hdr(f, m, "Record-Route"), contact);
	snprintf(contact, sizeof(contact), "<sip:127.0.0.1:%u>", f->sigd_port);
	assert_string_equal(h_hdr(f, m, "Contact"), contact);
	pl_strcpy(m->to.tag, totag, sizeof(totag));

	/* 200: ACK to the callee (to its Contact, through its Record-Route) */
	h_callee_respond(f, &k, 200, "OK", SDP_B, NULL);
	m = h_expect_sip(f, &f->callee, "ACK ", 1000);
	{
		char ruri[64];
		snprintf(ruri, sizeof(ruri), "sip:bob@127.0.0.1:%u;transport=UDP", f->callee.port);
		assert_true(pl_eq_str(m->ruri_pl, ruri));
	}
	assert_non_null(h_hdr(f, m, "Route"));
	assert_int_equal(m->cseq, k.cseq);
	assert_true(pl_eq_str(m->to.tag, "btag"));
	ev = h_expect_event(f, TANDEM__EVENT_TYPE__CONNECT, UAC1);
	assert_int_equal(ev->code, 200);

	/* CONNECT to the answer leg: 200, retransmitted until the ACK */
	h_ccd_event(f, uas, TANDEM__EVENT_TYPE__CONNECT, 200, SDP_B);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 200 ", 1000);
	assert_true(pl_eq_str(m->to.tag, totag));
	assert_non_null(h_hdr(f, m, "Allow"));
	/* retransmitted: after T1, then 2T1 */
	h_sleep(f, 3 * H_T1 + 15);
	assert_true(h_count(&f->caller, "SIP/2.0 200 ") >= 3);
	h_send(f, &f->caller, NULL,
	       "ACK sip:127.0.0.1:%u SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-ack1\n"
	       "From: <sip:alice@127.0.0.1>;tag=ftag-basic\nTo: <sip:bob@127.0.0.1>;tag=%s\n"
	       "Call-ID: basic\nCSeq: 1 ACK\nMax-Forwards: 70\n",
	       f->sigd_port, f->caller.port, totag);
	h_sleep(f, 10);
	{
		unsigned before = f->caller.n;
		h_sleep(f, 200);
		assert_int_equal(f->caller.n, before);	/* no more 200s */
	}
	assert_int_equal(leg_by_id(f->sd, uas)->state, LEG_CONNECTED);

	/* the caller hangs up with a Reason: 200, DISCONNECT */
	h_send(f, &f->caller, NULL,
	       "BYE sip:127.0.0.1:%u SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-bye1\n"
	       "From: <sip:alice@127.0.0.1>;tag=ftag-basic\nTo: <sip:bob@127.0.0.1>;tag=%s\n"
	       "Call-ID: basic\nCSeq: 2 BYE\nMax-Forwards: 70\nReason: Q.850;cause=16\n",
	       f->sigd_port, f->caller.port, totag);
	h_expect_sip(f, &f->caller, "SIP/2.0 200 ", 1000);
	ev = h_expect_event(f, TANDEM__EVENT_TYPE__DISCONNECT, uas);
	assert_non_null(ev->reason_header);
	assert_string_equal(ev->reason_header->protocol, "Q.850");
	assert_int_equal(ev->reason_header->cause, 16);

	/* ccd passes it on with the Reason: BYE to the callee */
	{
		Tandem__LegEvent d = TANDEM__LEG_EVENT__INIT;
		Tandem__Reason r = TANDEM__REASON__INIT;

		r.protocol = (char *)"Q.850";
		r.cause = 16;
		d.leg = UAC1;
		d.type = TANDEM__EVENT_TYPE__DISCONNECT;
		d.reason_header = &r;
		h_ccd_event_full(f, &d);
	}
	m = h_expect_sip(f, &f->callee, "BYE ", 1000);
	assert_string_equal(h_hdr(f, m, "Reason"), "Q.850;cause=16");
	assert_true(m->cseq > k.cseq);
	h_send(f, &f->callee, NULL,
	       "SIP/2.0 200 OK\nVia: %s\nFrom: %s\nTo: %s;tag=btag\nCall-ID: basic-b2b_1\nCSeq: %u BYE\n",
	       h_hdr(f, m, "Via"), k.from, k.to, m->cseq);

	/* a late BYE retransmission is still answered while lingering */
	h_send(f, &f->caller, NULL,
	       "BYE sip:127.0.0.1:%u SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-bye2\n"
	       "From: <sip:alice@127.0.0.1>;tag=ftag-basic\nTo: <sip:bob@127.0.0.1>;tag=%s\n"
	       "Call-ID: basic\nCSeq: 3 BYE\nMax-Forwards: 70\n",
	       f->sigd_port, f->caller.port, totag);
	h_expect_sip(f, &f->caller, "SIP/2.0 200 ", 1000);

	/* both legs close after lingering */
	Tandem__Message *c = h_expect_ccd(f, TANDEM__MESSAGE__BODY_CLOSED, 0, uas, 2000);
	assert_int_equal(c->closed->last_state, LEG_DISCONNECTED);
	h_expect_ccd(f, TANDEM__MESSAGE__BODY_CLOSED, 0, UAC1, 2000);
	assert_int_equal(legs_count(f->sd), 0);
}

/* The callee hangs up: BYE through its route set, DISCONNECT, ccd BYEs
 * the caller along the caller's Record-Route. */
static void test_callee_hangs_up(void **state)
{
	struct h *f = *state;
	struct h_inv k;
	struct sip_msg *m;
	char totag[64], route[64];
	uint64_t uas = to_callee(f, "cbye", SDP_A, &k);

	h_callee_respond(f, &k, 200, "OK", SDP_B, NULL);
	h_expect_sip(f, &f->callee, "ACK ", 1000);
	h_expect_event(f, TANDEM__EVENT_TYPE__CONNECT, UAC1);
	h_ccd_event(f, uas, TANDEM__EVENT_TYPE__CONNECT, 200, SDP_B);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 200 ", 1000);
	pl_strcpy(m->to.tag, totag, sizeof(totag));
	h_send(f, &f->caller, NULL,
	       "ACK sip:127.0.0.1:%u SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-ack1\n"
	       "From: <sip:alice@127.0.0.1>;tag=ftag-cbye\nTo: <sip:bob@127.0.0.1>;tag=%s\n"
	       "Call-ID: cbye\nCSeq: 1 ACK\n", f->sigd_port, f->caller.port, totag);

	h_send(f, &f->callee, NULL,
	       "BYE sip:127.0.0.1:%u SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-cb1\n"
	       "From: %s;tag=btag\nTo: %s\nCall-ID: cbye-b2b_1\nCSeq: 100 BYE\n",
	       f->sigd_port, f->callee.port, k.to, k.from);
	h_expect_sip(f, &f->callee, "SIP/2.0 200 ", 1000);
	Tandem__LegEvent *ev = h_expect_event(f, TANDEM__EVENT_TYPE__DISCONNECT, UAC1);
	assert_int_equal(ev->origin, TANDEM__ORIGIN__CALLEE);
	h_ccd_event(f, uas, TANDEM__EVENT_TYPE__DISCONNECT, 0, NULL);
	m = h_expect_sip(f, &f->caller, "BYE ", 1000);
	snprintf(route, sizeof(route), "<sip:127.0.0.1:%u;lr>", f->caller.port);
	assert_string_equal(h_hdr(f, m, "Route"), route);
	assert_true(pl_eq_str(m->from.tag, totag));
	assert_true(pl_eq_str(m->to.tag, "ftag-cbye"));
	h_expect_ccd(f, TANDEM__MESSAGE__BODY_CLOSED, 0, uas, 2000);
	h_expect_ccd(f, TANDEM__MESSAGE__BODY_CLOSED, 0, UAC1, 2000);
}

/* CANCEL from the caller: 200 + 487, DISCONNECT; ccd cancels the callee,
 * whose CANCEL waits for a provisional response. */
static void test_cancel(void **state)
{
	struct h *f = *state;
	struct h_inv k;
	struct sip_msg *m;
	uint64_t uas = to_callee(f, "canc", SDP_A, &k);

	h_send(f, &f->caller, NULL,
	       "CANCEL sip:bob@127.0.0.1:%u SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-canc-1;rport\n"
	       "From: \"Alice\" <sip:alice@127.0.0.1>;tag=ftag-canc\nTo: <sip:bob@127.0.0.1>\n"
	       "Call-ID: canc\nCSeq: 1 CANCEL\nMax-Forwards: 70\nReason: SIP;cause=200;text=\"elsewhere\"\n",
	       f->sigd_port, f->caller.port);
	h_expect_sip(f, &f->caller, "SIP/2.0 200 ", 1000);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 487 ", 1000);
	assert_true(m->cseq_method_id == SIP_METHOD_INVITE);
	Tandem__LegEvent *ev = h_expect_event(f, TANDEM__EVENT_TYPE__DISCONNECT, uas);
	assert_string_equal(ev->reason_header->text, "elsewhere");

	/* the callee has said nothing yet: no CANCEL until it does */
	{
		Tandem__LegEvent d = TANDEM__LEG_EVENT__INIT;
		Tandem__Reason r = TANDEM__REASON__INIT;

		r.cause = 200;
		r.text = (char *)"elsewhere";
		d.leg = UAC1;
		d.type = TANDEM__EVENT_TYPE__DISCONNECT;
		d.reason_header = &r;
		h_ccd_event_full(f, &d);
	}
	assert_true(h_no_sip(f, &f->callee, "CANCEL ", 100));
	h_callee_respond(f, &k, 180, "Ringing", NULL, NULL);
	m = h_expect_sip(f, &f->callee, "CANCEL ", 1000);
	assert_string_equal(h_hdr(f, m, "Reason"), "SIP;cause=200;text=\"elsewhere\"");
	/* no RING reaches ccd for a leg it is cancelling */
	assert_true(h_no_event(f, TANDEM__EVENT_TYPE__RING, UAC1, 50));
	h_callee_respond(f, &k, 487, "Request Terminated", NULL, NULL);
	h_expect_sip(f, &f->callee, "ACK ", 1000);
	Tandem__Message *c = h_expect_ccd(f, TANDEM__MESSAGE__BODY_CLOSED, 0, UAC1, 2000);
	assert_int_equal(c->closed->last_state, LEG_FAILED);
	h_expect_ccd(f, TANDEM__MESSAGE__BODY_CLOSED, 0, uas, 2000);
	/* FAIL, the last event, never came */
	assert_true(h_no_event(f, TANDEM__EVENT_TYPE__FAIL, 0, 10));
}

/* A 200 that crosses our CANCEL: ACK and BYE it. */
static void test_cancel_crossing_200(void **state)
{
	struct h *f = *state;
	struct h_inv k;

	to_callee(f, "cross", SDP_A, &k);
	h_callee_respond(f, &k, 180, "Ringing", NULL, NULL);
	h_expect_event(f, TANDEM__EVENT_TYPE__RING, UAC1);
	h_ccd_event(f, UAC1, TANDEM__EVENT_TYPE__DISCONNECT, 0, NULL);
	h_expect_sip(f, &f->callee, "CANCEL ", 1000);
	h_callee_respond(f, &k, 200, "OK", SDP_B, NULL);
	h_expect_sip(f, &f->callee, "ACK ", 1000);
	h_expect_sip(f, &f->callee, "BYE ", 1000);
	assert_true(h_no_event(f, TANDEM__EVENT_TYPE__CONNECT, UAC1, 50));
}

/* Failures: the callee's 486 goes up as FAIL, ccd's FAIL comes down as a
 * final response; ccd's DISCONNECT before the answer means 500. */
static void test_fail_relay(void **state)
{
	struct h *f = *state;
	struct h_inv k;
	struct sip_msg *m;
	uint64_t uas = to_callee(f, "busy", SDP_A, &k);

	h_callee_respond(f, &k, 486, "Busy Here", NULL, "Warning: 399 bob \"busy\"\n");
	h_expect_sip(f, &f->callee, "ACK ", 1000);
	Tandem__LegEvent *ev = h_expect_event(f, TANDEM__EVENT_TYPE__FAIL, UAC1);
	assert_int_equal(ev->code, 486);
	assert_string_equal(ev->reason, "Busy Here");
	assert_string_equal(ev->warning, "399 bob \"busy\"");
	h_ccd_event(f, uas, TANDEM__EVENT_TYPE__FAIL, 486, NULL);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 486 ", 1000);
	assert_true(pl_isset(m->to.tag));
	/* later events for it are ignored, not fatal */
	h_ccd_event(f, uas, TANDEM__EVENT_TYPE__CONNECT, 200, SDP_B);
	h_sleep(f, 30);
	assert_true(legs_stats(f->sd)->events_ignored >= 1);

	/* DISCONNECT from ccd before the answer: 500 Disconnected */
	uint64_t uas2 = h_caller_invite(f, "disc", SDP_A);
	h_ccd_event(f, uas2, TANDEM__EVENT_TYPE__DISCONNECT, 0, NULL);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 500 ", 1000);
	assert_true(pl_eq_str(m->reason, "Disconnected"));
	/* and FAIL without a code: 500 too */
	uint64_t uas3 = h_caller_invite(f, "nocode", SDP_A);
	h_ccd_event(f, uas3, TANDEM__EVENT_TYPE__FAIL, 0, NULL);
	h_expect_sip(f, &f->caller, "SIP/2.0 500 ", 1000);

	/* ccd's reason text goes into the status line, unless a control
	 * character would make it malformed (fuzz_sigd_link found it) */
	Tandem__LegEvent fe = TANDEM__LEG_EVENT__INIT;

	fe.leg = h_caller_invite(f, "ctl", SDP_A);
	fe.type = TANDEM__EVENT_TYPE__FAIL;
	fe.code = 486;
	fe.reason = (char *)"Busy\x0f\x12Here";
	h_ccd_event_full(f, &fe);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 486 ", 1000);
	assert_true(pl_eq_str(m->reason, "Busy Here"));
	fe.leg = h_caller_invite(f, "tab", SDP_A);
	fe.reason = (char *)"Busy\tNow";
	h_ccd_event_full(f, &fe);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 486 ", 1000);
	assert_true(pl_eq_str(m->reason, "Busy\tNow"));
}

/* 3xx with Contacts -> REDIRECT -> 3xx with those Contacts. */
static void test_redirect(void **state)
{
	struct h *f = *state;
	struct h_inv k;
	struct sip_msg *m;
	uint64_t uas = to_callee(f, "redir", SDP_A, &k);
	Tandem__LegEvent red = TANDEM__LEG_EVENT__INIT;
	char *contacts[] = { (char *)"sip:c1@192.0.2.1", (char *)"not a uri", (char *)"sip:c2@192.0.2.2" };

	h_send(f, &f->callee, NULL,
	       "SIP/2.0 302 Moved\nVia: %s\nFrom: %s\nTo: %s;tag=r\nCall-ID: %s\nCSeq: %u INVITE\n"
	       "Contact: <sip:c1@192.0.2.1>, <sip:c2@192.0.2.2>\n",
	       k.via, k.from, k.to, k.call_id, k.cseq);
	Tandem__LegEvent *ev = h_expect_event(f, TANDEM__EVENT_TYPE__REDIRECT, UAC1);
	assert_int_equal(ev->code, 302);
	assert_int_equal(ev->n_contacts, 2);
	assert_string_equal(ev->contacts[1], "sip:c2@192.0.2.2");
	red.leg = uas;
	red.type = TANDEM__EVENT_TYPE__REDIRECT;
	red.code = 301;
	red.contacts = contacts;
	red.n_contacts = 3;
	h_ccd_event_full(f, &red);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 301 ", 1000);
	assert_int_equal(sip_msg_hdr_count(m, SIP_HDR_CONTACT), 2);

	/* a 3xx without Contact is just a failure */
	struct h_inv k2;
	Tandem__Originate o = TANDEM__ORIGINATE__INIT;
	h_originate(f, LEG_ID_UAC_BIT | 2, "redir2", SDP_A, &o);
	h_keep(f, &k2, h_expect_sip(f, &f->callee, "INVITE ", 1000));
	h_send(f, &f->callee, NULL,
	       "SIP/2.0 302 Moved\nVia: %s\nFrom: %s\nTo: %s;tag=r\nCall-ID: %s\nCSeq: %u INVITE\n",
	       k2.via, k2.from, k2.to, k2.call_id, k2.cseq);
	ev = h_expect_event(f, TANDEM__EVENT_TYPE__FAIL, LEG_ID_UAC_BIT | 2);
	assert_int_equal(ev->code, 302);
}

/* FAIL with a challenge: 401 with one WWW-Authenticate per algorithm and
 * a nonce of ours that the next INVITE's credentials prove valid. */
static void test_challenge(void **state)
{
	struct h *f = *state;
	struct sip_msg *m;
	struct digest_challenge ch;
	Tandem__LegEvent fail = TANDEM__LEG_EVENT__INIT;
	Tandem__ChallengeRequest cr = TANDEM__CHALLENGE_REQUEST__INIT;
	char *algs[] = { (char *)"SHA-256", (char *)"bogus", (char *)"MD5" };
	char nonce[64], resp[DIGEST_HEX_SIZE], uri[64];
	uint64_t uas = h_caller_invite(f, "auth", SDP_A);
	const struct sip_hdr *h;

	cr.realm = (char *)"tandem.test";
	cr.algorithms = algs;
	cr.n_algorithms = 3;
	fail.leg = uas;
	fail.type = TANDEM__EVENT_TYPE__FAIL;
	fail.challenge = &cr;
	h_ccd_event_full(f, &fail);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 401 ", 1000);
	assert_int_equal(sip_msg_hdr_count(m, SIP_HDR_WWW_AUTHENTICATE), 2);
	h = sip_msg_hdr(m, SIP_HDR_WWW_AUTHENTICATE);
	assert_null(digest_parse_challenge(h->value, &ch));
	assert_int_equal(ch.algo, DIGEST_ALGO_SHA256);
	assert_true(pl_eq_str(ch.realm.s, "tandem.test"));
	assert_true(ch.qop & DIGEST_QOP_AUTH);
	h = sip_msg_hdr_next(m, h);
	assert_null(digest_parse_challenge(h->value, &ch));
	assert_int_equal(ch.algo, DIGEST_ALGO_MD5);
	pl_strcpy(ch.nonce.s, nonce, sizeof(nonce));
	h_send(f, &f->caller, NULL,
	       "ACK sip:bob@127.0.0.1:%u SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-auth-1;rport\n"
	       "From: \"Alice\" <sip:alice@127.0.0.1>;tag=ftag-auth\nTo: <sip:bob@127.0.0.1>;tag=%.*s\n"
	       "Call-ID: auth\nCSeq: 1 ACK\n",
	       f->sigd_port, f->caller.port, PL_FMT(m->to.tag));

	/* the retry with credentials: TRY says the nonce is ours and valid */
	snprintf(uri, sizeof(uri), "sip:bob@127.0.0.1:%u", f->sigd_port);
	assert_true(digest_compute_response(DIGEST_ALGO_MD5, PL("alice"), PL("tandem.test"), PL("pw"),
					    PL("INVITE"), pl_from_str(uri), pl_from_str(nonce),
					    PL("cn"), 1, DIGEST_QOP_AUTH, resp) > 0);
	h_send(f, &f->caller, SDP_A,
	       "INVITE %s SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-auth-2;rport\n"
	       "From: \"Alice\" <sip:alice@127.0.0.1>;tag=ftag-auth\nTo: <sip:bob@127.0.0.1>\n"
	       "Call-ID: auth\nCSeq: 2 INVITE\nContact: <sip:alice@127.0.0.1:%u>\n"
	       "Authorization: Digest username=\"alice\", realm=\"tandem.test\", nonce=\"%s\", "
	       "uri=\"%s\", response=\"%s\", qop=auth, nc=00000001, cnonce=\"cn\"\n",
	       uri, f->caller.port, f->caller.port, nonce, uri, resp);
	Tandem__LegEvent *ev = h_expect_event(f, TANDEM__EVENT_TYPE__TRY, 0);
	assert_non_null(ev->try_->credentials);
	assert_int_equal(ev->try_->credentials->nonce_state, TANDEM__NONCE_STATE__NONCE_VALID);
	assert_string_equal(ev->try_->credentials->response, resp);

	/* proxy challenge without a realm or usable algorithm: 407 / 500 */
	uint64_t uas3 = h_caller_invite(f, "auth3", SDP_A);
	cr.realm = NULL;
	cr.n_algorithms = 0;
	cr.proxy = true;
	fail.leg = uas3;
	h_ccd_event_full(f, &fail);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 407 ", 1000);
	assert_non_null(sip_msg_hdr(m, SIP_HDR_PROXY_AUTHENTICATE));
	uint64_t uas4 = h_caller_invite(f, "auth4", SDP_A);
	cr.n_algorithms = 1;
	cr.algorithms = &algs[1];
	fail.leg = uas4;
	h_ccd_event_full(f, &fail);
	h_expect_sip(f, &f->caller, "SIP/2.0 500 ", 1000);
}

/* The originate leg answers the callee's 401 once with Originate's
 * credentials; a second 401 is a FAIL with the challenges. */
static void test_uac_auth(void **state)
{
	struct h *f = *state;
	Tandem__Originate o = TANDEM__ORIGINATE__INIT;
	Tandem__Header xh = TANDEM__HEADER__INIT;
	Tandem__Header *xhp[] = { &xh };
	struct digest_credentials cr;
	struct h_inv k;
	struct sip_msg *m;

	xh.name = (char *)"X-Route";
	xh.value = (char *)"gw1";
	o.extra_headers = xhp;
	o.n_extra_headers = 1;
	o.auth_username = (char *)"gwuser";
	o.auth_password = (char *)"gwpass";
	h_originate(f, UAC1, "uauth", SDP_A, &o);
	m = h_expect_sip(f, &f->callee, "INVITE ", 1000);
	assert_string_equal(h_hdr(f, m, "X-Route"), "gw1");
	h_keep(f, &k, m);
	h_callee_respond(f, &k, 401, "Unauthorized", NULL,
			 "WWW-Authenticate: Digest realm=\"gw\", nonce=\"n1\", qop=\"auth\"\n");
	h_expect_sip(f, &f->callee, "ACK ", 1000);
	m = h_expect_sip(f, &f->callee, "INVITE ", 1000);
	assert_int_equal(m->cseq, k.cseq + 1);
	assert_string_equal(h_hdr(f, m, "X-Route"), "gw1");
	assert_string_equal(h_body(f, m), SDP_A);
	assert_null(digest_parse_credentials(sip_msg_hdr(m, SIP_HDR_AUTHORIZATION)->value, &cr));
	assert_true(digest_verify(&cr, PL("INVITE"), PL("gwpass")));
	h_keep(f, &k, m);
	h_callee_respond(f, &k, 401, "Unauthorized", NULL,
			 "WWW-Authenticate: Digest realm=\"gw\", nonce=\"n2\"\n");
	Tandem__LegEvent *ev = h_expect_event(f, TANDEM__EVENT_TYPE__FAIL, UAC1);
	assert_int_equal(ev->code, 401);
	assert_int_equal(ev->n_challenges, 1);
	assert_string_equal(ev->challenges[0], "Digest realm=\"gw\", nonce=\"n2\"");
}

/* Late offer: INVITE without SDP; the callee offers in its 200; the
 * caller answers in its ACK, which the originate leg's held ACK carries. */
static void test_late_offer(void **state)
{
	struct h *f = *state;
	struct h_inv k;
	struct sip_msg *m;
	char totag[64];
	uint64_t uas = to_callee(f, "late", NULL, &k);

	assert_int_equal(f->got.body.l, 0);
	h_callee_respond(f, &k, 200, "OK", SDP_B, NULL);
	Tandem__LegEvent *ev = h_expect_event(f, TANDEM__EVENT_TYPE__PRE_CONNECT, UAC1);
	assert_int_equal(ev->body->content.len, strlen(SDP_B));
	assert_true(h_no_sip(f, &f->callee, "ACK ", 60));
	/* the callee retransmits its 200: still no ACK without the answer */
	h_callee_respond(f, &k, 200, "OK", SDP_B, NULL);
	assert_true(h_no_sip(f, &f->callee, "ACK ", 30));

	h_ccd_event(f, uas, TANDEM__EVENT_TYPE__PRE_CONNECT, 200, SDP_B);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 200 ", 1000);
	assert_string_equal(h_body(f, m), SDP_B);
	pl_strcpy(m->to.tag, totag, sizeof(totag));
	h_send(f, &f->caller, SDP_A,
	       "ACK sip:127.0.0.1:%u SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-lack\n"
	       "From: <sip:alice@127.0.0.1>;tag=ftag-late\nTo: <sip:bob@127.0.0.1>;tag=%s\n"
	       "Call-ID: late\nCSeq: 1 ACK\n", f->sigd_port, f->caller.port, totag);
	ev = h_expect_event(f, TANDEM__EVENT_TYPE__CONNECT, uas);
	assert_string_equal(ev->reason, "ACK");
	assert_int_equal(ev->code, 0);
	assert_int_equal(ev->body->content.len, strlen(SDP_A));

	{
		Tandem__LegEvent c = TANDEM__LEG_EVENT__INIT;
		Tandem__Body b = TANDEM__BODY__INIT;

		b.content.data = (uint8_t *)SDP_A;
		b.content.len = strlen(SDP_A);
		c.leg = UAC1;
		c.type = TANDEM__EVENT_TYPE__CONNECT;
		c.reason = (char *)"ACK";
		c.body = &b;
		h_ccd_event_full(f, &c);
	}
	m = h_expect_sip(f, &f->callee, "ACK ", 1000);
	assert_string_equal(h_body(f, m), SDP_A);
	/* a 200 retransmission now gets the same ACK, answer included */
	h_callee_respond(f, &k, 200, "OK", SDP_B, NULL);
	m = h_expect_sip(f, &f->callee, "ACK ", 1000);
	assert_string_equal(h_body(f, m), SDP_A);
}

/* The late offer's answer never comes from ccd: ACK, BYE, DISCONNECT. */
static void test_late_offer_guard(void **state)
{
	struct h *f = *state;
	struct h_inv k;

	to_callee(f, "lateg", NULL, &k);
	h_callee_respond(f, &k, 200, "OK", SDP_B, NULL);
	h_expect_event(f, TANDEM__EVENT_TYPE__PRE_CONNECT, UAC1);
	h_expect_sip(f, &f->callee, "ACK ", 64 * H_T1 + 500);
	h_expect_sip(f, &f->callee, "BYE ", 500);
	Tandem__LegEvent *ev = h_expect_event(f, TANDEM__EVENT_TYPE__DISCONNECT, UAC1);
	assert_int_equal(ev->code, 408);
}

/* No ACK for our 2xx within 64*T1: BYE and DISCONNECT. */
static void test_ack_timeout(void **state)
{
	struct h *f = *state;
	uint64_t uas = h_caller_invite(f, "noack", SDP_A);
	unsigned n200;

	h_ccd_event(f, uas, TANDEM__EVENT_TYPE__CONNECT, 200, SDP_B);
	h_expect_sip(f, &f->caller, "BYE ", 64 * H_T1 + 500);
	n200 = h_count(&f->caller, "SIP/2.0 200");
	/* T1, 2T1, 4T1, then every T2 = 4T1: 1 + ~16 sends in 64 T1 */
	assert_true(n200 >= 10 && n200 <= 20);
	Tandem__LegEvent *ev = h_expect_event(f, TANDEM__EVENT_TYPE__DISCONNECT, uas);
	assert_int_equal(ev->code, 408);
	assert_int_equal(legs_stats(f->sd)->ack_timeouts, 1);
	/* ended from its own timer, the leg still lingers, then closes */
	assert_int_equal(legs_count(f->sd), 1);
	Tandem__Message *c = h_expect_ccd(f, TANDEM__MESSAGE__BODY_CLOSED, 0, uas, 2000);
	assert_int_equal(c->closed->last_state, LEG_DISCONNECTED);
	assert_int_equal(legs_count(f->sd), 0);
}

/* Timer B: the callee never answers -> FAIL 408. */
static void test_uac_timeout(void **state)
{
	struct h *f = *state;

	h_originate(f, UAC1, "silent", SDP_A, NULL);
	h_expect_sip(f, &f->callee, "INVITE ", 1000);
	Tandem__Message *m = h_expect_ccd(f, TANDEM__MESSAGE__BODY_EVENT, TANDEM__EVENT_TYPE__FAIL,
					  UAC1, 64 * H_T1 + 500);
	assert_int_equal(m->event->code, 408);
	h_expect_ccd(f, TANDEM__MESSAGE__BODY_CLOSED, 0, UAC1, 2000);
}

/* A 2xx without To tag: ACK, BYE, FAIL 502. */
static void test_tagless_200(void **state)
{
	struct h *f = *state;
	struct h_inv k;

	h_originate(f, UAC1, "notag", SDP_A, NULL);
	h_keep(f, &k, h_expect_sip(f, &f->callee, "INVITE ", 1000));
	h_send(f, &f->callee, SDP_B,
	       "SIP/2.0 200 OK\nVia: %s\nFrom: %s\nTo: %s\nCall-ID: %s\nCSeq: %u INVITE\n"
	       "Contact: <sip:bob@127.0.0.1:%u>\n",
	       k.via, k.from, k.to, k.call_id, k.cseq, f->callee.port);
	h_expect_sip(f, &f->callee, "ACK ", 1000);
	h_expect_sip(f, &f->callee, "BYE ", 1000);
	Tandem__LegEvent *ev = h_expect_event(f, TANDEM__EVENT_TYPE__FAIL, UAC1);
	assert_int_equal(ev->code, 502);
}

/* The caller ends the early dialog with BYE: 487 + 200 + DISCONNECT. */
static void test_early_bye(void **state)
{
	struct h *f = *state;
	struct sip_msg *m;
	char totag[64];
	uint64_t uas = h_caller_invite(f, "ebye", SDP_A);

	h_ccd_event(f, uas, TANDEM__EVENT_TYPE__RING, 0, NULL);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 180 ", 1000);
	pl_strcpy(m->to.tag, totag, sizeof(totag));
	/* OPTIONS and INFO in the early dialog; an INVITE gets 500 + Retry-After */
	h_send(f, &f->caller, NULL,
	       "OPTIONS sip:127.0.0.1:%u SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-eo\n"
	       "From: <sip:alice@127.0.0.1>;tag=ftag-ebye\nTo: <sip:bob@127.0.0.1>;tag=%s\n"
	       "Call-ID: ebye\nCSeq: 2 OPTIONS\n", f->sigd_port, f->caller.port, totag);
	h_expect_sip(f, &f->caller, "SIP/2.0 200 ", 1000);
	h_send(f, &f->caller, NULL,
	       "INVITE sip:127.0.0.1:%u SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-ei\n"
	       "From: <sip:alice@127.0.0.1>;tag=ftag-ebye\nTo: <sip:bob@127.0.0.1>;tag=%s\n"
	       "Call-ID: ebye\nCSeq: 3 INVITE\nContact: <sip:a@127.0.0.1>\n", f->sigd_port, f->caller.port, totag);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 500 ", 1000);
	assert_non_null(h_hdr(f, m, "Retry-After"));
	h_send(f, &f->caller, NULL,
	       "MESSAGE sip:127.0.0.1:%u SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-em\n"
	       "From: <sip:alice@127.0.0.1>;tag=ftag-ebye\nTo: <sip:bob@127.0.0.1>;tag=%s\n"
	       "Call-ID: ebye\nCSeq: 4 MESSAGE\n", f->sigd_port, f->caller.port, totag);
	h_expect_sip(f, &f->caller, "SIP/2.0 501 ", 1000);
	/* an old CSeq: 500 */
	h_send(f, &f->caller, NULL,
	       "INFO sip:127.0.0.1:%u SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-eold\n"
	       "From: <sip:alice@127.0.0.1>;tag=ftag-ebye\nTo: <sip:bob@127.0.0.1>;tag=%s\n"
	       "Call-ID: ebye\nCSeq: 1 INFO\n", f->sigd_port, f->caller.port, totag);
	h_expect_sip(f, &f->caller, "SIP/2.0 500 ", 1000);
	h_send(f, &f->caller, NULL,
	       "BYE sip:127.0.0.1:%u SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-eb\n"
	       "From: <sip:alice@127.0.0.1>;tag=ftag-ebye\nTo: <sip:bob@127.0.0.1>;tag=%s\n"
	       "Call-ID: ebye\nCSeq: 5 BYE\n", f->sigd_port, f->caller.port, totag);
	h_expect_sip(f, &f->caller, "SIP/2.0 487 ", 1000);
	h_expect_sip(f, &f->caller, "SIP/2.0 200 ", 1000);
	h_expect_event(f, TANDEM__EVENT_TYPE__DISCONNECT, uas);
	h_expect_ccd(f, TANDEM__MESSAGE__BODY_CLOSED, 0, uas, 2000);
}

/* The dispatcher's answers outside any dialog. */
static void test_out_of_dialog(void **state)
{
	struct h *f = *state;
	struct sip_msg *m;

	h_send(f, &f->caller, NULL,
	       "OPTIONS sip:127.0.0.1:%u SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-o1\n"
	       "From: <sip:lb@127.0.0.1>;tag=x\nTo: <sip:127.0.0.1>\nCall-ID: o1\nCSeq: 1 OPTIONS\n",
	       f->sigd_port, f->caller.port);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 200 ", 1000);
	assert_non_null(h_hdr(f, m, "Allow"));
	assert_string_equal(h_hdr(f, m, "Accept"), "application/sdp");
	assert_non_null(sip_msg_hdr(m, SIP_HDR_SUPPORTED));
	assert_true(pl_isset(m->to.tag));
	h_send(f, &f->caller, NULL,
	       "REGISTER sip:127.0.0.1:%u SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-r1\n"
	       "From: <sip:a@127.0.0.1>;tag=x\nTo: <sip:a@127.0.0.1>\nCall-ID: r1\nCSeq: 1 REGISTER\n",
	       f->sigd_port, f->caller.port);
	h_expect_sip(f, &f->caller, "SIP/2.0 501 ", 1000);
	h_send(f, &f->caller, NULL,
	       "BYE sip:127.0.0.1:%u SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-b1\n"
	       "From: <sip:a@127.0.0.1>;tag=x\nTo: <sip:a@127.0.0.1>\nCall-ID: b1\nCSeq: 1 BYE\n",
	       f->sigd_port, f->caller.port);
	h_expect_sip(f, &f->caller, "SIP/2.0 481 ", 1000);
	/* in-dialog requests for dialogs we do not have: 481; an ACK: nothing */
	h_send(f, &f->caller, NULL,
	       "INFO sip:127.0.0.1:%u SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-i1\n"
	       "From: <sip:a@127.0.0.1>;tag=x\nTo: <sip:a@127.0.0.1>;tag=nope\nCall-ID: i1\nCSeq: 1 INFO\n",
	       f->sigd_port, f->caller.port);
	h_expect_sip(f, &f->caller, "SIP/2.0 481 ", 1000);
	h_send(f, &f->caller, NULL,
	       "ACK sip:127.0.0.1:%u SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-a1\n"
	       "From: <sip:a@127.0.0.1>;tag=x\nTo: <sip:a@127.0.0.1>;tag=nope\nCall-ID: a1\nCSeq: 1 ACK\n",
	       f->sigd_port, f->caller.port);
	assert_true(h_no_sip(f, &f->caller, "SIP/2.0", 50));
	/* Max-Forwards 0: 483 */
	h_send(f, &f->caller, SDP_A,
	       "INVITE sip:bob@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-mf\n"
	       "From: <sip:a@127.0.0.1>;tag=x\nTo: <sip:b@127.0.0.1>\nCall-ID: mf\nCSeq: 1 INVITE\n"
	       "Max-Forwards: 0\nContact: <sip:a@127.0.0.1>\n", f->caller.port);
	h_expect_sip(f, &f->caller, "SIP/2.0 483 ", 1000);
	/* no Contact, a non-SDP body, a broken Record-Route: refused */
	h_send(f, &f->caller, SDP_A,
	       "INVITE sip:bob@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-nc\n"
	       "From: <sip:a@127.0.0.1>;tag=x\nTo: <sip:b@127.0.0.1>\nCall-ID: nc\nCSeq: 1 INVITE\n",
	       f->caller.port);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 400 ", 1000);
	assert_true(pl_eq_str(m->reason, "Missing or bad Contact"));
	h_send(f, &f->caller, NULL,
	       "INVITE sip:bob@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-ct\n"
	       "From: <sip:a@127.0.0.1>;tag=x\nTo: <sip:b@127.0.0.1>\nCall-ID: ct\nCSeq: 1 INVITE\n"
	       "Contact: <sip:a@127.0.0.1>\nContent-Type: text/plain\nContent-Length: 2\n\nhi", f->caller.port);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 415 ", 1000);
	assert_string_equal(h_hdr(f, m, "Accept"), "application/sdp");
	h_send(f, &f->caller, NULL,
	       "INVITE sip:bob@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-rr\n"
	       "From: <sip:a@127.0.0.1>;tag=x\nTo: <sip:b@127.0.0.1>\nCall-ID: rr\nCSeq: 1 INVITE\n"
	       "Record-Route: <tel:+1>\nContact: <sip:a@127.0.0.1>\n", f->caller.port);
	h_expect_sip(f, &f->caller, "SIP/2.0 400 ", 1000);
	/* at the leg limit: 503 with Retry-After */
	legs_set_max(f->sd, 1);
	h_caller_invite(f, "first", SDP_A);
	h_send(f, &f->caller, SDP_A,
	       "INVITE sip:bob@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-full\n"
	       "From: <sip:a@127.0.0.1>;tag=x\nTo: <sip:b@127.0.0.1>\nCall-ID: full\nCSeq: 1 INVITE\n"
	       "Contact: <sip:a@127.0.0.1>\n", f->caller.port);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 503 ", 1000);
	assert_non_null(h_hdr(f, m, "Retry-After"));
	assert_int_equal(legs_stats(f->sd)->rejected_full, 1);
}

/* Before ccd's Welcome every new INVITE gets 503 + Retry-After 1..5. */
static void test_no_ccd(void **state)
{
	struct h *f = *state;
	struct sip_msg *m;
	const char *ra;

	h_send(f, &f->caller, SDP_A,
	       "INVITE sip:bob@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-x\n"
	       "From: <sip:a@127.0.0.1>;tag=x\nTo: <sip:b@127.0.0.1>\nCall-ID: noccd\nCSeq: 1 INVITE\n"
	       "Contact: <sip:a@127.0.0.1>\n", f->caller.port);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 503 ", 500);
	ra = h_hdr(f, m, "Retry-After");
	assert_non_null(ra);
	assert_true(ra[0] >= '1' && ra[0] <= '5' && ra[1] == '\0');
	assert_int_equal(f->sd->stats.rejected_no_ccd, 1);
	assert_int_equal(legs_count(f->sd), 0);
}

/* A 2xx retransmitted by the callee (our ACK lost) gets the ACK again;
 * a 2xx from another fork is ACKed and BYEd. */
static void test_200_retransmission(void **state)
{
	struct h *f = *state;
	struct h_inv k;

	to_callee(f, "r200", SDP_A, &k);
	h_callee_respond(f, &k, 200, "OK", SDP_B, NULL);
	h_expect_sip(f, &f->callee, "ACK ", 1000);
	h_callee_respond(f, &k, 200, "OK", SDP_B, NULL);
	h_expect_sip(f, &f->callee, "ACK ", 1000);
	h_send(f, &f->callee, SDP_B,
	       "SIP/2.0 200 OK\nVia: %s\nFrom: %s\nTo: %s;tag=fork2\nCall-ID: %s\nCSeq: %u INVITE\n"
	       "Contact: <sip:bob2@127.0.0.1:%u>\n",
	       k.via, k.from, k.to, k.call_id, k.cseq, f->callee.port);
	struct sip_msg *m = h_expect_sip(f, &f->callee, "ACK ", 1000);
	assert_true(pl_eq_str(m->to.tag, "fork2"));
	m = h_expect_sip(f, &f->callee, "BYE ", 1000);
	assert_true(pl_eq_str(m->to.tag, "fork2"));
	assert_int_equal(leg_by_id(f->sd, UAC1)->state, LEG_CONNECTED);
	assert_true(pl_eq_str(leg_remote_tag(leg_by_id(f->sd, UAC1)), "btag"));
	/* 64*T1 later the answered INVITE transaction is let go */
	h_sleep(f, 64 * H_T1 + 100);
	assert_null(leg_by_id(f->sd, UAC1)->inv);
}

/* An INVITE nobody answers expires (Sippy's Expires: 300, here short):
 * the answer leg says 487, the originate leg FAILs 408 and CANCELs. */
static void test_expires(void **state)
{
	struct h *f = *state;
	struct leg_timers lt = { H_T1, 4 * H_T1, 300, 200 };
	struct h_inv k;
	struct sip_msg *m;

	legs_set_timers(f->sd, &lt);
	uint64_t uas = to_callee(f, "exp", SDP_A, &k);
	h_callee_respond(f, &k, 180, "Ringing", NULL, NULL);
	h_expect_event(f, TANDEM__EVENT_TYPE__RING, UAC1);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 487 ", 1000);
	assert_true(pl_eq_str(m->reason, "Request Expired"));
	h_send(f, &f->caller, NULL,
	       "ACK sip:bob@127.0.0.1:%u SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-exp-1;rport\n"
	       "From: \"Alice\" <sip:alice@127.0.0.1>;tag=ftag-exp\nTo: <sip:bob@127.0.0.1>;tag=%.*s\n"
	       "Call-ID: exp\nCSeq: 1 ACK\n", f->sigd_port, f->caller.port, PL_FMT(m->to.tag));
	Tandem__LegEvent *ev = h_expect_event(f, TANDEM__EVENT_TYPE__DISCONNECT, uas);
	assert_int_equal(ev->code, 487);
	ev = h_expect_event(f, TANDEM__EVENT_TYPE__FAIL, UAC1);
	assert_int_equal(ev->code, 408);
	h_expect_sip(f, &f->callee, "CANCEL ", 1000);
	h_callee_respond(f, &k, 487, "Request Terminated", NULL, NULL);
	h_expect_sip(f, &f->callee, "ACK ", 1000);
	h_expect_ccd(f, TANDEM__MESSAGE__BODY_CLOSED, 0, UAC1, 2000);

	/* the INVITE's own Expires wins over the default */
	h_send(f, &f->caller, SDP_A,
	       "INVITE sip:bob@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-e1\n"
	       "From: <sip:a@127.0.0.1>;tag=x\nTo: <sip:b@127.0.0.1>\nCall-ID: e1\nCSeq: 1 INVITE\n"
	       "Contact: <sip:a@127.0.0.1>\nExpires: 1\n", f->caller.port);
	h_expect_sip(f, &f->caller, "SIP/2.0 100 ", 1000);
	assert_true(h_no_sip(f, &f->caller, "SIP/2.0 487 ", 500));
	h_expect_sip(f, &f->caller, "SIP/2.0 487 ", 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_basic_call, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_callee_hangs_up, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_cancel, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_cancel_crossing_200, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_fail_relay, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_redirect, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_challenge, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_uac_auth, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_late_offer, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_late_offer_guard, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_ack_timeout, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_uac_timeout, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_tagless_200, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_early_bye, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_out_of_dialog, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_no_ccd, h_setup_unwelcomed, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_200_retransmission, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_expires, h_setup_ready, h_teardown_cb),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
