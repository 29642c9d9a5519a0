/*
 * nodes.c - the ROUTER the sigd nodes connect to, the node registry, and
 * the node life of docs/protocol.md (Hello/Welcome, heartbeats, restarts,
 * silence). Everything a node sends is checked here or in call.c before it
 * is believed; nothing it sends can make ccd crash or block.
 */
#include "nodes.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "call.h"
#include "ccd.h"
#include "control.h"
#include "log.h"
#include "pb_arena.h"

/* Frames are decoded into this arena (pb_arena.h). */
#define ARENA_SIZE	(1024 * 1024)
#define ROUTER_LINGER_MS 200
#define ROUTER_HWM	10000			/* frames queued per node */
#define ROUTER_MAXMSG	(16 * 1024 * 1024)	/* a larger inbound frame drops the peer */
/* A Welcome must fit one frame: a uint64 takes at most 10 bytes packed. */
#define WELCOME_UNKNOWN_MAX ((ZLINK_FRAME_MAX - 1024) / 10)

struct ccd_nodes {
	struct zlink *z;
	struct htable by_id;
	size_t n_live, n_strangers;
	uint64_t next_serial;
	const struct timeval *heartbeat_tv;	/* a libevent common timeout */
	bool strangers_full_logged;
	struct pb_arena arena;
};

int64_t ccd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Routing ids of strangers may be binary (ZeroMQ's generated ones start
 * with a zero byte): escaped for the log. */
static const char *printable(struct pl id, char *buf, size_t bufsz)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	for (size_t i = 0; i < id.l && n + 5 < bufsz; i++) {
		unsigned char c = (unsigned char)id.p[i];
		if (c > 0x20 && c < 0x7f && c != '\\') {
			buf[n++] = (char)c;
		} else {
			buf[n++] = '\\';
			buf[n++] = 'x';
			buf[n++] = hex[c >> 4];
			buf[n++] = hex[c & 15];
		}
	}
	buf[n] = '\0';
	return buf;
}

#define ID_STR(id, buf) printable((id), (buf), sizeof(buf))

static bool match_id(const struct htable_node *hn, const void *key)
{
	const struct node *n = htable_entry(hn, struct node, hnode);
	const struct pl *id = key;

	return n->id_len == id->l && memcmp(n->id, id->p, id->l) == 0;
}

struct node *nodes_find(struct ccd *cd, struct pl id)
{
	struct htable_node *hn = htable_find(&cd->nodes->by_id, htable_hash(id, HTABLE_SEED), match_id, &id);

	return hn ? htable_entry(hn, struct node, hnode) : NULL;
}

size_t nodes_live(const struct ccd *cd)
{
	return cd->nodes->n_live;
}

size_t nodes_strangers(const struct ccd *cd)
{
	return cd->nodes->n_strangers;
}

struct foreach_ctx {
	void (*fn)(struct node *n, void *arg);
	void *arg;
};

static void foreach_live(struct htable_node *hn, void *arg)
{
	struct foreach_ctx *c = arg;
	struct node *n = htable_entry(hn, struct node, hnode);

	if (n->state == NODE_LIVE)
		c->fn(n, c->arg);
}

void nodes_foreach(struct ccd *cd, void (*fn)(struct node *n, void *arg), void *arg)
{
	struct foreach_ctx c = { fn, arg };

	htable_foreach(&cd->nodes->by_id, foreach_live, &c);
}

const struct zlink_stats *nodes_link_stats(const struct ccd *cd)
{
	return zlink_stats(cd->nodes->z);
}

static struct node *node_new(struct ccd *cd, struct pl id, enum node_state state)
{
	struct ccd_nodes *ns = cd->nodes;
	struct node *n;

	if (id.l == 0 || id.l > ZLINK_PEER_MAX || !(n = calloc(1, sizeof(*n))))
		return NULL;
	n->cd = cd;
	n->state = state;
	n->id_len = (uint8_t)id.l;
	memcpy(n->id, id.p, id.l);
	n->serial = ++ns->next_serial;
	htable_insert(&ns->by_id, &n->hnode, htable_hash(id, HTABLE_SEED));
	if (state == NODE_LIVE)
		ns->n_live++;
	else
		ns->n_strangers++;
	return n;
}

