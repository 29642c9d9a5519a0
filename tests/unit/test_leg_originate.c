/*
 * What ccd's Originate asks of an originate leg beyond a plain INVITE
 * (test_leg_harness.h): report_trying (RING 100 once, for route
 * nr_expires), an outbound proxy as target (op=: the Request-URI keeps the
 * route's host, every request goes to the proxy), and extra headers (ash=,
 * -h) with the names sigd owns and injected lines refused.
 */
#include "test_leg_harness.h"

#define UAC1 (LEG_ID_UAC_BIT | 1)
#define UAC2 (LEG_ID_UAC_BIT | 2)

static void originate_reporting(struct h *f, uint64_t leg, const char *cid, struct h_inv *k)
{
	Tandem__Originate o = TANDEM__ORIGINATE__INIT;

	o.report_trying = true;
	h_originate(f, leg, cid, SDP_A, &o);
	h_keep(f, k, h_expect_sip(f, &f->callee, "INVITE ", 1000));
}

/* The first 100 becomes RING 100, once; 18x are RINGs as always. */
static void test_report_trying(void **state)
{
	struct h *f = *state;
	struct h_inv k;
	Tandem__LegEvent *ev;

	originate_reporting(f, UAC1, "rt1", &k);
	h_callee_respond(f, &k, 100, "Trying", NULL, NULL);
	ev = h_expect_event(f, TANDEM__EVENT_TYPE__RING, UAC1);
	assert_int_equal(ev->code, 100);
	assert_string_equal(ev->reason, "Trying");
	assert_int_equal(ev->origin, TANDEM__ORIGIN__CALLEE);
	assert_null(ev->body);
	assert_true(ev->time_us > 0);
	assert_int_equal(leg_by_id(f->sd, UAC1)->state, LEG_TRYING);
	h_callee_respond(f, &k, 100, "Trying", NULL, NULL);
	assert_true(h_no_event(f, TANDEM__EVENT_TYPE__RING, UAC1, 40));
	h_callee_respond(f, &k, 180, "Ringing", NULL, NULL);
	ev = h_expect_event(f, TANDEM__EVENT_TYPE__RING, UAC1);
	assert_int_equal(ev->code, 180);

	/* an 18x first: a later 100 is not reported */
	originate_reporting(f, UAC2, "rt2", &k);
	h_callee_respond(f, &k, 183, "Progress", SDP_B, NULL);
	ev = h_expect_event(f, TANDEM__EVENT_TYPE__RING, UAC2);
	assert_int_equal(ev->code, 183);
	h_callee_respond(f, &k, 100, "Trying", NULL, NULL);
	assert_true(h_no_event(f, TANDEM__EVENT_TYPE__RING, UAC2, 40));

	/* without the flag a 100 says nothing */
	h_originate(f, LEG_ID_UAC_BIT | 3, "rt3", SDP_A, NULL);
	h_keep(f, &k, h_expect_sip(f, &f->callee, "INVITE ", 1000));
	h_callee_respond(f, &k, 100, "Trying", NULL, NULL);
	assert_true(h_no_event(f, TANDEM__EVENT_TYPE__RING, LEG_ID_UAC_BIT | 3, 40));
}

/* A 401 the leg answers itself is a reply too: RING 100, and the 100 to
 * the retried INVITE is not reported again. */
static void test_report_trying_auth(void **state)
{
	struct h *f = *state;
	Tandem__Originate o = TANDEM__ORIGINATE__INIT;
	struct h_inv k;
	Tandem__LegEvent *ev;

	o.report_trying = true;
	o.auth_username = (char *)"u";
	o.auth_password = (char *)"p";
	h_originate(f, UAC1, "rta", SDP_A, &o);
	h_keep(f, &k, h_expect_sip(f, &f->callee, "INVITE ", 1000));
	h_callee_respond(f, &k, 401, "Unauthorized", NULL,
			 "WWW-Authenticate: Digest realm=\"gw\", nonce=\"n\"\n");
	ev = h_expect_event(f, TANDEM__EVENT_TYPE__RING, UAC1);
	assert_int_equal(ev->code, 100);
	h_keep(f, &k, h_expect_sip(f, &f->callee, "INVITE ", 1000));
	h_callee_respond(f, &k, 100, "Trying", NULL, NULL);
	assert_true(h_no_event(f, TANDEM__EVENT_TYPE__RING, UAC1, 40));
	assert_true(h_no_event(f, TANDEM__EVENT_TYPE__FAIL, UAC1, 1));
}

