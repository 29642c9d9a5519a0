/*
 * Server transactions (RFC 3261 §17.2, RFC 6026, §9.2 CANCEL, §8.2.2.2
 * merged requests, RFC 3581 Via): the real transport and transaction
 * layer on a loop, a raw UDP peer playing the client, T1 = 20 ms.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_tsx_harness.h"

#include "sigd/tsx_priv.h"	/* the limit of live transactions */

/* A non-INVITE answered at once: the response, its retransmission for
 * every retransmitted request, timer J, then a new transaction. */
static void test_non_invite_completed_and_timer_j(void **state)
{
	struct h_dgram *d;
	char first[H_DGRAM + 1];
	char via[256];

	(void)state;
	H.auto_code = 200;
	h_request("OPTIONS", "z9hG4bK-o1", "cid-o1", NULL, 7, "");
	d = h_next();
	assert_int_equal(h_status(d), 200);
	memcpy(first, d->buf, d->len + 1);
	snprintf(via, sizeof(via), "SIP/2.0/UDP %s;branch=z9hG4bK-o1;rport=%u;received=127.0.0.1",
		 H.peer_host[0], netaddr_port(&H.peer_addr[0]));
	assert_string_equal(h_header(d, "Via"), via);
	assert_string_equal(h_header(d, "From"), "\"Alice\" <sip:alice@example.com>;tag=ftag-1");
	assert_string_equal(h_header(d, "To"), "<sip:svc@example.com>;tag=uas-tag");
	assert_string_equal(h_header(d, "Call-ID"), "cid-o1");
	assert_string_equal(h_header(d, "CSeq"), "7 OPTIONS");
	assert_string_equal(h_header(d, "Content-Length"), "0");
	assert_int_equal(H.requests, 1);
	assert_string_equal(H.req_method, "OPTIONS");
	assert_int_equal(tsx_state(H.req_tsx), TSX_COMPLETED);
	assert_int_equal(tsx_kind(H.req_tsx), TSX_SERVER_NON_INVITE);
	assert_int_equal(tsx_method(H.req_tsx), SIP_METHOD_OPTIONS);
	assert_int_equal(tsx_cseq(H.req_tsx), 7);
	assert_true(pl_eq_str(tsx_call_id(H.req_tsx), "cid-o1"));
	{
		struct netaddr peer = tsx_peer(H.req_tsx);

		assert_true(netaddr_eq(&peer, &H.peer_addr[0]));
	}
	assert_int_equal(tsx_respond(H.req_tsx, 500, PL_NULL, PL_NULL), -1);

	/* retransmission: same bytes again, the TU hears nothing */
	h_request("OPTIONS", "z9hG4bK-o1", "cid-o1", NULL, 7, "");
	d = h_next();
	assert_string_equal(d->buf, first);
	assert_int_equal(H.requests, 1);
	assert_int_equal(H.sd.stats.retransmissions_absorbed, 1);
	assert_int_equal(H.sd.stats.retransmissions_out, 1);

	/* timer J: the transaction goes; the same request is new again */
	assert_int_equal(tsx_count(&H.sd, TSX_SERVER_NON_INVITE), 1);
	H_QUIET_UNTIL(tsx_count(&H.sd, TSX_SERVER_NON_INVITE) == 0, T64 + 2000);
	h_request("OPTIONS", "z9hG4bK-o1", "cid-o1", NULL, 7, "");
	assert_int_equal(h_status(h_next()), 200);
	assert_int_equal(H.requests, 2);
}

/* Trying absorbs silently; Proceeding re-sends the provisional; a second
 * final is refused. */
static void test_non_invite_trying_then_proceeding(void **state)
{
	struct tsx *t;

	(void)state;
	h_request("INFO", "z9hG4bK-i1", "cid-i1", "peer-tag", 3, "");
	h_run(30);
	assert_int_equal(H.requests, 1);
	t = H.req_tsx;
	assert_int_equal(tsx_state(t), TSX_TRYING);
	h_request("INFO", "z9hG4bK-i1", "cid-i1", "peer-tag", 3, "");
	h_quiet(30);
	assert_int_equal(H.sd.stats.retransmissions_absorbed, 1);

	assert_int_equal(tsx_respond(t, 100, PL_NULL, PL_NULL), 0);
	assert_int_equal(h_status(h_next()), 100);
	assert_int_equal(tsx_state(t), TSX_PROCEEDING);
	h_request("INFO", "z9hG4bK-i1", "cid-i1", "peer-tag", 3, "");
	assert_int_equal(h_status(h_next()), 100);

	/* the request had a To tag: none is added */
	assert_int_equal(tsx_respond(t, 200, PL_NULL, PL("ignored")), 0);
	{
		struct h_dgram *d = h_next();

		assert_int_equal(h_status(d), 200);
		assert_string_equal(h_header(d, "To"), "<sip:svc@example.com>;tag=peer-tag");
	}
	assert_int_equal(tsx_state(t), TSX_COMPLETED);
	assert_int_equal(tsx_respond(t, 200, PL_NULL, PL_NULL), -1);
	assert_int_equal(H.requests, 1);
}

