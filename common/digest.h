/*
 * digest.h - HTTP Digest authentication as SIP uses it (RFC 3261 §22,
 * RFC 7616, RFC 8760).
 *
 * Three jobs, three files:
 *   digest_parse.c    WWW-/Proxy-Authenticate and (Proxy-)Authorization
 *                     header values, both directions (parse and write)
 *   digest_compute.c  response hashes (OpenSSL EVP), verification, and
 *                     answering a challenge
 *   digest_nonce.c    stateless nonces: base64url(ts || HMAC(ts || realm))
 *
 * The parser is zero-copy: every value is a slice of the caller's header
 * value, which must outlive the parsed struct. Quoted values are given
 * without their quotes; when they still hold quoted-pairs (\" or \\) the
 * value says so and digest_unescape() copies the plain text out. The
 * compute and verify functions read escaped values directly, so the
 * common path never copies.
 *
 * Nothing here logs, allocates (OpenSSL's EVP contexts aside) or keeps
 * state between calls.
 */
#ifndef TANDEM_DIGEST_H
#define TANDEM_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "pl.h"

/* Unknown auth-params kept per header value; one more is an error. */
#define DIGEST_MAX_PARAMS 8

/* Longest lower-case hex digest (SHA-256, SHA-512/256), and a buffer for it. */
#define DIGEST_HEX_MAX 64
#define DIGEST_HEX_SIZE (DIGEST_HEX_MAX + 1)

/* A nonce from digest_nonce_make(): 32 base64url characters. */
#define DIGEST_NONCE_LEN 32
#define DIGEST_NONCE_SIZE (DIGEST_NONCE_LEN + 1)

/* A cnonce from digest_cnonce(): 32 lower-case hex characters. */
#define DIGEST_CNONCE_LEN 32
#define DIGEST_CNONCE_SIZE (DIGEST_CNONCE_LEN + 1)

/*
 * The "algorithm" parameter. An absent parameter means MD5, hence MD5 is
 * zero. Names are matched case-insensitively; anything else is UNKNOWN,
 * which is not a parse error (the caller decides).
 */
enum digest_algo {
	DIGEST_ALGO_MD5 = 0,
	DIGEST_ALGO_MD5_SESS,
	DIGEST_ALGO_SHA256,
	DIGEST_ALGO_SHA256_SESS,
	DIGEST_ALGO_SHA512_256,
	DIGEST_ALGO_SHA512_256_SESS,
	DIGEST_ALGO_UNKNOWN,
};

/*
 * The "qop" parameter. Credentials carry one value; a challenge carries a
 * set, as an OR of these bits (UNKNOWN set when a value was not
 * recognised).
 */
enum digest_qop {
	DIGEST_QOP_NONE = 0,		/* no qop: RFC 2069 compatibility */
	DIGEST_QOP_AUTH = 1,
	DIGEST_QOP_AUTH_INT = 2,
	DIGEST_QOP_UNKNOWN = 4,
};

/* One parameter value. */
struct digest_value {
	struct pl s;		/* quotes removed; s.p == NULL when absent */
	bool quoted;		/* it was a quoted-string */
	bool escaped;		/* s still holds quoted-pairs: see digest_unescape() */
};

/* An auth-param this module does not know, kept for the caller. */
struct digest_param {
	struct pl name;
	struct digest_value value;
};

/* WWW-Authenticate / Proxy-Authenticate: one challenge per header value. */
struct digest_challenge {
	struct digest_value realm;	/* required */
	struct digest_value domain;	/* space-separated URIs, as written */
	struct digest_value nonce;	/* required */
	struct digest_value opaque;
	enum digest_algo algo;		/* MD5 when absent */
	struct digest_value algo_raw;	/* "algorithm" as written */
	unsigned qop;			/* OR of enum digest_qop; 0 when absent */
	struct digest_value qop_raw;	/* the qop-options list as written */
	struct digest_value charset;	/* RFC 7616: only "UTF-8" is defined */
	bool stale;			/* stale=true (any case) */
	bool userhash;			/* userhash=true: send H(user:realm) */
	unsigned nparams;
	struct digest_param params[DIGEST_MAX_PARAMS];
};

