/*
 * route.h - Sippy's routing string, parsed into a typed route.
 *
 *   route    = [ [cld] "@" ] hostport *( ";" name [ "=" value ] )
 *   hostport = host [ ":" port ] | "[" ipv6 "]" [ ":" port ] | "sip-ua" | "wss-ua"
 *
 * The same string comes from `ccd -s` (a static route) and, later, from
 * RADIUS (`h323-ivr-in=Routing:<route>`, one per attempt). The parser is a
 * codec: it never allocates or logs; every text field is a slice of the
 * routing string, which must outlive the route. Values that Sippy
 * URL-unquotes (cnam, ash) stay quoted in the route and are decoded into a
 * caller's buffer by route_unquote() / route_extra_header() when used; the
 * parser has checked that they decode to something safe to send.
 *
 * Unlike Sippy (sippy-behaviour.md §10): a bare `forward_on_fail` is the
 * flag it obviously means instead of an error, `op=` takes a bracketed IPv6
 * address, and an error names the problem instead of raising.
 *
 * Name resolution is separate (route_resolve, blocking: start-up only).
 */
#ifndef TANDEM_ROUTE_H
#define TANDEM_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"
#include "pl.h"

#define ROUTE_DEFAULT_PORT 5060
#define ROUTE_SCODES_MAX   16	/* hs_scodes entries */
#define ROUTE_ASH_MAX      8	/* ash= headers */
#define ROUTE_OTHER_MAX    16	/* parameters kept but not interpreted */
#define ROUTE_VALUE_MAX    256	/* a decoded cnam or ash value */

enum route_dest {
	ROUTE_DEST_HOST,	/* host or address literal */
	ROUTE_DEST_SIP_UA,	/* "sip-ua": back to the INVITE's source */
	ROUTE_DEST_WSS_UA,	/* "wss-ua": over the WSS connection of the R-URI */
};

enum route_auth {
	ROUTE_AUTH_PASS_THROUGH,	/* no auth=: relay the caller's credentials */
	ROUTE_AUTH_NOPASS,		/* auth=nopass: no credentials at all */
	ROUTE_AUTH_CREDENTIALS,		/* auth=user:pass: answer 401/407 with these */
};

/* A time limit in seconds (credit-time, expires, np_expires, nr_expires).
 * set: the route gave it; secs < 0 means unlimited (stored as -1); 0 means
 * "skip this route" (Sippy's semantics, applied by the caller). */
struct route_limit {
	bool set;
	int32_t secs;
};

struct route_param {
	struct pl name;
	struct pl value;	/* unset (p == NULL) for a bare name */
};

struct route {
	/* "cld@host": the egress called number; cld_set with an empty cld
	 * ("@host") means no user part; !cld_set: the call's own CLD. */
	bool cld_set;
	struct pl cld;
	enum route_dest dest;
	struct pl host;		/* without brackets ("sip-ua" for sip-ua) */
	bool ipv6_literal;	/* the host was written in brackets */
	uint16_t port;		/* ROUTE_DEFAULT_PORT when absent */
	bool port_set;

	struct route_limit credit_time, expires, np_expires, nr_expires;
	uint16_t hs_scodes[ROUTE_SCODES_MAX];	/* hunt-stop SIP codes */
	size_t n_hs_scodes;
	enum route_auth auth;
	struct pl auth_user, auth_pass;
	bool cli_set;		/* cli=: egress calling number (empty: none) */
	struct pl cli;
	bool cnam_set;		/* cnam=: egress display name, URL-quoted */
	struct pl cnam;
	struct pl ash[ROUTE_ASH_MAX];	/* URL-quoted "Name:Value" */
	size_t n_ash;
	int rtpp;		/* -1 unset, 0 no RTP proxy, 1 RTP proxy */
	bool op_set;		/* op=: outbound proxy */
	struct pl op_host;	/* without brackets */
	uint16_t op_port;
	bool po_proc_set;	/* po_proc=Name[argument] */
	struct pl po_proc_name, po_proc_arg;
	bool gt_set;		/* gt=timeout,skip: group timeout */
	uint32_t gt_timeout, gt_skip;
	bool forward_on_fail;
	struct pl bill_to, bill_cli, bill_cld;	/* unset when absent */
	struct route_param other[ROUTE_OTHER_MAX];
	size_t n_other;

	/* Filled by route_resolve(), not by the parser. */
	bool resolved;
	struct netaddr addr;		/* the host's address and port */
	struct netaddr op_addr;		/* the outbound proxy's, if op_set */
};

/* Printable ASCII; may quote (sanitised) bytes of the routing string. */
struct route_error {
	char reason[160];
};

/* Parses a routing string. Returns 0, or -1 with err->reason naming the
 * problem (err may be NULL). r is fully overwritten. */
int route_parse(struct route *r, struct pl s, struct route_error *err);

/*
 * Decodes %XX escapes (as Python's urllib unquote: a malformed escape is
 * kept literally, '+' stays '+') into out, NUL-terminated. Returns the
 * decoded length, or -1 if it does not fit.
 */
int route_unquote(struct pl in, char *out, size_t outsz);

/*
 * The i-th ash= header, decoded into buf: name and value slices of buf
 * (value trimmed). Returns 0, or -1 when i is out of range or buf too small.
 */
int route_extra_header(const struct route *r, size_t i, char *buf, size_t bufsz, struct pl *name,
		       struct pl *value);

/* Whether u may stand as the user part of a SIP URI as it is (RFC 3261
 * unreserved, escaped and user-unreserved characters): cld and cli are
 * written into Request-URI, From and To without further escaping. */
bool route_valid_user(struct pl u);

/*
 * Resolves the host (and the outbound proxy) to numeric addresses with
 * getaddrinfo: blocking, for start-up. sip-ua needs nothing; wss-ua is
 * refused (no WSS transport yet). Returns 0, or -1 with a one-line reason.
 */
int route_resolve(struct route *r, char *err, size_t errsz);

#endif
