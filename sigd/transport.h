/*
 * transport.h - sigd's UDP transport (RFC 3261 §18, RFC 3581): the read
 * path from the sockets of udp.h to tsx_receive(), and what every response
 * needs from the transport: its destination and its top Via.
 *
 * sigd_send(), sigd_local_addr() and sigd_now_us() (declared in sigd.h)
 * are implemented in transport.c.
 */
#ifndef TANDEM_SIGD_TRANSPORT_H
#define TANDEM_SIGD_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"
#include "pl.h"
#include "sip_via.h"

struct sigd;
struct sip_writer;

/* Datagrams read per recvmmsg() call, and calls per wake-up (so that a
 * flood cannot starve the rest of the loop). */
#define TRANSPORT_BATCH 16
#define TRANSPORT_BATCHES_PER_WAKEUP 4
/* Datagrams, and their bytes, held for one sendmmsg() (transport_hold). */
#define TRANSPORT_TX_BATCH 32
#define TRANSPORT_TX_BYTES 65536
/* Anything shorter cannot be a SIP message: not parsed, counted as not SIP. */
#define TRANSPORT_MIN_SIP 16
/* How long sigd_local_addr() trusts what the kernel said about a route. */
#define TRANSPORT_LOCAL_ADDR_TTL_US (60 * 1000000LL)

/*
 * Registers a read event for every socket of sd->udp on sd->base and
 * allocates the receive buffers. Call after sigd_udp_open() and
 * event_base_new(). Returns 0, or -1 (out of memory, or a socket whose
 * address cannot be read).
 */
int transport_init(struct sigd *sd);
/* Removes the events and frees the buffers; the sockets are udp.c's. */
void transport_free(struct sigd *sd);

/*
 * Between transport_hold() and the matching transport_release() (they
 * nest), sigd_send() queues datagrams instead of sending each one; the
 * last release sends them with one sendmmsg() per socket. The read
 * callback holds around each batch of datagrams, link.c around each frame
 * from ccd: the answers to a burst leave together, after the batch's
 * events are on their way to ccd. A send error then shows in the
 * counters and the log, not in sigd_send()'s result: what must know
 * uses sigd_send_now().
 */
void transport_hold(struct sigd *sd);
void transport_release(struct sigd *sd);

/*
 * One received datagram from src on socket sock: the filter for non-SIP
 * bytes, the parser, the 400 for a malformed request, then tsx_receive().
 * The read callback calls it for every datagram; tests and fuzzers call it
 * directly. buf is modified (the parser unfolds headers in place).
 */
void transport_datagram(struct sigd *sd, int sock, char *buf, size_t len,
			const struct netaddr *src);

/*
 * Where the response to a request goes (§18.2.2 for unreliable
 * transports, RFC 3581 §4): the source address of the request, to the
 * source port when its top Via asked for rport, else to the sent-by port
 * (5060 when absent).
 */
void transport_reply_dest(const struct sip_via *v, const struct netaddr *src,
			  struct netaddr *dst);

/*
 * Writes "Via: <value>\r\n" for the top Via of a response: value (the
 * request's top Via, which v was parsed from) with "received=<source IP>"
 * when the sent-by host is not the source address or rport was asked
 * (RFC 3581 §4 wants it then even when equal), and "rport=<source port>"
 * in place of an empty rport. Returns the offset in w->buf where the value
 * starts; *branch_at gets the offset of the branch value (0 when none).
 */
size_t transport_write_top_via(struct sip_writer *w, struct pl value, const struct sip_via *v,
			       const struct netaddr *src, size_t *branch_at);

/*
 * Answers a request that sip_msg_parse() refused with "400 <reason>"
 * (505 for an unsupported SIP version), if the headers a response needs
 * (Via, From, To, Call-ID, CSeq) can still be found in buf; ACKs are never
 * answered. Returns 0 when the response was sent, -1 when the request was
 * dropped. Internal to the transport (transport_reject.c).
 */
int transport_reject(struct sigd *sd, const char *buf, size_t len, const char *reason,
		     const struct netaddr *src);

#endif
