/*
 * tsx.h - SIP transactions (RFC 3261 §17, RFC 6026, RFC 3581): the layer
 * between sigd's transport and its transaction users (the UA state machine
 * of each leg, and the out-of-dialog handler).
 *
 * The transaction layer owns retransmission and its timers, absorbs
 * retransmitted requests (re-sending the last response), answers CANCEL
 * (200) and the INVITE it cancels (487 is the TU's decision: on_cancel),
 * sends the ACK for non-2xx final responses of client INVITE transactions,
 * detects merged requests (482), and routes responses back per Via
 * (received / rport). It never decides anything about calls.
 *
 * Memory: a server transaction keeps a compact copy of what every response
 * needs (the Via lines with received/rport filled in, From, To, Call-ID,
 * CSeq) so the TU can answer long after the request's receive buffer is
 * gone, until its final response, plus the last response sent (for
 * retransmissions). A client transaction keeps the request bytes it
 * retransmits until its final response. What stays for the rest of the
 * transaction's life (64*T1 after a final, mostly) is a small struct with
 * the matching keys (tsx_priv.h).
 *
 * Timers (RFC 3261 Table 4, T1/T2/T4 configurable; T2 caps every doubling
 * interval, including timer A for INVITE, unlike Sippy):
 *   client INVITE      A (retransmit), B (64*T1 timeout -> 408 to the TU),
 *                      D (32 s wait in Completed), M (RFC 6026 Accepted, 64*T1)
 *   client non-INVITE  E (retransmit, capped at T2), F (64*T1 -> 408), K (T4)
 *   server INVITE      G (retransmit final non-2xx), H (64*T1 wait for ACK),
 *                      I (T4 in Confirmed), L (RFC 6026 Accepted, 64*T1)
 *   server non-INVITE  J (64*T1 in Completed)
 * 2xx responses to INVITE are retransmitted by the TU (the UA), not here,
 * as RFC 3261 §13.3.1.4 says; the ACK for a 2xx goes to the TU (on_ack).
 */
#ifndef TANDEM_SIGD_TSX_H
#define TANDEM_SIGD_TSX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"
#include "pl.h"
#include "sip_msg.h"

struct sigd;
struct tsx;
struct sip_writer;

enum tsx_kind {
	TSX_SERVER_INVITE,
	TSX_SERVER_NON_INVITE,
	TSX_CLIENT_INVITE,
	TSX_CLIENT_NON_INVITE,
};

enum tsx_state {
	TSX_CALLING,	/* client INVITE */
	TSX_TRYING,	/* client/server non-INVITE */
	TSX_PROCEEDING,
	TSX_COMPLETED,
	TSX_CONFIRMED,	/* server INVITE after ACK */
	TSX_ACCEPTED,	/* RFC 6026: INVITE after a 2xx */
	TSX_TERMINATED,
};

/*
 * A peer's IPv4 or IPv6 address and port in 24 bytes where a struct
 * netaddr takes 136: what transactions and legs keep for as long as they
 * live (tsx_addr.c).
 */
struct peer_addr {
	uint8_t family;		/* AF_INET, AF_INET6, 0 = none */
	uint16_t port;
	uint8_t addr[16];
	uint32_t scope_id;	/* IPv6 link-local addresses */
};

/* Another family than IPv4 or IPv6 becomes "none". */
void peer_addr_set(struct peer_addr *a, const struct netaddr *n);
/* False (n cleared) for "none". */
bool peer_addr_get(const struct peer_addr *a, struct netaddr *n);

/* Where a message came from and which of our sockets got it. */
struct sip_rx {
	struct netaddr src;
	int sock;		/* index of the receiving socket in the transport */
	int64_t time_us;	/* wall clock at receipt (CLOCK_REALTIME, µs) */
};

/*
 * What a client transaction reports to its owner (a UAC leg, or a UAS leg
 * sending BYE/INFO/re-INVITE in its dialog). Called from the event loop;
 * the owner may call any tsx function, including tsx_release(t).
 */
struct tsx_client_ops {
	/* Every response (provisional and final; 2xx retransmissions of an
	 * INVITE too, so the UA can re-send its ACK). */
	void (*on_response)(void *owner, struct tsx *t, const struct sip_msg *resp,
			    const struct sip_rx *rx);
	/* Timer B/F fired or the transport failed: treat as 408. */
	void (*on_timeout)(void *owner, struct tsx *t);
	/* Optional: the transaction ended on its own after its final
	 * response (timers M, D, K): nothing more will come of it, and the
	 * owner lets it go. An INVITE answered 2xx is held until then to
	 * ACK the 2xx retransmissions, without a timer of the owner's. */
	void (*on_done)(void *owner, struct tsx *t);
};

/*
 * The transaction user for requests that start server transactions. One
 * per sigd (the dispatcher that finds the leg, or handles the request out
 * of dialog). Called from the event loop.
 */
struct tsx_user_ops {
	/* A new request (not a retransmission, not an ACK, not a CANCEL).
	 * The TU answers now or later with tsx_respond*(). If it never
	 * answers a non-INVITE, the transaction times out silently. */
	void (*on_request)(struct sigd *sd, struct tsx *t, const struct sip_msg *req,
			   const struct sip_rx *rx);
	/* An ACK that matched no server transaction in Completed: the ACK for
	 * a 2xx (also retransmissions of it: the TU de-duplicates). */
	void (*on_ack)(struct sigd *sd, const struct sip_msg *ack, const struct sip_rx *rx);
	/* A CANCEL that matched a server INVITE transaction still without a
	 * final response. The CANCEL itself has been answered 200 already; the
	 * TU now answers the INVITE (487) and ends the leg. */
	void (*on_cancel)(struct sigd *sd, struct tsx *invite, const struct sip_msg *cancel,
			  const struct sip_rx *rx);
	/* Timer H fired: the ACK for a non-2xx final response never came
	 * (the TU watches the ACK of its own 2xx). May be NULL. */
	void (*on_ack_timeout)(struct sigd *sd, struct tsx *invite);
};

