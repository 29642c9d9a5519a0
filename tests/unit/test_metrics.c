/*
 * metrics: the Prometheus text writer (exact text: families, labels and
 * their escapes, numbers, histograms), host:port parsing, and the evhttp
 * endpoint (200 for GET /metrics, 404, 405, bind errors) over a real TCP
 * connection on 127.0.0.1.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "metrics.h"

static char text[8192];

/* The buffer's contents as a string (and b emptied). */
static const char *take(struct evbuffer *b)
{
	size_t n = evbuffer_get_length(b);

	assert_true(n < sizeof(text));
	evbuffer_remove(b, text, n);
	text[n] = '\0';
	return text;
}

/* ---------------------------------------------------------------- writer */

static void test_counter_gauge(void **state)
{
	struct evbuffer *b = evbuffer_new();

	(void)state;
	metrics_counter(b, "tandem_x_total", "Things that happened.", 42);
	assert_string_equal(take(b), "# HELP tandem_x_total Things that happened.\n"
				     "# TYPE tandem_x_total counter\n"
				     "tandem_x_total 42\n");
	metrics_gauge(b, "tandem_y", "Now.", UINT64_MAX);
	assert_string_equal(take(b), "# HELP tandem_y Now.\n# TYPE tandem_y gauge\ntandem_y 18446744073709551615\n");
	evbuffer_free(b);
}

static void test_labels_and_escapes(void **state)
{
	struct evbuffer *b = evbuffer_new();
	struct metrics_label one = { "code", "200" };
	struct metrics_label two[] = { { "node", "a\"b\\c\nd" }, { "state", "" } };

	(void)state;
	metrics_head(b, "tandem_z_total", METRICS_COUNTER, "Back\\slash and\nnewline, \"quotes\" kept.");
	metrics_u64(b, "tandem_z_total", &one, 1, 7);
	metrics_u64(b, "tandem_z_total", two, 2, 0);
	assert_string_equal(take(b), "# HELP tandem_z_total Back\\\\slash and\\nnewline, \"quotes\" kept.\n"
				     "# TYPE tandem_z_total counter\n"
				     "tandem_z_total{code=\"200\"} 7\n"
				     "tandem_z_total{node=\"a\\\"b\\\\c\\nd\",state=\"\"} 0\n");
	evbuffer_free(b);
}

static void test_doubles(void **state)
{
	struct evbuffer *b = evbuffer_new();

	(void)state;
	metrics_f64(b, "a", NULL, 0, 0.25);
	metrics_f64(b, "a", NULL, 0, 0.1 + 0.2);	/* needs 17 digits */
	metrics_f64(b, "a", NULL, 0, 1e-7);
	metrics_f64(b, "a", NULL, 0, 3);
	metrics_f64(b, "a", NULL, 0, INFINITY);
	metrics_f64(b, "a", NULL, 0, -INFINITY);
	metrics_f64(b, "a", NULL, 0, NAN);
	metrics_f64(b, "a", NULL, 0, 0.0051769999999999993);	/* 16 digits */
	assert_string_equal(take(b), "a 0.25\na 0.30000000000000004\na 1e-07\na 3\na +Inf\na -Inf\na NaN\n"
				     "a 0.005176999999999999\n");
	evbuffer_free(b);
}

