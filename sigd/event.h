/*
 * event.h - the mapping between SIP and the protocol's LegEvent
 * (docs/protocol.md, "Legs and events"), both ways.
 *
 * Outbound events are built in a struct ev_out: the protobuf-c structs and
 * a scratch area holding NUL-terminated copies of the SIP slices they
 * name (protobuf-c wants C strings; bodies go as byte ranges, uncopied).
 * The link packs the message at once, so one ev_out is reused for every
 * event (leg layer scratch; never two at a time).
 *
 * Inbound events and Originates are checked here (ev_check*) before any
 * state machine sees them: a peer daemon's bug must cost a log line, not
 * a crash.
 */
#ifndef TANDEM_SIGD_EVENT_H
#define TANDEM_SIGD_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "netaddr.h"
#include "pl.h"
#include "sip_msg.h"
#include "tandem.pb-c.h"

struct sip_writer;
struct sip_rx;

#define EV_MAX_HEADERS 32	/* TryInfo.headers / extra_headers per event */
#define EV_MAX_LIST 16		/* challenges, contacts per event */
#define EV_SCRATCH 16384	/* bytes of copied strings per event */

struct ev_out {
	Tandem__Message msg;
	Tandem__LegEvent ev;
	Tandem__Body body;
	Tandem__Reason reason;
	Tandem__TryInfo try_;
	Tandem__Address src, local;
	Tandem__Credentials cred;
	Tandem__Header hdr[EV_MAX_HEADERS];
	Tandem__Header *hdrp[EV_MAX_HEADERS];
	char *challenges[EV_MAX_LIST];
	char *contacts[EV_MAX_LIST];
	size_t used;
	bool truncated;		/* something did not fit and was left out */
	char buf[EV_SCRATCH];
};

/* Starts a LegEvent message for leg (everything else empty). */
void ev_begin(struct ev_out *o, uint64_t leg, Tandem__EventType type, Tandem__Origin origin,
	      int64_t time_us);

/* A NUL-terminated copy of s in the scratch area, or NULL when full. */
char *ev_str(struct ev_out *o, struct pl s);

/* Body with its content type (empty type: application/sdp). */
void ev_set_body(struct ev_out *o, struct pl content_type, struct pl content);
/* m's body, if it has one, with m's Content-Type. */
void ev_body_from_msg(struct ev_out *o, const struct sip_msg *m);
/* m's first Reason header (RFC 3326), if it parses. */
void ev_reason_from_msg(struct ev_out *o, const struct sip_msg *m);

/*
 * RING / PRE_CONNECT / CONNECT / FAIL / REDIRECT from a response: code,
 * reason phrase, body, Reason header, Warning; for 401/407 the raw
 * WWW-/Proxy-Authenticate values as challenges; for 3xx the Contact URIs
 * in order.
 */
void ev_from_response(struct ev_out *o, const struct sip_msg *resp);

/*
 * RFC 3326: "SIP ;cause=200 ;text=\"Call completed elsewhere\"".
 * protocol is the token, cause 0 when absent, text still quoted (or
 * PL_NULL). False when the value is not a Reason.
 */
bool ev_reason_parse(struct pl value, struct pl *protocol, uint32_t *cause, struct pl *text);

/* What TRY needs besides the INVITE. */
struct ev_try_ctx {
	struct pl local_host;
	uint16_t local_port;
	char *const *forward_headers;	/* Welcome.forward_headers */
	size_t n_forward_headers;
	const uint8_t *nonce_secret;
	size_t nonce_secret_len;
	unsigned nonce_lifetime;	/* seconds */
	unsigned nonce_skew;		/* seconds a nonce may seem to come from the future */
	time_t now;
};

/*
 * TRY's TryInfo from a new INVITE: Call-ID, CLI (From user), CLD
 * (Request-URI user), display names unquoted, URIs, source and local
 * address, Max-Forwards decremented (70 when absent), the forward headers
 * present, and credentials from Authorization or Proxy-Authorization with
 * the verdict on our nonce.
 */
void ev_try(struct ev_out *o, const struct sip_msg *req, const struct sip_rx *rx,
	    const struct ev_try_ctx *ctx);

/* An address as a protobuf Address (host copied into o's scratch). */
void ev_address(struct ev_out *o, Tandem__Address *a, const struct netaddr *n);
/* And back: numeric hosts only, port 0 -> 5060. */
bool ev_address_to_netaddr(const Tandem__Address *a, struct netaddr *n);

/* ------------------------------------------------ ccd's events -> SIP */

/* The body of an event and its content type (default application/sdp);
 * false when the event has none (absent or empty). */
bool ev_body(const Tandem__Body *b, struct pl *content_type, struct pl *content);

/* "Reason: <protocol>;cause=<n>[;text=\"...\"]\r\n", if r is usable
 * (protocol a token; empty means SIP). */
void ev_write_reason(struct sip_writer *w, const Tandem__Reason *r);
/* Just the value; false (nothing written) when r is not usable. */
bool ev_write_reason_value(struct sip_writer *w, const Tandem__Reason *r);

/*
 * ccd's extra headers: each with a token name that is not one sigd owns
 * (Via, From, To, Call-ID, CSeq, Contact, Route, Record-Route,
 * Max-Forwards, Content-Length, Content-Type). Returns how many were
 * refused (the caller logs).
 */
unsigned ev_write_extra(struct sip_writer *w, Tandem__Header *const *h, size_t n);

/* Whether a header name may come from ccd (see ev_write_extra). */
bool ev_header_name_ok(const char *name);

/* NULL when ev is sane enough to hand to a leg, else why not. */
const char *ev_check(const Tandem__LegEvent *ev);
/* NULL when o can become an originate leg, else why not. */
const char *ev_check_originate(const Tandem__Originate *o);

const char *ev_type_name(Tandem__EventType t);

#endif
