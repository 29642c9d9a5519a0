/*
 * digest_parse.c - Digest challenge and credentials header values, read
 * and written (RFC 3261 §25.1 grammar, RFC 7616 parameters).
 *
 * The reader is deliberately forgiving where real peers are sloppy: LWS
 * around '=' and ',', bare tokens where quotes are due (algorithm="MD5",
 * qop=auth in a challenge, nc="00000001"), the scheme and parameter names
 * in any case, empty list elements and trailing commas. It is strict
 * where sloppiness would be dangerous: a parameter given twice, an
 * unterminated quoted string, or a control character in a value (the
 * values end up in RADIUS attributes and other headers).
 */
#include "digest.h"

#include <limits.h>
#include <string.h>

/* ------------------------------------------------------------ characters */

static bool is_lws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* RFC 3261 token: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" */
static bool is_token_char(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("-.!%*_+`'~", c) != NULL;
}

/*
 * A byte allowed inside a quoted string, bare or after a backslash: HTAB,
 * printable ASCII and UTF-8 bytes. RFC 3261 would let a quoted-pair carry
 * other controls too; nothing legitimate needs them and they must not
 * reach RADIUS or a log line.
 */
static bool is_quoted_char(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/*
 * A byte of a value written without quotes. Wider than token on purpose:
 * peers send nonces like abc/def= and URIs unquoted.
 */
static bool is_bare_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '"' && c != ',' && c != '\\';
}

static bool is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static unsigned hex_val(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	return (c | 0x20) - 'a' + 10;
}

/* ------------------------------------------------------------ value text */

int digest_unescape(struct pl s, char *out, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < s.l; i++) {
		if (s.p[i] == '\\' && i + 1 < s.l)
			i++;
		if (n + 1 >= cap)
			return -1;
		out[n++] = s.p[i];
	}
	if (cap == 0 || n > INT_MAX)
		return -1;
	out[n] = '\0';
	return (int)n;
}

/*
 * Compare the plain text of a value with a literal, ignoring case. Reads
 * through quoted-pairs so that algorithm="SHA\-256" still means SHA-256.
 */
static bool value_caseeq(struct digest_value v, const char *lit)
{
	size_t i = 0;

	for (; i < v.s.l; i++, lit++) {
		unsigned char a, b;

		if (v.escaped && v.s.p[i] == '\\' && i + 1 < v.s.l)
			i++;
		a = (unsigned char)v.s.p[i];
		b = (unsigned char)*lit;
		if (b == '\0')
			return false;
		if (a >= 'A' && a <= 'Z')
			a |= 0x20;
		if (b >= 'A' && b <= 'Z')
			b |= 0x20;
		if (a != b)
			return false;
	}
	return *lit == '\0';
}

/* ------------------------------------------------------------ names */

static const char *const algo_names[] = {
	[DIGEST_ALGO_MD5] = "MD5",
	[DIGEST_ALGO_MD5_SESS] = "MD5-sess",
	[DIGEST_ALGO_SHA256] = "SHA-256",
	[DIGEST_ALGO_SHA256_SESS] = "SHA-256-sess",
	[DIGEST_ALGO_SHA512_256] = "SHA-512-256",
	[DIGEST_ALGO_SHA512_256_SESS] = "SHA-512-256-sess",
};

static enum digest_algo algo_from_value(struct digest_value v)
{
	for (size_t i = 0; i < sizeof(algo_names) / sizeof(algo_names[0]); i++)
		if (value_caseeq(v, algo_names[i]))
			return (enum digest_algo)i;
	return DIGEST_ALGO_UNKNOWN;
}

enum digest_algo digest_algo_from_name(struct pl name)
{
	return algo_from_value(digest_plain(name));
}

const char *digest_algo_name(enum digest_algo algo)
{
	if ((unsigned)algo >= sizeof(algo_names) / sizeof(algo_names[0]))
		return NULL;
	return algo_names[algo];
}

