/* ccd/transform.c: pre_auth_proc / po_proc routines, every parse error
 * and both ways of applying them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ccd/transform.h"

static struct transform t;

static void parse_ok(const char *spec, bool pre_auth)
{
	char err[200];

	if (transform_parse_spec(&t, pl_from_str(spec), pre_auth, err, sizeof(err)) != 0)
		fail_msg("'%s' failed: %s", spec, err);
}

static void parse_bad(const char *spec, bool pre_auth, const char *want)
{
	char err[200];

	assert_int_equal(transform_parse_spec(&t, pl_from_str(spec), pre_auth, err, sizeof(err)), -1);
	if (strcmp(err, want) != 0)
		fail_msg("'%s': '%s', expected '%s'", spec, err, want);
}

static void test_split(void **state)
{
	struct pl name, arg;

	(void)state;
	assert_int_equal(transform_split(pl_from_str("HDR2Xattrs[X-Foo]"), &name, &arg), 0);
	assert_true(pl_eq_str(name, "HDR2Xattrs"));
	assert_true(pl_eq_str(arg, "X-Foo"));
	assert_int_equal(transform_split(pl_from_str("Nop[]"), &name, &arg), 0);
	assert_int_equal(arg.l, 0);
	assert_int_equal(transform_split(pl_from_str("Nop[a[b]]"), &name, &arg), 0);
	assert_true(pl_eq_str(arg, "a[b]"));
	assert_int_equal(transform_split(pl_from_str("Nop"), &name, &arg), -1);
	assert_int_equal(transform_split(pl_from_str("Nop[x"), &name, &arg), -1);
	assert_int_equal(transform_split(pl_from_str("Nop["), &name, &arg), -1);
	assert_int_equal(transform_split(pl_from_str("[x]"), &name, &arg), -1);
	assert_int_equal(transform_split(pl_from_str("Nop]"), &name, &arg), -1);
	assert_int_equal(transform_split(pl_from_str(""), &name, &arg), -1);
	assert_int_equal(transform_split(PL_NULL, &name, &arg), -1);
}

static void test_parse(void **state)
{
	(void)state;
	parse_ok("Nop[anything, really]", true);
	assert_int_equal(t.kind, TRANSFORM_NOP);
	parse_ok("Nop[]", false);
	assert_int_equal(t.kind, TRANSFORM_NOP);
	parse_ok("HDR2Xattrs[X-Foo-Hdr]", true);
	assert_int_equal(t.kind, TRANSFORM_HDR2XATTRS);
	assert_true(pl_eq_str(t.header, "X-Foo-Hdr"));
	parse_ok("VAL2Xattrs[k1=v1,k2=v2]", false);
	assert_int_equal(t.kind, TRANSFORM_VAL2XATTRS);
	assert_int_equal(t.n_pairs, 2);
	assert_true(pl_eq_str(t.pair[0].key, "k1"));
	assert_true(pl_eq_str(t.pair[1].value, "v2"));
	parse_ok("VAL2XattrsA[ h323-ivr-out = x=y ]", false);
	assert_int_equal(t.kind, TRANSFORM_VAL2XATTRS_A);
	assert_true(pl_eq_str(t.pair[0].key, "h323-ivr-out"));
	assert_true(pl_eq_str(t.pair[0].value, "x=y"));	/* split on the first '=' */
	parse_ok("VAL2XattrsO[a=b]", false);
	assert_int_equal(t.kind, TRANSFORM_VAL2XATTRS_O);

	/* the slices variant, as ccd/route.c hands over po_proc */
	{
		char err[100];

		assert_int_equal(transform_parse(&t, pl_from_str("VAL2Xattrs"), pl_from_str("a=1"), false, err,
						 sizeof(err)), 0);
		assert_int_equal(t.n_pairs, 1);
		assert_int_equal(transform_parse(&t, pl_from_str("Bogus"), pl_from_str("a=1"), false, NULL, 0),
				 -1);
		assert_int_equal(transform_parse(&t, pl_from_str("HDR2Xattrs"), pl_from_str("X"), false, NULL, 0),
				 -1);
	}
}

