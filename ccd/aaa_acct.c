/*
 * aaa_acct.c - Cisco-style accounting records, Sippy's attribute list and
 * time arithmetic (aaa_acct.h).
 */
#include "aaa_acct.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>

#include "aaa_auth.h"

#define US_PER_S	1000000
/* 9999-12-31T23:59:59.999999Z: keeps the sums below far from overflow
 * and the year at four digits. */
#define MAX_US		((int64_t)253402300799 * US_PER_S + (US_PER_S - 1))

const char *aaa_acct_status_name(enum aaa_acct_status st)
{
	switch (st) {
	case AAA_ACCT_START:
		return "Start";
	case AAA_ACCT_ALIVE:
		return "Alive";
	case AAA_ACCT_STOP:
		break;
	}
	return "Stop";
}

/* --------------------------------------------------------- Q.850 */

/* Sippy's sipErrToH323Err (RadiusAccounting.py). */
static const struct {
	unsigned short sip;
	char hex[3];
} q850[] = {
	{ 400, "7f" }, { 401, "39" }, { 402, "15" }, { 403, "39" }, { 404, "1" },
	{ 405, "7f" }, { 406, "7f" }, { 407, "15" }, { 408, "66" }, { 409, "29" },
	{ 410, "1" },  { 411, "7f" }, { 413, "7f" }, { 414, "7f" }, { 415, "4f" },
	{ 420, "7f" }, { 480, "12" }, { 481, "7f" }, { 482, "7f" }, { 483, "7f" },
	{ 484, "1c" }, { 485, "1" },  { 486, "11" }, { 487, "12" }, { 488, "7f" },
	{ 500, "29" }, { 501, "4f" }, { 502, "26" }, { 503, "3f" }, { 504, "66" },
	{ 505, "7f" }, { 580, "2f" }, { 600, "11" }, { 603, "15" }, { 604, "1" },
	{ 606, "3a" },
};

const char *aaa_q850_hex(unsigned sip_code)
{
	if (sip_code < 200)
		return "10";
	if (sip_code < 400)
		return "0";
	for (size_t i = 0; i < sizeof(q850) / sizeof(q850[0]); i++)
		if (q850[i].sip == sip_code)
			return q850[i].hex;
	return "7f";
}

/* ---------------------------------------------------------- time */

/* Our own names: strftime's %a and %b would follow the locale. */
static const char wdays[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
				    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

int aaa_acct_time(char out[AAA_TIME_SIZE], int64_t us, bool precise)
{
	int64_t s = us / US_PER_S, frac = us % US_PER_S;
	time_t t;
	struct tm tm;
	int n;

	if (frac < 0) {		/* floor, for times before the epoch */
		frac += US_PER_S;
		s--;
	}
	t = (time_t)s;
	if (gmtime_r(&t, &tm) == NULL || tm.tm_wday < 0 || tm.tm_wday > 6 ||
	    tm.tm_mon < 0 || tm.tm_mon > 11)
		return -1;
	n = snprintf(out, AAA_TIME_SIZE, "%02d:%02d:%02d.%03d GMT %s %s %d %d", tm.tm_hour,
		     tm.tm_min, tm.tm_sec, precise ? (int)(frac / 1000) : 0, wdays[tm.tm_wday],
		     months[tm.tm_mon], tm.tm_mday, tm.tm_year + 1900);
	return (n < 0 || n >= AAA_TIME_SIZE) ? -1 : n;
}

/* Seconds, rounded half up (Sippy rounds; durations are never negative). */
static int64_t round_s(int64_t us)
{
	return (us + US_PER_S / 2) / US_PER_S;
}

/* ---------------------------------------------------------- record */

struct rec {
	struct avlist *out;
	bool precise;
	int degraded;		/* values cut, attributes dropped */
};

/* The longest value name may carry, after Sippy's "name=" prefix. */
static size_t value_max(const char *name)
{
	const char *canon;

	if (aaa_attr_kind(name, &canon) == AAA_ATTR_PLAIN)
		return AV_VALUE_MAX;
	return AAA_VSA_VALUE_MAX - strlen(canon) - 1;
}

/*
 * Appends name = a b (concatenated) by aaa_add(). A value too long for its
 * attribute is cut, never between the bytes of a UTF-8 character: a
 * record with a shortened User-Agent beats a lost record.
 */
static void rec_put2(struct rec *r, const char *name, const char *a, const char *b)
{
	char v[AV_VALUE_MAX + 2];
	size_t max = value_max(name), al = strlen(a), bl = strlen(b), n, m;

	n = al < sizeof(v) - 1 ? al : sizeof(v) - 1;
	memcpy(v, a, n);
	m = bl < sizeof(v) - 1 - n ? bl : sizeof(v) - 1 - n;
	memcpy(v + n, b, m);
	v[n + m] = '\0';
	if (al + bl > max) {	/* v holds max + 1 bytes at least */
		/* Back off over continuation bytes, at most a character's 3
		 * (text that is not UTF-8 at all is cut where it must be). */
		n = max;
		while (n > 0 && n + 3 > max && ((unsigned char)v[n] & 0xc0) == 0x80)
			n--;
		v[n] = '\0';
		r->degraded++;
	}
	if (aaa_add(r->out, name, v) < 0)
		r->degraded++;
}

static void rec_put(struct rec *r, const char *name, const char *value)
{
	rec_put2(r, name, value ? value : "", "");
}

static void rec_put_time(struct rec *r, const char *name, int64_t us)
{
	char t[AAA_TIME_SIZE];

	if (aaa_acct_time(t, us, r->precise) < 0) {	/* not with clamped times */
		r->degraded++;
		return;
	}
	rec_put(r, name, t);
}

static void rec_put_int(struct rec *r, const char *name, int64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "%lld", (long long)v);
	rec_put(r, name, s);
}

