/*
 * Client transactions (RFC 3261 §17.1, RFC 6026, §9.1 CANCEL): requests
 * sent through the real layer to a raw UDP peer playing the UAS, which
 * answers by hand; T1 = 20 ms, T2 = 80 ms.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_tsx_harness.h"

static char req_buf[4096];

/* A request from sigd to peer 0, with two Route headers. */
static const char *make_request(const char *method, const char *branch, unsigned cseq)
{
	snprintf(req_buf, sizeof(req_buf),
		 "%s sip:bob@%s SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=%s;rport\r\n"
		 "Route: <sip:p1.example.com;lr>\r\n"
		 "Route: <sip:p2.example.com;lr>\r\n"
		 "Max-Forwards: 69\r\n"
		 "From: <sip:alice@example.com>;tag=uac-tag\r\n"
		 "To: \"Bob\" <sip:bob@example.com>\r\n"
		 "Call-ID: cid-%s\r\n"
		 "CSeq: %u %s\r\n"
		 "Contact: <sip:alice@127.0.0.1>\r\n"
		 "Content-Length: 0\r\n\r\n",
		 method, H.peer_host[0], branch, branch, cseq, method);
	return req_buf;
}

static struct tsx *send_request(const char *method, enum sip_method id, const char *branch)
{
	const char *r = make_request(method, branch, 10);

	H.client = tsx_client_send(&H.sd, &h_owner, &H, &H.peer_addr[0], r, strlen(r), id,
				   pl_from_str(branch));
	assert_non_null(H.client);
	return H.client;
}

/* Timer A doubles from T1 and is capped at T2 (unlike RFC 3261's uncapped
 * A, Sippy's defect); timer B at 64*T1 reports a timeout (the UA's 408). */
static void test_invite_timer_a_capped_and_timer_b(void **state)
{
	static const unsigned expect[] = { 20, 40, 80, 80, 80, 80, 80, 80, 80, 80, 80, 80, 80, 80,
					   80, 80, 80 };
	struct tsx *t;
	unsigned n;

	(void)state;
	t = send_request("INVITE", SIP_METHOD_INVITE, "z9hG4bK-A");
	assert_int_equal(tsx_kind(t), TSX_CLIENT_INVITE);
	assert_int_equal(tsx_state(t), TSX_CALLING);
	assert_int_equal(tsx_method(t), SIP_METHOD_INVITE);
	assert_int_equal(tsx_cseq(t), 10);
	assert_true(pl_eq_str(tsx_call_id(t), "cid-z9hG4bK-A"));
	assert_ptr_equal(tsx_owner(t), &H);
	{
		struct netaddr peer = tsx_peer(t);

		assert_true(netaddr_eq(&peer, &H.peer_addr[0]));
	}
	H_UNTIL(H.timeouts == 1, T64 + 2000);
	/* B counts from the first send, however late the retransmissions were */
	assert_true(h_now_ms() - H.q[0].t_ms >= T64 - 5);
	n = H.nq;
	/* 0, 20, 60, 140, then every 80 ms up to 1260: 18 in all (fewer if the
	 * machine stalls; uncapped it would be 7) */
	assert_in_range(n, 13, 18);
	for (unsigned i = 0; i < n; i++)
		assert_string_equal(H.q[i].buf, req_buf);
	h_check_intervals(H.q, expect, n, 15, 3);
	assert_int_equal(H.responses, 0);
	assert_int_equal(tsx_state(t), TSX_TERMINATED);
	assert_int_equal(H.sd.stats.retransmissions_out, n - 1);
	/* held by its owner until released */
	assert_int_equal(tsx_count(&H.sd, TSX_CLIENT_INVITE), 1);
	tsx_release(t);
	assert_int_equal(tsx_count(&H.sd, TSX_CLIENT_INVITE), 0);
}

/* Timer E: the same doubling capped at T2; timer F: timeout. */
static void test_non_invite_timer_e_and_f(void **state)
{
	static const unsigned expect[] = { 20, 40, 80, 80, 80 };
	struct tsx *t;

	(void)state;
	H.release_on_end = true;
	t = send_request("OPTIONS", SIP_METHOD_OPTIONS, "z9hG4bK-E");
	assert_int_equal(tsx_kind(t), TSX_CLIENT_NON_INVITE);
	assert_int_equal(tsx_state(t), TSX_TRYING);
	H_UNTIL(H.timeouts == 1, T64 + 2000);
	assert_true(h_now_ms() - H.q[0].t_ms >= T64 - 5);
	assert_in_range(H.nq, 13, 18);
	h_check_intervals(H.q, expect, 6, 15, 1);
	/* released from inside on_timeout: freed by the layer */
	assert_int_equal(tsx_count(&H.sd, TSX_CLIENT_NON_INVITE), 0);
}

