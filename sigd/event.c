/*
 * event.c - SIP <-> LegEvent mapping helpers (event.h).
 */
#include "event.h"

#include <arpa/inet.h>
#include <string.h>

#include "digest.h"
#include "sip_addr.h"
#include "sip_char.h"
#include "sip_param.h"
#include "sip_uri.h"
#include "sip_write.h"
#include "tsx.h"

void ev_begin(struct ev_out *o, uint64_t leg, Tandem__EventType type, Tandem__Origin origin,
	      int64_t time_us)
{
	tandem__message__init(&o->msg);
	tandem__leg_event__init(&o->ev);
	o->msg.body_case = TANDEM__MESSAGE__BODY_EVENT;
	o->msg.event = &o->ev;
	o->ev.leg = leg;
	o->ev.type = type;
	o->ev.origin = origin;
	o->ev.time_us = time_us;
	o->used = 0;
	o->truncated = false;
}

char *ev_str(struct ev_out *o, struct pl s)
{
	char *d;

	if (s.l >= sizeof(o->buf) - o->used) {
		o->truncated = true;
		return NULL;
	}
	d = o->buf + o->used;
	if (s.l)
		memcpy(d, s.p, s.l);
	d[s.l] = '\0';
	o->used += s.l + 1;
	return d;
}

/* The unused rest of the scratch area, for writers that produce text. */
static char *scratch_tail(struct ev_out *o, size_t *cap)
{
	*cap = sizeof(o->buf) - o->used;
	return o->buf + o->used;
}

void ev_set_body(struct ev_out *o, struct pl content_type, struct pl content)
{
	tandem__body__init(&o->body);
	o->body.content_type = ev_str(o, content_type.l ? content_type : PL("application/sdp"));
	o->body.content.data = (uint8_t *)(uintptr_t)content.p;
	o->body.content.len = content.l;
	o->ev.body = &o->body;
}

void ev_body_from_msg(struct ev_out *o, const struct sip_msg *m)
{
	const struct sip_hdr *ct = sip_msg_hdr(m, SIP_HDR_CONTENT_TYPE);

	if (m->body.l == 0)
		return;
	ev_set_body(o, ct ? ct->value : PL_NULL, m->body);
}

static bool is_token(struct pl s)
{
	return s.l && sip_all(s, SIP_C_TOKEN);
}

bool ev_reason_parse(struct pl value, struct pl *protocol, uint32_t *cause, struct pl *text)
{
	const char *semi = pl_chr(value, ';');
	struct pl params = semi ? pl_after(value, semi) : PL("");
	struct pl v;

	*protocol = pl_trim(semi ? pl_until(value, semi) : value);
	*cause = 0;
	*text = PL_NULL;
	if (!is_token(*protocol) || !sip_params_valid(params))
		return false;
	if (sip_param_get(params, "cause", &v, NULL) && !pl_u32(v, 0xffffffu, cause))
		return false;
	if (sip_param_get(params, "text", &v, NULL))
		*text = v;
	return true;
}

void ev_reason_from_msg(struct ev_out *o, const struct sip_msg *m)
{
	const struct sip_hdr *h = sip_msg_hdr(m, SIP_HDR_REASON);
	struct pl proto, text;
	uint32_t cause;

	if (!h || !ev_reason_parse(h->value, &proto, &cause, &text))
		return;
	tandem__reason__init(&o->reason);
	o->reason.protocol = ev_str(o, proto);
	o->reason.cause = cause;
	if (text.l && text.p[0] == '"') {
		size_t cap;
		char *d = scratch_tail(o, &cap);
		ssize_t n = sip_quoted_unescape(text, d, cap);

		if (n >= 0) {
			o->reason.text = d;
			o->used += (size_t)n + 1;
		}
	} else if (text.l) {
		o->reason.text = ev_str(o, text);
	}
	o->ev.reason_header = &o->reason;
}

/* Every value of one header (up to EV_MAX_LIST) as C strings. */
static size_t collect(struct ev_out *o, const struct sip_msg *m, enum sip_hdr_id id, char **out)
{
	size_t n = 0;

	for (const struct sip_hdr *h = sip_msg_hdr(m, id); h && n < EV_MAX_LIST;
	     h = sip_msg_hdr_next(m, h)) {
		char *s = ev_str(o, h->value);
		if (s)
			out[n++] = s;
	}
	return n;
}

