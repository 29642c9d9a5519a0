/*
 * notifyrecv - plays systemd's side of sd_notify(3) for the end-to-end
 * tests: binds a unix datagram socket at PATH (the daemon under test gets
 * NOTIFY_SOCKET=PATH) and prints every assignment it receives as one line,
 * "<ms since start> <pid> <ASSIGNMENT>", e.g. "1532 4242 READY=1". The
 * sender's pid comes from its credentials (SO_PASSCRED), as systemd checks
 * them; "?" when absent.
 *
 *   notifyrecv PATH
 *	Runs until killed; removes PATH first if it exists. stdout is
 *	flushed after every datagram.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/un.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	long long start = now_ms();
	int fd, one = 1;

	if (argc != 2 || strlen(argv[1]) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "usage: notifyrecv PATH (shorter than %zu bytes)\n", sizeof(sun.sun_path));
		return 2;
	}
	strcpy(sun.sun_path, argv[1]);
	unlink(argv[1]);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "notifyrecv: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	for (;;) {
		char buf[4097], pid[24] = "?";
		union {
			struct cmsghdr h;
			char b[CMSG_SPACE(sizeof(struct ucred))];
		} ctl;
		struct iovec iov = { buf, sizeof(buf) - 1 };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &ctl,
				     .msg_controllen = sizeof(ctl) };
		ssize_t n = recvmsg(fd, &mh, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "notifyrecv: recvmsg: %s\n", strerror(errno));
			return 1;
		}
		buf[n] = '\0';
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
				struct ucred uc;

				memcpy(&uc, CMSG_DATA(c), sizeof(uc));
				snprintf(pid, sizeof(pid), "%ld", (long)uc.pid);
			}
		/* One datagram may carry several newline-separated assignments. */
		for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
			printf("%lld %s %s\n", now_ms() - start, pid, line);
		fflush(stdout);
	}
}
