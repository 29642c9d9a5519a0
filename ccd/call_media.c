/*
 * call_media.c - the call's media relay (media.h): every SDP crossing the
 * call is filtered (-F) and rewritten by the RTP proxy before it goes on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "call_priv.h"
#include "ccd.h"
#include "log.h"
#include "media.h"
#include "nodes.h"
#include "sdp.h"

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
	bool originate;		/* the TRY: call_place_originate() with its new SDP */
	bool setup;		/* held before the call was answered */
	bool rewrite;		/* carries SDP to rewrite */
	bool started;		/* its rewrite is under way */
	size_t len;
	uint8_t data[];		/* the packed LegEvent */
};

bool call_is_sdp(const Tandem__Body *b)
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

/* The call cannot go on without its media: the caller gets code (when
 * it has no answer yet: setup) or both legs a BYE. */
void call_media_fail(struct ccd *cd, struct call *c, bool setup, unsigned code, const char *why)
{
	LOGW(call_cid(c), "call %llu: %u %s: %s", (unsigned long long)c->serial, code, call_phrase_of(code), why);
	if (setup) {
		call_send_fail_why(cd, &c->a, code, why);
		call_set_final(cd, c, code);
	} else if (c->a.open) {
		call_send_disconnect(cd, c, &c->a, TANDEM__ORIGIN__SWITCH);
	}
	if (c->o.open)
		call_send_disconnect(cd, c, &c->o, TANDEM__ORIGIN__SWITCH);
	call_start_ending(cd, c, TANDEM__ORIGIN__SWITCH);
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
		LOGD(call_cid(c), "call %llu: %s dropped: %s", (unsigned long long)c->serial, call_event_name(ev->type), why);
		return;
	}
	if (!h->originate && !h->setup && ev->type == TANDEM__EVENT_TYPE__UPDATE) {
		LOGW(call_cid(c), "call %llu: re-INVITE from the %s refused, %u: %s", (unsigned long long)c->serial,
		     h->from->answer ? "caller" : "callee", code, why);
		media_note(c->media, side_of(call_peer(c, h->from)), MEDIA_MSG_REJECT);
		call_send_fail_why(cd, h->from, code, why);
		return;
	}
	call_media_fail(cd, c, h->originate || h->setup, code, why);
}

static void on_rewritten(struct ccd *cd, void *arg, unsigned code, const char *why, struct pl body)
{
	struct call *c = arg;
	struct held *h = held_pop(c);
	Tandem__LegEvent *ev = tandem__leg_event__unpack(NULL, h->len, h->data);

	if (!ev) {
		LOGE(call_cid(c), "call %llu: a held event cannot be read back", (unsigned long long)c->serial);
	} else if (code) {
		held_failed(cd, c, h, ev, code, why);
	} else {
		ProtobufCBinaryData orig = ev->body->content;

		ev->body->content.data = (uint8_t *)(uintptr_t)body.p;
		ev->body->content.len = body.l;
		if (!h->originate) {
			call_relay_now(cd, c, h->from, ev);
		} else if (c->state < CALL_DISCONNECTING && c->state != CALL_CONNECTED &&
			   call_place_originate(cd, c, ev->body) < 0) {
			call_reject(cd, c, 500, "Internal Server Error", "the attempt could not be placed");
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
			call_relay_now(cd, c, h->from, ev);
		} else {
			LOGW(call_cid(c), "call %llu: a held event was dropped", (unsigned long long)c->serial);
		}
		if (ev)
			tandem__leg_event__free_unpacked(ev, NULL);
		free(h);
	}
	if (!c->held && c->state >= CALL_DISCONNECTING)
		call_media_ending(c);
}

