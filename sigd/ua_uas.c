/*
 * ua_uas.c - the answer leg until it is answered (Sippy's UasStateIdle,
 * UasStateTrying, UasStateRinging; sippy-behaviour.md §4.2).
 *
 *   Idle     INVITE -> 100 Trying, TRY to ccd            -> Trying
 *   Trying   RING -> 18x                                 -> Ringing
 *            CONNECT / PRE_CONNECT -> 2xx (kept until ACK) -> Connected
 *            FAIL -> 4xx-6xx (401/407 with our challenge, or
 *                    the callee's relayed: challenges)   -> Failed
 *            REDIRECT -> 3xx with Contacts               -> Failed
 *            DISCONNECT -> the code ccd gave, else 500   -> Disconnected
 *            CANCEL -> 487, DISCONNECT to ccd            -> Disconnected
 *            BYE (early dialog) -> 487 + 200, DISCONNECT -> Disconnected
 *   Ringing  as Trying; more RINGs -> more 18x
 */
#include <string.h>
#include <time.h>

#include "dialog.h"
#include "digest.h"
#include "event.h"
#include "link.h"
#include "log.h"
#include "sigd.h"
#include "sip_addr.h"
#include "sip_uri.h"
#include "ua.h"

#define MAX_CHALLENGES 6

static bool body_is_sdp(const struct sip_msg *m)
{
	return m->body.l == 0 || !m->has_content_type ||
	       sip_ctype_is(&m->content_type, "application", "sdp");
}

/* A fresh arena holds exactly the strings an answer leg never changes. */
static size_t uas_arena_size(const struct sip_msg *req)
{
	return req->call_id.l + LEG_TAG_LEN + req->to.uri_pl.l + req->from.uri_pl.l;
}

/* How long the INVITE may wait for its answer: its Expires (1 s to one
 * hour), else the default (300 s, as Sippy). */
static uint32_t invite_expires_ms(struct sigd *sd, const struct sip_msg *req)
{
	const struct sip_hdr *h = sip_msg_hdr(req, SIP_HDR_EXPIRES);
	uint32_t s;

	if (h && pl_u32(h->value, 3600, &s) && s > 0)
		return s * 1000;
	return legs_timers(sd)->expires_ms;
}

static void send_try(struct leg *l, const struct sip_msg *req, const struct sip_rx *rx)
{
	struct sigd *sd = l->sd;
	struct ev_out *o = legs_ev_out(sd);
	struct ev_try_ctx ctx = { .now = time(NULL), .nonce_lifetime = LEG_NONCE_LIFETIME,
				  .nonce_skew = LEG_NONCE_SKEW };

	sigd_local_addr(sd, &rx->src, &ctx.local_host, &ctx.local_port);
	link_forward_headers(sd, &ctx.forward_headers, &ctx.n_forward_headers);
	legs_nonce_secret(sd, &ctx.nonce_secret, &ctx.nonce_secret_len);
	ev_begin(o, l->id, TANDEM__EVENT_TYPE__TRY, TANDEM__ORIGIN__CALLER, rx->time_us);
	ev_body_from_msg(o, req);
	ev_reason_from_msg(o, req);
	ev_try(o, req, rx, &ctx);
	ua_emit(l);
	/* A new call goes to ccd now, not with the rest of the batch: ccd
	 * routes it while we read the next INVITEs of a burst. */
	link_flush(sd);
}

