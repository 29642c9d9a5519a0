/*
 * call_aaa.c - RADIUS for a call (sippy-behaviour.md §2, §3.2): the
 * Access-Request while the call waits in WaitRoute, what the reply says
 * (routes, CLI, CNAM, credit time), digest challenges, and the Cisco
 * accounting records of the answer leg (once per call) and of each
 * originate attempt.
 *
 * The request goes to the RADIUS workers (radius.h) and the loop goes on;
 * a caller who hangs up meanwhile cancels it. Calls rejected by RADIUS or
 * challenged get no accounting record (as Sippy).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aaa_acct.h"
#include "aaa_auth.h"
#include "call_priv.h"
#include "ccd.h"
#include "log.h"
#include "nodes.h"
#include "radius.h"

bool call_acct_on(const struct ccd *cd)
{
	return cd->radius && cd->cfg.acct_level > 0;
}

/* ---------------------------------------------------------------- challenge */

/* 401 with our digest challenge (realm: the Request-URI's host); sigd
 * makes the stateless nonce and checks it when the INVITE comes back. */
static void challenge(struct ccd *cd, struct call *c, bool stale)
{
	Tandem__LegEvent ev = TANDEM__LEG_EVENT__INIT;
	Tandem__ChallengeRequest ch = TANDEM__CHALLENGE_REQUEST__INIT;
	char realm[NETADDR_STRLEN + 256];

	pl_strcpy(call_field(c, F_REALM), realm, sizeof(realm));
	if (!realm[0])
		pl_strcpy(call_field(c, F_LOCAL_HOST), realm, sizeof(realm));
	ch.realm = realm;
	ch.stale = stale;
	ev.leg = c->a.ref.id;
	ev.type = TANDEM__EVENT_TYPE__FAIL;
	ev.code = 401;
	ev.reason = (char *)"Unauthorized";
	ev.origin = TANDEM__ORIGIN__SWITCH;
	ev.challenge = &ch;
	LOGI(call_cid(c), "call %llu: challenged%s (realm %s)", (unsigned long long)c->serial, stale ? ", stale nonce" : "",
	     realm);
	call_send_event(cd, c->a.ref.node, &ev);
	call_set_final(cd, c, 401);
	call_start_ending(cd, c, TANDEM__ORIGIN__SWITCH);
}

/* ---------------------------------------------------------------- accounting */

static enum aaa_release release_of(uint8_t origin)
{
	switch (origin) {
	case TANDEM__ORIGIN__CALLER:
		return AAA_RELEASE_CALLER;
	case TANDEM__ORIGIN__CALLEE:
		return AAA_RELEASE_CALLEE;
	case TANDEM__ORIGIN__MEDIA_TIMEOUT:
		return AAA_RELEASE_MEDIA_TIMEOUT;
	default:
		return AAA_RELEASE_SWITCH;
	}
}

static void send_record(struct ccd *cd, struct call *c, const struct call_acct *a, enum aaa_acct_status st)
{
	struct call_ext *x = c->x;
	bool answer = a == &x->acct_a;
	struct avlist rec;
	struct aaa_acct_leg leg = { 0 };
	char cid[CALL_ID_MAX + 1], calling[CALL_USER_MAX + 1], called[CALL_USER_MAX + 1];
	char remote[NETADDR_STRLEN];

	pl_strcpy(call_cid(c), cid, sizeof(cid));
	leg.origin = answer ? AAA_ACCT_ANSWER : AAA_ACCT_ORIGINATE;
	leg.call_id = cid;
	if (answer) {
		pl_strcpy(call_field(c, F_CLI), calling, sizeof(calling));
		pl_strcpy(call_field(c, F_CLD), called, sizeof(called));
		pl_strcpy(call_field(c, F_SOURCE_HOST), remote, sizeof(remote));
		leg.user_name = x->user_name;
		leg.calling = calling;
		leg.called = called;
		leg.remote_address = remote;
		leg.extra = x->po_a;
	} else {
		leg.user_name = x->o_user;
		leg.calling = x->o_calling;
		leg.called = x->o_called;
		leg.remote_address = x->o_host;
		leg.extra = x->po_o;
	}
	leg.setup_us = a->setup_us;
	leg.connect_us = a->connect_us;
	leg.disconnect_us = a->end_us;
	leg.sip_code = a->code;
	leg.release = release_of(a->origin);
	leg.precise = cd->cfg.precise_acct;
	if (aaa_acct_record(&rec, &leg, st, call_wall_us()) < 0) {
		LOGE(call_cid(c), "call %llu: the %s accounting record cannot be built", (unsigned long long)c->serial,
		     answer ? "answer" : "originate");
		return;
	}
	if (radius_acct(cd->radius, &rec) < 0)
		LOGE(call_cid(c), "call %llu: the %s accounting record was lost: the spool refused it",
		     (unsigned long long)c->serial, answer ? "answer" : "originate");
}

