/*
 * call.h - the call controller: one `struct call` per call, Sippy's
 * CallController (sippy-behaviour.md §3) driven by the LegEvents of the
 * sigd nodes.
 *
 *   Idle --TRY--> Routing --route known--> ARComplete --CONNECT--> Connected
 *                                              |                      |
 *                  DISCONNECT / FAIL / REDIRECT / a leg lost          |
 *                                              v                      v
 *                                         Disconnecting <--DISCONNECT-+
 *                                              |
 *                       every leg sent LegClosed (or CCD linger expired)
 *                                              v
 *                                            Dead (freed)
 *
 * A call has an answer leg (the caller's, created by sigd) and one
 * originate leg per routing attempt (created here with Originate, on the
 * answer leg's node). Events from one leg are relayed to the other; the
 * controller only steps in where Sippy's does (start, end, failover).
 */
#ifndef TANDEM_CCD_CALL_H
#define TANDEM_CCD_CALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"
#include "pl.h"
#include "tandem.pb-c.h"

struct ccd;
struct node;

#define CALL_ID_MAX	255	/* ingress Call-ID bytes we accept */
#define CALL_USER_MAX	128	/* cli, cld */
#define CALL_NAME_MAX	128	/* display names */
#define CALL_BODY_MAX	16384	/* SDP kept for a later routing attempt */
#define CALL_ROUTES_MAX	16	/* routing attempts per call */

int calls_init(struct ccd *cd);
/* Frees every call without signaling (process exit). */
void calls_free(struct ccd *cd);

/* A LegEvent from node n, already decoded (not yet checked). */
void call_on_event(struct ccd *cd, struct node *n, const Tandem__LegEvent *ev);
/* A LegClosed from node n. */
void call_on_closed(struct ccd *cd, struct node *n, const Tandem__LegClosed *lc);
/* Every leg on n is gone (n restarted or went silent): their calls end;
 * the legs on other nodes get DISCONNECT. n's leg list is empty afterwards. */
void calls_node_lost(struct ccd *cd, struct node *n);
/* Whether (n, leg) belongs to a call (Welcome.unknown_legs). */
bool calls_have_leg(const struct ccd *cd, const struct node *n, uint64_t leg);

/* ---------------------------------------------------------------- control socket */

/* One leg of a call as the control socket's `l` shows it. */
struct call_view_leg {
	bool present;			/* the leg exists (for o: an attempt was placed) */
	bool open;			/* no LegClosed yet, its node alive */
	const struct node *node;
	uint64_t leg;
	char host[NETADDR_STRLEN];	/* a: the INVITE's source; o: the attempt's target */
	uint16_t port;
	struct pl cli, cld;		/* calling and called number */
	uint8_t ua_state;		/* Tandem__LegState its node last listed... */
	bool ua_reinvite_sent;
	uint32_t ua_gen;		/* ...in the leg list of this generation */
};

/* A call as Sippy's CallMap.listActiveCalls() describes it. */
struct call_view {
	uint64_t id;			/* Sippy's controller id (the `r` command) */
	struct pl call_id;		/* ingress Call-ID */
	const char *state;		/* Sippy's sname: Idle, WaitRoute, ARComplete, ... */
	struct call_view_leg a, o;
};

/* Visits every call (newest first); fn must not end or free calls. */
void calls_foreach(struct ccd *cd, void (*fn)(const struct call_view *v, void *arg), void *arg);

/*
 * Ends calls as Sippy's disconnect() does: DISCONNECT with origin to each
 * leg still there (sigd sends BYE, CANCEL or a final response), then the
 * call waits for its LegClosed messages. Calls already ending are counted
 * but left alone. Return the number of calls matched.
 */
size_t calls_end_by_call_id(struct ccd *cd, struct pl call_id, Tandem__Origin origin);
size_t calls_end_by_id(struct ccd *cd, uint64_t id, Tandem__Origin origin);
/* An RTP proxy saw no media for call id, whose Call-ID must be call_id
 * (media.h): connected, BYE on both legs; before the answer, the attempt
 * fails (408 to the caller). end_by_id with MEDIA_TIMEOUT does the same. */
size_t calls_media_timeout(struct ccd *cd, uint64_t id, struct pl call_id);
size_t calls_end_all(struct ccd *cd, Tandem__Origin origin);

/* A node's leg list said (n, leg) is in state (Tandem__LegState); list gen. */
void calls_note_ua_state(struct ccd *cd, const struct node *n, uint64_t leg, uint8_t state, bool reinvite_sent,
			 uint32_t gen);

/* ---------------------------------------------------------------- stopping */

/* Retry-After of the 503 a TRY gets while ccd stops (seconds). */
#define CALLS_REFUSE_RETRY_AFTER_S 5

/* SIGTERM: from now on every TRY is answered FAIL 503 with Retry-After. */
void calls_refuse_new(struct ccd *cd);
bool calls_refusing(const struct ccd *cd);
/* Calls not ending yet, and calls ending (waiting for LegClosed). */
void calls_count(const struct ccd *cd, size_t *active, size_t *ending);

#endif
