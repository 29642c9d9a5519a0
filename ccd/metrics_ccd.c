/*
 * metrics_ccd.c - ccd's metrics (metrics_ccd.h), in the Prometheus text
 * format written by common/metrics.c.
 */
#include "metrics_ccd.h"

#include <stdio.h>

#include <event2/buffer.h>

#include "ccd.h"
#include "log.h"
#include "media.h"
#include "metrics.h"
#include "nodes.h"
#include "radius.h"

static void labelled(struct evbuffer *b, const char *name, const char *label, const char *value, uint64_t v)
{
	struct metrics_label l = { label, value };

	metrics_u64(b, name, &l, 1, v);
}

static void write_calls(struct evbuffer *b, const struct ccd_stats *s)
{
	const char *n = "tandem_ccd_calls_total";
	char num[16];

	metrics_gauge(b, "tandem_ccd_calls", "Calls in progress (ending ones included).", s->calls_active);
	metrics_counter(b, "tandem_ccd_calls_started_total", "Calls created by a TRY.", s->calls_total);
	metrics_head(b, n, METRICS_COUNTER,
		     "Calls by the final response the caller got (0: the caller's leg vanished before one).");
	for (int code = 0; code <= CCD_CODE_MAX; code++) {
		if (!s->calls_by_code[code])
			continue;
		snprintf(num, sizeof(num), "%d", code);
		labelled(b, n, "code", num, s->calls_by_code[code]);
	}
	metrics_counter(b, "tandem_ccd_calls_rejected_total", "TRYs refused without a call (malformed, no memory).",
			s->calls_rejected);
	metrics_counter(b, "tandem_ccd_calls_linger_expired_total",
			"Calls freed without every LegClosed (their legs were dropped).", s->calls_linger_expired);
	n = "tandem_ccd_call_attempts_total";
	metrics_head(b, n, METRICS_COUNTER, "Originate attempts, by the route's place in the call's route list.");
	for (int r = 1; r <= CCD_ATTEMPTS_MAX; r++) {
		if (r > 1 && !s->attempts_by_route[r])
			continue;
		snprintf(num, sizeof(num), "%d", r);
		labelled(b, n, "route", num, s->attempts_by_route[r]);
	}
	n = "tandem_ccd_call_setup_seconds";
	metrics_head(b, n, METRICS_HISTOGRAM, "Time from the caller's TRY to the answer relayed to it.");
	metrics_hist_write(b, n, NULL, 0, &s->setup_seconds);
}

struct node_family {
	struct evbuffer *b;
	const char *name;
	int what;
};

static void node_sample(struct node *n, void *arg)
{
	struct node_family *f = arg;
	uint64_t v = f->what == 0 ? 1 : f->what == 1 ? node_queue_depth(n) : n->hb_legs;

	labelled(f->b, f->name, "node", n->id, v);
}

static void write_nodes(struct evbuffer *b, struct ccd *cd)
{
	static const struct {
		const char *name, *help;
	} fam[] = {
		{ "tandem_ccd_node_up", "1 for each sigd node that said Hello and is heard from." },
		{ "tandem_ccd_node_queue_depth", "Messages to the node still under way when its last heartbeat arrived." },
		{ "tandem_ccd_node_legs", "Legs the node reported in its last heartbeat." },
	};
	const struct ccd_stats *s = &cd->stats;
	const struct zlink_stats *z = nodes_link_stats(cd);
	const char *n = "tandem_ccd_node_changes_total";

	for (int i = 0; i < 3; i++) {
		struct node_family f = { b, fam[i].name, i };

		metrics_head(b, fam[i].name, METRICS_GAUGE, fam[i].help);
		nodes_foreach(cd, node_sample, &f);
	}
	metrics_gauge(b, "tandem_ccd_nodes", "sigd nodes up.", nodes_live(cd));
	metrics_head(b, n, METRICS_COUNTER, "sigd nodes that came up, restarted or went silent.");
	labelled(b, n, "change", "up", s->nodes_up);
	labelled(b, n, "change", "restarted", s->nodes_restarted);
	labelled(b, n, "change", "down", s->nodes_down);
	metrics_counter(b, "tandem_ccd_frames_malformed_total", "Frames from peers that are not a Frame.",
			s->frames_malformed);
	metrics_counter(b, "tandem_ccd_messages_invalid_total", "Messages from nodes that failed validation.",
			s->msgs_invalid);
	metrics_counter(b, "tandem_ccd_messages_unknown_total", "Messages of a newer protocol: ignored.",
			s->msgs_unknown);
	metrics_counter(b, "tandem_ccd_messages_from_strangers_total", "Messages from peers that never said Hello.",
			s->msgs_from_strangers);
	metrics_counter(b, "tandem_ccd_unknown_legs_total", "Events or LegClosed for legs of no call.",
			s->unknown_legs);
	metrics_counter(b, "tandem_ccd_events_dropped_total", "Events that made no sense in the call's state.",
			s->events_dropped);
	metrics_counter(b, "tandem_ccd_send_errors_total", "Messages too large to queue.", s->send_errors);
	metrics_counter(b, "tandem_ccd_link_send_drops_total", "Frames ZeroMQ refused (node gone or queue full).",
			z ? z->send_drops : 0);
}

