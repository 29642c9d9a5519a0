/*
 * link.c - the DEALER to ccd: Hello/Welcome, heartbeats, readiness, and
 * the inbound dispatch of ccd's messages (link.h).
 *
 * ZMQ_IMMEDIATE is on: while ccd is unreachable a message is dropped (and
 * counted) instead of piling up and reaching a restarted ccd stale. A
 * socket monitor tells the link at once when the connection drops (ready
 * ends without waiting three heartbeat intervals) and when a handshake
 * succeeds (Hello goes out at once instead of at the next second).
 */
#include "link.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <zmq.h>

#include "event.h"
#include "leg.h"
#include "log.h"
#include "pb_arena.h"
#include "sigd.h"
#include "transport.h"
#include "tsx.h"
#include "ua.h"
#include "zlink.h"

#ifndef TANDEM_VERSION
#define TANDEM_VERSION "0"
#endif

#define PROTOCOL_VERSION 1
#define FORWARD_NAME_MAX 64
/* Bytes of Hello.legs per Hello message, well inside ZLINK_FRAME_MAX. */
#define HELLO_BYTES_MAX (128 * 1024)
/* A frame decoded takes more room than packed (pointers, structures). */
#define LINK_ARENA_SIZE (2 * ZLINK_FRAME_MAX)

struct sigd_link {
	void *zctx;
	struct zlink *z;
	struct zlink *monitor;
	struct event *hello_ev;
	struct event *hb_ev;
	bool welcomed;
	bool connected;
	uint64_t ccd_instance;
	uint32_t interval_ms;
	int64_t last_rx_ms;
	int64_t last_bad_log_ms;
	size_t nfwd;
	char *fwd[LINK_FORWARD_MAX];
	char fwd_store[LINK_FORWARD_MAX][FORWARD_NAME_MAX + 1];
	struct link_stats stats;
	/* Since the last Welcome: messages queued for ccd, messages from
	 * ccd; ccd's backlog when its last Heartbeat came (link_queue_depth). */
	uint64_t sent, received, queue_depth;
	struct pb_arena arena;		/* frames from ccd are decoded here */
};

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int link_send(struct sigd *sd, const Tandem__Message *msg)
{
	struct sigd_link *k = sd->link;

	if (!k || zlink_frame_append(k->z, PL_NULL, &msg->base) < 0) {
		if (k)
			k->stats.send_failures++;
		return -1;
	}
	k->sent++;
	return 0;
}

uint64_t link_queue_depth(const struct sigd *sd)
{
	return sd->link ? sd->link->queue_depth : 0;
}

bool link_ready(struct sigd *sd)
{
	struct sigd_link *k = sd->link;

	return k && k->welcomed && mono_ms() - k->last_rx_ms <= 3 * (int64_t)k->interval_ms;
}

void link_forward_headers(struct sigd *sd, char *const **names, size_t *n)
{
	*names = sd->link ? sd->link->fwd : NULL;
	*n = sd->link ? sd->link->nfwd : 0;
}

const struct link_stats *link_stats(const struct sigd *sd)
{
	return &sd->link->stats;
}

void link_leg_closed(struct sigd *sd, uint64_t leg, unsigned last_state)
{
	Tandem__Message m = TANDEM__MESSAGE__INIT;
	Tandem__LegClosed c = TANDEM__LEG_CLOSED__INIT;

	c.leg = leg;
	c.last_state = (Tandem__LegState)last_state;
	m.body_case = TANDEM__MESSAGE__BODY_CLOSED;
	m.closed = &c;
	link_send(sd, &m);
}

/* ---------------------------------------------------------------- Hello */

struct hello_ctx {
	struct sigd *sd;
	Tandem__Hello hello;
	Tandem__Address listen[2];
	Tandem__Address *listenp[2];
	Tandem__LegSummary *sums;
	Tandem__LegSummary **sump;
	char *ids;		/* NUL-terminated Call-IDs of this Hello's legs */
	size_t n, bytes, cap;
	bool failed;
};

