/*
 * media.c - RTP proxies, their health and choice, and the media sessions
 * of calls (media.h).
 *
 * Memory: one allocation per session (about 200 bytes and the call id),
 * one per rewrite while it runs (the SDP it works on); the SDP scratch
 * (struct sdp_session, about 85 KB) and the output buffer exist once per
 * process. Rewrites that finish without asking the proxy (nothing to
 * relay, a malformed SDP, a proxy that cannot be reached at all) still
 * report through the loop: they wait on one "ready" list with one event.
 */
#include "media.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <event2/http.h>

#include "call.h"
#include "ccd.h"
#include "log.h"
#include "netaddr.h"
#include "ng.h"
#include "rtpp.h"
#include "sdp.h"

#define MEDIA_SDP_MAX	65536	/* the largest SDP relayed */
#define MEDIA_CMD_MAX	1024	/* one rtpproxy command */
#define TAG_LEN		16	/* hex digits of a random tag */
#define ADDR_MAX	46	/* INET6_ADDRSTRLEN */
#define CAP_NOTIFY	"20081224"	/* RTPproxy: timeout notifications */

enum proxy_state {
	PROXY_UNKNOWN,		/* not answered yet: not chosen */
	PROXY_ONLINE,
	PROXY_OFFLINE,
};

static const char *const state_names[] = { "unknown", "online", "offline" };

struct media_proxy {
	struct media *m;
	struct rtpp_client *client;
	const char *name;	/* the -r spec (argv) */
	unsigned weight;
	uint8_t state;
	bool checking;
	bool notify_cap;	/* RTPproxy answered VF 20081224 with 1 */
	struct event *timer;
	size_t sessions;
};

struct media {
	struct ccd *cd;
	struct media_proxy *proxy;
	size_t n;
	uint64_t rng;
	uint32_t check_s, retry_s;
	size_t sessions;
	struct media_session *all;
	struct media_session *ready_head, *ready_tail;
	struct event *ready_ev;
	struct evhttp *notify;		/* --rtpp-notify */
	char notify_sock[160];		/* RTPproxy's notify socket: -c as it wants it */
	char cmd[MEDIA_CMD_MAX];
	char out[MEDIA_SDP_MAX];
	struct sdp_session sdp;		/* scratch, last: it is large */
};

/* One relayed m= line of an rtpproxy rewrite. */
struct stream_res {
	uint8_t idx;			/* m= index */
	bool ipv6;
	bool hold;			/* the sender's c= was 0.0.0.0 or :: */
	uint16_t port;			/* the proxy's */
	char addr[ADDR_MAX];		/* the sender's, then the proxy's */
	uint16_t sender_port;
};

struct media_op {
	uint8_t from;			/* enum media_side */
	bool answer;			/* L / ng answer */
	unsigned code;			/* ended with an error: SIP status */
	const char *reason;
	unsigned nstreams, next;
	struct stream_res res[SDP_MAX_MEDIA];
	char *ng_sdp;			/* rtpengine's rewritten SDP */
	size_t ng_len;
	size_t len;
	char sdp[];			/* the SDP as received */
};

/* Our o= towards one side (sippy-behaviour.md §5.8). */
struct media_origin {
	bool set;
	uint64_t id, version;
	uint64_t remote_id, remote_version;	/* remote_id: hash of the sender's */
};

struct media_session {
	struct media *m;
	struct media_proxy *proxy;
	struct media_session *prev, *next;	/* m->all */
	struct media_session *ready_next;
	bool ready;
	bool released;
	bool touched;			/* the proxy holds state for us */
	int8_t offer_from;		/* the side whose offer is open, or -1 */
	int8_t first_offerer;		/* whose tag came first, or -1 */
	bool ng_answered;
	uint16_t both;			/* rtpproxy: bit i, m= line i exists on both sides */
	uint64_t serial;		/* the call's (control socket's `r`) */
	struct media_op *op;
	media_done_fn fn;
	void *arg;
	struct media_origin origin[2];	/* indexed by the side the SDP goes to */
	char tag[2][TAG_LEN + 1];
	uint16_t cid_len;
	uint16_t sip_len;		/* the SIP Call-ID's part of cid */
	char cid[];			/* "<call-id>-<serial>" */
};

static void complete(struct media_session *ms);
static void proxy_check(struct media_proxy *p);

/* ---------------------------------------------------------------- helpers */

/* xorshift64*: proxy choice and tags need no more than that. */
static uint64_t rnd(struct media *m)
{
	m->rng ^= m->rng >> 12;
	m->rng ^= m->rng << 25;
	m->rng ^= m->rng >> 27;
	return m->rng * 0x2545F4914F6CDD1DULL;
}

