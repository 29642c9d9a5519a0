/*
 * rtpp.h - the control connection to one RTP proxy: Sippy RTPproxy's
 * control protocol (and rtpengine's rtpproxy-compatible listener), or
 * rtpengine's ng protocol, which travels the same way over UDP.
 *
 *   spec        udp:host[:port]   UDP, default port 22222
 *               udp6:host[:port]  the same over IPv6 (udp6:[addr]:port)
 *               tcp:host[:port]   a stream, commands without cookies
 *               unix:/path        a UNIX stream, commands without cookies
 *               cunix:/path       a UNIX stream, commands with cookies
 *               /path             as unix:
 *               ng:host[:port]    rtpengine's ng protocol over UDP (2223)
 *             + optional ";weight=N" (1..1000, default 1): the share of new
 *               calls this proxy gets among those online (media.h)
 *
 * Framing (sippy-behaviour.md §5.2, rtpengine's docs/ng_control_protocol.md):
 * datagrams and cunix lines are "<cookie> <payload>" and the reply is
 * "<cookie> <result>"; unix and tcp lines are "<payload>\n", answered in
 * order. Every request has its own cookie (rtpengine caches replies by
 * cookie: a reused one returns the old reply), and a retransmission reuses
 * it. UDP requests are retransmitted after first_ms, then at doubling
 * intervals, until total_ms have passed; stream requests just wait
 * total_ms. A request that times out is reported, never silently lost.
 *
 * Everything runs on the caller's libevent loop; nothing blocks except
 * rtpp_spec_resolve() (start-up only). Callbacks are never made from
 * inside rtpp_request().
 *
 * rtpp_cmd.c formats the commands of the rtpproxy dialect that both Sippy
 * RTPproxy and rtpengine's listener accept, and parses their replies; it
 * has no state and does no I/O.
 */
#ifndef TANDEM_CCD_RTPP_H
#define TANDEM_CCD_RTPP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>

#include <event2/event.h>

#include "netaddr.h"
#include "pl.h"

#define RTPP_DEFAULT_PORT	22222
#define RTPP_NG_DEFAULT_PORT	2223
#define RTPP_WEIGHT_MAX		1000
#define RTPP_SPEC_MAX		300	/* characters of a spec */
#define RTPP_REPLY_MAX		65536	/* largest reply (an ng SDP) */
#define RTPP_REQUEST_MAX	65536	/* largest request */

enum rtpp_proto {
	RTPP_PROTO_RTPPROXY,	/* "<cookie> U ...": Sippy RTPproxy, rtpengine --listen-udp */
	RTPP_PROTO_NG,		/* "<cookie> d7:command5:offer...e": rtpengine --listen-ng */
};

enum rtpp_transport {
	RTPP_TR_UDP,
	RTPP_TR_TCP,
	RTPP_TR_UNIX,		/* unix: and a bare path */
	RTPP_TR_CUNIX,		/* cunix: a UNIX stream with cookies */
};

struct rtpp_spec {
	enum rtpp_proto proto;
	enum rtpp_transport transport;
	bool ipv6_only;		/* udp6: */
	char host[256];		/* host as written (udp, tcp, ng); no brackets */
	uint16_t port;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];	/* unix, cunix */
	unsigned weight;
	/* Filled by rtpp_spec_resolve() for udp, tcp and ng. */
	struct netaddr addr;
};

/* Parses a -r spec (syntax only). Returns 0, or -1 with a one-line reason. */
int rtpp_spec_parse(const char *s, struct rtpp_spec *spec, char *err, size_t errsz);
/* Resolves the host (getaddrinfo: blocking, start-up only). */
int rtpp_spec_resolve(struct rtpp_spec *spec, char *err, size_t errsz);

/* ---------------------------------------------------------------- client */

struct rtpp_timing {
	uint32_t first_ms;	/* first UDP retransmission (default 500) */
	uint32_t total_ms;	/* give up after this long (default 3000) */
};

#define RTPP_FIRST_MS_DEFAULT	500
#define RTPP_TOTAL_MS_DEFAULT	3000

