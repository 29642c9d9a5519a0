/* test_sip_hdr.c - header-name and method tables. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <string.h>

#include "sip_hdr.h"

static enum sip_hdr_id lookup(const char *s)
{
	return sip_hdr_lookup(pl_from_str(s));
}

/* Every canonical name maps back to its id, in any letter case. */
static void test_round_trip(void **state)
{
	(void)state;
	for (int id = 1; id < SIP_HDR__COUNT; id++) {
		const char *name = sip_hdr_name((enum sip_hdr_id)id);
		char up[64], low[64];
		size_t n = strlen(name);

		assert_true(n > 1 && n < sizeof(up));
		for (size_t i = 0; i <= n; i++) {
			up[i] = (char)toupper((unsigned char)name[i]);
			low[i] = (char)tolower((unsigned char)name[i]);
		}
		assert_int_equal(lookup(name), id);
		assert_int_equal(lookup(up), id);
		assert_int_equal(lookup(low), id);
		/* the same length and first letter but another last byte
		   ('_' is in no known name) is no known header */
		memcpy(up, name, n + 1);
		up[n - 1] = '_';
		assert_int_equal(lookup(up), SIP_HDR_OTHER);
		/* one character less is another header (or, for "To", the
		   compact form of the same one) */
		if (n > 2)
			assert_int_not_equal(sip_hdr_lookup(pl_from(name, n - 1)), id);
	}
	assert_string_equal(sip_hdr_name(SIP_HDR_OTHER), "");
	assert_string_equal(sip_hdr_name(SIP_HDR__COUNT), "");
	assert_string_equal(sip_hdr_name(SIP_HDR_CALL_ID), "Call-ID");
	assert_string_equal(sip_hdr_name(SIP_HDR_CSEQ), "CSeq");
	assert_string_equal(sip_hdr_name(SIP_HDR_WWW_AUTHENTICATE), "WWW-Authenticate");
}

static void test_compact(void **state)
{
	static const struct {
		char c;
		enum sip_hdr_id id;
	} forms[] = {
		{ 'i', SIP_HDR_CALL_ID }, { 'm', SIP_HDR_CONTACT }, { 'l', SIP_HDR_CONTENT_LENGTH },
		{ 'c', SIP_HDR_CONTENT_TYPE }, { 'f', SIP_HDR_FROM }, { 't', SIP_HDR_TO },
		{ 'r', SIP_HDR_REFER_TO }, { 'v', SIP_HDR_VIA }, { 'k', SIP_HDR_SUPPORTED },
		{ 's', SIP_HDR_SUBJECT }, { 'o', SIP_HDR_EVENT }, { 'e', SIP_HDR_CONTENT_ENCODING },
		{ 'u', SIP_HDR_ALLOW_EVENTS }, { 'b', SIP_HDR_REFERRED_BY },
		{ 'x', SIP_HDR_SESSION_EXPIRES }, { 'a', SIP_HDR_ACCEPT_CONTACT },
		{ 'j', SIP_HDR_REJECT_CONTACT }, { 'd', SIP_HDR_REQUEST_DISPOSITION },
		{ 'y', SIP_HDR_IDENTITY }, { 'n', SIP_HDR_IDENTITY_INFO },
	};
	unsigned with_compact = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		char s[2] = { forms[i].c, 0 };

		assert_int_equal(lookup(s), forms[i].id);
		s[0] = (char)toupper((unsigned char)s[0]);
		assert_int_equal(lookup(s), forms[i].id);
		assert_int_equal(sip_hdr_compact(forms[i].id), forms[i].c);
	}
	for (int id = 0; id < SIP_HDR__COUNT; id++)
		with_compact += sip_hdr_compact((enum sip_hdr_id)id) != 0;
	assert_int_equal(with_compact, sizeof(forms) / sizeof(forms[0]));
	assert_int_equal(sip_hdr_compact(SIP_HDR_ROUTE), 0);
	assert_int_equal(sip_hdr_compact(SIP_HDR__COUNT), 0);
	assert_int_equal(lookup("g"), SIP_HDR_OTHER);
	assert_int_equal(lookup("z"), SIP_HDR_OTHER);
	assert_int_equal(lookup("1"), SIP_HDR_OTHER);
}

