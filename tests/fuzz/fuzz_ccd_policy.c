/*
 * fuzz_ccd_policy.c - ccd's policy text: the -t / -T rewrite rules
 * (ccd/cld_rewrite.c, PCRE2), pre_auth_proc / po_proc routines
 * (ccd/transform.c; po_proc arrives from RADIUS, HDR2Xattrs values from
 * the network) and the -C file parser (ccd/config_file.c).
 *
 * A fuzz_ccd_ target (linked with ccd's objects and PCRE2). The first
 * byte picks the parser; the rest is split at the first '\n':
 *   0: rules '\n' number ['\n' number ...]   compile, apply to each number
 *   1: routine '\n' header value              parse both ways, apply
 *   2: INI text                                parse in place
 * Invariants (abort() on violation): results are valid user parts that
 * fit their buffer and do not change when applied again; every slice lies
 * inside the input; appended attributes are well-formed and VAL2Xattrs
 * never duplicates a pair; errors are one printable line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../ccd/cld_rewrite.h"
#include "../../ccd/config_file.h"
#include "../../ccd/route.h"
#include "../../ccd/transform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT 8192

static void check_msg(const char *m)
{
	if (!*m)
		abort();
	for (; *m; m++)
		if ((unsigned char)*m < 0x20 || (unsigned char)*m >= 0x7f)
			abort();
}

static void check_in(const char *buf, size_t len, struct pl x)
{
	if (!x.p) {
		if (x.l)
			abort();
		return;
	}
	if (x.p < buf || x.l > len || x.p + x.l > buf + len)
		abort();
}

static void fuzz_rules(char *buf, size_t len)
{
	char *nl = memchr(buf, '\n', len), *p, *end = buf + len;
	char err[256], out[CLD_REWRITE_MAX + 1], again[CLD_REWRITE_MAX + 1];
	struct cld_rules *r;
	int lines = 0;

	if (nl)
		*nl = '\0';
	buf[len] = '\0';
	err[0] = '\0';
	r = cld_rules_compile(buf, err, sizeof(err));
	if (!r) {
		check_msg(err);
		return;
	}
	if (cld_rules_count(r) < 1 || cld_rules_count(r) > CLD_RULES_MAX)
		abort();
	for (p = nl ? nl + 1 : end; p < end && lines < 8; lines++) {
		char *e = memchr(p, '\n', (size_t)(end - p));
		struct pl num = pl_from(p, e ? (size_t)(e - p) : (size_t)(end - p));
		int n = cld_rules_apply(r, num, out, sizeof(out));

		if (n >= 0) {
			if ((size_t)n >= sizeof(out) || strlen(out) != (size_t)n ||
			    !route_valid_user(pl_from(out, (size_t)n)))
				abort();
			/* deterministic: the match data kept between calls holds no state */
			if (cld_rules_apply(r, num, again, sizeof(again)) != n || memcmp(out, again, (size_t)n) != 0)
				abort();
			/* a buffer one byte short must fail, never overflow */
			if (cld_rules_apply(r, num, again, (size_t)n) != -1)
				abort();
		}
		if (cld_strip_nat(num).l > num.l)
			abort();
		p = e ? e + 1 : end;
	}
	cld_rules_free(r);
}

static void check_list(const struct avlist *l)
{
	for (unsigned i = 0; i < l->n; i++) {
		size_t nl = strlen(l->a[i].name), vl = strlen(l->a[i].value);

		if (nl == 0 || nl > AV_NAME_MAX || vl == 0 || vl > AV_VALUE_MAX || strchr(l->a[i].name, '='))
			abort();
		for (size_t k = 0; k < nl; k++)
			if ((unsigned char)l->a[i].name[k] <= 0x20 || (unsigned char)l->a[i].name[k] >= 0x7f)
				abort();
		for (size_t k = 0; k < vl; k++)
			if ((unsigned char)l->a[i].value[k] < 0x20 || l->a[i].value[k] == 0x7f)
				abort();
	}
}