/* A 1xx moves a non-INVITE to Proceeding, where E fires every T2; the
 * final response moves it to Completed, its retransmissions are absorbed
 * and timer K ends it. */
static void test_non_invite_proceeding_completed_timer_k(void **state)
{
	struct tsx *t;
	unsigned before;

	(void)state;
	t = send_request("BYE", SIP_METHOD_BYE, "z9hG4bK-K");
	h_reply(0, h_next(), 100, NULL);
	h_run(10);
	assert_int_equal(tsx_state(t), TSX_PROCEEDING);
	assert_int_equal(H.responses, 1);
	assert_int_equal(H.status[0], 100);
	/* the retransmissions go on, at T2 once they reach it */
	h_drain();
	h_run(4 * T2 + 60);
	before = H.nq - H.rd;
	assert_in_range(before, 3, 6);
	for (unsigned i = H.rd + 1; i < H.nq; i++) {
		int64_t gap = H.q[i].t_ms - H.q[i - 1].t_ms;

		/* 40 or 80 while doubling, then T2 */
		assert_in_range(gap, 30, T2 + 60);
	}
	h_reply(0, h_next(), 200, "uas-tag");
	h_run(10);
	assert_int_equal(tsx_state(t), TSX_COMPLETED);
	assert_int_equal(H.responses, 2);
	assert_int_equal(H.status[1], 200);
	h_drain();
	/* the 200 again: absorbed */
	h_reply(0, &H.q[0], 200, "uas-tag");
	h_quiet(T2 + 20);
	assert_int_equal(H.responses, 2);
	H_QUIET_UNTIL(tsx_state(t) == TSX_TERMINATED, T4 + 2000);
	/* K: the owner, still holding it, hears it is done */
	assert_int_equal(H.dones, 1);
	assert_int_equal(H.timeouts, 0);
	tsx_release(t);
	assert_int_equal(tsx_count(&H.sd, TSX_CLIENT_NON_INVITE), 0);
}

/* 1xx: Proceeding, no more retransmissions; 2xx: Accepted (RFC 6026),
 * 2xx retransmissions still reach the owner (it re-sends its ACK); timer
 * M ends it. */
static void test_invite_proceeding_accepted_timer_m(void **state)
{
	struct h_dgram *inv;
	struct tsx *t;

	(void)state;
	t = send_request("INVITE", SIP_METHOD_INVITE, "z9hG4bK-M");
	inv = h_next();
	h_reply(0, inv, 180, "uas-tag");
	h_run(10);
	h_drain();
	assert_int_equal(tsx_state(t), TSX_PROCEEDING);
	h_quiet(T2 + 40);
	h_reply(0, inv, 183, "uas-tag");
	h_reply(0, inv, 200, "uas-tag");
	h_run(10);
	assert_int_equal(tsx_state(t), TSX_ACCEPTED);
	h_reply(0, inv, 200, "uas-tag");
	h_reply(0, inv, 180, "uas-tag");
	h_quiet(20); /* the 2xx's ACK is the owner's business */
	assert_int_equal(H.responses, 4);
	assert_int_equal(H.status[0], 180);
	assert_int_equal(H.status[1], 183);
	assert_int_equal(H.status[2], 200);
	assert_int_equal(H.status[3], 200);
	H_QUIET_UNTIL(tsx_state(t) == TSX_TERMINATED, T64 + 2000);
	assert_int_equal(H.timeouts, 0);
	/* M: done, the owner lets it go (legs hold no timer for this) */
	assert_int_equal(H.dones, 1);
	tsx_release(t);
	assert_int_equal(tsx_count(&H.sd, TSX_CLIENT_INVITE), 0);
}

/* A 2xx frees the INVITE's bytes (Accepted needs the keys alone): the
 * transaction can no longer be cancelled, and it still ends with M. */
