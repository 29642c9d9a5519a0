/*
 * leg.h - sigd's call legs: the table, ids, memory and life cycle of the
 * one UA state machine per leg (the machines themselves are in ua_*.c,
 * the dialog they keep in dialog.h).
 *
 * A leg is an answer leg (UAS: created by an incoming INVITE, id from a
 * per-node counter, bit 63 clear) or an originate leg (UAC: created by
 * ccd's Originate, which chose the id, bit 63 set). Legs are found by id
 * (events from ccd) and by dialog: (Call-ID, local tag), the To tag of
 * every in-dialog request sent to us.
 *
 * Memory: one allocation per leg holds the struct and, behind it, an arena
 * with the strings that never change (Call-ID, local tag, local and remote
 * URI; for an originate leg with credentials, what a digest retry sends
 * again). What a dialog changes while it lives (remote tag and target,
 * route set, the last local and remote SDP, packed: leg_sdp.h) sits in one
 * more block that is rebuilt, exactly sized, on every change: a call with
 * a thousand re-INVITEs uses no more memory than one with none. The leg
 * knows its dialog's strings by their lengths alone (struct leg_dlg), and
 * lends them out as slices (leg_dialog(), leg_call_id()...). What only
 * a busy leg needs lives in short-lived blocks of its own: the timer
 * (allocated while armed), our 2xx until its ACK, keep-alive state, its
 * transactions (our INVITE answered 2xx until its timer M: the tsx layer
 * says when, no timer of ours). A held call's leg is these two blocks and
 * nothing else (tests/unit/test_leg_memory.c measures it).
 *
 * Life: ... -> Disconnected | Failed -> (32 s, answering retransmissions
 * and late BYEs) -> Dead: LegClosed to ccd, freed. Legs are only ever
 * freed from their own timer callback (or legs_free/DropLeg), never in the
 * middle of handling a message, so no caller holds a dangling pointer.
 */
#ifndef TANDEM_SIGD_LEG_H
#define TANDEM_SIGD_LEG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/event_struct.h>

#include "dialog.h"
#include "htable.h"
#include "netaddr.h"
#include "pl.h"
#include "tsx.h"

struct sigd;
struct ev_out;
struct sdp_session;
struct leg_keepalive;

/* Leg ids of originate legs (chosen by ccd) have this bit set. */
#define LEG_ID_UAC_BIT (1ULL << 63)

/* Default capacity of a node; beyond it new INVITEs get 503. */
#define LEGS_MAX_DEFAULT 250000

/* How long a stateless nonce of ours stays valid (seconds), and how far
 * in the future one may seem to be stamped: with a shared secret
 * (Welcome.nonce_secret) another node's clock may run a little ahead. */
#define LEG_NONCE_LIFETIME 32
#define LEG_NONCE_SKEW 2

/* A shared nonce secret from ccd must be this long (bytes). */
#define LEG_NONCE_SECRET_MIN 16
#define LEG_NONCE_SECRET_MAX 64

/* Bounds of a keep-alive period (LegOptions.keepalive_ms). */
#define LEG_KEEPALIVE_MIN_MS 100
#define LEG_KEEPALIVE_MAX_MS (24u * 3600 * 1000)

/* Sippy's UA states (sippy-behaviour.md §4.2); values match proto LegState. */
enum leg_state {
	LEG_IDLE = 1,
	LEG_TRYING = 2,
	LEG_RINGING = 3,
	LEG_CONNECTED = 4,
	LEG_UPDATING = 5,	/* re-INVITE in progress, either direction */
	LEG_CANCELLING = 6,	/* UAC: CANCEL sent, waiting for the final */
	LEG_DISCONNECTED = 7,
	LEG_FAILED = 8,
	LEG_DEAD = 9,
};

/* The strings of a dialog that change while it lives (see leg_var_set),
 * in the order they lie in the var block: the dialog's, then the SDPs. */
enum leg_var {
	LEG_VAR_REMOTE_TAG,
	LEG_VAR_TARGET,
	LEG_VAR_ROUTES,
	LEG_VAR_LOCAL_SDP,
	LEG_VAR_REMOTE_SDP,
	LEG_VAR__COUNT
};
#define LEG_VAR__DIALOG LEG_VAR_LOCAL_SDP	/* how many are the dialog's */

