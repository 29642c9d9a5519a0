/*
 * Digest authentication through sigd's legs (test_leg_harness.h):
 *   - ccd's challenge answered by a client exactly as sipp -au/-ap writes
 *     it (captured from sip-tester 3.6): the 401, its ACK, the retried
 *     INVITE (new transaction, same Call-ID, CSeq + 1) becoming a new
 *     answer leg whose TRY carries the credentials and NONCE_VALID;
 *   - nonce verdicts: stale, from another node's slightly fast clock,
 *     foreign; Welcome.nonce_secret shared by the nodes;
 *   - pass-through: a callee's 401/407 relayed with its challenges, the
 *     caller's credentials sent on (Originate.pass_credentials);
 *   - the originate leg answering a 407 itself, with the strongest
 *     algorithm offered, and refusing what it cannot answer.
 */
#include "test_leg_harness.h"

#include <time.h>

#include "digest.h"

#define UAC1 (LEG_ID_UAC_BIT | 1)

/* sipp's uac_auth.xml as the caller peer, -au alice -ap secret. */
static void sipp_invite(struct h *f, unsigned cseq, const char *branch, const char *auth)
{
	h_send(f, &f->caller, SDP_A,
	       "INVITE sip:5552000@127.0.0.1:%u SIP/2.0\n"
	       "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=%s\n"
	       "From: sipp <sip:sipp@127.0.0.1:%u>;tag=4646SIPpTag001\n"
	       "To: 5552000 <sip:5552000@127.0.0.1:%u>\n"
	       "Call-ID: 1-4646@127.0.0.1\n"
	       "CSeq: %u INVITE\n"
	       "Contact: sip:sipp@127.0.0.1:%u\n"
	       "%s%s"
	       "Max-Forwards: 70\n",
	       f->sigd_port, f->caller.port, branch, f->caller.port, f->sigd_port, cseq, f->caller.port,
	       auth ? auth : "", auth ? "\n" : "");
}

/* FAIL with a ChallengeRequest (MD5 when algorithms is empty) to leg. */
static void ccd_challenge(struct h *f, uint64_t leg, const char *realm, bool proxy, bool stale)
{
	Tandem__LegEvent ev = TANDEM__LEG_EVENT__INIT;
	Tandem__ChallengeRequest cr = TANDEM__CHALLENGE_REQUEST__INIT;

	cr.realm = (char *)realm;
	cr.proxy = proxy;
	cr.stale = stale;
	ev.leg = leg;
	ev.type = TANDEM__EVENT_TYPE__FAIL;
	ev.challenge = &cr;
	h_ccd_event_full(f, &ev);
}

