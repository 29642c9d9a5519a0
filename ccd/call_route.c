/*
 * call_route.c - routing attempts (sippy-behaviour.md §1.5, §3.3, §3.4).
 *
 * A call tries its routes in order: the static route (-s), or the
 * RADIUS reply's h323-ivr-in=Routing: strings. Each attempt is one
 * originate leg with the Call-ID suffix -b2b_N. A failure before the
 * answer that is not a hunt-stop code, or a route's expires/np_expires/
 * nr_expires (or gt group) running out, retires the attempt's leg and
 * places the next route; when none is left the caller gets the failure.
 *
 * Timers: a call has at most one libevent timer, armed at the earliest of
 * its deadlines (attempt limits, group timeout, credit time, Alive
 * accounting), created only for calls that have one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <openssl/evp.h>

#include "call_priv.h"
#include "ccd.h"
#include "aaa_auth.h"
#include "cld_rewrite.h"
#include "log.h"
#include "media.h"
#include "netaddr.h"
#include "nodes.h"
#include "transform.h"

#define NR_EXPIRES_MAX_S 32	/* Sippy: nr_expires only below Timer B */

/* ---------------------------------------------------------------- ext */

struct call_ext *call_ext_get(struct ccd *cd, struct call *c)
{
	if (!c->x) {
		if (!(c->x = calloc(1, sizeof(*c->x))))
			return NULL;
		c->x->call = c;
		c->x->cd = cd;
		c->x->radius_credit_s = -1;
		c->x->credit_s = -1;
	}
	return c->x;
}

void call_ext_free(struct call_ext *x)
{
	if (!x)
		return;
	if (x->timer)
		event_free(x->timer);
	free(x->routes_buf);
	free(x->body);
	free(x->cred);
	free(x->pass);
	free(x->pre_auth);
	free(x->po_a);
	free(x->po_o);
	free(x);
}

static bool route_has_limits(const struct route *r)
{
	return r->credit_time.set || r->expires.set || r->np_expires.set || r->nr_expires.set || r->gt_set;
}

static bool header_wanted(const struct ccd *cd, const char *name)
{
	for (unsigned i = 0; i < cd->cfg.n_pass_headers; i++)
		if (strcasecmp(cd->cfg.pass_headers[i], name) == 0)
			return true;
	return false;
}

/* nat-: Sippy appends a=nated:yes to the caller's SDP (§1.19). */
static const char nated[] = "a=nated:yes\r\n";

/*
 * Keeps what later attempts (and the RADIUS round trip) need of the TRY:
 * the offer (after -F), the caller's credentials, the -h headers. Simple
 * calls keep nothing. Returns 0, -1 (no memory) or -2 (-F left nothing).
 */
