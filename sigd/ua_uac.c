/*
 * ua_uac.c - the originate leg until it is answered (Sippy's UacStateIdle,
 * UacStateTrying, UacStateRinging, UacStateCancelling; §4.2).
 *
 *   Idle        Originate -> INVITE                         -> Trying
 *   Trying      100 absorbed (RING 100 once with report_trying);
 *               18x -> RING                                 -> Ringing
 *               2xx -> ACK + CONNECT, or with a late offer
 *                      PRE_CONNECT and the ACK held          -> Connected
 *               2xx without To tag -> ACK, BYE, FAIL 502    -> Failed
 *               3xx -> REDIRECT; >= 400 -> FAIL              -> Failed
 *               401/407 with credentials -> INVITE again, once
 *                      (with report_trying: RING 100 if still unreported)
 *               timer B -> FAIL 408                         -> Failed
 *               DISCONNECT/FAIL/REDIRECT from ccd -> CANCEL
 *                      (deferred until a provisional)       -> Cancelling
 *   Ringing     as Trying
 *   Cancelling  2xx -> ACK + BYE                            -> Disconnected
 *               any other final                             -> Failed
 */
#include <string.h>

#include "dialog.h"
#include "digest.h"
#include "event.h"
#include "link.h"
#include "log.h"
#include "sigd.h"
#include "sip_write.h"
#include "ua.h"

#ifndef TANDEM_VERSION
#define TANDEM_VERSION "0"
#endif

static size_t slen(const char *s)
{
	return s ? strlen(s) : 0;
}

/* ccd's extra headers as "Name: value" lines, kept for a digest retry. */
static size_t extra_len(const Tandem__Originate *o)
{
	size_t n = 0;

	for (size_t i = 0; i < o->n_extra_headers; i++)
		if (ev_header_name_ok(o->extra_headers[i]->name))
			n += strlen(o->extra_headers[i]->name) + 2 + slen(o->extra_headers[i]->value) + 1;
	return n;
}

/*
 * The block is split at '\n' when written, so a CR or LF in a value
 * becomes a space here, as the writer does for the first INVITE: else a
 * value could smuggle a header line of its own into the retry.
 */
static struct pl store_extra(struct leg *l, const Tandem__Originate *o)
{
	const char *start = l->arena + l->arena_used;

	for (size_t i = 0; i < o->n_extra_headers; i++) {
		const Tandem__Header *h = o->extra_headers[i];
		struct pl v;

		if (!ev_header_name_ok(h->name))
			continue;
		leg_strdup(l, pl_from_str(h->name));
		leg_strdup(l, PL(": "));
		v = leg_strdup(l, pl_from_str(h->value));
		for (size_t j = 0; j < v.l; j++)
			if (v.p[j] == '\r' || v.p[j] == '\n')
				((char *)v.p)[j] = ' ';
		leg_strdup(l, PL("\n"));
	}
	return pl_from(start, (size_t)(l->arena + l->arena_used - start));
}

static void write_stored_extra(struct sip_writer *w, struct pl block)
{
	struct pl rest = block, line;

	while (dialog_route_next(&rest, &line))
		if (line.l) {
			sip_w_pl(w, line);
			sip_w_header_end(w);
		}
}

