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

#include "ccd.h"
#include "legref.h"
#include "log.h"
#include "netaddr.h"
#include "nodes.h"
#include "route.h"

#define LEG_ORIGINATE_BIT (1ULL << 63)
#define URI_MAX 512

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
};

struct call {
	struct call_leg a, o;
	struct call *prev, *next;	/* every call */
	struct call *lprev, *lnext;	/* linger FIFO (Disconnecting) */
	int64_t linger_deadline_ms;
	uint64_t serial;		/* Sippy's controller id, for logs */
	const struct route *routes;
	uint8_t n_routes;
	uint8_t attempt;		/* attempts placed: the -b2b_N suffix */
	uint8_t state;
	bool final_counted;
	bool lingering;
	uint16_t source_port;
	uint32_t max_forwards;
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
};

/* ---------------------------------------------------------------- helpers */

static struct pl field(const struct call *c, enum call_field f)
{
	size_t off = 0;

	for (int i = 0; i < (int)f; i++)
		off += c->len[i];
	return pl_from(c->str + off, c->len[f]);
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

/* Passes an event on to the other leg as it came: code, reason, body,
 * origin, Reason header, extra headers, challenges, contacts, time,
 * warning, transfer target. Only the leg changes; nothing is copied. */
static void relay(struct ccd *cd, struct call *c, struct call_leg *from, const Tandem__LegEvent *ev)
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
	free(c);
}

static void start_ending(struct ccd *cd, struct call *c)
{
	set_state(c, CALL_DISCONNECTING);
	linger_push(cd, c);
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
	c->o.open = true;
	legref_attach(&cl->legs, &c->o.ref, n, leg);
	LOGD(cid(c), "call %llu: attempt %u: originate leg %s/%016llx to %s, %s", (unsigned long long)c->serial,
	     c->attempt, n->id, (unsigned long long)leg, ruri, call_id);
	return 0;
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
