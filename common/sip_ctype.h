/*
 * sip_ctype.h - Content-Type values (RFC 3261 §20.15, media-type of
 * §25.1): what kind of body a message carries ("application/sdp",
 * "multipart/mixed;boundary=x").
 */
#ifndef TANDEM_SIP_CTYPE_H
#define TANDEM_SIP_CTYPE_H

#include <stdbool.h>

#include "pl.h"

struct sip_ctype {
	struct pl type;       /* "application" (compare case-insensitively) */
	struct pl subtype;    /* "sdp" */
	struct pl params;     /* ";boundary=x", from the first ';'; may be empty */
};

/* Parse a Content-Type value. Returns 0, or -1 if malformed. */
int sip_ctype_parse(struct pl value, struct sip_ctype *ct);

/* Type and subtype equal these, ignoring case: ("application", "sdp"). */
bool sip_ctype_is(const struct sip_ctype *ct, const char *type, const char *subtype);

#endif
