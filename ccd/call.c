/*
 * call.c - the call controller (see call.h for the states).
 *
 * Memory: one allocation per call, sized to fit the TRY's strings that a
 * routing attempt needs (Call-ID, numbers, names, addresses); the legs are
 * embedded, and found from events through the one table of all legs
 * (legref.h). Calls that ended wait for their LegClosed messages in a FIFO
 * with one timer (every call waits the same time), not a timer each.
 */
#include "call.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ccd.h"
#include "legref.h"
#include "log.h"
#include "media.h"
#include "netaddr.h"
#include "nodes.h"
#include "route.h"

#define LEG_ORIGINATE_BIT (1ULL << 63)
#define URI_MAX 512

_Static_assert(CALL_ROUTES_MAX <= CCD_ATTEMPTS_MAX, "ccd_stats.attempts_by_route is too small");

/* Setup latency (TRY to CONNECT relayed) bounds, seconds: it includes the
 * callee's ringing, so it spans milliseconds to minutes. */
static const double setup_buckets[] = { 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120 };

enum call_state {
	CALL_IDLE,
	CALL_ROUTING,		/* Sippy's WaitRoute: authorisation/routing pending */
	CALL_AR_COMPLETE,	/* routed, originate attempt in progress */
	CALL_CONNECTED,
	CALL_DISCONNECTING,	/* ended, waiting for the legs' LegClosed */
	CALL_DEAD,
};

static const char *const state_names[] = {
	"Idle", "WaitRoute", "ARComplete", "Connected", "Disconnecting", "Dead",
};

static const char *const event_names[] = {
	"?", "TRY", "RING", "PRE_CONNECT", "CONNECT", "UPDATE", "INFO", "DISCONNECT", "FAIL", "REDIRECT",
};

/* The TRY fields kept for routing attempts, stored back to back. */
enum call_field {
	F_CALL_ID,
	F_CLI,
	F_CLD,
	F_CALLER_NAME,
	F_CALLEE_NAME,
	F_SOURCE_HOST,
	F_LOCAL_HOST,
	F_COUNT,
};

struct call_leg {
	struct legref ref;
	struct call *call;
	bool answer;	/* the caller's leg; else an originate leg */
	bool open;	/* in the table: no LegClosed yet, node alive */
	bool lost;	/* on calls_node_lost()'s work list */
	/* The UA state the leg's node last listed (control socket `l`),
	 * valid for the list of generation ua_gen only. */
	uint8_t ua_state;
	bool ua_reinvite_sent;
	uint32_t ua_gen;
};

struct call {
	struct call_leg a, o;
	struct call *prev, *next;	/* every call */
	struct call *lprev, *lnext;	/* linger FIFO (Disconnecting) */
	int64_t linger_deadline_ms;
	int64_t try_us;			/* monotonic, for the setup latency */
	uint64_t serial;		/* Sippy's controller id, for logs and `r` */
	const struct route *routes;
	uint8_t n_routes;
	uint8_t attempt;		/* attempts placed: the -b2b_N suffix */
	uint8_t state;
	bool final_counted;
	bool lingering;
	uint16_t source_port;
	uint32_t max_forwards;
	struct media_session *media;	/* RTP proxy session (media.h); NULL: none */
	struct held *held, *held_tail;	/* events waiting behind an SDP rewrite */
	uint8_t n_held;
	uint16_t len[F_COUNT];
	char str[];
};

struct call_layer {
	struct htable legs;
	struct call *all;
	struct call *linger_head, *linger_tail;
	struct event *linger_ev;
	uint64_t next_leg;
	uint64_t next_serial;
	bool refusing;		/* stopping: every TRY gets FAIL 503 (calls_refuse_new) */
};

/* ---------------------------------------------------------------- helpers */

static struct pl field(const struct call *c, enum call_field f)
{
	size_t off = 0;

	for (int i = 0; i < (int)f; i++)
		off += c->len[i];
	return pl_from(c->str + off, c->len[f]);
}

static int64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static struct pl cid(const struct call *c)
{
	return field(c, F_CALL_ID);
}

static struct call_leg *leg_of(struct legref *r)
{
	return (struct call_leg *)(void *)((char *)r - offsetof(struct call_leg, ref));
}

static struct call_leg *peer_of(struct call *c, struct call_leg *l)
{
	return l == &c->a ? &c->o : &c->a;
}

static const char *event_name(int type)
{
	return (type > 0 && type < (int)(sizeof(event_names) / sizeof(event_names[0]))) ? event_names[type] : "?";
}

static bool text_ok(const char *s)
{
	for (; s && *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return false;
	return true;
}

static bool token_ok(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f || strchr("()<>@,;:\\\"/[]?={}", *s))
			return false;
	return true;
}

/* Packet addresses (TryInfo.source, .local) are numeric or absent. */
static bool numeric_host_ok(const char *s)
{
	struct netaddr a;

	return !*s || netaddr_from_host(&a, pl_from_str(s), 0);
}

/* ---------------------------------------------------------------- sending */

static void send_event_to(struct ccd *cd, struct node *n, Tandem__LegEvent *ev)
{
	Tandem__Message m = TANDEM__MESSAGE__INIT;

	m.body_case = TANDEM__MESSAGE__BODY_EVENT;
	m.event = ev;
	nodes_send(cd, n, &m);
}

static bool media_hold(struct ccd *cd, struct call *c, struct call_leg *from, const Tandem__LegEvent *ev);
static void media_ending(struct call *c);
static void media_drop(struct call *c);

/* Passes an event on to the other leg as it came: code, reason, body,
 * origin, Reason header, extra headers, challenges, contacts, time,
 * warning, transfer target. Only the leg changes; nothing is copied. */
static void relay_now(struct ccd *cd, struct call *c, struct call_leg *from, const Tandem__LegEvent *ev)
{
	struct call_leg *to = peer_of(c, from);
	Tandem__LegEvent out = *ev;

	if (!to->open) {
		cd->stats.events_dropped++;
		LOGD(cid(c), "call %llu: %s from the %s leg dropped: the other leg is gone",
		     (unsigned long long)c->serial, event_name(ev->type), from->answer ? "answer" : "originate");
		return;
	}
	out.leg = to->ref.id;
	out.try_ = NULL;
	out.challenge = NULL;
	/* Fields of a newer protocol were not checked: not passed on. */
	out.base.n_unknown_fields = 0;
	out.base.unknown_fields = NULL;
	LOGD(cid(c), "call %llu: %s %u from the %s leg relayed to %s/%016llx", (unsigned long long)c->serial,
	     event_name(ev->type), ev->code, from->answer ? "answer" : "originate", to->ref.node->id,
	     (unsigned long long)to->ref.id);
	send_event_to(cd, to->ref.node, &out);
}

/* relay_now(), unless an SDP rewrite holds the event (media_hold()). */
static void relay(struct ccd *cd, struct call *c, struct call_leg *from, const Tandem__LegEvent *ev)
{
	if (!media_hold(cd, c, from, ev))
		relay_now(cd, c, from, ev);
}

