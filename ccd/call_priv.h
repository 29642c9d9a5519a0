/*
 * call_priv.h - what the call controller's files share (call.h is the
 * public face):
 *
 *   call.c        life of a call, the state machine, the event relay,
 *                 the control socket's views, stopping
 *   call_route.c  routing attempts: Originate, hunting to the next route,
 *                 the attempt and credit timers, keep-alive requests
 *   call_aaa.c    RADIUS: authorisation while WaitRoute, the routes and
 *                 overrides of the reply, accounting of both legs
 *   call_media.c  the media relay: events held behind SDP rewrites, -F
 *
 * A simple call (static route without limits, no RADIUS) is one
 * allocation, struct call. Everything routing, timers and AAA need lives
 * in struct call_ext, allocated only for the calls that use it.
 */
#ifndef TANDEM_CCD_CALL_PRIV_H
#define TANDEM_CCD_CALL_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "avlist.h"
#include "delay_queue.h"
#include "call.h"
#include "legref.h"
#include "route.h"
#include "tandem.pb-c.h"

#define LEG_ORIGINATE_BIT (1ULL << 63)
#define CALL_URI_MAX 512
#define CALL_CTYPE_MAX 64	/* content type of the kept offer */
#define CALL_PASS_MAX 2048	/* -h headers kept for later attempts */

struct ccd;
struct node;
struct radius_req;
struct media_session;
struct held;
struct sdp_session;

enum call_state {
	CALL_IDLE,
	CALL_ROUTING,		/* Sippy's WaitRoute: authorisation/routing pending */
	CALL_AR_COMPLETE,	/* routed, originate attempt in progress */
	CALL_CONNECTED,
	CALL_DISCONNECTING,	/* ended, waiting for the legs' LegClosed */
	CALL_DEAD,
};

/* The TRY fields kept for routing attempts, stored back to back. */
enum call_field {
	F_CALL_ID,
	F_CLI,
	F_CLD,		/* after the nat- strip and -t */
	F_CALLER_NAME,
	F_CALLEE_NAME,
	F_SOURCE_HOST,
	F_LOCAL_HOST,
	F_REALM,	/* the Request-URI's host: our digest realm */
	F_COUNT,
};

/* A leg of a call: c->a or c->o (call_of() finds c from it). */
struct call_leg {
	struct legref ref;
	/* The UA state the leg's node last listed (control socket `l`),
	 * valid for the list of generation ua_gen only. */
	uint32_t ua_gen;
	uint8_t ua_state;
	bool ua_reinvite_sent;
	bool answer;	/* the caller's leg; else an originate leg */
	bool open;	/* in the table: no LegClosed yet, node alive */
	bool lost;	/* on calls_node_lost()'s work list */
};

/* One leg's accounting (Cisco style, aaa_acct.h), wall-clock times. */
struct call_acct {
	bool on;		/* a record is due for this leg */
	bool started;		/* Start sent */
	bool stopped;		/* Stop sent */
	int64_t setup_us, connect_us, end_us;
	unsigned code;		/* final SIP code (0: ended by BYE) */
	uint8_t origin;		/* Tandem__Origin of the end */
};

struct call_ext {
	struct call *call;
	struct ccd *cd;
	struct event *timer;		/* the earliest of the deadlines below */
	/* Monotonic deadlines in ms, 0 = none. */
	int64_t t_nr, t_np, t_exp;	/* the attempt's nr_/np_/expires */
	int64_t t_group;		/* gt=: skip ahead to group_next */
	int64_t t_credit;		/* credit time of the connected call */
	int64_t t_alive;		/* next Alive accounting record */
	uint8_t group_next;
	uint8_t next_route;		/* index of the next route to try */
	uint8_t n_routes;
	bool radius_routes;		/* routes came from RADIUS (else -s) */
	bool digest_auth;		/* the INVITE had credentials: digest method */
	bool acct_forward_on_fail;	/* the attempt has no originate record */
	unsigned last_ring;		/* last provisional code of the attempt */
	struct radius_req *auth;	/* pending Access-Request */