/* Pass-through auth: the caller's credentials, as received. */
static void write_pass_credentials(struct sip_writer *w, const Tandem__Credentials *c)
{
	struct digest_credentials cr;
	char buf[2048];
	struct pl qop;
	int n;

	if (!c || !c->username || !c->username[0])
		return;
	memset(&cr, 0, sizeof(cr));
	cr.username = digest_plain(pl_from_str(c->username));
	cr.realm = digest_plain(pl_from_str(c->realm));
	cr.nonce = digest_plain(pl_from_str(c->nonce));
	cr.uri = digest_plain(pl_from_str(c->uri));
	cr.response = digest_plain(pl_from_str(c->response));
	if (c->algorithm && c->algorithm[0]) {
		cr.algo_raw = digest_plain(pl_from_str(c->algorithm));
		cr.algo = digest_algo_from_name(cr.algo_raw.s);
	}
	if (c->cnonce && c->cnonce[0])
		cr.cnonce = digest_plain(pl_from_str(c->cnonce));
	if (c->opaque && c->opaque[0])
		cr.opaque = digest_plain(pl_from_str(c->opaque));
	qop = pl_from_str(c->qop);
	if (qop.l) {
		cr.qop_raw = digest_plain(qop);
		cr.qop = pl_caseeq_str(qop, "auth") ? DIGEST_QOP_AUTH
			 : pl_caseeq_str(qop, "auth-int") ? DIGEST_QOP_AUTH_INT : DIGEST_QOP_UNKNOWN;
	}
	if (c->nc && c->nc[0]) {
		uint32_t v = 0;
		for (const char *p = c->nc; *p; p++) {
			unsigned d = (*p >= '0' && *p <= '9') ? (unsigned)(*p - '0')
				     : ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'f') ? (unsigned)((*p | 0x20) - 'a' + 10)
				     : 16;
			if (d > 15 || v > 0x0fffffffu)
				return;
			v = v << 4 | d;
		}
		cr.nc = v;
		cr.nc_raw = digest_plain(pl_from_str(c->nc));
	}
	n = digest_write_credentials(buf, sizeof(buf), &cr);
	if (n > 0)
		sip_w_header(w, c->proxy ? PL("Proxy-Authorization") : PL("Authorization"),
			     pl_from(buf, (size_t)n));
}

static struct pl display(const char *name)
{
	return name ? pl_from_str(name) : PL("");
}

/* ccd decrements (TRY carries the value already decremented); proto3
 * cannot tell 0 from absent, and ccd answers 483 itself for 0 hops. */
static uint8_t max_forwards(const Tandem__Originate *o)
{
	return o->max_forwards ? (uint8_t)o->max_forwards : 70;
}

/*
 * The INVITE of an originate leg: to the Originate's target, with ccd's
 * From/To, Max-Forwards, headers and offer. o is NULL for a digest retry,
 * which re-sends what the leg kept (leg_uac()), plus the credentials.
 */
static bool send_invite(struct leg *l, const Tandem__Originate *o, struct pl auth_name,
			struct pl auth_value)
{
	struct sigd *sd = l->sd;
	char branch[LEG_BRANCH_LEN + 1];
	struct sip_writer w;
	struct netaddr dst;
	struct pl host;
	uint16_t port;
	int n;
	struct leg_uac *u = leg_uac(l);
	struct dialog d;

	if (!peer_addr_get(&l->fallback, &dst) || (!o && !u))
		return false;
	leg_dialog(l, &d);
	sigd_local_addr(sd, &dst, &host, &port);
	legs_branch(sd, branch);
	l->inv_cseq = dialog_next_cseq(&l->dlg.cseq);
	sip_w_init(&w, sd->out, sizeof(sd->out));
	sip_w_request_line(&w, PL("INVITE"), o ? pl_from_str(o->request_uri) : u->ruri);
	sip_w_via(&w, PL("UDP"), host, port, pl_from(branch, LEG_BRANCH_LEN), true);
	sip_w_max_forwards(&w, o ? max_forwards(o) : u->max_forwards);
	sip_w_from(&w, o ? display(o->from_name) : u->from_display, d.local_uri, d.local_tag);
	sip_w_to(&w, o ? display(o->to_name) : u->to_display, d.remote_uri, PL_NULL);
	sip_w_call_id(&w, d.call_id);
	sip_w_cseq(&w, l->inv_cseq, PL("INVITE"));
	dialog_write_contact(&w, host, port);
	if (auth_value.l)
		sip_w_header(&w, auth_name, auth_value);
	if (o) {
		ev_write_extra(&w, o->extra_headers, o->n_extra_headers);
		write_pass_credentials(&w, o->pass_credentials);
	} else {
		write_stored_extra(&w, u->extra_hdrs);
	}
	sip_w_header(&w, PL("Allow"), PL("INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER"));
	sip_w_header(&w, PL("User-Agent"), PL("tandem/" TANDEM_VERSION));
	n = sip_w_finish(&w, PL("application/sdp"), leg_local_sdp(l));
	if (n < 0)
		return false;
	l->inv = tsx_client_send(sd, &ua_client_ops, l, &dst, sd->out, (size_t)n,
				 SIP_METHOD_INVITE, pl_from(branch, LEG_BRANCH_LEN));
	return l->inv != NULL;
}

