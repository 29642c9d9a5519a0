#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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
