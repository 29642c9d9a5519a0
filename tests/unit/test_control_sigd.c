/*
 * control_sigd: the node's side of ccd's control socket and of the metrics,
 * on a whole sigd (test_leg_harness.h): ListRequest answered with the legs
 * or the transactions (filters, parts, limits, unknown kinds), the queue
 * depth from Heartbeat.received, and sigd's metrics text after real SIP
 * traffic.
 */
#include "test_leg_harness.h"

#include <event2/buffer.h>

#include "sigd/metrics_sigd.h"

static void list_request(struct h *f, uint64_t id, Tandem__ListKind kind, uint32_t min_age)
{
	Tandem__Message m = TANDEM__MESSAGE__INIT;
	Tandem__ListRequest rq = TANDEM__LIST_REQUEST__INIT;

	rq.request_id = id;
	rq.kind = kind;
	rq.min_age_ms = min_age;
	m.body_case = TANDEM__MESSAGE__BODY_LIST_REQUEST;
	m.list_request = &rq;
	h_ccd_send(f, &m);
}

static Tandem__ListReply *expect_reply(struct h *f, uint64_t id)
{
	Tandem__ListReply *r = h_expect_ccd(f, TANDEM__MESSAGE__BODY_LIST_REPLY, 0, 0, 1000)->list_reply;

	assert_int_equal(r->request_id, id);
	return r;
}

static void test_list_legs(void **state)
{
	struct h *f = *state;
	uint64_t leg = h_caller_invite(f, "c1", SDP_A);
	Tandem__ListReply *r;

	list_request(f, 7, TANDEM__LIST_KIND__LIST_LEGS, 0);
	r = expect_reply(f, 7);
	assert_true(r->last);
	assert_false(r->truncated);
	assert_int_equal(r->n_transactions, 0);
	assert_int_equal(r->n_legs, 1);
	assert_int_equal(r->legs[0]->leg, leg);
	assert_int_equal(r->legs[0]->state, TANDEM__LEG_STATE__LEG_TRYING);
	assert_true(r->legs[0]->uas);
	assert_false(r->legs[0]->reinvite_sent);
	assert_string_equal(r->legs[0]->call_id, "");
}

static void test_list_transactions(void **state)
{
	struct h *f = *state;
	Tandem__ListReply *r;
	Tandem__TransactionSummary *t;

	h_caller_invite(f, "c2", SDP_A);
	list_request(f, 8, TANDEM__LIST_KIND__LIST_TRANSACTIONS, 0);
	r = expect_reply(f, 8);
	assert_true(r->last);
	assert_int_equal(r->n_legs, 0);
	assert_int_equal(r->n_transactions, 1);
	t = r->transactions[0];
	assert_true(t->server);
	assert_string_equal(t->method, "INVITE");
	assert_int_equal(t->state, TANDEM__TRANSACTION_STATE__TSX_PROCEEDING);
	assert_string_equal(t->call_id, "c2");
	assert_int_equal(t->cseq, 1);
	assert_string_equal(t->branch, "z9hG4bK-c2-1");
	assert_true(t->age_ms < 5000);

	/* the originate leg's INVITE: a client transaction */
	h_originate(f, LEG_ID_UAC_BIT | 5, "c2-b2b_1", SDP_A, NULL);
	h_expect_sip(f, &f->callee, "INVITE ", 1000);
	list_request(f, 9, TANDEM__LIST_KIND__LIST_TRANSACTIONS, 0);
	r = expect_reply(f, 9);
	assert_int_equal(r->n_transactions, 2);
	t = r->transactions[0]->server ? r->transactions[1] : r->transactions[0];
	assert_false(t->server);
	assert_string_equal(t->method, "INVITE");
	assert_int_equal(t->state, TANDEM__TRANSACTION_STATE__TSX_CALLING);
	assert_string_equal(t->call_id, "c2-b2b_1");

	/* llt: none is a minute old */
	list_request(f, 10, TANDEM__LIST_KIND__LIST_TRANSACTIONS, 60000);
	r = expect_reply(f, 10);
	assert_true(r->last);
	assert_int_equal(r->n_transactions, 0);
}

/* 5000 legs: three parts of at most 2048, only the last one marked. */
static void test_list_parts(void **state)
{
	struct h *f = *state;
	size_t total = 0;

	for (uint64_t i = 1; i <= 5000; i++)
		assert_non_null(leg_new(f->sd, 1000 + i, (i & 1) != 0, 0));
	list_request(f, 11, TANDEM__LIST_KIND__LIST_LEGS, 0);
	for (int part = 0; part < 3; part++) {
		Tandem__ListReply *r = expect_reply(f, 11);

		assert_int_equal(r->last, part == 2);
		assert_true(r->n_legs <= 2048);
		for (size_t i = 0; i < r->n_legs; i++)
			assert_int_equal(r->legs[i]->state, TANDEM__LEG_STATE__LEG_IDLE);
		total += r->n_legs;
	}
	assert_int_equal(total, 5000);
	assert_int_equal(legs_stats(f->sd)->in_state[LEG_IDLE], 5000);
}

static void test_list_unknown_kind(void **state)
{
	struct h *f = *state;
	Tandem__ListReply *r;

	list_request(f, 12, TANDEM__LIST_KIND__LIST_KIND_UNSPECIFIED, 0);
	r = expect_reply(f, 12);
	assert_true(r->last);
	assert_int_equal(r->n_legs + r->n_transactions, 0);
	assert_int_equal(link_stats(f->sd)->bad_msgs, 1);
}