void ev_from_response(struct ev_out *o, const struct sip_msg *resp)
{
	const struct sip_hdr *h;

	o->ev.code = resp->status;
	o->ev.reason = ev_str(o, resp->reason);
	ev_body_from_msg(o, resp);
	ev_reason_from_msg(o, resp);
	if ((h = sip_msg_hdr(resp, SIP_HDR_WARNING)))
		o->ev.warning = ev_str(o, h->value);
	if (resp->status == 401 || resp->status == 407) {
		o->ev.challenges = o->challenges;
		o->ev.n_challenges = collect(o, resp,
					     resp->status == 401 ? SIP_HDR_WWW_AUTHENTICATE
								 : SIP_HDR_PROXY_AUTHENTICATE,
					     o->challenges);
	}
	if (resp->status >= 300 && resp->status < 400) {
		size_t n = 0;

		for (h = sip_msg_hdr(resp, SIP_HDR_CONTACT); h && n < EV_MAX_LIST;
		     h = sip_msg_hdr_next(resp, h)) {
			struct sip_addr a;
			char *s;

			if (sip_addr_parse(h->value, &a) == 0 && (s = ev_str(o, a.uri_pl)))
				o->contacts[n++] = s;
		}
		o->ev.contacts = o->contacts;
		o->ev.n_contacts = n;
	}
}

void ev_address(struct ev_out *o, Tandem__Address *a, const struct netaddr *n)
{
	char host[NETADDR_STRLEN];

	tandem__address__init(a);
	a->transport = TANDEM__TRANSPORT__UDP;
	a->host = ev_str(o, pl_from_str(netaddr_host_str(n, host, sizeof(host))));
	a->port = netaddr_port(n);
}

bool ev_address_to_netaddr(const Tandem__Address *a, struct netaddr *n)
{
	if (!a || !a->host || !a->host[0] || a->port > 65535)
		return false;
	if (a->transport != TANDEM__TRANSPORT__TRANSPORT_UNSPECIFIED &&
	    a->transport != TANDEM__TRANSPORT__UDP)
		return false;
	return netaddr_from_host(n, pl_from_str(a->host), a->port ? (uint16_t)a->port : 5060);
}

/* A display name without its quotes and escapes. */
static char *display(struct ev_out *o, const struct sip_addr *a)
{
	if (a->display_quoted) {
		size_t cap;
		char *d = scratch_tail(o, &cap);
		ssize_t n = sip_quoted_unescape(a->display, d, cap);

		if (n < 0)
			return NULL;
		o->used += (size_t)n + 1;
		return d;
	}
	return ev_str(o, a->display);
}

/* A digest parameter value as plain text. */
static char *dval(struct ev_out *o, struct digest_value v)
{
	size_t cap;
	char *d;
	int n;

	if (!digest_isset(v))
		return NULL;
	if (!v.escaped)
		return ev_str(o, v.s);
	d = scratch_tail(o, &cap);
	n = digest_unescape(v.s, d, cap);
	if (n < 0) {
		o->truncated = true;
		return NULL;
	}
	o->used += (size_t)n + 1;
	return d;
}

/*
 * A nonce stamped up to nonce_skew seconds after now is still valid: with
 * a secret shared by the nodes (Welcome.nonce_secret) the node that made
 * it may have a clock slightly ahead of ours. Checking again as if it were
 * later changes nothing for old nonces (they only get older) and so never
 * stretches the lifetime.
 */
static enum digest_nonce_status nonce_check(const struct ev_try_ctx *ctx, struct pl realm,
					    struct pl nonce)
{
	enum digest_nonce_status st = digest_nonce_check(ctx->nonce_secret, ctx->nonce_secret_len,
							 realm, nonce, ctx->now, ctx->nonce_lifetime);

	if (st == DIGEST_NONCE_STALE && ctx->nonce_skew &&
	    digest_nonce_check(ctx->nonce_secret, ctx->nonce_secret_len, realm, nonce,
			       ctx->now + (time_t)ctx->nonce_skew, ctx->nonce_lifetime) == DIGEST_NONCE_OK)
		return DIGEST_NONCE_OK;
	return st;
}

