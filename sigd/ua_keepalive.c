/*
 * ua_keepalive.c - keep-alives of a connected leg (LegOptions.keepalive_ms;
 * sippy-behaviour.md §1.9, ccd's -k).
 *
 * Every keepalive_ms the leg sends an in-dialog OPTIONS. Sippy sends a
 * re-INVITE with its last SDP instead; OPTIONS proves the same thing (the
 * peer still has the dialog) without touching media or the offer/answer
 * state, and a peer that rejects OPTIONS (405, 501) still answers, so it
 * is alive. Only 408, 481 or no answer at all (timer F) mean the dialog
 * is gone (RFC 5057 §5.1): the leg sends BYE and reports DISCONNECT,
 * origin SWITCH, with "Reason: SIP;cause=408;text=\"keep-alive failed\"",
 * and ccd ends the other leg.
 *
 * A beat is skipped while the previous OPTIONS is still pending (they
 * never overlap), while a re-INVITE is in progress (Updating) and while
 * an offer/answer is still open (our 2xx unacknowledged, a held ACK).
 *
 * Cost: the state lives in its own small block, allocated only for legs
 * that have keep-alives, with one libevent timer. Its period is a libevent
 * common timeout (every leg with the same period shares one queue), so
 * arming it is O(1) however many legs have keep-alives.
 */
#include <stdlib.h>

#include "event.h"
#include "log.h"
#include "sigd.h"
#include "ua.h"

struct leg_keepalive {
	struct event timer;
	struct tsx *pending;		/* the OPTIONS in flight */
	const struct timeval *period;	/* a common timeout, or &own */
	struct timeval own;
	uint32_t interval_ms;
};

static bool connected(const struct leg *l)
{
	return l->state == LEG_CONNECTED || l->state == LEG_UPDATING;
}

static void arm(struct leg *l)
{
	event_del(&l->ka->timer);
	event_add(&l->ka->timer, l->ka->period);
}

static void on_beat(evutil_socket_t fd, short what, void *arg)
{
	struct leg *l = arg;
	struct leg_keepalive *ka = l->ka;
	struct ua_req r = { .method = PL("OPTIONS"), .owned = true };
	bool ok;

	(void)fd;
	(void)what;
	event_add(&ka->timer, ka->period);
	if (l->state != LEG_CONNECTED || ka->pending || l->rtx || l->ack_held) {
		legs_stats(l->sd)->keepalives_skipped++;
		return;
	}
	ka->pending = ua_send_request(l, &r, &ok);
	if (ka->pending)
		legs_stats(l->sd)->keepalives_sent++;
}

void ua_keepalive_set(struct leg *l, uint32_t interval_ms)
{
	struct leg_keepalive *ka = l->ka;

	if (interval_ms == 0 || l->state >= LEG_CANCELLING) {
		ua_keepalive_stop(l);
		return;
	}
	if (interval_ms < LEG_KEEPALIVE_MIN_MS)
		interval_ms = LEG_KEEPALIVE_MIN_MS;
	if (interval_ms > LEG_KEEPALIVE_MAX_MS)
		interval_ms = LEG_KEEPALIVE_MAX_MS;
	if (!ka) {
		if (!(ka = calloc(1, sizeof(*ka)))) {
			LOGE(LEG_CID(l), "leg %llu: out of memory for keep-alives", (unsigned long long)l->id);
			return;
		}
		event_assign(&ka->timer, l->sd->base, -1, 0, on_beat, l);
		l->ka = ka;
	}
	if (ka->interval_ms != interval_ms) {
		ka->interval_ms = interval_ms;
		ka->own.tv_sec = interval_ms / 1000;
		ka->own.tv_usec = (interval_ms % 1000) * 1000;
		/* NULL once libevent's table of common timeouts is full. */
		ka->period = event_base_init_common_timeout(l->sd->base, &ka->own);
		if (!ka->period)
			ka->period = &ka->own;
	}
	LOGD(LEG_CID(l), "leg %llu: keep-alive every %u ms", (unsigned long long)l->id, interval_ms);
	if (connected(l))
		arm(l);
}

void ua_keepalive_start(struct leg *l)
{
	if (l->ka)
		arm(l);
}

void ua_keepalive_stop(struct leg *l)
{
	struct leg_keepalive *ka = l->ka;

	if (!ka)
		return;
	event_del(&ka->timer);
	if (ka->pending)
		tsx_release(ka->pending);
	free(ka);
	l->ka = NULL;
}

bool ua_keepalive_owns(const struct leg *l, const struct tsx *t)
{
	return l->ka && l->ka->pending == t;
}

/* The peer is gone: BYE it (with the Reason) and tell ccd. */
static void peer_gone(struct leg *l, unsigned code)
{
	struct ev_out *o = legs_ev_out(l->sd);
	Tandem__LegEvent bye = TANDEM__LEG_EVENT__INIT;
	Tandem__Reason reason = TANDEM__REASON__INIT;

	legs_stats(l->sd)->keepalive_failures++;
	LOGI(LEG_CID(l), "leg %llu: keep-alive %s: the peer is gone, ending the call",
	     (unsigned long long)l->id, code == 481 ? "answered 481" : code == 408 ? "timed out" : "failed");
	reason.protocol = (char *)"SIP";
	reason.cause = 408;
	reason.text = (char *)"keep-alive failed";
	ev_begin(o, l->id, TANDEM__EVENT_TYPE__DISCONNECT, TANDEM__ORIGIN__SWITCH, sigd_now_us());
	o->ev.code = code;
	o->ev.reason = (char *)(code == 481 ? "Call/Transaction Does Not Exist" : "Request Timeout");
	o->ev.reason_header = &reason;
	ua_emit(l);
	/* As ccd's DISCONNECT would: whatever is pending goes, then BYE
	 * (which stops the keep-alives: l->ka is gone after this). */
	bye.leg = l->id;
	bye.type = TANDEM__EVENT_TYPE__DISCONNECT;
	bye.origin = TANDEM__ORIGIN__SWITCH;
	bye.reason_header = &reason;
	ua_dlg_event(l, &bye);
}

void ua_keepalive_response(struct leg *l, const struct sip_msg *resp)
{
	if (resp->status < 200)
		return;
	tsx_release(l->ka->pending);
	l->ka->pending = NULL;
	if (resp->status == 408 || resp->status == 481)
		peer_gone(l, resp->status);
}

void ua_keepalive_timeout(struct leg *l)
{
	tsx_release(l->ka->pending);
	l->ka->pending = NULL;
	peer_gone(l, 408);
}
