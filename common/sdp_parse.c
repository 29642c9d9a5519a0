/*
 * sdp_parse.c - SDP body -> struct sdp_session (RFC 8866).
 *
 * Lenient where real devices differ (bare LF, blank lines, line order,
 * unknown line types), strict where ccd depends on the value (o=, c=, m=,
 * rtpmap, fmtp, rtcp, rtcp-fb). Every slice points into the caller's
 * buffer; nothing is allocated and every count is bounded.
 */
#include <stdio.h>

#include "sdp_priv.h"

struct parser {
	struct sdp_session *s;
	struct sdp_error *err;
	unsigned line;
};

static int fail(struct parser *p, const char *reason)
{
	p->err->reason = reason;
	p->err->line = p->line;
	p->err->entry = 0;
	return -1;
}

int sdp_error_str(const struct sdp_error *err, char *buf, size_t size)
{
	const char *reason = err && err->reason ? err->reason : "No error";

	if (err && err->line)
		return snprintf(buf, size, "%s (line %u)", reason, err->line);
	if (err && err->entry)
		return snprintf(buf, size, "%s (entry %u)", reason, err->entry);
	return snprintf(buf, size, "%s", reason);
}

static int parse_origin(struct parser *p, struct pl v)
{
	struct sdp_origin *o = &p->s->origin;
	struct pl extra;

	if (pl_isset(o->username))
		return fail(p, "Duplicate o= line");
	if (!sdp_next_field(&v, &o->username) ||
	    !sdp_next_field(&v, &o->sess_id) ||
	    !sdp_next_field(&v, &o->version_str) ||
	    !sdp_next_field(&v, &o->nettype) ||
	    !sdp_next_field(&v, &o->addrtype) ||
	    !sdp_next_field(&v, &o->addr) || sdp_next_field(&v, &extra) ||
	    !sdp_is_vchars(o->username) || !sdp_is_vchars(o->sess_id) ||
	    !sdp_u64(o->version_str, &o->version) ||
	    !sdp_is_token(o->nettype) || !sdp_is_token(o->addrtype) ||
	    !sdp_is_vchars(o->addr)) {
		*o = (struct sdp_origin){ 0 };
		return fail(p, "Bad o= line");
	}
	return 0;
}

static int parse_conn(struct parser *p, struct sdp_section *sec, struct pl v,
		      bool session)
{
	struct sdp_conn c;

	if (session && sec->connc)
		return fail(p, "Duplicate c= line");
	if (!sdp_parse_conn(v, &c))
		return fail(p, "Bad c= line");
	if (sec->connc++ == 0)
		sec->conn = c;
	return 0;
}

/* "<port>[/<number of ports>]" */
static int parse_port(struct parser *p, struct sdp_media *m, struct pl v)
{
	const char *slash = pl_chr(v, '/');
	uint32_t port, n;

	if (!pl_u32(slash ? pl_until(v, slash) : v, 65535, &port))
		return fail(p, "Bad port");
	m->port = (uint16_t)port;
	m->nports_str = slash ? pl_after(v, slash) : pl_from(pl_end(v), 0);
	if (slash) {
		if (!pl_u32(pl_after(v, slash + 1), 65535, &n) || n == 0)
			return fail(p, "Bad port");
		m->nports = (uint16_t)n;
	}
	return 0;
}

/* proto = token *("/" token) */
static bool is_proto(struct pl x)
{
	while (x.l) {
		const char *slash = pl_chr(x, '/');
		if (!sdp_is_token(slash ? pl_until(x, slash) : x))
			return false;
		if (!slash)
			return true;
		x = pl_after(x, slash + 1);
		if (x.l == 0)
			return false;
	}
	return false;
}

static int parse_media_line(struct parser *p, struct sdp_media *m, struct pl v)
{
	struct pl port, f;

	if (!sdp_next_field(&v, &m->media) || !sdp_next_field(&v, &port) ||
	    !sdp_next_field(&v, &m->proto) || !sdp_is_token(m->media) ||
	    !is_proto(m->proto))
		return fail(p, "Bad m= line");
	if (parse_port(p, m, port) < 0)
		return -1;
	m->rtp = sdp_is_rtp_proto(m->proto);
	while (sdp_next_field(&v, &f)) {
		struct sdp_format *fmt;
		uint32_t pt;

		if (m->fmtc == SDP_MAX_FORMATS)
			return fail(p, "Too many formats");
		fmt = &m->fmt[m->fmtc++];
		fmt->id = f;
		fmt->pt = -1;
		if (m->rtp) {
			if (!pl_u32(f, 127, &pt))
				return fail(p, "Bad payload type");
			fmt->pt = (int16_t)pt;
		} else if (!sdp_is_token(f)) {
			return fail(p, "Bad m= line");
		}
	}
	if (m->fmtc == 0)
		return fail(p, "Bad m= line");
	return 0;
}

/* Text up to the first SP, and what follows it with leading SP removed. */
static struct pl split_sp(struct pl v, struct pl *rest)
{
	const char *sp = pl_chr(v, ' ');

