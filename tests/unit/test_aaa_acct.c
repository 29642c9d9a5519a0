/* ccd/aaa_acct.c: Cisco accounting records attribute for attribute (Sippy's
 * order), the time format and arithmetic, Q.850 causes, Acct-Delay-Time. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ccd/aaa_acct.h"
#include "ccd/aaa_auth.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* 2026-11-20 23:01:12 UTC, a Friday (the epoch Sippy's record showed). */
#define T0	INT64_C(1795215672000000)
#define MS	INT64_C(1000)
#define SEC	INT64_C(1000000)
#define CID	"1-23793@127.0.0.1"
#define CONF	"h323-conf-id=56CCBA50 A21B612A DCF9556D 540E277A"	/* MD5(CID) */
#define DAY	" GMT Fri Nov 20 2026"

static void dump(const struct avlist *l)
{
	for (unsigned i = 0; i < l->n; i++)
		print_message("  [%u] %s = \"%s\"\n", i, l->a[i].name, l->a[i].value);
}

static void expect_list(const struct avlist *l, const char *const want[][2], size_t n)
{
	for (size_t i = 0; i < n && i < l->n; i++)
		if (strcmp(l->a[i].name, want[i][0]) != 0 ||
		    strcmp(l->a[i].value, want[i][1]) != 0) {
			dump(l);
			fail_msg("pair %zu: got %s=\"%s\", expected %s=\"%s\"", i, l->a[i].name,
				 l->a[i].value, want[i][0], want[i][1]);
		}
	if (l->n != n) {
		dump(l);
		fail_msg("%u pairs, expected %zu", l->n, n);
	}
}

static const char *value_of(const struct avlist *l, const char *name)
{
	const char *v = avlist_find(l, name, NULL);

	if (!v) {
		dump(l);
		fail_msg("no %s", name);
	}
	return v;
}

/* The caller's leg of Sippy's verified call: answered 2.6 s after the
 * INVITE, 10.5 s of talk, the caller hung up. */
static struct aaa_acct_leg answer_leg(void)
{
	return (struct aaa_acct_leg){
		.origin = AAA_ACCT_ANSWER,
		.user_name = "127.0.0.1",
		.calling = "sipp",
		.called = "service",
		.call_id = CID,
		.remote_address = "127.0.0.1",
		.setup_us = T0 + 400 * MS,
		.connect_us = T0 + 3000 * MS,
		.disconnect_us = T0 + 13500 * MS,
		.release = AAA_RELEASE_CALLER,
	};
}

/* ---------------------------------------------------------- Q.850 */

static void test_q850_table(void **state)
{
	static const struct {
		unsigned sip;
		const char *hex;
	} rows[] = {
		{ 400, "7f" }, { 401, "39" }, { 402, "15" }, { 403, "39" }, { 404, "1" },
		{ 405, "7f" }, { 406, "7f" }, { 407, "15" }, { 408, "66" }, { 409, "29" },
		{ 410, "1" },  { 411, "7f" }, { 413, "7f" }, { 414, "7f" }, { 415, "4f" },
		{ 420, "7f" }, { 480, "12" }, { 481, "7f" }, { 482, "7f" }, { 483, "7f" },
		{ 484, "1c" }, { 485, "1" },  { 486, "11" }, { 487, "12" }, { 488, "7f" },
		{ 500, "29" }, { 501, "4f" }, { 502, "26" }, { 503, "3f" }, { 504, "66" },
		{ 505, "7f" }, { 580, "2f" }, { 600, "11" }, { 603, "15" }, { 604, "1" },
		{ 606, "3a" },
		/* not in the table: interworking */
		{ 412, "7f" }, { 422, "7f" }, { 491, "7f" }, { 499, "7f" }, { 506, "7f" },
		{ 599, "7f" }, { 601, "7f" }, { 699, "7f" }, { 700, "7f" }, { 65535, "7f" },
		{ 4294967295u, "7f" },
		/* normal clearing: BYE, or abandoned after a provisional */
		{ 0, "10" }, { 100, "10" }, { 180, "10" }, { 183, "10" }, { 199, "10" },
		/* success and redirection */
		{ 200, "0" }, { 202, "0" }, { 302, "0" }, { 399, "0" },
	};

	(void)state;
	for (size_t i = 0; i < N(rows); i++)
		if (strcmp(aaa_q850_hex(rows[i].sip), rows[i].hex) != 0)
			fail_msg("%u: got %s, expected %s", rows[i].sip, aaa_q850_hex(rows[i].sip),
				 rows[i].hex);
}

