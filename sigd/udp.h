/*
 * udp.h - sigd's UDP listening sockets (IPv4 and IPv6).
 */
#ifndef TANDEM_SIGD_UDP_H
#define TANDEM_SIGD_UDP_H

#include <stddef.h>
#include <stdint.h>

#define SIGD_UDP_MAX_SOCKETS 2

struct sigd_transport;

struct sigd_udp {
	int fd[SIGD_UDP_MAX_SOCKETS];
	int nfd;
	/* The transport's state (transport.c): receive buffers, the socket
	 * addresses, the local address cache. */
	struct sigd_transport *tp;
};

/*
 * Binds addr:port, or when addr is NULL the IPv4 and IPv6 wildcards (the
 * IPv6 one with IPV6_V6ONLY so both can share the port; a host without
 * IPv6 keeps IPv4 only). Fails with a one-line reason.
 */
int sigd_udp_open(struct sigd_udp *u, const char *addr, uint16_t port, char *err, size_t errsz);
void sigd_udp_close(struct sigd_udp *u);

#endif