static void send_disconnect(struct ccd *cd, struct call *c, struct call_leg *to)
{
	Tandem__LegEvent ev = TANDEM__LEG_EVENT__INIT;

	ev.leg = to->ref.id;
	ev.type = TANDEM__EVENT_TYPE__DISCONNECT;
	ev.origin = TANDEM__ORIGIN__SWITCH;
	LOGD(cid(c), "call %llu: DISCONNECT to %s/%016llx", (unsigned long long)c->serial, to->ref.node->id,
	     (unsigned long long)to->ref.id);
	send_event_to(cd, to->ref.node, &ev);
}

static void send_fail(struct ccd *cd, struct node *n, uint64_t leg, uint32_t code, const char *reason)
{
	Tandem__LegEvent ev = TANDEM__LEG_EVENT__INIT;

	ev.leg = leg;
	ev.type = TANDEM__EVENT_TYPE__FAIL;
	ev.code = code;
	ev.reason = (char *)reason;
	ev.origin = TANDEM__ORIGIN__SWITCH;
	send_event_to(cd, n, &ev);
}

/*
 * While ccd stops (SIGTERM) a new call gets 503 with Retry-After, which
 * sigd passes to the caller as it is (extra_headers): its proxy tries
 * another B2BUA. A few seconds, not the drain time: by then another ccd
 * (or this one, restarted) will be there.
 */
static void refuse_try(struct ccd *cd, struct node *n, uint64_t leg)
{
	Tandem__LegEvent ev = TANDEM__LEG_EVENT__INIT;
	Tandem__Header ra = TANDEM__HEADER__INIT;
	Tandem__Header *hdrs[1] = { &ra };
	char secs[12];

	snprintf(secs, sizeof(secs), "%u", CALLS_REFUSE_RETRY_AFTER_S);
	ra.name = (char *)"Retry-After";
	ra.value = secs;
	ev.leg = leg;
	ev.type = TANDEM__EVENT_TYPE__FAIL;
	ev.code = 503;
	ev.reason = (char *)"Service Unavailable";
	ev.origin = TANDEM__ORIGIN__SWITCH;
	ev.extra_headers = hdrs;
	ev.n_extra_headers = 1;
	cd->stats.calls_refused_stopping++;
	LOGI(PL_NULL, "node %s: TRY on leg %016llx refused: ccd is stopping", n->id, (unsigned long long)leg);
	send_event_to(cd, n, &ev);
}

/* ---------------------------------------------------------------- life */

static void set_state(struct call *c, enum call_state s)
{
	LOGD(cid(c), "call %llu: %s -> %s", (unsigned long long)c->serial, state_names[c->state],
	     state_names[s]);
	c->state = (uint8_t)s;
}

/* The final response the caller got, counted once per call. */
static void set_final(struct ccd *cd, struct call *c, uint32_t code)
{
	if (c->final_counted)
		return;
	c->final_counted = true;
	cd->stats.calls_by_code[code <= CCD_CODE_MAX ? code : 0]++;
}

static void linger_arm(struct ccd *cd)
{
	struct call_layer *cl = cd->calls;
	int64_t left;
	struct timeval tv;

	if (!cl->linger_head) {
		evtimer_del(cl->linger_ev);
		return;
	}
	left = cl->linger_head->linger_deadline_ms - ccd_now_ms();
	if (left < 0)
		left = 0;
	tv.tv_sec = left / 1000;
	tv.tv_usec = (left % 1000) * 1000;
	evtimer_add(cl->linger_ev, &tv);
}

static void linger_push(struct ccd *cd, struct call *c)
{
	struct call_layer *cl = cd->calls;

	c->linger_deadline_ms = ccd_now_ms() + cd->linger_ms;
	c->lnext = NULL;
	c->lprev = cl->linger_tail;
	if (cl->linger_tail)
		cl->linger_tail->lnext = c;
	else
		cl->linger_head = c;
	cl->linger_tail = c;
	c->lingering = true;
	if (cl->linger_head == c)
		linger_arm(cd);
}

static void linger_remove(struct ccd *cd, struct call *c)
{
	struct call_layer *cl = cd->calls;
	bool was_head = cl->linger_head == c;

	if (!c->lingering)
		return;
	if (c->lprev)
		c->lprev->lnext = c->lnext;
	else
		cl->linger_head = c->lnext;
	if (c->lnext)
		c->lnext->lprev = c->lprev;
	else
		cl->linger_tail = c->lprev;
	c->lingering = false;
	if (was_head)
		linger_arm(cd);
}

static void call_free(struct ccd *cd, struct call *c)
{
	struct call_layer *cl = cd->calls;

	linger_remove(cd, c);
	legref_detach(&cl->legs, &c->a.ref);
	legref_detach(&cl->legs, &c->o.ref);
	if (c->prev)
		c->prev->next = c->next;
	else
		cl->all = c->next;
	if (c->next)
		c->next->prev = c->prev;
	cd->stats.calls_active--;
	media_drop(c);
	free(c);
}

static void start_ending(struct ccd *cd, struct call *c)
{
	set_state(c, CALL_DISCONNECTING);
	linger_push(cd, c);
	media_ending(c);
}

/* Dead once no leg is left to report LegClosed. */
static void maybe_dead(struct ccd *cd, struct call *c)
{
	if (c->a.open || c->o.open)
		return;
	set_state(c, CALL_DEAD);
	call_free(cd, c);
}

/* A leg is gone (LegClosed, or its node restarted or went silent). A call
 * that was not ending yet ends now: the legs still there get DISCONNECT. */
static void after_leg_loss(struct ccd *cd, struct call *c)
{
	if (c->state < CALL_DISCONNECTING) {
		if (!c->a.open)
			set_final(cd, c, 0);
		else if (c->state < CALL_CONNECTED)
			set_final(cd, c, 500);
		if (c->a.open)
			send_disconnect(cd, c, &c->a);
		if (c->o.open)
			send_disconnect(cd, c, &c->o);
		start_ending(cd, c);
	}
	maybe_dead(cd, c);
}

static void leg_close(struct ccd *cd, struct call_leg *l)
{
	legref_detach(&cd->calls->legs, &l->ref);
	l->open = false;
}

/* Linger expired: legs that never reported LegClosed are dropped in sigd
 * (DropLeg: no SIP) so neither side keeps state for a call that is gone. */
