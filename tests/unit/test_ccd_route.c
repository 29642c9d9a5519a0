/* ccd/route.c: Sippy's routing string, every parameter and every error. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <sys/socket.h>

#include "ccd/route.h"

static struct route r;

static void parse_ok(const char *s)
{
	struct route_error err;

	if (route_parse(&r, pl_from_str(s), &err) != 0)
		fail_msg("'%s' failed: %s", s, err.reason);
}

/* The route fails, and the reason starts with want. */
static void parse_bad(const char *s, const char *want)
{
	struct route_error err;

	assert_int_equal(route_parse(&r, pl_from_str(s), &err), -1);
	if (strncmp(err.reason, want, strlen(want)) != 0)
		fail_msg("'%s': reason '%s', expected '%s...'", s, err.reason, want);
}

static void assert_pl(struct pl x, const char *want)
{
	assert_non_null(x.p);
	if (!pl_eq_str(x, want))
		fail_msg("got '%.*s', expected '%s'", PL_FMT(x), want);
}

static void test_host_only(void **state)
{
	(void)state;
	parse_ok("192.0.2.7");
	assert_false(r.cld_set);
	assert_int_equal(r.dest, ROUTE_DEST_HOST);
	assert_pl(r.host, "192.0.2.7");
	assert_int_equal(r.port, 5060);
	assert_false(r.port_set);
	assert_false(r.ipv6_literal);
	assert_int_equal(r.rtpp, -1);
	assert_int_equal(r.auth, ROUTE_AUTH_PASS_THROUGH);
	assert_false(r.resolved);

	parse_ok("sip.example.com:5070");
	assert_pl(r.host, "sip.example.com");
	assert_int_equal(r.port, 5070);
	assert_true(r.port_set);
}

static void test_cld(void **state)
{
	(void)state;
	parse_ok("4420@10.0.0.1:5080");
	assert_true(r.cld_set);
	assert_pl(r.cld, "4420");
	assert_pl(r.host, "10.0.0.1");
	assert_int_equal(r.port, 5080);

	/* "@host": the CLD is removed, not taken from the call */
	parse_ok("@10.0.0.1");
	assert_true(r.cld_set);
	assert_int_equal(r.cld.l, 0);

	parse_ok("+1%23x.-_!~*'()&=+$,?/@h");
	assert_pl(r.cld, "+1%23x.-_!~*'()&=+$,?/");

	parse_bad("a b@host", "invalid character in cld 'a b'");
	parse_bad("a:b@host", "invalid character in cld");
	parse_bad("%zz@host", "invalid character in cld");
	parse_bad("12%4@host", "invalid character in cld");
	struct route_error err;
	assert_int_equal(route_parse(&r, pl_from("1\0002@h", 5), &err), -1);
	assert_string_equal(err.reason, "invalid character in cld '1?2'");
	assert_int_equal(route_parse(&r, pl_from("h;cli=1\0002", 9), &err), -1);
	assert_string_equal(err.reason, "invalid character in cli '1?2'");
}

static void test_ipv6(void **state)
{
	(void)state;
	parse_ok("[2001:db8::1]");
	assert_true(r.ipv6_literal);
	assert_pl(r.host, "2001:db8::1");
	assert_int_equal(r.port, 5060);

	parse_ok("123@[::1]:5062;expires=30");
	assert_pl(r.cld, "123");
	assert_pl(r.host, "::1");
	assert_int_equal(r.port, 5062);
	assert_true(r.expires.set);

	parse_ok("[::ffff:192.0.2.1]:1");
	assert_int_equal(r.port, 1);

	parse_bad("[::1", "missing ']' in '[::1'");
	parse_bad("[]", "invalid IPv6 address in");
	parse_bad("[zz::1]", "invalid IPv6 address in");
	parse_bad("[::1]5060", "junk after ']' in '[::1]5060'");
	parse_bad("[::1]:", "invalid port ''");
	parse_bad("fe80::1", "IPv6 address must be in brackets: 'fe80::1'");
}

