/*
 * transform.h - Sippy's pre_auth_proc and po_proc routines
 * (sippy/B2B/Transforms.py), written `Name[argument]`:
 *
 *   Nop[anything]                  does nothing (either place)
 *   HDR2Xattrs[Header-Name]        pre_auth_proc (-x): every instance of the
 *                                  header in the INVITE is split on ';' into
 *                                  key=value pairs that go into the RADIUS
 *                                  auth request (empty values skipped)
 *   VAL2Xattrs[k1=v1,k2=v2]        po_proc (route): the pairs go into both
 *   VAL2XattrsA[...]               accounting records of the attempt, the
 *   VAL2XattrsO[...]               answer leg's only, the originate leg's only
 *
 * The parser is a codec: slices of the caller's text, no allocation, errors
 * as values. Applying appends name/value strings to an avlist through a
 * caller's function (ccd's attribute naming rules, aaa_add(), live with
 * the RADIUS code); the lists are the raw "extra attributes", formatted
 * when the request or record is built.
 */
#ifndef TANDEM_TRANSFORM_H
#define TANDEM_TRANSFORM_H

#include <stdbool.h>
#include <stddef.h>

#include "avlist.h"
#include "ccd_config.h"
#include "pl.h"

#define TRANSFORM_PAIRS_MAX	16	/* VAL2Xattrs pairs */

struct transform_pair {
	struct pl key, value;
};

struct transform {
	enum transform_kind kind;
	struct pl header;	/* HDR2Xattrs: the header name */
	struct transform_pair pair[TRANSFORM_PAIRS_MAX];	/* VAL2Xattrs* */
	unsigned n_pairs;
};

/* Appends one attribute; 0 or -1 (refused: list full, unknown name...). */
typedef int (*transform_add_fn)(struct avlist *l, const char *name, const char *value);

/* "Name[argument]" -> name, argument. Returns 0, or -1 when spec is not of
 * that form (no '[', no name, or not ending in ']'). */
int transform_split(struct pl spec, struct pl *name, struct pl *arg);

/*
 * Parses a routine for its place: pre_auth (-x) takes Nop and HDR2Xattrs,
 * otherwise (a route's po_proc) Nop and VAL2Xattrs*. t's slices point into
 * name and arg. Returns 0, or -1 with a one-line reason in err.
 */
int transform_parse(struct transform *t, struct pl name, struct pl arg, bool pre_auth, char *err,
		    size_t errsz);
/* transform_split() + transform_parse(). */
int transform_parse_spec(struct transform *t, struct pl spec, bool pre_auth, char *err, size_t errsz);

/*
 * HDR2Xattrs: one instance of the header, its value as received. Each
 * ';'-separated key=value (trimmed) with a non-empty value is appended to l
 * with add (avlist_add when NULL). Pairs that are malformed, too long or
 * hold control characters, and pairs add refuses, are skipped: the value
 * comes from the network. Returns the number appended (0 for another kind).
 */
int transform_hdr2xattrs(const struct transform *t, struct pl value, struct avlist *l, transform_add_fn add);

/*
 * VAL2Xattrs / VAL2XattrsA / VAL2XattrsO: appends the pairs to answer
 * and/or originate (either may be NULL to skip that leg), leaving out a
 * pair the list already holds (same name, case-insensitive, and value), as
 * Sippy does. Returns the number appended, or -1 if add refused a pair
 * (the pairs before it stay).
 */
int transform_val2xattrs(const struct transform *t, struct avlist *answer, struct avlist *originate,
			 transform_add_fn add);

#endif
