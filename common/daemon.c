/*
 * daemon.c - detaching, the pid file, and the life cycle of a running
 * daemon: signals, draining, systemd notifications (daemon.h).
 */
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "sdnotify.h"

int daemon_pidfile_open(const char *path, char *err, size_t errsz)
{
	char buf[32];
	int fd, n;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errsz, "cannot open pid file %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		n = (int)read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		snprintf(err, errsz, "already running (pid %s holds %s)", buf[0] ? buf : "?", path);
		close(fd);
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || write(fd, buf, (size_t)n) != n) {
		snprintf(err, errsz, "cannot write pid file %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd; /* kept open: the lock lives as long as the process */
}

void daemon_pidfile_remove(const char *path)
{
	if (path && unlink(path) < 0 && errno != ENOENT)
		LOGW(PL_NULL, "cannot remove pid file %s: %s", path, strerror(errno));
}

int daemon_reopen_stdio(const char *logfile)
{
	int fd = open(logfile ? logfile : "/dev/null", O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return -1;
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
	return 0;
}

int daemon_detach(const char *logfile, const char *pidfile, char *err, size_t errsz)
{
	int report[2];
	pid_t pid;

	/* The child tells the parent how start-up went, so `sigd` run from a
	 * shell or a Type=forking unit exits non-zero with the real reason. */
	if (pipe2(report, O_CLOEXEC) < 0) {
		snprintf(err, errsz, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, errsz, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0) {
		char msg[512];
		ssize_t n;

		close(report[1]);
		n = read(report[0], msg, sizeof(msg) - 1);
		if (n <= 0)
			_exit(1);
		msg[n] = '\0';
		if (strcmp(msg, "ok") == 0)
			_exit(0);
		/* Same form as the daemons' other start-up errors. */
		fprintf(stderr, "%s: %s\n", program_invocation_short_name, msg);
		_exit(1);
	}
	close(report[0]);
	setsid();
	pid = fork();
	if (pid < 0)
		_exit(1);
	if (pid > 0)
		_exit(0);

	int devnull = open("/dev/null", O_RDWR);
	if (devnull >= 0) {
		dup2(devnull, STDIN_FILENO);
		close(devnull);
	}
	if (daemon_reopen_stdio(logfile) < 0) {
		dprintf(report[1], "cannot open log file %s: %s", logfile, strerror(errno));
		_exit(1);
	}
	if (pidfile && daemon_pidfile_open(pidfile, err, errsz) < 0) {
		dprintf(report[1], "%s", err);
		_exit(1);
	}
	if (write(report[1], "ok", 2) != 2)
		_exit(1);
	close(report[1]);
	return 0;
}

/* ---------------------------------------------------------------- life */

enum life_state {
	LIFE_RUNNING,
	LIFE_DRAINING,	/* SIGTERM: new calls refused, the others go on */
	LIFE_ENDING,	/* every call ended (or ending): waiting for the rest */
	LIFE_EXITING,
};

static const int life_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };
#define LIFE_NSIG (sizeof(life_signals) / sizeof(life_signals[0]))

struct daemon_life {
	struct event_base *base;
	struct daemon_life_config cfg;
	struct daemon_hooks hooks;
	struct sdnotify *notify;
	struct event *sig_ev[LIFE_NSIG];
	struct event *poll_ev;		/* load(), every DAEMON_POLL_MS while stopping */
	struct event *deadline_ev;	/* end of the drain time, then of end_ms */
	enum life_state state;
	bool sigterm;			/* new calls are refused */
};

static void ms_tv(struct timeval *tv, uint32_t ms)
{
	tv->tv_sec = ms / 1000;
	tv->tv_usec = (suseconds_t)(ms % 1000) * 1000;
}

static void life_exit(struct daemon_life *d, const char *why)
{
	if (d->state == LIFE_EXITING)
		return;
	d->state = LIFE_EXITING;
	LOGI(PL_NULL, "exiting: %s", why);
	event_del(d->poll_ev);
	event_del(d->deadline_ev);
	event_base_loopexit(d->base, NULL);
}

static void life_load(struct daemon_life *d, size_t *active, size_t *ending)
{
	*active = *ending = 0;
	if (d->hooks.load)
		d->hooks.load(d->hooks.arg, active, ending);
}

/* From now on only the end_ms wait is left. */
static void life_ending(struct daemon_life *d)
{
	struct timeval tv;

	d->state = LIFE_ENDING;
	ms_tv(&tv, d->cfg.end_ms);
	event_add(d->deadline_ev, &tv);
	sdnotify_status(d->notify);
}

/* Exit as soon as nothing is left; skip the rest of the drain time once
 * only ending calls are left (nothing would end them sooner). */
static void life_check(struct daemon_life *d)
{
	size_t active, ending;

	if (d->state != LIFE_DRAINING && d->state != LIFE_ENDING)
		return;
	life_load(d, &active, &ending);
	if (active == 0 && ending == 0) {
		life_exit(d, "no calls left");
		return;
	}
	if (d->state == LIFE_DRAINING && active == 0) {
		LOGI(PL_NULL, "no call in progress; %zu ending: waiting up to %u ms for them", ending,
		     d->cfg.end_ms);
		life_ending(d);
	}
}

static void on_poll(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	life_check(arg);
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct daemon_life *d = arg;
	size_t active, ending;

	(void)fd;
	(void)what;
	if (d->state == LIFE_DRAINING) {
		life_load(d, &active, &ending);
		LOGI(PL_NULL, "drain time over: ending %zu calls in progress", active);
		if (d->hooks.end_all)
			d->hooks.end_all(d->hooks.arg, "drain time over");
		life_ending(d);
		return;
	}
	if (d->state == LIFE_ENDING) {
		life_load(d, &active, &ending);
		LOGW(PL_NULL, "%zu calls still there %u ms after they were ended", active + ending,
		     d->cfg.end_ms);
		life_exit(d, "end wait over");
	}
}

static void on_sigterm(struct daemon_life *d)
{
	struct timeval tv;
	size_t active, ending;

	if (d->state != LIFE_RUNNING) {
		life_exit(d, "second SIGTERM");
		return;
	}
	d->state = LIFE_DRAINING;
	d->sigterm = true;
	if (d->hooks.refuse_new)
		d->hooks.refuse_new(d->hooks.arg);
	life_load(d, &active, &ending);
	LOGI(PL_NULL, "SIGTERM: refusing new calls; %zu in progress may go on for up to %u ms "
	     "(a second SIGTERM exits at once)", active, d->cfg.drain_ms);
	/* systemd must not SIGKILL us in the middle of the drain. */
	sdnotify_stopping(d->notify, ((uint64_t)d->cfg.drain_ms + d->cfg.end_ms + 5000) * 1000);
	ms_tv(&tv, d->cfg.drain_ms);
	event_add(d->deadline_ev, &tv);
	ms_tv(&tv, DAEMON_POLL_MS);
	event_add(d->poll_ev, &tv);
	life_check(d);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct daemon_life *d = arg;

	(void)what;
	switch (sig) {
	case SIGTERM:
		on_sigterm(d);
		break;
	case SIGINT:
		life_exit(d, "SIGINT");
		break;
	case SIGHUP:
		LOGI(PL_NULL, "SIGHUP: ending every call");
		if (d->hooks.end_all)
			d->hooks.end_all(d->hooks.arg, "SIGHUP");
		sdnotify_status(d->notify);
		break;
	case SIGUSR1:
		log_reopen();
		if (!d->cfg.foreground && d->cfg.logfile && daemon_reopen_stdio(d->cfg.logfile) < 0)
			LOGE(PL_NULL, "cannot reopen %s: %s", d->cfg.logfile, strerror(errno));
		LOGI(PL_NULL, "SIGUSR1: log files reopened");
		break;
	default:
		break;
	}
}

struct daemon_life *daemon_life_new(struct event_base *base, const struct daemon_life_config *cfg,
				    const struct daemon_hooks *hooks)
{
	struct daemon_life *d = calloc(1, sizeof(*d));
	struct sdnotify_ops ops;

	if (!d)
		return NULL;
	d->base = base;
	d->cfg = *cfg;
	d->hooks = *hooks;
	d->poll_ev = event_new(base, -1, EV_PERSIST, on_poll, d);
	d->deadline_ev = evtimer_new(base, on_deadline, d);
	for (size_t i = 0; i < LIFE_NSIG; i++) {
		d->sig_ev[i] = evsignal_new(base, life_signals[i], on_signal, d);
		if (!d->sig_ev[i] || event_add(d->sig_ev[i], NULL) < 0)
			goto fail;
	}
	ops = (struct sdnotify_ops){ .arg = hooks->arg, .ready = hooks->ready, .status = hooks->status };
	if (!d->poll_ev || !d->deadline_ev || !(d->notify = sdnotify_new(base, &ops)))
		goto fail;
	return d;
fail:
	d->cfg.pidfile = NULL;	/* not ours to remove: start-up failed */
	daemon_life_free(d);
	return NULL;
}

void daemon_life_free(struct daemon_life *d)
{
	if (!d)
		return;
	sdnotify_free(d->notify);
	for (size_t i = 0; i < LIFE_NSIG; i++)
		if (d->sig_ev[i])
			event_free(d->sig_ev[i]);
	if (d->poll_ev)
		event_free(d->poll_ev);
	if (d->deadline_ev)
		event_free(d->deadline_ev);
	daemon_pidfile_remove(d->cfg.pidfile);
	free(d);
}

bool daemon_life_stopping(const struct daemon_life *d)
{
	return d->sigterm;
}