/*
 * A leg's dialog as kept: 28 bytes, where the view the functions of
 * dialog.h read (leg_dialog()) takes 112. Every string lies in the leg's
 * own memory, back to back with the next, so a length says where it ends
 * and the next begins: the four that never change in the arena from `at`
 * on (leg_dialog_init), the remote tag, target and route set at the start
 * of the var block (leg_var_set). 16 bits hold any of them: the arena has
 * at most 65535 bytes, a var string at most SIP_MAX_MESSAGE (longer ones
 * are refused).
 */
struct leg_dlg {
	uint16_t at;		/* arena offset of the Call-ID (leg_uac() may come first) */
	uint16_t call_id_len, local_tag_len, local_uri_len, remote_uri_len;
	uint16_t var_len[LEG_VAR__DIALOG];	/* by enum leg_var */
	struct dialog_cseq cseq;
};

/* A 2xx of ours retransmitted until its ACK (RFC 3261 §13.3.1.4). */
struct leg_2xx {
	struct netaddr dst;
	uint32_t cseq;		/* of the INVITE it answers */
	uint32_t interval_ms;	/* next retransmission interval (T1 doubling, <= T2) */
	uint32_t elapsed_ms;	/* since the first send; 64*T1 ends the call */
	size_t len;
	char bytes[];
};

/*
 * What an originate leg with Originate credentials keeps in its arena for
 * a digest retry: the INVITE's Request-URI, display names and extra
 * headers, and the credentials. Other legs do not pay for it (leg_uac()
 * is NULL).
 */
struct leg_uac {
	struct pl ruri, from_display, to_display, extra_hdrs, auth_user, auth_pass;
	uint8_t max_forwards;
};

struct leg_linger;

struct leg {
	struct htable_node id_node;
	struct htable_node dlg_node;
	struct sigd *sd;
	uint64_t id;
	/* 2xx retransmission, held-ACK guard, expiry, death: allocated while
	 * armed (leg_timer_arm), so a held call's legs keep none; an ended
	 * leg's place in the linger queue instead while `lingering` (leg.c). */
	union {
		struct event *timer;
		struct leg_linger *linger;
	};
	struct tsx *inv;	/* UAS: INVITE until our final; UAC: our INVITE
				   (after a 2xx, until its timer M) */
	struct tsx *reinv;	/* re-INVITE in progress (ours: client; theirs: server) */
	struct leg_2xx *rtx;	/* our 2xx until ACK */
	char *var;		/* the block behind the LEG_VAR_* strings */
	struct leg_keepalive *ka; /* LegOptions.keepalive_ms set (ua_keepalive.c) */
	/* The SDPs, packed, end the var block: leg_local_sdp(), leg_remote_sdp(). */
	uint32_t local_sdp_len, remote_sdp_len;
	uint32_t inv_cseq;	/* CSeq of the dialog-creating INVITE */
	struct leg_dlg dlg;
	struct peer_addr fallback; /* next hop of last resort: the INVITE's source /
				      the Originate's target */
	uint8_t state;		/* enum leg_state */
	uint8_t last_state;	/* state before Dead, for LegClosed */
	bool uas : 1;
	bool in_dialog_table : 1;
	bool closed_sent : 1;	/* LegClosed must not be sent (DropLeg) */
	bool cancelled : 1;	/* UAS: the caller CANCELled */
	bool invite_offer : 1;	/* the INVITE carried an SDP offer */
	bool ack_wait_answer : 1; /* UAS: our 2xx offered, the ACK brings the answer */
	bool ack_held : 1;	/* UAC: late offer, ACK waits for ccd's answer */
	bool ack_with_body : 1;	/* UAC: the ACK we sent carried the answer */
	bool reinv_ours : 1;	/* reinv is our client transaction */
	bool reinv_offer : 1;	/* the peer's re-INVITE carried an offer */
	bool auth_tried : 1;	/* UAC: answered one 401/407 already */
	bool report_trying : 1;	/* UAC: the first sign of life still to report */
	bool via_proxy : 1;	/* UAC: every request goes to the Originate target */
	bool has_uac : 1;	/* UAC with credentials: leg_uac() */
	bool lingering : 1;	/* linger, not timer */
	uint16_t arena_used, arena_cap;
	char arena[];
};