size_t digest_algo_hexlen(enum digest_algo algo)
{
	switch (algo) {
	case DIGEST_ALGO_MD5:
	case DIGEST_ALGO_MD5_SESS:
		return 32;
	case DIGEST_ALGO_SHA256:
	case DIGEST_ALGO_SHA256_SESS:
	case DIGEST_ALGO_SHA512_256:
	case DIGEST_ALGO_SHA512_256_SESS:
		return 64;
	default:
		return 0;
	}
}

int digest_algo_strength(enum digest_algo algo)
{
	switch (algo) {
	case DIGEST_ALGO_MD5:
	case DIGEST_ALGO_MD5_SESS:
		return 1;
	case DIGEST_ALGO_SHA256:
	case DIGEST_ALGO_SHA256_SESS:
		return 2;
	case DIGEST_ALGO_SHA512_256:
	case DIGEST_ALGO_SHA512_256_SESS:
		return 3;
	default:
		return 0;
	}
}

const char *digest_qop_name(enum digest_qop qop)
{
	switch (qop) {
	case DIGEST_QOP_AUTH:
		return "auth";
	case DIGEST_QOP_AUTH_INT:
		return "auth-int";
	default:
		return NULL;
	}
}

static enum digest_qop qop_from_value(struct digest_value v)
{
	if (value_caseeq(v, "auth"))
		return DIGEST_QOP_AUTH;
	if (value_caseeq(v, "auth-int"))
		return DIGEST_QOP_AUTH_INT;
	return DIGEST_QOP_UNKNOWN;
}

/* ------------------------------------------------------------ scanning */

struct cursor {
	const char *p;
	const char *end;
};

static void skip_lws(struct cursor *c)
{
	while (c->p < c->end && is_lws((unsigned char)*c->p))
		c->p++;
}

/* "Digest" in any case, then LWS or the end of the value. */
static const char *scan_scheme(struct cursor *c)
{
	const char *start;

	skip_lws(c);
	if (c->p == c->end)
		return "Missing scheme";
	start = c->p;
	while (c->p < c->end && is_token_char((unsigned char)*c->p))
		c->p++;
	if (!pl_caseeq_str(pl_from(start, (size_t)(c->p - start)), "Digest"))
		return "Unknown scheme";
	if (c->p < c->end && !is_lws((unsigned char)*c->p))
		return "Unknown scheme";
	return NULL;
}

/* After the opening quote; leaves the cursor past the closing one. */
static const char *scan_quoted(struct cursor *c, struct digest_value *v)
{
	const char *start = c->p;

	v->quoted = true;
	v->escaped = false;
	for (;;) {
		unsigned char ch;

		if (c->p == c->end)
			return "Unterminated quoted string";
		ch = (unsigned char)*c->p;
		if (ch == '"')
			break;
		if (ch == '\\') {
			v->escaped = true;
			if (++c->p == c->end)
				return "Unterminated quoted string";
			ch = (unsigned char)*c->p;
		}
		if (!is_quoted_char(ch))
			return "Bad character in quoted string";
		c->p++;
	}
	v->s = pl_from(start, (size_t)(c->p - start));
	c->p++;
	return NULL;
}

/*
 * The next auth-param of a comma-separated list, skipping empty elements.
 * At the end of the list name->p is NULL.
 */
static const char *next_param(struct cursor *c, struct pl *name, struct digest_value *v)
{
	const char *start, *err;

	*name = PL_NULL;
	while (skip_lws(c), c->p < c->end && *c->p == ',')
		c->p++;
	if (c->p == c->end)
		return NULL;

	start = c->p;
	while (c->p < c->end && is_token_char((unsigned char)*c->p))
		c->p++;
	if (c->p == start)
		return "Bad parameter name";
	*name = pl_from(start, (size_t)(c->p - start));

	skip_lws(c);
	if (c->p == c->end || *c->p != '=')
		return "Missing '='";
	c->p++;
	skip_lws(c);
	if (c->p == c->end || *c->p == ',')
		return "Missing value";

	if (*c->p == '"') {
		c->p++;
		err = scan_quoted(c, v);
		if (err)
			return err;
	} else {
		start = c->p;
		while (c->p < c->end && is_bare_char((unsigned char)*c->p))
			c->p++;
		if (c->p == start)
			return "Bad value";
		*v = (struct digest_value){ pl_from(start, (size_t)(c->p - start)), false, false };
	}

	skip_lws(c);
	if (c->p < c->end && *c->p != ',')
		return "Expected ','";
	return NULL;
}

