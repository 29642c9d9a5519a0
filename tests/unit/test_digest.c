/*
 * test_digest.c - Digest parse/write, response computation, verification,
 * answering challenges, and stateless nonces.
 *
 * Expected hashes come from the RFCs (RFC 7616 §3.9.1, RFC 2617 §3.5) or
 * were computed outside this code with coreutils and openssl, e.g.
 *   HA1=$(printf 'bob:biloxi.com:zanzibar' | md5sum | cut -d' ' -f1)
 *   HA2=$(printf 'INVITE:sip:bob@biloxi.com' | md5sum | cut -d' ' -f1)
 *   printf "$HA1:$N:00000001:0a4f113b:auth:$HA2" | md5sum
 * (sha256sum and `openssl dgst -sha512-256 -r` for the other algorithms).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "digest.h"

#define S(lit) PL(lit)

static void assert_pl(struct pl x, const char *want)
{
	assert_non_null(x.p);
	assert_int_equal(x.l, strlen(want));
	assert_memory_equal(x.p, want, x.l);
}

static void assert_val(struct digest_value v, const char *want)
{
	char buf[512];

	assert_true(digest_isset(v));
	assert_true(digest_unescape(v.s, buf, sizeof(buf)) >= 0);
	assert_string_equal(buf, want);
}

static const char *challenge_err(const char *hval)
{
	struct digest_challenge ch;

	return digest_parse_challenge(pl_from_str(hval), &ch);
}

static const char *cred_err(const char *hval)
{
	struct digest_credentials cr;

	return digest_parse_credentials(pl_from_str(hval), &cr);
}

/* A valid credentials tail, so a test can vary one thing. */
#define CRED_OK "username=\"bob\", realm=\"biloxi.com\", nonce=\"n\", uri=\"sip:bob@biloxi.com\", " \
		"response=\"0123456789abcdef0123456789abcdef\""

/* ------------------------------------------------------------ RFC vectors */

static const char *const rfc7616_nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
static const char *const rfc7616_cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

static void test_rfc7616_sha256_md5(void **state)
{
	char out[DIGEST_HEX_SIZE];

	(void)state;
	assert_int_equal(digest_compute_response(DIGEST_ALGO_SHA256, S("Mufasa"),
		S("http-auth@example.org"), S("Circle of Life"), S("GET"), S("/dir/index.html"),
		pl_from_str(rfc7616_nonce), pl_from_str(rfc7616_cnonce), 1, DIGEST_QOP_AUTH, out), 64);
	assert_string_equal(out, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");

	assert_int_equal(digest_compute_response(DIGEST_ALGO_MD5, S("Mufasa"),
		S("http-auth@example.org"), S("Circle of Life"), S("GET"), S("/dir/index.html"),
		pl_from_str(rfc7616_nonce), pl_from_str(rfc7616_cnonce), 1, DIGEST_QOP_AUTH, out), 32);
	assert_string_equal(out, "8ca523f5e9506fed4657c9700eebdbec");
}

/* The RFC 7616 §3.9.1 Authorization header, folded as printed, verified. */
static void test_rfc7616_verify_header(void **state)
{
	static const char hval[] =
		"Digest username=\"Mufasa\",\r\n"
		"       realm=\"http-auth@example.org\",\r\n"
		"       uri=\"/dir/index.html\",\r\n"
		"       algorithm=SHA-256,\r\n"
		"       nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\",\r\n"
		"       nc=00000001,\r\n"
		"       cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\",\r\n"
		"       qop=auth,\r\n"
		"       response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\",\r\n"
		"       opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
	struct digest_credentials cr;
	char ha1[DIGEST_HEX_SIZE];

	(void)state;
	assert_null(digest_parse_credentials(pl_from_str(hval), &cr));
	assert_int_equal(cr.algo, DIGEST_ALGO_SHA256);
	assert_int_equal(cr.qop, DIGEST_QOP_AUTH);
	assert_int_equal(cr.nc, 1);
	assert_pl(cr.nc_raw.s, "00000001");
	assert_pl(cr.username.s, "Mufasa");
	assert_pl(cr.opaque.s, "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS");
	assert_true(digest_verify(&cr, S("GET"), S("Circle of Life")));
	assert_false(digest_verify(&cr, S("GET"), S("Circle of life")));
	assert_false(digest_verify(&cr, S("POST"), S("Circle of Life")));

	assert_int_equal(digest_compute_ha1(DIGEST_ALGO_SHA256, S("Mufasa"),
		S("http-auth@example.org"), S("Circle of Life"), ha1), 64);
	assert_true(digest_verify_ha1(&cr, S("GET"), pl_from_str(ha1)));
	ha1[0] = ha1[0] == '0' ? '1' : '0';
	assert_false(digest_verify_ha1(&cr, S("GET"), pl_from_str(ha1)));
}

static void test_rfc2617(void **state)
{
	static const char hval[] =
		"Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
		"nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", "
		"qop=auth, nc=00000001, cnonce=\"0a4f113b\", "
		"response=\"6629fae49393a05397450978507c4ef1\", "
		"opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";
	struct digest_credentials cr;
	char out[DIGEST_HEX_SIZE];

	(void)state;
	assert_int_equal(digest_compute_response(DIGEST_ALGO_MD5, S("Mufasa"),
		S("testrealm@host.com"), S("Circle Of Life"), S("GET"), S("/dir/index.html"),
		S("dcd98b7102dd2f0e8b11d0f600bfb0c093"), S("0a4f113b"), 1, DIGEST_QOP_AUTH, out), 32);
	assert_string_equal(out, "6629fae49393a05397450978507c4ef1");

	assert_null(digest_parse_credentials(pl_from_str(hval), &cr));
	assert_int_equal(cr.algo, DIGEST_ALGO_MD5);
	assert_false(digest_isset(cr.algo_raw));
	assert_true(digest_verify(&cr, S("GET"), S("Circle Of Life")));
}

/* SIP INVITE example, every algorithm, hashes from md5sum/sha256sum/openssl. */
struct sip_vec {
	enum digest_algo algo, sess;
	const char *ha1, *auth, *none, *sess_auth, *userhash;
};

static const struct sip_vec sip_vecs[] = {
	{ DIGEST_ALGO_MD5, DIGEST_ALGO_MD5_SESS,
	  "12af60467a33e8518da5c68bbff12b11",
	  "5545a98a2e9b0aad10adcdececfbb1de",
	  "0de596c7725c599927af04cf0a328c57",
	  "59f2ede63d5d7d4d684fec59f8bf2d62",
	  "d3486d41d4666541c4f024aee188d517" },
	{ DIGEST_ALGO_SHA256, DIGEST_ALGO_SHA256_SESS,
	  "e65db393e748c5228939a6b4b2879e9ea5625cd79fd5267868cb568d69f6b97e",
	  "c4999cf53234496bbbe91f87f734be6a70f61cf8235e1e5d0c252284a87fa47e",
	  "cac6ad1a3a090a220c569c76ef05a999e029bb86755fd87d3b52e43ef8478cea",
	  "6da663283c04cea0a84edc1e638ac504529136628c06191acb5436e11e9d4e29",
	  "aafc60b9fa3e13876262208200cd6aebf77f59d79e854061f632f35f6cb30e0c" },
	{ DIGEST_ALGO_SHA512_256, DIGEST_ALGO_SHA512_256_SESS,
	  "a969680ab364e333ec5c93ff823d570a79841c8d40270655dd42f37b755dfc38",
	  "9b884b2b834063d0199d2f9bacfc071960e7308f2c061c6f9c236aa6cd801ae6",
	  "15f5d27606e763cbbff54b4d3d61002bc5a02fd0224aacf2ac0bf706f8f5f3c4",
	  "3febbd5ef9715c866576c91c76e5485595e2c557083f7291d09b5b1216717d08",
	  "9048950d1a848b6170b2617fde5d2e4fadab223bde661df84f953aa961c701b6" },
};

#define SIP_NONCE S("ea9c8e88df84f1cec4341ae6cbe5a359")

static void test_sip_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(sip_vecs) / sizeof(sip_vecs[0]); i++) {
		const struct sip_vec *v = &sip_vecs[i];
		int len = (int)strlen(v->ha1);
		char out[DIGEST_HEX_SIZE], upper[DIGEST_HEX_SIZE];

		assert_int_equal(digest_compute_ha1(v->algo, S("bob"), S("biloxi.com"),
			S("zanzibar"), out), len);
		assert_string_equal(out, v->ha1);
		/* -sess does not change what a user database stores */
		assert_int_equal(digest_compute_ha1(v->sess, S("bob"), S("biloxi.com"),
			S("zanzibar"), out), len);
		assert_string_equal(out, v->ha1);

		assert_int_equal(digest_compute_userhash(v->algo, S("bob"), S("biloxi.com"), out), len);
		assert_string_equal(out, v->userhash);

		assert_int_equal(digest_compute_response(v->algo, S("bob"), S("biloxi.com"),
			S("zanzibar"), S("INVITE"), S("sip:bob@biloxi.com"), SIP_NONCE,
			S("0a4f113b"), 1, DIGEST_QOP_AUTH, out), len);
		assert_string_equal(out, v->auth);

		/* RFC 2069: no qop, cnonce and nc ignored */
		assert_int_equal(digest_compute_response(v->algo, S("bob"), S("biloxi.com"),
			S("zanzibar"), S("INVITE"), S("sip:bob@biloxi.com"), SIP_NONCE,
			PL_NULL, 99, DIGEST_QOP_NONE, out), len);
		assert_string_equal(out, v->none);

		assert_int_equal(digest_compute_response(v->sess, S("bob"), S("biloxi.com"),
			S("zanzibar"), S("INVITE"), S("sip:bob@biloxi.com"), SIP_NONCE,
			S("0a4f113b"), 42, DIGEST_QOP_AUTH, out), len);
		assert_string_equal(out, v->sess_auth);

		/* from a stored HA1, in either case */
		for (int k = 0; k < len; k++)
			upper[k] = (char)(v->ha1[k] >= 'a' ? v->ha1[k] - 32 : v->ha1[k]);
		upper[len] = '\0';
		assert_int_equal(digest_compute_response_ha1(v->sess, pl_from_str(upper),
			S("INVITE"), S("sip:bob@biloxi.com"), SIP_NONCE, S("0a4f113b"), 42,
			DIGEST_QOP_AUTH, out), len);
		assert_string_equal(out, v->sess_auth);
		assert_int_equal(digest_compute_response_ha1(v->algo, pl_from_str(v->ha1),
			S("INVITE"), S("sip:bob@biloxi.com"), SIP_NONCE, PL_NULL, 0,
			DIGEST_QOP_NONE, out), len);
		assert_string_equal(out, v->none);
	}
}

