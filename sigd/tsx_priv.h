/*
 * tsx_priv.h - the inside of the transaction layer, shared by tsx.c (the
 * layer, timers, life cycle), tsx_match.c (keys and tables), tsx_server.c,
 * tsx_server_in.c and tsx_client.c (the four state machines). Nothing
 * outside these files includes it.
 *
 * Memory. A transaction spends most of its life after its final response,
 * absorbing retransmissions (timers J, L, D, M: 64*T1), when all it needs
 * are its matching keys. So struct tsx and the keys (data[], addressed by
 * 16-bit offsets) are one allocation that lives as long as the
 * transaction, and what only the exchange needs is a second one, struct
 * tsx_act, with the bulky text behind it, that goes as soon as it is of no
 * more use: a server transaction's response prefix, rendered once (Via
 * lines with received/rport, From, "To: <value>" | "\r\nCall-ID..CSeq..
 * \r\n"), until its final response is sent, the rest of it until the last
 * response may no longer be retransmitted (after a 2xx to an INVITE: at
 * once); a client transaction's request until its final response (an
 * INVITE's rejected by a non-2xx is replaced by the ACK it re-sends). The
 * peer's address (compact: struct peer_addr) is part of it: a transaction
 * that sends nothing more does not need it. The last response of a server
 * transaction is a third block (resp).
 *
 * Timers. A transaction retransmitting (A, E, G) has a libevent timer,
 * allocated for that phase only; the fixed timers (D, I, J, K, L, M: every
 * one 64*T1 or T4) are two delay queues of the layer (delay_queue.h), so
 * a transaction waiting out its 64*T1 costs an entry and wakes the loop
 * together with the others that ended within the same grain.
 */
#ifndef TANDEM_SIGD_TSX_PRIV_H
#define TANDEM_SIGD_TSX_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <event2/event.h>
#include <event2/event_struct.h>

#include "delay_queue.h"
#include "htable.h"
#include "slab.h"
#include "sigd.h"
#include "sip_msg.h"
#include "tsx.h"

/* Transactions alive at once, all kinds together: beyond, new requests
 * are dropped (their clients retry) and new client transactions refused,
 * so a flood of distinct requests cannot take all the memory. About four
 * per call at sigd's default limit of 250,000 legs. */
#define TSX_MAX_DEFAULT 1000000

/* A slice of t->data; len 0 means absent. */
struct tsx_str {
	uint16_t off, len;
};

/* What the transaction's one timer does when it fires. */
enum tsx_timer_kind {
	TSX_TIMER_NONE,
	TSX_TIMER_RETRANSMIT,	/* A, E, G: send again, double (capped at T2) */
	TSX_TIMER_DEADLINE,	/* B, F, H and every fixed timer: state change */
};

/* What a transaction needs while its exchange goes on (see Memory). */
struct tsx_act {
	struct peer_addr peer;		/* where requests / responses go */
	struct event *timer;		/* while retransmitting: A/B, E/F, G/H */
	int64_t deadline_us;		/* of timer B, F or H (CLOCK_MONOTONIC) */
	struct tsx *cancel;		/* client INVITE: CANCEL waiting for a 1xx */
	char *resp;			/* server: last response sent (not a 2xx to INVITE) */
	uint32_t resp_len;
	struct tsx_str resp_tag;	/* To tag in resp (offsets into resp) */
	struct tsx_str part1, part2;	/* server: the prefix's two parts (offsets into text) */
	uint32_t retr_ms;		/* interval before the next retransmission */
	uint32_t text_len;
	char text[];			/* server: response prefix; client: request, then ACK */
};

struct tsx {
	struct htable_node node;	/* layer->server or layer->client */
	struct htable_node merge_node;	/* layer->merge (server, request without To tag) */
	struct tsx *prev, *next;	/* every allocated transaction (tsx_layer_free) */
	struct dq_entry fe;		/* in fifo */
	struct delay_queue *fifo;	/* the fixed timer running, if any */
	struct tsx_layer *layer;
	struct tsx_act *act;		/* NULL once the exchange is over */
	const struct tsx_client_ops *ops;
	void *owner;
	int64_t created_us;		/* CLOCK_MONOTONIC, for the control socket's llt */
	uint32_t cseq;
	uint16_t port;			/* server: sent-by port, 5060 when absent */
	struct tsx_str branch, host, call_id, from_tag, to_tag, method_name, ruri;
	uint8_t kind;			/* enum tsx_kind */
	uint8_t state;			/* enum tsx_state */
	uint8_t method;			/* enum sip_method */
	uint8_t timer_kind;		/* enum tsx_timer_kind */
	uint8_t busy;			/* callbacks into the TU/owner running on it */
	uint8_t pool;			/* 1 + index in layer->pool; 0: malloc'd */
	bool rfc2543 : 1;		/* server: no magic cookie, §17.2.3 fallback keys */
	bool in_table : 1, in_merge : 1;
	bool held : 1;			/* the TU/owner keeps a pointer: freed on release */
	bool released : 1;		/* tsx_release() was called */
	bool final_sent : 1;		/* server: a final response went out */
	bool cancel_asked : 1;		/* client INVITE: tsx_client_cancel() was called */
	bool timed_out : 1;		/* server non-INVITE: never answered */
	char data[];			/* the keys */
};

