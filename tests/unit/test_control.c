/*
 * control: the pure parts of ccd's control socket (ccd/control_cmd.c):
 * Sippy's socket spec, the command parser and every error reply, and the
 * state names the replies print.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "ccd/control.h"

static struct control_cmd parse(const char *line)
{
	struct control_cmd c;

	control_cmd_parse(pl_from_str(line), &c);
	return c;
}

static void expect_error(const char *line, const char *reply)
{
	struct control_cmd c = parse(line);

	if (c.kind != CONTROL_CMD_ERROR)
		fail_msg("'%s' parsed as %d, expected an error", line, c.kind);
	assert_string_equal(c.error, reply);
}

/* ---------------------------------------------------------------- spec */

static void test_spec_unix(void **state)
{
	struct control_spec s;
	char err[160];

	(void)state;
	assert_int_equal(control_spec_parse("unix:/run/tandem/ccd.sock", &s, err, sizeof(err)), 0);
	assert_int_equal(s.kind, CONTROL_UNIX);
	assert_string_equal(s.path, "/run/tandem/ccd.sock");
	/* Sippy: a bare string is a path, relative ones too. */
	assert_int_equal(control_spec_parse("/var/run/b2bua.sock", &s, err, sizeof(err)), 0);
	assert_string_equal(s.path, "/var/run/b2bua.sock");
	assert_int_equal(control_spec_parse("b2bua.sock", &s, err, sizeof(err)), 0);
	assert_string_equal(s.path, "b2bua.sock");
}

static void test_spec_tcp(void **state)
{
	struct control_spec s;
	char err[160];

	(void)state;
	assert_int_equal(control_spec_parse("tcp:127.0.0.1:22222", &s, err, sizeof(err)), 0);
	assert_int_equal(s.kind, CONTROL_TCP);
	assert_string_equal(s.host, "127.0.0.1");
	assert_int_equal(s.port, 22222);
	assert_int_equal(control_spec_parse("tcp:localhost", &s, err, sizeof(err)), 0);
	assert_string_equal(s.host, "localhost");
	assert_int_equal(s.port, CONTROL_DEFAULT_PORT);
	assert_int_equal(control_spec_parse("tcp:[::1]:5000", &s, err, sizeof(err)), 0);
	assert_string_equal(s.host, "::1");
	assert_int_equal(s.port, 5000);
	assert_int_equal(control_spec_parse("tcp:[::1]", &s, err, sizeof(err)), 0);
	assert_string_equal(s.host, "::1");
	assert_int_equal(s.port, 12345);
}

static void test_spec_errors(void **state)
{
	static const struct {
		const char *spec, *err;
	} bad[] = {
		{ "", "'': empty socket path" },
		{ "unix:", "'unix:': empty socket path" },
		{ "udp:127.0.0.1:1", "'udp:127.0.0.1:1': udp control sockets are not supported (unix: or tcp:)" },
		{ "tcp:", "'tcp:': host empty or too long" },
		{ "tcp::5", "'tcp::5': host empty or too long" },
		{ "tcp:[::1", "'tcp:[::1': an IPv6 address goes in brackets: tcp:[addr]:port" },
		{ "tcp:[::1]x", "'tcp:[::1]x': an IPv6 address goes in brackets: tcp:[addr]:port" },
		{ "tcp:::1:5", "'tcp:::1:5': an IPv6 address goes in brackets: tcp:[addr]:port" },
		{ "tcp:a b:5", "'tcp:a b:5': host with spaces or control characters" },
		{ "tcp:h:0", "'tcp:h:0': port must be 1..65535" },
		{ "tcp:h:65536", "'tcp:h:65536': port must be 1..65535" },
		{ "tcp:h:", "'tcp:h:': port must be 1..65535" },
		{ "tcp:h:-1", "'tcp:h:-1': port must be 1..65535" },
		{ "tcp:h:12x", "'tcp:h:12x': port must be 1..65535" },
		{ "tcp:[::1]:99999", "'tcp:[::1]:99999': port must be 1..65535" },
	};
	struct control_spec s;
	char err[160], longpath[CONTROL_PATH_MAX + 2];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (control_spec_parse(bad[i].spec, &s, err, sizeof(err)) != -1)
			fail_msg("'%s' accepted", bad[i].spec);
		assert_string_equal(err, bad[i].err);
	}
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(control_spec_parse(longpath, &s, err, sizeof(err)), -1);
	assert_string_equal(err, "socket path longer than 107 bytes");
	longpath[CONTROL_PATH_MAX] = '\0';	/* exactly the limit */
	assert_int_equal(control_spec_parse(longpath, &s, err, sizeof(err)), 0);
	/* a host of 256 bytes */
	char longhost[300] = "tcp:";
	memset(longhost + 4, 'h', 256);
	longhost[260] = '\0';
	assert_int_equal(control_spec_parse(longhost, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "host empty or too long"));
}