static void test_compute_errors(void **state)
{
	char out[DIGEST_HEX_SIZE];

	(void)state;
	assert_int_equal(digest_compute_response(DIGEST_ALGO_UNKNOWN, S("u"), S("r"), S("p"),
		S("INVITE"), S("sip:x"), S("n"), S("c"), 1, DIGEST_QOP_AUTH, out), -1);
	assert_int_equal(digest_compute_response(DIGEST_ALGO_MD5, S("u"), S("r"), S("p"),
		S("INVITE"), S("sip:x"), S("n"), S("c"), 1, DIGEST_QOP_AUTH_INT, out), -1);
	assert_int_equal(digest_compute_response(DIGEST_ALGO_MD5, S("u"), S("r"), S("p"),
		S("INVITE"), S("sip:x"), S("n"), S("c"), 1, DIGEST_QOP_UNKNOWN, out), -1);
	/* qop=auth and -sess both need a cnonce */
	assert_int_equal(digest_compute_response(DIGEST_ALGO_MD5, S("u"), S("r"), S("p"),
		S("INVITE"), S("sip:x"), S("n"), PL_NULL, 1, DIGEST_QOP_AUTH, out), -1);
	assert_int_equal(digest_compute_response(DIGEST_ALGO_SHA256_SESS, S("u"), S("r"), S("p"),
		S("INVITE"), S("sip:x"), S("n"), PL_NULL, 1, DIGEST_QOP_NONE, out), -1);
	/* malformed stored HA1 */
	assert_int_equal(digest_compute_response_ha1(DIGEST_ALGO_MD5,
		S("12af60467a33e8518da5c68bbff12b1"), S("INVITE"), S("sip:x"), S("n"), S("c"), 1,
		DIGEST_QOP_AUTH, out), -1);
	assert_int_equal(digest_compute_response_ha1(DIGEST_ALGO_MD5,
		S("12af60467a33e8518da5c68bbff12b1g"), S("INVITE"), S("sip:x"), S("n"), S("c"), 1,
		DIGEST_QOP_AUTH, out), -1);
	assert_int_equal(digest_compute_response_ha1(DIGEST_ALGO_SHA256,
		S("12af60467a33e8518da5c68bbff12b11"), S("INVITE"), S("sip:x"), S("n"), S("c"), 1,
		DIGEST_QOP_AUTH, out), -1);
	assert_int_equal(digest_compute_response_ha1(DIGEST_ALGO_MD5, PL_NULL, S("INVITE"),
		S("sip:x"), S("n"), S("c"), 1, DIGEST_QOP_AUTH, out), -1);
	assert_int_equal(digest_compute_ha1(DIGEST_ALGO_UNKNOWN, S("u"), S("r"), S("p"), out), -1);
	assert_int_equal(digest_compute_userhash(DIGEST_ALGO_UNKNOWN, S("u"), S("r"), out), -1);
}

/* ------------------------------------------------------------ challenges */

static void test_parse_challenge_rfc3261(void **state)
{
	static const char hval[] =
		"Digest realm=\"atlanta.com\",\r\n"
		" domain=\"sip:boxesbybob.com\", qop=\"auth\",\r\n"
		" nonce=\"f84f1cec41e6cbe5aea9c8e88d359\",\r\n"
		" opaque=\"\", stale=FALSE, algorithm=MD5";
	struct digest_challenge ch;

	(void)state;
	assert_null(digest_parse_challenge(pl_from_str(hval), &ch));
	assert_pl(ch.realm.s, "atlanta.com");
	assert_true(ch.realm.quoted);
	assert_false(ch.realm.escaped);
	assert_pl(ch.domain.s, "sip:boxesbybob.com");
	assert_pl(ch.nonce.s, "f84f1cec41e6cbe5aea9c8e88d359");
	assert_true(digest_isset(ch.opaque));
	assert_int_equal(ch.opaque.s.l, 0);
	assert_false(ch.stale);
	assert_int_equal(ch.algo, DIGEST_ALGO_MD5);
	assert_pl(ch.algo_raw.s, "MD5");
	assert_int_equal(ch.qop, DIGEST_QOP_AUTH);
	assert_pl(ch.qop_raw.s, "auth");
	assert_false(ch.userhash);
	assert_int_equal(ch.nparams, 0);
}

static void test_parse_challenge_rfc7616(void **state)
{
	static const char hval[] =
		"Digest\r\n"
		"    realm=\"http-auth@example.org\",\r\n"
		"    qop=\"auth, auth-int\",\r\n"
		"    algorithm=SHA-512-256,\r\n"
		"    nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\",\r\n"
		"    opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\",\r\n"
		"    charset=UTF-8, userhash=true";
	struct digest_challenge ch;

	(void)state;
	assert_null(digest_parse_challenge(pl_from_str(hval), &ch));
	assert_int_equal(ch.algo, DIGEST_ALGO_SHA512_256);
	assert_int_equal(ch.qop, DIGEST_QOP_AUTH | DIGEST_QOP_AUTH_INT);
	assert_pl(ch.charset.s, "UTF-8");
	assert_false(ch.charset.quoted);
	assert_true(ch.userhash);
	assert_false(ch.stale);
}

/* What real peers send: every liberty the parser promises to take. */
static void test_parse_challenge_sloppy(void **state)
{
	static const char hval[] =
		" \tdIgEsT  REALM = \"a\\\"b\\\\c\" ,NONCE=abc/def== ,, Algorithm = \"sha-256-SESS\","
		" QOP=auth , Stale = \"TRUE\", X-Vendor=\"v\\,1\",  ,";
	struct digest_challenge ch;
	char buf[16];

	(void)state;
	assert_null(digest_parse_challenge(pl_from_str(hval), &ch));
	assert_pl(ch.realm.s, "a\\\"b\\\\c");
	assert_true(ch.realm.escaped);
	assert_int_equal(digest_unescape(ch.realm.s, buf, sizeof(buf)), 5);
	assert_string_equal(buf, "a\"b\\c");
	assert_pl(ch.nonce.s, "abc/def==");
	assert_false(ch.nonce.quoted);
	assert_int_equal(ch.algo, DIGEST_ALGO_SHA256_SESS);
	assert_int_equal(ch.qop, DIGEST_QOP_AUTH);
	assert_true(ch.stale);
	assert_int_equal(ch.nparams, 1);
	assert_pl(ch.params[0].name, "X-Vendor");
	assert_val(ch.params[0].value, "v,1");
	assert_true(ch.params[0].value.quoted);
}

