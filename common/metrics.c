/*
 * metrics.c - the Prometheus text writer and its evhttp endpoint
 * (metrics.h). Text format 0.0.4:
 * https://prometheus.io/docs/instrumenting/exposition_formats/
 */
#include "metrics.h"

#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#define METRICS_LISTEN_BACKLOG	16
#define METRICS_TIMEOUT_S	10	/* a scraper that stalls mid-request is dropped */
#define METRICS_HEADERS_MAX	8192
#define METRICS_BODY_MAX	1024	/* a GET has none */

struct metrics_server {
	struct evhttp *http;
	metrics_write_fn fn;
	void *arg;
	uint64_t scrapes;
};

/* ---------------------------------------------------------------- writer */

static const char *const type_names[] = { "counter", "gauge", "histogram" };

/* Adds s with the escapes the format wants: backslash and newline always,
 * the double quote inside label values. */
static void add_escaped(struct evbuffer *b, const char *s, bool quote)
{
	const char *run = s;

	for (; *s; s++) {
		const char *esc = *s == '\\' ? "\\\\" : *s == '\n' ? "\\n" : (*s == '"' && quote) ? "\\\"" : NULL;

		if (!esc)
			continue;
		evbuffer_add(b, run, (size_t)(s - run));
		evbuffer_add(b, esc, 2);
		run = s + 1;
	}
	evbuffer_add(b, run, (size_t)(s - run));
}

/* The shortest of %.15g, %.16g and %.17g that reads back as v; +Inf,
 * -Inf and NaN as Prometheus spells them. */
static void fmt_double(char *buf, size_t sz, double v)
{
	if (isnan(v))
		snprintf(buf, sz, "NaN");
	else if (isinf(v))
		snprintf(buf, sz, v > 0 ? "+Inf" : "-Inf");
	else if (snprintf(buf, sz, "%.15g", v) > 0 && strtod(buf, NULL) != v &&
		 snprintf(buf, sz, "%.16g", v) > 0 && strtod(buf, NULL) != v)
		snprintf(buf, sz, "%.17g", v);
}

void metrics_head(struct evbuffer *b, const char *name, enum metrics_type type, const char *help)
{
	evbuffer_add_printf(b, "# HELP %s ", name);
	add_escaped(b, help, false);
	evbuffer_add_printf(b, "\n# TYPE %s %s\n", name, type_names[type]);
}

static void add_labels(struct evbuffer *b, const struct metrics_label *labels, size_t n, const char *le)
{
	if (n == 0 && !le)
		return;
	evbuffer_add(b, "{", 1);
	for (size_t i = 0; i < n; i++) {
		evbuffer_add_printf(b, "%s%s=\"", i ? "," : "", labels[i].name);
		add_escaped(b, labels[i].value, true);
		evbuffer_add(b, "\"", 1);
	}
	if (le)
		evbuffer_add_printf(b, "%sle=\"%s\"", n ? "," : "", le);
	evbuffer_add(b, "}", 1);
}

void metrics_u64(struct evbuffer *b, const char *name, const struct metrics_label *labels, size_t n_labels,
		 uint64_t v)
{
	evbuffer_add_printf(b, "%s", name);
	add_labels(b, labels, n_labels, NULL);
	evbuffer_add_printf(b, " %llu\n", (unsigned long long)v);
}

void metrics_f64(struct evbuffer *b, const char *name, const struct metrics_label *labels, size_t n_labels,
		 double v)
{
	char num[32];

	fmt_double(num, sizeof(num), v);
	evbuffer_add_printf(b, "%s", name);
	add_labels(b, labels, n_labels, NULL);
	evbuffer_add_printf(b, " %s\n", num);
}

void metrics_counter(struct evbuffer *b, const char *name, const char *help, uint64_t v)
{
	metrics_head(b, name, METRICS_COUNTER, help);
	metrics_u64(b, name, NULL, 0, v);
}

void metrics_gauge(struct evbuffer *b, const char *name, const char *help, uint64_t v)
{
	metrics_head(b, name, METRICS_GAUGE, help);
	metrics_u64(b, name, NULL, 0, v);
}

/* ---------------------------------------------------------------- histograms */

void metrics_hist_init(struct metrics_hist *h, const double *le, size_t n_le)
{
	memset(h, 0, sizeof(*h));
	h->le = le;
	h->n_le = n_le > METRICS_BUCKETS_MAX ? METRICS_BUCKETS_MAX : n_le;
}

void metrics_hist_observe(struct metrics_hist *h, double v)
{
	size_t i = 0;

	while (i < h->n_le && v > h->le[i])
		i++;
	h->bucket[i]++;
	h->count++;
	h->sum += v;
}

void metrics_hist_write(struct evbuffer *b, const char *name, const struct metrics_label *labels,
			size_t n_labels, const struct metrics_hist *h)
{
	uint64_t cumulative = 0;
	char le[32];
	size_t n_le = h->le ? h->n_le : 0;

	for (size_t i = 0; i <= n_le; i++) {
		cumulative += h->bucket[i];
		if (i < n_le)
			fmt_double(le, sizeof(le), h->le[i]);
		else
			snprintf(le, sizeof(le), "+Inf");
		evbuffer_add_printf(b, "%s_bucket", name);
		add_labels(b, labels, n_labels, le);
		evbuffer_add_printf(b, " %llu\n", (unsigned long long)cumulative);
	}
	fmt_double(le, sizeof(le), h->sum);
	evbuffer_add_printf(b, "%s_sum", name);
	add_labels(b, labels, n_labels, NULL);
	evbuffer_add_printf(b, " %s\n%s_count", le, name);
	add_labels(b, labels, n_labels, NULL);
	evbuffer_add_printf(b, " %llu\n", (unsigned long long)h->count);
}