	if (!sp) {
		*rest = pl_from(pl_end(v), 0);
		return v;
	}
	*rest = pl_ltrim(pl_after(v, sp));
	return pl_until(v, sp);
}

/* rtpmap:<pt> <encoding>/<clock>[/<channels>] */
static bool parse_rtpmap(struct pl v, uint32_t *pt, struct sdp_rtpmap *map)
{
	struct pl rest, clock;
	const char *slash;
	uint32_t n;

	if (!pl_u32(split_sp(pl_trim(v), &rest), 127, pt))
		return false;
	slash = pl_chr(rest, '/');
	if (!slash)
		return false;
	map->encoding = pl_until(rest, slash);
	rest = pl_after(rest, slash + 1);
	slash = pl_chr(rest, '/');
	clock = slash ? pl_until(rest, slash) : rest;
	if (!sdp_is_token(map->encoding) || !pl_u32(clock, UINT32_MAX, &n) ||
	    n == 0)
		return false;
	map->clock = n;
	map->channels = 0;
	if (slash) {
		if (!pl_u32(pl_after(rest, slash + 1), 255, &n) || n == 0)
			return false;
		map->channels = (uint16_t)n;
	}
	return true;
}

static int parse_rtcp(struct parser *p, struct sdp_media *m, struct pl v)
{
	struct sdp_rtcp rtcp = { 0 };
	struct pl rest;
	uint32_t port;

	if (!pl_u32(split_sp(pl_trim(v), &rest), 65535, &port))
		return fail(p, "Bad a=rtcp");
	rtcp.port = (uint16_t)port;
	if (rest.l && !sdp_parse_conn(rest, &rtcp.conn))
		return fail(p, "Bad a=rtcp");
	if (!m->has_rtcp) {
		m->has_rtcp = true;
		m->rtcp = rtcp;
	}
	return 0;
}

/* Attributes whose meaning depends on the m= line's payload types. */
static int parse_rtp_attr(struct parser *p, struct sdp_media *m,
			  struct sdp_attr *a, struct pl v)
{
	struct pl fmt, rest;
	struct sdp_rtpmap map;
	uint32_t pt;

	if (pl_caseeq(a->name, PL("rtpmap"))) {
		a->kind = SDP_ATTR_RTPMAP;
		if (!parse_rtpmap(v, &pt, &map))
			return fail(p, "Bad a=rtpmap");
		for (unsigned j = 0; j < m->fmtc; j++) {
			if (m->fmt[j].pt == (int16_t)pt && !m->fmt[j].has_rtpmap) {
				m->fmt[j].has_rtpmap = true;
				m->fmt[j].map = map;
			}
		}
	} else if (pl_caseeq(a->name, PL("fmtp"))) {
		a->kind = SDP_ATTR_FMTP;
		fmt = split_sp(pl_trim(v), &rest);
		if (!pl_u32(fmt, 127, &pt))
			return fail(p, "Bad a=fmtp");
		for (unsigned j = 0; j < m->fmtc; j++)
			if (m->fmt[j].pt == (int16_t)pt && !pl_isset(m->fmt[j].fmtp))
				m->fmt[j].fmtp = rest;
	} else if (pl_caseeq(a->name, PL("rtcp-fb"))) {
		a->kind = SDP_ATTR_RTCP_FB;
		fmt = split_sp(pl_trim(v), &rest);
		if (rest.l == 0)
			return fail(p, "Bad a=rtcp-fb");
		if (pl_eq(fmt, PL("*")))
			return 0;
		if (!pl_u32(fmt, 127, &pt))
			return fail(p, "Bad a=rtcp-fb");
	} else {
		return 0;
	}
	a->pt = (int16_t)pt;
	return 0;
}

/* a=<name>[:<value>], at session level (m == NULL) or in a media section. */
static int parse_attr(struct parser *p, struct sdp_section *sec,
		      struct sdp_media *m, struct pl v)
{
	const char *colon = pl_chr(v, ':');
	/* What the decoders see: never a NULL slice, even without ':'. */
	struct pl val = colon ? pl_after(v, colon + 1) : pl_from(pl_end(v), 0);
	struct sdp_attr *a;
	enum sdp_dir dir;
	uint32_t ms;

	if (!sdp_is_token(colon ? pl_until(v, colon) : v))
		return fail(p, "Bad a= line");
	if (sec->attrc == SDP_MAX_ATTRS)
		return fail(p, "Too many attributes");
	a = &sec->attr[sec->attrc++];
	a->name = colon ? pl_until(v, colon) : v;
	a->value = colon ? pl_after(v, colon + 1) : PL_NULL;
	a->pt = -1;
	a->kind = SDP_ATTR_OTHER;