struct known_param {
	const char *name;
	const char *duplicate;
};

/*
 * Read the whole list: known parameters land in vals[] by their index in
 * known[], the others in params[]. Meaning is given later, by the caller.
 */
static const char *scan_params(struct pl hval, const struct known_param *known, size_t nknown,
			       struct digest_value *vals, struct digest_param *params,
			       unsigned *nparams)
{
	struct cursor c;
	const char *err;

	if (!hval.p)
		return "Missing scheme";
	c = (struct cursor){ hval.p, hval.p + hval.l };
	err = scan_scheme(&c);
	if (err)
		return err;

	for (;;) {
		struct pl name;
		struct digest_value v;
		size_t i;

		err = next_param(&c, &name, &v);
		if (err)
			return err;
		if (!name.p)
			return NULL;

		for (i = 0; i < nknown; i++)
			if (pl_caseeq_str(name, known[i].name))
				break;
		if (i < nknown) {
			if (digest_isset(vals[i]))
				return known[i].duplicate;
			vals[i] = v;
			continue;
		}
		for (unsigned j = 0; j < *nparams; j++)
			if (pl_caseeq(params[j].name, name))
				return "Duplicate parameter";
		if (*nparams == DIGEST_MAX_PARAMS)
			return "Too many parameters";
		params[(*nparams)++] = (struct digest_param){ name, v };
	}
}

/* ------------------------------------------------------------ challenge */

enum {
	CH_REALM, CH_DOMAIN, CH_NONCE, CH_OPAQUE, CH_STALE, CH_ALGORITHM,
	CH_QOP, CH_CHARSET, CH_USERHASH, CH_COUNT
};

static const struct known_param challenge_params[CH_COUNT] = {
	[CH_REALM] = { "realm", "Duplicate realm" },
	[CH_DOMAIN] = { "domain", "Duplicate domain" },
	[CH_NONCE] = { "nonce", "Duplicate nonce" },
	[CH_OPAQUE] = { "opaque", "Duplicate opaque" },
	[CH_STALE] = { "stale", "Duplicate stale" },
	[CH_ALGORITHM] = { "algorithm", "Duplicate algorithm" },
	[CH_QOP] = { "qop", "Duplicate qop" },
	[CH_CHARSET] = { "charset", "Duplicate charset" },
	[CH_USERHASH] = { "userhash", "Duplicate userhash" },
};

/*
 * qop-options is a quoted comma list; values we do not know are ignored
 * (RFC 7616 §3.3) but noted, so a caller can tell "no qop" from "no qop
 * we can do".
 */
static unsigned qop_set(struct digest_value v)
{
	struct cursor c;
	unsigned set = 0;

	if (!digest_isset(v))
		return 0;
	c = (struct cursor){ v.s.p, v.s.p + v.s.l };

	for (;;) {
		const char *start;
		struct digest_value item = v;

		while (skip_lws(&c), c.p < c.end && *c.p == ',')
			c.p++;
		if (c.p == c.end)
			return set;
		start = c.p;
		while (c.p < c.end && *c.p != ',' && !is_lws((unsigned char)*c.p))
			c.p++;
		item.s = pl_from(start, (size_t)(c.p - start));
		set |= qop_from_value(item);
	}
}