static void test_hostport_errors(void **state)
{
	(void)state;
	parse_bad("", "empty route");
	parse_bad("123@", "missing host");
	parse_bad("123@;expires=1", "missing host");
	parse_bad(":5060", "missing host in ':5060'");
	parse_bad("ho st", "invalid host 'ho st'");
	parse_bad("host/x:5060", "invalid host 'host/x'");
	parse_bad("host:0", "invalid port '0'");
	parse_bad("host:65536", "invalid port '65536'");
	parse_bad("host:", "invalid port ''");
	parse_bad("host:50a", "invalid port '50a'");
	parse_bad("host:5060;x=1;\x01", "route parameter needs '=value': '?'");

	struct route_error err;
	assert_int_equal(route_parse(&r, PL_NULL, &err), -1);
	assert_string_equal(err.reason, "empty route");
	assert_int_equal(route_parse(&r, PL("h:x"), NULL), -1);	/* err may be NULL */

	/* a host name is at most 253 bytes */
	char name[300];
	memset(name, 'h', 253);
	name[253] = '\0';
	parse_ok(name);
	memcpy(name + 253, "h", 2);
	parse_bad(name, "invalid host 'hhh");

	/* a long offending value is cut in the reason */
	char longhost[200];
	memset(longhost, 'a', sizeof(longhost));
	memcpy(longhost + 100, " x", 3);
	parse_bad(longhost, "invalid host 'aaaa");
	assert_int_equal(route_parse(&r, pl_from_str(longhost), &err), -1);
	assert_non_null(strstr(err.reason, "...'"));
	assert_true(strlen(err.reason) < sizeof(err.reason));
}

static void test_special_destinations(void **state)
{
	(void)state;
	parse_ok("sip-ua");
	assert_int_equal(r.dest, ROUTE_DEST_SIP_UA);
	parse_ok("555@SIP-UA:5070");
	assert_int_equal(r.dest, ROUTE_DEST_SIP_UA);
	assert_pl(r.cld, "555");
	parse_ok("wss-ua;credit-time=5");
	assert_int_equal(r.dest, ROUTE_DEST_WSS_UA);
	assert_true(r.credit_time.set);
}

static void test_limits(void **state)
{
	(void)state;
	parse_ok("h;credit-time=60;expires=-5;np_expires=0;nr_expires= +7 ");
	assert_true(r.credit_time.set);
	assert_int_equal(r.credit_time.secs, 60);
	assert_true(r.expires.set);
	assert_int_equal(r.expires.secs, -1);	/* negative: unlimited */
	assert_true(r.np_expires.set);
	assert_int_equal(r.np_expires.secs, 0);	/* zero: skip the route */
	assert_int_equal(r.nr_expires.secs, 7);

	parse_ok("h");
	assert_false(r.credit_time.set);
	assert_false(r.expires.set);

	parse_ok("h;expires=-2147483648;credit-time=2147483647");
	assert_int_equal(r.credit_time.secs, 2147483647);

	parse_bad("h;credit-time=abc", "invalid number of seconds for 'credit-time'");
	parse_bad("h;expires=", "invalid number of seconds for 'expires'");
	parse_bad("h;np_expires=2147483648", "invalid number of seconds for 'np_expires'");
	parse_bad("h;nr_expires=-", "invalid number of seconds for 'nr_expires'");
}

static void test_hunt_stop(void **state)
{
	(void)state;
	parse_ok("h;hs_scodes=486, 603,,404,");
	assert_int_equal(r.n_hs_scodes, 3);
	assert_int_equal(r.hs_scodes[0], 486);
	assert_int_equal(r.hs_scodes[1], 603);
	assert_int_equal(r.hs_scodes[2], 404);
	parse_ok("h;hs_scodes=");
	assert_int_equal(r.n_hs_scodes, 0);

	parse_bad("h;hs_scodes=486,200", "invalid hunt-stop code '200'");
	parse_bad("h;hs_scodes=700", "invalid hunt-stop code '700'");
	parse_bad("h;hs_scodes=4x6", "invalid hunt-stop code '4x6'");
	parse_bad("h;hs_scodes=400,401,402,403,404,405,406,407,408,409,410,411,412,413,414,415,416",
		  "too many hunt-stop codes (hs_scodes)");
}

static void test_auth(void **state)
{
	(void)state;
	parse_ok("h;auth=alice:s3c:ret");
	assert_int_equal(r.auth, ROUTE_AUTH_CREDENTIALS);
	assert_pl(r.auth_user, "alice");
	assert_pl(r.auth_pass, "s3c:ret");
	parse_ok("h;auth=nopass");
	assert_int_equal(r.auth, ROUTE_AUTH_NOPASS);
	parse_ok("h;auth=:");
	assert_int_equal(r.auth_user.l, 0);
	parse_bad("h;auth=alice", "auth needs user:pass or nopass, not 'alice'");
}