/* ---------------------------------------------------------------- commands */

static void test_simple_commands(void **state)
{
	static const struct {
		const char *line;
		enum control_cmd_kind kind;
	} ok[] = {
		{ "l", CONTROL_CMD_LIST },
		{ "L", CONTROL_CMD_LIST },
		{ "lt", CONTROL_CMD_LIST_TSX },
		{ "LLT", CONTROL_CMD_LIST_OLD_TSX },
		{ "q", CONTROL_CMD_QUIT },
		{ "nodes", CONTROL_CMD_NODES },
		{ "Stats", CONTROL_CMD_STATS },
		{ "l\r", CONTROL_CMD_LIST },		/* telnet's CR LF */
		{ "  l  ", CONTROL_CMD_LIST },
		{ "\tlt\t", CONTROL_CMD_LIST_TSX },
		{ "l extra words", CONTROL_CMD_LIST },	/* ignored, as Sippy does */
		{ "", CONTROL_CMD_NONE },
		{ "   ", CONTROL_CMD_NONE },
		{ "\r", CONTROL_CMD_NONE },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct control_cmd c = parse(ok[i].line);

		if (c.kind != ok[i].kind)
			fail_msg("'%s' parsed as %d, expected %d", ok[i].line, c.kind, ok[i].kind);
	}
}

static void test_disconnect(void **state)
{
	struct control_cmd c;

	(void)state;
	c = parse("d abc@host");
	assert_int_equal(c.kind, CONTROL_CMD_DISCONNECT);
	assert_false(c.all);
	assert_true(pl_eq_str(c.call_id, "abc@host"));
	c = parse("D  1-2@127.0.0.1\r");
	assert_int_equal(c.kind, CONTROL_CMD_DISCONNECT);
	assert_true(pl_eq_str(c.call_id, "1-2@127.0.0.1"));
	c = parse("d *");
	assert_int_equal(c.kind, CONTROL_CMD_DISCONNECT);
	assert_true(c.all);
	c = parse("d **");
	assert_false(c.all);
	expect_error("d", "ERROR: syntax error: d <call-id>");
	expect_error("d a b", "ERROR: syntax error: d <call-id>");
	expect_error("d a b c d e", "ERROR: syntax error: d <call-id>");
}