/* The dialog's strings, one at a time (valid until the var block changes:
 * leg_var_set). The Call-ID and local tag are what the dialog table and
 * the log lines want. */
static inline struct pl leg_call_id(const struct leg *l)
{
	return pl_from(l->arena + l->dlg.at, l->dlg.call_id_len);
}

static inline struct pl leg_local_tag(const struct leg *l)
{
	return pl_from(l->arena + l->dlg.at + l->dlg.call_id_len, l->dlg.local_tag_len);
}

struct pl leg_remote_tag(const struct leg *l);

/* The whole dialog as slices into the leg, in *d (valid as above). */
void leg_dialog(const struct leg *l, struct dialog *d);

/* An originate leg's digest retry data (the first thing in its arena), or
 * NULL: only legs whose Originate carried credentials have it. */
static inline struct leg_uac *leg_uac(struct leg *l)
{
	return l->has_uac ? (struct leg_uac *)(void *)(l->arena + (-(uintptr_t)l->arena & 7)) : NULL;
}

/*
 * The last SDP we sent / the peer sent (empty: none), unpacked into the
 * layer's scratch: valid until the next call of either.
 */
struct pl leg_local_sdp(struct leg *l);
struct pl leg_remote_sdp(struct leg *l);

static inline bool leg_has_local_sdp(const struct leg *l)
{
	return l->local_sdp_len != 0;
}

static inline bool leg_has_remote_sdp(const struct leg *l)
{
	return l->remote_sdp_len != 0;
}

/* Whether sdp is the kept one, byte for byte (compared packed). */
bool leg_local_sdp_is(struct leg *l, struct pl sdp);
bool leg_remote_sdp_is(struct leg *l, struct pl sdp);

/* Counters of the leg layer (control socket and metrics). */
struct leg_stats {
	uint64_t uas_created, uac_created, closed, dropped;
	uint64_t rejected_full;		/* 503: node at max legs */
	uint64_t rejected_hops;		/* 483 */
	uint64_t events_in, events_out;
	uint64_t events_unknown_leg;	/* event for a leg we do not have */
	uint64_t events_ignored;	/* event that made no sense in the state */
	uint64_t bad_originates;
	uint64_t in_dialog_481;
	uint64_t cseq_500;
	uint64_t ack_timeouts;		/* no ACK for our 2xx within 64*T1 */
	uint64_t unroutable;		/* in-dialog request with no usable next hop */
	uint64_t keepalives_sent;	/* in-dialog OPTIONS of ours */
	uint64_t keepalives_skipped;	/* a beat skipped: busy leg or one pending */
	uint64_t keepalive_failures;	/* 408, 481 or no answer: call ended */
	uint64_t in_state[LEG_DEAD + 1];	/* gauge: legs now in each state */
};

/* Timer values of the UA (tests shorten them). */
struct leg_timers {
	uint32_t t1_ms;		/* 500 */
	uint32_t t2_ms;		/* 4000 */
	uint32_t linger_ms;	/* 32000: Disconnected/Failed -> Dead */
	uint32_t expires_ms;	/* 300000: an INVITE unanswered this long ends
				   (Sippy's Expires: 300); 0 = the default */
};

/* ---------------------------------------------------------------- layer */

int legs_init(struct sigd *sd);
void legs_free(struct sigd *sd);
void legs_set_timers(struct sigd *sd, const struct leg_timers *tm);
const struct leg_timers *legs_timers(const struct sigd *sd);
void legs_set_max(struct sigd *sd, size_t max);
size_t legs_max(const struct sigd *sd);
size_t legs_count(const struct sigd *sd);
bool legs_full(const struct sigd *sd);
struct leg_stats *legs_stats(struct sigd *sd);
/* Visits every live leg (not Dead); fn must not free legs. */
void legs_foreach(struct sigd *sd, void (*fn)(struct leg *l, void *arg), void *arg);

/* Shared scratch of the layer: one event being built, one SDP session. */
struct ev_out *legs_ev_out(struct sigd *sd);
struct sdp_session *legs_sdp_scratch(struct sigd *sd);
/* The secret of our stateless nonces: ccd's shared one when it gave one
 * (Welcome.nonce_secret), else the node's own per-process one. */