void ua_uas_invite(struct sigd *sd, struct tsx *t, const struct sip_msg *req,
		   const struct sip_rx *rx)
{
	char routes[DIALOG_ROUTES_MAX], tag[LEG_TAG_LEN + 1];
	struct pl contact;
	struct dialog d;
	struct leg *l;
	int nroutes;

	if (!dialog_contact_uri(req, &contact)) {
		ua_respond_code(sd, NULL, t, 400, "Missing or bad Contact");
		return;
	}
	if ((nroutes = dialog_route_set(req, false, routes, sizeof(routes))) < 0) {
		ua_respond_code(sd, NULL, t, 400, "Bad or too long Record-Route");
		return;
	}
	if (!body_is_sdp(req)) {
		struct ua_resp r = { .code = 415, .reason = PL(""), .hdr_name = PL("Accept"),
				     .hdr_values = &PL("application/sdp"), .n_hdr_values = 1 };
		ua_respond(sd, NULL, t, &r);
		return;
	}
	l = leg_new(sd, legs_next_uas_id(sd), true, uas_arena_size(req));
	if (!l) {
		ua_respond_code(sd, NULL, t, 500, "Out of Memory");
		return;
	}
	legs_tag(sd, tag);
	dialog_from_invite(&d, &l->dlg.cseq, req, pl_from(tag, LEG_TAG_LEN),
			   pl_from(routes, (size_t)nroutes), (uint32_t)(legs_rand(sd) % 0x40000000u) + 1);
	struct pl var[LEG_VAR__COUNT] = {
		[LEG_VAR_REMOTE_TAG] = d.remote_tag,
		[LEG_VAR_TARGET] = d.remote_target,
		[LEG_VAR_ROUTES] = d.route_set,
		[LEG_VAR_LOCAL_SDP] = PL(""),
		[LEG_VAR_REMOTE_SDP] = req->body,
	};
	if (leg_dialog_init(l, &d) < 0 || leg_var_set_all(l, var) < 0) {
		ua_respond_code(sd, NULL, t, 500, "Out of Memory");
		leg_drop(l);
		return;
	}
	peer_addr_set(&l->fallback, &rx->src);
	l->inv = t;
	tsx_set_owner(t, l);
	l->inv_cseq = req->cseq;
	l->invite_offer = req->body.l > 0;
	leg_index_dialog(l);
	leg_set_state(l, LEG_TRYING);
	leg_timer_arm(l, invite_expires_ms(sd, req));
	LOGD(leg_call_id(l), "leg %llu: new answer leg", (unsigned long long)l->id);
	ua_respond_code(sd, l, t, 100, NULL);
	send_try(l, req, rx);
}

/* RFC 3261 §13.3.1 (Sippy's timer E): unanswered when Expires ran out. */
void ua_uas_expired(struct leg *l)
{
	struct ua_resp r = { .code = 487, .reason = PL("Request Expired") };

	LOGI(leg_call_id(l), "leg %llu: INVITE expired unanswered", (unsigned long long)l->id);
	if (l->inv)
		ua_final(l, &l->inv, &r);
	leg_set_state(l, LEG_DISCONNECTED);
	ua_emit_simple(l, TANDEM__EVENT_TYPE__DISCONNECT, 487, "Request Expired", 0);
}

/* ---------------------------------------------------------------- events */

static unsigned code_in(unsigned code, unsigned lo, unsigned hi, unsigned dflt)
{
	return code >= lo && code <= hi ? code : dflt;
}

static struct pl ev_reason_pl(const Tandem__LegEvent *ev)
{
	return ev->reason ? pl_from_str(ev->reason) : PL("");
}

/*
 * FAIL with a challenge: 401 (407) with one WWW-Authenticate
 * (Proxy-Authenticate) per requested algorithm, each with a fresh
 * stateless nonce that TRY's credentials check will recognise.
 */
static void send_challenge(struct leg *l, const Tandem__LegEvent *ev)
{
	const Tandem__ChallengeRequest *c = ev->challenge;
	char vals[MAX_CHALLENGES][512], nonce[DIGEST_NONCE_SIZE];
	struct pl values[MAX_CHALLENGES];
	struct pl realm = pl_from_str(c->realm);
	const uint8_t *secret;
	size_t secretlen, n = 0, nalg = c->n_algorithms ? c->n_algorithms : 1;

	if (realm.l == 0)
		realm = PL("tandem");
	legs_nonce_secret(l->sd, &secret, &secretlen);
	for (size_t i = 0; i < nalg && n < MAX_CHALLENGES; i++) {
		struct digest_challenge ch;
		enum digest_algo algo = c->n_algorithms
			? digest_algo_from_name(pl_from_str(c->algorithms[i])) : DIGEST_ALGO_MD5;
		int len;

		if (algo == DIGEST_ALGO_UNKNOWN ||
		    digest_nonce_make(secret, secretlen, realm, time(NULL), nonce, sizeof(nonce)) < 0)
			continue;
		memset(&ch, 0, sizeof(ch));
		ch.realm = digest_plain(realm);
		ch.nonce = digest_plain(pl_from(nonce, DIGEST_NONCE_LEN));
		ch.algo = algo;
		ch.qop = DIGEST_QOP_AUTH;
		ch.stale = c->stale;
		len = digest_write_challenge(vals[n], sizeof(vals[n]), &ch);
		if (len > 0)
			values[n] = pl_from(vals[n], (size_t)len), n++;
	}
	if (n == 0) {
		LOGW(leg_call_id(l), "leg %llu: no usable challenge (realm/algorithms)",
		     (unsigned long long)l->id);
		struct ua_resp r = { .code = 500, .reason = PL(""), .ev = ev };
		ua_final(l, &l->inv, &r);
		return;
	}
	struct ua_resp r = {
		.code = c->proxy ? 407 : 401,
		.reason = ev_reason_pl(ev),
		.ev = ev,
		.hdr_name = c->proxy ? PL("Proxy-Authenticate") : PL("WWW-Authenticate"),
		.hdr_values = values,
		.n_hdr_values = n,
	};
	ua_final(l, &l->inv, &r);
}

