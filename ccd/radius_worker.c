/*
 * radius_worker.c - the radcli side of the RADIUS pool (radius.h): a job's
 * pairs by name to radcli's VALUE_PAIRs and back, the blocking exchange,
 * and radcli's syslog(3) calls routed to ccd's log. Runs on the worker
 * threads (and on the loop's thread while radius_open() reads the
 * configuration); touches nothing of the loop.
 */
#undef _FORTIFY_SOURCE	/* syslog() must be a plain function here, see below */

#include "radius.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

#include <radcli/radcli.h>

#include "log.h"

/* ---------------------------------------------------------------- radcli's syslog */

/*
 * radcli logs with syslog(3) only (Debian's build calls the fortified
 * __syslog_chk()), and ccd may run where /dev/log does not exist. These
 * definitions in ccd take the place of glibc's for every library ccd
 * loads (the executable comes first in symbol lookup), so radcli's lines
 * arrive in ccd's log as "radcli: ...". log.c never calls syslog(3), so
 * this cannot recurse. The text is formatted here first, while errno is
 * still the caller's, for radcli's "%m".
 *
 * The errors on each thread since radius_clear_radcli_errors() are kept
 * for radius_open()'s one-line reason and the workers' log lines;
 * thread-local, so the workers never share them.
 */
static _Thread_local char last_radcli_error[400];

void __syslog_chk(int pri, int flag, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void __vsyslog_chk(int pri, int flag, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));

static enum log_level level_of(int pri)
{
	switch (pri & LOG_PRIMASK) {
	case LOG_DEBUG:
		return TLOG_DBUG;
	case LOG_INFO:
	case LOG_NOTICE:
		return TLOG_INFO;
	case LOG_WARNING:
		return TLOG_WARN;
	case LOG_ERR:
		return TLOG_ERR;
	default:
		return TLOG_CRIT;
	}
}

void vsyslog(int pri, const char *fmt, va_list ap)
{
	enum log_level level = level_of(pri);
	char text[LOG_LINE_MAX];
	const char *t;

	if (level < TLOG_ERR && !log_enabled(level))
		return;
	vsnprintf(text, sizeof(text), fmt, ap);
	/* radcli starts most of its lines with its name already. */
	t = strncmp(text, "radcli: ", 8) == 0 ? text + 8 : text;
	if (level >= TLOG_ERR) {
		size_t have = strlen(last_radcli_error), room = sizeof(last_radcli_error) - 1 - have, n;

		if (have && room > 2) {
			memcpy(last_radcli_error + have, "; ", 2);
			have += 2;
			room -= 2;
		}
		n = strnlen(t, room);
		memcpy(last_radcli_error + have, t, n);
		last_radcli_error[have + n] = '\0';
	}
	if (log_enabled(level))
		log_msg(level, PL_NULL, "radcli: %s", t);
}

void syslog(int pri, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsyslog(pri, fmt, ap);
	va_end(ap);
}

void __vsyslog_chk(int pri, int flag, const char *fmt, va_list ap)
{
	(void)flag;
	vsyslog(pri, fmt, ap);
}

void __syslog_chk(int pri, int flag, const char *fmt, ...)
{
	va_list ap;

	(void)flag;
	va_start(ap, fmt);
	vsyslog(pri, fmt, ap);
	va_end(ap);
}

/* The ident, options and facility are ccd's (log.h). */
void openlog(const char *ident, int option, int facility)
{
	(void)ident;
	(void)option;
	(void)facility;
}

void closelog(void)
{
}

const char *radius_last_radcli_error(void)
{
	return last_radcli_error;
}

void radius_clear_radcli_errors(void)
{
	last_radcli_error[0] = '\0';
}

/* ---------------------------------------------------------------- requests */


static int parse_u32(const char *s, uint32_t *v)
{
	uint64_t x = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		x = x * 10 + (uint64_t)(*s - '0');
		if (x > UINT32_MAX)
			return -1;
	}
	*v = (uint32_t)x;
	return 0;
}

/* An integer: decimal, or a VALUE name the dictionary gives this
 * attribute (radcli looks VALUE names up without their attribute, so the
 * one it finds must be this attribute's). */
