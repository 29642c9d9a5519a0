/*
 * daemon.h - the process life cycle both daemons share: detaching from the
 * terminal, the pid file, and signals turned into event-loop callbacks.
 */
#ifndef TANDEM_DAEMON_H
#define TANDEM_DAEMON_H

#include <stddef.h>

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

#endif
