/*
 * fuzz_aaa_reply.c - RADIUS Access-Accept/Reject contents (ccd/aaa_auth.c)
 * as the RADIUS server sends them: from the network.
 *
 * Input: lines "Name<TAB>Value" (a line without a TAB is a Cisco-AVPair
 * value), turned into the struct avlist the radius room would hand over.
 * The parsed reply's values are then fed back as the strings of an auth
 * request and of accounting records, so the writers see hostile text too.
 *
 * ccd/ files are compiled in here (the fuzz build links only common/).
 * Invariants (abort() on violation): every slice lies inside a value of
 * the reply; counts stay within bounds; numbers within their ranges; the
 * reason is printable, terminated, and empty exactly when there is no
 * problem; parsing is deterministic; a number or route written back with
 * aaa_add() parses to the same thing; every written value fits its
 * attribute, cut values are prefixes of the original, and records always
 * carry Acct-Status-Type.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../ccd/avlist.c"
#include "../../ccd/aaa_auth.c"
#include "../../ccd/aaa_acct.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_in(const struct avlist *l, struct pl x)
{
	if (!x.p) {
		if (x.l)
			abort();
		return;
	}
	for (unsigned i = 0; i < l->n; i++) {
		const char *v = l->a[i].value;
		if (x.p >= v && x.p + x.l <= v + strlen(v))
			return;
	}
	abort();
}

/* A routing entry, by Sippy's reading: Cisco-AVPair "h323-ivr-in=Routing:",
 * or an attribute named h323-ivr-in (some dictionaries have one) with
 * "Routing:" after an optional "h323-ivr-in=". */
static bool is_route(const char *name, const char *value)
{
	if (strcasecmp(name, "Cisco-AVPair") == 0)
		return strncasecmp(value, "h323-ivr-in=Routing:", 20) == 0;
	if (strcasecmp(name, "h323-ivr-in") != 0)
		return false;
	if (strncasecmp(value, "h323-ivr-in=", 12) == 0)
		value += 12;
	return strncasecmp(value, "Routing:", 8) == 0;
}

/* The input as a reply list; returns how many routing entries it has. */
static unsigned build_reply(struct avlist *l, const uint8_t *data, size_t size)
{
	char line[AV_NAME_MAX + AV_VALUE_MAX + 8];
	unsigned routes = 0;
	size_t i = 0;

	avlist_init(l);
	while (i < size) {
		size_t n = 0;
		const char *name = "Cisco-AVPair", *value = line;
		char *tab;

		while (i < size && data[i] != '\n') {
			if (n < sizeof(line) - 1)
				line[n++] = (char)data[i];
			i++;
		}
		i++;
		line[n] = '\0';
		if ((tab = strchr(line, '\t')) != NULL) {
			*tab = '\0';
			name = line;
			value = tab + 1;
		}
		if (avlist_add(l, name, value) < 0)
			continue;
		if (is_route(name, value))
			routes++;
	}
	return routes;
}

static void check_reason(const struct aaa_auth_reply *r)
{
	size_t len = strnlen(r->reason, sizeof(r->reason));

	if (len == sizeof(r->reason))
		abort();
	for (size_t i = 0; i < len; i++)
		if (r->reason[i] < 0x20 || r->reason[i] > 0x7e)
			abort();
	if ((r->n_problems == 0) != (len == 0))
		abort();
}

static void check_reply(const struct avlist *l, const struct aaa_auth_reply *r, int rc,
			unsigned routes)
{
	if (rc != (int)r->n_problems || r->n_routes > AAA_ROUTES_MAX)
		abort();
	if (r->n_routes + r->routes_dropped != routes)
		abort();
	if (r->routes_dropped && r->n_routes != AAA_ROUTES_MAX)
		abort();
	for (unsigned i = 0; i < r->n_routes; i++)
		check_in(l, r->routes[i]);
	check_in(l, r->cli);
	check_in(l, r->cnam);
	check_in(l, r->billing_model);
	check_in(l, r->currency);
	check_in(l, r->preferred_lang);
	check_in(l, r->redirect_number);
	check_in(l, r->reply_message);
	if (r->credit_time.set && (r->credit_time.v < INT32_MIN || r->credit_time.v > INT32_MAX))
		abort();
	if (r->return_code.set && (r->return_code.v < 0 || r->return_code.v > UINT32_MAX))
		abort();
	check_reason(r);
}

/* Numbers and routes written back by aaa_add() read the same. */
static void check_round_trip(const struct aaa_auth_reply *r)
{
	static struct avlist l;
	static struct aaa_auth_reply back;
	char v[AV_VALUE_MAX + 1];

	avlist_init(&l);
	if (r->credit_time.set) {
		snprintf(v, sizeof(v), "%lld", (long long)r->credit_time.v);
		if (aaa_add(&l, "h323-credit-time", v) < 0)
			abort();
	}
	if (r->return_code.set) {
		snprintf(v, sizeof(v), "%lld", (long long)r->return_code.v);
		if (aaa_add(&l, "h323-return-code", v) < 0)
			abort();
	}
	for (unsigned i = 0; i < r->n_routes; i++) {
		char route[AV_VALUE_MAX + 1];

		if (!pl_strcpy(r->routes[i], route, sizeof(route)) ||
		    snprintf(v, sizeof(v), "h323-ivr-in=Routing:%s", route) >= (int)sizeof(v))
			continue;	/* no room for the prefix: not writable */
		if (aaa_add(&l, "Cisco-AVPair", v) < 0)
			abort();
	}
	if (aaa_auth_reply_parse(&back, &l) != 0)
		abort();
	if (back.credit_time.set != r->credit_time.set ||
	    back.credit_time.v != r->credit_time.v ||
	    back.return_code.set != r->return_code.set ||
	    back.return_code.v != r->return_code.v)
		abort();
	for (unsigned i = 0; i < back.n_routes; i++) {
		unsigned j = i;

		while (j < r->n_routes && !pl_eq(back.routes[i], r->routes[j]))
			j++;	/* skipped ones were too long to write */
		if (j == r->n_routes)
			abort();
	}
}

