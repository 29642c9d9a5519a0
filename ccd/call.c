/*
 * call.c - the call controller (see call.h for the states, call_priv.h for
 * how its files divide the work).
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

#include "call_priv.h"
#include "ccd.h"
#include "log.h"
#include "media.h"
#include "netaddr.h"
#include "nodes.h"
#include "route.h"
#include "cld_rewrite.h"
#include "sdp.h"
#include "sip_uri.h"

_Static_assert(CALL_ROUTES_MAX <= CCD_ATTEMPTS_MAX, "ccd_stats.attempts_by_route is too small");

/* Setup latency (TRY to CONNECT relayed) bounds, seconds: it includes the
 * callee's ringing, so it spans milliseconds to minutes. */
static const double setup_buckets[] = { 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120 };

const char *const call_state_names[] = {
	"Idle", "WaitRoute", "ARComplete", "Connected", "Disconnecting", "Dead",
};

static const char *const event_names[] = {
	"?", "TRY", "RING", "PRE_CONNECT", "CONNECT", "UPDATE", "INFO", "DISCONNECT", "FAIL", "REDIRECT",
};

/* ---------------------------------------------------------------- helpers */

struct pl call_field(const struct call *c, enum call_field f)
{
	size_t off = 0;

	for (int i = 0; i < (int)f; i++)
		off += c->len[i];
	return pl_from(c->str + off, c->len[f]);
}

int64_t call_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t call_wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

struct pl call_cid(const struct call *c)
{
	return call_field(c, F_CALL_ID);
}

static struct call_leg *call_leg_of(struct legref *r)
{
	return (struct call_leg *)(void *)((char *)r - offsetof(struct call_leg, ref));
}

struct call_leg *call_peer(struct call *c, struct call_leg *l)
{
	return l == &c->a ? &c->o : &c->a;
}

const char *call_event_name(int type)
{
	return (type > 0 && type < (int)(sizeof(event_names) / sizeof(event_names[0]))) ? event_names[type] : "?";
}