static void linger_expire(struct ccd *cd, struct call *c)
{
	struct call_leg *legs[2] = { &c->a, &c->o };

	LOGW(cid(c), "call %llu: no LegClosed %u ms after the end: dropping its legs",
	     (unsigned long long)c->serial, cd->linger_ms);
	cd->stats.calls_linger_expired++;
	for (int i = 0; i < 2; i++) {
		Tandem__DropLeg d = TANDEM__DROP_LEG__INIT;
		Tandem__Message m = TANDEM__MESSAGE__INIT;

		if (!legs[i]->open)
			continue;
		d.leg = legs[i]->ref.id;
		d.reason = (char *)"call ended, LegClosed overdue";
		m.body_case = TANDEM__MESSAGE__BODY_DROP;
		m.drop = &d;
		nodes_send(cd, legs[i]->ref.node, &m);
		leg_close(cd, legs[i]);
	}
	maybe_dead(cd, c);
}

static void on_linger(evutil_socket_t fd, short what, void *arg)
{
	struct ccd *cd = arg;
	struct call_layer *cl = cd->calls;
	int64_t now = ccd_now_ms();

	(void)fd;
	(void)what;
	while (cl->linger_head && cl->linger_head->linger_deadline_ms <= now)
		linger_expire(cd, cl->linger_head);
	linger_arm(cd);
}

/* ---------------------------------------------------------------- TRY */

static const char *check_event(const Tandem__LegEvent *ev);

/* Returns why a TRY cannot become a call, or NULL. */
static const char *check_try(const Tandem__LegEvent *ev)
{
	const Tandem__TryInfo *t = ev->try_;
	size_t l;

	if (!t)
		return "TRY without details";
	l = strlen(t->call_id);
	if (l == 0 || l > CALL_ID_MAX)
		return "Call-ID empty or too long";
	for (size_t i = 0; i < l; i++)
		if ((unsigned char)t->call_id[i] <= 0x20 || (unsigned char)t->call_id[i] >= 0x7f)
			return "Call-ID with characters SIP does not allow";
	if (strlen(t->cli) > CALL_USER_MAX || !route_valid_user(pl_from_str(t->cli)))
		return "CLI too long or not a SIP URI user part";
	if (strlen(t->cld) > CALL_USER_MAX || !route_valid_user(pl_from_str(t->cld)))
		return "CLD too long or not a SIP URI user part";
	if (strlen(t->caller_name) > CALL_NAME_MAX || !text_ok(t->caller_name) ||
	    strlen(t->callee_name) > CALL_NAME_MAX || !text_ok(t->callee_name))
		return "display name too long or with control characters";
	if ((t->source && (!numeric_host_ok(t->source->host) || t->source->port > 65535)) ||
	    (t->local && !numeric_host_ok(t->local->host)))
		return "malformed source or local address";
	return NULL;
}

static struct call *call_new(struct ccd *cd, struct node *n, uint64_t leg, const Tandem__TryInfo *t)
{
	struct call_layer *cl = cd->calls;
	const char *src[F_COUNT] = {
		[F_CALL_ID] = t->call_id,
		[F_CLI] = t->cli,
		[F_CLD] = t->cld,
		[F_CALLER_NAME] = t->caller_name,
		[F_CALLEE_NAME] = t->callee_name,
		[F_SOURCE_HOST] = t->source ? t->source->host : "",
		[F_LOCAL_HOST] = t->local ? t->local->host : "",
	};
	size_t len[F_COUNT], total = 0;
	struct call *c;

	for (int i = 0; i < F_COUNT; i++)
		total += len[i] = strlen(src[i]);
	if (!(c = calloc(1, sizeof(*c) + total)))
		return NULL;
	total = 0;
	for (int i = 0; i < F_COUNT; i++) {
		c->len[i] = (uint16_t)len[i];
		memcpy(c->str + total, src[i], len[i]);
		total += len[i];
	}
	c->serial = ++cl->next_serial;
	c->try_us = mono_us();
	/* RFC 3261 §20.22: 0-255; a larger value is passed on as the cap. */
	c->max_forwards = t->max_forwards > 255 ? 255 : t->max_forwards;
	c->source_port = t->source ? (uint16_t)t->source->port : 0;
	c->a.call = c->o.call = c;
	c->a.answer = true;
	c->a.open = true;
	legref_attach(&cl->legs, &c->a.ref, n, leg);
	c->next = cl->all;
	if (cl->all)
		cl->all->prev = c;
	cl->all = c;
	cd->stats.calls_total++;
	cd->stats.calls_active++;
	return c;
}

/* "sip:[user@]host[:port]", IPv6 hosts in brackets. */
static void fmt_uri(char *buf, size_t sz, struct pl user, const char *host, unsigned port)
{
	bool v6 = strchr(host, ':') != NULL;
	int n = snprintf(buf, sz, "sip:%.*s%s%s%s%s", PL_FMT(user), user.l ? "@" : "", v6 ? "[" : "", host,
			 v6 ? "]" : "");

	if (port && n > 0 && (size_t)n < sz)
		snprintf(buf + n, sz - (size_t)n, ":%u", port);
}

/*
 * One routing attempt: an originate leg on the answer leg's node towards
 * the route (sippy-behaviour.md §1.20, §3.3). body is the caller's SDP,
 * relayed verbatim (NULL: late offer). Returns -1 when it could not be
 * sent; the caller ends the call.
 */
static int place_originate(struct ccd *cd, struct call *c, const Tandem__Body *body)
{
	struct call_layer *cl = cd->calls;
	const struct route *r = c->routes + c->attempt;
	struct node *n = c->a.ref.node;
	Tandem__Originate o = TANDEM__ORIGINATE__INIT;
	Tandem__Address target = TANDEM__ADDRESS__INIT;
	Tandem__Message m = TANDEM__MESSAGE__INIT;
	char host[NETADDR_STRLEN], from_host[NODE_HOST_MAX + 1], call_id[CALL_ID_MAX + 16];
	char ruri[URI_MAX], from[URI_MAX], to[URI_MAX], from_name[CALL_NAME_MAX + 1], to_name[CALL_NAME_MAX + 1];
	struct pl cld = r->cld_set ? r->cld : field(c, F_CLD);
	unsigned port;
	uint64_t leg;

	if (c->attempt >= c->n_routes)
		return -1;
	c->attempt++;
	if (r->dest == ROUTE_DEST_SIP_UA) {
		pl_strcpy(field(c, F_SOURCE_HOST), host, sizeof(host));
		port = c->source_port ? c->source_port : ROUTE_DEFAULT_PORT;
	} else if (r->dest == ROUTE_DEST_HOST && r->resolved) {
		netaddr_host_str(&r->addr, host, sizeof(host));
		port = netaddr_port(&r->addr);
	} else {
		LOGE(cid(c), "call %llu: route %u has no usable destination", (unsigned long long)c->serial,
		     c->attempt);
		return -1;
	}
	if (!host[0]) {
		LOGW(cid(c), "call %llu: sip-ua route but the INVITE's source is unknown",
		     (unsigned long long)c->serial);
		return -1;
	}
	if (n->listen_host[0])
		memcpy(from_host, n->listen_host, sizeof(from_host));
	else if (!pl_strcpy(field(c, F_LOCAL_HOST), from_host, sizeof(from_host)) || !from_host[0])
		memcpy(from_host, host, sizeof(host));

	fmt_uri(ruri, sizeof(ruri), cld, host, port);
	fmt_uri(from, sizeof(from), field(c, F_CLI), from_host, 0);
	fmt_uri(to, sizeof(to), cld, host, 0);
	snprintf(call_id, sizeof(call_id), "%.*s-b2b_%u", PL_FMT(cid(c)), c->attempt);
	pl_strcpy(field(c, F_CALLER_NAME), from_name, sizeof(from_name));
	pl_strcpy(field(c, F_CALLEE_NAME), to_name, sizeof(to_name));

	do
		leg = LEG_ORIGINATE_BIT | (cl->next_leg++ & ~LEG_ORIGINATE_BIT);
	while (leg == LEG_ORIGINATE_BIT || legref_find(&cl->legs, n, leg));

	target.transport = TANDEM__TRANSPORT__UDP;
	target.host = host;
	target.port = port;
	o.leg = leg;
	o.call_id = call_id;
	o.request_uri = ruri;
	o.from_uri = from;
	o.from_name = from_name;
	o.to_uri = to;
	o.to_name = to_name;
	o.target = &target;
	o.body = (Tandem__Body *)body;
	o.max_forwards = c->max_forwards;
	o.answer_leg = c->a.ref.id;
	m.body_case = TANDEM__MESSAGE__BODY_ORIGINATE;
	m.originate = &o;
	if (nodes_send(cd, n, &m) < 0)
		return -1;
	cd->stats.attempts_by_route[c->attempt]++;
	c->o.open = true;
	legref_attach(&cl->legs, &c->o.ref, n, leg);
	LOGD(cid(c), "call %llu: attempt %u: originate leg %s/%016llx to %s, %s", (unsigned long long)c->serial,
	     c->attempt, n->id, (unsigned long long)leg, ruri, call_id);
	return 0;
}

