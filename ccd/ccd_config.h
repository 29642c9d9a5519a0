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

struct ccd_config {
	bool foreground;		/* -f */
	const char *logfile;		/* -L */
	const char *pidfile;		/* -P */
	const char *bind;		/* --bind: ZeroMQ ROUTER endpoint */
	bool auth_disabled;		/* -u: no RADIUS authorisation */
	const char *static_route;	/* -s (alias -n): Sippy routing string */
};

enum ccd_config_result {
	CCD_CONFIG_OK,
	CCD_CONFIG_EXIT_OK,
	CCD_CONFIG_ERROR,
};

enum ccd_config_result ccd_config_parse(struct ccd_config *cfg, int argc, char **argv,
					char *err, size_t errsz);

#endif
