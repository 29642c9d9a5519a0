/*
 * sigd - the signaling daemon: SIP transports, parser, transactions, one
 * UA state machine per call leg. See docs/ARCHITECTURE.md.
 *
 * main() only wires the rooms together, in the order each needs the
 * previous one: sockets, event loop, transport, transactions, legs, the
 * link to ccd; and takes them down in reverse.
 */
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

#include "cpu_affinity.h"
#include "daemon.h"
#include "dispatch.h"
#include "drain.h"
#include "leg.h"
#include "link.h"
#include "log.h"
#include "metrics_sigd.h"
#include "overload.h"
#include "sched_rt.h"
#include "sigd.h"
#include "transport.h"
#include "tsx.h"

static void fail(const char *fmt, const char *detail)
{
	fprintf(stderr, "sigd: ");
	fprintf(stderr, fmt, detail);
	fputc('\n', stderr);
	exit(1);
}

int main(int argc, char **argv)
{
	static struct sigd sd;
	struct daemon_life *life;
	char err[256];

	switch (sigd_config_parse(&sd.cfg, argc, argv, err, sizeof(err))) {
	case SIGD_CONFIG_OK:
		break;
	case SIGD_CONFIG_EXIT_OK:
		return 0;
	case SIGD_CONFIG_ERROR:
		fail("%s", err);
	}
	if (log_init("sigd") < 0)
		fail("cannot open log file: %s", getenv("SIPLOG_LOGFILE_FILE"));
	if (sigd_udp_open(&sd.udp, sd.cfg.listen_addr, sd.cfg.port, err, sizeof(err)) < 0)
		fail("%s", err);
	/* Sockets are bound before detaching so a busy port is reported to
	 * whoever started us, not only to a log file. */
	if (!sd.cfg.foreground && daemon_detach(sd.cfg.logfile, sd.cfg.pidfile, err, sizeof(err)) < 0)
		fail("%s", err);
	if (sd.cfg.foreground && sd.cfg.pidfile && daemon_pidfile_open(sd.cfg.pidfile, err, sizeof(err)) < 0)
		fail("%s", err);
	signal(SIGPIPE, SIG_IGN);
	if (sd.cfg.zmq_cpus_set && cpu_affinity_check(&sd.cfg.zmq_cpus, "--zmq-cpu", err, sizeof(err)) < 0)
		fail("%s", err);
	/* Before any thread starts, so that every one inherits it. */
	if (sd.cfg.cpus_set && cpu_affinity_apply(&sd.cfg.cpus, err, sizeof(err)) < 0)
		fail("%s", err);
	if (sd.cfg.rt_prio && rt_prio_apply((int)sd.cfg.rt_prio, err, sizeof(err)) < 0)
		fail("%s", err);
	if (getrandom(&sd.instance, sizeof(sd.instance), 0) != sizeof(sd.instance))
		sd.instance = (uint64_t)sigd_now_us();

	sd.base = event_base_new();
	if (!sd.base || event_base_priority_init(sd.base, 2) < 0)
		fail("%s", "cannot create the event loop");
	if (transport_init(&sd) < 0)
		fail("%s", "cannot set up the UDP transport");
	/* T4 stays at RFC 3261's 5 s: it bounds how long the network keeps a
	 * message, which does not shrink with a faster round trip. */
	const struct tsx_timers timers = { .t1_ms = sd.cfg.t1_ms, .t2_ms = sd.cfg.t2_ms, .t4_ms = 5000 };
	if (tsx_layer_init(&sd, &sigd_dispatch_ops, &timers) < 0)
		fail("%s", "cannot set up the transaction layer");
	if (legs_init(&sd) < 0)
		fail("%s", "cannot set up the call legs");
	legs_set_max(&sd, sd.cfg.max_legs);
	struct leg_timers leg_tm = *legs_timers(&sd);
	leg_tm.t1_ms = sd.cfg.t1_ms;
	leg_tm.t2_ms = sd.cfg.t2_ms;
	leg_tm.linger_ms = 64 * sd.cfg.t1_ms;
	legs_set_timers(&sd, &leg_tm);
	if (overload_init(&sd) < 0)
		fail("%s", "cannot set up the overload control");
	if (link_init(&sd) < 0)
		fail("cannot set up the link to ccd at %s", sd.cfg.ccd_endpoint);
	if (metrics_sigd_open(&sd, err, sizeof(err)) < 0)
		fail("%s", err);
	/* Signals (drain on SIGTERM) and systemd's READY/WATCHDOG: drain.h. */
	if (!(life = sigd_life_new(&sd)))
		fail("%s", "cannot set up signal handling");
	LOGI(PL_NULL, "sigd %s node %s listening on %s:%u, ccd at %s", TANDEM_VERSION, sd.cfg.node_id,
	     sd.cfg.listen_addr ? sd.cfg.listen_addr : "*", sd.cfg.port, sd.cfg.ccd_endpoint);

	event_base_dispatch(sd.base);

	metrics_sigd_close(&sd);
	link_free(&sd);
	legs_free(&sd);
	overload_free(&sd);
	tsx_layer_free(&sd);
	transport_free(&sd);
	daemon_life_free(life);
	sigd_udp_close(&sd.udp);
	event_base_free(sd.base);
	log_close();
	return 0;
}
