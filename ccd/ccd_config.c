#include "ccd_config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
	"usage: ccd [-f] [-L logfile] [-P pidfile] [--bind endpoint] [-u] [-s route | -n host[:port]]\n"
	"  -f               stay in the foreground\n"
	"  -L logfile       stdout/stderr when daemonized\n"
	"  -P pidfile       pid file\n"
	"  --bind endpoint  ZeroMQ endpoint the sigd nodes connect to (default " CCD_DEFAULT_BIND ")\n"
	"  -u               disable RADIUS authorisation (then -s is required)\n"
	"  -s route         static route, Sippy routing string: [cld@]host[:port][;param=value...]\n"
	"  -n host[:port]   same as -s (b2bua_simple's next hop)\n"
	"Logging: SIPLOG_BEND, SIPLOG_LVL, SIPLOG_LOGFILE_FILE as in Sippy.\n";

enum { OPT_BIND = 256, OPT_HELP, OPT_VERSION };

static const struct option long_options[] = {
	{ "bind", required_argument, NULL, OPT_BIND },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* Sippy b2bua_radius letters that later parts of ccd implement; until then
 * they are refused loudly rather than ignored. */
static const char not_yet[] = "DAamkrFRhctTHCMx";

enum ccd_config_result ccd_config_parse(struct ccd_config *cfg, int argc, char **argv,
					char *err, size_t errsz)
{
	int c;

	memset(cfg, 0, sizeof(*cfg));
	cfg->bind = CCD_DEFAULT_BIND;
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