static void test_invite_accepted_keeps_no_request(void **state)
{
	struct h_dgram *inv;
	struct tsx *t;

	(void)state;
	t = send_request("INVITE", SIP_METHOD_INVITE, "z9hG4bK-MA");
	inv = h_next();
	h_reply(0, inv, 200, "uas-tag");
	h_run(10);
	assert_int_equal(tsx_state(t), TSX_ACCEPTED);
	tsx_client_cancel(t, PL_NULL);
	h_quiet(3 * T1);	/* no CANCEL, no retransmission */
	assert_int_equal(tsx_count(&H.sd, TSX_CLIENT_NON_INVITE), 0);
	assert_true(pl_eq_str(tsx_call_id(t), "cid-z9hG4bK-MA"));
	H_QUIET_UNTIL(H.dones == 1, T64 + 2000);
	tsx_release(t);
}

/* A non-2xx final: the layer ACKs it (same Request-URI, top Via, Route
 * set, From, Call-ID, CSeq number; To from the response), and again for
 * every retransmission of it, which the owner does not see; timer D. */
static void test_invite_non2xx_ack(void **state)
{
	struct h_dgram *inv, *ack;
	struct tsx *t;
	char line[256];

	(void)state;
	t = send_request("INVITE", SIP_METHOD_INVITE, "z9hG4bK-D");
	inv = h_next();
	h_reply(0, inv, 486, "busy-tag");
	ack = h_next_req("ACK");
	snprintf(line, sizeof(line), "ACK sip:bob@%s SIP/2.0\r\n", H.peer_host[0]);
	assert_memory_equal(ack->buf, line, strlen(line));
	assert_string_equal(h_header(ack, "Via"), "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-D;rport");
	assert_non_null(strstr(ack->buf, "\r\nRoute: <sip:p1.example.com;lr>\r\n"
					 "Route: <sip:p2.example.com;lr>\r\n"));
	assert_string_equal(h_header(ack, "Max-Forwards"), "69");
	assert_string_equal(h_header(ack, "From"), "<sip:alice@example.com>;tag=uac-tag");
	assert_string_equal(h_header(ack, "To"), "\"Bob\" <sip:bob@example.com>;tag=busy-tag");
	assert_string_equal(h_header(ack, "Call-ID"), "cid-z9hG4bK-D");
	assert_string_equal(h_header(ack, "CSeq"), "10 ACK");
	assert_string_equal(h_header(ack, "Content-Length"), "0");
	assert_null(strstr(ack->buf, "Contact"));
	assert_int_equal(tsx_state(t), TSX_COMPLETED);
	assert_int_equal(H.responses, 1);
	assert_int_equal(H.status[0], 486);
	h_quiet(T2 + 20); /* no more INVITE retransmissions */

	h_reply(0, inv, 486, "busy-tag");
	assert_string_equal(h_next()->buf, ack->buf);
	assert_int_equal(H.responses, 1);
	H_QUIET_UNTIL(tsx_state(t) == TSX_TERMINATED, T64 + 2000);
	tsx_release(t);
	assert_int_equal(tsx_count(&H.sd, TSX_CLIENT_INVITE), 0);
}

/* The owner may release from inside the callback of the final response:
 * the transaction still ACKs retransmissions, then frees itself. */
static void test_release_in_callback(void **state)
{
	struct h_dgram *inv;

	(void)state;
	H.release_on_end = true;
	send_request("INVITE", SIP_METHOD_INVITE, "z9hG4bK-R");
	inv = h_next();
	h_reply(0, inv, 503, "t");
	h_next_req("ACK");
	assert_null(H.client);
	h_reply(0, inv, 503, "t");
	assert_memory_equal(h_next()->buf, "ACK ", 4);
	assert_int_equal(H.responses, 1);
	assert_int_equal(tsx_count(&H.sd, TSX_CLIENT_INVITE), 1);
	H_QUIET_UNTIL(tsx_count(&H.sd, TSX_CLIENT_INVITE) == 0, T64 + 2000);
}

/* Cancelling in Calling defers the CANCEL until a provisional arrives;
 * then it goes with the INVITE's branch, Request-URI, Route set, From, To,
 * Call-ID, CSeq number and the Reason; the owner sees the INVITE's
 * responses only. */
