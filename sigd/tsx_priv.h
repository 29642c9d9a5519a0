/*
 * tsx_priv.h - the inside of the transaction layer, shared by tsx.c (the
 * layer, timers, life cycle), tsx_match.c (keys and tables), tsx_server.c,
 * tsx_server_in.c and tsx_client.c (the four state machines). Nothing
 * outside these files includes it.
 *
 * One transaction is one allocation: the struct, then the bytes it keeps
 * (data[]), addressed by 16-bit offsets. A server transaction keeps the
 * response prefix rendered once (Via lines with received/rport, From,
 * "To: <value>" | "\r\nCall-ID..CSeq..\r\n"), and its matching keys are
 * slices of that text; a client transaction keeps the request it
 * retransmits. The last response of a server transaction is the one
 * further block (resp), since its size is unknown until the TU sends it.
 */
#ifndef TANDEM_SIGD_TSX_PRIV_H
#define TANDEM_SIGD_TSX_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/event_struct.h>

#include "htable.h"
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

struct tsx {
	struct htable_node node;	/* layer->server or layer->client */
	struct htable_node merge_node;	/* layer->merge (server, request without To tag) */
	struct tsx *prev, *next;	/* every allocated transaction (tsx_layer_free) */
	struct tsx_layer *layer;
	struct event timer;
	struct netaddr peer;		/* where requests / responses go */
	const struct tsx_client_ops *ops;
	void *owner;
	struct tsx *cancel;		/* client INVITE: CANCEL waiting for a 1xx */
	char *resp;			/* server: last response sent (not a 2xx to INVITE) */
	uint32_t resp_len;
	struct tsx_str resp_tag;	/* To tag in resp (offsets into resp) */
	uint32_t cseq;
	uint32_t retr_ms;		/* interval before the next retransmission */
	int64_t deadline_us;		/* of timer B, F or H (CLOCK_MONOTONIC) */
	int64_t created_us;		/* CLOCK_MONOTONIC, for the control socket's llt */
	uint16_t port;			/* server: sent-by port, 5060 when absent */
	struct tsx_str part1, part2;	/* server: response prefix; client: part1 = request */
	struct tsx_str branch, host, call_id, from_tag, to_tag, method_name, ruri;
	uint8_t kind;			/* enum tsx_kind */
	uint8_t state;			/* enum tsx_state */
	uint8_t method;			/* enum sip_method */
	uint8_t timer_kind;		/* enum tsx_timer_kind */
	uint8_t busy;			/* callbacks into the TU/owner running on it */
	bool rfc2543;			/* server: no magic cookie, §17.2.3 fallback keys */
	bool in_table, in_merge;
	bool held;			/* the TU/owner keeps a pointer: freed on release */
	bool released;			/* tsx_release() was called */
	bool final_sent;		/* server: a final response went out */
	bool cancel_asked;		/* client INVITE: tsx_client_cancel() was called */
	bool timed_out;			/* server non-INVITE: never answered */
	char data[];
};

struct tsx_layer {
	struct sigd *sd;
	const struct tsx_user_ops *tu;
	struct tsx_timers tm;
	const struct timeval *ct_64t1;	/* common timeouts: B/F/H/J/L/M/D */
	const struct timeval *ct_t4;	/* I, K */
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

/* tsx.c: life cycle and timers */
bool tsx_layer_full(struct tsx_layer *tl, struct pl call_id);
struct tsx *tsx_alloc(struct tsx_layer *tl, enum tsx_kind kind, size_t data_len);
void tsx_terminate(struct tsx *t);
void tsx_maybe_free(struct tsx *t);
void tsx_destroy(struct tsx *t);
void tsx_timer_retransmit(struct tsx *t, uint32_t first_ms, uint32_t deadline_ms);
void tsx_timer_fixed(struct tsx *t, const struct timeval *common);
void tsx_timer_stop(struct tsx *t);
int tsx_transmit(struct tsx *t, const char *buf, size_t len);
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
