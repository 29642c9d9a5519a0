/*
 * tsx_server.c - server transactions (RFC 3261 §17.2, RFC 6026 §7.1,
 * §8.2.2.2 merged requests, §9.2 CANCEL).
 *
 *   INVITE       Proceeding --1xx--> Proceeding
 *                           --2xx--> Accepted  (timer L; ACKs go to the TU)
 *                           --3xx-6xx--> Completed (G retransmits, H bounds)
 *                                    --ACK--> Confirmed (timer I)
 *   non-INVITE   Trying --1xx--> Proceeding --final--> Completed (timer J)
 *
 * This file makes server transactions and sends their responses; what
 * arrives for them (retransmissions, ACK, CANCEL, merged requests) is
 * tsx_server_in.c's. At creation the response prefix is rendered once from
 * the request, with the Via as the response must carry it, so every
 * response the TU sends later is a copy plus its own headers, whatever
 * happened to the receive buffer in between. The prefix goes with the
 * final response; the matching keys stay.
 */
#include "tsx_priv.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sip_addr.h"
#include "sip_write.h"
#include "transport.h"

static bool is_server(const struct tsx *t)
{
	return t && (t->kind == TSX_SERVER_INVITE || t->kind == TSX_SERVER_NON_INVITE);
}

static struct tsx_str str_at(size_t off, size_t len)
{
	return (struct tsx_str){ (uint16_t)off, (uint16_t)len };
}

/* sub when it is a slice of value (as the parser made it), else nothing. */
static struct pl inside(struct pl value, struct pl sub)
{
	if (!sub.l || sub.p < value.p || pl_end(sub) > pl_end(value))
		return PL_NULL;
	return sub;
}

/*
 * Renders "Via..From..To: <value>" (part1) and "\r\nCall-ID..CSeq..\r\n"
 * (part2) of every response to m, the text kept until the final response,
 * and copies the keys that outlive it into a new transaction.
 */
struct tsx *tsx_server_new(struct tsx_layer *tl, const struct sip_msg *m, const struct sip_rx *rx,
			   bool mergeable)
{
	const struct sip_hdr *via = sip_msg_hdr(m, SIP_HDR_VIA);
	const struct sip_hdr *from = sip_msg_hdr(m, SIP_HDR_FROM);
	const struct sip_hdr *to = sip_msg_hdr(m, SIP_HDR_TO);
	bool invite = m->method_id == SIP_METHOD_INVITE;
	bool rfc2543 = !sip_via_branch_is_rfc3261(&m->via);
	size_t branch_at, part1, used = 0;
	struct pl host, from_tag, to_tag, ruri, method;
	struct netaddr peer;
	struct sip_writer w;
	struct tsx *t;

	if (!via || !from || !to || tsx_layer_full(tl, m->call_id))
		return NULL;
	sip_w_init(&w, tl->scratch, sizeof(tl->scratch));
	transport_write_top_via(&w, via->value, &m->via, &rx->src, &branch_at);
	for (const struct sip_hdr *h = sip_msg_hdr_next(m, via); h; h = sip_msg_hdr_next(m, h))
		sip_w_header(&w, PL("Via"), h->value);
	sip_w_header(&w, PL("From"), from->value);
	sip_w_header_begin(&w, PL("To"));
	sip_w_pl(&w, to->value);
	part1 = w.len;
	sip_w_header_end(&w);
	sip_w_call_id(&w, m->call_id);
	sip_w_cseq(&w, m->cseq, m->method);
	if (w.overflow || w.len > UINT16_MAX) {
		LOGW(m->call_id, "request too large to keep a transaction for: dropped");
		return NULL;
	}
	host = inside(via->value, m->via.host);
	from_tag = inside(from->value, m->from.tag);
	to_tag = inside(to->value, m->to.tag);
	ruri = rfc2543 ? m->ruri_pl : PL_NULL;
	method = m->method_id == SIP_METHOD_OTHER ? m->method : PL_NULL;
	t = tsx_alloc(tl, invite ? TSX_SERVER_INVITE : TSX_SERVER_NON_INVITE,
		      (branch_at ? m->via.branch.l : 0) + host.l + from_tag.l + to_tag.l +
		      m->call_id.l + ruri.l + method.l);
	if (!t || tsx_text_set(t, tl->scratch, w.len) < 0) {
		LOGE(m->call_id, "out of memory for a server transaction: request dropped");
		if (t)
			tsx_destroy(t);
		return NULL;
	}
	t->act->part1 = str_at(0, part1);
	t->act->part2 = str_at(part1, w.len - part1);
	t->branch = tsx_key_put(t, &used, branch_at ? m->via.branch : PL_NULL);
	t->host = tsx_key_put(t, &used, host);
	t->from_tag = tsx_key_put(t, &used, from_tag);
	t->to_tag = tsx_key_put(t, &used, to_tag);
	t->call_id = tsx_key_put(t, &used, m->call_id);
	t->ruri = tsx_key_put(t, &used, ruri);
	t->method_name = tsx_key_put(t, &used, method);
	t->rfc2543 = rfc2543;
	t->port = m->via.port ? m->via.port : 5060;
	t->method = (uint8_t)m->method_id;
	t->cseq = m->cseq;
	t->state = invite ? TSX_PROCEEDING : TSX_TRYING;
	transport_reply_dest(&m->via, &rx->src, &peer);
	peer_addr_set(&t->act->peer, &peer);
	tsx_server_insert(t);
	if (mergeable && !pl_isset(m->to.tag))
		tsx_merge_insert(t);
	/* a non-INVITE the TU never answers ends with the client's timer F */
	if (!invite)
		tsx_timer_fixed(t, tl->q_64t1);
	return t;
}

