/*
 * ng.h - rtpengine's ng control protocol (docs/ng_control_protocol.md):
 * each request is a bencoded dictionary after a cookie, over UDP (the
 * cookie and retransmissions are rtpp.c's). This file builds the four
 * commands ccd uses and reads their replies; it has no state and does no
 * I/O.
 *
 *   ping                                     -> result "pong"
 *   offer  call-id from-tag [to-tag] sdp     -> result "ok", sdp
 *   answer call-id from-tag to-tag sdp       -> result "ok", sdp
 *   delete call-id from-tag [to-tag]         -> result "ok" (a warning when
 *                                               the call is already gone)
 *
 * from-tag is always the offerer's tag (the side whose SDP an offer
 * carries), to-tag the answerer's: rtpengine keeps one "monologue" per
 * tag. rtpengine rewrites the SDP itself; ccd asks it to replace the
 * origin and session-level connection too, so no address of the far end
 * is left in it.
 */
#ifndef TANDEM_CCD_NG_H
#define TANDEM_CCD_NG_H

#include <stdbool.h>
#include <stddef.h>

#include "pl.h"

enum ng_command {
	NG_PING,
	NG_OFFER,
	NG_ANSWER,
	NG_DELETE,
};

struct ng_request {
	enum ng_command cmd;
	struct pl call_id;
	struct pl from_tag;
	struct pl to_tag;	/* PL_NULL: none */
	struct pl sdp;		/* offer, answer */
};

/* The bencoded dictionary of r into buf. Returns its length, or -1 when a
 * required field is missing or it does not fit. */
int ng_build(char *buf, size_t cap, const struct ng_request *r);

struct ng_reply {
	bool ok;		/* result "ok" or "pong" */
	struct pl result;
	struct pl error_reason;	/* with result "error" */
	struct pl warning;
	struct pl sdp;		/* offer, answer */
};

/* Reads a reply (slices of reply). Returns 0 (check out->ok), or -1 when
 * it is no ng reply at all, with why. */
int ng_parse_reply(struct pl reply, struct ng_reply *out, const char **why);

#endif