/* A TU-built response: the prefix from tsx_response_begin, then its own
 * headers and body. Out-of-range codes and an empty buffer are refused. */
static void test_response_begin_with_own_headers(void **state)
{
	struct sip_writer w;
	struct h_dgram *d;
	char buf[2048];
	int n;

	(void)state;
	h_request("MESSAGE", "z9hG4bK-m1", "cid-m1", NULL, 1, "");
	h_run(30);
	assert_non_null(H.req_tsx);
	assert_int_equal(tsx_send_response(H.req_tsx, "x", 1, 99), -1);
	assert_int_equal(tsx_send_response(H.req_tsx, "x", 1, 700), -1);
	assert_int_equal(tsx_send_response(H.req_tsx, buf, 0, 200), -1);
	sip_w_init(&w, buf, sizeof(buf));
	tsx_response_begin(H.req_tsx, &w, 202, PL("Taken"), PL("t-202"));
	sip_w_header(&w, PL("Server"), PL("tandem-test"));
	n = sip_w_finish(&w, PL("text/plain"), PL("hello"));
	assert_true(n > 0);
	assert_int_equal(tsx_send_response(H.req_tsx, buf, (size_t)n, 202), 0);
	d = h_next();
	assert_int_equal(h_status(d), 202);
	assert_non_null(strstr(d->buf, "SIP/2.0 202 Taken\r\n"));
	assert_string_equal(h_header(d, "To"), "<sip:svc@example.com>;tag=t-202");
	assert_string_equal(h_header(d, "Server"), "tandem-test");
	assert_non_null(strstr(d->buf, "\r\n\r\nhello"));
	/* NULL and client transactions are not servers */
	tsx_response_begin(NULL, &w, 200, PL_NULL, PL_NULL);
	assert_int_equal(tsx_send_response(NULL, buf, 10, 200), -1);
	assert_int_equal(tsx_respond(NULL, 200, PL_NULL, PL_NULL), -1);
}

/* A non-INVITE the TU never answers times out after 64*T1 and goes. */
static void test_non_invite_unanswered_times_out(void **state)
{
	(void)state;
	h_request("OPTIONS", "z9hG4bK-u1", "cid-u1", NULL, 1, "");
	h_run(30);
	assert_int_equal(tsx_count(&H.sd, TSX_SERVER_NON_INVITE), 1);
	H_QUIET_UNTIL(tsx_count(&H.sd, TSX_SERVER_NON_INVITE) == 0, T64 + 2000);
}

/* An adopted one stays allocated after timing out, until released; a late
 * response is refused. */
static void test_adopted_unanswered_kept_until_release(void **state)
{
	struct tsx *t;

	(void)state;
	H.adopt = true;
	h_request("OPTIONS", "z9hG4bK-u2", "cid-u2", NULL, 1, "");
	h_run(30);
	t = H.req_tsx;
	assert_ptr_equal(tsx_owner(t), &H);
	H_QUIET_UNTIL(tsx_state(t) == TSX_TERMINATED, T64 + 2000);
	assert_int_equal(tsx_count(&H.sd, TSX_SERVER_NON_INVITE), 1);
	/* no longer matched: the retransmission is a new request */
	h_request("OPTIONS", "z9hG4bK-u2", "cid-u2", NULL, 1, "");
	h_run(30);
	assert_int_equal(H.requests, 2);
	assert_ptr_not_equal(H.req_tsx, t);
	assert_int_equal(tsx_respond(t, 100, PL_NULL, PL_NULL), -1);
	assert_int_equal(tsx_respond(t, 200, PL_NULL, PL_NULL), -1);
	h_quiet(20);
	tsx_release(t);
	assert_int_equal(tsx_count(&H.sd, TSX_SERVER_NON_INVITE), 1);
	tsx_release(NULL);
}

/* INVITE: provisional re-sent on retransmission; a non-2xx is
 * retransmitted by timer G (T1 doubling, capped at T2) until timer H. */