static void test_histogram(void **state)
{
	static const double le[] = { 0.01, 0.1, 1 };
	struct evbuffer *b = evbuffer_new();
	struct metrics_hist h;
	struct metrics_label l = { "route", "1" };

	(void)state;
	metrics_hist_init(&h, le, 3);
	metrics_hist_observe(&h, 0.01);	/* le is inclusive */
	metrics_hist_observe(&h, 0.05);
	metrics_hist_observe(&h, 0.5);
	metrics_hist_observe(&h, 0.5);
	metrics_hist_observe(&h, 30);
	metrics_head(b, "t_seconds", METRICS_HISTOGRAM, "Latency.");
	metrics_hist_write(b, "t_seconds", &l, 1, &h);
	assert_string_equal(take(b), "# HELP t_seconds Latency.\n# TYPE t_seconds histogram\n"
				     "t_seconds_bucket{route=\"1\",le=\"0.01\"} 1\n"
				     "t_seconds_bucket{route=\"1\",le=\"0.1\"} 2\n"
				     "t_seconds_bucket{route=\"1\",le=\"1\"} 4\n"
				     "t_seconds_bucket{route=\"1\",le=\"+Inf\"} 5\n"
				     "t_seconds_sum{route=\"1\"} 31.06\n"
				     "t_seconds_count{route=\"1\"} 5\n");
	/* No labels: le alone in the braces. */
	metrics_hist_init(&h, le, 1);
	metrics_hist_observe(&h, 2);
	metrics_hist_write(b, "u", NULL, 0, &h);
	assert_string_equal(take(b), "u_bucket{le=\"0.01\"} 0\nu_bucket{le=\"+Inf\"} 1\nu_sum 2\nu_count 1\n");
	/* Never initialised: only +Inf. */
	memset(&h, 0, sizeof(h));
	metrics_hist_write(b, "v", NULL, 0, &h);
	assert_string_equal(take(b), "v_bucket{le=\"+Inf\"} 0\nv_sum 0\nv_count 0\n");
	/* Bounds beyond METRICS_BUCKETS_MAX are cut. */
	double many[METRICS_BUCKETS_MAX + 4];
	for (size_t i = 0; i < sizeof(many) / sizeof(many[0]); i++)
		many[i] = (double)(i + 1);
	metrics_hist_init(&h, many, sizeof(many) / sizeof(many[0]));
	assert_int_equal(h.n_le, METRICS_BUCKETS_MAX);
	metrics_hist_observe(&h, 1000);
	assert_int_equal(h.bucket[METRICS_BUCKETS_MAX], 1);
	evbuffer_free(b);
}

/* ---------------------------------------------------------------- host:port */