/* ---------------------------------------------------------------- media relay */

/*
 * With an RTP proxy (media.h) every SDP crossing the call is rewritten
 * before it goes on, a round trip to the proxy. The event waits, packed,
 * in the call's FIFO of held events, and so does every later event of the
 * call, so nothing overtakes it (a 200 must not pass the 183 whose SDP is
 * being rewritten); only DISCONNECT goes at once. The first INVITE's offer
 * waits the same way before the originate leg is placed. The state
 * machine has already moved on when an event is held: only its relay
 * waits.
 */
#define CALL_HELD_MAX 32	/* events waiting per call; more are dropped */

struct held {
	struct held *next;
	struct call_leg *from;
	bool originate;		/* the TRY: place_originate() with its new SDP */
	bool setup;		/* held before the call was answered */
	bool rewrite;		/* carries SDP to rewrite */
	bool started;		/* its rewrite is under way */
	size_t len;
	uint8_t data[];		/* the packed LegEvent */
};

static bool is_sdp(const Tandem__Body *b)
{
	size_t n = sizeof("application/sdp") - 1;

	return b && b->content.len > 0 && b->content_type && strncasecmp(b->content_type, "application/sdp", n) == 0 &&
	       (b->content_type[n] == '\0' || b->content_type[n] == ';' || b->content_type[n] == ' ');
}

/* Offer/answer meaning of an event; -1: none. */
static int media_msg_of(int type)
{
	switch (type) {
	case TANDEM__EVENT_TYPE__TRY:
	case TANDEM__EVENT_TYPE__UPDATE:
	case TANDEM__EVENT_TYPE__PRE_CONNECT:
		return MEDIA_MSG_OFFER;
	case TANDEM__EVENT_TYPE__RING:
		return MEDIA_MSG_PROVISIONAL;
	case TANDEM__EVENT_TYPE__CONNECT:
		return MEDIA_MSG_FINAL;
	case TANDEM__EVENT_TYPE__FAIL:
	case TANDEM__EVENT_TYPE__REDIRECT:
		return MEDIA_MSG_REJECT;
	default:
		return -1;
	}
}

static enum media_side side_of(const struct call_leg *l)
{
	return l->answer ? MEDIA_CALLER : MEDIA_CALLEE;
}

static const char *phrase_of(unsigned code)
{
	return code == 502 ? "Bad Gateway" : code == 488 ? "Not Acceptable Here" : code == 408 ? "Request Timeout"
			: "Internal Server Error";
}

/* FAIL with code and a Reason header (RFC 3326) saying why, to leg l. */
static void send_fail_why(struct ccd *cd, struct call_leg *l, unsigned code, const char *why)
{
	Tandem__LegEvent ev = TANDEM__LEG_EVENT__INIT;
	Tandem__Reason rh = TANDEM__REASON__INIT;

	if (!l->open)
		return;
	rh.protocol = (char *)"SIP";
	rh.cause = code;
	rh.text = (char *)why;
	ev.leg = l->ref.id;
	ev.type = TANDEM__EVENT_TYPE__FAIL;
	ev.code = code;
	ev.reason = (char *)phrase_of(code);
	ev.origin = TANDEM__ORIGIN__SWITCH;
	ev.reason_header = &rh;
	send_event_to(cd, l->ref.node, &ev);
}

/* The call cannot go on without its media: the caller gets code (when
 * it has no answer yet: setup) or both legs a BYE. */
static void media_fail_call(struct ccd *cd, struct call *c, bool setup, unsigned code, const char *why)
{
	LOGW(cid(c), "call %llu: %u %s: %s", (unsigned long long)c->serial, code, phrase_of(code), why);
	if (setup) {
		send_fail_why(cd, &c->a, code, why);
		set_final(cd, c, code);
	} else if (c->a.open) {
		send_disconnect(cd, c, &c->a);
	}
	if (c->o.open)
		send_disconnect(cd, c, &c->o);
	start_ending(cd, c);
}

static int held_push(struct call *c, struct call_leg *from, const Tandem__LegEvent *ev, bool originate, bool rewrite)
{
	size_t len = tandem__leg_event__get_packed_size(ev);
	struct held *h = malloc(sizeof(*h) + len);

	if (!h)
		return -1;
	h->next = NULL;
	h->from = from;
	h->originate = originate;
	h->setup = c->state < CALL_CONNECTED;
	h->rewrite = rewrite;
	h->started = false;
	h->len = tandem__leg_event__pack(ev, h->data);
	c->n_held++;
	if (c->held_tail)
		c->held_tail->next = h;
	else
		c->held = h;
	c->held_tail = h;
	return 0;
}

static struct held *held_pop(struct call *c)
{
	struct held *h = c->held;

	c->held = h->next;
	if (!c->held)
		c->held_tail = NULL;
	c->n_held--;
	return h;
}

static void held_run(struct ccd *cd, struct call *c);

/* A held event's rewrite failed: Sippy's answer to an RTP proxy error is
 * 502 on the transaction (a re-INVITE fails, the call stays) and, for
 * anything else, the end of the call. */
