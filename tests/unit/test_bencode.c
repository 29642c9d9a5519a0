/*
 * test_bencode.c - the bencode codec: every value kind, lookups, the
 * writer, and each parse error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "bencode.h"

#define NTOK 64

static struct bencode_tok T[NTOK];

static int parse(const char *s)
{
	return bencode_parse(s, strlen(s), T, NTOK, NULL);
}

static void expect_error(const char *in, const char *reason)
{
	struct bencode_error err = { NULL, 0 };

	assert_int_equal(bencode_parse(in, strlen(in), T, NTOK, &err), -1);
	assert_non_null(err.reason);
	assert_string_equal(err.reason, reason);
}

static void test_scalars(void **state)
{
	(void)state;
	assert_int_equal(parse("i42e"), 1);
	assert_int_equal(T[0].type, BENCODE_INT);
	assert_int_equal(T[0].i, 42);
	assert_int_equal(T[0].next, 1);
	assert_int_equal(parse("i-7e"), 1);
	assert_int_equal(T[0].i, -7);
	assert_int_equal(parse("i0e"), 1);
	assert_int_equal(T[0].i, 0);
	assert_int_equal(parse("i9223372036854775807e"), 1);
	assert_true(T[0].i == INT64_MAX);
	assert_int_equal(parse("i-9223372036854775808e"), 1);
	assert_true(T[0].i == INT64_MIN);
	assert_int_equal(parse("4:spam"), 1);
	assert_int_equal(T[0].type, BENCODE_STR);
	assert_true(pl_eq_str(T[0].s, "spam"));
	assert_int_equal(parse("0:"), 1);
	assert_int_equal(T[0].s.l, 0);
	/* Strings are bytes: NUL and 'e' inside are data. */
	assert_int_equal(bencode_parse("3:a\0e", 5, T, NTOK, NULL), 1);
	assert_int_equal(T[0].s.l, 3);
}

static void test_containers(void **state)
{
	const char *in = "d3:cow3:moo4:spaml1:a1:bi3ee5:emptyde4:listlee";
	int n;

	(void)state;
	n = parse(in);
	assert_int_equal(n, 12);
	assert_int_equal(T[0].type, BENCODE_DICT);
	assert_int_equal(T[0].n, 4);
	assert_int_equal(T[0].next, 12);
	assert_int_equal(T[0].s.l, strlen(in));
	assert_true(pl_eq_str(bencode_dict_str(T, 0, "cow"), "moo"));
	assert_null(bencode_dict_str(T, 0, "spam").p);	/* not a string */
	assert_null(bencode_dict_str(T, 0, "horse").p);
	{
		int l = bencode_dict_get(T, 0, PL("spam"));
		int64_t v;

		assert_true(l > 0);
		assert_int_equal(T[l].type, BENCODE_LIST);
		assert_int_equal(T[l].n, 3);
		assert_true(pl_eq_str(T[l].s, "l1:a1:bi3ee"));
		assert_true(pl_eq_str(T[bencode_list_at(T, l, 1)].s, "b"));
		assert_int_equal(T[bencode_list_at(T, l, 2)].i, 3);
		assert_int_equal(bencode_list_at(T, l, 3), -1);
		assert_int_equal(bencode_list_at(T, 0, 0), -1);	/* not a list */
		assert_false(bencode_dict_int(T, 0, "cow", &v));
		assert_false(bencode_dict_int(T, 0, "none", &v));
	}
	{
		int e = bencode_dict_get(T, 0, PL("empty"));

		assert_int_equal(T[e].type, BENCODE_DICT);
		assert_int_equal(T[e].n, 0);
		assert_int_equal(bencode_dict_get(T, e, PL("x")), -1);
	}
	assert_int_equal(bencode_dict_get(T, -1, PL("x")), -1);
	assert_int_equal(bencode_dict_get(T, 1, PL("x")), -1);	/* a string */
}