static void hello_flush(struct hello_ctx *h, bool last)
{
	Tandem__Message m = TANDEM__MESSAGE__INIT;

	if (h->n == 0 && !last)
		return;
	h->hello.legs = h->sump;
	h->hello.n_legs = h->n;
	m.body_case = TANDEM__MESSAGE__BODY_HELLO;
	m.hello = &h->hello;
	if (link_send(h->sd, &m) == 0)
		h->sd->link->stats.hellos_out++;
	h->n = 0;
	h->bytes = 0;
}

static void hello_leg(struct leg *l, void *arg)
{
	struct hello_ctx *h = arg;
	struct pl call_id = leg_call_id(l);
	size_t need = call_id.l + 1;

	if (h->failed)
		return;
	if (h->n == h->cap || h->bytes + need > HELLO_BYTES_MAX)
		hello_flush(h, false);
	Tandem__LegSummary *s = &h->sums[h->n];
	tandem__leg_summary__init(s);
	s->leg = l->id;
	s->state = (Tandem__LegState)l->state;
	s->uas = l->uas;
	s->call_id = h->ids + h->bytes;
	memcpy(s->call_id, call_id.p, call_id.l);
	s->call_id[call_id.l] = '\0';
	h->bytes += need;
	h->sump[h->n++] = s;
}

/*
 * Hello, listing the live legs so that a restarted ccd can keep or end
 * them; with many legs the list is split over several Hellos (each a
 * complete Hello: ccd answers each with a Welcome).
 */
static void send_hello(struct sigd *sd)
{
	struct hello_ctx h = { .sd = sd };
	char host4[64];

	tandem__hello__init(&h.hello);
	h.hello.node_id = sd->cfg.node_id;
	h.hello.version = (char *)TANDEM_VERSION;
	h.hello.protocol = PROTOCOL_VERSION;
	h.hello.instance = sd->instance;
	h.hello.max_legs = legs_max(sd) > UINT32_MAX ? 0 : (uint32_t)legs_max(sd);
	for (int i = 0; i < 2; i++) {
		tandem__address__init(&h.listen[i]);
		h.listen[i].transport = TANDEM__TRANSPORT__UDP;
		h.listen[i].port = sd->cfg.port;
		h.listenp[i] = &h.listen[i];
	}
	if (sd->cfg.listen_addr) {
		snprintf(host4, sizeof(host4), "%s", sd->cfg.listen_addr);
		h.listen[0].host = host4;
		h.hello.n_listen = 1;
	} else {
		h.listen[0].host = (char *)"0.0.0.0";
		h.listen[1].host = (char *)"::";
		h.hello.n_listen = 2;
	}
	h.hello.listen = h.listenp;
	h.cap = LINK_HELLO_LEGS_MAX;
	if (legs_count(sd)) {
		h.sums = malloc(h.cap * sizeof(*h.sums));
		h.sump = malloc(h.cap * sizeof(*h.sump));
		h.ids = malloc(HELLO_BYTES_MAX + SIP_MAX_MESSAGE);
		if (!h.sums || !h.sump || !h.ids) {
			LOGE(PL_NULL, "out of memory listing legs for Hello");
			h.failed = true;
		} else {
			legs_foreach(sd, hello_leg, &h);
		}
	}
	hello_flush(&h, true);
	free(h.sums);
	free(h.sump);
	free(h.ids);
}

static void on_hello_timer(evutil_socket_t fd, short what, void *arg)
{
	struct sigd *sd = arg;

	(void)fd;
	(void)what;
	if (!sd->link->welcomed)
		send_hello(sd);
}

static void start_hello(struct sigd *sd)
{
	struct timeval tv = { LINK_HELLO_MS / 1000, (LINK_HELLO_MS % 1000) * 1000 };
	struct sigd_link *k = sd->link;

	event_del(k->hb_ev);
	send_hello(sd);
	event_add(k->hello_ev, &tv);
}

static void link_down(struct sigd *sd, const char *why)
{
	struct sigd_link *k = sd->link;

	if (!k->welcomed)
		return;
	k->welcomed = false;
	k->stats.downs++;
	LOGW(PL_NULL, "link to ccd down (%s): new calls get 503 until ccd welcomes us again", why);
	start_hello(sd);
}

/* ---------------------------------------------------------------- heartbeat */

