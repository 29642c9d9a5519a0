#include "zlink.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

struct zlink {
	void *zsock;
	bool router;
	struct event *read_ev;
	struct event *flush_ev;
	zlink_recv_fn fn;
	void *arg;
	/* pending frame and the peer it goes to */
	uint8_t peer[ZLINK_PEER_MAX];
	size_t peer_len;
	uint8_t *frame;
	size_t frame_len;
	struct zlink_stats stats;
};

/*
 * Reads until EAGAIN rather than asking ZMQ_EVENTS before each message:
 * both process the socket's pending commands, which is what re-arms the
 * edge-triggered ZMQ_FD, but each ZMQ_EVENTS costs a poll() on ZeroMQ's
 * mailbox while a successful recv costs none; a batch of k frames then
 * takes one poll instead of k + 1.
 */
static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct zlink *z = arg;

	(void)fd;
	(void)what;
	for (;;) {
		zmq_msg_t id, body;
		struct pl peer = PL_NULL;
		int more = 0, got = 0;
		size_t morelen = sizeof(more);

		zmq_msg_init(&id);
		zmq_msg_init(&body);
		if (z->router) {
			if (zmq_msg_recv(&id, z->zsock, ZMQ_DONTWAIT) < 0)
				goto done;
			peer = pl_from(zmq_msg_data(&id), zmq_msg_size(&id));
		}
		if (zmq_msg_recv(&body, z->zsock, ZMQ_DONTWAIT) < 0)
			goto done;
		got = 1;
		z->stats.frames_in++;
		z->fn(z, peer, zmq_msg_data(&body), zmq_msg_size(&body), z->arg);
		/* The answers to this frame go now, not after the whole backlog:
		 * at most one frame out per frame in. */
		zlink_flush(z);
		/* A peer speaking another framing: discard the extra parts. */
		while (zmq_getsockopt(z->zsock, ZMQ_RCVMORE, &more, &morelen) == 0 && more)
			if (zmq_msg_recv(&body, z->zsock, ZMQ_DONTWAIT) < 0)
				break;
done:
		zmq_msg_close(&id);
		zmq_msg_close(&body);
		if (!got)
			return;
	}
}

static void on_flush(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	zlink_flush(arg);
}

struct zlink *zlink_new(struct event_base *base, void *zsock, bool router, zlink_recv_fn fn,
			void *arg)
{
	struct zlink *z = calloc(1, sizeof(*z));
	int fd;
	size_t fdlen = sizeof(fd);

	if (!z)
		return NULL;
	z->frame = malloc(ZLINK_FRAME_MAX);
	if (!z->frame || zmq_getsockopt(zsock, ZMQ_FD, &fd, &fdlen) < 0) {
		free(z->frame);
		free(z);
		return NULL;
	}
	z->zsock = zsock;
	z->router = router;
	z->fn = fn;
	z->arg = arg;
	z->read_ev = event_new(base, fd, EV_READ | EV_PERSIST, on_readable, z);
	z->flush_ev = event_new(base, -1, 0, on_flush, z);
	/* The peer's frames before new input when the loop has both (a base
	 * with one priority ignores this): in sigd a frame from ccd completes
	 * work already begun, an INVITE to send on, a 200 to answer. */
	event_priority_set(z->read_ev, 0);
	event_priority_set(z->flush_ev, 0);
	event_add(z->read_ev, NULL);
	/* Messages may already be queued (the edge happened before we looked). */
	event_active(z->read_ev, EV_READ, 0);
	return z;
}

void zlink_free(struct zlink *z)
{
	if (!z)
		return;
	event_free(z->read_ev);
	event_free(z->flush_ev);
	zmq_close(z->zsock);
	free(z->frame);
	free(z);
}

static size_t varint_put(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

int zlink_flush(struct zlink *z)
{
	int rc = 0;

	if (z->frame_len == 0)
		return 0;
	if (z->router && zmq_send(z->zsock, z->peer, z->peer_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
		rc = -1;
	if (rc == 0 && zmq_send(z->zsock, z->frame, z->frame_len, ZMQ_DONTWAIT) < 0)
		rc = -1;
	if (rc == 0)
		z->stats.frames_out++;
	else
		z->stats.send_drops++;
	z->frame_len = 0;
	/* The send may have consumed the fd's edge for pending input. */
	event_active(z->read_ev, EV_READ, 0);
	return rc;
}

int zlink_frame_append(struct zlink *z, struct pl peer, const ProtobufCMessage *msg)
{
	size_t size = protobuf_c_message_get_packed_size(msg);
	size_t need = 1 + 10 + size;

	if (need > ZLINK_FRAME_MAX || peer.l > ZLINK_PEER_MAX)
		return -1;
	if (z->router && z->frame_len &&
	    (peer.l != z->peer_len || memcmp(peer.p, z->peer, peer.l) != 0))
		zlink_flush(z);
	if (z->frame_len + need > ZLINK_FRAME_MAX)
		zlink_flush(z);
	if (z->frame_len == 0) {
		if (z->router)
			memcpy(z->peer, peer.p, peer.l);
		z->peer_len = z->router ? peer.l : 0;
		event_active(z->flush_ev, 0, 0);
	}
	z->frame[z->frame_len++] = (1 << 3) | 2; /* field 1, length-delimited */
	z->frame_len += varint_put(z->frame + z->frame_len, size);
	z->frame_len += protobuf_c_message_pack(msg, z->frame + z->frame_len);
	z->stats.msgs_out++;
	return 0;
}

const struct zlink_stats *zlink_stats(const struct zlink *z)
{
	return &z->stats;
}

void *zlink_socket(struct zlink *z)
{
	return z->zsock;
}

int zlink_ctx_set_cpus(void *zctx, const cpu_set_t *set, char *err, size_t errsz)
{
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, set) && zmq_ctx_set(zctx, ZMQ_THREAD_AFFINITY_CPU_ADD, c) < 0) {
			snprintf(err, errsz, "cannot give ZeroMQ's threads CPU %d: %s", c,
				 zmq_strerror(zmq_errno()));
			return -1;
		}
	return 0;
}