static void test_sipp_digest_retry(void **state)
{
	struct h *f = *state;
	struct digest_challenge ch;
	struct sip_msg *m;
	Tandem__LegEvent *ev;
	Tandem__Credentials *c;
	char nonce[64], tag401[64], uri[64], resp[DIGEST_HEX_SIZE], auth[512], check[DIGEST_HEX_SIZE];
	uint64_t first, second;

	sipp_invite(f, 1, "z9hG4bK-4646-1-0", NULL);
	h_expect_sip(f, &f->caller, "SIP/2.0 100 ", 1000);
	ev = h_expect_event(f, TANDEM__EVENT_TYPE__TRY, 0);
	first = ev->leg;
	assert_null(ev->try_->credentials);
	assert_string_equal(ev->try_->cld, "5552000");

	/* ccd wants digest: 401 with our stateless nonce, qop=auth, MD5 */
	ccd_challenge(f, first, "tandem", false, false);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 401 ", 1000);
	assert_true(pl_isset(m->to.tag) && m->to.tag.l > 0);
	pl_strcpy(m->to.tag, tag401, sizeof(tag401));
	assert_int_equal(sip_msg_hdr_count(m, SIP_HDR_WWW_AUTHENTICATE), 1);
	assert_null(digest_parse_challenge(sip_msg_hdr(m, SIP_HDR_WWW_AUTHENTICATE)->value, &ch));
	assert_true(pl_eq_str(ch.realm.s, "tandem"));
	assert_int_equal(ch.algo, DIGEST_ALGO_MD5);
	assert_int_equal(ch.qop, DIGEST_QOP_AUTH);
	assert_false(ch.stale);
	assert_int_equal(ch.nonce.s.l, DIGEST_NONCE_LEN);
	pl_strcpy(ch.nonce.s, nonce, sizeof(nonce));
	assert_int_equal(leg_by_id(f->sd, first)->state, LEG_FAILED);

	/* sipp's ACK: the INVITE's branch, the 401's To tag */
	h_send(f, &f->caller, NULL,
	       "ACK sip:5552000@127.0.0.1:%u SIP/2.0\n"
	       "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-4646-1-0\n"
	       "From: sipp <sip:sipp@127.0.0.1:%u>;tag=4646SIPpTag001\n"
	       "To: 5552000 <sip:5552000@127.0.0.1:%u>;tag=%s\n"
	       "Call-ID: 1-4646@127.0.0.1\nCSeq: 1 ACK\nMax-Forwards: 70\n",
	       f->sigd_port, f->caller.port, f->caller.port, f->sigd_port, tag401);
	/* the 401 is not retransmitted once ACKed */
	h_sleep(f, 4 * H_T1);
	assert_int_equal(h_count(&f->caller, "SIP/2.0 401 "), 1);

	/* the retry, byte for byte as sipp writes it: uri is remote ip:port */
	snprintf(uri, sizeof(uri), "sip:127.0.0.1:%u", f->sigd_port);
	assert_int_equal(digest_compute_response(DIGEST_ALGO_MD5, PL("alice"), PL("tandem"), PL("secret"),
						 PL("INVITE"), pl_from_str(uri), pl_from_str(nonce),
						 PL("6b8b4567"), 1, DIGEST_QOP_AUTH, resp), 32);
	snprintf(auth, sizeof(auth),
		 "Authorization: Digest username=\"alice\",realm=\"tandem\",cnonce=\"6b8b4567\","
		 "nc=00000001,qop=auth,uri=\"%s\",nonce=\"%s\",response=\"%s\",algorithm=MD5",
		 uri, nonce, resp);
	sipp_invite(f, 2, "z9hG4bK-4646-1-5", auth);
	h_expect_sip(f, &f->caller, "SIP/2.0 100 ", 1000);
	ev = h_expect_event(f, TANDEM__EVENT_TYPE__TRY, 0);
	second = ev->leg;
	assert_true(second != first);
	assert_string_equal(ev->try_->call_id, "1-4646@127.0.0.1");
	c = ev->try_->credentials;
	assert_non_null(c);
	assert_false(c->proxy);
	assert_string_equal(c->username, "alice");
	assert_string_equal(c->realm, "tandem");
	assert_string_equal(c->nonce, nonce);
	assert_string_equal(c->uri, uri);
	assert_string_equal(c->response, resp);
	assert_string_equal(c->algorithm, "MD5");
	assert_string_equal(c->cnonce, "6b8b4567");
	assert_string_equal(c->nc, "00000001");
	assert_string_equal(c->qop, "auth");
	assert_string_equal(c->method, "INVITE");
	assert_int_equal(c->nonce_state, TANDEM__NONCE_STATE__NONCE_VALID);
	/* what RADIUS (rlm_digest) computes from the Digest-* attributes */
	assert_int_equal(digest_compute_response(DIGEST_ALGO_MD5, pl_from_str(c->username),
						 pl_from_str(c->realm), PL("secret"),
						 pl_from_str(c->method), pl_from_str(c->uri),
						 pl_from_str(c->nonce), pl_from_str(c->cnonce), 1,
						 DIGEST_QOP_AUTH, check), 32);
	assert_string_equal(check, c->response);

	/* the new leg answers normally, with a tag of its own */
	h_ccd_event(f, second, TANDEM__EVENT_TYPE__RING, 180, NULL);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 180 ", 1000);
	assert_int_equal(m->cseq, 2);
	assert_false(pl_eq_str(m->to.tag, tag401));
	h_ccd_event(f, second, TANDEM__EVENT_TYPE__CONNECT, 200, SDP_B);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 200 ", 1000);
	assert_int_equal(m->cseq, 2);
	assert_int_equal(leg_by_id(f->sd, second)->state, LEG_CONNECTED);
	/* the challenged leg ends on its own; the new one stays */
	Tandem__Message *cl = h_expect_ccd(f, TANDEM__MESSAGE__BODY_CLOSED, 0, first, 2000);
	assert_int_equal(cl->closed->last_state, LEG_FAILED);
	assert_int_equal(leg_by_id(f->sd, second)->state, LEG_CONNECTED);

	/* a 407 (Proxy-Authenticate) with stale=true for a re-challenge */
	uint64_t third = h_caller_invite(f, "auth-proxy", SDP_A);
	ccd_challenge(f, third, "tandem", true, true);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 407 ", 1000);
	assert_null(digest_parse_challenge(sip_msg_hdr(m, SIP_HDR_PROXY_AUTHENTICATE)->value, &ch));
	assert_true(ch.stale);
	assert_null(sip_msg_hdr(m, SIP_HDR_WWW_AUTHENTICATE));
}

