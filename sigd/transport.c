/*
 * transport.c - sigd's UDP transport: datagrams in (recvmmsg batches ->
 * filter -> parser -> tsx_receive) and out (sigd_send), and the local
 * address sigd writes into Via and Contact (RFC 3261 §18).
 *
 * The receive buffers live in the transport's state, not on the stack: a
 * batch is TRANSPORT_BATCH datagrams of up to 64 KiB each. Each parsed
 * message is handed on and forgotten before the next one, so the slices of
 * a struct sip_msg never outlive the call to tsx_receive().
 */
#include "transport.h"
#include "link.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "htable.h"
#include "log.h"
#include "metrics_sigd.h"
#include "overload.h"
#include "sigd.h"
#include "sip_char.h"
#include "sip_msg.h"
#include "tsx.h"

#define RX_BUF 65536
#define LOCAL_CACHE 64	/* sigd_local_addr() destinations remembered (direct-mapped) */
#define HOST_MAX 48	/* "[" IPv6 "]" */

struct local_entry {
	int64_t expires_us;	/* 0: empty */
	int family;
	uint8_t addr[16];
	uint8_t host_len;
	char host[HOST_MAX];
};

struct sock_info {
	int family;
	bool wildcard;
	uint16_t port;
	uint8_t host_len;
	char host[HOST_MAX];	/* bound address, IPv6 in brackets */
};

/* At most one log line per second about each kind of rubbish. */
struct quiet_log {
	int64_t last_us;
	uint64_t suppressed;
};

/* Room for the kernel's receive timestamp (SO_TIMESTAMPNS) of a datagram:
 * overload.h measures how long datagrams wait in the queue. */
union rx_control {
	char buf[CMSG_SPACE(sizeof(struct timespec))];
	struct cmsghdr align;
};

/*
 * Datagrams held while a batch of input is handled (transport_hold), sent
 * together by one sendmmsg() per socket when it ends: one system call and
 * one wake-up of each peer for a burst instead of one per datagram, and
 * nothing sent before the batch's events are on their way to ccd.
 */
struct tx_queue {
	int hold;		/* transport_hold() depth */
	int sock;		/* the socket of everything queued */
	unsigned n;
	size_t used;
	struct mmsghdr mm[TRANSPORT_TX_BATCH];
	struct iovec iov[TRANSPORT_TX_BATCH];
	struct sockaddr_storage dst[TRANSPORT_TX_BATCH];
	char buf[TRANSPORT_TX_BYTES];
};

struct sigd_transport {
	struct sock_info sock[SIGD_UDP_MAX_SOCKETS];
	struct tx_queue tx;
	struct local_entry cache[LOCAL_CACHE];
	struct quiet_log not_sip_log, malformed_log, send_log;
	struct sip_msg msg;
	struct sip_parse_error err;
	struct mmsghdr mm[TRANSPORT_BATCH];
	struct iovec iov[TRANSPORT_BATCH];
	struct sockaddr_storage from[TRANSPORT_BATCH];
	union rx_control control[TRANSPORT_BATCH];
	char buf[TRANSPORT_BATCH][RX_BUF];
};

int64_t sigd_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* "1.2.3.4" or "[::1]": the form that goes into a Via or a URI as is. */
static uint8_t host_text(const struct netaddr *a, char *out)
{
	char ip[NETADDR_STRLEN];
	size_t n;

	netaddr_host_str(a, ip, sizeof(ip));
	n = strlen(ip);
	if (netaddr_family(a) == AF_INET6 && n + 2 < HOST_MAX) {
		out[0] = '[';
		memcpy(out + 1, ip, n);
		out[n + 1] = ']';
		return (uint8_t)(n + 2);
	}
	n = n < HOST_MAX ? n : HOST_MAX - 1;
	memcpy(out, ip, n);
	return (uint8_t)n;
}

