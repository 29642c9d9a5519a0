/*
 * digest_compute.c - the Digest response (RFC 7616 §3.4.1-3.4.3, RFC 2617
 * §3.2.2, RFC 2069), its verification, and answering a challenge.
 *
 *   HA1      = H(username:realm:password)           (or a stored HA1)
 *   HA1-sess = H(HA1:nonce:cnonce)                  (the -sess algorithms)
 *   HA2      = H(method:uri)
 *   response = H(HA1:nonce:nc:cnonce:qop:HA2)       (qop=auth)
 *            = H(HA1:nonce:HA2)                     (no qop, RFC 2069)
 *
 * Every H() is hex, lower case. Inputs are struct digest_value so that
 * values straight from the parser, quoted-pairs and all, hash as their
 * plain text without being copied out first.
 */
#include "digest.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

static const EVP_MD *algo_md(enum digest_algo algo)
{
	switch (algo) {
	case DIGEST_ALGO_MD5:
	case DIGEST_ALGO_MD5_SESS:
		return EVP_md5();
	case DIGEST_ALGO_SHA256:
	case DIGEST_ALGO_SHA256_SESS:
		return EVP_sha256();
	case DIGEST_ALGO_SHA512_256:
	case DIGEST_ALGO_SHA512_256_SESS:
		return EVP_sha512_256();
	default:
		return NULL;
	}
}

static bool algo_sess(enum digest_algo algo)
{
	return algo == DIGEST_ALGO_MD5_SESS || algo == DIGEST_ALGO_SHA256_SESS ||
	       algo == DIGEST_ALGO_SHA512_256_SESS;
}

static void to_hex(const unsigned char *bin, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[bin[i] >> 4];
		out[2 * i + 1] = hex[bin[i] & 0xf];
	}
	out[2 * n] = '\0';
}

/* Feed the plain text of a value: the bytes between quoted-pair backslashes. */
static int update_value(EVP_MD_CTX *ctx, struct digest_value v)
{
	const char *p, *end;

	if (v.s.l == 0)
		return 1;
	if (!v.escaped)
		return EVP_DigestUpdate(ctx, v.s.p, v.s.l);
	p = v.s.p;
	end = p + v.s.l;
	while (p < end) {
		const char *run = p;

		while (p < end && *p != '\\')
			p++;
		if (p > run && !EVP_DigestUpdate(ctx, run, (size_t)(p - run)))
			return 0;
		if (p == end)
			break;
		/* Skip the backslash, keep what it escapes; a trailing one is itself. */
		if (p + 1 < end)
			p++;
		if (!EVP_DigestUpdate(ctx, p, 1))
			return 0;
		p++;
	}
	return 1;
}

/*
 * out = hex(H(parts[0] ":" parts[1] ":" ...)); returns the hex length or
 * -1. One context serves all the hashes of a response.
 */
static int hash_hex(EVP_MD_CTX *ctx, const EVP_MD *md, const struct digest_value *parts,
		    size_t n, char out[DIGEST_HEX_SIZE])
{
	unsigned char bin[EVP_MAX_MD_SIZE];
	unsigned int binlen = 0;
	int ok = EVP_DigestInit_ex(ctx, md, NULL);

	for (size_t i = 0; ok && i < n; i++) {
		if (i)
			ok = EVP_DigestUpdate(ctx, ":", 1);
		ok = ok && update_value(ctx, parts[i]);
	}
	ok = ok && EVP_DigestFinal_ex(ctx, bin, &binlen);
	if (!ok || binlen * 2 > DIGEST_HEX_MAX)
		return -1;
	to_hex(bin, binlen, out);
	return (int)binlen * 2;
}

/* The same with a context of its own, for the one-hash callers. */
static int hash_hex_once(const EVP_MD *md, const struct digest_value *parts, size_t n,
			 char out[DIGEST_HEX_SIZE])
{
	EVP_MD_CTX *ctx;
	int len;

	if (!md || !(ctx = EVP_MD_CTX_new()))
		return -1;
	len = hash_hex(ctx, md, parts, n, out);
	EVP_MD_CTX_free(ctx);
	return len;
}

/*
 * A stored HA1 is trusted only as hex of the right length; upper case is
 * folded, since the response must hash it in lower case.
 */
static bool normalize_ha1(struct pl in, size_t hexlen, char out[DIGEST_HEX_SIZE])
{
	if (in.l != hexlen || hexlen > DIGEST_HEX_MAX)
		return false;
	for (size_t i = 0; i < in.l; i++) {
		char c = in.p[i];

		if (c >= 'A' && c <= 'F')
			c = (char)(c | 0x20);
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
		out[i] = c;
	}
	out[in.l] = '\0';
	return true;
}