const char *digest_parse_challenge(struct pl hval, struct digest_challenge *out)
{
	struct digest_value v[CH_COUNT] = { 0 };
	const char *err;

	memset(out, 0, sizeof(*out));
	err = scan_params(hval, challenge_params, CH_COUNT, v, out->params, &out->nparams);
	if (err)
		return err;
	if (!digest_isset(v[CH_REALM]))
		return "Missing realm";
	if (!digest_isset(v[CH_NONCE]))
		return "Missing nonce";

	out->realm = v[CH_REALM];
	out->domain = v[CH_DOMAIN];
	out->nonce = v[CH_NONCE];
	out->opaque = v[CH_OPAQUE];
	out->algo_raw = v[CH_ALGORITHM];
	out->algo = digest_isset(v[CH_ALGORITHM]) ? algo_from_value(v[CH_ALGORITHM])
						  : DIGEST_ALGO_MD5;
	out->qop_raw = v[CH_QOP];
	out->qop = qop_set(v[CH_QOP]);
	out->charset = v[CH_CHARSET];
	/* RFC 2617 §3.2.1: anything but "true" means false. */
	out->stale = value_caseeq(v[CH_STALE], "true");
	out->userhash = value_caseeq(v[CH_USERHASH], "true");
	return NULL;
}

/* ------------------------------------------------------------ credentials */

enum {
	CR_USERNAME, CR_USERNAME_EXT, CR_REALM, CR_NONCE, CR_URI, CR_RESPONSE,
	CR_ALGORITHM, CR_CNONCE, CR_OPAQUE, CR_QOP, CR_NC, CR_USERHASH, CR_COUNT
};

static const struct known_param credential_params[CR_COUNT] = {
	[CR_USERNAME] = { "username", "Duplicate username" },
	[CR_USERNAME_EXT] = { "username*", "Duplicate username*" },
	[CR_REALM] = { "realm", "Duplicate realm" },
	[CR_NONCE] = { "nonce", "Duplicate nonce" },
	[CR_URI] = { "uri", "Duplicate uri" },
	[CR_RESPONSE] = { "response", "Duplicate response" },
	[CR_ALGORITHM] = { "algorithm", "Duplicate algorithm" },
	[CR_CNONCE] = { "cnonce", "Duplicate cnonce" },
	[CR_OPAQUE] = { "opaque", "Duplicate opaque" },
	[CR_QOP] = { "qop", "Duplicate qop" },
	[CR_NC] = { "nc", "Duplicate nc" },
	[CR_USERHASH] = { "userhash", "Duplicate userhash" },
};

/* nc-value = 8LHEX; upper case tolerated. Quoted-pairs are not. */
static bool parse_nc(struct digest_value v, uint32_t *nc)
{
	uint32_t n = 0;

	if (v.escaped || v.s.l != 8)
		return false;
	for (size_t i = 0; i < 8; i++) {
		if (!is_hex((unsigned char)v.s.p[i]))
			return false;
		n = n << 4 | hex_val((unsigned char)v.s.p[i]);
	}
	*nc = n;
	return true;
}

/* request-digest = LDQUOT 32LHEX RDQUOT, 64 for the SHA-2 family. */
static bool response_ok(struct digest_value v, enum digest_algo algo)
{
	size_t want = digest_algo_hexlen(algo);

	if (v.escaped || v.s.l == 0 || (want && v.s.l != want))
		return false;
	for (size_t i = 0; i < v.s.l; i++)
		if (!is_hex((unsigned char)v.s.p[i]))
			return false;
	return true;
}

const char *digest_parse_credentials(struct pl hval, struct digest_credentials *out)
{
	struct digest_value v[CR_COUNT] = { 0 };
	const char *err;

	memset(out, 0, sizeof(*out));
	err = scan_params(hval, credential_params, CR_COUNT, v, out->params, &out->nparams);
	if (err)
		return err;
	if (!digest_isset(v[CR_USERNAME]) && !digest_isset(v[CR_USERNAME_EXT]))
		return "Missing username";
	/* RFC 7616 §3.4: username and username* MUST NOT both be present. */
	if (digest_isset(v[CR_USERNAME]) && digest_isset(v[CR_USERNAME_EXT]))
		return "Both username and username*";
	if (!digest_isset(v[CR_REALM]))
		return "Missing realm";
	if (!digest_isset(v[CR_NONCE]))
		return "Missing nonce";
	if (!digest_isset(v[CR_URI]))
		return "Missing uri";
	if (!digest_isset(v[CR_RESPONSE]))
		return "Missing response";

	out->algo = digest_isset(v[CR_ALGORITHM]) ? algo_from_value(v[CR_ALGORITHM])
						  : DIGEST_ALGO_MD5;
	if (!response_ok(v[CR_RESPONSE], out->algo))
		return "Bad response";

	if (digest_isset(v[CR_QOP])) {
		out->qop = qop_from_value(v[CR_QOP]);
		if (!digest_isset(v[CR_CNONCE]))
			return "Missing cnonce";
		if (!digest_isset(v[CR_NC]))
			return "Missing nc";
	}
	if (digest_isset(v[CR_NC]) && !parse_nc(v[CR_NC], &out->nc))
		return "Bad nc";

	out->username = v[CR_USERNAME];
	out->username_ext = v[CR_USERNAME_EXT];
	out->realm = v[CR_REALM];
	out->nonce = v[CR_NONCE];
	out->uri = v[CR_URI];
	out->response = v[CR_RESPONSE];
	out->algo_raw = v[CR_ALGORITHM];
	out->cnonce = v[CR_CNONCE];
	out->opaque = v[CR_OPAQUE];
	out->qop_raw = v[CR_QOP];
	out->nc_raw = v[CR_NC];
	out->userhash = value_caseeq(v[CR_USERHASH], "true");
	return NULL;
}