/* Every value fits its attribute; Cisco ones carry their "name=". */
static void check_written(const struct avlist *l)
{
	if (l->n > AVLIST_MAX)
		abort();
	for (unsigned i = 0; i < l->n; i++) {
		const struct av *a = &l->a[i];
		size_t vl = strnlen(a->value, sizeof(a->value));
		const char *canon;
		enum aaa_attr_kind kind = aaa_attr_kind(a->name, &canon);

		if (vl > AV_VALUE_MAX || a->name[0] == '\0')
			abort();
		if (kind == AAA_ATTR_VSA && (vl > AAA_VSA_VALUE_MAX ||
					     !has_name_prefix(a->value, canon)))
			abort();
		if (kind == AAA_ATTR_AVPAIR)	/* encoding never leaves these names */
			abort();
		if (strcasecmp(a->name, "Cisco-AVPair") == 0 && vl > AAA_VSA_VALUE_MAX)
			abort();
	}
}

static const char *text(struct pl x, char *buf, size_t sz)
{
	if (!x.p)
		return NULL;
	pl_strcpy(x, buf, sz);
	return buf;
}

/* Feeds the reply's text to the request and record writers. */
static void exercise_writers(const struct aaa_auth_reply *r, const uint8_t *data, size_t size)
{
	static struct avlist out;
	char a[AV_VALUE_MAX + 1], b[AV_VALUE_MAX + 1], c[AV_VALUE_MAX + 1];
	char d[AV_VALUE_MAX + 1], e[AV_VALUE_MAX + 1], f[AV_VALUE_MAX + 1];
	const char *why = NULL;
	struct aaa_digest dg = {
		.username = text(r->cli, a, sizeof(a)),
		.realm = text(r->cnam, b, sizeof(b)),
		.nonce = text(r->billing_model, c, sizeof(c)),
		.uri = text(r->currency, d, sizeof(d)),
		.response = text(r->reply_message, e, sizeof(e)),
		.qop = text(r->preferred_lang, f, sizeof(f)),
		.cnonce = "c", .nc = "00000001",
	};
	struct aaa_auth_req req = {
		.call_id = dg.response, .cli = dg.username, .cld = dg.realm,
		.remote_ip = dg.nonce, .digest = (size & 1) ? &dg : NULL,
	};
	int64_t t[5] = { 0 };
	int rc;

	for (size_t i = 0; i < size && i < 5 * 8; i++)
		t[i / 8] = (int64_t)(((uint64_t)t[i / 8] << 8) | data[i]);

	rc = aaa_auth_request(&out, &req, &why);
	if (rc == 0) {
		check_written(&out);
		if (strcmp(out.a[0].name, "User-Name") != 0)
			abort();
	} else if (rc != -1 || why == NULL) {
		abort();
	}

	struct aaa_acct_leg leg = {
		.origin = (size & 2) ? AAA_ACCT_ANSWER : AAA_ACCT_ORIGINATE,
		.user_name = dg.username, .calling = dg.realm, .called = dg.nonce,
		.call_id = dg.response ? dg.response : "x", .remote_address = dg.uri,
		.setup_us = t[0], .connect_us = t[1], .disconnect_us = t[2],
		.sip_code = (unsigned)t[3], .release = (enum aaa_release)(size % 4),
		.precise = (size & 4) != 0, .peer_ua = dg.qop, .provisional_us = t[4],
	};
	for (int st = AAA_ACCT_START; st <= AAA_ACCT_ALIVE; st++) {
		rc = aaa_acct_record(&out, &leg, (enum aaa_acct_status)st, t[3]);
		if (rc < 0) {
			if (leg.call_id[0] && (leg.connect_us != 0 || st == AAA_ACCT_STOP))
				abort();
			continue;
		}
		check_written(&out);
		if (!avlist_find(&out, "Acct-Status-Type", NULL) ||
		    !avlist_find(&out, "Acct-Delay-Time", NULL))
			abort();
		if (aaa_acct_set_delay(&out, (unsigned)t[4]) != 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct avlist reply;
	static struct aaa_auth_reply r, again;
	unsigned routes = build_reply(&reply, data, size);
	int rc = aaa_auth_reply_parse(&r, &reply);

	check_reply(&reply, &r, rc, routes);
	if (aaa_auth_reply_parse(&again, &reply) != rc || memcmp(&r, &again, sizeof(r)) != 0)
		abort();
	check_round_trip(&r);
	exercise_writers(&r, data, size);
	return 0;
}
