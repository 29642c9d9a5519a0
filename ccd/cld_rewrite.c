/*
 * cld_rewrite.c - -t / -T number rewriting with PCRE2 (see cld_rewrite.h).
 *
 * Each rule is compiled into a PCRE2 pattern plus a pcre2_substitute()
 * template: the Python-style replacement (\1, \g<name>) is translated once
 * into PCRE2's ($1, ${name}), and every '$' of the original is doubled, so
 * the per-call work is a plain pcre2_substitute() into a caller's buffer.
 */
#include "cld_rewrite.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "route.h"

/* Limits per pcre2_match() call; a dial-plan regex needs a few hundred
 * steps at most. Global replacement over a CLD_REWRITE_MAX-byte number is
 * at most that many calls. */
#define MATCH_LIMIT	20000
#define DEPTH_LIMIT	250
#define HEAP_LIMIT_KIB	256
#define GROUP_NAME_MAX	32	/* PCRE2's own limit on a group name */

struct cld_rule {
	pcre2_code *re;
	pcre2_match_data *md;	/* reused by every apply */
	char *repl;		/* pcre2_substitute() template */
	size_t repl_len;
	bool global;
};

struct cld_rules {
	unsigned n;
	struct cld_rule rule[CLD_RULES_MAX];
	pcre2_match_context *mctx;
	char *scratch;		/* CLD_REWRITE_MAX + 1: between two rules */
};

