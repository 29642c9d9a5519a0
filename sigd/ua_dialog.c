/*
 * ua_dialog.c - both kinds of leg once their dialog is up (Sippy's
 * UaStateConnected, UasStateUpdating, UacStateUpdating, UaStateDisconnected,
 * UaStateFailed; sippy-behaviour.md §4.2), and the entry points that route
 * requests, ACKs, responses and events to the right machine.
 *
 *   Connected     re-INVITE -> 100, UPDATE to ccd (a body-less one as a
 *                 hold offer; an unchanged offer is answered at once with
 *                 our last SDP)                               -> Updating
 *                 BYE -> 200, DISCONNECT                      -> Disconnected
 *                 INFO -> 200, INFO; OPTIONS -> 200
 *                 REFER -> 202, DISCONNECT with transfer_to, BYE
 *                 ACK of our 2xx -> (late offer) CONNECT "ACK"
 *                 ccd: UPDATE -> re-INVITE                    -> Updating
 *                      DISCONNECT/FAIL/REDIRECT -> BYE        -> Disconnected
 *                      INFO -> INFO; CONNECT "ACK" -> the held ACK
 *                 keep-alives (LegOptions): ua_keepalive.c
 *   Updating      the peer's re-INVITE: ccd's CONNECT -> 2xx, FAIL -> its
 *                 code (call stays up), RING -> 18x; INVITE -> 491/500
 *                 our re-INVITE: 2xx -> ACK, CONNECT; >= 300 -> FAIL
 *                 (408/481 also end the call); a crossing INVITE -> 491
 *   Disconnected  BYE -> 200, anything else -> 500; 32 s later Dead
 *   Failed        BYE -> 200, anything else -> 481; 32 s later Dead
 * Requests no state handles get 501, never silence.
 */
#include <string.h>

#include "dialog.h"
#include "event.h"
#include "log.h"
#include "sigd.h"
#include "sip_addr.h"
#include "ua.h"

/* ---------------------------------------------------------------- entry */

static void on_response(void *owner, struct tsx *t, const struct sip_msg *resp,
			const struct sip_rx *rx)
{
	struct leg *l = owner;

	if (!l || l->state == LEG_DEAD)
		return;
	if (t == l->inv && !l->uas)
		ua_uac_response(l, resp, rx);
	else if (t == l->reinv)
		ua_dlg_response(l, t, resp, rx);
	else if (ua_keepalive_owns(l, t))
		ua_keepalive_response(l, resp);
}

static void on_timeout(void *owner, struct tsx *t)
{
	struct leg *l = owner;

	if (!l || l->state == LEG_DEAD)
		return;
	if (t == l->inv && !l->uas)
		ua_uac_timeout(l);
	else if (t == l->reinv)
		ua_dlg_timeout(l, t);
	else if (ua_keepalive_owns(l, t))
		ua_keepalive_timeout(l);
}

/* Our INVITE or re-INVITE answered 2xx: held until now to ACK the 2xx's
 * retransmissions (timer M), it goes. */
static void on_done(void *owner, struct tsx *t)
{
	struct leg *l = owner;

	if (!l)
		return;
	if (t == l->inv) {
		tsx_release(t);
		l->inv = NULL;
	} else if (t == l->reinv) {
		tsx_release(t);
		l->reinv = NULL;
	}
}

const struct tsx_client_ops ua_client_ops = {
	.on_response = on_response,
	.on_timeout = on_timeout,
	.on_done = on_done,
};

static bool early(const struct leg *l)
{
	return l->state == LEG_TRYING || l->state == LEG_RINGING ||
	       (!l->uas && l->state == LEG_CANCELLING);
}

void ua_event(struct leg *l, const Tandem__LegEvent *ev)
{
	LOGD(leg_call_id(l), "leg %llu: event %s %u from ccd in %s", (unsigned long long)l->id,
	     ev_type_name(ev->type), ev->code, leg_state_name((enum leg_state)l->state));
	if (l->state == LEG_IDLE || l->state == LEG_DEAD) {
		legs_stats(l->sd)->events_ignored++;
		return;
	}
	if (early(l)) {
		if (l->uas)
			ua_uas_event(l, ev);
		else
			ua_uac_event(l, ev);
		return;
	}
	ua_dlg_event(l, ev);
}

void ua_end(struct leg *l)
{
	Tandem__LegEvent ev = TANDEM__LEG_EVENT__INIT;

	ev.leg = l->id;
	ev.type = TANDEM__EVENT_TYPE__DISCONNECT;
	ev.origin = TANDEM__ORIGIN__SWITCH;
	ua_event(l, &ev);
}

