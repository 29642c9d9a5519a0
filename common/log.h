/*
 * log.h - the logging of sigd and ccd, configured like Sippy's SipLogger.
 *
 * Environment, read once by log_init() (an empty value counts as unset):
 *   SIPLOG_BEND          stderr (default) | none | syslog | anything else:
 *                        a file, as in Sippy (values are case-insensitive)
 *   SIPLOG_LOGFILE_FILE  the file for the file backend (/var/log/sip.log)
 *   SIPLOG_LVL           DBUG | INFO (default) | WARN | ERR | CRIT,
 *                        case-insensitive; an unknown value keeps INFO and
 *                        logs one warning saying so
 *   SIPLOG_TFORM         abs (default) | rel
 *   SIPLOG_TSTART        for rel: the zero of the clock, epoch seconds as a
 *                        decimal fraction (default: the time of log_init)
 *
 * Line format, as Sippy's:
 *   abs: "DD Mon HH:MM:SS.mmm/<call-id>/<app>: <text>\n" in local time
 *   rel: "HH:MM:SS.mmm/<call-id>/<app>: <text>\n" since SIPLOG_TSTART
 *        (hours grow past 99 as needed)
 * <call-id> is GLOBAL when the call id is empty. Text with newlines in it
 * continues on the following lines unchanged; a text that already ends in
 * a newline gets no second one. A line longer than LOG_LINE_MAX is cut
 * and ends in "...\n".
 *
 * Each line is formatted into a stack buffer and emitted with a single
 * write(2) (the file is opened O_APPEND), so sigd and ccd sharing one file
 * never interleave within a line; LOG_LINE_MAX equals Linux's PIPE_BUF, so
 * the same holds for stderr on a pipe. There is no stdio buffering: a line
 * is on disk (in the page cache) when log_msg() returns.
 *
 * syslog backend: datagrams to /dev/log, facility LOG_DAEMON, ident = app
 * with the pid, priority from the level (DBUG debug, INFO notice, WARN
 * warning, ERR err, CRIT crit). The message is the Sippy line without
 * "/<app>" (syslog carries the ident) and without the newline, as Sippy
 * sends it: its own timestamp stays, for the milliseconds. log.c speaks the
 * /dev/log protocol itself instead of calling syslog(3); see the hook below
 * for why.
 *
 * State: the one logging context in log.c is the only file-scope mutable
 * state allowed (the project's exception to "no global state": every
 * module logs, and none should carry a logger around). It is written by
 * log_init(), log_close() and
 * (the file descriptor only, atomically) log_reopen(), and only read by
 * log_msg(); call log_init() and log_close() before other threads start
 * and after they stop. Before log_init() lines go to stderr at INFO.
 *
 * syslog(3) hook for libraries (the next issue, in ccd): radcli logs only
 * through syslog(3) (Debian's libradcli.so imports openlog and the
 * fortified __syslog_chk). ccd will define openlog() and closelog() as
 * no-ops (the ident is ours) and syslog(), vsyslog(), __syslog_chk() and
 * __vsyslog_chk() that map the syslog priority to a level (LOG_DEBUG ->
 * TLOG_DBUG, LOG_INFO and LOG_NOTICE -> TLOG_INFO, LOG_WARNING -> TLOG_WARN,
 * LOG_ERR -> TLOG_ERR, more severe -> TLOG_CRIT) and call log_vmsg() with
 * an empty call id. Definitions in the executable interpose libc's for
 * every shared library (the linker exports them because libradcli.so
 * refers to them), so radcli's lines get our format and backend. This
 * cannot recurse because log.c never calls syslog(3) itself. glibc's
 * vsnprintf understands syslog's %m, so formats pass through unchanged.
 */
#ifndef TANDEM_LOG_H
#define TANDEM_LOG_H

#include <stdarg.h>
#include <stdbool.h>

#include "pl.h"

/* Sippy's SIPLOG_* levels; TLOG_ because syslog.h owns LOG_ERR, LOG_CRIT. */
enum log_level {
	TLOG_DBUG,
	TLOG_INFO,
	TLOG_WARN,
	TLOG_ERR,
	TLOG_CRIT,
};

/* The longest line, newline included (== PIPE_BUF on Linux). */
#define LOG_LINE_MAX 4096

/*
 * Read the environment and open the backend; app is the program tag
 * ("sigd"), at most 63 bytes are kept. Calling it again closes what the
 * previous call opened first. Returns 0, or -1 with errno when the log
 * file (or the syslog socket) cannot be opened: the caller prints one
 * line and exits.
 */
int log_init(const char *app);

/* Whether a line of this level would be written: one compare. */
bool log_enabled(enum log_level level);

void log_msg(enum log_level level, struct pl call_id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_vmsg(enum log_level level, struct pl call_id, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* The arguments are not evaluated when the level is filtered out. */
#define LOG_AT(lvl, cid, ...)                             \
	do {                                              \
		if (log_enabled(lvl))                     \
			log_msg((lvl), (cid), __VA_ARGS__); \
	} while (0)
#define LOGD(cid, ...) LOG_AT(TLOG_DBUG, cid, __VA_ARGS__)
#define LOGI(cid, ...) LOG_AT(TLOG_INFO, cid, __VA_ARGS__)
#define LOGW(cid, ...) LOG_AT(TLOG_WARN, cid, __VA_ARGS__)
#define LOGE(cid, ...) LOG_AT(TLOG_ERR, cid, __VA_ARGS__)
#define LOGC(cid, ...) LOG_AT(TLOG_CRIT, cid, __VA_ARGS__)

/*
 * Reopen the log file by name (logrotate renamed it: SIGUSR1). The new
 * descriptor replaces the old one under the same number, so a concurrent
 * writer never sees a closed descriptor. If the file cannot be opened,
 * logging goes on into the old one and an ERR line there says why. Call
 * it from the event loop, not from the signal handler. No-op for the other
 * backends.
 */
void log_reopen(void);

/* Close the backend; later lines go to stderr as before log_init(). */
void log_close(void);

/* The log file's descriptor (e.g. to keep it open across a fork), or -1. */
int log_fd(void);

#endif
