/*
 * overload.h - sigd's overload control: while the node cannot take more
 * calls, new INVITEs are refused at the door with a stateless "503 Service
 * Unavailable" and a Retry-After of a few seconds: before a transaction,
 * a leg or a TRY to ccd exists, so before any RADIUS or RTP proxy work.
 * Everything else is always served: requests inside dialogs (BYE first of
 * all), ACK, CANCEL, responses, and retransmissions of INVITEs already
 * taken. Refusing new work is what keeps the calls we have working.
 *
 * Three signals; any one of them refuses a new INVITE:
 *
 *   queue delay  How long the oldest datagram had waited in the kernel's
 *                receive queue (SO_TIMESTAMPNS) each time the loop came back
 *                to the socket: the event loop's lag, as the kernel saw it.
 *                The smallest of each 100 ms interval counts: one late
 *                wake-up drains, a loop that is always late does not
 *                (CoDel's "standing queue"). Above --max-queue-delay (20 ms)
 *                the share of new INVITEs refused rises, in proportion: 5%
 *                per interval at the target, 10% at twice it, at most 40%
 *                (and at once, up to every 20 ms, while wake-ups in a row
 *                are late by more than twice the target: a flood fills the
 *                receive buffer in some 50 ms);
 *                below a quarter of the target it falls, slowly at first
 *                (1%, then 2% more, 3%...: back to 0 within 1.4 s once the
 *                load is gone); in between it holds (the hysteresis).
 *                Refusals are spread evenly, not at random. This is "sigd,
 *                or the machine it runs on, has no CPU left".
 *   setups       Legs in Trying (an INVITE taken or sent, no answer from ccd
 *                or the callee yet) at --max-setups (20,000): every new
 *                INVITE is refused until they fall below 90% of it. This
 *                is "ccd, RADIUS or the callees do not keep up".
 *   cps          --max-cps (off by default): new INVITEs beyond this rate,
 *                with a tenth of a second's worth of burst.
 *   capacity     The transaction table at 80% of its limit, or the legs at
 *                90% of --max-legs (ended ones linger 64*T1, so a node
 *                taking calls fast fills up long before it runs out of
 *                CPU): every new INVITE is refused until they are back
 *                under 70% and 80%. The rest is kept for the calls we
 *                have: their BYEs, re-INVITEs and the originate legs of
 *                calls already taken.
 *
 * The decision itself (struct overload_ctl) knows nothing of sigd: it is
 * fed delays, leg counts and times, so tests can drive it by the clock.
 */
#ifndef TANDEM_SIGD_OVERLOAD_H
#define TANDEM_SIGD_OVERLOAD_H

#include <stdbool.h>
#include <stdint.h>

struct msghdr;
struct sigd;
struct sip_msg;
struct sip_rx;

#define OVERLOAD_INTERVAL_US		100000	/* the queue delay's interval */
#define OVERLOAD_DEFAULT_MAX_DELAY_MS	20
#define OVERLOAD_MAX_DELAY_MS		10000	/* --max-queue-delay bound */
#define OVERLOAD_DEFAULT_MAX_SETUPS	20000
#define OVERLOAD_MAX_SETUPS		10000000
#define OVERLOAD_MAX_CPS		1000000
#define OVERLOAD_RETRY_AFTER_MIN_S	2	/* Retry-After: 2..5 s, spread */
#define OVERLOAD_RETRY_AFTER_MAX_S	5
#define OVERLOAD_PERMILLE		1000
#define OVERLOAD_TSX_HIGH_PM		800	/* capacity: refuse from here... */
#define OVERLOAD_TSX_LOW_PM		700	/* ...until back under this */
#define OVERLOAD_LEGS_HIGH_PM		900
#define OVERLOAD_LEGS_LOW_PM		800

/* Why a new INVITE was refused (OVERLOAD_ADMIT: it was not). */
enum overload_reason {
	OVERLOAD_ADMIT,
	OVERLOAD_SHED_QUEUE,
	OVERLOAD_SHED_SETUPS,
	OVERLOAD_SHED_CPS,
	OVERLOAD_SHED_CAPACITY,
	OVERLOAD__COUNT
};

/* 0 turns a signal off. */
struct overload_config {
	uint32_t max_delay_ms;	/* --max-queue-delay */
	uint32_t max_setups;	/* --max-setups */
	uint32_t max_cps;	/* --max-cps */
};

/* ---------------------------------------------------------------- the decision */

struct overload_ctl {
	struct overload_config cfg;
	int64_t interval_end_us;	/* monotonic end of the current interval */
	int64_t min_delay_us;		/* smallest delay in it (INT64_MAX: none) */
	uint32_t samples;		/* delays in it */
	int64_t latest_us;		/* the latest delay of all (-1: none yet) */
	int64_t carry_us;		/* the latest before this interval (-1: none) */
	int64_t last_delay_us;		/* the last closed interval's minimum, 0: no reads */
	uint32_t shed_pm;		/* share refused for queue delay, per mille */
	uint32_t clear;			/* intervals in a row well below the target */
	int64_t fast_us;		/* the last rise between intervals */
	uint32_t credit_pm;		/* spreads the refusals evenly */
	bool setups_over;		/* between --max-setups and 90% of it, on the way down */
	int64_t bucket_us;		/* --max-cps: last refill */
	uint64_t bucket;		/* tokens, in millionths */
};

void overload_ctl_init(struct overload_ctl *c, const struct overload_config *cfg, int64_t now_us);

/* One queue delay (a receive's wait in the kernel), at now_us (monotonic). */
void overload_ctl_delay(struct overload_ctl *c, int64_t delay_us, int64_t now_us);

/* A new INVITE at now_us with setups legs in Trying: admit it or say why
 * not. Advances the cps bucket and the spreading of refusals. */
enum overload_reason overload_ctl_decide(struct overload_ctl *c, uint64_t setups, int64_t now_us);

/* Closes the intervals that ended by now_us (decide and delay do it too). */
void overload_ctl_advance(struct overload_ctl *c, int64_t now_us);

/* ---------------------------------------------------------------- in sigd */

struct overload_stats {
	uint64_t admitted;			/* new INVITEs let through */
	uint64_t shed[OVERLOAD__COUNT];		/* refused, by reason ([0] unused) */
	uint64_t episodes;			/* times shedding started */
};

/* From sd->cfg; 0, or -1 when out of memory. */
int overload_init(struct sigd *sd);
void overload_free(struct sigd *sd);

/*
 * The transport, after the first recvmmsg() of each wake-up: the kernel's
 * receive timestamp of its first (oldest) datagram says how long the loop
 * took to come back to the socket. A message without one is ignored.
 */
void overload_rx_wakeup(struct sigd *sd, struct msghdr *oldest);

/*
 * The transport, for every parsed request before tsx_receive(): true when
 * m was a new INVITE (no To tag, no transaction of its own yet) that has
 * been answered 503 here and must go no further. Without overload state
 * (sd->overload NULL: tests, fuzzers) nothing is refused.
 */
bool overload_shed(struct sigd *sd, const struct sip_msg *m, const struct sip_rx *rx);

/* For metrics: counters, the share refused now (per mille, queue delay
 * only), the last interval's queue delay, whether shedding is on. */
const struct overload_stats *overload_stats(const struct sigd *sd);
uint32_t overload_shed_permille(const struct sigd *sd);
int64_t overload_queue_delay_us(const struct sigd *sd);
bool overload_active(const struct sigd *sd);

#endif