static bool is_wildcard(const struct netaddr *a)
{
	if (netaddr_family(a) == AF_INET)
		return ((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr == htonl(INADDR_ANY);
	return memcmp(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr, &in6addr_any,
		      sizeof(in6addr_any)) == 0;
}

/* ---------------------------------------------------------------- logging */

static bool quiet_log_due(struct quiet_log *q, int64_t now_us)
{
	if (q->last_us && now_us - q->last_us < 1000000) {
		q->suppressed++;
		return false;
	}
	q->last_us = now_us;
	return true;
}

/* The Call-ID of a message we send, for the log line: the value of the
 * first "Call-ID:" or "i:" line of the header section. */
static struct pl sent_call_id(const char *buf, size_t len)
{
	const char *end = buf + len, *p = memchr(buf, '\n', len);

	while (p && ++p < end && *p != '\r' && *p != '\n') {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		const char *colon = memchr(p, ':', (size_t)(eol - p));

		if (colon) {
			struct pl name = pl_trim(pl_from(p, (size_t)(colon - p)));

			if (pl_caseeq_str(name, "call-id") || pl_caseeq_str(name, "i"))
				return pl_trim(pl_from(colon + 1, (size_t)(eol - colon - 1)));
		}
		p = nl;
	}
	return PL_NULL;
}

/* ---------------------------------------------------------------- sending */

static int sock_of_family(const struct sigd *sd, int family)
{
	for (int i = 0; i < sd->udp.nfd; i++)
		if (sd->udp.tp->sock[i].family == family)
			return i;
	return -1;
}

static void send_failed(struct sigd *sd, const struct netaddr *dst, const char *buf, size_t len,
			const char *why)
{
	char where[NETADDR_STRLEN];

	sd->stats.send_errors++;
	if (sd->udp.tp && quiet_log_due(&sd->udp.tp->send_log, monotonic_us())) {
		LOGW(sent_call_id(buf, len), "cannot send to %s: %s (%llu more since the last line)",
		     netaddr_str(dst, where, sizeof(where)), why,
		     (unsigned long long)sd->udp.tp->send_log.suppressed);
		sd->udp.tp->send_log.suppressed = 0;
	}
}

static void sent(struct sigd *sd, const char *buf, size_t len)
{
	sd->stats.datagrams_out++;
	metrics_sigd_count_out(sd, buf, len);
}

static void tx_flush(struct sigd *sd)
{
	struct tx_queue *q = &sd->udp.tp->tx;
	unsigned done = 0;

	while (done < q->n) {
		int n = sendmmsg(sd->udp.fd[q->sock], q->mm + done, q->n - done, MSG_DONTWAIT);

		if (n <= 0) {
			/* The first datagram left was refused: say so, go on
			 * with the next. */
			struct netaddr dst = { .len = q->mm[done].msg_hdr.msg_namelen };
			const char *why = strerror(n < 0 ? errno : EIO);

			memcpy(&dst.ss, &q->dst[done], sizeof(dst.ss));
			send_failed(sd, &dst, q->iov[done].iov_base, q->iov[done].iov_len, why);
			n = 1;
		} else {
			for (int i = 0; i < n; i++)
				sent(sd, q->iov[done + i].iov_base, q->iov[done + i].iov_len);
		}
		done += (unsigned)n;
	}
	q->n = 0;
	q->used = 0;
}

static bool tx_queue(struct sigd_transport *tp, int sock, const struct netaddr *dst,
		     const char *buf, size_t len)
{
	struct tx_queue *q = &tp->tx;
	unsigned i = q->n;

	if (q->hold == 0 || len > sizeof(q->buf))
		return false;
	if (q->n == TRANSPORT_TX_BATCH || q->used + len > sizeof(q->buf) || (q->n && q->sock != sock))
		return false;
	memcpy(q->buf + q->used, buf, len);
	memcpy(&q->dst[i], &dst->ss, dst->len);
	q->iov[i] = (struct iovec){ q->buf + q->used, len };
	q->mm[i].msg_hdr = (struct msghdr){ .msg_name = &q->dst[i], .msg_namelen = dst->len,
					    .msg_iov = &q->iov[i], .msg_iovlen = 1 };
	q->sock = sock;
	q->used += len;
	q->n++;
	return true;
}

static int send_now(struct sigd *sd, int i, const struct netaddr *dst, const char *buf, size_t len)
{
	if (i < 0 || sendto(sd->udp.fd[i], buf, len, MSG_DONTWAIT, (const struct sockaddr *)&dst->ss,
			    dst->len) < 0) {
		send_failed(sd, dst, buf, len, i < 0 ? "no socket of that address family" : strerror(errno));
		return -1;
	}
	sent(sd, buf, len);
	return 0;
}

static int send_one(struct sigd *sd, const struct netaddr *dst, const char *buf, size_t len,
		    bool may_hold)
{
	struct sigd_transport *tp = sd->udp.tp;
	int i = tp ? sock_of_family(sd, netaddr_family(dst)) : -1;
	char where[NETADDR_STRLEN];

	if (log_enabled(TLOG_DBUG))
		LOGD(sent_call_id(buf, len), "SENDING message to udp:%s:\n%.*s",
		     netaddr_str(dst, where, sizeof(where)), (int)len, buf);
	if (i >= 0 && may_hold && tx_queue(tp, i, dst, buf, len))
		return 0;
	/* What is queued goes first: the order to each peer is kept. */
	if (tp && tp->tx.n)
		tx_flush(sd);
	if (i >= 0 && may_hold && tx_queue(tp, i, dst, buf, len))
		return 0;
	return send_now(sd, i, dst, buf, len);
}

int sigd_send(struct sigd *sd, const struct netaddr *dst, const char *buf, size_t len)
{
	return send_one(sd, dst, buf, len, true);
}

int sigd_send_now(struct sigd *sd, const struct netaddr *dst, const char *buf, size_t len)
{
	return send_one(sd, dst, buf, len, false);
}

void transport_hold(struct sigd *sd)
{
	if (sd->udp.tp)
		sd->udp.tp->tx.hold++;
}

void transport_release(struct sigd *sd)
{
	struct sigd_transport *tp = sd->udp.tp;

	if (!tp || tp->tx.hold == 0)
		return;
	if (--tp->tx.hold == 0 && tp->tx.n)
		tx_flush(sd);
}

/* ---------------------------------------------------------------- local address */

static size_t cache_slot(int family, const uint8_t *addr, size_t n)
{
	return (size_t)htable_hash(pl_from((const char *)addr, n), (uint64_t)family) % LOCAL_CACHE;
}

/*
 * Asks the kernel which source address it would use towards dst: connect()
 * on a UDP socket sends nothing, it only picks the route. A fresh socket
 * each time (only on a cache miss): a connected socket keeps the source it
 * was bound to, and a later connect() elsewhere would fail. A destination
 * with no route (a namespace with only lo, say) gets the loopback address
 * of its family rather than nothing.
 */
static void probe_local(const struct netaddr *dst, struct local_entry *e)
{
	bool v6 = netaddr_family(dst) == AF_INET6;
	struct netaddr to = *dst, local;
	char name[NETADDR_STRLEN];
	int fd = socket(netaddr_family(dst), SOCK_DGRAM | SOCK_CLOEXEC, 0);

	memset(&local, 0, sizeof(local));
	local.len = sizeof(local.ss);
	if (netaddr_port(&to) == 0)
		netaddr_set_port(&to, 5060);
	if (fd < 0 || connect(fd, (const struct sockaddr *)&to.ss, to.len) < 0 ||
	    getsockname(fd, (struct sockaddr *)&local.ss, &local.len) < 0) {
		LOGW(PL_NULL, "no route to %s (%s): using the loopback address in Via/Contact",
		     netaddr_str(dst, name, sizeof(name)), strerror(errno));
		netaddr_from_host(&local, v6 ? PL("::1") : PL("127.0.0.1"), 0);
	}
	if (fd >= 0)
		close(fd);
	e->host_len = host_text(&local, e->host);
}

void sigd_local_addr(struct sigd *sd, const struct netaddr *dst, struct pl *host, uint16_t *port)
{
	struct sigd_transport *tp = sd->udp.tp;
	int i = tp ? sock_of_family(sd, netaddr_family(dst)) : -1;
	const uint8_t *addr;
	struct local_entry *e;
	size_t n;
	int64_t now;

	if (i < 0 && tp && sd->udp.nfd > 0)
		i = 0;
	if (i < 0) {
		*host = PL("127.0.0.1");
		*port = sd->cfg.port;
		return;
	}
	*port = tp->sock[i].port;
	if (!tp->sock[i].wildcard || netaddr_family(dst) != tp->sock[i].family) {
		*host = pl_from(tp->sock[i].host, tp->sock[i].host_len);
		return;
	}
	if (netaddr_family(dst) == AF_INET) {
		addr = (const uint8_t *)&((const struct sockaddr_in *)&dst->ss)->sin_addr;
		n = 4;
	} else {
		addr = (const uint8_t *)&((const struct sockaddr_in6 *)&dst->ss)->sin6_addr;
		n = 16;
	}
	e = &tp->cache[cache_slot(netaddr_family(dst), addr, n)];
	now = monotonic_us();
	if (!e->expires_us || e->expires_us < now || e->family != netaddr_family(dst) ||
	    memcmp(e->addr, addr, n) != 0) {
		e->family = netaddr_family(dst);
		memcpy(e->addr, addr, n);
		probe_local(dst, e);
		e->expires_us = now + TRANSPORT_LOCAL_ADDR_TTL_US;
	}
	*host = pl_from(e->host, e->host_len);
}

/* ---------------------------------------------------------------- receiving */

/* RFC 5626 §3.5.1 style keep-alives: nothing but CR and LF. */
static bool only_crlf(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != '\r' && buf[i] != '\n')
			return false;
	return true;
}

/* A SIP message starts (after optional CRLFs) with a method token or
 * "SIP/": both begin with a token character. */
static bool looks_like_sip(const char *buf, size_t len)
{
	size_t i = 0;

	if (len < TRANSPORT_MIN_SIP)
		return false;
	while (i < len && (buf[i] == '\r' || buf[i] == '\n'))
		i++;
	return i < len && sip_char_is(buf[i], SIP_C_TOKEN);
}

static bool starts_like_response(const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len && (buf[i] == '\r' || buf[i] == '\n'))
		i++;
	return len - i >= 4 && pl_caseeq_str(pl_from(buf + i, 4), "sip/");
}