/* ---------------------------------------------------------------- responses */

/* Copies stored header text: each line through the writer's text path,
 * each CRLF as a header end. */
static void put_lines(struct sip_writer *w, struct pl text)
{
	const char *crlf;

	while ((crlf = memchr(text.p, '\r', text.l)) != NULL) {
		sip_w_pl(w, pl_until(text, crlf));
		sip_w_header_end(w);
		text = pl_after(text, crlf + 2 <= pl_end(text) ? crlf + 2 : pl_end(text));
	}
	sip_w_pl(w, text);
}

void tsx_response_begin(struct tsx *t, struct sip_writer *w, unsigned code, struct pl reason,
			struct pl to_tag)
{
	if (!is_server(t))
		return;
	sip_w_status_line(w, code, reason);
	if (!t->act || !t->act->text_len)
		return;		/* final sent: nothing more goes out */
	put_lines(w, tsx_text_pl(t, t->act->part1));
	if (to_tag.l && !t->to_tag.len) {
		sip_w_str(w, ";tag=");
		sip_w_pl(w, to_tag);
	}
	put_lines(w, tsx_text_pl(t, t->act->part2));
}

/* Where the To tag of the response we keep is: an RFC 2543 ACK must
 * carry it, and the 200 to a CANCEL repeats it (§9.2). */
static void note_to_tag(struct tsx_act *act)
{
	const char *p = act->resp, *end = act->resp + act->resp_len;
	struct sip_addr a;

	act->resp_tag = str_at(0, 0);
	for (p = memchr(p, '\n', act->resp_len); p && ++p < end && *p != '\r';) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct pl line = pl_trim(pl_from(p, (size_t)((nl ? nl : end) - p)));
		const char *colon = pl_chr(line, ':');

		if (colon) {
			struct pl name = pl_trim(pl_until(line, colon));

			if (pl_caseeq_str(name, "to") || pl_caseeq_str(name, "t")) {
				if (sip_addr_parse(pl_trim(pl_after(line, colon + 1)), &a) == 0 &&
				    a.tag.l && pl_end(a.tag) <= act->resp + UINT16_MAX)
					act->resp_tag = str_at((size_t)(a.tag.p - act->resp), a.tag.l);
				return;
			}
		}
		p = nl;
	}
}

/* Keeps a copy of the response for retransmissions (none for a 2xx to
 * INVITE: the TU retransmits those). */
static void keep_response(struct tsx *t, const char *buf, size_t len, unsigned code)
{
	struct tsx_act *a = t->act;
	char *copy;

	if (!a)
		return;
	if (t->kind == TSX_SERVER_INVITE && code >= 200 && code < 300) {
		free(a->resp);
		a->resp = NULL;
		a->resp_len = 0;
		return;
	}
	copy = realloc(a->resp, len);
	if (!copy) {
		LOGE(tsx_call_id(t), "out of memory: response %u will not be retransmitted", code);
		free(a->resp);
		a->resp = NULL;
		a->resp_len = 0;
		return;
	}
	memcpy(copy, buf, len);
	a->resp = copy;
	a->resp_len = (uint32_t)len;
	if (t->kind == TSX_SERVER_INVITE && !t->to_tag.len && code > 100)
		note_to_tag(a);
}

