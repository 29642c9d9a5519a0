/*
 * digest_nonce.c - stateless nonces for sigd's 401 challenges.
 *
 *   nonce = base64url(ts || HMAC-SHA256(secret, ts || realm)[0..15])
 *
 * ts is the issue time, 8 bytes big-endian. The server keeps no table:
 * the MAC proves the nonce is ours and for this realm, ts says how old it
 * is. 24 bytes encode to exactly 32 base64url characters, so there is no
 * padding and no spare bits: one nonce, one spelling.
 */
#include "digest.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#define TS_LEN 8
#define MAC_LEN 16
#define RAW_LEN (TS_LEN + MAC_LEN)

static const char b64url[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* HMAC-SHA256(secret, ts || realm), truncated. */
static bool nonce_mac(const uint8_t *secret, size_t secretlen, const uint8_t ts[TS_LEN],
		      struct pl realm, uint8_t mac[MAC_LEN])
{
	char digest[] = "SHA256";
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
		OSSL_PARAM_construct_end(),
	};
	uint8_t full[EVP_MAX_MD_SIZE];
	size_t fulllen = 0;
	EVP_MAC *hmac;
	EVP_MAC_CTX *ctx = NULL;
	bool ok;

	if (!secret || secretlen == 0)
		return false;
	hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (hmac)
		ctx = EVP_MAC_CTX_new(hmac);
	ok = ctx && EVP_MAC_init(ctx, secret, secretlen, params) &&
	     EVP_MAC_update(ctx, ts, TS_LEN) &&
	     (realm.l == 0 || EVP_MAC_update(ctx, (const uint8_t *)realm.p, realm.l)) &&
	     EVP_MAC_final(ctx, full, &fulllen, sizeof(full));
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(hmac);
	if (!ok || fulllen < MAC_LEN)
		return false;
	memcpy(mac, full, MAC_LEN);
	return true;
}

static void put_ts(uint8_t ts[TS_LEN], time_t now)
{
	uint64_t t = (uint64_t)(int64_t)now;

	for (int i = TS_LEN - 1; i >= 0; i--, t >>= 8)
		ts[i] = (uint8_t)t;
}

static int64_t get_ts(const uint8_t ts[TS_LEN])
{
	uint64_t t = 0;

	for (int i = 0; i < TS_LEN; i++)
		t = t << 8 | ts[i];
	return (int64_t)t;
}

int digest_nonce_make(const uint8_t *secret, size_t secretlen, struct pl realm,
		      time_t now, char *out, size_t cap)
{
	uint8_t raw[RAW_LEN];

	if (!out || cap < DIGEST_NONCE_SIZE)
		return -1;
	put_ts(raw, now);
	if (!nonce_mac(secret, secretlen, raw, realm, raw + TS_LEN))
		return -1;
	/* 3 bytes -> 4 characters, 8 times. */
	for (size_t i = 0, o = 0; i < RAW_LEN; i += 3, o += 4) {
		uint32_t v = (uint32_t)raw[i] << 16 | (uint32_t)raw[i + 1] << 8 | raw[i + 2];

		out[o] = b64url[v >> 18];
		out[o + 1] = b64url[(v >> 12) & 63];
		out[o + 2] = b64url[(v >> 6) & 63];
		out[o + 3] = b64url[v & 63];
	}
	out[DIGEST_NONCE_LEN] = '\0';
	return DIGEST_NONCE_LEN;
}

static int b64url_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

static bool decode(struct pl nonce, uint8_t raw[RAW_LEN])
{
	if (!nonce.p || nonce.l != DIGEST_NONCE_LEN)
		return false;
	for (size_t i = 0, o = 0; i < DIGEST_NONCE_LEN; i += 4, o += 3) {
		uint32_t v = 0;

		for (size_t k = 0; k < 4; k++) {
			int d = b64url_val(nonce.p[i + k]);

			if (d < 0)
				return false;
			v = v << 6 | (uint32_t)d;
		}
		raw[o] = (uint8_t)(v >> 16);
		raw[o + 1] = (uint8_t)(v >> 8);
		raw[o + 2] = (uint8_t)v;
	}
	return true;
}

enum digest_nonce_status digest_nonce_check(const uint8_t *secret, size_t secretlen,
					    struct pl realm, struct pl nonce,
					    time_t now, unsigned lifetime)
{
	uint8_t raw[RAW_LEN], mac[MAC_LEN];
	int64_t ts, t = (int64_t)now;
	uint64_t age;

	if (!decode(nonce, raw))
		return DIGEST_NONCE_BAD;
	if (!nonce_mac(secret, secretlen, raw, realm, mac))
		return DIGEST_NONCE_BAD;
	if (CRYPTO_memcmp(mac, raw + TS_LEN, MAC_LEN) != 0)
		return DIGEST_NONCE_BAD;
	ts = get_ts(raw);
	/*
	 * A nonce from the future means the clock stepped back: refuse it
	 * rather than let it live longer than lifetime.
	 */
	if (ts > t)
		return DIGEST_NONCE_STALE;
	/* t >= ts: the age fits in 64 unsigned bits; get it without wrapping. */
	if (ts < 0 && t >= 0)
		age = (uint64_t)t + (uint64_t)(-(ts + 1)) + 1;
	else
		age = (uint64_t)(t - ts);
	if (age > lifetime)
		return DIGEST_NONCE_STALE;
	return DIGEST_NONCE_OK;
}
