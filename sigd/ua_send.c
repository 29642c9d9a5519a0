/*
 * ua_send.c - what the UA machines send: responses on server
 * transactions, requests in a dialog, ACKs, BYE, our 2xx retransmissions,
 * events to ccd, the hold offer of a body-less re-INVITE (ua.h).
 */
#include <stdlib.h>
#include <string.h>

#include "dialog.h"
#include "event.h"
#include "link.h"
#include "log.h"
#include "sdp.h"
#include "sigd.h"
#include "sip_write.h"
#include "ua.h"

#ifndef TANDEM_VERSION
#define TANDEM_VERSION "0"
#endif

#define AGENT "tandem/" TANDEM_VERSION
#define ALLOW "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER"

Tandem__Origin ua_origin(const struct leg *l)
{
	return l->uas ? TANDEM__ORIGIN__CALLER : TANDEM__ORIGIN__CALLEE;
}

/* ---------------------------------------------------------------- events */

void ua_emit(struct leg *l)
{
	struct ev_out *o = legs_ev_out(l->sd);

	LOGD(leg_call_id(l), "leg %llu: event %s %u to ccd", (unsigned long long)l->id,
	     ev_type_name(o->ev.type), o->ev.code);
	if (o->truncated)
		LOGW(leg_call_id(l), "leg %llu: event %s too large, some fields left out",
		     (unsigned long long)l->id, ev_type_name(o->ev.type));
	link_send(l->sd, &o->msg);
	legs_stats(l->sd)->events_out++;
}

void ua_emit_simple(struct leg *l, Tandem__EventType type, unsigned code, const char *reason,
		    int64_t time_us)
{
	struct ev_out *o = legs_ev_out(l->sd);

	ev_begin(o, l->id, type, ua_origin(l), time_us ? time_us : sigd_now_us());
	o->ev.code = code;
	if (reason)
		o->ev.reason = ev_str(o, pl_from_str(reason));
	ua_emit(l);
}

/* ---------------------------------------------------------------- responses */

static void write_extra(struct leg *l, struct sip_writer *w, const Tandem__LegEvent *ev)
{
	if (!ev)
		return;
	ev_write_reason(w, ev->reason_header);
	if (ev_write_extra(w, ev->extra_headers, ev->n_extra_headers))
		LOGW(l ? leg_call_id(l) : PL_NULL, "extra headers from ccd refused (names sigd owns)");
}

/*
 * RFC 3261 §25.1: a Reason-Phrase has no control characters but HTAB. A
 * phrase from ccd with any (its text is not SIP's) would make the status
 * line malformed: the standard phrase goes out instead.
 */