/* The RADIUS pool (radius.h), by kind of request: auth or acct (spool
 * resends included). Without RADIUS (-u, -A 0) everything is 0. */
static void write_radius(struct evbuffer *b, const struct ccd *cd)
{
	const struct radius_stats *s = radius_stats(cd->radius);
	const struct radius_kind_stats *k[2] = { &s->auth, &s->acct };
	static const char *const kind[2] = { "auth", "acct" };
	const char *n = "tandem_ccd_radius_requests_total";

	metrics_head(b, n, METRICS_COUNTER, "RADIUS requests handed to a worker, by kind (auth, acct).");
	for (int i = 0; i < 2; i++)
		labelled(b, n, "kind", kind[i], k[i]->requests);
	n = "tandem_ccd_radius_failures_total";
	metrics_head(b, n, METRICS_COUNTER, "RADIUS requests no server answered (timeout) or that failed (error).");
	for (int i = 0; i < 2; i++) {
		struct metrics_label l[2] = { { "kind", kind[i] }, { "reason", "timeout" } };

		metrics_u64(b, n, l, 2, k[i]->timeouts);
		l[1].value = "error";
		metrics_u64(b, n, l, 2, k[i]->errors);
	}
	n = "tandem_ccd_radius_rejects_total";
	metrics_head(b, n, METRICS_COUNTER, "Access-Rejects (and Access-Challenges, taken as rejects).");
	labelled(b, n, "kind", "auth", s->auth.rejects);
	n = "tandem_ccd_radius_request_duration_seconds";
	metrics_head(b, n, METRICS_HISTOGRAM, "RADIUS round-trip time, from a worker taking the request to the answer.");
	for (int i = 0; i < 2; i++) {
		struct metrics_label l = { "kind", kind[i] };

		metrics_hist_write(b, n, &l, 1, &k[i]->seconds);
	}
	metrics_gauge(b, "tandem_ccd_radius_spool_size", "Accounting records waiting in the spool.",
		      radius_spool_size(cd->radius));
	metrics_counter(b, "tandem_ccd_radius_spooled_total", "Accounting records written to the spool.",
			s->acct_spooled);
	metrics_counter(b, "tandem_ccd_radius_unspooled_total", "Spooled accounting records delivered.",
			s->acct_unspooled);
	metrics_counter(b, "tandem_ccd_radius_acct_lost_total",
			"Accounting records dropped (no spool, spool full, or not encodable; each is logged).",
			s->acct_lost);
	metrics_counter(b, "tandem_ccd_radius_auth_refused_total",
			"Authentications refused at once: too many waiting for a worker.", s->auth_refused);
	metrics_gauge(b, "tandem_ccd_radius_queued", "RADIUS requests waiting for a worker.", s->queued);
	metrics_gauge(b, "tandem_ccd_radius_workers_busy", "RADIUS workers with a request.", s->busy);
	metrics_gauge(b, "tandem_ccd_radius_workers", "RADIUS worker threads (-M).", s->workers);
}

static void write_media(struct evbuffer *b, const struct ccd *cd)
{
	metrics_gauge(b, "tandem_ccd_rtpproxies", "RTP proxies configured (-r).", (uint64_t)media_proxies(cd));
	metrics_gauge(b, "tandem_ccd_rtpproxies_online", "RTP proxies answering their health checks.",
		      (uint64_t)media_proxies_online(cd));
	metrics_gauge(b, "tandem_ccd_rtpproxy_sessions", "RTP proxy sessions in use (one per call).",
		      (uint64_t)media_sessions(cd));
}

void metrics_ccd_write(struct evbuffer *b, void *arg)
{
	struct ccd *cd = arg;

	write_calls(b, &cd->stats);
	write_nodes(b, cd);
	write_radius(b, cd);
	write_media(b, cd);
}

int metrics_ccd_open(struct ccd *cd, char *err, size_t errsz)
{
	if (!cd->cfg.metrics)
		return 0;
	cd->metrics = metrics_open(cd->base, cd->cfg.metrics, metrics_ccd_write, cd, err, errsz);
	if (!cd->metrics)
		return -1;
	LOGI(PL_NULL, "metrics on http://%s/metrics", cd->cfg.metrics);
	return 0;
}

void metrics_ccd_close(struct ccd *cd)
{
	metrics_close(cd->metrics);
	cd->metrics = NULL;
}