static void test_invite_timer_g_capped_and_timer_h(void **state)
{
	static const unsigned expect[] = { 20, 40, 80, 80, 80, 80, 80, 80, 80, 80, 80, 80, 80, 80,
					   80, 80, 80 };
	struct tsx *t;
	unsigned first, n;

	(void)state;
	H.adopt = true;
	h_request("INVITE", "z9hG4bK-g1", "cid-g1", NULL, 1, "");
	h_run(30);
	t = H.req_tsx;
	assert_int_equal(tsx_kind(t), TSX_SERVER_INVITE);
	assert_int_equal(tsx_state(t), TSX_PROCEEDING);
	h_quiet(10); /* the layer sends no 100 itself */
	assert_int_equal(tsx_respond(t, 180, PL_NULL, PL("uas-tag")), 0);
	assert_int_equal(h_status(h_next()), 180);
	h_request("INVITE", "z9hG4bK-g1", "cid-g1", NULL, 1, "");
	assert_int_equal(h_status(h_next()), 180);
	assert_int_equal(H.requests, 1);

	assert_int_equal(tsx_respond(t, 486, PL_NULL, PL("uas-tag")), 0);
	assert_int_equal(tsx_state(t), TSX_COMPLETED);
	first = H.rd;
	H_UNTIL(H.ack_timeouts == 1, T64 + 2000);
	/* H counts from the first send of the 486 */
	assert_true(h_now_ms() - H.q[first].t_ms >= T64 - 5);
	n = H.nq - first;
	/* 0, 20, 60, 140, then every 80 ms up to 1260: 18 in all (fewer if
	 * the machine stalls; uncapped it would be 7) */
	assert_in_range(n, 13, 18);
	for (unsigned i = first; i < H.nq; i++)
		assert_int_equal(h_status(&H.q[i]), 486);
	h_check_intervals(&H.q[first], expect, n, 15, 3);
	assert_int_equal(H.ack_timeouts, 1);
	assert_ptr_equal(H.ack_timeout_tsx, t);
	assert_int_equal(tsx_state(t), TSX_TERMINATED);
	h_drain();
	/* adopted: still there until released */
	assert_int_equal(tsx_count(&H.sd, TSX_SERVER_INVITE), 1);
	tsx_release(t);
	assert_int_equal(tsx_count(&H.sd, TSX_SERVER_INVITE), 0);
}

/* The ACK stops the retransmissions (Confirmed), retransmissions of the
 * INVITE and the ACK are absorbed silently, timer I ends it. */
static void test_invite_ack_confirmed_timer_i(void **state)
{
	struct tsx *t;

	(void)state;
	H.auto_code = 486;
	h_request("INVITE", "z9hG4bK-c1", "cid-c1", NULL, 1, "");
	assert_int_equal(h_status(h_next()), 486);
	t = H.req_tsx;
	h_sendf(0,
		"ACK sip:svc@example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP %s;branch=z9hG4bK-c1;rport\r\n"
		"Max-Forwards: 70\r\n"
		"From: \"Alice\" <sip:alice@example.com>;tag=ftag-1\r\n"
		"To: <sip:svc@example.com>;tag=uas-tag\r\n"
		"Call-ID: cid-c1\r\n"
		"CSeq: 1 ACK\r\n"
		"Content-Length: 0\r\n\r\n", H.peer_host[0]);
	h_run(10);
	h_drain(); /* at most one G retransmission crossed the ACK */
	assert_int_equal(tsx_state(t), TSX_CONFIRMED);
	assert_int_equal(tsx_count(&H.sd, TSX_SERVER_INVITE), 1);
	h_request("INVITE", "z9hG4bK-c1", "cid-c1", NULL, 1, "");
	h_request("ACK", "z9hG4bK-c1", "cid-c1", "uas-tag", 1, "");
	h_quiet(50);
	assert_int_equal(H.acks, 0);
	assert_int_equal(H.requests, 1);
	assert_int_equal(H.sd.stats.retransmissions_absorbed, 2);
	H_QUIET_UNTIL(tsx_count(&H.sd, TSX_SERVER_INVITE) == 0, T4 + 2000);
}

/* 2xx: Accepted (RFC 6026), the INVITE's retransmissions absorbed without
 * a response, every ACK to the TU, timer L ends it. */
static void test_invite_2xx_accepted_timer_l(void **state)
{
	(void)state;
	H.auto_code = 200;
	h_request("INVITE", "z9hG4bK-a1", "cid-a1", NULL, 1, "");
	assert_int_equal(h_status(h_next()), 200);
	assert_int_equal(tsx_state(H.req_tsx), TSX_ACCEPTED);
	assert_int_equal(tsx_respond(H.req_tsx, 200, PL_NULL, PL("uas-tag")), -1);
	h_request("INVITE", "z9hG4bK-a1", "cid-a1", NULL, 1, "");
	h_quiet(30);
	assert_int_equal(H.requests, 1);
	/* ACK on the INVITE's branch (as RFC 2543 clients do) and on a new one */
	h_request("ACK", "z9hG4bK-a1", "cid-a1", "uas-tag", 1, "");
	h_request("ACK", "z9hG4bK-a1-ack", "cid-a1", "uas-tag", 1, "");
	h_quiet(30);
	assert_int_equal(H.acks, 2);
	H_QUIET_UNTIL(tsx_count(&H.sd, TSX_SERVER_INVITE) == 0, T64 + 2000);
	/* an ACK that matches nothing goes to the TU too */
	h_request("ACK", "z9hG4bK-a1", "cid-a1", "uas-tag", 1, "");
	h_quiet(20);
	assert_int_equal(H.acks, 3);
}

