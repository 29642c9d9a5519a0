/*
 * ccd_config.c - ccd's command line and -C file (see ccd_config.h).
 *
 * Every option has Sippy's letter and/or long name (MyConfigParser.py
 * SUPPORTED_OPTIONS, `--max_credit_time=60`), and the long names are the
 * keys of the -C file. Both go through one function, apply(), so a value
 * is checked the same way wherever it comes from. The file is applied
 * first and the command line second, so the command line wins whatever
 * the order (for lists: a list given on the command line replaces the
 * file's). Everything is checked and compiled here, at start-up: a bad
 * rule or address is an error now, not a failed call later.
 */
#include "ccd_config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cld_rewrite.h"
#include "config_file.h"
#include "control.h"
#include "cpu_affinity.h"
#include "metrics.h"
#include "rtpp.h"
#include "sched_rt.h"
#include "sip_char.h"
#include "transform.h"

static const char usage[] =
	"usage: ccd [options]   (Sippy b2bua_radius options; long forms --name=value)\n"
	"  -f, --foreground[=on|off]   stay in the foreground\n"
	"  -L, --logfile=path          stdout/stderr when daemonized\n"
	"  -P, --pidfile=path          pid file\n"
	"  -C, --config=file           INI file: section [general], long option names as\n"
	"                              keys; the command line overrides it\n"
	"  --bind endpoint             ZeroMQ endpoint the sigd nodes connect to\n"
	"                              (default " CCD_DEFAULT_BIND ")\n"
	"  -c, --b2bua_socket=socket   control socket: unix:path, path or tcp:host[:port]\n"
	"  --metrics host:port         serve Prometheus metrics on http://host:port/metrics\n"
	"  --cpu list                  run on these CPUs only (e.g. 1 or 2-3): keeps the\n"
	"                              ZeroMQ I/O thread next to the event loop\n"
	"  --zmq-cpu list              ZeroMQ's I/O thread on these CPUs instead\n"
	"  --rt-prio n                 run every thread under SCHED_FIFO at priority n\n"
	"                              (1..99): no waiting for busy processes' time slices\n"
	"  --drain seconds             on SIGTERM, refuse new calls and end the others after\n"
	"                              this long (default 30; a second SIGTERM exits at once)\n"
	"Routing and authorisation:\n"
	"  -s, --static_route=route    static route, Sippy routing string:\n"
	"                              [cld@]host[:port][;param=value...]; -n is the same\n"
	"  -u, --auth_enable=off       no RADIUS authorisation (then -s is required)\n"
	"  -R, --radiusclient.conf=f   radcli configuration (default: radcli's own)\n"
	"  -M, --max_radiusclients=n   RADIUS worker threads (default 20, at most 256)\n"
	"  -D, --digest_auth=off       never challenge callers with 401\n"
	"  --digest_auth_only[=on]     challenge INVITEs without credentials at once\n"
	"  -a, --accept_ips=ip,...     accept calls only from these numeric addresses\n"
	"  -x, --pre_auth_proc=proc    Nop[...] or HDR2Xattrs[Header]: header pairs into\n"
	"                              the RADIUS auth request\n"
	"  -t, --static_tr_in=rules    rewrite the ingress number: s/regex/repl/[g];...\n"
	"  -T, --static_tr_out=rules   rewrite each route's number (PCRE2, \\1 \\g<n>)\n"
	"Accounting:\n"
	"  -A 0|1|2                    none, Stop only (default), Start and Stop;\n"
	"                              also --acct_enable=on|off --start_acct_enable=on|off\n"
	"  --alive_acct_int=s          Alive records every s seconds (0 = none)\n"
	"  --precise_acct[=on]         milliseconds in the h323 times\n"
	"  --acct-spool path           undelivered records (default " CCD_DEFAULT_ACCT_SPOOL ")\n"
	"Calls:\n"
	"  -m, --max_credit_time=s     longest call, seconds (> 0)\n"
	"  -k 0|1|2|3                  keep-alives every 32 s: none, answer leg, originate\n"
	"                              leg, both; also --keepalive_ans=s --keepalive_orig=s\n"
	"  -F, --allowed_pts=list      payload types to keep: 0,8,[telephone-event/8000]\n"
	"  -h, --pass_headers=list     header names copied to the egress INVITE\n"
	"  -H, --hide_call_id[=on]     egress Call-ID = md5(ingress Call-ID)-b2b_N\n"
	"RTP proxies:\n"
	"  -r, --rtp_proxy_client=p    an RTP proxy (repeatable; --rtp_proxy_clients=a,b):\n"
	"                              udp:host[:port] (22222), udp6:, tcp:, unix:path,\n"
	"                              cunix:path, a path, or ng:host[:port] (rtpengine's\n"
	"                              ng, 2223); add ;weight=N (1-1000)\n"
	"  --rtpp-retry s              ask an offline RTP proxy again every s seconds (60)\n"
	"  --rtpp-check s              check an online RTP proxy every s seconds (10)\n"
	"  --rtpp-notify host:port     take rtpengine's media timeouts (its --b2b-url=\n"
	"                              http://host:port/ --xmlrpc-format=1)\n"
	"Booleans take on/off, true/false, yes/no, 1/0. Logging: SIPLOG_BEND, SIPLOG_LVL,\n"
	"SIPLOG_LOGFILE_FILE as in Sippy.\n";