void legs_nonce_secret(const struct sigd *sd, const uint8_t **secret, size_t *len);
/* Uses secret (LEG_NONCE_SECRET_MIN..MAX bytes) from now on; len 0 goes
 * back to the node's own. -1 (nothing changed) for a bad length. */
int legs_set_nonce_secret(struct sigd *sd, const uint8_t *secret, size_t len);

/* Fast random numbers (xoshiro256**, seeded once from getrandom()). */
uint64_t legs_rand(struct sigd *sd);
/* Tests and fuzzers: a fixed seed makes tags and branches reproducible. */
void legs_seed(struct sigd *sd, uint64_t seed);
/* 16 lower-case hex characters of 64 random bits, NUL-terminated. */
#define LEG_TAG_LEN 16
void legs_tag(struct sigd *sd, char out[LEG_TAG_LEN + 1]);
/* "z9hG4bK" + 16 hex characters, NUL-terminated. */
#define LEG_BRANCH_LEN (7 + LEG_TAG_LEN)
void legs_branch(struct sigd *sd, char out[LEG_BRANCH_LEN + 1]);

/* ---------------------------------------------------------------- legs */

/* A new answer leg id: a per-node counter, bit 63 clear, never 0. */
uint64_t legs_next_uas_id(struct sigd *sd);

/*
 * A new leg in state Idle with an arena of arena_size bytes (at most
 * 65535: what one message can carry), indexed by id. NULL when out of
 * memory, when id is taken or arena_size is too large.
 */
struct leg *leg_new(struct sigd *sd, uint64_t id, bool uas, size_t arena_size);

/* Copies s into the arena; PL_NULL if it does not fit (never for a leg
 * whose arena was sized for its strings). */
struct pl leg_strdup(struct leg *l, struct pl s);
/* n bytes of the arena aligned for any struct (size the arena with
 * LEG_ALIGN_SLACK more), zeroed; NULL if they do not fit. The first of an
 * originate leg's is its leg_uac. */
#define LEG_ALIGN_SLACK 7
void *leg_alloc(struct leg *l, size_t n);

/*
 * Keeps d's strings that never change (Call-ID, local tag, local and
 * remote URI) in the arena, back to back; the others go through
 * leg_var_set*(). Once per leg. 0, or -1 if they do not fit (never for an
 * arena sized for them).
 */
int leg_dialog_init(struct leg *l, const struct dialog *d);

/* Replaces one of the mutable strings; 0, or -1 when out of memory or
 * longer than SIP_MAX_MESSAGE (the old values stay). value may be a slice
 * of the old block, but slices taken before (leg_dialog(),
 * leg_remote_tag()...) are stale afterwards. */
int leg_var_set(struct leg *l, enum leg_var which, struct pl value);
/* All of them at once (indexed by enum leg_var): one rebuild. */
int leg_var_set_all(struct leg *l, const struct pl v[LEG_VAR__COUNT]);
/* Those whose bit (LEG_VAR_BIT) is in mask, in one rebuild; the others stay. */
#define LEG_VAR_BIT(v) (1u << (v))
int leg_var_update(struct leg *l, unsigned mask, const struct pl v[LEG_VAR__COUNT]);

/* Indexes the leg by (Call-ID, local tag) once its dialog has both. */
void leg_index_dialog(struct leg *l);

struct leg *leg_by_id(struct sigd *sd, uint64_t id);
struct leg *leg_by_dialog(struct sigd *sd, struct pl call_id, struct pl local_tag);

/*
 * State change with a DBUG line. Entering Disconnected or Failed arms the
 * linger timer (answers retransmissions and late BYEs), after which the
 * leg dies; entering Dead schedules the death right away (from the loop,
 * so the caller may keep using l until it returns).
 */
void leg_set_state(struct leg *l, enum leg_state s);

/* Arms the leg's timer for ms milliseconds (the UA uses it while the leg
 * is alive; linger and death are leg.c's). Stopping it, or its firing
 * without being armed again, gives its memory back. */
void leg_timer_arm(struct leg *l, uint32_t ms);
void leg_timer_stop(struct leg *l);

/* Forgets a leg at once: releases its transactions, no SIP, no LegClosed. */
void leg_drop(struct leg *l);

const char *leg_state_name(enum leg_state s);

/* Provided by the UA (ua_dialog.c): the leg's timer fired while it lives. */
void ua_timer(struct leg *l);

#endif