static void test_cancel_deferred_until_1xx(void **state)
{
	struct h_dgram *inv, *cancel;
	struct tsx *t;
	char line[256];

	(void)state;
	t = send_request("INVITE", SIP_METHOD_INVITE, "z9hG4bK-C");
	inv = h_next();
	tsx_client_cancel(t, PL("SIP;cause=487;text=\"gone\""));
	tsx_client_cancel(t, PL("SIP;cause=999"));	/* idempotent */
	h_run(3 * T1 + 30);
	while (H.rd < H.nq)
		assert_string_equal(h_next()->buf, inv->buf);	/* only INVITE retransmissions */
	assert_int_equal(tsx_count(&H.sd, TSX_CLIENT_NON_INVITE), 1);

	h_reply(0, inv, 100, NULL);
	cancel = h_next_req("CANCEL");
	snprintf(line, sizeof(line), "CANCEL sip:bob@%s SIP/2.0\r\n", H.peer_host[0]);
	assert_memory_equal(cancel->buf, line, strlen(line));
	assert_string_equal(h_header(cancel, "Via"), "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-C;rport");
	assert_non_null(strstr(cancel->buf, "\r\nRoute: <sip:p1.example.com;lr>\r\n"
					    "Route: <sip:p2.example.com;lr>\r\n"));
	assert_string_equal(h_header(cancel, "From"), "<sip:alice@example.com>;tag=uac-tag");
	assert_string_equal(h_header(cancel, "To"), "\"Bob\" <sip:bob@example.com>");
	assert_string_equal(h_header(cancel, "Call-ID"), "cid-z9hG4bK-C");
	assert_string_equal(h_header(cancel, "CSeq"), "10 CANCEL");
	assert_string_equal(h_header(cancel, "Reason"), "SIP;cause=487;text=\"gone\"");
	assert_int_equal(tsx_state(t), TSX_PROCEEDING);

	h_reply(0, cancel, 200, "uas-tag");
	h_reply(0, inv, 487, "uas-tag");
	/* a CANCEL retransmission may cross its 200 */
	assert_string_equal(h_header(h_next_req("ACK"), "CSeq"), "10 ACK");
	assert_int_equal(H.responses, 2);
	assert_int_equal(H.status[0], 100);
	assert_int_equal(H.status[1], 487);
	h_quiet(T2 + 20);
	tsx_release(t);
	/* the CANCEL transaction belongs to the layer: gone after timer K */
	H_QUIET_UNTIL(tsx_count(&H.sd, TSX_CLIENT_NON_INVITE) == 0, T4 + 2000);
}

/* A final response before any provisional: the CANCEL is never sent. */
static void test_cancel_not_sent_after_final(void **state)
{
	struct h_dgram *inv;
	struct tsx *t;

	(void)state;
	t = send_request("INVITE", SIP_METHOD_INVITE, "z9hG4bK-N");
	inv = h_next();
	tsx_client_cancel(t, PL_NULL);
	h_reply(0, inv, 486, "t");
	h_run(10);
	while (H.rd < H.nq) {
		struct h_dgram *d = h_next();

		assert_true(strncmp(d->buf, "ACK ", 4) == 0 || strcmp(d->buf, inv->buf) == 0);
	}
	h_quiet(T2 + 40);
	assert_int_equal(tsx_count(&H.sd, TSX_CLIENT_NON_INVITE), 0);
	/* and a 1xx after the final changes nothing */
	h_reply(0, inv, 180, "t");
	h_quiet(20);
	assert_int_equal(H.responses, 1);
	tsx_client_cancel(t, PL_NULL);
	h_quiet(20);
	tsx_release(t);
}

/* Cancelling in Proceeding sends at once; if the INVITE never gets its
 * final response, it is given up 64*T1 later (§9.1) with a timeout. */
static void test_cancel_in_proceeding_then_timeout(void **state)
{
	struct h_dgram *inv, *cancel;
	struct tsx *t;

	(void)state;
	H.release_on_end = true;
	t = send_request("INVITE", SIP_METHOD_INVITE, "z9hG4bK-P");
	inv = h_next();
	h_reply(0, inv, 180, "t");
	h_run(10);
	h_drain();
	tsx_client_cancel(t, PL("Reason: SIP;cause=480"));
	cancel = h_next_req("CANCEL");
	assert_memory_equal(cancel->buf, "CANCEL ", 7);
	assert_string_equal(h_header(cancel, "Reason"), "SIP;cause=480");
	h_reply(0, cancel, 200, "t");
	H_UNTIL(H.timeouts == 1, T64 + 2000);
	assert_int_equal(tsx_count(&H.sd, TSX_CLIENT_INVITE), 0);
	/* the CANCEL's own transaction ended on its own */
	assert_int_equal(tsx_count(&H.sd, TSX_CLIENT_NON_INVITE), 0);
}