static void answer_begin(struct ccd *cd, struct call *c)
{
	struct call_ext *x = c->x;

	if (!call_acct_on(cd) || !x)
		return;
	x->acct_a.on = true;
	x->acct_a.setup_us = call_wall_us() - (call_mono_us() - c->try_us);
}

void call_acct_originate_begin(struct ccd *cd, struct call *c, const char *cli, struct pl cld, const char *host)
{
	struct call_ext *x = c->x;
	const struct route *r = c->route;

	memset(&x->acct_o, 0, sizeof(x->acct_o));
	if (!call_acct_on(cd) || r->forward_on_fail)
		return;
	x->acct_o.on = true;
	x->acct_o.setup_us = call_wall_us();
	if (r->bill_cli.p)
		pl_strcpy(r->bill_cli, x->o_calling, sizeof(x->o_calling));
	else
		snprintf(x->o_calling, sizeof(x->o_calling), "%s", cli);
	pl_strcpy(r->bill_cld.p ? r->bill_cld : cld, x->o_called, sizeof(x->o_called));
	if (r->bill_to.p)
		pl_strcpy(r->bill_to, x->o_user, sizeof(x->o_user));
	else
		snprintf(x->o_user, sizeof(x->o_user), "%s", x->user_name);
	snprintf(x->o_host, sizeof(x->o_host), "%s", host);
}

void call_acct_connect(struct ccd *cd, struct call *c, struct call_acct *a)
{
	if (!a->on || a->connect_us)
		return;
	a->connect_us = call_wall_us();
	if (cd->cfg.acct_level >= 2) {
		send_record(cd, c, a, AAA_ACCT_START);
		a->started = true;
	}
}

void call_acct_end(struct ccd *cd, struct call *c, struct call_acct *a, unsigned code, Tandem__Origin origin)
{
	if (!a->on || a->stopped)
		return;
	a->stopped = true;
	a->end_us = call_wall_us();
	a->code = a->connect_us ? 0 : code;
	a->origin = (uint8_t)origin;
	send_record(cd, c, a, AAA_ACCT_STOP);
}

void call_acct_alive(struct ccd *cd, struct call *c)
{
	struct call_acct *legs[2] = { &c->x->acct_a, &c->x->acct_o };

	for (int i = 0; i < 2; i++)
		if (legs[i]->on && legs[i]->connect_us && !legs[i]->stopped)
			send_record(cd, c, legs[i], AAA_ACCT_ALIVE);
}

/* ---------------------------------------------------------------- reply */

/* Keeps the reply's routing strings (they outlive the reply list). */
static int keep_routes(struct call_ext *x, const struct aaa_auth_reply *r)
{
	size_t total = 0, off = 0;

	for (unsigned i = 0; i < r->n_routes; i++)
		total += r->routes[i].l + 1;
	if (!total)
		return 0;
	if (!(x->routes_buf = malloc(total)))
		return -1;
	for (unsigned i = 0; i < r->n_routes && i < CALL_ROUTES_MAX; i++) {
		x->route_off[i] = (uint16_t)off;
		memcpy(x->routes_buf + off, r->routes[i].p, r->routes[i].l);
		x->routes_buf[off + r->routes[i].l] = '\0';
		off += r->routes[i].l + 1;
		x->n_routes = (uint8_t)(i + 1);
	}
	x->radius_routes = true;
	x->next_route = 0;
	return 0;
}