static struct pl cid_of(const struct media_session *ms)
{
	return pl_from(ms->cid, ms->cid_len);
}

/* The call's SIP Call-ID, for logs. */
static struct pl log_id(const struct media_session *ms)
{
	return pl_from(ms->cid, ms->sip_len);
}

static struct pl tag_of(const struct media_session *ms, int side)
{
	return pl_from(ms->tag[side], TAG_LEN);
}

static void arm(struct media_proxy *p, uint32_t secs)
{
	struct timeval tv = { secs, 0 };

	evtimer_add(p->timer, &tv);
}

/* ---------------------------------------------------------------- health */

static void set_state(struct media_proxy *p, enum proxy_state s, const char *why)
{
	if (p->state == s)
		return;
	if (s == PROXY_ONLINE)
		LOGI(PL_NULL, "RTP proxy %s: %s -> online", p->name, state_names[p->state]);
	else
		LOGW(PL_NULL, "RTP proxy %s: %s -> %s (%s); retried every %u s", p->name, state_names[p->state],
		     state_names[s], why, p->m->retry_s);
	p->state = (uint8_t)s;
}

/* A call's command got no answer: new calls avoid the proxy from now on. */
static void proxy_failed(struct media_proxy *p, const char *why)
{
	if (p->state == PROXY_OFFLINE)
		return;
	set_state(p, PROXY_OFFLINE, why);
	if (!p->checking)
		arm(p, p->m->retry_s);
}

static void on_caps(void *arg, enum rtpp_result result, struct pl reply)
{
	struct media_proxy *p = arg;
	bool cap = result == RTPP_OK && reply.l >= 1 && reply.p[0] == '1';

	if (cap != p->notify_cap)
		LOGI(PL_NULL, "RTP proxy %s: media timeout notifications %ssupported", p->name, cap ? "" : "not ");
	p->notify_cap = cap;
}

static void on_check(void *arg, enum rtpp_result result, struct pl reply)
{
	struct media_proxy *p = arg;
	bool rtpproxy = rtpp_client_spec(p->client)->proto == RTPP_PROTO_RTPPROXY;
	const char *why = result == RTPP_TIMEOUT ? "no answer" : "connection failed";
	struct ng_reply ng;

	p->checking = false;
	if (result == RTPP_OK) {
		if (rtpproxy ? rtpp_version_ok(reply) : (ng_parse_reply(reply, &ng, &why) == 0 && ng.ok))
			why = NULL;
		else if (rtpproxy || !why)
			why = "unexpected answer";
	}
	if (why) {
		set_state(p, PROXY_OFFLINE, why);
		arm(p, p->m->retry_s);
		return;
	}
	if (rtpproxy && p->state != PROXY_ONLINE)
		rtpp_request(p->client, PL("VF " CAP_NOTIFY), on_caps, p);
	set_state(p, PROXY_ONLINE, NULL);
	arm(p, p->m->check_s);
}

static void proxy_check(struct media_proxy *p)
{
	bool rtpproxy = rtpp_client_spec(p->client)->proto == RTPP_PROTO_RTPPROXY;
	struct ng_request ping = { .cmd = NG_PING };
	char buf[32];
	int n = rtpproxy ? 1 : ng_build(buf, sizeof(buf), &ping);

	if (rtpproxy)
		buf[0] = 'V';
	if (n <= 0 || rtpp_request(p->client, pl_from(buf, (size_t)n), on_check, p) < 0) {
		set_state(p, PROXY_OFFLINE, "cannot send");
		arm(p, p->m->retry_s);
		return;
	}
	p->checking = true;
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	proxy_check(arg);
}

/* ---------------------------------------------------------------- open and close */

static void on_ready(evutil_socket_t fd, short what, void *arg);

/* The control socket (-c: unix:path, a path, tcp:host[:port]) as
 * RTPproxy's notify socket wants it (unix:path, tcp:host:port). */
static void notify_socket(const char *control, char *out, size_t cap)
{
	out[0] = '\0';
	if (!control || strpbrk(control, " \t\r\n"))
		return;
	if (strncmp(control, "unix:", 5) == 0 || control[0] == '/')
		snprintf(out, cap, "unix:%s", control[0] == '/' ? control : control + 5);
	else if (strncmp(control, "tcp:", 4) == 0)
		snprintf(out, cap, strrchr(control + 4, ':') && control[strlen(control) - 1] != ']' ? "%s" : "%s:12345",
			 control);
}