static void test_cli_cnam(void **state)
{
	char buf[64];

	(void)state;
	parse_ok("h;cli=4412345");
	assert_true(r.cli_set);
	assert_pl(r.cli, "4412345");
	parse_ok("h;cli=");
	assert_true(r.cli_set);
	assert_int_equal(r.cli.l, 0);
	parse_ok("h");
	assert_false(r.cli_set);
	assert_false(r.cnam_set);
	parse_bad("h;cli=a@b", "invalid character in cli 'a@b'");

	parse_ok("h;cnam=John%20Doe%2");
	assert_true(r.cnam_set);
	assert_int_equal(route_unquote(r.cnam, buf, sizeof(buf)), 10);
	assert_string_equal(buf, "John Doe%2");
	parse_ok("h;cnam=a+b%C3%A9%09");
	assert_int_equal(route_unquote(r.cnam, buf, sizeof(buf)), 6);
	assert_string_equal(buf, "a+b\xc3\xa9\t");
	parse_ok("h;cnam=");
	assert_true(r.cnam_set);
	assert_int_equal(r.cnam.l, 0);

	parse_bad("h;cnam=a%0Db", "cnam decodes to control characters: 'a%0Db'");
	parse_bad("h;cnam=%7f", "cnam decodes to control characters");
	char longc[400] = "h;cnam=";
	memset(longc + 7, 'x', 300);
	parse_bad(longc, "cnam too long: 'xxx");

	/* unquote: the output must fit, NUL included */
	assert_int_equal(route_unquote(PL("abc"), buf, 4), 3);
	assert_int_equal(route_unquote(PL("abc"), buf, 3), -1);
	assert_int_equal(route_unquote(PL(""), buf, 0), -1);
	assert_int_equal(route_unquote(PL("%41%4a%4A"), buf, sizeof(buf)), 3);
	assert_string_equal(buf, "AJJ");
}

static void test_ash(void **state)
{
	char buf[ROUTE_VALUE_MAX];
	struct pl name, value;

	(void)state;
	parse_ok("h;ash=X-Foo%3A%20bar;ash=P-Asserted-Identity:%20%3Csip:1@h%3E;ash=X-Empty%3A");
	assert_int_equal(r.n_ash, 3);
	assert_int_equal(route_extra_header(&r, 0, buf, sizeof(buf), &name, &value), 0);
	assert_pl(name, "X-Foo");
	assert_pl(value, "bar");
	assert_int_equal(route_extra_header(&r, 1, buf, sizeof(buf), &name, &value), 0);
	assert_pl(name, "P-Asserted-Identity");
	assert_pl(value, "<sip:1@h>");
	assert_int_equal(route_extra_header(&r, 2, buf, sizeof(buf), &name, &value), 0);
	assert_int_equal(value.l, 0);
	assert_int_equal(route_extra_header(&r, 3, buf, sizeof(buf), &name, &value), -1);
	assert_int_equal(route_extra_header(&r, 0, buf, 4, &name, &value), -1);

	parse_bad("h;ash=NoColon", "ash is not a URL-quoted Name:Value header: 'NoColon'");
	parse_bad("h;ash=%3Avalue", "ash is not a URL-quoted Name:Value header");
	parse_bad("h;ash=Bad%20Name%3Av", "ash is not a URL-quoted Name:Value header");
	parse_bad("h;ash=X%3Aa%0D%0AVia%3A%20evil", "ash is not a URL-quoted Name:Value header");
	/* a NUL is no token character (strchr would say it is: found by fuzzing) */
	parse_bad("h;ash=A%00B%3A1", "ash is not a URL-quoted Name:Value header");
	struct route_error err;
	assert_int_equal(route_parse(&r, pl_from("h;ash=A\0B:1", 11), &err), -1);
	assert_string_equal(err.reason, "ash is not a URL-quoted Name:Value header: 'A?B:1'");
	char longa[400] = "h;ash=X:";
	memset(longa + 8, 'v', 300);
	parse_bad(longa, "ash header too long: 'X:vvv");
	parse_bad("h;ash=A:1;ash=A:2;ash=A:3;ash=A:4;ash=A:5;ash=A:6;ash=A:7;ash=A:8;ash=A:9",
		  "too many ash headers");
}