/* An ACK before any final response matches the INVITE but means nothing. */
static void test_ack_before_final_dropped(void **state)
{
	(void)state;
	H.adopt = true;
	h_request("INVITE", "z9hG4bK-e1", "cid-e1", NULL, 1, "");
	h_run(20);
	h_request("ACK", "z9hG4bK-e1", "cid-e1", NULL, 1, "");
	h_quiet(20);
	assert_int_equal(H.acks, 0);
	assert_int_equal(tsx_state(H.req_tsx), TSX_PROCEEDING);
	tsx_release(H.req_tsx);
}

static void send_cancel(const char *branch, const char *call_id, unsigned cseq)
{
	h_request("CANCEL", branch, call_id, NULL, cseq, "Reason: SIP;cause=487\r\n");
}

/* CANCEL of a pending INVITE: 200 with the INVITE's To tag, on_cancel, the
 * TU's 487; CANCEL retransmissions get the 200 again. */
static void test_cancel_pending_invite(void **state)
{
	struct h_dgram *d;
	struct tsx *t;

	(void)state;
	H.adopt = true;
	H.cancel_code = 487;
	h_request("INVITE", "z9hG4bK-x1", "cid-x1", NULL, 1, "");
	h_run(20);
	t = H.req_tsx;
	assert_int_equal(tsx_respond(t, 180, PL_NULL, PL("ring-tag")), 0);
	assert_int_equal(h_status(h_next()), 180);
	send_cancel("z9hG4bK-x1", "cid-x1", 1);
	d = h_next();
	assert_int_equal(h_status(d), 200);
	assert_string_equal(h_header(d, "CSeq"), "1 CANCEL");
	assert_string_equal(h_header(d, "To"), "<sip:svc@example.com>;tag=ring-tag");
	d = h_next();
	assert_int_equal(h_status(d), 487);
	assert_string_equal(h_header(d, "CSeq"), "1 INVITE");
	assert_int_equal(H.cancels, 1);
	assert_ptr_equal(H.cancel_tsx, t);
	assert_int_equal(H.requests, 1);
	/* the CANCEL's retransmission: its 200 again, no second on_cancel */
	send_cancel("z9hG4bK-x1", "cid-x1", 1);
	assert_int_equal(h_status(h_next()), 200);
	assert_int_equal(H.cancels, 1);
	h_request("ACK", "z9hG4bK-x1", "cid-x1", "uas-tag", 1, "");
	h_run(10);
	h_drain();
	assert_int_equal(tsx_state(t), TSX_CONFIRMED);
	tsx_release(t);
}

/* Before any tagged response the 200 to CANCEL gets a tag of its own. */
static void test_cancel_before_any_response(void **state)
{
	struct h_dgram *d;

	(void)state;
	H.adopt = true;
	h_request("INVITE", "z9hG4bK-x2", "cid-x2", NULL, 1, "");
	h_run(20);
	send_cancel("z9hG4bK-x2", "cid-x2", 1);
	d = h_next();
	assert_int_equal(h_status(d), 200);
	assert_non_null(strstr(h_header(d, "To"), ";tag="));
	assert_int_equal(H.cancels, 1);
	h_quiet(20); /* the 487 is the TU's decision */
	tsx_release(H.req_tsx);
}

/* After the final response a CANCEL is answered 200 and has no effect. */
static void test_cancel_after_final(void **state)
{
	(void)state;
	H.auto_code = 486;
	h_request("INVITE", "z9hG4bK-x3", "cid-x3", NULL, 1, "");
	assert_int_equal(h_status(h_next()), 486);
	send_cancel("z9hG4bK-x3", "cid-x3", 1);
	h_wait(2, 100);
	/* a G retransmission of the 486 may come first */
	for (;;) {
		struct h_dgram *d = h_next();

		if (h_status(d) == 486)
			continue;
		assert_int_equal(h_status(d), 200);
		assert_string_equal(h_header(d, "CSeq"), "1 CANCEL");
		break;
	}
	assert_int_equal(H.cancels, 0);
}

/* A CANCEL that matches nothing: 481, with a To tag. */
static void test_cancel_unknown_481(void **state)
{
	struct h_dgram *d;

	(void)state;
	send_cancel("z9hG4bK-nothing", "cid-x4", 1);
	d = h_next();
	assert_int_equal(h_status(d), 481);
	assert_non_null(strstr(h_header(d, "To"), ";tag="));
	assert_int_equal(H.cancels, 0);
	assert_int_equal(H.requests, 0);
}

/* A TU that gave up on an INVITE without answering: nothing is sent, the
 * retransmissions are absorbed, a CANCEL gets 200 and the layer's 487, and
 * after 64*T1 the transaction is gone. */