/* Authorization / Proxy-Authorization. */
struct digest_credentials {
	struct digest_value username;	/* this or username_ext is required */
	struct digest_value username_ext; /* username* (RFC 8187 ext-value), undecoded */
	struct digest_value realm;	/* required */
	struct digest_value nonce;	/* required */
	struct digest_value uri;	/* required */
	struct digest_value response;	/* required; hex, length checked for known algos */
	enum digest_algo algo;		/* MD5 when absent */
	struct digest_value algo_raw;
	struct digest_value cnonce;	/* required with qop */
	struct digest_value opaque;
	enum digest_qop qop;		/* NONE when absent */
	struct digest_value qop_raw;
	uint32_t nc;			/* nonce count; required with qop */
	struct digest_value nc_raw;	/* the 8 hex digits as written (for RADIUS) */
	bool userhash;			/* username is H(username:realm) */
	unsigned nparams;
	struct digest_param params[DIGEST_MAX_PARAMS];
};

/* A plain (unquoted, unescaped) value, for filling a struct to write. */
static inline struct digest_value digest_plain(struct pl s)
{
	return (struct digest_value){ s, false, false };
}

static inline bool digest_isset(struct digest_value v)
{
	return v.s.p != NULL;
}

/* ------------------------------------------------------------ parse/write */

/*
 * Parse a header value ("Digest realm=..., ..."). Return NULL on success,
 * else a short static reason ("Missing nonce", "Duplicate realm",
 * "Unterminated quoted string", "Unknown scheme", "Bad nc", ...) fit for a
 * log line or a 400 reason phrase. On error *out is partly filled and must
 * not be used.
 */
const char *digest_parse_challenge(struct pl hval, struct digest_challenge *out);
const char *digest_parse_credentials(struct pl hval, struct digest_credentials *out);

/*
 * Write a header value, NUL-terminated, into buf. Return its length, or -1
 * if it does not fit in cap or a value cannot be written (a control
 * character, an UNKNOWN algorithm or qop with no raw text). Values with
 * escaped set are written as they are; others are quoted and escaped as
 * needed. The algorithm is always written (MD5 included); a challenge's
 * qop comes from the AUTH/AUTH_INT bits (qop_raw when none is set), in
 * quotes; a credential's qop is a bare token, and nc is 8 hex digits.
 */
int digest_write_challenge(char *buf, size_t cap, const struct digest_challenge *ch);
int digest_write_credentials(char *buf, size_t cap, const struct digest_credentials *cr);

/*
 * Copy a value out without its quoted-pairs, NUL-terminated. Return the
 * length, or -1 if it does not fit (cap must exceed the length).
 */
int digest_unescape(struct pl s, char *out, size_t cap);

/* Case-insensitive name to algorithm; UNKNOWN when not one of the six. */
enum digest_algo digest_algo_from_name(struct pl name);
/* "MD5", "SHA-256-sess", ...; NULL for UNKNOWN. */
const char *digest_algo_name(enum digest_algo algo);
/* Hex length of the algorithm's hash (32 or 64); 0 for UNKNOWN. */
size_t digest_algo_hexlen(enum digest_algo algo);
/*
 * For picking among several challenges: 0 for UNKNOWN (unsupported), then
 * MD5 < SHA-256 < SHA-512-256; a -sess variant ranks as its base. On a tie
 * keep the first header (RFC 7616 §3.7: servers list their preference
 * first).
 */
int digest_algo_strength(enum digest_algo algo);
/* "auth", "auth-int"; NULL otherwise. */
const char *digest_qop_name(enum digest_qop qop);

/* -------------------------------------------------------------- compute */

/*
 * All outputs are lower-case hex, NUL-terminated, into out[DIGEST_HEX_SIZE];
 * the return value is the hex length, or -1 (UNKNOWN algorithm, qop
 * auth-int or UNKNOWN, a -sess algorithm without cnonce, a malformed HA1,
 * or an OpenSSL failure such as MD5 refused in FIPS mode).
 *
 * qop auth-int is not computed: the entity-body hash would need the body,
 * sigd never offers it, and a challenge offering only auth-int is refused.
 */

/* H(username ":" realm ":" password): what a user database stores. */
int digest_compute_ha1(enum digest_algo algo, struct pl username, struct pl realm,
		       struct pl password, char out[DIGEST_HEX_SIZE]);

