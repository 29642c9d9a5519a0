/*
 * test_media_harness.h - a real rtpengine for the media unit tests
 * (test_rtpp*.c, test_ng*.c, test_media*.c; include after <cmocka.h>).
 *
 * mh_netns() moves the test process into a private network namespace
 * (as root: unshare(CLONE_NEWNET); otherwise a user namespace too) with
 * the loopback up, so the fixed ports below are the test's own. Call it
 * first thing in main(), while the process has one thread.
 *
 * mh_rtpengine_start() runs Debian's rtpengine in userspace (--table=-1,
 * --config-file=none) on 127.0.0.1: ng on MH_NG_PORT, the rtpproxy
 * protocol on MH_RTPP_PORT, media ports 30000-30999, deletions at once;
 * it waits until the daemon answers a ping. Tests that need it skip when
 * rtpengine is not installed or no namespace could be made.
 */
#ifndef TANDEM_TEST_MEDIA_HARNESS_H
#define TANDEM_TEST_MEDIA_HARNESS_H

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#define MH_NG_PORT	2223
#define MH_RTPP_PORT	7722
#define MH_RTPENGINE	"/usr/bin/rtpengine"

static bool mh_in_netns;
static pid_t mh_rtpengine_pid;
static char mh_rtpengine_log[128];

static inline bool mh_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok;
}

static inline bool mh_lo_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	bool ok;

	if (fd < 0)
		return false;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	ok = ioctl(fd, SIOCGIFFLAGS, &ifr) == 0;
	ifr.ifr_flags |= IFF_UP;
	ok = ok && ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
	close(fd);
	return ok;
}

/* A private network namespace (see above); false when none can be made. */
static inline bool mh_netns(void)
{
	if (unshare(CLONE_NEWNET) < 0) {
		uid_t uid = getuid();
		gid_t gid = getgid();
		char map[64];

		if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
			return false;
		mh_write_file("/proc/self/setgroups", "deny");
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
		mh_write_file("/proc/self/uid_map", map);
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
		mh_write_file("/proc/self/gid_map", map);
	}
	mh_in_netns = mh_lo_up();
	return mh_in_netns;
}

static inline int64_t mh_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A blocking ng request over UDP ("<cookie> <dict>"); the reply without
 * its cookie into buf. Returns the length or -1. */
static inline int mh_ng_raw(const char *dict, size_t dlen, char *buf, size_t cap, int timeout_ms)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(MH_NG_PORT) };
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	static unsigned seq;
	char msg[8192], cookie[32];
	int fd, cl;
	ssize_t n;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cl = snprintf(cookie, sizeof(cookie), "mh%u_%u ", (unsigned)getpid(), ++seq);
	if (dlen + (size_t)cl > sizeof(msg))
		return -1;
	memcpy(msg, cookie, (size_t)cl);
	memcpy(msg + cl, dict, dlen);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (sendto(fd, msg, dlen + (size_t)cl, 0, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	n = recv(fd, buf, cap, 0);
	close(fd);
	if (n < cl || memcmp(buf, cookie, (size_t)cl) != 0)
		return -1;
	memmove(buf, buf + cl, (size_t)n - (size_t)cl);
	return (int)(n - cl);
}

static inline bool mh_rtpengine_ping(int timeout_ms)
{
	char buf[256];
	int n = mh_ng_raw("d7:command4:pinge", 17, buf, sizeof(buf), timeout_ms);

	return n > 0 && memmem(buf, (size_t)n, "4:pong", 6) != NULL;
}

static inline void mh_rtpengine_stop(void)
{
	char pidfile[160];
	int st;

	if (mh_rtpengine_pid <= 0)
		return;
	/* Its log and pid file live in the test's namespace only. */
	snprintf(pidfile, sizeof(pidfile), "%.*s.pid", (int)strlen(mh_rtpengine_log) - 4, mh_rtpengine_log);
	unlink(pidfile);
	unlink(mh_rtpengine_log);
	kill(mh_rtpengine_pid, SIGTERM);
	for (int i = 0; i < 50; i++) {
		if (waitpid(mh_rtpengine_pid, &st, WNOHANG) == mh_rtpengine_pid) {
			mh_rtpengine_pid = 0;
			return;
		}
		usleep(100000);
	}
	kill(mh_rtpengine_pid, SIGKILL);
	waitpid(mh_rtpengine_pid, &st, 0);
	mh_rtpengine_pid = 0;
}

/* Starts rtpengine (see above); returns false when it cannot. */
static inline bool mh_rtpengine_start(const char *name)
{
	char ng[32], udp[32], pidfile[160];

	if (mh_rtpengine_pid > 0)
		return true;
	if (!mh_in_netns || access(MH_RTPENGINE, X_OK) != 0)
		return false;
	snprintf(ng, sizeof(ng), "--listen-ng=127.0.0.1:%d", MH_NG_PORT);
	snprintf(udp, sizeof(udp), "--listen-udp=127.0.0.1:%d", MH_RTPP_PORT);
	snprintf(mh_rtpengine_log, sizeof(mh_rtpengine_log), "/tmp/tandem-%s-rtpengine-%d.log", name,
		 (int)getpid());
	snprintf(pidfile, sizeof(pidfile), "--pidfile=%.*s.pid", (int)strlen(mh_rtpengine_log) - 4, mh_rtpengine_log);
	mh_rtpengine_pid = fork();
	if (mh_rtpengine_pid < 0)
		return false;
	if (mh_rtpengine_pid == 0) {
		int fd = open(mh_rtpengine_log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execl(MH_RTPENGINE, "rtpengine", "--config-file=none", "--table=-1", "--foreground",
		      "--log-stderr", "--log-level=6", "--interface=127.0.0.1", ng, udp, "--port-min=30000",
		      "--port-max=30999", "--delete-delay=0", pidfile, (char *)NULL);
		_exit(127);
	}
	for (int64_t end = mh_now_ms() + 10000; mh_now_ms() < end;) {
		if (mh_rtpengine_ping(200))
			return true;
		if (waitpid(mh_rtpengine_pid, NULL, WNOHANG) == mh_rtpengine_pid) {
			mh_rtpengine_pid = 0;
			return false;
		}
	}
	mh_rtpengine_stop();
	return false;
}

#define MH_NEED_RTPENGINE(name)                                                        \
	do {                                                                           \
		if (!mh_rtpengine_start(name)) {                                      \
			print_message("rtpengine not available (no namespace or not " \
				      "installed): skipped\n");                       \
			skip();                                                        \
		}                                                                      \
	} while (0)

#endif