/*
 * op=: the Request-URI names the route's host (a name sigd could not
 * even resolve), the INVITE goes to the proxy (the callee peer here), and
 * so do the ACK, the BYE and the CANCEL, although the callee's Contact
 * points elsewhere (the caller peer stands for "the callee itself").
 */
static void test_outbound_proxy(void **state)
{
	struct h *f = *state;
	Tandem__Originate o = TANDEM__ORIGINATE__INIT;
	Tandem__Message m = TANDEM__MESSAGE__INIT;
	Tandem__Address target = TANDEM__ADDRESS__INIT;
	Tandem__Body b = TANDEM__BODY__INIT;
	struct h_inv k;
	struct sip_msg *msg;
	char contact[96];

	target.host = (char *)"127.0.0.1";
	target.port = f->callee.port;
	o.leg = UAC1;
	o.call_id = (char *)"op1";
	o.request_uri = (char *)"sip:5551234@gw.example.net:5070";
	o.from_uri = (char *)"sip:alice@127.0.0.1";
	o.to_uri = (char *)"sip:5551234@gw.example.net";
	o.target = &target;
	b.content.data = (uint8_t *)SDP_A;
	b.content.len = strlen(SDP_A);
	o.body = &b;
	o.outbound_proxy = true;
	m.body_case = TANDEM__MESSAGE__BODY_ORIGINATE;
	m.originate = &o;
	h_ccd_send(f, &m);
	msg = h_expect_sip(f, &f->callee, "INVITE ", 1000);
	assert_true(pl_eq_str(msg->ruri_pl, "sip:5551234@gw.example.net:5070"));
	assert_null(sip_msg_hdr(msg, SIP_HDR_ROUTE));
	h_keep(f, &k, msg);
	snprintf(contact, sizeof(contact), "Contact: <sip:callee@127.0.0.1:%u>\n", f->caller.port);
	h_send(f, &f->callee, SDP_B,
	       "SIP/2.0 200 OK\nVia: %s\nFrom: %s\nTo: %s;tag=optag\nCall-ID: op1\nCSeq: %u INVITE\n%s",
	       k.via, k.from, k.to, k.cseq, contact);
	msg = h_expect_sip(f, &f->callee, "ACK ", 1000);
	snprintf(contact, sizeof(contact), "sip:callee@127.0.0.1:%u", f->caller.port);
	assert_true(pl_eq_str(msg->ruri_pl, contact));
	h_expect_event(f, TANDEM__EVENT_TYPE__CONNECT, UAC1);
	h_ccd_event(f, UAC1, TANDEM__EVENT_TYPE__DISCONNECT, 0, NULL);
	msg = h_expect_sip(f, &f->callee, "BYE ", 1000);
	assert_true(pl_eq_str(msg->ruri_pl, contact));
	assert_int_equal(h_count(&f->caller, "ACK "), 0);
	assert_int_equal(h_count(&f->caller, "BYE "), 0);

	/* without the flag the target is only the INVITE's next hop: the
	 * ACK follows the Contact */
	o.leg = UAC2;
	o.call_id = (char *)"op2";
	o.outbound_proxy = false;
	h_ccd_send(f, &m);
	h_keep(f, &k, h_expect_sip(f, &f->callee, "INVITE ", 1000));
	snprintf(contact, sizeof(contact), "Contact: <sip:callee@127.0.0.1:%u>\n", f->caller.port);
	h_send(f, &f->callee, SDP_B,
	       "SIP/2.0 200 OK\nVia: %s\nFrom: %s\nTo: %s;tag=optag2\nCall-ID: op2\nCSeq: %u INVITE\n%s",
	       k.via, k.from, k.to, k.cseq, contact);
	h_expect_sip(f, &f->caller, "ACK ", 1000);

	/* a CANCEL goes where its INVITE went: the proxy */
	o.leg = LEG_ID_UAC_BIT | 3;
	o.call_id = (char *)"op3";
	o.outbound_proxy = true;
	h_ccd_send(f, &m);
	h_keep(f, &k, h_expect_sip(f, &f->callee, "INVITE ", 1000));
	h_callee_respond(f, &k, 180, "Ringing", NULL, NULL);
	h_expect_event(f, TANDEM__EVENT_TYPE__RING, o.leg);
	h_ccd_event(f, o.leg, TANDEM__EVENT_TYPE__DISCONNECT, 0, NULL);
	msg = h_expect_sip(f, &f->callee, "CANCEL ", 1000);
	assert_true(pl_eq_str(msg->ruri_pl, "sip:5551234@gw.example.net:5070"));
}