	/* Routes: the -s route, or the RADIUS reply's routing strings,
	 * NUL-separated in routes_buf; cur is the attempt's, parsed. */
	char *routes_buf;
	uint16_t route_off[CALL_ROUTES_MAX];
	struct route cur;

	/* Overrides from the RADIUS reply. */
	bool cli_set, cnam_set;
	char cli[CALL_USER_MAX + 1];
	char cnam[CALL_NAME_MAX + 1];
	int32_t radius_credit_s;	/* h323-credit-time; -1 = none */
	int32_t credit_s;		/* the attempt's effective limit; -1 = none */

	/* What later attempts need of the TRY: the offer, the caller's
	 * credentials (pass-through), the -h headers, the -x pairs. */
	bool has_body;
	char *body;
	size_t body_len;
	char body_type[CALL_CTYPE_MAX + 1];
	uint8_t *cred;			/* packed Tandem__Credentials */
	size_t cred_len;
	char *pass;			/* "Name\0value\0" pairs */
	size_t pass_len;
	struct avlist *pre_auth;	/* HDR2Xattrs pairs (until auth is done) */
	struct avlist *po_a, *po_o;	/* po_proc pairs for the accounting */

	/* Accounting. */
	char user_name[CALL_USER_MAX + 1];	/* digest user or remote IP */
	struct call_acct acct_a, acct_o;
	char o_calling[CALL_USER_MAX + 1], o_called[CALL_USER_MAX + 1];
	char o_user[CALL_USER_MAX + 1];
	char o_host[NETADDR_STRLEN];
};

/*
 * Memory: the struct (its fields ordered so that none pads) and the TRY's
 * strings behind it (len[], each at most 255 bytes: check_try's limits)
 * are one allocation, a call's only one unless it needs a call_ext.
 */
struct call {
	struct call_leg a, o;
	struct call *prev, *next;	/* every call */
	struct dq_entry linger;		/* in the linger queue (Disconnecting) */
	int64_t try_us;			/* monotonic, for the setup latency */
	uint64_t serial;		/* Sippy's controller id, for logs and `r` */
	const struct route *route;	/* the attempt's route; NULL before one */
	struct call_ext *x;		/* NULL: a simple call */
	struct media_session *media;	/* RTP proxy session (media.h); NULL: none */
	struct held *held, *held_tail;	/* events waiting behind an SDP rewrite */
	uint16_t source_port;
	uint16_t final_code;		/* what the caller got (call_set_final) */
	uint8_t attempt;		/* attempts placed: the -b2b_N suffix */
	uint8_t state;
	uint8_t max_forwards;		/* the TRY's, 0-255 (RFC 3261 §20.22) */
	uint8_t n_held;
	bool o_told;			/* the attempt's leg got DISCONNECT already */
	bool final_counted;
	bool lingering;
	uint8_t len[F_COUNT];
	char str[];
};

static inline struct call *call_of(struct call_leg *l)
{
	return (struct call *)(void *)((char *)l - (l->answer ? offsetof(struct call, a)
							     : offsetof(struct call, o)));
}

struct call_layer {
	struct htable legs;
	struct call *all;
	struct delay_queue linger;	/* ending calls waiting for LegClosed */
	uint64_t next_leg;
	uint64_t next_serial;
	bool refusing;		/* stopping: every TRY gets FAIL 503 (calls_refuse_new) */
	struct sdp_session *sdp_scratch;	/* -F: large, one per process */
};

extern const char *const call_state_names[];

