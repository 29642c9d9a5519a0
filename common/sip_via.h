/*
 * sip_via.h - one Via value (RFC 3261 §20.42, §18.2.1; rport of RFC 3581;
 * IPv6 received values as discussed in RFC 5118 §4.5).
 *
 *   via-parm = sent-protocol LWS sent-by *( SEMI via-params )
 *   sent-protocol = protocol-name SLASH protocol-version SLASH transport
 *   sent-by = host [ COLON port ]
 *
 * SWS is allowed around '/', ':', ';' and '=', so "SIP / 2.0 / UDP h ;
 * branch = z9hG4bK1" is as valid as the usual compact form.
 */
#ifndef TANDEM_SIP_VIA_H
#define TANDEM_SIP_VIA_H

#include <stdbool.h>
#include <stdint.h>

#include "pl.h"
#include "sip_host.h"

struct sip_via {
	struct pl proto_name;     /* "SIP" (compare case-insensitively) */
	struct pl proto_version;  /* "2.0" */
	struct pl transport;      /* "UDP", "TCP", "TLS", "SCTP", "WS"... as written */
	struct pl host;           /* sent-by host, IPv6 keeps its brackets */
	enum sip_host_type host_type;
	bool host_ipv6;           /* host is an IPv6 reference */
	uint16_t port;            /* sent-by port, 0 when absent */
	struct pl params;         /* from the first ';' on, empty when none */
	struct pl branch;         /* token; unset when absent */
	struct pl received;       /* IPv4 or IPv6 address (brackets tolerated);
	                             unset when absent */
	struct pl maddr;          /* host; unset when absent */
	bool rport;               /* rport parameter present (RFC 3581) */
	bool rport_has_value;     /* ... with "=port" (a response's rport) */
	uint16_t rport_value;     /* that port, 0 when none */
	bool has_ttl;             /* ttl parameter present */
	uint8_t ttl;              /* its value, 0..255 */
};

/*
 * Parse one Via value (one element of a comma-split Via header).
 * Returns 0, or -1 if the sent-protocol, sent-by or a parameter (generic
 * syntax, or branch/received/rport/maddr/ttl value) is malformed.
 */
int sip_via_parse(struct pl value, struct sip_via *v);

/*
 * The branch starts with the RFC 3261 magic cookie "z9hG4bK" (§8.1.1.7):
 * the sender follows RFC 3261 branch uniqueness, so the branch alone
 * identifies the transaction (§17.2.3). Otherwise RFC 2543 matching applies.
 */
bool sip_via_branch_is_rfc3261(const struct sip_via *v);

#endif
