/*
 * ccd - the call-control daemon: one call controller per call between the
 * legs that sigd nodes own. See docs/ARCHITECTURE.md and ccd.h.
 */
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <zmq.h>

#include "call.h"
#include "ccd.h"
#include "ccd_config.h"
#include "control.h"
#include "daemon.h"
#include "drain.h"
#include "log.h"
#include "media.h"
#include "radius.h"
#include "metrics_ccd.h"
#include "nodes.h"
#include "route.h"
#include "sched_rt.h"
#include "zlink.h"

static void fail(const char *fmt, const char *detail)
{
	fprintf(stderr, "ccd: ");
	fprintf(stderr, fmt, detail);
	fputc('\n', stderr);
	exit(1);
}

static void static_route(struct ccd *cd)
{
	struct route_error rerr;
	char err[256];

	if (!cd->cfg.static_route)
		return;
	cd->static_route_set = true;

	if (route_parse(&cd->static_route, pl_from_str(cd->cfg.static_route), &rerr) < 0) {
		snprintf(err, sizeof(err), "invalid static route '%.64s': %s", cd->cfg.static_route, rerr.reason);
		fail("%s", err);
	}
	if (route_resolve(&cd->static_route, err, sizeof(err)) < 0)
		fail("static route: %s", err);
}

/*
 * ZeroMQ's I/O threads do not survive fork(), so the real socket is made
 * after detaching. A bind that would fail (address in use or not ours) is
 * still reported to whoever started us: a throw-away context tries it
 * first, in the parent.
 */
static void probe_bind(const char *endpoint)
{
	void *ctx = zmq_ctx_new(), *s = ctx ? zmq_socket(ctx, ZMQ_ROUTER) : NULL;
	int linger = 0, rc;
	char err[256];

	if (!s)
		fail("%s", "cannot create a ZeroMQ context");
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
	rc = zmq_bind(s, endpoint);
	snprintf(err, sizeof(err), "cannot bind %s: %s", endpoint, zmq_strerror(zmq_errno()));
	zmq_close(s);
	zmq_ctx_term(ctx);
	if (rc < 0)
		fail("%s", err);
}

static uint64_t random_instance(void)
{
	uint64_t v = 0;

	while (v == 0)
		if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
			fail("%s", "getrandom failed");
	return v;
}

int main(int argc, char **argv)
{
	static struct ccd cd;
	struct daemon_life *life;
	char err[256];

	switch (ccd_config_parse(&cd.cfg, argc, argv, err, sizeof(err))) {
	case CCD_CONFIG_OK:
		break;
	case CCD_CONFIG_EXIT_OK:
		return 0;
	case CCD_CONFIG_ERROR:
		fail("%s", err);
	}
	if (log_init("ccd") < 0)
		fail("cannot open log file: %s", getenv("SIPLOG_LOGFILE_FILE"));
	static_route(&cd);
	if (!cd.cfg.foreground) {
		probe_bind(cd.cfg.bind);
		if (daemon_detach(cd.cfg.logfile, cd.cfg.pidfile, err, sizeof(err)) < 0)
			fail("%s", err);
	} else if (cd.cfg.pidfile && daemon_pidfile_open(cd.cfg.pidfile, err, sizeof(err)) < 0) {
		fail("%s", err);
	}
	signal(SIGPIPE, SIG_IGN);
	if (cd.cfg.zmq_cpus_set && cpu_affinity_check(&cd.cfg.zmq_cpus, "--zmq-cpu", err, sizeof(err)) < 0)
		fail("%s", err);
	/* Before any thread starts, so that every one inherits it. */
	if (cd.cfg.cpus_set && cpu_affinity_apply(&cd.cfg.cpus, err, sizeof(err)) < 0)
		fail("%s", err);
	if (cd.cfg.rt_prio && rt_prio_apply((int)cd.cfg.rt_prio, err, sizeof(err)) < 0)
		fail("%s", err);

	cd.instance = random_instance();
	cd.heartbeat_ms = CCD_HEARTBEAT_MS;
	cd.linger_ms = CCD_LINGER_MS;
	cd.base = event_base_new();
	cd.zctx = zmq_ctx_new();
	if (!cd.base || !cd.zctx)
		fail("%s", "cannot create the event loop");
	if (cd.cfg.zmq_cpus_set && zlink_ctx_set_cpus(cd.zctx, &cd.cfg.zmq_cpus, err, sizeof(err)) < 0)
		fail("%s", err);
	if (getrandom(cd.nonce_secret, sizeof(cd.nonce_secret), 0) != (ssize_t)sizeof(cd.nonce_secret))
		fail("%s", "getrandom failed");
	if (calls_init(&cd) < 0)
		fail("%s", "no memory for the call table");
	/* RADIUS (radius.h): authorisation unless -u, accounting unless -A 0.
	 * With -u and no -R, ccd is Sippy's b2bua_simple: no AAA at all. */
	if (cd.cfg.auth_disabled && !cd.cfg.radius_conf)
		cd.cfg.acct_level = 0;
	if ((!cd.cfg.auth_disabled || cd.cfg.acct_level > 0) &&
	    radius_open(&cd.radius, cd.base, cd.zctx, cd.cfg.radius_conf, cd.cfg.radius_workers, cd.cfg.acct_spool,
			err, sizeof(err)) < 0)
		fail("%s", err);
	if (nodes_open(&cd, err, sizeof(err)) < 0)
		fail("%s", err);
	/* RTP proxies (-r) for the media relay: media.h. */
	if (media_open(&cd, err, sizeof(err)) < 0)
		fail("%s", err);
	/* The control socket (-c) and the metrics endpoint (--metrics). */
	if (control_open(&cd, err, sizeof(err)) < 0 || metrics_ccd_open(&cd, err, sizeof(err)) < 0)
		fail("%s", err);
	/* Signals (drain on SIGTERM) and systemd's READY/WATCHDOG: drain.h. */
	if (!(life = ccd_life_new(&cd)))
		fail("%s", "cannot set up signal handling");
	LOGI(PL_NULL, "ccd %s bound to %s, instance %016llx, %s%s, accounting %s", TANDEM_VERSION, cd.cfg.bind,
	     (unsigned long long)cd.instance, cd.cfg.static_route ? "static route " : "routes from RADIUS",
	     cd.cfg.static_route ? cd.cfg.static_route : "",
	     cd.cfg.acct_level == 2 ? "Start+Stop" : cd.cfg.acct_level == 1 ? "Stop" : "off");

	event_base_dispatch(cd.base);

	LOGI(PL_NULL, "calls: %llu total, %llu active at exit", (unsigned long long)cd.stats.calls_total,
	     (unsigned long long)cd.stats.calls_active);
	metrics_ccd_close(&cd);
	control_close(&cd);
	calls_free(&cd);
	radius_close(cd.radius);
	media_close(&cd);
	nodes_close(&cd);
	daemon_life_free(life);
	zmq_ctx_term(cd.zctx);
	event_base_free(cd.base);
	log_close();
	ccd_config_free(&cd.cfg);
	return 0;
}
