/*
 * rtpp_cmd.c - the rtpproxy commands ccd sends and the replies it reads
 * (rtpp.h). No state, no I/O: a codec in the daemon's room.
 *
 * Only U, L, D and V are used. Q (query) is never sent: rtpengine 10.x
 * (Debian 12) then never answers the call's D and stays blocked.
 */
#include "rtpp.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* Appends into buf[*len..cap); a field must be a non-empty token. */
struct out {
	char *buf;
	size_t cap, len;
	bool bad;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->bad || n > o->cap - o->len) {
		o->bad = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void put_token(struct out *o, struct pl t)
{
	if (!t.p || t.l == 0) {
		o->bad = true;
		return;
	}
	for (size_t i = 0; i < t.l; i++)
		if ((unsigned char)t.p[i] <= 0x20 || t.p[i] == 0x7f) {
			o->bad = true;
			return;
		}
	put(o, t.p, t.l);
}

static void put_uint(struct out *o, unsigned v)
{
	char d[12];
	int n = snprintf(d, sizeof(d), "%u", v);

	put(o, d, (size_t)n);
}

static void put_tag(struct out *o, struct pl tag, unsigned medianum)
{
	put_token(o, tag);
	put(o, ";", 1);
	put_uint(o, medianum);
}

static int done(const struct out *o)
{
	return o->bad || o->len > (size_t)INT32_MAX ? -1 : (int)o->len;
}

int rtpp_cmd_stream(char *buf, size_t cap, const struct rtpp_stream_cmd *cmd)
{
	struct out o = { buf, cap, 0, false };

	if (cmd->medianum == 0 || (cmd->answer && !cmd->answerer_tag.p) || cmd->port == 0)
		return -1;
	put_str(&o, cmd->answer ? "L" : "U");
	if (cmd->ipv6)
		put_str(&o, "6");
	put_str(&o, " ");
	put_token(&o, cmd->call_id);
	put_str(&o, " ");
	put_token(&o, cmd->addr);
	put_str(&o, " ");
	put_uint(&o, cmd->port);
	put_str(&o, " ");
	put_tag(&o, cmd->offerer_tag, cmd->medianum);
	if (cmd->answerer_tag.p) {
		put_str(&o, " ");
		put_tag(&o, cmd->answerer_tag, cmd->medianum);
	}
	/* RTPproxy reads a notify socket only after a second tag. */
	if (cmd->notify_socket.p && cmd->answerer_tag.p) {
		put_str(&o, " ");
		put_token(&o, cmd->notify_socket);
		put_str(&o, " ");
		put_token(&o, cmd->notify_tag);
	}
	return done(&o);
}

int rtpp_cmd_delete(char *buf, size_t cap, struct pl call_id, struct pl tag1, struct pl tag2)
{
	struct out o = { buf, cap, 0, false };

	put_str(&o, "D ");
	put_token(&o, call_id);
	put_str(&o, " ");
	put_token(&o, tag1);
	if (tag2.p) {
		put_str(&o, " ");
		put_token(&o, tag2);
	}
	return done(&o);
}

/* The next space-separated word of *s (leading spaces skipped). */
static struct pl word(struct pl *s)
{
	const char *p = s->p, *e = s->p + s->l, *w;

	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	w = p;
	while (p < e && *p != ' ' && *p != '\t')
		p++;
	*s = pl_from(p, (size_t)(e - p));
	return pl_from(w, (size_t)(p - w));
}

static struct pl trim_reply(struct pl r)
{
	while (r.l && (r.p[r.l - 1] == '\n' || r.p[r.l - 1] == '\r' || r.p[r.l - 1] == ' '))
		r.l--;
	return r;
}

int rtpp_parse_stream_reply(struct pl reply, uint16_t *port, struct pl *addr, bool *ipv6, const char **why)
{
	struct pl rest = trim_reply(reply), w, af;
	uint32_t v;

	*addr = PL_NULL;
	*ipv6 = false;
	w = word(&rest);
	if (w.l > 0 && (w.p[0] == 'E' || w.p[0] == 'e')) {
		*why = "the proxy answered an error";
		return -1;
	}
	if (!pl_u32(w, 65535, &v)) {
		*why = "the proxy's answer is not a port";
		return -1;
	}
	if (v == 0) {
		*why = "the proxy answered port 0 (no session)";
		return -1;
	}
	*port = (uint16_t)v;
	w = word(&rest);
	if (w.l == 0)
		return 0;
	af = word(&rest);
	if (word(&rest).l != 0) {
		*why = "the proxy's answer has too many words";
		return -1;
	}
	if (af.l == 1 && af.p[0] == '6')
		*ipv6 = true;
	else if (af.l != 0 && !(af.l == 1 && af.p[0] == '4')) {
		*why = "the proxy's answer has an unknown address family";
		return -1;
	}
	{
		struct netaddr a;

		/* It goes into SDP: a numeric address of the family given. */
		if (!netaddr_from_host(&a, w, 0) || (af.l && *ipv6 != (netaddr_family(&a) == AF_INET6))) {
			*why = "the proxy's answer has no valid address";
			return -1;
		}
		*ipv6 = netaddr_family(&a) == AF_INET6;
	}
	*addr = w;
	return 0;
}

bool rtpp_version_ok(struct pl reply)
{
	return pl_eq_str(trim_reply(reply), RTPP_PROTOCOL_VERSION);
}
