#include "udp.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "netaddr.h"

/* Large socket buffers absorb bursts while the loop is busy; the kernel
 * caps them at net.core.rmem_max/wmem_max. */
#define SIGD_UDP_SOCKBUF (4 * 1024 * 1024)

static int open_one(const struct netaddr *a, char *err, size_t errsz)
{
	char name[NETADDR_STRLEN];
	int one = 1, bufsz = SIGD_UDP_SOCKBUF;
	int fd = socket(netaddr_family(a), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		snprintf(err, errsz, "socket: %s", strerror(errno));
		return -1;
	}
	if (netaddr_family(a) == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof(bufsz));
	/* No SO_REUSEADDR: two processes silently sharing a UDP port is the
	 * failure we want to refuse (see docs/ARCHITECTURE.md, testing). */
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0) {
		snprintf(err, errsz, "cannot listen on %s: %s", netaddr_str(a, name, sizeof(name)),
			 strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int sigd_udp_open(struct sigd_udp *u, const char *addr, uint16_t port, char *err, size_t errsz)
{
	struct netaddr a;

	u->nfd = 0;
	if (addr) {
		if (!netaddr_from_host(&a, pl_from_str(addr), port)) {
			snprintf(err, errsz, "invalid listen address '%s' (numeric IPv4 or IPv6 expected)", addr);
			return -1;
		}
		if ((u->fd[0] = open_one(&a, err, errsz)) < 0)
			return -1;
		u->nfd = 1;
		return 0;
	}
	netaddr_from_host(&a, PL("0.0.0.0"), port);
	if ((u->fd[0] = open_one(&a, err, errsz)) < 0)
		return -1;
	u->nfd = 1;
	netaddr_from_host(&a, PL("::"), port);
	char err6[128];
	int fd6 = open_one(&a, err6, sizeof(err6));
	if (fd6 >= 0)
		u->fd[u->nfd++] = fd6;
	return 0;
}

void sigd_udp_close(struct sigd_udp *u)
{
	for (int i = 0; i < u->nfd; i++)
		close(u->fd[i]);
	u->nfd = 0;
}