/* Times outside year 0..9999 are a caller's bug; clamped, not lost. */
static int64_t clamp_us(struct rec *r, int64_t us)
{
	if (us >= 0 && us <= MAX_US)
		return us;
	r->degraded++;
	return us < 0 ? 0 : MAX_US;
}

/*
 * h323-conf-id, the same for every leg of a call: MD5 of the ingress
 * Call-ID as Cisco writes a conference id. Left out (and counted) if
 * OpenSSL refuses MD5 (FIPS mode).
 */
static void rec_put_conf_id(struct rec *r, const char *call_id)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char id[36];
	size_t n = 0;

	if (!EVP_Digest(call_id, strlen(call_id), md, &mdlen, EVP_md5(), NULL) || mdlen != 16) {
		r->degraded++;
		return;
	}
	for (unsigned i = 0; i < 16; i++) {
		if (i && i % 4 == 0)
			id[n++] = ' ';
		id[n++] = "0123456789ABCDEF"[md[i] >> 4];
		id[n++] = "0123456789ABCDEF"[md[i] & 15];
	}
	id[n] = '\0';
	rec_put(r, "h323-conf-id", id);
}

static const char *release_source(enum aaa_release rel)
{
	switch (rel) {
	case AAA_RELEASE_CALLER:
		return "2";
	case AAA_RELEASE_CALLEE:
		return "4";
	case AAA_RELEASE_SWITCH:
	case AAA_RELEASE_MEDIA_TIMEOUT:
		break;
	}
	return "8";
}

/*
 * The three h323 times as Sippy derives them (UA.getAcct, asend): connect
 * = setup + delay, disconnect = connect + duration, where without
 * precise_acct delay and duration are first rounded to whole seconds. So
 * the printed disconnect minus connect always equals Acct-Session-Time.
 * An unanswered leg "connects" when it fails: duration 0.
 */
struct times {
	int64_t setup, connect, disconnect;	/* µs, as printed */
	int64_t session_s;			/* Acct-Session-Time */
};

static void leg_times(struct rec *r, const struct aaa_acct_leg *leg, enum aaa_acct_status st,
		      int64_t now_us, struct times *t)
{
	int64_t setup = clamp_us(r, leg->setup_us), end, conn, delay, dur;

	end = (st == AAA_ACCT_STOP && leg->disconnect_us != 0) ? leg->disconnect_us : now_us;
	end = clamp_us(r, end);
	conn = leg->connect_us != 0 ? clamp_us(r, leg->connect_us) : end;
	delay = conn > setup ? conn - setup : 0;
	dur = end > conn ? end - conn : 0;
	t->session_s = round_s(dur);
	if (!leg->precise) {
		delay = round_s(delay) * US_PER_S;
		dur = t->session_s * US_PER_S;
	}
	t->setup = setup;
	t->connect = setup + delay;
	t->disconnect = t->connect + dur;
}