static void test_media_timeout(void **state)
{
	struct control_cmd c;

	(void)state;
	c = parse("r 12");
	assert_int_equal(c.kind, CONTROL_CMD_MEDIA_TIMEOUT);
	assert_int_equal(c.id, 12);
	assert_int_equal(c.media_index, 0);
	c = parse("R 18446744073709551615 4294967295");
	assert_int_equal(c.kind, CONTROL_CMD_MEDIA_TIMEOUT);
	assert_true(c.id == UINT64_MAX);
	assert_int_equal(c.media_index, UINT32_MAX);
	static const char *const bad[] = {
		"r", "r x", "r 1 x", "r 1 2 3", "r -1", "r +1", "r 1.5",
		"r 18446744073709551616",	/* 2^64 */
		"r 1 4294967296",		/* 2^32 */
		"r 123456789012345678901",	/* 21 digits */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_error(bad[i], "ERROR: syntax error: r <id> [<media-index>]");
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("x", "ERROR: unknown command");
	expect_error("list", "ERROR: unknown command");
	expect_error("lq", "ERROR: unknown command");
	expect_error("l\x01", "ERROR: malformed command: only printable ASCII is allowed");
	expect_error("d caf\xc3\xa9", "ERROR: malformed command: only printable ASCII is allowed");
	expect_error("l\x7f", "ERROR: malformed command: only printable ASCII is allowed");
	expect_error("l\rx", "ERROR: malformed command: only printable ASCII is allowed");
	/* A NUL inside the line is a byte like any other control byte. */
	struct control_cmd c;
	control_cmd_parse(pl_from("l\0x", 3), &c);
	assert_int_equal(c.kind, CONTROL_CMD_ERROR);
}

/* ---------------------------------------------------------------- names */

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(control_ua_sname(TANDEM__LEG_STATE__LEG_TRYING, true, false), "Trying(UAS)");
	assert_string_equal(control_ua_sname(TANDEM__LEG_STATE__LEG_TRYING, false, false), "Trying(UAC)");
	assert_string_equal(control_ua_sname(TANDEM__LEG_STATE__LEG_IDLE, false, false), "Idle(UAC)");
	assert_string_equal(control_ua_sname(TANDEM__LEG_STATE__LEG_RINGING, true, false), "Ringing(UAS)");
	assert_string_equal(control_ua_sname(TANDEM__LEG_STATE__LEG_CONNECTED, true, false), "Connected");
	assert_string_equal(control_ua_sname(TANDEM__LEG_STATE__LEG_CONNECTED, false, false), "Connected");
	/* Updating's side is whose re-INVITE it is, not the leg's. */
	assert_string_equal(control_ua_sname(TANDEM__LEG_STATE__LEG_UPDATING, true, true), "Updating(UAC)");
	assert_string_equal(control_ua_sname(TANDEM__LEG_STATE__LEG_UPDATING, false, false), "Updating(UAS)");
	assert_string_equal(control_ua_sname(TANDEM__LEG_STATE__LEG_CANCELLING, false, false), "Cancelling(UAC)");
	assert_string_equal(control_ua_sname(TANDEM__LEG_STATE__LEG_DISCONNECTED, true, false), "Disconnected");
	assert_string_equal(control_ua_sname(TANDEM__LEG_STATE__LEG_FAILED, false, false), "Failed");
	assert_string_equal(control_ua_sname(TANDEM__LEG_STATE__LEG_DEAD, true, false), "Dead");
	assert_null(control_ua_sname(0, true, false));
	assert_null(control_ua_sname(10, true, false));
	assert_null(control_ua_sname(UINT32_MAX, false, false));

	assert_string_equal(control_tsx_state_name(TANDEM__TRANSACTION_STATE__TSX_CALLING), "Calling");
	assert_string_equal(control_tsx_state_name(TANDEM__TRANSACTION_STATE__TSX_TRYING), "Trying");
	assert_string_equal(control_tsx_state_name(TANDEM__TRANSACTION_STATE__TSX_PROCEEDING), "Proceeding");
	assert_string_equal(control_tsx_state_name(TANDEM__TRANSACTION_STATE__TSX_COMPLETED), "Completed");
	assert_string_equal(control_tsx_state_name(TANDEM__TRANSACTION_STATE__TSX_CONFIRMED), "Confirmed");
	assert_string_equal(control_tsx_state_name(TANDEM__TRANSACTION_STATE__TSX_ACCEPTED), "Accepted");
	assert_string_equal(control_tsx_state_name(TANDEM__TRANSACTION_STATE__TSX_TERMINATED), "Terminated");
	assert_string_equal(control_tsx_state_name(0), "Unknown");
	assert_string_equal(control_tsx_state_name(99), "Unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_unix),	cmocka_unit_test(test_spec_tcp),
		cmocka_unit_test(test_spec_errors),	cmocka_unit_test(test_simple_commands),
		cmocka_unit_test(test_disconnect),	cmocka_unit_test(test_media_timeout),
		cmocka_unit_test(test_errors),		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