static void test_released_invite(void **state)
{
	(void)state;
	H.release_in_request = true;
	h_request("INVITE", "z9hG4bK-r1", "cid-r1", NULL, 1, "");
	h_quiet(20);
	h_request("INVITE", "z9hG4bK-r1", "cid-r1", NULL, 1, "");
	h_quiet(20);
	assert_int_equal(H.requests, 1);
	send_cancel("z9hG4bK-r1", "cid-r1", 1);
	assert_int_equal(h_status(h_next()), 200);
	assert_int_equal(h_status(h_next()), 487);
	assert_int_equal(H.cancels, 0);
	h_request("ACK", "z9hG4bK-r1", "cid-r1", "x", 1, "");
	H_UNTIL(tsx_count(&H.sd, TSX_SERVER_INVITE) == 0, T4 + 2000);
	h_drain();

	h_request("INVITE", "z9hG4bK-r2", "cid-r2", NULL, 1, "");
	H_QUIET_UNTIL(tsx_count(&H.sd, TSX_SERVER_INVITE) == 0, T64 + 2000);
}

/* §8.2.2.2: same Call-ID, From tag and CSeq on another branch, no To tag:
 * 482, through a transaction that absorbs its retransmissions. */
static void test_merged_request_482(void **state)
{
	struct h_dgram *d;

	(void)state;
	H.adopt = true;
	h_request("INVITE", "z9hG4bK-path1", "cid-mg", NULL, 5, "");
	h_run(20);
	assert_int_equal(H.requests, 1);
	h_request("INVITE", "z9hG4bK-path2", "cid-mg", NULL, 5, "");
	d = h_next();
	assert_int_equal(h_status(d), 482);
	assert_non_null(strstr(d->buf, "branch=z9hG4bK-path2"));
	assert_int_equal(H.requests, 1);
	h_request("INVITE", "z9hG4bK-path2", "cid-mg", NULL, 5, "");
	assert_int_equal(h_status(h_next()), 482);
	assert_int_equal(H.requests, 1);
	/* another CSeq is not a merge (the 482 itself goes on: timer G) */
	h_request("INVITE", "z9hG4bK-path3", "cid-mg", NULL, 6, "");
	h_run(20);
	assert_int_equal(H.requests, 2);
	while (H.rd < H.nq)
		assert_int_equal(h_status(h_next()), 482);
	tsx_release(H.req_tsx);
}

/* A request of our own that comes straight back (our branch): 482. */
static void test_own_request_loops_482(void **state)
{
	char req[1024];
	struct tsx *c;

	(void)state;
	snprintf(req, sizeof(req),
		 "OPTIONS sip:self@example.com SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP %s;branch=z9hG4bK-self\r\n"
		 "Max-Forwards: 70\r\n"
		 "From: <sip:b2b@example.com>;tag=me\r\n"
		 "To: <sip:self@example.com>\r\n"
		 "Call-ID: cid-self\r\n"
		 "CSeq: 1 OPTIONS\r\n"
		 "Content-Length: 0\r\n\r\n", H.peer_host[0]);
	c = tsx_client_send(&H.sd, &h_owner, &H, &H.sigd_addr, req, strlen(req), SIP_METHOD_OPTIONS,
			    PL("z9hG4bK-self"));
	assert_non_null(c);
	h_run(10);
	assert_int_equal(H.requests, 0);
	/* the 482 went to the sent-by (peer 0); played back, it ends our client */
	assert_int_equal(h_status(h_next()), 482);
	h_send(0, H.q[H.rd - 1].buf);
	h_run(10);
	assert_int_equal(H.responses, 1);
	assert_int_equal(H.status[0], 482);
	tsx_release(c);
}

/* RFC 2543 peers (no magic cookie): retransmissions, the ACK of a non-2xx
 * (To tag of our response) and CANCEL match by Call-ID, tags, CSeq,
 * Request-URI and top Via. */
