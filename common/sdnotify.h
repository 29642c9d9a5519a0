/*
 * sdnotify.h - systemd's service notification protocol (sd_notify(3)) for
 * Type=notify units: READY=1 once the daemon serves, STATUS= every few
 * seconds (what `systemctl status` shows), WATCHDOG=1 from the event loop
 * at half of WatchdogSec= (a loop that stalls stops pinging and systemd
 * restarts the daemon), STOPPING=1 while it drains.
 *
 * Not started by systemd ($NOTIFY_SOCKET unset): nothing is armed and
 * every call is a no-op, so the daemons call these unconditionally.
 */
#ifndef TANDEM_SDNOTIFY_H
#define TANDEM_SDNOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#define SDNOTIFY_STATUS_MS	5000	/* STATUS= refresh */
#define SDNOTIFY_READY_POLL_MS	100	/* readiness check until ready */
#define SDNOTIFY_STATUS_MAX	256	/* bytes of one STATUS= line */

struct sdnotify_ops {
	void *arg;
	/* Whether the daemon serves yet (sigd: ccd welcomed it); asked
	 * every SDNOTIFY_READY_POLL_MS until true. NULL: ready at once. */
	bool (*ready)(void *arg);
	/* One line for STATUS= (no newline); NULL: none. */
	void (*status)(void *arg, char *buf, size_t size);
};

struct sdnotify;

/* Arms the timers the environment asks for (none without
 * $NOTIFY_SOCKET). NULL only when out of memory. */
struct sdnotify *sdnotify_new(struct event_base *base, const struct sdnotify_ops *ops);
void sdnotify_free(struct sdnotify *n);

/* Whether systemd listens ($NOTIFY_SOCKET was set). */
bool sdnotify_enabled(const struct sdnotify *n);
/* Whether READY=1 went out. */
bool sdnotify_ready_sent(const struct sdnotify *n);
/* The watchdog ping interval in microseconds, 0 when no watchdog. */
uint64_t sdnotify_watchdog_interval_us(const struct sdnotify *n);

/* Sends STATUS= now (after a change worth showing at once). */
void sdnotify_status(struct sdnotify *n);

/*
 * STOPPING=1 with the status, and EXTEND_TIMEOUT_USEC=extend_us (when
 * not 0) so that a drain longer than TimeoutStopSec= is not cut short.
 * Readiness polling ends; watchdog pings go on until sdnotify_free().
 */
void sdnotify_stopping(struct sdnotify *n, uint64_t extend_us);

#endif