bool call_text_ok(const char *s)
{
	for (; s && *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return false;
	return true;
}

bool call_token_ok(const char *s)
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

void call_send_event(struct ccd *cd, struct node *n, Tandem__LegEvent *ev)
{
	Tandem__Message m = TANDEM__MESSAGE__INIT;

	m.body_case = TANDEM__MESSAGE__BODY_EVENT;
	m.event = ev;
	nodes_send(cd, n, &m);
}

/* Passes an event on to the other leg as it came: code, reason, body,
 * origin, Reason header, extra headers, challenges, contacts, time,
 * warning, transfer target. Only the leg changes; nothing is copied. */
void call_relay_now(struct ccd *cd, struct call *c, struct call_leg *from, const Tandem__LegEvent *ev)
{
	struct call_leg *to = call_peer(c, from);
	Tandem__LegEvent out = *ev;

	if (!to->open) {
		cd->stats.events_dropped++;
		LOGD(call_cid(c), "call %llu: %s from the %s leg dropped: the other leg is gone",
		     (unsigned long long)c->serial, call_event_name(ev->type), from->answer ? "answer" : "originate");
		return;
	}
	out.leg = to->ref.id;
	out.try_ = NULL;
	out.challenge = NULL;
	/* Fields of a newer protocol were not checked: not passed on. */
	out.base.n_unknown_fields = 0;
	out.base.unknown_fields = NULL;
	LOGD(call_cid(c), "call %llu: %s %u from the %s leg relayed to %s/%016llx", (unsigned long long)c->serial,
	     call_event_name(ev->type), ev->code, from->answer ? "answer" : "originate", to->ref.node->id,
	     (unsigned long long)to->ref.id);
	call_send_event(cd, to->ref.node, &out);
}

/* call_relay_now(), unless an SDP rewrite holds the event (call_media_hold()). */
void call_relay(struct ccd *cd, struct call *c, struct call_leg *from, const Tandem__LegEvent *ev)
{
	if (!call_media_hold(cd, c, from, ev))
		call_relay_now(cd, c, from, ev);
}

/* call_relay() after -F: an SDP left with nothing allowed is refused
 * (488 with Sippy's Reason) instead of relayed. Returns false then. */
static bool relay_filtered(struct ccd *cd, struct call *c, struct call_leg *from, const Tandem__LegEvent *ev)
{
	static const char why[] = "offered media prohibited by the policy";
	char *buf;
	Tandem__LegEvent copy;
	Tandem__Body body;
	const Tandem__LegEvent *f;

	if (!cd->cfg.allowed_pts_set || !ev->body) {
		call_relay(cd, c, from, ev);
		return true;
	}
	if (!(buf = malloc(CALL_BODY_MAX))) {
		call_relay(cd, c, from, ev);
		return true;
	}
	f = call_filter_sdp(cd, ev, &copy, &body, buf, CALL_BODY_MAX);
	if (f) {
		call_relay(cd, c, from, f);
		free(buf);
		return true;
	}
	free(buf);
	LOGI(call_cid(c), "call %llu: %s from the %s: %s", (unsigned long long)c->serial, call_event_name(ev->type),
	     from->answer ? "caller" : "callee", why);
	switch (ev->type) {
	case TANDEM__EVENT_TYPE__UPDATE:
		/* A re-INVITE is refused; the call stays as it was. */
		call_send_fail_why(cd, from, 488, why);
		break;
	case TANDEM__EVENT_TYPE__RING: {
		/* Early media that is not allowed: the ringing still goes on. */
		Tandem__LegEvent bare = *ev;

		bare.body = NULL;
		call_relay(cd, c, from, &bare);
		break;
	}
	default:
		/* An answer the caller may not have: the call cannot go on. */
		if (c->state < CALL_CONNECTED) {
			if (c->o.open)
				call_send_disconnect(cd, c, &c->o, TANDEM__ORIGIN__SWITCH);
			call_reject(cd, c, 488, "Not Acceptable Here", why);
		} else {
			call_end(cd, c, TANDEM__ORIGIN__SWITCH);
		}
		break;
	}
	return false;
}

void call_send_disconnect(struct ccd *cd, struct call *c, struct call_leg *to, Tandem__Origin origin)
{
	Tandem__LegEvent ev = TANDEM__LEG_EVENT__INIT;

	if (to == &c->o) {
		if (c->o_told)
			return;	/* once: sigd ends the leg by itself from there */
		c->o_told = true;
	}
	ev.leg = to->ref.id;
	ev.type = TANDEM__EVENT_TYPE__DISCONNECT;
	ev.origin = origin;
	LOGD(call_cid(c), "call %llu: DISCONNECT to %s/%016llx", (unsigned long long)c->serial, to->ref.node->id,
	     (unsigned long long)to->ref.id);
	call_send_event(cd, to->ref.node, &ev);
}

void call_send_fail(struct ccd *cd, struct node *n, uint64_t leg, uint32_t code, const char *reason)
{
	Tandem__LegEvent ev = TANDEM__LEG_EVENT__INIT;

	ev.leg = leg;
	ev.type = TANDEM__EVENT_TYPE__FAIL;
	ev.code = code;
	ev.reason = (char *)reason;
	ev.origin = TANDEM__ORIGIN__SWITCH;
	call_send_event(cd, n, &ev);
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
	call_send_event(cd, n, &ev);
}

const char *call_phrase_of(unsigned code)
{
	return code == 502 ? "Bad Gateway" : code == 488 ? "Not Acceptable Here" : code == 408 ? "Request Timeout"
			: "Internal Server Error";
}

/* FAIL with code and a Reason header (RFC 3326) saying why, to leg l. */
void call_send_fail_why(struct ccd *cd, struct call_leg *l, unsigned code, const char *why)
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
	ev.reason = (char *)call_phrase_of(code);
	ev.origin = TANDEM__ORIGIN__SWITCH;
	ev.reason_header = &rh;
	call_send_event(cd, l->ref.node, &ev);
}


/* ---------------------------------------------------------------- life */

