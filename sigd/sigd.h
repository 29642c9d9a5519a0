/*
 * sigd.h - the signaling daemon's one context, and the seams between its
 * rooms:
 *
 *   transport.c   UDP sockets: recvmmsg batches -> sip_msg_parse -> tsx_receive;
 *                 sigd_send() for everything that leaves
 *   tsx*.c        transactions (tsx.h)
 *   dispatch.c    the transaction user: finds the leg of a request, or
 *                 answers out of dialog (OPTIONS 200, 501, 481, 503)
 *   leg*.c, ua*.c one UA state machine per call leg, dialogs (leg.h)
 *   link.c        the ZeroMQ link to ccd (link.h)
 *   metrics_sigd.c  the Prometheus endpoint (--metrics) and the SIP counts
 *   drain.c       how sigd stops: SIGTERM drain, SIGHUP, systemd notify (drain.h)
 *   overload.c    refusing new INVITEs (stateless 503) while overloaded (overload.h)
 *
 * Each room keeps its state behind an opaque pointer here, so the context
 * is the only thing passed around and there are no globals.
 */
#ifndef TANDEM_SIGD_H
#define TANDEM_SIGD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "netaddr.h"
#include "pl.h"
#include "sigd_config.h"
#include "sip_hdr.h"
#include "udp.h"

struct tsx_layer;
struct leg_layer;
struct sigd_link;
struct metrics_server;
struct overload;

#define SIGD_STATUS_MAX 699	/* sip_*.responses are indexed by status code */

/* SIP messages of one direction, by method and by status code (counted
 * in transport.c: metrics_sigd_count_in / _out). */
struct sigd_sip_counts {
	uint64_t requests[SIP_METHOD__COUNT];	/* [SIP_METHOD_OTHER]: extensions */
	uint64_t responses[SIGD_STATUS_MAX + 1];
};

/* Counters every room bumps; exported by the control socket and metrics. */
struct sigd_stats {
	uint64_t datagrams_in, datagrams_out;
	uint64_t requests_in, responses_in;
	uint64_t parse_errors;		/* malformed SIP (400 sent or dropped) */
	uint64_t not_sip;		/* datagrams that were not SIP at all: dropped */
	uint64_t bad_requests_answered;	/* 400s sent */
	uint64_t stray_responses;	/* responses matching no client transaction */
	uint64_t retransmissions_out;
	uint64_t retransmissions_absorbed;
	uint64_t rejected_no_ccd;	/* 503 because ccd was unreachable */
	uint64_t rejected_draining;	/* 503 because we are stopping (SIGTERM) */
	uint64_t send_errors;
	struct sigd_sip_counts sip_in, sip_out;
};

struct sigd {
	struct sigd_config cfg;
	struct event_base *base;
	struct sigd_udp udp;
	struct event *udp_ev[SIGD_UDP_MAX_SOCKETS];
	struct tsx_layer *tsx;
	struct leg_layer *legs;
	struct sigd_link *link;
	struct sigd_stats stats;
	uint64_t instance;		/* random per process start (Hello.instance) */
	struct metrics_server *metrics;	/* --metrics (metrics_sigd.h) */
	bool draining;			/* SIGTERM: new INVITEs get 503 (drain.h) */
	struct overload *overload;	/* refusing new INVITEs under load (overload.h) */
	/* Scratch buffer for building one outgoing message at a time. */
	char out[65536];
};

/* Sends one datagram to dst from the socket of its address family.
 * Returns 0, or -1 (counted in stats.send_errors) if the kernel refused.
 * Inside transport_hold() sigd_send() queues it and returns 0; the send
 * itself comes at the release (transport.h). sigd_send_now() sends at
 * once, after whatever is queued, for callers that act on a refusal. */
int sigd_send(struct sigd *sd, const struct netaddr *dst, const char *buf, size_t len);
int sigd_send_now(struct sigd *sd, const struct netaddr *dst, const char *buf, size_t len);

/*
 * The address sigd puts in Via and Contact for messages to dst: the -l
 * address, or, when listening on a wildcard, the local address the kernel
 * would use to reach dst (cached). host is valid until the next call.
 */
void sigd_local_addr(struct sigd *sd, const struct netaddr *dst, struct pl *host, uint16_t *port);

/* Wall clock in microseconds (CLOCK_REALTIME), for event timestamps. */
int64_t sigd_now_us(void);

#endif
