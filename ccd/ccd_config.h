/*
 * ccd_config.h - ccd's command line, parsed once into a typed struct.
 *
 * The letters and meanings are Sippy b2bua_radius's, so an operator's
 * existing command line keeps working; --bind adds the ZeroMQ endpoint the
 * sigd nodes connect to. `ccd -u -s host[:port]` (or `-n host[:port]`) is
 * Sippy's b2bua_simple.
 */
#ifndef TANDEM_CCD_CONFIG_H
#define TANDEM_CCD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define CCD_DEFAULT_BIND "tcp://127.0.0.1:5555"
#define CCD_DEFAULT_DRAIN_S	30
#define CCD_MAX_DRAIN_S		86400
#define CCD_RTPP_MAX		16	/* -r RTP proxies */
#define CCD_MAX_RTPP_S		86400	/* --rtpp-retry, --rtpp-check */

struct ccd_config {
	bool foreground;		/* -f */
	const char *logfile;		/* -L */
	const char *pidfile;		/* -P */
	const char *bind;		/* --bind: ZeroMQ ROUTER endpoint */
	bool auth_disabled;		/* -u: no RADIUS authorisation */
	const char *static_route;	/* -s (alias -n): Sippy routing string */
	const char *control;		/* -c: control socket, Sippy's b2bua_socket
					   (unix:path, a bare path, tcp:host[:port]);
					   NULL = none */
	const char *metrics;		/* --metrics host:port: Prometheus endpoint */
	unsigned drain_s;		/* --drain: after SIGTERM, calls may go on this long */
	/* RTP proxies (media.h): -r specs (argv), checked at parse time. */
	const char *rtpp[CCD_RTPP_MAX];
	unsigned n_rtpp;
	unsigned rtpp_retry_s;		/* --rtpp-retry: V of an offline proxy; 0 = 60 */
	unsigned rtpp_check_s;		/* --rtpp-check: V of an online proxy; 0 = 10 */
	const char *rtpp_notify;	/* --rtpp-notify host:port: rtpengine's media timeouts */
};

enum ccd_config_result {
	CCD_CONFIG_OK,
	CCD_CONFIG_EXIT_OK,
	CCD_CONFIG_ERROR,
};

enum ccd_config_result ccd_config_parse(struct ccd_config *cfg, int argc, char **argv,
					char *err, size_t errsz);

#endif
