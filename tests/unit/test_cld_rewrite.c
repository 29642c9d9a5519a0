/* ccd/cld_rewrite.c: -t / -T rules (PCRE2) and the nat- prefix; every
 * compile error and every way apply fails. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ccd/cld_rewrite.h"

/* Compiles spec, applies it to in and checks the result (NULL: -1). */
static void rewrite(const char *spec, const char *in, const char *want)
{
	char err[256], out[CLD_REWRITE_MAX + 1];
	struct cld_rules *r = cld_rules_compile(spec, err, sizeof(err));
	int n;

	if (!r)
		fail_msg("'%s' did not compile: %s", spec, err);
	n = cld_rules_apply(r, pl_from_str(in), out, sizeof(out));
	cld_rules_free(r);
	if (!want) {
		if (n != -1)
			fail_msg("'%s' on '%s' gave '%s', expected failure", spec, in, out);
		return;
	}
	if (n < 0)
		fail_msg("'%s' on '%s' failed, expected '%s'", spec, in, want);
	if ((size_t)n != strlen(out) || strcmp(out, want) != 0)
		fail_msg("'%s' on '%s' gave '%s' (%d), expected '%s'", spec, in, out, n, want);
}

/* The spec does not compile and the reason is exactly want. */
static void bad(const char *spec, const char *want)
{
	char err[256];
	struct cld_rules *r = cld_rules_compile(spec, err, sizeof(err));

	if (r) {
		cld_rules_free(r);
		fail_msg("'%s' compiled, expected '%s'", spec, want);
	}
	if (strcmp(err, want) != 0)
		fail_msg("'%s': '%s', expected '%s'", spec, err, want);
}

static void test_sippy_examples(void **state)
{
	(void)state;
	rewrite("s/^00/+/", "0044123", "+44123");
	rewrite("s/^00/+/;s/^1/+1/g", "0049", "+49");
	rewrite("s/^00/+/;s/^1/+1/g", "1212", "+1212");
	rewrite("s/^00/+/", "12345", "12345");	/* no match: unchanged */
	rewrite("s/^9//", "9555", "555");
}

static void test_global_flag(void **state)
{
	(void)state;
	rewrite("s/1/2/", "1111", "2111");
	rewrite("s/1/2/g", "1111", "2222");
	rewrite("s/1/2/gg", "11", "22");
	/* Python 3.7+ and PCRE2 agree on empty matches next to others. */
	rewrite("s/x*/-/g", "abxd", "-a-b--d-");
	rewrite("s/x*/-/", "abxd", "-abxd");
}

static void test_chain_and_spacing(void **state)
{
	(void)state;
	rewrite(" s/^0/a/ ; s/^a/b/;s/^b/c/ ;", "01", "c1");
	rewrite("s/1/2/;s/2/3/;s/3/4/;s/4/5/", "1", "5");	/* even count: scratch first */
	rewrite("s/1/2/;s/2/3/;s/3/4/", "1", "4");
}

static void test_backreferences(void **state)
{
	(void)state;
	rewrite("s/^(\\d{3})(\\d+)$/\\2\\1/", "123456", "456123");
	rewrite("s/^(\\d)/\\g<1>\\g<1>/", "12", "112");
	rewrite("s/\\d+/<\\g<0>>/", "12", NULL);	/* '<' is no user character */
	rewrite("s/\\d+/x\\g<0>x/", "12", "x12x");
	rewrite("s/^(?P<cc>44)(?P<rest>\\d+)/0\\g<rest>/", "44207", "0207");
	rewrite("s/^(?P<cc>44)/\\g<cc>0/", "44207", "440207");
	/* two digits: group 12 (Python reads \12 as one reference) */
	rewrite("s/(1)(2)(3)(4)(5)(6)(7)(8)(9)(a)(b)(c)/\\12\\1/", "123456789abc", "c1");
	/* an unmatched group is empty, as in Python 3.5+ */
	rewrite("s/(x)?1/\\1y/", "1", "y");
	/* '$' is literal in a Python template */
	rewrite("s/^/$/", "1", "$1");
	rewrite("s/^/$1/", "5", "$15");
}

