/*
 * daemon.h - the process life cycle both daemons share: detaching from the
 * terminal, the pid file, and signals turned into event-loop callbacks.
 */
#ifndef TANDEM_DAEMON_H
#define TANDEM_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

/*
 * Locks and writes the pid file. The lock (held until exit) is how a second
 * instance with the same pid file is refused with a clear message instead
 * of two daemons fighting over one port.
 */
int daemon_pidfile_open(const char *path, char *err, size_t errsz);

/*
 * Detaches (fork, setsid, fork), points stdin at /dev/null and stdout and
 * stderr at logfile (or /dev/null), then writes the pid file if one is
 * given. Returns 0 in the daemon; the parent exits 0 once the child has
 * reported success, or 1 with the child's one-line error.
 */
int daemon_detach(const char *logfile, const char *pidfile, char *err, size_t errsz);

/* Reopens stdout/stderr on the -L file (SIGUSR1, for logrotate). */
int daemon_reopen_stdio(const char *logfile);

/* Removes the pid file at a clean exit. Only the process that holds its
 * lock calls this (a refused second instance exits before). */
void daemon_pidfile_remove(const char *path);

/* ---------------------------------------------------------------- life
 *
 * Signals, with Sippy's meanings, and systemd's notifications:
 *
 *   SIGTERM   stop taking new calls (refuse_new: new INVITEs get 503 with
 *             Retry-After); calls in progress go on for the drain time,
 *             then every call is ended (end_all: BYE or CANCEL on both
 *             legs); exit 0 once nothing is left (load says 0 and 0), at
 *             the latest end_ms after the calls were ended. When only
 *             ending calls are left before the drain time is over, the
 *             end_ms wait starts at once. A second SIGTERM exits at once.
 *   SIGINT    exits at once (Ctrl-C on a daemon in the foreground).
 *   SIGHUP    ends every call now (end_all) and keeps running.
 *   SIGUSR1   reopens the log file (log_reopen) and, when detached, the
 *             -L file behind stdout/stderr (logrotate).
 *
 * "Exit" is event_base_loopexit(): the loop finishes the callbacks that
 * are active (queued messages go out) and main() tears down as usual.
 */

struct daemon_hooks {
	void *arg;
	/* For READY=1 and STATUS= (sdnotify.h); either may be NULL. */
	bool (*ready)(void *arg);
	void (*status)(void *arg, char *buf, size_t size);
	/* First SIGTERM: from now on new calls are refused. */
	void (*refuse_new)(void *arg);
	/* End every call that is not ending yet; why is for the log. */
	void (*end_all)(void *arg, const char *why);
	/* What is left: calls (legs) not ending yet, and ones ending. */
	void (*load)(void *arg, size_t *active, size_t *ending);
};

struct daemon_life_config {
	uint32_t drain_ms;	/* --drain: calls in progress may go on this long */
	uint32_t end_ms;	/* after end_all: longest wait for the rest */
	bool foreground;	/* -f: stdout/stderr are not ours to reopen */
	const char *logfile;	/* -L */
	const char *pidfile;	/* -P: removed by daemon_life_free() */
};

#define DAEMON_POLL_MS 200	/* how often load() is asked while stopping */

struct daemon_life;

/* Installs the signal handlers and starts the systemd notifications
 * (READY=1 as soon as hooks->ready says so). NULL when out of memory. */
struct daemon_life *daemon_life_new(struct event_base *base, const struct daemon_life_config *cfg,
				    const struct daemon_hooks *hooks);
/* After the loop ended: removes the signal handlers and the pid file. */
void daemon_life_free(struct daemon_life *d);

/* Whether SIGTERM was received (new calls are refused). */
bool daemon_life_stopping(const struct daemon_life *d);

#endif