/* ----------------------------------------------------------- time */

static void expect_time(int64_t us, bool precise, const char *want)
{
	char t[AAA_TIME_SIZE];
	int n = aaa_acct_time(t, us, precise);

	assert_int_equal(n, (int)strlen(want));
	if (strcmp(t, want) != 0)
		fail_msg("%lld: got '%s', expected '%s'", (long long)us, t, want);
}

static void test_time_format(void **state)
{
	(void)state;
	expect_time(T0, false, "23:01:12.000 GMT Fri Nov 20 2026");
	expect_time(T0 + 123456, true, "23:01:12.123 GMT Fri Nov 20 2026");
	expect_time(T0 + 999999, false, "23:01:12.000 GMT Fri Nov 20 2026");
	expect_time(T0 + 999999, true, "23:01:12.999 GMT Fri Nov 20 2026");
	/* day without a leading zero, every field of its own width */
	expect_time(INT64_C(1772323200) * SEC, false, "00:00:00.000 GMT Sun Mar 1 2026");
	expect_time(INT64_C(1767596889) * SEC + 7 * MS, true, "07:08:09.007 GMT Mon Jan 5 2026");
	expect_time(0, true, "00:00:00.000 GMT Thu Jan 1 1970");
	expect_time(-1, true, "23:59:59.999 GMT Wed Dec 31 1969");
	expect_time(INT64_C(253402300799) * SEC + 999999, true, "23:59:59.999 GMT Fri Dec 31 9999");
}

static void test_status_names(void **state)
{
	(void)state;
	assert_string_equal(aaa_acct_status_name(AAA_ACCT_START), "Start");
	assert_string_equal(aaa_acct_status_name(AAA_ACCT_STOP), "Stop");
	assert_string_equal(aaa_acct_status_name(AAA_ACCT_ALIVE), "Alive");
}

/* -------------------------------------------------------- records */

/* Stop of an answered leg: delay 2.6 s and duration 10.5 s are rounded
 * (to 3 and 11) before the times are derived from the setup time, so
 * disconnect minus connect is Acct-Session-Time. */
static void test_stop_answered(void **state)
{
	static const char *const want[][2] = {
		{ "h323-call-origin", "h323-call-origin=answer" },
		{ "h323-call-type", "h323-call-type=VoIP" },
		{ "Cisco-AVPair", "h323-session-protocol=sipv2" },
		{ "User-Name", "127.0.0.1" },
		{ "Calling-Station-Id", "sipp" },
		{ "Called-Station-Id", "service" },
		{ "h323-conf-id", CONF },
		{ "Cisco-AVPair", "call-id=" CID },
		{ "Acct-Session-Id", CID },
		{ "h323-remote-address", "h323-remote-address=127.0.0.1" },
		{ "h323-voice-quality", "h323-voice-quality=0" },
		{ "Acct-Terminate-Cause", "User-Request" },
		{ "h323-disconnect-time", "h323-disconnect-time=23:01:26.000" DAY },
		{ "Acct-Session-Time", "11" },
		{ "h323-disconnect-cause", "h323-disconnect-cause=10" },
		{ "Cisco-AVPair", "release-source=2" },
		{ "h323-connect-time", "h323-connect-time=23:01:15.000" DAY },
		{ "h323-setup-time", "h323-setup-time=23:01:12.000" DAY },
		{ "Acct-Status-Type", "Stop" },
		{ "Acct-Delay-Time", "0" },
	};
	struct aaa_acct_leg leg = answer_leg();
	struct avlist l;

	(void)state;
	assert_int_equal(aaa_acct_record(&l, &leg, AAA_ACCT_STOP, T0 + 99 * SEC), 0);
	expect_list(&l, want, N(want));
}

