/*
 * sip_host.h - host, IPv4address, IPv6reference and port (RFC 3261 §25.1,
 * IPv6 syntax as corrected by RFC 5954, references as in RFC 5118).
 *
 * URIs, Via sent-by and the maddr/received parameters all carry a host;
 * they share these validators so that one rule decides what a host is.
 */
#ifndef TANDEM_SIP_HOST_H
#define TANDEM_SIP_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pl.h"

enum sip_host_type {
	SIP_HOST_NAME,  /* hostname: *(domainlabel ".") toplabel ["."] */
	SIP_HOST_IPV4,  /* dotted quad, each part 1*3DIGIT and at most 255 */
	SIP_HOST_IPV6,  /* IPv6reference: "[" IPv6address "]" */
};

/* IPv4address; every part at most 255. */
bool sip_ipv4_valid(struct pl s);
/* IPv6address without brackets (h16 groups, one "::", IPv4 tail). */
bool sip_ipv6_valid(struct pl s);
/* hostname per the ABNF: labels of alphanum and "-", toplabel starts with ALPHA. */
bool sip_hostname_valid(struct pl s);

/* A whole host slice (IPv6 only in brackets); *type says which kind. */
bool sip_host_valid(struct pl s, enum sip_host_type *type);

/*
 * The host at the start of s: a bracketed IPv6 reference or the longest run
 * of hostname characters, validated. Returns its length (the slice to keep,
 * brackets included) or 0 if s does not start with a valid host.
 */
size_t sip_host_scan(struct pl s, enum sip_host_type *type);

/* port = 1*DIGIT, leading zeros allowed, value 1..65535. */
bool sip_port_parse(struct pl s, uint16_t *port);

#endif