static void test_rtpp_op(void **state)
{
	(void)state;
	parse_ok("h;rtpp=0");
	assert_int_equal(r.rtpp, 0);
	parse_ok("h;rtpp=1");
	assert_int_equal(r.rtpp, 1);
	parse_ok("h;rtpp=7");
	assert_int_equal(r.rtpp, 1);
	parse_bad("h;rtpp=on", "rtpp needs 0 or 1, not 'on'");

	parse_ok("h;op=proxy.example.net");
	assert_true(r.op_set);
	assert_pl(r.op_host, "proxy.example.net");
	assert_int_equal(r.op_port, 5060);
	parse_ok("h;op=[2001:db8::5]:5090");
	assert_pl(r.op_host, "2001:db8::5");
	assert_int_equal(r.op_port, 5090);
	parse_bad("h;op=p:0", "op: invalid port '0'");
	parse_bad("h;op=", "op: missing host");
	parse_bad("h;op=[::1", "op: missing ']'");
}

static void test_po_proc(void **state)
{
	(void)state;
	parse_ok("h;po_proc=VAL2Xattrs[a=1,b=2]");
	assert_true(r.po_proc_set);
	assert_pl(r.po_proc_name, "VAL2Xattrs");
	assert_pl(r.po_proc_arg, "a=1,b=2");
	parse_ok("h;po_proc=VAL2XattrsA[x=y]");
	parse_ok("h;po_proc=VAL2XattrsO[]");
	assert_int_equal(r.po_proc_arg.l, 0);
	parse_ok("h;po_proc=Nop[anything=at all]");
	assert_pl(r.po_proc_arg, "anything=at all");

	parse_bad("h;po_proc=Nop", "po_proc is not Name[argument]: 'Nop'");
	parse_bad("h;po_proc=[x]", "po_proc is not Name[argument]");
	parse_bad("h;po_proc=Nop[x", "po_proc is not Name[argument]");
	parse_bad("h;po_proc=]", "po_proc is not Name[argument]");
	parse_bad("h;po_proc=VAL2Xattrs[a=]", "po_proc pair is not key=value: 'a='");
	parse_bad("h;po_proc=VAL2Xattrs[a=1,=2]", "po_proc pair is not key=value: '=2'");
	parse_bad("h;po_proc=VAL2Xattrs[a]", "po_proc pair is not key=value: 'a'");
	parse_bad("h;po_proc=HDR2Xattrs[X-Foo]", "unknown po_proc routine 'HDR2Xattrs'");
}

static void test_gt_flags_billing(void **state)
{
	(void)state;
	parse_ok("h;gt=10,2;forward_on_fail;bill-to=acct7;bill-cli=111;bill-cld=222");
	assert_true(r.gt_set);
	assert_int_equal(r.gt_timeout, 10);
	assert_int_equal(r.gt_skip, 2);
	assert_true(r.forward_on_fail);
	assert_pl(r.bill_to, "acct7");
	assert_pl(r.bill_cli, "111");
	assert_pl(r.bill_cld, "222");
	parse_ok("h;forward_on_fail=yes");
	assert_true(r.forward_on_fail);
	parse_ok("h");
	assert_false(r.forward_on_fail);
	assert_null(r.bill_to.p);

	parse_bad("h;gt=10", "gt needs timeout,skip (seconds, routes), not '10'");
	parse_bad("h;gt=a,1", "gt needs timeout,skip");
	parse_bad("h;gt=1,-1", "gt needs timeout,skip");
}

static void test_other_params(void **state)
{
	(void)state;
	parse_ok("h;rid=-1;foo=bar=baz;rid=7;x=");
	assert_int_equal(r.n_other, 3);
	assert_pl(r.other[0].name, "rid");
	assert_pl(r.other[0].value, "7");	/* a later value wins */
	assert_pl(r.other[1].name, "foo");
	assert_pl(r.other[1].value, "bar=baz");
	assert_pl(r.other[2].name, "x");
	assert_int_equal(r.other[2].value.l, 0);

	parse_bad("h;", "empty route parameter");
	parse_bad("h;;a=1", "empty route parameter");
	parse_bad("h;=1", "route parameter without a name: '=1'");
	parse_bad("h;expires", "route parameter needs '=value': 'expires'");
	parse_bad("h;p1=1;p2=1;p3=1;p4=1;p5=1;p6=1;p7=1;p8=1;p9=1;p10=1;p11=1;p12=1;p13=1;p14=1;p15=1;p16=1;p17=1",
		  "too many route parameters");
}