/* --precise_acct: the real times, milliseconds shown. */
static void test_stop_precise(void **state)
{
	struct aaa_acct_leg leg = answer_leg();
	struct avlist l;

	(void)state;
	leg.precise = true;
	assert_int_equal(aaa_acct_record(&l, &leg, AAA_ACCT_STOP, 0), 0);
	assert_string_equal(value_of(&l, "h323-setup-time"), "h323-setup-time=23:01:12.400" DAY);
	assert_string_equal(value_of(&l, "h323-connect-time"),
			    "h323-connect-time=23:01:15.000" DAY);
	assert_string_equal(value_of(&l, "h323-disconnect-time"),
			    "h323-disconnect-time=23:01:25.500" DAY);
	assert_string_equal(value_of(&l, "Acct-Session-Time"), "11");	/* 10.5 rounds up */

	leg.disconnect_us = leg.connect_us + 10499 * MS;
	assert_int_equal(aaa_acct_record(&l, &leg, AAA_ACCT_STOP, 0), 0);
	assert_string_equal(value_of(&l, "Acct-Session-Time"), "10");
}

/* A failed route attempt: connect = disconnect = failure time, duration 0,
 * no voice-quality or terminate cause; peer UA, provisional-timepoint and
 * po_proc extras (after h323-remote-address). */
static void test_stop_failed_attempt(void **state)
{
	static const char *const want[][2] = {
		{ "h323-call-origin", "h323-call-origin=originate" },
		{ "h323-call-type", "h323-call-type=VoIP" },
		{ "Cisco-AVPair", "h323-session-protocol=sipv2" },
		{ "User-Name", "acct-7" },
		{ "Calling-Station-Id", "4441112222" },
		{ "Called-Station-Id", "987654" },
		{ "h323-conf-id", CONF },
		{ "Cisco-AVPair", "call-id=" CID },
		{ "Acct-Session-Id", CID },
		{ "h323-remote-address", "h323-remote-address=192.0.2.10" },
		{ "h323-billing-model", "h323-billing-model=2" },
		{ "X-Route", "r1" },
		{ "h323-disconnect-time", "h323-disconnect-time=23:01:14.000" DAY },
		{ "Acct-Session-Time", "0" },
		{ "h323-disconnect-cause", "h323-disconnect-cause=11" },
		{ "Cisco-AVPair", "release-source=4" },
		{ "h323-connect-time", "h323-connect-time=23:01:14.000" DAY },
		{ "h323-setup-time", "h323-setup-time=23:01:12.000" DAY },
		{ "Acct-Status-Type", "Stop" },
		{ "Cisco-AVPair", "h323-ivr-out=sip_ua:Asterisk PBX 18.0" },
		{ "Acct-Delay-Time", "0" },
		{ "Cisco-AVPair", "provisional-timepoint=23:01:12.000" DAY },
	};
	struct avlist extra;
	struct aaa_acct_leg leg = {
		.origin = AAA_ACCT_ORIGINATE,
		.user_name = "acct-7",
		.calling = "4441112222",
		.called = "987654",
		.call_id = CID,
		.remote_address = "192.0.2.10",
		.setup_us = T0 + 400 * MS,
		.disconnect_us = T0 + 1900 * MS,	/* 486 after 1.5 s: delay rounds to 2 */
		.sip_code = 486,
		.release = AAA_RELEASE_CALLEE,
		.peer_ua = "Asterisk PBX 18.0",
		.provisional_us = T0 + 450 * MS,
		.extra = &extra,
	};
	struct avlist l;

	(void)state;
	avlist_init(&extra);
	avlist_add(&extra, "h323-billing-model", "2");
	avlist_add(&extra, "X-Route", "r1");
	assert_int_equal(aaa_acct_record(&l, &leg, AAA_ACCT_STOP, T0 + 50 * SEC), 0);
	expect_list(&l, want, N(want));

	/* Precise: the times are the failure's, with milliseconds. */
	leg.precise = true;
	assert_int_equal(aaa_acct_record(&l, &leg, AAA_ACCT_STOP, 0), 0);
	assert_string_equal(value_of(&l, "h323-connect-time"),
			    "h323-connect-time=23:01:13.900" DAY);
	assert_string_equal(value_of(&l, "h323-disconnect-time"),
			    "h323-disconnect-time=23:01:13.900" DAY);
	assert_string_equal(avlist_find(&l, "Cisco-AVPair", &(unsigned){ 20 }),
			    "provisional-timepoint=23:01:12.450" DAY);
}

/* Start (-A 2): sent at connect, before voice-quality and the terminate
 * cause join the record; no disconnect attributes, no release-source. */