/* An INVITE with credentials carrying a nonce made with the secret sigd
 * uses at time ts; returns the nonce state in its TRY. */
static Tandem__NonceState try_nonce(struct h *f, const char *cid, const uint8_t *secret, size_t len,
				    time_t ts)
{
	char nonce[DIGEST_NONCE_SIZE];

	assert_int_equal(digest_nonce_make(secret, len, PL("tandem"), ts, nonce, sizeof(nonce)),
			 DIGEST_NONCE_LEN);
	h_send(f, &f->caller, SDP_A,
	       "INVITE sip:bob@127.0.0.1:%u SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-%s\n"
	       "From: <sip:alice@127.0.0.1>;tag=ft-%s\nTo: <sip:bob@127.0.0.1>\nCall-ID: %s\n"
	       "CSeq: 1 INVITE\nContact: <sip:alice@127.0.0.1:%u>\n"
	       "Proxy-Authorization: Digest username=\"alice\", realm=\"tandem\", nonce=\"%s\", "
	       "uri=\"sip:bob@127.0.0.1\", response=\"0123456789abcdef0123456789abcdef\"\n",
	       f->sigd_port, f->caller.port, cid, cid, cid, f->caller.port, nonce);
	Tandem__LegEvent *ev = h_expect_event(f, TANDEM__EVENT_TYPE__TRY, 0);
	assert_non_null(ev->try_->credentials);
	assert_true(ev->try_->credentials->proxy);
	return ev->try_->credentials->nonce_state;
}

static void welcome_secret(struct h *f, const uint8_t *secret, size_t len)
{
	Tandem__Message m = TANDEM__MESSAGE__INIT;
	Tandem__Welcome w = TANDEM__WELCOME__INIT;

	w.instance = 0xccd;
	w.heartbeat_interval_ms = 1000;
	w.nonce_secret.data = (uint8_t *)secret;
	w.nonce_secret.len = len;
	m.body_case = TANDEM__MESSAGE__BODY_WELCOME;
	m.welcome = &w;
	h_ccd_send(f, &m);
	h_sleep(f, 20);
}

/* The lifetime is 32 s; another node's clock may be 2 s ahead. */
static void test_nonce_lifetime(void **state)
{
	struct h *f = *state;
	const uint8_t *own;
	size_t len;
	time_t now = time(NULL);

	assert_int_equal(LEG_NONCE_LIFETIME, 32);
	legs_nonce_secret(f->sd, &own, &len);
	assert_int_equal(len, 32);
	assert_int_equal(try_nonce(f, "n1", own, len, now - 20), TANDEM__NONCE_STATE__NONCE_VALID);
	assert_int_equal(try_nonce(f, "n2", own, len, now - 40), TANDEM__NONCE_STATE__NONCE_STALE);
	assert_int_equal(try_nonce(f, "n3", own, len, now + 1), TANDEM__NONCE_STATE__NONCE_VALID);
	assert_int_equal(try_nonce(f, "n4", own, len, now + 10), TANDEM__NONCE_STATE__NONCE_STALE);
	assert_int_equal(try_nonce(f, "n5", (const uint8_t *)"some other node's secret!", 25, now),
			 TANDEM__NONCE_STATE__NONCE_FOREIGN);
}

/* Welcome.nonce_secret: every node makes and checks nonces with ccd's
 * secret, so a retry that lands on another node is still recognised. */