static void node_free(struct ccd *cd, struct node *n)
{
	struct ccd_nodes *ns = cd->nodes;

	htable_remove(&ns->by_id, &n->hnode);
	if (n->state == NODE_LIVE)
		ns->n_live--;
	else
		ns->n_strangers--;
	if (n->heartbeat_ev)
		event_free(n->heartbeat_ev);
	free(n);
}

int nodes_send(struct ccd *cd, struct node *n, const Tandem__Message *m)
{
	char buf[4 * ZLINK_PEER_MAX + 1];

	if (zlink_frame_append(cd->nodes->z, node_id(n), &m->base) == 0) {
		n->msgs_sent++;
		return 0;
	}
	cd->stats.send_errors++;
	LOGE(PL_NULL, "node %s: message of %zu bytes too large to send: dropped", ID_STR(node_id(n), buf),
	     protobuf_c_message_get_packed_size(&m->base));
	return -1;
}

/* ---------------------------------------------------------------- strangers */

/* Messages from a peer that never said Hello: answered with nothing (it
 * will say Hello, or it is not a node of ours), logged once per peer. */
static void stranger(struct ccd *cd, struct node *n, struct pl peer, const char *why)
{
	struct ccd_nodes *ns = cd->nodes;
	char buf[4 * ZLINK_PEER_MAX + 1];

	cd->stats.msgs_from_strangers++;
	if (n)
		return;
	if (ns->n_strangers >= NODES_STRANGERS_MAX) {
		if (!ns->strangers_full_logged)
			LOGW(PL_NULL, "more than %d peers without Hello: no longer logging them",
			     NODES_STRANGERS_MAX);
		ns->strangers_full_logged = true;
		return;
	}
	node_new(cd, peer, NODE_STRANGER);
	LOGW(PL_NULL, "peer %s %s: ignoring it until it says Hello", ID_STR(peer, buf), why);
}

/* ---------------------------------------------------------------- heartbeats */

static void send_heartbeat(struct ccd *cd, struct node *n)
{
	Tandem__Heartbeat hb = TANDEM__HEARTBEAT__INIT;
	Tandem__Message m = TANDEM__MESSAGE__INIT;

	hb.instance = cd->instance;
	hb.legs = cd->stats.calls_active > UINT32_MAX ? UINT32_MAX : (uint32_t)cd->stats.calls_active;
	hb.received = n->msgs_received;
	hb.queue_depth = node_queue_depth(n) > UINT32_MAX ? UINT32_MAX : (uint32_t)node_queue_depth(n);
	m.body_case = TANDEM__MESSAGE__BODY_HEARTBEAT;
	m.heartbeat = &hb;
	nodes_send(cd, n, &m);
}

static void node_down(struct ccd *cd, struct node *n)
{
	char buf[4 * ZLINK_PEER_MAX + 1];

	LOGW(PL_NULL, "node %s silent for %lld ms: down, ending its %zu legs' calls", ID_STR(node_id(n), buf),
	     (long long)(ccd_now_ms() - n->last_heard_ms), n->legs.count);
	cd->stats.nodes_down++;
	calls_node_lost(cd, n);
	node_free(cd, n);
}

/* One timer per live node: each tick checks its silence, then sends our
 * heartbeat. A node is down after CCD_HEARTBEAT_MISSES silent intervals. */
static void on_heartbeat_tick(evutil_socket_t fd, short what, void *arg)
{
	struct node *n = arg;
	struct ccd *cd = n->cd;

	(void)fd;
	(void)what;
	if (ccd_now_ms() - n->last_heard_ms >= (int64_t)CCD_HEARTBEAT_MISSES * cd->heartbeat_ms) {
		node_down(cd, n);
		return;
	}
	send_heartbeat(cd, n);
}

static void on_heartbeat(struct ccd *cd, struct node *n, const Tandem__Heartbeat *hb)
{
	char buf[4 * ZLINK_PEER_MAX + 1];

	n->queue_depth = n->msgs_sent > hb->received ? n->msgs_sent - hb->received : 0;
	n->hb_legs = hb->legs;
	/* A restarted node says Hello first; a heartbeat from another
	 * instance is out of order. Silence is what ends a node, not this. */
	if (hb->instance != n->instance) {
		cd->stats.msgs_invalid++;
		LOGW(PL_NULL, "node %s: heartbeat from instance %016llx, expected %016llx: ignored",
		     ID_STR(node_id(n), buf), (unsigned long long)hb->instance,
		     (unsigned long long)n->instance);
	}
}