static void accepted(struct ccd *cd, struct call *c, const struct avlist *reply)
{
	struct call_ext *x = c->x;
	struct aaa_auth_reply r;
	Tandem__Body body;

	if (aaa_auth_reply_parse(&r, reply) > 0)
		LOGW(call_cid(c), "call %llu: RADIUS reply: %s", (unsigned long long)c->serial, r.reason);
	if (r.cli.p) {
		x->cli_set = pl_strcpy(r.cli, x->cli, sizeof(x->cli)) && route_valid_user(r.cli);
		if (!x->cli_set)
			LOGW(call_cid(c), "call %llu: RADIUS CLI ignored: not a valid number", (unsigned long long)c->serial);
	}
	if (r.cnam.p) {
		x->cnam_set = pl_strcpy(r.cnam, x->cnam, sizeof(x->cnam));
		for (char *p = x->cnam; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\')
				x->cnam_set = false;
	}
	if (r.credit_time.set && r.credit_time.v > 0 && r.credit_time.v <= INT32_MAX)
		x->radius_credit_s = (int32_t)r.credit_time.v;
	answer_begin(cd, c);
	if (cd->static_route_set) {
		/* -s wins over RADIUS routing (Sippy). */
		call_routes_static(cd, c);
	} else if (keep_routes(x, &r) < 0) {
		call_reject(cd, c, 500, "Internal Server Error", "No memory");
		return;
	} else if (!x->n_routes) {
		call_reject(cd, c, 500, "Internal Server Error", "No route in the RADIUS reply");
		return;
	}
	LOGI(call_cid(c), "call %llu: authorised, %u route(s)%s", (unsigned long long)c->serial,
	     cd->static_route_set ? 1 : x->n_routes, cd->static_route_set ? " (static)" : "");
	call_routed(cd, c, call_kept_body(c, &body));
}

static void on_auth(void *arg, enum radius_result res, const struct avlist *reply)
{
	struct call *c = arg;
	struct call_ext *x = c->x;
	struct ccd *cd = x->cd;

	x->auth = NULL;
	if (c->state != CALL_ROUTING)
		return;
	switch (res) {
	case RADIUS_ACCEPT:
		accepted(cd, c, reply);
		return;
	case RADIUS_REJECT:
		LOGI(call_cid(c), "call %llu: RADIUS rejected %s", (unsigned long long)c->serial, x->user_name);
		if (!x->digest_auth && !cd->cfg.digest_disabled)
			challenge(cd, c, false);
		else
			call_reject(cd, c, 403, "Auth Failed", NULL);
		return;
	default:
		LOGW(call_cid(c), "call %llu: RADIUS server did not answer", (unsigned long long)c->serial);
		call_reject(cd, c, 503, "Service Unavailable", "RADIUS server unreachable");
		return;
	}
}

/* ---------------------------------------------------------------- TRY */

static const char *str_or_null(const char *s)
{
	return s && *s ? s : NULL;
}

void call_aaa_try(struct ccd *cd, struct call *c, const Tandem__LegEvent *ev)
{
	const Tandem__Credentials *cr = ev->try_->credentials;
	struct call_ext *x = c->x;
	bool has_user = cr && cr->username && cr->username[0];
	char cid[CALL_ID_MAX + 1], cli[CALL_USER_MAX + 1], cld[CALL_USER_MAX + 1], ip[NETADDR_STRLEN];
	struct aaa_digest dg = { 0 };
	struct aaa_auth_req req = { 0 };
	struct avlist *l;
	const char *why = NULL;

	if (x && !x->user_name[0])
		pl_strcpy(call_field(c, F_SOURCE_HOST), x->user_name, sizeof(x->user_name));
	if (cd->cfg.auth_disabled) {
		Tandem__Body kept;

		answer_begin(cd, c);
		call_routes_static(cd, c);
		/* A kept offer is the one to send: -F filtered, nat- marked. */
		call_routed(cd, c, x ? call_kept_body(c, &kept) : ev->body);
		return;
	}
	if (!has_user && cd->cfg.digest_auth_only && !cd->cfg.digest_disabled) {
		challenge(cd, c, false);
		return;
	}
	if (has_user && !cd->cfg.digest_disabled) {
		if (cr->nonce_state == TANDEM__NONCE_STATE__NONCE_STALE) {
			challenge(cd, c, true);
			return;
		}
		if (cr->nonce_state == TANDEM__NONCE_STATE__NONCE_FOREIGN) {
			challenge(cd, c, false);
			return;
		}
	}
	if (!cd->radius || !x) {
		call_reject(cd, c, 500, "Internal Server Error", "No RADIUS client");
		return;
	}
	x->digest_auth = has_user;
	pl_strcpy(call_cid(c), cid, sizeof(cid));
	pl_strcpy(call_field(c, F_CLI), cli, sizeof(cli));
	pl_strcpy(call_field(c, F_CLD), cld, sizeof(cld));
	pl_strcpy(call_field(c, F_SOURCE_HOST), ip, sizeof(ip));
	req.call_id = cid;
	req.cli = cli;
	req.cld = cld;
	req.remote_ip = ip;
	req.extra = x->pre_auth;
	if (has_user) {
		dg.username = cr->username;
		dg.realm = cr->realm;
		dg.nonce = cr->nonce;
		dg.uri = cr->uri;
		dg.response = cr->response;
		dg.algorithm = str_or_null(cr->algorithm);
		dg.method = str_or_null(cr->method);
		dg.qop = str_or_null(cr->qop);
		dg.cnonce = str_or_null(cr->cnonce);
		dg.nc = str_or_null(cr->nc);
		req.digest = &dg;
	}
	if (!(l = malloc(sizeof(*l)))) {
		call_reject(cd, c, 503, "Service Unavailable", "No memory");
		return;
	}
	if (aaa_auth_request(l, &req, &why) < 0) {
		free(l);
		LOGW(call_cid(c), "call %llu: no Access-Request possible: %s", (unsigned long long)c->serial, why);
		call_reject(cd, c, has_user ? 403 : 500, has_user ? "Auth Failed" : "Internal Server Error", why);
		return;
	}
	x->auth = radius_auth(cd->radius, l, on_auth, c);
	free(l);
	if (!x->auth) {
		LOGW(call_cid(c), "call %llu: RADIUS queue full", (unsigned long long)c->serial);
		call_reject(cd, c, 503, "Service Unavailable", "RADIUS overloaded");
		return;
	}
	LOGD(call_cid(c), "call %llu: Access-Request for %s (%s)", (unsigned long long)c->serial,
	     has_user ? cr->username : ip, has_user ? "digest" : "remote IP");
}

void call_aaa_cancel(struct call *c)
{
	if (c->x && c->x->auth) {
		radius_cancel(c->x->auth);
		c->x->auth = NULL;
	}
}