/*
 * Pass-through auth: a callee's 401/407 relayed by ccd carries the
 * callee's challenges (LegEvent.challenges), which go to the caller as
 * they came, one WWW-Authenticate (Proxy-Authenticate) each, so that the
 * caller's retry can answer them. Without them the 401 would be useless
 * (Sippy's defect: a bare 401).
 */
static void send_fail(struct leg *l, const Tandem__LegEvent *ev, struct ua_resp *r)
{
	struct pl values[EV_MAX_LIST];
	size_t n = 0;

	r->code = code_in(ev->code, 300, 699, 500);
	if (r->code == 401 || r->code == 407) {
		for (size_t i = 0; i < ev->n_challenges && n < EV_MAX_LIST; i++)
			if (ev->challenges[i] && ev->challenges[i][0])
				values[n++] = pl_from_str(ev->challenges[i]);
		r->hdr_name = r->code == 401 ? PL("WWW-Authenticate") : PL("Proxy-Authenticate");
		r->hdr_values = values;
		r->n_hdr_values = n;
	}
	ua_final(l, &l->inv, r);
}

/* REDIRECT: only Contacts that are URIs make it into the 3xx. */
static void send_redirect(struct leg *l, const Tandem__LegEvent *ev)
{
	char *ok[EV_MAX_LIST];
	size_t n = 0;

	for (size_t i = 0; i < ev->n_contacts && n < EV_MAX_LIST; i++) {
		struct sip_uri u;
		const char *c = ev->contacts[i];

		if (c && sip_uri_parse(pl_from_str(c), &u) == 0)
			ok[n++] = ev->contacts[i];
	}
	struct ua_resp r = {
		.code = code_in(ev->code, 300, 399, 302),
		.reason = ev_reason_pl(ev),
		.ev = ev,
		.contacts = ok,
		.n_contacts = n,
	};
	ua_final(l, &l->inv, &r);
}

void ua_uas_event(struct leg *l, const Tandem__LegEvent *ev)
{
	struct ua_resp r = { .reason = ev_reason_pl(ev), .ev = ev };
	struct pl ctype, body;
	bool has_body = ev_body(ev->body, &ctype, &body);

	if (!l->inv) {
		legs_stats(l->sd)->events_ignored++;
		return;
	}
	if (has_body) {
		r.body = body;
		r.content_type = ctype;
	}
	switch (ev->type) {
	case TANDEM__EVENT_TYPE__RING:
		r.code = code_in(ev->code, 101, 199, 180);
		r.dialog = true;
		if (ua_respond(l->sd, l, l->inv, &r) >= 0 && has_body)
			leg_var_set(l, LEG_VAR_LOCAL_SDP, body);
		leg_set_state(l, LEG_RINGING);
		break;
	case TANDEM__EVENT_TYPE__CONNECT:
	case TANDEM__EVENT_TYPE__PRE_CONNECT:
		r.code = code_in(ev->code, 200, 299, 200);
		r.dialog = true;
		/* Late offer: our 2xx offers, the caller's ACK answers. */
		l->ack_wait_answer = !l->invite_offer && has_body;
		if (has_body)
			leg_var_set(l, LEG_VAR_LOCAL_SDP, body);
		if (ua_final(l, &l->inv, &r) < 0) {
			/* The 2xx could not go out (a 500 did): the call is over. */
			leg_set_state(l, LEG_FAILED);
			ua_emit_simple(l, TANDEM__EVENT_TYPE__DISCONNECT, 500, "Server Internal Error", 0);
			break;
		}
		leg_set_state(l, LEG_CONNECTED);
		break;
	case TANDEM__EVENT_TYPE__FAIL:
		if (ev->challenge)
			send_challenge(l, ev);
		else
			send_fail(l, ev, &r);
		leg_set_state(l, LEG_FAILED);
		break;
	case TANDEM__EVENT_TYPE__REDIRECT:
		send_redirect(l, ev);
		leg_set_state(l, LEG_FAILED);
		break;
	case TANDEM__EVENT_TYPE__DISCONNECT:
		r.code = code_in(ev->code, 300, 699, 500);
		if (r.code == 500 && ev->code != 500)
			r.reason = PL("Disconnected");
		ua_final(l, &l->inv, &r);
		leg_set_state(l, LEG_DISCONNECTED);
		break;
	case TANDEM__EVENT_TYPE__UPDATE:
		/* No re-INVITE before the answer: the other side gets a 491. */
		legs_stats(l->sd)->events_ignored++;
		ua_emit_simple(l, TANDEM__EVENT_TYPE__FAIL, 491, "Request Pending", 0);
		break;
	default:
		legs_stats(l->sd)->events_ignored++;
		LOGD(leg_call_id(l), "leg %llu: event %s ignored in %s", (unsigned long long)l->id,
		     ev_type_name(ev->type), leg_state_name((enum leg_state)l->state));
		break;
	}
}