enum {
	OPT_BIND = 256, OPT_METRICS, OPT_DRAIN, OPT_HELP, OPT_VERSION, OPT_RTPP_RETRY, OPT_RTPP_CHECK,
	OPT_RTPP_NOTIFY, OPT_ACCT_SPOOL, OPT_FOREGROUND, OPT_RTPP_CLIENTS, OPT_AUTH_ENABLE, OPT_DIGEST_AUTH,
	OPT_DIGEST_ONLY, OPT_ACCT_ENABLE, OPT_START_ACCT, OPT_ALIVE_ACCT, OPT_PRECISE_ACCT, OPT_KA_ANS,
	OPT_KA_ORIG, OPT_PASS_HEADERS, OPT_HIDE_CALL_ID, OPT_SIGD, OPT_UNSUPPORTED, OPT_CPU,
	OPT_ZMQ_CPU, OPT_RT_PRIO,
};

static const char short_options[] = ":fL:P:us:n:DA:a:m:k:r:F:R:h:c:t:T:HC:M:x:d:W:l:p:";

static const struct option long_options[] = {
	{ "bind", required_argument, NULL, OPT_BIND },
	{ "metrics", required_argument, NULL, OPT_METRICS },
	{ "cpu", required_argument, NULL, OPT_CPU },
	{ "zmq-cpu", required_argument, NULL, OPT_ZMQ_CPU },
	{ "rt-prio", required_argument, NULL, OPT_RT_PRIO },
	{ "drain", required_argument, NULL, OPT_DRAIN },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "rtpp-retry", required_argument, NULL, OPT_RTPP_RETRY },
	{ "rtpp-check", required_argument, NULL, OPT_RTPP_CHECK },
	{ "rtpp-notify", required_argument, NULL, OPT_RTPP_NOTIFY },
	{ "acct-spool", required_argument, NULL, OPT_ACCT_SPOOL },
	/* Sippy's names; a letter as value means "same as that letter". */
	{ "foreground", optional_argument, NULL, OPT_FOREGROUND },
	{ "logfile", required_argument, NULL, 'L' },
	{ "pidfile", required_argument, NULL, 'P' },
	{ "config", required_argument, NULL, 'C' },
	{ "b2bua_socket", required_argument, NULL, 'c' },
	{ "static_route", required_argument, NULL, 's' },
	{ "auth_enable", optional_argument, NULL, OPT_AUTH_ENABLE },
	{ "radiusclient.conf", required_argument, NULL, 'R' },
	{ "max_radiusclients", required_argument, NULL, 'M' },
	{ "digest_auth", optional_argument, NULL, OPT_DIGEST_AUTH },
	{ "digest_auth_only", optional_argument, NULL, OPT_DIGEST_ONLY },
	{ "accept_ips", required_argument, NULL, 'a' },
	{ "pre_auth_proc", required_argument, NULL, 'x' },
	{ "static_tr_in", required_argument, NULL, 't' },
	{ "static_tr_out", required_argument, NULL, 'T' },
	{ "acct_enable", optional_argument, NULL, OPT_ACCT_ENABLE },
	{ "start_acct_enable", optional_argument, NULL, OPT_START_ACCT },
	{ "alive_acct_int", required_argument, NULL, OPT_ALIVE_ACCT },
	{ "precise_acct", optional_argument, NULL, OPT_PRECISE_ACCT },
	{ "max_credit_time", required_argument, NULL, 'm' },
	{ "keepalive_ans", required_argument, NULL, OPT_KA_ANS },
	{ "keepalive_orig", required_argument, NULL, OPT_KA_ORIG },
	{ "allowed_pts", required_argument, NULL, 'F' },
	{ "pass_headers", required_argument, NULL, OPT_PASS_HEADERS },
	{ "pass_header", required_argument, NULL, 'h' },	/* Sippy's compat name: appends */
	{ "hide_call_id", optional_argument, NULL, OPT_HIDE_CALL_ID },
	{ "rtp_proxy_clients", required_argument, NULL, OPT_RTPP_CLIENTS },
	{ "rtp_proxy_client", required_argument, NULL, 'r' },	/* compat: appends */
	/* sigd's (-l, -p) and Sippy features tandem does not have. */
	{ "sip_address", required_argument, NULL, 'l' },
	{ "sip_port", required_argument, NULL, 'p' },
	{ "node-id", required_argument, NULL, OPT_SIGD },
	{ "ccd", required_argument, NULL, OPT_SIGD },
	{ "t1", required_argument, NULL, OPT_SIGD },
	{ "t2", required_argument, NULL, OPT_SIGD },
	{ "sip_proxy", optional_argument, NULL, OPT_UNSUPPORTED },
	{ "nat_traversal", optional_argument, NULL, OPT_UNSUPPORTED },
	{ "wss_socket", optional_argument, NULL, OPT_UNSUPPORTED },
	{ "xmpp_b2bua_id", optional_argument, NULL, OPT_UNSUPPORTED },
	{ "ui", optional_argument, NULL, OPT_UNSUPPORTED },
	{ "uiparams", optional_argument, NULL, OPT_UNSUPPORTED },
	{ "siprec_target", optional_argument, NULL, OPT_UNSUPPORTED },
	{ NULL, 0, NULL, 0 },
};