static void fail_event(struct leg *l, unsigned code, const char *reason)
{
	ua_emit_simple(l, TANDEM__EVENT_TYPE__FAIL, code, reason, 0);
	leg_set_state(l, LEG_FAILED);
}

void ua_originate(struct sigd *sd, const Tandem__Originate *o)
{
	char tag[LEG_TAG_LEN + 1];
	bool retry = o->auth_username && o->auth_username[0];
	/* What a digest retry needs is kept only when one may come. */
	size_t arena = strlen(o->call_id) + LEG_TAG_LEN + strlen(o->from_uri) + strlen(o->to_uri) +
		       (retry ? sizeof(struct leg_uac) + LEG_ALIGN_SLACK + strlen(o->request_uri) +
				slen(o->from_name) + slen(o->to_name) + extra_len(o) +
				slen(o->auth_username) + slen(o->auth_password) : 0);
	struct leg *l = leg_new(sd, o->leg, false, arena);
	struct pl body = PL(""), ctype;
	struct leg_uac *u = NULL;
	struct dialog d = {
		.call_id = pl_from_str(o->call_id),
		.local_tag = pl_from(tag, LEG_TAG_LEN),
		.local_uri = pl_from_str(o->from_uri),
		.remote_uri = pl_from_str(o->to_uri),
	};

	if (l) {
		legs_tag(sd, tag);
		/* The leg_uac first: leg_uac() finds it at the start of the arena. */
		if ((retry && !(u = leg_alloc(l, sizeof(*u)))) || leg_dialog_init(l, &d) < 0) {
			leg_drop(l);
			l = NULL;
		}
	}
	if (!l) {
		struct ev_out *e = legs_ev_out(sd);

		ev_begin(e, o->leg, TANDEM__EVENT_TYPE__FAIL, TANDEM__ORIGIN__SWITCH, sigd_now_us());
		e->ev.code = 500;
		e->ev.reason = (char *)"Out of Memory";
		link_send(sd, &e->msg);
		link_leg_closed(sd, o->leg, LEG_FAILED);
		return;
	}
	if (retry) {
		l->has_uac = true;
		u->ruri = leg_strdup(l, pl_from_str(o->request_uri));
		u->from_display = leg_strdup(l, display(o->from_name));
		u->to_display = leg_strdup(l, display(o->to_name));
		u->extra_hdrs = store_extra(l, o);
		u->auth_user = leg_strdup(l, pl_from_str(o->auth_username));
		u->auth_pass = leg_strdup(l, pl_from_str(o->auth_password ? o->auth_password : ""));
	}
	l->dlg.cseq.local = (uint32_t)(legs_rand(sd) % 0x40000000u);
	if (retry)
		u->max_forwards = max_forwards(o);
	l->report_trying = o->report_trying;
	l->via_proxy = o->outbound_proxy;
	ev_body(o->body, &ctype, &body);
	struct pl var[LEG_VAR__COUNT] = {
		[LEG_VAR_REMOTE_TAG] = PL(""),
		[LEG_VAR_TARGET] = pl_from_str(o->request_uri),
		[LEG_VAR_ROUTES] = PL(""),
		[LEG_VAR_LOCAL_SDP] = body,
		[LEG_VAR_REMOTE_SDP] = PL(""),
	};
	struct netaddr target;
	ev_address_to_netaddr(o->target, &target);
	peer_addr_set(&l->fallback, &target);
	leg_index_dialog(l);
	LOGD(leg_call_id(l), "leg %llu: new originate leg (answer leg %llu)%s",
	     (unsigned long long)l->id, (unsigned long long)o->answer_leg,
	     l->via_proxy ? ", every request via the outbound proxy" : "");
	if (leg_var_set_all(l, var) < 0 || !send_invite(l, o, PL_NULL, PL_NULL)) {
		fail_event(l, 503, "Service Unavailable");
		return;
	}
	leg_set_state(l, LEG_TRYING);
	leg_timer_arm(l, legs_timers(sd)->expires_ms);
}

