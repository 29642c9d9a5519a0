/*
 * sip_addr.h - name-addr / addr-spec with header parameters (RFC 3261
 * §20.10, §20.20, §20.39, §25.1): the value shape of From, To, Contact,
 * Route, Record-Route, Reply-To, Refer-To, P-Asserted-Identity...
 *
 *   name-addr = [ display-name ] LAQUOT addr-spec RAQUOT
 *   display-name = *(token LWS) / quoted-string
 *
 * Without angle brackets the URI ends at the first ';' and every
 * parameter belongs to the header (§20.10: a URI with ',', '?' or ';'
 * must be bracketed).
 */
#ifndef TANDEM_SIP_ADDR_H
#define TANDEM_SIP_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "pl.h"
#include "sip_uri.h"

struct sip_addr {
	struct pl display;     /* display name as written, trimmed; a quoted
	                          one keeps its quotes and escapes; empty
	                          (but set) when absent */
	bool display_quoted;   /* display is a quoted-string */
	bool angle;            /* name-addr form: the URI was in <...> */
	struct pl uri_pl;      /* the URI text, without the brackets */
	struct sip_uri uri;    /* uri_pl parsed */
	struct pl params;      /* header parameters from the first ';', empty
	                          when none */
	struct pl tag;         /* value of the tag parameter; unset when absent */
};

/*
 * Parse one header value (one element of a comma-split list). Returns 0,
 * or -1 when the value is not a valid name-addr / addr-spec followed by
 * generic parameters, or carries a "tag" without a token value.
 */
int sip_addr_parse(struct pl value, struct sip_addr *a);

/* "Contact: *" (RFC 3261 §10.2.2): the value is exactly "*". */
bool sip_addr_is_star(struct pl value);

/*
 * The content of a quoted-string (quotes included in q) with quoted-pairs
 * resolved, NUL-terminated into dst. Returns its length, or -1 when q is
 * not one well-formed quoted-string or dst is too small (dst then holds
 * an empty string if dstsz > 0).
 */
ssize_t sip_quoted_unescape(struct pl q, char *dst, size_t dstsz);

#endif