static int integer_value(rc_handle *rh, const DICT_ATTR *da, const char *s, uint32_t *v)
{
	DICT_VALUE *dv;

	if (parse_u32(s, v) == 0)
		return 0;
	dv = rc_dict_findval(rh, s);
	if (!dv || strcasecmp(dv->attrname, da->name) != 0)
		return -1;
	*v = (uint32_t)dv->value;
	return 0;
}

/* An IPv6 prefix "addr/len" in RFC 3162's form: 0, len, the address. */
static int prefix_value(const char *s, unsigned char out[18])
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	uint32_t len;

	if (!slash || (size_t)(slash - s) >= sizeof(addr) || parse_u32(slash + 1, &len) < 0 || len > 128)
		return -1;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	out[0] = 0;
	out[1] = (unsigned char)len;
	return inet_pton(AF_INET6, addr, out + 2) == 1 ? 0 : -1;
}

/* Appends one pair; -1 with *why set when the value does not fit the
 * attribute's type or radcli refuses it. */
static int add_pair(rc_handle *rh, VALUE_PAIR **send, const DICT_ATTR *da, const char *value, const char **why)
{
	int attr = (int)ATTRID(da->value), vendor = (int)VENDOR(da->value);
	unsigned char bin[18];
	const void *p = bin;
	uint32_t u;
	int len = 0;

	switch (da->type) {
	case PW_TYPE_STRING:
		p = value;
		len = -1;
		break;
	case PW_TYPE_INTEGER:
	case PW_TYPE_DATE:
		if ((da->type == PW_TYPE_INTEGER ? integer_value(rh, da, value, &u) : parse_u32(value, &u)) < 0) {
			*why = "is not a number (nor a VALUE of the attribute)";
			return -1;
		}
		p = &u;
		break;
	case PW_TYPE_IPADDR:
		if (inet_pton(AF_INET, value, &u) != 1) {
			*why = "is not an IPv4 address";
			return -1;
		}
		u = ntohl(u);
		p = &u;
		break;
	case PW_TYPE_IPV6ADDR:
		if (inet_pton(AF_INET6, value, bin) != 1) {
			*why = "is not an IPv6 address";
			return -1;
		}
		len = 16;
		break;
	case PW_TYPE_IPV6PREFIX:
		if (prefix_value(value, bin) < 0) {
			*why = "is not an IPv6 prefix";
			return -1;
		}
		len = 18;
		break;
	default:
		*why = "has a type ccd cannot send";
		return -1;
	}
	if (!rc_avpair_add(rh, send, attr, p, len, vendor)) {
		*why = "was refused by radcli";
		return -1;
	}
	return 0;
}

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The request's pairs as radcli's list. An accounting record gets its
 * Acct-Delay-Time: its own value plus the seconds since it was made
 * (radcli then adds the time its own retries take).
 */
static int to_pairs(rc_handle *rh, const struct radius_job *job, VALUE_PAIR **send)
{
	struct pl cid = avlist_call_id(&job->av);
	uint32_t delay = 0;
	const char *why;

	for (unsigned i = 0; i < job->av.n; i++) {
		const struct av *a = &job->av.a[i];
		DICT_ATTR *da = rc_dict_findattr(rh, a->name);

		if (!da) {
			LOGE(cid, "radius: attribute %s is not in the dictionary: request not sent", a->name);
			return -1;
		}
		if (job->kind == RADIUS_JOB_ACCT && da->value == PW_ACCT_DELAY_TIME) {
			if (parse_u32(a->value, &delay) < 0) {
				LOGE(cid, "radius: %s '%s' is not a number: request not sent", a->name, a->value);
				return -1;
			}
			continue;
		}
		if (add_pair(rh, send, da, a->value, &why) < 0) {
			LOGE(cid, "radius: %s '%s' %s: request not sent", a->name, a->value, why);
			return -1;
		}
	}
	if (job->kind == RADIUS_JOB_ACCT) {
		int64_t waited = (wall_ms() - job->created_ms) / 1000;

		if (waited > 0)
			delay = waited > (int64_t)(UINT32_MAX - delay) ? UINT32_MAX : delay + (uint32_t)waited;
		if (!rc_avpair_add(rh, send, PW_ACCT_DELAY_TIME, &delay, 0, 0)) {
			LOGE(cid, "radius: Acct-Delay-Time is not in the dictionary: request not sent");
			return -1;
		}
	}
	return 0;
}

