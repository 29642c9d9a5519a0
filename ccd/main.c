/*
 * ccd - the call-control daemon: one call controller per call between the
 * legs that sigd nodes own. See docs/ARCHITECTURE.md.
 */
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "ccd_config.h"
#include "daemon.h"
#include "log.h"

struct ccd {
	struct ccd_config cfg;
	struct event_base *base;
	void *zctx;
	void *router;
	struct event *sig_ev[3];
};

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct ccd *cd = arg;

	(void)what;
	if (sig == SIGUSR1) {
		log_reopen();
		if (!cd->cfg.foreground)
			daemon_reopen_stdio(cd->cfg.logfile);
		return;
	}
	LOGI(PL_NULL, "signal %d: exiting", (int)sig);
	event_base_loopbreak(cd->base);
}

static void fail(const char *fmt, const char *detail)
{
	fprintf(stderr, "ccd: ");
	fprintf(stderr, fmt, detail);
	fputc('\n', stderr);
	exit(1);
}

int main(int argc, char **argv)
{
	static struct ccd cd;
	static const int sigs[] = { SIGINT, SIGTERM, SIGUSR1 };
	char err[256];
	int linger = 200;

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

	/* ZeroMQ's I/O threads do not survive fork(): detach first, but try the
	 * bind before, so a bad endpoint still reaches whoever started us. */
	if (!cd.cfg.foreground) {
		void *probe_ctx = zmq_ctx_new(), *probe = zmq_socket(probe_ctx, ZMQ_ROUTER);
		int probe_rc;

		zmq_setsockopt(probe, ZMQ_LINGER, &linger, sizeof(linger));
		probe_rc = zmq_bind(probe, cd.cfg.bind);
		snprintf(err, sizeof(err), "cannot bind %s: %s", cd.cfg.bind, zmq_strerror(zmq_errno()));
		zmq_close(probe);
		zmq_ctx_term(probe_ctx);
		if (probe_rc < 0)
			fail("%s", err);
		if (daemon_detach(cd.cfg.logfile, cd.cfg.pidfile, err, sizeof(err)) < 0)
			fail("%s", err);
	}
	cd.zctx = zmq_ctx_new();
	cd.router = zmq_socket(cd.zctx, ZMQ_ROUTER);
	/* A bounded linger: the default (-1) makes zmq_ctx_term() wait forever
	 * for a peer that will never read. */
	zmq_setsockopt(cd.router, ZMQ_LINGER, &linger, sizeof(linger));
	if (zmq_bind(cd.router, cd.cfg.bind) < 0) {
		snprintf(err, sizeof(err), "cannot bind %s: %s", cd.cfg.bind, zmq_strerror(zmq_errno()));
		fail("%s", err);
	}
	if (cd.cfg.foreground && cd.cfg.pidfile && daemon_pidfile_open(cd.cfg.pidfile, err, sizeof(err)) < 0)
		fail("%s", err);
	signal(SIGPIPE, SIG_IGN);

	cd.base = event_base_new();
	if (!cd.base)
		fail("%s", "cannot create the event loop");
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		cd.sig_ev[i] = evsignal_new(cd.base, sigs[i], on_signal, &cd);
		event_add(cd.sig_ev[i], NULL);
	}
	LOGI(PL_NULL, "ccd %s bound to %s, static route %s", TANDEM_VERSION, cd.cfg.bind,
	     cd.cfg.static_route);

	event_base_dispatch(cd.base);

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		event_free(cd.sig_ev[i]);
	zmq_close(cd.router);
	zmq_ctx_term(cd.zctx);
	event_base_free(cd.base);
	log_close();
	return 0;
}