static void test_start(void **state)
{
	static const char *const want[][2] = {
		{ "h323-call-origin", "h323-call-origin=originate" },
		{ "h323-call-type", "h323-call-type=VoIP" },
		{ "Cisco-AVPair", "h323-session-protocol=sipv2" },
		{ "User-Name", "127.0.0.1" },
		{ "Calling-Station-Id", "15551234" },
		{ "Called-Station-Id", "987654" },
		{ "h323-conf-id", CONF },
		{ "Cisco-AVPair", "call-id=" CID },
		{ "Acct-Session-Id", CID },
		{ "h323-remote-address", "h323-remote-address=127.0.0.1" },
		{ "h323-connect-time", "h323-connect-time=23:01:14.000" DAY },
		{ "h323-setup-time", "h323-setup-time=23:01:13.000" DAY },
		{ "Acct-Status-Type", "Start" },
		{ "Acct-Delay-Time", "0" },
	};
	struct aaa_acct_leg leg = {
		.origin = AAA_ACCT_ORIGINATE,
		.user_name = "127.0.0.1",
		.calling = "15551234",
		.called = "987654",
		.call_id = CID,
		.remote_address = "127.0.0.1",
		.setup_us = T0 + 1000 * MS,
		.connect_us = T0 + 2200 * MS,
		.sip_code = 200,
		.release = AAA_RELEASE_CALLER,
	};
	struct avlist l;

	(void)state;
	assert_int_equal(aaa_acct_record(&l, &leg, AAA_ACCT_START, T0 + 2200 * MS), 0);
	expect_list(&l, want, N(want));
}

/* Alive: true times (Sippy's are garbage): disconnect-time = now, session
 * time = now - connect; cause "normal clearing"; no release-source, no
 * Acct-Terminate-Cause (RFC 2866: Stop only). */
static void test_alive(void **state)
{
	static const char *const want[][2] = {
		{ "h323-call-origin", "h323-call-origin=answer" },
		{ "h323-call-type", "h323-call-type=VoIP" },
		{ "Cisco-AVPair", "h323-session-protocol=sipv2" },
		{ "User-Name", "127.0.0.1" },
		{ "Calling-Station-Id", "sipp" },
		{ "Called-Station-Id", "service" },
		{ "h323-conf-id", CONF },
		{ "Cisco-AVPair", "call-id=" CID },
		{ "Acct-Session-Id", CID },
		{ "h323-remote-address", "h323-remote-address=127.0.0.1" },
		{ "h323-voice-quality", "h323-voice-quality=0" },
		{ "h323-disconnect-time", "h323-disconnect-time=23:02:16.000" DAY },
		{ "Acct-Session-Time", "61" },
		{ "h323-disconnect-cause", "h323-disconnect-cause=10" },
		{ "h323-connect-time", "h323-connect-time=23:01:15.000" DAY },
		{ "h323-setup-time", "h323-setup-time=23:01:12.000" DAY },
		{ "Acct-Status-Type", "Alive" },
		{ "Acct-Delay-Time", "0" },
	};
	struct aaa_acct_leg leg = answer_leg();
	struct avlist l;

	(void)state;
	leg.disconnect_us = 0;
	leg.sip_code = 200;	/* ignored for Alive */
	assert_int_equal(aaa_acct_record(&l, &leg, AAA_ACCT_ALIVE, leg.connect_us + 60700 * MS),
			 0);
	expect_list(&l, want, N(want));

	/* A disconnect time given to an Alive is ignored: now counts. */
	leg.disconnect_us = T0 + 5 * SEC;
	assert_int_equal(aaa_acct_record(&l, &leg, AAA_ACCT_ALIVE, leg.connect_us + 60700 * MS),
			 0);
	expect_list(&l, want, N(want));
}

/* A Stop without a disconnect time ends now. */
static void test_stop_now(void **state)
{
	struct aaa_acct_leg leg = answer_leg();
	struct avlist l;

	(void)state;
	leg.disconnect_us = 0;
	leg.precise = true;
	assert_int_equal(aaa_acct_record(&l, &leg, AAA_ACCT_STOP, leg.connect_us + 7250 * MS), 0);
	assert_string_equal(value_of(&l, "h323-disconnect-time"),
			    "h323-disconnect-time=23:01:22.250" DAY);
	assert_string_equal(value_of(&l, "Acct-Session-Time"), "7");
}

/* release-source: caller 2, callee 4, switch and media timeout 8; the
 * cause follows the SIP code. */
