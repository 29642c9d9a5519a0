/*
 * transform.c - pre_auth_proc / po_proc routines (see transform.h).
 */
#include "transform.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sip_char.h"

/* Quotes at most this many bytes of the spec in an error. */
#define QUOTE_MAX 48

/* err = "<what> '<printable quote of near>'" */
static int fail(char *err, size_t errsz, const char *what, struct pl near)
{
	char q[QUOTE_MAX + 4];
	size_t n = 0;

	if (!err || !errsz)
		return -1;
	for (size_t i = 0; i < near.l && n < QUOTE_MAX; i++) {
		unsigned char c = (unsigned char)near.p[i];
		q[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (near.l > QUOTE_MAX) {
		memcpy(q + n, "...", 3);
		n += 3;
	}
	q[n] = '\0';
	snprintf(err, errsz, "%s '%s'", what, q);
	return -1;
}

static int failf(char *err, size_t errsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int failf(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (err && errsz) {
		va_start(ap, fmt);
		vsnprintf(err, errsz, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Attribute names: printable, no space, no '=' (it would end the name in
 * a Cisco AVPair) and short enough for the list. */
static bool valid_name(struct pl k)
{
	if (k.l == 0 || k.l > AV_NAME_MAX)
		return false;
	for (size_t i = 0; i < k.l; i++) {
		unsigned char c = (unsigned char)k.p[i];
		if (c <= 0x20 || c >= 0x7f || c == '=')
			return false;
	}
	return true;
}

/* Values are sent as RADIUS strings: anything but control characters. */
static bool valid_value(struct pl v)
{
	if (v.l == 0 || v.l > AV_VALUE_MAX)
		return false;
	for (size_t i = 0; i < v.l; i++) {
		unsigned char c = (unsigned char)v.p[i];
		if (c < 0x20 || c == 0x7f)
			return false;
	}
	return true;
}

int transform_split(struct pl spec, struct pl *name, struct pl *arg)
{
	const char *open = spec.p ? pl_chr(spec, '[') : NULL;

	if (!open || open == spec.p || spec.p[spec.l - 1] != ']' || open == spec.p + spec.l - 1)
		return -1;
	*name = pl_until(spec, open);
	*arg = pl_from(open + 1, (size_t)(spec.p + spec.l - 1 - (open + 1)));
	return 0;
}

static int parse_hdr2xattrs(struct transform *t, struct pl arg, char *err, size_t errsz)
{
	if (arg.l == 0)
		return fail(err, errsz, "HDR2Xattrs needs a header name:", arg);
	if (arg.l > CCD_HEADER_NAME_MAX)
		return fail(err, errsz, "HDR2Xattrs header name is too long:", arg);
	if (!sip_all(arg, SIP_C_TOKEN))
		return fail(err, errsz, "HDR2Xattrs header name is not a SIP token:", arg);
	t->header = arg;
	return 0;
}

/* "k1=v1,k2=v2": Sippy splits on ',' and then on the first '='. */
static int parse_pairs(struct transform *t, struct pl arg, char *err, size_t errsz)
{
	struct pl rest = arg;

	if (arg.l == 0)
		return fail(err, errsz, "VAL2Xattrs needs key=value pairs:", arg);
	for (;;) {
		const char *comma = pl_chr(rest, ',');
		struct pl kv = comma ? pl_until(rest, comma) : rest;
		const char *eq = pl_chr(kv, '=');
		struct pl k, v;

		if (!eq)
			return fail(err, errsz, "VAL2Xattrs pair has no '=':", kv);
		k = pl_trim(pl_until(kv, eq));
		v = pl_trim(pl_after(kv, eq + 1));
		if (k.l == 0)
			return fail(err, errsz, "VAL2Xattrs pair has an empty name:", kv);
		if (!valid_name(k))
			return fail(err, errsz, "VAL2Xattrs bad attribute name:", k);
		if (v.l == 0)
			return fail(err, errsz, "VAL2Xattrs pair has an empty value:", kv);
		if (!valid_value(v))
			return fail(err, errsz, "VAL2Xattrs bad attribute value:", v);
		if (t->n_pairs == TRANSFORM_PAIRS_MAX)
			return failf(err, errsz, "VAL2Xattrs has too many pairs (at most %d)", TRANSFORM_PAIRS_MAX);
		t->pair[t->n_pairs++] = (struct transform_pair){ k, v };
		if (!comma)
			return 0;
		rest = pl_after(rest, comma + 1);
	}
}

int transform_parse(struct transform *t, struct pl name, struct pl arg, bool pre_auth, char *err,
		    size_t errsz)
{
	memset(t, 0, sizeof(*t));
	if (pl_eq_str(name, "Nop")) {
		t->kind = TRANSFORM_NOP;
		return 0;
	}
	if (pl_eq_str(name, "HDR2Xattrs")) {
		if (!pre_auth)
			return failf(err, errsz, "HDR2Xattrs is a pre_auth_proc routine (-x), not a po_proc");
		t->kind = TRANSFORM_HDR2XATTRS;
		return parse_hdr2xattrs(t, arg, err, errsz);
	}
	if (pl_eq_str(name, "VAL2Xattrs"))
		t->kind = TRANSFORM_VAL2XATTRS;
	else if (pl_eq_str(name, "VAL2XattrsA"))
		t->kind = TRANSFORM_VAL2XATTRS_A;
	else if (pl_eq_str(name, "VAL2XattrsO"))
		t->kind = TRANSFORM_VAL2XATTRS_O;
	else
		return fail(err, errsz, "unknown routine", name);
	if (pre_auth)
		return failf(err, errsz, "%.*s is a route's po_proc routine, not a pre_auth_proc", PL_FMT(name));
	return parse_pairs(t, arg, err, errsz);
}

int transform_parse_spec(struct transform *t, struct pl spec, bool pre_auth, char *err, size_t errsz)
{
	struct pl name, arg;

	if (transform_split(spec, &name, &arg) < 0)
		return fail(err, errsz, "not Name[argument]:", spec);
	return transform_parse(t, name, arg, pre_auth, err, errsz);
}

static bool copy_pl(struct pl x, char *dst, size_t dstsz)
{
	return pl_strcpy(x, dst, dstsz);
}

int transform_hdr2xattrs(const struct transform *t, struct pl value, struct avlist *l, transform_add_fn add)
{
	char k[AV_NAME_MAX + 1], v[AV_VALUE_MAX + 1];
	struct pl rest = value;
	int added = 0;

	if (t->kind != TRANSFORM_HDR2XATTRS || !value.p)
		return 0;
	if (!add)
		add = avlist_add;
	for (;;) {
		const char *semi = pl_chr(rest, ';');
		struct pl kv = semi ? pl_until(rest, semi) : rest;
		const char *eq = pl_chr(kv, '=');

		if (eq) {
			struct pl key = pl_trim(pl_until(kv, eq));
			struct pl val = pl_trim(pl_after(kv, eq + 1));

			if (valid_name(key) && valid_value(val) && copy_pl(key, k, sizeof(k)) &&
			    copy_pl(val, v, sizeof(v)) && add(l, k, v) == 0)
				added++;
		}
		if (!semi)
			return added;
		rest = pl_after(rest, semi + 1);
	}
}

static bool has_pair(const struct avlist *l, const char *name, const char *value)
{
	unsigned from = 0;
	const char *v;

	while ((v = avlist_find(l, name, &from)) != NULL)
		if (strcmp(v, value) == 0)
			return true;
	return false;
}

static int add_unique(struct avlist *l, const char *k, const char *v, transform_add_fn add)
{
	if (!l || has_pair(l, k, v))
		return 0;
	return add(l, k, v) == 0 ? 1 : -1;
}

int transform_val2xattrs(const struct transform *t, struct avlist *answer, struct avlist *originate,
			 transform_add_fn add)
{
	bool to_a = t->kind == TRANSFORM_VAL2XATTRS || t->kind == TRANSFORM_VAL2XATTRS_A;
	bool to_o = t->kind == TRANSFORM_VAL2XATTRS || t->kind == TRANSFORM_VAL2XATTRS_O;
	char k[AV_NAME_MAX + 1], v[AV_VALUE_MAX + 1];
	int added = 0, r;

	if (!add)
		add = avlist_add;
	for (unsigned i = 0; i < t->n_pairs; i++) {
		if (!copy_pl(t->pair[i].key, k, sizeof(k)) || !copy_pl(t->pair[i].value, v, sizeof(v)))
			return -1;
		if (to_a) {
			if ((r = add_unique(answer, k, v, add)) < 0)
				return -1;
			added += r;
		}
		if (to_o) {
			if ((r = add_unique(originate, k, v, add)) < 0)
				return -1;
			added += r;
		}
	}
	return added;
}
