#include "sigd_config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpu_affinity.h"
#include "sched_rt.h"
#include "leg.h"
#include "metrics.h"
#include "overload.h"

static const char usage[] =
	"usage: sigd [-f] [-l addr] [-p port] [-L logfile] [-P pidfile]\n"
	"            [--ccd endpoint] [--node-id name] [--wss_socket host:port:cert:key]\n"
	"  -f               stay in the foreground\n"
	"  -l addr          listen address (default: all IPv4 and IPv6 addresses)\n"
	"  -p port          SIP UDP port (default 5060)\n"
	"  -L logfile       stdout/stderr when daemonized\n"
	"  -P pidfile       pid file when daemonized\n"
	"  --ccd endpoint   ZeroMQ endpoint of ccd (default " SIGD_DEFAULT_CCD ")\n"
	"  --node-id name   this node's id, unique among the nodes of one ccd\n"
	"                   (default: sigd-<hostname>-<port>)\n"
	"  --t1 ms          SIP timer T1, the round-trip estimate (default 500, RFC 3261);\n"
	"                   transaction timeouts and the 32 s linger of ended legs are 64*T1\n"
	"  --t2 ms          SIP timer T2, the cap of retransmission intervals (default 4000)\n"
	"  --drain seconds  on SIGTERM, refuse new calls and end the others after this\n"
	"                   long (default 30; a second SIGTERM exits at once)\n"
	"  --metrics host:port  serve Prometheus metrics on http://host:port/metrics\n"
	"  --cpu list       run on these CPUs only (e.g. 0 or 0-1): keeps the ZeroMQ\n"
	"                   I/O thread next to the event loop\n"
	"  --zmq-cpu list   ZeroMQ's I/O thread on these CPUs instead (e.g. ccd's)\n"
	"  --rt-prio n      run every thread under SCHED_FIFO at priority n (1..99):\n"
	"                   no waiting for busy processes' time slices (default: off)\n"
	"Overload (new INVITEs refused with 503 and Retry-After; 0 turns one off):\n"
	"  --max-queue-delay ms  when datagrams keep waiting longer than this in the\n"
	"                   receive queue (default 20)\n"
	"  --max-setups n   while n legs are in Trying, unanswered (default 20000)\n"
	"  --max-cps n      beyond n new calls per second (default: no cap)\n"
	"  --max-legs n     while the node holds n legs, ended ones lingering 64*T1\n"
	"                   included (default 250000)\n"
	"Logging: SIPLOG_BEND, SIPLOG_LVL, SIPLOG_LOGFILE_FILE as in Sippy.\n";

enum { OPT_CCD = 256, OPT_NODE_ID, OPT_WSS, OPT_T1, OPT_T2, OPT_DRAIN, OPT_METRICS, OPT_MAX_DELAY,
       OPT_MAX_SETUPS, OPT_MAX_CPS, OPT_MAX_LEGS, OPT_CPU, OPT_ZMQ_CPU, OPT_RT_PRIO, OPT_HELP, OPT_VERSION };

static const struct option long_options[] = {
	{ "ccd", required_argument, NULL, OPT_CCD },
	{ "node-id", required_argument, NULL, OPT_NODE_ID },
	{ "wss_socket", required_argument, NULL, OPT_WSS },
	{ "t1", required_argument, NULL, OPT_T1 },
	{ "t2", required_argument, NULL, OPT_T2 },
	{ "drain", required_argument, NULL, OPT_DRAIN },
	{ "metrics", required_argument, NULL, OPT_METRICS },
	{ "max-queue-delay", required_argument, NULL, OPT_MAX_DELAY },
	{ "max-setups", required_argument, NULL, OPT_MAX_SETUPS },
	{ "max-cps", required_argument, NULL, OPT_MAX_CPS },
	{ "max-legs", required_argument, NULL, OPT_MAX_LEGS },
	{ "cpu", required_argument, NULL, OPT_CPU },
	{ "zmq-cpu", required_argument, NULL, OPT_ZMQ_CPU },
	{ "rt-prio", required_argument, NULL, OPT_RT_PRIO },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static bool parse_port(const char *s, uint16_t *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 1 || v > 65535)
		return false;
	*out = (uint16_t)v;
	return true;
}