/* Every parameter of sippy-behaviour.md §1.5 in one string. */
static void test_everything(void **state)
{
	(void)state;
	parse_ok("0044@gw.example.com:5070;credit-time=3600;expires=60;np_expires=10;nr_expires=3;"
		 "hs_scodes=486,603;auth=u:p;cli=123;cnam=Bob;ash=X-A%3A1;rtpp=0;op=10.0.0.9:5061;"
		 "po_proc=Nop[x];gt=5,1;forward_on_fail=1;bill-to=b;bill-cli=c;bill-cld=d;rid=9");
	assert_pl(r.cld, "0044");
	assert_pl(r.host, "gw.example.com");
	assert_int_equal(r.port, 5070);
	assert_int_equal(r.credit_time.secs, 3600);
	assert_int_equal(r.expires.secs, 60);
	assert_int_equal(r.np_expires.secs, 10);
	assert_int_equal(r.nr_expires.secs, 3);
	assert_int_equal(r.n_hs_scodes, 2);
	assert_int_equal(r.auth, ROUTE_AUTH_CREDENTIALS);
	assert_pl(r.cli, "123");
	assert_pl(r.cnam, "Bob");
	assert_int_equal(r.n_ash, 1);
	assert_int_equal(r.rtpp, 0);
	assert_int_equal(r.op_port, 5061);
	assert_pl(r.po_proc_name, "Nop");
	assert_int_equal(r.gt_skip, 1);
	assert_true(r.forward_on_fail);
	assert_pl(r.bill_cld, "d");
	assert_int_equal(r.n_other, 1);
}

static void test_resolve(void **state)
{
	char err[256], host[NETADDR_STRLEN];

	(void)state;
	parse_ok("1@127.0.0.1:5070");
	assert_int_equal(route_resolve(&r, err, sizeof(err)), 0);
	assert_true(r.resolved);
	assert_string_equal(netaddr_str(&r.addr, host, sizeof(host)), "127.0.0.1:5070");

	parse_ok("[::1];op=127.0.0.2:6000");
	assert_int_equal(route_resolve(&r, err, sizeof(err)), 0);
	assert_string_equal(netaddr_str(&r.addr, host, sizeof(host)), "[::1]:5060");
	assert_string_equal(netaddr_str(&r.op_addr, host, sizeof(host)), "127.0.0.2:6000");

	/* a host name is resolved once, to a numeric address */
	parse_ok("localhost:5099");
	assert_int_equal(route_resolve(&r, err, sizeof(err)), 0);
	assert_int_equal(netaddr_port(&r.addr), 5099);
	netaddr_host_str(&r.addr, host, sizeof(host));
	assert_true(strcmp(host, "127.0.0.1") == 0 || strcmp(host, "::1") == 0);

	parse_ok("sip-ua");
	assert_int_equal(route_resolve(&r, err, sizeof(err)), 0);

	parse_ok("no-such-host.invalid");
	assert_int_equal(route_resolve(&r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot resolve 'no-such-host.invalid'"));

	parse_ok("127.0.0.1;op=no-such-proxy.invalid");
	assert_int_equal(route_resolve(&r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot resolve 'no-such-proxy.invalid'"));

	parse_ok("wss-ua");
	assert_int_equal(route_resolve(&r, err, sizeof(err)), -1);
	assert_string_equal(err, "wss-ua needs a WSS transport, which tandem does not have yet");
}

static void test_valid_user(void **state)
{
	(void)state;
	assert_true(route_valid_user(PL("")));
	assert_true(route_valid_user(PL("+44%20x")));
	assert_false(route_valid_user(PL("a b")));
	assert_false(route_valid_user(PL("a%2")));
	assert_false(route_valid_user(PL("<a>")));
	assert_false(route_valid_user(PL("\xc3\xa9")));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_only),
		cmocka_unit_test(test_cld),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_hostport_errors),
		cmocka_unit_test(test_special_destinations),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_hunt_stop),
		cmocka_unit_test(test_auth),
		cmocka_unit_test(test_cli_cnam),
		cmocka_unit_test(test_ash),
		cmocka_unit_test(test_rtpp_op),
		cmocka_unit_test(test_po_proc),
		cmocka_unit_test(test_gt_flags_billing),
		cmocka_unit_test(test_other_params),
		cmocka_unit_test(test_everything),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_valid_user),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
