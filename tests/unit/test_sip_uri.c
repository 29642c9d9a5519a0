/* test_sip_uri.c - sip:/sips:/tel: URIs and the host/port rules behind them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "sip_char.h"
#include "sip_host.h"
#include "sip_uri.h"

static int parse(const char *s, struct sip_uri *u)
{
	return sip_uri_parse(pl_from_str(s), u);
}

#define assert_pl(x, s) \
	do { \
		assert_true(pl_isset(x)); \
		assert_int_equal((x).l, strlen(s)); \
		assert_memory_equal((x).p, s, strlen(s)); \
	} while (0)

static void test_full_sip_uri(void **state)
{
	struct sip_uri u;
	struct pl v;

	(void)state;
	assert_int_equal(parse("sip:alice:secret@atlanta.example.com:5060"
			       ";transport=TCP;lr?subject=project%20x&priority=urgent", &u), 0);
	assert_int_equal(u.scheme, SIP_URI_SIP);
	assert_pl(u.scheme_pl, "sip");
	assert_pl(u.user, "alice");
	assert_pl(u.password, "secret");
	assert_pl(u.host, "atlanta.example.com");
	assert_int_equal(u.host_type, SIP_HOST_NAME);
	assert_false(u.host_ipv6);
	assert_pl(u.port_pl, "5060");
	assert_int_equal(u.port, 5060);
	assert_pl(u.params, ";transport=TCP;lr");
	assert_pl(u.headers, "subject=project%20x&priority=urgent");
	assert_true(sip_uri_param(&u, "TRANSPORT", &v));
	assert_pl(v, "TCP");
	assert_true(sip_uri_has_lr(&u));
	assert_false(sip_uri_param(&u, "maddr", &v));
}

static void test_minimal_and_case(void **state)
{
	struct sip_uri u;

	(void)state;
	assert_int_equal(parse("SIP:host", &u), 0);
	assert_int_equal(u.scheme, SIP_URI_SIP);
	assert_false(pl_isset(u.user));
	assert_false(pl_isset(u.password));
	assert_false(pl_isset(u.port_pl));
	assert_int_equal(u.port, 0);
	assert_int_equal(u.params.l, 0);
	assert_int_equal(u.headers.l, 0);
	assert_false(sip_uri_has_lr(&u));

	assert_int_equal(parse("sIpS:bob@example.com.", &u), 0);
	assert_int_equal(u.scheme, SIP_URI_SIPS);
	assert_pl(u.host, "example.com.");

	/* empty password is allowed, empty user is not */
	assert_int_equal(parse("sip:bob:@h", &u), 0);
	assert_pl(u.password, "");
}

static void test_user_part(void **state)
{
	struct sip_uri u;

	(void)state;
	/* telephone-subscriber with ';' and escapes in the user part */
	assert_int_equal(parse("sip:+1-212-555-1212;isub=1411%23;postd=pp22@gw.example.com;user=phone",
			       &u), 0);
	assert_pl(u.user, "+1-212-555-1212;isub=1411%23;postd=pp22");
	assert_pl(u.host, "gw.example.com");
	assert_pl(u.params, ";user=phone");
	/* escapes stay escaped */
	assert_int_equal(parse("sip:%61lice@h", &u), 0);
	assert_pl(u.user, "%61lice");
	/* user-unreserved characters */
	assert_int_equal(parse("sip:a&b=c+d$e,f?g/h@h", &u), 0);
	assert_pl(u.user, "a&b=c+d$e,f?g/h");
	/* an unescaped '#' in a dialled string is accepted (real phones send it) */
	assert_int_equal(parse("sip:*#21#@h", &u), 0);
	assert_pl(u.user, "*#21#");
	/* ... but only in the user part */
	assert_int_equal(parse("sip:h#x", &u), -1);
}

static void test_hosts(void **state)
{
	struct sip_uri u;

	(void)state;
	assert_int_equal(parse("sip:u@[2001:db8::10]:5070;maddr=[2001:db8::1]", &u), 0);
	assert_pl(u.host, "[2001:db8::10]");
	assert_true(u.host_ipv6);
	assert_int_equal(u.host_type, SIP_HOST_IPV6);
	assert_int_equal(u.port, 5070);
	assert_pl(u.params, ";maddr=[2001:db8::1]");

	assert_int_equal(parse("sip:192.0.2.1:00005060", &u), 0);
	assert_int_equal(u.host_type, SIP_HOST_IPV4);
	assert_int_equal(u.port, 5060);

	assert_int_equal(parse("sip:[::ffff:192.0.2.1]", &u), 0);
	assert_true(u.host_ipv6);
	assert_int_equal(parse("sip:123.example.com", &u), 0);
	assert_int_equal(u.host_type, SIP_HOST_NAME);
	assert_int_equal(parse("sip:a1", &u), 0);
	assert_int_equal(parse("sip:h:65535", &u), 0);
	assert_int_equal(u.port, 65535);
}