/* ZeroMQ routing ids must be non-empty, at most 255 bytes, and must not
 * start with a zero byte; we also keep them printable so logs and the
 * control socket can show them. */
static bool valid_node_id(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= SIGD_NODE_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return false;
	return true;
}

static bool parse_ms(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < (long)min || v > (long)max)
		return false;
	*out = (uint32_t)v;
	return true;
}

enum sigd_config_result sigd_config_parse(struct sigd_config *cfg, int argc, char **argv,
					  char *err, size_t errsz)
{
	const char *node_id = NULL;
	int c;

	memset(cfg, 0, sizeof(*cfg));
	cfg->port = SIGD_DEFAULT_PORT;
	cfg->ccd_endpoint = SIGD_DEFAULT_CCD;
	cfg->t1_ms = 500;
	cfg->t2_ms = 4000;
	cfg->drain_s = SIGD_DEFAULT_DRAIN_S;
	cfg->max_queue_delay_ms = OVERLOAD_DEFAULT_MAX_DELAY_MS;
	cfg->max_setups = OVERLOAD_DEFAULT_MAX_SETUPS;
	cfg->max_legs = LEGS_MAX_DEFAULT;
	opterr = 0;
	optind = 1;

	while ((c = getopt_long(argc, argv, ":fl:p:L:P:", long_options, NULL)) != -1) {
		switch (c) {
		case 'f':
			cfg->foreground = true;
			break;
		case 'l':
			/* Sippy's wildcard spellings all mean "every address". */
			if (strcmp(optarg, "*") && strcmp(optarg, "0.0.0.0") && strcmp(optarg, "::"))
				cfg->listen_addr = optarg;
			break;
		case 'p':
			if (!parse_port(optarg, &cfg->port)) {
				snprintf(err, errsz, "invalid port '%s' (-p takes 1..65535)", optarg);
				return SIGD_CONFIG_ERROR;
			}
			break;
		case 'L':
			cfg->logfile = optarg;
			break;
		case 'P':
			cfg->pidfile = optarg;
			break;
		case OPT_CCD:
			cfg->ccd_endpoint = optarg;
			break;
		case OPT_NODE_ID:
			node_id = optarg;
			break;
		case OPT_WSS:
			cfg->wss_socket = optarg;
			break;
		case OPT_T1:
			if (!parse_ms(optarg, 10, 10000, &cfg->t1_ms)) {
				snprintf(err, errsz, "invalid --t1 '%s' (10..10000 ms)", optarg);
				return SIGD_CONFIG_ERROR;
			}
			break;
		case OPT_T2:
			if (!parse_ms(optarg, 100, 64000, &cfg->t2_ms)) {
				snprintf(err, errsz, "invalid --t2 '%s' (100..64000 ms)", optarg);
				return SIGD_CONFIG_ERROR;
			}
			break;
		case OPT_DRAIN:
			if (!parse_ms(optarg, 0, SIGD_MAX_DRAIN_S, &cfg->drain_s)) {
				snprintf(err, errsz, "invalid --drain '%s' (0..%d seconds)", optarg, SIGD_MAX_DRAIN_S);
				return SIGD_CONFIG_ERROR;
			}
			break;
		case OPT_METRICS: {
			char host[256], why[160];
			uint16_t mport;

			if (metrics_parse_hostport(optarg, host, sizeof(host), &mport, why, sizeof(why)) < 0) {
				snprintf(err, errsz, "invalid --metrics: %s", why);
				return SIGD_CONFIG_ERROR;
			}
			cfg->metrics = optarg;
			break;
		}
		case OPT_MAX_DELAY:
			if (!parse_ms(optarg, 0, OVERLOAD_MAX_DELAY_MS, &cfg->max_queue_delay_ms)) {
				snprintf(err, errsz, "invalid --max-queue-delay '%s' (0..%d ms)", optarg,
					 OVERLOAD_MAX_DELAY_MS);
				return SIGD_CONFIG_ERROR;
			}
			break;
		case OPT_MAX_SETUPS:
			if (!parse_ms(optarg, 0, OVERLOAD_MAX_SETUPS, &cfg->max_setups)) {
				snprintf(err, errsz, "invalid --max-setups '%s' (0..%d legs)", optarg,
					 OVERLOAD_MAX_SETUPS);
				return SIGD_CONFIG_ERROR;
			}
			break;
		case OPT_MAX_CPS:
			if (!parse_ms(optarg, 0, OVERLOAD_MAX_CPS, &cfg->max_cps)) {
				snprintf(err, errsz, "invalid --max-cps '%s' (0..%d calls per second)", optarg,
					 OVERLOAD_MAX_CPS);
				return SIGD_CONFIG_ERROR;
			}
			break;
		case OPT_MAX_LEGS:
			if (!parse_ms(optarg, 1, SIGD_MAX_LEGS, &cfg->max_legs)) {
				snprintf(err, errsz, "invalid --max-legs '%s' (1..%d legs)", optarg, SIGD_MAX_LEGS);
				return SIGD_CONFIG_ERROR;
			}
			break;
		case OPT_CPU:
		case OPT_ZMQ_CPU: {
			char why[160];
			bool zmq = c == OPT_ZMQ_CPU;

			if (!cpu_list_parse(optarg, zmq ? &cfg->zmq_cpus : &cfg->cpus, why, sizeof(why))) {
				snprintf(err, errsz, "--%s: %s", zmq ? "zmq-cpu" : "cpu", why);
				return SIGD_CONFIG_ERROR;
			}
			*(zmq ? &cfg->zmq_cpus_set : &cfg->cpus_set) = true;
			break;
		}
		case OPT_RT_PRIO:
			if (!parse_ms(optarg, 1, RT_PRIO_MAX, &cfg->rt_prio)) {
				snprintf(err, errsz, "invalid --rt-prio '%s' (1..%d)", optarg, RT_PRIO_MAX);
				return SIGD_CONFIG_ERROR;
			}
			break;
		case OPT_HELP:
			fputs(usage, stdout);
			return SIGD_CONFIG_EXIT_OK;
		case OPT_VERSION:
			printf("sigd " TANDEM_VERSION "\n");
			return SIGD_CONFIG_EXIT_OK;
		case ':':
			snprintf(err, errsz, "option '%s' needs a value", argv[optind - 1]);
			return SIGD_CONFIG_ERROR;
		default:
			snprintf(err, errsz, "unknown option '%s' (see sigd --help)", argv[optind - 1]);
			return SIGD_CONFIG_ERROR;
		}
	}
	if (optind < argc) {
		snprintf(err, errsz, "unexpected argument '%s' (see sigd --help)", argv[optind]);
		return SIGD_CONFIG_ERROR;
	}
	if (cfg->t2_ms < cfg->t1_ms) {
		snprintf(err, errsz, "--t2 (%u ms) must not be smaller than --t1 (%u ms)", cfg->t2_ms, cfg->t1_ms);
		return SIGD_CONFIG_ERROR;
	}
	if (cfg->wss_socket) {
		snprintf(err, errsz, "--wss_socket is not supported yet");
		return SIGD_CONFIG_ERROR;
	}
	if (node_id) {
		if (!valid_node_id(node_id)) {
			snprintf(err, errsz, "invalid --node-id '%s' (1..%d printable characters, no spaces)",
				 node_id, SIGD_NODE_ID_MAX - 1);
			return SIGD_CONFIG_ERROR;
		}
		strcpy(cfg->node_id, node_id);
	} else {
		char host[40] = "localhost";

		gethostname(host, sizeof(host) - 1);
		host[sizeof(host) - 1] = '\0';
		snprintf(cfg->node_id, sizeof(cfg->node_id), "sigd-%s-%u", host, cfg->port);
	}
	return SIGD_CONFIG_OK;
}
