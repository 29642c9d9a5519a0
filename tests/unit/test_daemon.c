/* common/daemon.c and common/sdnotify.c: the pid file, reopening the -L
 * file, the signal life cycle (drain, end, exit; SIGHUP, SIGINT, SIGUSR1)
 * with fake hooks on a real libevent loop, and the systemd notifications
 * read from a unix datagram socket standing in for systemd. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "daemon.h"
#include "log.h"
#include "sdnotify.h"

static char tmpdir[64];
static char logpath[128];

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void path_in_tmp(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", tmpdir, name);
}

static size_t slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, size - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n > 0 ? (size_t)n : 0;
}

static int count_in_log(const char *needle)
{
	char buf[65536];
	int n = 0;

	slurp(logpath, buf, sizeof(buf));
	for (const char *p = buf; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* ---------------------------------------------------------------- pid file */

static void test_pidfile(void **state)
{
	char path[160], buf[64], err[256], want[64];
	int fd, fd2;

	(void)state;
	path_in_tmp(path, sizeof(path), "t.pid");
	fd = daemon_pidfile_open(path, err, sizeof(err));
	assert_true(fd >= 0);
	snprintf(want, sizeof(want), "%ld\n", (long)getpid());
	slurp(path, buf, sizeof(buf));
	assert_string_equal(buf, want);

	/* A second instance: refused, naming the holder. The lock is per
	 * open file description, so a second open() in this process meets
	 * the first one's lock just as another process would. */
	fd2 = daemon_pidfile_open(path, err, sizeof(err));
	assert_int_equal(fd2, -1);
	snprintf(want, sizeof(want), "already running (pid %ld holds ", (long)getpid());
	assert_non_null(strstr(err, want));
	assert_non_null(strstr(err, path));

	daemon_pidfile_remove(path);
	assert_int_equal(access(path, F_OK), -1);
	daemon_pidfile_remove(path);	/* gone already: quiet */
	daemon_pidfile_remove(NULL);
	close(fd);

	path_in_tmp(path, sizeof(path), "no/such/dir/t.pid");
	assert_int_equal(daemon_pidfile_open(path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot open pid file"));
	/* a directory cannot be removed with unlink: logged */
	daemon_pidfile_remove(tmpdir);
	assert_int_equal(count_in_log("cannot remove pid file"), 1);
}

/* ---------------------------------------------------------------- stdio */

static void test_reopen_stdio(void **state)
{
	char a[160], a1[200], buf[256];
	int out = dup(STDOUT_FILENO), errfd = dup(STDERR_FILENO);

	(void)state;
	assert_true(out >= 0 && errfd >= 0);
	fflush(stdout);
	path_in_tmp(a, sizeof(a), "stdio.log");
	snprintf(a1, sizeof(a1), "%s.1", a);
	assert_int_equal(daemon_reopen_stdio(a), 0);
	assert_int_equal(write(STDERR_FILENO, "one\n", 4), 4);
	assert_int_equal(rename(a, a1), 0);		/* logrotate */
	assert_int_equal(daemon_reopen_stdio(a), 0);
	assert_int_equal(write(STDOUT_FILENO, "two\n", 4), 4);
	assert_int_equal(daemon_reopen_stdio(NULL), 0);	/* /dev/null */
	assert_int_equal(write(STDOUT_FILENO, "three\n", 6), 6);
	assert_int_equal(daemon_reopen_stdio("/no/such/dir/x.log"), -1);
	dup2(out, STDOUT_FILENO);
	dup2(errfd, STDERR_FILENO);
	close(out);
	close(errfd);
	slurp(a1, buf, sizeof(buf));
	assert_string_equal(buf, "one\n");
	slurp(a, buf, sizeof(buf));
	assert_string_equal(buf, "two\n");
}

/* ---------------------------------------------------------------- life */

struct fake {
	struct event_base *base;
	size_t active, ending;
	size_t ending_after_end;	/* what end_all leaves behind */
	int refuse, ends, statuses;
	bool ready;
	char why[64];
	int64_t t0, t_end, t_exit;
	bool timed_out;
};

static bool f_ready(void *arg)
{
	return ((struct fake *)arg)->ready;
}

static void f_status(void *arg, char *buf, size_t size)
{
	struct fake *f = arg;

	f->statuses++;
	snprintf(buf, size, "%zu active\nsecond line never sent", f->active);
}

static void f_refuse(void *arg)
{
	((struct fake *)arg)->refuse++;
}

static void f_end_all(void *arg, const char *why)
{
	struct fake *f = arg;

	f->ends++;
	f->t_end = now_ms();
	snprintf(f->why, sizeof(f->why), "%s", why);
	f->active = 0;
	f->ending = f->ending_after_end;
}

static void f_load(void *arg, size_t *active, size_t *ending)
{
	struct fake *f = arg;

	*active = f->active;
	*ending = f->ending;
}

static const struct daemon_hooks fake_hooks = {
	.ready = f_ready,
	.status = f_status,
	.refuse_new = f_refuse,
	.end_all = f_end_all,
	.load = f_load,
};

/* What happens at a time in a test: a signal, or a change of load. */
struct step {
	unsigned at_ms;
	int sig;		/* 0: none */
	int set_ending;		/* >= 0: f->ending = this */
	struct fake *f;
	struct event *ev;
};

static void on_step(evutil_socket_t fd, short what, void *arg)
{
	struct step *s = arg;

	(void)fd;
	(void)what;
	if (s->set_ending >= 0)
		s->f->ending = (size_t)s->set_ending;
	if (s->sig)
		raise(s->sig);
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct fake *f = arg;

	(void)fd;
	(void)what;
	f->timed_out = true;
	event_base_loopbreak(f->base);
}

/*
 * Runs a daemon_life with cfg over the steps until it exits, or breaks
 * after limit_ms (f->timed_out). Returns whether the pid file was removed.
 */
static bool run_life(struct fake *f, struct daemon_life_config *cfg, struct step *steps, size_t n,
		     unsigned limit_ms, bool *stopping)
{
	struct daemon_hooks hooks = fake_hooks;
	struct daemon_life *d;
	struct event *limit;
	struct timeval tv;
	char pidpath[160], err[256];
	int pidfd;
	bool removed;

	path_in_tmp(pidpath, sizeof(pidpath), "life.pid");
	pidfd = daemon_pidfile_open(pidpath, err, sizeof(err));
	assert_true(pidfd >= 0);
	cfg->pidfile = pidpath;
	f->base = event_base_new();
	assert_non_null(f->base);
	hooks.arg = f;
	d = daemon_life_new(f->base, cfg, &hooks);
	assert_non_null(d);
	for (size_t i = 0; i < n; i++) {
		steps[i].f = f;
		steps[i].ev = evtimer_new(f->base, on_step, &steps[i]);
		tv.tv_sec = steps[i].at_ms / 1000;
		tv.tv_usec = (steps[i].at_ms % 1000) * 1000;
		evtimer_add(steps[i].ev, &tv);
	}
	limit = evtimer_new(f->base, on_timeout, f);
	tv.tv_sec = limit_ms / 1000;
	tv.tv_usec = (limit_ms % 1000) * 1000;
	evtimer_add(limit, &tv);
	f->t0 = now_ms();
	event_base_dispatch(f->base);
	f->t_exit = now_ms();
	if (stopping)
		*stopping = daemon_life_stopping(d);
	assert_int_equal(access(pidpath, F_OK), 0);
	daemon_life_free(d);
	removed = access(pidpath, F_OK) != 0;
	close(pidfd);
	unlink(pidpath);
	for (size_t i = 0; i < n; i++)
		event_free(steps[i].ev);
	event_free(limit);
	event_base_free(f->base);
	return removed;
}

/* Nothing in progress: SIGTERM exits at once, nothing is ended. */
static void test_sigterm_idle(void **state)
{
	struct fake f = { 0 };
	struct daemon_life_config cfg = { .drain_ms = 10000, .end_ms = 10000, .foreground = true };
	struct step s[] = { { .at_ms = 10, .sig = SIGTERM, .set_ending = -1 } };
	bool stopping = false;

	(void)state;
	assert_true(run_life(&f, &cfg, s, 1, 3000, &stopping));
	assert_false(f.timed_out);
	assert_true(stopping);
	assert_int_equal(f.refuse, 1);
	assert_int_equal(f.ends, 0);
	assert_true(f.t_exit - f.t0 < 1000);
	assert_int_equal(count_in_log("exiting: no calls left"), 1);
}

/* A call in progress: it goes on for the drain time, then it is ended,
 * and the daemon exits once what end_all left is gone. */
static void test_sigterm_drain(void **state)
{
	struct fake f = { .active = 1, .ending_after_end = 1 };
	struct daemon_life_config cfg = { .drain_ms = 300, .end_ms = 5000, .foreground = true };
	struct step s[] = {
		{ .at_ms = 10, .sig = SIGTERM, .set_ending = -1 },
		{ .at_ms = 500, .sig = 0, .set_ending = 0 },
	};

	(void)state;
	assert_true(run_life(&f, &cfg, s, 2, 5000, NULL));
	assert_false(f.timed_out);
	assert_int_equal(f.refuse, 1);
	assert_int_equal(f.ends, 1);
	assert_string_equal(f.why, "drain time over");
	assert_true(f.t_end - f.t0 >= 300);
	assert_true(f.t_exit - f.t0 >= 500);
	assert_true(f.t_exit - f.t0 < 2000);
	assert_int_equal(count_in_log("drain time over: ending 1 calls in progress"), 1);
	assert_int_equal(count_in_log("exiting: no calls left"), 1);
}

/* What end_all left never goes away: exit after end_ms anyway. */
static void test_sigterm_end_bound(void **state)
{
	struct fake f = { .active = 2, .ending_after_end = 2 };
	struct daemon_life_config cfg = { .drain_ms = 100, .end_ms = 300, .foreground = true };
	struct step s[] = { { .at_ms = 10, .sig = SIGTERM, .set_ending = -1 } };

	(void)state;
	assert_true(run_life(&f, &cfg, s, 1, 5000, NULL));
	assert_false(f.timed_out);
	assert_int_equal(f.ends, 1);
	assert_true(f.t_exit - f.t0 >= 400);
	assert_true(f.t_exit - f.t0 < 2000);
	assert_int_equal(count_in_log("2 calls still there 300 ms after they were ended"), 1);
	assert_int_equal(count_in_log("exiting: end wait over"), 1);
}

/* Only ending calls left: no need to sit out the drain time. */
static void test_sigterm_only_ending(void **state)
{
	struct fake f = { .active = 0, .ending = 3 };
	struct daemon_life_config cfg = { .drain_ms = 60000, .end_ms = 60000, .foreground = true };
	struct step s[] = {
		{ .at_ms = 10, .sig = SIGTERM, .set_ending = -1 },
		{ .at_ms = 300, .sig = 0, .set_ending = 0 },
	};

	(void)state;
	assert_true(run_life(&f, &cfg, s, 2, 5000, NULL));
	assert_false(f.timed_out);
	assert_int_equal(f.ends, 0);
	assert_true(f.t_exit - f.t0 < 2000);
	assert_int_equal(count_in_log("no call in progress; 3 ending"), 1);
}

/* A second SIGTERM, and SIGINT: exit at once, mid-drain. */
static void test_second_sigterm_and_sigint(void **state)
{
	struct fake f = { .active = 1 };
	struct daemon_life_config cfg = { .drain_ms = 60000, .end_ms = 60000, .foreground = true };
	struct step s[] = {
		{ .at_ms = 10, .sig = SIGTERM, .set_ending = -1 },
		{ .at_ms = 100, .sig = SIGTERM, .set_ending = -1 },
	};
	struct fake g = { .active = 1 };
	struct step t[] = { { .at_ms = 10, .sig = SIGINT, .set_ending = -1 } };
	bool stopping = true;

	(void)state;
	assert_true(run_life(&f, &cfg, s, 2, 5000, NULL));
	assert_false(f.timed_out);
	assert_int_equal(f.ends, 0);
	assert_true(f.t_exit - f.t0 < 1000);
	assert_int_equal(count_in_log("exiting: second SIGTERM"), 1);

	assert_true(run_life(&g, &cfg, t, 1, 5000, &stopping));
	assert_false(g.timed_out);
	assert_false(stopping);
	assert_int_equal(g.refuse, 0);
	assert_int_equal(count_in_log("exiting: SIGINT"), 1);
}

/* SIGHUP ends every call and the daemon goes on. */
static void test_sighup(void **state)
{
	struct fake f = { .active = 4 };
	struct daemon_life_config cfg = { .drain_ms = 100, .end_ms = 100, .foreground = true };
	struct step s[] = { { .at_ms = 10, .sig = SIGHUP, .set_ending = -1 } };
	bool stopping = true;

	(void)state;
	run_life(&f, &cfg, s, 1, 400, &stopping);
	assert_true(f.timed_out);		/* still running */
	assert_false(stopping);
	assert_int_equal(f.ends, 1);
	assert_string_equal(f.why, "SIGHUP");
	assert_int_equal(f.refuse, 0);
	assert_int_equal(count_in_log("SIGHUP: ending every call"), 1);
}

/* SIGUSR1: the log file and (detached) the -L file are reopened. */
static void test_sigusr1(void **state)
{
	char moved[200], lfile[160], lmoved[200], buf[4096];
	struct fake f = { 0 };
	struct daemon_life_config cfg = { .drain_ms = 100, .end_ms = 100, .foreground = false };
	struct step s[] = { { .at_ms = 10, .sig = SIGUSR1, .set_ending = -1 } };
	int out = dup(STDOUT_FILENO), errfd = dup(STDERR_FILENO);

	(void)state;
	fflush(stdout);
	snprintf(moved, sizeof(moved), "%s.1", logpath);
	path_in_tmp(lfile, sizeof(lfile), "L.log");
	snprintf(lmoved, sizeof(lmoved), "%s.1", lfile);
	assert_int_equal(daemon_reopen_stdio(lfile), 0);
	assert_int_equal(rename(logpath, moved), 0);
	assert_int_equal(rename(lfile, lmoved), 0);
	cfg.logfile = lfile;
	run_life(&f, &cfg, s, 1, 300, NULL);
	assert_int_equal(write(STDERR_FILENO, "after\n", 6), 6);
	dup2(out, STDOUT_FILENO);
	dup2(errfd, STDERR_FILENO);
	close(out);
	close(errfd);
	assert_true(f.timed_out);
	assert_int_equal(count_in_log("SIGUSR1: log files reopened"), 1);
	slurp(moved, buf, sizeof(buf));
	assert_null(strstr(buf, "SIGUSR1"));
	slurp(lfile, buf, sizeof(buf));
	assert_string_equal(buf, "after\n");
	unlink(moved);
	unlink(lmoved);

	/* a -L file that cannot be reopened: said in the log */
	cfg.logfile = "/no/such/dir/L.log";
	run_life(&f, &cfg, s, 1, 300, NULL);
	assert_int_equal(count_in_log("cannot reopen /no/such/dir/L.log"), 1);
}

/* ---------------------------------------------------------------- sdnotify */

static int notify_fd = -1;
static char notify_path[160];

static void notify_bind(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	path_in_tmp(notify_path, sizeof(notify_path), "notify.sock");
	unlink(notify_path);
	assert_true(strlen(notify_path) < sizeof(sun.sun_path));
	memcpy(sun.sun_path, notify_path, strlen(notify_path) + 1);
	notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_true(notify_fd >= 0);
	assert_int_equal(bind(notify_fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	setenv("NOTIFY_SOCKET", notify_path, 1);
}

static void notify_close(void)
{
	close(notify_fd);
	notify_fd = -1;
	unlink(notify_path);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
}

/* Every datagram received so far, each followed by "|". */
static void notify_read(char *buf, size_t size)
{
	size_t used = 0;
	ssize_t n;

	buf[0] = '\0';
	while (used + 2 < size && (n = recv(notify_fd, buf + used, size - used - 2, 0)) > 0) {
		used += (size_t)n;
		buf[used++] = '|';
		buf[used] = '\0';
	}
}

static void loop_for(struct event_base *base, unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

static void test_sdnotify(void **state)
{
	struct fake f = { .active = 7 };
	struct sdnotify_ops ops = { .arg = &f, .ready = f_ready, .status = f_status };
	struct event_base *base = event_base_new();
	struct sdnotify *n;
	char buf[8192];

	(void)state;
	notify_bind();
	setenv("WATCHDOG_USEC", "100000", 1);
	unsetenv("WATCHDOG_PID");
	n = sdnotify_new(base, &ops);
	assert_non_null(n);
	assert_true(sdnotify_enabled(n));
	assert_int_equal(sdnotify_watchdog_interval_us(n), 50000);
	loop_for(base, 180);
	notify_read(buf, sizeof(buf));
	/* not ready yet: pings and what it waits for, no READY */
	assert_non_null(strstr(buf, "WATCHDOG=1|WATCHDOG=1|"));
	assert_non_null(strstr(buf, "|STATUS=7 active|"));
	assert_null(strstr(buf, "READY=1"));
	assert_null(strstr(buf, "second line"));
	assert_false(sdnotify_ready_sent(n));

	f.ready = true;
	f.active = 2;
	loop_for(base, 180);
	notify_read(buf, sizeof(buf));
	assert_non_null(strstr(buf, "READY=1\nSTATUS=2 active|"));
	assert_true(sdnotify_ready_sent(n));
	loop_for(base, 150);
	notify_read(buf, sizeof(buf));
	assert_null(strstr(buf, "READY=1"));	/* once */

	sdnotify_status(n);
	sdnotify_stopping(n, 45000000);
	sdnotify_stopping(n, 1);		/* once */
	notify_read(buf, sizeof(buf));
	assert_string_equal(buf, "STATUS=2 active|STOPPING=1\nEXTEND_TIMEOUT_USEC=45000000\nSTATUS=2 active|");
	loop_for(base, 120);
	notify_read(buf, sizeof(buf));
	assert_non_null(strstr(buf, "WATCHDOG=1|"));	/* pings go on while stopping */
	sdnotify_free(n);
	sdnotify_free(NULL);
	event_base_free(base);
	notify_close();
}

/* Ready at once without a ready hook (sent from the loop, not from
 * sdnotify_new); no watchdog without WATCHDOG_USEC; no status hook, no
 * STATUS=; stopping without extension. */
static void test_sdnotify_minimal(void **state)
{
	struct sdnotify_ops ops = { 0 };
	struct event_base *base = event_base_new();
	struct sdnotify *n;
	char buf[1024];

	(void)state;
	notify_bind();
	n = sdnotify_new(base, &ops);
	assert_non_null(n);
	assert_int_equal(sdnotify_watchdog_interval_us(n), 0);
	notify_read(buf, sizeof(buf));
	assert_string_equal(buf, "");
	loop_for(base, 20);
	notify_read(buf, sizeof(buf));
	assert_string_equal(buf, "READY=1|");
	sdnotify_status(n);
	sdnotify_stopping(n, 0);
	notify_read(buf, sizeof(buf));
	assert_string_equal(buf, "STOPPING=1|");
	sdnotify_free(n);
	event_base_free(base);
	notify_close();
}

/* Not under systemd: nothing armed, nothing sent, no error. */
static void test_sdnotify_disabled(void **state)
{
	struct fake f = { 0 };
	struct sdnotify_ops ops = { .arg = &f, .ready = f_ready, .status = f_status };
	struct event_base *base = event_base_new();
	struct sdnotify *n;

	(void)state;
	unsetenv("NOTIFY_SOCKET");
	setenv("WATCHDOG_USEC", "100000", 1);
	n = sdnotify_new(base, &ops);
	assert_non_null(n);
	assert_false(sdnotify_enabled(n));
	assert_int_equal(sdnotify_watchdog_interval_us(n), 0);
	sdnotify_status(n);
	sdnotify_stopping(n, 1000);
	loop_for(base, 20);
	assert_int_equal(f.statuses, 0);
	assert_false(sdnotify_ready_sent(n));
	sdnotify_free(n);
	event_base_free(base);
	unsetenv("WATCHDOG_USEC");
}

/* systemd gone (the socket does not exist): logged, the daemon goes on. */
static void test_sdnotify_unreachable(void **state)
{
	struct sdnotify_ops ops = { 0 };
	struct event_base *base = event_base_new();
	struct sdnotify *n;
	char path[160];

	(void)state;
	path_in_tmp(path, sizeof(path), "nobody.sock");
	setenv("NOTIFY_SOCKET", path, 1);
	n = sdnotify_new(base, &ops);
	assert_non_null(n);
	loop_for(base, 20);
	assert_true(sdnotify_ready_sent(n));
	assert_true(count_in_log("sd_notify: ") >= 1);
	sdnotify_free(n);
	event_base_free(base);
	unsetenv("NOTIFY_SOCKET");
}

/* SIGTERM under systemd: STOPPING=1 asks for the drain and end time. */
static void test_life_notifies(void **state)
{
	struct fake f = { .active = 1, .ready = true };
	struct daemon_life_config cfg = { .drain_ms = 100, .end_ms = 200, .foreground = true };
	struct step s[] = { { .at_ms = 30, .sig = SIGTERM, .set_ending = -1 } };
	char buf[8192];

	(void)state;
	notify_bind();
	assert_true(run_life(&f, &cfg, s, 1, 3000, NULL));
	notify_read(buf, sizeof(buf));
	assert_non_null(strstr(buf, "READY=1\nSTATUS=1 active|"));
	assert_non_null(strstr(buf, "STOPPING=1\nEXTEND_TIMEOUT_USEC=5300000\nSTATUS=1 active|"));
	notify_close();
}

static int reset_log(void **state)
{
	(void)state;
	assert_int_equal(truncate(logpath, 0), 0);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_pidfile, reset_log),
		cmocka_unit_test_setup(test_reopen_stdio, reset_log),
		cmocka_unit_test_setup(test_sigterm_idle, reset_log),
		cmocka_unit_test_setup(test_sigterm_drain, reset_log),
		cmocka_unit_test_setup(test_sigterm_end_bound, reset_log),
		cmocka_unit_test_setup(test_sigterm_only_ending, reset_log),
		cmocka_unit_test_setup(test_second_sigterm_and_sigint, reset_log),
		cmocka_unit_test_setup(test_sighup, reset_log),
		cmocka_unit_test_setup(test_sigusr1, reset_log),
		cmocka_unit_test_setup(test_sdnotify, reset_log),
		cmocka_unit_test_setup(test_sdnotify_minimal, reset_log),
		cmocka_unit_test_setup(test_sdnotify_disabled, reset_log),
		cmocka_unit_test_setup(test_sdnotify_unreachable, reset_log),
		cmocka_unit_test_setup(test_life_notifies, reset_log),
	};
	char cmd[96];
	int fd, rc;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_daemon.XXXXXX");
	if (!mkdtemp(tmpdir))
		return 1;
	path_in_tmp(logpath, sizeof(logpath), "test.log");
	fd = open(logpath, O_WRONLY | O_CREAT, 0644);
	if (fd < 0)
		return 1;
	close(fd);
	setenv("SIPLOG_BEND", "file", 1);
	setenv("SIPLOG_LOGFILE_FILE", logpath, 1);
	setenv("SIPLOG_LVL", "DBUG", 1);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	if (log_init("test") < 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	log_close();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		rc = rc ? rc : 1;
	return rc;
}