static void check_unique(const struct avlist *l)
{
	for (unsigned i = 0; i < l->n; i++)
		for (unsigned j = i + 1; j < l->n; j++)
			if (strcasecmp(l->a[i].name, l->a[j].name) == 0 && strcmp(l->a[i].value, l->a[j].value) == 0)
				abort();
}

static void fuzz_transform(char *buf, size_t len)
{
	char *nl = memchr(buf, '\n', len);
	struct pl spec = pl_from(buf, nl ? (size_t)(nl - buf) : len);
	struct pl value = nl ? pl_from(nl + 1, len - (size_t)(nl + 1 - buf)) : PL_NULL;
	struct transform t;
	struct avlist a, o;
	char err[200];

	for (int pre = 0; pre < 2; pre++) {
		err[0] = '\0';
		if (transform_parse_spec(&t, spec, pre, err, sizeof(err)) < 0) {
			check_msg(err);
			continue;
		}
		check_in(buf, len, t.header);
		if (t.n_pairs > TRANSFORM_PAIRS_MAX)
			abort();
		for (unsigned i = 0; i < t.n_pairs; i++) {
			check_in(buf, len, t.pair[i].key);
			check_in(buf, len, t.pair[i].value);
			if (!t.pair[i].key.l || !t.pair[i].value.l)
				abort();
		}
		if (pre && t.kind != TRANSFORM_NOP && t.kind != TRANSFORM_HDR2XATTRS)
			abort();
		if (!pre && t.kind != TRANSFORM_NOP && t.kind != TRANSFORM_VAL2XATTRS &&
		    t.kind != TRANSFORM_VAL2XATTRS_A && t.kind != TRANSFORM_VAL2XATTRS_O)
			abort();
		if (t.kind == TRANSFORM_HDR2XATTRS && (t.header.l == 0 || t.header.l > CCD_HEADER_NAME_MAX))
			abort();
		avlist_init(&a);
		avlist_init(&o);
		if (transform_hdr2xattrs(&t, value, &a, NULL) != (int)a.n)
			abort();
		check_list(&a);
		avlist_init(&a);
		if (transform_val2xattrs(&t, &a, &o, NULL) < 0 || transform_val2xattrs(&t, &a, &o, NULL) != 0)
			abort();
		check_list(&a);
		check_list(&o);
		check_unique(&a);
		check_unique(&o);
	}
}

static void fuzz_ini(char *buf, size_t len)
{
	struct config_file cf;
	char err[300];

	err[0] = '\0';
	if (config_file_parse(&cf, "f", buf, len, err, sizeof(err)) < 0) {
		if (strncmp(err, "f:", 2) != 0)
			abort();
		check_msg(err);
		return;
	}
	if (cf.n > CONFIG_FILE_MAX_ENTRIES)
		abort();
	for (unsigned i = 0; i < cf.n; i++) {
		const struct config_entry *e = &cf.e[i];
		size_t kl = strlen(e->key), vl = strlen(e->value);

		if (e->key < buf || e->key + kl > buf + len || e->value < buf || e->value + vl > buf + len)
			abort();
		if (kl == 0 || strpbrk(e->key, " \t=:") || (vl && (e->value[0] == ' ' || e->value[vl - 1] == ' ')))
			abort();
		for (unsigned j = 0; j < i; j++)
			if (strcasecmp(cf.e[j].key, e->key) == 0)
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len;
	char *buf;

	if (size < 1 || size - 1 > MAX_INPUT)
		return 0;
	len = size - 1;
	/* exactly len + 1 bytes (the parsers may write buf[len]), so that
	 * AddressSanitizer sees any read past the input */
	buf = malloc(len + 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, len);
	switch (data[0] % 3) {
	case 0:
		fuzz_rules(buf, len);
		break;
	case 1:
		fuzz_transform(buf, len);
		break;
	default:
		fuzz_ini(buf, len);
		break;
	}
	free(buf);
	return 0;
}