static void send_heartbeat(struct sigd *sd)
{
	Tandem__Message m = TANDEM__MESSAGE__INIT;
	Tandem__Heartbeat hb = TANDEM__HEARTBEAT__INIT;
	size_t n = legs_count(sd);

	hb.instance = sd->instance;
	hb.legs = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
	hb.received = sd->link->received;
	hb.queue_depth = link_queue_depth(sd) > UINT32_MAX ? UINT32_MAX : (uint32_t)link_queue_depth(sd);
	m.body_case = TANDEM__MESSAGE__BODY_HEARTBEAT;
	m.heartbeat = &hb;
	if (link_send(sd, &m) == 0)
		sd->link->stats.heartbeats_out++;
}

static void on_hb_timer(evutil_socket_t fd, short what, void *arg)
{
	struct sigd *sd = arg;
	struct sigd_link *k = sd->link;

	(void)fd;
	(void)what;
	if (!k->welcomed)
		return;
	if (mono_ms() - k->last_rx_ms > 3 * (int64_t)k->interval_ms) {
		link_down(sd, "ccd silent for three heartbeat intervals");
		return;
	}
	send_heartbeat(sd);
}

/* ---------------------------------------------------------------- inbound */

/* At most one line per second about ccd's mistakes: a broken or confused
 * ccd must not flood the log (the counters keep the full story). */
static bool log_due(struct sigd_link *k)
{
	int64_t now = mono_ms();

	if (now - k->last_bad_log_ms < 1000)
		return false;
	k->last_bad_log_ms = now;
	return true;
}

static void bad_msg(struct sigd *sd, const char *what)
{
	struct sigd_link *k = sd->link;

	k->stats.bad_msgs++;
	if (log_due(k))
		LOGW(PL_NULL, "from ccd: %s (ignored; %llu so far)", what,
		     (unsigned long long)k->stats.bad_msgs);
}

static bool forward_name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > FORWARD_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] > '~' || s[i] == ':')
			return false;
	return true;
}

static void end_unknown(struct sigd *sd, uint64_t id)
{
	struct leg *l = leg_by_id(sd, id);

	if (!l || l->state >= LEG_DISCONNECTED)
		return;
	LOGI(leg_call_id(l), "leg %llu unknown to ccd: ending it", (unsigned long long)id);
	ua_end(l);
}

static void on_welcome(struct sigd *sd, const Tandem__Welcome *w)
{
	struct sigd_link *k = sd->link;
	uint32_t iv = w->heartbeat_interval_ms;

	if (iv == 0)
		iv = LINK_HEARTBEAT_DEFAULT_MS;
	if (iv < LINK_HEARTBEAT_MIN_MS)
		iv = LINK_HEARTBEAT_MIN_MS;
	if (iv > LINK_HEARTBEAT_MAX_MS)
		iv = LINK_HEARTBEAT_MAX_MS;
	k->nfwd = 0;
	for (size_t i = 0; i < w->n_forward_headers && k->nfwd < LINK_FORWARD_MAX; i++) {
		if (!forward_name_ok(w->forward_headers[i])) {
			bad_msg(sd, "Welcome with a malformed forward header name");
			continue;
		}
		strcpy(k->fwd_store[k->nfwd], w->forward_headers[i]);
		k->fwd[k->nfwd] = k->fwd_store[k->nfwd];
		k->nfwd++;
	}
	if (!k->welcomed || k->ccd_instance != w->instance || k->interval_ms != iv)
		LOGI(PL_NULL, "ccd (instance %016llx) welcomed node %s: heartbeat %u ms, %zu forward headers",
		     (unsigned long long)w->instance, sd->cfg.node_id, iv, k->nfwd);
	if (legs_set_nonce_secret(sd, w->nonce_secret.data, w->nonce_secret.len) < 0)
		bad_msg(sd, "Welcome with a nonce secret of a bad length (kept the one in use)");
	k->ccd_instance = w->instance;
	k->interval_ms = iv;
	k->welcomed = true;
	k->sent = k->received = k->queue_depth = 0;
	k->stats.welcomes_in++;
	event_del(k->hello_ev);
	struct timeval tv = { iv / 1000, (iv % 1000) * 1000 };
	event_del(k->hb_ev);
	event_add(k->hb_ev, &tv);
	for (size_t i = 0; i < w->n_unknown_legs; i++)
		end_unknown(sd, w->unknown_legs[i]);
}

