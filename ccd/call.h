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

#endif