void call_set_state(struct call *c, enum call_state s)
{
	LOGD(call_cid(c), "call %llu: %s -> %s", (unsigned long long)c->serial, call_state_names[c->state],
	     call_state_names[s]);
	c->state = (uint8_t)s;
}

/* The final response the caller got, counted once per call. */
void call_set_final(struct ccd *cd, struct call *c, uint32_t code)
{
	if (c->final_counted)
		return;
	c->final_counted = true;
	c->final_code = (uint16_t)code;
	cd->stats.calls_by_code[code <= CCD_CODE_MAX ? code : 0]++;
}

static void linger_push(struct ccd *cd, struct call *c)
{
	delay_queue_add(&cd->calls->linger, &c->linger);
	c->lingering = true;
}

static void linger_remove(struct ccd *cd, struct call *c)
{
	if (!c->lingering)
		return;
	delay_queue_remove(&cd->calls->linger, &c->linger);
	c->lingering = false;
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
	call_media_drop(c);
	call_aaa_cancel(c);
	call_ext_free(c->x);
	free(c);
}

/*
 * The call ends (origin: who ended it, for accounting's release source):
 * a RADIUS request still under way is forgotten, timers stop, the
 * accounting of both legs stops, and the call waits for its LegClosed.
 */
void call_start_ending(struct ccd *cd, struct call *c, Tandem__Origin origin)
{
	bool connected = c->state == CALL_CONNECTED;
	struct call_ext *x = c->x;

	call_set_state(c, CALL_DISCONNECTING);
	linger_push(cd, c);
	call_media_ending(c);
	if (!x)
		return;
	call_aaa_cancel(c);
	call_timer_arm(cd, c);
	call_acct_end(cd, c, &x->acct_o, connected ? 0 : x->last_ring, origin);
	call_acct_end(cd, c, &x->acct_a, connected ? 0 : c->final_code, origin);
}

void call_reject(struct ccd *cd, struct call *c, unsigned code, const char *reason, const char *why)
{
	Tandem__LegEvent ev = TANDEM__LEG_EVENT__INIT;
	Tandem__Reason rh = TANDEM__REASON__INIT;

	if (c->state >= CALL_DISCONNECTING)
		return;
	if (c->o.open)
		call_send_disconnect(cd, c, &c->o, TANDEM__ORIGIN__SWITCH);
	if (c->a.open) {
		ev.leg = c->a.ref.id;
		ev.type = TANDEM__EVENT_TYPE__FAIL;
		ev.code = code;
		ev.reason = (char *)reason;
		ev.origin = TANDEM__ORIGIN__SWITCH;
		if (why) {
			rh.protocol = (char *)"SIP";
			rh.cause = code;
			rh.text = (char *)why;
			ev.reason_header = &rh;
		}
		call_send_event(cd, c->a.ref.node, &ev);
	}
	LOGI(call_cid(c), "call %llu: %u %s%s%s", (unsigned long long)c->serial, code, reason, why ? ": " : "",
	     why ? why : "");
	call_set_final(cd, c, code);
	call_start_ending(cd, c, TANDEM__ORIGIN__SWITCH);
}

/* Dead once no leg is left to report LegClosed. */
static void maybe_dead(struct ccd *cd, struct call *c)
{
	if (c->a.open || c->o.open)
		return;
	call_set_state(c, CALL_DEAD);
	call_free(cd, c);
}

/* A leg is gone (LegClosed, or its node restarted or went silent). A call
 * that was not ending yet ends now: the legs still there get DISCONNECT. */
