/*
 * aaa_auth.c - Sippy's RADIUS attribute naming, the Access-Request for an
 * INVITE, and reading the reply (aaa_auth.h).
 */
#include "aaa_auth.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------ naming */

/* Sippy's Radius_client._avpair_names: sent inside Cisco-AVPair. */
static const char *const avpair_names[] = {
	"call-id", "h323-session-protocol", "h323-ivr-out", "h323-incoming-conf-id",
	"release-source", "alert-timepoint", "provisional-timepoint",
};

/* Sippy's Radius_client._cisco_vsa_names: Cisco VSAs, value "name=value". */
static const char *const vsa_names[] = {
	"h323-remote-address", "h323-conf-id", "h323-setup-time", "h323-call-origin",
	"h323-call-type", "h323-connect-time", "h323-disconnect-time",
	"h323-disconnect-cause", "h323-voice-quality", "h323-credit-time",
	"h323-return-code", "h323-redirect-number", "h323-preferred-lang",
	"h323-billing-model", "h323-currency",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *lookup(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(names[i], name) == 0)
			return names[i];
	return NULL;
}

enum aaa_attr_kind aaa_attr_kind(const char *name, const char **canon)
{
	const char *c;
	enum aaa_attr_kind kind = AAA_ATTR_PLAIN;

	if ((c = lookup(avpair_names, COUNT(avpair_names), name)) != NULL)
		kind = AAA_ATTR_AVPAIR;
	else if ((c = lookup(vsa_names, COUNT(vsa_names), name)) != NULL)
		kind = AAA_ATTR_VSA;
	else
		c = name;
	if (canon)
		*canon = c;
	return kind;
}

/* Whether value starts with "<name>=" (name compared without case). */
static bool has_name_prefix(const char *value, const char *name)
{
	size_t nl = strlen(name);

	return strncasecmp(value, name, nl) == 0 && value[nl] == '=';
}

/* attr = "<prefix>=<value>", within a Cisco attribute's limit. */
static int add_prefixed(struct avlist *l, const char *attr, const char *prefix,
			const char *value)
{
	char v[AAA_VSA_VALUE_MAX + 1];
	size_t pl = strlen(prefix), vl = strlen(value);

	if (pl + 1 + vl > AAA_VSA_VALUE_MAX)
		return -1;
	memcpy(v, prefix, pl);
	v[pl] = '=';
	memcpy(v + pl + 1, value, vl + 1);
	return avlist_add(l, attr, v);
}

int aaa_add(struct avlist *l, const char *name, const char *value)
{
	const char *canon;

	switch (aaa_attr_kind(name, &canon)) {
	case AAA_ATTR_AVPAIR:
		return add_prefixed(l, "Cisco-AVPair", canon, value);
	case AAA_ATTR_VSA:
		if (!has_name_prefix(value, canon))
			return add_prefixed(l, canon, canon, value);
		if (strlen(value) > AAA_VSA_VALUE_MAX)
			return -1;
		return avlist_add(l, canon, value);
	case AAA_ATTR_PLAIN:
		break;
	}
	if (value[0] == '\0')	/* RFC 2865 §5: text and string are 1-253 octets */
		return name[0] != '\0' && strlen(name) <= AV_NAME_MAX ? 0 : -1;
	return avlist_add(l, name, value);
}

/* ------------------------------------------------------ auth request */

