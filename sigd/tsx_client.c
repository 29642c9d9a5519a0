/*
 * tsx_client.c - client transactions (RFC 3261 §17.1, RFC 6026 §7.2) and
 * the CANCEL of a client INVITE (§9.1).
 *
 *   INVITE       Calling (A retransmits, B bounds) --1xx--> Proceeding
 *                Calling/Proceeding --2xx--> Accepted (timer M: 2xx
 *                retransmissions still reach the owner, which ACKs them)
 *                Calling/Proceeding --3xx-6xx--> Completed (ACK sent here,
 *                again for every retransmitted final; timer D)
 *   non-INVITE   Trying (E retransmits, F bounds) --1xx--> Proceeding (E
 *                every T2) --final--> Completed (timer K)
 *
 * The ACK for a non-2xx and the CANCEL are built from the stored INVITE,
 * parsed again when needed: its Request-URI, top Via (same branch), Route
 * set, From, Call-ID and CSeq number are what §17.1.1.3 and §9.1 copy.
 * The request is kept only while it may be needed: until a 2xx (Accepted
 * keeps the keys alone), until a non-INVITE's final, and in an INVITE's
 * Completed state as the ACK it re-sends.
 */
#include "tsx_priv.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sip_write.h"

/*
 * Copies the request and reads back what the layer needs from it. A
 * request that does not parse, or whose method or top branch is not what
 * the caller said, is a bug upstream: refused, so that no ACK or CANCEL is
 * ever built from bytes we cannot read.
 */
static struct tsx *client_new(struct tsx_layer *tl, const struct netaddr *dst, const char *buf,
			      size_t len, enum sip_method method_id, struct pl branch)
{
	bool invite = method_id == SIP_METHOD_INVITE;
	struct sip_msg *m = &tl->msg;
	size_t used = 0;
	struct tsx_act *a;
	struct tsx *t;

	if (!buf || !len || !branch.l || len > UINT16_MAX || branch.l > UINT16_MAX / 2 ||
	    method_id == SIP_METHOD_ACK || tsx_layer_full(tl, PL_NULL))
		return NULL;
	if (!(a = malloc(sizeof(*a) + len))) {
		LOGE(PL_NULL, "out of memory for a client transaction");
		return NULL;
	}
	memset(a, 0, sizeof(*a));
	memcpy(a->text, buf, len);
	a->text_len = (uint32_t)len;
	if (sip_msg_parse(m, a->text, len, SIP_FRAMING_DATAGRAM, NULL) != SIP_PARSE_OK ||
	    !m->is_request || m->method_id != method_id || !pl_eq(m->via.branch, branch)) {
		LOGE(PL_NULL, "refusing to send a request that does not parse or does not match its "
			      "method and branch");
		free(a);
		return NULL;
	}
	t = tsx_alloc(tl, invite ? TSX_CLIENT_INVITE : TSX_CLIENT_NON_INVITE,
		      branch.l + m->call_id.l + m->method.l);
	if (!t) {
		LOGE(PL_NULL, "out of memory for a client transaction");
		free(a);
		return NULL;
	}
	t->act = a;
	t->branch = tsx_key_put(t, &used, branch);
	t->call_id = tsx_key_put(t, &used, m->call_id);
	t->method_name = tsx_key_put(t, &used, m->method);
	t->cseq = m->cseq;
	t->method = (uint8_t)method_id;
	t->state = invite ? TSX_CALLING : TSX_TRYING;
	peer_addr_set(&a->peer, dst);
	return t;
}

/* Into the table, out on the wire, timers A/B or E/F running. */
static int client_start(struct tsx *t)
{
	struct tsx_layer *tl = t->layer;

	tsx_client_insert(t);
	if (tsx_transmit_now(t, t->act->text, t->act->text_len) < 0)
		return -1;
	tsx_timer_retransmit(t, tl->tm.t1_ms, 64 * tl->tm.t1_ms);
	return 0;
}

struct tsx *tsx_client_send(struct sigd *sd, const struct tsx_client_ops *ops, void *owner,
			    const struct netaddr *dst, const char *buf, size_t len,
			    enum sip_method method_id, struct pl branch)
{
	struct tsx_layer *tl = sd->tsx;
	struct tsx *t;

	if (!tl || !dst)
		return NULL;
	if (tsx_client_find(tl, branch, method_id, PL_NULL)) {
		LOGE(PL_NULL, "a client transaction with branch %.*s exists already", PL_FMT(branch));
		return NULL;
	}
	t = client_new(tl, dst, buf, len, method_id, branch);
	if (!t)
		return NULL;
	t->ops = ops;
	t->owner = owner;
	t->held = true;
	if (client_start(t) < 0) {
		tsx_destroy(t);
		return NULL;
	}
	return t;
}