static void after_leg_loss(struct ccd *cd, struct call *c)
{
	if (c->state < CALL_DISCONNECTING) {
		if (!c->a.open)
			call_set_final(cd, c, 0);
		else if (c->state < CALL_CONNECTED)
			call_set_final(cd, c, 500);
		if (c->a.open)
			call_send_disconnect(cd, c, &c->a, TANDEM__ORIGIN__SWITCH);
		if (c->o.open)
			call_send_disconnect(cd, c, &c->o, TANDEM__ORIGIN__SWITCH);
		call_start_ending(cd, c, TANDEM__ORIGIN__SWITCH);
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

	LOGW(call_cid(c), "call %llu: no LegClosed %u ms after the end: dropping its legs",
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

static void on_linger(struct delay_queue *q, struct dq_entry *e, void *arg)
{
	struct call *c = (struct call *)(void *)((char *)e - offsetof(struct call, linger));

	(void)q;
	c->lingering = false;
	linger_expire(arg, c);
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
	if (strlen(t->caller_name) > CALL_NAME_MAX || !call_text_ok(t->caller_name) ||
	    strlen(t->callee_name) > CALL_NAME_MAX || !call_text_ok(t->callee_name))
		return "display name too long or with control characters";
	if ((t->source && (!numeric_host_ok(t->source->host) || t->source->port > 65535)) ||
	    (t->local && !numeric_host_ok(t->local->host)))
		return "malformed source or local address";
	return NULL;
}

static struct call *call_new(struct ccd *cd, struct node *n, uint64_t leg, const Tandem__TryInfo *t, struct pl cld,
			     struct pl realm)
{
	struct call_layer *cl = cd->calls;
	const char *src[F_COUNT] = {
		[F_CALL_ID] = t->call_id,
		[F_CLI] = t->cli,
		[F_CLD] = cld.p,
		[F_CALLER_NAME] = t->caller_name,
		[F_CALLEE_NAME] = t->callee_name,
		[F_SOURCE_HOST] = t->source ? t->source->host : "",
		[F_LOCAL_HOST] = t->local ? t->local->host : "",
		[F_REALM] = realm.p ? realm.p : "",
	};
	size_t len[F_COUNT], total = 0;
	struct call *c;

	for (int i = 0; i < F_COUNT; i++) {
		total += len[i] = i == F_CLD ? cld.l : i == F_REALM ? (realm.p && realm.l <= 255 ? realm.l : 0)
								  : strlen(src[i]);
		if (len[i] > UINT8_MAX)
			return NULL;	/* check_try keeps every field shorter */
	}
	if (!(c = calloc(1, sizeof(*c) + total)))
		return NULL;
	total = 0;
	for (int i = 0; i < F_COUNT; i++) {
		c->len[i] = (uint8_t)len[i];
		memcpy(c->str + total, src[i], len[i]);
		total += len[i];
	}
	c->serial = ++cl->next_serial;
	c->try_us = call_mono_us();
	/* RFC 3261 §20.22: 0-255; a larger value is passed on as the cap. */
	c->max_forwards = (uint8_t)(t->max_forwards > 255 ? 255 : t->max_forwards);
	c->source_port = t->source ? (uint16_t)t->source->port : 0;
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
/* -a: Sippy's accept_ips, an exact match on the packet source. */
static bool source_accepted(const struct ccd *cd, const Tandem__TryInfo *t)
{
	struct netaddr src;

	if (!cd->cfg.n_accept_ips)
		return true;
	if (!t->source || !netaddr_from_host(&src, pl_from_str(t->source->host), 0))
		return false;
	for (unsigned i = 0; i < cd->cfg.n_accept_ips; i++)
		if (netaddr_eq(&cd->cfg.accept_ips[i], &src))
			return true;
	return false;
}

/* The Request-URI's host: the realm of our digest challenge (Sippy). */
static struct pl ruri_host(const char *ruri)
{
	struct sip_uri u;

	if (!ruri || sip_uri_parse(pl_from_str(ruri), &u) < 0)
		return PL_NULL;
	return u.host;
}

static void on_try(struct ccd *cd, struct node *n, const Tandem__LegEvent *ev)
{
	char cld_buf[CALL_USER_MAX + 1];
	struct pl cld;
	const char *why;
	struct call *c;
	bool nat;
	int rc;

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
		call_send_fail(cd, n, ev->leg, 500, "Internal Server Error");
		return;
	}
	if (cd->calls->refusing) {
		refuse_try(cd, n, ev->leg);
		return;
	}
	if (!source_accepted(cd, ev->try_)) {
		cd->stats.calls_rejected++;
		LOGI(PL_NULL, "node %s: TRY from %s refused: not in -a", n->id,
		     ev->try_->source ? ev->try_->source->host : "?");
		call_send_fail(cd, n, ev->leg, 403, "Forbidden");
		return;
	}
	/* The CLD as routing sees it: without nat- (Sippy §1.19), after -t. */
	cld = pl_from_str(ev->try_->cld);
	nat = cld.l >= 4 && strncmp(cld.p, "nat-", 4) == 0;
	cld = cld_strip_nat(cld);
	if (cd->cfg.tr_in) {
		int len = cld_rules_apply(cd->cfg.tr_in, cld, cld_buf, sizeof(cld_buf));

		if (len < 0) {
			cd->stats.calls_rejected++;
			LOGW(PL_NULL, "node %s: TRY refused: -t leaves no valid number of %s", n->id, ev->try_->cld);
			call_send_fail(cd, n, ev->leg, 484, "Address Incomplete");
			return;
		}
		cld = pl_from(cld_buf, (size_t)len);
	}
	if (!(c = call_new(cd, n, ev->leg, ev->try_, cld, ruri_host(ev->try_->request_uri)))) {
		cd->stats.calls_rejected++;
		LOGE(PL_NULL, "node %s: no memory for the call of leg %016llx", n->id, (unsigned long long)ev->leg);
		call_send_fail(cd, n, ev->leg, 503, "Service Unavailable");
		return;
	}
	LOGD(call_cid(c), "call %llu: TRY on %s/%016llx from %s to %s", (unsigned long long)c->serial, n->id,
	     (unsigned long long)ev->leg, ev->try_->cli, ev->try_->cld);
	call_set_state(c, CALL_ROUTING);
	if (c->max_forwards == 0) {
		call_reject(cd, c, 483, "Too Many Hops", NULL);
		return;
	}
	if ((rc = call_keep_try(cd, c, ev, nat)) < 0) {
		if (rc == -2)
			call_reject(cd, c, 488, "Not Acceptable Here", "offered media prohibited by the policy");
		else
			call_reject(cd, c, 503, "Service Unavailable", "No memory");
		return;
	}
	call_aaa_try(cd, c, ev);
}

/*
 * Authorised and routed (call_aaa.c): the first attempt. With an RTP
 * proxy the offer waits for its rewrite (or the call fails when no proxy
 * is online). body is the caller's offer (NULL: late offer).
 */
void call_routed(struct ccd *cd, struct call *c, const Tandem__Body *body)
{
	Tandem__LegEvent ev = TANDEM__LEG_EVENT__INIT, copy;
	Tandem__Body fbody;
	const Tandem__LegEvent *f = &ev;
	char *fbuf = NULL;

	if (!call_next_route(cd, c)) {
		call_reject(cd, c, 500, "Internal Server Error", "No usable route");
		return;
	}
	call_set_state(c, CALL_AR_COMPLETE);
	ev.leg = c->a.ref.id;
	ev.type = TANDEM__EVENT_TYPE__TRY;
	ev.body = (Tandem__Body *)body;
	/* -F: a kept offer was filtered when it was kept. */
	if (!c->x && cd->cfg.allowed_pts_set && call_is_sdp(body)) {
		if (!(fbuf = malloc(CALL_BODY_MAX))) {
			call_reject(cd, c, 503, "Service Unavailable", "No memory");
			return;
		}
		if (!(f = call_filter_sdp(cd, &ev, &copy, &fbody, fbuf, CALL_BODY_MAX))) {
			free(fbuf);
			call_reject(cd, c, 488, "Not Acceptable Here", "offered media prohibited by the policy");
			return;
		}
	}
	if (!call_media_start(cd, c, f) && call_place_originate(cd, c, f->body) < 0)
		call_reject(cd, c, 500, "Internal Server Error", "the attempt could not be placed");
	free(fbuf);
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
		return code >= 100 && code <= 199;	/* 100: Originate.report_trying */
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
	if (!call_text_ok(ev->reason) || !call_text_ok(ev->warning) || !call_text_ok(ev->transfer_to))
		return "control characters in reason, warning or transfer target";
	if (ev->body && !call_text_ok(ev->body->content_type))
		return "control characters in the content type";
	if (ev->reason_header && (!call_token_ok(ev->reason_header->protocol) || !call_text_ok(ev->reason_header->text)))
		return "malformed Reason header";
	for (size_t i = 0; i < ev->n_extra_headers; i++)
		if (!ev->extra_headers[i] || !call_token_ok(ev->extra_headers[i]->name) ||
		    !call_text_ok(ev->extra_headers[i]->value))
			return "malformed extra header";
	for (size_t i = 0; i < ev->n_challenges; i++)
		if (!call_text_ok(ev->challenges[i]))
			return "malformed challenge";
	for (size_t i = 0; i < ev->n_contacts; i++)
		if (!call_text_ok(ev->contacts[i]))
			return "malformed contact";
	return NULL;
}

static void drop_event(struct ccd *cd, struct call *c, struct call_leg *from, const Tandem__LegEvent *ev)
{
	cd->stats.events_dropped++;
	LOGD(call_cid(c), "call %llu: %s from the %s leg makes no sense in %s: dropped", (unsigned long long)c->serial,
	     call_event_name(ev->type), from->answer ? "answer" : "originate", call_state_names[c->state]);
}

static void from_answer(struct ccd *cd, struct call *c, const Tandem__LegEvent *ev)
{
	bool disconnect = ev->type == TANDEM__EVENT_TYPE__DISCONNECT;

	switch (c->state) {
	case CALL_ROUTING:
		/* The caller left while RADIUS was asked: the request is
		 * forgotten (call_start_ending). */
		if (!disconnect)
			break;
		call_set_final(cd, c, 487);
		call_start_ending(cd, c, TANDEM__ORIGIN__CALLER);
		return;
	case CALL_AR_COMPLETE:
		/* The caller cannot ring, answer or fail before it is
		 * answered; a CANCEL arrives as DISCONNECT. */
		if (disconnect) {
			call_set_final(cd, c, 487);
			call_relay(cd, c, &c->a, ev);
			call_start_ending(cd, c, TANDEM__ORIGIN__CALLER);
			return;
		}
		if (ev->type != TANDEM__EVENT_TYPE__UPDATE && ev->type != TANDEM__EVENT_TYPE__INFO)
			break;
		relay_filtered(cd, c, &c->a, ev);
		return;
	case CALL_CONNECTED:
		if (disconnect) {
			call_relay(cd, c, &c->a, ev);
			call_start_ending(cd, c, TANDEM__ORIGIN__CALLER);
			return;
		}
		relay_filtered(cd, c, &c->a, ev);
		return;
	default:
		break;
	}
	drop_event(cd, c, &c->a, ev);
}

/*
 * The originate attempt failed before an answer (FAIL, REDIRECT or
 * DISCONNECT). Unless the code is one of the route's hunt-stop codes (or
 * a 3xx, which is relayed), the next route is tried (call_hunt); when
 * none is left the caller gets this failure.
 */
static void attempt_failed(struct ccd *cd, struct call *c, const Tandem__LegEvent *ev)
{
	uint32_t code = ev->code;

	if (call_hunt(cd, c, ev))
		return;
	if (ev->type == TANDEM__EVENT_TYPE__DISCONNECT || code == 0)
		code = ev->type == TANDEM__EVENT_TYPE__REDIRECT ? 302 : 500;
	if (c->x)
		c->x->last_ring = code;
	call_set_final(cd, c, code);
	call_relay(cd, c, &c->o, ev);
	call_start_ending(cd, c, TANDEM__ORIGIN__CALLEE);
}

static void from_originate(struct ccd *cd, struct call *c, const Tandem__LegEvent *ev)
{
	switch (c->state) {
	case CALL_AR_COMPLETE:
		switch (ev->type) {
		case TANDEM__EVENT_TYPE__RING:
			call_attempt_progress(cd, c, ev->code);
			if (ev->code == 100)
				return;	/* asked for (nr_expires), never relayed */
			relay_filtered(cd, c, &c->o, ev);
			return;
		case TANDEM__EVENT_TYPE__UPDATE:
		case TANDEM__EVENT_TYPE__INFO:
			relay_filtered(cd, c, &c->o, ev);
			return;
		case TANDEM__EVENT_TYPE__PRE_CONNECT:
		case TANDEM__EVENT_TYPE__CONNECT:
			if (!relay_filtered(cd, c, &c->o, ev))
				return;
			call_set_final(cd, c, ev->code ? ev->code : 200);
			metrics_hist_observe(&cd->stats.setup_seconds, (double)(call_mono_us() - c->try_us) / 1e6);
			call_set_state(c, CALL_CONNECTED);
			call_connected(cd, c);
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
		if (ev->type == TANDEM__EVENT_TYPE__DISCONNECT) {
			call_relay(cd, c, &c->o, ev);
			call_start_ending(cd, c, ev->origin == TANDEM__ORIGIN__SWITCH ? TANDEM__ORIGIN__SWITCH
										  : TANDEM__ORIGIN__CALLEE);
			return;
		}
		if (ev->type == TANDEM__EVENT_TYPE__RING && ev->code == 100)
			return;
		relay_filtered(cd, c, &c->o, ev);
		return;
	case CALL_DISCONNECTING:
		/* An answer that crossed our DISCONNECT (or CANCEL): sigd
		 * ACKs it and needs to be told again to send BYE. */
		if (ev->type == TANDEM__EVENT_TYPE__CONNECT || ev->type == TANDEM__EVENT_TYPE__PRE_CONNECT) {
			c->o_told = false;
			call_send_disconnect(cd, c, &c->o, TANDEM__ORIGIN__SWITCH);
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
	LOGW(PL_NULL, "node %s: %s for leg %016llx, which has no call", n->id, call_event_name(ev->type),
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
		call_send_event(cd, n, &d);
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
	struct call *c;

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
	l = call_leg_of(r);
	c = call_of(l);
	LOGD(call_cid(c), "call %llu: %s %u from the %s leg in %s", (unsigned long long)c->serial,
	     call_event_name(ev->type), ev->code, l->answer ? "answer" : "originate", call_state_names[c->state]);
	if (l->answer)
		from_answer(cd, c, ev);
	else
		from_originate(cd, c, ev);
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
	l = call_leg_of(r);
	LOGD(call_cid(call_of(l)), "call %llu: the %s leg closed (last state %d)",
	     (unsigned long long)call_of(l)->serial, l->answer ? "answer" : "originate", (int)lc->last_state);
	leg_close(cd, l);
	after_leg_loss(cd, call_of(l));
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
		struct call_leg *l = call_leg_of(r);
		leg_close(cd, l);
		l->lost = true;
		legref_list_push(&lost, r);
	}
	while ((r = lost.head)) {
		struct call_leg *l = call_leg_of(r);
		struct call *c = call_of(l);
		struct call_leg *other = call_peer(c, l);

		legref_list_remove(&lost, r);
		l->lost = false;
		if (other->lost) {
			legref_list_remove(&lost, &other->ref);
			other->lost = false;
		}
		LOGD(call_cid(c), "call %llu: node %s lost", (unsigned long long)c->serial, n->id);
		after_leg_loss(cd, c);
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
	if (!cd->linger_ms)
		cd->linger_ms = CCD_LINGER_MS;
	if (delay_queue_init(&cl->linger, cd->base, cd->linger_ms, on_linger, cd) < 0 ||
	    (cd->cfg.allowed_pts_set && !(cl->sdp_scratch = malloc(sizeof(*cl->sdp_scratch))))) {
		delay_queue_free(&cl->linger);
		htable_free(&cl->legs);
		free(cl);
		return -1;
	}
	metrics_hist_init(&cd->stats.setup_seconds, setup_buckets, sizeof(setup_buckets) / sizeof(setup_buckets[0]));
	/* Originate leg ids start at a random point, so legs a previous ccd
	 * created (still winding down in sigd) are not reused. */
	cl->next_leg = cd->instance >> 2;
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
	delay_queue_free(&cl->linger);
	htable_free(&cl->legs);
	free(cl->sdp_scratch);
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
	v->cli = call_field(c, F_CLI);
	v->cld = call_field(c, F_CLD);
}

static void view_call(const struct call *c, struct call_view *v)
{
	const struct route *r;

	memset(v, 0, sizeof(*v));
	v->id = c->serial;
	v->call_id = call_cid(c);
	v->state = call_state_names[c->state];
	view_leg(c, &c->a, &v->a);
	pl_strcpy(call_field(c, F_SOURCE_HOST), v->a.host, sizeof(v->a.host));
	v->a.port = c->source_port;
	if (c->attempt == 0)
		return;
	/* The attempt's destination, as call_place_originate() chose it. */
	r = c->route;
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
void call_end(struct ccd *cd, struct call *c, Tandem__Origin origin)
{
	struct call_leg *legs[2] = { &c->a, &c->o };

	if (c->state >= CALL_DISCONNECTING)
		return;
	if (origin == TANDEM__ORIGIN__MEDIA_TIMEOUT && c->state < CALL_CONNECTED) {
		call_media_timeout_end(cd, c);
		return;
	}
	if (origin == TANDEM__ORIGIN__MEDIA_TIMEOUT)
		LOGI(call_cid(c), "call %llu: media timeout in %s", (unsigned long long)c->serial,
		     call_state_names[c->state]);
	else
		LOGI(call_cid(c), "call %llu: ended by ccd (origin %d)", (unsigned long long)c->serial, (int)origin);
	if (c->state < CALL_CONNECTED)
		call_set_final(cd, c, 500);
	for (int i = 0; i < 2; i++)
		if (legs[i]->open)
			call_send_disconnect(cd, c, legs[i], origin);
	call_start_ending(cd, c, origin);
}

size_t calls_end_by_call_id(struct ccd *cd, struct pl call_id, Tandem__Origin origin)
{
	size_t n = 0;

	for (struct call *c = cd->calls->all; c; c = c->next)
		if (pl_eq(call_cid(c), call_id)) {
			call_end(cd, c, origin);
			n++;
		}
	return n;
}

size_t calls_media_timeout(struct ccd *cd, uint64_t id, struct pl call_id)
{
	for (struct call *c = cd->calls->all; c; c = c->next)
		if (c->serial == id && pl_eq(call_cid(c), call_id)) {
			call_end(cd, c, TANDEM__ORIGIN__MEDIA_TIMEOUT);
			return 1;
		}
	return 0;
}

size_t calls_end_by_id(struct ccd *cd, uint64_t id, Tandem__Origin origin)
{
	for (struct call *c = cd->calls->all; c; c = c->next)
		if (c->serial == id) {
			call_end(cd, c, origin);
			return 1;
		}
	return 0;
}

size_t calls_end_all(struct ccd *cd, Tandem__Origin origin)
{
	size_t n = 0;

	for (struct call *c = cd->calls->all; c; c = c->next, n++)
		call_end(cd, c, origin);
	return n;
}

void calls_note_ua_state(struct ccd *cd, const struct node *n, uint64_t leg, uint8_t state, bool reinvite_sent,
			 uint32_t gen)
{
	struct legref *r = legref_find(&cd->calls->legs, n, leg);
	struct call_leg *l;

	if (!r)
		return;
	l = call_leg_of(r);
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

/* Ending calls are exactly the linger queue (call_start_ending() puts
 * every call there). */
void calls_count(const struct ccd *cd, size_t *active, size_t *ending)
{
	size_t n = cd->calls->linger.len;

	*ending = n;
	*active = cd->stats.calls_active > n ? (size_t)cd->stats.calls_active - n : 0;
}