/* call.c */
struct pl call_field(const struct call *c, enum call_field f);
struct pl call_cid(const struct call *c);
int64_t call_mono_us(void);
int64_t call_wall_us(void);
const char *call_event_name(int type);
struct call_leg *call_peer(struct call *c, struct call_leg *l);
bool call_text_ok(const char *s);
bool call_is_sdp(const Tandem__Body *b);
bool call_token_ok(const char *s);
void call_send_event(struct ccd *cd, struct node *n, Tandem__LegEvent *ev);
void call_relay_now(struct ccd *cd, struct call *c, struct call_leg *from, const Tandem__LegEvent *ev);
void call_relay(struct ccd *cd, struct call *c, struct call_leg *from, const Tandem__LegEvent *ev);
void call_send_disconnect(struct ccd *cd, struct call *c, struct call_leg *to, Tandem__Origin origin);
void call_send_fail(struct ccd *cd, struct node *n, uint64_t leg, uint32_t code, const char *reason);
/* FAIL with code and a Reason header (RFC 3326) saying why, to leg l. */
void call_send_fail_why(struct ccd *cd, struct call_leg *l, unsigned code, const char *why);
const char *call_phrase_of(unsigned code);
void call_set_state(struct call *c, enum call_state s);
void call_set_final(struct ccd *cd, struct call *c, uint32_t code);
void call_start_ending(struct ccd *cd, struct call *c, Tandem__Origin origin);
/* The caller never got an answer: it gets code (Reason why, if set), the
 * originate leg (if any) DISCONNECT, and the call ends. */
void call_reject(struct ccd *cd, struct call *c, unsigned code, const char *reason, const char *why);
/* Ends a call as the control socket, credit time or SIGHUP do. */
void call_end(struct ccd *cd, struct call *c, Tandem__Origin origin);
/* The routed call goes on: the first attempt (media first, if any). */
void call_routed(struct ccd *cd, struct call *c, const Tandem__Body *body);

/* call_route.c */
struct call_ext *call_ext_get(struct ccd *cd, struct call *c);
void call_ext_free(struct call_ext *x);
int call_keep_try(struct ccd *cd, struct call *c, const Tandem__LegEvent *ev, bool nat);
void call_routes_static(struct ccd *cd, struct call *c);
/* Chooses the next usable route into c->route; false when none is left. */
bool call_next_route(struct ccd *cd, struct call *c);
int call_place_originate(struct ccd *cd, struct call *c, const Tandem__Body *body);
/* The body of the TRY, as kept for later attempts (NULL: late offer). */
const Tandem__Body *call_kept_body(const struct call *c, Tandem__Body *storage);
/* An originate attempt failed before the answer: true when the next
 * route was started (the failure is not relayed). */
bool call_hunt(struct ccd *cd, struct call *c, const Tandem__LegEvent *ev);
void call_attempt_progress(struct ccd *cd, struct call *c, unsigned code);
void call_connected(struct ccd *cd, struct call *c);
void call_timer_arm(struct ccd *cd, struct call *c);

/* call_aaa.c */
/* Authorises a new call (RADIUS, or at once with -u), then routes it. */
void call_aaa_try(struct ccd *cd, struct call *c, const Tandem__LegEvent *ev);
void call_aaa_cancel(struct call *c);
void call_acct_connect(struct ccd *cd, struct call *c, struct call_acct *a);
void call_acct_end(struct ccd *cd, struct call *c, struct call_acct *a, unsigned code, Tandem__Origin origin);
void call_acct_alive(struct ccd *cd, struct call *c);
void call_acct_originate_begin(struct ccd *cd, struct call *c, const char *cli, struct pl cld, const char *host);
bool call_acct_on(const struct ccd *cd);

/* call_media.c */
bool call_media_hold(struct ccd *cd, struct call *c, struct call_leg *from, const Tandem__LegEvent *ev);
bool call_media_start(struct ccd *cd, struct call *c, const Tandem__LegEvent *ev);
void call_media_reoffer(struct ccd *cd, struct call *c);
void call_media_fail(struct ccd *cd, struct call *c, bool setup, unsigned code, const char *why);
void call_media_timeout_end(struct ccd *cd, struct call *c);
void call_media_ending(struct call *c);
void call_media_drop(struct call *c);
/* -F: filters the SDP of ev into buf; returns ev itself (no SDP or no
 * filter), out (a copy with the filtered body), or NULL when nothing
 * allowed is left. */
const Tandem__LegEvent *call_filter_sdp(const struct ccd *cd, const Tandem__LegEvent *ev, Tandem__LegEvent *out,
					Tandem__Body *body, char *buf, size_t bufsz);

#endif