/* Requests from the callee before its final answer. */
static void uac_early_request(struct leg *l, struct tsx *t, const struct sip_msg *req,
			      const struct sip_rx *rx)
{
	struct sigd *sd = l->sd;

	if (!dialog_remote_cseq_ok(&l->dlg.cseq, req->cseq)) {
		legs_stats(sd)->cseq_500++;
		ua_respond_code(sd, l, t, 500, "CSeq Out of Order");
		return;
	}
	switch (req->method_id) {
	case SIP_METHOD_OPTIONS:
		ua_respond_code(sd, l, t, 200, NULL);
		break;
	case SIP_METHOD_INFO: {
		struct ev_out *o = legs_ev_out(sd);

		ua_respond_code(sd, l, t, 200, NULL);
		ev_begin(o, l->id, TANDEM__EVENT_TYPE__INFO, ua_origin(l), rx->time_us);
		ev_body_from_msg(o, req);
		ua_emit(l);
		break;
	}
	case SIP_METHOD_BYE:
		/* §15: only the caller may end an early dialog with BYE. */
		ua_respond_code(sd, l, t, 500, "Early Dialog");
		break;
	default:
		ua_respond_code(sd, l, t, 501, NULL);
		break;
	}
}

void ua_request(struct leg *l, struct tsx *t, const struct sip_msg *req, const struct sip_rx *rx)
{
	if (l->state == LEG_IDLE || l->state == LEG_DEAD || !dialog_matches_remote(leg_remote_tag(l), req)) {
		legs_stats(l->sd)->in_dialog_481++;
		ua_respond_code(l->sd, NULL, t, 481, "Call/Transaction Does Not Exist");
		return;
	}
	if (early(l)) {
		if (l->uas)
			ua_uas_early_request(l, t, req, rx);
		else
			uac_early_request(l, t, req, rx);
		return;
	}
	ua_dlg_request(l, t, req, rx);
}

void ua_ack(struct leg *l, const struct sip_msg *ack, const struct sip_rx *rx)
{
	struct ev_out *o;

	if (!l->rtx || ack->cseq != l->rtx->cseq) {
		LOGD(leg_call_id(l), "leg %llu: ACK %u absorbed", (unsigned long long)l->id, ack->cseq);
		return;
	}
	ua_stop_2xx(l);
	if (!l->ack_wait_answer)
		return;
	/* Late offer: the ACK carries the answer to our 2xx's offer. */
	l->ack_wait_answer = false;
	if (ack->body.l == 0) {
		LOGW(leg_call_id(l), "leg %llu: ACK without the awaited SDP answer",
		     (unsigned long long)l->id);
		return;
	}
	leg_var_set(l, LEG_VAR_REMOTE_SDP, ack->body);
	o = legs_ev_out(l->sd);
	ev_begin(o, l->id, TANDEM__EVENT_TYPE__CONNECT, ua_origin(l), rx->time_us);
	o->ev.reason = (char *)"ACK";
	ev_body_from_msg(o, ack);
	ua_emit(l);
}

/* ---------------------------------------------------------------- requests */

static void respond_retry_after(struct leg *l, struct tsx *t, unsigned code)
{
	char ra = (char)('1' + legs_rand(l->sd) % 9);
	struct pl v = pl_from(&ra, 1);
	struct ua_resp r = { .code = code, .reason = PL(""), .hdr_name = PL("Retry-After"),
			     .hdr_values = &v, .n_hdr_values = 1 };

	ua_respond(l->sd, l, t, &r);
}

/* A pending re-INVITE is moot once the dialog ends. */
static void abort_reinvite(struct leg *l)
{
	if (l->state != LEG_UPDATING || !l->reinv)
		return;
	if (l->reinv_ours) {
		tsx_client_cancel(l->reinv, PL_NULL);
	} else {
		struct ua_resp r = { .code = 487, .reason = PL("") };
		ua_final(l, &l->reinv, &r);
	}
}

static void emit_disconnect(struct leg *l, const struct sip_msg *m, const struct sip_rx *rx,
			    struct pl transfer_to)
{
	struct ev_out *o = legs_ev_out(l->sd);

	ev_begin(o, l->id, TANDEM__EVENT_TYPE__DISCONNECT, ua_origin(l), rx->time_us);
	ev_reason_from_msg(o, m);
	if (transfer_to.l)
		o->ev.transfer_to = ev_str(o, transfer_to);
	ua_emit(l);
}