static void test_parse_errors(void **state)
{
	char many[400];
	size_t n = 0;

	(void)state;
	parse_bad("Nop", true, "not Name[argument]: 'Nop'");
	parse_bad("\x01[x", true, "not Name[argument]: '?[x'");
	parse_bad("Exec[rm -rf]", true, "unknown routine 'Exec'");
	parse_bad("nop[x]", false, "unknown routine 'nop'");
	parse_bad("HDR2Xattrs[X-Foo]", false, "HDR2Xattrs is a pre_auth_proc routine (-x), not a po_proc");
	parse_bad("VAL2Xattrs[a=b]", true, "VAL2Xattrs is a route's po_proc routine, not a pre_auth_proc");
	parse_bad("VAL2XattrsO[a=b]", true, "VAL2XattrsO is a route's po_proc routine, not a pre_auth_proc");
	parse_bad("HDR2Xattrs[]", true, "HDR2Xattrs needs a header name: ''");
	parse_bad("HDR2Xattrs[X Foo]", true, "HDR2Xattrs header name is not a SIP token: 'X Foo'");
	parse_bad("HDR2Xattrs[X:]", true, "HDR2Xattrs header name is not a SIP token: 'X:'");
	parse_bad("HDR2Xattrs[X-12345678901234567890123456789012345678901234567890123456789012345]", true,
		  "HDR2Xattrs header name is too long: "
		  "'X-1234567890123456789012345678901234567890123456...'");
	parse_bad("VAL2Xattrs[]", false, "VAL2Xattrs needs key=value pairs: ''");
	parse_bad("VAL2Xattrs[a]", false, "VAL2Xattrs pair has no '=': 'a'");
	parse_bad("VAL2Xattrs[a=1,]", false, "VAL2Xattrs pair has no '=': ''");
	parse_bad("VAL2Xattrs[=1]", false, "VAL2Xattrs pair has an empty name: '=1'");
	parse_bad("VAL2Xattrs[a b=1]", false, "VAL2Xattrs bad attribute name: 'a b'");
	parse_bad("VAL2Xattrs[a=]", false, "VAL2Xattrs pair has an empty value: 'a='");
	parse_bad("VAL2Xattrs[a=1,b= ]", false, "VAL2Xattrs pair has an empty value: 'b= '");
	parse_bad("VAL2Xattrs[a=x\x01y]", false, "VAL2Xattrs bad attribute value: 'x?y'");
	n += (size_t)snprintf(many, sizeof(many), "VAL2Xattrs[");
	for (int i = 0; i <= TRANSFORM_PAIRS_MAX; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "%sk%d=v", i ? "," : "", i);
	snprintf(many + n, sizeof(many) - n, "]");
	parse_bad(many, false, "VAL2Xattrs has too many pairs (at most 16)");
	/* NULL err is fine */
	assert_int_equal(transform_parse_spec(&t, pl_from_str("x"), true, NULL, 0), -1);
	assert_int_equal(transform_parse_spec(&t, pl_from_str("VAL2Xattrs[a=1]"), true, NULL, 0), -1);
}

static int refuse_b(struct avlist *l, const char *name, const char *value)
{
	if (strcmp(name, "b") == 0)
		return -1;
	return avlist_add(l, name, value);
}