static void test_shared_secret(void **state)
{
	struct h *f = *state;
	static const uint8_t shared[32] = "the nodes' shared nonce secret!";
	uint8_t own_copy[32];
	const uint8_t *s;
	struct digest_challenge ch;
	struct sip_msg *m;
	size_t len;
	uint64_t bad = link_stats(f->sd)->bad_msgs;

	legs_nonce_secret(f->sd, &s, &len);
	memcpy(own_copy, s, sizeof(own_copy));
	welcome_secret(f, shared, sizeof(shared));
	legs_nonce_secret(f->sd, &s, &len);
	assert_int_equal(len, sizeof(shared));
	assert_memory_equal(s, shared, sizeof(shared));
	/* a nonce "another node" made with the shared secret: valid here */
	assert_int_equal(try_nonce(f, "s1", shared, sizeof(shared), time(NULL) - 1),
			 TANDEM__NONCE_STATE__NONCE_VALID);
	assert_int_equal(try_nonce(f, "s2", own_copy, sizeof(own_copy), time(NULL)),
			 TANDEM__NONCE_STATE__NONCE_FOREIGN);
	/* and our challenges are made with it */
	uint64_t leg = h_caller_invite(f, "s3", SDP_A);
	ccd_challenge(f, leg, "tandem", false, false);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 401 ", 1000);
	assert_null(digest_parse_challenge(sip_msg_hdr(m, SIP_HDR_WWW_AUTHENTICATE)->value, &ch));
	assert_int_equal(digest_nonce_check(shared, sizeof(shared), PL("tandem"), ch.nonce.s, time(NULL),
					    LEG_NONCE_LIFETIME), DIGEST_NONCE_OK);

	/* a secret of a bad length is refused and the shared one kept */
	welcome_secret(f, shared, 8);
	assert_int_equal(link_stats(f->sd)->bad_msgs, bad + 1);
	legs_nonce_secret(f->sd, &s, &len);
	assert_int_equal(len, sizeof(shared));
	assert_int_equal(legs_set_nonce_secret(f->sd, shared, LEG_NONCE_SECRET_MAX + 1), -1);
	assert_int_equal(legs_set_nonce_secret(f->sd, NULL, 20), -1);
	/* a Welcome without one: back to the node's own */
	welcome_secret(f, NULL, 0);
	legs_nonce_secret(f->sd, &s, &len);
	assert_int_equal(len, sizeof(own_copy));
	assert_memory_equal(s, own_copy, sizeof(own_copy));
	assert_int_equal(try_nonce(f, "s4", shared, sizeof(shared), time(NULL)),
			 TANDEM__NONCE_STATE__NONCE_FOREIGN);
}

/* Pass-through: the callee's 401 goes up with its challenges, ccd relays
 * it as FAIL, the caller gets them all; the caller's credentials then go
 * to the callee as they came. */
