/*
 * radius_probe - drives ccd's RADIUS pool (ccd/radius.h) from a script,
 * for tests/e2e/radius_client.sh and by hand:
 *
 *   radius_probe -R radiusclient.conf [-M workers] [--acct-spool path] [script]
 *
 * The script (a file, or stdin) has one command per line; pairs are
 * Name=value separated by TABs (values may hold spaces):
 *
 *   auth TAG Name=value...   an Access-Request; prints, when answered,
 *                            "auth TAG RESULT MS" (MS since it was sent)
 *                            and one "reply TAG Name=value" per attribute
 *   acct Name=value...       an accounting record (fire and forget)
 *   sleep MS                 runs the loop for MS milliseconds
 *   wait                     runs the loop until every auth is answered
 *   spool N [MS]             runs the loop until the spool holds N records
 *                            (at most MS, default 30000); prints
 *                            "spool N ok" or "spool HAVE timeout"
 *   await PATH [MS]          runs the loop until the file PATH exists (at
 *                            most MS, default 30000): the test's cue
 *
 * At the end it waits for the answers still due, closes the pool (which
 * spools unacknowledged records) and prints "stats ..." with the pool's
 * counters and loop_max_gap_ms, the longest the loop went without running
 * a 10 ms timer (it must never wait for RADIUS). Exit status 0, or 2 for
 * a usage or start-up error.
 *
 * It links ccd's objects (the Makefile's rule for this tool).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <zmq.h>

#include "ccd/radius.h"
#include "log.h"

#define LINE_MAX_LEN	(64 * 1024)
#define TICK_MS		10

struct probe {
	struct event_base *base;
	struct radius *r;
	unsigned pending;	/* auths not answered yet */
	int64_t last_tick_ms, max_gap_ms;
	struct event *tick;
};

struct pending_auth {
	struct probe *p;
	char tag[64];
	int64_t sent_ms;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct probe *p = arg;
	int64_t now = now_ms();

	(void)fd;
	(void)what;
	if (p->last_tick_ms && now - p->last_tick_ms > p->max_gap_ms)
		p->max_gap_ms = now - p->last_tick_ms;
	p->last_tick_ms = now;
}

static void run_for(struct probe *p, int64_t ms)
{
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };

	event_base_loopexit(p->base, &tv);
	event_base_dispatch(p->base);
}

static void on_auth(void *arg, enum radius_result result, const struct avlist *reply)
{
	struct pending_auth *a = arg;

	printf("auth %s %s %lld\n", a->tag, radius_result_name(result), (long long)(now_ms() - a->sent_ms));
	for (unsigned i = 0; i < reply->n; i++)
		printf("reply %s %s=%s\n", a->tag, reply->a[i].name, reply->a[i].value);
	fflush(stdout);
	a->p->pending--;
	free(a);
}

/* "Name=value" fields separated by TABs, from s on. */
static int parse_pairs(char *s, struct avlist *av)
{
	avlist_init(av);
	while (s && *s) {
		char *tab = strchr(s, '\t'), *eq;

		if (tab)
			*tab = '\0';
		eq = strchr(s, '=');
		if (!eq || eq == s) {
			fprintf(stderr, "radius_probe: '%s' is no Name=value\n", s);
			return -1;
		}
		*eq = '\0';
		if (avlist_add(av, s, eq + 1) < 0) {
			fprintf(stderr, "radius_probe: pair %s does not fit\n", s);
			return -1;
		}
		s = tab ? tab + 1 : NULL;
	}
	return 0;
}