/* ---------------------------------------------------------------- requests */

static void emit_disconnect(struct leg *l, const struct sip_msg *m, const struct sip_rx *rx)
{
	struct ev_out *o = legs_ev_out(l->sd);

	ev_begin(o, l->id, TANDEM__EVENT_TYPE__DISCONNECT, ua_origin(l), rx->time_us);
	ev_reason_from_msg(o, m);
	ua_emit(l);
}

void ua_cancel(struct leg *l, struct tsx *t, const struct sip_msg *cancel, const struct sip_rx *rx)
{
	struct ua_resp r = { .code = 487, .reason = PL("") };

	if (t == l->inv && l->uas) {
		/* Sippy: CANCEL -> 487 and Disconnect, before the answer. */
		l->cancelled = true;
		ua_final(l, &l->inv, &r);
		emit_disconnect(l, cancel, rx);
		leg_set_state(l, LEG_DISCONNECTED);
	} else if (t == l->reinv && !l->reinv_ours) {
		/* Sippy ends the call when the peer cancels its re-INVITE. */
		ua_final(l, &l->reinv, &r);
		ua_send_bye(l, NULL);
		emit_disconnect(l, cancel, rx);
	} else {
		ua_respond_code(l->sd, l, t, 487, NULL);
	}
}

void ua_uas_early_request(struct leg *l, struct tsx *t, const struct sip_msg *req,
			  const struct sip_rx *rx)
{
	struct sigd *sd = l->sd;

	if (!dialog_remote_cseq_ok(&l->dlg.cseq, req->cseq)) {
		legs_stats(sd)->cseq_500++;
		ua_respond_code(sd, l, t, 500, "CSeq Out of Order");
		return;
	}
	switch (req->method_id) {
	case SIP_METHOD_BYE: {
		struct ua_resp r = { .code = 487, .reason = PL("") };

		if (l->inv)
			ua_final(l, &l->inv, &r);
		ua_respond_code(sd, l, t, 200, NULL);
		emit_disconnect(l, req, rx);
		leg_set_state(l, LEG_DISCONNECTED);
		break;
	}
	case SIP_METHOD_OPTIONS:
		ua_respond_code(sd, l, t, 200, NULL);
		break;
	case SIP_METHOD_INVITE: {
		/* §14.2: an INVITE while ours is pending: 500 with Retry-After. */
		char ra = (char)('1' + legs_rand(sd) % 9);
		struct pl ra_pl = pl_from(&ra, 1);
		struct ua_resp r = { .code = 500, .reason = PL(""), .hdr_name = PL("Retry-After"),
				     .hdr_values = &ra_pl, .n_hdr_values = 1 };
		ua_respond(sd, l, t, &r);
		break;
	}
	case SIP_METHOD_INFO: {
		struct ev_out *o = legs_ev_out(sd);

		ua_respond_code(sd, l, t, 200, NULL);
		ev_begin(o, l->id, TANDEM__EVENT_TYPE__INFO, ua_origin(l), rx->time_us);
		ev_body_from_msg(o, req);
		ua_emit(l);
		break;
	}
	default:
		ua_respond_code(sd, l, t, 501, NULL);
		break;
	}
}