static void not_sip(struct sigd *sd, const char *buf, size_t len, const struct netaddr *src)
{
	struct quiet_log *q = &sd->udp.tp->not_sip_log;
	char where[NETADDR_STRLEN];

	if (only_crlf(buf, len))
		return;
	sd->stats.not_sip++;
	if (!quiet_log_due(q, monotonic_us()))
		return;
	LOGI(PL_NULL, "dropped a %zu-byte datagram from %s that is not SIP (%llu more since the last line)",
	     len, netaddr_str(src, where, sizeof(where)), (unsigned long long)q->suppressed);
	q->suppressed = 0;
}

static void malformed(struct sigd *sd, char *buf, size_t len, const struct netaddr *src)
{
	struct sigd_transport *tp = sd->udp.tp;
	bool response = starts_like_response(buf, len);
	char where[NETADDR_STRLEN];
	int answered = -1;

	sd->stats.parse_errors++;
	LOGD(PL_NULL, "RECEIVED message from udp:%s:\n%.*s", netaddr_str(src, where, sizeof(where)),
	     (int)len, buf);
	if (!response)
		answered = transport_reject(sd, buf, len, tp->err.reason, src);
	if (!quiet_log_due(&tp->malformed_log, monotonic_us()))
		return;
	LOGI(PL_NULL, "malformed %s from %s: %s (%s; %llu more since the last line)",
	     response ? "response" : "request", netaddr_str(src, where, sizeof(where)), tp->err.reason,
	     answered == 0 ? "answered" : "dropped", (unsigned long long)tp->malformed_log.suppressed);
	tp->malformed_log.suppressed = 0;
}