/* ---------------------------------------------------------------- Hello */

static bool valid_node_id(const char *s, struct pl peer)
{
	size_t l = strlen(s);

	if (l == 0 || l > NODE_ID_MAX || l != peer.l || memcmp(s, peer.p, l) != 0)
		return false;
	for (size_t i = 0; i < l; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

/* The host the node's originate legs put in From: its first listen
 * address, unless that is missing, malformed or a wildcard. */
static void take_listen_host(struct node *n, const Tandem__Hello *h)
{
	const char *host = (h->n_listen && h->listen[0]) ? h->listen[0]->host : "";
	size_t l = strlen(host);

	n->listen_host[0] = '\0';
	if (l == 0 || l > NODE_HOST_MAX || strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0 ||
	    strcmp(host, "*") == 0)
		return;
	for (size_t i = 0; i < l; i++) {
		char c = host[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      c == '.' || c == '-' || c == ':' || c == '_'))
			return;
	}
	memcpy(n->listen_host, host, l + 1);
}

static void send_welcome(struct ccd *cd, struct node *n, const Tandem__Hello *h)
{
	Tandem__Welcome w = TANDEM__WELCOME__INIT;
	Tandem__Message m = TANDEM__MESSAGE__INIT;
	uint64_t *unknown = NULL;
	char buf[4 * ZLINK_PEER_MAX + 1];
	char *fwd[CCD_PASS_HEADERS_MAX + 1];

	if (h->n_legs && !(unknown = malloc(h->n_legs * sizeof(*unknown))))
		LOGE(PL_NULL, "node %s: no memory for its %zu legs: not listing unknown legs",
		     ID_STR(node_id(n), buf), h->n_legs);
	for (size_t i = 0; unknown && i < h->n_legs; i++) {
		const Tandem__LegSummary *ls = h->legs[i];
		if (!ls || calls_have_leg(cd, n, ls->leg))
			continue;
		if (w.n_unknown_legs == WELCOME_UNKNOWN_MAX) {
			LOGE(PL_NULL, "node %s: more than %d unknown legs: the rest are not listed",
			     ID_STR(node_id(n), buf), WELCOME_UNKNOWN_MAX);
			break;
		}
		unknown[w.n_unknown_legs++] = ls->leg;
	}
	w.instance = cd->instance;
	w.heartbeat_interval_ms = cd->heartbeat_ms;
	/* Headers sigd copies into TryInfo: -h, and -x HDR2Xattrs's. */
	for (unsigned i = 0; i < cd->cfg.n_pass_headers; i++)
		fwd[w.n_forward_headers++] = (char *)cd->cfg.pass_headers[i];
	if (cd->cfg.pre_auth_proc == TRANSFORM_HDR2XATTRS)
		fwd[w.n_forward_headers++] = (char *)cd->cfg.pre_auth_header;
	w.forward_headers = fwd;
	w.nonce_secret.data = cd->nonce_secret;
	w.nonce_secret.len = sizeof(cd->nonce_secret);
	w.unknown_legs = unknown;
	m.body_case = TANDEM__MESSAGE__BODY_WELCOME;
	m.welcome = &w;
	nodes_send(cd, n, &m);
	/* The queue-depth count starts after the Welcome, as the node's does
	 * (docs/protocol.md, Heartbeat.received). */
	n->msgs_sent = n->msgs_received = n->queue_depth = 0;
	if (w.n_unknown_legs)
		LOGI(PL_NULL, "node %s: %zu of its %zu legs have no call", ID_STR(node_id(n), buf),
		     w.n_unknown_legs, h->n_legs);
	free(unknown);
}

static void refuse_hello(struct ccd *cd, struct node *n, struct pl peer, const char *why)
{
	char buf[4 * ZLINK_PEER_MAX + 1];

	cd->stats.msgs_invalid++;
	if (n && n->state == NODE_LIVE) {
		LOGW(PL_NULL, "node %s: Hello refused (%s)", ID_STR(peer, buf), why);
		return;
	}
	stranger(cd, n, peer, why);
}

/* Returns the node the rest of the frame belongs to (possibly new). */
static struct node *on_hello(struct ccd *cd, struct node *n, struct pl peer, const Tandem__Hello *h)
{
	struct ccd_nodes *ns = cd->nodes;
	char buf[4 * ZLINK_PEER_MAX + 1];

	if (!valid_node_id(h->node_id, peer)) {
		refuse_hello(cd, n, peer, "sent a Hello whose node_id is not its routing id");
		return n;
	}
	if (h->protocol != NODES_PROTOCOL) {
		refuse_hello(cd, n, peer, "speaks another protocol version");
		return n;
	}
	if (!n || n->state == NODE_STRANGER) {
		if (ns->n_live >= NODES_LIVE_MAX) {
			refuse_hello(cd, n, peer, "said Hello but the node registry is full");
			return n;
		}
		if (n) {
			ns->n_strangers--;
			ns->n_live++;
			n->state = NODE_LIVE;
		} else if (!(n = node_new(cd, peer, NODE_LIVE))) {
			LOGE(PL_NULL, "node %s: no memory for it: Hello ignored", ID_STR(peer, buf));
			return NULL;
		}
		n->heartbeat_ev = event_new(cd->base, -1, EV_PERSIST, on_heartbeat_tick, n);
		if (!n->heartbeat_ev) {
			LOGE(PL_NULL, "node %s: no memory for its timer: Hello ignored", ID_STR(peer, buf));
			node_free(cd, n);
			return NULL;
		}
		event_add(n->heartbeat_ev, ns->heartbeat_tv);
		cd->stats.nodes_up++;
		LOGI(PL_NULL, "node %s up: instance %016llx, sigd %.32s", ID_STR(peer, buf),
		     (unsigned long long)h->instance, h->version);
	} else if (h->instance != n->instance) {
		LOGW(PL_NULL, "node %s restarted (instance %016llx, was %016llx): ending its calls",
		     ID_STR(peer, buf), (unsigned long long)h->instance, (unsigned long long)n->instance);
		cd->stats.nodes_restarted++;
		calls_node_lost(cd, n);
	} else {
		LOGI(PL_NULL, "node %s said Hello again (instance %016llx, %zu legs)", ID_STR(peer, buf),
		     (unsigned long long)h->instance, h->n_legs);
	}
	n->instance = h->instance;
	n->last_heard_ms = ccd_now_ms();
	take_listen_host(n, h);
	send_welcome(cd, n, h);
	return n;
}

/* ---------------------------------------------------------------- frames */

static void on_message(struct ccd *cd, struct node **np, struct pl peer, const Tandem__Message *m)
{
	struct node *n = *np;
	char buf[4 * ZLINK_PEER_MAX + 1];

	if (m->body_case == TANDEM__MESSAGE__BODY_HELLO) {
		*np = on_hello(cd, n, peer, m->hello);
		return;
	}
	if (!n || n->state != NODE_LIVE) {
		stranger(cd, n, peer, "sent a message before Hello");
		return;
	}
	n->msgs_received++;
	switch (m->body_case) {
	case TANDEM__MESSAGE__BODY_HEARTBEAT:
		on_heartbeat(cd, n, m->heartbeat);
		break;
	case TANDEM__MESSAGE__BODY_EVENT:
		call_on_event(cd, n, m->event);
		break;
	case TANDEM__MESSAGE__BODY_CLOSED:
		call_on_closed(cd, n, m->closed);
		break;
	case TANDEM__MESSAGE__BODY_LIST_REPLY:
		control_on_list_reply(cd, n, m->list_reply);
		break;
	case TANDEM__MESSAGE__BODY_WELCOME:
	case TANDEM__MESSAGE__BODY_ORIGINATE:
	case TANDEM__MESSAGE__BODY_DROP:
	case TANDEM__MESSAGE__BODY_LIST_REQUEST:
		cd->stats.msgs_invalid++;
		LOGW(PL_NULL, "node %s sent a message only ccd sends (kind %d): ignored",
		     ID_STR(node_id(n), buf), (int)m->body_case);
		break;
	default:
		/* A newer protocol's message: ignored, as protobuf ignores
		 * unknown fields. */
		cd->stats.msgs_unknown++;
		LOGD(PL_NULL, "node %s sent a message of an unknown kind: ignored", ID_STR(node_id(n), buf));
		break;
	}
}

static void on_frame(struct zlink *z, struct pl peer, const uint8_t *data, size_t len, void *arg)
{
	struct ccd *cd = arg;
	struct ccd_nodes *ns = cd->nodes;
	struct node *n = nodes_find(cd, peer);
	Tandem__Frame *f;
	char buf[4 * ZLINK_PEER_MAX + 1];

	(void)z;
	if (n && n->state == NODE_LIVE)
		n->last_heard_ms = ccd_now_ms();	/* any message counts */
	f = tandem__frame__unpack(&ns->arena.alloc, len, data);
	if (!f) {
		cd->stats.frames_malformed++;
		LOGW(PL_NULL, "peer %s: malformed frame of %zu bytes dropped", ID_STR(peer, buf), len);
		pb_arena_reset(&ns->arena, NULL);
		return;
	}
	for (size_t i = 0; i < f->n_messages; i++)
		on_message(cd, &n, peer, f->messages[i]);
	pb_arena_reset(&ns->arena, &f->base);
}

/* ---------------------------------------------------------------- life */

static int setopt_int(void *s, int opt, int v)
{
	return zmq_setsockopt(s, opt, &v, sizeof(v));
}

int nodes_open(struct ccd *cd, char *err, size_t errsz)
{
	struct ccd_nodes *ns = calloc(1, sizeof(*ns));
	int64_t maxmsg = ROUTER_MAXMSG;
	struct timeval tv;
	void *s;
	int rc;

	if (!ns || htable_init(&ns->by_id, 16) < 0 || pb_arena_init(&ns->arena, ARENA_SIZE) < 0) {
		if (ns) {
			htable_free(&ns->by_id);
			pb_arena_free(&ns->arena);
		}
		free(ns);
		snprintf(err, errsz, "no memory for the node registry");
		return -1;
	}
	if (!cd->heartbeat_ms)
		cd->heartbeat_ms = CCD_HEARTBEAT_MS;
	tv.tv_sec = cd->heartbeat_ms / 1000;
	tv.tv_usec = (cd->heartbeat_ms % 1000) * 1000;
	ns->heartbeat_tv = event_base_init_common_timeout(cd->base, &tv);

	s = zmq_socket(cd->zctx, ZMQ_ROUTER);
	if (!s) {
		snprintf(err, errsz, "cannot create the ZeroMQ socket: %s", zmq_strerror(zmq_errno()));
		goto fail;
	}
	/* Mandatory: a send to a vanished node fails (and is counted)
	 * instead of disappearing. Handover: a restarted node reconnecting
	 * with its id takes over before the old connection times out. A
	 * bounded linger keeps zmq_ctx_term() from waiting forever. */
	if (setopt_int(s, ZMQ_ROUTER_MANDATORY, 1) < 0 || setopt_int(s, ZMQ_ROUTER_HANDOVER, 1) < 0 ||
	    setopt_int(s, ZMQ_LINGER, ROUTER_LINGER_MS) < 0 || setopt_int(s, ZMQ_SNDHWM, ROUTER_HWM) < 0 ||
	    setopt_int(s, ZMQ_RCVHWM, ROUTER_HWM) < 0 ||
	    zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg)) < 0) {
		snprintf(err, errsz, "cannot configure the ZeroMQ socket: %s", zmq_strerror(zmq_errno()));
		zmq_close(s);
		goto fail;
	}
	while ((rc = zmq_bind(s, cd->cfg.bind)) < 0 && zmq_errno() == EINTR)
		;	/* a signal during start-up is no reason to fail */
	if (rc < 0) {
		snprintf(err, errsz, "cannot bind %s: %s", cd->cfg.bind, zmq_strerror(zmq_errno()));
		zmq_close(s);
		goto fail;
	}
	cd->nodes = ns;
	ns->z = zlink_new(cd->base, s, true, on_frame, cd);
	if (!ns->z) {
		snprintf(err, errsz, "no memory for the ZeroMQ link");
		zmq_close(s);
		cd->nodes = NULL;
		goto fail;
	}
	return 0;
fail:
	htable_free(&ns->by_id);
	pb_arena_free(&ns->arena);
	free(ns);
	return -1;
}

static void free_node(struct htable_node *hn, void *arg)
{
	node_free(arg, htable_entry(hn, struct node, hnode));
}

void nodes_close(struct ccd *cd)
{
	struct ccd_nodes *ns = cd->nodes;

	if (!ns)
		return;
	htable_foreach(&ns->by_id, free_node, cd);
	zlink_free(ns->z);
	htable_free(&ns->by_id);
	pb_arena_free(&ns->arena);
	free(ns);
	cd->nodes = NULL;
}