static void reinvite(struct leg *l, struct tsx *t, const struct sip_msg *req, const struct sip_rx *rx)
{
	struct ev_out *o;
	struct pl target;

	if (l->state == LEG_UPDATING) {
		/* §14.1: glare with ours -> 491; §14.2: theirs pending -> 500. */
		if (l->reinv_ours)
			ua_respond_code(l->sd, l, t, 491, NULL);
		else
			respond_retry_after(l, t, 500);
		return;
	}
	if (l->rtx || l->ack_held) {
		/* An offer/answer exchange is still open: try again later. */
		ua_respond_code(l->sd, l, t, 491, NULL);
		return;
	}
	if (req->body.l && req->has_content_type &&
	    !sip_ctype_is(&req->content_type, "application", "sdp")) {
		ua_respond_code(l->sd, l, t, 415, NULL);
		return;
	}
	if (dialog_contact_uri(req, &target))
		leg_var_set(l, LEG_VAR_TARGET, target);
	if (req->body.l && leg_has_local_sdp(l) && leg_remote_sdp_is(l, req->body)) {
		/* Sippy: an unchanged offer (a refresh) is answered locally. */
		struct ua_resp r = { .code = 200, .reason = PL(""), .dialog = true,
				     .body = leg_local_sdp(l), .content_type = PL("application/sdp") };
		struct tsx *tt = t;

		ua_final(l, &tt, &r);
		return;
	}
	ua_respond_code(l->sd, l, t, 100, NULL);
	o = legs_ev_out(l->sd);
	ev_begin(o, l->id, TANDEM__EVENT_TYPE__UPDATE, ua_origin(l), rx->time_us);
	if (req->body.l) {
		leg_var_set(l, LEG_VAR_REMOTE_SDP, req->body);
		l->reinv_offer = true;
		ev_body_from_msg(o, req);
	} else {
		/* Body-less re-INVITE: we offer hold in the 2xx (Sippy). */
		size_t cap = sizeof(o->buf) - o->used;
		char *d = o->buf + o->used;
		int n = ua_hold_offer(l, d, cap);

		l->reinv_offer = false;
		if (n > 0) {
			o->used += (size_t)n;
			ev_set_body(o, PL("application/sdp"), pl_from(d, (size_t)n));
		}
	}
	l->reinv = t;
	tsx_set_owner(t, l);
	l->reinv_ours = false;
	leg_set_state(l, LEG_UPDATING);
	ua_emit(l);
}

static void refer(struct leg *l, struct tsx *t, const struct sip_msg *req, const struct sip_rx *rx)
{
	const struct sip_hdr *h = sip_msg_hdr(req, SIP_HDR_REFER_TO);
	struct sip_addr a;
	struct pl to;

	if (!h) {
		ua_respond_code(l->sd, l, t, 400, "Missing Refer-To");
		return;
	}
	to = sip_addr_parse(h->value, &a) == 0 ? a.uri_pl : h->value;
	ua_respond_code(l->sd, l, t, 202, NULL);
	abort_reinvite(l);
	emit_disconnect(l, req, rx, to);
	ua_send_bye(l, NULL);
}

void ua_dlg_request(struct leg *l, struct tsx *t, const struct sip_msg *req,
		    const struct sip_rx *rx)
{
	struct sigd *sd = l->sd;

	if (l->state == LEG_DISCONNECTED || l->state == LEG_FAILED || l->state == LEG_CANCELLING) {
		if (req->method_id == SIP_METHOD_BYE)
			ua_respond_code(sd, l, t, 200, NULL);
		else if (l->state == LEG_DISCONNECTED)
			ua_respond_code(sd, l, t, 500, "Disconnected");
		else
			ua_respond_code(sd, l, t, 481, "Call/Transaction Does Not Exist");
		return;
	}
	if (!dialog_remote_cseq_ok(&l->dlg.cseq, req->cseq)) {
		legs_stats(sd)->cseq_500++;
		ua_respond_code(sd, l, t, 500, "CSeq Out of Order");
		return;
	}
	switch (req->method_id) {
	case SIP_METHOD_INVITE:
		reinvite(l, t, req, rx);
		break;
	case SIP_METHOD_BYE:
		ua_respond_code(sd, l, t, 200, NULL);
		abort_reinvite(l);
		ua_stop_2xx(l);
		l->ack_held = false;
		emit_disconnect(l, req, rx, PL_NULL);
		leg_set_state(l, LEG_DISCONNECTED);
		break;
	case SIP_METHOD_INFO: {
		struct ev_out *o = legs_ev_out(sd);

		ua_respond_code(sd, l, t, 200, NULL);
		ev_begin(o, l->id, TANDEM__EVENT_TYPE__INFO, ua_origin(l), rx->time_us);
		ev_body_from_msg(o, req);
		ua_emit(l);
		break;
	}
	case SIP_METHOD_OPTIONS: {
		struct pl accept = PL("application/sdp");
		struct ua_resp r = { .code = 200, .reason = PL(""), .dialog = true,
				     .hdr_name = PL("Accept"), .hdr_values = &accept,
				     .n_hdr_values = 1 };

		ua_respond(sd, l, t, &r);
		break;
	}
	case SIP_METHOD_REFER:
		refer(l, t, req, rx);
		break;
	default:
		ua_respond_code(sd, l, t, 501, NULL);
		break;
	}
}