static void test_release_sources(void **state)
{
	static const struct {
		enum aaa_release rel;
		unsigned code;
		const char *src, *cause;
	} rows[] = {
		{ AAA_RELEASE_CALLER, 0, "release-source=2", "h323-disconnect-cause=10" },
		{ AAA_RELEASE_CALLEE, 0, "release-source=4", "h323-disconnect-cause=10" },
		{ AAA_RELEASE_SWITCH, 0, "release-source=8", "h323-disconnect-cause=10" },
		{ AAA_RELEASE_MEDIA_TIMEOUT, 0, "release-source=8", "h323-disconnect-cause=10" },
		{ AAA_RELEASE_CALLEE, 503, "release-source=4", "h323-disconnect-cause=3f" },
		{ AAA_RELEASE_SWITCH, 408, "release-source=8", "h323-disconnect-cause=66" },
		{ AAA_RELEASE_CALLER, 200, "release-source=2", "h323-disconnect-cause=0" },
	};
	struct aaa_acct_leg leg = answer_leg();
	struct avlist l;

	(void)state;
	for (size_t i = 0; i < N(rows); i++) {
		unsigned from = 0;

		leg.release = rows[i].rel;
		leg.sip_code = rows[i].code;
		assert_int_equal(aaa_acct_record(&l, &leg, AAA_ACCT_STOP, 0), 0);
		assert_string_equal(value_of(&l, "h323-disconnect-cause"), rows[i].cause);
		for (int k = 0; k < 3; k++)	/* the third Cisco-AVPair */
			avlist_find(&l, "Cisco-AVPair", &from);
		assert_string_equal(l.a[from - 1].value, rows[i].src);
		assert_string_equal(l.a[from - 1].name, "Cisco-AVPair");
	}
}

/* Absent names and numbers are left out (no empty RADIUS attributes);
 * the conf id follows the Call-ID. */
static void test_empty_fields(void **state)
{
	struct aaa_acct_leg leg = { .call_id = "abc@x", .setup_us = T0, .calling = "" };
	struct avlist l;

	(void)state;
	assert_int_equal(aaa_acct_record(&l, &leg, AAA_ACCT_STOP, T0), 0);
	assert_null(avlist_find(&l, "User-Name", NULL));
	assert_null(avlist_find(&l, "Calling-Station-Id", NULL));
	assert_null(avlist_find(&l, "Called-Station-Id", NULL));
	assert_string_equal(l.a[3].name, "h323-conf-id");
	assert_string_equal(value_of(&l, "h323-remote-address"), "h323-remote-address=");
	assert_string_equal(value_of(&l, "h323-conf-id"),
			    "h323-conf-id=ECBDA41E D57D189E 7D730B30 B04C7F93");
	assert_null(avlist_find(&l, "h323-voice-quality", NULL));
	/* empty peer UA: no h323-ivr-out */
	leg.peer_ua = "";
	assert_int_equal(aaa_acct_record(&l, &leg, AAA_ACCT_STOP, T0), 0);
	for (unsigned i = 0; i < l.n; i++)
		assert_null(strstr(l.a[i].value, "h323-ivr-out"));
}

static void test_no_record(void **state)
{
	struct aaa_acct_leg leg = answer_leg();
	struct avlist l;

	(void)state;
	leg.call_id = NULL;
	assert_int_equal(aaa_acct_record(&l, &leg, AAA_ACCT_STOP, T0), -1);
	assert_int_equal(l.n, 0);
	leg.call_id = "";
	assert_int_equal(aaa_acct_record(&l, &leg, AAA_ACCT_STOP, T0), -1);
	leg = answer_leg();
	leg.connect_us = 0;	/* never answered: no Start, no Alive */
	assert_int_equal(aaa_acct_record(&l, &leg, AAA_ACCT_START, T0), -1);
	assert_int_equal(aaa_acct_record(&l, &leg, AAA_ACCT_ALIVE, T0), -1);
	assert_int_equal(l.n, 0);
	assert_true(aaa_acct_record(&l, &leg, AAA_ACCT_STOP, T0) >= 0);
}

