/*
 * dialog.h - RFC 3261 §12 dialog state and the requests sent inside one.
 *
 * A dialog here is a set of slices: the leg that owns it stores the bytes
 * (leg.h) and this file only reads and writes messages with them, so it is
 * pure and testable on its own. It knows:
 *   - how a UAS derives the dialog from an INVITE and a UAC from a
 *     response (§12.1.1, §12.1.2): tags, URIs, remote target from Contact,
 *     route set from Record-Route (as received for the UAS, reversed for
 *     the UAC);
 *   - the CSeq rules (§12.2.1.1 local increments, §12.2.2 a remote CSeq
 *     lower than or equal to the last one is answered 500);
 *   - how an in-dialog request is built (§12.2.1.1): Request-URI and Route
 *     headers for loose and strict routing, and where it goes (the first
 *     route, else the remote target).
 * `;transport=UDP` in any letter case is just a parameter to it.
 */
#ifndef TANDEM_SIGD_DIALOG_H
#define TANDEM_SIGD_DIALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"
#include "pl.h"
#include "sip_msg.h"

struct sip_writer;

/* Route set entries a dialog keeps; a longer Record-Route is refused. */
#define DIALOG_MAX_ROUTES 16
/* Bytes of route set text (entries joined by '\n'). */
#define DIALOG_ROUTES_MAX 2048

/*
 * A dialog's strings, as slices: whoever keeps the dialog owns the bytes
 * (a leg keeps them compactly and lends this view: leg_dialog()).
 */
struct dialog {
	struct pl call_id;
	struct pl local_tag;
	struct pl remote_tag;	/* empty until known (UAC before a tagged answer) */
	struct pl local_uri;	/* our From (UAC) / the INVITE's To (UAS) */
	struct pl remote_uri;
	struct pl remote_target; /* Contact URI, updated by target refreshes */
	struct pl route_set;	/* Route values in sending order, '\n'-joined */
};

/* A dialog's sequence numbers (kept apart: they change, the view does not). */
struct dialog_cseq {
	uint32_t local;		/* last CSeq we used */
	uint32_t remote;	/* last CSeq the peer used */
	bool remote_set;
};

/* The URI of the first Contact of m (slice of m), or false if none parses. */
bool dialog_contact_uri(const struct sip_msg *m, struct pl *uri);

/*
 * The route set of m's Record-Route headers, each value as written,
 * joined by '\n' into buf: in message order (reverse = false, UAS) or
 * reversed (UAC). Returns the length (0: none), or -1 when there are more
 * than DIALOG_MAX_ROUTES entries, one does not parse, or cap is too small.
 */
int dialog_route_set(const struct sip_msg *m, bool reverse, char *buf, size_t cap);

/* Next entry of a '\n'-joined route set: true with *entry, advancing *rest. */
bool dialog_route_next(struct pl *rest, struct pl *entry);

/*
 * UAS side (§12.1.1): fills d and cs from a dialog-creating INVITE; the
 * slices point into req, except local_tag (ours) and route_set (routes,
 * from dialog_route_set()). remote_target is the Contact URI (empty if
 * none).
 */
void dialog_from_invite(struct dialog *d, struct dialog_cseq *cs, const struct sip_msg *req,
			struct pl local_tag, struct pl routes, uint32_t local_cseq);

/*
 * The next local CSeq (§12.2.1.1: incremented by one per request other
 * than ACK and CANCEL), wrapping below 2^31 as CSeq must stay.
 */
uint32_t dialog_next_cseq(struct dialog_cseq *cs);

/*
 * §12.2.2: a request's CSeq against the remote sequence. True (and the
 * sequence advances) when it is higher, or when none is known yet; false
 * means "500 Server Internal Error".
 */
bool dialog_remote_cseq_ok(struct dialog_cseq *cs, uint32_t cseq);

/* True when m's tags fit a dialog whose remote tag is remote_tag (as
 * known so far: empty matches any). */
bool dialog_matches_remote(struct pl remote_tag, const struct sip_msg *m);

/* What dialog_write_request() needs beyond the dialog. */
struct dialog_req {
	struct pl method;
	uint32_t cseq;
	struct pl branch;	/* z9hG4bK... */
	struct pl local_host;	/* for Via and Contact */
	uint16_t local_port;
	bool contact;		/* add our Contact (INVITE, re-INVITE, REFER) */
	unsigned max_forwards;	/* 0 = 70 */
};

/*
 * Writes the request line and headers of an in-dialog request (§12.2.1.1):
 * with a loose first route (;lr) the Request-URI is the remote target and
 * every route becomes a Route header; with a strict one the Request-URI is
 * the first route's URI (parameters not allowed there removed) and the
 * remote target is appended as the last Route. Then Via (rport),
 * Max-Forwards, From, To, Call-ID, CSeq and the optional Contact. The
 * caller adds its headers and finishes the message.
 */
void dialog_write_request(const struct dialog *d, struct sip_writer *w, const struct dialog_req *r);

/* Contact value of ours: <sip:host:port> (IPv6 bracketed). */
void dialog_write_contact(struct sip_writer *w, struct pl host, uint16_t port);

/*
 * Where an in-dialog request goes: the host and port of the first route,
 * else of the remote target (maddr is not followed; the port defaults to
 * 5060). Only numeric hosts resolve (no DNS in the event loop): returns
 * false for a host name, a missing target or an unparsable URI.
 */
bool dialog_next_hop(const struct dialog *d, struct netaddr *dst);

/* The host and port of a SIP URI text as an address (numeric hosts only). */
bool dialog_uri_addr(struct pl uri_text, struct netaddr *dst);

#endif