int call_keep_try(struct ccd *cd, struct call *c, const Tandem__LegEvent *ev, bool nat)
{
	const Tandem__TryInfo *t = ev->try_;
	const Tandem__Body *body = ev->body;
	bool need = cd->radius || cd->cfg.max_credit_time_s || cd->cfg.n_pass_headers || nat ||
		    cd->cfg.pre_auth_proc == TRANSFORM_HDR2XATTRS || t->credentials ||
		    (cd->static_route_set && route_has_limits(&cd->static_route));
	struct call_ext *x;
	Tandem__LegEvent copy;
	Tandem__Body fbody;
	char *fbuf = NULL;

	if (!need)
		return 0;
	if (!(x = call_ext_get(cd, c)))
		return -1;
	if (call_is_sdp(body) && cd->cfg.allowed_pts_set) {
		const Tandem__LegEvent *f;

		if (!(fbuf = malloc(CALL_BODY_MAX)))
			return -1;
		if (!(f = call_filter_sdp(cd, ev, &copy, &fbody, fbuf, CALL_BODY_MAX))) {
			free(fbuf);
			return -2;
		}
		body = f->body;
	}
	if (body && body->content.len <= CALL_BODY_MAX) {
		size_t extra = nat && call_is_sdp(body) ? sizeof(nated) - 1 : 0;

		if (!(x->body = malloc(body->content.len + extra + 1))) {
			free(fbuf);
			return -1;
		}
		memcpy(x->body, body->content.data, body->content.len);
		if (extra)
			memcpy(x->body + body->content.len, nated, extra);
		x->body_len = body->content.len + extra;
		snprintf(x->body_type, sizeof(x->body_type), "%s", body->content_type ? body->content_type : "");
		x->has_body = true;
	}
	free(fbuf);
	if (t->credentials) {
		size_t n = tandem__credentials__get_packed_size(t->credentials);

		if (!(x->cred = malloc(n)))
			return -1;
		x->cred_len = tandem__credentials__pack(t->credentials, x->cred);
		if (t->credentials->username)
			snprintf(x->user_name, sizeof(x->user_name), "%s", t->credentials->username);
	}
	for (size_t i = 0; i < t->n_headers; i++) {
		const Tandem__Header *h = t->headers[i];
		size_t nl, vl;
		char *p;

		if (h && h->name && h->value && cd->cfg.pre_auth_proc == TRANSFORM_HDR2XATTRS &&
		    strcasecmp(h->name, cd->cfg.pre_auth_header) == 0) {
			struct transform tr = { .kind = TRANSFORM_HDR2XATTRS };

			tr.header = pl_from_str(cd->cfg.pre_auth_header);
			if (!x->pre_auth && !(x->pre_auth = calloc(1, sizeof(*x->pre_auth))))
				return -1;
			if (transform_hdr2xattrs(&tr, pl_from_str(h->value), x->pre_auth, aaa_add) < 0)
				LOGW(call_cid(c), "call %llu: %s: not every pair fits the Access-Request",
				     (unsigned long long)c->serial, cd->cfg.pre_auth_header);
		}
		if (!h || !h->name || !h->value || !header_wanted(cd, h->name))
			continue;
		nl = strlen(h->name) + 1;
		vl = strlen(h->value) + 1;
		if (x->pass_len + nl + vl > CALL_PASS_MAX)
			break;
		if (!(p = realloc(x->pass, x->pass_len + nl + vl)))
			return -1;
		x->pass = p;
		memcpy(p + x->pass_len, h->name, nl);
		memcpy(p + x->pass_len + nl, h->value, vl);
		x->pass_len += nl + vl;
	}
	return 0;
}

const Tandem__Body *call_kept_body(const struct call *c, Tandem__Body *storage)
{
	if (!c->x || !c->x->has_body)
		return NULL;
	tandem__body__init(storage);
	storage->content_type = (char *)c->x->body_type;
	storage->content.data = (uint8_t *)c->x->body;
	storage->content.len = c->x->body_len;
	return storage;
}

/* ---------------------------------------------------------------- routes */

void call_routes_static(struct ccd *cd, struct call *c)
{
	if (c->x) {
		c->x->n_routes = 1;
		c->x->next_route = 0;
		c->x->radius_routes = false;
	}
	(void)cd;
}

/* RADIUS routes name addresses: a host name would need a DNS lookup on
 * the call path, which ccd does not do (Sippy blocks its loop on it). */
static bool numeric(struct netaddr *a, struct pl host, uint16_t port)
{
	return netaddr_from_host(a, host, port);
}

static bool usable(const struct call *c, struct route *r)
{
	struct pl cid = call_cid(c);

	if ((r->credit_time.set && r->credit_time.secs == 0) || (r->expires.set && r->expires.secs == 0)) {
		LOGI(cid, "call %llu: route skipped: credit-time or expires is 0", (unsigned long long)c->serial);
		return false;
	}
	if (r->dest == ROUTE_DEST_WSS_UA) {
		LOGW(cid, "call %llu: wss-ua route skipped: no WSS transport", (unsigned long long)c->serial);
		return false;
	}
	if (r->dest == ROUTE_DEST_HOST && !r->resolved) {
		if (!numeric(&r->addr, r->host, r->port)) {
			LOGW(cid, "call %llu: route to %.*s skipped: RADIUS routes need a numeric address",
			     (unsigned long long)c->serial, PL_FMT(r->host));
			return false;
		}
		r->resolved = true;
	}
	if (r->op_set && !numeric(&r->op_addr, r->op_host, r->op_port)) {
		LOGW(cid, "call %llu: route skipped: outbound proxy %.*s is not a numeric address",
		     (unsigned long long)c->serial, PL_FMT(r->op_host));
		return false;
	}
	return true;
}

