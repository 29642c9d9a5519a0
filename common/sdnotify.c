/*
 * sdnotify.c - READY/STATUS/WATCHDOG/STOPPING for systemd (sdnotify.h).
 */
#include "sdnotify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-daemon.h>

#include "log.h"

struct sdnotify {
	struct sdnotify_ops ops;
	struct event *ready_ev;		/* readiness poll, until ready */
	struct event *status_ev;
	struct event *watchdog_ev;
	uint64_t watchdog_us;		/* ping interval: half of WatchdogSec */
	bool enabled;
	bool ready_sent;
	bool polled;			/* readiness asked at least once */
	bool stopping;
};

/* "STATUS=<line>" when the daemon gives one, else "". */
static void status_line(struct sdnotify *n, char *buf, size_t size)
{
	char line[SDNOTIFY_STATUS_MAX];

	buf[0] = '\0';
	if (!n->ops.status)
		return;
	line[0] = '\0';
	n->ops.status(n->ops.arg, line, sizeof(line));
	line[strcspn(line, "\n")] = '\0';	/* one line, whatever the hook wrote */
	snprintf(buf, size, "STATUS=%s", line);
}

/* A failed notification is logged, never fatal: systemd may be
 * restarting, and the daemon serves calls regardless. */
static void send_state(const char *state)
{
	int rc = sd_notify(0, state);

	if (rc < 0)
		LOGW(PL_NULL, "sd_notify: %s", strerror(-rc));
}

static bool check_ready(struct sdnotify *n)
{
	char buf[SDNOTIFY_STATUS_MAX + 32];
	char status[SDNOTIFY_STATUS_MAX + 16];

	if (n->ready_sent)
		return true;
	if (n->stopping || (n->ops.ready && !n->ops.ready(n->ops.arg)))
		return false;
	n->ready_sent = true;
	status_line(n, status, sizeof(status));
	snprintf(buf, sizeof(buf), "READY=1%s%s", status[0] ? "\n" : "", status);
	send_state(buf);
	LOGD(PL_NULL, "systemd notified: ready");
	return true;
}

static void on_ready_poll(evutil_socket_t fd, short what, void *arg)
{
	struct sdnotify *n = arg;
	bool first = !n->polled;

	(void)fd;
	(void)what;
	n->polled = true;
	if (check_ready(n) || n->stopping) {
		event_del(n->ready_ev);
		return;
	}
	/* Not ready at the first look: say what we wait for. */
	if (first)
		sdnotify_status(n);
}

static void on_status(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	sdnotify_status(arg);
}

static void on_watchdog(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	send_state("WATCHDOG=1");
}

static struct event *persist_timer(struct event_base *base, event_callback_fn fn, void *arg, uint64_t us)
{
	struct event *ev = event_new(base, -1, EV_PERSIST, fn, arg);
	struct timeval tv;

	if (!ev)
		return NULL;
	tv.tv_sec = (time_t)(us / 1000000);
	tv.tv_usec = (suseconds_t)(us % 1000000);
	event_add(ev, &tv);
	return ev;
}

struct sdnotify *sdnotify_new(struct event_base *base, const struct sdnotify_ops *ops)
{
	struct sdnotify *n = calloc(1, sizeof(*n));
	const char *sock = getenv("NOTIFY_SOCKET");
	uint64_t wd = 0;

	if (!n)
		return NULL;
	n->ops = *ops;
	n->enabled = sock && sock[0];
	if (!n->enabled)
		return n;
	/* > 0: WatchdogSec= is set and meant for this process. */
	if (sd_watchdog_enabled(0, &wd) > 0 && wd > 0) {
		n->watchdog_us = wd / 2 ? wd / 2 : 1;
		n->watchdog_ev = persist_timer(base, on_watchdog, n, n->watchdog_us);
		send_state("WATCHDOG=1");
	}
	n->status_ev = persist_timer(base, on_status, n, (uint64_t)SDNOTIFY_STATUS_MS * 1000);
	n->ready_ev = persist_timer(base, on_ready_poll, n, (uint64_t)SDNOTIFY_READY_POLL_MS * 1000);
	if ((n->watchdog_us && !n->watchdog_ev) || !n->status_ev || !n->ready_ev) {
		sdnotify_free(n);
		return NULL;
	}
	/* The first check runs from the loop, so that whatever main() sets
	 * up after us (control socket, metrics) is bound before READY=1. */
	event_active(n->ready_ev, EV_TIMEOUT, 0);
	return n;
}

void sdnotify_free(struct sdnotify *n)
{
	if (!n)
		return;
	if (n->ready_ev)
		event_free(n->ready_ev);
	if (n->status_ev)
		event_free(n->status_ev);
	if (n->watchdog_ev)
		event_free(n->watchdog_ev);
	free(n);
}

bool sdnotify_enabled(const struct sdnotify *n)
{
	return n->enabled;
}

bool sdnotify_ready_sent(const struct sdnotify *n)
{
	return n->ready_sent;
}

uint64_t sdnotify_watchdog_interval_us(const struct sdnotify *n)
{
	return n->watchdog_us;
}

void sdnotify_status(struct sdnotify *n)
{
	char buf[SDNOTIFY_STATUS_MAX + 16];

	if (!n->enabled)
		return;
	status_line(n, buf, sizeof(buf));
	if (buf[0])
		send_state(buf);
}

void sdnotify_stopping(struct sdnotify *n, uint64_t extend_us)
{
	char buf[SDNOTIFY_STATUS_MAX + 80];
	char status[SDNOTIFY_STATUS_MAX + 16];
	int len;

	if (!n->enabled || n->stopping)
		return;
	n->stopping = true;
	if (n->ready_ev)
		event_del(n->ready_ev);
	status_line(n, status, sizeof(status));
	len = snprintf(buf, sizeof(buf), "STOPPING=1");
	if (extend_us)
		len += snprintf(buf + len, sizeof(buf) - (size_t)len, "\nEXTEND_TIMEOUT_USEC=%llu",
				(unsigned long long)extend_us);
	if (status[0])
		snprintf(buf + len, sizeof(buf) - (size_t)len, "\n%s", status);
	send_state(buf);
}