static void held_failed(struct ccd *cd, struct call *c, const struct held *h, const Tandem__LegEvent *ev,
			unsigned code, const char *why)
{
	if (c->state >= CALL_DISCONNECTING) {
		LOGD(cid(c), "call %llu: %s dropped: %s", (unsigned long long)c->serial, event_name(ev->type), why);
		return;
	}
	if (!h->originate && !h->setup && ev->type == TANDEM__EVENT_TYPE__UPDATE) {
		LOGW(cid(c), "call %llu: re-INVITE from the %s refused, %u: %s", (unsigned long long)c->serial,
		     h->from->answer ? "caller" : "callee", code, why);
		media_note(c->media, side_of(peer_of(c, h->from)), MEDIA_MSG_REJECT);
		send_fail_why(cd, h->from, code, why);
		return;
	}
	media_fail_call(cd, c, h->originate || h->setup, code, why);
}

static void on_rewritten(struct ccd *cd, void *arg, unsigned code, const char *why, struct pl body)
{
	struct call *c = arg;
	struct held *h = held_pop(c);
	Tandem__LegEvent *ev = tandem__leg_event__unpack(NULL, h->len, h->data);

	if (!ev) {
		LOGE(cid(c), "call %llu: a held event cannot be read back", (unsigned long long)c->serial);
	} else if (code) {
		held_failed(cd, c, h, ev, code, why);
	} else {
		ProtobufCBinaryData orig = ev->body->content;

		ev->body->content.data = (uint8_t *)(uintptr_t)body.p;
		ev->body->content.len = body.l;
		if (!h->originate) {
			relay_now(cd, c, h->from, ev);
		} else if (c->state < CALL_DISCONNECTING && place_originate(cd, c, ev->body) < 0) {
			send_fail(cd, c->a.ref.node, c->a.ref.id, 500, "Internal Server Error");
			set_final(cd, c, 500);
			start_ending(cd, c);
		}
		ev->body->content = orig;	/* freed with the event */
	}
	if (ev)
		tandem__leg_event__free_unpacked(ev, NULL);
	free(h);
	held_run(cd, c);
}

/* Relays held events in order until one needs a rewrite; that one starts
 * it and the rest wait for on_rewritten(). */
static void held_run(struct ccd *cd, struct call *c)
{
	while (c->held && !c->held->started) {
		struct held *h = c->held;
		Tandem__LegEvent *ev = tandem__leg_event__unpack(NULL, h->len, h->data);
		int msg = ev ? media_msg_of(ev->type) : -1;

		if (ev && h->rewrite && c->media) {
			struct pl sdp = pl_from((const char *)ev->body->content.data, ev->body->content.len);

			h->started = true;
			if (media_rewrite(c->media, side_of(h->from), (enum media_msg)msg, sdp, on_rewritten, c) < 0) {
				held_pop(c);
				held_failed(cd, c, h, ev, 500, "SDP rewrite not possible");
				free(h);
				tandem__leg_event__free_unpacked(ev, NULL);
				continue;
			}
			tandem__leg_event__free_unpacked(ev, NULL);
			return;
		}
		held_pop(c);
		if (ev && !h->rewrite) {
			if (msg >= 0)
				media_note(c->media, side_of(h->from), (enum media_msg)msg);
			relay_now(cd, c, h->from, ev);
		} else {
			LOGW(cid(c), "call %llu: a held event was dropped", (unsigned long long)c->serial);
		}
		if (ev)
			tandem__leg_event__free_unpacked(ev, NULL);
		free(h);
	}
	if (!c->held && c->state >= CALL_DISCONNECTING)
		media_ending(c);
}

/* relay()'s hook: true when the event waits (a rewrite, or behind one). */
static bool media_hold(struct ccd *cd, struct call *c, struct call_leg *from, const Tandem__LegEvent *ev)
{
	int msg;
	bool rewrite;

	if (!c->media || ev->type == TANDEM__EVENT_TYPE__DISCONNECT)
		return false;
	msg = media_msg_of(ev->type);
	rewrite = msg >= MEDIA_MSG_OFFER && msg <= MEDIA_MSG_FINAL && is_sdp(ev->body);
	if (!c->held && !rewrite) {
		if (msg >= 0)
			media_note(c->media, side_of(from), (enum media_msg)msg);
		return false;
	}
	/* A peer flooding events while a rewrite waits gets no queue for it. */
	if (c->n_held >= CALL_HELD_MAX) {
		cd->stats.events_dropped++;
		LOGW(cid(c), "call %llu: %s from the %s leg dropped: %d events wait already", (unsigned long long)c->serial,
		     event_name(ev->type), from->answer ? "answer" : "originate", CALL_HELD_MAX);
		return true;
	}
	if (held_push(c, from, ev, false, rewrite) < 0) {
		LOGE(cid(c), "call %llu: no memory to hold a %s: the call ends", (unsigned long long)c->serial,
		     event_name(ev->type));
		media_fail_call(cd, c, c->state < CALL_CONNECTED, 500, "No memory");
		return true;
	}
	held_run(cd, c);
	return true;
}

/*
 * At the TRY: a media session on a proxy chosen now (unless the route or
 * the configuration says none), and the offer held for its rewrite.
 * Returns true when the call was taken over (held, or failed: 502 when no
 * proxy is online).
 */
static bool media_start(struct ccd *cd, struct call *c, const Tandem__LegEvent *ev)
{
	switch (media_session_new(cd, cid(c), c->serial, c->routes[0].rtpp, &c->media)) {
	case MEDIA_PICK_NONE:
		return false;
	case MEDIA_PICK_NO_PROXY:
		media_fail_call(cd, c, true, 502, "No online RTP proxy");
		return true;
	case MEDIA_PICK_NO_MEMORY:
		media_fail_call(cd, c, true, 500, "No memory");
		return true;
	case MEDIA_PICK_OK:
		break;
	}
	if (!is_sdp(ev->body))
		return false;	/* a late offer: the 2xx brings it */
	if (held_push(c, &c->a, ev, true, true) < 0) {
		media_fail_call(cd, c, true, 500, "No memory");
		return true;
	}
	held_run(cd, c);
	return true;
}

/*
 * The RTP proxy saw no media (rtpengine's teardown callback, RTPproxy's
 * notification through the control socket's `r`): Sippy's media timeout.
 * Connected: BYE on both legs. Before the answer the attempt fails: its
 * INVITE is cancelled and, with no other route to hunt to, the caller
 * gets 408 with a Reason header. Accounting (the RADIUS issue) finds the
 * release source in the legs' DISCONNECT: origin MEDIA_TIMEOUT.
 */
