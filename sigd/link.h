/*
 * link.h - sigd's ZeroMQ link to ccd (docs/protocol.md, "Node life").
 *
 * A DEALER socket with the node id as routing id, connected to
 * cfg.ccd_endpoint and driven by common/zlink.h. sigd says Hello once a
 * second until Welcome; then both sides send a Heartbeat every
 * Welcome.heartbeat_interval_ms. The link is "ready" after a Welcome and
 * while something arrived from ccd within three intervals; new INVITEs
 * are only routed while it is ready (else 503 + Retry-After). A Heartbeat
 * carrying a new ccd instance means ccd restarted: Hello again, listing
 * the live legs, and the legs ccd does not know (Welcome.unknown_legs)
 * are ended. Welcome.nonce_secret, when given, replaces the node's own
 * digest nonce secret (leg.h); LegOptions set a leg's keep-alives (ua.h).
 *
 * Everything from ccd is validated before use: a frame that does not
 * unpack, a message of the wrong direction, an event for an unknown leg,
 * absurd values: each costs a counter and a log line, never a crash.
 */
#ifndef TANDEM_SIGD_LINK_H
#define TANDEM_SIGD_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tandem.pb-c.h"

struct sigd;

/* Send high-water mark (messages queued towards ccd before drops). */
#define LINK_SNDHWM 100000
#define LINK_LINGER_MS 200
#define LINK_HELLO_MS 1000
/* Before the first Welcome, and the bounds of Welcome's interval. */
#define LINK_HEARTBEAT_DEFAULT_MS 1000
#define LINK_HEARTBEAT_MIN_MS 10
#define LINK_HEARTBEAT_MAX_MS 600000
/* Live legs listed per Hello (a Hello must fit one ZeroMQ frame). */
#define LINK_HELLO_LEGS_MAX 2000
/* Welcome.forward_headers kept. */
#define LINK_FORWARD_MAX 32

struct link_stats {
	uint64_t frames_in, bad_frames, msgs_in, bad_msgs;
	uint64_t hellos_out, welcomes_in, heartbeats_in, heartbeats_out;
	uint64_t ccd_restarts, downs;
	uint64_t send_failures;	/* a message that could not be queued */
};

int link_init(struct sigd *sd);
void link_free(struct sigd *sd);

/* Welcome received and ccd heard from within three intervals. */
bool link_ready(struct sigd *sd);

/* Queues one message for ccd (sent at the end of the loop iteration).
 * Returns -1 when it cannot be queued (counted). */
int link_send(struct sigd *sd, const Tandem__Message *msg);

/* Sends what link_send() gathered now rather than when the loop turns
 * (the transport calls it after each batch of datagrams). */
void link_flush(struct sigd *sd);

/* LegClosed for a leg that reached Dead. */
void link_leg_closed(struct sigd *sd, uint64_t leg, unsigned last_state);

/* Welcome.forward_headers (valid until the next Welcome). */
void link_forward_headers(struct sigd *sd, char *const **names, size_t *n);

const struct link_stats *link_stats(const struct sigd *sd);

/* ccd's backlog from this node: of the messages sent to it by the time
 * its last Heartbeat arrived, those it had not received when it wrote it
 * (Heartbeat.received). */
uint64_t link_queue_depth(const struct sigd *sd);

/* Answers ccd's ListRequest (control socket `l`, `lt`, `llt`): one or
 * more ListReply, at most LINK_LIST_MAX items in all. */
#define LINK_LIST_MAX 1000000
void link_on_list_request(struct sigd *sd, const Tandem__ListRequest *rq);

/* The inbound path, exposed for tests: one payload frame from ccd. */
void link_receive(struct sigd *sd, const uint8_t *data, size_t len);

#endif
