#include "netaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

bool netaddr_from_host(struct netaddr *a, struct pl host, uint16_t port)
{
	char buf[INET6_ADDRSTRLEN + 1];

	memset(a, 0, sizeof(*a));
	if (host.l >= 2 && host.p[0] == '[' && host.p[host.l - 1] == ']') {
		host.p++;
		host.l -= 2;
	}
	if (host.l == 0 || !pl_strcpy(host, buf, sizeof(buf)))
		return false;

	struct sockaddr_in *in4 = (struct sockaddr_in *)&a->ss;
	if (inet_pton(AF_INET, buf, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		a->len = sizeof(*in4);
		return true;
	}
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a->ss;
	if (inet_pton(AF_INET6, buf, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		a->len = sizeof(*in6);
		return true;
	}
	return false;
}

bool netaddr_split_hostport(struct pl hp, struct pl *host, uint16_t *port)
{
	const char *colon;
	uint32_t v;

	if (hp.l == 0)
		return false;
	if (hp.p[0] == '[') {
		const char *close = pl_chr(hp, ']');
		if (!close)
			return false;
		*host = pl_until(hp, close + 1);
		struct pl rest = pl_after(hp, close + 1);
		if (rest.l == 0)
			return true;
		if (rest.p[0] != ':')
			return false;
		colon = rest.p;
	} else {
		colon = pl_chr(hp, ':');
		/* A bare IPv6 address has more than one colon: no port. */
		if (colon && pl_chr(pl_after(hp, colon + 1), ':'))
			colon = NULL;
		*host = colon ? pl_until(hp, colon) : hp;
		if (!colon)
			return host->l > 0;
	}
	if (!pl_u32(pl_after(hp, colon + 1), 65535, &v) || v == 0)
		return false;
	*port = (uint16_t)v;
	return host->l > 0;
}

bool netaddr_from_hostport(struct netaddr *a, struct pl hp, uint16_t default_port)
{
	struct pl host;
	uint16_t port = default_port;

	return netaddr_split_hostport(hp, &host, &port) && netaddr_from_host(a, host, port);
}

uint16_t netaddr_port(const struct netaddr *a)
{
	if (a->ss.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
	if (a->ss.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
	return 0;
}

void netaddr_set_port(struct netaddr *a, uint16_t port)
{
	if (a->ss.ss_family == AF_INET)
		((struct sockaddr_in *)&a->ss)->sin_port = htons(port);
	else if (a->ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&a->ss)->sin6_port = htons(port);
}

int netaddr_family(const struct netaddr *a)
{
	return a->ss.ss_family;
}

bool netaddr_eq(const struct netaddr *a, const struct netaddr *b)
{
	if (a->ss.ss_family != b->ss.ss_family)
		return false;
	if (a->ss.ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)&a->ss, *y = (const void *)&b->ss;
		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)&a->ss, *y = (const void *)&b->ss;
		return x->sin6_port == y->sin6_port &&
		       memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
	}
	return false;
}

const char *netaddr_host_str(const struct netaddr *a, char *buf, size_t bufsz)
{
	const void *src = NULL;

	if (a->ss.ss_family == AF_INET)
		src = &((const struct sockaddr_in *)&a->ss)->sin_addr;
	else if (a->ss.ss_family == AF_INET6)
		src = &((const struct sockaddr_in6 *)&a->ss)->sin6_addr;
	if (!src || !inet_ntop(a->ss.ss_family, src, buf, (socklen_t)bufsz))
		snprintf(buf, bufsz, "?");
	return buf;
}

const char *netaddr_str(const struct netaddr *a, char *buf, size_t bufsz)
{
	char host[INET6_ADDRSTRLEN];

	netaddr_host_str(a, host, sizeof(host));
	if (a->ss.ss_family == AF_INET6)
		snprintf(buf, bufsz, "[%s]:%u", host, netaddr_port(a));
	else
		snprintf(buf, bufsz, "%s:%u", host, netaddr_port(a));
	return buf;
}
