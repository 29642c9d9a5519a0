/*
 * sip_param.h - ";name[=value]" parameter lists (RFC 3261 §25.1
 * generic-param and uri-parameter).
 *
 * Parsers keep parameters as one raw slice (starting at the first ';')
 * and look single ones up on demand: most messages never ask for most
 * parameters, so splitting them eagerly would be wasted work.
 *
 * The lookup grammar is the lenient union of the two forms: SWS allowed
 * around ';' and '=' (header parameters), names of token or paramchar
 * bytes, values of token/host bytes or a quoted-string. A URI's parameter
 * list was already checked strictly by sip_uri_parse(); a header's by the
 * header parser, so a lookup on a parsed message never meets a malformed
 * list.
 */
#ifndef TANDEM_SIP_PARAM_H
#define TANDEM_SIP_PARAM_H

#include <stdbool.h>

#include "pl.h"

struct sip_param {
	struct pl name;   /* as written (compare case-insensitively) */
	struct pl value;  /* as written; a quoted-string keeps its quotes;
	                     empty slice when there is no "=" */
	bool has_value;   /* "name=value" rather than "name" */
	bool value_token; /* the value is a non-empty token (checked while
	                     scanning, so tag/branch checks cost nothing) */
};

/*
 * The next parameter of *rest, advancing *rest past it. Returns 1 with *p
 * filled, 0 at the end of the list, -1 if the list is malformed (*rest is
 * then left where the fault is).
 */
int sip_param_next(struct pl *rest, struct sip_param *p);

/*
 * Header parameters: *( SEMI generic-param ), gen-value = token / host /
 * quoted-string. True when the whole slice is such a list (empty is).
 */
bool sip_params_valid(struct pl params);

/*
 * The first parameter called name (case-insensitive) in a ";name[=value]"
 * list. value and has_value may be NULL. False when absent (or when the
 * list turns malformed before it is found).
 */
bool sip_param_get(struct pl params, const char *name, struct pl *value, bool *has_value);

/* Convenience: present, with or without a value. */
bool sip_param_has(struct pl params, const char *name);

#endif