static void on_heartbeat(struct sigd *sd, const Tandem__Heartbeat *hb)
{
	struct sigd_link *k = sd->link;

	k->stats.heartbeats_in++;
	k->queue_depth = k->sent > hb->received ? k->sent - hb->received : 0;
	if (k->welcomed && hb->instance && hb->instance != k->ccd_instance) {
		k->stats.ccd_restarts++;
		LOGW(PL_NULL, "ccd restarted (instance %016llx, was %016llx): saying Hello again",
		     (unsigned long long)hb->instance, (unsigned long long)k->ccd_instance);
		k->welcomed = false;
		start_hello(sd);
	}
}

/* An Originate that cannot become a leg still gets an answer, so that ccd
 * can hunt on or end the call. */
static void refuse_originate(struct sigd *sd, uint64_t id, unsigned code, const char *why)
{
	struct ev_out *o = legs_ev_out(sd);

	ev_begin(o, id, TANDEM__EVENT_TYPE__FAIL, TANDEM__ORIGIN__SWITCH, sigd_now_us());
	o->ev.code = code;
	o->ev.reason = ev_str(o, pl_from_str(why));
	link_send(sd, &o->msg);
	link_leg_closed(sd, id, LEG_FAILED);
}

static void on_originate(struct sigd *sd, const Tandem__Originate *o)
{
	const char *why = ev_check_originate(o);

	if (why) {
		bad_msg(sd, why);
		if (o->leg & LEG_ID_UAC_BIT && !leg_by_id(sd, o->leg))
			refuse_originate(sd, o->leg, 500, "Bad Originate");
		return;
	}
	if (leg_by_id(sd, o->leg)) {
		bad_msg(sd, "Originate for a leg id in use");
		return;
	}
	if (legs_full(sd)) {
		legs_stats(sd)->rejected_full++;
		refuse_originate(sd, o->leg, 503, "Service Unavailable");
		return;
	}
	ua_originate(sd, o);
}

static void on_event(struct sigd *sd, const Tandem__LegEvent *ev)
{
	const char *why = ev_check(ev);
	struct leg *l;

	if (why) {
		bad_msg(sd, why);
		return;
	}
	l = leg_by_id(sd, ev->leg);
	if (!l || l->state == LEG_DEAD) {
		uint64_t n = ++legs_stats(sd)->events_unknown_leg;

		if (log_due(sd->link))
			LOGI(PL_NULL, "event %s for unknown leg %llu dropped (%llu so far)",
			     ev_type_name(ev->type), (unsigned long long)ev->leg, (unsigned long long)n);
		return;
	}
	legs_stats(sd)->events_in++;
	ua_event(l, ev);
}

static void on_leg_options(struct sigd *sd, const Tandem__LegOptions *lo)
{
	struct leg *l = lo->leg ? leg_by_id(sd, lo->leg) : NULL;

	if (!lo->leg) {
		bad_msg(sd, "LegOptions without a leg id");
		return;
	}
	if (!l || l->state == LEG_DEAD) {
		/* It may have ended while the options were under way. */
		legs_stats(sd)->events_unknown_leg++;
		LOGD(PL_NULL, "LegOptions for unknown leg %llu dropped", (unsigned long long)lo->leg);
		return;
	}
	ua_keepalive_set(l, lo->keepalive_ms);
}

static void on_drop(struct sigd *sd, const Tandem__DropLeg *d)
{
	struct leg *l = leg_by_id(sd, d->leg);

	if (!l)
		return;
	LOGI(leg_call_id(l), "ccd drops leg %llu: %s", (unsigned long long)d->leg,
	     d->reason ? d->reason : "");
	leg_drop(l);
}