int media_open(struct ccd *cd, char *err, size_t errsz)
{
	struct media *m;
	uint32_t prefix = 0;

	cd->media = NULL;
	if (cd->cfg.n_rtpp == 0)
		return 0;
	if (!(m = calloc(1, sizeof(*m))) || !(m->proxy = calloc(cd->cfg.n_rtpp, sizeof(*m->proxy)))) {
		free(m);
		snprintf(err, errsz, "no memory for the RTP proxies");
		return -1;
	}
	m->cd = cd;
	cd->media = m;
	m->check_s = cd->cfg.rtpp_check_s ? cd->cfg.rtpp_check_s : MEDIA_CHECK_S_DEFAULT;
	m->retry_s = cd->cfg.rtpp_retry_s ? cd->cfg.rtpp_retry_s : MEDIA_RETRY_S_DEFAULT;
	if (getrandom(&m->rng, sizeof(m->rng), 0) != (ssize_t)sizeof(m->rng) ||
	    getrandom(&prefix, sizeof(prefix), 0) != (ssize_t)sizeof(prefix))
		m->rng = cd->instance;
	m->rng |= 1;
	if (!(m->ready_ev = event_new(cd->base, -1, 0, on_ready, m))) {
		snprintf(err, errsz, "no memory for the RTP proxies");
		media_close(cd);
		return -1;
	}
	notify_socket(cd->cfg.control, m->notify_sock, sizeof(m->notify_sock));
	if (cd->cfg.rtpp_notify && !(m->notify = media_notify_listen(cd, cd->cfg.rtpp_notify, err, errsz))) {
		media_close(cd);
		return -1;
	}
	for (size_t i = 0; i < cd->cfg.n_rtpp; i++) {
		struct media_proxy *p = &m->proxy[i];
		struct rtpp_spec spec;
		char why[200];

		if (rtpp_spec_parse(cd->cfg.rtpp[i], &spec, why, sizeof(why)) < 0 ||
		    rtpp_spec_resolve(&spec, why, sizeof(why)) < 0) {
			snprintf(err, errsz, "RTP proxy -r %s: %s", cd->cfg.rtpp[i], why);
			media_close(cd);
			return -1;
		}
		p->m = m;
		p->name = cd->cfg.rtpp[i];
		p->weight = spec.weight;
		p->client = rtpp_client_new(cd->base, &spec, prefix, NULL, why, sizeof(why));
		p->timer = evtimer_new(cd->base, on_timer, p);
		m->n++;
		if (!p->client || !p->timer) {
			snprintf(err, errsz, "RTP proxy %s: %s", p->name, p->client ? "no memory" : why);
			media_close(cd);
			return -1;
		}
		LOGI(PL_NULL, "RTP proxy %s (%s, weight %u): checking", p->name,
		     spec.proto == RTPP_PROTO_NG ? "ng" : "rtpproxy", p->weight);
		proxy_check(p);
	}
	return 0;
}

static void session_free(struct media_session *ms);

void media_close(struct ccd *cd)
{
	struct media *m = cd->media;

	if (!m)
		return;
	while (m->all)
		session_free(m->all);
	for (size_t i = 0; i < m->n; i++) {
		rtpp_client_free(m->proxy[i].client);
		if (m->proxy[i].timer)
			event_free(m->proxy[i].timer);
	}
	if (m->ready_ev)
		event_free(m->ready_ev);
	if (m->notify)
		evhttp_free(m->notify);
	free(m->proxy);
	free(m);
	cd->media = NULL;
}

size_t media_proxies(const struct ccd *cd)
{
	return cd->media ? cd->media->n : 0;
}

size_t media_proxies_online(const struct ccd *cd)
{
	size_t n = 0;

	for (size_t i = 0; cd->media && i < cd->media->n; i++)
		n += cd->media->proxy[i].state == PROXY_ONLINE;
	return n;
}

size_t media_sessions(const struct ccd *cd)
{
	return cd->media ? cd->media->sessions : 0;
}

/* ---------------------------------------------------------------- sessions */

/* A random online proxy, in proportion to the weights. */
static struct media_proxy *pick(struct media *m)
{
	uint64_t total = 0, r;

	for (size_t i = 0; i < m->n; i++)
		if (m->proxy[i].state == PROXY_ONLINE)
			total += m->proxy[i].weight;
	if (total == 0)
		return NULL;
	r = rnd(m) % total;
	for (size_t i = 0; i < m->n; i++) {
		if (m->proxy[i].state != PROXY_ONLINE)
			continue;
		if (r < m->proxy[i].weight)
			return &m->proxy[i];
		r -= m->proxy[i].weight;
	}
	return NULL;
}

enum media_pick media_session_new(struct ccd *cd, struct pl call_id, uint64_t serial, int route_rtpp,
				  struct media_session **out)
{
	struct media *m = cd->media;
	struct media_proxy *p;
	struct media_session *ms;
	char sfx[24];
	int sl;