/* ------------------------------------------------------------ writing */

struct wbuf {
	char *p;
	size_t cap;
	size_t len;
	unsigned nparams;	/* written so far: the first one follows a space */
	bool fail;
};

static void put(struct wbuf *w, const char *s, size_t n)
{
	if (w->fail || n == 0)
		return;
	/* Keep one byte for the NUL. */
	if (n >= w->cap - w->len) {
		w->fail = true;
		return;
	}
	memcpy(w->p + w->len, s, n);
	w->len += n;
}

static void put_str(struct wbuf *w, const char *s)
{
	put(w, s, strlen(s));
}

/* Already-escaped text must still be a valid quoted-string body. */
static bool escaped_ok(struct pl s)
{
	for (size_t i = 0; i < s.l; i++) {
		unsigned char c = (unsigned char)s.p[i];

		if (c == '"')
			return false;
		if (c == '\\' && ++i == s.l)
			return false;
		if (!is_quoted_char((unsigned char)s.p[i]))
			return false;
	}
	return true;
}

static void put_quoted(struct wbuf *w, struct digest_value v)
{
	put(w, "\"", 1);
	if (v.escaped) {
		if (!escaped_ok(v.s))
			w->fail = true;
		else
			put(w, v.s.p, v.s.l);
	} else {
		for (size_t i = 0; i < v.s.l; i++) {
			unsigned char c = (unsigned char)v.s.p[i];

			if (!is_quoted_char(c)) {
				w->fail = true;
				return;
			}
			if (c == '"' || c == '\\')
				put(w, "\\", 1);
			put(w, &v.s.p[i], 1);
		}
	}
	put(w, "\"", 1);
}

static bool is_bare(struct digest_value v)
{
	if (v.quoted || v.escaped || v.s.l == 0)
		return false;
	for (size_t i = 0; i < v.s.l; i++)
		if (!is_bare_char((unsigned char)v.s.p[i]))
			return false;
	return true;
}

/* Bare when it was bare and still can be, quoted otherwise. */
static void put_as_is(struct wbuf *w, struct digest_value v)
{
	if (is_bare(v))
		put(w, v.s.p, v.s.l);
	else
		put_quoted(w, v);
}

static void put_name(struct wbuf *w, struct pl name)
{
	put_str(w, w->nparams++ ? ", " : " ");
	put(w, name.p, name.l);
	put(w, "=", 1);
}

static void put_q(struct wbuf *w, struct pl name, struct digest_value v)
{
	if (!digest_isset(v))
		return;
	put_name(w, name);
	put_quoted(w, v);
}

static void put_v(struct wbuf *w, struct pl name, struct digest_value v)
{
	if (!digest_isset(v))
		return;
	put_name(w, name);
	put_as_is(w, v);
}

static void put_algorithm(struct wbuf *w, enum digest_algo algo, struct digest_value raw)
{
	const char *name = digest_algo_name(algo);

	if (name) {
		put_name(w, PL("algorithm"));
		put_str(w, name);
	} else if (digest_isset(raw)) {
		put_v(w, PL("algorithm"), raw);
	} else {
		w->fail = true;
	}
}