bool call_next_route(struct ccd *cd, struct call *c)
{
	struct call_ext *x = c->x;

	if (!x) {
		/* A simple call: the static route, once. */
		if (c->attempt > 0)
			return false;
		c->route = &cd->static_route;
		return true;
	}
	while (x->next_route < x->n_routes) {
		unsigned i = x->next_route++;

		if (!x->radius_routes) {
			c->route = &cd->static_route;
			return true;
		}
		struct route_error err;
		const char *s = x->routes_buf + x->route_off[i];

		if (route_parse(&x->cur, pl_from_str(s), &err) < 0) {
			LOGW(call_cid(c), "call %llu: RADIUS route %u \"%s\" skipped: %s", (unsigned long long)c->serial,
			     i + 1, s, err.reason);
			continue;
		}
		if (!usable(c, &x->cur))
			continue;
		c->route = &x->cur;
		return true;
	}
	return false;
}

/* ---------------------------------------------------------------- originate */

/* "sip:[user@]host[:port]", IPv6 hosts in brackets. */
static void fmt_uri(char *buf, size_t sz, struct pl user, const char *host, unsigned port)
{
	bool v6 = strchr(host, ':') != NULL;
	int n = snprintf(buf, sz, "sip:%.*s%s%s%s%s", PL_FMT(user), user.l ? "@" : "", v6 ? "[" : "", host,
			 v6 ? "]" : "");

	if (port && n > 0 && (size_t)n < sz)
		snprintf(buf + n, sz - (size_t)n, ":%u", port);
}