static void media_timeout_end(struct ccd *cd, struct call *c)
{
	struct call_leg *legs[2] = { &c->a, &c->o };

	LOGI(cid(c), "call %llu: media timeout in %s", (unsigned long long)c->serial, state_names[c->state]);
	for (int i = 0; i < 2; i++) {
		Tandem__LegEvent ev = TANDEM__LEG_EVENT__INIT;

		if (!legs[i]->open || (legs[i] == &c->a && c->state < CALL_CONNECTED))
			continue;
		ev.leg = legs[i]->ref.id;
		ev.type = TANDEM__EVENT_TYPE__DISCONNECT;
		ev.origin = TANDEM__ORIGIN__MEDIA_TIMEOUT;
		send_event_to(cd, legs[i]->ref.node, &ev);
	}
	if (c->state < CALL_CONNECTED) {
		send_fail_why(cd, &c->a, 408, "Media timeout");
		set_final(cd, c, 408);
	}
	start_ending(cd, c);
}

/* The call ends: once nothing waits any more, the proxy's streams go. */
static void media_ending(struct call *c)
{
	if (c->held)
		return;
	media_release(c->media);
	c->media = NULL;
}

/* The call is freed: whatever still waits is dropped. */
static void media_drop(struct call *c)
{
	media_release(c->media);
	c->media = NULL;
	while (c->held)
		free(held_pop(c));
}

static void on_try(struct ccd *cd, struct node *n, const Tandem__LegEvent *ev)
{
	const char *why;
	struct call *c;

	if (ev->leg == 0 || (ev->leg & LEG_ORIGINATE_BIT)) {
		cd->stats.msgs_invalid++;
		LOGW(PL_NULL, "node %s: TRY on leg %016llx, which is no answer leg: ignored", n->id,
		     (unsigned long long)ev->leg);
		return;
	}
	if (legref_find(&cd->calls->legs, n, ev->leg)) {
		cd->stats.msgs_invalid++;
		LOGW(PL_NULL, "node %s: second TRY on leg %016llx: ignored", n->id, (unsigned long long)ev->leg);
		return;
	}
	/* From here on the answer leg waits for us: it gets a final answer
	 * even when the TRY is malformed, never silence. */
	if ((why = check_event(ev)) || (why = check_try(ev))) {
		cd->stats.calls_rejected++;
		LOGW(PL_NULL, "node %s: TRY on leg %016llx rejected: %s", n->id, (unsigned long long)ev->leg, why);
		send_fail(cd, n, ev->leg, 500, "Internal Server Error");
		return;
	}
	if (cd->calls->refusing) {
		refuse_try(cd, n, ev->leg);
		return;
	}
	if (!(c = call_new(cd, n, ev->leg, ev->try_))) {
		cd->stats.calls_rejected++;
		LOGE(PL_NULL, "node %s: no memory for the call of leg %016llx", n->id, (unsigned long long)ev->leg);
		send_fail(cd, n, ev->leg, 503, "Service Unavailable");
		return;
	}
	LOGD(cid(c), "call %llu: TRY on %s/%016llx from %s to %s", (unsigned long long)c->serial, n->id,
	     (unsigned long long)ev->leg, ev->try_->cli, ev->try_->cld);
	set_state(c, CALL_ROUTING);
	if (c->max_forwards == 0) {
		send_fail(cd, n, ev->leg, 483, "Too Many Hops");
		set_final(cd, c, 483);
		start_ending(cd, c);
		return;
	}
	/* Simple mode: the static route is known at once (no RADIUS). */
	c->routes = &cd->static_route;
	c->n_routes = 1;
	set_state(c, CALL_AR_COMPLETE);
	/* With an RTP proxy the offer waits for its rewrite (or the call
	 * fails when no proxy is online). */
	if (media_start(cd, c, ev))
		return;
	if (place_originate(cd, c, ev->body) < 0) {
		send_fail(cd, n, ev->leg, 500, "Internal Server Error");
		set_final(cd, c, 500);
		start_ending(cd, c);
	}
}

/* ---------------------------------------------------------------- events */

/* Code ranges per event; 0 always means "the default". */
static bool code_ok(const Tandem__LegEvent *ev)
{
	uint32_t code = ev->code;

	if (code == 0)
		return true;
	switch (ev->type) {
	case TANDEM__EVENT_TYPE__RING:
		return code >= 101 && code <= 199;
	case TANDEM__EVENT_TYPE__PRE_CONNECT:
	case TANDEM__EVENT_TYPE__CONNECT:
		return code >= 200 && code <= 299;
	case TANDEM__EVENT_TYPE__FAIL:
		return code >= 300 && code <= 699;
	case TANDEM__EVENT_TYPE__REDIRECT:
		return code >= 300 && code <= 399;
	default:
		return code >= 100 && code <= 699;
	}
}

/* Returns why an event cannot be believed, or NULL. Strings go into SIP
 * on the other leg, so none may carry a line break. */
static const char *check_event(const Tandem__LegEvent *ev)
{
	if (ev->type < TANDEM__EVENT_TYPE__TRY || ev->type > TANDEM__EVENT_TYPE__REDIRECT)
		return "unknown event type";
	if (ev->leg == 0)
		return "leg 0";
	if (!code_ok(ev))
		return "status code out of range for the event";
	if (!text_ok(ev->reason) || !text_ok(ev->warning) || !text_ok(ev->transfer_to))
		return "control characters in reason, warning or transfer target";
	if (ev->body && !text_ok(ev->body->content_type))
		return "control characters in the content type";
	if (ev->reason_header && (!token_ok(ev->reason_header->protocol) || !text_ok(ev->reason_header->text)))
		return "malformed Reason header";
	for (size_t i = 0; i < ev->n_extra_headers; i++)
		if (!ev->extra_headers[i] || !token_ok(ev->extra_headers[i]->name) ||
		    !text_ok(ev->extra_headers[i]->value))
			return "malformed extra header";
	for (size_t i = 0; i < ev->n_challenges; i++)
		if (!text_ok(ev->challenges[i]))
			return "malformed challenge";
	for (size_t i = 0; i < ev->n_contacts; i++)
		if (!text_ok(ev->contacts[i]))
			return "malformed contact";
	return NULL;
}

static void drop_event(struct ccd *cd, struct call *c, struct call_leg *from, const Tandem__LegEvent *ev)
{
	cd->stats.events_dropped++;
	LOGD(cid(c), "call %llu: %s from the %s leg makes no sense in %s: dropped", (unsigned long long)c->serial,
	     event_name(ev->type), from->answer ? "answer" : "originate", state_names[c->state]);
}

static void from_answer(struct ccd *cd, struct call *c, const Tandem__LegEvent *ev)
{
	bool disconnect = ev->type == TANDEM__EVENT_TYPE__DISCONNECT;

	switch (c->state) {
	case CALL_ROUTING:
		if (!disconnect)
			break;
		set_final(cd, c, 487);
		start_ending(cd, c);
		return;
	case CALL_AR_COMPLETE:
		/* The caller cannot ring, answer or fail before it is
		 * answered; a CANCEL arrives as DISCONNECT. */
		if (disconnect) {
			set_final(cd, c, 487);
			relay(cd, c, &c->a, ev);
			start_ending(cd, c);
			return;
		}
		if (ev->type != TANDEM__EVENT_TYPE__UPDATE && ev->type != TANDEM__EVENT_TYPE__INFO)
			break;
		relay(cd, c, &c->a, ev);
		return;
	case CALL_CONNECTED:
		relay(cd, c, &c->a, ev);
		if (disconnect)
			start_ending(cd, c);
		return;
	default:
		break;
	}
	drop_event(cd, c, &c->a, ev);
}