static void test_hostport(void **state)
{
	char host[64], err[200];
	uint16_t port;

	(void)state;
	assert_int_equal(metrics_parse_hostport("127.0.0.1:9100", host, sizeof(host), &port, err, sizeof(err)), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 9100);
	assert_int_equal(metrics_parse_hostport("[::1]:65535", host, sizeof(host), &port, err, sizeof(err)), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 65535);
	assert_int_equal(metrics_parse_hostport("localhost:1", host, sizeof(host), &port, err, sizeof(err)), 0);
	assert_string_equal(host, "localhost");

	static const struct {
		const char *s, *err;
	} bad[] = {
		{ "9100", "'9100' is not host:port ([IPv6]:port for IPv6)" },
		{ "::1:9100", "'::1:9100' is not host:port ([IPv6]:port for IPv6)" },
		{ "[::1]9100", "'[::1]9100' is not host:port ([IPv6]:port for IPv6)" },
		{ "[::1", "'[::1' is not host:port ([IPv6]:port for IPv6)" },
		{ ":9100", "':9100': host empty or too long" },
		{ "[]:9100", "'[]:9100': host empty or too long" },
		{ "a b:9100", "'a b:9100': host with spaces or control characters" },
		{ "h:0", "'h:0': port must be 1..65535" },
		{ "h:65536", "'h:65536': port must be 1..65535" },
		{ "h:", "'h:': port must be 1..65535" },
		{ "h:+1", "'h:+1': port must be 1..65535" },
		{ "h:1x", "'h:1x': port must be 1..65535" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (metrics_parse_hostport(bad[i].s, host, sizeof(host), &port, err, sizeof(err)) != -1)
			fail_msg("'%s' accepted", bad[i].s);
		assert_string_equal(err, bad[i].err);
	}
	/* A host that does not fit the caller's buffer. */
	assert_int_equal(metrics_parse_hostport("abcdefgh:1", host, 8, &port, err, sizeof(err)), -1);
	assert_string_equal(err, "'abcdefgh:1': host empty or too long");
}

/* ---------------------------------------------------------------- the endpoint */

struct srv {
	struct event_base *base;
	struct metrics_server *ms;
	uint16_t port;
	char hostport[32];
	unsigned writes;
};

static void write_fn(struct evbuffer *b, void *arg)
{
	struct srv *s = arg;

	s->writes++;
	metrics_counter(b, "tandem_test_total", "A test.", s->writes);
}

/* A free port of 127.0.0.1, found by binding to 0. */
static uint16_t free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

static int srv_setup(void **state)
{
	static struct srv s;
	char err[256];

	memset(&s, 0, sizeof(s));
	s.base = event_base_new();
	s.port = free_port();
	snprintf(s.hostport, sizeof(s.hostport), "127.0.0.1:%u", s.port);
	s.ms = metrics_open(s.base, s.hostport, write_fn, &s, err, sizeof(err));
	if (!s.ms)
		fail_msg("metrics_open: %s", err);
	*state = &s;
	return 0;
}

static int srv_teardown(void **state)
{
	struct srv *s = *state;

	metrics_close(s->ms);
	event_base_free(s->base);
	return 0;
}

/* Sends one raw request and runs the loop until the server closes (HTTP/1.0). */
static const char *http(struct srv *s, const char *request)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(s->port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	size_t n = 0;

	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(write(fd, request, strlen(request)), (ssize_t)strlen(request));
	for (int rounds = 0; rounds < 2000; rounds++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		event_base_loop(s->base, EVLOOP_NONBLOCK);
		if (poll(&p, 1, 1) <= 0)
			continue;
		r = read(fd, text + n, sizeof(text) - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	text[n] = '\0';
	return text;
}

static void test_get_metrics(void **state)
{
	struct srv *s = *state;
	const char *r = http(s, "GET /metrics HTTP/1.0\r\n\r\n");

	assert_non_null(strstr(r, "HTTP/1.0 200 OK\r\n"));
	assert_non_null(strstr(r, "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
	assert_non_null(strstr(r, "\r\n\r\n# HELP tandem_test_total A test.\n# TYPE tandem_test_total counter\n"
				  "tandem_test_total 1\n"));
	r = http(s, "GET /metrics?x=1 HTTP/1.0\r\n\r\n");
	assert_non_null(strstr(r, "tandem_test_total 2\n"));
	assert_int_equal(metrics_scrapes(s->ms), 2);
	/* HEAD: the headers only. */
	r = http(s, "HEAD /metrics HTTP/1.0\r\n\r\n");
	assert_non_null(strstr(r, "200 OK"));
	assert_null(strstr(r, "tandem_test_total"));
	assert_int_equal(metrics_scrapes(NULL), 0);
}

static void test_not_found_and_methods(void **state)
{
	struct srv *s = *state;
	const char *r;

	r = http(s, "GET / HTTP/1.0\r\n\r\n");
	assert_non_null(strstr(r, " 404 Not Found\r\n"));
	r = http(s, "GET /metricsx HTTP/1.0\r\n\r\n");
	assert_non_null(strstr(r, " 404 "));
	r = http(s, "POST /metrics HTTP/1.0\r\nContent-Length: 0\r\n\r\n");
	assert_non_null(strstr(r, " 405 Method Not Allowed\r\n"));
	assert_non_null(strstr(r, "Allow: GET, HEAD\r\n"));
	r = http(s, "GARBAGE\r\n\r\n");
	assert_null(strstr(r, "tandem_test_total"));
	assert_int_equal(s->writes, 0);
}

static void test_open_errors(void **state)
{
	struct srv *s = *state;
	char err[256];

	assert_null(metrics_open(s->base, s->hostport, write_fn, s, err, sizeof(err)));
	assert_non_null(strstr(err, "metrics: cannot listen on 127.0.0.1:"));
	assert_non_null(strstr(err, strerror(EADDRINUSE)));
	assert_null(metrics_open(s->base, "nonsense", write_fn, s, err, sizeof(err)));
	assert_string_equal(err, "metrics: 'nonsense' is not host:port ([IPv6]:port for IPv6)");
	/* A DNS label longer than 63 bytes fails without asking a server. */
	char name[100];
	memset(name, 'a', 70);
	strcpy(name + 70, ".example:9100");
	assert_null(metrics_open(s->base, name, write_fn, s, err, sizeof(err)));
	assert_non_null(strstr(err, "metrics: cannot resolve 'aaaaaaaa"));
	metrics_close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counter_gauge),
		cmocka_unit_test(test_labels_and_escapes),
		cmocka_unit_test(test_doubles),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_hostport),
		cmocka_unit_test_setup_teardown(test_get_metrics, srv_setup, srv_teardown),
		cmocka_unit_test_setup_teardown(test_not_found_and_methods, srv_setup, srv_teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, srv_setup, srv_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