/* How many attributes follow the extras: room kept for them, so that too
 * many extras cost extras, never Acct-Status-Type or the times. */
static unsigned tail_count(const struct aaa_acct_leg *leg, enum aaa_acct_status st)
{
	unsigned n = 4;		/* connect-time, setup-time, status, delay */

	if (leg->connect_us != 0 && st != AAA_ACCT_START)
		n++;		/* voice-quality */
	if (leg->connect_us != 0 && st == AAA_ACCT_STOP)
		n++;		/* terminate cause */
	if (st != AAA_ACCT_START)
		n += 3;		/* disconnect-time, session time, cause */
	if (st == AAA_ACCT_STOP)
		n++;		/* release-source */
	if (leg->peer_ua != NULL && leg->peer_ua[0] != '\0')
		n++;
	if (leg->provisional_us != 0)
		n++;
	return n;
}

int aaa_acct_record(struct avlist *out, const struct aaa_acct_leg *leg,
		    enum aaa_acct_status st, int64_t now_us)
{
	struct rec r = { out, leg->precise, 0 };
	bool answered = leg->connect_us != 0;
	struct times t;

	avlist_init(out);
	if (leg->call_id == NULL || leg->call_id[0] == '\0' || (!answered && st != AAA_ACCT_STOP))
		return -1;
	leg_times(&r, leg, st, now_us, &t);

	rec_put(&r, "h323-call-origin", leg->origin == AAA_ACCT_ANSWER ? "answer" : "originate");
	rec_put(&r, "h323-call-type", "VoIP");
	rec_put(&r, "h323-session-protocol", "sipv2");
	rec_put(&r, "User-Name", leg->user_name);
	rec_put(&r, "Calling-Station-Id", leg->calling);
	rec_put(&r, "Called-Station-Id", leg->called);
	rec_put_conf_id(&r, leg->call_id);
	rec_put(&r, "call-id", leg->call_id);
	rec_put(&r, "Acct-Session-Id", leg->call_id);
	rec_put(&r, "h323-remote-address", leg->remote_address);
	for (unsigned i = 0; leg->extra && i < leg->extra->n && i < AVLIST_MAX; i++)
		if (out->n + tail_count(leg, st) >= AVLIST_MAX ||
		    aaa_add(out, leg->extra->a[i].name, leg->extra->a[i].value) < 0)
			r.degraded++;

	if (answered && st != AAA_ACCT_START)
		rec_put(&r, "h323-voice-quality", "0");
	/* RFC 2866 §5.10: only in Stop (Sippy also puts it in Alive). */
	if (answered && st == AAA_ACCT_STOP)
		rec_put(&r, "Acct-Terminate-Cause", "User-Request");
	if (st != AAA_ACCT_START) {
		rec_put_time(&r, "h323-disconnect-time", t.disconnect);
		rec_put_int(&r, "Acct-Session-Time", t.session_s);
		/* An Alive is no disconnect: Sippy's "normal clearing". */
		rec_put(&r, "h323-disconnect-cause",
		    aaa_q850_hex(st == AAA_ACCT_STOP ? leg->sip_code : 0));
	}
	if (st == AAA_ACCT_STOP)
		rec_put(&r, "release-source", release_source(leg->release));
	rec_put_time(&r, "h323-connect-time", t.connect);
	rec_put_time(&r, "h323-setup-time", t.setup);
	rec_put(&r, "Acct-Status-Type", aaa_acct_status_name(st));
	if (leg->peer_ua != NULL && leg->peer_ua[0] != '\0')
		rec_put2(&r, "h323-ivr-out", "sip_ua:", leg->peer_ua);
	rec_put(&r, "Acct-Delay-Time", "0");
	if (leg->provisional_us != 0)
		rec_put_time(&r, "provisional-timepoint", clamp_us(&r, leg->provisional_us));
	return r.degraded;
}

int aaa_acct_set_delay(struct avlist *l, unsigned secs)
{
	char v[16];

	snprintf(v, sizeof(v), "%u", secs);
	for (unsigned i = 0; i < l->n && i < AVLIST_MAX; i++)
		if (strcasecmp(l->a[i].name, "Acct-Delay-Time") == 0) {
			memcpy(l->a[i].value, v, strlen(v) + 1);
			return 0;
		}
	return avlist_add(l, "Acct-Delay-Time", v);
}