/*
 * Everything one response needs; set either password or ha1. nc_text and
 * qop_text, when set, are hashed as the client wrote them (a verifier
 * must hash "0000000A" if that is what was sent).
 */
struct calc {
	enum digest_algo algo;
	struct digest_value username, realm, password;
	struct pl ha1;
	struct pl method;
	struct digest_value uri, nonce, cnonce;
	uint32_t nc;
	struct digest_value nc_text;
	enum digest_qop qop;
	struct digest_value qop_text;
};

static int calc_steps(EVP_MD_CTX *ctx, const struct calc *c, char out[DIGEST_HEX_SIZE])
{
	static const char hex[] = "0123456789abcdef";
	const EVP_MD *md = algo_md(c->algo);
	size_t hexlen = digest_algo_hexlen(c->algo);
	char ha1[DIGEST_HEX_SIZE], sess[DIGEST_HEX_SIZE], ha2[DIGEST_HEX_SIZE], nc[8];
	struct digest_value h1, h2, nc_text, qop_text;

	if (pl_isset(c->ha1)) {
		if (!normalize_ha1(c->ha1, hexlen, ha1))
			return -1;
	} else {
		const struct digest_value p[] = { c->username, c->realm, c->password };

		if (hash_hex(ctx, md, p, 3, ha1) < 0)
			return -1;
	}
	h1 = digest_plain(pl_from(ha1, hexlen));
	if (algo_sess(c->algo)) {
		const struct digest_value p[] = { h1, c->nonce, c->cnonce };

		if (hash_hex(ctx, md, p, 3, sess) < 0)
			return -1;
		h1 = digest_plain(pl_from(sess, hexlen));
	}

	{
		const struct digest_value p[] = { digest_plain(c->method), c->uri };

		if (hash_hex(ctx, md, p, 2, ha2) < 0)
			return -1;
		h2 = digest_plain(pl_from(ha2, hexlen));
	}

	if (c->qop == DIGEST_QOP_NONE) {
		const struct digest_value p[] = { h1, c->nonce, h2 };

		return hash_hex(ctx, md, p, 3, out);
	}

	for (int i = 0; i < 8; i++)
		nc[i] = hex[(c->nc >> (28 - 4 * i)) & 0xf];
	nc_text = digest_isset(c->nc_text) ? c->nc_text : digest_plain(pl_from(nc, 8));
	qop_text = digest_isset(c->qop_text) ? c->qop_text : digest_plain(PL("auth"));
	{
		const struct digest_value p[] = { h1, c->nonce, nc_text, c->cnonce, qop_text, h2 };

		return hash_hex(ctx, md, p, 6, out);
	}
}

static int calc_response(const struct calc *c, char out[DIGEST_HEX_SIZE])
{
	EVP_MD_CTX *ctx;
	int len;

	if (!algo_md(c->algo) || (c->qop != DIGEST_QOP_NONE && c->qop != DIGEST_QOP_AUTH))
		return -1;
	/* -sess hashes the cnonce into HA1, qop=auth into the response. */
	if ((algo_sess(c->algo) || c->qop != DIGEST_QOP_NONE) && !digest_isset(c->cnonce))
		return -1;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -1;
	len = calc_steps(ctx, c, out);
	EVP_MD_CTX_free(ctx);
	return len;
}

int digest_compute_ha1(enum digest_algo algo, struct pl username, struct pl realm,
		       struct pl password, char out[DIGEST_HEX_SIZE])
{
	const struct digest_value p[] = {
		digest_plain(username), digest_plain(realm), digest_plain(password)
	};

	return hash_hex_once(algo_md(algo), p, 3, out);
}

int digest_compute_userhash(enum digest_algo algo, struct pl username, struct pl realm,
			    char out[DIGEST_HEX_SIZE])
{
	const struct digest_value p[] = { digest_plain(username), digest_plain(realm) };

	return hash_hex_once(algo_md(algo), p, 2, out);
}

int digest_compute_response(enum digest_algo algo, struct pl username, struct pl realm,
			    struct pl password, struct pl method, struct pl uri,
			    struct pl nonce, struct pl cnonce, uint32_t nc,
			    enum digest_qop qop, char out[DIGEST_HEX_SIZE])
{
	const struct calc c = {
		.algo = algo,
		.username = digest_plain(username),
		.realm = digest_plain(realm),
		.password = digest_plain(password),
		.method = method,
		.uri = digest_plain(uri),
		.nonce = digest_plain(nonce),
		.cnonce = digest_plain(cnonce),
		.nc = nc,
		.qop = qop,
	};

	return calc_response(&c, out);
}

