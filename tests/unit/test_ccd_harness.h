/*
 * test_ccd_harness.h - runs ccd's real nodes + call code on a libevent loop
 * and plays sigd nodes with ZeroMQ DEALER sockets over inproc://, for
 * test_ccd_nodes.c and test_ccd_call.c (include after <cmocka.h>).
 *
 * The test drives the loop itself: h_pump() runs ccd's pending callbacks
 * and collects whatever ccd sent to each fake node. Heartbeats from ccd are
 * counted, not queued; fake nodes with auto_heartbeat send theirs every
 * half interval so ccd keeps them alive while a test waits.
 */
#ifndef TANDEM_TEST_CCD_HARNESS_H
#define TANDEM_TEST_CCD_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "ccd/call.h"
#include "ccd/ccd.h"
#include "ccd/nodes.h"
#include "ccd/route.h"
#include "log.h"

#define H_NODES		4
#define H_INBOX_MAX	4096
#define H_WAIT_MS	2000
#define H_HEARTBEAT_MS	100
#define H_INSTANCE	0x1122334455667788ULL

struct fake_node {
	void *sock;
	char id[ZLINK_PEER_MAX + 1];
	size_t id_len;
	uint64_t instance;
	bool auto_heartbeat;
	int64_t last_hb_ms;
	Tandem__Frame *frames[H_INBOX_MAX];
	size_t n_frames;
	Tandem__Message *inbox[H_INBOX_MAX];
	size_t n_inbox, next;
	size_t heartbeats_in;
	uint64_t last_hb_instance;
};

struct harness {
	struct ccd cd;
	struct fake_node fn[H_NODES];
	char endpoint[64];
	char route_str[256];
};

static struct harness H;
static char h_logpath[64];	/* the log file, emptied before each test */

static inline int64_t h_now(void)
{
	return ccd_now_ms();
}

/* Parses and resolves route as the static route of later TRYs. */
static inline void h_route(const char *route)
{
	struct route_error rerr;
	char err[256];

	snprintf(H.route_str, sizeof(H.route_str), "%s", route);
	if (route_parse(&H.cd.static_route, pl_from_str(H.route_str), &rerr) < 0)
		fail_msg("route '%s': %s", route, rerr.reason);
	if (route_resolve(&H.cd.static_route, err, sizeof(err)) < 0)
		fail_msg("route '%s': %s", route, err);
}

static inline int h_setup(void **state)
{
	static int seq;
	char err[256];

	(void)state;
	if (h_logpath[0] && truncate(h_logpath, 0) < 0)
		fail_msg("cannot empty %s", h_logpath);
	memset(&H, 0, sizeof(H));
	snprintf(H.endpoint, sizeof(H.endpoint), "inproc://ccd-test-%d", ++seq);
	H.cd.cfg.bind = H.endpoint;
	H.cd.cfg.auth_disabled = true;	/* simple mode: no RADIUS */
	H.cd.static_route_set = true;
	H.cd.base = event_base_new();
	H.cd.zctx = zmq_ctx_new();
	H.cd.instance = H_INSTANCE;
	H.cd.heartbeat_ms = H_HEARTBEAT_MS;
	H.cd.linger_ms = 400;
	assert_non_null(H.cd.base);
	assert_non_null(H.cd.zctx);
	h_route("127.0.0.1:5070");
	assert_int_equal(calls_init(&H.cd), 0);
	if (nodes_open(&H.cd, err, sizeof(err)) < 0)
		fail_msg("nodes_open: %s", err);
	return 0;
}

static inline int h_teardown(void **state)
{
	(void)state;
	calls_free(&H.cd);
	nodes_close(&H.cd);
	for (int i = 0; i < H_NODES; i++) {
		struct fake_node *f = &H.fn[i];
		if (f->sock)
			zmq_close(f->sock);
		for (size_t j = 0; j < f->n_frames; j++)
			tandem__frame__free_unpacked(f->frames[j], NULL);
	}
	zmq_ctx_term(H.cd.zctx);
	event_base_free(H.cd.base);
	return 0;
}