/* Header fields the B2BUA writes itself (or relays by the route's auth
 * mode): copying the caller's would corrupt the egress INVITE. */
static const char *const own_headers[] = {
	"Via", "v", "From", "f", "To", "t", "Call-ID", "i", "CSeq", "Contact", "m", "Max-Forwards",
	"Content-Length", "l", "Content-Type", "c", "Content-Encoding", "e", "Route", "Record-Route",
	"Authorization", "Proxy-Authorization", NULL,
};

enum phase { PHASE_FILE, PHASE_ARGV };

struct parse {
	struct ccd_config *cfg;
	enum phase phase;
	int rtpp_phase, hdr_phase;	/* who filled the list; -1: nobody */
	bool acct_enable, start_acct;
	char msg[320];		/* apply()'s error, before the file:line prefix */
	char q[80];		/* quote() */
};

static int failf(struct parse *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int failf(struct parse *ps, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ps->msg, sizeof(ps->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* A value for an error message: printable (the message is one line) and
 * at most 64 bytes. One at a time (ps->q). */
static const char *quote(struct parse *ps, const char *v)
{
	size_t n = 0, i = 0;

	for (; v[i] && n < 64; i++) {
		unsigned char c = (unsigned char)v[i];
		ps->q[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (v[i]) {
		memcpy(ps->q + n, "...", 3);
		n += 3;
	}
	ps->q[n] = '\0';
	return ps->q;
}

/* "-m (max_credit_time)", "-f", "--keepalive_ans": how errors name an option. */
static const char *label(int id, char *buf, size_t sz)
{
	const char *name = NULL;

	for (const struct option *o = long_options; o->name; o++)
		if (o->val == id) {
			name = o->name;
			break;
		}
	if (id < 256 && name)
		snprintf(buf, sz, "-%c (%s)", id, name);
	else if (id < 256)
		snprintf(buf, sz, "-%c", id);
	else
		snprintf(buf, sz, "--%s", name ? name : "?");
	return buf;
}

/* Sippy's booleans (configparser's BOOLEAN_STATES); a bare --flag is on. */
static int parse_bool(struct parse *ps, const char *opt, const char *v, bool *out)
{
	static const char *const on[] = { "on", "true", "yes", "1" }, *const off[] = { "off", "false", "no", "0" };

	if (!v) {
		*out = true;
		return 0;
	}
	for (int i = 0; i < 4; i++) {
		if (strcasecmp(v, on[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(v, off[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return failf(ps, "invalid %s '%s': not a boolean (on/off, true/false, yes/no, 1/0)", opt, quote(ps, v));
}

static bool parse_ulong(const char *v, unsigned long min, unsigned long max, unsigned *out)
{
	unsigned long n = 0;

	if (!*v)
		return false;
	for (const char *c = v; *c; c++) {
		if (*c < '0' || *c > '9' || n > max)
			return false;
		n = n * 10 + (unsigned long)(*c - '0');
	}
	if (n < min || n > max)
		return false;
	*out = (unsigned)n;
	return true;
}

static int parse_seconds(struct parse *ps, const char *opt, const char *v, unsigned min, unsigned max,
			 unsigned *out)
{
	if (!parse_ulong(v, min, max, out))
		return failf(ps, "invalid %s '%s' (%u..%u seconds)", opt, quote(ps, v), min, max);
	return 0;
}

/* Splits a comma list: each trimmed element is passed to fn. */
static int each_item(struct parse *ps, const char *opt, const char *v,
		     int (*fn)(struct parse *ps, const char *opt, struct pl item))
{
	struct pl rest = pl_from_str(v);

	for (;;) {
		const char *comma = pl_chr(rest, ',');
		struct pl item = pl_trim(comma ? pl_until(rest, comma) : rest);

		if (item.l == 0)
			return failf(ps, "invalid %s '%s': empty list element", opt, quote(ps, v));
		if (fn(ps, opt, item) < 0)
			return -1;
		if (!comma)
			return 0;
		rest = pl_after(rest, comma + 1);
	}
}

/* ---------------------------------------------------------------- -r */

static void rtpp_clear(struct ccd_config *cfg)
{
	for (unsigned i = 0; i < CCD_RTPP_MAX; i++) {
		free(cfg->rtpp_owned[i]);
		cfg->rtpp_owned[i] = NULL;
		cfg->rtpp[i] = NULL;
	}
	cfg->n_rtpp = 0;
}

/* The first -r of the command line replaces the file's proxies. */
static void rtpp_start(struct parse *ps, bool replace)
{
	if (replace || ps->rtpp_phase != (int)ps->phase)
		rtpp_clear(ps->cfg);
	ps->rtpp_phase = (int)ps->phase;
}

static int rtpp_add(struct parse *ps, const char *spec, char *owned)
{
	struct ccd_config *cfg = ps->cfg;
	struct rtpp_spec rs;
	char why[160];

	if (cfg->n_rtpp >= CCD_RTPP_MAX) {
		free(owned);
		return failf(ps, "too many RTP proxies (-r): at most %d", CCD_RTPP_MAX);
	}
	if (rtpp_spec_parse(spec, &rs, why, sizeof(why)) < 0) {
		free(owned);
		return failf(ps, "invalid RTP proxy (-r): %s", why);
	}
	cfg->rtpp_owned[cfg->n_rtpp] = owned;
	cfg->rtpp[cfg->n_rtpp++] = spec;
	return 0;
}

static int rtpp_item(struct parse *ps, const char *opt, struct pl item)
{
	char *s = strndup(item.p, item.l);

	(void)opt;
	if (!s)
		return failf(ps, "out of memory");
	return rtpp_add(ps, s, s);
}

/* ---------------------------------------------------------------- -a */

static int ip_item(struct parse *ps, const char *opt, struct pl item)
{
	struct ccd_config *cfg = ps->cfg;
	char buf[80];

	pl_strcpy(item, buf, sizeof(buf));
	if (pl_eq_str(item, "[[WSS]]") || pl_eq_str(item, "[[PROXY]]"))
		return failf(ps, "%s: %s is not supported (tandem has no WSS transport or sip_proxy)", opt,
			     quote(ps, buf));
	if (cfg->n_accept_ips >= CCD_ACCEPT_IPS_MAX)
		return failf(ps, "%s: too many addresses (at most %d)", opt, CCD_ACCEPT_IPS_MAX);
	if (!netaddr_from_host(&cfg->accept_ips[cfg->n_accept_ips], item, 0))
		return failf(ps, "%s: invalid address '%s' (numeric IPv4 or IPv6 only)", opt, quote(ps, buf));
	cfg->n_accept_ips++;
	return 0;
}

/* ---------------------------------------------------------------- -h */

static int header_item(struct parse *ps, const char *opt, struct pl item)
{
	struct ccd_config *cfg = ps->cfg;
	char buf[CCD_HEADER_NAME_MAX + 8];

	pl_strcpy(item, buf, sizeof(buf));
	if (item.l > CCD_HEADER_NAME_MAX)
		return failf(ps, "%s: header name '%s' is too long (at most %d)", opt, quote(ps, buf),
			     CCD_HEADER_NAME_MAX);
	if (!sip_all(item, SIP_C_TOKEN))
		return failf(ps, "%s: '%s' is not a header name", opt, quote(ps, buf));
	for (const char *const *h = own_headers; *h; h++)
		if (pl_caseeq_str(item, *h))
			return failf(ps, "%s: %s is written by the B2BUA itself and cannot be passed", opt, buf);
	for (unsigned i = 0; i < cfg->n_pass_headers; i++)
		if (pl_caseeq_str(item, cfg->pass_headers[i]))
			return 0;	/* Sippy would copy it twice */
	if (cfg->n_pass_headers >= CCD_PASS_HEADERS_MAX)
		return failf(ps, "%s: too many headers (at most %d)", opt, CCD_PASS_HEADERS_MAX);
	pl_strcpy(item, cfg->pass_headers[cfg->n_pass_headers++], CCD_HEADER_NAME_MAX + 1);
	return 0;
}

/* ---------------------------------------------------------------- all options */

static int apply_rules(struct parse *ps, const char *opt, const char *v, struct cld_rules **slot)
{
	char why[200];
	struct cld_rules *r = cld_rules_compile(v, why, sizeof(why));

	if (!r)
		return failf(ps, "invalid %s '%s': %s", opt, quote(ps, v), why);
	cld_rules_free(*slot);
	*slot = r;
	return 0;
}

static int apply_pre_auth(struct parse *ps, const char *opt, const char *v)
{
	struct ccd_config *cfg = ps->cfg;
	struct transform t;
	char why[160];

	if (transform_parse_spec(&t, pl_from_str(v), true, why, sizeof(why)) < 0)
		return failf(ps, "invalid %s: %s", opt, why);
	cfg->pre_auth_proc = t.kind;
	cfg->pre_auth_header[0] = '\0';
	if (t.kind == TRANSFORM_HDR2XATTRS)
		pl_strcpy(t.header, cfg->pre_auth_header, sizeof(cfg->pre_auth_header));
	return 0;
}

static int apply_lists(struct parse *ps, int id, const char *opt, const char *v)
{
	struct ccd_config *cfg = ps->cfg;

	switch (id) {
	case 'r':
		rtpp_start(ps, false);
		return rtpp_add(ps, v, NULL);
	case OPT_RTPP_CLIENTS:
		rtpp_start(ps, true);
		return each_item(ps, opt, v, rtpp_item);
	case 'a':	/* Sippy: a new list replaces the old one */
		cfg->n_accept_ips = 0;
		return each_item(ps, opt, v, ip_item);
	case 'h':	/* -h and compat pass_header append; pass_headers replaces */
	case OPT_PASS_HEADERS:
		if (id == OPT_PASS_HEADERS || ps->hdr_phase != (int)ps->phase)
			cfg->n_pass_headers = 0;
		ps->hdr_phase = (int)ps->phase;
		return each_item(ps, opt, v, header_item);
	case 'F': {
		struct sdp_error serr = { 0 };
		char why[160];

		if (sdp_pt_filter_parse(v, &cfg->allowed_pts, &serr) < 0) {
			sdp_error_str(&serr, why, sizeof(why));
			return failf(ps, "invalid %s '%s': %s", opt, quote(ps, v), why);
		}
		cfg->allowed_pts_set = true;
		return 0;
	}
	}
	return failf(ps, "internal error: option %d", id);
}

/* The existing non-Sippy options (--bind, --metrics, -c, --drain, --rtpp-*). */
static int apply_ops(struct parse *ps, int id, const char *opt, const char *v)
{
	struct ccd_config *cfg = ps->cfg;
	struct control_spec spec;
	char why[160], host[256];
	uint16_t port;

	switch (id) {
	case OPT_BIND:
		cfg->bind = v;
		return 0;
	case 'c':
		if (control_spec_parse(v, &spec, why, sizeof(why)) < 0)
			return failf(ps, "invalid control socket: %s", why);
		cfg->control = v;
		return 0;
	case OPT_METRICS:
	case OPT_RTPP_NOTIFY:
		if (metrics_parse_hostport(v, host, sizeof(host), &port, why, sizeof(why)) < 0)
			return failf(ps, "invalid %s: %s", opt, why);
		if (id == OPT_METRICS)
			cfg->metrics = v;
		else
			cfg->rtpp_notify = v;
		return 0;
	case OPT_CPU:
		if (!cpu_list_parse(v, &cfg->cpus, why, sizeof(why)))
			return failf(ps, "%s: %s", opt, why);
		cfg->cpus_set = true;
		return 0;
	case OPT_ZMQ_CPU:
		if (!cpu_list_parse(v, &cfg->zmq_cpus, why, sizeof(why)))
			return failf(ps, "%s: %s", opt, why);
		cfg->zmq_cpus_set = true;
		return 0;
	case OPT_RT_PRIO:
		if (!parse_ulong(v, 1, RT_PRIO_MAX, &cfg->rt_prio))
			return failf(ps, "invalid %s '%s' (1..%d)", opt, quote(ps, v), RT_PRIO_MAX);
		return 0;
	case OPT_DRAIN:
		if (!parse_ulong(v, 0, CCD_MAX_DRAIN_S, &cfg->drain_s))
			return failf(ps, "invalid %s '%s' (0..%d seconds)", opt, quote(ps, v), CCD_MAX_DRAIN_S);
		return 0;
	case OPT_RTPP_RETRY:
		return parse_seconds(ps, opt, v, 1, CCD_MAX_RTPP_S, &cfg->rtpp_retry_s);
	case OPT_RTPP_CHECK:
		return parse_seconds(ps, opt, v, 1, CCD_MAX_RTPP_S, &cfg->rtpp_check_s);
	}
	return failf(ps, "internal error: option %d", id);
}

/*
 * One option, from argv or the file. name is the long name when it was
 * given by one (it tells unsupported options apart). Returns 0, 1 for
 * --help / --version (done), or -1 with ps->msg set.
 */
static int apply(struct parse *ps, int id, const char *name, const char *v)
{
	struct ccd_config *cfg = ps->cfg;
	char opt[64];
	unsigned n;

	label(id, opt, sizeof(opt));
	switch (id) {
	case 'f':
		cfg->foreground = true;
		return 0;
	case OPT_FOREGROUND:
		return parse_bool(ps, opt, v, &cfg->foreground);
	case 'L':
		cfg->logfile = v;
		return 0;
	case 'P':
		cfg->pidfile = v;
		return 0;
	case 's':
	case 'n':
		cfg->static_route = v;
		return 0;
	case 'u':
		cfg->auth_disabled = true;
		return 0;
	case OPT_AUTH_ENABLE: {
		bool on;

		if (parse_bool(ps, opt, v, &on) < 0)
			return -1;
		cfg->auth_disabled = !on;
		return 0;
	}
	case 'R':
	case OPT_ACCT_SPOOL:
		if (!*v)
			return failf(ps, "invalid %s: empty path", opt);
		*(id == 'R' ? &cfg->radius_conf : &cfg->acct_spool) = v;
		return 0;
	case 'M':
		if (!parse_ulong(v, 1, CCD_MAX_RADIUS_WORKERS, &cfg->radius_workers))
			return failf(ps, "invalid %s '%s' (1..%d)", opt, quote(ps, v), CCD_MAX_RADIUS_WORKERS);
		return 0;
	case 'D':
		cfg->digest_disabled = true;
		return 0;
	case OPT_DIGEST_AUTH: {
		bool on;

		if (parse_bool(ps, opt, v, &on) < 0)
			return -1;
		cfg->digest_disabled = !on;
		return 0;
	}
	case OPT_DIGEST_ONLY:
		return parse_bool(ps, opt, v, &cfg->digest_auth_only);
	case 'A':
		if (!parse_ulong(v, 0, 2, &n))
			return failf(ps, "invalid -A '%s': not in the range 0-2", quote(ps, v));
		ps->acct_enable = n > 0;
		ps->start_acct = n == 2;
		return 0;
	case OPT_ACCT_ENABLE:
		return parse_bool(ps, opt, v, &ps->acct_enable);
	case OPT_START_ACCT:
		return parse_bool(ps, opt, v, &ps->start_acct);
	case OPT_ALIVE_ACCT:
		return parse_seconds(ps, opt, v, 0, CCD_MAX_PERIOD_S, &cfg->alive_acct_s);
	case OPT_PRECISE_ACCT:
		return parse_bool(ps, opt, v, &cfg->precise_acct);
	case 't':
		return apply_rules(ps, opt, v, &cfg->tr_in);
	case 'T':
		return apply_rules(ps, opt, v, &cfg->tr_out);
	case 'k':
		if (!parse_ulong(v, 0, 3, &n))
			return failf(ps, "invalid -k '%s': not in the range 0-3", quote(ps, v));
		/* Sippy: 0 leaves both as they are; 1/2/3 set 32 s. */
		if (n & 1)
			cfg->keepalive_ans_s = CCD_KEEPALIVE_S;
		if (n & 2)
			cfg->keepalive_orig_s = CCD_KEEPALIVE_S;
		return 0;
	case OPT_KA_ANS:
		return parse_seconds(ps, opt, v, 0, CCD_MAX_PERIOD_S, &cfg->keepalive_ans_s);
	case OPT_KA_ORIG:
		return parse_seconds(ps, opt, v, 0, CCD_MAX_PERIOD_S, &cfg->keepalive_orig_s);
	case 'm':
		return parse_seconds(ps, opt, v, 1, CCD_MAX_CREDIT_S, &cfg->max_credit_time_s);
	case 'x':
		return apply_pre_auth(ps, opt, v);
	case 'H':
		cfg->hide_call_id = true;
		return 0;
	case OPT_HIDE_CALL_ID:
		return parse_bool(ps, opt, v, &cfg->hide_call_id);
	case 'r':
	case OPT_RTPP_CLIENTS:
	case 'a':
	case 'h':
	case OPT_PASS_HEADERS:
	case 'F':
		return apply_lists(ps, id, opt, v);
	case OPT_BIND:
	case 'c':
	case OPT_METRICS:
	case OPT_RTPP_NOTIFY:
	case OPT_CPU:
	case OPT_ZMQ_CPU:
	case OPT_RT_PRIO:
	case OPT_DRAIN:
	case OPT_RTPP_RETRY:
	case OPT_RTPP_CHECK:
		return apply_ops(ps, id, opt, v);
	case 'd':	/* Sippy accepts and ignores it */
		return 0;
	case 'l':
	case 'p':
	case OPT_SIGD:
		return failf(ps, "%s is a sigd option", name ? name : opt);
	case 'W':
		return failf(ps, "-W (write the configuration) is not supported");
	case OPT_UNSUPPORTED:
		return failf(ps, "--%s is not supported", name ? name : "?");
	case OPT_HELP:
		fputs(usage, stdout);
		return 1;
	case OPT_VERSION:
		printf("ccd " TANDEM_VERSION "\n");
		return 1;
	}
	return failf(ps, "internal error: option %d", id);
}

/* ---------------------------------------------------------------- -C */

/*
 * Finds -C / --config in argv without acting on anything else, so the
 * file can be applied before the rest of the command line. --help and
 * --version skip the file. Returns 0 or -1 (-C given twice).
 */
static int find_config(struct parse *ps, int argc, char **argv, const char **path)
{
	bool info = false;
	int c, count = 0;

	*path = NULL;
	optind = 0;
	while ((c = getopt_long(argc, argv, short_options, long_options, NULL)) != -1) {
		if (c == 'C') {
			*path = optarg;
			count++;
		} else if (c == OPT_HELP || c == OPT_VERSION) {
			info = true;
		}
	}
	if (count > 1)
		return failf(ps, "-C (config) given more than once");
	if (info)
		*path = NULL;
	return 0;
}

static int apply_file(struct parse *ps, const char *path, char *err, size_t errsz)
{
	struct config_file *cf = config_file_load(path, err, errsz);

	if (!cf)
		return -1;
	ps->cfg->config_file = cf;
	ps->phase = PHASE_FILE;
	for (unsigned i = 0; i < cf->n; i++) {
		const struct config_entry *e = &cf->e[i];
		const struct option *o = long_options;
		int r = 0;

		while (o->name && strcasecmp(o->name, e->key) != 0)
			o++;
		if (!o->name || o->val == OPT_HELP || o->val == OPT_VERSION)
			r = failf(ps, "unknown key '%s'", quote(ps, e->key));
		else if (o->val == 'C')
			r = failf(ps, "config cannot be set inside a config file");
		else if (!*e->value)
			r = failf(ps, "%s has no value", o->name);
		else
			r = apply(ps, o->val, o->name, e->value);
		if (r != 0) {
			snprintf(err, errsz, "%s:%u: %s", path, e->line, ps->msg);
			return -1;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- checks */

static int check(struct parse *ps)
{
	struct ccd_config *cfg = ps->cfg;

	cfg->acct_level = ps->acct_enable ? (ps->start_acct ? 2 : 1) : 0;
	if (cfg->rtpp_notify && cfg->n_rtpp == 0)
		return failf(ps, "--rtpp-notify needs an RTP proxy (-r)");
	if (cfg->auth_disabled && !cfg->static_route)
		return failf(ps, "static route should be specified when Radius auth is disabled (-s)");
	if (cfg->digest_auth_only && cfg->digest_disabled)
		return failf(ps, "--digest_auth_only needs digest authentication (drop -D / digest_auth=off)");
	if (cfg->digest_auth_only && cfg->auth_disabled)
		return failf(ps, "--digest_auth_only needs RADIUS authorisation (drop -u / auth_enable=off)");
	return 0;
}

static enum ccd_config_result parse_argv(struct parse *ps, int argc, char **argv, char *err, size_t errsz)
{
	int c, idx, r;

	ps->phase = PHASE_ARGV;
	opterr = 0;
	optind = 0;
	for (;;) {
		idx = -1;
		c = getopt_long(argc, argv, short_options, long_options, &idx);
		if (c == -1)
			break;
		if (c == ':') {
			if (optopt > 0 && optopt < 256 && strncmp(argv[optind - 1], "--", 2) != 0)
				snprintf(err, errsz, "option '-%c' needs a value", optopt);
			else
				snprintf(err, errsz, "option '%s' needs a value", argv[optind - 1]);
			return CCD_CONFIG_ERROR;
		}
		if (c == '?') {
			if (optopt > 0 && optopt < 256)
				snprintf(err, errsz, "unknown option '-%c' (see ccd --help)", optopt);
			else
				snprintf(err, errsz, "unknown option '%s' (see ccd --help)", argv[optind - 1]);
			return CCD_CONFIG_ERROR;
		}
		if (c == 'C')
			continue;	/* applied first, by find_config() */
		r = apply(ps, c, idx >= 0 ? long_options[idx].name : NULL, optarg);
		if (r == 1)
			return CCD_CONFIG_EXIT_OK;
		if (r < 0) {
			snprintf(err, errsz, "%s", ps->msg);
			return CCD_CONFIG_ERROR;
		}
	}
	if (check(ps) < 0) {
		snprintf(err, errsz, "%s", ps->msg);
		return CCD_CONFIG_ERROR;
	}
	if (optind < argc) {
		snprintf(err, errsz, "unexpected argument '%s' (see ccd --help)", argv[optind]);
		return CCD_CONFIG_ERROR;
	}
	return CCD_CONFIG_OK;
}

enum ccd_config_result ccd_config_parse(struct ccd_config *cfg, int argc, char **argv,
					char *err, size_t errsz)
{
	struct parse ps = { .cfg = cfg, .rtpp_phase = -1, .hdr_phase = -1, .acct_enable = true };
	enum ccd_config_result res;
	const char *path;

	memset(cfg, 0, sizeof(*cfg));
	cfg->bind = CCD_DEFAULT_BIND;
	cfg->drain_s = CCD_DEFAULT_DRAIN_S;
	cfg->radius_workers = CCD_DEFAULT_RADIUS_WORKERS;
	cfg->acct_spool = CCD_DEFAULT_ACCT_SPOOL;
	cfg->acct_level = 1;
	opterr = 0;
	if (find_config(&ps, argc, argv, &path) < 0) {
		snprintf(err, errsz, "%s", ps.msg);
		return CCD_CONFIG_ERROR;
	}
	if (path && apply_file(&ps, path, err, errsz) < 0) {
		ccd_config_free(cfg);
		return CCD_CONFIG_ERROR;
	}
	res = parse_argv(&ps, argc, argv, err, errsz);
	if (res != CCD_CONFIG_OK)
		ccd_config_free(cfg);
	return res;
}

void ccd_config_free(struct ccd_config *cfg)
{
	cld_rules_free(cfg->tr_in);
	cld_rules_free(cfg->tr_out);
	cfg->tr_in = cfg->tr_out = NULL;
	rtpp_clear(cfg);
	config_file_free(cfg->config_file);
	cfg->config_file = NULL;
}
