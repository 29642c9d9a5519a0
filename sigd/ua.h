/*
 * ua.h - the UA state machines of sigd's legs (sippy-behaviour.md §4.2).
 *
 *   ua_uas.c     the answer leg before it is answered (Idle, Trying,
 *                Ringing): INVITE -> 100 + TRY, ccd's RING/CONNECT/
 *                PRE_CONNECT/FAIL/REDIRECT/DISCONNECT -> responses,
 *                CANCEL, BYE in the early dialog
 *   ua_uac.c     the originate leg before it is answered (Idle, Trying,
 *                Ringing, Cancelling): Originate -> INVITE, responses ->
 *                RING/PRE_CONNECT/CONNECT/FAIL/REDIRECT, digest retry,
 *                CANCEL
 *   ua_dialog.c  both legs once connected (Connected, Updating,
 *                Disconnected, Failed): re-INVITE both ways and glare,
 *                BYE, INFO, OPTIONS, REFER, ACK and late offers, 2xx
 *                retransmission, and everything the states cannot handle
 *   ua_keepalive.c  in-dialog OPTIONS every LegOptions.keepalive_ms once
 *                connected; 408/481/no answer ends the leg
 *   ua_send.c    building and sending what the machines say
 *
 * Entry points: the dispatcher (requests, ACK, CANCEL), the link (events,
 * Originate, DropLeg, unknown legs) and the leg's timer.
 */
#ifndef TANDEM_SIGD_UA_H
#define TANDEM_SIGD_UA_H

#include <stdbool.h>
#include <stdint.h>

#include "leg.h"
#include "pl.h"
#include "sip_msg.h"
#include "tandem.pb-c.h"
#include "tsx.h"

/* ---------------------------------------------------------------- entry */

/* A new INVITE without To tag; the dispatcher checked Max-Forwards, the
 * link and capacity. Creates the answer leg (or answers the error). */
void ua_uas_invite(struct sigd *sd, struct tsx *t, const struct sip_msg *req,
		   const struct sip_rx *rx);

/* A request inside l's dialog (To tag = l's local tag). */
void ua_request(struct leg *l, struct tsx *t, const struct sip_msg *req, const struct sip_rx *rx);

/* The ACK for a 2xx of l's (or a retransmission of it). */
void ua_ack(struct leg *l, const struct sip_msg *ack, const struct sip_rx *rx);

/* A CANCEL for l's pending INVITE or re-INVITE t (already answered 200). */
void ua_cancel(struct leg *l, struct tsx *t, const struct sip_msg *cancel, const struct sip_rx *rx);

/* An event from ccd for l, already checked with ev_check(). */
void ua_event(struct leg *l, const Tandem__LegEvent *ev);

/* An Originate from ccd, already checked with ev_check_originate(). */
void ua_originate(struct sigd *sd, const Tandem__Originate *o);

/* End l in SIP however fits its state (BYE, CANCEL, a final response),
 * as for DISCONNECT from ccd: Welcome.unknown_legs. */
void ua_end(struct leg *l);

/* LegOptions from ccd: keep-alives every interval_ms (0 = off), from now
 * if l is connected, else from when it gets connected. */
void ua_keepalive_set(struct leg *l, uint32_t interval_ms);

/* ---------------------------------------------------------------- internal */

/* Per state: the early machines and the dialog machine. */
void ua_uas_event(struct leg *l, const Tandem__LegEvent *ev);
void ua_uac_event(struct leg *l, const Tandem__LegEvent *ev);
void ua_uas_early_request(struct leg *l, struct tsx *t, const struct sip_msg *req,
			  const struct sip_rx *rx);
void ua_dlg_event(struct leg *l, const Tandem__LegEvent *ev);
void ua_dlg_request(struct leg *l, struct tsx *t, const struct sip_msg *req,
		    const struct sip_rx *rx);
void ua_dlg_response(struct leg *l, struct tsx *t, const struct sip_msg *resp,
		     const struct sip_rx *rx);
