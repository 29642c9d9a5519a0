/*
 * ccd.h - the call-control daemon's one context, and the seams between its
 * rooms:
 *
 *   nodes.c    the ZeroMQ ROUTER the sigd nodes connect to: the node
 *              registry, Hello/Welcome, heartbeats, decoding and checking
 *              every inbound message (nodes.h)
 *   call.c     one call controller per call: answer leg, originate legs,
 *              the state machine and the event relay (call.h); with
 *              call_route.c (attempts, hunting, timers), call_aaa.c
 *              (RADIUS auth and accounting), call_media.c (SDP)
 *   legref.c   legs by (node, leg id), and each node's list of legs
 *   route.c    Sippy's routing string (the static route -s/-n)
 *   control.c  the control socket (-c): Sippy's l, lt, d, r, q and more
 *   metrics_ccd.c  the Prometheus endpoint (--metrics)
 *   media.c    RTP proxies (-r) and SDP rewriting (media.h, rtpp.h, ng.h)
 *   radius.c   RADIUS requests on worker threads, the accounting spool
 *              (radius.h, acct_spool.h); aaa_auth.c, aaa_acct.c build and
 *              read the attribute lists
 *   drain.c    how ccd stops: SIGTERM drain, SIGHUP, systemd notify (drain.h)
 *   main.c     wiring, start-up errors
 *
 * Each room keeps its state behind an opaque pointer here, so the context
 * is the only thing passed around and there are no globals (except the
 * logging context, see log.h).
 */
#ifndef TANDEM_CCD_H
#define TANDEM_CCD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "ccd_config.h"
#include "metrics.h"
#include "route.h"

#define CCD_HEARTBEAT_MS	1000	/* Welcome.heartbeat_interval_ms */
#define CCD_HEARTBEAT_MISSES	3	/* silent intervals before a node is down */
#define CCD_LINGER_MS		120000	/* longest wait for LegClosed after a call ended */
#define CCD_CODE_MAX		699	/* calls_by_code is indexed by SIP status */
#define CCD_ATTEMPTS_MAX	16	/* attempts_by_route: CALL_ROUTES_MAX */

struct ccd_nodes;
struct call_layer;
struct control;
struct metrics_server;
struct media;
struct radius;

/* Counters every room bumps; for the control socket and metrics. */
struct ccd_stats {
	uint64_t frames_malformed;	/* payloads that are not a Frame */
	uint64_t msgs_invalid;		/* messages that failed validation */
	uint64_t msgs_unknown;		/* message kinds of a newer protocol: ignored */
	uint64_t msgs_from_strangers;	/* from peers that never said Hello */
	uint64_t unknown_legs;		/* events or LegClosed for legs with no call */
	uint64_t events_dropped;	/* events that make no sense in the call's state */
	uint64_t send_errors;		/* messages too large to queue */
	uint64_t nodes_up, nodes_restarted, nodes_down;
	uint64_t calls_active;		/* gauge */
	uint64_t calls_total;
	uint64_t calls_rejected;	/* TRYs answered FAIL without a call (malformed) */
	uint64_t calls_linger_expired;	/* calls freed without every LegClosed */
	uint64_t calls_refused_stopping;	/* TRYs answered 503 while stopping (SIGTERM) */
	/* Final response the caller got (as far as ccd decided it): the
	 * CONNECT/FAIL/REDIRECT code relayed, 487 for a caller's CANCEL, 500
	 * when the call was disconnected before an answer; 0 = none (the
	 * answer leg vanished before a final response). */
	uint64_t calls_by_code[CCD_CODE_MAX + 1];
	/* Originate attempts by their place in the call's route list (1 =
	 * the first route; [0] unused). */
	uint64_t attempts_by_route[CCD_ATTEMPTS_MAX + 1];
	/* TRY to CONNECT (or PRE_CONNECT) relayed to the caller, seconds. */
	struct metrics_hist setup_seconds;
};

struct ccd {
	struct ccd_config cfg;
	struct event_base *base;
	void *zctx;
	struct ccd_nodes *nodes;
	struct call_layer *calls;
	/* The static route (-s / -n), parsed and resolved at start-up. The
	 * routing string it points into is argv's. */
	struct route static_route;
	bool static_route_set;
	struct radius *radius;			/* RADIUS pool (radius.h); NULL: no AAA */
	struct ccd_stats stats;
	uint64_t instance;		/* random per process start (Welcome.instance) */
	uint32_t heartbeat_ms;		/* CCD_HEARTBEAT_MS; tests shorten it */
	uint32_t linger_ms;		/* CCD_LINGER_MS; tests shorten it */
	struct control *control;		/* -c: the control socket (control.h) */
	struct metrics_server *metrics;		/* --metrics (metrics_ccd.h) */
	struct media *media;			/* -r: RTP proxies (media.h); NULL = none */
	/* Our digest nonces' secret, the same on every sigd node (Welcome),
	 * so a retried INVITE may reach any of them. */
	uint8_t nonce_secret[32];
};

/* Monotonic clock in milliseconds, for silence and linger deadlines. */
int64_t ccd_now_ms(void);

#endif