/* A DEALER with routing id `id` (binary allowed), connected to ccd. */
static inline struct fake_node *h_node_raw(int i, const void *id, size_t id_len)
{
	struct fake_node *f = &H.fn[i];
	int zero = 0;

	f->sock = zmq_socket(H.cd.zctx, ZMQ_DEALER);
	assert_non_null(f->sock);
	zmq_setsockopt(f->sock, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(f->sock, ZMQ_ROUTING_ID, id, id_len);
	memcpy(f->id, id, id_len);
	f->id_len = id_len;
	f->instance = 0xabc0 + (uint64_t)i;
	assert_int_equal(zmq_connect(f->sock, H.endpoint), 0);
	return f;
}

static inline struct fake_node *h_node(int i, const char *id)
{
	return h_node_raw(i, id, strlen(id));
}

static inline void fn_send_raw(struct fake_node *f, const void *data, size_t len)
{
	assert_true(zmq_send(f->sock, data, len, ZMQ_DONTWAIT) == (int)len);
}

static inline void fn_send_msgs(struct fake_node *f, Tandem__Message **msgs, size_t n)
{
	Tandem__Frame fr = TANDEM__FRAME__INIT;
	size_t len;
	uint8_t *buf;

	fr.n_messages = n;
	fr.messages = msgs;
	len = tandem__frame__get_packed_size(&fr);
	buf = malloc(len ? len : 1);
	assert_non_null(buf);
	tandem__frame__pack(&fr, buf);
	fn_send_raw(f, buf, len);
	free(buf);
}

static inline void fn_send(struct fake_node *f, Tandem__Message *m)
{
	fn_send_msgs(f, &m, 1);
}

static inline void fn_heartbeat(struct fake_node *f, uint64_t instance)
{
	Tandem__Heartbeat hb = TANDEM__HEARTBEAT__INIT;
	Tandem__Message m = TANDEM__MESSAGE__INIT;

	hb.instance = instance;
	m.body_case = TANDEM__MESSAGE__BODY_HEARTBEAT;
	m.heartbeat = &hb;
	fn_send(f, &m);
}

/* Runs ccd's ready callbacks once and collects what it sent. */
static inline void h_pump_once(void)
{
	event_base_loop(H.cd.base, EVLOOP_NONBLOCK);
	for (int i = 0; i < H_NODES; i++) {
		struct fake_node *f = &H.fn[i];
		zmq_msg_t msg;

		if (!f->sock)
			continue;
		if (f->auto_heartbeat && h_now() - f->last_hb_ms >= H_HEARTBEAT_MS / 2) {
			fn_heartbeat(f, f->instance);
			f->last_hb_ms = h_now();
		}
		zmq_msg_init(&msg);
		while (zmq_msg_recv(&msg, f->sock, ZMQ_DONTWAIT) >= 0) {
			Tandem__Frame *fr = tandem__frame__unpack(NULL, zmq_msg_size(&msg), zmq_msg_data(&msg));
			assert_non_null(fr);
			assert_true(f->n_frames < H_INBOX_MAX);
			f->frames[f->n_frames++] = fr;
			for (size_t j = 0; j < fr->n_messages; j++) {
				Tandem__Message *m = fr->messages[j];
				if (m->body_case == TANDEM__MESSAGE__BODY_HEARTBEAT) {
					f->heartbeats_in++;
					f->last_hb_instance = m->heartbeat->instance;
					continue;
				}
				assert_true(f->n_inbox < H_INBOX_MAX);
				f->inbox[f->n_inbox++] = m;
			}
		}
		zmq_msg_close(&msg);
	}
}

static inline void h_pump(int ms)
{
	int64_t end = h_now() + ms;

	do {
		h_pump_once();
		usleep(500);
	} while (h_now() < end);
}

/* The next message ccd sent to f (heartbeats aside), or NULL. */
static inline Tandem__Message *fn_next(struct fake_node *f, int timeout_ms)
{
	int64_t end = h_now() + timeout_ms;

	for (;;) {
		h_pump_once();
		if (f->next < f->n_inbox)
			return f->inbox[f->next++];
		if (h_now() >= end)
			return NULL;
		usleep(200);
	}
}

static inline Tandem__Message *fn_expect(struct fake_node *f, Tandem__Message__BodyCase kind)
{
	Tandem__Message *m = fn_next(f, H_WAIT_MS);

	if (!m)
		fail_msg("node %s: nothing arrived, expected message kind %d", f->id, (int)kind);
	if (m->body_case != kind)
		fail_msg("node %s: got message kind %d, expected %d", f->id, (int)m->body_case, (int)kind);
	return m;
}

static inline Tandem__LegEvent *fn_expect_event(struct fake_node *f, uint64_t leg, Tandem__EventType type)
{
	Tandem__LegEvent *ev = fn_expect(f, TANDEM__MESSAGE__BODY_EVENT)->event;

	if (ev->leg != leg || ev->type != type)
		fail_msg("node %s: got event %d for leg %llx, expected %d for %llx", f->id, (int)ev->type,
			 (unsigned long long)ev->leg, (int)type, (unsigned long long)leg);
	return ev;
}

/* Nothing but heartbeats reaches f for ms. */
static inline void fn_expect_quiet(struct fake_node *f, int ms)
{
	Tandem__Message *m = fn_next(f, ms);

	if (m)
		fail_msg("node %s: unexpected message kind %d", f->id, (int)m->body_case);
}

static inline void fn_hello_full(struct fake_node *f, uint64_t instance, const char *node_id, uint32_t protocol,
				 const char *listen_host, const uint64_t *legs, size_t n_legs)
{
	Tandem__Hello h = TANDEM__HELLO__INIT;
	Tandem__Address a = TANDEM__ADDRESS__INIT, *ap = &a;
	Tandem__LegSummary ls[16], *lsp[16];
	Tandem__Message m = TANDEM__MESSAGE__INIT;

	assert_true(n_legs <= 16);
	h.node_id = (char *)node_id;
	h.version = (char *)"0.1.0";
	h.protocol = protocol;
	h.instance = instance;
	if (listen_host) {
		a.host = (char *)listen_host;
		a.port = 5060;
		h.n_listen = 1;
		h.listen = &ap;
	}
	for (size_t i = 0; i < n_legs; i++) {
		tandem__leg_summary__init(&ls[i]);
		ls[i].leg = legs[i];
		ls[i].state = TANDEM__LEG_STATE__LEG_CONNECTED;
		lsp[i] = &ls[i];
	}
	h.n_legs = n_legs;
	h.legs = lsp;
	m.body_case = TANDEM__MESSAGE__BODY_HELLO;
	m.hello = &h;
	fn_send(f, &m);
}

/* Hello as sigd sends it; returns the Welcome. */
static inline Tandem__Welcome *fn_hello(struct fake_node *f, const char *listen_host)
{
	Tandem__Welcome *w;

	fn_hello_full(f, f->instance, f->id, 1, listen_host, NULL, 0);
	w = fn_expect(f, TANDEM__MESSAGE__BODY_WELCOME)->welcome;
	f->auto_heartbeat = true;
	f->last_hb_ms = h_now();
	return w;
}

static inline void fn_event(struct fake_node *f, Tandem__LegEvent *ev)
{
	Tandem__Message m = TANDEM__MESSAGE__INIT;

	m.body_case = TANDEM__MESSAGE__BODY_EVENT;
	m.event = ev;
	fn_send(f, &m);
}

/* A simple event with optional code, reason and SDP body. */
static inline void fn_simple(struct fake_node *f, uint64_t leg, Tandem__EventType type, uint32_t code,
			     const char *reason, const char *sdp)
{
	Tandem__LegEvent ev = TANDEM__LEG_EVENT__INIT;
	Tandem__Body b = TANDEM__BODY__INIT;

	ev.leg = leg;
	ev.type = type;
	ev.code = code;
	if (reason)
		ev.reason = (char *)reason;
	if (sdp) {
		b.content_type = (char *)"application/sdp";
		b.content.data = (uint8_t *)sdp;
		b.content.len = strlen(sdp);
		ev.body = &b;
	}
	fn_event(f, &ev);
}

struct h_try {
	const char *call_id, *cli, *cld, *caller_name, *callee_name;
	const char *source_host, *local_host;
	uint32_t source_port, max_forwards;
	const char *sdp;
};

static inline void fn_try(struct fake_node *f, uint64_t leg, const struct h_try *t)
{
	Tandem__LegEvent ev = TANDEM__LEG_EVENT__INIT;
	Tandem__TryInfo ti = TANDEM__TRY_INFO__INIT;
	Tandem__Address src = TANDEM__ADDRESS__INIT, loc = TANDEM__ADDRESS__INIT;
	Tandem__Body b = TANDEM__BODY__INIT;

	ev.leg = leg;
	ev.type = TANDEM__EVENT_TYPE__TRY;
	ev.origin = TANDEM__ORIGIN__CALLER;
	ti.call_id = (char *)(t->call_id ? t->call_id : "");
	ti.cli = (char *)(t->cli ? t->cli : "");
	ti.cld = (char *)(t->cld ? t->cld : "");
	ti.caller_name = (char *)(t->caller_name ? t->caller_name : "");
	ti.callee_name = (char *)(t->callee_name ? t->callee_name : "");
	ti.max_forwards = t->max_forwards;
	if (t->source_host) {
		src.host = (char *)t->source_host;
		src.port = t->source_port;
		ti.source = &src;
	}
	if (t->local_host) {
		loc.host = (char *)t->local_host;
		loc.port = 5060;
		ti.local = &loc;
	}
	if (t->sdp) {
		b.content_type = (char *)"application/sdp";
		b.content.data = (uint8_t *)t->sdp;
		b.content.len = strlen(t->sdp);
		ev.body = &b;
	}
	ev.try_ = &ti;
	fn_event(f, &ev);
}

static inline void fn_closed(struct fake_node *f, uint64_t leg)
{
	Tandem__LegClosed lc = TANDEM__LEG_CLOSED__INIT;
	Tandem__Message m = TANDEM__MESSAGE__INIT;

	lc.leg = leg;
	lc.last_state = TANDEM__LEG_STATE__LEG_DEAD;
	m.body_case = TANDEM__MESSAGE__BODY_CLOSED;
	m.closed = &lc;
	fn_send(f, &m);
}

/* Pumps until cond holds (or fails the test after H_WAIT_MS). */
#define H_UNTIL(cond)                                                      \
	do {                                                               \
		int64_t h_end_ = h_now() + H_WAIT_MS;                      \
		while (!(cond)) {                                          \
			if (h_now() >= h_end_)                             \
				fail_msg("timed out waiting for " #cond);  \
			h_pump_once();                                     \
			usleep(200);                                       \
		}                                                          \
	} while (0)

/* Points the log at a fresh file at DBUG (so every log line's format runs
 * under the sanitizers, and tests can look for lines); returns its path. */
static inline const char *h_log_to_file(const char *name)
{
	char *path = h_logpath;
	size_t sz = sizeof(h_logpath);
	int fd;

	snprintf(path, sz, "/tmp/%s.XXXXXX", name);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	setenv("SIPLOG_BEND", "file", 1);
	setenv("SIPLOG_LOGFILE_FILE", path, 1);
	setenv("SIPLOG_LVL", "DBUG", 1);
	assert_int_equal(log_init("test"), 0);
	return path;
}

/* How often needle occurs in this test's log lines. */
static inline int h_log_count(const char *needle)
{
	FILE *fp = fopen(h_logpath, "r");
	char line[LOG_LINE_MAX + 1];
	int n = 0;

	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp))
		if (strstr(line, needle))
			n++;
	fclose(fp);
	return n;
}

#endif