/* ---------------------------------------------------------------- our re-INVITE */

static void emit_response(struct leg *l, Tandem__EventType type, const struct sip_msg *resp,
			  const struct sip_rx *rx)
{
	struct ev_out *o = legs_ev_out(l->sd);

	ev_begin(o, l->id, type, ua_origin(l), rx ? rx->time_us : sigd_now_us());
	if (resp)
		ev_from_response(o, resp);
	ua_emit(l);
}

/* §14.1 / Sippy: a re-INVITE answered 408 or 481 means the dialog is gone. */
static void reinvite_failed(struct leg *l, unsigned code, const struct sip_msg *resp,
			    const struct sip_rx *rx)
{
	if (resp) {
		emit_response(l, TANDEM__EVENT_TYPE__FAIL, resp, rx);
	} else {
		ua_emit_simple(l, TANDEM__EVENT_TYPE__FAIL, code, "Request Timeout", 0);
	}
	if (code == 408 || code == 481) {
		ua_send_bye(l, NULL);
		ua_emit_simple(l, TANDEM__EVENT_TYPE__DISCONNECT, code, NULL, rx ? rx->time_us : 0);
	} else {
		leg_set_state(l, LEG_CONNECTED);
		leg_timer_stop(l);	/* the Expires of our re-INVITE */
	}
}

void ua_dlg_response(struct leg *l, struct tsx *t, const struct sip_msg *resp,
		     const struct sip_rx *rx)
{
	struct pl target;
	bool mine = l->state == LEG_UPDATING && l->reinv_ours;

	if (resp->status < 200) {
		if (resp->status > 100 && mine)
			emit_response(l, TANDEM__EVENT_TYPE__RING, resp, rx);
		return;
	}
	if (resp->status < 300) {
		/* Every 2xx (retransmissions too) gets its ACK. */
		ua_send_ack(l, tsx_cseq(t), PL_NULL);
		if (!mine)
			return;
		if (dialog_contact_uri(resp, &target))
			leg_var_set(l, LEG_VAR_TARGET, target);
		if (resp->body.l)
			leg_var_set(l, LEG_VAR_REMOTE_SDP, resp->body);
		leg_set_state(l, LEG_CONNECTED);
		leg_timer_stop(l);	/* the Expires of our re-INVITE */
		emit_response(l, TANDEM__EVENT_TYPE__CONNECT, resp, rx);
		return;
	}
	tsx_release(l->reinv);
	l->reinv = NULL;
	if (mine)
		reinvite_failed(l, resp->status, resp, rx);
}

void ua_dlg_timeout(struct leg *l, struct tsx *t)
{
	bool mine = l->state == LEG_UPDATING && l->reinv_ours;

	(void)t;
	tsx_release(l->reinv);
	l->reinv = NULL;
	if (mine)
		reinvite_failed(l, 408, NULL, NULL);
}

/* ---------------------------------------------------------------- events */

static void update(struct leg *l, const Tandem__LegEvent *ev, bool has_body, struct pl ctype,
		   struct pl body)
{
	struct ua_req r = { .method = PL("INVITE"), .body = body, .content_type = ctype,
			    .ev = ev, .owned = true };
	struct tsx *t;
	bool ok;

