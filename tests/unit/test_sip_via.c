/* test_sip_via.c - Via values (RFC 3261 §20.42, RFC 3581 rport, RFC 5118). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "sip_param.h"
#include "sip_via.h"

#define assert_pl(x, s) \
	do { \
		assert_true(pl_isset(x)); \
		assert_int_equal((x).l, strlen(s)); \
		assert_memory_equal((x).p, s, strlen(s)); \
	} while (0)

static int parse(const char *s, struct sip_via *v)
{
	return sip_via_parse(pl_from_str(s), v);
}

static void test_basic(void **state)
{
	struct sip_via v;

	(void)state;
	assert_int_equal(parse("SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds", &v), 0);
	assert_pl(v.proto_name, "SIP");
	assert_pl(v.proto_version, "2.0");
	assert_pl(v.transport, "UDP");
	assert_pl(v.host, "pc33.atlanta.example.com");
	assert_int_equal(v.host_type, SIP_HOST_NAME);
	assert_false(v.host_ipv6);
	assert_int_equal(v.port, 0);
	assert_pl(v.branch, "z9hG4bK776asdhds");
	assert_pl(v.params, ";branch=z9hG4bK776asdhds");
	assert_true(sip_via_branch_is_rfc3261(&v));
	assert_false(v.rport);
	assert_false(pl_isset(v.received));
	assert_false(pl_isset(v.maddr));
	assert_false(v.has_ttl);
}

static void test_lws_everywhere(void **state)
{
	struct sip_via v;

	(void)state;
	assert_int_equal(parse("  SIP / 2.0 / UDP h ; branch = z9hG4bK1  ", &v), 0);
	assert_pl(v.transport, "UDP");
	assert_pl(v.host, "h");
	assert_pl(v.branch, "z9hG4bK1");
	assert_int_equal(parse("SIP/2.0/tcp  192.0.2.1 : 05060 ;rport", &v), 0);
	assert_pl(v.transport, "tcp");
	assert_int_equal(v.host_type, SIP_HOST_IPV4);
	assert_int_equal(v.port, 5060);
	assert_true(v.rport);
	assert_false(v.rport_has_value);
	assert_false(pl_isset(v.branch));
	assert_false(sip_via_branch_is_rfc3261(&v));
	/* no parameters at all */
	assert_int_equal(parse("SIP/2.0/UDP h:1", &v), 0);
	assert_int_equal(v.params.l, 0);
}

static void test_params(void **state)
{
	struct sip_via v;
	struct pl x;

	(void)state;
	assert_int_equal(parse("SIP/2.0/UDP [2001:db8::9:1]:5060;received=2001:db8::9:255"
			       ";branch=z9hG4bKas3;rport=5061;maddr=[2001:db8::1];ttl=016;x=\"y\"", &v), 0);
	assert_pl(v.host, "[2001:db8::9:1]");
	assert_true(v.host_ipv6);
	assert_int_equal(v.port, 5060);
	assert_pl(v.received, "2001:db8::9:255");
	assert_true(v.rport);
	assert_true(v.rport_has_value);
	assert_int_equal(v.rport_value, 5061);
	assert_pl(v.maddr, "[2001:db8::1]");
	assert_true(v.has_ttl);
	assert_int_equal(v.ttl, 16);
	assert_true(sip_param_get(v.params, "x", &x, NULL));
	assert_pl(x, "\"y\"");

	/* received as IPv4, as a bracketed IPv6 (seen in the wild), maddr a name */
	assert_int_equal(parse("SIP/2.0/UDP h;received=192.0.2.4;maddr=mc.example.com;ttl=255", &v), 0);
	assert_pl(v.received, "192.0.2.4");
	assert_pl(v.maddr, "mc.example.com");
	assert_int_equal(v.ttl, 255);
	assert_int_equal(parse("SIP/2.0/UDP h;received=[::1];ttl=0", &v), 0);
	assert_pl(v.received, "[::1]");
	assert_int_equal(v.ttl, 0);

	/* parameter names are case-insensitive, the first occurrence wins */
	assert_int_equal(parse("SIP/2.0/UDP h;BRANCH=z9hG4bKa;branch=b;RPort;rport=9", &v), 0);
	assert_pl(v.branch, "z9hG4bKa");
	assert_true(v.rport);
	assert_false(v.rport_has_value);
	assert_int_equal(v.rport_value, 0);
	assert_int_equal(parse("SIP/2.0/UDP h;rport=7;rport;ttl=1;ttl=2;maddr=a;maddr=b;"
			       "received=1.1.1.1;received=2.2.2.2", &v), 0);
	assert_int_equal(v.rport_value, 7);
	assert_int_equal(v.ttl, 1);
	assert_pl(v.maddr, "a");
	assert_pl(v.received, "1.1.1.1");
	/* unknown parameters of the known names' lengths are just parameters */
	assert_int_equal(parse("SIP/2.0/UDP h;abc=\"x\";abcde;abcdef=1;abcdefgh=[::1];branch=z9hG4bK9",
			       &v), 0);
	assert_false(v.has_ttl);
	assert_false(v.rport);
	assert_false(pl_isset(v.maddr));
	assert_false(pl_isset(v.received));
	assert_pl(v.branch, "z9hG4bK9");
}

static void test_magic_cookie(void **state)
{
	struct sip_via v;

	(void)state;
	assert_int_equal(parse("SIP/2.0/UDP h;branch=z9hG4bK", &v), 0);
	assert_true(sip_via_branch_is_rfc3261(&v));
	assert_int_equal(parse("SIP/2.0/UDP h;branch=z9hg4bk1", &v), 0);
	assert_false(sip_via_branch_is_rfc3261(&v));
	assert_int_equal(parse("SIP/2.0/UDP h;branch=z9hG4b", &v), 0);
	assert_false(sip_via_branch_is_rfc3261(&v));
}

static void test_invalid(void **state)
{
	static const char *const bad[] = {
		"", "SIP", "SIP/2.0", "SIP/2.0/", "SIP/2.0/UDP", "SIP/2.0/UDP ", "SIP/2.0/UDPh",
		"SIP//UDP h", "/2.0/UDP h", "SIP/2.0 UDP h", "SIP/2.0/UDP h_x", "SIP/2.0/UDP [::1",
		"SIP/2.0/UDP h:", "SIP/2.0/UDP h:0", "SIP/2.0/UDP h:x", "SIP/2.0/UDP h:70000",
		"SIP/2.0/UDP h x", "SIP/2.0/UDP h;", "SIP/2.0/UDP h;branch", "SIP/2.0/UDP h;branch=",
		"SIP/2.0/UDP h;branch=\"q\"", "SIP/2.0/UDP h;received", "SIP/2.0/UDP h;received=h",
		"SIP/2.0/UDP h;received=1.2.3", "SIP/2.0/UDP h;rport=", "SIP/2.0/UDP h;rport=0",
		"SIP/2.0/UDP h;rport=x", "SIP/2.0/UDP h;maddr", "SIP/2.0/UDP h;maddr=h_1",
		"SIP/2.0/UDP h;ttl", "SIP/2.0/UDP h;ttl=256", "SIP/2.0/UDP h;ttl=0001",
		"SIP/2.0/UDP h;ttl=x", "SIP/2.0/UDP h;=1", "SIP/2.0/UDP h;a=\"x",
		"SIP/2.0/UDP h, SIP/2.0/UDP g",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sip_via v;

		if (parse(bad[i], &v) != -1)
			fail_msg("accepted invalid Via \"%s\"", bad[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_lws_everywhere),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_magic_cookie),
		cmocka_unit_test(test_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