static void put_params(struct wbuf *w, const struct digest_param *params, unsigned n)
{
	if (n > DIGEST_MAX_PARAMS) {
		w->fail = true;
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		struct pl name = params[i].name;

		if (name.l == 0 || !digest_isset(params[i].value)) {
			w->fail = true;
			return;
		}
		for (size_t j = 0; j < name.l; j++)
			if (!is_token_char((unsigned char)name.p[j]))
				w->fail = true;
		put_name(w, name);
		put_as_is(w, params[i].value);
	}
}

static int finish(struct wbuf *w)
{
	if (w->fail || w->len > INT_MAX) {
		if (w->cap)
			w->p[0] = '\0';
		return -1;
	}
	w->p[w->len] = '\0';
	return (int)w->len;
}

/* A challenge's qop-options from its AUTH and AUTH_INT bits. */
static const char *const qop_list[4] = {
	[DIGEST_QOP_AUTH] = "\"auth\"",
	[DIGEST_QOP_AUTH_INT] = "\"auth-int\"",
	[DIGEST_QOP_AUTH | DIGEST_QOP_AUTH_INT] = "\"auth,auth-int\"",
};

int digest_write_challenge(char *buf, size_t cap, const struct digest_challenge *ch)
{
	struct wbuf w = { buf, cap, 0, 0, cap == 0 };

	put_str(&w, "Digest");
	put_q(&w, PL("realm"), ch->realm);
	put_q(&w, PL("domain"), ch->domain);
	put_q(&w, PL("nonce"), ch->nonce);
	put_q(&w, PL("opaque"), ch->opaque);
	if (ch->stale) {
		put_name(&w, PL("stale"));
		put_str(&w, "true");
	}
	put_algorithm(&w, ch->algo, ch->algo_raw);
	if (qop_list[ch->qop & 3]) {
		put_name(&w, PL("qop"));
		put_str(&w, qop_list[ch->qop & 3]);
	} else {
		put_q(&w, PL("qop"), ch->qop_raw);
	}
	put_v(&w, PL("charset"), ch->charset);
	if (ch->userhash) {
		put_name(&w, PL("userhash"));
		put_str(&w, "true");
	}
	put_params(&w, ch->params, ch->nparams);
	return finish(&w);
}

int digest_write_credentials(char *buf, size_t cap, const struct digest_credentials *cr)
{
	struct wbuf w = { buf, cap, 0, 0, cap == 0 };
	const char *qop = digest_qop_name(cr->qop);

	put_str(&w, "Digest");
	put_q(&w, PL("username"), cr->username);
	put_v(&w, PL("username*"), cr->username_ext);
	put_q(&w, PL("realm"), cr->realm);
	put_q(&w, PL("nonce"), cr->nonce);
	put_q(&w, PL("uri"), cr->uri);
	put_q(&w, PL("response"), cr->response);
	put_algorithm(&w, cr->algo, cr->algo_raw);
	put_q(&w, PL("cnonce"), cr->cnonce);
	put_q(&w, PL("opaque"), cr->opaque);
	if (qop) {
		put_name(&w, PL("qop"));
		put_str(&w, qop);
	} else if (cr->qop != DIGEST_QOP_NONE) {
		if (digest_isset(cr->qop_raw))
			put_v(&w, PL("qop"), cr->qop_raw);
		else
			w.fail = true;
	}
	if (cr->qop != DIGEST_QOP_NONE || digest_isset(cr->nc_raw)) {
		static const char hex[] = "0123456789abcdef";
		char nc[8];

		for (int i = 0; i < 8; i++)
			nc[i] = hex[(cr->nc >> (28 - 4 * i)) & 0xf];
		put_name(&w, PL("nc"));
		put(&w, nc, sizeof(nc));
	}
	if (cr->userhash) {
		put_name(&w, PL("userhash"));
		put_str(&w, "true");
	}
	put_params(&w, cr->params, cr->nparams);
	return finish(&w);
}