	if (l->state == LEG_UPDATING || l->rtx || l->ack_held) {
		ua_emit_simple(l, TANDEM__EVENT_TYPE__FAIL, 491, "Request Pending", 0);
		return;
	}
	if (!has_body) {
		ua_emit_simple(l, TANDEM__EVENT_TYPE__FAIL, 488, "Not Acceptable Here", 0);
		return;
	}
	if (leg_has_remote_sdp(l) && leg_local_sdp_is(l, body)) {
		/* Unchanged offer: the peer's last answer still holds. */
		struct ev_out *o = legs_ev_out(l->sd);

		ev_begin(o, l->id, TANDEM__EVENT_TYPE__CONNECT, ua_origin(l), sigd_now_us());
		o->ev.code = 200;
		o->ev.reason = (char *)"OK";
		ev_set_body(o, PL("application/sdp"), leg_remote_sdp(l));
		ua_emit(l);
		return;
	}
	if (l->reinv) {
		tsx_release(l->reinv);
		l->reinv = NULL;
	}
	leg_var_set(l, LEG_VAR_LOCAL_SDP, body);
	t = ua_send_request(l, &r, &ok);
	if (!t) {
		ua_emit_simple(l, TANDEM__EVENT_TYPE__FAIL, 500, "Server Internal Error", 0);
		return;
	}
	l->reinv = t;
	l->reinv_ours = true;
	leg_set_state(l, LEG_UPDATING);
	/* A 1xx leaves an INVITE client transaction waiting for ever: after
	 * Expires it is CANCELled (ua_timer), as the first INVITE is. */
	leg_timer_arm(l, legs_timers(l->sd)->expires_ms);
}

static unsigned code_in(unsigned code, unsigned lo, unsigned hi, unsigned dflt)
{
	return code >= lo && code <= hi ? code : dflt;
}

void ua_dlg_event(struct leg *l, const Tandem__LegEvent *ev)
{
	struct pl ctype = PL(""), body = PL("");
	bool has_body = ev_body(ev->body, &ctype, &body);
	bool theirs = l->state == LEG_UPDATING && !l->reinv_ours && l->reinv;
	struct ua_resp r = { .reason = ev->reason ? pl_from_str(ev->reason) : PL(""), .ev = ev };

	if (has_body) {
		r.body = body;
		r.content_type = ctype;
	}
	if (l->state >= LEG_CANCELLING) {
		if (ev->type != TANDEM__EVENT_TYPE__DISCONNECT) {
			legs_stats(l->sd)->events_ignored++;
			LOGD(leg_call_id(l), "leg %llu: event %s ignored in %s", (unsigned long long)l->id,
			     ev_type_name(ev->type), leg_state_name((enum leg_state)l->state));
		}
		return;
	}
	switch (ev->type) {
	case TANDEM__EVENT_TYPE__UPDATE:
		update(l, ev, has_body, ctype, body);
		break;
	case TANDEM__EVENT_TYPE__CONNECT:
	case TANDEM__EVENT_TYPE__PRE_CONNECT:
		if (l->ack_held) {
			/* The late-offer answer for the ACK we held. */
			l->ack_held = false;
			l->ack_with_body = has_body;
			leg_timer_stop(l);
			if (has_body)
				leg_var_set(l, LEG_VAR_LOCAL_SDP, body);
			ua_send_ack(l, l->inv_cseq, leg_local_sdp(l));
		} else if (theirs) {
			r.code = code_in(ev->code, 200, 299, 200);
			r.dialog = true;
			l->ack_wait_answer = !l->reinv_offer && has_body;
			if (has_body)
				leg_var_set(l, LEG_VAR_LOCAL_SDP, body);
			r.body = has_body ? body : PL("");
			ua_final(l, &l->reinv, &r);
			leg_set_state(l, LEG_CONNECTED);
		} else {
			legs_stats(l->sd)->events_ignored++;
		}
		break;
	case TANDEM__EVENT_TYPE__RING:
		if (theirs) {
			r.code = code_in(ev->code, 101, 199, 180);
			r.dialog = true;
			ua_respond(l->sd, l, l->reinv, &r);
		} else {
			legs_stats(l->sd)->events_ignored++;
		}
		break;
	case TANDEM__EVENT_TYPE__FAIL:
	case TANDEM__EVENT_TYPE__REDIRECT:
		if (theirs) {
			/* The other side refused the re-INVITE: the call stays. */
			r.code = code_in(ev->code, 300, 699, 488);
			ua_final(l, &l->reinv, &r);
			leg_set_state(l, LEG_CONNECTED);
			break;
		}
		/* To a connected leg FAIL means the end, as in Sippy. */
		/* fall through */
	case TANDEM__EVENT_TYPE__DISCONNECT:
		abort_reinvite(l);
		ua_stop_2xx(l);
		l->ack_held = false;
		ua_send_bye(l, ev);
		break;
	case TANDEM__EVENT_TYPE__INFO: {
		struct ua_req q = { .method = PL("INFO"), .body = body, .content_type = ctype, .ev = ev };
		bool ok;

		ua_send_request(l, &q, &ok);
		break;
	}
	default:
		legs_stats(l->sd)->events_ignored++;
		break;
	}
}