enum rtpp_result {
	RTPP_OK,		/* reply is the proxy's answer (cookie removed) */
	RTPP_TIMEOUT,		/* no answer within total_ms */
	RTPP_IO_ERROR,		/* the stream broke or could not connect */
};

typedef void (*rtpp_done_fn)(void *arg, enum rtpp_result result, struct pl reply);

struct rtpp_client;

struct rtpp_stats {
	uint64_t requests, retransmissions, replies, timeouts, io_errors;
	uint64_t stray_replies;		/* replies nobody waited for, malformed ones */
};

/*
 * A client for spec (resolved), on base. Sockets are opened lazily by the
 * first request (a stream reconnects on the next request after it broke).
 * cookie_prefix makes this process's cookies unlike a previous one's.
 * Returns NULL with err filled in.
 */
struct rtpp_client *rtpp_client_new(struct event_base *base, const struct rtpp_spec *spec,
				    uint32_t cookie_prefix, const struct rtpp_timing *timing,
				    char *err, size_t errsz);
/* Frees the client; pending requests are dropped without their callbacks. */
void rtpp_client_free(struct rtpp_client *c);

/*
 * Sends payload (copied) and calls fn(arg, ...) exactly once later: with
 * the reply, or a timeout or I/O error. Returns 0, or -1 at once (nothing
 * sent, fn never called) when the payload is too large or no socket can be
 * made.
 */
int rtpp_request(struct rtpp_client *c, struct pl payload, rtpp_done_fn fn, void *arg);
/* Requests sent and not yet answered or timed out. */
size_t rtpp_pending(const struct rtpp_client *c);
const struct rtpp_stats *rtpp_client_stats(const struct rtpp_client *c);
const struct rtpp_spec *rtpp_client_spec(const struct rtpp_client *c);

/* ---------------------------------------------------------------- rtpproxy commands (rtpp_cmd.c) */

#define RTPP_PROTOCOL_VERSION "20040107"	/* the answer to V */

/*
 * One stream of an offer (U) or answer (L) in the dialect both RTPproxy
 * and rtpengine accept (Kamailio's rtpproxy module's):
 *
 *   U[6] <call-id> <addr> <port> <offerer-tag>;<n>[ <answerer-tag>;<n>]
 *   L[6] <call-id> <addr> <port> <offerer-tag>;<n> <answerer-tag>;<n>
 *
 * addr/port are where the sender of this SDP receives the stream; n is the
 * 1-based m= line. An answer always needs both tags; an offer has the
 * second tag once the stream exists on both sides. rtpengine answers tags
 * without ";n" with the sender's own address (no session, no error), so
 * they are never written without it. Notify socket and tag (RTPproxy's
 * media timeout notification, capability 20081224) follow the second tag
 * when given. Returns the length, or -1 when it does not fit or an
 * argument holds a space or a line break.
 */
struct rtpp_stream_cmd {
	bool answer;		/* L instead of U */
	struct pl call_id;
	struct pl addr;		/* numeric; "0.0.0.0" for hold */
	bool ipv6;
	uint16_t port;
	struct pl offerer_tag, answerer_tag;	/* answerer_tag PL_NULL: only one */
	unsigned medianum;
	struct pl notify_socket, notify_tag;	/* PL_NULL: none */
};

int rtpp_cmd_stream(char *buf, size_t cap, const struct rtpp_stream_cmd *cmd);
/* "D <call-id> <tag1>[ <tag2>]": every stream of the call. */
int rtpp_cmd_delete(char *buf, size_t cap, struct pl call_id, struct pl tag1, struct pl tag2);

/* A U/L reply "<port>[ <addr>[ <4|6>]]": port 0, "E<n>" and junk are errors
 * (-1, why set); addr is PL_NULL when the proxy gave none. */
int rtpp_parse_stream_reply(struct pl reply, uint16_t *port, struct pl *addr, bool *ipv6, const char **why);
/* Whether a V reply says the protocol we speak. */
bool rtpp_version_ok(struct pl reply);

#endif