int digest_compute_response_ha1(enum digest_algo algo, struct pl ha1_hex,
				struct pl method, struct pl uri, struct pl nonce,
				struct pl cnonce, uint32_t nc, enum digest_qop qop,
				char out[DIGEST_HEX_SIZE])
{
	const struct calc c = {
		.algo = algo,
		.ha1 = pl_isset(ha1_hex) ? ha1_hex : pl_from("", 0),
		.method = method,
		.uri = digest_plain(uri),
		.nonce = digest_plain(nonce),
		.cnonce = digest_plain(cnonce),
		.nc = nc,
		.qop = qop,
	};

	return calc_response(&c, out);
}

/*
 * Shared by both verify forms: compute what the response should be and
 * compare it, folded to lower case, in constant time.
 */
static bool verify(const struct digest_credentials *cr, struct calc *c)
{
	char want[DIGEST_HEX_SIZE], got[DIGEST_HEX_SIZE];
	size_t n = cr->response.s.l;
	int len;

	if (cr->response.escaped || n == 0 || n > DIGEST_HEX_MAX)
		return false;
	c->algo = cr->algo;
	c->realm = cr->realm;
	c->uri = cr->uri;
	c->nonce = cr->nonce;
	c->cnonce = cr->cnonce;
	c->nc = cr->nc;
	c->nc_text = cr->nc_raw;
	c->qop = cr->qop;
	c->qop_text = cr->qop_raw;
	len = calc_response(c, want);
	if (len < 0 || (size_t)len != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = cr->response.s.p[i];

		got[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch | 0x20) : ch;
	}
	return CRYPTO_memcmp(want, got, n) == 0;
}

bool digest_verify(const struct digest_credentials *cr, struct pl method, struct pl password)
{
	struct calc c = {
		.username = cr->username,
		.password = digest_plain(password),
		.method = method,
	};

	if (cr->userhash || !digest_isset(cr->username))
		return false;
	return verify(cr, &c);
}

bool digest_verify_ha1(const struct digest_credentials *cr, struct pl method, struct pl ha1_hex)
{
	struct calc c = {
		.ha1 = pl_isset(ha1_hex) ? ha1_hex : pl_from("", 0),
		.method = method,
	};

	return verify(cr, &c);
}

int digest_cnonce(char *out, size_t cap)
{
	unsigned char bin[DIGEST_CNONCE_LEN / 2];

	if (cap < DIGEST_CNONCE_SIZE || RAND_bytes(bin, sizeof(bin)) != 1)
		return -1;
	to_hex(bin, sizeof(bin), out);
	return DIGEST_CNONCE_LEN;
}

int digest_answer(struct digest_answer *ans, const struct digest_challenge *ch,
		  struct pl username, struct pl password, struct pl method,
		  struct pl uri, uint32_t nc)
{
	struct digest_credentials *cr = &ans->cred;
	struct calc c = {
		.algo = ch->algo,
		.username = digest_plain(username),
		.realm = ch->realm,
		.password = digest_plain(password),
		.method = method,
		.uri = digest_plain(uri),
		.nonce = ch->nonce,
		.nc = nc,
	};
	int len;

	memset(cr, 0, sizeof(*cr));
	if (!algo_md(ch->algo))
		return -1;
	/* RFC 7616 §3.3: ignore qop values we do not know; no qop at all is RFC 2069. */
	if (ch->qop & DIGEST_QOP_AUTH)
		c.qop = DIGEST_QOP_AUTH;
	else if (digest_isset(ch->qop_raw))
		return -1;
	if (c.qop != DIGEST_QOP_NONE || algo_sess(ch->algo)) {
		if (digest_cnonce(ans->cnonce, sizeof(ans->cnonce)) < 0)
			return -1;
		c.cnonce = digest_plain(pl_from(ans->cnonce, DIGEST_CNONCE_LEN));
	}

	len = calc_response(&c, ans->response);
	if (len < 0)
		return -1;

	if (ch->userhash) {
		const struct digest_value p[] = { c.username, ch->realm };
		int n = hash_hex_once(algo_md(ch->algo), p, 2, ans->userhash);

		if (n < 0)
			return -1;
		cr->username = digest_plain(pl_from(ans->userhash, (size_t)n));
		cr->userhash = true;
	} else {
		cr->username = c.username;
	}
	cr->realm = ch->realm;
	cr->nonce = ch->nonce;
	cr->uri = c.uri;
	cr->response = digest_plain(pl_from(ans->response, (size_t)len));
	cr->algo = ch->algo;
	cr->cnonce = c.cnonce;
	cr->opaque = ch->opaque;
	cr->qop = c.qop;
	cr->nc = nc;
	return 0;
}
