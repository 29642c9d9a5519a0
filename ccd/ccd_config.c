#include "ccd_config.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "metrics.h"
#include "rtpp.h"

static const char usage[] =
	"usage: ccd [-f] [-L logfile] [-P pidfile] [--bind endpoint] [-u] [-s route | -n host[:port]]\n"
	"           [-c socket] [--metrics host:port] [-r rtpproxy]... [--rtpp-retry s] [--rtpp-check s]\n"
	"           [--rtpp-notify host:port]\n"
	"  -f               stay in the foreground\n"
	"  -L logfile       stdout/stderr when daemonized\n"
	"  -P pidfile       pid file\n"
	"  --bind endpoint  ZeroMQ endpoint the sigd nodes connect to (default " CCD_DEFAULT_BIND ")\n"
	"  -u               disable RADIUS authorisation (then -s is required)\n"
	"  -s route         static route, Sippy routing string: [cld@]host[:port][;param=value...]\n"
	"  -n host[:port]   same as -s (b2bua_simple's next hop)\n"
	"  -c socket        control socket: unix:path, path or tcp:host[:port] (port 12345)\n"
	"  --metrics host:port  serve Prometheus metrics on http://host:port/metrics\n"
	"  --drain seconds  on SIGTERM, refuse new calls and end the others after this\n"
	"                   long (default 30; a second SIGTERM exits at once)\n"
	"  -r rtpproxy      an RTP proxy for media relay (repeatable): udp:host[:port]\n"
	"                   (22222), udp6:, tcp:, unix:path, cunix:path, a path, or\n"
	"                   ng:host[:port] (rtpengine's ng, 2223); add ;weight=N (1-1000)\n"
	"  --rtpp-retry s   ask an offline RTP proxy again every s seconds (default 60)\n"
	"  --rtpp-check s   check an online RTP proxy every s seconds (default 10)\n"
	"  --rtpp-notify host:port  take rtpengine's media timeouts (its --b2b-url=\n"
	"                   http://host:port/ --xmlrpc-format=1) and end those calls\n"
	"Logging: SIPLOG_BEND, SIPLOG_LVL, SIPLOG_LOGFILE_FILE as in Sippy.\n";

enum { OPT_BIND = 256, OPT_METRICS, OPT_DRAIN, OPT_HELP, OPT_VERSION, OPT_RTPP_RETRY, OPT_RTPP_CHECK, OPT_RTPP_NOTIFY };

static const struct option long_options[] = {
	{ "bind", required_argument, NULL, OPT_BIND },
	{ "metrics", required_argument, NULL, OPT_METRICS },
	{ "drain", required_argument, NULL, OPT_DRAIN },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "rtpp-retry", required_argument, NULL, OPT_RTPP_RETRY },
	{ "rtpp-check", required_argument, NULL, OPT_RTPP_CHECK },
	{ "rtpp-notify", required_argument, NULL, OPT_RTPP_NOTIFY },
	{ NULL, 0, NULL, 0 },
};

/* Sippy b2bua_radius letters that later parts of ccd implement; until then
 * they are refused loudly rather than ignored. */
static const char not_yet[] = "DAamkFRhtTHCMx";

/* --rtpp-retry / --rtpp-check: 1..CCD_MAX_RTPP_S seconds. */
static int rtpp_seconds(const char *opt, const char *v, unsigned *out, char *err, size_t errsz)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);

	if (v[0] < '0' || v[0] > '9' || *end || n == 0 || n > CCD_MAX_RTPP_S) {
		snprintf(err, errsz, "invalid %s '%s' (1..%d seconds)", opt, v, CCD_MAX_RTPP_S);
		return -1;
	}
	*out = (unsigned)n;
	return 0;
}