static int command(struct probe *p, char *line)
{
	struct avlist av;
	char *rest;

	line[strcspn(line, "\r\n")] = '\0';
	if (!*line || *line == '#')
		return 0;
	rest = strchr(line, ' ');
	if (rest)
		*rest++ = '\0';
	if (strcmp(line, "auth") == 0 && rest) {
		struct pending_auth *a = calloc(1, sizeof(*a));
		char *sp = strchr(rest, ' ');

		if (!a || !sp)
			return -1;
		*sp = '\0';
		snprintf(a->tag, sizeof(a->tag), "%s", rest);
		if (parse_pairs(sp + 1, &av) < 0) {
			free(a);
			return -1;
		}
		a->p = p;
		a->sent_ms = now_ms();
		if (!radius_auth(p->r, &av, on_auth, a)) {
			printf("auth %s refused 0\n", a->tag);
			free(a);
			return 0;
		}
		p->pending++;
		return 0;
	}
	if (strcmp(line, "acct") == 0 && rest) {
		if (parse_pairs(rest, &av) < 0)
			return -1;
		if (radius_acct(p->r, &av) < 0)
			printf("acct lost\n");
		return 0;
	}
	if (strcmp(line, "sleep") == 0 && rest) {
		run_for(p, atoll(rest));
		return 0;
	}
	if (strcmp(line, "wait") == 0) {
		while (p->pending)
			run_for(p, TICK_MS);
		return 0;
	}
	if (strcmp(line, "spool") == 0 && rest) {
		size_t want = (size_t)atoll(rest);
		char *ms = strchr(rest, ' ');
		int64_t end = now_ms() + (ms ? atoll(ms + 1) : 30000);

		while (radius_spool_size(p->r) != want && now_ms() < end)
			run_for(p, TICK_MS);
		if (radius_spool_size(p->r) == want)
			printf("spool %zu ok\n", want);
		else
			printf("spool %zu timeout\n", radius_spool_size(p->r));
		fflush(stdout);
		return 0;
	}
	if (strcmp(line, "await") == 0 && rest) {
		char *ms = strchr(rest, ' ');
		int64_t end;

		if (ms)
			*ms++ = '\0';
		end = now_ms() + (ms ? atoll(ms) : 30000);
		while (access(rest, F_OK) < 0 && now_ms() < end)
			run_for(p, TICK_MS);
		return 0;
	}
	fprintf(stderr, "radius_probe: unknown command '%s'\n", line);
	return -1;
}

static void usage(void)
{
	fprintf(stderr, "usage: radius_probe -R radiusclient.conf [-M workers] [--acct-spool path] [script]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *conf = NULL, *spool = NULL, *script = NULL;
	unsigned workers = 4;
	struct probe p = { 0 };
	struct timeval tick = { 0, TICK_MS * 1000 };
	char err[512], *line;
	FILE *in = stdin;
	void *zctx;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-R") == 0 && i + 1 < argc)
			conf = argv[++i];
		else if (strcmp(argv[i], "-M") == 0 && i + 1 < argc)
			workers = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--acct-spool") == 0 && i + 1 < argc)
			spool = argv[++i];
		else if (argv[i][0] != '-' && !script)
			script = argv[i];
		else
			usage();
	}
	if (!conf)
		usage();
	if (log_init("radius_probe") < 0) {
		fprintf(stderr, "radius_probe: log: %s\n", strerror(errno));
		return 2;
	}
	if (script && !(in = fopen(script, "r"))) {
		fprintf(stderr, "radius_probe: %s: %s\n", script, strerror(errno));
		return 2;
	}
	p.base = event_base_new();
	zctx = zmq_ctx_new();
	if (radius_open(&p.r, p.base, zctx, conf, workers, spool, err, sizeof(err)) < 0) {
		fprintf(stderr, "radius_probe: %s\n", err);
		return 2;
	}
	p.tick = event_new(p.base, -1, EV_PERSIST, on_tick, &p);
	event_add(p.tick, &tick);
	line = malloc(LINE_MAX_LEN);
	while (line && fgets(line, LINE_MAX_LEN, in))
		if (command(&p, line) < 0) {
			rc = 2;
			break;
		}
	while (p.pending)
		run_for(&p, TICK_MS);
	{
		const struct radius_stats *s = radius_stats(p.r);

		printf("stats auth_requests=%llu auth_timeouts=%llu acct_requests=%llu acct_accepts=%llu "
		       "acct_timeouts=%llu acct_spooled=%llu acct_unspooled=%llu acct_lost=%llu spool=%zu "
		       "loop_max_gap_ms=%lld\n",
		       (unsigned long long)s->auth.requests, (unsigned long long)s->auth.timeouts,
		       (unsigned long long)s->acct.requests, (unsigned long long)s->acct.accepts,
		       (unsigned long long)s->acct.timeouts, (unsigned long long)s->acct_spooled,
		       (unsigned long long)s->acct_unspooled, (unsigned long long)s->acct_lost,
		       radius_spool_size(p.r), (long long)p.max_gap_ms);
	}
	fflush(stdout);
	radius_close(p.r);
	event_free(p.tick);
	free(line);
	if (in != stdin)
		fclose(in);
	zmq_ctx_term(zctx);
	event_base_free(p.base);
	log_close();
	return rc;
}