/* Ringing for Expires without an answer (Sippy: a 408 from its
 * transaction layer): FAIL 408 to ccd and CANCEL. */
void ua_uac_expired(struct leg *l)
{
	LOGI(leg_call_id(l), "leg %llu: INVITE unanswered until it expired", (unsigned long long)l->id);
	ua_emit_simple(l, TANDEM__EVENT_TYPE__FAIL, 408, "Request Timeout", 0);
	if (!l->inv) {
		leg_set_state(l, LEG_FAILED);
		return;
	}
	tsx_client_cancel(l->inv, PL_NULL);
	leg_set_state(l, LEG_CANCELLING);
}

/* ---------------------------------------------------------------- responses */

/* What a tagged 1xx/2xx says about the dialog (§12.1.2): remote tag,
 * target from Contact, route set from Record-Route reversed. */
static void learn_dialog(struct leg *l, const struct sip_msg *resp)
{
	char routes[DIALOG_ROUTES_MAX];
	int n = dialog_route_set(resp, true, routes, sizeof(routes));
	struct pl target;
	struct dialog d;
	unsigned mask = LEG_VAR_BIT(LEG_VAR_REMOTE_TAG) | LEG_VAR_BIT(LEG_VAR_TARGET) |
			LEG_VAR_BIT(LEG_VAR_ROUTES);

	leg_dialog(l, &d);
	struct pl var[LEG_VAR__COUNT] = {
		[LEG_VAR_REMOTE_TAG] = pl_isset(resp->to.tag) ? resp->to.tag : PL(""),
		[LEG_VAR_TARGET] = dialog_contact_uri(resp, &target) ? target : d.remote_target,
		[LEG_VAR_ROUTES] = n >= 0 ? pl_from(routes, (size_t)n) : d.route_set,
		[LEG_VAR_LOCAL_SDP] = PL_NULL,
		[LEG_VAR_REMOTE_SDP] = resp->body,
	};

	if (n < 0)
		LOGW(leg_call_id(l), "leg %llu: Record-Route of the answer not usable",
		     (unsigned long long)l->id);
	if (resp->body.l)
		mask |= LEG_VAR_BIT(LEG_VAR_REMOTE_SDP);
	leg_var_update(l, mask, var);
}

static void emit_response(struct leg *l, Tandem__EventType type, const struct sip_msg *resp,
			  const struct sip_rx *rx)
{
	struct ev_out *o = legs_ev_out(l->sd);

	l->report_trying = false;
	ev_begin(o, l->id, type, TANDEM__ORIGIN__CALLEE, rx->time_us);
	ev_from_response(o, resp);
	ua_emit(l);
}

/*
 * Originate.report_trying: ccd's "no reply" timer (route nr_expires)
 * wants the first sign that the callee is there, which the 100 Trying
 * sigd absorbs would otherwise hide, and so would a 401/407 the leg
 * answers by itself. Reported once, as RING 100, only while Trying.
 */
static void report_trying(struct leg *l, const struct sip_rx *rx)
{
	if (!l->report_trying || l->state != LEG_TRYING)
		return;
	l->report_trying = false;
	ua_emit_simple(l, TANDEM__EVENT_TYPE__RING, 100, "Trying", rx->time_us);
}

/* The strongest challenge we can answer, answered once (Originate's
 * auth_username/auth_password). */