static void test_parse_challenge_algorithms(void **state)
{
	static const struct {
		const char *hval;
		enum digest_algo algo;
	} cases[] = {
		{ "Digest realm=r, nonce=n", DIGEST_ALGO_MD5 },
		{ "Digest realm=r, nonce=n, algorithm=md5", DIGEST_ALGO_MD5 },
		{ "Digest realm=r, nonce=n, algorithm=MD5-Sess", DIGEST_ALGO_MD5_SESS },
		{ "Digest realm=r, nonce=n, algorithm=SHA-256", DIGEST_ALGO_SHA256 },
		{ "Digest realm=r, nonce=n, algorithm=SHA-256-sess", DIGEST_ALGO_SHA256_SESS },
		{ "Digest realm=r, nonce=n, algorithm=\"SHA-512-256\"", DIGEST_ALGO_SHA512_256 },
		{ "Digest realm=r, nonce=n, algorithm=sha-512-256-sess", DIGEST_ALGO_SHA512_256_SESS },
		{ "Digest realm=r, nonce=n, algorithm=\"SHA\\-256\"", DIGEST_ALGO_SHA256 },
		{ "Digest realm=r, nonce=n, algorithm=SHA-1", DIGEST_ALGO_UNKNOWN },
		{ "Digest realm=r, nonce=n, algorithm=MD5x", DIGEST_ALGO_UNKNOWN },
		{ "Digest realm=r, nonce=n, algorithm=MD", DIGEST_ALGO_UNKNOWN },
	};
	struct digest_challenge ch;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_null(digest_parse_challenge(pl_from_str(cases[i].hval), &ch));
		assert_int_equal(ch.algo, cases[i].algo);
	}
}

static void test_parse_challenge_qop(void **state)
{
	static const struct {
		const char *hval;
		unsigned qop;
	} cases[] = {
		{ "Digest realm=r, nonce=n", 0 },
		{ "Digest realm=r, nonce=n, qop=\"auth-int\"", DIGEST_QOP_AUTH_INT },
		{ "Digest realm=r, nonce=n, qop=\"AUTH,auth-int\"", DIGEST_QOP_AUTH | DIGEST_QOP_AUTH_INT },
		{ "Digest realm=r, nonce=n, qop=\" , auth-conf ,auth,\"", DIGEST_QOP_AUTH | DIGEST_QOP_UNKNOWN },
		{ "Digest realm=r, nonce=n, qop=\"token\"", DIGEST_QOP_UNKNOWN },
		{ "Digest realm=r, nonce=n, qop=\"\"", 0 },
	};
	struct digest_challenge ch;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_null(digest_parse_challenge(pl_from_str(cases[i].hval), &ch));
		assert_int_equal(ch.qop, cases[i].qop);
		assert_int_equal(digest_isset(ch.qop_raw), i != 0);
	}
}

static void test_parse_challenge_flags(void **state)
{
	struct digest_challenge ch;

	(void)state;
	assert_null(digest_parse_challenge(S("Digest realm=r,nonce=n,stale=maybe,userhash=TRUE"), &ch));
	assert_false(ch.stale);
	assert_true(ch.userhash);
	assert_null(digest_parse_challenge(S("Digest realm=r,nonce=n,stale=true,userhash=false"), &ch));
	assert_true(ch.stale);
	assert_false(ch.userhash);
	/* a scheme alone at the end, then nothing */
	assert_string_equal(challenge_err("Digest"), "Missing realm");
	assert_string_equal(challenge_err("Digest \r\n "), "Missing realm");
}

static void test_parse_params_limit(void **state)
{
	char hval[512] = "Digest realm=r, nonce=n";
	struct digest_challenge ch;

	(void)state;
	for (int i = 0; i < DIGEST_MAX_PARAMS; i++) {
		char p[16];

		snprintf(p, sizeof(p), ", x%d=%d", i, i);
		strcat(hval, p);
	}
	assert_null(digest_parse_challenge(pl_from_str(hval), &ch));
	assert_int_equal(ch.nparams, DIGEST_MAX_PARAMS);
	assert_pl(ch.params[7].name, "x7");
	assert_pl(ch.params[7].value.s, "7");
	strcat(hval, ", one=more");
	assert_string_equal(challenge_err(hval), "Too many parameters");
}

