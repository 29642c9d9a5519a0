/*
 * test_sip_addr.c - name-addr / addr-spec values, quoted strings and the
 * ";name=value" parameter lists they carry.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "sip_addr.h"
#include "sip_char.h"
#include "sip_param.h"

#define assert_pl(x, s) \
	do { \
		assert_true(pl_isset(x)); \
		assert_int_equal((x).l, strlen(s)); \
		assert_memory_equal((x).p, s, strlen(s)); \
	} while (0)

static int parse(const char *s, struct sip_addr *a)
{
	return sip_addr_parse(pl_from_str(s), a);
}

static void test_quoted_display(void **state)
{
	struct sip_addr a;
	char buf[64];

	(void)state;
	assert_int_equal(parse(" \"Alice \\\"A\\\" \\\\ Smith\"  <sip:alice@atlanta.example.com>"
			       " ; tag = 1928301774 ;x=\"a;b\"", &a), 0);
	assert_true(a.display_quoted);
	assert_true(a.angle);
	assert_pl(a.display, "\"Alice \\\"A\\\" \\\\ Smith\"");
	assert_pl(a.uri_pl, "sip:alice@atlanta.example.com");
	assert_pl(a.uri.host, "atlanta.example.com");
	assert_pl(a.params, "; tag = 1928301774 ;x=\"a;b\"");
	assert_pl(a.tag, "1928301774");
	assert_int_equal(sip_quoted_unescape(a.display, buf, sizeof(buf)), 17);
	assert_string_equal(buf, "Alice \"A\" \\ Smith");
}

static void test_token_display(void **state)
{
	struct sip_addr a;

	(void)state;
	assert_int_equal(parse("Alice  Smith\t<sip:alice@h;lr>;tag=x", &a), 0);
	assert_false(a.display_quoted);
	assert_pl(a.display, "Alice  Smith");
	assert_pl(a.uri_pl, "sip:alice@h;lr");
	assert_pl(a.uri.params, ";lr");
	assert_pl(a.tag, "x");

	assert_int_equal(parse("Bob<sip:bob@h>", &a), 0);
	assert_pl(a.display, "Bob");

	assert_int_equal(parse("<sip:bob@h>", &a), 0);
	assert_true(pl_isset(a.display));
	assert_int_equal(a.display.l, 0);
	assert_false(pl_isset(a.tag));
	assert_int_equal(a.params.l, 0);

	assert_int_equal(parse("\"\" <tel:+1234>", &a), 0);
	assert_pl(a.display, "\"\"");
	assert_int_equal(a.uri.scheme, SIP_URI_TEL);
}

static void test_addr_spec(void **state)
{
	struct sip_addr a;
	struct pl v;

	(void)state;
	/* §20.10: without <> the parameters belong to the header */
	assert_int_equal(parse("sip:bob@h;tag=88;lr", &a), 0);
	assert_false(a.angle);
	assert_pl(a.uri_pl, "sip:bob@h");
	assert_int_equal(a.uri.params.l, 0);
	assert_pl(a.params, ";tag=88;lr");
	assert_pl(a.tag, "88");
	assert_true(sip_param_get(a.params, "LR", &v, NULL));

	assert_int_equal(parse("sip:bob@h ; expires=60", &a), 0);
	assert_pl(a.uri_pl, "sip:bob@h");
	assert_pl(a.params, "; expires=60");

	assert_int_equal(parse("tel:+1234;tag=5", &a), 0);
	assert_pl(a.uri.user, "+1234");
	assert_pl(a.tag, "5");

	assert_int_equal(parse("urn:service:sos", &a), 0);
	assert_int_equal(a.uri.scheme, SIP_URI_OTHER);
}

static void test_star(void **state)
{
	(void)state;
	assert_true(sip_addr_is_star(pl_from_str("*")));
	assert_true(sip_addr_is_star(pl_from_str(" * ")));
	assert_false(sip_addr_is_star(pl_from_str("**")));
	assert_false(sip_addr_is_star(pl_from_str("<sip:*@h>")));
}

static void test_invalid(void **state)
{
	static const char *const bad[] = {
		"", "   ", "\"unterminated <sip:a@h>", "\"Alice\" sip:a@h", "\"Alice\"",
		"<sip:a@h", "<sip:a@h> x", "<sip:a@h>;", "<sip:a@h>;tag", "<sip:a@h>;tag=",
		"<sip:a@h>;tag=\"q\"", "<sip:a@h>;tag=a b", "<sip:a@h>;=x", "Alice",
		"Al@ce <sip:a@h>", "<sip:a@>", "< sip:a@h>", "<sip:a@h >", "sip:a@h x",
		"sip:a@h,sip:b@h", "<sip:a@h>,<sip:b@h>", "\"x\\", "\"a\x01\" <sip:a@h>",
		"sip:a@h;tag=1 2", "sip:a@h?x=y", "sip:a,b@h", "sip:a@h, sip:b@h",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sip_addr a;

		if (parse(bad[i], &a) != -1)
			fail_msg("accepted invalid address \"%s\"", bad[i]);
	}
}