static bool absent(const char *s)
{
	return s == NULL || *s == '\0';
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

static int fail(const char **why, const char *reason)
{
	if (why)
		*why = reason;
	return -1;
}

/* Appends name=value if value fits max (a standard attribute's limit is
 * checked again by avlist_add). */
static int put(struct avlist *l, const char *name, const char *value, size_t max)
{
	if (strlen(value) > max)
		return -1;
	return avlist_add(l, name, value);
}

/* Each reason names its attribute: a string literal per call site. */
#define PUT(name, value, max)                                         \
	do {                                                          \
		if (put(out, name, value, max) < 0)                   \
			return fail(why, name " too long");           \
	} while (0)

#define ADD(name, value)                                              \
	do {                                                          \
		if (aaa_add(out, name, value) < 0)                    \
			return fail(why, name " too long");           \
	} while (0)

bool aaa_auth_is_digest(const struct aaa_auth_req *req)
{
	return req->digest != NULL && !absent(req->digest->username);
}

/* User-Name and the Digest-* attributes, in Sippy's order; the qop trio
 * (which Sippy drops) after Digest-Response. */
static int digest_attrs(struct avlist *out, const struct aaa_digest *d, const char **why)
{
	bool qop = !absent(d->qop);

	if (absent(d->realm) || absent(d->nonce) || absent(d->uri) || absent(d->response))
		return fail(why, "digest credentials without realm, nonce, uri or response");
	if (qop && (absent(d->cnonce) || absent(d->nc)))
		return fail(why, "digest credentials with qop but without cnonce or nc");

	PUT("User-Name", d->username, AV_VALUE_MAX);
	PUT("Digest-Realm", d->realm, AAA_DIGEST_VALUE_MAX);
	PUT("Digest-Nonce", d->nonce, AAA_DIGEST_VALUE_MAX);
	PUT("Digest-Method", absent(d->method) ? "INVITE" : d->method, AAA_DIGEST_VALUE_MAX);
	PUT("Digest-URI", d->uri, AAA_DIGEST_VALUE_MAX);
	PUT("Digest-Algorithm", absent(d->algorithm) ? "MD5" : d->algorithm,
	    AAA_DIGEST_VALUE_MAX);
	PUT("Digest-User-Name", d->username, AAA_DIGEST_VALUE_MAX);
	PUT("Digest-Response", d->response, AV_VALUE_MAX);
	if (qop) {
		PUT("Digest-QOP", d->qop, AAA_DIGEST_VALUE_MAX);
		PUT("Digest-CNonce", d->cnonce, AAA_DIGEST_VALUE_MAX);
		PUT("Digest-Nonce-Count", d->nc, AAA_DIGEST_VALUE_MAX);
	}
	return 0;
}

static int request(struct avlist *out, const struct aaa_auth_req *req, const char **why)
{
	if (absent(req->call_id))
		return fail(why, "no Call-ID");
	if (absent(req->remote_ip))
		return fail(why, "no remote address");

	if (aaa_auth_is_digest(req)) {
		if (digest_attrs(out, req->digest, why) < 0)
			return -1;
	} else {
		PUT("User-Name", req->remote_ip, AV_VALUE_MAX);
		PUT("Password", "cisco", AV_VALUE_MAX);
	}
	ADD("Calling-Station-Id", or_empty(req->cli));
	ADD("Called-Station-Id", or_empty(req->cld));
	ADD("call-id", req->call_id);
	ADD("h323-remote-address", req->remote_ip);
	ADD("h323-session-protocol", "sipv2");

	for (unsigned i = 0; req->extra && i < req->extra->n && i < AVLIST_MAX; i++)
		if (aaa_add(out, req->extra->a[i].name, req->extra->a[i].value) < 0)
			return fail(why, out->n >= AVLIST_MAX ?
				    "too many extra attributes" :
				    "extra attribute name or value too long");
	return 0;
}

int aaa_auth_request(struct avlist *out, const struct aaa_auth_req *req, const char **why)
{
	avlist_init(out);
	if (request(out, req, why) == 0)
		return 0;
	avlist_init(out);	/* no half request for a careless caller */
	return -1;
}

/* -------------------------------------------------------- auth reply */

#define QUOTE_MAX 32

/* Appends one problem to the reply's reason; once full, it ends in "...". */
static void note(struct aaa_auth_reply *r, const char *piece)
{
	size_t len = strlen(r->reason), sep = len ? 2 : 0, pl = strlen(piece);

	r->n_problems++;
	if (len + sep + pl < sizeof(r->reason)) {
		memcpy(r->reason + len, "; ", sep);
		memcpy(r->reason + len + sep, piece, pl + 1);
		return;
	}
	if (len >= 3 && strcmp(r->reason + len - 3, "...") == 0)
		return;
	if (len + 3 >= sizeof(r->reason))
		len = sizeof(r->reason) - 4;
	memcpy(r->reason + len, "...", 4);
}

/* A malformed value: "<what> '<value, sanitised and cut>' <why>". */
static void problem(struct aaa_auth_reply *r, const char *what, struct pl value,
		    const char *why)
{
	char q[QUOTE_MAX + 4], piece[AAA_REASON_MAX];
	size_t n = 0;

	for (size_t i = 0; i < value.l && n < QUOTE_MAX; i++) {
		unsigned char c = (unsigned char)value.p[i];
		q[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (value.l > QUOTE_MAX) {
		memcpy(q + n, "...", 3);
		n += 3;
	}
	q[n] = '\0';
	snprintf(piece, sizeof(piece), "%s '%s' %s", what, q, why);
	note(r, piece);
}

/*
 * Decimal integer in [min, max] with optional surrounding blanks and, when
 * min < 0, an optional sign. Returns NULL or why not.
 */
static const char *parse_number(struct pl s, int64_t min, int64_t max, int64_t *out)
{
	bool neg = false;
	int64_t v = 0;
	size_t i = 0;

	s = pl_trim(s);
	if (s.l > 0 && (s.p[0] == '+' || s.p[0] == '-') && min < 0) {
		neg = s.p[0] == '-';
		i = 1;
	}
	if (i == s.l)
		return "is not a number";
	for (; i < s.l; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return "is not a number";
		if (v > (max + 1) / 10)	/* keeps v * 10 + 9 in range */
			return "is out of range";
		v = v * 10 + (s.p[i] - '0');
	}
	if (neg)
		v = -v;
	if (v < min || v > max)
		return "is out of range";
	*out = v;
	return NULL;
}

static void number(struct aaa_auth_reply *r, struct aaa_number *n, const char *what,
		   struct pl value, int64_t min, int64_t max)
{
	int64_t v;
	const char *why = parse_number(value, min, max, &v);

	if (why) {
		problem(r, what, value, why);
		return;
	}
	n->set = true;
	n->v = v;
}

/* Whether s starts with the keyword k (any case); *rest is what follows. */
static bool keyword(struct pl s, const char *k, struct pl *rest)
{
	size_t kl = strlen(k);

	if (s.l < kl || strncasecmp(s.p, k, kl) != 0)
		return false;
	*rest = pl_after(s, s.p + kl);
	return true;
}

/* Cisco-AVPair h323-ivr-in=<Routing:|CLI:|CNAM:>...; other kinds ignored. */
static void ivr_in(struct aaa_auth_reply *r, struct pl v)
{
	struct pl rest;

	if (keyword(v, "Routing:", &rest)) {
		if (r->n_routes < AAA_ROUTES_MAX)
			r->routes[r->n_routes++] = rest;
		else
			r->routes_dropped++;
	} else if (keyword(v, "CLI:", &rest)) {
		r->cli = rest;
	} else if (keyword(v, "CNAM:", &rest)) {
		r->cnam = rest;
	}
}

/*
 * A reply pair as Sippy reads it: Cisco-AVPair "a=b" is attribute a with
 * value b (no '=': not one we read); a Cisco VSA or any other attribute
 * loses a leading "<its name>=" if it has one (both styles occur).
 */
static bool split(const struct av *a, struct pl *name, struct pl *value)
{
	struct pl v = pl_from_str(a->value);
	const char *eq;

	if (strcasecmp(a->name, "Cisco-AVPair") == 0) {
		if ((eq = pl_chr(v, '=')) == NULL)
			return false;
		*name = pl_until(v, eq);
		*value = pl_after(v, eq + 1);
		return true;
	}
	*name = pl_from_str(a->name);
	*value = has_name_prefix(a->value, a->name) ? pl_after(v, v.p + name->l + 1) : v;
	return true;
}

int aaa_auth_reply_parse(struct aaa_auth_reply *out, const struct avlist *reply)
{
	struct pl name, v;

	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < reply->n && i < AVLIST_MAX; i++) {
		if (!split(&reply->a[i], &name, &v))
			continue;
		if (pl_caseeq_str(name, "h323-ivr-in"))
			ivr_in(out, v);
		else if (pl_caseeq_str(name, "h323-credit-time"))
			number(out, &out->credit_time, "h323-credit-time", v, INT32_MIN, INT32_MAX);
		else if (pl_caseeq_str(name, "h323-return-code"))
			number(out, &out->return_code, "h323-return-code", v, 0, UINT32_MAX);
		else if (pl_caseeq_str(name, "h323-billing-model"))
			out->billing_model = v;
		else if (pl_caseeq_str(name, "h323-currency"))
			out->currency = v;
		else if (pl_caseeq_str(name, "h323-preferred-lang"))
			out->preferred_lang = v;
		else if (pl_caseeq_str(name, "h323-redirect-number"))
			out->redirect_number = v;
		else if (pl_caseeq_str(name, "Reply-Message"))
			out->reply_message = v;
	}
	if (out->routes_dropped) {
		char piece[64];

		snprintf(piece, sizeof(piece), "%u routes beyond the first %u ignored",
			 out->routes_dropped, AAA_ROUTES_MAX);
		note(out, piece);
	}
	return (int)out->n_problems;
}