static void test_rfc2543_matching(void **state)
{
	struct tsx *t;

	(void)state;
	H.adopt = true;
	H.cancel_code = 487;
	h_request("INVITE", "old-1", "cid-2543", NULL, 9, "");
	h_run(20);
	t = H.req_tsx;
	assert_int_equal(tsx_respond(t, 180, PL_NULL, PL("r-tag")), 0);
	assert_int_equal(h_status(h_next()), 180);
	h_request("INVITE", "old-1", "cid-2543", NULL, 9, "");
	assert_int_equal(h_status(h_next()), 180);
	assert_int_equal(H.requests, 1);
	/* a different Request-URI is another request (merged: 482) */
	h_sendf(0,
		"INVITE sip:other@example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP %s;branch=old-1;rport\r\n"
		"From: \"Alice\" <sip:alice@example.com>;tag=ftag-1\r\n"
		"To: <sip:svc@example.com>\r\n"
		"Call-ID: cid-2543\r\nCSeq: 9 INVITE\r\nContent-Length: 0\r\n\r\n", H.peer_host[0]);
	assert_int_equal(h_status(h_next()), 482);
	assert_int_equal(H.requests, 1);

	send_cancel("old-1", "cid-2543", 9);
	assert_int_equal(h_status(h_next_skip(482)), 200);
	assert_int_equal(h_status(h_next_skip(482)), 487);
	assert_int_equal(H.cancels, 1);
	/* an ACK with another To tag than our 487's is not for us */
	h_request("ACK", "old-1", "cid-2543", "wrong", 9, "");
	h_run(30);
	assert_int_equal(tsx_state(t), TSX_COMPLETED);
	assert_int_equal(H.acks, 1);
	h_request("ACK", "old-1", "cid-2543", "uas-tag", 9, "");
	h_run(10);
	assert_int_equal(tsx_state(t), TSX_CONFIRMED);
	h_drain();
	h_run(60);
	while (H.rd < H.nq)
		assert_int_equal(h_status(h_next()), 482);
	tsx_release(t);

	/* no branch at all */
	H.auto_code = 200;
	H.adopt = false;
	h_sendf(0,
		"OPTIONS sip:svc@example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP %s\r\n"
		"From: <sip:alice@example.com>;tag=f2\r\n"
		"To: <sip:svc@example.com>\r\n"
		"Call-ID: cid-nobranch\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
		H.peer_host[1]);
	assert_int_equal(h_status(h_next_skip(482)), 200);
	h_sendf(0,
		"OPTIONS sip:svc@example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP %s\r\n"
		"From: <sip:alice@example.com>;tag=f2\r\n"
		"To: <sip:svc@example.com>\r\n"
		"Call-ID: cid-nobranch\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
		H.peer_host[1]);
	{
		struct h_dgram *d = h_next_skip(482);

		assert_int_equal(h_status(d), 200);
		/* no rport: to the sent-by port, peer 1 */
		assert_int_equal(d->peer, 1);
	}
	assert_int_equal(H.requests, 2);
}