static bool auth_retry(struct leg *l, const struct sip_msg *resp)
{
	enum sip_hdr_id id = resp->status == 401 ? SIP_HDR_WWW_AUTHENTICATE : SIP_HDR_PROXY_AUTHENTICATE;
	struct digest_challenge ch, best;
	struct digest_answer ans;
	char val[2048];
	int best_strength = 0, n;
	struct leg_uac *u = leg_uac(l);

	if (l->auth_tried || !u || u->auth_user.l == 0)
		return false;
	l->auth_tried = true;
	for (const struct sip_hdr *h = sip_msg_hdr(resp, id); h; h = sip_msg_hdr_next(resp, h)) {
		int s;

		if (digest_parse_challenge(h->value, &ch) != NULL)
			continue;
		s = digest_algo_strength(ch.algo);
		if (s > best_strength) {
			best = ch;
			best_strength = s;
		}
	}
	if (best_strength == 0 ||
	    digest_answer(&ans, &best, u->auth_user, u->auth_pass, PL("INVITE"), u->ruri, 1) < 0 ||
	    (n = digest_write_credentials(val, sizeof(val), &ans.cred)) < 0)
		return false;
	/* A new INVITE: whatever an early dialog told us is void. */
	struct pl var[LEG_VAR__COUNT] = {
		PL(""), u->ruri, PL(""), PL_NULL, PL(""),
	};
	leg_var_update(l, LEG_VAR_BIT(LEG_VAR__COUNT) - 1 - LEG_VAR_BIT(LEG_VAR_LOCAL_SDP), var);
	LOGD(leg_call_id(l), "leg %llu: answering the %u challenge", (unsigned long long)l->id,
	     resp->status);
	return send_invite(l, NULL, resp->status == 401 ? PL("Authorization") : PL("Proxy-Authorization"),
			   pl_from(val, (size_t)n));
}

/* A 2xx from a fork we did not take (another To tag): ACK and BYE it
 * (§13.2.2.4) in that fork's dialog, without touching ours (but for the
 * BYE's CSeq, the next of ours). */
static void reject_fork(struct leg *l, const struct sip_msg *resp)
{
	char routes[DIALOG_ROUTES_MAX];
	int n = dialog_route_set(resp, true, routes, sizeof(routes));
	struct pl target;
	struct dialog fork;
	struct ua_req ack = { .method = PL("ACK"), .cseq = resp->cseq, .dlg = &fork };
	struct ua_req bye = { .method = PL("BYE"), .dlg = &fork };
	bool ok;

	leg_dialog(l, &fork);
	fork.remote_tag = resp->to.tag;
	if (dialog_contact_uri(resp, &target))
		fork.remote_target = target;
	fork.route_set = n >= 0 ? pl_from(routes, (size_t)n) : PL("");
	ua_send_request(l, &ack, &ok);
	ua_send_request(l, &bye, &ok);
}

static void on_2xx(struct leg *l, const struct sip_msg *resp, const struct sip_rx *rx)
{
	const struct leg_timers *tm = legs_timers(l->sd);

	switch (l->state) {
	case LEG_TRYING:
	case LEG_RINGING:
		learn_dialog(l, resp);
		if (!pl_isset(resp->to.tag) || resp->to.tag.l == 0) {
			ua_send_ack(l, l->inv_cseq, PL_NULL);
			ua_send_bye(l, NULL);
			fail_event(l, 502, "Bad Gateway");
			return;
		}
		if (!leg_has_local_sdp(l) && resp->body.l) {
			/* Late offer: the ACK waits for the answer from ccd. */
			l->ack_held = true;
			leg_timer_arm(l, 64 * tm->t1_ms);
			emit_response(l, TANDEM__EVENT_TYPE__PRE_CONNECT, resp, rx);
		} else {
			ua_send_ack(l, l->inv_cseq, PL_NULL);
			emit_response(l, TANDEM__EVENT_TYPE__CONNECT, resp, rx);
		}
		leg_set_state(l, LEG_CONNECTED);
		/* Expires is over; the held ACK's guard stays. */
		if (!l->ack_held)
			leg_timer_stop(l);
		break;
	case LEG_CANCELLING:
		/* The 2xx crossed our CANCEL: the call is not wanted. */
		learn_dialog(l, resp);
		ua_send_ack(l, l->inv_cseq, PL_NULL);
		ua_send_bye(l, NULL);
		break;
	default:
		if (pl_isset(resp->to.tag) && !pl_caseeq(resp->to.tag, leg_remote_tag(l))) {
			reject_fork(l, resp);
		} else if (!l->ack_held) {
			/* A retransmitted 2xx: our ACK was lost. */
			ua_send_ack(l, l->inv_cseq, l->ack_with_body ? leg_local_sdp(l) : PL_NULL);
		}
		break;
	}
}

