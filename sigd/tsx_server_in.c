/*
 * tsx_server_in.c - what arrives for server transactions (RFC 3261
 * §17.2, RFC 6026 §7.1, §9.2 CANCEL, §8.2.2.2 merged requests): a request
 * that matches a transaction is a retransmission and is absorbed (the last
 * response goes out again: none while Trying, none after a 2xx to INVITE,
 * which the TU retransmits itself); an ACK ends Completed or goes to the
 * TU; a CANCEL is answered here; a merged request gets 482; anything else
 * starts a transaction and goes to the TU.
 */
#include "tsx_priv.h"

#include "log.h"

/* A retransmitted request: the last response again, if there is one to give. */
static void absorb(struct tsx *t)
{
	struct sigd *sd = t->layer->sd;

	sd->stats.retransmissions_absorbed++;
	if (t->act && t->act->resp && (t->state == TSX_PROCEEDING || t->state == TSX_COMPLETED)) {
		tsx_transmit(t, t->act->resp, t->act->resp_len);
		sd->stats.retransmissions_out++;
	}
}

/* §17.2.1: an ACK for a non-2xx ends Completed; RFC 6026: in Accepted it
 * belongs to the TU, like an ACK that matches nothing (the 2xx's ACK). */
static void receive_ack(struct tsx_layer *tl, const struct sip_msg *m, const struct sip_rx *rx)
{
	struct tsx_server_key k;
	struct tsx *t;

	tsx_server_key_from(&k, m);
	t = tsx_server_find(tl, &k);
	if (t && t->state == TSX_COMPLETED) {
		t->state = TSX_CONFIRMED;
		tsx_timer_fixed(t, tl->q_t4);			/* I */
		return;
	}
	if (t && t->state == TSX_CONFIRMED) {
		tl->sd->stats.retransmissions_absorbed++;
		return;
	}
	if (t && t->state != TSX_ACCEPTED) {
		LOGD(m->call_id, "ACK before any final response: dropped");
		return;
	}
	if (tl->tu && tl->tu->on_ack)
		tl->tu->on_ack(tl->sd, m, rx);
}

/*
 * §9.2: the CANCEL is a transaction of its own, answered here: 481 when it
 * matches no INVITE, else 200 (with the To tag the INVITE's responses
 * carry), and the TU hears of it while the INVITE is still unanswered.
 */
static void receive_cancel(struct tsx_layer *tl, const struct sip_msg *m, const struct sip_rx *rx)
{
	struct tsx_server_key k;
	struct tsx *inv, *c;
	char tag[17];
	struct pl to_tag;

	tsx_server_key_from(&k, m);
	k.cancel = true;
	k.method = SIP_METHOD_INVITE;
	k.method_name = PL("INVITE");
	inv = tsx_server_find(tl, &k);
	c = tsx_server_new(tl, m, rx, false);
	if (!c)
		return;
	if (!inv) {
		LOGD(m->call_id, "CANCEL matches no transaction: 481");
		tsx_random_tag(tl, tag);
		tsx_respond_scratch(c, 481, PL_NULL, pl_from(tag, 16));
		return;
	}
	if (inv->act && inv->act->resp && inv->act->resp_tag.len) {
		to_tag = pl_from(inv->act->resp + inv->act->resp_tag.off, inv->act->resp_tag.len);
	} else {
		tsx_random_tag(tl, tag);
		to_tag = pl_from(tag, 16);
	}
	tsx_respond_scratch(c, 200, PL_NULL, to_tag);
	if (inv->final_sent || inv->state != TSX_PROCEEDING)
		return;
	if (inv->released) {
		/* nobody will answer it: the layer does (§9.2) */
		tsx_respond_scratch(inv, 487, PL_NULL, to_tag);
		return;
	}
	if (!tl->tu || !tl->tu->on_cancel)
		return;
	inv->busy++;
	tl->tu->on_cancel(tl->sd, inv, m, rx);
	inv->busy--;
	tsx_maybe_free(inv);
}

/* 482 (§8.2.2.2, and a request of ours that came straight back) through a
 * transaction of its own, so its retransmissions are absorbed too. */
static void reject_loop(struct tsx_layer *tl, const struct sip_msg *m, const struct sip_rx *rx,
			const char *why)
{
	struct tsx *t = tsx_server_new(tl, m, rx, false);
	char tag[17];

	LOGI(m->call_id, "%s: 482", why);
	if (!t)
		return;
	tsx_random_tag(tl, tag);
	tsx_respond_scratch(t, 482, PL_NULL, pl_from(tag, 16));
}

void tsx_server_receive(struct tsx_layer *tl, const struct sip_msg *m, const struct sip_rx *rx)
{
	struct tsx_server_key k;
	struct tsx *t;

	if (m->method_id == SIP_METHOD_ACK) {
		receive_ack(tl, m, rx);
		return;
	}
	tsx_server_key_from(&k, m);
	t = tsx_server_find(tl, &k);
	if (t) {
		absorb(t);
		return;
	}
	if (m->method_id == SIP_METHOD_CANCEL) {
		receive_cancel(tl, m, rx);
		return;
	}
	if (!pl_isset(m->to.tag) && tsx_merged(tl, m)) {
		reject_loop(tl, m, rx, "merged request (same Call-ID, From tag and CSeq on another branch)");
		return;
	}
	if (!k.rfc2543 && tsx_client_find(tl, m->via.branch, m->method_id, m->method)) {
		reject_loop(tl, m, rx, "our own request came back");
		return;
	}
	t = tsx_server_new(tl, m, rx, true);
	if (!t)
		return;
	if (!tl->tu || !tl->tu->on_request) {
		tsx_respond(t, 500, PL_NULL, PL_NULL);
		return;
	}
	t->busy++;
	tl->tu->on_request(tl->sd, t, m, rx);
	t->busy--;
	tsx_maybe_free(t);
}