/*
 * The originate attempt failed before an answer (FAIL, REDIRECT or
 * DISCONNECT). Hunting (Sippy's next route unless the code is in the
 * route's hs_scodes; never for REDIRECT) will start the next attempt here
 * while c->attempt < c->n_routes; for now the failure goes to the caller.
 */
static void attempt_failed(struct ccd *cd, struct call *c, const Tandem__LegEvent *ev)
{
	uint32_t code = ev->code;

	if (ev->type == TANDEM__EVENT_TYPE__DISCONNECT || code == 0)
		code = ev->type == TANDEM__EVENT_TYPE__REDIRECT ? 302 : 500;
	set_final(cd, c, code);
	relay(cd, c, &c->o, ev);
	start_ending(cd, c);
}

static void from_originate(struct ccd *cd, struct call *c, const Tandem__LegEvent *ev)
{
	switch (c->state) {
	case CALL_AR_COMPLETE:
		switch (ev->type) {
		case TANDEM__EVENT_TYPE__RING:
		case TANDEM__EVENT_TYPE__UPDATE:
		case TANDEM__EVENT_TYPE__INFO:
			relay(cd, c, &c->o, ev);
			return;
		case TANDEM__EVENT_TYPE__PRE_CONNECT:
		case TANDEM__EVENT_TYPE__CONNECT:
			set_final(cd, c, ev->code ? ev->code : 200);
			metrics_hist_observe(&cd->stats.setup_seconds, (double)(mono_us() - c->try_us) / 1e6);
			relay(cd, c, &c->o, ev);
			set_state(c, CALL_CONNECTED);
			return;
		case TANDEM__EVENT_TYPE__FAIL:
		case TANDEM__EVENT_TYPE__REDIRECT:
		case TANDEM__EVENT_TYPE__DISCONNECT:
			attempt_failed(cd, c, ev);
			return;
		default:
			break;
		}
		break;
	case CALL_CONNECTED:
		relay(cd, c, &c->o, ev);
		if (ev->type == TANDEM__EVENT_TYPE__DISCONNECT)
			start_ending(cd, c);
		return;
	case CALL_DISCONNECTING:
		/* An answer that crossed our DISCONNECT (or CANCEL): sigd
		 * ACKs it and needs to be told again to send BYE. */
		if (ev->type == TANDEM__EVENT_TYPE__CONNECT || ev->type == TANDEM__EVENT_TYPE__PRE_CONNECT) {
			send_disconnect(cd, c, &c->o);
			return;
		}
		break;
	default:
		break;
	}
	drop_event(cd, c, &c->o, ev);
}

/* An event for a leg ccd has no call for. A leg that is still alive in
 * SIP (it rings, answers, updates) is told to end, so no orphan stays up. */
static void unknown_leg_event(struct ccd *cd, struct node *n, const Tandem__LegEvent *ev)
{
	Tandem__LegEvent d = TANDEM__LEG_EVENT__INIT;

	cd->stats.unknown_legs++;
	LOGW(PL_NULL, "node %s: %s for leg %016llx, which has no call", n->id, event_name(ev->type),
	     (unsigned long long)ev->leg);
	switch (ev->type) {
	case TANDEM__EVENT_TYPE__RING:
	case TANDEM__EVENT_TYPE__PRE_CONNECT:
	case TANDEM__EVENT_TYPE__CONNECT:
	case TANDEM__EVENT_TYPE__UPDATE:
	case TANDEM__EVENT_TYPE__INFO:
		d.leg = ev->leg;
		d.type = TANDEM__EVENT_TYPE__DISCONNECT;
		d.origin = TANDEM__ORIGIN__SWITCH;
		send_event_to(cd, n, &d);
		break;
	default:
		break;
	}
}

void call_on_event(struct ccd *cd, struct node *n, const Tandem__LegEvent *ev)
{
	const char *why;
	struct legref *r;
	struct call_leg *l;

	if (ev->type == TANDEM__EVENT_TYPE__TRY) {
		on_try(cd, n, ev);
		return;
	}
	if ((why = check_event(ev))) {
		cd->stats.msgs_invalid++;
		LOGW(PL_NULL, "node %s: event %d for leg %016llx dropped: %s", n->id, (int)ev->type,
		     (unsigned long long)ev->leg, why);
		return;
	}
	if (!(r = legref_find(&cd->calls->legs, n, ev->leg))) {
		unknown_leg_event(cd, n, ev);
		return;
	}
	l = leg_of(r);
	LOGD(cid(l->call), "call %llu: %s %u from the %s leg in %s", (unsigned long long)l->call->serial,
	     event_name(ev->type), ev->code, l->answer ? "answer" : "originate", state_names[l->call->state]);
	if (l->answer)
		from_answer(cd, l->call, ev);
	else
		from_originate(cd, l->call, ev);
}

void call_on_closed(struct ccd *cd, struct node *n, const Tandem__LegClosed *lc)
{
	struct legref *r = legref_find(&cd->calls->legs, n, lc->leg);
	struct call_leg *l;

	if (!r) {
		cd->stats.unknown_legs++;
		LOGI(PL_NULL, "node %s: LegClosed for leg %016llx, which has no call", n->id,
		     (unsigned long long)lc->leg);
		return;
	}
	l = leg_of(r);
	LOGD(cid(l->call), "call %llu: the %s leg closed (last state %d)", (unsigned long long)l->call->serial,
	     l->answer ? "answer" : "originate", (int)lc->last_state);
	leg_close(cd, l);
	after_leg_loss(cd, l->call);
}

/*
 * All legs of n first leave the tables (so no DISCONNECT goes to a leg
 * that is gone), then each call is settled once, however many of its
 * legs were on n: a call may be freed while the work list still holds
 * its other leg, which is therefore taken off the list with it.
 */
void calls_node_lost(struct ccd *cd, struct node *n)
{
	struct legref_list lost = { NULL, 0 };
	struct legref *r;

	while ((r = n->legs.head)) {
		struct call_leg *l = leg_of(r);
		leg_close(cd, l);
		l->lost = true;
		legref_list_push(&lost, r);
	}
	while ((r = lost.head)) {
		struct call_leg *l = leg_of(r), *other = peer_of(l->call, l);
		legref_list_remove(&lost, r);
		l->lost = false;
		if (other->lost) {
			legref_list_remove(&lost, &other->ref);
			other->lost = false;
		}
		LOGD(cid(l->call), "call %llu: node %s lost", (unsigned long long)l->call->serial, n->id);
		after_leg_loss(cd, l->call);
	}
}