static void test_quoted_unescape(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(sip_quoted_unescape(pl_from_str("\"ab\""), buf, sizeof(buf)), 2);
	assert_string_equal(buf, "ab");
	assert_int_equal(sip_quoted_unescape(pl_from_str("\"\""), buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(sip_quoted_unescape(pl_from_str("\"\\\\\\\"\""), buf, sizeof(buf)), 2);
	assert_string_equal(buf, "\\\"");
	/* exactly fits: 7 characters and the NUL */
	assert_int_equal(sip_quoted_unescape(pl_from_str("\"1234567\""), buf, sizeof(buf)), 7);
	/* too small */
	assert_int_equal(sip_quoted_unescape(pl_from_str("\"12345678\""), buf, sizeof(buf)), -1);
	assert_string_equal(buf, "");
	assert_int_equal(sip_quoted_unescape(pl_from_str("\"\""), buf, 0), -1);
	/* not one quoted-string */
	assert_int_equal(sip_quoted_unescape(pl_from_str("ab"), buf, sizeof(buf)), -1);
	assert_int_equal(sip_quoted_unescape(pl_from_str("\"a\"b"), buf, sizeof(buf)), -1);
	assert_int_equal(sip_quoted_unescape(pl_from_str("\"a"), buf, sizeof(buf)), -1);
	assert_int_equal(sip_quoted_unescape(pl_from_str(""), buf, sizeof(buf)), -1);
	assert_int_equal(sip_quoted_unescape(pl_from_str("\"a\\\r\""), buf, sizeof(buf)), -1);
	assert_int_equal(sip_quoted_unescape(pl_from_str("\"a\\\xc3\""), buf, sizeof(buf)), -1);
	assert_int_equal(sip_quoted_unescape(pl_from_str("\"\x7f\""), buf, sizeof(buf)), -1);
	/* UTF-8 and HTAB are qdtext */
	assert_int_equal(sip_quoted_unescape(pl_from_str("\"\xc3\xa9\t\""), buf, sizeof(buf)), 3);
}

static void test_param_iteration(void **state)
{
	struct pl rest = pl_from_str(" ; a ; b = 1 ;c=\"x;\\\"y\" ;d=[::1]");
	struct sip_param p;

	(void)state;
	assert_int_equal(sip_param_next(&rest, &p), 1);
	assert_pl(p.name, "a");
	assert_false(p.has_value);
	assert_int_equal(p.value.l, 0);
	assert_int_equal(sip_param_next(&rest, &p), 1);
	assert_pl(p.name, "b");
	assert_true(p.has_value);
	assert_pl(p.value, "1");
	assert_int_equal(sip_param_next(&rest, &p), 1);
	assert_pl(p.name, "c");
	assert_pl(p.value, "\"x;\\\"y\"");
	assert_int_equal(sip_param_next(&rest, &p), 1);
	assert_pl(p.value, "[::1]");
	assert_int_equal(sip_param_next(&rest, &p), 0);
	assert_int_equal(sip_param_next(&rest, &p), 0);

	rest = pl_from_str(";a=1 x");
	assert_int_equal(sip_param_next(&rest, &p), 1);
	assert_int_equal(sip_param_next(&rest, &p), -1);
	assert_pl(rest, "x");
}

static void test_param_get(void **state)
{
	struct pl params = pl_from_str(";lr;Transport=UDP;rport;q=0.5;tag=\"t\"");
	struct pl v;
	bool has;

	(void)state;
	assert_true(sip_param_get(params, "transport", &v, &has));
	assert_true(has);
	assert_pl(v, "UDP");
	assert_true(sip_param_get(params, "RPORT", &v, &has));
	assert_false(has);
	assert_true(sip_param_get(params, "lr", NULL, NULL));
	assert_true(sip_param_has(params, "q"));
	assert_true(sip_param_get(params, "tag", &v, NULL));
	assert_pl(v, "\"t\"");
	assert_false(sip_param_has(params, "l"));
	assert_false(sip_param_has(params, "lrx"));
	assert_false(sip_param_has(PL_NULL, "lr"));
	/* a malformed list hides what follows the fault */
	assert_false(sip_param_has(pl_from_str(";a=;lr"), "lr"));
}

static void test_params_valid(void **state)
{
	static const char *const good[] = {
		"", "  ", ";a", ";a=b", " ; a = b ; c", ";a=\"\"", ";a=\"x y\"", ";x=[2001:db8::1]",
		";+sip.instance=\"<urn:uuid:1>\"", ";a=b;a=c",
	};
	static const char *const bad[] = {
		";", "a", ";a=", ";=b", ";a=\"x", ";a b", ";a=b c", ";a==b", ";;a", ";a;", ";a=<x>",
		";a=\"\\\"",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!sip_params_valid(pl_from_str(good[i])))
			fail_msg("rejected params \"%s\"", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (sip_params_valid(pl_from_str(bad[i])))
			fail_msg("accepted params \"%s\"", bad[i]);
}

static void test_quoted_len(void **state)
{
	(void)state;
	assert_int_equal(sip_quoted_len(pl_from_str("\"ab\" rest")), 4);
	assert_int_equal(sip_quoted_len(pl_from_str("ab")), 0);
	assert_int_equal(sip_quoted_len(pl_from_str("\"")), 0);
	assert_int_equal(sip_quoted_len(pl_from_str("\"a\\\"")), 0);
	assert_int_equal(sip_quoted_len(pl_from_str("\"a\\")), 0);
	assert_int_equal(sip_quoted_len(pl_from_str("\"\\\t\"")), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quoted_display),
		cmocka_unit_test(test_token_display),
		cmocka_unit_test(test_addr_spec),
		cmocka_unit_test(test_star),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_quoted_unescape),
		cmocka_unit_test(test_param_iteration),
		cmocka_unit_test(test_param_get),
		cmocka_unit_test(test_params_valid),
		cmocka_unit_test(test_quoted_len),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