struct tsx_timers {
	uint32_t t1_ms;		/* 500 */
	uint32_t t2_ms;		/* 4000 */
	uint32_t t4_ms;		/* 5000 */
};

/* ---------------------------------------------------------------- layer */

/* Sets up the transaction tables; ops is the TU for new requests. */
int tsx_layer_init(struct sigd *sd, const struct tsx_user_ops *ops, const struct tsx_timers *tm);
void tsx_layer_free(struct sigd *sd);

/*
 * Entry point from the transport for every parsed message. Requests are
 * matched to server transactions (retransmissions absorbed, ACK and CANCEL
 * handled) or handed to the TU; responses are matched to client
 * transactions (or dropped and counted: a stray response). Merged requests
 * (RFC 3261 §8.2.2.2: no To tag, same Call-ID/From tag/CSeq as a pending
 * server transaction, different branch) are answered 482 here.
 */
void tsx_receive(struct sigd *sd, const struct sip_msg *m, const struct sip_rx *rx);

/* Transactions alive now, by kind (for the control socket and metrics). */
size_t tsx_count(const struct sigd *sd, enum tsx_kind kind);

/* One transaction as ccd's control socket lists it (`lt`, `llt`). */
struct tsx_info {
	enum tsx_kind kind;
	enum tsx_state state;
	struct pl method, call_id, branch;	/* valid during the callback */
	uint32_t cseq;
	int64_t age_ms;		/* since it was created */
};

/* Visits every allocated transaction; fn must not create or free any. */
void tsx_foreach(struct sigd *sd, void (*fn)(const struct tsx_info *ti, void *arg), void *arg);

/* ---------------------------------------------------------------- server */

/*
 * Writes the response prefix for t into w: status line, the Via lines (with
 * received/rport as RFC 3581 wants), From, To (with to_tag appended when
 * the request's To had none and to_tag is set), Call-ID, CSeq. The caller
 * appends its own headers (Contact, Record-Route, Server, Reason...) and
 * finishes with sip_w_finish(), then calls tsx_send_response().
 */
void tsx_response_begin(struct tsx *t, struct sip_writer *w, unsigned code, struct pl reason,
			struct pl to_tag);

/*
 * Sends a response built with tsx_response_begin() and drives the state
 * machine: 1xx keeps the transaction (last one retransmitted on request
 * retransmissions), a non-2xx final is kept and retransmitted (timer G for
 * INVITE over UDP) until ACK or timer H, a 2xx to INVITE moves it to
 * Accepted (RFC 6026). Returns -1 when t already has a final response.
 */
int tsx_send_response(struct tsx *t, const char *buf, size_t len, unsigned code);

/* Shorthand: a response with no extra headers and no body. */
int tsx_respond(struct tsx *t, unsigned code, struct pl reason, struct pl to_tag);

/* ---------------------------------------------------------------- client */

/*
 * Sends a request built by the caller (complete bytes, top Via carrying
 * branch) to dst, and keeps it for retransmission. method_id and branch are
 * those written into the request. Returns NULL if the request cannot be
 * stored or sent.
 */
struct tsx *tsx_client_send(struct sigd *sd, const struct tsx_client_ops *ops, void *owner,
			    const struct netaddr *dst, const char *buf, size_t len,
			    enum sip_method method_id, struct pl branch);

/*
 * Cancels a client INVITE transaction (RFC 3261 §9.1): if no provisional
 * response arrived yet, the CANCEL is deferred until one does (or the
 * transaction ends); then a CANCEL with the INVITE's branch, Request-URI,
 * Route set, From, To, Call-ID and CSeq number is sent in its own client
 * transaction (owned by the layer). Idempotent.
 */
void tsx_client_cancel(struct tsx *t, struct pl reason_header);

/* ---------------------------------------------------------------- common */

/*
 * Detaches the owner: no more callbacks; the transaction finishes its
 * protocol duties (retransmissions, absorbing) on its own and frees itself.
 *
 * Who may hold a struct tsx * (and so must call this exactly once):
 *   - a client transaction's owner, from tsx_client_send() on;
 *   - the TU of a server transaction once it called tsx_set_owner() on it
 *     (a leg keeping its INVITE): the layer then never frees it before the
 *     release, which is safe at any time, before or after the final
 *     response. Releasing an unanswered one sends nothing: it absorbs
 *     retransmissions for 64*T1, then ends.
 * A server transaction the TU never adopted is the layer's once its final
 * response is sent: the TU must forget it then (a release right after the
 * final is harmless, a later one is not).
 */
void tsx_release(struct tsx *t);

enum tsx_kind tsx_kind(const struct tsx *t);
enum tsx_state tsx_state(const struct tsx *t);
/* The request's method, branch, Call-ID and CSeq number, kept by the tsx. */
enum sip_method tsx_method(const struct tsx *t);
uint32_t tsx_cseq(const struct tsx *t);
struct pl tsx_call_id(const struct tsx *t);
/* Where t's requests or responses go, while t still sends any (until a
 * 2xx to an INVITE, or the end of a non-2xx's retransmissions); family 0
 * after that. */
struct netaddr tsx_peer(const struct tsx *t);

/* Owner pointer for server transactions, set by the TU (e.g. its leg) so
 * later events (on_cancel) find it without a lookup. A non-NULL owner also
 * adopts the transaction (see tsx_release). */
void tsx_set_owner(struct tsx *t, void *owner);
void *tsx_owner(const struct tsx *t);

#endif