	*out = NULL;
	if (route_rtpp == 0)
		return MEDIA_PICK_NONE;
	if (!m) {
		if (route_rtpp == 1)
			LOGW(call_id, "route asks for an RTP proxy (rtpp=1) but ccd has none (-r)");
		return MEDIA_PICK_NONE;
	}
	if (!(p = pick(m))) {
		LOGW(call_id, "no RTP proxy online for call %llu", (unsigned long long)serial);
		return MEDIA_PICK_NO_PROXY;
	}
	sl = snprintf(sfx, sizeof(sfx), "-%llu", (unsigned long long)serial);
	if (call_id.l > UINT16_MAX - (size_t)sl || !(ms = calloc(1, sizeof(*ms) + call_id.l + (size_t)sl + 1)))
		return MEDIA_PICK_NO_MEMORY;
	ms->m = m;
	ms->proxy = p;
	ms->serial = serial;
	ms->offer_from = -1;
	ms->first_offerer = -1;
	memcpy(ms->cid, call_id.p, call_id.l);
	memcpy(ms->cid + call_id.l, sfx, (size_t)sl + 1);
	ms->cid_len = (uint16_t)(call_id.l + (size_t)sl);
	ms->sip_len = (uint16_t)call_id.l;
	for (int side = 0; side < 2; side++)
		snprintf(ms->tag[side], sizeof(ms->tag[side]), "%016llx", (unsigned long long)rnd(m));
	ms->next = m->all;
	if (m->all)
		m->all->prev = ms;
	m->all = ms;
	m->sessions++;
	p->sessions++;
	LOGI(call_id, "call %llu: RTP proxy %s chosen (session %.*s)", (unsigned long long)serial, p->name,
	     (int)ms->cid_len, ms->cid);
	*out = ms;
	return MEDIA_PICK_OK;
}

const char *media_proxy_name(const struct media_session *ms)
{
	return ms ? ms->proxy->name : "-";
}

bool media_busy(const struct media_session *ms)
{
	return ms && ms->op;
}

static void session_free(struct media_session *ms)
{
	struct media *m = ms->m;

	if (ms->op) {
		free(ms->op->ng_sdp);
		free(ms->op);
	}
	if (ms->ready) {
		struct media_session **pp = &m->ready_head;

		while (*pp && *pp != ms)
			pp = &(*pp)->ready_next;
		if (*pp)
			*pp = ms->ready_next;
		m->ready_tail = NULL;
		for (struct media_session *r = m->ready_head; r; r = r->ready_next)
			m->ready_tail = r;
	}
	if (ms->prev)
		ms->prev->next = ms->next;
	else
		m->all = ms->next;
	if (ms->next)
		ms->next->prev = ms->prev;
	m->sessions--;
	ms->proxy->sessions--;
	free(ms);
}

static void on_deleted(void *arg, enum rtpp_result result, struct pl reply)
{
	struct media_proxy *p = arg;

	(void)reply;
	if (result != RTPP_OK)
		proxy_failed(p, result == RTPP_TIMEOUT ? "no answer to a delete" : "connection failed");
}

/* Deletes the session's streams in the proxy (nobody waits for the
 * answer) and frees it. */
static void delete_and_free(struct media_session *ms)
{
	struct media *m = ms->m;
	struct media_proxy *p = ms->proxy;
	int first = ms->first_offerer < 0 ? MEDIA_CALLER : ms->first_offerer;
	bool both = ms->both || ms->ng_answered;
	struct pl t1 = tag_of(ms, first), t2 = both ? tag_of(ms, 1 - first) : PL_NULL;
	int n;

	if (ms->touched) {
		if (rtpp_client_spec(p->client)->proto == RTPP_PROTO_NG) {
			struct ng_request r = { .cmd = NG_DELETE, .call_id = cid_of(ms), .from_tag = t1,
						.to_tag = t2 };

			n = ng_build(m->cmd, sizeof(m->cmd), &r);
		} else {
			n = rtpp_cmd_delete(m->cmd, sizeof(m->cmd), cid_of(ms), t1, t2);
		}
		LOGD(log_id(ms), "RTP proxy %s: delete session %.*s", p->name, (int)ms->cid_len, ms->cid);
		if (n <= 0 || rtpp_request(p->client, pl_from(m->cmd, (size_t)n), on_deleted, p) < 0)
			LOGW(log_id(ms), "RTP proxy %s: cannot send the delete of %.*s", p->name, (int)ms->cid_len,
			     ms->cid);
	}
	session_free(ms);
}