/* Too long for its attribute: cut at a UTF-8 boundary and counted. */
static void test_cut_values(void **state)
{
	char ua[400], cid[300], num[300];
	struct aaa_acct_leg leg = answer_leg();
	struct avlist l;
	const char *v;

	(void)state;
	/* "h323-ivr-out=sip_ua:" is 20 bytes: 227 of the UA fit. With a
	 * 2-byte character straddling byte 227 the cut backs off by one. */
	memset(ua, 'u', sizeof(ua));
	memcpy(ua + 226, "\xc3\xa9", 2);	/* é at bytes 226-227 */
	ua[300] = '\0';
	leg.peer_ua = ua;
	assert_int_equal(aaa_acct_record(&l, &leg, AAA_ACCT_STOP, 0), 1);
	v = avlist_find(&l, "Cisco-AVPair", &(unsigned){ 16 });
	assert_int_equal(strncmp(v, "h323-ivr-out=sip_ua:uuu", 23), 0);
	assert_int_equal(strlen(v), 20 + 226);
	assert_int_equal(v[strlen(v) - 1], 'u');

	/* Exactly at the limit: no cut. */
	ua[226] = 'u';
	ua[227] = '\0';
	assert_int_equal(aaa_acct_record(&l, &leg, AAA_ACCT_STOP, 0), 0);
	ua[227] = 'u';
	ua[228] = '\0';
	assert_int_equal(aaa_acct_record(&l, &leg, AAA_ACCT_STOP, 0), 1);

	/* Not UTF-8 at all (only continuation bytes): backs off 3 at most. */
	memset(ua, 0x80, 300);
	ua[300] = '\0';
	assert_int_equal(aaa_acct_record(&l, &leg, AAA_ACCT_STOP, 0), 1);
	v = avlist_find(&l, "Cisco-AVPair", &(unsigned){ 16 });
	assert_int_equal(strlen(v), strlen("h323-ivr-out=sip_ua:") + 227 - 3);

	/* A long Call-ID: call-id cut to 239, Acct-Session-Id to 253. */
	leg.peer_ua = NULL;
	memset(cid, 'c', 280);
	cid[280] = '\0';
	leg.call_id = cid;
	memset(num, '5', 260);
	num[260] = '\0';
	leg.calling = num;
	assert_int_equal(aaa_acct_record(&l, &leg, AAA_ACCT_STOP, 0), 3);
	assert_int_equal(strlen(value_of(&l, "Acct-Session-Id")), AV_VALUE_MAX);
	assert_int_equal(strlen(value_of(&l, "Calling-Station-Id")), AV_VALUE_MAX);
	assert_int_equal(strlen(avlist_find(&l, "Cisco-AVPair", &(unsigned){ 3 })),
			 AAA_VSA_VALUE_MAX);
	assert_string_equal(value_of(&l, "Acct-Status-Type"), "Stop");	/* record complete */
}

/* Extras that do not fit are dropped and counted; the record stays whole. */
static void test_extras_overflow(void **state)
{
	struct avlist extra;
	char big[300];
	struct aaa_acct_leg leg = answer_leg();
	struct avlist l;

	(void)state;
	avlist_init(&extra);
	memset(big, 'x', 250);
	big[250] = '\0';
	avlist_add(&extra, "h323-currency", big);	/* too long with its prefix */
	avlist_add(&extra, "X-A", "1");
	leg.extra = &extra;
	assert_int_equal(aaa_acct_record(&l, &leg, AAA_ACCT_STOP, 0), 1);
	assert_string_equal(value_of(&l, "X-A"), "1");

	/* Room is kept for the record's own 10 pairs after the extras:
	 * 10 base pairs + 28 extras, the other 20 extras dropped. */
	avlist_init(&extra);
	for (unsigned i = 0; i < AVLIST_MAX; i++)
		avlist_add(&extra, "X-Fill", "v");
	assert_int_equal(aaa_acct_record(&l, &leg, AAA_ACCT_STOP, 0), 20);
	assert_int_equal(l.n, AVLIST_MAX);
	assert_string_equal(l.a[37].name, "X-Fill");
	assert_string_equal(l.a[38].name, "h323-voice-quality");
	assert_string_equal(value_of(&l, "Acct-Status-Type"), "Stop");
	assert_string_equal(l.a[AVLIST_MAX - 1].name, "Acct-Delay-Time");

	/* The same with every optional tail pair: 12 kept, 26 extras. */
	leg.peer_ua = "ua";
	leg.provisional_us = T0;
	assert_int_equal(aaa_acct_record(&l, &leg, AAA_ACCT_STOP, 0), 22);
	assert_int_equal(l.n, AVLIST_MAX);
	assert_string_equal(l.a[AVLIST_MAX - 1].value, "provisional-timepoint=23:01:12.000" DAY);
	/* Start: 6 tail pairs, 32 extras. */
	assert_int_equal(aaa_acct_record(&l, &leg, AAA_ACCT_START, 0), 16);
	assert_int_equal(l.n, AVLIST_MAX);
	assert_string_equal(value_of(&l, "Acct-Status-Type"), "Start");
}

