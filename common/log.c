/*
 * log.c - Sippy-compatible logging: environment, line format, backends.
 *
 * A line is assembled in a stack buffer (struct line) and leaves with one
 * write(2) or one sendto(2); nothing here allocates or buffers.
 */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_LOGFILE "/var/log/sip.log"
#define SYSLOG_SOCKET "/dev/log"
#define SYSLOG_FACILITY (3 << 3) /* LOG_DAEMON */
#define LOGFILE_MODE 0640	 /* call logs carry phone numbers */
#define LEVEL_OFF INT_MAX	 /* SIPLOG_BEND=none: nothing passes */
#define TSTART_MAX 1e15		 /* keeps the seconds within time_t */

enum backend { BEND_STDERR, BEND_NONE, BEND_FILE, BEND_SYSLOG };

struct log_ctx {
	int level;		  /* lines below it are dropped */
	enum backend bend;
	int fd;			  /* file or syslog socket, else -1 */
	bool rel;		  /* SIPLOG_TFORM=rel */
	struct timespec tstart;	  /* zero of the rel clock */
	char app[64];
	char path[PATH_MAX];	  /* the file, for log_reopen() */
};

/* The only file-scope mutable state allowed: see log.h. */
static struct log_ctx ctx = {
	.level = TLOG_INFO,
	.bend = BEND_STDERR,
	.fd = -1,
	.app = "tandem",
};

/* ------------------------------------------------------------ one line */

/* One byte beyond LOG_LINE_MAX for the NUL vsnprintf always writes. */
struct line {
	char buf[LOG_LINE_MAX + 1];
	size_t len; /* <= LOG_LINE_MAX */
	bool cut;   /* something did not fit */
};

static void add(struct line *l, const char *s, size_t n)
{
	size_t room = LOG_LINE_MAX - l->len;

	if (n > room) {
		n = room;
		l->cut = true;
	}
	if (n)
		memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static void add_str(struct line *l, const char *s)
{
	add(l, s, strlen(s));
}

/* At least width digits, zero-padded (hours of the rel clock may be more). */
static void add_num(struct line *l, uint64_t v, size_t width)
{
	char tmp[20];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (sizeof(tmp) - i < width)
		tmp[--i] = '0';
	add(l, tmp + i, sizeof(tmp) - i);
}

static const char month_names[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

static void add_hms(struct line *l, uint64_t h, unsigned m, unsigned s)
{
	add_num(l, h, 2);
	add(l, ":", 1);
	add_num(l, m, 2);
	add(l, ":", 1);
	add_num(l, s, 2);
}

/* Sippy's ftime(): "DD Mon HH:MM:SS.mmm", or "HH:MM:SS.mmm" since TSTART. */
static void add_stamp(struct line *l, const struct timespec *now, const struct tm *tm)
{
	uint64_t msec;

	if (ctx.rel) {
		int64_t sec = (int64_t)now->tv_sec - (int64_t)ctx.tstart.tv_sec;
		long nsec = now->tv_nsec - ctx.tstart.tv_nsec;

		if (nsec < 0) {
			nsec += 1000000000L;
			sec--;
		}
		if (sec < 0) /* TSTART in the future: stay at zero */
			sec = nsec = 0;
		add_hms(l, (uint64_t)sec / 3600, (unsigned)(sec / 60 % 60),
			(unsigned)(sec % 60));
		msec = (uint64_t)nsec / 1000000;
	} else {
		add_num(l, (uint64_t)tm->tm_mday, 2);
		add(l, " ", 1);
		add(l, month_names[tm->tm_mon % 12], 3);
		add(l, " ", 1);
		add_hms(l, (uint64_t)tm->tm_hour, (unsigned)tm->tm_min,
			(unsigned)tm->tm_sec);
		msec = (uint64_t)now->tv_nsec / 1000000;
	}
	add(l, ".", 1);
	add_num(l, msec, 3);
}

/* RFC 3164 header: "<PRI>Mmm dd HH:MM:SS app[pid]: ", as syslog(3) sends. */
static void add_syslog_header(struct line *l, enum log_level level, const struct tm *tm)
{
	static const unsigned char severity[] = {
		[TLOG_DBUG] = 7, [TLOG_INFO] = 5, [TLOG_WARN] = 4,
		[TLOG_ERR] = 3, [TLOG_CRIT] = 2,
	};

	add(l, "<", 1);
	add_num(l, SYSLOG_FACILITY | severity[level], 1);
	add(l, ">", 1);
	add(l, month_names[tm->tm_mon % 12], 3);
	add(l, tm->tm_mday < 10 ? "  " : " ", tm->tm_mday < 10 ? 2 : 1);
	add_num(l, (uint64_t)tm->tm_mday, 1);
	add(l, " ", 1);
	add_hms(l, (uint64_t)tm->tm_hour, (unsigned)tm->tm_min, (unsigned)tm->tm_sec);
	add(l, " ", 1);
	add_str(l, ctx.app);
	add(l, "[", 1);
	add_num(l, (uint64_t)getpid(), 1);
	add(l, "]: ", 3);
}

/*
 * The call id comes from the network. A parsed one cannot hold control
 * characters, but a line break in it would forge log lines, so any that
 * slips through is shown as '?'.
 */
static void add_call_id(struct line *l, struct pl call_id)
{
	size_t start = l->len;

	if (call_id.l == 0) {
		add(l, "GLOBAL", 6);
		return;
	}
	add(l, call_id.p, call_id.l);
	for (size_t i = start; i < l->len; i++) {
		unsigned char c = (unsigned char)l->buf[i];
		if (c < 0x20 || c == 0x7f)
			l->buf[i] = '?';
	}
}

static void add_text(struct line *l, const char *fmt, va_list ap)
{
	size_t room = LOG_LINE_MAX - l->len;
	int n;

	n = vsnprintf(l->buf + l->len, room + 1, fmt, ap);
	if (n < 0) {
		add_str(l, "(unprintable log message)");
	} else if ((size_t)n > room) {
		l->len = LOG_LINE_MAX;
		l->cut = true;
	} else {
		l->len += (size_t)n;
	}
}

/*
 * One newline at the end (none for syslog, which frames by datagram); a
 * line that was cut ends in the "..." marker instead of its last bytes.
 */
static void terminate(struct line *l, bool newline)
{
	static const char marker[] = "...\n";
	size_t mlen = newline ? 4 : 3;

	if (l->len && l->buf[l->len - 1] == '\n')
		l->len--;
	if (!l->cut && (!newline || l->len < LOG_LINE_MAX)) {
		if (newline)
			l->buf[l->len++] = '\n';
		return;
	}
	if (l->len > LOG_LINE_MAX - mlen)
		l->len = LOG_LINE_MAX - mlen;
	memcpy(l->buf + l->len, marker, mlen);
	l->len += mlen;
}

/* ------------------------------------------------------------ backends */

/* A short write to a regular file means a full disk: write the rest. */
static void emit_fd(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t r = write(fd, p, n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return; /* nowhere left to report it */
		}
		p += r;
		n -= (size_t)r;
	}
}

/*
 * sendto with the address every time instead of connect once: a
 * restarted syslog daemon needs no reconnect logic and no state.
 */
static void emit_syslog(const char *p, size_t n)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = SYSLOG_SOCKET };

	while (sendto(ctx.fd, p, n, MSG_NOSIGNAL, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
	       errno == EINTR)
		;
}