void media_release(struct media_session *ms)
{
	if (!ms || ms->released)
		return;
	ms->released = true;
	ms->fn = NULL;
	ms->arg = NULL;
	/* The command under way finishes first: a delete overtaking it
	 * would leave the proxy a session nobody deletes. */
	if (!ms->op)
		delete_and_free(ms);
}

/* ---------------------------------------------------------------- offer/answer */

static bool is_answer(const struct media_session *ms, enum media_side from, enum media_msg msg)
{
	return (msg == MEDIA_MSG_PROVISIONAL || msg == MEDIA_MSG_FINAL) && ms->offer_from == (int8_t)(1 - from);
}

/* Moves the offer/answer state past a message from `from`. */
static void advance(struct media_session *ms, enum media_side from, enum media_msg msg)
{
	switch (msg) {
	case MEDIA_MSG_OFFER:
		ms->offer_from = (int8_t)from;
		break;
	case MEDIA_MSG_FINAL:
	case MEDIA_MSG_REJECT:
		if (ms->offer_from == (int8_t)(1 - from) || msg == MEDIA_MSG_REJECT)
			ms->offer_from = -1;
		break;
	case MEDIA_MSG_PROVISIONAL:
		break;
	}
}

void media_note(struct media_session *ms, enum media_side from, enum media_msg msg)
{
	if (ms)
		advance(ms, from, msg);
}

/* ---------------------------------------------------------------- rewriting */

static void make_ready(struct media_session *ms, unsigned code, const char *reason)
{
	struct media *m = ms->m;

	ms->op->code = code;
	ms->op->reason = reason;
	ms->ready = true;
	ms->ready_next = NULL;
	if (m->ready_tail)
		m->ready_tail->ready_next = ms;
	else
		m->ready_head = ms;
	m->ready_tail = ms;
	event_active(m->ready_ev, 0, 0);
}

static void on_ready(evutil_socket_t fd, short what, void *arg)
{
	struct media *m = arg;
	struct media_session *ms;

	(void)fd;
	(void)what;
	while ((ms = m->ready_head)) {
		m->ready_head = ms->ready_next;
		if (!m->ready_head)
			m->ready_tail = NULL;
		ms->ready = false;
		complete(ms);
	}
}

static bool relayed_proto(struct pl proto)
{
	static const char *const relayed[] = {
		"RTP/AVP", "RTP/SAVP", "RTP/AVPF", "RTP/SAVPF", "UDP/TLS/RTP/SAVP", "UDP/TLS/RTP/SAVPF",
		"udp", "udptl", "udp/bfcp",
	};

	for (size_t i = 0; i < sizeof(relayed) / sizeof(relayed[0]); i++)
		if (pl_caseeq_str(proto, relayed[i]))
			return true;
	return false;
}

static bool is_null_addr(struct pl a)
{
	return pl_eq_str(a, "0.0.0.0") || pl_eq_str(a, "::");
}

/* The m= lines to relay and where their sender receives; -1 when the
 * SDP cannot be relayed (the reason in *why). */
static int find_streams(struct media_op *op, const struct sdp_session *s, const char **why)
{
	op->nstreams = 0;
	for (unsigned i = 0; i < s->mediac; i++) {
		const struct sdp_media *md = &s->media[i];
		struct stream_res *r = &op->res[op->nstreams];
		struct pl addr = sdp_media_addr(s, i);
		struct netaddr na;

		if (md->port == 0 || !relayed_proto(md->proto))
			continue;
		if (!addr.p || !netaddr_from_host(&na, addr, 0)) {
			*why = "SDP without a numeric connection address";
			return -1;
		}
		r->idx = (uint8_t)i;
		r->ipv6 = netaddr_family(&na) == AF_INET6;
		r->hold = is_null_addr(addr);
		r->sender_port = md->port;
		pl_strcpy(addr, r->addr, sizeof(r->addr));
		op->nstreams++;
	}
	return 0;
}

/* Ends the rewrite with an error now: only from the proxy's callbacks,
 * never from inside media_rewrite() (make_ready() defers it there). */
static void fail_op(struct media_session *ms, unsigned code, const char *reason)
{
	ms->op->code = code;
	ms->op->reason = reason;
	complete(ms);
}

static void send_stream(struct media_session *ms);