/* A released INVITE left in Proceeding still ends 64*T1 later, silently. */
static void test_released_in_proceeding(void **state)
{
	struct tsx *t;

	(void)state;
	t = send_request("INVITE", SIP_METHOD_INVITE, "z9hG4bK-L");
	h_reply(0, h_next(), 180, "t");
	h_run(10);
	tsx_release(t);
	H_QUIET_UNTIL(tsx_count(&H.sd, TSX_CLIENT_INVITE) == 0, T64 + 2000);
	assert_int_equal(H.timeouts, 0);

	/* released in Calling: 1xx, then the same */
	t = send_request("INVITE", SIP_METHOD_INVITE, "z9hG4bK-L2");
	tsx_release(t);
	h_reply(0, h_next(), 100, NULL);
	H_UNTIL(tsx_count(&H.sd, TSX_CLIENT_INVITE) == 0, T64 + 2000);
	assert_int_equal(H.responses, 1);
}

/* A deferred CANCEL of an INVITE that times out is dropped with it. */
static void test_cancel_deferred_then_timer_b(void **state)
{
	struct tsx *t;

	(void)state;
	H.release_on_end = true;
	t = send_request("INVITE", SIP_METHOD_INVITE, "z9hG4bK-B");
	tsx_client_cancel(t, PL_NULL);
	H_UNTIL(H.timeouts == 1, T64 + 2000);
	assert_int_equal(tsx_count(&H.sd, TSX_CLIENT_INVITE), 0);
	assert_int_equal(tsx_count(&H.sd, TSX_CLIENT_NON_INVITE), 0);
	while (H.rd < H.nq)
		assert_memory_equal(h_next()->buf, "INVITE ", 7);
}

/* Responses that match no transaction are counted and dropped. */
static void test_stray_responses(void **state)
{
	struct h_dgram *inv;

	(void)state;
	send_request("OPTIONS", SIP_METHOD_OPTIONS, "z9hG4bK-S");
	inv = h_next();
	h_sendf(0,
		"SIP/2.0 200 OK\r\n"
		"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-unknown\r\n"
		"From: <sip:alice@example.com>;tag=uac-tag\r\nTo: <sip:bob@example.com>;tag=x\r\n"
		"Call-ID: cid-z9hG4bK-S\r\nCSeq: 10 OPTIONS\r\nContent-Length: 0\r\n\r\n");
	/* right branch, wrong method */
	h_sendf(0,
		"SIP/2.0 200 OK\r\n"
		"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-S\r\n"
		"From: <sip:alice@example.com>;tag=uac-tag\r\nTo: <sip:bob@example.com>;tag=x\r\n"
		"Call-ID: cid-z9hG4bK-S\r\nCSeq: 10 INFO\r\nContent-Length: 0\r\n\r\n");
	/* no branch */
	h_sendf(0,
		"SIP/2.0 200 OK\r\n"
		"Via: SIP/2.0/UDP 127.0.0.1:5060\r\n"
		"From: <sip:alice@example.com>;tag=uac-tag\r\nTo: <sip:bob@example.com>;tag=x\r\n"
		"Call-ID: cid-z9hG4bK-S\r\nCSeq: 10 OPTIONS\r\nContent-Length: 0\r\n\r\n");
	h_run(20);
	assert_int_equal(H.sd.stats.stray_responses, 3);
	assert_int_equal(H.sd.stats.responses_in, 3);
	assert_int_equal(H.responses, 0);
	h_reply(0, inv, 200, "x");
	h_run(10);
	assert_int_equal(H.responses, 1);
	assert_int_equal(H.sd.stats.stray_responses, 3);
	tsx_release(H.client);
}

/* What tsx_client_send refuses: bytes that do not parse, a method or
 * branch that is not the request's, ACK, a duplicate branch, an empty
 * request, a destination it cannot send to. */
