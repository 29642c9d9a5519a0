/*
 * rtpp.c - specs and the asynchronous control client of one RTP proxy
 * (rtpp.h).
 *
 * Requests wait in a hash table by sequence number (the cookie is this
 * process's random prefix and the number), so a reply finds its request in
 * O(1) however many are under way. Each request owns its retransmission
 * timer. Streams without cookies (unix:, tcp:) answer in order, so they
 * also keep a FIFO; a reply that is late there would be matched to the
 * wrong request, so a timeout on such a stream drops the connection and
 * fails everything sent on it.
 */
#include "rtpp.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event_struct.h>

#include "htable.h"

#define COOKIE_MAX 32	/* "xxxxxxxx_" + 16 hex digits, and a space */

struct rtpp_req {
	struct htable_node hn;		/* client's pending table, by seq */
	struct rtpp_req *fifo_next;	/* streams without cookies: send order */
	struct rtpp_client *c;
	uint64_t seq;
	rtpp_done_fn fn;
	void *arg;
	struct event timer;
	int64_t start_ms;
	uint32_t interval_ms;
	size_t len;
	char msg[];			/* as sent: cookie, payload, "\n" on streams */
};

struct rtpp_client {
	struct event_base *base;
	struct rtpp_spec spec;
	struct rtpp_timing tm;
	uint32_t prefix;
	uint64_t next_seq;
	struct htable pending;
	struct rtpp_req *fifo_head, *fifo_tail;
	int fd;				/* UDP */
	struct event *rev;
	struct bufferevent *bev;	/* streams */
	struct rtpp_stats stats;
	char rbuf[RTPP_REPLY_MAX + 1];
};

/* ---------------------------------------------------------------- specs */

static int spec_fail(char *err, size_t errsz, const char *what, const char *s)
{
	snprintf(err, errsz, "%s in '%.80s'", what, s);
	return -1;
}

/* ";weight=N" at the very end, taken off *len. */
static int parse_weight(const char *s, size_t *len, unsigned *weight, char *err, size_t errsz)
{
	static const char key[] = ";weight=";
	const char *w = NULL;
	uint32_t v;

	*weight = 1;
	for (const char *p = s; (p = strstr(p, key)); p++)
		w = p;
	if (!w)
		return 0;
	if (!pl_u32(pl_from_str(w + sizeof(key) - 1), RTPP_WEIGHT_MAX, &v) || v == 0)
		return spec_fail(err, errsz, "weight must be 1..1000", s);
	*weight = v;
	*len = (size_t)(w - s);
	return 0;
}