static void test_clamped_times(void **state)
{
	struct aaa_acct_leg leg = answer_leg();
	struct avlist l;

	(void)state;
	leg.setup_us = -5;	/* before the epoch: clamped, counted */
	assert_int_equal(aaa_acct_record(&l, &leg, AAA_ACCT_STOP, 0), 1);
	assert_string_equal(value_of(&l, "h323-setup-time"),
			    "h323-setup-time=00:00:00.000 GMT Thu Jan 1 1970");

	leg = answer_leg();
	leg.connect_us = INT64_MAX;
	leg.disconnect_us = INT64_MAX;
	leg.precise = true;
	assert_int_equal(aaa_acct_record(&l, &leg, AAA_ACCT_STOP, 0), 2);
	assert_string_equal(value_of(&l, "h323-connect-time"),
			    "h323-connect-time=23:59:59.999 GMT Fri Dec 31 9999");
	/* Rounded whole seconds may step into year 10000: still printed. */
	leg.precise = false;
	assert_int_equal(aaa_acct_record(&l, &leg, AAA_ACCT_STOP, 0), 2);
	assert_string_equal(value_of(&l, "h323-connect-time"),
			    "h323-connect-time=00:00:00.000 GMT Sat Jan 1 10000");

	leg = answer_leg();
	leg.provisional_us = INT64_MIN;
	leg.setup_us = INT64_MIN;
	leg.connect_us = INT64_MIN;
	assert_int_equal(aaa_acct_record(&l, &leg, AAA_ACCT_ALIVE, INT64_MIN), 4);

	/* Times out of order: delay and duration are never negative. */
	leg = answer_leg();
	leg.connect_us = leg.setup_us - 5 * SEC;
	leg.disconnect_us = leg.connect_us - 5 * SEC;
	assert_int_equal(aaa_acct_record(&l, &leg, AAA_ACCT_STOP, 0), 0);
	assert_string_equal(value_of(&l, "Acct-Session-Time"), "0");
	assert_string_equal(value_of(&l, "h323-connect-time"),
			    "h323-connect-time=23:01:12.000" DAY);
}

static void test_set_delay(void **state)
{
	struct aaa_acct_leg leg = answer_leg();
	struct avlist l;
	unsigned n;

	(void)state;
	assert_int_equal(aaa_acct_record(&l, &leg, AAA_ACCT_STOP, 0), 0);
	n = l.n;
	assert_int_equal(aaa_acct_set_delay(&l, 37), 0);
	assert_int_equal(l.n, n);
	assert_string_equal(l.a[n - 1].name, "Acct-Delay-Time");
	assert_string_equal(l.a[n - 1].value, "37");
	assert_int_equal(aaa_acct_set_delay(&l, 4294967295u), 0);
	assert_string_equal(l.a[n - 1].value, "4294967295");

	/* Missing: appended; a full list takes no more. */
	avlist_init(&l);
	avlist_add(&l, "User-Name", "x");
	assert_int_equal(aaa_acct_set_delay(&l, 5), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(value_of(&l, "Acct-Delay-Time"), "5");
	avlist_init(&l);
	while (l.n < AVLIST_MAX)
		avlist_add(&l, "X", "y");
	assert_int_equal(aaa_acct_set_delay(&l, 5), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_q850_table),
		cmocka_unit_test(test_time_format),
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_stop_answered),
		cmocka_unit_test(test_stop_precise),
		cmocka_unit_test(test_stop_failed_attempt),
		cmocka_unit_test(test_start),
		cmocka_unit_test(test_alive),
		cmocka_unit_test(test_stop_now),
		cmocka_unit_test(test_release_sources),
		cmocka_unit_test(test_empty_fields),
		cmocka_unit_test(test_no_record),
		cmocka_unit_test(test_cut_values),
		cmocka_unit_test(test_extras_overflow),
		cmocka_unit_test(test_clamped_times),
		cmocka_unit_test(test_set_delay),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