static void test_pass_through(void **state)
{
	struct h *f = *state;
	Tandem__LegEvent fail = TANDEM__LEG_EVENT__INIT;
	Tandem__Originate o = TANDEM__ORIGINATE__INIT;
	struct digest_credentials cr;
	struct h_inv k;
	struct sip_msg *m;
	const struct sip_hdr *h;
	char resp[DIGEST_HEX_SIZE], hdr[512];
	uint64_t uas = h_caller_invite(f, "pt", SDP_A);

	h_originate(f, UAC1, "pt-b2b_1", SDP_A, NULL);
	h_keep(f, &k, h_expect_sip(f, &f->callee, "INVITE ", 1000));
	h_callee_respond(f, &k, 401, "Unauthorized", NULL,
			 "WWW-Authenticate: Digest realm=\"gw\", nonce=\"n1\", algorithm=SHA-256, qop=\"auth\"\n"
			 "WWW-Authenticate: Digest realm=\"gw\", nonce=\"n2\", qop=\"auth\"\n");
	h_expect_sip(f, &f->callee, "ACK ", 1000);
	Tandem__LegEvent *ev = h_expect_event(f, TANDEM__EVENT_TYPE__FAIL, UAC1);
	assert_int_equal(ev->code, 401);
	assert_int_equal(ev->n_challenges, 2);
	/* ccd relays it (relay_now: the event as it came, for the other leg) */
	fail = *ev;
	fail.leg = uas;
	h_ccd_event_full(f, &fail);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 401 ", 1000);
	assert_int_equal(sip_msg_hdr_count(m, SIP_HDR_WWW_AUTHENTICATE), 2);
	h = sip_msg_hdr(m, SIP_HDR_WWW_AUTHENTICATE);
	assert_true(pl_eq_str(h->value, "Digest realm=\"gw\", nonce=\"n1\", algorithm=SHA-256, qop=\"auth\""));
	h = sip_msg_hdr_next(m, h);
	assert_true(pl_eq_str(h->value, "Digest realm=\"gw\", nonce=\"n2\", qop=\"auth\""));
	assert_true(pl_eq_str(m->reason, "Unauthorized"));

	/* the caller retries; ccd passes its credentials to a new attempt */
	assert_int_equal(digest_compute_response(DIGEST_ALGO_MD5, PL("alice"), PL("gw"), PL("pw"),
						 PL("INVITE"), PL("sip:bob@gw"), PL("n2"), PL("c0ffee"), 1,
						 DIGEST_QOP_AUTH, resp), 32);
	snprintf(hdr, sizeof(hdr),
		 "Authorization: Digest username=\"alice\", realm=\"gw\", nonce=\"n2\", uri=\"sip:bob@gw\", "
		 "response=\"%s\", qop=auth, nc=00000001, cnonce=\"c0ffee\", opaque=\"op\"\n", resp);
	h_send(f, &f->caller, SDP_A,
	       "INVITE sip:bob@127.0.0.1:%u SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-pt-2\n"
	       "From: \"Alice\" <sip:alice@127.0.0.1>;tag=ftag-pt\nTo: <sip:bob@127.0.0.1>\n"
	       "Call-ID: pt\nCSeq: 2 INVITE\nContact: <sip:alice@127.0.0.1:%u>\n%s",
	       f->sigd_port, f->caller.port, f->caller.port, hdr);
	ev = h_expect_event(f, TANDEM__EVENT_TYPE__TRY, 0);
	assert_non_null(ev->try_->credentials);
	assert_int_equal(ev->try_->credentials->nonce_state, TANDEM__NONCE_STATE__NONCE_FOREIGN);
	o.pass_credentials = ev->try_->credentials;
	h_originate(f, LEG_ID_UAC_BIT | 2, "pt-b2b_2", SDP_A, &o);
	m = h_expect_sip(f, &f->callee, "INVITE ", 1000);
	assert_null(sip_msg_hdr(m, SIP_HDR_PROXY_AUTHORIZATION));
	assert_null(digest_parse_credentials(sip_msg_hdr(m, SIP_HDR_AUTHORIZATION)->value, &cr));
	assert_true(pl_eq_str(cr.username.s, "alice"));
	assert_true(pl_eq_str(cr.uri.s, "sip:bob@gw"));
	assert_true(pl_eq_str(cr.opaque.s, "op"));
	assert_true(pl_eq_str(cr.nc_raw.s, "00000001"));
	assert_true(digest_verify(&cr, PL("INVITE"), PL("pw")));

	/* 407 relayed: Proxy-Authenticate; other codes never carry them */
	uint64_t uas2 = h_caller_invite(f, "pt2", SDP_A);
	char *chs[] = { (char *)"Digest realm=\"p\", nonce=\"x\"", (char *)"" };
	fail = (Tandem__LegEvent)TANDEM__LEG_EVENT__INIT;
	fail.leg = uas2;
	fail.type = TANDEM__EVENT_TYPE__FAIL;
	fail.code = 407;
	fail.challenges = chs;
	fail.n_challenges = 2;
	h_ccd_event_full(f, &fail);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 407 ", 1000);
	assert_int_equal(sip_msg_hdr_count(m, SIP_HDR_PROXY_AUTHENTICATE), 1);
	assert_null(sip_msg_hdr(m, SIP_HDR_WWW_AUTHENTICATE));
	uint64_t uas3 = h_caller_invite(f, "pt3", SDP_A);
	fail.leg = uas3;
	fail.code = 403;
	h_ccd_event_full(f, &fail);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 403 ", 1000);
	assert_null(sip_msg_hdr(m, SIP_HDR_PROXY_AUTHENTICATE));
	assert_null(sip_msg_hdr(m, SIP_HDR_WWW_AUTHENTICATE));
	/* a 401 without challenges stays a bare 401 (ccd's choice) */
	uint64_t uas4 = h_caller_invite(f, "pt4", SDP_A);
	fail.leg = uas4;
	fail.code = 401;
	fail.n_challenges = 0;
	h_ccd_event_full(f, &fail);
	m = h_expect_sip(f, &f->caller, "SIP/2.0 401 ", 1000);
	assert_null(sip_msg_hdr(m, SIP_HDR_WWW_AUTHENTICATE));
}