static void try_credentials(struct ev_out *o, const struct sip_msg *req,
			    const struct ev_try_ctx *ctx)
{
	const struct sip_hdr *h = sip_msg_hdr(req, SIP_HDR_AUTHORIZATION);
	struct digest_credentials cr;
	Tandem__Credentials *c = &o->cred;
	bool proxy = false;

	if (!h) {
		h = sip_msg_hdr(req, SIP_HDR_PROXY_AUTHORIZATION);
		proxy = true;
	}
	if (!h || digest_parse_credentials(h->value, &cr) != NULL)
		return;
	tandem__credentials__init(c);
	c->proxy = proxy;
	c->username = dval(o, digest_isset(cr.username) ? cr.username : cr.username_ext);
	c->realm = dval(o, cr.realm);
	c->nonce = dval(o, cr.nonce);
	c->uri = dval(o, cr.uri);
	c->response = dval(o, cr.response);
	c->algorithm = dval(o, cr.algo_raw);
	c->cnonce = dval(o, cr.cnonce);
	c->opaque = dval(o, cr.opaque);
	c->qop = dval(o, cr.qop_raw);
	c->nc = dval(o, cr.nc_raw);
	c->method = ev_str(o, req->method);
	if (ctx->nonce_secret && c->realm && c->nonce) {
		switch (nonce_check(ctx, pl_from_str(c->realm), pl_from_str(c->nonce))) {
		case DIGEST_NONCE_OK:
			c->nonce_state = TANDEM__NONCE_STATE__NONCE_VALID;
			break;
		case DIGEST_NONCE_STALE:
			c->nonce_state = TANDEM__NONCE_STATE__NONCE_STALE;
			break;
		default:
			c->nonce_state = TANDEM__NONCE_STATE__NONCE_FOREIGN;
			break;
		}
	}
	o->try_.credentials = c;
}

static void try_headers(struct ev_out *o, const struct sip_msg *req, const struct ev_try_ctx *ctx)
{
	size_t n = 0;

	for (size_t i = 0; i < ctx->n_forward_headers; i++) {
		const struct sip_hdr *h = sip_msg_hdr_by_str(req, ctx->forward_headers[i]);

		for (; h; h = sip_msg_hdr_next(req, h)) {
			if (n == EV_MAX_HEADERS) {
				o->truncated = true;
				goto done;
			}
			tandem__header__init(&o->hdr[n]);
			o->hdr[n].name = ev_str(o, h->name);
			o->hdr[n].value = ev_str(o, h->value);
			o->hdrp[n] = &o->hdr[n];
			n++;
		}
	}
done:
	o->try_.headers = o->hdrp;
	o->try_.n_headers = n;
}

void ev_try(struct ev_out *o, const struct sip_msg *req, const struct sip_rx *rx,
	    const struct ev_try_ctx *ctx)
{
	Tandem__TryInfo *t = &o->try_;

	tandem__try_info__init(t);
	t->call_id = ev_str(o, req->call_id);
	t->cli = ev_str(o, pl_isset(req->from.uri.user) ? req->from.uri.user : PL(""));
	t->cld = ev_str(o, pl_isset(req->ruri.user) ? req->ruri.user : PL(""));
	t->caller_name = display(o, &req->from);
	t->callee_name = display(o, &req->to);
	t->request_uri = ev_str(o, req->ruri_pl);
	t->from_uri = ev_str(o, req->from.uri_pl);
	t->to_uri = ev_str(o, req->to.uri_pl);
	ev_address(o, &o->src, &rx->src);
	t->source = &o->src;
	tandem__address__init(&o->local);
	o->local.transport = TANDEM__TRANSPORT__UDP;
	struct pl host = ctx->local_host;
	if (host.l >= 2 && host.p[0] == '[' && host.p[host.l - 1] == ']')
		host = pl_from(host.p + 1, host.l - 2);
	o->local.host = ev_str(o, host);
	o->local.port = ctx->local_port;
	t->local = &o->local;
	t->max_forwards = req->has_max_forwards ? (req->max_forwards ? req->max_forwards - 1u : 0)
						: 69;
	try_headers(o, req, ctx);
	try_credentials(o, req, ctx);
	o->ev.try_ = t;
}

/* ------------------------------------------------ ccd's events -> SIP */

bool ev_body(const Tandem__Body *b, struct pl *content_type, struct pl *content)
{
	struct sip_ctype ct;

	if (!b || b->content.len == 0 || !b->content.data)
		return false;
	*content = pl_from((const char *)b->content.data, b->content.len);
	*content_type = PL("application/sdp");
	if (b->content_type && b->content_type[0] &&
	    sip_ctype_parse(pl_from_str(b->content_type), &ct) == 0 &&
	    !pl_chr(pl_from_str(b->content_type), '\r') && !pl_chr(pl_from_str(b->content_type), '\n'))
		*content_type = pl_from_str(b->content_type);
	return true;
}

/* The protocol to write, or an empty slice when r is not usable. */
static struct pl reason_protocol(const Tandem__Reason *r)
{
	struct pl proto;

	if (!r)
		return PL("");
	proto = pl_from_str(r->protocol);
	if (proto.l == 0)
		proto = PL("SIP");
	return is_token(proto) ? proto : PL("");
}

bool ev_write_reason_value(struct sip_writer *w, const Tandem__Reason *r)
{
	struct pl proto = reason_protocol(r);

	if (proto.l == 0)
		return false;
	sip_w_pl(w, proto);
	if (r->cause) {
		sip_w_pl(w, PL(";cause="));
		sip_w_u32(w, r->cause);
	}
	if (r->text && r->text[0]) {
		sip_w_pl(w, PL(";text="));
		sip_w_quoted(w, pl_from_str(r->text));
	}
	return true;
}