static void test_unknown(void **state)
{
	(void)state;
	assert_int_equal(lookup(""), SIP_HDR_OTHER);
	assert_int_equal(lookup("X-Foo"), SIP_HDR_OTHER);
	assert_int_equal(lookup("Vias"), SIP_HDR_OTHER);
	assert_int_equal(lookup("Call_ID"), SIP_HDR_OTHER);
	assert_int_equal(lookup("Content\rType"), SIP_HDR_OTHER);
	assert_int_equal(lookup("9"), SIP_HDR_OTHER);
	assert_int_equal(lookup("Zzz"), SIP_HDR_OTHER);
	assert_int_equal(lookup("\xc3\xa9t\xc3\xa9"), SIP_HDR_OTHER);
	assert_int_equal(sip_hdr_lookup(PL_NULL), SIP_HDR_OTHER);
	/* every length, with a first letter no known name of it starts with */
	for (size_t n = 2; n <= 40; n++) {
		char name[41];

		memset(name, 'x', n);
		name[0] = 'X';
		assert_int_equal(sip_hdr_lookup(pl_from(name, n)), SIP_HDR_OTHER);
	}
}

static void test_lists(void **state)
{
	(void)state;
	assert_true(sip_hdr_is_list(SIP_HDR_VIA));
	assert_true(sip_hdr_is_list(SIP_HDR_ROUTE));
	assert_true(sip_hdr_is_list(SIP_HDR_RECORD_ROUTE));
	assert_true(sip_hdr_is_list(SIP_HDR_CONTACT));
	assert_true(sip_hdr_is_list(SIP_HDR_ALLOW));
	assert_true(sip_hdr_is_list(SIP_HDR_SUPPORTED));
	assert_true(sip_hdr_is_list(SIP_HDR_REQUIRE));
	assert_true(sip_hdr_is_list(SIP_HDR_PROXY_REQUIRE));
	assert_true(sip_hdr_is_list(SIP_HDR_UNSUPPORTED));
	assert_false(sip_hdr_is_list(SIP_HDR_OTHER));
	assert_false(sip_hdr_is_list(SIP_HDR_DATE));
	assert_false(sip_hdr_is_list(SIP_HDR_AUTHORIZATION));
	assert_false(sip_hdr_is_list(SIP_HDR_WWW_AUTHENTICATE));
	assert_false(sip_hdr_is_list(SIP_HDR_FROM));
	assert_false(sip_hdr_is_list(SIP_HDR__COUNT));
}

static void test_methods(void **state)
{
	(void)state;
	for (int id = 1; id < SIP_METHOD__COUNT; id++) {
		const char *name = sip_method_name((enum sip_method)id);

		assert_true(strlen(name) >= 3);
		assert_int_equal(sip_method_lookup(pl_from_str(name)), id);
	}
	assert_int_equal(sip_method_lookup(pl_from_str("invite")), SIP_METHOD_OTHER);
	assert_int_equal(sip_method_lookup(pl_from_str("INVITEX")), SIP_METHOD_OTHER);
	assert_int_equal(sip_method_lookup(pl_from_str("FOO")), SIP_METHOD_OTHER);
	assert_int_equal(sip_method_lookup(pl_from_str("")), SIP_METHOD_OTHER);
	assert_int_equal(sip_method_lookup(pl_from_str("SUBSCRIBEX")), SIP_METHOD_OTHER);
	/* near misses of every length */
	assert_int_equal(sip_method_lookup(pl_from_str("ACX")), SIP_METHOD_OTHER);
	assert_int_equal(sip_method_lookup(pl_from_str("INFX")), SIP_METHOD_OTHER);
	assert_int_equal(sip_method_lookup(pl_from_str("PRACX")), SIP_METHOD_OTHER);
	assert_int_equal(sip_method_lookup(pl_from_str("INVITX")), SIP_METHOD_OTHER);
	assert_int_equal(sip_method_lookup(pl_from_str("OPTIONX")), SIP_METHOD_OTHER);
	assert_int_equal(sip_method_lookup(pl_from_str("REGISTEX")), SIP_METHOD_OTHER);
	assert_int_equal(sip_method_lookup(pl_from_str("SUBSCRIBX")), SIP_METHOD_OTHER);
	assert_string_equal(sip_method_name(SIP_METHOD_OTHER), "");
	assert_string_equal(sip_method_name(SIP_METHOD__COUNT), "");
	assert_string_equal(sip_method_name(SIP_METHOD_PRACK), "PRACK");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_compact),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_methods),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