/* Every distinct syntax error, once at least. */
static void test_parse_syntax_errors(void **state)
{
	static const struct {
		const char *hval;
		const char *err;
	} cases[] = {
		{ "", "Missing scheme" },
		{ " \t ", "Missing scheme" },
		{ "Basic realm=\"r\"", "Unknown scheme" },
		{ "Digestive realm=r", "Unknown scheme" },
		{ "Digest,realm=r", "Unknown scheme" },
		{ "\"Digest\" realm=r", "Unknown scheme" },
		{ "Digest =\"r\"", "Bad parameter name" },
		{ "Digest realm=r, @=x", "Bad parameter name" },
		{ "Digest realm", "Missing '='" },
		{ "Digest realm \"r\"", "Missing '='" },
		{ "Digest re@lm=r", "Missing '='" },
		{ "Digest realm=", "Missing value" },
		{ "Digest realm= , nonce=n", "Missing value" },
		{ "Digest realm=\"abc", "Unterminated quoted string" },
		{ "Digest realm=\"abc\\", "Unterminated quoted string" },
		{ "Digest realm=\"abc\\\"", "Unterminated quoted string" },
		{ "Digest realm=\"a\rb\", nonce=n", "Bad character in quoted string" },
		{ "Digest realm=\"a\x01\", nonce=n", "Bad character in quoted string" },
		{ "Digest realm=\"a\\\x7f\", nonce=n", "Bad character in quoted string" },
		{ "Digest realm=\\r, nonce=n", "Bad value" },
		{ "Digest realm=\x01", "Bad value" },
		{ "Digest realm=\"r\"x, nonce=n", "Expected ','" },
		{ "Digest realm=\"r\" \"s\"", "Expected ','" },
		{ "Digest realm=r nonce=n", "Expected ','" },
		{ "Digest realm=r, Basic nonce=n", "Missing '='" },
		{ "Digest realm=r, nonce=n, x=1, X=2", "Duplicate parameter" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *err = challenge_err(cases[i].hval);

		if (!err || strcmp(err, cases[i].err) != 0)
			fail_msg("case %zu \"%s\": got \"%s\", want \"%s\"", i, cases[i].hval,
				 err ? err : "(ok)", cases[i].err);
		/* the same syntax fails the same way for credentials */
		err = cred_err(cases[i].hval);
		assert_non_null(err);
		assert_string_equal(err, cases[i].err);
	}
}

static void test_parse_nul_and_null(void **state)
{
	static const char nul[] = "Digest realm=\"a\0b\", nonce=n";
	struct digest_challenge ch;
	struct digest_credentials cr;

	(void)state;
	assert_string_equal(digest_parse_challenge(pl_from(nul, sizeof(nul) - 1), &ch),
			    "Bad character in quoted string");
	assert_string_equal(digest_parse_challenge(PL_NULL, &ch), "Missing scheme");
	assert_string_equal(digest_parse_credentials(PL_NULL, &cr), "Missing scheme");
}

static void test_parse_challenge_semantic_errors(void **state)
{
	static const struct {
		const char *hval;
		const char *err;
	} cases[] = {
		{ "Digest nonce=n", "Missing realm" },
		{ "Digest realm=r", "Missing nonce" },
		{ "Digest realm=r, nonce=n, Realm=s", "Duplicate realm" },
		{ "Digest realm=r, nonce=n, domain=a, domain=b", "Duplicate domain" },
		{ "Digest realm=r, nonce=n, nonce=m", "Duplicate nonce" },
		{ "Digest realm=r, nonce=n, opaque=a, opaque=b", "Duplicate opaque" },
		{ "Digest realm=r, nonce=n, stale=true, stale=false", "Duplicate stale" },
		{ "Digest realm=r, nonce=n, algorithm=MD5, algorithm=MD5", "Duplicate algorithm" },
		{ "Digest realm=r, nonce=n, qop=auth, qop=auth", "Duplicate qop" },
		{ "Digest realm=r, nonce=n, charset=UTF-8, CHARSET=utf-8", "Duplicate charset" },
		{ "Digest realm=r, nonce=n, userhash=true, userhash=true", "Duplicate userhash" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *err = challenge_err(cases[i].hval);

		assert_non_null(err);
		assert_string_equal(err, cases[i].err);
	}
}

/* ------------------------------------------------------------ credentials */

static void test_parse_credentials_rfc3261(void **state)
{
	static const char hval[] =
		"Digest username=\"bob\", realm=\"biloxi.com\",\r\n"
		" nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\", uri=\"sip:bob@biloxi.com\",\r\n"
		" qop=auth, nc=00000001, cnonce=\"0a4f113b\",\r\n"
		" response=\"5545a98a2e9b0aad10adcdececfbb1de\",\r\n"
		" opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";
	struct digest_credentials cr;

	(void)state;
	assert_null(digest_parse_credentials(pl_from_str(hval), &cr));
	assert_pl(cr.username.s, "bob");
	assert_pl(cr.realm.s, "biloxi.com");
	assert_pl(cr.nonce.s, "ea9c8e88df84f1cec4341ae6cbe5a359");
	assert_pl(cr.uri.s, "sip:bob@biloxi.com");
	assert_pl(cr.response.s, "5545a98a2e9b0aad10adcdececfbb1de");
	assert_pl(cr.cnonce.s, "0a4f113b");
	assert_pl(cr.opaque.s, "5ccc069c403ebaf9f0171e9517f40e41");
	assert_pl(cr.qop_raw.s, "auth");
	assert_int_equal(cr.qop, DIGEST_QOP_AUTH);
	assert_int_equal(cr.nc, 1);
	assert_false(digest_isset(cr.username_ext));
	assert_true(digest_verify(&cr, S("INVITE"), S("zanzibar")));
	assert_false(digest_verify(&cr, S("BYE"), S("zanzibar")));
	assert_true(digest_verify_ha1(&cr, S("INVITE"), S("12AF60467A33E8518DA5C68BBFF12B11")));
	assert_false(digest_verify_ha1(&cr, S("INVITE"), S("12af60467a33e8518da5c68bbff12b1")));
}

static void test_parse_credentials_sloppy(void **state)
{
	static const char hval[] =
		"digest USERNAME = \"b\\\"ob\" , Realm=biloxi.com, NONCE=\"n\", URI=\"sip:x\","
		" Response=\"0123456789ABCDEF0123456789abcdef\", QOP=\"Auth\", NC=\"0000001A\","
		" CNONCE=c, Algorithm=md5, Userhash=\"false\", extra=1,";
	struct digest_credentials cr;

	(void)state;
	assert_null(digest_parse_credentials(pl_from_str(hval), &cr));
	assert_val(cr.username, "b\"ob");
	assert_true(cr.username.escaped);
	assert_pl(cr.realm.s, "biloxi.com");
	assert_int_equal(cr.qop, DIGEST_QOP_AUTH);
	assert_int_equal(cr.nc, 0x1a);
	assert_pl(cr.nc_raw.s, "0000001A");
	assert_int_equal(cr.algo, DIGEST_ALGO_MD5);
	assert_false(cr.userhash);
	assert_int_equal(cr.nparams, 1);
	assert_pl(cr.params[0].name, "extra");
}

static void test_parse_credentials_ext(void **state)
{
	static const char hval[] =
		"Digest username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, realm=\"api@example.org\","
		" uri=\"/doc/index.html\", nonce=\"n\", algorithm=SHA-512-256,"
		" response=\"ae66e67d6b427bd3f120414a82e4acff38e8ecd9101d6c861229025f607a79dd\","
		" qop=auth-int, nc=00000001, cnonce=\"c\", userhash=true, algorithm2=x";
	struct digest_credentials cr;

	(void)state;
	assert_null(digest_parse_credentials(pl_from_str(hval), &cr));
	assert_false(digest_isset(cr.username));
	assert_pl(cr.username_ext.s, "UTF-8''J%C3%A4s%C3%B8n%20Doe");
	assert_int_equal(cr.algo, DIGEST_ALGO_SHA512_256);
	assert_int_equal(cr.qop, DIGEST_QOP_AUTH_INT);
	assert_true(cr.userhash);
	/* auth-int is parsed for the caller but never verifies */
	assert_false(digest_verify_ha1(&cr, S("GET"),
		S("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")));
	assert_false(digest_verify(&cr, S("GET"), S("pw")));
}

static void test_parse_credentials_unknown(void **state)
{
	struct digest_credentials cr;

	(void)state;
	/* an unknown algorithm takes any hex response; the caller decides */
	assert_null(digest_parse_credentials(S("Digest " CRED_OK ", algorithm=SHA-3"), &cr));
	assert_int_equal(cr.algo, DIGEST_ALGO_UNKNOWN);
	assert_pl(cr.algo_raw.s, "SHA-3");
	assert_false(digest_verify(&cr, S("INVITE"), S("pw")));
	assert_null(digest_parse_credentials(S("Digest username=u, realm=r, nonce=n, uri=u,"
		" response=abc, algorithm=x"), &cr));

	assert_null(digest_parse_credentials(S("Digest " CRED_OK ", qop=auth-conf, nc=00000001,"
		" cnonce=c"), &cr));
	assert_int_equal(cr.qop, DIGEST_QOP_UNKNOWN);
	assert_false(digest_verify(&cr, S("INVITE"), S("pw")));
	/* nc without qop is tolerated */
	assert_null(digest_parse_credentials(S("Digest " CRED_OK ", nc=000000ff"), &cr));
	assert_int_equal(cr.qop, DIGEST_QOP_NONE);
	assert_int_equal(cr.nc, 255);
}

static void test_parse_credentials_errors(void **state)
{
	static const struct {
		const char *hval;
		const char *err;
	} cases[] = {
		{ "Digest realm=r, nonce=n, uri=u, response=\"0123456789abcdef0123456789abcdef\"",
		  "Missing username" },
		{ "Digest " CRED_OK ", username*=UTF-8''bob", "Both username and username*" },
		{ "Digest username=u, nonce=n, uri=u, response=\"0123456789abcdef0123456789abcdef\"",
		  "Missing realm" },
		{ "Digest username=u, realm=r, uri=u, response=\"0123456789abcdef0123456789abcdef\"",
		  "Missing nonce" },
		{ "Digest username=u, realm=r, nonce=n, response=\"0123456789abcdef0123456789abcdef\"",
		  "Missing uri" },
		{ "Digest username=u, realm=r, nonce=n, uri=u", "Missing response" },
		{ "Digest username=u, realm=r, nonce=n, uri=u, response=\"0123\"", "Bad response" },
		{ "Digest username=u, realm=r, nonce=n, uri=u,"
		  " response=\"0123456789abcdef0123456789abcdeg\"", "Bad response" },
		{ "Digest username=u, realm=r, nonce=n, uri=u, algorithm=SHA-256,"
		  " response=\"0123456789abcdef0123456789abcdef\"", "Bad response" },
		{ "Digest username=u, realm=r, nonce=n, uri=u,"
		  " response=\"\\0123456789abcdef0123456789abcdef\"", "Bad response" },
		{ "Digest username=u, realm=r, nonce=n, uri=u, response=\"\", algorithm=x",
		  "Bad response" },
		{ "Digest " CRED_OK ", qop=auth, nc=00000001", "Missing cnonce" },
		{ "Digest " CRED_OK ", qop=auth, cnonce=c", "Missing nc" },
		{ "Digest " CRED_OK ", qop=auth, cnonce=c, nc=1", "Bad nc" },
		{ "Digest " CRED_OK ", qop=auth, cnonce=c, nc=0000000g", "Bad nc" },
		{ "Digest " CRED_OK ", qop=auth, cnonce=c, nc=000000001", "Bad nc" },
		{ "Digest " CRED_OK ", qop=auth, cnonce=c, nc=\"0000000\\1\"", "Bad nc" },
		{ "Digest " CRED_OK ", username=v", "Duplicate username" },
		{ "Digest username*=a, username*=b", "Duplicate username*" },
		{ "Digest " CRED_OK ", realm=v", "Duplicate realm" },
		{ "Digest " CRED_OK ", nonce=v", "Duplicate nonce" },
		{ "Digest " CRED_OK ", uri=v", "Duplicate uri" },
		{ "Digest " CRED_OK ", response=v", "Duplicate response" },
		{ "Digest " CRED_OK ", algorithm=MD5, algorithm=MD5", "Duplicate algorithm" },
		{ "Digest " CRED_OK ", cnonce=a, cnonce=b", "Duplicate cnonce" },
		{ "Digest " CRED_OK ", opaque=a, opaque=b", "Duplicate opaque" },
		{ "Digest " CRED_OK ", qop=auth, qop=auth", "Duplicate qop" },
		{ "Digest " CRED_OK ", nc=00000001, nc=00000001", "Duplicate nc" },
		{ "Digest " CRED_OK ", userhash=true, userhash=true", "Duplicate userhash" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *err = cred_err(cases[i].hval);

		if (!err || strcmp(err, cases[i].err) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, err ? err : "(ok)",
				 cases[i].err);
	}
}

/* ------------------------------------------------------------ verify */

static void test_verify_escaped_and_raw_text(void **state)
{
	/*
	 * realm a"b\c and nonce n"x travel escaped; the hash is over the plain
	 * text (printf 'bob:a"b\\c:zanzibar' | md5sum, and so on).
	 */
	static const char hval[] =
		"Digest username=\"bob\", realm=\"a\\\"b\\\\c\", nonce=\"n\\\"x\","
		" uri=\"sip:biloxi.com\", qop=auth, nc=00000001, cnonce=\"c\","
		" response=\"e1dae73ee039abb1a4fc6329184000f0\"";
	struct digest_credentials cr;
	char out[DIGEST_HEX_SIZE];

	(void)state;
	assert_null(digest_parse_credentials(pl_from_str(hval), &cr));
	assert_true(cr.realm.escaped);
	assert_true(digest_verify(&cr, S("REGISTER"), S("zanzibar")));
	assert_int_equal(digest_compute_response(DIGEST_ALGO_MD5, S("bob"), S("a\"b\\c"),
		S("zanzibar"), S("REGISTER"), S("sip:biloxi.com"), S("n\"x"), S("c"), 1,
		DIGEST_QOP_AUTH, out), 32);
	assert_string_equal(out, "e1dae73ee039abb1a4fc6329184000f0");

	/* nc is hashed as the client wrote it: "0000001A", not "0000001a" */
	assert_int_equal(digest_compute_response(DIGEST_ALGO_MD5, S("bob"), S("biloxi.com"),
		S("zanzibar"), S("INVITE"), S("sip:x"), S("n"), S("c"), 0x1a, DIGEST_QOP_AUTH,
		out), 32);
	{
		char h[256];
		struct digest_credentials c2;

		snprintf(h, sizeof(h), "Digest username=bob, realm=biloxi.com, nonce=n, uri=\"sip:x\","
			 " qop=auth, nc=0000001a, cnonce=c, response=\"%s\"", out);
		assert_null(digest_parse_credentials(pl_from_str(h), &c2));
		assert_true(digest_verify(&c2, S("INVITE"), S("zanzibar")));
		snprintf(h, sizeof(h), "Digest username=bob, realm=biloxi.com, nonce=n, uri=\"sip:x\","
			 " qop=auth, nc=0000001A, cnonce=c, response=\"%s\"", out);
		assert_null(digest_parse_credentials(pl_from_str(h), &c2));
		assert_false(digest_verify(&c2, S("INVITE"), S("zanzibar")));
	}
}

static void test_verify_refusals(void **state)
{
	struct digest_credentials cr;

	(void)state;
	assert_null(digest_parse_credentials(S("Digest username=\"bob\", realm=\"biloxi.com\","
		" nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\", uri=\"sip:bob@biloxi.com\","
		" qop=auth, nc=00000001, cnonce=\"0a4f113b\","
		" response=\"5545A98A2E9B0AAD10ADCDECECFBB1DE\""), &cr));
	/* upper-case hex from a sloppy client still verifies */
	assert_true(digest_verify(&cr, S("INVITE"), S("zanzibar")));

	cr.userhash = true;
	assert_false(digest_verify(&cr, S("INVITE"), S("zanzibar")));
	assert_true(digest_verify_ha1(&cr, S("INVITE"), S("12af60467a33e8518da5c68bbff12b11")));
	cr.userhash = false;

	cr.response.escaped = true;
	assert_false(digest_verify(&cr, S("INVITE"), S("zanzibar")));
	cr.response.escaped = false;
	cr.response.s.l = 31;
	assert_false(digest_verify(&cr, S("INVITE"), S("zanzibar")));
	cr.response.s.l = 0;
	assert_false(digest_verify(&cr, S("INVITE"), S("zanzibar")));
	cr.response.s.l = 32;

	cr.username = (struct digest_value){ PL_NULL, false, false };
	assert_false(digest_verify(&cr, S("INVITE"), S("zanzibar")));
}

/* ------------------------------------------------------------ writers */

static void test_write_challenge(void **state)
{
	struct digest_challenge ch = {
		.realm = digest_plain(S("biloxi.com")),
		.nonce = digest_plain(S("AAAAAGVlZmYxMjM0NTY3ODkwYWJjZGVm")),
		.algo = DIGEST_ALGO_SHA256,
		.qop = DIGEST_QOP_AUTH,
	};
	static const char want[] =
		"Digest realm=\"biloxi.com\", nonce=\"AAAAAGVlZmYxMjM0NTY3ODkwYWJjZGVm\","
		" algorithm=SHA-256, qop=\"auth\"";
	char buf[256];

	(void)state;
	assert_int_equal(digest_write_challenge(buf, sizeof(buf), &ch), (int)strlen(want));
	assert_string_equal(buf, want);
	/* every too-small buffer fails cleanly; the exact size works */
	for (size_t cap = 0; cap <= strlen(want); cap++)
		assert_int_equal(digest_write_challenge(buf, cap, &ch), -1);
	assert_int_equal(digest_write_challenge(buf, strlen(want) + 1, &ch), (int)strlen(want));

	ch.stale = true;
	ch.userhash = true;
	ch.qop = DIGEST_QOP_AUTH | DIGEST_QOP_AUTH_INT;
	ch.algo = DIGEST_ALGO_MD5;
	ch.opaque = digest_plain(S(""));
	ch.domain = digest_plain(S("sip:a sip:b"));
	ch.charset = digest_plain(S("UTF-8"));
	ch.realm = digest_plain(S("a\"b\\c"));
	ch.params[0] = (struct digest_param){ S("x"), digest_plain(S("y z")) };
	ch.params[1] = (struct digest_param){ S("t"), digest_plain(S("tok")) };
	ch.nparams = 2;
	assert_true(digest_write_challenge(buf, sizeof(buf), &ch) > 0);
	assert_string_equal(buf, "Digest realm=\"a\\\"b\\\\c\", domain=\"sip:a sip:b\","
		" nonce=\"AAAAAGVlZmYxMjM0NTY3ODkwYWJjZGVm\", opaque=\"\", stale=true,"
		" algorithm=MD5, qop=\"auth,auth-int\", charset=UTF-8, userhash=true,"
		" x=\"y z\", t=tok");

	ch.qop = DIGEST_QOP_AUTH_INT;
	ch.nparams = 0;
	assert_true(digest_write_challenge(buf, sizeof(buf), &ch) > 0);
	assert_non_null(strstr(buf, "qop=\"auth-int\""));
	ch.qop = DIGEST_QOP_UNKNOWN;
	ch.qop_raw = digest_plain(S("auth-conf"));
	assert_true(digest_write_challenge(buf, sizeof(buf), &ch) > 0);
	assert_non_null(strstr(buf, "qop=\"auth-conf\""));
}

static void test_write_refusals(void **state)
{
	struct digest_challenge ch = {
		.realm = digest_plain(S("r")),
		.nonce = digest_plain(S("n")),
	};
	struct digest_credentials cr = {
		.username = digest_plain(S("u")),
		.qop = DIGEST_QOP_UNKNOWN,
	};
	char buf[256];

	(void)state;
	/* header injection */
	ch.realm = digest_plain(S("r\r\nVia: x"));
	assert_int_equal(digest_write_challenge(buf, sizeof(buf), &ch), -1);
	assert_string_equal(buf, "");
	ch.realm = digest_plain(S("r"));
	/* "escaped" text that is not a valid quoted-string body */
	ch.nonce = (struct digest_value){ S("a\"b"), true, true };
	assert_int_equal(digest_write_challenge(buf, sizeof(buf), &ch), -1);
	ch.nonce = (struct digest_value){ S("ab\\"), true, true };
	assert_int_equal(digest_write_challenge(buf, sizeof(buf), &ch), -1);
	ch.nonce = (struct digest_value){ S("a\\\x01"), true, true };
	assert_int_equal(digest_write_challenge(buf, sizeof(buf), &ch), -1);
	ch.nonce = (struct digest_value){ S("a\\\"b"), true, true };
	assert_true(digest_write_challenge(buf, sizeof(buf), &ch) > 0);
	assert_non_null(strstr(buf, "nonce=\"a\\\"b\""));
	/* an unknown algorithm needs its text */
	ch.algo = DIGEST_ALGO_UNKNOWN;
	assert_int_equal(digest_write_challenge(buf, sizeof(buf), &ch), -1);
	ch.algo_raw = digest_plain(S("SHA-3"));
	assert_true(digest_write_challenge(buf, sizeof(buf), &ch) > 0);
	assert_non_null(strstr(buf, "algorithm=SHA-3"));
	ch.algo = DIGEST_ALGO_MD5;
	/* unknown params: a name that is a token, a value, at most the maximum */
	ch.nparams = 1;
	ch.params[0] = (struct digest_param){ S("a b"), digest_plain(S("v")) };
	assert_int_equal(digest_write_challenge(buf, sizeof(buf), &ch), -1);
	ch.params[0] = (struct digest_param){ S(""), digest_plain(S("v")) };
	assert_int_equal(digest_write_challenge(buf, sizeof(buf), &ch), -1);
	ch.params[0] = (struct digest_param){ S("a"), { PL_NULL, false, false } };
	assert_int_equal(digest_write_challenge(buf, sizeof(buf), &ch), -1);
	ch.params[0] = (struct digest_param){ S("a"), digest_plain(S("")) };
	assert_true(digest_write_challenge(buf, sizeof(buf), &ch) > 0);
	assert_non_null(strstr(buf, ", a=\"\""));
	ch.nparams = DIGEST_MAX_PARAMS + 1;
	assert_int_equal(digest_write_challenge(buf, sizeof(buf), &ch), -1);

	/* an unknown qop needs its text too */
	assert_int_equal(digest_write_credentials(buf, sizeof(buf), &cr), -1);
	cr.qop_raw = digest_plain(S("auth-conf"));
	assert_true(digest_write_credentials(buf, sizeof(buf), &cr) > 0);
	assert_string_equal(buf, "Digest username=\"u\", algorithm=MD5, qop=auth-conf, nc=00000000");
	cr.username = digest_plain(S("\x7f"));
	assert_int_equal(digest_write_credentials(buf, sizeof(buf), &cr), -1);
}

static void test_write_credentials(void **state)
{
	struct digest_credentials cr = {
		.username = digest_plain(S("bob")),
		.realm = digest_plain(S("biloxi.com")),
		.nonce = digest_plain(S("ea9c8e88df84f1cec4341ae6cbe5a359")),
		.uri = digest_plain(S("sip:bob@biloxi.com")),
		.response = digest_plain(S("5545a98a2e9b0aad10adcdececfbb1de")),
		.cnonce = digest_plain(S("0a4f113b")),
		.opaque = digest_plain(S("5ccc069c403ebaf9f0171e9517f40e41")),
		.qop = DIGEST_QOP_AUTH,
		.nc = 0xdeadbeef,
	};
	static const char want[] =
		"Digest username=\"bob\", realm=\"biloxi.com\","
		" nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\", uri=\"sip:bob@biloxi.com\","
		" response=\"5545a98a2e9b0aad10adcdececfbb1de\", algorithm=MD5,"
		" cnonce=\"0a4f113b\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\", qop=auth,"
		" nc=deadbeef";
	char buf[512];
	struct digest_credentials back;

	(void)state;
	assert_int_equal(digest_write_credentials(buf, sizeof(buf), &cr), (int)strlen(want));
	assert_string_equal(buf, want);
	for (size_t cap = 0; cap <= strlen(want); cap++)
		assert_int_equal(digest_write_credentials(buf, cap, &cr), -1);

	assert_int_equal(digest_write_credentials(buf, sizeof(buf), &cr), (int)strlen(want));
	assert_null(digest_parse_credentials(pl_from_str(buf), &back));
	assert_int_equal(back.nc, 0xdeadbeef);
	assert_int_equal(back.qop, DIGEST_QOP_AUTH);

	/* no qop: no nc; userhash and username* are written */
	cr.qop = DIGEST_QOP_NONE;
	cr.cnonce = (struct digest_value){ PL_NULL, false, false };
	cr.userhash = true;
	cr.algo = DIGEST_ALGO_SHA512_256_SESS;
	cr.username = (struct digest_value){ PL_NULL, false, false };
	cr.username_ext = digest_plain(S("UTF-8''b%C3%B6b"));
	cr.params[0] = (struct digest_param){ S("q"), (struct digest_value){ S("1"), true, false } };
	cr.nparams = 1;
	assert_true(digest_write_credentials(buf, sizeof(buf), &cr) > 0);
	assert_string_equal(buf, "Digest username*=UTF-8''b%C3%B6b, realm=\"biloxi.com\","
		" nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\", uri=\"sip:bob@biloxi.com\","
		" response=\"5545a98a2e9b0aad10adcdececfbb1de\", algorithm=SHA-512-256-sess,"
		" opaque=\"5ccc069c403ebaf9f0171e9517f40e41\", userhash=true, q=\"1\"");
}

/* parse -> write -> parse gives the same fields. */
static void test_round_trip(void **state)
{
	static const char *const challenges[] = {
		"Digest realm=\"a\\\"b\", nonce=xyz, opaque=\"\", stale=TRUE, algorithm=sha-256,"
		" qop=\"auth,auth-int,foo\", charset=UTF-8, userhash=true, p1=\"q\\\\\", p2=tok",
		"digest realm=r, nonce=\"n\", algorithm=\"new algo\", qop=\"foo\", domain=\"/a /b\"",
	};
	static const char *const creds[] = {
		"Digest username=\"a\\\\b\", realm=r, nonce=n, uri=\"sip:x;transport=tcp\","
		" response=\"0123456789abcdef0123456789abcdef\", qop=auth, nc=0000000F, cnonce=c,"
		" opaque=o, x=\"1\"",
		"Digest username*=UTF-8''x, realm=r, nonce=n, uri=u, response=ab, algorithm=\"A B\","
		" qop=\"auth x\", nc=00000001, cnonce=\"\", userhash=true",
	};
	char buf[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(challenges) / sizeof(challenges[0]); i++) {
		struct digest_challenge a, b;

		assert_null(digest_parse_challenge(pl_from_str(challenges[i]), &a));
		assert_true(digest_write_challenge(buf, sizeof(buf), &a) > 0);
		assert_null(digest_parse_challenge(pl_from_str(buf), &b));
		assert_true(pl_eq(a.realm.s, b.realm.s));
		assert_true(pl_eq(a.nonce.s, b.nonce.s));
		assert_true(pl_eq(a.domain.s, b.domain.s));
		assert_int_equal(a.algo, b.algo);
		assert_int_equal(a.qop & 3, b.qop & 3);
		assert_int_equal(a.stale, b.stale);
		assert_int_equal(a.userhash, b.userhash);
		assert_int_equal(a.nparams, b.nparams);
	}
	for (size_t i = 0; i < sizeof(creds) / sizeof(creds[0]); i++) {
		struct digest_credentials a, b;

		assert_null(digest_parse_credentials(pl_from_str(creds[i]), &a));
		assert_true(digest_write_credentials(buf, sizeof(buf), &a) > 0);
		assert_null(digest_parse_credentials(pl_from_str(buf), &b));
		assert_true(pl_eq(a.username.s, b.username.s));
		assert_true(pl_eq(a.username_ext.s, b.username_ext.s));
		assert_true(pl_eq(a.uri.s, b.uri.s));
		assert_true(pl_eq(a.response.s, b.response.s));
		assert_true(pl_eq(a.algo_raw.s, b.algo_raw.s) || a.algo != DIGEST_ALGO_UNKNOWN);
		assert_int_equal(a.algo, b.algo);
		assert_int_equal(a.qop, b.qop);
		assert_int_equal(a.nc, b.nc);
		assert_int_equal(a.userhash, b.userhash);
		assert_int_equal(a.nparams, b.nparams);
	}
}

/* ------------------------------------------------------------ answering */

static void answer_and_verify(const char *challenge, struct pl password_for_verify)
{
	struct digest_challenge ch;
	struct digest_answer ans;
	struct digest_credentials cr;
	char buf[1024];

	assert_null(digest_parse_challenge(pl_from_str(challenge), &ch));
	assert_int_equal(digest_answer(&ans, &ch, S("bob"), S("zanzibar"), S("INVITE"),
		S("sip:bob@biloxi.com"), 7), 0);
	assert_true(digest_write_credentials(buf, sizeof(buf), &ans.cred) > 0);
	assert_null(digest_parse_credentials(pl_from_str(buf), &cr));
	assert_int_equal(cr.algo, ch.algo);
	if (ch.userhash) {
		char ha1[DIGEST_HEX_SIZE];

		assert_false(digest_verify(&cr, S("INVITE"), password_for_verify));
		assert_true(digest_compute_ha1(cr.algo, S("bob"), S("biloxi.com"), S("zanzibar"), ha1) > 0);
		assert_true(digest_verify_ha1(&cr, S("INVITE"), pl_from_str(ha1)));
	} else {
		assert_true(digest_verify(&cr, S("INVITE"), password_for_verify));
		assert_false(digest_verify(&cr, S("INVITE"), S("wrong")));
	}
}

static void test_answer(void **state)
{
	struct digest_challenge ch;
	struct digest_answer ans;
	char buf[1024];

	(void)state;
	answer_and_verify("Digest realm=\"biloxi.com\", nonce=\"n1\", qop=\"auth,auth-int\","
			  " opaque=\"op\"", S("zanzibar"));
	answer_and_verify("Digest realm=\"biloxi.com\", nonce=\"n1\"", S("zanzibar"));
	answer_and_verify("Digest realm=\"biloxi.com\", nonce=\"n1\", algorithm=MD5-sess",
			  S("zanzibar"));
	answer_and_verify("Digest realm=\"biloxi.com\", nonce=\"n\\\"1\", qop=auth,"
			  " algorithm=SHA-512-256-sess", S("zanzibar"));
	answer_and_verify("Digest realm=\"biloxi.com\", nonce=\"n1\", qop=auth,"
			  " algorithm=SHA-256, userhash=true", S("zanzibar"));

	/* the answer carries what it must */
	assert_null(digest_parse_challenge(S("Digest realm=\"biloxi.com\", nonce=\"n1\","
		" qop=\"auth\", opaque=\"op\", algorithm=SHA-256, userhash=true"), &ch));
	assert_int_equal(digest_answer(&ans, &ch, S("bob"), S("zanzibar"), S("INVITE"),
		S("sip:bob@biloxi.com"), 1), 0);
	assert_string_equal(ans.userhash, sip_vecs[1].userhash);
	assert_int_equal(strlen(ans.cnonce), DIGEST_CNONCE_LEN);
	assert_true(digest_write_credentials(buf, sizeof(buf), &ans.cred) > 0);
	assert_non_null(strstr(buf, "opaque=\"op\""));
	assert_non_null(strstr(buf, "qop=auth, nc=00000001"));
	assert_non_null(strstr(buf, "userhash=true"));
	assert_non_null(strstr(buf, "algorithm=SHA-256"));

	/* RFC 2069 style: no qop, no cnonce, no nc */
	assert_null(digest_parse_challenge(S("Digest realm=r, nonce=n"), &ch));
	assert_int_equal(digest_answer(&ans, &ch, S("bob"), S("pw"), S("INVITE"), S("sip:x"), 1), 0);
	assert_true(digest_write_credentials(buf, sizeof(buf), &ans.cred) > 0);
	assert_null(strstr(buf, "cnonce"));
	assert_null(strstr(buf, "nc="));

	/* what cannot be answered */
	assert_null(digest_parse_challenge(S("Digest realm=r, nonce=n, qop=\"auth-int\""), &ch));
	assert_int_equal(digest_answer(&ans, &ch, S("bob"), S("pw"), S("INVITE"), S("sip:x"), 1), -1);
	assert_null(digest_parse_challenge(S("Digest realm=r, nonce=n, qop=\"\""), &ch));
	assert_int_equal(digest_answer(&ans, &ch, S("bob"), S("pw"), S("INVITE"), S("sip:x"), 1), -1);
	assert_null(digest_parse_challenge(S("Digest realm=r, nonce=n, algorithm=SHA-1"), &ch));
	assert_int_equal(digest_answer(&ans, &ch, S("bob"), S("pw"), S("INVITE"), S("sip:x"), 1), -1);
}

/* RFC 7616 §3.7 / RFC 8760: pick the strongest challenge we support. */
static void test_pick_strongest(void **state)
{
	static const char *const offered[] = {
		"Digest realm=r, nonce=a, algorithm=MD5",
		"Digest realm=r, nonce=b, algorithm=SHA-3",
		"Digest realm=r, nonce=c, algorithm=SHA-512-256",
		"Digest realm=r, nonce=d, algorithm=SHA-256",
		"Digest realm=r, nonce=e, algorithm=SHA-512-256-sess",
	};
	struct digest_challenge ch;
	int best = -1, best_strength = 0;

	(void)state;
	for (int i = 0; i < 5; i++) {
		assert_null(digest_parse_challenge(pl_from_str(offered[i]), &ch));
		if (digest_algo_strength(ch.algo) > best_strength) {
			best_strength = digest_algo_strength(ch.algo);
			best = i;
		}
	}
	assert_int_equal(best, 2);
	assert_int_equal(digest_algo_strength(DIGEST_ALGO_UNKNOWN), 0);
	assert_true(digest_algo_strength(DIGEST_ALGO_MD5) < digest_algo_strength(DIGEST_ALGO_SHA256));
	assert_true(digest_algo_strength(DIGEST_ALGO_SHA256_SESS) <
		    digest_algo_strength(DIGEST_ALGO_SHA512_256));
	assert_int_equal(digest_algo_strength(DIGEST_ALGO_MD5_SESS),
			 digest_algo_strength(DIGEST_ALGO_MD5));
}

static void test_names(void **state)
{
	(void)state;
	assert_int_equal(digest_algo_from_name(S("sha-512-256-SESS")), DIGEST_ALGO_SHA512_256_SESS);
	assert_int_equal(digest_algo_from_name(S("")), DIGEST_ALGO_UNKNOWN);
	assert_int_equal(digest_algo_from_name(PL_NULL), DIGEST_ALGO_UNKNOWN);
	assert_string_equal(digest_algo_name(DIGEST_ALGO_MD5_SESS), "MD5-sess");
	assert_string_equal(digest_algo_name(DIGEST_ALGO_SHA256), "SHA-256");
	assert_null(digest_algo_name(DIGEST_ALGO_UNKNOWN));
	assert_null(digest_algo_name((enum digest_algo)99));
	assert_int_equal(digest_algo_hexlen(DIGEST_ALGO_MD5), 32);
	assert_int_equal(digest_algo_hexlen(DIGEST_ALGO_SHA512_256_SESS), 64);
	assert_int_equal(digest_algo_hexlen(DIGEST_ALGO_UNKNOWN), 0);
	assert_string_equal(digest_qop_name(DIGEST_QOP_AUTH), "auth");
	assert_string_equal(digest_qop_name(DIGEST_QOP_AUTH_INT), "auth-int");
	assert_null(digest_qop_name(DIGEST_QOP_NONE));
	assert_null(digest_qop_name(DIGEST_QOP_UNKNOWN));
}

static void test_unescape(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(digest_unescape(S("a\\\"b"), buf, sizeof(buf)), 3);
	assert_string_equal(buf, "a\"b");
	assert_int_equal(digest_unescape(S("\\\\\\x"), buf, sizeof(buf)), 2);
	assert_string_equal(buf, "\\x");
	/* a lone trailing backslash is kept */
	assert_int_equal(digest_unescape(S("ab\\"), buf, sizeof(buf)), 3);
	assert_string_equal(buf, "ab\\");
	assert_int_equal(digest_unescape(S(""), buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(digest_unescape(PL_NULL, buf, sizeof(buf)), 0);
	assert_int_equal(digest_unescape(S("1234567"), buf, sizeof(buf)), 7);
	assert_int_equal(digest_unescape(S("12345678"), buf, sizeof(buf)), -1);
	assert_int_equal(digest_unescape(S("1234567\\8"), buf, sizeof(buf)), -1);
	assert_int_equal(digest_unescape(S(""), buf, 0), -1);
	assert_int_equal(digest_unescape(S("x"), buf, 1), -1);
}

static void test_cnonce(void **state)
{
	char a[DIGEST_CNONCE_SIZE], b[DIGEST_CNONCE_SIZE];

	(void)state;
	assert_int_equal(digest_cnonce(a, sizeof(a)), DIGEST_CNONCE_LEN);
	assert_int_equal(digest_cnonce(b, sizeof(b)), DIGEST_CNONCE_LEN);
	assert_int_equal(strlen(a), DIGEST_CNONCE_LEN);
	assert_int_equal(strspn(a, "0123456789abcdef"), DIGEST_CNONCE_LEN);
	assert_string_not_equal(a, b);
	assert_int_equal(digest_cnonce(a, DIGEST_CNONCE_LEN), -1);
}

/* ------------------------------------------------------------ nonces */

static const uint8_t secret[] = "0123456789abcdef0123456789abcdef";
#define SECRET secret, sizeof(secret) - 1

static void test_nonce_ok_stale(void **state)
{
	char n[DIGEST_NONCE_SIZE];
	struct pl nonce;

	(void)state;
	assert_int_equal(digest_nonce_make(SECRET, S("biloxi.com"), 1700000000, n, sizeof(n)),
			 DIGEST_NONCE_LEN);
	assert_int_equal(strlen(n), DIGEST_NONCE_LEN);
	assert_int_equal(strspn(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
			 DIGEST_NONCE_LEN);
	/* the timestamp leads: 1700000000 = 0x6553f100 */
	assert_memory_equal(n, "AAAAAGVT8Q", 10);
	nonce = pl_from_str(n);

	assert_int_equal(digest_nonce_check(SECRET, S("biloxi.com"), nonce, 1700000000, 32),
			 DIGEST_NONCE_OK);
	assert_int_equal(digest_nonce_check(SECRET, S("biloxi.com"), nonce, 1700000032, 32),
			 DIGEST_NONCE_OK);
	assert_int_equal(digest_nonce_check(SECRET, S("biloxi.com"), nonce, 1700000033, 32),
			 DIGEST_NONCE_STALE);
	assert_int_equal(digest_nonce_check(SECRET, S("biloxi.com"), nonce, 1999999999, 32),
			 DIGEST_NONCE_STALE);
	/* from the future: the clock went back */
	assert_int_equal(digest_nonce_check(SECRET, S("biloxi.com"), nonce, 1699999999, 32),
			 DIGEST_NONCE_STALE);
	/* the same inputs give the same nonce; the next second a different one */
	{
		char m[DIGEST_NONCE_SIZE];

		assert_int_equal(digest_nonce_make(SECRET, S("biloxi.com"), 1700000000, m, sizeof(m)),
				 DIGEST_NONCE_LEN);
		assert_string_equal(n, m);
		assert_int_equal(digest_nonce_make(SECRET, S("biloxi.com"), 1700000001, m, sizeof(m)),
				 DIGEST_NONCE_LEN);
		assert_string_not_equal(n, m);
	}
	/* extreme times do not overflow */
	assert_int_equal(digest_nonce_make(SECRET, S("r"), 0, n, sizeof(n)), DIGEST_NONCE_LEN);
	assert_int_equal(digest_nonce_check(SECRET, S("r"), pl_from_str(n), INT64_MAX, 32),
			 DIGEST_NONCE_STALE);
	assert_int_equal(digest_nonce_check(SECRET, S("r"), pl_from_str(n), 0, 0), DIGEST_NONCE_OK);
	assert_int_equal(digest_nonce_make(SECRET, S("r"), -5, n, sizeof(n)), DIGEST_NONCE_LEN);
	assert_int_equal(digest_nonce_check(SECRET, S("r"), pl_from_str(n), INT64_MAX, UINT32_MAX),
			 DIGEST_NONCE_STALE);
	assert_int_equal(digest_nonce_check(SECRET, S("r"), pl_from_str(n), -5, 0), DIGEST_NONCE_OK);
	assert_int_equal(digest_nonce_check(SECRET, S("r"), pl_from_str(n), -6, 10),
			 DIGEST_NONCE_STALE);
	/* an empty realm is a realm */
	assert_int_equal(digest_nonce_make(SECRET, S(""), 100, n, sizeof(n)), DIGEST_NONCE_LEN);
	assert_int_equal(digest_nonce_check(SECRET, S(""), pl_from_str(n), 100, 32), DIGEST_NONCE_OK);
}

static void test_nonce_bad(void **state)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	char n[DIGEST_NONCE_SIZE], m[DIGEST_NONCE_SIZE + 4];
	const time_t now = 1700000000;

	(void)state;
	assert_int_equal(digest_nonce_make(SECRET, S("biloxi.com"), now, n, sizeof(n)),
			 DIGEST_NONCE_LEN);

	/* one flipped bit anywhere: every character, every one of its 6 bits */
	for (size_t i = 0; i < DIGEST_NONCE_LEN; i++) {
		int v = (int)(strchr(alphabet, n[i]) - alphabet);

		for (int bit = 0; bit < 6; bit++) {
			memcpy(m, n, sizeof(n));
			m[i] = alphabet[v ^ (1 << bit)];
			assert_int_equal(digest_nonce_check(SECRET, S("biloxi.com"), pl_from_str(m),
							    now, 32), DIGEST_NONCE_BAD);
		}
	}
	/* wrong realm, wrong secret */
	assert_int_equal(digest_nonce_check(SECRET, S("biloxi.co"), pl_from_str(n), now, 32),
			 DIGEST_NONCE_BAD);
	assert_int_equal(digest_nonce_check(SECRET, S("Biloxi.com"), pl_from_str(n), now, 32),
			 DIGEST_NONCE_BAD);
	assert_int_equal(digest_nonce_check((const uint8_t *)"other", 5, S("biloxi.com"),
					    pl_from_str(n), now, 32), DIGEST_NONCE_BAD);
	assert_int_equal(digest_nonce_check(NULL, 0, S("biloxi.com"), pl_from_str(n), now, 32),
			 DIGEST_NONCE_BAD);
	/* truncated, extended, padded */
	assert_int_equal(digest_nonce_check(SECRET, S("biloxi.com"), pl_from(n, 31), now, 32),
			 DIGEST_NONCE_BAD);
	assert_int_equal(digest_nonce_check(SECRET, S("biloxi.com"), pl_from(n, 0), now, 32),
			 DIGEST_NONCE_BAD);
	snprintf(m, sizeof(m), "%sAAA=", n);
	assert_int_equal(digest_nonce_check(SECRET, S("biloxi.com"), pl_from_str(m), now, 32),
			 DIGEST_NONCE_BAD);
	memcpy(m, n, sizeof(n));
	m[31] = '=';
	assert_int_equal(digest_nonce_check(SECRET, S("biloxi.com"), pl_from_str(m), now, 32),
			 DIGEST_NONCE_BAD);
	/* standard base64 is not base64url */
	memcpy(m, n, sizeof(n));
	m[5] = '+';
	assert_int_equal(digest_nonce_check(SECRET, S("biloxi.com"), pl_from_str(m), now, 32),
			 DIGEST_NONCE_BAD);
	/* garbage */
	assert_int_equal(digest_nonce_check(SECRET, S("biloxi.com"),
		S("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), now, 32), DIGEST_NONCE_BAD);
	assert_int_equal(digest_nonce_check(SECRET, S("biloxi.com"),
		S("\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\""), now, 32), DIGEST_NONCE_BAD);
	assert_int_equal(digest_nonce_check(SECRET, S("biloxi.com"), PL_NULL, now, 32),
			 DIGEST_NONCE_BAD);
}

static void test_nonce_make_errors(void **state)
{
	char n[DIGEST_NONCE_SIZE];

	(void)state;
	assert_int_equal(digest_nonce_make(SECRET, S("r"), 1, n, DIGEST_NONCE_LEN), -1);
	assert_int_equal(digest_nonce_make(SECRET, S("r"), 1, NULL, 64), -1);
	assert_int_equal(digest_nonce_make(secret, 0, S("r"), 1, n, sizeof(n)), -1);
	assert_int_equal(digest_nonce_make(NULL, 16, S("r"), 1, n, sizeof(n)), -1);
}

/* sigd's 401 round trip: make a nonce, challenge, answer, check both. */
static void test_sigd_flow(void **state)
{
	char nonce[DIGEST_NONCE_SIZE], hdr[512], auth[1024];
	struct digest_challenge ch;
	struct digest_answer ans;
	struct digest_credentials cr;
	struct digest_challenge out = {
		.realm = digest_plain(S("tandem.example")),
		.algo = DIGEST_ALGO_SHA256,
		.qop = DIGEST_QOP_AUTH,
	};

	(void)state;
	assert_int_equal(digest_nonce_make(SECRET, S("tandem.example"), 1000, nonce, sizeof(nonce)),
			 DIGEST_NONCE_LEN);
	out.nonce = digest_plain(pl_from_str(nonce));
	assert_true(digest_write_challenge(hdr, sizeof(hdr), &out) > 0);

	assert_null(digest_parse_challenge(pl_from_str(hdr), &ch));
	assert_int_equal(digest_answer(&ans, &ch, S("alice"), S("secret"), S("INVITE"),
		S("sip:bob@tandem.example"), 1), 0);
	assert_true(digest_write_credentials(auth, sizeof(auth), &ans.cred) > 0);

	assert_null(digest_parse_credentials(pl_from_str(auth), &cr));
	assert_int_equal(digest_nonce_check(SECRET, S("tandem.example"), cr.nonce.s, 1010, 32),
			 DIGEST_NONCE_OK);
	assert_int_equal(digest_nonce_check(SECRET, S("tandem.example"), cr.nonce.s, 1033, 32),
			 DIGEST_NONCE_STALE);
	assert_true(digest_verify(&cr, S("INVITE"), S("secret")));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc7616_sha256_md5),
		cmocka_unit_test(test_rfc7616_verify_header),
		cmocka_unit_test(test_rfc2617),
		cmocka_unit_test(test_sip_vectors),
		cmocka_unit_test(test_compute_errors),
		cmocka_unit_test(test_parse_challenge_rfc3261),
		cmocka_unit_test(test_parse_challenge_rfc7616),
		cmocka_unit_test(test_parse_challenge_sloppy),
		cmocka_unit_test(test_parse_challenge_algorithms),
		cmocka_unit_test(test_parse_challenge_qop),
		cmocka_unit_test(test_parse_challenge_flags),
		cmocka_unit_test(test_parse_params_limit),
		cmocka_unit_test(test_parse_syntax_errors),
		cmocka_unit_test(test_parse_nul_and_null),
		cmocka_unit_test(test_parse_challenge_semantic_errors),
		cmocka_unit_test(test_parse_credentials_rfc3261),
		cmocka_unit_test(test_parse_credentials_sloppy),
		cmocka_unit_test(test_parse_credentials_ext),
		cmocka_unit_test(test_parse_credentials_unknown),
		cmocka_unit_test(test_parse_credentials_errors),
		cmocka_unit_test(test_verify_escaped_and_raw_text),
		cmocka_unit_test(test_verify_refusals),
		cmocka_unit_test(test_write_challenge),
		cmocka_unit_test(test_write_refusals),
		cmocka_unit_test(test_write_credentials),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_answer),
		cmocka_unit_test(test_pick_strongest),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_unescape),
		cmocka_unit_test(test_cnonce),
		cmocka_unit_test(test_nonce_ok_stale),
		cmocka_unit_test(test_nonce_bad),
		cmocka_unit_test(test_nonce_make_errors),
		cmocka_unit_test(test_sigd_flow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