static void on_message(struct sigd *sd, const Tandem__Message *m)
{
	switch (m->body_case) {
	case TANDEM__MESSAGE__BODY_WELCOME:
		on_welcome(sd, m->welcome);
		break;
	case TANDEM__MESSAGE__BODY_HEARTBEAT:
		on_heartbeat(sd, m->heartbeat);
		break;
	case TANDEM__MESSAGE__BODY_EVENT:
		on_event(sd, m->event);
		break;
	case TANDEM__MESSAGE__BODY_ORIGINATE:
		on_originate(sd, m->originate);
		break;
	case TANDEM__MESSAGE__BODY_DROP:
		on_drop(sd, m->drop);
		break;
	case TANDEM__MESSAGE__BODY_LIST_REQUEST:
		link_on_list_request(sd, m->list_request);
		break;
	case TANDEM__MESSAGE__BODY_LEG_OPTIONS:
		on_leg_options(sd, m->leg_options);
		break;
	case TANDEM__MESSAGE__BODY__NOT_SET:
		/* a message type newer than us: ignored, as protobuf wants */
		LOGD(PL_NULL, "from ccd: message of an unknown type ignored");
		break;
	default:
		bad_msg(sd, "message that only sigd sends");
		break;
	}
}

void link_receive(struct sigd *sd, const uint8_t *data, size_t len)
{
	struct sigd_link *k = sd->link;
	Tandem__Frame *f = tandem__frame__unpack(&k->arena.alloc, len, data);

	k->stats.frames_in++;
	if (!f) {
		k->stats.bad_frames++;
		bad_msg(sd, "frame that does not unpack");
		pb_arena_reset(&k->arena, NULL);
		return;
	}
	/* Anything from ccd proves it is alive. */
	k->last_rx_ms = mono_ms();
	for (size_t i = 0; i < f->n_messages; i++) {
		k->stats.msgs_in++;
		k->received++;
		on_message(sd, f->messages[i]);
	}
	pb_arena_reset(&k->arena, &f->base);
}

static void on_recv(struct zlink *z, struct pl peer, const uint8_t *data, size_t len, void *arg)
{
	(void)z;
	(void)peer;
	transport_hold(arg);
	link_receive(arg, data, len);
	transport_release(arg);
}

/* Socket monitor: [uint16 event, uint32 value] then the endpoint. */
static void on_monitor(struct zlink *z, struct pl peer, const uint8_t *data, size_t len, void *arg)
{
	struct sigd *sd = arg;
	struct sigd_link *k = sd->link;
	uint16_t ev;

	(void)z;
	(void)peer;
	if (len < 6)
		return;
	memcpy(&ev, data, sizeof(ev));
	if (ev == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
		k->connected = true;
		if (!k->welcomed)
			send_hello(sd);
	} else if (ev == ZMQ_EVENT_DISCONNECTED) {
		k->connected = false;
		link_down(sd, "connection lost");
	}
}

/* ---------------------------------------------------------------- life */

static void *open_dealer(struct sigd *sd, void *ctx)
{
	void *s = zmq_socket(ctx, ZMQ_DEALER);
	int linger = LINK_LINGER_MS, hwm = LINK_SNDHWM, one = 1;

	if (!s)
		return NULL;
	if (zmq_setsockopt(s, ZMQ_ROUTING_ID, sd->cfg.node_id, strlen(sd->cfg.node_id)) < 0 ||
	    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger)) < 0 ||
	    zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof(hwm)) < 0 ||
	    zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof(hwm)) < 0 ||
	    zmq_setsockopt(s, ZMQ_IMMEDIATE, &one, sizeof(one)) < 0) {
		zmq_close(s);
		return NULL;
	}
	return s;
}

static void *open_monitor(struct sigd *sd, void *ctx, void *dealer)
{
	char ep[96];
	void *s;

	snprintf(ep, sizeof(ep), "inproc://sigd-link-monitor-%p", (void *)sd);
	if (zmq_socket_monitor(dealer, ep, ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED) < 0)
		return NULL;
	s = zmq_socket(ctx, ZMQ_PAIR);
	if (s && zmq_connect(s, ep) < 0) {
		zmq_close(s);
		s = NULL;
	}
	return s;
}

