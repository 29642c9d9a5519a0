/*
 * transport_via.c - where a response goes and how its top Via tells the
 * client what we saw (RFC 3261 §18.2.1, §18.2.2; RFC 3581 §4).
 *
 * Over UDP the response goes to the address the request came from, and
 * to the source port too when the client asked for it with rport (it is
 * behind a NAT that would drop a response to the sent-by port). The top
 * Via of the response records both facts, so every hop back can check.
 */
#include "transport.h"

#include <netinet/in.h>
#include <string.h>

#include "sip_param.h"
#include "sip_write.h"

#define SIP_UDP_PORT 5060

void transport_reply_dest(const struct sip_via *v, const struct netaddr *src, struct netaddr *dst)
{
	*dst = *src;
	if (!v->rport)
		netaddr_set_port(dst, v->port ? v->port : SIP_UDP_PORT);
}

/* Same IP address, ports aside. */
static bool same_host(const struct netaddr *a, const struct netaddr *b)
{
	if (netaddr_family(a) != netaddr_family(b))
		return false;
	if (netaddr_family(a) == AF_INET)
		return ((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)&b->ss)->sin_addr.s_addr;
	return memcmp(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr,
		      &((const struct sockaddr_in6 *)&b->ss)->sin6_addr, sizeof(struct in6_addr)) == 0;
}

/* §18.2.1: received when sent-by is not the source (a host name never
 * is); RFC 3581 §4: always when rport was asked. */
static bool needs_received(const struct sip_via *v, const struct netaddr *src)
{
	struct netaddr sent_by;

	if (v->rport)
		return true;
	return !netaddr_from_host(&sent_by, v->host, 0) || !same_host(&sent_by, src);
}

size_t transport_write_top_via(struct sip_writer *w, struct pl value, const struct sip_via *v,
			       const struct netaddr *src, size_t *branch_at)
{
	struct pl head = value, rest = PL_NULL;
	struct sip_param p;
	bool rport_done = false;
	size_t start;

	*branch_at = 0;
	/* v was parsed from value: its params slice lies inside it */
	if (v->params.l && v->params.p >= value.p && pl_end(v->params) <= pl_end(value)) {
		head = pl_rtrim(pl_until(value, v->params.p));
		rest = v->params;
	}
	sip_w_header_begin(w, PL("Via"));
	start = w->len;
	sip_w_pl(w, head);
	while (sip_param_next(&rest, &p) > 0) {
		if (pl_caseeq_str(p.name, "received"))
			continue;
		if (pl_caseeq_str(p.name, "rport")) {
			if (!rport_done) {
				sip_w_str(w, ";rport=");
				sip_w_u32(w, netaddr_port(src));
			}
			rport_done = true;
			continue;
		}
		sip_w_char(w, ';');
		sip_w_pl(w, p.name);
		if (!p.has_value)
			continue;
		sip_w_char(w, '=');
		if (!*branch_at && pl_caseeq_str(p.name, "branch"))
			*branch_at = w->len;
		sip_w_pl(w, p.value);
	}
	if (needs_received(v, src)) {
		char ip[NETADDR_STRLEN];

		sip_w_str(w, ";received=");
		sip_w_str(w, netaddr_host_str(src, ip, sizeof(ip)));
	}
	sip_w_header_end(w);
	return start;
}