int rtpp_spec_parse(const char *s, struct rtpp_spec *spec, char *err, size_t errsz)
{
	static const struct {
		const char *prefix;
		enum rtpp_proto proto;
		enum rtpp_transport tr;
		bool v6;
		uint16_t port;
	} kinds[] = {
		{ "udp:", RTPP_PROTO_RTPPROXY, RTPP_TR_UDP, false, RTPP_DEFAULT_PORT },
		{ "udp6:", RTPP_PROTO_RTPPROXY, RTPP_TR_UDP, true, RTPP_DEFAULT_PORT },
		{ "tcp:", RTPP_PROTO_RTPPROXY, RTPP_TR_TCP, false, RTPP_DEFAULT_PORT },
		{ "tcp6:", RTPP_PROTO_RTPPROXY, RTPP_TR_TCP, true, RTPP_DEFAULT_PORT },
		{ "ng:", RTPP_PROTO_NG, RTPP_TR_UDP, false, RTPP_NG_DEFAULT_PORT },
		{ "unix:", RTPP_PROTO_RTPPROXY, RTPP_TR_UNIX, false, 0 },
		{ "cunix:", RTPP_PROTO_RTPPROXY, RTPP_TR_CUNIX, false, 0 },
	};
	size_t len, plen;
	struct pl rest, host;
	uint16_t port;

	memset(spec, 0, sizeof(*spec));
	if (!s || !*s)
		return spec_fail(err, errsz, "empty RTP proxy", "");
	len = strlen(s);
	if (len > RTPP_SPEC_MAX)
		return spec_fail(err, errsz, "RTP proxy spec too long", s);
	if (parse_weight(s, &len, &spec->weight, err, errsz) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		plen = strlen(kinds[i].prefix);
		if (len < plen || strncmp(s, kinds[i].prefix, plen) != 0)
			continue;
		spec->proto = kinds[i].proto;
		spec->transport = kinds[i].tr;
		spec->ipv6_only = kinds[i].v6;
		rest = pl_from(s + plen, len - plen);
		if (spec->transport == RTPP_TR_UNIX || spec->transport == RTPP_TR_CUNIX)
			goto path;
		port = kinds[i].port;
		if (!netaddr_split_hostport(rest, &host, &port))
			return spec_fail(err, errsz, "bad host[:port]", s);
		if (host.l >= 2 && host.p[0] == '[') {
			host.p++;
			host.l -= 2;
		}
		for (size_t j = 0; j < host.l; j++)
			if ((unsigned char)host.p[j] <= 0x20 || (unsigned char)host.p[j] >= 0x7f || host.p[j] == '/')
				return spec_fail(err, errsz, "bad host", s);
		if (host.l == 0 || !pl_strcpy(host, spec->host, sizeof(spec->host)))
			return spec_fail(err, errsz, "bad host", s);
		spec->port = port;
		return 0;
	}
	/* No known prefix: a path (Sippy: a bare path is a UNIX socket). */
	if (memchr(s, ':', len) && s[0] != '/')
		return spec_fail(err, errsz, "unknown RTP proxy type (udp:, udp6:, tcp:, unix:, cunix:, ng: or a path)",
				 s);
	spec->transport = RTPP_TR_UNIX;
	rest = pl_from(s, len);
path:
	if (rest.l == 0 || rest.l >= sizeof(spec->path))
		return spec_fail(err, errsz, "UNIX socket path empty or too long", s);
	memcpy(spec->path, rest.p, rest.l);
	spec->path[rest.l] = '\0';
	return 0;
}

