/*
 * sip_uri.h - SIP, SIPS and tel URIs (RFC 3261 §19.1, §25.1; RFC 3966).
 *
 * Parses in place into slices of the caller's text. Escaped characters
 * (%XX) are left escaped in every slice: comparison rules (RFC 3261
 * §19.1.4) and re-serialisation both want the original bytes, and
 * unescaping would need a copy. Other schemes are accepted with their
 * scheme and opaque remainder so that a Request-URI like "im:..." can be
 * answered with 416 rather than 400.
 */
#ifndef TANDEM_SIP_URI_H
#define TANDEM_SIP_URI_H

#include <stdbool.h>
#include <stdint.h>

#include "pl.h"
#include "sip_host.h"

enum sip_uri_scheme {
	SIP_URI_SIP,
	SIP_URI_SIPS,
	SIP_URI_TEL,
	SIP_URI_OTHER,
};

struct sip_uri {
	enum sip_uri_scheme scheme;
	struct pl scheme_pl;   /* scheme as written, without ':' */
	struct pl user;        /* sip/sips: user (may be a telephone-subscriber,
	                          may contain ';'); tel: the number; else unset */
	struct pl password;    /* after "user:"; unset when absent */
	struct pl host;        /* IPv6 references keep their brackets; unset for
	                          tel and other schemes */
	enum sip_host_type host_type;
	bool host_ipv6;        /* host is an IPv6 reference ("[...]") */
	struct pl port_pl;     /* port digits as written; unset when absent */
	uint16_t port;         /* 1..65535, 0 when absent */
	struct pl params;      /* ";a=b;lr" including the first ';', empty when
	                          none (sip/sips/tel) */
	struct pl headers;     /* after '?', without it; empty when none */
	struct pl opaque;      /* everything after "scheme:" (all schemes) */
};

/*
 * Parse a complete URI (no surrounding LWS, no angle brackets).
 * Returns 0, or -1 if it is not a valid URI of its scheme; *u is then
 * unspecified.
 */
int sip_uri_parse(struct pl s, struct sip_uri *u);

/* Convenience lookups in u->params (see sip_param_get()). */
bool sip_uri_param(const struct sip_uri *u, const char *name, struct pl *value);
/* ";lr" present (loose routing, RFC 3261 §16.12.1.1). */
bool sip_uri_has_lr(const struct sip_uri *u);

#endif