/* Originate credentials answer a 407 with Proxy-Authorization, picking
 * the strongest algorithm; a challenge it cannot answer is a FAIL. */
static void test_uac_proxy_auth(void **state)
{
	struct h *f = *state;
	Tandem__Originate o = TANDEM__ORIGINATE__INIT;
	struct digest_credentials cr;
	struct h_inv k;
	struct sip_msg *m;
	char ruri[64];

	o.auth_username = (char *)"gwuser";
	o.auth_password = (char *)"gwpass";
	h_originate(f, UAC1, "pa", SDP_A, &o);
	h_keep(f, &k, h_expect_sip(f, &f->callee, "INVITE ", 1000));
	h_callee_respond(f, &k, 407, "Proxy Authentication Required", NULL,
			 "Proxy-Authenticate: Digest realm=\"px\", nonce=\"m\", qop=\"auth\"\n"
			 "Proxy-Authenticate: Digest realm=\"px\", nonce=\"s\", algorithm=SHA-256, qop=\"auth\"\n"
			 "Proxy-Authenticate: Digest realm=\"px\", nonce=\"u\", algorithm=FOO\n");
	h_expect_sip(f, &f->callee, "ACK ", 1000);
	m = h_expect_sip(f, &f->callee, "INVITE ", 1000);
	assert_int_equal(m->cseq, k.cseq + 1);
	assert_false(pl_isset(m->to.tag));
	/* the retry sends the same INVITE again, from what only legs with
	 * credentials keep */
	assert_non_null(leg_uac(leg_by_id(f->sd, UAC1)));
	snprintf(ruri, sizeof(ruri), "sip:bob@127.0.0.1:%u", f->callee.port);
	assert_true(pl_eq_str(m->ruri_pl, ruri));
	assert_int_equal(m->max_forwards, 69);
	assert_true(pl_eq_str(m->from.display, "\"Alice\""));
	assert_string_equal(h_body(f, m), SDP_A);
	assert_null(sip_msg_hdr(m, SIP_HDR_AUTHORIZATION));
	assert_null(digest_parse_credentials(sip_msg_hdr(m, SIP_HDR_PROXY_AUTHORIZATION)->value, &cr));
	assert_int_equal(cr.algo, DIGEST_ALGO_SHA256);
	assert_true(pl_eq_str(cr.nonce.s, "s"));
	assert_true(digest_verify(&cr, PL("INVITE"), PL("gwpass")));
	assert_true(h_no_event(f, TANDEM__EVENT_TYPE__FAIL, UAC1, 20));
	h_keep(f, &k, m);
	h_callee_respond(f, &k, 200, "OK", SDP_B, NULL);
	h_expect_sip(f, &f->callee, "ACK ", 1000);
	h_expect_event(f, TANDEM__EVENT_TYPE__CONNECT, UAC1);

	/* only auth-int offered: nothing to answer with, the 401 goes up */
	h_originate(f, LEG_ID_UAC_BIT | 2, "pa2", SDP_A, &o);
	h_keep(f, &k, h_expect_sip(f, &f->callee, "INVITE ", 1000));
	h_callee_respond(f, &k, 401, "Unauthorized", NULL,
			 "WWW-Authenticate: Digest realm=\"px\", nonce=\"i\", qop=\"auth-int\"\n");
	Tandem__LegEvent *ev = h_expect_event(f, TANDEM__EVENT_TYPE__FAIL, LEG_ID_UAC_BIT | 2);
	assert_int_equal(ev->code, 401);
	assert_int_equal(ev->n_challenges, 1);
	assert_true(h_no_sip(f, &f->callee, "INVITE ", 30));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sipp_digest_retry, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_nonce_lifetime, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_shared_secret, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_pass_through, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_uac_proxy_auth, h_setup_ready, h_teardown_cb),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