/* Transactions come from pools of sizes 192, 256, ... 512 bytes (struct
 * tsx with its keys; longer keys: malloc): they outlive the calls' set-up
 * by 64*T1, and kept off malloc's heap they give their memory back when
 * a burst of calls is over (slab.h). */
#define TSX_POOLS 6
#define TSX_POOL_SIZE(i) (192 + 64 * (size_t)(i))

struct tsx_layer {
	struct sigd *sd;
	struct slab_pool pool[TSX_POOLS];
	const struct tsx_user_ops *tu;
	struct tsx_timers tm;
	struct delay_queue *q_64t1;	/* J, L, M, D, and 64*T1 for a released INVITE */
	struct delay_queue *q_t4;	/* I, K */
	struct delay_queue fifo[2];
	struct htable server, client, merge;
	struct tsx *all;
	size_t count[4], total, max;
	int64_t full_logged_us;		/* last "too many transactions" line */
	uint64_t rng;
	/* Parses the stored INVITE when building an ACK or a CANCEL. */
	struct sip_msg msg;
	/* Renders server prefixes and the messages the layer makes itself. */
	char scratch[SIP_MAX_MESSAGE + 1];
};

static inline struct pl tsx_str_pl(const struct tsx *t, struct tsx_str s)
{
	return s.len ? pl_from(t->data + s.off, s.len) : PL_NULL;
}

/* Appends s to t's keys at *used (sized by tsx_alloc's data_len). */
static inline struct tsx_str tsx_key_put(struct tsx *t, size_t *used, struct pl s)
{
	struct tsx_str k = { (uint16_t)*used, (uint16_t)s.l };

	if (!s.l)
		return (struct tsx_str){ 0, 0 };
	memcpy(t->data + *used, s.p, s.l);
	*used += s.l;
	return k;
}

static inline struct pl tsx_text_pl(const struct tsx *t, struct tsx_str s)
{
	return t->act && s.len ? pl_from(t->act->text + s.off, s.len) : PL_NULL;
}

/* The text (empty: none). */
static inline struct pl tsx_text(const struct tsx *t)
{
	return t->act ? pl_from(t->act->text, t->act->text_len) : PL_NULL;
}

/* tsx.c: life cycle and timers */
bool tsx_layer_full(struct tsx_layer *tl, struct pl call_id);
struct tsx *tsx_alloc(struct tsx_layer *tl, enum tsx_kind kind, size_t data_len);
/* The exchange's part with a copy of buf as its text (a new one, or the
 * one there, its text replaced; len 0: none); -1 when out of memory or
 * too long (the transaction then has none at all). */
int tsx_text_set(struct tsx *t, const char *buf, size_t len);
/* The exchange is over: its part goes (its timer and last response too). */
void tsx_act_free(struct tsx *t);
void tsx_terminate(struct tsx *t);
void tsx_maybe_free(struct tsx *t);
void tsx_destroy(struct tsx *t);
void tsx_timer_retransmit(struct tsx *t, uint32_t first_ms, uint32_t deadline_ms);
void tsx_timer_fixed(struct tsx *t, struct delay_queue *q);
void tsx_timer_stop(struct tsx *t);
/* sigd_send() to the transaction's peer; tsx_transmit_now() with
 * sigd_send_now(), for a first request whose refusal ends the exchange. */
int tsx_transmit(struct tsx *t, const char *buf, size_t len);
int tsx_transmit_now(struct tsx *t, const char *buf, size_t len);
void tsx_random_tag(struct tsx_layer *tl, char out[17]);

/* tsx_match.c: keys and tables */
struct tsx_server_key {
	bool rfc2543;
	struct pl branch, host;
	uint16_t port;
	enum sip_method method;	/* of the transaction wanted (INVITE for ACK/CANCEL) */
	struct pl method_name;
	/* RFC 2543 fallback only */
	bool ack, cancel;
	struct pl call_id, from_tag, to_tag, ruri;
	uint32_t cseq;
};
void tsx_server_key_from(struct tsx_server_key *k, const struct sip_msg *m);
struct tsx *tsx_server_find(struct tsx_layer *tl, const struct tsx_server_key *k);
void tsx_server_insert(struct tsx *t);
bool tsx_merged(struct tsx_layer *tl, const struct sip_msg *m);
void tsx_merge_insert(struct tsx *t);
struct tsx *tsx_client_find(struct tsx_layer *tl, struct pl branch, enum sip_method method,
			    struct pl method_name);
void tsx_client_insert(struct tsx *t);
void tsx_unlink(struct tsx *t);

/* tsx_server.c, tsx_server_in.c, tsx_client.c */
struct tsx *tsx_server_new(struct tsx_layer *tl, const struct sip_msg *m, const struct sip_rx *rx,
			   bool mergeable);
int tsx_respond_scratch(struct tsx *t, unsigned code, struct pl reason, struct pl to_tag);
void tsx_server_receive(struct tsx_layer *tl, const struct sip_msg *m, const struct sip_rx *rx);
void tsx_server_timeout(struct tsx *t);
void tsx_server_retransmit(struct tsx *t);
void tsx_server_release(struct tsx *t);
void tsx_client_receive(struct tsx_layer *tl, const struct sip_msg *m, const struct sip_rx *rx);
void tsx_client_timeout(struct tsx *t);
void tsx_client_retransmit(struct tsx *t);
void tsx_client_release(struct tsx *t);

#endif
