/*
 * nodes.h - ccd's link to the sigd nodes (docs/protocol.md).
 *
 * One ZeroMQ ROUTER (bound on cfg.bind) driven by zlink: inbound frames are
 * decoded, each message checked, and handed on (Hello and heartbeats here,
 * LegEvent and LegClosed to the call controller); outbound messages are
 * batched per node until the loop iteration ends.
 *
 * The registry holds, by routing id, the live nodes (they said Hello and
 * got Welcome) and a bounded number of strangers (peers that sent
 * something else first: each is logged once, then ignored until it says
 * Hello). A live node that stays silent for CCD_HEARTBEAT_MISSES intervals
 * is down: its calls end and it is removed. A Hello with a new instance
 * from a live node means it restarted: its calls end, it stays.
 */
#ifndef TANDEM_CCD_NODES_H
#define TANDEM_CCD_NODES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "htable.h"
#include "legref.h"
#include "pl.h"
#include "tandem.pb-c.h"
#include "zlink.h"

struct ccd;

#define NODE_ID_MAX		63	/* docs/protocol.md: printable, 1 to 63 bytes */
#define NODE_HOST_MAX		255
#define NODES_LIVE_MAX		256
#define NODES_STRANGERS_MAX	64
#define NODES_PROTOCOL		1	/* Hello.protocol we speak */

enum node_state {
	NODE_STRANGER,	/* never said Hello (or a Hello we refused) */
	NODE_LIVE,	/* said Hello, got Welcome */
};

struct node {
	struct htable_node hnode;	/* registry, by routing id */
	struct ccd *cd;
	enum node_state state;
	uint8_t id_len;
	char id[ZLINK_PEER_MAX + 1];	/* the routing id, NUL-terminated */
	uint64_t serial;		/* unique per node struct, for leg hashing */
	uint64_t instance;		/* Hello.instance */
	/* Host of the node's first listen address, for the From of the
	 * originate legs it carries; empty when it sent none we can use. */
	char listen_host[NODE_HOST_MAX + 1];
	int64_t last_heard_ms;
	struct event *heartbeat_ev;	/* live nodes only */
	struct legref_list legs;	/* every leg of a call on this node */
	/* Since our last Welcome to it: messages queued for it and messages
	 * from it; the backlog its last Heartbeat showed (node_queue_depth)
	 * and the legs it reported. */
	uint64_t msgs_sent, msgs_received, queue_depth;
	uint32_t hb_legs;
};

/* Binds the ROUTER on cd->cfg.bind (cd->base and cd->zctx must exist).
 * Returns 0, or -1 with a one-line reason. */
int nodes_open(struct ccd *cd, char *err, size_t errsz);

/* Frees every node and closes the socket. Free the calls first. */
void nodes_close(struct ccd *cd);

/* Queues one message for a live node (sent when the loop iteration ends).
 * Returns -1 (logged and counted) if it could not be queued. */
int nodes_send(struct ccd *cd, struct node *n, const Tandem__Message *m);

static inline struct pl node_id(const struct node *n)
{
	return pl_from(n->id, n->id_len);
}

struct node *nodes_find(struct ccd *cd, struct pl id);
size_t nodes_live(const struct ccd *cd);
size_t nodes_strangers(const struct ccd *cd);
/* Visits every live node; fn must not remove nodes. */
void nodes_foreach(struct ccd *cd, void (*fn)(struct node *n, void *arg), void *arg);

/*
 * The node's backlog from us: when its last Heartbeat arrived, how many of
 * the messages we had sent it by then it had not received when it wrote
 * that Heartbeat (Heartbeat.received). Taken at arrival, so an idle link
 * shows 0 however busy it is; one that lags shows its lag.
 */
static inline uint64_t node_queue_depth(const struct node *n)
{
	return n->queue_depth;
}
const struct zlink_stats *nodes_link_stats(const struct ccd *cd);

#endif