void ev_write_reason(struct sip_writer *w, const Tandem__Reason *r)
{
	if (reason_protocol(r).l == 0)
		return;
	sip_w_header_begin(w, PL("Reason"));
	ev_write_reason_value(w, r);
	sip_w_header_end(w);
}

bool ev_header_name_ok(const char *name)
{
	struct pl n = pl_from_str(name);

	if (!is_token(n) || n.l > 64)
		return false;
	switch (sip_hdr_lookup(n)) {
	case SIP_HDR_VIA:
	case SIP_HDR_FROM:
	case SIP_HDR_TO:
	case SIP_HDR_CALL_ID:
	case SIP_HDR_CSEQ:
	case SIP_HDR_CONTACT:
	case SIP_HDR_ROUTE:
	case SIP_HDR_RECORD_ROUTE:
	case SIP_HDR_MAX_FORWARDS:
	case SIP_HDR_CONTENT_LENGTH:
	case SIP_HDR_CONTENT_TYPE:
		return false;
	default:
		return true;
	}
}

unsigned ev_write_extra(struct sip_writer *w, Tandem__Header *const *h, size_t n)
{
	unsigned refused = 0;

	for (size_t i = 0; i < n; i++) {
		if (!h[i] || !h[i]->name || !ev_header_name_ok(h[i]->name)) {
			refused++;
			continue;
		}
		sip_w_header(w, pl_from_str(h[i]->name), pl_from_str(h[i]->value));
	}
	return refused;
}

const char *ev_check(const Tandem__LegEvent *ev)
{
	if (ev->leg == 0)
		return "no leg id";
	if (ev->type <= TANDEM__EVENT_TYPE__TRY || ev->type > TANDEM__EVENT_TYPE__REDIRECT)
		return "bad event type";
	if (ev->code > 699 || (ev->code && ev->code < 100))
		return "bad code";
	if (ev->n_extra_headers > EV_MAX_HEADERS)
		return "too many extra headers";
	if (ev->n_contacts > EV_MAX_LIST)
		return "too many contacts";
	if (ev->n_challenges > EV_MAX_LIST)
		return "too many challenges";
	if (ev->body && ev->body->content.len > SIP_MAX_MESSAGE)
		return "body too large";
	if (ev->challenge && ev->challenge->n_algorithms > EV_MAX_LIST)
		return "too many algorithms";
	return NULL;
}

/* Call-ID = word [ "@" word ], of sane length. */
static bool call_id_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 255)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!sip_char_is(s[i], SIP_C_WORD) && s[i] != '@')
			return false;
	return true;
}

static bool uri_ok(const char *s, bool sip_only)
{
	struct sip_uri u;

	if (!s || !s[0] || strlen(s) > 1024 || sip_uri_parse(pl_from_str(s), &u) < 0)
		return false;
	if (u.scheme == SIP_URI_SIP || u.scheme == SIP_URI_SIPS)
		return true;
	return !sip_only && u.scheme == SIP_URI_TEL;
}

const char *ev_check_originate(const Tandem__Originate *o)
{
	struct netaddr n;

	if (!(o->leg & (1ULL << 63)))
		return "leg id without bit 63";
	if (!call_id_ok(o->call_id))
		return "bad call_id";
	if (!uri_ok(o->request_uri, true))
		return "bad request_uri";
	if (!uri_ok(o->from_uri, false))
		return "bad from_uri";
	if (!uri_ok(o->to_uri, false))
		return "bad to_uri";
	if (!ev_address_to_netaddr(o->target, &n))
		return "bad target";
	if (o->max_forwards > 255)
		return "bad max_forwards";
	if (o->n_extra_headers > EV_MAX_HEADERS)
		return "too many extra headers";
	if (o->body && o->body->content.len > SIP_MAX_MESSAGE / 2)
		return "body too large";
	if ((o->from_name && strlen(o->from_name) > 256) || (o->to_name && strlen(o->to_name) > 256))
		return "display name too long";
	if ((o->auth_username && strlen(o->auth_username) > 256) ||
	    (o->auth_password && strlen(o->auth_password) > 256))
		return "credentials too long";
	return NULL;
}

const char *ev_type_name(Tandem__EventType t)
{
	static const char *const names[] = {
		"UNSPECIFIED", "TRY", "RING", "PRE_CONNECT", "CONNECT",
		"UPDATE", "INFO", "DISCONNECT", "FAIL", "REDIRECT",
	};

	return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}
