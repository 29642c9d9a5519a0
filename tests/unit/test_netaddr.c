/* netaddr: numeric host[:port] parsing and formatting. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <netinet/in.h>

#include "netaddr.h"

static void check_ok(const char *in, uint16_t defport, int family, const char *out)
{
	struct netaddr a;
	char buf[NETADDR_STRLEN];

	assert_true(netaddr_from_hostport(&a, pl_from_str(in), defport));
	assert_int_equal(netaddr_family(&a), family);
	assert_string_equal(netaddr_str(&a, buf, sizeof(buf)), out);
}

static void test_valid_forms(void **state)
{
	(void)state;
	check_ok("127.0.0.1", 5060, AF_INET, "127.0.0.1:5060");
	check_ok("127.0.0.1:5070", 5060, AF_INET, "127.0.0.1:5070");
	check_ok("10.0.0.1:05070", 5060, AF_INET, "10.0.0.1:5070");
	check_ok("[::1]:5070", 5060, AF_INET6, "[::1]:5070");
	check_ok("[::1]", 5060, AF_INET6, "[::1]:5060");
	check_ok("::1", 5060, AF_INET6, "[::1]:5060");
	check_ok("2001:db8::5", 5062, AF_INET6, "[2001:db8::5]:5062");
}

static void test_invalid_forms(void **state)
{
	static const char *bad[] = {
		"", ":5060", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:50x",
		"[::1", "[::1]x", "[::1]:", "[]:5060", "host.example", "1.2.3.4.5", "[1.2.3.4]:99999",
	};
	struct netaddr a;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (netaddr_from_hostport(&a, pl_from_str(bad[i]), 5060))
			fail_msg("accepted '%s'", bad[i]);
	}
}

static void test_split_keeps_names(void **state)
{
	struct pl host;
	uint16_t port = 1;

	(void)state;
	assert_true(netaddr_split_hostport(PL("gw.example.net:5080"), &host, &port));
	assert_true(pl_eq_str(host, "gw.example.net"));
	assert_int_equal(port, 5080);
	port = 7;
	assert_true(netaddr_split_hostport(PL("[2001:db8::1]"), &host, &port));
	assert_true(pl_eq_str(host, "[2001:db8::1]"));
	assert_int_equal(port, 7);
}

static void test_compare_and_ports(void **state)
{
	struct netaddr a, b;
	char host[NETADDR_STRLEN];

	(void)state;
	assert_true(netaddr_from_host(&a, PL("[::1]"), 5060));
	assert_true(netaddr_from_host(&b, PL("::1"), 5060));
	assert_true(netaddr_eq(&a, &b));
	netaddr_set_port(&b, 5061);
	assert_int_equal(netaddr_port(&b), 5061);
	assert_false(netaddr_eq(&a, &b));
	assert_true(netaddr_from_host(&b, PL("127.0.0.1"), 5060));
	assert_false(netaddr_eq(&a, &b));
	assert_string_equal(netaddr_host_str(&a, host, sizeof(host)), "::1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_forms),
		cmocka_unit_test(test_invalid_forms),
		cmocka_unit_test(test_split_keeps_names),
		cmocka_unit_test(test_compare_and_ports),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
