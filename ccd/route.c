/*
 * route.c - Sippy's routing string (sippy/B2B/Route.py) as a typed struct.
 * See route.h for the grammar and where we differ from Sippy.
 */
#include "route.h"

#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* Quotes at most this many bytes of the routing string in an error. */
#define QUOTE_MAX 64

static int fail(struct route_error *err, const char *what, struct pl near)
{
	char q[QUOTE_MAX + 4];
	size_t n = 0;

	if (!err)
		return -1;
	for (size_t i = 0; i < near.l && n < QUOTE_MAX; i++) {
		unsigned char c = (unsigned char)near.p[i];
		q[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (near.l > QUOTE_MAX) {
		memcpy(q + n, "...", 3);
		n += 3;
	}
	q[n] = '\0';
	if (pl_isset(near))
		snprintf(err->reason, sizeof(err->reason), "%s '%s'", what, q);
	else
		snprintf(err->reason, sizeof(err->reason), "%s", what);
	return -1;
}

static bool is_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool route_valid_user(struct pl u)
{
	for (size_t i = 0; i < u.l; i++) {
		char c = u.p[i];
		if (is_alnum(c) || (c && strchr("-_.!~*'()&=+$,;?/", c)))
			continue;
		if (c == '%' && i + 2 < u.l && is_hex(u.p[i + 1]) && is_hex(u.p[i + 2])) {
			i += 2;
			continue;
		}
		return false;
	}
	return true;
}

static bool valid_hostname(struct pl h)
{
	if (h.l == 0 || h.l > 253)
		return false;
	for (size_t i = 0; i < h.l; i++)
		if (!is_alnum(h.p[i]) && h.p[i] != '-' && h.p[i] != '.' && h.p[i] != '_')
			return false;
	return true;
}

static bool valid_ipv6_chars(struct pl h)
{
	if (h.l < 2 || h.l > 45)
		return false;
	for (size_t i = 0; i < h.l; i++)
		if (!is_hex(h.p[i]) && h.p[i] != ':' && h.p[i] != '.')
			return false;
	return true;
}

static int hex_val(char c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

static struct pl trim_blanks(struct pl x)
{
	while (x.l && (x.p[0] == ' ' || x.p[0] == '\t')) {
		x.p++;
		x.l--;
	}
	while (x.l && (x.p[x.l - 1] == ' ' || x.p[x.l - 1] == '\t'))
		x.l--;
	return x;
}

/* A signed decimal as Python's int() takes it (blanks around, a sign). */
static bool parse_int(struct pl x, int32_t *out)
{
	bool neg = false;
	uint32_t v;

	x = trim_blanks(x);
	if (x.l && (x.p[0] == '-' || x.p[0] == '+')) {
		neg = x.p[0] == '-';
		x.p++;
		x.l--;
	}
	if (!pl_u32(x, neg ? 2147483648u : 2147483647u, &v))
		return false;
	*out = neg ? (int32_t)(-(int64_t)v) : (int32_t)v;
	return true;
}

/*
 * host [":" port] or "[" v6 "]" [":" port]. Shared by the route's own
 * destination and op=, so both take the same forms.
 */
static int parse_hostport(struct pl hp, struct pl *host, bool *v6, uint16_t *port, bool *port_set,
			  struct route_error *err)
{
	struct pl rest;
	uint32_t p;

	*port = ROUTE_DEFAULT_PORT;
	*port_set = false;
	*v6 = false;
	if (hp.l == 0)
		return fail(err, "missing host", PL_NULL);
	if (hp.p[0] == '[') {
		const char *close = pl_chr(hp, ']');
		if (!close)
			return fail(err, "missing ']' in", hp);
		*host = pl_from(hp.p + 1, (size_t)(close - hp.p - 1));
		if (!valid_ipv6_chars(*host))
			return fail(err, "invalid IPv6 address in", hp);
		*v6 = true;
		rest = pl_after(hp, close + 1);
		if (rest.l == 0)
			return 0;
		if (rest.p[0] != ':')
			return fail(err, "junk after ']' in", hp);
	} else {
		const char *colon = pl_chr(hp, ':');
		*host = colon ? pl_until(hp, colon) : hp;
		if (host->l == 0)
			return fail(err, "missing host in", hp);
		if (colon && pl_chr(pl_after(hp, colon + 1), ':'))
			return fail(err, "IPv6 address must be in brackets:", hp);
		if (!valid_hostname(*host))
			return fail(err, "invalid host", *host);
		if (!colon)
			return 0;
		rest = pl_after(hp, colon);
	}
	rest = pl_after(rest, rest.p + 1);
	if (!pl_u32(rest, 65535, &p) || p == 0)
		return fail(err, "invalid port", rest);
	*port = (uint16_t)p;
	*port_set = true;
	return 0;
}

static int parse_limit(struct route_limit *lim, struct pl name, struct pl v, struct route_error *err)
{
	int32_t secs;

	if (!parse_int(v, &secs))
		return fail(err, "invalid number of seconds for", name);
	lim->set = true;
	lim->secs = secs < 0 ? -1 : secs;
	return 0;
}

/* Empty elements are skipped, as Sippy does ("486,,603,"). */
static int parse_scodes(struct route *r, struct pl v, struct route_error *err)
{
	r->n_hs_scodes = 0;
	while (v.l) {
		const char *comma = pl_chr(v, ',');
		struct pl item = trim_blanks(comma ? pl_until(v, comma) : v);
		uint32_t code;

		v = comma ? pl_after(v, comma + 1) : pl_after(v, pl_end(v));
		if (item.l == 0)
			continue;
		if (!pl_u32(item, 699, &code) || code < 300)
			return fail(err, "invalid hunt-stop code", item);
		if (r->n_hs_scodes == ROUTE_SCODES_MAX)
			return fail(err, "too many hunt-stop codes (hs_scodes)", PL_NULL);
		r->hs_scodes[r->n_hs_scodes++] = (uint16_t)code;
	}
	return 0;
}

int route_unquote(struct pl in, char *out, size_t outsz)
{
	size_t n = 0;

	for (size_t i = 0; i < in.l; i++) {
		char c = in.p[i];
		if (c == '%' && i + 2 < in.l && is_hex(in.p[i + 1]) && is_hex(in.p[i + 2])) {
			c = (char)(hex_val(in.p[i + 1]) << 4 | hex_val(in.p[i + 2]));
			i += 2;
		}
		if (n + 1 >= outsz)
			return -1;
		out[n++] = c;
	}
	if (outsz == 0)
		return -1;
	out[n] = '\0';
	return (int)n;
}

/* What a decoded display name or header value may hold: no controls (a
 * CR or LF would end the header), HTAB allowed, UTF-8 bytes allowed. */
static bool printable_text(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return false;
	}
	return true;
}

static bool is_token_char(char c)
{
	return is_alnum(c) || (c && strchr("-.!%*_+`'~", c));
}

static int split_header(char *buf, size_t len, struct pl *name, struct pl *value)
{
	struct pl all = pl_from(buf, len);
	const char *colon = pl_chr(all, ':');

	if (!colon)
		return -1;
	*name = trim_blanks(pl_until(all, colon));
	*value = trim_blanks(pl_after(all, colon + 1));
	if (name->l == 0)
		return -1;
	for (size_t i = 0; i < name->l; i++)
		if (!is_token_char(name->p[i]))
			return -1;
	return printable_text(value->p, value->l) ? 0 : -1;
}

int route_extra_header(const struct route *r, size_t i, char *buf, size_t bufsz, struct pl *name,
		       struct pl *value)
{
	int n;

	if (i >= r->n_ash || (n = route_unquote(r->ash[i], buf, bufsz)) < 0)
		return -1;
	return split_header(buf, (size_t)n, name, value);
}

static int parse_ash(struct route *r, struct pl v, struct route_error *err)
{
	char buf[ROUTE_VALUE_MAX];
	struct pl name, value;
	int n = route_unquote(v, buf, sizeof(buf));

	if (n < 0)
		return fail(err, "ash header too long:", v);
	if (split_header(buf, (size_t)n, &name, &value) < 0)
		return fail(err, "ash is not a URL-quoted Name:Value header:", v);
	if (r->n_ash == ROUTE_ASH_MAX)
		return fail(err, "too many ash headers", PL_NULL);
	r->ash[r->n_ash++] = v;
	return 0;
}

static int parse_cnam(struct route *r, struct pl v, struct route_error *err)
{
	char buf[ROUTE_VALUE_MAX];
	int n = route_unquote(v, buf, sizeof(buf));

	if (n < 0)
		return fail(err, "cnam too long:", v);
	if (!printable_text(buf, (size_t)n))
		return fail(err, "cnam decodes to control characters:", v);
	r->cnam_set = true;
	r->cnam = v;
	return 0;
}

static int parse_auth(struct route *r, struct pl v, struct route_error *err)
{
	const char *colon = pl_chr(v, ':');

	if (pl_eq_str(v, "nopass")) {
		r->auth = ROUTE_AUTH_NOPASS;
		return 0;
	}
	if (!colon)
		return fail(err, "auth needs user:pass or nopass, not", v);
	r->auth = ROUTE_AUTH_CREDENTIALS;
	r->auth_user = pl_until(v, colon);
	r->auth_pass = pl_after(v, colon + 1);
	return 0;
}

static int parse_op(struct route *r, struct pl v, struct route_error *err)
{
	bool v6, port_set;

	if (parse_hostport(v, &r->op_host, &v6, &r->op_port, &port_set, err) < 0) {
		if (err) {
			char inner[sizeof(err->reason)];
			memcpy(inner, err->reason, sizeof(inner));
			snprintf(err->reason, sizeof(err->reason), "op: %.150s", inner);
		}
		return -1;
	}
	r->op_set = true;
	return 0;
}

/* VAL2Xattrs[k=v,...] (and its A/O variants) or Nop[anything]: the
 * routines Sippy offers after routing (sippy-behaviour.md §1.6). */
static int parse_po_proc(struct route *r, struct pl v, struct route_error *err)
{
	const char *open = pl_chr(v, '[');
	struct pl name, arg;

	if (!open || v.l < 2 || v.p[v.l - 1] != ']' || open == v.p)
		return fail(err, "po_proc is not Name[argument]:", v);
	name = pl_until(v, open);
	arg = pl_from(open + 1, (size_t)(v.p + v.l - 1 - (open + 1)));
	if (pl_eq_str(name, "VAL2Xattrs") || pl_eq_str(name, "VAL2XattrsA") ||
	    pl_eq_str(name, "VAL2XattrsO")) {
		struct pl rest = arg;
		while (rest.l) {
			const char *comma = pl_chr(rest, ',');
			struct pl kv = comma ? pl_until(rest, comma) : rest;
			const char *eq = pl_chr(kv, '=');
			if (!eq || eq == kv.p || eq + 1 == pl_end(kv))
				return fail(err, "po_proc pair is not key=value:", kv);
			rest = comma ? pl_after(rest, comma + 1) : pl_after(rest, pl_end(rest));
		}
	} else if (!pl_eq_str(name, "Nop")) {
		return fail(err, "unknown po_proc routine", name);
	}
	r->po_proc_set = true;
	r->po_proc_name = name;
	r->po_proc_arg = arg;
	return 0;
}

static int parse_gt(struct route *r, struct pl v, struct route_error *err)
{
	const char *comma = pl_chr(v, ',');
	int32_t timeout, skip;

	if (!comma || !parse_int(pl_until(v, comma), &timeout) ||
	    !parse_int(pl_after(v, comma + 1), &skip) || timeout < 0 || skip < 0)
		return fail(err, "gt needs timeout,skip (seconds, routes), not", v);
	r->gt_set = true;
	r->gt_timeout = (uint32_t)timeout;
	r->gt_skip = (uint32_t)skip;
	return 0;
}

static int keep_other(struct route *r, struct pl name, struct pl v, struct route_error *err)
{
	for (size_t i = 0; i < r->n_other; i++) {
		if (pl_eq(r->other[i].name, name)) {
			r->other[i].value = v;	/* a later value wins, as in Sippy */
			return 0;
		}
	}
	if (r->n_other == ROUTE_OTHER_MAX)
		return fail(err, "too many route parameters", PL_NULL);
	r->other[r->n_other].name = name;
	r->other[r->n_other].value = v;
	r->n_other++;
	return 0;
}

static int parse_param(struct route *r, struct pl p, struct route_error *err)
{
	const char *eq = pl_chr(p, '=');
	struct pl name = eq ? pl_until(p, eq) : p;
	struct pl v = eq ? pl_after(p, eq + 1) : PL_NULL;
	int32_t n;

	if (p.l == 0)
		return fail(err, "empty route parameter", PL_NULL);
	if (name.l == 0)
		return fail(err, "route parameter without a name:", p);
	if (pl_eq_str(name, "forward_on_fail")) {
		r->forward_on_fail = true;
		return 0;
	}
	if (!eq)
		return fail(err, "route parameter needs '=value':", name);
	if (pl_eq_str(name, "credit-time"))
		return parse_limit(&r->credit_time, name, v, err);
	if (pl_eq_str(name, "expires"))
		return parse_limit(&r->expires, name, v, err);
	if (pl_eq_str(name, "np_expires"))
		return parse_limit(&r->np_expires, name, v, err);
	if (pl_eq_str(name, "nr_expires"))
		return parse_limit(&r->nr_expires, name, v, err);
	if (pl_eq_str(name, "hs_scodes"))
		return parse_scodes(r, v, err);
	if (pl_eq_str(name, "auth"))
		return parse_auth(r, v, err);
	if (pl_eq_str(name, "cli")) {
		if (!route_valid_user(v))
			return fail(err, "invalid character in cli", v);
		r->cli_set = true;
		r->cli = v;
		return 0;
	}
	if (pl_eq_str(name, "cnam"))
		return parse_cnam(r, v, err);
	if (pl_eq_str(name, "ash"))
		return parse_ash(r, v, err);
	if (pl_eq_str(name, "rtpp")) {
		if (!parse_int(v, &n))
			return fail(err, "rtpp needs 0 or 1, not", v);
		r->rtpp = n != 0;
		return 0;
	}
	if (pl_eq_str(name, "op"))
		return parse_op(r, v, err);
	if (pl_eq_str(name, "po_proc"))
		return parse_po_proc(r, v, err);
	if (pl_eq_str(name, "gt"))
		return parse_gt(r, v, err);
	if (pl_eq_str(name, "bill-to")) {
		r->bill_to = v;
		return 0;
	}
	if (pl_eq_str(name, "bill-cli")) {
		r->bill_cli = v;
		return 0;
	}
	if (pl_eq_str(name, "bill-cld")) {
		r->bill_cld = v;
		return 0;
	}
	return keep_other(r, name, v, err);
}

int route_parse(struct route *r, struct pl s, struct route_error *err)
{
	const char *semi, *at;
	struct pl head, rest;

	memset(r, 0, sizeof(*r));
	r->rtpp = -1;
	r->port = ROUTE_DEFAULT_PORT;
	if (err)
		err->reason[0] = '\0';
	if (!s.p || s.l == 0)
		return fail(err, "empty route", PL_NULL);

	semi = pl_chr(s, ';');
	head = semi ? pl_until(s, semi) : s;
	at = pl_chr(head, '@');
	if (at) {
		r->cld_set = true;
		r->cld = pl_until(head, at);
		if (!route_valid_user(r->cld))
			return fail(err, "invalid character in cld", r->cld);
		head = pl_after(head, at + 1);
	}
	if (parse_hostport(head, &r->host, &r->ipv6_literal, &r->port, &r->port_set, err) < 0)
		return -1;
	/* A port after sip-ua/wss-ua is accepted and meaningless, as in Sippy. */
	if (!r->ipv6_literal && pl_caseeq_str(r->host, "sip-ua"))
		r->dest = ROUTE_DEST_SIP_UA;
	else if (!r->ipv6_literal && pl_caseeq_str(r->host, "wss-ua"))
		r->dest = ROUTE_DEST_WSS_UA;

	rest = semi ? pl_after(s, semi + 1) : pl_after(s, pl_end(s));
	while (semi) {
		semi = pl_chr(rest, ';');
		struct pl p = semi ? pl_until(rest, semi) : rest;
		if (parse_param(r, p, err) < 0)
			return -1;
		if (semi)
			rest = pl_after(rest, semi + 1);
	}
	return 0;
}

static int resolve_one(struct pl host, uint16_t port, struct netaddr *out, char *err, size_t errsz)
{
	char name[256];
	struct addrinfo hints, *res = NULL;
	int rc;

	if (netaddr_from_host(out, host, port))
		return 0;
	pl_strcpy(host, name, sizeof(name));
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	rc = getaddrinfo(name, NULL, &hints, &res);
	if (rc != 0 || !res) {
		snprintf(err, errsz, "cannot resolve '%s': %s", name, rc ? gai_strerror(rc) : "no address");
		return -1;
	}
	memset(out, 0, sizeof(*out));
	memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
	out->len = res->ai_addrlen;
	netaddr_set_port(out, port);
	freeaddrinfo(res);
	return 0;
}

int route_resolve(struct route *r, char *err, size_t errsz)
{
	switch (r->dest) {
	case ROUTE_DEST_WSS_UA:
		snprintf(err, errsz, "wss-ua needs a WSS transport, which tandem does not have yet");
		return -1;
	case ROUTE_DEST_SIP_UA:
		break;
	case ROUTE_DEST_HOST:
		if (resolve_one(r->host, r->port, &r->addr, err, errsz) < 0)
			return -1;
		break;
	}
	if (r->op_set && resolve_one(r->op_host, r->op_port, &r->op_addr, err, errsz) < 0)
		return -1;
	r->resolved = true;
	return 0;
}