int link_init(struct sigd *sd)
{
	struct sigd_link *k = calloc(1, sizeof(*k));
	void *dealer = NULL, *mon = NULL;

	if (!k)
		return -1;
	sd->link = k;
	if (pb_arena_init(&k->arena, LINK_ARENA_SIZE) < 0)
		goto fail;
	while (sd->instance == 0)
		if (getrandom(&sd->instance, sizeof(sd->instance), 0) < 0 && errno != EINTR)
			sd->instance = (uint64_t)mono_ms() ^ ((uint64_t)time(NULL) << 24) ^ 1;
	k->interval_ms = LINK_HEARTBEAT_DEFAULT_MS;
	k->zctx = zmq_ctx_new();
	if (!k->zctx)
		goto fail;
	if (sd->cfg.zmq_cpus_set) {
		char err[160];

		if (zlink_ctx_set_cpus(k->zctx, &sd->cfg.zmq_cpus, err, sizeof(err)) < 0) {
			LOGE(PL_NULL, "%s", err);
			goto fail;
		}
	}
	dealer = open_dealer(sd, k->zctx);
	if (!dealer)
		goto fail;
	if (zmq_connect(dealer, sd->cfg.ccd_endpoint) < 0) {
		LOGE(PL_NULL, "cannot connect to ccd at %s: %s", sd->cfg.ccd_endpoint,
		     zmq_strerror(errno));
		goto fail;
	}
	mon = open_monitor(sd, k->zctx, dealer);
	k->z = zlink_new(sd->base, dealer, false, on_recv, sd);
	if (!k->z)
		goto fail;
	dealer = NULL;
	if (mon) {
		k->monitor = zlink_new(sd->base, mon, false, on_monitor, sd);
		if (!k->monitor)
			zmq_close(mon);
	}
	k->hello_ev = event_new(sd->base, -1, EV_PERSIST, on_hello_timer, sd);
	k->hb_ev = event_new(sd->base, -1, EV_PERSIST, on_hb_timer, sd);
	if (!k->hello_ev || !k->hb_ev)
		goto fail;
	start_hello(sd);
	return 0;
fail:
	if (dealer)
		zmq_close(dealer);
	link_free(sd);
	return -1;
}

void link_flush(struct sigd *sd)
{
	if (sd->link && sd->link->z)
		zlink_flush(sd->link->z);
}

void link_free(struct sigd *sd)
{
	struct sigd_link *k = sd->link;

	if (!k)
		return;
	if (k->hello_ev)
		event_free(k->hello_ev);
	if (k->hb_ev)
		event_free(k->hb_ev);
	if (k->z) {
		zlink_flush(k->z);
		zmq_socket_monitor(zlink_socket(k->z), NULL, 0);
	}
	zlink_free(k->monitor);
	zlink_free(k->z);
	if (k->zctx)
		zmq_ctx_term(k->zctx);
	pb_arena_free(&k->arena);
	free(k);
	sd->link = NULL;
}

/* ---------------------------------------------------------------- lists (control socket) */

/*
 * ccd's control socket gathers the legs (`l`) or transactions (`lt`,
 * `llt`) of every node. The answer is split into ListReply parts that fit
 * a frame comfortably: at most LIST_PART_ITEMS items and LIST_PART_BYTES of
 * strings each (strings are cut at LIST_STR_MAX: this is for display).
 * Everything is sent from this one call; ZeroMQ queues it.
 */
#define LIST_PART_ITEMS	2048
#define LIST_PART_BYTES	(128 * 1024)
#define LIST_STR_MAX	255

struct list_ctx {
	struct sigd *sd;
	Tandem__ListReply reply;
	uint32_t min_age_ms;
	size_t n, total, bytes;
	bool truncated;
	Tandem__LegSummary *legs;
	Tandem__TransactionSummary *tsx;
	void **items;		/* the part's item pointers */
	char *strs;		/* the part's strings, NUL-terminated */
};

static void list_flush(struct list_ctx *c, bool last)
{
	Tandem__Message m = TANDEM__MESSAGE__INIT;

	if (c->n == 0 && !last)
		return;
	c->reply.last = last;
	c->reply.truncated = last && c->truncated;
	if (c->legs) {
		c->reply.n_legs = c->n;
		c->reply.legs = (Tandem__LegSummary **)c->items;
	} else if (c->tsx) {
		c->reply.n_transactions = c->n;
		c->reply.transactions = (Tandem__TransactionSummary **)c->items;
	}
	m.body_case = TANDEM__MESSAGE__BODY_LIST_REPLY;
	m.list_reply = &c->reply;
	link_send(c->sd, &m);
	c->n = 0;
	c->bytes = 0;
}