static void on_stream_reply(void *arg, enum rtpp_result result, struct pl reply)
{
	struct media_session *ms = arg;
	struct media_op *op = ms->op;
	struct stream_res *r = &op->res[op->next];
	const char *why = NULL;
	struct pl addr;
	bool v6;

	if (result != RTPP_OK) {
		proxy_failed(ms->proxy, result == RTPP_TIMEOUT ? "no answer" : "connection failed");
		fail_op(ms, 502, "RTP proxy not answering");
		return;
	}
	if (rtpp_parse_stream_reply(reply, &r->port, &addr, &v6, &why) < 0) {
		LOGW(log_id(ms), "RTP proxy %s: %s: '%.*s'", ms->proxy->name, why, (int)(reply.l > 60 ? 60 : reply.l),
		     reply.p);
		fail_op(ms, 502, "RTP proxy error");
		return;
	}
	if (addr.p && !is_null_addr(addr)) {
		pl_strcpy(addr, r->addr, sizeof(r->addr));
		r->ipv6 = v6;
	} else {
		/* No address in the reply, or rtpengine's 0.0.0.0 for a hold:
		 * the proxy's own, as Sippy does (a hold is a=sendonly). */
		const struct rtpp_spec *sp = rtpp_client_spec(ms->proxy->client);

		if (sp->transport == RTPP_TR_UNIX || sp->transport == RTPP_TR_CUNIX) {
			if (!addr.p) {
				fail_op(ms, 502, "RTP proxy gave no address");
				return;
			}
			pl_strcpy(addr, r->addr, sizeof(r->addr));
			r->ipv6 = v6;
		} else {
			netaddr_host_str(&sp->addr, r->addr, sizeof(r->addr));
			r->ipv6 = netaddr_family(&sp->addr) == AF_INET6;
		}
	}
	if (op->answer)
		ms->both |= (uint16_t)(1u << r->idx);
	op->next++;
	if (op->next < op->nstreams)
		send_stream(ms);
	else
		complete(ms);
}

static void send_stream(struct media_session *ms)
{
	struct media_op *op = ms->op;
	struct stream_res *r = &op->res[op->next];
	int offerer = op->answer ? 1 - op->from : op->from;
	bool both = op->answer || (ms->both & (1u << r->idx));
	struct rtpp_stream_cmd cmd = {
		.answer = op->answer,
		.call_id = cid_of(ms),
		.addr = pl_from_str(r->addr),
		.ipv6 = r->ipv6,
		.port = r->sender_port,
		.offerer_tag = tag_of(ms, offerer),
		.answerer_tag = both ? tag_of(ms, 1 - offerer) : PL_NULL,
		.medianum = r->idx + 1u,
	};
	char tag[32];
	int n;

	/* RTPproxy tells the control socket "r <serial>" when the stream
	 * times out (Sippy's tag, URL-quoted). */
	if (ms->proxy->notify_cap && ms->m->notify_sock[0]) {
		snprintf(tag, sizeof(tag), "r%%20%llu", (unsigned long long)ms->serial);
		cmd.notify_socket = pl_from_str(ms->m->notify_sock);
		cmd.notify_tag = pl_from_str(tag);
	}
	n = rtpp_cmd_stream(ms->m->cmd, sizeof(ms->m->cmd), &cmd);

	if (n < 0) {
		make_ready(ms, 488, "SDP cannot be relayed");
		return;
	}
	LOGD(log_id(ms), "RTP proxy %s: %.*s", ms->proxy->name, n, ms->m->cmd);
	if (rtpp_request(ms->proxy->client, pl_from(ms->m->cmd, (size_t)n), on_stream_reply, ms) < 0) {
		proxy_failed(ms->proxy, "cannot send");
		make_ready(ms, 502, "RTP proxy not reachable");
		return;
	}
	/* Even unanswered, it may have made a session: delete it later. */
	ms->touched = true;
}

static void on_ng_reply(void *arg, enum rtpp_result result, struct pl reply)
{
	struct media_session *ms = arg;
	struct media_op *op = ms->op;
	struct ng_reply r;
	const char *why = NULL;

	if (result != RTPP_OK) {
		proxy_failed(ms->proxy, result == RTPP_TIMEOUT ? "no answer" : "connection failed");
		fail_op(ms, 502, "RTP proxy not answering");
		return;
	}
	if (ng_parse_reply(reply, &r, &why) < 0 || !r.ok || !r.sdp.l) {
		LOGW(log_id(ms), "RTP proxy %s: %s %s: %.*s", ms->proxy->name, op->answer ? "answer" : "offer",
		     why ? why : "failed", PL_FMT(r.error_reason.p ? r.error_reason : r.result));
		fail_op(ms, 502, "RTP proxy error");
		return;
	}
	if (r.warning.p)
		LOGD(log_id(ms), "RTP proxy %s: warning: %.*s", ms->proxy->name, PL_FMT(r.warning));
	if (!(op->ng_sdp = malloc(r.sdp.l))) {
		fail_op(ms, 500, "No memory");
		return;
	}
	memcpy(op->ng_sdp, r.sdp.p, r.sdp.l);
	op->ng_len = r.sdp.l;
	if (op->answer)
		ms->ng_answered = true;
	complete(ms);
}