/* call_relay()'s hook: true when the event waits (a rewrite, or behind one). */
bool call_media_hold(struct ccd *cd, struct call *c, struct call_leg *from, const Tandem__LegEvent *ev)
{
	int msg;
	bool rewrite;

	if (!c->media || ev->type == TANDEM__EVENT_TYPE__DISCONNECT)
		return false;
	msg = media_msg_of(ev->type);
	rewrite = msg >= MEDIA_MSG_OFFER && msg <= MEDIA_MSG_FINAL && call_is_sdp(ev->body);
	if (!c->held && !rewrite) {
		if (msg >= 0)
			media_note(c->media, side_of(from), (enum media_msg)msg);
		return false;
	}
	/* A peer flooding events while a rewrite waits gets no queue for it. */
	if (c->n_held >= CALL_HELD_MAX) {
		cd->stats.events_dropped++;
		LOGW(call_cid(c), "call %llu: %s from the %s leg dropped: %d events wait already", (unsigned long long)c->serial,
		     call_event_name(ev->type), from->answer ? "answer" : "originate", CALL_HELD_MAX);
		return true;
	}
	if (held_push(c, from, ev, false, rewrite) < 0) {
		LOGE(call_cid(c), "call %llu: no memory to hold a %s: the call ends", (unsigned long long)c->serial,
		     call_event_name(ev->type));
		call_media_fail(cd, c, c->state < CALL_CONNECTED, 500, "No memory");
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
bool call_media_start(struct ccd *cd, struct call *c, const Tandem__LegEvent *ev)
{
	switch (media_session_new(cd, call_cid(c), c->serial, c->route ? c->route->rtpp : -1, &c->media)) {
	case MEDIA_PICK_NONE:
		return false;
	case MEDIA_PICK_NO_PROXY:
		call_media_fail(cd, c, true, 502, "No online RTP proxy");
		return true;
	case MEDIA_PICK_NO_MEMORY:
		call_media_fail(cd, c, true, 500, "No memory");
		return true;
	case MEDIA_PICK_OK:
		break;
	}
	if (!call_is_sdp(ev->body))
		return false;	/* a late offer: the 2xx brings it */
	if (held_push(c, &c->a, ev, true, true) < 0) {
		call_media_fail(cd, c, true, 500, "No memory");
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
void call_media_timeout_end(struct ccd *cd, struct call *c)
{
	Tandem__LegEvent fail = TANDEM__LEG_EVENT__INIT;

	LOGI(call_cid(c), "call %llu: media timeout in %s", (unsigned long long)c->serial,
	     call_state_names[c->state]);
	if (c->state >= CALL_CONNECTED) {
		call_end(cd, c, TANDEM__ORIGIN__MEDIA_TIMEOUT);
		return;
	}
	/* Before the answer: the attempt fails like a 408 from the callee,
	 * so the next route is tried (Sippy §3.4). */
	if (c->o.open)
		call_send_disconnect(cd, c, &c->o, TANDEM__ORIGIN__MEDIA_TIMEOUT);
	fail.leg = c->o.ref.id;
	fail.type = TANDEM__EVENT_TYPE__FAIL;
	fail.code = 408;
	fail.reason = (char *)"Request Timeout";
	fail.origin = TANDEM__ORIGIN__MEDIA_TIMEOUT;
	if (call_hunt(cd, c, &fail))
		return;
	call_reject(cd, c, 408, "Request Timeout", "Media timeout");
}

/*
 * Failover to the next route with an RTP proxy: the caller's offer, as
 * kept from the TRY, is offered to the proxy again (for the new callee)
 * and the attempt is placed with the result, behind whatever waits.
 */
void call_media_reoffer(struct ccd *cd, struct call *c)
{
	Tandem__LegEvent ev = TANDEM__LEG_EVENT__INIT;
	Tandem__Body body;

	ev.leg = c->a.ref.id;
	ev.type = TANDEM__EVENT_TYPE__TRY;
	ev.body = (Tandem__Body *)call_kept_body(c, &body);
	if (!c->media || !call_is_sdp(ev.body)) {
		if (call_place_originate(cd, c, ev.body) < 0)
			call_reject(cd, c, 500, "Internal Server Error", "the attempt could not be placed");
		return;
	}
	if (held_push(c, &c->a, &ev, true, true) < 0) {
		call_media_fail(cd, c, true, 500, "No memory");
		return;
	}
	held_run(cd, c);
}

/* ---------------------------------------------------------------- -F */

/*
 * Sippy's filter_SDP: every SDP from either side loses the payload types
 * -F does not allow (with their rtpmap/fmtp/rtcp-fb), before the RTP
 * proxy sees it. A section left without any is rejected (port 0); when no
 * section is left the caller of this decides (488).
 */
const Tandem__LegEvent *call_filter_sdp(const struct ccd *cd, const Tandem__LegEvent *ev, Tandem__LegEvent *out,
					Tandem__Body *body, char *buf, size_t bufsz)
{
	struct sdp_session *s = cd->calls->sdp_scratch;
	int n;

	if (!cd->cfg.allowed_pts_set || !call_is_sdp(ev->body) || !s)
		return ev;
	if (sdp_parse(s, (const char *)ev->body->content.data, ev->body->content.len, NULL) < 0)
		return ev;	/* not ours to judge: the far end will */
	if (sdp_active_media(s) == 0)
		return ev;	/* nothing was offered: nothing to refuse */
	if (sdp_filter_payloads(s, &cd->cfg.allowed_pts) < 0)
		return ev;
	if (sdp_active_media(s) == 0)
		return NULL;
	if ((n = sdp_write(s, buf, bufsz)) < 0)
		return ev;
	*out = *ev;
	*body = *ev->body;
	body->content.data = (uint8_t *)buf;
	body->content.len = (size_t)n;
	out->body = body;
	return out;
}

/* The call ends: once nothing waits any more, the proxy's streams go. */
void call_media_ending(struct call *c)
{
	if (c->held)
		return;
	media_release(c->media);
	c->media = NULL;
}

/* The call is freed: whatever still waits is dropped. */
void call_media_drop(struct call *c)
{
	media_release(c->media);
	c->media = NULL;
	while (c->held)
		free(held_pop(c));
}
