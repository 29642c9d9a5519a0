/* ccd/ccd_config.c and ccd/config_file.c: every option in its short and
 * Sippy long form, every check and error, the -C file and how the command
 * line overrides it. (The RTP proxy options are also in test_media.c.) */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ccd/ccd_config.h"
#include "ccd/cld_rewrite.h"
#include "ccd/config_file.h"

#define MAX_ARGS 160

static struct ccd_config cfg;
static char err[512];
static char *argv_buf[MAX_ARGS];

/* ccd_config_parse() on "ccd" + the NULL-terminated arguments. */
static enum ccd_config_result run_v(const char *first, va_list ap)
{
	int argc = 0;

	argv_buf[argc++] = (char *)"ccd";
	for (const char *a = first; a; a = va_arg(ap, const char *)) {
		assert_true(argc < MAX_ARGS - 1);
		argv_buf[argc++] = (char *)a;
	}
	argv_buf[argc] = NULL;
	err[0] = '\0';
	return ccd_config_parse(&cfg, argc, argv_buf, err, sizeof(err));
}

/* Parses; must succeed. The caller frees (ccd_config_free). */
static void ok(const char *first, ...)
{
	enum ccd_config_result r;
	va_list ap;

	va_start(ap, first);
	r = run_v(first, ap);
	va_end(ap);
	if (r != CCD_CONFIG_OK)
		fail_msg("expected OK, got %d: %s", r, err);
}

/* Parses; must fail with exactly want. */
static void bad(const char *want, const char *first, ...)
{
	enum ccd_config_result r;
	va_list ap;

	va_start(ap, first);
	r = run_v(first, ap);
	va_end(ap);
	if (r != CCD_CONFIG_ERROR) {
		ccd_config_free(&cfg);
		fail_msg("expected '%s', got result %d", want, r);
	}
	if (strcmp(err, want) != 0)
		fail_msg("error '%s', expected '%s'", err, want);
	/* nothing left to free after an error */
	assert_null(cfg.tr_in);
	assert_null(cfg.tr_out);
	assert_null(cfg.config_file);
}

static char file_path[64];

