/*
 * netaddr.h - numeric socket addresses: parse "host", "host:port",
 * "[v6]:port" and format them back, for command lines, routes and logs.
 * Only numeric hosts: name resolution happens elsewhere (asynchronously in
 * the daemons, blocking only at start-up for static configuration).
 */
#ifndef TANDEM_NETADDR_H
#define TANDEM_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "pl.h"

struct netaddr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* A numeric IPv4 or IPv6 address (brackets allowed around IPv6). */
bool netaddr_from_host(struct netaddr *a, struct pl host, uint16_t port);

/* "host[:port]" with IPv6 in brackets; a missing port gives default_port. */
bool netaddr_from_hostport(struct netaddr *a, struct pl hostport, uint16_t default_port);

/* Splits "host[:port]" without resolving: host keeps its IPv6 brackets. */
bool netaddr_split_hostport(struct pl hostport, struct pl *host, uint16_t *port);

uint16_t netaddr_port(const struct netaddr *a);
void netaddr_set_port(struct netaddr *a, uint16_t port);
int netaddr_family(const struct netaddr *a);
bool netaddr_eq(const struct netaddr *a, const struct netaddr *b);

/* "1.2.3.4:5060" or "[::1]:5060"; returns buf. */
#define NETADDR_STRLEN 64
const char *netaddr_str(const struct netaddr *a, char *buf, size_t bufsz);
/* Host only, without brackets; returns buf. */
const char *netaddr_host_str(const struct netaddr *a, char *buf, size_t bufsz);

#endif