static void test_nested_lookup(void **state)
{
	int64_t v = 0;

	(void)state;
	/* Values after a nested container are found (next skips subtrees). */
	assert_true(parse("d1:ad1:bd1:ci1eee1:zi9e1:yli1ei2eee") > 0);
	assert_true(bencode_dict_int(T, 0, "z", &v));
	assert_int_equal(v, 9);
	assert_int_equal(T[bencode_dict_get(T, 0, PL("y"))].n, 2);
	/* Duplicate keys: the first wins. */
	assert_true(parse("d1:ai1e1:ai2ee") > 0);
	assert_true(bencode_dict_int(T, 0, "a", &v));
	assert_int_equal(v, 1);
}

static void test_errors(void **state)
{
	char deep[BENCODE_MAX_DEPTH * 2 + 4];

	(void)state;
	expect_error("", "empty input");
	assert_int_equal(bencode_parse(NULL, 0, T, NTOK, NULL), -1);
	expect_error("i12", "truncated integer");
	expect_error("ie", "integer without digits");
	expect_error("i-e", "integer without digits");
	expect_error("i1x", "bad character in integer");
	expect_error("i012e", "integer with a leading zero");
	expect_error("i-0e", "negative zero");
	expect_error("i9223372036854775808e", "integer out of range");
	expect_error("i-9223372036854775809e", "integer out of range");
	expect_error("1", "truncated string length");
	expect_error("1x", "bad character in string length");
	expect_error("04:spam", "string length with a leading zero");
	expect_error("5:spam", "string longer than the input");
	expect_error("9:", "string longer than the input");
	expect_error("99999999999999999999999:a", "string longer than the input");
	expect_error("l", "truncated input");
	expect_error("d3:key", "truncated input");
	expect_error("d3:keye", "dict key without a value");
	expect_error("di1ei2ee", "dict key is not a string");
	expect_error("x", "not a bencode value");
	expect_error("e", "not a bencode value");
	expect_error("i1ei2e", "bytes after the value");
	expect_error("lee", "bytes after the value");
	memset(deep, 'l', BENCODE_MAX_DEPTH + 1);
	deep[BENCODE_MAX_DEPTH + 1] = '\0';
	expect_error(deep, "nested too deep");
	/* Exactly the maximum depth is fine. */
	memset(deep, 'l', BENCODE_MAX_DEPTH);
	memset(deep + BENCODE_MAX_DEPTH, 'e', BENCODE_MAX_DEPTH);
	deep[2 * BENCODE_MAX_DEPTH] = '\0';
	assert_int_equal(parse(deep), BENCODE_MAX_DEPTH);
	{
		struct bencode_error err;

		assert_int_equal(bencode_parse("li1ei2ei3ee", 11, T, 3, &err), -1);
		assert_string_equal(err.reason, "too many values");
		assert_int_equal(err.offset, 7);
	}
}

static void test_writer(void **state)
{
	char buf[256];
	struct bencode_buf b;
	int n;

	(void)state;
	bencode_init(&b, buf, sizeof(buf));
	bencode_dict(&b);
	bencode_kv(&b, "command", PL("offer"));
	bencode_cstr(&b, "flags");
	bencode_list(&b);
	bencode_cstr(&b, "trust-address");
	bencode_end(&b);
	bencode_cstr(&b, "n");
	bencode_int(&b, -12);
	bencode_cstr(&b, "z");
	bencode_int(&b, 0);
	bencode_cstr(&b, "max");
	bencode_int(&b, INT64_MIN);
	bencode_end(&b);
	n = bencode_finish(&b);
	assert_int_equal(n, (int)strlen("d7:command5:offer5:flagsl13:trust-addresse1:ni-12e1:zi0e"
				       "3:maxi-9223372036854775808ee"));
	assert_memory_equal(buf, "d7:command5:offer5:flagsl13:trust-addresse1:ni-12e1:zi0e"
				 "3:maxi-9223372036854775808ee", (size_t)n);
	/* What we write, we read. */
	assert_int_equal(bencode_parse(buf, (size_t)n, T, NTOK, NULL), 12);
	assert_true(pl_eq_str(bencode_dict_str(T, 0, "command"), "offer"));
}