int tsx_send_response(struct tsx *t, const char *buf, size_t len, unsigned code)
{
	struct tsx_layer *tl;

	if (!is_server(t) || t->final_sent)
		return -1;
	tl = t->layer;
	if (t->timed_out) {
		/* too late: the client gave up long ago; the TU is done with t */
		if (code >= 200) {
			t->final_sent = true;
			tsx_act_free(t);
			tsx_maybe_free(t);
		}
		return -1;
	}
	if (code < 100 || code > 699 || !len || len > SIP_MAX_MESSAGE)
		return -1;
	keep_response(t, buf, len, code);
	tsx_transmit(t, buf, len);
	if (code < 200) {
		if (t->kind == TSX_SERVER_NON_INVITE)
			t->state = TSX_PROCEEDING;
		return 0;
	}
	t->final_sent = true;
	/* The prefix goes; after a 2xx to an INVITE, all of the exchange's
	 * part (the UA retransmits the 2xx): the keys do from now on. */
	if (t->kind == TSX_SERVER_INVITE && code < 300)
		tsx_act_free(t);
	else
		tsx_text_set(t, NULL, 0);
	if (t->kind == TSX_SERVER_NON_INVITE) {
		t->state = TSX_COMPLETED;
		tsx_timer_fixed(t, tl->q_64t1);			/* J */
	} else if (code < 300) {
		t->state = TSX_ACCEPTED;
		tsx_timer_fixed(t, tl->q_64t1);			/* L */
	} else {
		t->state = TSX_COMPLETED;
		tsx_timer_retransmit(t, tl->tm.t1_ms, 64 * tl->tm.t1_ms);	/* G, H */
	}
	return 0;
}

/* A response with nothing but the prefix, built in the layer's scratch. */
int tsx_respond_scratch(struct tsx *t, unsigned code, struct pl reason, struct pl to_tag)
{
	struct tsx_layer *tl = t->layer;
	struct sip_writer w;
	int n;

	sip_w_init(&w, tl->scratch, sizeof(tl->scratch));
	tsx_response_begin(t, &w, code, reason, to_tag);
	n = sip_w_finish(&w, PL_NULL, PL_NULL);
	return n < 0 ? -1 : tsx_send_response(t, tl->scratch, (size_t)n, code);
}

int tsx_respond(struct tsx *t, unsigned code, struct pl reason, struct pl to_tag)
{
	char tag[17];

	if (!is_server(t))
		return -1;
	/* §8.2.6.2: every response but 100 carries a To tag */
	if (!to_tag.l && code > 100 && !t->to_tag.len) {
		tsx_random_tag(t->layer, tag);
		to_tag = pl_from(tag, 16);
	}
	return tsx_respond_scratch(t, code, reason, to_tag);
}

/* ---------------------------------------------------------------- timers */

void tsx_server_retransmit(struct tsx *t)
{
	if (t->act && t->act->resp)
		tsx_transmit(t, t->act->resp, t->act->resp_len);
}

void tsx_server_timeout(struct tsx *t)
{
	struct tsx_layer *tl = t->layer;
	const struct tsx_user_ops *tu = tl->tu;

	switch (t->state) {
	case TSX_COMPLETED:
		if (t->kind == TSX_SERVER_INVITE) {		/* H */
			LOGI(tsx_call_id(t), "no ACK for our final response (timer H)");
			tsx_terminate(t);
			if (tu && tu->on_ack_timeout && !t->released)
				tu->on_ack_timeout(tl->sd, t);
			return;
		}
		tsx_terminate(t);				/* J */
		return;
	case TSX_CONFIRMED:					/* I */
	case TSX_ACCEPTED:					/* L */
		tsx_terminate(t);
		return;
	default:
		/* Trying/Proceeding: never answered, the client has given up */
		LOGD(tsx_call_id(t), "%s request never answered: transaction timed out",
		     t->kind == TSX_SERVER_INVITE ? "INVITE" : "non-INVITE");
		t->timed_out = true;
		tsx_terminate(t);
		return;
	}
}

/* A TU that gives up on an unanswered request sends nothing; the
 * transaction keeps absorbing retransmissions for 64*T1, then ends. */
void tsx_server_release(struct tsx *t)
{
	t->released = true;
	if (t->state != TSX_TERMINATED && !t->final_sent && t->timer_kind == TSX_TIMER_NONE)
		tsx_timer_fixed(t, t->layer->q_64t1);
}