/* Writes text into a fresh temporary file (file_path). */
static const char *write_file(const char *text)
{
	FILE *f;
	int fd;

	strcpy(file_path, "/tmp/test_ccd_config.XXXXXX");
	fd = mkstemp(file_path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return file_path;
}

/* A -C file with text must fail with exactly "<path>:<want>". */
static void bad_file(const char *text, const char *want)
{
	char full[300];

	write_file(text);
	snprintf(full, sizeof(full), "%s:%s", file_path, want);
	bad(full, "-C", file_path, NULL);
	unlink(file_path);
}

static void rewrite(struct cld_rules *r, const char *in, const char *want)
{
	char out[64];

	assert_non_null(r);
	assert_int_equal(cld_rules_apply(r, pl_from_str(in), out, sizeof(out)), (int)strlen(want));
	assert_string_equal(out, want);
}

/* ---------------------------------------------------------------- */

static void test_defaults(void **state)
{
	(void)state;
	ok("-s", "192.0.2.1", NULL);	/* RADIUS auth on: no -u needed */
	assert_false(cfg.auth_disabled);
	assert_string_equal(cfg.static_route, "192.0.2.1");
	assert_string_equal(cfg.bind, CCD_DEFAULT_BIND);
	assert_int_equal(cfg.drain_s, CCD_DEFAULT_DRAIN_S);
	assert_int_equal(cfg.rt_prio, 0);
	assert_null(cfg.radius_conf);
	assert_int_equal(cfg.radius_workers, CCD_DEFAULT_RADIUS_WORKERS);
	assert_string_equal(cfg.acct_spool, CCD_DEFAULT_ACCT_SPOOL);
	assert_false(cfg.digest_disabled);
	assert_false(cfg.digest_auth_only);
	assert_int_equal(cfg.n_accept_ips, 0);
	assert_int_equal(cfg.acct_level, 1);
	assert_int_equal(cfg.alive_acct_s, 0);
	assert_false(cfg.precise_acct);
	assert_null(cfg.tr_in);
	assert_null(cfg.tr_out);
	assert_int_equal(cfg.keepalive_ans_s, 0);
	assert_int_equal(cfg.keepalive_orig_s, 0);
	assert_int_equal(cfg.max_credit_time_s, 0);
	assert_false(cfg.allowed_pts_set);
	assert_int_equal(cfg.n_pass_headers, 0);
	assert_int_equal(cfg.pre_auth_proc, TRANSFORM_NONE);
	assert_false(cfg.hide_call_id);
	assert_false(cfg.foreground);
	ccd_config_free(&cfg);
	ccd_config_free(&cfg);	/* twice is fine */

	ok(NULL);	/* RADIUS routing, nothing else */
	assert_null(cfg.static_route);
	ccd_config_free(&cfg);
}

static void test_short_options(void **state)
{
	char host[64];

	(void)state;
	ok("-f", "-u", "-s", "10.0.0.1:5070", "-R", "/etc/radcli/x.conf", "-M", "5", "-D", "-a",
	   "192.0.2.1, 2001:db8::1,[::1]", "-A", "2", "-t", "s/^00/+/", "-T", "s/1/2/g", "-k", "3", "-m", "60",
	   "-F", "0,8,[telephone-event/8000]", "-h", "X-Foo,P-Asserted-Identity", "-x", "HDR2Xattrs[X-Attrs]", "-H",
	   "-d", "ignored", "--acct-spool", "/tmp/spool", "-L", "/tmp/log", "-P", "/tmp/pid", NULL);
	assert_true(cfg.foreground);
	assert_true(cfg.auth_disabled);
	assert_string_equal(cfg.radius_conf, "/etc/radcli/x.conf");
	assert_int_equal(cfg.radius_workers, 5);
	assert_true(cfg.digest_disabled);
	assert_int_equal(cfg.n_accept_ips, 3);
	assert_string_equal(netaddr_host_str(&cfg.accept_ips[0], host, sizeof(host)), "192.0.2.1");
	assert_string_equal(netaddr_host_str(&cfg.accept_ips[1], host, sizeof(host)), "2001:db8::1");
	assert_int_equal(netaddr_family(&cfg.accept_ips[2]), AF_INET6);
	assert_int_equal(cfg.acct_level, 2);
	rewrite(cfg.tr_in, "0044", "+44");
	rewrite(cfg.tr_out, "1212", "2222");
	assert_int_equal(cfg.keepalive_ans_s, CCD_KEEPALIVE_S);
	assert_int_equal(cfg.keepalive_orig_s, CCD_KEEPALIVE_S);
	assert_int_equal(cfg.max_credit_time_s, 60);
	assert_true(cfg.allowed_pts_set);
	assert_int_equal(cfg.allowed_pts.n, 3);
	assert_int_equal(cfg.n_pass_headers, 2);
	assert_string_equal(cfg.pass_headers[0], "X-Foo");
	assert_string_equal(cfg.pass_headers[1], "P-Asserted-Identity");
	assert_int_equal(cfg.pre_auth_proc, TRANSFORM_HDR2XATTRS);
	assert_string_equal(cfg.pre_auth_header, "X-Attrs");
	assert_true(cfg.hide_call_id);
	assert_string_equal(cfg.acct_spool, "/tmp/spool");
	assert_string_equal(cfg.logfile, "/tmp/log");
	assert_string_equal(cfg.pidfile, "/tmp/pid");
	ccd_config_free(&cfg);
	assert_null(cfg.tr_in);

	/* -n is -s; -k 1 and 2; -A 0; -x Nop; a later -t replaces */
	ok("-u", "-n", "10.0.0.1", "-k", "1", "-A", "0", "-x", "Nop[whatever]", "-t", "s/^0//", "-t", "s/^1//", NULL);
	assert_string_equal(cfg.static_route, "10.0.0.1");
	assert_int_equal(cfg.keepalive_ans_s, CCD_KEEPALIVE_S);
	assert_int_equal(cfg.keepalive_orig_s, 0);
	assert_int_equal(cfg.acct_level, 0);
	assert_int_equal(cfg.pre_auth_proc, TRANSFORM_NOP);
	rewrite(cfg.tr_in, "01", "01");
	rewrite(cfg.tr_in, "10", "0");
	ccd_config_free(&cfg);
	ok("-k", "2", "-A", "1", "-k", "0", NULL);	/* -k 0 leaves what was set */
	assert_int_equal(cfg.keepalive_ans_s, 0);
	assert_int_equal(cfg.keepalive_orig_s, CCD_KEEPALIVE_S);
	assert_int_equal(cfg.acct_level, 1);
	ccd_config_free(&cfg);
}

static void test_long_options(void **state)
{
	(void)state;
	ok("--foreground=1", "--auth_enable=off", "--static_route=10.0.0.2", "--radiusclient.conf=/r.conf",
	   "--max_radiusclients=7", "--digest_auth=no", "--accept_ips=127.0.0.1", "--acct_enable=on",
	   "--start_acct_enable=yes", "--alive_acct_int=30", "--precise_acct", "--static_tr_in=s/^9//",
	   "--static_tr_out=s/^/00/", "--keepalive_ans=10", "--keepalive_orig=20", "--max_credit_time=3600",
	   "--allowed_pts=18", "--pass_headers=X-A", "--pass_header=X-B", "--pre_auth_proc=Nop[]",
	   "--hide_call_id=TRUE", "--pidfile=/p", "--logfile=/l", "--b2bua_socket=/tmp/ccd.sock",
	   "--rtp_proxy_clients=udp:127.0.0.1:7722,/run/rtpp.sock", "--rtp_proxy_client=ng:127.0.0.1", NULL);
	assert_true(cfg.foreground);
	assert_true(cfg.auth_disabled);
	assert_string_equal(cfg.static_route, "10.0.0.2");
	assert_string_equal(cfg.radius_conf, "/r.conf");
	assert_int_equal(cfg.radius_workers, 7);
	assert_true(cfg.digest_disabled);
	assert_int_equal(cfg.n_accept_ips, 1);
	assert_int_equal(cfg.acct_level, 2);
	assert_int_equal(cfg.alive_acct_s, 30);
	assert_true(cfg.precise_acct);
	rewrite(cfg.tr_in, "9123", "123");
	rewrite(cfg.tr_out, "44", "0044");
	assert_int_equal(cfg.keepalive_ans_s, 10);
	assert_int_equal(cfg.keepalive_orig_s, 20);
	assert_int_equal(cfg.max_credit_time_s, 3600);
	assert_int_equal(cfg.allowed_pts.n, 1);
	assert_int_equal(cfg.n_pass_headers, 2);	/* pass_header appends */
	assert_string_equal(cfg.pass_headers[1], "X-B");
	assert_int_equal(cfg.pre_auth_proc, TRANSFORM_NOP);
	assert_true(cfg.hide_call_id);
	assert_string_equal(cfg.pidfile, "/p");
	assert_string_equal(cfg.logfile, "/l");
	assert_string_equal(cfg.control, "/tmp/ccd.sock");
	assert_int_equal(cfg.n_rtpp, 3);
	assert_string_equal(cfg.rtpp[0], "udp:127.0.0.1:7722");
	assert_string_equal(cfg.rtpp[1], "/run/rtpp.sock");
	assert_string_equal(cfg.rtpp[2], "ng:127.0.0.1");
	ccd_config_free(&cfg);
	assert_int_equal(cfg.n_rtpp, 0);

	/* each list form: pass_headers replaces, -h appends, duplicates once */
	ok("-h", "X-A,x-a", "-h", "X-B", "--pass_headers=X-C", "-h", "X-D", NULL);
	assert_int_equal(cfg.n_pass_headers, 2);
	assert_string_equal(cfg.pass_headers[0], "X-C");
	assert_string_equal(cfg.pass_headers[1], "X-D");
	ccd_config_free(&cfg);
	/* rtp_proxy_clients replaces earlier -r; -a replaces */
	ok("-r", "udp:127.0.0.1", "--rtp_proxy_clients=udp:127.0.0.2", "-a", "127.0.0.1,127.0.0.2", "-a",
	   "127.0.0.3", NULL);
	assert_int_equal(cfg.n_rtpp, 1);
	assert_string_equal(cfg.rtpp[0], "udp:127.0.0.2");
	assert_int_equal(cfg.n_accept_ips, 1);
	ccd_config_free(&cfg);
	/* acct_enable=off wins over start_acct_enable */
	ok("--acct_enable=off", "--start_acct_enable=on", "--digest_auth_only", NULL);
	assert_int_equal(cfg.acct_level, 0);
	assert_true(cfg.digest_auth_only);
	ccd_config_free(&cfg);
}

static void test_booleans(void **state)
{
	static const char *const on[] = { "--hide_call_id", "--hide_call_id=on", "--hide_call_id=ON",
					  "--hide_call_id=true", "--hide_call_id=Yes", "--hide_call_id=1" };
	static const char *const off[] = { "--hide_call_id=off", "--hide_call_id=False", "--hide_call_id=no",
					   "--hide_call_id=0" };

	(void)state;
	for (size_t i = 0; i < sizeof(on) / sizeof(on[0]); i++) {
		ok(on[i], NULL);
		assert_true(cfg.hide_call_id);
		ccd_config_free(&cfg);
	}
	for (size_t i = 0; i < sizeof(off) / sizeof(off[0]); i++) {
		ok("-H", off[i], NULL);
		assert_false(cfg.hide_call_id);
		ccd_config_free(&cfg);
	}
	ok("-D", "--digest_auth=on", "-u", "-s", "h", "--auth_enable", "--foreground=off", NULL);
	assert_false(cfg.digest_disabled);
	assert_false(cfg.auth_disabled);
	assert_false(cfg.foreground);
	ccd_config_free(&cfg);
	bad("invalid --hide_call_id 'maybe': not a boolean (on/off, true/false, yes/no, 1/0)",
	    "--hide_call_id=maybe", NULL);
	bad("invalid --precise_acct '': not a boolean (on/off, true/false, yes/no, 1/0)", "--precise_acct=", NULL);
	bad("invalid --foreground '2': not a boolean (on/off, true/false, yes/no, 1/0)", "--foreground=2", NULL);
	bad("invalid --auth_enable 'x': not a boolean (on/off, true/false, yes/no, 1/0)", "--auth_enable=x", NULL);
	bad("invalid --digest_auth 'x': not a boolean (on/off, true/false, yes/no, 1/0)", "--digest_auth=x", NULL);
	bad("invalid --digest_auth_only 'x': not a boolean (on/off, true/false, yes/no, 1/0)",
	    "--digest_auth_only=x", NULL);
	bad("invalid --acct_enable 'x': not a boolean (on/off, true/false, yes/no, 1/0)", "--acct_enable=x", NULL);
	bad("invalid --start_acct_enable 'x': not a boolean (on/off, true/false, yes/no, 1/0)",
	    "--start_acct_enable=x", NULL);
}

static void test_numbers(void **state)
{
	(void)state;
	bad("invalid -A '3': not in the range 0-2", "-A", "3", NULL);
	bad("invalid -A 'x': not in the range 0-2", "-A", "x", NULL);
	bad("invalid -k '4': not in the range 0-3", "-k", "4", NULL);
	bad("invalid -k '': not in the range 0-3", "-k", "", NULL);
	bad("invalid -m (max_credit_time) '0' (1..31536000 seconds)", "-m", "0", NULL);
	bad("invalid -m (max_credit_time) '-5' (1..31536000 seconds)", "--max_credit_time=-5", NULL);
	bad("invalid -m (max_credit_time) '31536001' (1..31536000 seconds)", "-m", "31536001", NULL);
	bad("invalid -m (max_credit_time) '99999999999999999999999' (1..31536000 seconds)", "-m",
	    "99999999999999999999999", NULL);
	bad("invalid -M (max_radiusclients) '0' (1..256)", "-M", "0", NULL);
	bad("invalid -M (max_radiusclients) '257' (1..256)", "--max_radiusclients=257", NULL);
	bad("invalid --alive_acct_int '86401' (0..86400 seconds)", "--alive_acct_int=86401", NULL);
	bad("invalid --keepalive_ans 'x' (0..86400 seconds)", "--keepalive_ans=x", NULL);
	bad("invalid --keepalive_orig '1.5' (0..86400 seconds)", "--keepalive_orig=1.5", NULL);
	bad("invalid --drain '-1' (0..86400 seconds)", "--drain", "-1", NULL);
	bad("invalid --rt-prio '0' (1..99)", "--rt-prio", "0", NULL);
	bad("invalid --rt-prio '100' (1..99)", "--rt-prio=100", NULL);
	ok("-m", "31536000", "-M", "256", "--alive_acct_int=0", "--keepalive_ans=86400", "--drain", "0",
	   "--rt-prio", "99", NULL);
	assert_int_equal(cfg.rt_prio, 99);
	assert_int_equal(cfg.max_credit_time_s, 31536000);
	assert_int_equal(cfg.radius_workers, 256);
	assert_int_equal(cfg.keepalive_ans_s, 86400);
	assert_int_equal(cfg.drain_s, 0);
	ccd_config_free(&cfg);
}

static void test_accept_ips(void **state)
{
	char many[CCD_ACCEPT_IPS_MAX * 16 + 16];
	size_t n = 0;

	(void)state;
	bad("-a (accept_ips): [[WSS]] is not supported (tandem has no WSS transport or sip_proxy)", "-a",
	    "127.0.0.1,[[WSS]]", NULL);
	bad("-a (accept_ips): [[PROXY]] is not supported (tandem has no WSS transport or sip_proxy)",
	    "--accept_ips=[[PROXY]]", NULL);
	bad("-a (accept_ips): invalid address 'host.example' (numeric IPv4 or IPv6 only)", "-a", "host.example",
	    NULL);
	bad("-a (accept_ips): invalid address '1.2.3.4:5060' (numeric IPv4 or IPv6 only)", "-a", "1.2.3.4:5060",
	    NULL);
	bad("invalid -a (accept_ips) '1.2.3.4,,5.6.7.8': empty list element", "-a", "1.2.3.4,,5.6.7.8", NULL);
	bad("invalid -a (accept_ips) '': empty list element", "-a", "", NULL);
	for (int i = 0; i <= CCD_ACCEPT_IPS_MAX; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "%s10.0.0.%d", i ? "," : "", i);
	bad("-a (accept_ips): too many addresses (at most 64)", "-a", many, NULL);
}

static void test_pass_headers(void **state)
{
	char many[CCD_PASS_HEADERS_MAX * 8 + 8];
	size_t n = 0;

	(void)state;
	bad("-h (pass_header): 'X Foo' is not a header name", "-h", "X Foo", NULL);
	bad("-h (pass_header): 'X:' is not a header name", "-h", "X:", NULL);
	bad("--pass_headers: Via is written by the B2BUA itself and cannot be passed", "--pass_headers=X-A,Via",
	    NULL);
	bad("-h (pass_header): call-id is written by the B2BUA itself and cannot be passed", "-h", "call-id", NULL);
	bad("-h (pass_header): v is written by the B2BUA itself and cannot be passed", "-h", "v", NULL);
	bad("-h (pass_header): header name 'X-12345678901234567890123456789012345678901234567890123456789012...' "
	    "is too long (at most 64)",
	    "-h", "X-123456789012345678901234567890123456789012345678901234567890123", NULL);
	bad("invalid -h (pass_header) 'X-A,': empty list element", "-h", "X-A,", NULL);
	for (int i = 0; i <= CCD_PASS_HEADERS_MAX; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "%sX-%d", i ? "," : "", i);
	bad("-h (pass_header): too many headers (at most 16)", "-h", many, NULL);
	/* exactly the maximum, and 64 characters */
	many[n - 5] = '\0';
	ok("-h", many, NULL);
	assert_int_equal(cfg.n_pass_headers, CCD_PASS_HEADERS_MAX);
	ccd_config_free(&cfg);
	ok("-h", "X-12345678901234567890123456789012345678901234567890123456789012", NULL);
	assert_int_equal(strlen(cfg.pass_headers[0]), CCD_HEADER_NAME_MAX);
	ccd_config_free(&cfg);
}

static void test_policy_errors(void **state)
{
	(void)state;
	bad("invalid -x (pre_auth_proc): VAL2Xattrs is a route's po_proc routine, not a pre_auth_proc", "-x",
	    "VAL2Xattrs[a=b]", NULL);
	bad("invalid -x (pre_auth_proc): not Name[argument]: 'HDR2Xattrs'", "--pre_auth_proc=HDR2Xattrs", NULL);
	bad("invalid -x (pre_auth_proc): HDR2Xattrs needs a header name: ''", "-x", "HDR2Xattrs[]", NULL);
	bad("invalid -t (static_tr_in) 's/a': rule 1: missing '/' after the regex", "-t", "s/a", NULL);
	bad("invalid -T (static_tr_out) 's/(/x/': rule 1: bad regex '(' at offset 1: missing closing parenthesis",
	    "--static_tr_out=s/(/x/", NULL);
	bad("invalid -t (static_tr_in) '': no rule given", "-t", "", NULL);
	/* a good -t and a bad -T: the compiled -t is freed (ASan checks) */
	bad("invalid -T (static_tr_out) 'x': rule 1: expected s/regex/replacement/[g]", "-t", "s/a/b/", "-T", "x",
	    NULL);
	bad("invalid -F (allowed_pts) '0,,8': Bad payload filter entry (entry 2)", "-F", "0,,8", NULL);
	bad("invalid -F (allowed_pts) '': Empty payload filter", "--allowed_pts=", NULL);
	bad("invalid -R (radiusclient.conf): empty path", "-R", "", NULL);
	bad("invalid --acct-spool: empty path", "--acct-spool", "", NULL);
}

static void test_sippy_rules(void **state)
{
	(void)state;
	bad("static route should be specified when Radius auth is disabled (-s)", "-u", NULL);
	bad("static route should be specified when Radius auth is disabled (-s)", "--auth_enable=no", NULL);
	bad("--digest_auth_only needs digest authentication (drop -D / digest_auth=off)", "-D",
	    "--digest_auth_only", NULL);
	bad("--digest_auth_only needs RADIUS authorisation (drop -u / auth_enable=off)", "-u", "-s", "h",
	    "--digest_auth_only=on", NULL);
	ok("-D", "--digest_auth_only=off", NULL);
	ccd_config_free(&cfg);
}

static void test_unsupported(void **state)
{
	(void)state;
	bad("-W (write the configuration) is not supported", "-W", "/tmp/x", NULL);
	bad("--sip_proxy is not supported", "--sip_proxy=1.2.3.4", NULL);
	bad("--nat_traversal is not supported", "--nat_traversal=on", NULL);
	bad("--wss_socket is not supported", "--wss_socket=a:1:c:k", NULL);
	bad("--xmpp_b2bua_id is not supported", "--xmpp_b2bua_id=5", NULL);
	bad("--ui is not supported", "--ui", NULL);
	bad("--uiparams is not supported", "--uiparams=host=x", NULL);
	bad("--siprec_target is not supported", "--siprec_target=h", NULL);
	bad("-l (sip_address) is a sigd option", "-l", "127.0.0.1", NULL);
	bad("-p (sip_port) is a sigd option", "-p", "5060", NULL);
	bad("sip_port is a sigd option", "--sip_port=5060", NULL);
	bad("node-id is a sigd option", "--node-id", "n1", NULL);
	bad("t1 is a sigd option", "--t1=500", NULL);
	ok("-d", "1", NULL);	/* Sippy ignores -d */
	ccd_config_free(&cfg);
}

static void test_command_line_errors(void **state)
{
	(void)state;
	bad("option '-m' needs a value", "-m", NULL);
	bad("option '-m' needs a value", "-fm", NULL);
	bad("option '--max_credit_time' needs a value", "--max_credit_time", NULL);
	bad("unknown option '-z' (see ccd --help)", "-z", NULL);
	bad("unknown option '--bogus' (see ccd --help)", "--bogus", NULL);
	bad("unknown option '--bogus=1' (see ccd --help)", "--bogus=1", NULL);
	bad("unexpected argument 'extra' (see ccd --help)", "-s", "h", "extra", NULL);
	bad("-C (config) given more than once", "-C", "/a", "--config=/b", NULL);
	bad("--rtpp-notify needs an RTP proxy (-r)", "--rtpp-notify", "127.0.0.1:8090", NULL);
	bad("invalid control socket: 'udp:1.2.3.4:5': udp control sockets are not supported (unix: or tcp:)",
	    "-c", "udp:1.2.3.4:5", NULL);
	bad("invalid --metrics: '9100' is not host:port ([IPv6]:port for IPv6)", "--metrics", "9100", NULL);
	/* a value is quoted printable and short: the message stays one line */
	bad("invalid -A 'a?b': not in the range 0-2", "-A", "a\nb", NULL);
	bad("invalid -k '1234567890123456789012345678901234567890123456789012345678901234...': not in the range "
	    "0-3",
	    "-k", "123456789012345678901234567890123456789012345678901234567890123456789", NULL);
}

static void test_help_version(void **state)
{
	int saved = dup(STDOUT_FILENO), devnull = open("/dev/null", O_WRONLY);

	(void)state;
	/* the usage text is not for the test log */
	fflush(stdout);
	dup2(devnull, STDOUT_FILENO);
	argv_buf[0] = (char *)"ccd";
	argv_buf[1] = (char *)"--help";
	argv_buf[2] = NULL;
	assert_int_equal(ccd_config_parse(&cfg, 2, argv_buf, err, sizeof(err)), CCD_CONFIG_EXIT_OK);
	argv_buf[1] = (char *)"--version";
	assert_int_equal(ccd_config_parse(&cfg, 2, argv_buf, err, sizeof(err)), CCD_CONFIG_EXIT_OK);
	/* --help does not read the -C file (here: it does not exist) */
	argv_buf[1] = (char *)"-C";
	argv_buf[2] = (char *)"/nonexistent/ccd.ini";
	argv_buf[3] = (char *)"--help";
	argv_buf[4] = NULL;
	assert_int_equal(ccd_config_parse(&cfg, 4, argv_buf, err, sizeof(err)), CCD_CONFIG_EXIT_OK);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(devnull);
}

/* ---------------------------------------------------------------- -C */

static const char full_file[] =
	"\xef\xbb\xbf# ccd.ini\r\n"
	"; Sippy's b2bua.conf, ccd's keys\r\n"
	"\r\n"
	"[general]\r\n"
	"  static_route = 10.0.0.1:5070;credit-time=60;hs_scodes=486 \r\n"
	"Auth_Enable = off\n"
	"accept_ips: 127.0.0.1, ::1\n"
	"acct_enable = on\n"
	"start_acct_enable = on\n"
	"alive_acct_int = 60\n"
	"precise_acct = yes\n"
	"static_tr_in = s/^00/+/;s/#.*$//\n"
	"static_tr_out = s/^\\+/00/\n"
	"keepalive_ans = 32\n"
	"max_credit_time = 7200\n"
	"allowed_pts = 0,8,[telephone-event/8000]\n"
	"pass_headers = X-Foo, X-Bar\n"
	"pre_auth_proc = HDR2Xattrs[X-Attrs]\n"
	"hide_call_id = on\n"
	"radiusclient.conf = /etc/radcli/radiusclient.conf\n"
	"max_radiusclients = 4\n"
	"digest_auth = off\n"
	"rtp_proxy_clients = udp:127.0.0.1:7722, udp:127.0.0.2:7722\n"
	"acct-spool = /var/tmp/acct.spool\n"
	"b2bua_socket = /tmp/ccd-test.sock\n"
	"bind = tcp://127.0.0.1:5599\n"
	"foreground = on\n"
	"pidfile = /tmp/ccd.pid\n"
	"logfile = /tmp/ccd.log\n"
	"    # an indented comment\n"
	"[general]x\n";

static void test_file(void **state)
{
	(void)state;
	write_file("[general]\nmax_credit_time = 60\nstatic_route = 10.0.0.9\nauth_enable = off\n");
	ok("-C", file_path, NULL);
	assert_int_equal(cfg.max_credit_time_s, 60);
	assert_string_equal(cfg.static_route, "10.0.0.9");
	assert_true(cfg.auth_disabled);
	assert_non_null(cfg.config_file);
	ccd_config_free(&cfg);
	assert_null(cfg.config_file);
	unlink(file_path);
	/* the full example ends in a broken line on purpose */
	bad_file(full_file, "31: section header without ']'");
}

static void test_file_values(void **state)
{
	char text[sizeof(full_file)];

	(void)state;
	strcpy(text, full_file);
	*strstr(text, "[general]x\n") = '\0';
	write_file(text);
	ok("--config", file_path, NULL);
	assert_string_equal(cfg.static_route, "10.0.0.1:5070;credit-time=60;hs_scodes=486");
	assert_true(cfg.auth_disabled);
	assert_int_equal(cfg.n_accept_ips, 2);
	assert_int_equal(cfg.acct_level, 2);
	assert_int_equal(cfg.alive_acct_s, 60);
	assert_true(cfg.precise_acct);
	rewrite(cfg.tr_in, "0044#1", "+44");
	rewrite(cfg.tr_out, "+44", "0044");
	assert_int_equal(cfg.keepalive_ans_s, 32);
	assert_int_equal(cfg.max_credit_time_s, 7200);
	assert_int_equal(cfg.allowed_pts.n, 3);
	assert_int_equal(cfg.n_pass_headers, 2);
	assert_string_equal(cfg.pass_headers[1], "X-Bar");
	assert_int_equal(cfg.pre_auth_proc, TRANSFORM_HDR2XATTRS);
	assert_string_equal(cfg.pre_auth_header, "X-Attrs");
	assert_true(cfg.hide_call_id);
	assert_string_equal(cfg.radius_conf, "/etc/radcli/radiusclient.conf");
	assert_int_equal(cfg.radius_workers, 4);
	assert_true(cfg.digest_disabled);
	assert_int_equal(cfg.n_rtpp, 2);
	assert_string_equal(cfg.rtpp[1], "udp:127.0.0.2:7722");
	assert_string_equal(cfg.acct_spool, "/var/tmp/acct.spool");
	assert_string_equal(cfg.control, "/tmp/ccd-test.sock");
	assert_string_equal(cfg.bind, "tcp://127.0.0.1:5599");
	assert_true(cfg.foreground);
	assert_string_equal(cfg.pidfile, "/tmp/ccd.pid");
	ccd_config_free(&cfg);

	/* the command line wins, before or after -C; its lists replace */
	ok("-m", "30", "-r", "udp:127.0.0.9", "-h", "X-Cmd", "-C", file_path, "-a", "10.1.1.1", "--acct_enable=off",
	   "--static_tr_in=s/^/9/", "--hide_call_id=off", "--auth_enable=on", "-s", "10.0.0.5", NULL);
	assert_int_equal(cfg.max_credit_time_s, 30);
	assert_int_equal(cfg.n_rtpp, 1);
	assert_string_equal(cfg.rtpp[0], "udp:127.0.0.9");
	assert_int_equal(cfg.n_pass_headers, 1);
	assert_string_equal(cfg.pass_headers[0], "X-Cmd");
	assert_int_equal(cfg.n_accept_ips, 1);
	assert_int_equal(cfg.acct_level, 0);
	rewrite(cfg.tr_in, "1", "91");
	assert_false(cfg.hide_call_id);
	assert_false(cfg.auth_disabled);
	assert_string_equal(cfg.static_route, "10.0.0.5");
	assert_int_equal(cfg.radius_workers, 4);	/* from the file */
	ccd_config_free(&cfg);
	unlink(file_path);

	/* compat keys append inside the file */
	write_file("[general]\nrtp_proxy_client = udp:127.0.0.1\npass_header = X-A\n");
	ok("-C", file_path, "-r", "udp:127.0.0.3", "-r", "udp:127.0.0.4", NULL);
	assert_int_equal(cfg.n_rtpp, 2);
	assert_string_equal(cfg.rtpp[0], "udp:127.0.0.3");
	assert_int_equal(cfg.n_pass_headers, 1);
	ccd_config_free(&cfg);
	unlink(file_path);
}

static void test_file_errors(void **state)
{
	char big[CONFIG_FILE_MAX_BYTES + 10];

	(void)state;
	bad_file("max_credit_time = 5\n", "1: key 'max_credit_time' outside the [general] section");
	bad_file("[general]\n[general]\n", "2: section [general] given twice");
	bad_file("[b2bua]\n", "1: unknown section [b2bua] (ccd reads only [general])");
	bad_file("[general\n", "1: section header without ']'");
	bad_file("[general]\njust words\n", "2: expected 'key = value', not 'just words'");
	bad_file("[general]\n = 5\n", "2: empty key");
	bad_file("[general]\nmax credit = 5\n", "2: invalid key 'max credit'");
	bad_file("[general]\nmax_credit_time = 5\nMAX_CREDIT_TIME = 6\n",
		 "3: key 'MAX_CREDIT_TIME' given twice (first on line 2)");
	bad_file("[general]\nbogus = 1\n", "2: unknown key 'bogus'");
	bad_file("[general]\nhelp = 1\n", "2: unknown key 'help'");
	bad_file("[general]\nconfig = /etc/x\n", "2: config cannot be set inside a config file");
	bad_file("[general]\nsip_port = 5060\n", "2: sip_port is a sigd option");
	bad_file("[general]\nsip_address = 127.0.0.1\n", "2: sip_address is a sigd option");
	bad_file("[general]\nnode-id = n1\n", "2: node-id is a sigd option");
	bad_file("[general]\nwss_socket = a:1:b:c\n", "2: --wss_socket is not supported");
	bad_file("[general]\nstatic_route =\n", "2: static_route has no value");
	bad_file("[general]\n\n# c\nmax_credit_time = 0\n", "4: invalid -m (max_credit_time) '0' (1..31536000 seconds)");
	bad_file("[general]\nstatic_tr_in = s/x\n", "2: invalid -t (static_tr_in) 's/x': rule 1: missing '/' after "
		 "the regex");
	bad_file("[general]\nprecise_acct = sometimes\n",
		 "2: invalid --precise_acct 'sometimes': not a boolean (on/off, true/false, yes/no, 1/0)");
	{
		char text[CONFIG_FILE_MAX_ENTRIES * 16 + 32];
		size_t n = (size_t)snprintf(text, sizeof(text), "[general]\n");

		for (int i = 0; i <= CONFIG_FILE_MAX_ENTRIES; i++)
			n += (size_t)snprintf(text + n, sizeof(text) - n, "k%d = 1\n", i);
		bad_file(text, "130: too many keys (at most 128)");
	}
	/* a NUL byte, reported on its line */
	{
		FILE *f;
		int fd;
		char full[300];

		strcpy(file_path, "/tmp/test_ccd_config.XXXXXX");
		fd = mkstemp(file_path);
		f = fdopen(fd, "w");
		fwrite("[general]\nbind = a\0b\n", 1, 21, f);
		fclose(f);
		snprintf(full, sizeof(full), "%s:2: NUL byte in the file", file_path);
		bad(full, "-C", file_path, NULL);
		unlink(file_path);
	}
	/* missing, not a regular file, too large */
	bad("cannot read config file '/nonexistent/ccd.ini': No such file or directory", "-C", "/nonexistent/ccd.ini",
	    NULL);
	bad("config file '/tmp' is not a regular file", "-C", "/tmp", NULL);
	memset(big, '#', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	write_file(big);
	{
		char full[300];

		snprintf(full, sizeof(full), "config file '%s' is too large (at most 65536 bytes)", file_path);
		bad(full, "-C", file_path, NULL);
	}
	unlink(file_path);
	/* an empty file and one with only comments are fine */
	write_file("");
	ok("-C", file_path, NULL);
	ccd_config_free(&cfg);
	unlink(file_path);
	/* a file error wins over the command line's errors; the command
	 * line's are seen when the file is good */
	write_file("[general]\nmax_credit_time = 10\n");
	bad("invalid -A '9': not in the range 0-2", "-C", file_path, "-A", "9", NULL);
	unlink(file_path);
}

static void test_file_parse(void **state)
{
	struct config_file cf;
	char buf[128], err2[128];

	(void)state;
	strcpy(buf, "[general]\na=1\nb : 2:3\nc= \n");
	assert_int_equal(config_file_parse(&cf, "t", buf, strlen(buf), err2, sizeof(err2)), 0);
	assert_int_equal(cf.n, 3);
	assert_string_equal(cf.e[0].key, "a");
	assert_string_equal(cf.e[0].value, "1");
	assert_int_equal(cf.e[0].line, 2);
	assert_string_equal(cf.e[1].key, "b");
	assert_string_equal(cf.e[1].value, "2:3");
	assert_string_equal(cf.e[2].value, "");
	/* the last line needs no newline; buf[len] is used */
	strcpy(buf, "[ general ]\nkey=value");
	assert_int_equal(config_file_parse(&cf, "t", buf, strlen(buf), err2, sizeof(err2)), 0);
	assert_string_equal(cf.e[0].value, "value");
	strcpy(buf, "[]");
	assert_int_equal(config_file_parse(&cf, "t", buf, strlen(buf), err2, sizeof(err2)), -1);
	assert_string_equal(err2, "t:1: unknown section [] (ccd reads only [general])");
	strcpy(buf, "[general]\nk\x01=1");
	assert_int_equal(config_file_parse(&cf, "t", buf, strlen(buf), err2, sizeof(err2)), -1);
	assert_string_equal(err2, "t:2: invalid key 'k?'");
	assert_int_equal(config_file_parse(&cf, "t", buf, strlen(buf), NULL, 0), -1);
	config_file_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_short_options),
		cmocka_unit_test(test_long_options),
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_accept_ips),
		cmocka_unit_test(test_pass_headers),
		cmocka_unit_test(test_policy_errors),
		cmocka_unit_test(test_sippy_rules),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_command_line_errors),
		cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_file_values),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_file_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