static void test_hdr2xattrs(void **state)
{
	struct avlist l;

	(void)state;
	avlist_init(&l);
	parse_ok("HDR2Xattrs[X-Foo]", true);
	assert_int_equal(transform_hdr2xattrs(&t, pl_from_str(" a=1; b = 2 ;c=;d;=e;f g=1;h=x\x01;i=j=k;"), &l,
					      NULL), 3);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.a[0].name, "a");
	assert_string_equal(l.a[0].value, "1");
	assert_string_equal(l.a[1].name, "b");
	assert_string_equal(l.a[1].value, "2");
	assert_string_equal(l.a[2].name, "i");
	assert_string_equal(l.a[2].value, "j=k");
	/* a refused pair is skipped, the others go in */
	assert_int_equal(transform_hdr2xattrs(&t, pl_from_str("b=1;c=2"), &l, refuse_b), 1);
	assert_string_equal(l.a[3].name, "c");
	/* nothing for an empty or absent value, or another routine */
	assert_int_equal(transform_hdr2xattrs(&t, pl_from_str(""), &l, NULL), 0);
	assert_int_equal(transform_hdr2xattrs(&t, PL_NULL, &l, NULL), 0);
	parse_ok("Nop[x]", true);
	assert_int_equal(transform_hdr2xattrs(&t, pl_from_str("a=1"), &l, NULL), 0);
	/* a full list takes no more */
	parse_ok("HDR2Xattrs[X-Foo]", true);
	while (l.n < AVLIST_MAX)
		avlist_add(&l, "z", "z");
	assert_int_equal(transform_hdr2xattrs(&t, pl_from_str("a=1"), &l, NULL), 0);
	/* an over-long name or value is skipped */
	avlist_init(&l);
	{
		char v[AV_VALUE_MAX + 20];

		memset(v, 'n', AV_NAME_MAX + 1);
		strcpy(v + AV_NAME_MAX + 1, "=1");
		assert_int_equal(transform_hdr2xattrs(&t, pl_from_str(v), &l, NULL), 0);
		v[0] = 'a';
		v[1] = '=';
		memset(v + 2, 'v', AV_VALUE_MAX + 1);
		v[AV_VALUE_MAX + 3] = '\0';
		assert_int_equal(transform_hdr2xattrs(&t, pl_from_str(v), &l, NULL), 0);
		v[AV_VALUE_MAX + 2] = '\0';
		assert_int_equal(transform_hdr2xattrs(&t, pl_from_str(v), &l, NULL), 1);
	}
}

static void test_val2xattrs(void **state)
{
	struct avlist a, o;

	(void)state;
	avlist_init(&a);
	avlist_init(&o);
	parse_ok("VAL2Xattrs[k1=v1,k2=v2,k1=v1,k1=v3]", false);
	assert_int_equal(transform_val2xattrs(&t, &a, &o, NULL), 6);
	assert_int_equal(a.n, 3);
	assert_int_equal(o.n, 3);
	assert_string_equal(a.a[2].value, "v3");
	/* applied again (a second attempt): everything is already there */
	assert_int_equal(transform_val2xattrs(&t, &a, &o, NULL), 0);
	/* case-insensitive names, exact values */
	parse_ok("VAL2XattrsA[K1=v1,k2=V2]", false);
	assert_int_equal(transform_val2xattrs(&t, &a, &o, NULL), 1);
	assert_int_equal(a.n, 4);
	assert_int_equal(o.n, 3);
	parse_ok("VAL2XattrsO[x=1]", false);
	assert_int_equal(transform_val2xattrs(&t, &a, &o, NULL), 1);
	assert_int_equal(a.n, 4);
	assert_int_equal(o.n, 4);
	/* a NULL list is skipped */
	parse_ok("VAL2Xattrs[y=1]", false);
	assert_int_equal(transform_val2xattrs(&t, NULL, &o, NULL), 1);
	assert_int_equal(transform_val2xattrs(&t, &a, NULL, NULL), 1);
	/* a refusal is an error */
	parse_ok("VAL2Xattrs[a=1,b=2]", false);
	avlist_init(&a);
	assert_int_equal(transform_val2xattrs(&t, &a, NULL, refuse_b), -1);
	assert_int_equal(a.n, 1);
	avlist_init(&o);
	assert_int_equal(transform_val2xattrs(&t, NULL, &o, refuse_b), -1);
	/* Nop and HDR2Xattrs add nothing */
	parse_ok("Nop[x]", false);
	assert_int_equal(transform_val2xattrs(&t, &a, &o, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_hdr2xattrs),
		cmocka_unit_test(test_val2xattrs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