bool log_enabled(enum log_level level)
{
	return (int)level >= ctx.level;
}

void log_vmsg(enum log_level level, struct pl call_id, const char *fmt, va_list ap)
{
	int saved_errno = errno; /* for %m, and for the caller */
	struct timespec now;
	struct tm tm;
	struct line l;

	if (!log_enabled(level))
		return;
	if ((unsigned)level > TLOG_CRIT)
		level = TLOG_CRIT;
	l.len = 0;
	l.cut = false;
	clock_gettime(CLOCK_REALTIME, &now);
	if (!ctx.rel || ctx.bend == BEND_SYSLOG)
		localtime_r(&now.tv_sec, &tm);
	if (ctx.bend == BEND_SYSLOG)
		add_syslog_header(&l, level, &tm);
	add_stamp(&l, &now, &tm);
	add(&l, "/", 1);
	add_call_id(&l, call_id);
	if (ctx.bend != BEND_SYSLOG) {
		add(&l, "/", 1);
		add_str(&l, ctx.app);
	}
	add(&l, ": ", 2);
	errno = saved_errno;
	add_text(&l, fmt, ap);
	terminate(&l, ctx.bend != BEND_SYSLOG);

	switch (ctx.bend) {
	case BEND_FILE:
		emit_fd(ctx.fd, l.buf, l.len);
		break;
	case BEND_SYSLOG:
		emit_syslog(l.buf, l.len);
		break;
	case BEND_STDERR:
		emit_fd(STDERR_FILENO, l.buf, l.len);
		break;
	case BEND_NONE:
		break;
	}
	errno = saved_errno;
}

