/*
 * ctlclient - talks to ccd's control socket for the end-to-end tests (what
 * `nc -U` would do, without needing netcat).
 *
 *   ctlclient [-w MS] SPEC [COMMAND...]
 *	Connects to SPEC (unix:PATH, a bare PATH, or tcp:ADDR:PORT with a
 *	numeric address), sends each COMMAND as one line (no COMMAND: stdin
 *	as it is), shuts down its sending side, and copies everything ccd
 *	answers to stdout until ccd closes the connection, which it does once
 *	it has answered every line. Waits at most MS milliseconds (default
 *	5000) for that.
 *	Exit status: 0 ccd closed the connection, 1 timeout, 2 usage or
 *	system error (connection refused included).
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int connect_spec(const char *spec)
{
	int fd;

	if (strncmp(spec, "tcp:", 4) == 0) {
		char host[256];
		const char *colon = strrchr(spec + 4, ':');
		struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST };
		struct addrinfo *res;

		if (!colon || (size_t)(colon - spec - 4) >= sizeof(host)) {
			fprintf(stderr, "ctlclient: tcp:ADDR:PORT expected\n");
			return -1;
		}
		memcpy(host, spec + 4, (size_t)(colon - spec - 4));
		host[colon - spec - 4] = '\0';
		if (getaddrinfo(host, colon + 1, &hints, &res) != 0) {
			fprintf(stderr, "ctlclient: bad address %s\n", spec);
			return -1;
		}
		fd = socket(res->ai_family, SOCK_STREAM, 0);
		if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) < 0) {
			close(fd);
			fd = -1;
		}
		freeaddrinfo(res);
	} else {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		const char *path = strncmp(spec, "unix:", 5) == 0 ? spec + 5 : spec;

		if (strlen(path) >= sizeof(sa.sun_path)) {
			fprintf(stderr, "ctlclient: path too long\n");
			return -1;
		}
		strcpy(sa.sun_path, path);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0)
		fprintf(stderr, "ctlclient: cannot connect to %s: %s\n", spec, strerror(errno));
	return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int timeout_ms = 5000, opt, fd;
	char buf[65536];
	int64_t deadline;

	while ((opt = getopt(argc, argv, "w:")) != -1) {
		if (opt != 'w') {
			fprintf(stderr, "usage: ctlclient [-w MS] SPEC [COMMAND...]\n");
			return 2;
		}
		timeout_ms = atoi(optarg);
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: ctlclient [-w MS] SPEC [COMMAND...]\n");
		return 2;
	}
	fd = connect_spec(argv[optind]);
	if (fd < 0)
		return 2;
	/* ccd closes the connection on `q`: lines after it may find the socket
	 * closed (EPIPE). That ends the sending, not the test: what ccd
	 * answered before closing is still read below. */
	signal(SIGPIPE, SIG_IGN);
	if (optind + 1 < argc) {
		for (int i = optind + 1; i < argc; i++)
			if (write_all(fd, argv[i], strlen(argv[i])) < 0 || write_all(fd, "\n", 1) < 0) {
				if (errno != EPIPE && errno != ECONNRESET)
					return 2;
				break;
			}
	} else {
		ssize_t n;

		while ((n = read(0, buf, sizeof(buf))) > 0)
			if (write_all(fd, buf, (size_t)n) < 0) {
				if (errno != EPIPE && errno != ECONNRESET)
					return 2;
				break;
			}
	}
	shutdown(fd, SHUT_WR);
	deadline = now_ms() + timeout_ms;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - now_ms();
		ssize_t n;

		if (left <= 0) {
			fprintf(stderr, "ctlclient: no end of the answer within %d ms\n", timeout_ms);
			return 1;
		}
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (write_all(1, buf, (size_t)n) < 0)
			return 2;
	}
	close(fd);
	return 0;
}