static struct pl reason_phrase(struct pl reason)
{
	for (size_t i = 0; i < reason.l; i++) {
		unsigned char c = (unsigned char)reason.p[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return PL("");
	}
	return reason;
}

int ua_respond(struct sigd *sd, struct leg *l, struct tsx *t, const struct ua_resp *r)
{
	struct sip_writer w;
	char tag[LEG_TAG_LEN + 1];
	struct pl to_tag = PL_NULL, e, rest;
	int n;

	if (r->code > 100) {
		if (l) {
			to_tag = leg_local_tag(l);
		} else {
			legs_tag(sd, tag);
			to_tag = pl_from(tag, LEG_TAG_LEN);
		}
	}
	sip_w_init(&w, sd->out, sizeof(sd->out));
	tsx_response_begin(t, &w, r->code, reason_phrase(r->reason), to_tag);
	if (r->dialog && l) {
		struct netaddr peer = tsx_peer(t);
		struct pl host;
		uint16_t port;

		/* §12.1.1: the dialog-creating responses echo Record-Route. */
		if (l->uas && t == l->inv) {
			struct dialog d;

			leg_dialog(l, &d);
			rest = d.route_set;
			while (dialog_route_next(&rest, &e))
				sip_w_header(&w, PL("Record-Route"), e);
		}
		sigd_local_addr(sd, &peer, &host, &port);
		dialog_write_contact(&w, host, port);
		if (r->code >= 200 && r->code < 300)
			sip_w_header(&w, PL("Allow"), PL(ALLOW));
	}
	for (size_t i = 0; i < r->n_contacts; i++) {
		sip_w_header_begin(&w, PL("Contact"));
		sip_w_char(&w, '<');
		sip_w_str(&w, r->contacts[i]);
		sip_w_char(&w, '>');
		sip_w_header_end(&w);
	}
	for (size_t i = 0; i < r->n_hdr_values; i++)
		sip_w_header(&w, r->hdr_name, r->hdr_values[i]);
	write_extra(l, &w, r->ev);
	sip_w_header(&w, PL("Server"), PL(AGENT));
	n = sip_w_finish(&w, r->content_type, r->body);
	if (n < 0) {
		LOGE(l ? leg_call_id(l) : tsx_call_id(t), "response %u does not fit a datagram",
		     r->code);
		return -1;
	}
	if (tsx_send_response(t, sd->out, (size_t)n, r->code) < 0)
		return -1;
	return n;
}

void ua_respond_code(struct sigd *sd, struct leg *l, struct tsx *t, unsigned code,
		     const char *reason)
{
	struct ua_resp r = { .code = code, .reason = pl_from_str(reason) };

	if (!reason)
		r.reason = PL("");
	ua_respond(sd, l, t, &r);
}

/*
 * A final response to an INVITE, then the transaction is let go: the
 * layer absorbs retransmitted INVITEs and the ACK of a non-2xx on its own,
 * and a 2xx is ours to retransmit (RFC 3261 §13.3.1.4), so its bytes are
 * kept until the ACK.
 */
int ua_final(struct leg *l, struct tsx **tp, const struct ua_resp *r)
{
	struct sigd *sd = l->sd;
	struct tsx *t = *tp;
	struct netaddr peer = tsx_peer(t);	/* the 2xx ends what t knows of it */
	int n = ua_respond(sd, l, t, r);

	if (n < 0 && r->code != 500) {
		ua_respond_code(sd, l, t, 500, NULL);
	} else if (n > 0 && r->code >= 200 && r->code < 300) {
		struct leg_2xx *x = malloc(sizeof(*x) + (size_t)n);

		if (x) {
			free(l->rtx);
			x->dst = peer;
			x->cseq = tsx_cseq(t);
			x->interval_ms = legs_timers(sd)->t1_ms;
			x->elapsed_ms = 0;
			x->len = (size_t)n;
			memcpy(x->bytes, sd->out, (size_t)n);
			l->rtx = x;
			leg_timer_arm(l, x->interval_ms);
		}
	}
	tsx_release(t);
	*tp = NULL;
	return n < 0 ? -1 : 0;
}

void ua_stop_2xx(struct leg *l)
{
	if (l->rtx) {
		free(l->rtx);
		l->rtx = NULL;
		leg_timer_stop(l);
	}
}

/* ---------------------------------------------------------------- requests */

/* The first route or the remote target, else the remembered address;
 * with an outbound proxy (Originate.outbound_proxy), always the proxy, as
 * Sippy does: the callee's Contact may not be reachable from here. */
static bool next_hop(struct leg *l, const struct dialog *d, struct netaddr *dst)
{
	if (l->via_proxy && peer_addr_get(&l->fallback, dst))
		return true;
	if (dialog_next_hop(d, dst) || peer_addr_get(&l->fallback, dst))
		return true;
	legs_stats(l->sd)->unroutable++;
	LOGW(leg_call_id(l), "leg %llu: no numeric next hop for in-dialog requests",
	     (unsigned long long)l->id);
	return false;
}

struct tsx *ua_send_request(struct leg *l, const struct ua_req *r, bool *ok)
{
	struct sigd *sd = l->sd;
	char branch[LEG_BRANCH_LEN + 1];
	struct dialog_req dr = { 0 };
	struct sip_writer w;
	struct netaddr dst;
	struct tsx *t;
	struct dialog own;
	const struct dialog *d = r->dlg;
	enum sip_method m = sip_method_lookup(r->method);
	int n;