static void test_client_send_refusals(void **state)
{
	struct netaddr v6;
	const char *r;

	(void)state;
	assert_null(tsx_client_send(&H.sd, &h_owner, &H, &H.peer_addr[0], "garbage", 7,
				    SIP_METHOD_OPTIONS, PL("z9hG4bK-x")));
	r = make_request("OPTIONS", "z9hG4bK-x", 1);
	assert_null(tsx_client_send(&H.sd, &h_owner, &H, &H.peer_addr[0], r, strlen(r),
				    SIP_METHOD_INFO, PL("z9hG4bK-x")));
	assert_null(tsx_client_send(&H.sd, &h_owner, &H, &H.peer_addr[0], r, strlen(r),
				    SIP_METHOD_OPTIONS, PL("z9hG4bK-y")));
	assert_null(tsx_client_send(&H.sd, &h_owner, &H, &H.peer_addr[0], r, 0,
				    SIP_METHOD_OPTIONS, PL("z9hG4bK-x")));
	assert_null(tsx_client_send(&H.sd, &h_owner, &H, &H.peer_addr[0], r, strlen(r),
				    SIP_METHOD_OPTIONS, PL_NULL));
	assert_null(tsx_client_send(&H.sd, &h_owner, &H, NULL, r, strlen(r),
				    SIP_METHOD_OPTIONS, PL("z9hG4bK-x")));
	r = make_request("ACK", "z9hG4bK-a", 1);
	assert_null(tsx_client_send(&H.sd, &h_owner, &H, &H.peer_addr[0], r, strlen(r),
				    SIP_METHOD_ACK, PL("z9hG4bK-a")));
	/* the only socket is IPv4 */
	netaddr_from_host(&v6, PL("::1"), 5060);
	r = make_request("OPTIONS", "z9hG4bK-6", 1);
	assert_null(tsx_client_send(&H.sd, &h_owner, &H, &v6, r, strlen(r), SIP_METHOD_OPTIONS,
				    PL("z9hG4bK-6")));
	assert_int_equal(H.sd.stats.send_errors, 1);
	send_request("OPTIONS", SIP_METHOD_OPTIONS, "z9hG4bK-dup");
	r = make_request("OPTIONS", "z9hG4bK-dup", 1);
	assert_null(tsx_client_send(&H.sd, &h_owner, &H, &H.peer_addr[0], r, strlen(r),
				    SIP_METHOD_OPTIONS, PL("z9hG4bK-dup")));
	assert_int_equal(tsx_count(&H.sd, TSX_CLIENT_NON_INVITE), 1);
	/* cancel of what is not a client INVITE is ignored */
	tsx_client_cancel(H.client, PL_NULL);
	tsx_client_cancel(NULL, PL_NULL);
	h_run(10);
	assert_int_equal(tsx_count(&H.sd, TSX_CLIENT_NON_INVITE), 1);
	tsx_release(H.client);
}

/* An extension method: matched by name. */
static void test_extension_method(void **state)
{
	struct h_dgram *d;

	(void)state;
	send_request("FOO", SIP_METHOD_OTHER, "z9hG4bK-foo");
	d = h_next();
	h_reply(0, d, 200, "x");
	h_run(10);
	assert_int_equal(H.responses, 1);
	assert_int_equal(tsx_method(H.client), SIP_METHOD_OTHER);
	tsx_release(H.client);
}

/* Shutdown with transactions in every state: all freed (ASan). */
static void test_free_with_live_transactions(void **state)
{
	struct tsx *t;

	(void)state;
	send_request("OPTIONS", SIP_METHOD_OPTIONS, "z9hG4bK-f1");
	t = send_request("INVITE", SIP_METHOD_INVITE, "z9hG4bK-f2");
	tsx_client_cancel(t, PL_NULL);	/* deferred CANCEL too */
	t = send_request("INVITE", SIP_METHOD_INVITE, "z9hG4bK-f3");
	tsx_release(t);
	h_run(10);
	assert_int_equal(tsx_count(&H.sd, TSX_CLIENT_INVITE), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_invite_timer_a_capped_and_timer_b, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_non_invite_timer_e_and_f, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_non_invite_proceeding_completed_timer_k, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_invite_proceeding_accepted_timer_m, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_invite_accepted_keeps_no_request, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_invite_non2xx_ack, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_release_in_callback, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_cancel_deferred_until_1xx, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_cancel_not_sent_after_final, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_cancel_in_proceeding_then_timeout, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_released_in_proceeding, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_cancel_deferred_then_timer_b, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_stray_responses, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_client_send_refusals, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_extension_method, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_free_with_live_transactions, h_setup, h_teardown),
	};

	log_init("test_tsx_client");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