void transport_datagram(struct sigd *sd, int sock, char *buf, size_t len, const struct netaddr *src)
{
	struct sigd_transport *tp = sd->udp.tp;
	struct sip_rx rx;

	sd->stats.datagrams_in++;
	if (!looks_like_sip(buf, len)) {
		not_sip(sd, buf, len, src);
		return;
	}
	if (sip_msg_parse(&tp->msg, buf, len, SIP_FRAMING_DATAGRAM, &tp->err) != SIP_PARSE_OK) {
		malformed(sd, buf, len, src);
		return;
	}
	if (log_enabled(TLOG_DBUG)) {
		char where[NETADDR_STRLEN];

		LOGD(tp->msg.call_id, "RECEIVED message from udp:%s:\n%.*s",
		     netaddr_str(src, where, sizeof(where)), (int)tp->msg.raw.l, tp->msg.raw.p);
	}
	if (tp->msg.is_request)
		sd->stats.requests_in++;
	else
		sd->stats.responses_in++;
	metrics_sigd_count_in(sd, &tp->msg);
	rx.src = *src;
	rx.sock = sock;
	rx.time_us = sigd_now_us();
	/* A new INVITE refused under overload goes no further (overload.h). */
	if (tp->msg.method_id == SIP_METHOD_INVITE && tp->msg.is_request &&
	    overload_shed(sd, &tp->msg, &rx))
		return;
	tsx_receive(sd, &tp->msg, &rx);
}