/* H(username ":" realm): the username sent when userhash=true. */
int digest_compute_userhash(enum digest_algo algo, struct pl username, struct pl realm,
			    char out[DIGEST_HEX_SIZE]);

/*
 * The "response" value. With qop NONE (RFC 2069): H(HA1:nonce:HA2), cnonce
 * and nc unused (cnonce still required by -sess). With qop AUTH:
 * H(HA1:nonce:nc:cnonce:auth:HA2), nc as 8 lower-case hex digits.
 */
int digest_compute_response(enum digest_algo algo, struct pl username, struct pl realm,
			    struct pl password, struct pl method, struct pl uri,
			    struct pl nonce, struct pl cnonce, uint32_t nc,
			    enum digest_qop qop, char out[DIGEST_HEX_SIZE]);

/* The same from a stored HA1 (hex, either case, H(username:realm:password)). */
int digest_compute_response_ha1(enum digest_algo algo, struct pl ha1_hex,
				struct pl method, struct pl uri, struct pl nonce,
				struct pl cnonce, uint32_t nc, enum digest_qop qop,
				char out[DIGEST_HEX_SIZE]);

/*
 * True only if cr->response is right for this request method and password
 * (or stored HA1), compared in constant time. False for an UNKNOWN
 * algorithm or qop, for auth-int, and (password form only) for
 * userhash=true: the username in the header is then a hash, so look the
 * user up and use digest_verify_ha1(). Checking the nonce
 * (digest_nonce_check), the realm and that uri matches the Request-URI
 * is the caller's job.
 */
bool digest_verify(const struct digest_credentials *cr, struct pl method, struct pl password);
bool digest_verify_ha1(const struct digest_credentials *cr, struct pl method, struct pl ha1_hex);

/* A fresh cnonce: 16 bytes from RAND_bytes as hex. Return its length or -1. */
int digest_cnonce(char *out, size_t cap);

/*
 * The credentials answering a challenge, ready for
 * digest_write_credentials(). Slices point into ch, the arguments and the
 * buffers below: keep those alive and do not copy or move the struct.
 */
struct digest_answer {
	struct digest_credentials cred;
	char cnonce[DIGEST_CNONCE_SIZE];
	char response[DIGEST_HEX_SIZE];
	char userhash[DIGEST_HEX_SIZE];
};

/*
 * Answer ch for username/password: qop auth if offered, no qop if the
 * challenge has none (RFC 2069), a fresh cnonce when needed, opaque echoed,
 * username hashed when ch->userhash. Return 0, or -1 if the challenge
 * cannot be answered (UNKNOWN algorithm, only auth-int or unknown qops
 * offered) or OpenSSL fails.
 */
int digest_answer(struct digest_answer *ans, const struct digest_challenge *ch,
		  struct pl username, struct pl password, struct pl method,
		  struct pl uri, uint32_t nc);

/* ---------------------------------------------------------------- nonce */

enum digest_nonce_status {
	DIGEST_NONCE_OK,
	DIGEST_NONCE_STALE,	/* ours, but older than lifetime (or from the future) */
	DIGEST_NONCE_BAD,	/* not ours: malformed, forged, or another realm */
};

/*
 * A stateless nonce for realm at time now: base64url without padding of
 * ts (8 bytes, big-endian seconds) || HMAC-SHA256(secret, ts || realm)
 * truncated to 16 bytes. Writes DIGEST_NONCE_LEN characters and a NUL.
 * Return the length, or -1 (cap too small, empty secret, OpenSSL failure).
 */
int digest_nonce_make(const uint8_t *secret, size_t secretlen, struct pl realm,
		      time_t now, char *out, size_t cap);

/*
 * Check a nonce from credentials: BAD unless it is exactly one we made for
 * this secret and realm (HMAC compared in constant time), STALE if older
 * than lifetime seconds or stamped after now, else OK. Being stateless, a
 * nonce can be replayed within its lifetime.
 */
enum digest_nonce_status digest_nonce_check(const uint8_t *secret, size_t secretlen,
					    struct pl realm, struct pl nonce,
					    time_t now, unsigned lifetime);

#endif
