/*
 * avlist.h - a list of RADIUS attribute-value pairs by name, the one form
 * in which requests, replies and accounting records travel inside ccd.
 *
 * Names are radcli dictionary names ("User-Name", "Cisco-AVPair",
 * "h323-setup-time", "Digest-Realm"); values are the exact strings sent
 * or received, already in Sippy's encoding (a Cisco VSA value carries its
 * "name=" prefix, aaa_attrs.h). The list is a plain value: fixed size, no
 * pointers, so a job can be copied to a RADIUS worker thread or into the
 * accounting spool as it is. Only the radius room (radius.h) knows radcli.
 */
#ifndef TANDEM_CCD_AVLIST_H
#define TANDEM_CCD_AVLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "pl.h"

#define AV_NAME_MAX	48	/* longest dictionary name we use, plus room */
#define AV_VALUE_MAX	253	/* RADIUS string attribute maximum (RFC 2865) */
#define AVLIST_MAX	48	/* pairs per request or record */

struct av {
	char name[AV_NAME_MAX + 1];
	char value[AV_VALUE_MAX + 1];
};

struct avlist {
	unsigned n;
	struct av a[AVLIST_MAX];
};

void avlist_init(struct avlist *l);
/* Appends a pair. Returns 0, or -1 when the list is full, the name is
 * empty or too long, or the value too long (nothing is appended). */
int avlist_add(struct avlist *l, const char *name, const char *value);
/* avlist_add() with a printf-formatted value. */
int avlist_addf(struct avlist *l, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Appends every pair of src. Returns 0 or -1 (l unchanged past its old end
 * is not promised: pairs that fitted stay). */
int avlist_extend(struct avlist *l, const struct avlist *src);
/* The value of the first pair named name (case-insensitive) at or after
 * *from; *from is set past it, so a loop visits every instance. NULL when
 * there is none. from may be NULL (search from the start). */
const char *avlist_find(const struct avlist *l, const char *name, unsigned *from);

/* The call a request or record belongs to, for log lines: its
 * Acct-Session-Id, or the Cisco-AVPair "call-id=..." (Sippy's). */
struct pl avlist_call_id(const struct avlist *l);

#endif