/* ---------------------------------------------------------------- ACK and CANCEL */

/*
 * ACK (§17.1.1.3) or CANCEL (§9.1) for the stored INVITE, into the layer's
 * scratch: same Request-URI, only the top Via, same Route set, From,
 * Call-ID and CSeq number; To from the final response for an ACK, the
 * INVITE's own for a CANCEL.
 */
static int build_from_invite(struct tsx *t, struct pl method, struct pl to, struct pl reason)
{
	struct tsx_layer *tl = t->layer;
	struct sip_msg *m = &tl->msg;
	const struct sip_hdr *h;
	struct sip_writer w;

	if (!t->act || sip_msg_parse(m, t->act->text, t->act->text_len, SIP_FRAMING_DATAGRAM, NULL) !=
		       SIP_PARSE_OK)
		return -1;
	sip_w_init(&w, tl->scratch, sizeof(tl->scratch));
	sip_w_request_line(&w, method, m->ruri_pl);
	sip_w_header(&w, PL("Via"), sip_msg_hdr(m, SIP_HDR_VIA)->value);
	for (h = sip_msg_hdr(m, SIP_HDR_ROUTE); h; h = sip_msg_hdr_next(m, h))
		sip_w_header(&w, PL("Route"), h->value);
	sip_w_max_forwards(&w, m->has_max_forwards ? m->max_forwards : 70);
	sip_w_header(&w, PL("From"), sip_msg_hdr(m, SIP_HDR_FROM)->value);
	sip_w_header(&w, PL("To"), to.l ? to : sip_msg_hdr(m, SIP_HDR_TO)->value);
	sip_w_call_id(&w, m->call_id);
	sip_w_cseq(&w, m->cseq, method);
	if (reason.l)
		sip_w_header(&w, PL("Reason"), reason);
	return sip_w_finish(&w, PL_NULL, PL_NULL);
}

/*
 * The ACK of a non-2xx final, built once from the INVITE, which it then
 * replaces: a retransmitted final gets the same ACK again, and the
 * INVITE's bytes are not kept through Completed (timer D, 32 s).
 */
static void send_first_ack(struct tsx *t, const struct sip_msg *resp)
{
	int n = build_from_invite(t, PL("ACK"), sip_msg_hdr(resp, SIP_HDR_TO)->value, PL_NULL);

	if (n < 0) {
		LOGE(tsx_call_id(t), "cannot build the ACK for %u", resp->status);
		tsx_act_free(t);
		return;
	}
	tsx_transmit(t, t->layer->scratch, (size_t)n);
	if (tsx_text_set(t, t->layer->scratch, (size_t)n) < 0)
		LOGE(tsx_call_id(t), "out of memory: the ACK for %u will not be sent again",
		     resp->status);
}

/* The CANCEL waiting for a provisional response goes out now, and the
 * INVITE gets 64*T1 to end (§9.1: then it is considered cancelled). */
static void send_cancel(struct tsx *t, struct tsx *c)
{
	if (client_start(c) < 0) {
		tsx_destroy(c);
		return;
	}
	tsx_timer_fixed(t, t->layer->q_64t1);
}

static void drop_cancel(struct tsx *t)
{
	if (t->act && t->act->cancel) {
		LOGD(tsx_call_id(t), "INVITE ended before a provisional response: CANCEL not sent");
		tsx_destroy(t->act->cancel);
		t->act->cancel = NULL;
	}
}

void tsx_client_cancel(struct tsx *t, struct pl reason_header)
{
	struct tsx_layer *tl;
	struct netaddr peer;
	struct tsx *c;
	int n;

	if (!t || t->kind != TSX_CLIENT_INVITE || t->cancel_asked)
		return;
	t->cancel_asked = true;
	if (t->state != TSX_CALLING && t->state != TSX_PROCEEDING)
		return;
	tl = t->layer;
	/* a whole "Reason: ..." line is accepted as well as its value */
	if (reason_header.l > 7 && pl_caseeq_str(pl_from(reason_header.p, 7), "reason:"))
		reason_header = pl_trim(pl_after(reason_header, reason_header.p + 7));
	n = build_from_invite(t, PL("CANCEL"), PL_NULL, reason_header);
	peer = tsx_peer(t);
	c = n < 0 ? NULL : client_new(tl, &peer, tl->scratch, (size_t)n, SIP_METHOD_CANCEL,
				      tsx_str_pl(t, t->branch));
	if (!c) {
		LOGE(tsx_call_id(t), "cannot build the CANCEL");
		return;
	}
	c->released = true;	/* the layer's own: nobody hears of it */
	if (t->state == TSX_CALLING) {
		LOGD(tsx_call_id(t), "CANCEL deferred until a provisional response");
		t->act->cancel = c;
		return;
	}
	send_cancel(t, c);
}

