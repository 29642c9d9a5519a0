/*
 * sigd - the signaling daemon: SIP transports, parser, transactions, one
 * UA state machine per call leg. See docs/ARCHITECTURE.md.
 */
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "daemon.h"
#include "log.h"
#include "sigd_config.h"
#include "udp.h"

struct sigd {
	struct sigd_config cfg;
	struct event_base *base;
	struct sigd_udp udp;
	struct event *udp_ev[SIGD_UDP_MAX_SOCKETS];
	struct event *sig_ev[3];
	unsigned long datagrams_in;
};

/* Until the SIP receive path lands, datagrams are drained and counted so
 * the socket never fills up. */
static void on_udp_readable(evutil_socket_t fd, short what, void *arg)
{
	struct sigd *sd = arg;
	char buf[65536];

	(void)what;
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		sd->datagrams_in++;
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct sigd *sd = arg;

	(void)what;
	if (sig == SIGUSR1) {
		log_reopen();
		if (!sd->cfg.foreground)
			daemon_reopen_stdio(sd->cfg.logfile);
		return;
	}
	LOGI(PL_NULL, "signal %d: exiting", (int)sig);
	event_base_loopbreak(sd->base);
}

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
	static const int sigs[] = { SIGINT, SIGTERM, SIGUSR1 };
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

	sd.base = event_base_new();
	if (!sd.base)
		fail("%s", "cannot create the event loop");
	for (int i = 0; i < sd.udp.nfd; i++) {
		sd.udp_ev[i] = event_new(sd.base, sd.udp.fd[i], EV_READ | EV_PERSIST, on_udp_readable, &sd);
		event_add(sd.udp_ev[i], NULL);
	}
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sd.sig_ev[i] = evsignal_new(sd.base, sigs[i], on_signal, &sd);
		event_add(sd.sig_ev[i], NULL);
	}
	LOGI(PL_NULL, "sigd %s node %s listening on %s:%u, ccd at %s", TANDEM_VERSION, sd.cfg.node_id,
	     sd.cfg.listen_addr ? sd.cfg.listen_addr : "*", sd.cfg.port, sd.cfg.ccd_endpoint);

	event_base_dispatch(sd.base);

	for (int i = 0; i < sd.udp.nfd; i++)
		event_free(sd.udp_ev[i]);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		event_free(sd.sig_ev[i]);
	sigd_udp_close(&sd.udp);
	event_base_free(sd.base);
	log_close();
	return 0;
}
