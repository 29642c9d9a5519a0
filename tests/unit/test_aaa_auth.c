/* ccd/aaa_auth.c: Sippy's naming rules, Access-Request lists (exact order)
 * and reading Access-Accept / Reject replies, every error path. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ccd/aaa_auth.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void dump(const struct avlist *l)
{
	for (unsigned i = 0; i < l->n; i++)
		print_message("  [%u] %s = \"%s\"\n", i, l->a[i].name, l->a[i].value);
}

/* The list is exactly these pairs, in this order. */
static void expect_list(const struct avlist *l, const char *const want[][2], size_t n)
{
	for (size_t i = 0; i < n && i < l->n; i++)
		if (strcmp(l->a[i].name, want[i][0]) != 0 ||
		    strcmp(l->a[i].value, want[i][1]) != 0) {
			dump(l);
			fail_msg("pair %zu: got %s=\"%s\", expected %s=\"%s\"", i, l->a[i].name,
				 l->a[i].value, want[i][0], want[i][1]);
		}
	if (l->n != n) {
		dump(l);
		fail_msg("%u pairs, expected %zu", l->n, n);
	}
}

static void assert_pl(struct pl x, const char *want)
{
	if (!x.p)
		fail_msg("unset, expected '%s'", want);
	if (!pl_eq_str(x, want))
		fail_msg("got '%.*s', expected '%s'", PL_FMT(x), want);
}