static void on_final(struct leg *l, const struct sip_msg *resp, const struct sip_rx *rx)
{
	if (l->inv) {
		tsx_release(l->inv); /* the layer ACKs a non-2xx itself */
		l->inv = NULL;
	}
	if (l->state == LEG_CANCELLING) {
		leg_set_state(l, LEG_FAILED);
		return;
	}
	if (l->state != LEG_TRYING && l->state != LEG_RINGING)
		return;
	if ((resp->status == 401 || resp->status == 407) && auth_retry(l, resp)) {
		report_trying(l, rx);
		return;
	}
	if (resp->status < 400 && sip_msg_hdr(resp, SIP_HDR_CONTACT))
		emit_response(l, TANDEM__EVENT_TYPE__REDIRECT, resp, rx);
	else
		emit_response(l, TANDEM__EVENT_TYPE__FAIL, resp, rx);
	leg_set_state(l, LEG_FAILED);
}

void ua_uac_response(struct leg *l, const struct sip_msg *resp, const struct sip_rx *rx)
{
	if (resp->status >= 300) {
		on_final(l, resp, rx);
		return;
	}
	if (resp->status >= 200) {
		on_2xx(l, resp, rx);
		return;
	}
	if (resp->status == 100) {
		report_trying(l, rx);
		return;
	}
	if (l->state != LEG_TRYING && l->state != LEG_RINGING)
		return;
	if (pl_isset(resp->to.tag) && resp->to.tag.l)
		learn_dialog(l, resp);
	else if (resp->body.l)
		leg_var_set(l, LEG_VAR_REMOTE_SDP, resp->body);
	emit_response(l, TANDEM__EVENT_TYPE__RING, resp, rx);
	leg_set_state(l, LEG_RINGING);
}

void ua_uac_timeout(struct leg *l)
{
	if (l->inv) {
		tsx_release(l->inv);
		l->inv = NULL;
	}
	if (l->state == LEG_CANCELLING)
		leg_set_state(l, LEG_FAILED);
	else if (l->state == LEG_TRYING || l->state == LEG_RINGING)
		fail_event(l, 408, "Request Timeout");
}

/* The late-offer answer never came from ccd: end the call cleanly. */
void ua_uac_timer(struct leg *l)
{
	LOGI(leg_call_id(l), "leg %llu: no answer from ccd for the late offer: ending the call",
	     (unsigned long long)l->id);
	l->ack_held = false;
	ua_send_ack(l, l->inv_cseq, PL_NULL);
	ua_send_bye(l, NULL);
	ua_emit_simple(l, TANDEM__EVENT_TYPE__DISCONNECT, 408, "No ACK", 0);
}

/* ---------------------------------------------------------------- events */

void ua_uac_event(struct leg *l, const Tandem__LegEvent *ev)
{
	switch (ev->type) {
	case TANDEM__EVENT_TYPE__DISCONNECT:
	case TANDEM__EVENT_TYPE__FAIL:
	case TANDEM__EVENT_TYPE__REDIRECT:
		if (l->state == LEG_CANCELLING)
			return;
		if (!l->inv) {
			leg_set_state(l, LEG_FAILED);
			return;
		}
		char buf[512];
		struct sip_writer w;
		sip_w_init(&w, buf, sizeof(buf));
		bool reason = ev_write_reason_value(&w, ev->reason_header) && !w.overflow;
		tsx_client_cancel(l->inv, reason ? pl_from(buf, w.len) : PL_NULL);
		leg_set_state(l, LEG_CANCELLING);
		break;
	case TANDEM__EVENT_TYPE__UPDATE:
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