/* ---------------------------------------------------------------- responses */

static void notify(struct tsx *t, const struct sip_msg *m, const struct sip_rx *rx)
{
	if (!t->released && t->ops && t->ops->on_response)
		t->ops->on_response(t->owner, t, m, rx);
}

static void invite_response(struct tsx *t, const struct sip_msg *m, const struct sip_rx *rx)
{
	struct tsx_layer *tl = t->layer;
	bool pending = t->state == TSX_CALLING || t->state == TSX_PROCEEDING;

	if (m->status < 200) {
		if (t->state == TSX_CALLING) {
			t->state = TSX_PROCEEDING;
			tsx_timer_stop(t);
			if (t->act && t->act->cancel) {
				struct tsx *c = t->act->cancel;

				t->act->cancel = NULL;
				send_cancel(t, c);
			} else if (t->released) {
				tsx_timer_fixed(t, tl->q_64t1);
			}
		}
		if (t->state == TSX_PROCEEDING)
			notify(t, m, rx);
		return;
	}
	if (m->status < 300) {
		if (pending) {
			t->state = TSX_ACCEPTED;
			drop_cancel(t);
			tsx_act_free(t);	/* the keys do from now on */
			tsx_timer_fixed(t, tl->q_64t1);			/* M */
		}
		if (t->state == TSX_ACCEPTED)
			notify(t, m, rx);
		return;
	}
	if (pending) {
		t->state = TSX_COMPLETED;
		drop_cancel(t);
		send_first_ack(t, m);
		tsx_timer_fixed(t, tl->q_64t1);				/* D */
		notify(t, m, rx);
	} else if (t->state == TSX_COMPLETED) {
		struct pl ack = tsx_text(t);

		tsx_transmit(t, ack.p, ack.l);
		tl->sd->stats.retransmissions_absorbed++;
		tl->sd->stats.retransmissions_out++;
	}
}

static void non_invite_response(struct tsx *t, const struct sip_msg *m, const struct sip_rx *rx)
{
	bool pending = t->state == TSX_TRYING || t->state == TSX_PROCEEDING;

	if (!pending) {
		t->layer->sd->stats.retransmissions_absorbed++;
		return;
	}
	if (m->status < 200) {
		t->state = TSX_PROCEEDING;
	} else {
		t->state = TSX_COMPLETED;
		tsx_act_free(t);
		tsx_timer_fixed(t, t->layer->q_t4);			/* K */
	}
	notify(t, m, rx);
}

void tsx_client_receive(struct tsx_layer *tl, const struct sip_msg *m, const struct sip_rx *rx)
{
	struct tsx *t = tsx_client_find(tl, m->via.branch, m->cseq_method_id, m->cseq_method);

	if (!t) {
		tl->sd->stats.stray_responses++;
		LOGD(m->call_id, "response %u to %.*s matches no transaction: dropped", m->status,
		     PL_FMT(m->cseq_method));
		return;
	}
	t->busy++;
	if (t->kind == TSX_CLIENT_INVITE)
		invite_response(t, m, rx);
	else
		non_invite_response(t, m, rx);
	t->busy--;
	tsx_maybe_free(t);
}

/* ---------------------------------------------------------------- timers */

void tsx_client_retransmit(struct tsx *t)
{
	struct pl req = tsx_text(t);

	tsx_transmit(t, req.p, req.l);
}

void tsx_client_timeout(struct tsx *t)
{
	bool failed = t->state == TSX_CALLING || t->state == TSX_TRYING ||
		      t->state == TSX_PROCEEDING;

	if (failed)
		LOGI(tsx_call_id(t), "%.*s %u: no final response (timer %s)",
		     PL_FMT(tsx_str_pl(t, t->method_name)), t->cseq,
		     t->kind == TSX_CLIENT_NON_INVITE ? "F" :
		     t->state == TSX_CALLING ? "B" : "64*T1 in Proceeding");
	tsx_terminate(t);
	if (t->released || !t->ops)
		return;
	if (failed && t->ops->on_timeout)
		t->ops->on_timeout(t->owner, t);
	else if (!failed && t->ops->on_done)
		t->ops->on_done(t->owner, t);
}

/* A released INVITE that a 1xx left waiting still ends, 64*T1 later. */
void tsx_client_release(struct tsx *t)
{
	t->released = true;
	if (t->kind == TSX_CLIENT_INVITE && t->state == TSX_PROCEEDING &&
	    t->timer_kind == TSX_TIMER_NONE)
		tsx_timer_fixed(t, t->layer->q_64t1);
}