static void send_ng(struct media_session *ms)
{
	struct media_op *op = ms->op;
	int offerer = op->answer ? 1 - op->from : op->from;
	struct ng_request r = {
		.cmd = op->answer ? NG_ANSWER : NG_OFFER,
		.call_id = cid_of(ms),
		.from_tag = tag_of(ms, offerer),
		.to_tag = op->answer || ms->ng_answered ? tag_of(ms, 1 - offerer) : PL_NULL,
		.sdp = pl_from(op->sdp, op->len),
	};
	/* The SDP plus a few hundred bytes of dictionary. */
	size_t cap = op->len + 512;
	char *buf = malloc(cap);
	int n = buf ? ng_build(buf, cap, &r) : -1;

	LOGD(log_id(ms), "RTP proxy %s: ng %s from %s", ms->proxy->name, op->answer ? "answer" : "offer",
	     op->from == MEDIA_CALLER ? "caller" : "callee");
	if (n < 0 || rtpp_request(ms->proxy->client, pl_from(buf, (size_t)n), on_ng_reply, ms) < 0) {
		if (n >= 0)
			proxy_failed(ms->proxy, "cannot send");
		make_ready(ms, 502, "RTP proxy not reachable");
	} else {
		ms->touched = true;
	}
	free(buf);
}

int media_rewrite(struct media_session *ms, enum media_side from, enum media_msg msg, struct pl sdp,
		  media_done_fn fn, void *arg)
{
	struct media *m;
	struct media_op *op;
	const char *why = "Malformed SDP";
	bool answer;

	if (!ms || ms->released || ms->op || msg == MEDIA_MSG_REJECT)
		return -1;
	m = ms->m;
	if (!(op = calloc(1, sizeof(*op) + (sdp.l ? sdp.l : 1))))
		return -1;
	answer = is_answer(ms, from, msg);
	advance(ms, from, msg);
	op->from = (uint8_t)from;
	op->answer = answer;
	op->len = sdp.l;
	if (sdp.l)
		memcpy(op->sdp, sdp.p, sdp.l);
	ms->op = op;
	ms->fn = fn;
	ms->arg = arg;
	if (!answer && ms->first_offerer < 0)
		ms->first_offerer = (int8_t)from;
	if (sdp.l > MEDIA_SDP_MAX - 1024) {
		make_ready(ms, 488, "SDP too large");
		return 0;
	}
	if (rtpp_client_spec(ms->proxy->client)->proto == RTPP_PROTO_NG) {
		send_ng(ms);
		return 0;
	}
	if (sdp_parse(&m->sdp, op->sdp, op->len, NULL) < 0 || find_streams(op, &m->sdp, &why) < 0) {
		LOGW(log_id(ms), "SDP from the %s not relayed: %s", from == MEDIA_CALLER ? "caller" : "callee", why);
		make_ready(ms, 488, "Malformed SDP");
		return 0;
	}
	if (op->nstreams == 0) {
		make_ready(ms, 0, NULL);
		return 0;
	}
	send_stream(ms);
	return 0;
}

/* ---------------------------------------------------------------- the result */

/* Our o= towards side `to`: new version whenever the sender's o= changed. */
static void set_origin(struct media_session *ms, struct sdp_session *s, int to, struct pl addr, char *id_buf,
		       size_t id_sz)
{
	struct media_origin *o = &ms->origin[to];
	uint64_t rid = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < s->origin.sess_id.l; i++)
		rid = (rid ^ (unsigned char)s->origin.sess_id.p[i]) * 0x100000001b3ULL;
	if (!o->set) {
		o->set = true;
		o->id = rnd(ms->m) >> 1 | 1;
		o->version = 1;
	} else if (o->remote_id != rid || o->remote_version != s->origin.version) {
		o->version++;
	}
	o->remote_id = rid;
	o->remote_version = s->origin.version;
	snprintf(id_buf, id_sz, "%llu", (unsigned long long)o->id);
	sdp_set_origin(s, PL("-"), pl_from_str(id_buf), addr);
	sdp_set_version(s, o->version);
}

/* What every rewritten SDP gets: our o= and one a=nortpproxy:yes. */
static int finish_sdp(struct media_session *ms, struct sdp_session *s, int to, struct pl addr)
{
	char id[24];

	set_origin(ms, s, to, addr, id, sizeof(id));
	sdp_remove_attr(s, SDP_SESSION, PL("nortpproxy"));
	for (unsigned i = 0; i < s->mediac; i++)
		sdp_remove_attr(s, (int)i, PL("nortpproxy"));
	sdp_add_attr(s, SDP_SESSION, PL("nortpproxy:yes"));
	return sdp_write(s, ms->m->out, sizeof(ms->m->out));
}