void ua_dlg_timeout(struct leg *l, struct tsx *t);
void ua_dlg_timer(struct leg *l);
void ua_uac_timer(struct leg *l);
void ua_uac_response(struct leg *l, const struct sip_msg *resp, const struct sip_rx *rx);
void ua_uac_timeout(struct leg *l);
/* An INVITE unanswered for Expires (leg_timers.expires_ms). */
void ua_uas_expired(struct leg *l);
void ua_uac_expired(struct leg *l);

/* Keep-alives (ua_keepalive.c): leg.c starts them when the leg is
 * answered and stops them when it ends (freeing their state); the client
 * callbacks hand over their OPTIONS' answer. */
void ua_keepalive_start(struct leg *l);
void ua_keepalive_stop(struct leg *l);
bool ua_keepalive_owns(const struct leg *l, const struct tsx *t);
void ua_keepalive_response(struct leg *l, const struct sip_msg *resp);
void ua_keepalive_timeout(struct leg *l);

/* The client transaction callbacks every leg uses. */
extern const struct tsx_client_ops ua_client_ops;

/* Origin of what l's SIP peer did: CALLER for answer legs, CALLEE else. */
Tandem__Origin ua_origin(const struct leg *l);

/* ---------------------------------------------------------------- sending */

/* Emits an event built in legs_ev_out() (counted). */
void ua_emit(struct leg *l);
/* A bare event of l's peer (no SIP message behind it). */
void ua_emit_simple(struct leg *l, Tandem__EventType type, unsigned code, const char *reason,
		    int64_t time_us);

/* What a response from a leg carries besides the status. */
struct ua_resp {
	unsigned code;
	struct pl reason;		/* empty: the standard phrase */
	bool dialog;			/* To tag, Contact, Record-Route */
	struct pl body, content_type;
	const Tandem__LegEvent *ev;	/* Reason header and extra headers from ccd */
	struct pl hdr_name;		/* more headers of one name (Retry-After, */
	const struct pl *hdr_values;	/* WWW-Authenticate...), one per value */
	size_t n_hdr_values;
	char *const *contacts;		/* 3xx Contacts (URIs) */
	size_t n_contacts;
};

/*
 * Sends a response on server transaction t for leg l (NULL: out of
 * dialog, a fresh To tag). Returns the length sent (the bytes are in
 * sd->out until the next message is built), or -1.
 */
int ua_respond(struct sigd *sd, struct leg *l, struct tsx *t, const struct ua_resp *r);
/* Shorthand for a plain response in l's dialog (l may be NULL). */
void ua_respond_code(struct sigd *sd, struct leg *l, struct tsx *t, unsigned code,
		     const char *reason);

/*
 * Sends the final response of an INVITE server transaction and lets the
 * transaction go: a 2xx is kept for retransmission until the ACK.
 * Returns 0 or -1.
 */
int ua_final(struct leg *l, struct tsx **tp, const struct ua_resp *r);

/* A request in l's dialog (BYE, INFO, re-INVITE, ACK...). Client
 * transactions are owned by l when owned is set (re-INVITE), else
 * released at once (they finish on their own). Returns the tsx for owned
 * requests, NULL otherwise (and on failure, *ok false). */
struct ua_req {
	struct pl method;
	uint32_t cseq;			/* 0: the next local CSeq */
	struct pl body, content_type;
	const Tandem__LegEvent *ev;	/* Reason header and extra headers */
	const struct dialog *dlg;	/* NULL: l's (a fork's 2xx has its own) */
	bool owned;
};
struct tsx *ua_send_request(struct leg *l, const struct ua_req *r, bool *ok);

/* The ACK for a 2xx (new branch, no transaction), with an optional body. */
void ua_send_ack(struct leg *l, uint32_t cseq, struct pl body);

/* BYE (with ev's Reason/extra headers when given) and Disconnected. */
void ua_send_bye(struct leg *l, const Tandem__LegEvent *ev);

/* Stops retransmitting our 2xx. */
void ua_stop_2xx(struct leg *l);

/* The body-less re-INVITE's hold offer: the last remote SDP with every
 * connection address 0.0.0.0 (:: for IPv6) and the version bumped, in
 * buf. Returns its length, or -1 (no usable remote SDP). */
int ua_hold_offer(struct leg *l, char *buf, size_t cap);

/* Log prefix helpers. */
#define LEG_CID(l) leg_call_id(l)

#endif