/* One reply pair as text; -1 for a value an avlist cannot hold. */
static int pair_text(VALUE_PAIR *vp, char *out, size_t size)
{
	struct in6_addr a6;
	uint32_t u, a4;
	unsigned plen;
	char *raw;

	switch (vp->type) {
	case PW_TYPE_STRING:
		if (rc_avpair_get_raw(vp, &raw, &plen) < 0 || plen >= size || memchr(raw, '\0', plen))
			return -1;
		memcpy(out, raw, plen);
		out[plen] = '\0';
		return 0;
	case PW_TYPE_INTEGER:
	case PW_TYPE_DATE:
		if (rc_avpair_get_uint32(vp, &u) < 0)
			return -1;
		snprintf(out, size, "%u", u);
		return 0;
	case PW_TYPE_IPADDR:
		if (rc_avpair_get_uint32(vp, &u) < 0)
			return -1;
		a4 = htonl(u);
		return inet_ntop(AF_INET, &a4, out, (socklen_t)size) ? 0 : -1;
	case PW_TYPE_IPV6ADDR:
	case PW_TYPE_IPV6PREFIX:
		if (rc_avpair_get_in6(vp, &a6, &plen) < 0 || !inet_ntop(AF_INET6, &a6, out, (socklen_t)size))
			return -1;
		if (vp->type == PW_TYPE_IPV6PREFIX)
			snprintf(out + strlen(out), size - strlen(out), "/%u", plen);
		return 0;
	default:
		return -1;
	}
}

static void from_pairs(VALUE_PAIR *recv, struct avlist *out, struct pl cid)
{
	char value[AV_VALUE_MAX + 1];

	avlist_init(out);
	for (VALUE_PAIR *vp = recv; vp; vp = rc_avpair_next(vp)) {
		if (pair_text(vp, value, sizeof(value)) < 0) {
			LOGW(cid, "radius: reply attribute %s skipped: its value cannot be read", vp->name);
			continue;
		}
		if (avlist_add(out, vp->name, value) < 0) {
			LOGW(cid, "radius: reply has more than %u attributes: the rest are ignored", AVLIST_MAX);
			return;
		}
	}
}

void radius_job_run(void *handle, struct radius_job *job)
{
	rc_handle *rh = handle;
	VALUE_PAIR *send = NULL, *recv = NULL;
	struct pl cid = avlist_call_id(&job->av);
	char msg[PW_MAX_MSG_SIZE];
	int rc;

	job->permanent = false;
	last_radcli_error[0] = '\0';
	if (to_pairs(rh, job, &send) < 0) {
		rc_avpair_free(send);
		job->result = RADIUS_ERROR;
		job->permanent = true;
		if (job->kind == RADIUS_JOB_AUTH)
			avlist_init(&job->av);
		return;
	}
	msg[0] = '\0';
	if (job->kind == RADIUS_JOB_AUTH)
		rc = rc_auth(rh, RADIUS_NAS_PORT, send, &recv, msg);
	else
		rc = rc_acct(rh, RADIUS_NAS_PORT, send);
	rc_avpair_free(send);
	switch (rc) {
	case OK_RC:
		job->result = RADIUS_ACCEPT;
		break;
	case REJECT_RC:
		job->result = RADIUS_REJECT;
		break;
	case CHALLENGE_RC:
		LOGW(cid, "radius: Access-Challenge taken as a reject (ccd answers no challenges)");
		job->result = RADIUS_REJECT;
		break;
	case TIMEOUT_RC:
		job->result = RADIUS_TIMEOUT;
		break;
	default:
		job->result = RADIUS_ERROR;
		LOGW(cid, "radius: radcli error %d%s%s", rc, last_radcli_error[0] ? ", last: " : "",
		     last_radcli_error);
	}
	if (job->kind == RADIUS_JOB_AUTH) {
		if (job->result == RADIUS_ACCEPT || job->result == RADIUS_REJECT)
			from_pairs(recv, &job->av, cid);
		else
			avlist_init(&job->av);
	}
	rc_avpair_free(recv);
}