static void test_writer_errors(void **state)
{
	char buf[8];
	struct bencode_buf b;

	(void)state;
	bencode_init(&b, buf, sizeof(buf));
	bencode_cstr(&b, "12345678");	/* 10 bytes: does not fit */
	assert_int_equal(bencode_finish(&b), -1);
	assert_true(b.overflow);
	assert_true(b.len <= sizeof(buf));
	bencode_init(&b, buf, sizeof(buf));
	bencode_list(&b);
	assert_int_equal(bencode_finish(&b), -1);	/* unclosed */
	bencode_end(&b);
	assert_int_equal(bencode_finish(&b), 2);
	bencode_end(&b);				/* one too many */
	assert_int_equal(bencode_finish(&b), -1);
	/* Exactly full is fine. */
	bencode_init(&b, buf, 3);
	bencode_cstr(&b, "a");
	assert_int_equal(bencode_finish(&b), 3);
	bencode_int(&b, 1);
	assert_int_equal(bencode_finish(&b), -1);
}

/* An ng reply as rtpengine sends it (keys in insertion order). */
static void test_ng_reply(void **state)
{
	const char *r = "d3:sdp16:v=0\r\nm=audio 5\r\n6:result2:ok7:warning3:hmme";
	int64_t v;

	(void)state;
	assert_true(parse(r) > 0);
	assert_true(pl_eq_str(bencode_dict_str(T, 0, "result"), "ok"));
	assert_true(pl_eq_str(bencode_dict_str(T, 0, "sdp"), "v=0\r\nm=audio 5\r\n"));
	assert_false(bencode_dict_int(T, 0, "result", &v));
}

/* Tokenless checks and lookups, for replies of any size. */
static void test_check_lookup(void **state)
{
	const char *d = "d6:resultld1:ai1eee3:sdp3:v=07:warning0:1:ii5ee";
	struct bencode_error err;
	struct pl v, s;

	(void)state;
	assert_int_equal(bencode_check(d, strlen(d), &err), 0);
	assert_true(bencode_lookup(pl_from_str(d), PL("sdp"), &v));
	assert_true(pl_eq_str(v, "3:v=0"));
	assert_true(bencode_as_str(v, &s));
	assert_true(pl_eq_str(s, "v=0"));
	assert_true(bencode_lookup(pl_from_str(d), PL("result"), &v));
	assert_true(pl_eq_str(v, "ld1:ai1eee"));
	assert_false(bencode_as_str(v, &s));
	assert_true(bencode_lookup(pl_from_str(d), PL("warning"), &v));
	assert_true(bencode_as_str(v, &s));
	assert_int_equal(s.l, 0);
	assert_true(bencode_lookup(pl_from_str(d), PL("i"), &v));
	assert_false(bencode_as_str(v, &s));
	assert_false(bencode_lookup(pl_from_str(d), PL("none"), &v));
	assert_false(bencode_lookup(PL("l1:ae"), PL("a"), &v));
	assert_false(bencode_lookup(PL("d"), PL("a"), &v));
	assert_false(bencode_lookup(PL("di1ei2ee"), PL("a"), &v));
	assert_false(bencode_lookup(PL("d1:ax"), PL("a"), &v));
	assert_false(bencode_as_str(PL("3:ab"), &s));
	assert_false(bencode_as_str(PL(""), &s));
	assert_int_equal(bencode_check("", 0, &err), -1);
	assert_string_equal(err.reason, "empty input");
	assert_int_equal(bencode_check("i1ei", 4, &err), -1);
	assert_string_equal(err.reason, "bytes after the value");
	assert_int_equal(bencode_check("d1:a", 4, &err), -1);
	assert_string_equal(err.reason, "truncated input");
	/* No token limit without tokens. */
	{
		static char big[3 + 2000 * 3];
		size_t n = 0;

		big[n++] = 'l';
		for (int i = 0; i < 2000; i++) {
			memcpy(big + n, "i1e", 3);
			n += 3;
		}
		big[n++] = 'e';
		assert_int_equal(bencode_check(big, n, &err), 0);
		assert_int_equal(bencode_parse(big, n, T, NTOK, &err), -1);
		assert_string_equal(err.reason, "too many values");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_containers),
		cmocka_unit_test(test_nested_lookup),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_writer),
		cmocka_unit_test(test_writer_errors),
		cmocka_unit_test(test_ng_reply),
		cmocka_unit_test(test_check_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