	*ok = false;
	if (!d) {
		leg_dialog(l, &own);
		d = &own;
	}
	if (!next_hop(l, d, &dst))
		return NULL;
	legs_branch(sd, branch);
	sigd_local_addr(sd, &dst, &dr.local_host, &dr.local_port);
	dr.method = r->method;
	dr.cseq = r->cseq ? r->cseq : dialog_next_cseq(&l->dlg.cseq);
	dr.branch = pl_from(branch, LEG_BRANCH_LEN);
	dr.contact = m == SIP_METHOD_INVITE || m == SIP_METHOD_REFER;
	sip_w_init(&w, sd->out, sizeof(sd->out));
	dialog_write_request(d, &w, &dr);
	write_extra(l, &w, r->ev);
	if (m == SIP_METHOD_INVITE)
		sip_w_header(&w, PL("Allow"), PL(ALLOW));
	sip_w_header(&w, PL("User-Agent"), PL(AGENT));
	n = sip_w_finish(&w, r->content_type.l ? r->content_type : PL("application/sdp"), r->body);
	if (n < 0) {
		LOGE(leg_call_id(l), "%.*s does not fit a datagram", PL_FMT(r->method));
		return NULL;
	}
	if (m == SIP_METHOD_ACK) {
		*ok = sigd_send_now(sd, &dst, sd->out, (size_t)n) == 0;
		return NULL;
	}
	t = tsx_client_send(sd, &ua_client_ops, l, &dst, sd->out, (size_t)n, m, dr.branch);
	if (!t) {
		LOGW(leg_call_id(l), "leg %llu: %.*s could not be sent", (unsigned long long)l->id,
		     PL_FMT(r->method));
		return NULL;
	}
	*ok = true;
	if (r->owned)
		return t;
	/* Fire and forget: the layer still retransmits it. */
	tsx_release(t);
	return NULL;
}

void ua_send_ack(struct leg *l, uint32_t cseq, struct pl body)
{
	struct ua_req r = { .method = PL("ACK"), .cseq = cseq, .body = body };
	bool ok;

	ua_send_request(l, &r, &ok);
}

void ua_send_bye(struct leg *l, const Tandem__LegEvent *ev)
{
	struct ua_req r = { .method = PL("BYE"), .ev = ev };
	bool ok;

	ua_send_request(l, &r, &ok);
	leg_set_state(l, LEG_DISCONNECTED);
}

/* ---------------------------------------------------------------- timers */

/*
 * Our 2xx again, T1 doubling up to T2 (RFC 3261 §13.3.1.4); without an
 * ACK after 64*T1 the session is ended (§13.3.1.4: "SHOULD ... terminate
 * the dialog"): BYE, and DISCONNECT to ccd.
 */
void ua_dlg_timer(struct leg *l)
{
	const struct leg_timers *tm = legs_timers(l->sd);
	struct leg_2xx *x = l->rtx;

	x->elapsed_ms += x->interval_ms;
	if (x->elapsed_ms >= 64 * tm->t1_ms) {
		legs_stats(l->sd)->ack_timeouts++;
		LOGI(leg_call_id(l), "leg %llu: no ACK for our 2xx: ending the call",
		     (unsigned long long)l->id);
		ua_stop_2xx(l);
		l->ack_wait_answer = false;
		ua_send_bye(l, NULL);
		ua_emit_simple(l, TANDEM__EVENT_TYPE__DISCONNECT, 408, "No ACK", 0);
		return;
	}
	sigd_send(l->sd, &x->dst, x->bytes, x->len);
	l->sd->stats.retransmissions_out++;
	x->interval_ms = x->interval_ms * 2 > tm->t2_ms ? tm->t2_ms : x->interval_ms * 2;
	leg_timer_arm(l, x->interval_ms);
}

/*
 * The leg's one timer: our 2xx's retransmission, the held ACK's guard, the
 * expiry of an INVITE or re-INVITE still unanswered. (An INVITE of ours
 * answered 2xx is let go when its transaction says it is done: on_done.)
 */
void ua_timer(struct leg *l)
{
	bool early = l->state == LEG_TRYING || l->state == LEG_RINGING;

	if (l->rtx) {
		ua_dlg_timer(l);
	} else if (l->ack_held) {
		ua_uac_timer(l);
	} else if (early && l->uas) {
		ua_uas_expired(l);
	} else if (early) {
		ua_uac_expired(l);
	} else if (l->state == LEG_UPDATING && l->reinv_ours && l->reinv) {
		/* Our re-INVITE still unanswered after Expires: CANCEL it;
		 * the transaction then ends within 64*T1 (487 or 408). */
		tsx_client_cancel(l->reinv, PL_NULL);
	}
}

/* ---------------------------------------------------------------- SDP */

int ua_hold_offer(struct leg *l, char *buf, size_t cap)
{
	struct sdp_session *s = legs_sdp_scratch(l->sd);
	struct pl remote = leg_remote_sdp(l);

	if (remote.l == 0 || sdp_parse(s, remote.p, remote.l, NULL) < 0)
		return -1;
	if (s->sec.conn.addr.p)
		sdp_session_set_addr(s, s->sec.conn.ipv6 ? PL("::") : PL("0.0.0.0"), s->sec.conn.ipv6);
	for (unsigned i = 0; i < s->mediac; i++) {
		const struct sdp_conn *c = &s->media[i].sec.conn;

		if (c->addr.p)
			sdp_media_set_addr(s, i, c->ipv6 ? PL("::") : PL("0.0.0.0"), c->ipv6);
	}
	sdp_bump_version(s);
	return sdp_write(s, buf, cap);
}