/* ash= / -h headers: written as given; names sigd owns and CR/LF in
 * names or values never make it into the INVITE as headers. */
static void test_extra_headers(void **state)
{
	struct h *f = *state;
	Tandem__Originate o = TANDEM__ORIGINATE__INIT;
	Tandem__Header h[5] = { TANDEM__HEADER__INIT, TANDEM__HEADER__INIT, TANDEM__HEADER__INIT,
				TANDEM__HEADER__INIT, TANDEM__HEADER__INIT };
	Tandem__Header *hp[5] = { &h[0], &h[1], &h[2], &h[3], &h[4] };
	struct sip_msg *m;

	h[0].name = (char *)"P-Asserted-Identity";
	h[0].value = (char *)"<sip:+15551000@example.net>";
	h[1].name = (char *)"X-Account";
	h[1].value = (char *)"42";
	h[2].name = (char *)"Contact";
	h[2].value = (char *)"<sip:evil@192.0.2.66>";
	h[3].name = (char *)"X-Evil";
	h[3].value = (char *)"a\r\nX-Injected: 1";
	h[4].name = (char *)"X-Bad\r\nX-Injected";
	h[4].value = (char *)"2";
	o.extra_headers = hp;
	o.n_extra_headers = 5;
	h_originate(f, UAC1, "xh", SDP_A, &o);
	m = h_expect_sip(f, &f->callee, "INVITE ", 1000);
	assert_string_equal(h_hdr(f, m, "P-Asserted-Identity"), "<sip:+15551000@example.net>");
	assert_string_equal(h_hdr(f, m, "X-Account"), "42");
	assert_int_equal(sip_msg_hdr_count(m, SIP_HDR_CONTACT), 1);
	assert_null(strstr(h_hdr(f, m, "Contact"), "evil"));
	assert_string_equal(h_hdr(f, m, "X-Evil"), "a  X-Injected: 1");
	assert_null(sip_msg_hdr_by_str(m, "X-Injected"));
	assert_null(sip_msg_hdr_by_str(m, "X-Bad"));
	assert_string_equal(h_body(f, m), SDP_A);

	/* the same headers again on the INVITE that answers a 401: they are
	 * kept in the leg for it, and still cannot inject a line */
	struct h_inv k;
	o.auth_username = (char *)"u";
	o.auth_password = (char *)"p";
	h_originate(f, UAC2, "xh2", SDP_A, &o);
	h_keep(f, &k, h_expect_sip(f, &f->callee, "INVITE ", 1000));
	h_callee_respond(f, &k, 401, "Unauthorized", NULL,
			 "WWW-Authenticate: Digest realm=\"gw\", nonce=\"n\"\n");
	m = h_expect_sip(f, &f->callee, "INVITE ", 1000);
	assert_non_null(sip_msg_hdr(m, SIP_HDR_AUTHORIZATION));
	assert_string_equal(h_hdr(f, m, "P-Asserted-Identity"), "<sip:+15551000@example.net>");
	assert_string_equal(h_hdr(f, m, "X-Account"), "42");
	assert_int_equal(sip_msg_hdr_count(m, SIP_HDR_CONTACT), 1);
	assert_string_equal(h_hdr(f, m, "X-Evil"), "a  X-Injected: 1");
	assert_null(sip_msg_hdr_by_str(m, "X-Injected"));
	assert_null(sip_msg_hdr_by_str(m, "X-Bad"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_report_trying, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_report_trying_auth, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_outbound_proxy, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_extra_headers, h_setup_ready, h_teardown_cb),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