/* ---------------------------------------------------------------- server */

int metrics_parse_hostport(const char *s, char *host, size_t hostsz, uint16_t *port, char *err, size_t errsz)
{
	const char *colon, *h = s, *hend;
	char *end;
	long p;

	if (s[0] == '[') {
		h = s + 1;
		hend = strchr(h, ']');
		if (!hend || hend[1] != ':') {
			snprintf(err, errsz, "'%.64s' is not host:port ([IPv6]:port for IPv6)", s);
			return -1;
		}
		colon = hend + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || memchr(s, ':', (size_t)(colon - s))) {
			snprintf(err, errsz, "'%.64s' is not host:port ([IPv6]:port for IPv6)", s);
			return -1;
		}
		hend = colon;
	}
	if (hend == h || (size_t)(hend - h) >= hostsz) {
		snprintf(err, errsz, "'%.64s': host empty or too long", s);
		return -1;
	}
	for (const char *c = h; c < hend; c++)
		if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7f) {
			snprintf(err, errsz, "'%.64s': host with spaces or control characters", s);
			return -1;
		}
	errno = 0;
	p = strtol(colon + 1, &end, 10);
	if (colon[1] < '0' || colon[1] > '9' || *end || errno || p < 1 || p > 65535) {
		snprintf(err, errsz, "'%.64s': port must be 1..65535", s);
		return -1;
	}
	memcpy(host, h, (size_t)(hend - h));
	host[hend - h] = '\0';
	*port = (uint16_t)p;
	return 0;
}

static void reply_error(struct evhttp_request *req, int code, const char *reason)
{
	struct evbuffer *b = evbuffer_new();

	if (b)
		evbuffer_add_printf(b, "%d %s\n", code, reason);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/plain; charset=utf-8");
	if (code == 405)
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET, HEAD");
	evhttp_send_reply(req, code, reason, b);
	if (b)
		evbuffer_free(b);
}

static void on_request(struct evhttp_request *req, void *arg)
{
	struct metrics_server *ms = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	struct evbuffer *b;

	if (!path || strcmp(path, "/metrics") != 0) {
		reply_error(req, 404, "Not Found");
		return;
	}
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		reply_error(req, 405, "Method Not Allowed");
		return;
	}
	b = evbuffer_new();
	if (!b) {
		reply_error(req, 503, "Service Unavailable");
		return;
	}
	/* HEAD: the same headers, no body (evhttp would send it). */
	if (cmd == EVHTTP_REQ_GET) {
		ms->scrapes++;
		ms->fn(b, ms->arg);
	}
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
			  "text/plain; version=0.0.4; charset=utf-8");
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

/* A listening TCP socket on host:port (our own, for a precise error). */
static int listen_tcp(const char *host, uint16_t port, char *err, size_t errsz)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo *res = NULL;
	char service[8];
	int fd = -1, one = 1, rc;

	snprintf(service, sizeof(service), "%u", port);
	rc = getaddrinfo(host, service, &hints, &res);
	if (rc != 0) {
		snprintf(err, errsz, "cannot resolve '%.64s': %s", host, gai_strerror(rc));
		return -1;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, METRICS_LISTEN_BACKLOG) < 0) {
		snprintf(err, errsz, "cannot listen on %.64s:%u: %s", host, port, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

struct metrics_server *metrics_open(struct event_base *base, const char *hostport, metrics_write_fn fn,
				    void *arg, char *err, size_t errsz)
{
	struct metrics_server *ms;
	char host[256], why[200];
	uint16_t port;
	int fd;

	if (metrics_parse_hostport(hostport, host, sizeof(host), &port, why, sizeof(why)) < 0) {
		snprintf(err, errsz, "metrics: %s", why);
		return NULL;
	}
	fd = listen_tcp(host, port, why, sizeof(why));
	if (fd < 0) {
		snprintf(err, errsz, "metrics: %s", why);
		return NULL;
	}
	ms = calloc(1, sizeof(*ms));
	if (ms)
		ms->http = evhttp_new(base);
	if (!ms || !ms->http || !evhttp_accept_socket_with_handle(ms->http, fd)) {
		snprintf(err, errsz, "metrics: no memory for the HTTP server");
		close(fd);	/* not evhttp's until accepted */
		if (ms && ms->http)
			evhttp_free(ms->http);
		free(ms);
		return NULL;
	}
	ms->fn = fn;
	ms->arg = arg;
	evhttp_set_timeout(ms->http, METRICS_TIMEOUT_S);
	evhttp_set_max_headers_size(ms->http, METRICS_HEADERS_MAX);
	evhttp_set_max_body_size(ms->http, METRICS_BODY_MAX);
	evhttp_set_gencb(ms->http, on_request, ms);
	return ms;
}

void metrics_close(struct metrics_server *ms)
{
	if (!ms)
		return;
	evhttp_free(ms->http);
	free(ms);
}

uint64_t metrics_scrapes(const struct metrics_server *ms)
{
	return ms ? ms->scrapes : 0;
}