static void test_params_and_headers(void **state)
{
	struct sip_uri u;
	struct pl v;

	(void)state;
	assert_int_equal(parse("sip:h;transport=udp;x-a=%20b;lr;method=INVITE;ttl=5;user=ip", &u), 0);
	assert_true(sip_uri_param(&u, "x-a", &v));
	assert_pl(v, "%20b");
	assert_true(sip_uri_param(&u, "ttl", &v));
	assert_pl(v, "5");
	assert_true(sip_uri_has_lr(&u));
	assert_int_equal(parse("sip:h?a=&b=c", &u), 0);
	assert_pl(u.headers, "a=&b=c");
	assert_int_equal(parse("sip:h;p=[a]/:&+$", &u), 0);
	assert_int_equal(parse("sip:h?x=[a]/?:+$", &u), 0);
}

static void test_tel(void **state)
{
	struct sip_uri u;
	struct pl v;

	(void)state;
	assert_int_equal(parse("tel:+1-201-555-0123", &u), 0);
	assert_int_equal(u.scheme, SIP_URI_TEL);
	assert_pl(u.user, "+1-201-555-0123");
	assert_false(pl_isset(u.host));
	assert_int_equal(u.params.l, 0);

	assert_int_equal(parse("TEL:7042;phone-context=example.com;ext=22", &u), 0);
	assert_pl(u.user, "7042");
	assert_pl(u.params, ";phone-context=example.com;ext=22");
	assert_true(sip_uri_param(&u, "phone-context", &v));
	assert_pl(v, "example.com");
	assert_int_equal(parse("tel:*67#1(23).4", &u), 0);

	assert_int_equal(parse("tel:+", &u), -1);          /* no digit */
	assert_int_equal(parse("tel:+12a", &u), -1);       /* hex only in local numbers */
	assert_int_equal(parse("tel:xyz", &u), -1);
	assert_int_equal(parse("tel:--", &u), -1);
	assert_int_equal(parse("tel:123?x=y", &u), -1);
	assert_int_equal(parse("tel:123;", &u), -1);
	assert_int_equal(parse("tel:;a=b", &u), -1);
}

static void test_other_schemes(void **state)
{
	struct sip_uri u;

	(void)state;
	assert_int_equal(parse("im:user@example.com", &u), 0);
	assert_int_equal(u.scheme, SIP_URI_OTHER);
	assert_pl(u.scheme_pl, "im");
	assert_pl(u.opaque, "user@example.com");
	assert_int_equal(parse("urn:service:sos", &u), 0);
	assert_int_equal(parse("http://example.com/a%20b?c=d", &u), 0);
	assert_int_equal(parse("x+y.z-1:ok", &u), 0);

	assert_int_equal(parse("im:user name", &u), -1);
	assert_int_equal(parse("im:<x>", &u), -1);
	assert_int_equal(parse("im:%zz", &u), -1);
	assert_int_equal(parse("im:", &u), -1);
}

static void test_invalid(void **state)
{
	static const char *const bad[] = {
		"", "sip", ":host", "1sip:host", "s_p:host", "sip:", "sip:@host", "sip:user@",
		"sip:ho_st", "sip:host:", "sip:host:0", "sip:host:65536", "sip:host:5a",
		"sip:[::1", "sip:[:::1]", "sip:[1::2::3]", "sip:[12345::]", "sip:[1:2:3:4:5:6:7]",
		"sip:[1:2:3:4:5:6:7:8:9]", "sip:[::1]x", "sip:host;", "sip:host;a=", "sip:host;=b",
		"sip:host;a b", "sip:host?", "sip:host?a", "sip:host?=b", "sip:host?a=b&",
		"sip:-host.com", "sip:host-.com", "sip:host.123", "sip:1.2.3.256", "sip:1.2.3",
		"sip:host..com", "sip:.", "sip:us er@host", "sip:u%4@host", "sip:u:p w@host",
		"sip:host extra", "sip:a@b@c", "sip:host;a=%g0", "sip:h#", "sip:1.2.3.4.",
		"sip:[1:2:3:4:5:6:1.2.3.4:1]", "sip:[1::2:3:4:5:6:7:8]", "sip:[::1.2.3]",
		"sip:[1:]", "sip:[]", "sip:[a:b:c:d:e:f:1.2.3.4]x", "sip:host?a=b=c",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sip_uri u;

		if (parse(bad[i], &u) != -1)
			fail_msg("accepted invalid URI \"%s\"", bad[i]);
	}
}