/* ccd's Heartbeat.received against what we sent since its Welcome. */
static void test_queue_depth(void **state)
{
	struct h *f = *state;
	Tandem__Message m = TANDEM__MESSAGE__INIT;
	Tandem__Heartbeat hb = TANDEM__HEARTBEAT__INIT;

	h_caller_invite(f, "c3", SDP_A);	/* a TRY: one message since the Welcome */
	hb.instance = 0xccd;
	hb.received = 0;
	m.body_case = TANDEM__MESSAGE__BODY_HEARTBEAT;
	m.heartbeat = &hb;
	h_ccd_send(f, &m);
	h_sleep(f, 30);
	assert_int_equal(link_queue_depth(f->sd), 1);
	hb.received = 1;
	h_ccd_send(f, &m);
	h_sleep(f, 30);
	assert_int_equal(link_queue_depth(f->sd), 0);
	hb.received = 99;	/* more than we sent (a crossing Welcome): 0 */
	h_ccd_send(f, &m);
	h_sleep(f, 30);
	assert_int_equal(link_queue_depth(f->sd), 0);
}

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p += n)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

static const char *metrics_text(struct h *f)
{
	static char text[65536];
	struct evbuffer *b = evbuffer_new();
	size_t n;

	metrics_sigd_write(b, f->sd);
	n = evbuffer_get_length(b);
	assert_true(n < sizeof(text));
	evbuffer_remove(b, text, n);
	text[n] = '\0';
	evbuffer_free(b);
	return text;
}

static void test_metrics(void **state)
{
	struct h *f = *state;
	const char *t;

	h_caller_invite(f, "c4", SDP_A);
	h_originate(f, LEG_ID_UAC_BIT | 6, "c4-b2b_1", SDP_A, NULL);
	h_expect_sip(f, &f->callee, "INVITE ", 1000);
	h_send(f, &f->caller, NULL, "\x01\x02 definitely not SIP at all, no no no no");
	h_send(f, &f->caller, NULL, "INVITE sip:x SIP/2.0\nVia: broken\n");	/* dropped: no Via to answer */
	h_sleep(f, 30);
	t = metrics_text(f);
	static const char *const want[] = {
		"# HELP tandem_sigd_sip_requests_received_total SIP requests received, by method.",
		"# TYPE tandem_sigd_sip_requests_received_total counter",
		"tandem_sigd_sip_requests_received_total{method=\"INVITE\"} 1",
		"tandem_sigd_sip_requests_received_total{method=\"BYE\"} 0",
		"tandem_sigd_sip_requests_received_total{method=\"other\"} 0",
		"tandem_sigd_sip_responses_sent_total{code=\"100\"} 1",
		"tandem_sigd_not_sip_datagrams_total 1",
		"tandem_sigd_parse_errors_total 1",
		"tandem_sigd_legs{state=\"Trying\"} 2",
		"tandem_sigd_legs{state=\"Connected\"} 0",
		"tandem_sigd_legs_created_total{side=\"uas\"} 1",
		"tandem_sigd_legs_created_total{side=\"uac\"} 1",
		"tandem_sigd_transactions{kind=\"server_invite\"} 1",
		"tandem_sigd_transactions{kind=\"client_invite\"} 1",
		"tandem_sigd_link_up 1",
		"tandem_sigd_invites_rejected_total{reason=\"no_ccd\"} 0",
		"tandem_sigd_events_sent_total 1",
		"tandem_sigd_events_received_total 0",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!has_line(t, want[i])) {
			fprintf(stderr, "%s", t);
			fail_msg("no line '%s'", want[i]);
		}
	/* The INVITE to the callee, retransmissions included (T1 is short). */
	char line[128];
	assert_true(f->sd->stats.sip_out.requests[SIP_METHOD_INVITE] >= 1);
	snprintf(line, sizeof(line), "tandem_sigd_sip_requests_sent_total{method=\"INVITE\"} %llu",
		 (unsigned long long)f->sd->stats.sip_out.requests[SIP_METHOD_INVITE]);
	assert_true(has_line(t, line));
	/* only the codes seen */
	assert_null(strstr(t, "code=\"200\""));

	/* the start-line scan of what we send */
	uint64_t other = f->sd->stats.sip_out.requests[SIP_METHOD_OTHER];
	metrics_sigd_count_out(f->sd, "FOO sip:x SIP/2.0\r\n", 19);
	metrics_sigd_count_out(f->sd, "SIP/2.0 9x9 Odd\r\n", 17);
	metrics_sigd_count_out(f->sd, "SIP/2.0 099 Low\r\n", 17);
	metrics_sigd_count_out(f->sd, "nospacehere", 11);
	assert_int_equal(f->sd->stats.sip_out.requests[SIP_METHOD_OTHER], other + 1);
	assert_int_equal(f->sd->stats.sip_out.responses[99], 0);
}

/* No --metrics: nothing to open or close. */
static void test_metrics_off(void **state)
{
	struct h *f = *state;
	char err[128];

	assert_int_equal(metrics_sigd_open(f->sd, err, sizeof(err)), 0);
	assert_null(f->sd->metrics);
	f->sd->cfg.metrics = "nonsense";
	assert_int_equal(metrics_sigd_open(f->sd, err, sizeof(err)), -1);
	assert_string_equal(err, "metrics: 'nonsense' is not host:port ([IPv6]:port for IPv6)");
	assert_null(f->sd->metrics);
	metrics_sigd_close(f->sd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_list_legs, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_list_transactions, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_list_parts, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_list_unknown_kind, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_queue_depth, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_metrics, h_setup_ready, h_teardown_cb),
		cmocka_unit_test_setup_teardown(test_metrics_off, h_setup_ready, h_teardown_cb),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
