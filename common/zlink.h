/*
 * zlink.h - a ZeroMQ socket driven by a libevent loop, with batching.
 *
 * ZMQ_FD is edge-triggered in effect: it only says that ZMQ_EVENTS may
 * have changed. So every wake-up drains the socket until ZMQ_EVENTS has no
 * POLLIN, and every send re-arms the read event, because a send can
 * consume the edge of a pending inbound message (both stalls are
 * reproducible; see docs/ARCHITECTURE.md).
 *
 * Outbound messages are batched: zlink_frame_append() adds a packed
 * protobuf message to the pending frame for one peer, and the frame goes
 * out as one ZeroMQ message when the loop finishes the current callbacks
 * (or when it grows past ZLINK_FRAME_MAX). A protobuf `repeated Message`
 * field is just the concatenation of (tag, length, bytes) records, so
 * batching needs no intermediate structs and no allocation per message.
 */
#ifndef TANDEM_ZLINK_H
#define TANDEM_ZLINK_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <protobuf-c/protobuf-c.h>

#include "pl.h"

#define ZLINK_FRAME_MAX  (256 * 1024)
#define ZLINK_PEER_MAX   255	/* ZeroMQ routing ids are at most 255 bytes */

struct zlink;

/*
 * One inbound ZeroMQ message: peer is the routing id on a ROUTER socket and
 * empty on a DEALER; data/len the payload frame (valid during the call).
 */
typedef void (*zlink_recv_fn)(struct zlink *z, struct pl peer, const uint8_t *data, size_t len,
			      void *arg);

/* Takes ownership of zsock (a ROUTER or DEALER); closes it in zlink_free. */
struct zlink *zlink_new(struct event_base *base, void *zsock, bool router, zlink_recv_fn fn,
			void *arg);
void zlink_free(struct zlink *z);

/*
 * Appends one message (packed as field 1 of the Frame) to the pending
 * frame for peer (ignored on a DEALER). Returns -1 if the message alone is
 * larger than ZLINK_FRAME_MAX.
 */
int zlink_frame_append(struct zlink *z, struct pl peer, const ProtobufCMessage *msg);

/* Sends the pending frame now. Returns -1 when ZeroMQ refused it (peer
 * unknown on a ROUTER, or its queue at the high-water mark): dropped. */
int zlink_flush(struct zlink *z);

/* Counters for metrics and logs. */
struct zlink_stats {
	uint64_t frames_in, frames_out, msgs_out, send_drops;
};
const struct zlink_stats *zlink_stats(const struct zlink *z);

void *zlink_socket(struct zlink *z);

/* ZeroMQ's I/O and reaper threads of zctx on the CPUs of set (--zmq-cpu,
 * cpu_affinity.h): call before the context's first socket. -1 with the
 * reason in err. */
int zlink_ctx_set_cpus(void *zctx, const cpu_set_t *set, char *err, size_t errsz);

#endif