/* §18.2.2 / RFC 3581: where responses go and what the top Via says. */
static void test_via_received_and_rport(void **state)
{
	struct h_dgram *d;
	char want[256];

	(void)state;
	H.auto_code = 200;
	/* rport asked, sent-by elsewhere: back to the source port */
	h_sendf(0,
		"OPTIONS sip:svc@example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 10.0.0.1:5099 ; branch=z9hG4bK-v1 ;rport;received=1.1.1.1\r\n"
		"Via: SIP/2.0/UDP 10.9.9.9;branch=z9hG4bK-lower\r\n"
		"From: <sip:alice@example.com>;tag=f\r\nTo: <sip:svc@example.com>\r\n"
		"Call-ID: cid-v1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
	d = h_next();
	assert_int_equal(d->peer, 0);
	snprintf(want, sizeof(want), "SIP/2.0/UDP 10.0.0.1:5099;branch=z9hG4bK-v1;rport=%u;received=127.0.0.1",
		 netaddr_port(&H.peer_addr[0]));
	assert_string_equal(h_header(d, "Via"), want);
	assert_non_null(strstr(d->buf, "\r\nVia: SIP/2.0/UDP 10.9.9.9;branch=z9hG4bK-lower\r\n"));

	/* no rport, sent-by is the source host: sent-by port, no received */
	h_sendf(0,
		"OPTIONS sip:svc@example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP %s;branch=z9hG4bK-v2\r\n"
		"From: <sip:alice@example.com>;tag=f\r\nTo: <sip:svc@example.com>\r\n"
		"Call-ID: cid-v2\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n", H.peer_host[1]);
	d = h_next();
	assert_int_equal(d->peer, 1);
	snprintf(want, sizeof(want), "SIP/2.0/UDP %s;branch=z9hG4bK-v2", H.peer_host[1]);
	assert_string_equal(h_header(d, "Via"), want);

	/* rport twice: answered once, with the port */
	h_sendf(0,
		"OPTIONS sip:svc@example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 10.0.0.1;rport;branch=z9hG4bK-v4;rport;x\r\n"
		"From: <sip:alice@example.com>;tag=f\r\nTo: <sip:svc@example.com>\r\n"
		"Call-ID: cid-v4\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
	d = h_next();
	assert_int_equal(d->peer, 0);
	snprintf(want, sizeof(want), "SIP/2.0/UDP 10.0.0.1;rport=%u;branch=z9hG4bK-v4;x;received=127.0.0.1",
		 netaddr_port(&H.peer_addr[0]));
	assert_string_equal(h_header(d, "Via"), want);

	/* a host name as sent-by: received added, sent-by port used */
	h_sendf(0,
		"OPTIONS sip:svc@example.com SIP/2.0\r\n"
		"v: SIP/2.0/UDP client.example.com:%u;branch=z9hG4bK-v3\r\n"
		"f: <sip:alice@example.com>;tag=f\r\nt: <sip:svc@example.com>\r\n"
		"i: cid-v3\r\nCSeq: 1 OPTIONS\r\nl: 0\r\n\r\n", netaddr_port(&H.peer_addr[1]));
	d = h_next();
	assert_int_equal(d->peer, 1);
	snprintf(want, sizeof(want), "SIP/2.0/UDP client.example.com:%u;branch=z9hG4bK-v3;received=127.0.0.1",
		 netaddr_port(&H.peer_addr[1]));
	assert_string_equal(h_header(d, "Via"), want);
}

/* The same over IPv6 (::1): received without brackets, rport. */
static void test_via_ipv6(void **state)
{
	struct h_dgram *d;
	char want[256];

	(void)state;
	h_teardown(NULL);
	{
		int fd = socket(AF_INET6, SOCK_DGRAM, 0);
		struct netaddr a;

		netaddr_from_host(&a, PL("::1"), 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&a.ss, a.len) != 0) {
			if (fd >= 0)
				close(fd);
			h_setup(NULL);
			skip();
		}
		close(fd);
	}
	h_setup_at("::1", "::1");
	H.auto_code = 200;
	h_request("OPTIONS", "z9hG4bK-6", "cid-6", NULL, 1, "");
	d = h_next();
	snprintf(want, sizeof(want), "SIP/2.0/UDP %s;branch=z9hG4bK-6;rport=%u;received=::1",
		 H.peer_host[0], netaddr_port(&H.peer_addr[0]));
	assert_string_equal(h_header(d, "Via"), want);
	assert_int_equal(d->peer, 0);
	{
		struct netaddr peer = tsx_peer(H.req_tsx);

		assert_true(netaddr_eq(&peer, &H.peer_addr[0]));
	}

	/* no rport, sent-by is the source: no received, to the sent-by port */
	h_sendf(0,
		"OPTIONS sip:svc@example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP %s;branch=z9hG4bK-6b\r\n"
		"From: <sip:alice@example.com>;tag=f\r\nTo: <sip:svc@example.com>\r\n"
		"Call-ID: cid-6b\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n", H.peer_host[1]);
	d = h_next();
	assert_int_equal(d->peer, 1);
	snprintf(want, sizeof(want), "SIP/2.0/UDP %s;branch=z9hG4bK-6b", H.peer_host[1]);
	assert_string_equal(h_header(d, "Via"), want);
}

/* tsx_respond without a tag makes one up (not for 100). */
static void test_respond_makes_a_tag(void **state)
{
	struct h_dgram *d;

	(void)state;
	H.adopt = true;
	h_request("INVITE", "z9hG4bK-t1", "cid-t1", NULL, 1, "");
	h_run(20);
	assert_int_equal(tsx_respond(H.req_tsx, 100, PL_NULL, PL_NULL), 0);
	assert_string_equal(h_header(h_next(), "To"), "<sip:svc@example.com>");
	assert_int_equal(tsx_respond(H.req_tsx, 603, PL("Go away"), PL_NULL), 0);
	d = h_next();
	assert_non_null(strstr(d->buf, "SIP/2.0 603 Go away\r\n"));
	assert_int_equal(strlen(h_header(d, "To")), strlen("<sip:svc@example.com>;tag=") + 16);
	tsx_release(H.req_tsx);
}

/* Without a TU callback the layer answers 500 itself. */
static void test_no_tu_500(void **state)
{
	static const struct tsx_user_ops none = { .on_request = NULL };
	static const struct tsx_timers tm = { .t1_ms = T1, .t2_ms = T2, .t4_ms = T4 };

	(void)state;
	tsx_layer_free(&H.sd);
	assert_int_equal(tsx_layer_init(&H.sd, &none, &tm), 0);
	h_request("OPTIONS", "z9hG4bK-n1", "cid-n1", NULL, 1, "");
	assert_int_equal(h_status(h_next()), 500);
	h_request("ACK", "z9hG4bK-n2", "cid-n1", "x", 1, "");
	h_quiet(20);
	assert_int_equal(tsx_count(&H.sd, (enum tsx_kind)9), 0);
}

/* Responses never reach the server side; a malformed transaction message
 * or an unset layer is harmless. */
static void test_receive_without_layer(void **state)
{
	(void)state;
	tsx_layer_free(&H.sd);
	tsx_layer_free(&H.sd);
	h_request("OPTIONS", "z9hG4bK-z1", "cid-z1", NULL, 1, "");
	h_quiet(20);
	assert_int_equal(H.sd.stats.requests_in, 1);
	assert_int_equal(tsx_count(&H.sd, TSX_SERVER_NON_INVITE), 0);
	assert_null(tsx_client_send(&H.sd, &h_owner, &H, &H.peer_addr[0], "x", 1, SIP_METHOD_OPTIONS,
				    PL("z9hG4bK-z")));
}

/* An extension method is matched by its name. */
static void test_extension_method(void **state)
{
	(void)state;
	H.auto_code = 200;
	h_request("FOO", "z9hG4bK-foo", "cid-foo", NULL, 1, "");
	assert_string_equal(h_header(h_next(), "CSeq"), "1 FOO");
	assert_int_equal(tsx_method(H.req_tsx), SIP_METHOD_OTHER);
	h_request("FOO", "z9hG4bK-foo", "cid-foo", NULL, 1, "");
	assert_int_equal(h_status(h_next()), 200);
	/* same branch, another extension: another transaction */
	h_request("BAR", "z9hG4bK-foo", "cid-foo", NULL, 2, "");
	assert_int_equal(h_status(h_next()), 200);
	assert_int_equal(H.requests, 2);
}

/* An RFC 2543 re-INVITE (To tag present): its ACK carries that tag. */
static void test_rfc2543_reinvite_ack(void **state)
{
	struct tsx *t;

	(void)state;
	H.adopt = true;
	h_request("INVITE", "old-re", "cid-re", "dlg-tag", 3, "");
	h_run(20);
	t = H.req_tsx;
	assert_int_equal(tsx_respond(t, 488, PL_NULL, PL_NULL), 0);
	assert_string_equal(h_header(h_next(), "To"), "<sip:svc@example.com>;tag=dlg-tag");
	h_request("ACK", "old-re", "cid-re", "dlg-tag", 3, "");
	h_run(10);
	assert_int_equal(tsx_state(t), TSX_CONFIRMED);
	tsx_release(t);
}

/* Zero timers mean RFC 3261's defaults: a 64*T1 of 32 s. */
static void test_default_timers(void **state)
{
	static const struct tsx_timers zero = { 0, 0, 0 };

	(void)state;
	tsx_layer_free(&H.sd);
	assert_int_equal(tsx_layer_init(&H.sd, &h_tu, &zero), 0);
	H.auto_code = 200;
	h_request("OPTIONS", "z9hG4bK-d", "cid-d", NULL, 1, "");
	assert_int_equal(h_status(h_next()), 200);
	h_run(T64 + 100);
	assert_int_equal(tsx_count(&H.sd, TSX_SERVER_NON_INVITE), 1);
}

/* At the limit of live transactions new requests are dropped (their
 * clients retry) and client transactions refused; retransmissions of the
 * ones alive are still absorbed. */
static void test_transaction_limit(void **state)
{
	const char *req = "OPTIONS sip:x@example.com SIP/2.0\r\n"
			  "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-lim\r\n"
			  "From: <sip:a@example.com>;tag=a\r\nTo: <sip:x@example.com>\r\n"
			  "Call-ID: cid-lim\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";

	(void)state;
	H.sd.tsx->max = 2;
	H.adopt = true;
	h_request("INFO", "z9hG4bK-l1", "cid-l1", "t", 1, "");
	h_request("INFO", "z9hG4bK-l2", "cid-l2", "t", 1, "");
	h_request("INFO", "z9hG4bK-l3", "cid-l3", "t", 1, "");
	h_request("INFO", "z9hG4bK-l4", "cid-l4", "t", 1, "");
	h_run(30);
	assert_int_equal(H.requests, 2);
	assert_null(tsx_client_send(&H.sd, &h_owner, &H, &H.peer_addr[0], req, strlen(req),
				    SIP_METHOD_OPTIONS, PL("z9hG4bK-lim")));
	assert_int_equal(tsx_respond(H.req_tsx, 100, PL_NULL, PL_NULL), 0);
	assert_int_equal(h_status(h_next()), 100);
	h_request("INFO", "z9hG4bK-l2", "cid-l2", "t", 1, "");
	assert_int_equal(h_status(h_next()), 100);
	assert_int_equal(tsx_count(&H.sd, TSX_SERVER_NON_INVITE), 2);
}

/* Everything still alive at shutdown is freed (ASan checks). */
static void test_free_with_live_transactions(void **state)
{
	(void)state;
	H.adopt = true;
	h_request("INVITE", "z9hG4bK-f1", "cid-f1", NULL, 1, "");
	h_request("OPTIONS", "z9hG4bK-f2", "cid-f2", NULL, 1, "");
	h_run(20);
	assert_int_equal(tsx_respond(H.req_tsx, 486, PL_NULL, PL_NULL), 0);
	assert_int_equal(tsx_count(&H.sd, TSX_SERVER_INVITE) + tsx_count(&H.sd, TSX_SERVER_NON_INVITE), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_non_invite_completed_and_timer_j, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_non_invite_trying_then_proceeding, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_response_begin_with_own_headers, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_non_invite_unanswered_times_out, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_adopted_unanswered_kept_until_release, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_invite_timer_g_capped_and_timer_h, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_invite_ack_confirmed_timer_i, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_invite_2xx_accepted_timer_l, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_ack_before_final_dropped, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_cancel_pending_invite, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_cancel_before_any_response, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_cancel_after_final, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_cancel_unknown_481, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_released_invite, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_merged_request_482, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_own_request_loops_482, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_rfc2543_matching, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_via_received_and_rport, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_via_ipv6, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_respond_makes_a_tag, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_no_tu_500, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_receive_without_layer, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_extension_method, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_rfc2543_reinvite_ack, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_default_timers, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_transaction_limit, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_free_with_live_transactions, h_setup, h_teardown),
	};

	log_init("test_tsx_server");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