/* The rtpproxy results into the SDP (op->sdp parsed again into s). */
static int apply_streams(struct media_op *op, struct sdp_session *s, struct pl *first_addr)
{
	*first_addr = PL_NULL;
	for (unsigned k = 0; k < op->nstreams; k++) {
		const struct stream_res *r = &op->res[k];
		struct pl addr = pl_from_str(r->addr);

		if (sdp_media_set_addr(s, r->idx, addr, r->ipv6) < 0 || sdp_media_set_port(s, r->idx, r->port) < 0)
			return -1;
		if (s->media[r->idx].has_rtcp && sdp_media_set_rtcp(s, r->idx, (uint16_t)(r->port + 1), addr) < 0)
			return -1;
		if (r->hold && sdp_media_dir(s, r->idx) == SDP_DIR_SENDRECV &&
		    sdp_media_set_direction(s, r->idx, SDP_DIR_SENDONLY) < 0)
			return -1;
		if (!first_addr->p) {
			*first_addr = addr;
			if (s->sec.conn.addr.p && sdp_session_set_addr(s, addr, r->ipv6) < 0)
				return -1;
		}
	}
	return 0;
}

/* rtpengine keeps c=0.0.0.0 on hold (RFC 2543) and marks the stream
 * sendonly itself; should a version not, the far end still must not send. */
static int apply_ng_hold(struct sdp_session *s)
{
	for (unsigned i = 0; i < s->mediac; i++)
		if (s->media[i].port && is_null_addr(sdp_media_addr(s, i)) &&
		    sdp_media_dir(s, i) == SDP_DIR_SENDRECV && sdp_media_set_direction(s, i, SDP_DIR_SENDONLY) < 0)
			return -1;
	return 0;
}

static void complete(struct media_session *ms)
{
	struct media *m = ms->m;
	struct media_op *op = ms->op;
	media_done_fn fn = ms->fn;
	void *arg = ms->arg;
	struct sdp_session *s = &m->sdp;
	int to = 1 - op->from, n = -1;
	unsigned code = op->code;
	const char *reason = op->reason;
	struct pl addr = PL_NULL;

	ms->op = NULL;
	ms->fn = NULL;
	ms->arg = NULL;
	if (ms->released) {
		free(op->ng_sdp);
		free(op);
		delete_and_free(ms);
		return;
	}
	if (code == 0) {
		if (op->ng_sdp) {
			if (sdp_parse(s, op->ng_sdp, op->ng_len, NULL) == 0 && apply_ng_hold(s) == 0)
				n = finish_sdp(ms, s, to, PL_NULL);
		} else if (sdp_parse(s, op->sdp, op->len, NULL) == 0 && apply_streams(op, s, &addr) == 0) {
			n = finish_sdp(ms, s, to, addr);
		}
		if (n < 0) {
			LOGW(log_id(ms), "RTP proxy %s: the rewritten SDP does not fit or parse", ms->proxy->name);
			code = 502;
			reason = "SDP rewrite failed";
		}
	}
	free(op->ng_sdp);
	free(op);
	if (fn)
		fn(m->cd, arg, code, reason, code ? PL_NULL : pl_from(m->out, (size_t)n));
}

/* ---------------------------------------------------------------- media timeouts */

size_t media_timeout_notify(struct ccd *cd, struct pl id)
{
	struct media *m = cd->media;
	const char *dash = NULL;
	uint64_t serial = 0;

	for (size_t i = 0; i < id.l; i++)
		if (id.p[i] == '-')
			dash = id.p + i;
	if (!m || !dash || dash + 1 == pl_end(id) || pl_end(id) - dash > 21) {
		LOGW(PL_NULL, "media timeout for '%.*s', which is no session of ours", (int)(id.l > 80 ? 80 : id.l), id.p);
		return 0;
	}
	for (const char *p = dash + 1; p < pl_end(id); p++) {
		if (*p < '0' || *p > '9' || serial > (UINT64_MAX - 9) / 10)
			return 0;
		serial = serial * 10 + (uint64_t)(*p - '0');
	}
	/* The proxy deleted the session itself: no delete for it later. */
	for (struct media_session *ms = m->all; ms; ms = ms->next)
		if (ms->serial == serial && pl_eq(cid_of(ms), id)) {
			LOGI(log_id(ms), "RTP proxy %s: media timeout of session %.*s", ms->proxy->name, PL_FMT(id));
			ms->touched = false;
			break;
		}
	return calls_media_timeout(cd, serial, pl_until(id, dash));
}