static void test_slashes_and_backslashes(void **state)
{
	(void)state;
	rewrite("s/\\//-/g", "a/b/c", "a-b-c");
	rewrite("s/-/\\//g", "a-b", "a/b");
	rewrite("s/a/\\\\/", "a", NULL);	/* a backslash is no user character */
}

/* Unlike Sippy the number is not cut at '#': a rule may remove it, and a
 * result that keeps it is no valid user part. */
static void test_hash_kept(void **state)
{
	(void)state;
	rewrite("s/^00/+/", "0044#99", NULL);
	rewrite("s/#.*$//;s/^00/+/", "0044#99", "+44");
	rewrite("s/#/%23/", "12#3", "12%233");
	rewrite("s/^00/+/", "0044%2399", "+44%2399");
}

static void test_apply_limits(void **state)
{
	char err[256], out[CLD_REWRITE_MAX + 1], big[CLD_REWRITE_MAX + 2];
	struct cld_rules *r;
	clock_t t0;

	(void)state;
	r = cld_rules_compile("s/^0/+/", err, sizeof(err));
	assert_non_null(r);
	assert_int_equal(cld_rules_count(r), 1);
	/* out too small for the result and its NUL */
	assert_int_equal(cld_rules_apply(r, pl_from_str("0123"), out, 4), -1);
	assert_int_equal(cld_rules_apply(r, pl_from_str("0123"), out, 5), 4);
	assert_string_equal(out, "+123");
	assert_int_equal(cld_rules_apply(r, pl_from_str("0"), out, 0), -1);
	assert_int_equal(cld_rules_apply(r, pl_from_str("0"), NULL, 8), -1);
	assert_int_equal(cld_rules_apply(NULL, pl_from_str("0"), out, sizeof(out)), -1);
	/* a number longer than CLD_REWRITE_MAX is refused */
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(cld_rules_apply(r, pl_from_str(big), out, sizeof(out)), -1);
	big[CLD_REWRITE_MAX] = '\0';
	assert_int_equal(cld_rules_apply(r, pl_from_str(big), out, sizeof(out)), CLD_REWRITE_MAX);
	/* an empty number (NULL slice) */
	assert_int_equal(cld_rules_apply(r, PL_NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	/* bytes that are not a user part */
	assert_int_equal(cld_rules_apply(r, pl_from("1\0" "2", 3), out, sizeof(out)), -1);
	assert_int_equal(cld_rules_apply(r, pl_from_str("1 2"), out, sizeof(out)), -1);
	cld_rules_free(r);
	cld_rules_free(NULL);
	assert_int_equal(cld_rules_count(NULL), 0);

	/* between two rules the number may not outgrow the scratch buffer */
	r = cld_rules_compile("s/./12345678/g;s/^/0/", err, sizeof(err));
	assert_non_null(r);
	assert_int_equal(cld_rules_apply(r, pl_from_str("1234"), out, sizeof(out)), 33);
	assert_int_equal(cld_rules_apply(r, pl_from_str("1234567890123456789012345678901234567890"), out,
					 sizeof(out)), -1);
	cld_rules_free(r);

	/* catastrophic backtracking hits the match limit, quickly */
	r = cld_rules_compile("s/^(a+)+$/x/", err, sizeof(err));
	assert_non_null(r);
	t0 = clock();
	assert_int_equal(cld_rules_apply(r, pl_from_str("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"), out,
					 sizeof(out)), -1);
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 1.0);
	assert_int_equal(cld_rules_apply(r, pl_from_str("aaaa"), out, sizeof(out)), 1);
	assert_string_equal(out, "x");
	cld_rules_free(r);
}

static void test_compile_errors(void **state)
{
	char spec[CLD_SPEC_MAX + 2], err[256];
	size_t n = 0;

	(void)state;
	assert_null(cld_rules_compile(NULL, err, sizeof(err)));
	assert_string_equal(err, "no rule given");
	bad("", "no rule given");
	bad("  ", "no rule given");
	bad("x/a/b/", "rule 1: expected s/regex/replacement/[g]");
	bad("s", "rule 1: expected s/regex/replacement/[g]");
	bad("s/a/b/;;", "rule 2: expected s/regex/replacement/[g]");
	bad("s/abc", "rule 1: missing '/' after the regex");
	bad("s/a\\/", "rule 1: missing '/' after the regex");
	bad("s/a/b", "rule 1: missing '/' after the replacement");
	bad("s/a/b\\/", "rule 1: missing '/' after the replacement");
	bad("s/a/b/i", "rule 1: unknown flag 'i' (only g)");
	bad("s/a/b/g\x01", "rule 1: unknown flag 0x01 (only g)");
	bad("s/a/b/ s/c/d/", "rule 1: expected ';' before the next rule");
	bad("s/a/b/;s/(/x/", "rule 2: bad regex '(' at offset 1: missing closing parenthesis");
	bad("s/a/\\1/", "rule 1: invalid group reference 1 (the regex has 0 groups)");
	bad("s/(a)/\\12/", "rule 1: invalid group reference 12 (the regex has 1 groups)");
	bad("s/(a)/\\g<2>/", "rule 1: invalid group reference 2 (the regex has 1 groups)");
	bad("s/a/\\g1/", "rule 1: \\g needs <group> in the replacement");
	bad("s/a/\\g/", "rule 1: \\g needs <group> in the replacement");
	bad("s/a/\\g<1/", "rule 1: \\g needs <group> in the replacement");
	bad("s/(a)/\\g<>/", "rule 1: empty group reference \\g<>");
	bad("s/(a)/\\g<1x>/", "rule 1: bad group reference \\g<1x>");
	bad("s/(a)/\\g<99999999999>/", "rule 1: bad group reference \\g<99999999999>");
	bad("s/(a)/\\g<a-b>/", "rule 1: bad group name \\g<a-b>");
	bad("s/(?P<n>a)/\\g<m>/", "rule 1: unknown group name 'm'");
	bad("s/(a)/\\g<aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa>/",
	    "rule 1: bad group name \\g<aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa>");
	bad("s/a/\\0/", "rule 1: octal escapes are not supported in the replacement");
	bad("s/(a)/\\123/", "rule 1: octal escapes are not supported in the replacement");
	bad("s/a/\\n/", "rule 1: unsupported escape '\\n' in the replacement");
	bad("s/a/\\\x01/", "rule 1: unsupported escape '\\x01' in the replacement");

	/* 17 rules */
	for (int i = 0; i <= CLD_RULES_MAX; i++)
		n += (size_t)snprintf(spec + n, sizeof(spec) - n, "s/a/b/;");
	bad(spec, "too many rules (at most 16)");
	memset(spec, ' ', CLD_SPEC_MAX + 1);
	spec[CLD_SPEC_MAX + 1] = '\0';
	bad(spec, "rules too long (4097 bytes, at most 4096)");
	/* errsz 0 and NULL err are fine */
	assert_null(cld_rules_compile("s/(/x/", NULL, 0));
	assert_null(cld_rules_compile("", NULL, 0));
	assert_null(cld_rules_compile("s/a/\\g<>/", err, 0));
}

static void test_nat_prefix(void **state)
{
	struct pl in = pl_from_str("nat-12345"), out;

	(void)state;
	out = cld_strip_nat(in);
	assert_true(pl_eq_str(out, "12345"));
	assert_ptr_equal(out.p, in.p + 4);
	out = cld_strip_nat(pl_from_str("12345"));
	assert_true(pl_eq_str(out, "12345"));
	out = cld_strip_nat(pl_from_str("NAT-1"));	/* Sippy: case-sensitive */
	assert_true(pl_eq_str(out, "NAT-1"));
	out = cld_strip_nat(pl_from_str("nat-"));
	assert_int_equal(out.l, 0);
	out = cld_strip_nat(pl_from_str("nat"));
	assert_true(pl_eq_str(out, "nat"));
	out = cld_strip_nat(PL_NULL);
	assert_int_equal(out.l, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sippy_examples),
		cmocka_unit_test(test_global_flag),
		cmocka_unit_test(test_chain_and_spacing),
		cmocka_unit_test(test_backreferences),
		cmocka_unit_test(test_slashes_and_backslashes),
		cmocka_unit_test(test_hash_kept),
		cmocka_unit_test(test_apply_limits),
		cmocka_unit_test(test_compile_errors),
		cmocka_unit_test(test_nat_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