static void fail(char *err, size_t errsz, unsigned rule, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fail(char *err, size_t errsz, unsigned rule, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (err && errsz)
		snprintf(err, errsz, "rule %u: %s", rule, msg);
}

/* A printable copy of at most 64 bytes of s, for an error message. */
static const char *quote(const char *s, size_t n, char q[72])
{
	size_t k = 0;

	for (size_t i = 0; i < n && k < 64; i++) {
		unsigned char c = (unsigned char)s[i];
		q[k++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (n > 64) {
		memcpy(q + k, "...", 3);
		k += 3;
	}
	q[k] = '\0';
	return q;
}

/* Up to the next '/' not escaped by a backslash; *p is left after it. The
 * escapes stay in the slice: the regex wants them as they are, the
 * replacement is translated later. */
static bool scan_part(const char **p, const char *end, struct pl *part)
{
	const char *s = *p;

	for (const char *q = s; q < end; q++) {
		if (*q == '\\') {
			if (++q == end)
				break;
			continue;
		}
		if (*q == '/') {
			*part = pl_from(s, (size_t)(q - s));
			*p = q + 1;
			return true;
		}
	}
	return false;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!first && is_digit(c));
}

/* Appends "${ref}" for a checked group reference. */
static void put_group(char *dst, size_t *n, const char *ref, size_t len)
{
	dst[(*n)++] = '$';
	dst[(*n)++] = '{';
	memcpy(dst + *n, ref, len);
	*n += len;
	dst[(*n)++] = '}';
}

/* \g<...>: a group number or name that the regex has. */
static int group_ref(const struct cld_rule *rule, uint32_t ngroups, const char *s, size_t len,
		     unsigned ruleno, char *err, size_t errsz)
{
	char name[GROUP_NAME_MAX + 1], q[72];

	if (len == 0) {
		fail(err, errsz, ruleno, "empty group reference \\g<>");
		return -1;
	}
	if (is_digit(s[0])) {
		uint32_t g = 0;

		for (size_t i = 0; i < len; i++) {
			if (!is_digit(s[i]) || g > 1000) {
				fail(err, errsz, ruleno, "bad group reference \\g<%s>", quote(s, len, q));
				return -1;
			}
			g = g * 10 + (uint32_t)(s[i] - '0');
		}
		if (g > ngroups) {
			fail(err, errsz, ruleno, "invalid group reference %u (the regex has %u groups)", g, ngroups);
			return -1;
		}
		return 0;
	}
	for (size_t i = 0; i < len; i++)
		if (!is_name_char(s[i], i == 0) || i >= GROUP_NAME_MAX) {
			fail(err, errsz, ruleno, "bad group name \\g<%s>", quote(s, len, q));
			return -1;
		}
	memcpy(name, s, len);
	name[len] = '\0';
	if (pcre2_substring_number_from_name(rule->re, (PCRE2_SPTR)name) < 0) {
		fail(err, errsz, ruleno, "unknown group name '%s'", name);
		return -1;
	}
	return 0;
}

/*
 * Python's re.sub template -> pcre2_substitute()'s. Python's rules: \N and
 * \NN are groups (three octal digits would be a character: refused here),
 * \g<...> a group by number or name; '$' is an ordinary character, which
 * PCRE2 wants doubled.
 */
static int translate_repl(struct cld_rule *rule, struct pl in, unsigned ruleno, char *err, size_t errsz)
{
	uint32_t ngroups = 0;
	size_t n = 0;
	char *dst;

	pcre2_pattern_info(rule->re, PCRE2_INFO_CAPTURECOUNT, &ngroups);
	/* Worst case: each '$' doubles, "\1" -> "${1}" doubles. */
	dst = malloc(2 * in.l + 1);
	if (!dst) {
		fail(err, errsz, ruleno, "out of memory");
		return -1;
	}
	rule->repl = dst;
	for (size_t i = 0; i < in.l; i++) {
		char c = in.p[i];

		if (c == '$') {
			dst[n++] = '$';
			dst[n++] = '$';
			continue;
		}
		if (c != '\\') {
			dst[n++] = c;
			continue;
		}
		/* scan_part() never leaves a lone backslash at the end; if it
		 * did, it would read as the unsupported escape \x00. */
		c = i + 1 < in.l ? in.p[++i] : '\0';
		if (c == '\\' || c == '/') {
			dst[n++] = c;
		} else if (c >= '1' && c <= '9') {
			size_t start = i;
			uint32_t g = (uint32_t)(c - '0');

			if (i + 1 < in.l && is_digit(in.p[i + 1])) {
				i++;
				if (c <= '7' && in.p[i] <= '7' && i + 1 < in.l && in.p[i + 1] >= '0' &&
				    in.p[i + 1] <= '7') {
					fail(err, errsz, ruleno, "octal escapes are not supported in the replacement");
					return -1;
				}
				g = g * 10 + (uint32_t)(in.p[i] - '0');
			}
			if (g > ngroups) {
				fail(err, errsz, ruleno, "invalid group reference %u (the regex has %u groups)", g,
				     ngroups);
				return -1;
			}
			put_group(dst, &n, in.p + start, i + 1 - start);
		} else if (c == 'g') {
			const char *open = in.p + i + 1, *close;

			if (i + 1 >= in.l || *open != '<' ||
			    !(close = memchr(open, '>', (size_t)(pl_end(in) - open)))) {
				fail(err, errsz, ruleno, "\\g needs <group> in the replacement");
				return -1;
			}
			if (group_ref(rule, ngroups, open + 1, (size_t)(close - open - 1), ruleno, err, errsz) < 0)
				return -1;
			put_group(dst, &n, open + 1, (size_t)(close - open - 1));
			i = (size_t)(close - in.p);
		} else if (c == '0') {
			fail(err, errsz, ruleno, "octal escapes are not supported in the replacement");
			return -1;
		} else {
			unsigned char u = (unsigned char)c;

			if (u >= 0x20 && u < 0x7f)
				fail(err, errsz, ruleno, "unsupported escape '\\%c' in the replacement", c);
			else
				fail(err, errsz, ruleno, "unsupported escape '\\x%02x' in the replacement", u);
			return -1;
		}
	}
	rule->repl_len = n;
	return 0;
}

static int compile_rule(struct cld_rules *r, struct pl re, struct pl repl, bool global, char *err, size_t errsz)
{
	struct cld_rule *rule = &r->rule[r->n];
	unsigned ruleno = r->n + 1;
	PCRE2_SIZE off;
	int code;

	rule->global = global;
	rule->re = pcre2_compile((PCRE2_SPTR)(re.l ? re.p : ""), re.l, PCRE2_NEVER_UTF | PCRE2_NEVER_UCP, &code,
				 &off, NULL);
	if (!rule->re) {
		char msg[120], q[72];

		pcre2_get_error_message(code, (PCRE2_UCHAR *)msg, sizeof(msg));
		fail(err, errsz, ruleno, "bad regex '%s' at offset %zu: %s", quote(re.p, re.l, q), (size_t)off, msg);
		return -1;
	}
	r->n++;	/* from here on cld_rules_free() releases the rule */
	rule->md = pcre2_match_data_create_from_pattern(rule->re, NULL);
	if (!rule->md) {
		fail(err, errsz, ruleno, "out of memory");
		return -1;
	}
	return translate_repl(rule, repl, ruleno, err, errsz);
}

/* One "s/re/repl/[g]" at *p; leaves *p after the flags. */
static int parse_rule(struct cld_rules *r, const char **p, const char *end, char *err, size_t errsz)
{
	unsigned ruleno = r->n + 1;
	struct pl re, repl;
	bool global = false;
	const char *s = *p;

	if (end - s < 2 || s[0] != 's' || s[1] != '/') {
		fail(err, errsz, ruleno, "expected s/regex/replacement/[g]");
		return -1;
	}
	s += 2;
	if (!scan_part(&s, end, &re)) {
		fail(err, errsz, ruleno, "missing '/' after the regex");
		return -1;
	}
	if (!scan_part(&s, end, &repl)) {
		fail(err, errsz, ruleno, "missing '/' after the replacement");
		return -1;
	}
	for (; s < end && *s != ';' && *s != ' ' && *s != '\t'; s++) {
		if (*s != 'g') {
			unsigned char u = (unsigned char)*s;

			if (u >= 0x20 && u < 0x7f)
				fail(err, errsz, ruleno, "unknown flag '%c' (only g)", *s);
			else
				fail(err, errsz, ruleno, "unknown flag 0x%02x (only g)", u);
			return -1;
		}
		global = true;
	}
	*p = s;
	return compile_rule(r, re, repl, global, err, errsz);
}

static const char *skip_ws(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

struct cld_rules *cld_rules_compile(const char *spec, char *err, size_t errsz)
{
	size_t len = spec ? strlen(spec) : 0;
	const char *p = spec, *end = spec + len;
	struct cld_rules *r;

	if (len > CLD_SPEC_MAX) {
		if (err && errsz)
			snprintf(err, errsz, "rules too long (%zu bytes, at most %d)", len, CLD_SPEC_MAX);
		return NULL;
	}
	p = skip_ws(p, end);
	if (p == end) {
		if (err && errsz)
			snprintf(err, errsz, "no rule given");
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r || !(r->scratch = malloc(CLD_REWRITE_MAX + 1)) || !(r->mctx = pcre2_match_context_create(NULL))) {
		if (err && errsz)
			snprintf(err, errsz, "out of memory");
		cld_rules_free(r);
		return NULL;
	}
	pcre2_set_match_limit(r->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(r->mctx, DEPTH_LIMIT);
	pcre2_set_heap_limit(r->mctx, HEAP_LIMIT_KIB);
	while (p < end) {
		if (r->n == CLD_RULES_MAX) {
			if (err && errsz)
				snprintf(err, errsz, "too many rules (at most %d)", CLD_RULES_MAX);
			goto fail;
		}
		if (parse_rule(r, &p, end, err, errsz) < 0)
			goto fail;
		p = skip_ws(p, end);
		if (p == end)
			break;
		if (*p != ';') {
			fail(err, errsz, r->n, "expected ';' before the next rule");
			goto fail;
		}
		p = skip_ws(p + 1, end);
	}
	return r;
fail:
	cld_rules_free(r);
	return NULL;
}

void cld_rules_free(struct cld_rules *r)
{
	if (!r)
		return;
	for (unsigned i = 0; i < r->n; i++) {
		pcre2_match_data_free(r->rule[i].md);
		pcre2_code_free(r->rule[i].re);
		free(r->rule[i].repl);
	}
	pcre2_match_context_free(r->mctx);
	free(r->scratch);
	free(r);
}

unsigned cld_rules_count(const struct cld_rules *r)
{
	return r ? r->n : 0;
}

int cld_rules_apply(const struct cld_rules *r, struct pl in, char *out, size_t outsz)
{
	PCRE2_SPTR src = (PCRE2_SPTR)(in.p ? in.p : "");
	PCRE2_SIZE srclen = in.l;

	if (!r || r->n == 0 || !out || outsz == 0 || in.l > CLD_REWRITE_MAX)
		return -1;
	for (unsigned i = 0; i < r->n; i++) {
		const struct cld_rule *rule = &r->rule[i];
		/* Alternate between out and the scratch buffer so that the
		 * last rule writes into out and no rule reads its own output. */
		bool to_out = (r->n - 1 - i) % 2 == 0;
		PCRE2_UCHAR *dst = (PCRE2_UCHAR *)(to_out ? out : r->scratch);
		PCRE2_SIZE dstlen = to_out ? outsz : CLD_REWRITE_MAX + 1;
		uint32_t opts = PCRE2_SUBSTITUTE_UNSET_EMPTY | (rule->global ? PCRE2_SUBSTITUTE_GLOBAL : 0);

		if (pcre2_substitute(rule->re, src, srclen, 0, opts, rule->md, r->mctx, (PCRE2_SPTR)rule->repl,
				     rule->repl_len, dst, &dstlen) < 0)
			return -1;
		src = dst;
		srclen = dstlen;
	}
	if (!route_valid_user(pl_from(out, srclen)))
		return -1;
	return (int)srclen;
}

struct pl cld_strip_nat(struct pl cld)
{
	if (cld.l >= 4 && memcmp(cld.p, "nat-", 4) == 0)
		return pl_from(cld.p + 4, cld.l - 4);
	return cld;
}