static void test_ipv6_forms(void **state)
{
	static const char *const good[] = {
		"::", "::1", "1::", "1:2:3:4:5:6:7:8", "1::8", "1:2:3:4:5:6::8", "::2:3:4:5:6:7:8",
		"ffff:FFFF::", "::ffff:192.0.2.1", "1:2:3:4:5:6:1.2.3.4", "::1.2.3.4",
		"2001:db8:0:0:0:0:0:10",
	};
	static const char *const bad[] = {
		"", ":", ":1", "1:", ":::", "1:::2", "1::2::3", "12345::", "g::", "1:2:3:4:5:6:7",
		"1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::8", "::1.2.3", "1.2.3.4", "::1.2.3.4:5",
		"1:2:3:4:5:6:7:1.2.3.4", "::256.1.1.1", "1::2%eth0",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!sip_ipv6_valid(pl_from_str(good[i])))
			fail_msg("rejected IPv6 \"%s\"", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (sip_ipv6_valid(pl_from_str(bad[i])))
			fail_msg("accepted IPv6 \"%s\"", bad[i]);
}

static void test_host_helpers(void **state)
{
	enum sip_host_type t;
	uint16_t port;

	(void)state;
	assert_true(sip_ipv4_valid(pl_from_str("255.255.255.255")));
	assert_true(sip_ipv4_valid(pl_from_str("001.02.3.000")));
	assert_false(sip_ipv4_valid(pl_from_str("1.2.3.4.5")));
	assert_false(sip_ipv4_valid(pl_from_str("1.2.3.0004")));
	assert_false(sip_ipv4_valid(pl_from_str("1..3.4")));
	assert_true(sip_hostname_valid(pl_from_str("a-b.c")));
	assert_false(sip_hostname_valid(pl_from_str("")));
	assert_false(sip_hostname_valid(pl_from_str("a.-b")));
	assert_true(sip_host_valid(pl_from_str("[::1]"), &t));
	assert_int_equal(t, SIP_HOST_IPV6);
	assert_true(sip_host_valid(pl_from_str("10.0.0.1"), &t));
	assert_int_equal(t, SIP_HOST_IPV4);
	assert_true(sip_host_valid(pl_from_str("host9"), NULL));
	assert_false(sip_host_valid(pl_from_str("::1"), NULL));
	assert_false(sip_host_valid(pl_from_str("9host.9"), NULL));
	assert_int_equal(sip_host_scan(pl_from_str("[::1]:5060"), &t), 5);
	assert_int_equal(sip_host_scan(pl_from_str("h.example;x"), &t), 9);
	assert_int_equal(sip_host_scan(pl_from_str("[::1"), &t), 0);
	assert_int_equal(sip_host_scan(pl_from_str(";x"), &t), 0);
	assert_true(sip_port_parse(pl_from_str("0001"), &port));
	assert_int_equal(port, 1);
	assert_false(sip_port_parse(pl_from_str("000"), &port));
	assert_false(sip_port_parse(pl_from_str(""), &port));
	assert_false(sip_port_parse(pl_from_str("99999999999"), &port));
}

static void test_char_helpers(void **state)
{
	(void)state;
	assert_true(sip_escaped_all(pl_from_str(""), SIP_C_USER, true));
	assert_false(sip_escaped_all(pl_from_str(""), SIP_C_USER, false));
	assert_true(sip_escaped_all(pl_from_str("a%2Fb"), SIP_C_USER, false));
	assert_false(sip_escaped_all(pl_from_str("a%2"), SIP_C_USER, false));
	assert_int_equal(sip_lower('Q'), 'q');
	assert_int_equal(sip_lower('@'), '@');
	assert_int_equal(sip_lower('['), '[');
	assert_true(sip_caseeq_str(pl_from_str("Sdp"), "sDP"));
	assert_false(sip_caseeq_str(pl_from_str("sdp"), "sd"));
	assert_false(sip_caseeq_str(pl_from_str("sd"), "sdp"));
	assert_false(sip_caseeq_str(pl_from("s\0", 2), "s"));
	assert_false(sip_caseeq_str(pl_from_str("sdp"), "sdx"));
	assert_int_equal(sip_span(pl_from_str("ab:defgh"), SIP_C_TOKEN), 2);
	assert_int_equal(sip_span(pl_from_str("a:cdefgh"), SIP_C_TOKEN), 1);
	assert_int_equal(sip_span(pl_from_str("abc:efgh"), SIP_C_TOKEN), 3);
	assert_int_equal(sip_span(pl_from_str("abcdefgh"), SIP_C_TOKEN), 8);
	assert_true(sip_lit_caseeq(pl_from_str("SIP/2.0"), "sip/2.0", 7));
	assert_false(sip_lit_caseeq(pl_from_str("SIP/2.0"), "sip/2.1", 7));
	assert_false(sip_lit_caseeq(pl_from_str("\x0d"), "-", 1));
	assert_int_equal(sip_cspan(pl_from_str("abcdef,x"), SIP_C_LIST), 6);
	assert_int_equal(sip_cspan(pl_from_str("ab"), SIP_C_LIST), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_sip_uri),
		cmocka_unit_test(test_minimal_and_case),
		cmocka_unit_test(test_user_part),
		cmocka_unit_test(test_hosts),
		cmocka_unit_test(test_params_and_headers),
		cmocka_unit_test(test_tel),
		cmocka_unit_test(test_other_schemes),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_ipv6_forms),
		cmocka_unit_test(test_host_helpers),
		cmocka_unit_test(test_char_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