void log_msg(enum log_level level, struct pl call_id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, call_id, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------ setup */

/* Unset and empty are the same: "SIPLOG_LVL= sigd" means the default. */
static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static bool parse_level(const char *s, int *level)
{
	static const char *const names[] = {
		[TLOG_DBUG] = "DBUG", [TLOG_INFO] = "INFO", [TLOG_WARN] = "WARN",
		[TLOG_ERR] = "ERR", [TLOG_CRIT] = "CRIT",
	};

	for (int i = TLOG_DBUG; i <= TLOG_CRIT; i++) {
		if (strcasecmp(s, names[i]) == 0) {
			*level = i;
			return true;
		}
	}
	return false;
}

/* Epoch seconds with a fraction, as Python's float() takes them. */
static bool parse_tstart(const char *s, struct timespec *ts)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	/* written so that NaN fails too */
	if (end == s || *end || errno || !(v >= 0 && v <= TSTART_MAX))
		return false;
	ts->tv_sec = (time_t)v; /* truncation is floor for v >= 0 */
	ts->tv_nsec = (long)((v - (double)ts->tv_sec) * 1e9);
	if (ts->tv_nsec > 999999999L)
		ts->tv_nsec = 999999999L;
	return true;
}

static int open_logfile(const char *path)
{
	return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, LOGFILE_MODE);
}

static int open_backend(const char *bend)
{
	const char *path;

	if (!bend || strcasecmp(bend, "stderr") == 0) {
		ctx.bend = BEND_STDERR;
		return 0;
	}
	if (strcasecmp(bend, "none") == 0) {
		ctx.bend = BEND_NONE;
		ctx.level = LEVEL_OFF;
		return 0;
	}
	if (strcasecmp(bend, "syslog") == 0) {
		ctx.bend = BEND_SYSLOG;
		ctx.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		return ctx.fd < 0 ? -1 : 0;
	}
	ctx.bend = BEND_FILE;
	path = env("SIPLOG_LOGFILE_FILE");
	if (!path)
		path = DEFAULT_LOGFILE;
	if (strlen(path) >= sizeof(ctx.path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(ctx.path, path);
	ctx.fd = open_logfile(ctx.path);
	return ctx.fd < 0 ? -1 : 0;
}

int log_init(const char *app)
{
	const char *lvl = env("SIPLOG_LVL");
	const char *tform = env("SIPLOG_TFORM");
	const char *tstart = env("SIPLOG_TSTART");
	bool bad_lvl = false, bad_tform = false, bad_tstart = false;

	log_close();
	if (app)
		pl_strcpy(pl_from_str(app), ctx.app, sizeof(ctx.app));
	ctx.level = TLOG_INFO;
	if (lvl && !parse_level(lvl, &ctx.level))
		bad_lvl = true;
	clock_gettime(CLOCK_REALTIME, &ctx.tstart);
	if (tform && strcasecmp(tform, "rel") == 0) {
		ctx.rel = true;
		if (tstart && !parse_tstart(tstart, &ctx.tstart))
			bad_tstart = true;
	} else if (tform && strcasecmp(tform, "abs") != 0) {
		bad_tform = true;
	}
	if (open_backend(env("SIPLOG_BEND")) < 0) {
		int e = errno;
		log_close();
		errno = e;
		return -1;
	}

	if (bad_lvl)
		log_msg(TLOG_WARN, PL_NULL,
			"SIPLOG_LVL=\"%.32s\" is not DBUG, INFO, WARN, ERR or CRIT: using INFO", lvl);
	if (bad_tform)
		log_msg(TLOG_WARN, PL_NULL,
			"SIPLOG_TFORM=\"%.32s\" is not abs or rel: using abs", tform);
	if (bad_tstart)
		log_msg(TLOG_WARN, PL_NULL,
			"SIPLOG_TSTART=\"%.32s\" is not epoch seconds: counting from now", tstart);
	return 0;
}

/*
 * dup3() swaps the new file in under the old descriptor number in one
 * step: a writer in another thread writes either to the old file or to the
 * new one, never to a closed or reused descriptor.
 */
void log_reopen(void)
{
	int nfd;

	if (ctx.bend != BEND_FILE)
		return;
	nfd = open_logfile(ctx.path);
	if (nfd < 0) {
		log_msg(TLOG_ERR, PL_NULL, "cannot reopen log file %s: %m", ctx.path);
		return;
	}
	if (dup3(nfd, ctx.fd, O_CLOEXEC) < 0)
		log_msg(TLOG_ERR, PL_NULL, "cannot reopen log file %s: %m", ctx.path);
	close(nfd);
}

void log_close(void)
{
	if (ctx.fd >= 0)
		close(ctx.fd);
	ctx.fd = -1;
	ctx.bend = BEND_STDERR;
	ctx.level = TLOG_INFO;
	ctx.rel = false;
	ctx.path[0] = '\0';
}

int log_fd(void)
{
	return ctx.bend == BEND_FILE ? ctx.fd : -1;
}
