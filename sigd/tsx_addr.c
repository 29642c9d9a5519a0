/*
 * tsx_addr.c - the compact peer address of transactions and legs (tsx.h):
 * a struct netaddr is a sockaddr_storage, 128 bytes of which a UDP peer
 * uses 8 or 20.
 */
#include "tsx.h"

#include <netinet/in.h>
#include <string.h>

void peer_addr_set(struct peer_addr *a, const struct netaddr *n)
{
	memset(a, 0, sizeof(*a));
	if (netaddr_family(n) == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&n->ss;

		a->family = AF_INET;
		memcpy(a->addr, &in->sin_addr, 4);
	} else if (netaddr_family(n) == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&n->ss;

		a->family = AF_INET6;
		memcpy(a->addr, &in6->sin6_addr, 16);
		a->scope_id = in6->sin6_scope_id;
	} else {
		return;
	}
	a->port = netaddr_port(n);
}

bool peer_addr_get(const struct peer_addr *a, struct netaddr *n)
{
	memset(n, 0, sizeof(*n));
	if (a->family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&n->ss;

		in->sin_family = AF_INET;
		memcpy(&in->sin_addr, a->addr, 4);
		in->sin_port = htons(a->port);
		n->len = sizeof(*in);
		return true;
	}
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&n->ss;

		in6->sin6_family = AF_INET6;
		memcpy(&in6->sin6_addr, a->addr, 16);
		in6->sin6_port = htons(a->port);
		in6->sin6_scope_id = a->scope_id;
		n->len = sizeof(*in6);
		return true;
	}
	return false;
}