/* Room for one more item with `bytes` of strings; false past the limit. */
static bool list_room(struct list_ctx *c, size_t bytes)
{
	if (c->total >= LINK_LIST_MAX) {
		c->truncated = true;
		return false;
	}
	if (c->n == LIST_PART_ITEMS || c->bytes + bytes > LIST_PART_BYTES)
		list_flush(c, false);
	c->total++;
	return true;
}

static char *list_str(struct list_ctx *c, struct pl s)
{
	char *d = c->strs + c->bytes;
	size_t l = s.l > LIST_STR_MAX ? LIST_STR_MAX : s.l;

	if (l)
		memcpy(d, s.p, l);
	d[l] = '\0';
	c->bytes += l + 1;
	return d;
}

static void list_leg(struct leg *l, void *arg)
{
	struct list_ctx *c = arg;
	Tandem__LegSummary *s;

	if (!list_room(c, 0))
		return;
	s = &c->legs[c->n];
	tandem__leg_summary__init(s);
	s->leg = l->id;
	s->state = (Tandem__LegState)l->state;
	s->uas = l->uas;
	s->reinvite_sent = l->state == LEG_UPDATING && l->reinv_ours;
	c->items[c->n++] = s;
}

static void list_tsx(const struct tsx_info *ti, void *arg)
{
	struct list_ctx *c = arg;
	Tandem__TransactionSummary *s;

	if (ti->age_ms < (int64_t)c->min_age_ms || !list_room(c, 3 * (LIST_STR_MAX + 1)))
		return;
	s = &c->tsx[c->n];
	tandem__transaction_summary__init(s);
	s->server = ti->kind == TSX_SERVER_INVITE || ti->kind == TSX_SERVER_NON_INVITE;
	s->method = list_str(c, ti->method);
	/* enum tsx_state is RFC 3261's order, the proto's minus one. */
	s->state = (Tandem__TransactionState)(ti->state + 1);
	s->call_id = list_str(c, ti->call_id);
	s->cseq = ti->cseq;
	s->branch = list_str(c, ti->branch);
	s->age_ms = ti->age_ms > 0 ? (uint64_t)ti->age_ms : 0;
	c->items[c->n++] = s;
}

void link_on_list_request(struct sigd *sd, const Tandem__ListRequest *rq)
{
	struct list_ctx c = { .sd = sd, .min_age_ms = rq->min_age_ms };
	bool legs = rq->kind == TANDEM__LIST_KIND__LIST_LEGS;
	bool tsx = rq->kind == TANDEM__LIST_KIND__LIST_TRANSACTIONS;
	void *leg_mem, *tsx_mem;

	tandem__list_reply__init(&c.reply);
	c.reply.request_id = rq->request_id;
	c.items = malloc(LIST_PART_ITEMS * sizeof(*c.items));
	if (legs)
		c.legs = malloc(LIST_PART_ITEMS * sizeof(*c.legs));
	if (tsx) {
		c.tsx = malloc(LIST_PART_ITEMS * sizeof(*c.tsx));
		c.strs = malloc(LIST_PART_BYTES);
	}
	leg_mem = c.legs;
	tsx_mem = c.tsx;
	if (!c.items || (legs && !c.legs) || (tsx && (!c.tsx || !c.strs))) {
		LOGE(PL_NULL, "out of memory listing %s for ccd", legs ? "legs" : "transactions");
		c.legs = NULL;
		c.tsx = NULL;
		c.truncated = true;
	} else if (legs) {
		legs_foreach(sd, list_leg, &c);
	} else if (tsx) {
		tsx_foreach(sd, list_tsx, &c);
	} else {
		bad_msg(sd, "ListRequest of an unknown kind");
	}
	list_flush(&c, true);
	LOGD(PL_NULL, "listed %zu %s for ccd (request %llu)%s", c.total, legs ? "legs" : "transactions",
	     (unsigned long long)rq->request_id, c.truncated ? ", truncated" : "");
	free(c.items);
	free(leg_mem);
	free(tsx_mem);
	free(c.strs);
}