enum ccd_config_result ccd_config_parse(struct ccd_config *cfg, int argc, char **argv,
					char *err, size_t errsz)
{
	struct control_spec spec;
	char why[160], host[256];
	uint16_t port;
	int c;

	memset(cfg, 0, sizeof(*cfg));
	cfg->bind = CCD_DEFAULT_BIND;
	cfg->drain_s = CCD_DEFAULT_DRAIN_S;
	opterr = 0;
	optind = 1;

	while ((c = getopt_long(argc, argv, ":fL:P:us:n:DA:a:m:k:r:F:R:h:c:t:T:HC:M:x:",
				long_options, NULL)) != -1) {
		switch (c) {
		case 'f':
			cfg->foreground = true;
			break;
		case 'L':
			cfg->logfile = optarg;
			break;
		case 'P':
			cfg->pidfile = optarg;
			break;
		case 'u':
			cfg->auth_disabled = true;
			break;
		case 's':
		case 'n':
			cfg->static_route = optarg;
			break;
		case OPT_BIND:
			cfg->bind = optarg;
			break;
		case 'c':
			if (control_spec_parse(optarg, &spec, why, sizeof(why)) < 0) {
				snprintf(err, errsz, "invalid control socket: %s", why);
				return CCD_CONFIG_ERROR;
			}
			cfg->control = optarg;
			break;
		case OPT_METRICS:
			if (metrics_parse_hostport(optarg, host, sizeof(host), &port, why, sizeof(why)) < 0) {
				snprintf(err, errsz, "invalid --metrics: %s", why);
				return CCD_CONFIG_ERROR;
			}
			cfg->metrics = optarg;
			break;
		case OPT_DRAIN: {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (optarg[0] < '0' || optarg[0] > '9' || *end || v > CCD_MAX_DRAIN_S) {
				snprintf(err, errsz, "invalid --drain '%s' (0..%d seconds)", optarg, CCD_MAX_DRAIN_S);
				return CCD_CONFIG_ERROR;
			}
			cfg->drain_s = (unsigned)v;
			break;
		}
		case 'r': {
			struct rtpp_spec rs;

			if (cfg->n_rtpp >= CCD_RTPP_MAX) {
				snprintf(err, errsz, "too many RTP proxies (-r): at most %d", CCD_RTPP_MAX);
				return CCD_CONFIG_ERROR;
			}
			if (rtpp_spec_parse(optarg, &rs, why, sizeof(why)) < 0) {
				snprintf(err, errsz, "invalid RTP proxy (-r): %s", why);
				return CCD_CONFIG_ERROR;
			}
			cfg->rtpp[cfg->n_rtpp++] = optarg;
			break;
		}
		case OPT_RTPP_RETRY:
			if (rtpp_seconds("--rtpp-retry", optarg, &cfg->rtpp_retry_s, err, errsz) < 0)
				return CCD_CONFIG_ERROR;
			break;
		case OPT_RTPP_CHECK:
			if (rtpp_seconds("--rtpp-check", optarg, &cfg->rtpp_check_s, err, errsz) < 0)
				return CCD_CONFIG_ERROR;
			break;
		case OPT_RTPP_NOTIFY:
			if (metrics_parse_hostport(optarg, host, sizeof(host), &port, why, sizeof(why)) < 0) {
				snprintf(err, errsz, "invalid --rtpp-notify: %s", why);
				return CCD_CONFIG_ERROR;
			}
			cfg->rtpp_notify = optarg;
			break;
		case OPT_HELP:
			fputs(usage, stdout);
			return CCD_CONFIG_EXIT_OK;
		case OPT_VERSION:
			printf("ccd " TANDEM_VERSION "\n");
			return CCD_CONFIG_EXIT_OK;
		case ':':
			snprintf(err, errsz, "option '%s' needs a value", argv[optind - 1]);
			return CCD_CONFIG_ERROR;
		default:
			if (c != '?' && strchr(not_yet, c)) {
				snprintf(err, errsz, "option -%c is not supported yet", c);
				return CCD_CONFIG_ERROR;
			}
			snprintf(err, errsz, "unknown option '%s' (see ccd --help)", argv[optind - 1]);
			return CCD_CONFIG_ERROR;
		}
	}
	if (cfg->rtpp_notify && cfg->n_rtpp == 0) {
		snprintf(err, errsz, "--rtpp-notify needs an RTP proxy (-r)");
		return CCD_CONFIG_ERROR;
	}
	if (optind < argc) {
		snprintf(err, errsz, "unexpected argument '%s' (see ccd --help)", argv[optind]);
		return CCD_CONFIG_ERROR;
	}
	if (!cfg->auth_disabled) {
		snprintf(err, errsz, "RADIUS authorisation is not available yet: run with -u -s route");
		return CCD_CONFIG_ERROR;
	}
	if (!cfg->static_route) {
		snprintf(err, errsz, "static route should be specified when Radius auth is disabled (-s)");
		return CCD_CONFIG_ERROR;
	}
	return CCD_CONFIG_OK;
}