bool calls_have_leg(const struct ccd *cd, const struct node *n, uint64_t leg)
{
	return legref_find(&cd->calls->legs, n, leg) != NULL;
}

int calls_init(struct ccd *cd)
{
	struct call_layer *cl = calloc(1, sizeof(*cl));

	if (!cl || htable_init(&cl->legs, 1024) < 0) {
		free(cl);
		return -1;
	}
	cl->linger_ev = evtimer_new(cd->base, on_linger, cd);
	if (!cl->linger_ev) {
		htable_free(&cl->legs);
		free(cl);
		return -1;
	}
	metrics_hist_init(&cd->stats.setup_seconds, setup_buckets, sizeof(setup_buckets) / sizeof(setup_buckets[0]));
	/* Originate leg ids start at a random point, so legs a previous ccd
	 * created (still winding down in sigd) are not reused. */
	cl->next_leg = cd->instance >> 2;
	if (!cd->linger_ms)
		cd->linger_ms = CCD_LINGER_MS;
	cd->calls = cl;
	return 0;
}

void calls_free(struct ccd *cd)
{
	struct call_layer *cl = cd->calls;

	if (!cl)
		return;
	while (cl->all)
		call_free(cd, cl->all);
	event_free(cl->linger_ev);
	htable_free(&cl->legs);
	free(cl);
	cd->calls = NULL;
}

/* ---------------------------------------------------------------- control socket */

/* A leg's address, numbers and UA state for the view. */
static void view_leg(const struct call *c, const struct call_leg *l, struct call_view_leg *v)
{
	v->present = true;
	v->open = l->open;
	v->node = l->ref.node;
	v->leg = l->ref.id;
	v->ua_state = l->ua_state;
	v->ua_reinvite_sent = l->ua_reinvite_sent;
	v->ua_gen = l->ua_gen;
	v->cli = field(c, F_CLI);
	v->cld = field(c, F_CLD);
}

static void view_call(const struct call *c, struct call_view *v)
{
	const struct route *r;

	memset(v, 0, sizeof(*v));
	v->id = c->serial;
	v->call_id = cid(c);
	v->state = state_names[c->state];
	view_leg(c, &c->a, &v->a);
	pl_strcpy(field(c, F_SOURCE_HOST), v->a.host, sizeof(v->a.host));
	v->a.port = c->source_port;
	if (c->attempt == 0)
		return;
	/* The attempt's destination, as place_originate() chose it. */
	r = c->routes + c->attempt - 1;
	view_leg(c, &c->o, &v->o);
	if (r->cld_set)
		v->o.cld = r->cld;
	if (r->dest == ROUTE_DEST_SIP_UA) {
		memcpy(v->o.host, v->a.host, sizeof(v->o.host));
		v->o.port = c->source_port ? c->source_port : ROUTE_DEFAULT_PORT;
	} else if (r->resolved) {
		netaddr_host_str(&r->addr, v->o.host, sizeof(v->o.host));
		v->o.port = netaddr_port(&r->addr);
	}
}

void calls_foreach(struct ccd *cd, void (*fn)(const struct call_view *v, void *arg), void *arg)
{
	struct call_view v;

	for (struct call *c = cd->calls->all; c; c = c->next) {
		view_call(c, &v);
		fn(&v, arg);
	}
}

/*
 * Sippy's CallController.disconnect(): every leg still there gets
 * DISCONNECT (BYE, CANCEL or a final response, whichever its state needs)
 * with the given origin, and the call ends. A call already ending is
 * left alone.
 */
static void end_call(struct ccd *cd, struct call *c, Tandem__Origin origin)
{
	struct call_leg *legs[2] = { &c->a, &c->o };

	if (c->state >= CALL_DISCONNECTING)
		return;
	LOGI(cid(c), "call %llu: ended by ccd (origin %d)", (unsigned long long)c->serial, (int)origin);
	if (origin == TANDEM__ORIGIN__MEDIA_TIMEOUT) {
		media_timeout_end(cd, c);
		return;
	}
	if (c->state < CALL_CONNECTED)
		set_final(cd, c, 500);
	for (int i = 0; i < 2; i++) {
		Tandem__LegEvent ev = TANDEM__LEG_EVENT__INIT;

		if (!legs[i]->open)
			continue;
		ev.leg = legs[i]->ref.id;
		ev.type = TANDEM__EVENT_TYPE__DISCONNECT;
		ev.origin = origin;
		send_event_to(cd, legs[i]->ref.node, &ev);
	}
	start_ending(cd, c);
}

size_t calls_end_by_call_id(struct ccd *cd, struct pl call_id, Tandem__Origin origin)
{
	size_t n = 0;

	for (struct call *c = cd->calls->all; c; c = c->next)
		if (pl_eq(cid(c), call_id)) {
			end_call(cd, c, origin);
			n++;
		}
	return n;
}

size_t calls_media_timeout(struct ccd *cd, uint64_t id, struct pl call_id)
{
	for (struct call *c = cd->calls->all; c; c = c->next)
		if (c->serial == id && pl_eq(cid(c), call_id)) {
			end_call(cd, c, TANDEM__ORIGIN__MEDIA_TIMEOUT);
			return 1;
		}
	return 0;
}

size_t calls_end_by_id(struct ccd *cd, uint64_t id, Tandem__Origin origin)
{
	for (struct call *c = cd->calls->all; c; c = c->next)
		if (c->serial == id) {
			end_call(cd, c, origin);
			return 1;
		}
	return 0;
}

size_t calls_end_all(struct ccd *cd, Tandem__Origin origin)
{
	size_t n = 0;

	for (struct call *c = cd->calls->all; c; c = c->next, n++)
		end_call(cd, c, origin);
	return n;
}

void calls_note_ua_state(struct ccd *cd, const struct node *n, uint64_t leg, uint8_t state, bool reinvite_sent,
			 uint32_t gen)
{
	struct legref *r = legref_find(&cd->calls->legs, n, leg);
	struct call_leg *l;

	if (!r)
		return;
	l = leg_of(r);
	l->ua_state = state;
	l->ua_reinvite_sent = reinvite_sent;
	l->ua_gen = gen;
}

/* ---------------------------------------------------------------- stopping */

void calls_refuse_new(struct ccd *cd)
{
	cd->calls->refusing = true;
}

bool calls_refusing(const struct ccd *cd)
{
	return cd->calls->refusing;
}

/* Ending calls are exactly the linger FIFO (start_ending() puts every
 * call there); only asked while stopping, so a walk is cheap enough. */
void calls_count(const struct ccd *cd, size_t *active, size_t *ending)
{
	const struct call_layer *cl = cd->calls;
	size_t n = 0;

	for (const struct call *c = cl->linger_head; c; c = c->lnext)
		n++;
	*ending = n;
	*active = cd->stats.calls_active > n ? (size_t)cd->stats.calls_active - n : 0;
}