int rtpp_spec_resolve(struct rtpp_spec *spec, char *err, size_t errsz)
{
	struct addrinfo hints, *res = NULL;
	char port[8];
	int rc;

	if (spec->transport == RTPP_TR_UNIX || spec->transport == RTPP_TR_CUNIX)
		return 0;
	if (netaddr_from_host(&spec->addr, pl_from_str(spec->host), spec->port)) {
		if (spec->ipv6_only && netaddr_family(&spec->addr) != AF_INET6) {
			snprintf(err, errsz, "%s is not an IPv6 address", spec->host);
			return -1;
		}
		return 0;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = spec->ipv6_only ? AF_INET6 : AF_UNSPEC;
	hints.ai_socktype = spec->transport == RTPP_TR_TCP ? SOCK_STREAM : SOCK_DGRAM;
	snprintf(port, sizeof(port), "%u", spec->port);
	rc = getaddrinfo(spec->host, port, &hints, &res);
	if (rc != 0 || !res || res->ai_addrlen > sizeof(spec->addr.ss)) {
		snprintf(err, errsz, "cannot resolve %s: %s", spec->host, rc ? gai_strerror(rc) : "no address");
		if (res)
			freeaddrinfo(res);
		return -1;
	}
	memset(&spec->addr, 0, sizeof(spec->addr));
	memcpy(&spec->addr.ss, res->ai_addr, res->ai_addrlen);
	spec->addr.len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* ---------------------------------------------------------------- requests */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool uses_cookies(const struct rtpp_client *c)
{
	return c->spec.transport == RTPP_TR_UDP || c->spec.transport == RTPP_TR_CUNIX;
}

static bool match_seq(const struct htable_node *n, const void *key)
{
	return htable_entry(n, struct rtpp_req, hn)->seq == *(const uint64_t *)key;
}

static struct rtpp_req *find_req(struct rtpp_client *c, uint64_t seq)
{
	struct htable_node *n = htable_find(&c->pending, htable_hash_u64(seq), match_seq, &seq);

	return n ? htable_entry(n, struct rtpp_req, hn) : NULL;
}

/* Takes r out of the table and the FIFO (where it can only be the head:
 * streams without cookies answer in order) and stops its timer. */
static void detach(struct rtpp_req *r)
{
	struct rtpp_client *c = r->c;

	htable_remove(&c->pending, &r->hn);
	evtimer_del(&r->timer);
	if (c->fifo_head == r) {
		c->fifo_head = r->fifo_next;
		if (!c->fifo_head)
			c->fifo_tail = NULL;
	}
}

static void finish(struct rtpp_req *r, enum rtpp_result result, struct pl reply)
{
	rtpp_done_fn fn = r->fn;
	void *arg = r->arg;

	detach(r);
	free(r);
	if (fn)
		fn(arg, result, reply);
}

static void stream_close(struct rtpp_client *c)
{
	if (c->bev) {
		bufferevent_free(c->bev);
		c->bev = NULL;
	}
}

/* Moves a pending request to a local list (for stream_fail_all). */
static void gather(struct htable_node *n, void *arg)
{
	struct rtpp_req *r = htable_entry(n, struct rtpp_req, hn), **list = arg;

	htable_remove(&r->c->pending, n);
	evtimer_del(&r->timer);
	r->fifo_next = *list;
	*list = r;
}

/* The stream broke: every request sent on it fails. They are all taken
 * off first: a callback may send a new request on a new connection, which
 * must not be failed with them. */
static void stream_fail_all(struct rtpp_client *c, enum rtpp_result result)
{
	struct rtpp_req *list = NULL;

	stream_close(c);
	htable_foreach(&c->pending, gather, &list);
	c->fifo_head = c->fifo_tail = NULL;
	while (list) {
		struct rtpp_req *r = list;
		rtpp_done_fn fn = r->fn;
		void *arg = r->arg;

		list = r->fifo_next;
		if (result == RTPP_TIMEOUT)
			c->stats.timeouts++;
		else
			c->stats.io_errors++;
		free(r);
		if (fn)
			fn(arg, result, PL_NULL);
	}
}

static void send_udp(struct rtpp_client *c, const struct rtpp_req *r)
{
	/* A failed send is a lost datagram: the retransmission covers it. */
	if (send(c->fd, r->msg, r->len, MSG_NOSIGNAL) < 0 && errno != EAGAIN && errno != ECONNREFUSED)
		c->stats.io_errors++;
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct rtpp_req *r = arg;
	struct rtpp_client *c = r->c;
	int64_t elapsed = now_ms() - r->start_ms;
	struct timeval tv;
	uint32_t next;

	(void)fd;
	(void)what;
	if (elapsed >= (int64_t)c->tm.total_ms || c->spec.transport != RTPP_TR_UDP) {
		if (c->spec.transport == RTPP_TR_UNIX || c->spec.transport == RTPP_TR_TCP) {
			stream_fail_all(c, RTPP_TIMEOUT);
			return;
		}
		c->stats.timeouts++;
		finish(r, RTPP_TIMEOUT, PL_NULL);
		return;
	}
	send_udp(c, r);
	c->stats.retransmissions++;
	r->interval_ms = r->interval_ms > UINT32_MAX / 2 ? UINT32_MAX : r->interval_ms * 2;
	next = r->interval_ms;
	if ((int64_t)next > (int64_t)c->tm.total_ms - elapsed)
		next = (uint32_t)((int64_t)c->tm.total_ms - elapsed);
	tv.tv_sec = next / 1000;
	tv.tv_usec = (next % 1000) * 1000;
	evtimer_add(&r->timer, &tv);
}

/* "<8 hex>_<hex> " at the start of msg: the request it answers. */
static struct rtpp_req *match_cookie(struct rtpp_client *c, struct pl msg, struct pl *reply)
{
	char want[9];
	uint64_t seq = 0;
	size_t i;

	snprintf(want, sizeof(want), "%08x", c->prefix);
	if (msg.l < 10 || memcmp(msg.p, want, 8) != 0 || msg.p[8] != '_')
		return NULL;
	for (i = 9; i < msg.l && msg.p[i] != ' '; i++) {
		char ch = msg.p[i];
		unsigned d = ch >= '0' && ch <= '9' ? (unsigned)(ch - '0')
			     : ch >= 'a' && ch <= 'f' ? (unsigned)(ch - 'a' + 10) : 16;

		if (d == 16 || i - 9 >= 16)
			return NULL;
		seq = seq << 4 | d;
	}
	if (i == 9)
		return NULL;
	*reply = i < msg.l ? pl_after(msg, msg.p + i + 1) : PL("");
	return find_req(c, seq);
}

static void deliver(struct rtpp_client *c, struct pl msg)
{
	struct rtpp_req *r;
	struct pl reply;

	if (!(r = match_cookie(c, msg, &reply))) {
		c->stats.stray_replies++;
		return;
	}
	c->stats.replies++;
	finish(r, RTPP_OK, reply);
}

static void on_udp_read(evutil_socket_t fd, short what, void *arg)
{
	struct rtpp_client *c = arg;

	(void)what;
	for (int i = 0; i < 64; i++) {
		ssize_t n = recv(fd, c->rbuf, RTPP_REPLY_MAX, MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			/* ICMP unreachable surfaces here: the timeout reports it. */
			continue;
		}
		deliver(c, pl_from(c->rbuf, (size_t)n));
	}
}

static int udp_open(struct rtpp_client *c, char *err, size_t errsz)
{
	int fd = socket(c->spec.addr.ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&c->spec.addr.ss, c->spec.addr.len) < 0) {
		snprintf(err, errsz, "cannot open a UDP socket to %s:%u: %s", c->spec.host, c->spec.port,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	c->rev = event_new(c->base, fd, EV_READ | EV_PERSIST, on_udp_read, c);
	if (!c->rev || event_add(c->rev, NULL) < 0) {
		snprintf(err, errsz, "no memory for the RTP proxy socket");
		if (c->rev)
			event_free(c->rev);
		c->rev = NULL;
		close(fd);
		return -1;
	}
	c->fd = fd;
	return 0;
}

/* ---------------------------------------------------------------- streams */

static void on_stream_read(struct bufferevent *bev, void *arg)
{
	struct rtpp_client *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	for (;;) {
		struct evbuffer_ptr eol = evbuffer_search_eol(in, NULL, NULL, EVBUFFER_EOL_LF);
		size_t n;

		if (eol.pos < 0) {
			if (evbuffer_get_length(in) > RTPP_REPLY_MAX) {
				c->stats.stray_replies++;
				stream_fail_all(c, RTPP_IO_ERROR);
			}
			return;
		}
		if ((size_t)eol.pos > RTPP_REPLY_MAX) {
			c->stats.stray_replies++;
			stream_fail_all(c, RTPP_IO_ERROR);
			return;
		}
		n = (size_t)eol.pos;
		evbuffer_remove(in, c->rbuf, n + 1);
		while (n > 0 && c->rbuf[n - 1] == '\r')
			n--;
		if (c->spec.transport == RTPP_TR_CUNIX) {
			deliver(c, pl_from(c->rbuf, n));
		} else if (c->fifo_head) {
			c->stats.replies++;
			finish(c->fifo_head, RTPP_OK, pl_from(c->rbuf, n));
		} else {
			c->stats.stray_replies++;
		}
		if (!c->bev)	/* a callback's request failed and closed it */
			return;
	}
}

static void on_stream_event(struct bufferevent *bev, short what, void *arg)
{
	struct rtpp_client *c = arg;

	(void)bev;
	if (what & BEV_EVENT_CONNECTED)
		return;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		stream_fail_all(c, RTPP_IO_ERROR);
}

static int stream_open(struct rtpp_client *c)
{
	struct sockaddr_un sun;
	const struct sockaddr *sa;
	int salen;

	c->bev = bufferevent_socket_new(c->base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (!c->bev)
		return -1;
	bufferevent_setcb(c->bev, on_stream_read, NULL, on_stream_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	if (c->spec.transport == RTPP_TR_TCP) {
		sa = (const struct sockaddr *)&c->spec.addr.ss;
		salen = (int)c->spec.addr.len;
	} else {
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		memcpy(sun.sun_path, c->spec.path, sizeof(sun.sun_path));
		sa = (const struct sockaddr *)&sun;
		salen = (int)sizeof(sun);
	}
	/* A refused connection is reported through on_stream_event, later. */
	if (bufferevent_socket_connect(c->bev, sa, salen) < 0) {
		stream_close(c);
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- client */

struct rtpp_client *rtpp_client_new(struct event_base *base, const struct rtpp_spec *spec,
				    uint32_t cookie_prefix, const struct rtpp_timing *timing,
				    char *err, size_t errsz)
{
	struct rtpp_client *c = calloc(1, sizeof(*c));

	if (!c || htable_init(&c->pending, 64) < 0) {
		snprintf(err, errsz, "no memory for an RTP proxy client");
		free(c);
		return NULL;
	}
	c->base = base;
	c->spec = *spec;
	c->prefix = cookie_prefix;
	c->fd = -1;
	c->tm.first_ms = timing && timing->first_ms ? timing->first_ms : RTPP_FIRST_MS_DEFAULT;
	c->tm.total_ms = timing && timing->total_ms ? timing->total_ms : RTPP_TOTAL_MS_DEFAULT;
	if (spec->transport == RTPP_TR_UDP && udp_open(c, err, errsz) < 0) {
		htable_free(&c->pending);
		free(c);
		return NULL;
	}
	return c;
}

static void drop_all(struct htable_node *n, void *arg)
{
	struct rtpp_req *r = htable_entry(n, struct rtpp_req, hn);

	(void)arg;
	evtimer_del(&r->timer);
	htable_remove(&r->c->pending, n);
	free(r);
}

void rtpp_client_free(struct rtpp_client *c)
{
	if (!c)
		return;
	htable_foreach(&c->pending, drop_all, NULL);
	htable_free(&c->pending);
	stream_close(c);
	if (c->rev)
		event_free(c->rev);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

int rtpp_request(struct rtpp_client *c, struct pl payload, rtpp_done_fn fn, void *arg)
{
	bool stream = c->spec.transport != RTPP_TR_UDP;
	char cookie[COOKIE_MAX];
	int clen = 0;
	struct rtpp_req *r;
	struct timeval tv;
	uint32_t first;

	if (payload.l == 0 || payload.l > RTPP_REQUEST_MAX)
		return -1;
	/* A line break inside a stream command would split it in two. */
	if (stream && (memchr(payload.p, '\n', payload.l) || memchr(payload.p, '\r', payload.l)))
		return -1;
	if (stream && !c->bev && stream_open(c) < 0)
		return -1;
	c->next_seq++;
	if (uses_cookies(c))
		clen = snprintf(cookie, sizeof(cookie), "%08x_%llx ", c->prefix, (unsigned long long)c->next_seq);
	r = malloc(sizeof(*r) + (size_t)clen + payload.l + 1);
	if (!r)
		return -1;
	memset(r, 0, sizeof(*r));
	r->c = c;
	r->seq = c->next_seq;
	r->fn = fn;
	r->arg = arg;
	r->start_ms = now_ms();
	memcpy(r->msg, cookie, (size_t)clen);
	memcpy(r->msg + clen, payload.p, payload.l);
	r->len = (size_t)clen + payload.l;
	if (stream)
		r->msg[r->len++] = '\n';
	if (stream) {
		if (bufferevent_write(c->bev, r->msg, r->len) < 0) {
			free(r);
			return -1;
		}
		if (!uses_cookies(c)) {
			if (c->fifo_tail)
				c->fifo_tail->fifo_next = r;
			else
				c->fifo_head = r;
			c->fifo_tail = r;
		}
		first = c->tm.total_ms;
	} else {
		send_udp(c, r);
		first = c->tm.first_ms < c->tm.total_ms ? c->tm.first_ms : c->tm.total_ms;
	}
	r->interval_ms = first;
	htable_insert(&c->pending, &r->hn, htable_hash_u64(r->seq));
	evtimer_assign(&r->timer, c->base, on_timer, r);
	tv.tv_sec = first / 1000;
	tv.tv_usec = (first % 1000) * 1000;
	evtimer_add(&r->timer, &tv);
	c->stats.requests++;
	return 0;
}

size_t rtpp_pending(const struct rtpp_client *c)
{
	return c->pending.count;
}

const struct rtpp_stats *rtpp_client_stats(const struct rtpp_client *c)
{
	return &c->stats;
}

const struct rtpp_spec *rtpp_client_spec(const struct rtpp_client *c)
{
	return &c->spec;
}