/* One recvmmsg() worth of datagrams, each handed on; returns how many. */
static int read_batch(struct sigd *sd, int fd, int sock, int round)
{
	struct sigd_transport *tp = sd->udp.tp;
	int n;

	for (int i = 0; i < TRANSPORT_BATCH; i++) {
		tp->iov[i] = (struct iovec){ tp->buf[i], RX_BUF };
		tp->mm[i].msg_hdr = (struct msghdr){
			.msg_name = &tp->from[i],
			.msg_namelen = sizeof(tp->from[i]),
			.msg_iov = &tp->iov[i],
			.msg_iovlen = 1,
			.msg_control = tp->control[i].buf,
			.msg_controllen = sizeof(tp->control[i].buf),
		};
	}
	n = recvmmsg(fd, tp->mm, TRANSPORT_BATCH, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return 0;
	if (round == 0)
		overload_rx_wakeup(sd, &tp->mm[0].msg_hdr);
	for (int i = 0; i < n; i++) {
		struct netaddr src;
		size_t len = tp->mm[i].msg_len;

		memset(&src, 0, sizeof(src));
		memcpy(&src.ss, &tp->from[i], sizeof(src.ss));
		src.len = tp->mm[i].msg_hdr.msg_namelen;
		if (tp->mm[i].msg_hdr.msg_flags & MSG_TRUNC) {
			/* larger than any SIP message may be */
			sd->stats.datagrams_in++;
			sd->stats.parse_errors++;
			continue;
		}
		transport_datagram(sd, sock, tp->buf[i], len, &src);
	}
	return n;
}

/*
 * Drains the socket in batches. Level-triggered: after
 * TRANSPORT_BATCHES_PER_WAKEUP full batches the loop gets a turn (ccd's
 * answers, timers) and calls us again, so a flood delays other work by a
 * few batches at most.
 */
static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct sigd *sd = arg;
	int sock = 0;

	(void)what;
	while (sock < sd->udp.nfd && sd->udp.fd[sock] != fd)
		sock++;
	for (int round = 0; round < TRANSPORT_BATCHES_PER_WAKEUP; round++) {
		int n;

		transport_hold(sd);
		n = read_batch(sd, fd, sock, round);
		/* What the batch has for ccd goes before its datagrams: an
		 * INVITE's Try must not wait for the 100 Trying of others. */
		link_flush(sd);
		transport_release(sd);
		if (n < TRANSPORT_BATCH)
			return;
	}
}

/* ---------------------------------------------------------------- life cycle */

int transport_init(struct sigd *sd)
{
	struct sigd_transport *tp = calloc(1, sizeof(*tp));

	if (!tp)
		return -1;
	sd->udp.tp = tp;
	for (int i = 0; i < sd->udp.nfd; i++) {
		struct sock_info *si = &tp->sock[i];
		struct netaddr a;
		int one = 1;

		memset(&a, 0, sizeof(a));
		a.len = sizeof(a.ss);
		if (getsockname(sd->udp.fd[i], (struct sockaddr *)&a.ss, &a.len) < 0) {
			LOGE(PL_NULL, "cannot read the address of UDP socket %d: %s", sd->udp.fd[i],
			     strerror(errno));
			transport_free(sd);
			return -1;
		}
		si->family = netaddr_family(&a);
		si->port = netaddr_port(&a);
		si->wildcard = is_wildcard(&a);
		if (si->wildcard)
			netaddr_from_host(&a, si->family == AF_INET6 ? PL("::1") : PL("127.0.0.1"), 0);
		si->host_len = host_text(&a, si->host);
		/* Receive timestamps: how long datagrams wait (overload.h). */
		setsockopt(sd->udp.fd[i], SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
		sd->udp_ev[i] = event_new(sd->base, sd->udp.fd[i], EV_READ | EV_PERSIST, on_readable, sd);
		if (!sd->udp_ev[i] || event_add(sd->udp_ev[i], NULL) < 0) {
			LOGE(PL_NULL, "cannot watch UDP socket %d", sd->udp.fd[i]);
			transport_free(sd);
			return -1;
		}
	}
	return 0;
}

void transport_free(struct sigd *sd)
{
	struct sigd_transport *tp = sd->udp.tp;

	for (int i = 0; i < SIGD_UDP_MAX_SOCKETS; i++) {
		if (sd->udp_ev[i])
			event_free(sd->udp_ev[i]);
		sd->udp_ev[i] = NULL;
	}
	if (!tp)
		return;
	free(tp);
	sd->udp.tp = NULL;
}
