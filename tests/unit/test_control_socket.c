/*
 * control_socket: ccd's control socket (ccd/control.c) with the real nodes
 * and call code of the ccd harness: clients on a unix (and a TCP) socket,
 * fake sigd nodes that answer the list requests, and every command: the
 * exact `l`/`lt`/`llt` output, `d`, `r`, `nodes`, `stats`, errors, long
 * lines, unread output, too many clients, a second ccd on the same socket.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "test_ccd_harness.h"
#include "ccd/control.h"

#define ORIG_BIT (1ULL << 63)
#define OUT_MAX (1 << 20)

static char sock_dir[64], sock_path[128], sock_spec[160];
static char out[OUT_MAX + 1];

static const struct h_try alice = {
	.call_id = "a84b4c76e66710@pc33.example.org",
	.cli = "1000",
	.cld = "2000",
	.source_host = "192.0.2.1",
	.source_port = 5061,
	.max_forwards = 69,
};

static int setup(void **state)
{
	char err[256];

	h_setup(state);
	snprintf(sock_dir, sizeof(sock_dir), "/tmp/test_control.XXXXXX");
	assert_non_null(mkdtemp(sock_dir));
	snprintf(sock_path, sizeof(sock_path), "%s/ctl.sock", sock_dir);
	snprintf(sock_spec, sizeof(sock_spec), "unix:%s", sock_path);
	H.cd.cfg.control = sock_spec;
	if (control_open(&H.cd, err, sizeof(err)) < 0)
		fail_msg("control_open: %s", err);
	return 0;
}

static int teardown(void **state)
{
	control_close(&H.cd);
	/* the socket file went with it */
	assert_int_equal(access(sock_path, F_OK), -1);
	rmdir(sock_dir);
	return h_teardown(state);
}

/* ---------------------------------------------------------------- a client */

