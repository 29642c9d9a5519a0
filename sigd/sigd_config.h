/*
 * sigd_config.h - sigd's command line, parsed once into a typed struct.
 *
 * Options follow Sippy's transport options so operators can reuse their
 * command lines: -f -l -p -L -P --wss_socket, plus --ccd and --node-id for
 * the link to the call-control daemon.
 */
#ifndef TANDEM_SIGD_CONFIG_H
#define TANDEM_SIGD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu_affinity.h"

#define SIGD_DEFAULT_PORT	5060
#define SIGD_DEFAULT_CCD	"tcp://127.0.0.1:5555"
#define SIGD_NODE_ID_MAX	64
#define SIGD_DEFAULT_DRAIN_S	30
#define SIGD_MAX_DRAIN_S	86400
#define SIGD_MAX_LEGS		100000000	/* --max-legs bound */

struct sigd_config {
	bool foreground;		/* -f */
	const char *listen_addr;	/* -l; NULL = all IPv4 and IPv6 addresses */
	uint16_t port;			/* -p */
	const char *logfile;		/* -L: stdout/stderr when daemonized */
	const char *pidfile;		/* -P */
	const char *wss_socket;		/* --wss_socket=host:port:cert:key */
	const char *ccd_endpoint;	/* --ccd: ZeroMQ endpoint of ccd's ROUTER */
	char node_id[SIGD_NODE_ID_MAX];	/* --node-id: ZeroMQ routing id, unique per node */
	uint32_t t1_ms;			/* --t1: RFC 3261 T1, the RTT estimate (500) */
	uint32_t t2_ms;			/* --t2: cap of retransmission intervals (4000) */
	uint32_t drain_s;		/* --drain: after SIGTERM, calls may go on this long */
	const char *metrics;		/* --metrics host:port: Prometheus endpoint */
	uint32_t max_queue_delay_ms;	/* --max-queue-delay: overload.h (20; 0 = off) */
	uint32_t max_setups;		/* --max-setups: legs in Trying (20000; 0 = off) */
	uint32_t max_cps;		/* --max-cps: new calls per second (0 = no cap) */
	uint32_t max_legs;		/* --max-legs: leg capacity (leg.h LEGS_MAX_DEFAULT) */
	cpu_set_t cpus;			/* --cpu (cpu_affinity.h), when cpus_set */
	bool cpus_set;
	cpu_set_t zmq_cpus;		/* --zmq-cpu, when zmq_cpus_set */
	bool zmq_cpus_set;
	uint32_t rt_prio;		/* --rt-prio (sched_rt.h); 0: the normal scheduler */
};

enum sigd_config_result {
	SIGD_CONFIG_OK,
	SIGD_CONFIG_EXIT_OK,	/* --help or --version printed */
	SIGD_CONFIG_ERROR,	/* err holds one line */
};

enum sigd_config_result sigd_config_parse(struct sigd_config *cfg, int argc, char **argv,
					  char *err, size_t errsz);

#endif
