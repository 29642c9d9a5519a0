/*
 * metrics.h - a tiny Prometheus text exposition (format 0.0.4) served by
 * libevent's evhttp: `GET /metrics` on the daemon's --metrics host:port.
 *
 * Counters and gauges are the daemons' own plain integers (struct
 * sigd_stats, struct ccd_stats...): nothing here sits on the hot path. A
 * scrape calls the daemon's writer, which renders every family straight
 * into the reply's evbuffer with the functions below: no allocation per
 * scrape beyond that buffer. Histograms have fixed buckets, counted where
 * the value is observed (metrics_hist_observe: a few compares).
 *
 * Names follow Prometheus conventions (the caller's job): a "tandem_"
 * prefix, "_total" for counters, base units ("_seconds"). Label values and
 * HELP texts are escaped here.
 */
#ifndef TANDEM_METRICS_H
#define TANDEM_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct evbuffer;
struct event_base;

enum metrics_type {
	METRICS_COUNTER,
	METRICS_GAUGE,
	METRICS_HISTOGRAM,
};

struct metrics_label {
	const char *name;
	const char *value;	/* escaped when written */
};

/* ---------------------------------------------------------------- writer */

/* "# HELP name help\n# TYPE name type\n": once per family, before its samples. */
void metrics_head(struct evbuffer *b, const char *name, enum metrics_type type, const char *help);

/* One sample: name{l1="v1",l2="v2"} value (no braces without labels). */
void metrics_u64(struct evbuffer *b, const char *name, const struct metrics_label *labels,
		 size_t n_labels, uint64_t v);
void metrics_f64(struct evbuffer *b, const char *name, const struct metrics_label *labels,
		 size_t n_labels, double v);

/* A family with a single unlabelled sample: head and value. */
void metrics_counter(struct evbuffer *b, const char *name, const char *help, uint64_t v);
void metrics_gauge(struct evbuffer *b, const char *name, const char *help, uint64_t v);

/* ---------------------------------------------------------------- histograms */

#define METRICS_BUCKETS_MAX 16

/* Fixed upper bounds (ascending, seconds or whatever unit the name says);
 * the +Inf bucket is implicit. Counts are per bucket, summed when written. */
struct metrics_hist {
	const double *le;
	size_t n_le;
	uint64_t bucket[METRICS_BUCKETS_MAX + 1];	/* [n_le] is +Inf */
	uint64_t count;
	double sum;
};

/* n_le is capped at METRICS_BUCKETS_MAX; le must outlive h. */
void metrics_hist_init(struct metrics_hist *h, const double *le, size_t n_le);
void metrics_hist_observe(struct metrics_hist *h, double v);

/* name_bucket{...,le="x"} (cumulative), name_sum, name_count. A histogram
 * never initialised (le NULL) is written as empty: only +Inf, sum, count. */
void metrics_hist_write(struct evbuffer *b, const char *name, const struct metrics_label *labels,
			size_t n_labels, const struct metrics_hist *h);

/* ---------------------------------------------------------------- server */

/* Renders every metric of the daemon into b (the reply body). */
typedef void (*metrics_write_fn)(struct evbuffer *b, void *arg);

struct metrics_server;

/*
 * Parses "host:port" (host: IPv4, name, or "[IPv6]"; port 1..65535) into
 * host (without brackets) and port. Returns 0, or -1 with a one-line
 * reason in err.
 */
int metrics_parse_hostport(const char *s, char *host, size_t hostsz, uint16_t *port, char *err,
			   size_t errsz);

/*
 * Listens on hostport and answers GET /metrics with what fn writes (other
 * paths 404, other methods 405). Returns NULL with a one-line reason.
 */
struct metrics_server *metrics_open(struct event_base *base, const char *hostport, metrics_write_fn fn,
				    void *arg, char *err, size_t errsz);
void metrics_close(struct metrics_server *ms);

/* Scrapes answered (for tests and the daemons' own stats). */
uint64_t metrics_scrapes(const struct metrics_server *ms);

#endif