static int cl_open_path(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	strcpy(sa.sun_path, path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static int cl_open(void)
{
	int fd = cl_open_path(sock_path);

	h_pump(5);	/* accepted */
	return fd;
}

static void cl_send(int fd, const char *s)
{
	size_t n = strlen(s), done = 0;
	int64_t end = h_now() + H_WAIT_MS;

	while (done < n) {
		ssize_t w = write(fd, s + done, n - done);

		if (w > 0)
			done += (size_t)w;
		else if (h_now() > end)
			fail_msg("cannot write to the control socket");
		h_pump_once();
	}
}

/* Reads what is there (pumping ccd) until needle has appeared `count`
 * times in what was read since the last cl_take; returns it all. With
 * needle NULL: until ccd closes the connection. */
static size_t out_len;

static bool cl_read_some(int fd)
{
	ssize_t r = read(fd, out + out_len, OUT_MAX - out_len);

	if (r > 0) {
		out_len += (size_t)r;
		out[out_len] = '\0';
	}
	return r == 0;	/* closed */
}

static int occurrences(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static const char *cl_until(int fd, const char *needle, int count)
{
	int64_t end = h_now() + H_WAIT_MS + CONTROL_GATHER_MS;

	for (;;) {
		bool closed;

		h_pump_once();
		closed = cl_read_some(fd);
		if (needle ? occurrences(out, needle) >= count : closed)
			return out;
		if (closed)
			fail_msg("the control socket closed; read so far:\n%s", out);
		if (h_now() > end)
			fail_msg("no '%s' (x%d) from the control socket; read so far:\n%s", needle ? needle : "EOF",
				 count, out);
		usleep(200);
	}
}

static void cl_take(void)
{
	out_len = 0;
	out[0] = '\0';
}

/* Sends a command line and returns the answer ending with needle. */
static const char *cl_cmd(int fd, const char *line, const char *needle)
{
	cl_take();
	cl_send(fd, line);
	return cl_until(fd, needle, 1);
}

/* ---------------------------------------------------------------- a node's answers */

static Tandem__ListRequest *expect_list_request(struct fake_node *f, Tandem__ListKind kind, uint32_t min_age)
{
	Tandem__ListRequest *rq = fn_expect(f, TANDEM__MESSAGE__BODY_LIST_REQUEST)->list_request;

	assert_int_equal(rq->kind, kind);
	assert_int_equal(rq->min_age_ms, min_age);
	return rq;
}

struct leg_state {
	uint64_t leg;
	Tandem__LegState state;
	bool uas, reinvite_sent;
};

static void reply_legs(struct fake_node *f, uint64_t request_id, const struct leg_state *ls, size_t n, bool last)
{
	Tandem__ListReply r = TANDEM__LIST_REPLY__INIT;
	Tandem__LegSummary s[8], *sp[8];
	Tandem__Message m = TANDEM__MESSAGE__INIT;

	assert_true(n <= 8);
	for (size_t i = 0; i < n; i++) {
		tandem__leg_summary__init(&s[i]);
		s[i].leg = ls[i].leg;
		s[i].state = ls[i].state;
		s[i].uas = ls[i].uas;
		s[i].reinvite_sent = ls[i].reinvite_sent;
		sp[i] = &s[i];
	}
	r.request_id = request_id;
	r.last = last;
	r.n_legs = n;
	r.legs = sp;
	m.body_case = TANDEM__MESSAGE__BODY_LIST_REPLY;
	m.list_reply = &r;
	fn_send(f, &m);
}

/* Hello on node 0 ("edge1") and a connected call on answer leg 1; returns
 * the originate leg. */
static uint64_t connected_call(struct fake_node **ap, const struct h_try *t, uint64_t aleg)
{
	struct fake_node *a = H.fn[0].sock ? &H.fn[0] : h_node(0, "edge1");
	Tandem__Originate *o;

	if (!a->auto_heartbeat)
		fn_hello(a, "192.0.2.10");
	fn_try(a, aleg, t);
	o = fn_expect(a, TANDEM__MESSAGE__BODY_ORIGINATE)->originate;
	fn_simple(a, o->leg, TANDEM__EVENT_TYPE__CONNECT, 200, "OK", NULL);
	fn_expect_event(a, aleg, TANDEM__EVENT_TYPE__CONNECT);
	*ap = a;
	return o->leg;
}

/* ---------------------------------------------------------------- l */

static void test_l(void **state)
{
	struct fake_node *a;
	uint64_t oleg = connected_call(&a, &alice, 1);
	Tandem__ListRequest *rq;
	int fd = cl_open();
	const struct leg_state both[] = {
		{ 1, TANDEM__LEG_STATE__LEG_CONNECTED, true, false },
		{ oleg, TANDEM__LEG_STATE__LEG_UPDATING, false, true },
		{ 77, TANDEM__LEG_STATE__LEG_TRYING, true, false },	/* no call: ignored */
	};

	(void)state;
	cl_take();
	cl_send(fd, "l\n");
	rq = expect_list_request(a, TANDEM__LIST_KIND__LIST_LEGS, 0);
	/* A first part changes nothing visible yet. */
	reply_legs(a, rq->request_id, both, 1, false);
	h_pump(20);
	cl_read_some(fd);
	assert_int_equal(out_len, 0);
	reply_legs(a, rq->request_id, both + 1, 2, true);
	assert_string_equal(cl_until(fd, "Total: ", 1),
			    "In-memory calls:\n"
			    "a84b4c76e66710@pc33.example.org: Connected (Connected udp:192.0.2.1:5061 1000 2000"
			    " -> Updating(UAC) udp:127.0.0.1:5070 1000 2000)\n"
			    "Total: 1\n");

	/* Next time the node only knows the answer leg: the other one's
	 * state is unknown, not the old one. */
	cl_take();
	cl_send(fd, "L\r\n");
	rq = expect_list_request(a, TANDEM__LIST_KIND__LIST_LEGS, 0);
	reply_legs(a, rq->request_id, both, 1, true);
	assert_string_equal(cl_until(fd, "Total: ", 1),
			    "In-memory calls:\n"
			    "a84b4c76e66710@pc33.example.org: Connected (Connected udp:192.0.2.1:5061 1000 2000"
			    " -> Unknown udp:127.0.0.1:5070 1000 2000)\n"
			    "Total: 1\n");
	close(fd);
}

/* Routing without an attempt shows N/A; a closed leg is Dead; IPv6 in
 * brackets; an empty number is "-". */
static void test_l_shapes(void **state)
{
	struct fake_node *a = h_node(0, "edge1");
	struct h_try t = alice;
	Tandem__Originate *o;
	Tandem__ListRequest *rq;
	int fd;

	(void)state;
	fn_hello(a, NULL);
	t.source_host = "2001:db8::1";
	t.cli = "";
	fn_try(a, 1, &t);
	o = fn_expect(a, TANDEM__MESSAGE__BODY_ORIGINATE)->originate;
	fn_simple(a, o->leg, TANDEM__EVENT_TYPE__FAIL, 486, "Busy Here", NULL);
	fn_expect_event(a, 1, TANDEM__EVENT_TYPE__FAIL);
	fn_closed(a, o->leg);
	h_pump(10);
	fd = cl_open();
	cl_take();
	cl_send(fd, "l\n");
	rq = expect_list_request(a, TANDEM__LIST_KIND__LIST_LEGS, 0);
	reply_legs(a, rq->request_id, &(struct leg_state){ 1, TANDEM__LEG_STATE__LEG_FAILED, true, false }, 1, true);
	assert_string_equal(cl_until(fd, "Total: ", 1),
			    "In-memory calls:\n"
			    "a84b4c76e66710@pc33.example.org: Disconnecting (Failed udp:[2001:db8::1]:5061 - 2000"
			    " -> Dead udp:127.0.0.1:5070 - 2000)\n"
			    "Total: 1\n");
	close(fd);
}

/* No node: the answer comes at once, from the loop. */
static void test_l_no_nodes(void **state)
{
	int fd = cl_open();

	(void)state;
	assert_string_equal(cl_cmd(fd, "l\n", "Total: "), "In-memory calls:\nTotal: 0\n");
	close(fd);
}

/* A node that never answers: the list comes after CONTROL_GATHER_MS with
 * the states unknown, and a late reply is ignored. */
static void test_l_timeout(void **state)
{
	struct fake_node *a;
	Tandem__ListRequest *rq;
	int64_t t0;
	int fd;

	(void)state;
	connected_call(&a, &alice, 1);
	fd = cl_open();
	t0 = h_now();
	cl_take();
	cl_send(fd, "l\n");
	rq = expect_list_request(a, TANDEM__LIST_KIND__LIST_LEGS, 0);
	assert_non_null(strstr(cl_until(fd, "Total: ", 1), ": Connected (Unknown udp:192.0.2.1:5061 1000 2000 -> Unknown"));
	assert_true(h_now() - t0 >= CONTROL_GATHER_MS - 50);
	reply_legs(a, rq->request_id, NULL, 0, true);
	h_pump(20);
	assert_int_equal(h_log_count("did not answer the list request"), 1);
	assert_int_equal(h_log_count("for no pending request"), 1);
	close(fd);
}

/* Two clients asking at once share one request; a client gone before
 * the answer is simply left out. */
static void test_l_shared(void **state)
{
	struct fake_node *a;
	Tandem__ListRequest *rq;
	int fd1, fd2, fd3;

	(void)state;
	connected_call(&a, &alice, 1);
	fd1 = cl_open();
	fd2 = cl_open();
	fd3 = cl_open();
	cl_send(fd1, "l\n");
	cl_send(fd2, "l\n");
	cl_send(fd3, "l\n");
	rq = expect_list_request(a, TANDEM__LIST_KIND__LIST_LEGS, 0);
	h_pump(20);
	assert_null(fn_next(a, 20));	/* one request only */
	close(fd3);
	h_pump(20);
	reply_legs(a, rq->request_id, &(struct leg_state){ 1, TANDEM__LEG_STATE__LEG_CONNECTED, true, false }, 1,
		   true);
	cl_take();
	assert_non_null(strstr(cl_until(fd1, "Total: 1\n", 1), "(Connected udp:192.0.2.1:5061"));
	cl_take();
	assert_non_null(strstr(cl_until(fd2, "Total: 1\n", 1), "(Connected udp:192.0.2.1:5061"));
	close(fd1);
	close(fd2);
}

/* A reply from a node that was not asked, for a pending request. */
static void test_list_reply_from_stranger(void **state)
{
	struct fake_node *a, *b = h_node(1, "edge2");
	Tandem__ListRequest *rq;
	int fd;

	(void)state;
	connected_call(&a, &alice, 1);
	fd = cl_open();
	cl_send(fd, "l\n");
	rq = expect_list_request(a, TANDEM__LIST_KIND__LIST_LEGS, 0);
	fn_hello(b, NULL);	/* up after the request went out */
	reply_legs(b, rq->request_id, NULL, 0, true);
	H_UNTIL(H.cd.stats.msgs_invalid == 1);
	reply_legs(a, rq->request_id, NULL, 0, true);
	cl_take();
	cl_until(fd, "Total: 1\n", 1);
	close(fd);
}

/* ---------------------------------------------------------------- lt, llt */

static void reply_tsx(struct fake_node *f, uint64_t request_id)
{
	Tandem__ListReply r = TANDEM__LIST_REPLY__INIT;
	Tandem__TransactionSummary t[2], *tp[2] = { &t[0], &t[1] };
	Tandem__Message m = TANDEM__MESSAGE__INIT;

	tandem__transaction_summary__init(&t[0]);
	t[0].server = true;
	t[0].method = (char *)"INVITE";
	t[0].state = TANDEM__TRANSACTION_STATE__TSX_PROCEEDING;
	t[0].call_id = (char *)"abc@host";
	t[0].cseq = 1;
	t[0].branch = (char *)"z9hG4bK-1";
	t[0].age_ms = 61234;
	tandem__transaction_summary__init(&t[1]);
	t[1].method = (char *)"BYE";
	t[1].state = TANDEM__TRANSACTION_STATE__TSX_TRYING;
	t[1].call_id = (char *)"odd id\n";	/* a node's junk cannot break the line */
	t[1].cseq = 2;
	t[1].age_ms = 5;
	r.request_id = request_id;
	r.last = true;
	r.n_transactions = 2;
	r.transactions = tp;
	m.body_case = TANDEM__MESSAGE__BODY_LIST_REPLY;
	m.list_reply = &r;
	fn_send(f, &m);
}

static void test_lt_llt(void **state)
{
	struct fake_node *a = h_node(0, "edge1");
	Tandem__ListRequest *rq;
	int fd = cl_open();

	(void)state;
	fn_hello(a, NULL);
	cl_take();
	cl_send(fd, "lt\n");
	rq = expect_list_request(a, TANDEM__LIST_KIND__LIST_TRANSACTIONS, 0);
	reply_tsx(a, rq->request_id);
	cl_until(fd, "Trying\n", 1);
	assert_string_equal(out, "In-memory server transactions:\n"
				 "edge1:abc@host:1:z9hG4bK-1 INVITE Proceeding\n"
				 "In-memory client transactions:\n"
				 "edge1:odd?id?:2:- BYE Trying\n");
	cl_take();
	cl_send(fd, "llt\n");
	rq = expect_list_request(a, TANDEM__LIST_KIND__LIST_TRANSACTIONS, CONTROL_LLT_AGE_MS);
	reply_tsx(a, rq->request_id);
	cl_until(fd, "Trying 0.005\n", 1);
	assert_string_equal(out, "In-memory server transactions:\n"
				 "edge1:abc@host:1:z9hG4bK-1 INVITE Proceeding 61.234\n"
				 "In-memory client transactions:\n"
				 "edge1:odd?id?:2:- BYE Trying 0.005\n");
	close(fd);
}

/* ---------------------------------------------------------------- d, r */

static void test_d(void **state)
{
	struct fake_node *a;
	uint64_t oleg = connected_call(&a, &alice, 1), oleg2;
	struct h_try bob = alice;
	Tandem__LegEvent *ev;
	int fd = cl_open();

	(void)state;
	assert_string_equal(cl_cmd(fd, "d nosuch@host\n", "\n"), "ERROR: no call with id of nosuch@host has been found\n");
	assert_string_equal(cl_cmd(fd, "d\n", "\n"), "ERROR: syntax error: d <call-id>\n");
	assert_string_equal(cl_cmd(fd, "d a84b4c76e66710@pc33.example.org\n", "\n"), "OK\n");
	ev = fn_expect_event(a, 1, TANDEM__EVENT_TYPE__DISCONNECT);
	assert_int_equal(ev->origin, TANDEM__ORIGIN__SWITCH);
	ev = fn_expect_event(a, oleg, TANDEM__EVENT_TYPE__DISCONNECT);
	assert_int_equal(ev->origin, TANDEM__ORIGIN__SWITCH);
	/* Ending already: found, nothing more sent. */
	assert_string_equal(cl_cmd(fd, "d a84b4c76e66710@pc33.example.org\n", "\n"), "OK\n");
	fn_expect_quiet(a, 20);

	/* d *: every call; one still ringing gets a final response. */
	bob.call_id = "second@host";
	oleg2 = connected_call(&a, &bob, 2);
	fn_try(a, 3, &(struct h_try){ .call_id = "third@host", .cli = "1", .cld = "2", .max_forwards = 70 });
	Tandem__Originate *o3 = fn_expect(a, TANDEM__MESSAGE__BODY_ORIGINATE)->originate;
	assert_string_equal(cl_cmd(fd, "d *\n", "\n"), "OK\n");
	for (int i = 0; i < 4; i++) {
		ev = fn_expect(a, TANDEM__MESSAGE__BODY_EVENT)->event;
		assert_int_equal(ev->type, TANDEM__EVENT_TYPE__DISCONNECT);
		assert_true(ev->leg == 2 || ev->leg == oleg2 || ev->leg == 3 || ev->leg == o3->leg);
	}
	fn_expect_quiet(a, 20);
	/* the unanswered call counts as 500 */
	assert_int_equal(H.cd.stats.calls_by_code[500], 1);
	close(fd);
}

static void test_r(void **state)
{
	struct fake_node *a;
	uint64_t oleg = connected_call(&a, &alice, 1);
	Tandem__LegEvent *ev;
	int fd = cl_open();

	(void)state;
	assert_string_equal(cl_cmd(fd, "r 999 1\n", "\n"), "ERROR: no call with id of 999 has been found\n");
	assert_string_equal(cl_cmd(fd, "r x\n", "\n"), "ERROR: syntax error: r <id> [<media-index>]\n");
	assert_string_equal(cl_cmd(fd, "r 1 0\n", "\n"), "OK\n");
	ev = fn_expect_event(a, 1, TANDEM__EVENT_TYPE__DISCONNECT);
	assert_int_equal(ev->origin, TANDEM__ORIGIN__MEDIA_TIMEOUT);
	ev = fn_expect_event(a, oleg, TANDEM__EVENT_TYPE__DISCONNECT);
	assert_int_equal(ev->origin, TANDEM__ORIGIN__MEDIA_TIMEOUT);
	close(fd);
}

/* ---------------------------------------------------------------- nodes, stats */

static void test_nodes_stats(void **state)
{
	struct fake_node *a;
	int fd;
	const char *r;

	(void)state;
	connected_call(&a, &alice, 1);
	fd = cl_open();
	static const char prefix[] =
		"Nodes:\nedge1: up instance=000000000000abc0 listen=192.0.2.10 legs=0 call_legs=2 heard=";
	r = cl_cmd(fd, "nodes\n", "Total: ");
	assert_true(strncmp(r, prefix, strlen(prefix)) == 0);
	assert_non_null(strstr(r, "ms queue="));
	assert_true(strstr(r, "\nTotal: 1\n") && r[strlen(r) - 1] == '\n');
	r = cl_cmd(fd, "stats\n", "control_list_timeouts: ");
	cl_until(fd, "control_list_timeouts: 0\n", 1);
	assert_non_null(strstr(r, "calls_active: 1\ncalls_total: 1\n"));
	assert_non_null(strstr(r, "nodes_live: 1\n"));
	assert_non_null(strstr(r, "control_connections: 1\n"));
	assert_non_null(strstr(r, "control_commands: 2\n"));
	close(fd);
}

/* ---------------------------------------------------------------- the protocol */

static void test_errors_keep_connection(void **state)
{
	int fd = cl_open();
	char longline[CONTROL_LINE_MAX * 3 + 2];

	(void)state;
	assert_string_equal(cl_cmd(fd, "bogus\n", "\n"), "ERROR: unknown command\n");
	assert_string_equal(cl_cmd(fd, "\n\n  \nl\n", "Total: "), "In-memory calls:\nTotal: 0\n");
	assert_string_equal(cl_cmd(fd, "l\x01\n", "\n"), "ERROR: malformed command: only printable ASCII is allowed\n");
	/* An over-long line: one error, then the next line is a command. */
	memset(longline, 'x', sizeof(longline) - 2);
	longline[sizeof(longline) - 2] = '\n';
	longline[sizeof(longline) - 1] = '\0';
	cl_take();
	cl_send(fd, longline);
	cl_send(fd, "l\n");
	cl_until(fd, "Total: 0\n", 1);
	assert_string_equal(out, "ERROR: line too long\nIn-memory calls:\nTotal: 0\n");
	/* Exactly CONTROL_LINE_MAX is fine. */
	memset(longline, ' ', CONTROL_LINE_MAX);
	longline[0] = 'l';
	longline[CONTROL_LINE_MAX] = '\n';
	longline[CONTROL_LINE_MAX + 1] = '\0';
	assert_string_equal(cl_cmd(fd, longline, "Total: "), "In-memory calls:\nTotal: 0\n");
	/* q closes after the answers before it. */
	cl_take();
	cl_send(fd, "l\nq\nl\n");
	assert_string_equal(cl_until(fd, NULL, 0), "In-memory calls:\nTotal: 0\n");
	close(fd);
}

/* The client shuts down its side: a last line without LF still counts,
 * then ccd closes. Also an over-long unterminated tail. */
static void test_eof(void **state)
{
	int fd = cl_open();
	char tail[CONTROL_LINE_MAX + 10];

	(void)state;
	cl_take();
	cl_send(fd, "bogus\nl");
	shutdown(fd, SHUT_WR);
	assert_string_equal(cl_until(fd, NULL, 0), "ERROR: unknown command\nIn-memory calls:\nTotal: 0\n");
	close(fd);

	fd = cl_open();
	memset(tail, 'y', sizeof(tail) - 1);
	tail[sizeof(tail) - 1] = '\0';
	cl_take();
	cl_send(fd, tail);
	shutdown(fd, SHUT_WR);
	assert_string_equal(cl_until(fd, NULL, 0), "ERROR: line too long\n");
	close(fd);

	/* gone before the answer to a list: nothing breaks */
	fd = cl_open();
	cl_send(fd, "l\n");
	close(fd);
	h_pump(50);
}

/* A client that never reads: ccd stops taking its commands once its unread
 * output passes the high mark; reading it all gets every answer. */
static void test_unread_output(void **state)
{
	enum { N = 5000 };
	int fd = cl_open(), probe;
	char *many = malloc(N * 6 + 1);
	const char *r;
	size_t sent = 0, len = N * 6;
	unsigned long done;

	(void)state;
	for (int i = 0; i < N; i++)
		memcpy(many + i * 6, "stats\n", 6);
	/* write what the socket takes, pumping ccd, without reading */
	for (int64_t end = h_now() + 500; h_now() < end;) {
		ssize_t w = sent < len ? write(fd, many + sent, len - sent) : 0;

		if (w > 0)
			sent += (size_t)w;
		h_pump_once();
	}
	probe = cl_open();
	r = cl_cmd(probe, "stats\n", "control_list_timeouts");
	assert_non_null(strstr(r, "control_commands: "));
	done = strtoul(strstr(r, "control_commands: ") + 18, NULL, 10);
	/* some answered (the high mark plus the kernel's buffers), far from all */
	assert_true(done > 100);
	assert_true(done < N / 2);
	close(probe);
	/* Now read (and finish writing): every command gets its answer, whose
	 * last line is control_list_timeouts; counted as they come, keeping
	 * only a possibly cut last line. */
	cl_take();
	int answers = 0;
	bool shut = false;
	for (int64_t end = h_now() + 10000;;) {
		ssize_t w = sent < len ? write(fd, many + sent, len - sent) : 0;
		bool closed;
		char *last;
		size_t keep;

		if (w > 0)
			sent += (size_t)w;
		if (sent == len && !shut) {
			shutdown(fd, SHUT_WR);
			shut = true;
		}
		h_pump_once();
		closed = cl_read_some(fd);
		last = strrchr(out, '\n');
		keep = last ? out_len - (size_t)(last + 1 - out) : out_len;
		if (last) {
			*last = '\0';
			answers += occurrences(out, "control_list_timeouts");
		}
		memmove(out, out + out_len - keep, keep);
		out_len = keep;
		out[out_len] = '\0';
		if (closed)
			break;
		assert_true(h_now() < end);
	}
	free(many);
	assert_int_equal(answers, N);
	close(fd);
}

static void test_too_many_clients(void **state)
{
	int fds[CONTROL_CLIENTS_MAX], extra;

	(void)state;
	for (int i = 0; i < CONTROL_CLIENTS_MAX; i++)
		fds[i] = cl_open();
	extra = cl_open();
	cl_take();
	assert_string_equal(cl_until(extra, NULL, 0), "ERROR: too many connections\n");
	close(extra);
	assert_string_equal(cl_cmd(fds[CONTROL_CLIENTS_MAX - 1], "l\n", "Total: "), "In-memory calls:\nTotal: 0\n");
	for (int i = 0; i < CONTROL_CLIENTS_MAX; i++)
		close(fds[i]);
	h_pump(20);
	extra = cl_open();
	assert_string_equal(cl_cmd(extra, "l\n", "Total: "), "In-memory calls:\nTotal: 0\n");
	close(extra);
}

/* ---------------------------------------------------------------- the socket file */

static void test_second_ccd(void **state)
{
	struct ccd other;
	char err[256], path2[160], spec2[170], want[400];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	(void)state;
	memset(&other, 0, sizeof(other));
	other.base = H.cd.base;
	other.cfg.control = sock_spec;
	assert_int_equal(control_open(&other, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "control socket %s is in use by another process (another ccd?)", sock_path);
	assert_string_equal(err, want);

	/* A stale socket (nobody listening) is replaced. */
	snprintf(path2, sizeof(path2), "%s/stale.sock", sock_dir);
	snprintf(spec2, sizeof(spec2), "%s", path2);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(sa.sun_path, path2);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	other.cfg.control = spec2;
	assert_int_equal(control_open(&other, err, sizeof(err)), 0);
	assert_int_equal(h_log_count("replaced the stale socket"), 1);
	fd = cl_open_path(path2);
	close(fd);
	control_close(&other);
	assert_int_equal(access(path2, F_OK), -1);

	/* Not a socket: left alone. */
	fd = open(path2, O_CREAT | O_WRONLY, 0600);
	close(fd);
	assert_int_equal(control_open(&other, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "control socket %s exists and is not a socket", path2);
	assert_string_equal(err, want);
	unlink(path2);

	/* A directory that does not exist. */
	other.cfg.control = "unix:/nonexistent-dir/x.sock";
	assert_int_equal(control_open(&other, err, sizeof(err)), -1);
	assert_string_equal(err, "cannot listen on control socket /nonexistent-dir/x.sock: No such file or directory");
	other.cfg.control = "udp:1.2.3.4:5";
	assert_int_equal(control_open(&other, err, sizeof(err)), -1);
	assert_string_equal(err, "invalid control socket: 'udp:1.2.3.4:5': udp control sockets are not supported "
				 "(unix: or tcp:)");
	/* no -c: nothing */
	other.cfg.control = NULL;
	assert_int_equal(control_open(&other, err, sizeof(err)), 0);
	assert_null(other.control);
	control_close(&other);
}

static void test_tcp(void **state)
{
	struct ccd other;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t salen = sizeof(sa);
	char err[256], spec[64], want[128];
	int fd, busy;

	(void)state;
	/* a free port, and a socket that keeps it busy for the error case */
	busy = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(busy, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(busy, (struct sockaddr *)&sa, &salen), 0);
	assert_int_equal(listen(busy, 1), 0);
	memset(&other, 0, sizeof(other));
	other.base = H.cd.base;
	other.nodes = H.cd.nodes;	/* what `l` looks at */
	other.calls = H.cd.calls;
	snprintf(spec, sizeof(spec), "tcp:127.0.0.1:%u", ntohs(sa.sin_port));
	other.cfg.control = spec;
	assert_int_equal(control_open(&other, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "cannot listen on control socket tcp:127.0.0.1:%u: Address already in use",
		 ntohs(sa.sin_port));
	assert_string_equal(err, want);
	close(busy);

	/* DNS labels over 63 bytes fail without asking a server */
	other.cfg.control = "tcp:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example:1";
	assert_int_equal(control_open(&other, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "control socket: cannot resolve 'aaaa"));

	other.cfg.control = spec;
	if (control_open(&other, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		assert_int_equal(errno, EINPROGRESS);
	h_pump(20);
	assert_string_equal(cl_cmd(fd, "l\n", "Total: "), "In-memory calls:\nTotal: 0\n");
	close(fd);
	control_close(&other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_l, setup, teardown),
		cmocka_unit_test_setup_teardown(test_l_shapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_l_no_nodes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_l_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_l_shared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_reply_from_stranger, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lt_llt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_d, setup, teardown),
		cmocka_unit_test_setup_teardown(test_r, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nodes_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_keep_connection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eof, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unread_output, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many_clients, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_ccd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp, setup, teardown),
	};
	int rc;

	signal(SIGPIPE, SIG_IGN);
	h_log_to_file("test_control_socket");
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	log_close();
	unlink(h_logpath);
	return rc;
}