	dir = sdp_dir_from_name(a->name);
	if (dir != SDP_DIR_NONE) {
		a->kind = SDP_ATTR_DIR;
		if (sec->dir == SDP_DIR_NONE)
			sec->dir = dir;
		return 0;
	}
	if (pl_caseeq(a->name, PL("nortpproxy"))) {
		a->kind = SDP_ATTR_NORTPPROXY;
		sec->nortpproxy = true;
		return 0;
	}
	if (!m)
		return 0;
	if (pl_caseeq(a->name, PL("rtcp"))) {
		a->kind = SDP_ATTR_RTCP;
		return parse_rtcp(p, m, val);
	}
	if (pl_caseeq(a->name, PL("ptime"))) {
		/* Some devices write "20.0": keep the line, report 0. */
		a->kind = SDP_ATTR_PTIME;
		if (m->ptime == 0 && pl_u32(pl_trim(val), UINT32_MAX, &ms))
			m->ptime = ms;
		return 0;
	}
	return m->rtp ? parse_rtp_attr(p, m, a, val) : 0;
}

/* Static payload types without a=rtpmap get their RFC 3551 meaning. */
static void finish_media(struct sdp_media *m, const char *end)
{
	m->sec.text.l = (size_t)(end - m->sec.text.p);
	for (unsigned j = 0; j < m->fmtc; j++) {
		struct sdp_format *f = &m->fmt[j];
		if (f->pt >= 0 && !f->has_rtpmap)
			sdp_static_rtpmap((unsigned)f->pt, &f->map);
	}
}

static int start_media(struct parser *p, struct pl line)
{
	struct sdp_session *s = p->s;
	struct sdp_media *m;

	if (!pl_isset(s->origin.username))
		return fail(p, "Missing o= line");
	if (s->mediac == SDP_MAX_MEDIA)
		return fail(p, "Too many media");
	if (s->mediac)
		finish_media(&s->media[s->mediac - 1], line.p);
	else
		s->sec.text.l = (size_t)(line.p - s->sec.text.p);
	m = &s->media[s->mediac++];
	memset(m, 0, sizeof(*m));
	m->sec.text = pl_from(line.p, 0);
	m->sec.line = p->line;
	return parse_media_line(p, m, pl_after(line, line.p + 2));
}

static bool bad_chars(struct pl line)
{
	return memchr(line.p, '\0', line.l) || memchr(line.p, '\r', line.l);
}

static int parse_line(struct parser *p, struct pl line)
{
	struct sdp_session *s = p->s;
	struct sdp_media *m = s->mediac ? &s->media[s->mediac - 1] : NULL;
	struct sdp_section *sec = m ? &m->sec : &s->sec;
	struct pl v = pl_after(line, line.p + 2);
	char type = line.p[0];

	switch (type) {
	case 'v':
		return fail(p, "Duplicate v= line");
	case 'o':
		return parse_origin(p, v);
	case 'm':
		return start_media(p, line);
	case 'c':
		return parse_conn(p, sec, v, m == NULL);
	case 'a':
		return parse_attr(p, sec, m, v);
	case 's':
		if (!m && !pl_isset(s->name))
			s->name = v;
		return 0;
	default:
		/* i u e p b t r z k and unknown types are written back as is. */
		return 0;
	}
}

static void reset(struct sdp_session *s, const char *buf, size_t len)
{
	memset(s, 0, offsetof(struct sdp_session, media));
	memset(&s->origin_edit, 0, sizeof(s->origin_edit));
	s->mediac = 0;
	s->buf = buf;
	s->len = len;
	s->sec.text = pl_from(buf, 0);
	s->sec.line = 1;
}

static int parse_body(struct parser *p, const char *buf, size_t len)
{
	struct sdp_session *s = p->s;
	struct sdp_lines it;
	struct pl line;
	bool first = true;

	sdp_lines_init(&it, pl_from(buf, len), 1);
	while (sdp_lines_next(&it, &line)) {
		p->line = it.lineno;
		if (bad_chars(line))
			return fail(p, "Bad character");
		if (line.l < 2 || line.p[1] != '=')
			return fail(p, "Line without '='");
		if (!((line.p[0] >= 'a' && line.p[0] <= 'z') ||
		      (line.p[0] >= 'A' && line.p[0] <= 'Z')))
			return fail(p, "Bad line type");
		if (!first) {
			if (parse_line(p, line) < 0)
				return -1;
			continue;
		}
		if (line.p[0] != 'v')
			return fail(p, "Missing v= line");
		if (!pl_eq(pl_trim(pl_after(line, line.p + 2)), PL("0")))
			return fail(p, "Bad v= value");
		first = false;
	}
	if (first) {
		p->line = 0;
		return fail(p, "Empty input");
	}
	p->line = it.lineno;
	if (!pl_isset(s->origin.username))
		return fail(p, "Missing o= line");
	if (s->mediac)
		finish_media(&s->media[s->mediac - 1], buf + len);
	else
		s->sec.text.l = len;
	return 0;
}

int sdp_parse(struct sdp_session *s, const char *buf, size_t len,
	      struct sdp_error *err)
{
	struct sdp_error dummy;
	struct parser p = { s, err ? err : &dummy, 0 };

	*p.err = (struct sdp_error){ 0 };
	if (!buf)
		len = 0;
	reset(s, buf, len);
	if (parse_body(&p, buf, len) == 0)
		return 0;
	/* A failed session writes as nothing rather than as half a body. */
	reset(s, NULL, 0);
	return -1;
}