/* -H: the ingress Call-ID is not revealed downstream (md5 hex). */
static void hidden_call_id(struct pl cid, char out[33])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_Digest(cid.p, cid.l, md, &n, EVP_md5(), NULL);
	for (unsigned i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* The smallest of the route's credit-time, RADIUS h323-credit-time and
 * -m; -1 when none limits the call. (Sippy ignores the RADIUS value: a
 * defect, §1.5.) */
static int32_t effective_credit(const struct ccd *cd, const struct call *c)
{
	int32_t best = -1;
	int32_t v[3] = { c->route->credit_time.set ? c->route->credit_time.secs : -1,
			 c->x ? c->x->radius_credit_s : -1, cd->cfg.max_credit_time_s ? (int32_t)cd->cfg.max_credit_time_s
										: -1 };

	for (int i = 0; i < 3; i++)
		if (v[i] > 0 && (best < 0 || v[i] < best))
			best = v[i];
	return best;
}

#define OUT_HEADERS_MAX (ROUTE_ASH_MAX + 32)

/* Sippy ignores an outbound proxy that is where the call came from: the
 * INVITE would loop straight back. */
static bool op_is_caller(const struct call *c, const struct route *r)
{
	struct netaddr src;

	return netaddr_from_host(&src, call_field(c, F_SOURCE_HOST), c->source_port) && netaddr_eq(&src, &r->op_addr);
}

/* po_proc=VAL2Xattrs[...] (and A/O): extra accounting attributes of this
 * attempt; Nop does nothing. A bad spec is logged and ignored. */
static void run_po_proc(struct call *c, const struct route *r)
{
	struct call_ext *x = c->x;
	struct transform tr;
	char err[160];

	if (transform_parse(&tr, r->po_proc_name, r->po_proc_arg, false, err, sizeof(err)) < 0) {
		LOGW(call_cid(c), "call %llu: po_proc ignored: %s", (unsigned long long)c->serial, err);
		return;
	}
	if (tr.kind == TRANSFORM_NOP || tr.kind == TRANSFORM_NONE)
		return;
	if ((!x->po_a && !(x->po_a = calloc(1, sizeof(*x->po_a)))) ||
	    (!x->po_o && !(x->po_o = calloc(1, sizeof(*x->po_o)))))
		return;
	avlist_init(x->po_o);	/* the originate pairs are the attempt's own */
	if (transform_val2xattrs(&tr, x->po_a, x->po_o, aaa_add) < 0)
		LOGW(call_cid(c), "call %llu: po_proc: not every pair fits the record", (unsigned long long)c->serial);
}

/*
 * One routing attempt: an originate leg on the answer leg's node towards
 * c->route (sippy-behaviour.md §1.20, §3.3). body is the caller's SDP as
 * it goes out (NULL: late offer). Returns -1 when it could not be sent.
 */
int call_place_originate(struct ccd *cd, struct call *c, const Tandem__Body *body)
{
	struct call_layer *cl = cd->calls;
	struct call_ext *x = c->x;
	const struct route *r = c->route;
	struct node *n = c->a.ref.node;
	Tandem__Originate o = TANDEM__ORIGINATE__INIT;
	Tandem__Address target = TANDEM__ADDRESS__INIT;
	Tandem__Message m = TANDEM__MESSAGE__INIT;
	Tandem__Header hdr[OUT_HEADERS_MAX], *hdrp[OUT_HEADERS_MAX];
	Tandem__Credentials *cred = NULL;
	char ash_buf[ROUTE_ASH_MAX][ROUTE_VALUE_MAX + 1];
	char host[NETADDR_STRLEN], thost[NETADDR_STRLEN], from_host[NODE_HOST_MAX + 1];
	char call_id[CALL_ID_MAX + 16], hid[33];
	char ruri[CALL_URI_MAX], from[CALL_URI_MAX], to[CALL_URI_MAX];
	char from_name[ROUTE_VALUE_MAX + 1], to_name[CALL_NAME_MAX + 1];
	char cld_buf[CALL_USER_MAX + 1], cli_buf[CALL_USER_MAX + 1], user[ROUTE_VALUE_MAX + 1], pass[ROUTE_VALUE_MAX + 1];
	struct pl cld = r->cld_set ? r->cld : call_field(c, F_CLD);
	struct pl cli = call_field(c, F_CLI);
	unsigned port, tport, nh = 0;
	uint64_t leg;
	int rc = -1;

	if (c->attempt >= CALL_ROUTES_MAX)
		return -1;
	if (r->dest == ROUTE_DEST_SIP_UA) {
		pl_strcpy(call_field(c, F_SOURCE_HOST), host, sizeof(host));
		port = c->source_port ? c->source_port : ROUTE_DEFAULT_PORT;
	} else if (r->dest == ROUTE_DEST_HOST && r->resolved) {
		netaddr_host_str(&r->addr, host, sizeof(host));
		port = netaddr_port(&r->addr);
	} else {
		LOGE(call_cid(c), "call %llu: route %u has no usable destination", (unsigned long long)c->serial,
		     c->attempt + 1);
		return -1;
	}
	if (!host[0]) {
		LOGW(call_cid(c), "call %llu: sip-ua route but the INVITE's source is unknown",
		     (unsigned long long)c->serial);
		return -1;
	}
	/* op=: requests go to the outbound proxy, the R-URI stays. */
	memcpy(thost, host, sizeof(thost));
	tport = port;
	if (r->op_set && !op_is_caller(c, r)) {
		netaddr_host_str(&r->op_addr, thost, sizeof(thost));
		tport = netaddr_port(&r->op_addr);
	}
	if (cd->cfg.tr_out) {
		int len = cld_rules_apply(cd->cfg.tr_out, cld, cld_buf, sizeof(cld_buf));

		if (len < 0) {
			LOGW(call_cid(c), "call %llu: -T left no valid number for %.*s", (unsigned long long)c->serial,
			     PL_FMT(cld));
			return -1;
		}
		cld = pl_from(cld_buf, (size_t)len);
	}
	if (r->cli_set)
		cli = r->cli;
	else if (x && x->cli_set)
		cli = pl_from_str(x->cli);
	pl_strcpy(cli, cli_buf, sizeof(cli_buf));
	if (n->listen_host[0])
		memcpy(from_host, n->listen_host, sizeof(from_host));
	else if (!pl_strcpy(call_field(c, F_LOCAL_HOST), from_host, sizeof(from_host)) || !from_host[0])
		memcpy(from_host, host, sizeof(host));
	if (r->cnam_set) {
		if (route_unquote(r->cnam, from_name, sizeof(from_name)) < 0)
			from_name[0] = '\0';
	} else if (x && x->cnam_set) {
		snprintf(from_name, sizeof(from_name), "%s", x->cnam);
	} else {
		pl_strcpy(call_field(c, F_CALLER_NAME), from_name, sizeof(from_name));
	}
	/* The caller's To display name goes on only with the number it
	 * named: after a rewrite it would show the number before it. */
	if (r->cld_set || cd->cfg.tr_in || cd->cfg.tr_out)
		to_name[0] = '\0';
	else
		pl_strcpy(call_field(c, F_CALLEE_NAME), to_name, sizeof(to_name));

	fmt_uri(ruri, sizeof(ruri), cld, host, port);
	fmt_uri(from, sizeof(from), cli, from_host, 0);
	fmt_uri(to, sizeof(to), cld, host, 0);
	if (cd->cfg.hide_call_id) {
		hidden_call_id(call_cid(c), hid);
		snprintf(call_id, sizeof(call_id), "%s-b2b_%u", hid, c->attempt + 1);
	} else {
		snprintf(call_id, sizeof(call_id), "%.*s-b2b_%u", PL_FMT(call_cid(c)), c->attempt + 1);
	}

	/* Extra headers: the -h headers of the INVITE, then the route's ash=. */
	for (size_t off = 0; x && x->pass && off < x->pass_len && nh < OUT_HEADERS_MAX;) {
		const char *name = x->pass + off, *value = name + strlen(name) + 1;

		tandem__header__init(&hdr[nh]);
		hdr[nh].name = (char *)name;
		hdr[nh].value = (char *)value;
		hdrp[nh] = &hdr[nh];
		nh++;
		off = (size_t)(value + strlen(value) + 1 - x->pass);
	}
	for (size_t i = 0; i < r->n_ash && nh < OUT_HEADERS_MAX; i++) {
		struct pl hn, hv;

		if (route_extra_header(r, i, ash_buf[i], sizeof(ash_buf[i]), &hn, &hv) < 0)
			continue;
		((char *)hn.p)[hn.l] = '\0';	/* slices of ash_buf[i]: name ends at ':' */
		((char *)hv.p)[hv.l] = '\0';
		tandem__header__init(&hdr[nh]);
		hdr[nh].name = (char *)hn.p;
		hdr[nh].value = (char *)hv.p;
		hdrp[nh] = &hdr[nh];
		nh++;
	}

	/* Authentication towards the callee. */
	if (r->auth == ROUTE_AUTH_CREDENTIALS) {
		pl_strcpy(r->auth_user, user, sizeof(user));
		pl_strcpy(r->auth_pass, pass, sizeof(pass));
		o.auth_username = user;
		o.auth_password = pass;
	} else if (r->auth == ROUTE_AUTH_PASS_THROUGH && x && x->cred) {
		cred = tandem__credentials__unpack(NULL, x->cred_len, x->cred);
		o.pass_credentials = cred;
	}

	do
		leg = LEG_ORIGINATE_BIT | (cl->next_leg++ & ~LEG_ORIGINATE_BIT);
	while (leg == LEG_ORIGINATE_BIT || legref_find(&cl->legs, n, leg));

	target.transport = TANDEM__TRANSPORT__UDP;
	target.host = thost;
	target.port = tport;
	o.leg = leg;
	o.call_id = call_id;
	o.request_uri = ruri;
	o.from_uri = from;
	o.from_name = from_name;
	o.to_uri = to;
	o.to_name = to_name;
	o.target = &target;
	o.body = (Tandem__Body *)body;
	o.max_forwards = c->max_forwards;
	o.answer_leg = c->a.ref.id;
	o.extra_headers = hdrp;
	o.n_extra_headers = nh;
	o.report_trying = r->nr_expires.set && r->nr_expires.secs > 0;
	o.outbound_proxy = r->op_set && !op_is_caller(c, r);
	m.body_case = TANDEM__MESSAGE__BODY_ORIGINATE;
	m.originate = &o;
	if (nodes_send(cd, n, &m) < 0)
		goto out;
	c->attempt++;
	cd->stats.attempts_by_route[c->attempt]++;
	c->o.open = true;
	c->o_told = false;
	legref_attach(&cl->legs, &c->o.ref, n, leg);
	LOGD(call_cid(c), "call %llu: attempt %u: originate leg %s/%016llx to %s, %s", (unsigned long long)c->serial,
	     c->attempt, n->id, (unsigned long long)leg, ruri, call_id);

	if (x) {
		int64_t now = ccd_now_ms();
		const struct route_limit *e = &r->expires, *np = &r->np_expires, *nr = &r->nr_expires;
		int32_t exp = e->set && e->secs > 0 ? e->secs : -1;
		int32_t nps = np->set && np->secs > 0 && (exp < 0 || np->secs < exp) ? np->secs : -1;

		x->t_exp = exp > 0 ? now + exp * 1000LL : 0;
		x->t_np = nps > 0 ? now + nps * 1000LL : 0;
		x->t_nr = nr->set && nr->secs > 0 && nr->secs < NR_EXPIRES_MAX_S && (nps < 0 || nr->secs < nps) &&
					  (exp < 0 || nr->secs < exp)
				  ? now + nr->secs * 1000LL
				  : 0;
		if (r->gt_set && r->gt_timeout > 0) {
			x->t_group = now + r->gt_timeout * 1000LL;
			/* "skip ahead gt_skip routes": past the ones after this. */
			x->group_next = (uint8_t)(x->next_route + r->gt_skip);
		} else {
			x->t_group = 0;
		}
		x->last_ring = 0;
		x->credit_s = effective_credit(cd, c);
		if (r->po_proc_set)
			run_po_proc(c, r);
		call_acct_originate_begin(cd, c, cli_buf, cld, host);
		call_timer_arm(cd, c);
	}
	rc = 0;
out:
	if (cred)
		tandem__credentials__free_unpacked(cred, NULL);
	return rc;
}

/* ---------------------------------------------------------------- hunting */

static bool hunt_stop(const struct route *r, unsigned code)
{
	for (size_t i = 0; i < r->n_hs_scodes; i++)
		if (r->hs_scodes[i] == code)
			return true;
	return false;
}

/* The attempt's leg is finished with: its accounting ends, and whatever it
 * still reports (LegClosed, a 200 that crossed our CANCEL) finds no call. */
static void retire_attempt(struct ccd *cd, struct call *c, unsigned code, Tandem__Origin origin)
{
	call_acct_end(cd, c, &c->x->acct_o, code, origin);
	legref_detach(&cd->calls->legs, &c->o.ref);
	c->o.open = false;
	c->x->t_nr = c->x->t_np = c->x->t_exp = c->x->t_group = 0;
}

bool call_hunt(struct ccd *cd, struct call *c, const Tandem__LegEvent *ev)
{
	struct call_ext *x = c->x;
	bool from_callee = ev->origin == TANDEM__ORIGIN__CALLEE || ev->origin == TANDEM__ORIGIN__ORIGIN_UNSPECIFIED;
	unsigned code = ev->code ? ev->code : 500;

	if (!x || c->state != CALL_AR_COMPLETE || ev->type == TANDEM__EVENT_TYPE__REDIRECT || !c->a.open)
		return false;
	if (from_callee && ev->type == TANDEM__EVENT_TYPE__FAIL && hunt_stop(c->route, code)) {
		LOGI(call_cid(c), "call %llu: %u is a hunt-stop code of route %u", (unsigned long long)c->serial, code,
		     c->attempt);
		return false;
	}
	if (x->next_route >= x->n_routes || c->attempt >= CALL_ROUTES_MAX)
		return false;
	retire_attempt(cd, c, ev->type == TANDEM__EVENT_TYPE__FAIL ? code : x->last_ring, ev->origin);
	if (c->media)
		media_note(c->media, MEDIA_CALLEE, MEDIA_MSG_REJECT);
	if (!call_next_route(cd, c)) {
		call_timer_arm(cd, c);
		return false;
	}
	LOGI(call_cid(c), "call %llu: attempt %u failed (%u): trying route %u", (unsigned long long)c->serial,
	     c->attempt, code, x->next_route);
	call_media_reoffer(cd, c);
	return true;
}

void call_attempt_progress(struct ccd *cd, struct call *c, unsigned code)
{
	struct call_ext *x = c->x;

	if (!x)
		return;
	x->t_nr = 0;
	if (code > 100) {
		x->t_np = 0;
		x->last_ring = code;
	}
	call_timer_arm(cd, c);
}

static void send_keepalive(struct ccd *cd, struct call_leg *l, unsigned secs)
{
	Tandem__LegOptions lo = TANDEM__LEG_OPTIONS__INIT;
	Tandem__Message m = TANDEM__MESSAGE__INIT;

	if (!secs || !l->open)
		return;
	lo.leg = l->ref.id;
	lo.keepalive_ms = secs * 1000;
	m.body_case = TANDEM__MESSAGE__BODY_LEG_OPTIONS;
	m.leg_options = &lo;
	nodes_send(cd, l->ref.node, &m);
}

/* The callee answered: attempt limits end, credit time starts, both
 * legs' accounting connects, the chosen legs get keep-alives. */
void call_connected(struct ccd *cd, struct call *c)
{
	struct call_ext *x = c->x;

	send_keepalive(cd, &c->a, cd->cfg.keepalive_ans_s);
	send_keepalive(cd, &c->o, cd->cfg.keepalive_orig_s);
	if (!x)
		return;
	x->t_nr = x->t_np = x->t_exp = x->t_group = 0;
	if (x->credit_s > 0) {
		x->t_credit = ccd_now_ms() + x->credit_s * 1000LL;
		LOGD(call_cid(c), "call %llu: credit time %d s", (unsigned long long)c->serial, x->credit_s);
	}
	call_acct_connect(cd, c, &x->acct_a);
	call_acct_connect(cd, c, &x->acct_o);
	if (cd->cfg.alive_acct_s && call_acct_on(cd))
		x->t_alive = ccd_now_ms() + cd->cfg.alive_acct_s * 1000LL;
	call_timer_arm(cd, c);
}

/* ---------------------------------------------------------------- timers */

static void attempt_expired(struct ccd *cd, struct call *c, const char *which, bool group)
{
	Tandem__LegEvent fail = TANDEM__LEG_EVENT__INIT;
	char why[64];

	LOGI(call_cid(c), "call %llu: attempt %u: %s ran out", (unsigned long long)c->serial, c->attempt, which);
	if (c->o.open)
		call_send_disconnect(cd, c, &c->o, TANDEM__ORIGIN__SWITCH);
	if (group && c->x->group_next > c->x->next_route)
		c->x->next_route = c->x->group_next;
	fail.leg = c->o.ref.id;
	fail.type = TANDEM__EVENT_TYPE__FAIL;
	fail.code = 408;
	fail.origin = TANDEM__ORIGIN__SWITCH;
	if (call_hunt(cd, c, &fail))
		return;
	snprintf(why, sizeof(why), "No answer within the route's %s", which);
	call_reject(cd, c, 408, "Request Timeout", why);
}

static void on_call_timer(evutil_socket_t fd, short what, void *arg)
{
	struct call *c = arg;
	struct call_ext *x = c->x;
	struct ccd *cd = x->cd;
	int64_t now = ccd_now_ms();

	(void)fd;
	(void)what;
	if (c->state >= CALL_DISCONNECTING)
		return;
	if (x->t_credit && x->t_credit <= now) {
		x->t_credit = 0;
		LOGI(call_cid(c), "call %llu: credit time of %d s used up", (unsigned long long)c->serial, x->credit_s);
		call_end(cd, c, TANDEM__ORIGIN__SWITCH);
		return;
	}
	if (x->t_alive && x->t_alive <= now) {
		x->t_alive = now + cd->cfg.alive_acct_s * 1000LL;
		call_acct_alive(cd, c);
	}
	if (c->state == CALL_AR_COMPLETE) {
		if (x->t_nr && x->t_nr <= now) {
			attempt_expired(cd, c, "nr_expires", false);
			return;
		}
		if (x->t_np && x->t_np <= now) {
			attempt_expired(cd, c, "np_expires", false);
			return;
		}
		if (x->t_exp && x->t_exp <= now) {
			attempt_expired(cd, c, "expires", false);
			return;
		}
		if (x->t_group && x->t_group <= now) {
			attempt_expired(cd, c, "group timeout", true);
			return;
		}
	}
	call_timer_arm(cd, c);
}

void call_timer_arm(struct ccd *cd, struct call *c)
{
	struct call_ext *x = c->x;
	int64_t t[] = { x->t_nr, x->t_np, x->t_exp, x->t_group, x->t_credit, x->t_alive };
	int64_t next = 0, left;
	struct timeval tv;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i] && (!next || t[i] < next))
			next = t[i];
	if (!next || c->state >= CALL_DISCONNECTING) {
		if (x->timer)
			evtimer_del(x->timer);
		return;
	}
	if (!x->timer && !(x->timer = evtimer_new(cd->base, on_call_timer, c))) {
		LOGE(call_cid(c), "call %llu: no memory for a timer", (unsigned long long)c->serial);
		return;
	}
	left = next - ccd_now_ms();
	if (left < 0)
		left = 0;
	tv.tv_sec = left / 1000;
	tv.tv_usec = (left % 1000) * 1000;
	evtimer_add(x->timer, &tv);
}