static char *repeat(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

/* ------------------------------------------------------------ naming */

static void test_kind(void **state)
{
	static const char *const avpairs[] = {
		"call-id", "h323-session-protocol", "h323-ivr-out", "h323-incoming-conf-id",
		"release-source", "alert-timepoint", "provisional-timepoint",
	};
	static const char *const vsas[] = {
		"h323-remote-address", "h323-conf-id", "h323-setup-time", "h323-call-origin",
		"h323-call-type", "h323-connect-time", "h323-disconnect-time",
		"h323-disconnect-cause", "h323-voice-quality", "h323-credit-time",
		"h323-return-code", "h323-redirect-number", "h323-preferred-lang",
		"h323-billing-model", "h323-currency",
	};
	const char *canon;

	(void)state;
	for (size_t i = 0; i < N(avpairs); i++) {
		assert_int_equal(aaa_attr_kind(avpairs[i], &canon), AAA_ATTR_AVPAIR);
		assert_string_equal(canon, avpairs[i]);
	}
	for (size_t i = 0; i < N(vsas); i++) {
		assert_int_equal(aaa_attr_kind(vsas[i], &canon), AAA_ATTR_VSA);
		assert_string_equal(canon, vsas[i]);
	}
	assert_int_equal(aaa_attr_kind("Call-ID", &canon), AAA_ATTR_AVPAIR);
	assert_string_equal(canon, "call-id");
	assert_int_equal(aaa_attr_kind("H323-Conf-ID", &canon), AAA_ATTR_VSA);
	assert_string_equal(canon, "h323-conf-id");
	assert_int_equal(aaa_attr_kind("User-Name", &canon), AAA_ATTR_PLAIN);
	assert_string_equal(canon, "User-Name");
	assert_int_equal(aaa_attr_kind("h323-ivr-in", NULL), AAA_ATTR_PLAIN);
	assert_int_equal(aaa_attr_kind("Cisco-AVPair", NULL), AAA_ATTR_PLAIN);
	assert_int_equal(aaa_attr_kind("", NULL), AAA_ATTR_PLAIN);
}

static void test_add(void **state)
{
	static const char *const want[][2] = {
		{ "Cisco-AVPair", "call-id=abc@host" },
		{ "Cisco-AVPair", "release-source=2" },
		{ "h323-setup-time", "h323-setup-time=12:00:00.000 GMT Fri Nov 20 2026" },
		{ "h323-conf-id", "h323-conf-id=X" },
		{ "h323-conf-id", "h323-conf-id=Y" },	/* already encoded: not twice */
		{ "h323-credit-time", "H323-Credit-Time=5" },
		{ "Cisco-AVPair", "provisional-timepoint=x" },
		{ "X-Account", "42" },
		{ "Cisco-AVPair", "h323-ivr-in=CLI:1" },	/* plain: as it is */
		{ "Cisco-AVPair", "call-id=" },
	};
	struct avlist l;

	(void)state;
	avlist_init(&l);
	assert_int_equal(aaa_add(&l, "call-id", "abc@host"), 0);
	assert_int_equal(aaa_add(&l, "release-source", "2"), 0);
	assert_int_equal(aaa_add(&l, "h323-setup-time", "12:00:00.000 GMT Fri Nov 20 2026"), 0);
	assert_int_equal(aaa_add(&l, "H323-CONF-ID", "X"), 0);
	assert_int_equal(aaa_add(&l, "h323-conf-id", "h323-conf-id=Y"), 0);
	assert_int_equal(aaa_add(&l, "h323-credit-time", "H323-Credit-Time=5"), 0);
	assert_int_equal(aaa_add(&l, "Provisional-Timepoint", "x"), 0);
	assert_int_equal(aaa_add(&l, "X-Account", "42"), 0);
	assert_int_equal(aaa_add(&l, "Cisco-AVPair", "h323-ivr-in=CLI:1"), 0);
	assert_int_equal(aaa_add(&l, "call-id", ""), 0);
	/* No empty RADIUS attributes: a plain one is left out, quietly. */
	assert_int_equal(aaa_add(&l, "X-Empty", ""), 0);
	assert_int_equal(aaa_add(&l, "", ""), -1);
	assert_int_equal(aaa_add(&l, "X-Name-Far-Too-Long-For-Any-Dictionary-Entry-At-All", ""), -1);
	expect_list(&l, want, N(want));
}

/* Cisco attributes hold 247 bytes, the prefix included; others 253. */
static void test_add_limits(void **state)
{
	char v[300];
	struct avlist l;

	(void)state;
	avlist_init(&l);
	/* "call-id=" is 8 bytes: 239 fit, 240 do not. */
	assert_int_equal(aaa_add(&l, "call-id", repeat(v, 'a', 239)), 0);
	assert_int_equal(strlen(l.a[0].value), AAA_VSA_VALUE_MAX);
	assert_int_equal(aaa_add(&l, "call-id", repeat(v, 'a', 240)), -1);
	/* "h323-conf-id=" is 13 bytes. */
	assert_int_equal(aaa_add(&l, "h323-conf-id", repeat(v, 'b', 234)), 0);
	assert_int_equal(aaa_add(&l, "h323-conf-id", repeat(v, 'b', 235)), -1);
	/* Already prefixed: the whole value counts. */
	memcpy(v, "h323-conf-id=", 13);
	memset(v + 13, 'c', 234);
	v[247] = '\0';
	assert_int_equal(aaa_add(&l, "h323-conf-id", v), 0);
	v[247] = 'c';
	v[248] = '\0';
	assert_int_equal(aaa_add(&l, "h323-conf-id", v), -1);
	assert_int_equal(aaa_add(&l, "X-Plain", repeat(v, 'd', 253)), 0);
	assert_int_equal(aaa_add(&l, "X-Plain", repeat(v, 'd', 254)), -1);
	assert_int_equal(aaa_add(&l, "", "x"), -1);
	assert_int_equal(l.n, 4);

	/* A full list takes nothing more, in any encoding. */
	while (l.n < AVLIST_MAX)
		assert_int_equal(aaa_add(&l, "X-Plain", "y"), 0);
	assert_int_equal(aaa_add(&l, "X-Plain", "y"), -1);
	assert_int_equal(aaa_add(&l, "call-id", "y"), -1);
	assert_int_equal(aaa_add(&l, "h323-conf-id", "y"), -1);
	assert_int_equal(aaa_add(&l, "h323-conf-id", "h323-conf-id=y"), -1);
	assert_int_equal(l.n, AVLIST_MAX);
}

/* ------------------------------------------------------ auth request */

/* Sippy's verified remote-IP request (one call from sipp). */
static void test_request_remote_ip(void **state)
{
	static const char *const want[][2] = {
		{ "User-Name", "127.0.0.1" },
		{ "Password", "cisco" },
		{ "Calling-Station-Id", "sipp" },
		{ "Called-Station-Id", "service" },
		{ "Cisco-AVPair", "call-id=1-23793@127.0.0.1" },
		{ "h323-remote-address", "h323-remote-address=127.0.0.1" },
		{ "Cisco-AVPair", "h323-session-protocol=sipv2" },
	};
	struct aaa_auth_req req = {
		.call_id = "1-23793@127.0.0.1", .cli = "sipp", .cld = "service",
		.remote_ip = "127.0.0.1",
	};
	struct aaa_digest nouser = { .username = "", .realm = "r" };
	struct avlist l;
	const char *why = NULL;

	(void)state;
	assert_false(aaa_auth_is_digest(&req));
	assert_int_equal(aaa_auth_request(&l, &req, &why), 0);
	expect_list(&l, want, N(want));

	/* Credentials with an empty username: still the remote-IP method. */
	req.digest = &nouser;
	assert_false(aaa_auth_is_digest(&req));
	assert_int_equal(aaa_auth_request(&l, &req, &why), 0);
	expect_list(&l, want, N(want));
	nouser.username = NULL;
	assert_false(aaa_auth_is_digest(&req));
	assert_int_equal(aaa_auth_request(&l, &req, NULL), 0);
	expect_list(&l, want, N(want));
}

/* No From user and no CLD: left out (Sippy sends '', which RADIUS does
 * not have); IPv6 caller. */
static void test_request_empty_numbers(void **state)
{
	static const char *const want[][2] = {
		{ "User-Name", "2001:db8::1" },
		{ "Password", "cisco" },
		{ "Cisco-AVPair", "call-id=x" },
		{ "h323-remote-address", "h323-remote-address=2001:db8::1" },
		{ "Cisco-AVPair", "h323-session-protocol=sipv2" },
	};
	struct aaa_auth_req req = { .call_id = "x", .remote_ip = "2001:db8::1" };
	struct avlist l;

	(void)state;
	assert_int_equal(aaa_auth_request(&l, &req, NULL), 0);
	expect_list(&l, want, N(want));
	req.cli = "";
	req.cld = "";
	assert_int_equal(aaa_auth_request(&l, &req, NULL), 0);
	expect_list(&l, want, N(want));
}

/* RFC 2069 credentials (what our own challenge, without qop, gets back). */
static void test_request_digest(void **state)
{
	static const char *const want[][2] = {
		{ "User-Name", "alice" },
		{ "Digest-Realm", "test.local" },
		{ "Digest-Nonce", "4b1f2a3c5d" },
		{ "Digest-Method", "INVITE" },
		{ "Digest-URI", "sip:5552000@127.0.0.1" },
		{ "Digest-Algorithm", "MD5" },
		{ "Digest-User-Name", "alice" },
		{ "Digest-Response", "0123456789abcdef0123456789abcdef" },
		{ "Calling-Station-Id", "5551000" },
		{ "Called-Station-Id", "5552000" },
		{ "Cisco-AVPair", "call-id=cid-1" },
		{ "h323-remote-address", "h323-remote-address=192.0.2.7" },
		{ "Cisco-AVPair", "h323-session-protocol=sipv2" },
	};
	struct aaa_digest d = {
		.username = "alice", .realm = "test.local", .nonce = "4b1f2a3c5d",
		.uri = "sip:5552000@127.0.0.1", .response = "0123456789abcdef0123456789abcdef",
	};
	struct aaa_auth_req req = {
		.call_id = "cid-1", .cli = "5551000", .cld = "5552000", .remote_ip = "192.0.2.7",
		.digest = &d,
	};
	struct avlist l;

	(void)state;
	assert_true(aaa_auth_is_digest(&req));
	assert_int_equal(aaa_auth_request(&l, &req, NULL), 0);
	expect_list(&l, want, N(want));

	/* Explicit empty strings are absent too; qop without value: none. */
	d.algorithm = "";
	d.method = "";
	d.qop = "";
	d.cnonce = "ignored-without-qop";
	assert_int_equal(aaa_auth_request(&l, &req, NULL), 0);
	expect_list(&l, want, N(want));
}

/* qop=auth: the client's algorithm and the qop trio go to RADIUS. */
static void test_request_digest_qop(void **state)
{
	static const char *const want[][2] = {
		{ "User-Name", "bob" },
		{ "Digest-Realm", "example.com" },
		{ "Digest-Nonce", "AAAAAGlYZp1x" },
		{ "Digest-Method", "REGISTER" },
		{ "Digest-URI", "sip:example.com" },
		{ "Digest-Algorithm", "MD5-sess" },
		{ "Digest-User-Name", "bob" },
		{ "Digest-Response", "6629fae49393a05397450978507c4ef1" },
		{ "Digest-QOP", "auth" },
		{ "Digest-CNonce", "0a4f113b" },
		{ "Digest-Nonce-Count", "00000001" },
		{ "Calling-Station-Id", "bob" },
		{ "Called-Station-Id", "100" },
		{ "Cisco-AVPair", "call-id=c2" },
		{ "h323-remote-address", "h323-remote-address=10.0.0.1" },
		{ "Cisco-AVPair", "h323-session-protocol=sipv2" },
	};
	struct aaa_digest d = {
		.username = "bob", .realm = "example.com", .nonce = "AAAAAGlYZp1x",
		.uri = "sip:example.com", .response = "6629fae49393a05397450978507c4ef1",
		.algorithm = "MD5-sess", .method = "REGISTER", .qop = "auth",
		.cnonce = "0a4f113b", .nc = "00000001",
	};
	struct aaa_auth_req req = {
		.call_id = "c2", .cli = "bob", .cld = "100", .remote_ip = "10.0.0.1", .digest = &d,
	};
	struct avlist l;

	(void)state;
	assert_int_equal(aaa_auth_request(&l, &req, NULL), 0);
	expect_list(&l, want, N(want));
}

/* pre_auth_proc pairs go last, by the naming rules. */
static void test_request_extras(void **state)
{
	static const char *const want[][2] = {
		{ "User-Name", "10.1.1.1" },
		{ "Password", "cisco" },
		{ "Calling-Station-Id", "a" },
		{ "Called-Station-Id", "b" },
		{ "Cisco-AVPair", "call-id=c" },
		{ "h323-remote-address", "h323-remote-address=10.1.1.1" },
		{ "Cisco-AVPair", "h323-session-protocol=sipv2" },
		{ "h323-billing-model", "h323-billing-model=1" },
		{ "Cisco-AVPair", "h323-ivr-out=acct:77" },
		{ "X-Tenant", "blue" },
	};
	struct avlist extra;
	struct aaa_auth_req req = {
		.call_id = "c", .cli = "a", .cld = "b", .remote_ip = "10.1.1.1", .extra = &extra,
	};
	struct avlist l;

	(void)state;
	avlist_init(&extra);
	avlist_add(&extra, "h323-billing-model", "1");
	avlist_add(&extra, "h323-ivr-out", "acct:77");
	avlist_add(&extra, "X-Tenant", "blue");
	assert_int_equal(aaa_auth_request(&l, &req, NULL), 0);
	expect_list(&l, want, N(want));
}

static void request_fails(const struct aaa_auth_req *req, const char *reason)
{
	struct avlist l;
	const char *why = NULL;

	assert_int_equal(aaa_auth_request(&l, req, &why), -1);
	assert_int_equal(l.n, 0);
	assert_non_null(why);
	if (strcmp(why, reason) != 0)
		fail_msg("reason '%s', expected '%s'", why, reason);
	assert_int_equal(aaa_auth_request(&l, req, NULL), -1);	/* why is optional */
}

static void test_request_missing(void **state)
{
	struct aaa_digest d = {
		.username = "u", .realm = "r", .nonce = "n", .uri = "sip:x", .response = "00",
	};
	struct aaa_auth_req req = { .call_id = "c", .remote_ip = "1.2.3.4", .digest = &d };

	(void)state;
	req.call_id = NULL;
	request_fails(&req, "no Call-ID");
	req.call_id = "";
	request_fails(&req, "no Call-ID");
	req.call_id = "c";
	req.remote_ip = NULL;
	request_fails(&req, "no remote address");
	req.remote_ip = "1.2.3.4";

	static const char missing[] = "digest credentials without realm, nonce, uri or response";
	d.realm = "";
	request_fails(&req, missing);
	d.realm = "r";
	d.nonce = NULL;
	request_fails(&req, missing);
	d.nonce = "n";
	d.uri = "";
	request_fails(&req, missing);
	d.uri = "sip:x";
	d.response = NULL;
	request_fails(&req, missing);
	d.response = "00";

	static const char noqop[] = "digest credentials with qop but without cnonce or nc";
	d.qop = "auth";
	d.nc = "00000001";
	request_fails(&req, noqop);
	d.cnonce = "cn";
	d.nc = "";
	request_fails(&req, noqop);
	d.nc = "00000001";
	struct avlist l;
	assert_int_equal(aaa_auth_request(&l, &req, NULL), 0);
}

/* Every attribute a caller's value can overflow names itself. */
static void test_request_too_long(void **state)
{
	char big[300], b252[260], b228[240];
	struct aaa_digest d = {
		.username = "u", .realm = "r", .nonce = "n", .uri = "sip:x", .response = "00",
		.qop = "auth", .cnonce = "cn", .nc = "00000001",
	};
	struct aaa_auth_req req = { .call_id = "c", .remote_ip = "1.2.3.4", .digest = &d };
	const char **fields[] = { &d.realm, &d.nonce, &d.method, &d.uri, &d.algorithm,
				  &d.qop, &d.cnonce, &d.nc };
	const char *names[] = { "Digest-Realm", "Digest-Nonce", "Digest-Method", "Digest-URI",
				"Digest-Algorithm", "Digest-QOP", "Digest-CNonce",
				"Digest-Nonce-Count" };
	char want[64];

	(void)state;
	repeat(big, 'x', 254);
	repeat(b252, 'y', 252);
	repeat(b228, 'z', 228);
	for (size_t i = 0; i < N(fields); i++) {
		const char *keep = *fields[i];

		*fields[i] = b252;	/* 252 > 251: too long for a sub-attribute */
		snprintf(want, sizeof(want), "%s too long", names[i]);
		request_fails(&req, want);
		*fields[i] = keep;
	}

	/* Exactly 251 fits a Digest-* sub-attribute. */
	struct avlist l;
	b252[251] = '\0';
	d.uri = b252;
	assert_int_equal(aaa_auth_request(&l, &req, NULL), 0);
	assert_int_equal(strlen(l.a[4].value), AAA_DIGEST_VALUE_MAX);
	d.uri = "sip:x";
	b252[251] = 'y';

	/* 252 fits User-Name (253) but not Digest-User-Name (251). */
	d.username = b252;
	request_fails(&req, "Digest-User-Name too long");
	d.username = big;
	request_fails(&req, "User-Name too long");
	d.username = "u";
	d.response = big;
	request_fails(&req, "Digest-Response too long");
	d.response = "00";

	req.cli = big;
	request_fails(&req, "Calling-Station-Id too long");
	req.cli = "a";
	req.cld = big;
	request_fails(&req, "Called-Station-Id too long");
	req.cld = "b";
	req.call_id = b228;	/* "call-id=" + 228 = 236: fits 247 */
	assert_int_equal(aaa_auth_request(&l, &req, NULL), 0);
	req.call_id = b252;
	request_fails(&req, "call-id too long");
	req.call_id = "c";

	/* Remote-IP method: the address is User-Name and h323-remote-address
	 * ("h323-remote-address=" is 20 bytes: 227 fit). */
	req.digest = NULL;
	req.remote_ip = big;
	request_fails(&req, "User-Name too long");
	req.remote_ip = b228;
	request_fails(&req, "h323-remote-address too long");
	b228[227] = '\0';
	assert_int_equal(aaa_auth_request(&l, &req, NULL), 0);
}

static void test_request_extras_fail(void **state)
{
	char big[300];
	struct avlist extra;
	struct aaa_auth_req req = {
		.call_id = "c", .cli = "a", .cld = "b", .remote_ip = "1.2.3.4", .extra = &extra,
	};

	(void)state;
	avlist_init(&extra);
	avlist_add(&extra, "h323-currency", repeat(big, 'e', 240));
	request_fails(&req, "extra attribute name or value too long");

	/* 7 base pairs + 41 extras fill the list; the 42nd has no room. */
	avlist_init(&extra);
	for (unsigned i = 0; i < AVLIST_MAX - 7; i++)
		avlist_add(&extra, "X-Pair", "v");
	struct avlist l;
	assert_int_equal(aaa_auth_request(&l, &req, NULL), 0);
	assert_int_equal(l.n, AVLIST_MAX);
	avlist_add(&extra, "X-Pair", "v");
	request_fails(&req, "too many extra attributes");
}

/* -------------------------------------------------------- auth reply */

static struct avlist reply;
static struct aaa_auth_reply r;

static void reply_init(void)
{
	avlist_init(&reply);
}

static void rx(const char *name, const char *value)
{
	assert_int_equal(avlist_add(&reply, name, value), 0);
}

/* The FreeRADIUS test bed's Access-Accept, Cisco's "name=value" style. */
static void test_reply_cisco_style(void **state)
{
	(void)state;
	reply_init();
	rx("h323-return-code", "h323-return-code=0");
	rx("h323-credit-time", "h323-credit-time=3600");
	rx("Cisco-AVPair", "h323-ivr-in=Routing:127.0.0.1:5070;credit-time=60");
	rx("Cisco-AVPair", "h323-ivr-in=Routing:5551234@[::1]:5072");
	rx("Reply-Message", "ok-by-ip");
	assert_int_equal(aaa_auth_reply_parse(&r, &reply), 0);
	assert_int_equal(r.n_routes, 2);
	assert_pl(r.routes[0], "127.0.0.1:5070;credit-time=60");
	assert_pl(r.routes[1], "5551234@[::1]:5072");
	assert_int_equal(r.routes_dropped, 0);
	assert_true(r.credit_time.set);
	assert_int_equal(r.credit_time.v, 3600);
	assert_true(r.return_code.set);
	assert_int_equal(r.return_code.v, 0);
	assert_pl(r.reply_message, "ok-by-ip");
	assert_null(r.cli.p);
	assert_null(r.cnam.p);
	assert_null(r.billing_model.p);
	assert_null(r.currency.p);
	assert_null(r.preferred_lang.p);
	assert_null(r.redirect_number.p);
	assert_int_equal(r.n_problems, 0);
	assert_string_equal(r.reason, "");

	/* Slices point into the reply's own values (zero-copy). */
	assert_ptr_equal(r.routes[0].p, reply.a[2].value + strlen("h323-ivr-in=Routing:"));
	assert_ptr_equal(r.reply_message.p, reply.a[4].value);
}

/* The same by bare values, as many billing servers send them. */
static void test_reply_bare_style(void **state)
{
	(void)state;
	reply_init();
	rx("h323-return-code", "0");
	rx("h323-credit-time", "600");
	rx("h323-billing-model", "1");
	rx("h323-currency", "USD");
	rx("h323-preferred-lang", "en");
	rx("h323-redirect-number", "5559876");
	rx("Cisco-AVPair", "h323-ivr-in=Routing:127.0.0.1:5070");
	assert_int_equal(aaa_auth_reply_parse(&r, &reply), 0);
	assert_int_equal(r.credit_time.v, 600);
	assert_int_equal(r.return_code.v, 0);
	assert_pl(r.billing_model, "1");
	assert_pl(r.currency, "USD");
	assert_pl(r.preferred_lang, "en");
	assert_pl(r.redirect_number, "5559876");

	/* And the prefixed forms of the text fields. */
	reply_init();
	rx("h323-billing-model", "h323-billing-model=0");
	rx("h323-currency", "h323-currency=EUR");
	rx("h323-preferred-lang", "h323-preferred-lang=fr");
	rx("h323-redirect-number", "h323-redirect-number=");
	rx("Reply-Message", "Reply-Message=hello");	/* Sippy strips it too */
	assert_int_equal(aaa_auth_reply_parse(&r, &reply), 0);
	assert_pl(r.billing_model, "0");
	assert_pl(r.currency, "EUR");
	assert_pl(r.preferred_lang, "fr");
	assert_pl(r.redirect_number, "");
	assert_pl(r.reply_message, "hello");
	assert_int_equal(r.n_routes, 0);
	assert_false(r.credit_time.set);
	assert_false(r.return_code.set);
}

static void test_reply_cli_cnam(void **state)
{
	(void)state;
	reply_init();
	rx("Cisco-AVPair", "h323-ivr-in=CLI:4441112222");
	rx("Cisco-AVPair", "h323-ivr-in=CNAM:Bob%20Name");
	assert_int_equal(aaa_auth_reply_parse(&r, &reply), 0);
	assert_pl(r.cli, "4441112222");
	assert_pl(r.cnam, "Bob%20Name");	/* verbatim, as Sippy */

	/* Empty CLI: set, meaning "no CLI"; last instance wins. */
	reply_init();
	rx("Cisco-AVPair", "h323-ivr-in=CLI:111");
	rx("Cisco-AVPair", "h323-ivr-in=CLI:");
	rx("Cisco-AVPair", "h323-ivr-in=CNAM:");
	assert_int_equal(aaa_auth_reply_parse(&r, &reply), 0);
	assert_non_null(r.cli.p);
	assert_int_equal(r.cli.l, 0);
	assert_non_null(r.cnam.p);
	assert_int_equal(r.cnam.l, 0);
}

/* Names and keywords in any case; other AVPairs and attributes ignored. */
static void test_reply_case_and_unknown(void **state)
{
	(void)state;
	reply_init();
	rx("cisco-avpair", "H323-IVR-IN=routing:a.example");
	rx("Cisco-AVPair", "h323-ivr-in=cli:9");
	rx("CISCO-AVPAIR", "h323-ivr-in=Cnam:X");
	rx("H323-Credit-Time", "H323-CREDIT-TIME=30");
	rx("Cisco-AVPair", "no equals sign");
	rx("Cisco-AVPair", "h323-ivr-in=Unknown:1");
	rx("Cisco-AVPair", "h323-ivr-in=Routin");
	rx("Cisco-AVPair", "=Routing:x");
	rx("Cisco-AVPair", "sub-id=7");
	rx("Framed-IP-Address", "10.0.0.1");
	rx("Session-Timeout", "Session-Timeout=60");
	assert_int_equal(aaa_auth_reply_parse(&r, &reply), 0);
	assert_int_equal(r.n_routes, 1);
	assert_pl(r.routes[0], "a.example");
	assert_pl(r.cli, "9");
	assert_pl(r.cnam, "X");
	assert_int_equal(r.credit_time.v, 30);
}

/* An attribute named h323-ivr-in (a dictionary may define one) reads as
 * the AVPair does, in both styles (fuzzer's find: the reader and the
 * fuzz harness disagreed on it). */
static void test_reply_plain_ivr_in(void **state)
{
	(void)state;
	reply_init();
	rx("h323-ivr-in", "Routing:h\xff\xff\xff\x06" "6h2");
	rx("H323-IVR-IN", "h323-ivr-in=CLI:5");
	rx("h323-ivr-in", "h323-ivr-in=Routing:b");
	assert_int_equal(aaa_auth_reply_parse(&r, &reply), 0);
	assert_int_equal(r.n_routes, 2);
	assert_pl(r.routes[0], "h\xff\xff\xff\x06" "6h2");
	assert_pl(r.routes[1], "b");
	assert_pl(r.cli, "5");
}

/* h323-credit-time and h323-return-code inside Cisco-AVPair (Sippy splits
 * every AVPair "a=b" into attribute a). */
static void test_reply_numbers_in_avpair(void **state)
{
	(void)state;
	reply_init();
	rx("Cisco-AVPair", "h323-credit-time=45");
	rx("Cisco-AVPair", "h323-return-code=13");
	rx("Cisco-AVPair", "h323-currency=GBP");
	assert_int_equal(aaa_auth_reply_parse(&r, &reply), 0);
	assert_int_equal(r.credit_time.v, 45);
	assert_int_equal(r.return_code.v, 13);
	assert_pl(r.currency, "GBP");
}

static void test_reply_numbers(void **state)
{
	(void)state;
	reply_init();
	rx("h323-credit-time", " 120 ");	/* blanks around: fine */
	assert_int_equal(aaa_auth_reply_parse(&r, &reply), 0);
	assert_int_equal(r.credit_time.v, 120);

	reply_init();
	rx("h323-credit-time", "-1");	/* negative: unlimited */
	rx("h323-return-code", "+7");	/* no sign for a return code */
	assert_int_equal(aaa_auth_reply_parse(&r, &reply), 1);
	assert_int_equal(r.credit_time.v, -1);
	assert_false(r.return_code.set);
	assert_string_equal(r.reason, "h323-return-code '+7' is not a number");

	reply_init();
	rx("h323-credit-time", "+0");
	rx("h323-return-code", "4294967295");
	assert_int_equal(aaa_auth_reply_parse(&r, &reply), 0);
	assert_true(r.credit_time.set);
	assert_int_equal(r.credit_time.v, 0);
	assert_int_equal(r.return_code.v, 4294967295LL);

	reply_init();
	rx("h323-credit-time", "2147483647");
	assert_int_equal(aaa_auth_reply_parse(&r, &reply), 0);
	assert_int_equal(r.credit_time.v, 2147483647);
	reply_init();
	rx("h323-credit-time", "-2147483648");
	assert_int_equal(aaa_auth_reply_parse(&r, &reply), 0);
	assert_int_equal(r.credit_time.v, -2147483648LL);
	reply_init();
	rx("h323-credit-time", "00000000000000000000000000060");
	assert_int_equal(aaa_auth_reply_parse(&r, &reply), 0);
	assert_int_equal(r.credit_time.v, 60);
}

/* Malformed numbers leave the field unset and say why. */
static void test_reply_bad_numbers(void **state)
{
	static const struct {
		const char *value, *reason;
	} bad[] = {
		{ "abc", "h323-credit-time 'abc' is not a number" },
		{ "", "h323-credit-time '' is not a number" },
		{ "h323-credit-time=", "h323-credit-time '' is not a number" },
		{ "   ", "h323-credit-time '   ' is not a number" },
		{ "-", "h323-credit-time '-' is not a number" },
		{ "12x", "h323-credit-time '12x' is not a number" },
		{ "1 2", "h323-credit-time '1 2' is not a number" },
		{ "foo=60", "h323-credit-time 'foo=60' is not a number" },
		{ "2147483648", "h323-credit-time '2147483648' is out of range" },
		{ "-2147483649", "h323-credit-time '-2147483649' is out of range" },
		{ "99999999999999999999999",
		  "h323-credit-time '99999999999999999999999' is out of range" },
	};

	(void)state;
	for (size_t i = 0; i < N(bad); i++) {
		reply_init();
		rx("h323-credit-time", bad[i].value);
		assert_int_equal(aaa_auth_reply_parse(&r, &reply), 1);
		assert_false(r.credit_time.set);
		if (strcmp(r.reason, bad[i].reason) != 0)
			fail_msg("'%s': reason '%s', expected '%s'", bad[i].value, r.reason,
				 bad[i].reason);
	}
	reply_init();
	rx("h323-return-code", "-1");
	rx("h323-return-code", "4294967296");
	assert_int_equal(aaa_auth_reply_parse(&r, &reply), 2);
	assert_false(r.return_code.set);
	assert_string_equal(r.reason, "h323-return-code '-1' is not a number; "
				      "h323-return-code '4294967296' is out of range");
}

/* A malformed later instance does not undo a good earlier one. */
static void test_reply_last_good_wins(void **state)
{
	(void)state;
	reply_init();
	rx("h323-credit-time", "10");
	rx("h323-credit-time", "20");
	rx("h323-credit-time", "x");
	assert_int_equal(aaa_auth_reply_parse(&r, &reply), 1);
	assert_true(r.credit_time.set);
	assert_int_equal(r.credit_time.v, 20);
}

/* Reasons quote values sanitised and cut. */
static void test_reply_reason_quoting(void **state)
{
	(void)state;
	reply_init();
	rx("h323-credit-time", "1\x01\x7f\xff\t2");
	assert_int_equal(aaa_auth_reply_parse(&r, &reply), 1);
	assert_string_equal(r.reason, "h323-credit-time '1????2' is not a number");

	reply_init();
	rx("h323-return-code", "0123456789012345678901234567890123456789x");
	assert_int_equal(aaa_auth_reply_parse(&r, &reply), 1);
	assert_string_equal(r.reason, "h323-return-code '01234567890123456789012345678901...' "
				      "is out of range");
}

/* Many problems: all counted, the reason ends in "..." once. */
static void test_reply_reason_full(void **state)
{
	(void)state;
	reply_init();
	for (unsigned i = 0; i < 20; i++)
		rx("h323-credit-time", "not-a-number-at-all-really");
	assert_int_equal(aaa_auth_reply_parse(&r, &reply), 20);
	assert_int_equal(r.n_problems, 20);
	size_t len = strlen(r.reason);
	assert_true(len < AAA_REASON_MAX);
	assert_true(len > AAA_REASON_MAX / 2);
	assert_string_equal(r.reason + len - 3, "...");
	assert_null(strstr(r.reason, "......"));
	static const char start[] = "h323-credit-time 'not-a-number-at-all-really' "
				    "is not a number; h323-credit-time";
	assert_int_equal(strncmp(r.reason, start, sizeof(start) - 1), 0);

	/* Six problems fill 254 bytes; the seventh leaves no room for "; ...",
	 * so "..." overwrites the end: 255 bytes. */
	reply_init();
	rx("h323-credit-time", "abcdefghi");	/* 35 + 9 */
	for (unsigned i = 0; i < 5; i++)
		rx("h323-credit-time", "abcde");	/* 2 + 35 + 5 each */
	rx("h323-credit-time", "z");
	assert_int_equal(aaa_auth_reply_parse(&r, &reply), 7);
	assert_int_equal(strlen(r.reason), AAA_REASON_MAX - 1);
	assert_string_equal(r.reason + AAA_REASON_MAX - 4, "...");
}

/* At most 16 routes; the rest are counted and reported. */
static void test_reply_routes_max(void **state)
{
	char v[64];

	(void)state;
	reply_init();
	for (unsigned i = 0; i < AAA_ROUTES_MAX + 3; i++) {
		snprintf(v, sizeof(v), "h323-ivr-in=Routing:host%u", i);
		rx("Cisco-AVPair", v);
	}
	assert_int_equal(aaa_auth_reply_parse(&r, &reply), 1);
	assert_int_equal(r.n_routes, AAA_ROUTES_MAX);
	assert_int_equal(r.routes_dropped, 3);
	assert_pl(r.routes[0], "host0");
	assert_pl(r.routes[15], "host15");
	assert_string_equal(r.reason, "3 routes beyond the first 16 ignored");

	/* An empty route is kept: route_parse() reports it. */
	reply_init();
	rx("Cisco-AVPair", "h323-ivr-in=Routing:");
	assert_int_equal(aaa_auth_reply_parse(&r, &reply), 0);
	assert_int_equal(r.n_routes, 1);
	assert_int_equal(r.routes[0].l, 0);
	assert_non_null(r.routes[0].p);
}

static void test_reply_empty(void **state)
{
	(void)state;
	reply_init();
	assert_int_equal(aaa_auth_reply_parse(&r, &reply), 0);
	assert_int_equal(r.n_routes, 0);
	assert_false(r.credit_time.set);
	assert_null(r.reply_message.p);
	assert_string_equal(r.reason, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_add_limits),
		cmocka_unit_test(test_request_remote_ip),
		cmocka_unit_test(test_request_empty_numbers),
		cmocka_unit_test(test_request_digest),
		cmocka_unit_test(test_request_digest_qop),
		cmocka_unit_test(test_request_extras),
		cmocka_unit_test(test_request_missing),
		cmocka_unit_test(test_request_too_long),
		cmocka_unit_test(test_request_extras_fail),
		cmocka_unit_test(test_reply_cisco_style),
		cmocka_unit_test(test_reply_bare_style),
		cmocka_unit_test(test_reply_cli_cnam),
		cmocka_unit_test(test_reply_case_and_unknown),
		cmocka_unit_test(test_reply_plain_ivr_in),
		cmocka_unit_test(test_reply_numbers_in_avpair),
		cmocka_unit_test(test_reply_numbers),
		cmocka_unit_test(test_reply_bad_numbers),
		cmocka_unit_test(test_reply_last_good_wins),
		cmocka_unit_test(test_reply_reason_quoting),
		cmocka_unit_test(test_reply_reason_full),
		cmocka_unit_test(test_reply_routes_max),
		cmocka_unit_test(test_reply_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
