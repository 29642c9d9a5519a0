/*
 * sdp_write.c - struct sdp_session + pending edits -> SDP body.
 *
 * The writer walks the received lines again with the parser's own line
 * splitter, so that whatever no edit touches is copied byte for byte and
 * in its original place. Edited lines are rebuilt from their parts; lines
 * the edits add go where RFC 8866 §5 puts them (c= after i=, attributes
 * at the end of their section).
 */
#include <limits.h>

#include "sdp_priv.h"

/* Output cursor that refuses, once and for all, to pass the end. */
struct out {
	char *p;
	size_t cap;
	size_t len;
	bool overflow;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->overflow || n > o->cap - o->len) {
		o->overflow = true;
		return;
	}
	if (n)
		memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void put_pl(struct out *o, struct pl x)
{
	put(o, x.p, x.l);
}

static void put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void put_u64(struct out *o, uint64_t v)
{
	char tmp[20];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(o, tmp + i, sizeof(tmp) - i);
}

static void put_line(struct out *o, struct pl line)
{
	put_pl(o, line);
	put(o, "\r\n", 2);
}

/* ---- decisions shared with the edit checks ---- */

enum sdp_attr_action sdp_attr_action(const struct sdp_section *sec,
				     const struct sdp_media *m, unsigned j,
				     struct sdp_attr_walk *w)
{
	const struct sdp_attr *a = &sec->attr[j];

	/* An edited direction takes the place of the first one, once. */
	if (a->kind == SDP_ATTR_DIR && sec->edit.dir_set) {
		if (w->dir_done)
			return SDP_DROP;
		w->dir_done = true;
		return sec->edit.dir != SDP_DIR_NONE ? SDP_EMIT_DIR : SDP_DROP;
	}
	if (m && a->kind == SDP_ATTR_RTCP && m->edit.rtcp != SDP_RTCP_KEEP) {
		if (w->rtcp_done)
			return SDP_DROP;
		w->rtcp_done = true;
		return m->edit.rtcp == SDP_RTCP_SET ? SDP_EMIT_RTCP : SDP_DROP;
	}
	if ((sec->edit.removed >> j) & 1)
		return SDP_DROP;
	return SDP_EMIT_RAW;
}

void sdp_attr_tail(const struct sdp_section *sec, const struct sdp_media *m,
		   const struct sdp_attr_walk *w, bool *add_dir, bool *add_rtcp)
{
	*add_dir = sec->edit.dir_set && !w->dir_done &&
		   sec->edit.dir != SDP_DIR_NONE;
	*add_rtcp = m && m->edit.rtcp == SDP_RTCP_SET && !w->rtcp_done;
}

unsigned sdp_out_attr_count(const struct sdp_section *sec,
			    const struct sdp_media *m)
{
	struct sdp_attr_walk w = { 0 };
	unsigned n = 0;
	bool add_dir, add_rtcp;

	for (unsigned j = 0; j < sec->attrc; j++)
		if (sdp_attr_action(sec, m, j, &w) != SDP_DROP)
			n++;
	sdp_attr_tail(sec, m, &w, &add_dir, &add_rtcp);
	return n + add_dir + add_rtcp + sec->edit.addc;
}

/* ---- rebuilt lines ---- */

static bool origin_edited(const struct sdp_session *s)
{
	const struct sdp_origin_edit *e = &s->origin_edit;

	return pl_isset(e->username) || pl_isset(e->sess_id) ||
	       pl_isset(e->addr) || e->version_set;
}

static void put_origin(struct out *o, const struct sdp_session *s)
{
	const struct sdp_origin_edit *e = &s->origin_edit;
	const struct sdp_origin *r = &s->origin;

	put_str(o, "o=");
	put_pl(o, pl_isset(e->username) ? e->username : r->username);
	put(o, " ", 1);
	put_pl(o, pl_isset(e->sess_id) ? e->sess_id : r->sess_id);
	put(o, " ", 1);
	put_u64(o, e->version_set ? e->version : r->version);
	put(o, " ", 1);
	if (pl_isset(e->addr)) {
		put_str(o, pl_chr(e->addr, ':') ? "IN IP6 " : "IN IP4 ");
		put_pl(o, e->addr);
	} else {
		put_pl(o, r->nettype);
		put(o, " ", 1);
		put_pl(o, r->addrtype);
		put(o, " ", 1);
		put_pl(o, r->addr);
	}
	put(o, "\r\n", 2);
}

static void put_conn(struct out *o, const struct sdp_section_edit *e)
{
	put_str(o, e->conn_ipv6 ? "c=IN IP6 " : "c=IN IP4 ");
	put_line(o, e->conn_addr);
}

static void put_dir(struct out *o, enum sdp_dir dir)
{
	put_str(o, "a=");
	put_str(o, sdp_dir_name(dir));
	put(o, "\r\n", 2);
}

static void put_rtcp(struct out *o, const struct sdp_media_edit *e)
{
	put_str(o, "a=rtcp:");
	put_u64(o, e->rtcp_port);
	if (pl_isset(e->rtcp_addr)) {
		put_str(o, pl_chr(e->rtcp_addr, ':') ? " IN IP6 " : " IN IP4 ");
		put_pl(o, e->rtcp_addr);
	}
	put(o, "\r\n", 2);
}

static bool media_line_edited(const struct sdp_media *m)
{
	return m->edit.port_set || m->edit.fmt_removed;
}

static void put_media_line(struct out *o, const struct sdp_media *m)
{
	put_str(o, "m=");
	put_pl(o, m->media);
	put(o, " ", 1);
	put_u64(o, m->edit.port_set ? m->edit.port : m->port);
	put_pl(o, m->nports_str);
	put(o, " ", 1);
	put_pl(o, m->proto);
	for (unsigned j = 0; j < m->fmtc; j++) {
		if ((m->edit.fmt_removed >> j) & 1)
			continue;
		put(o, " ", 1);
		put_pl(o, m->fmt[j].id);
	}
	put(o, "\r\n", 2);
}

/* ---- sections ---- */

struct attr_cursor {
	unsigned j;
	struct sdp_attr_walk walk;
};

static int write_attr(struct out *o, const struct sdp_section *sec,
		      const struct sdp_media *m, struct attr_cursor *c,
		      struct pl line)
{
	unsigned j = c->j++;

	/* The buffer changed since parsing, or the session is not parsed. */
	if (j >= sec->attrc || sec->attr[j].name.p != line.p + 2)
		return -1;
	switch (sdp_attr_action(sec, m, j, &c->walk)) {
	case SDP_EMIT_RAW:
		put_line(o, line);
		break;
	case SDP_EMIT_DIR:
		put_dir(o, sec->edit.dir);
		break;
	case SDP_EMIT_RTCP:
		put_rtcp(o, &m->edit);
		break;
	case SDP_DROP:
		break;
	}
	return 0;
}

static int write_tail(struct out *o, const struct sdp_section *sec,
		      const struct sdp_media *m, const struct attr_cursor *c)
{
	bool add_dir, add_rtcp;

	if (c->j != sec->attrc)
		return -1;
	sdp_attr_tail(sec, m, &c->walk, &add_dir, &add_rtcp);
	if (add_rtcp)
		put_rtcp(o, &m->edit);
	if (add_dir)
		put_dir(o, sec->edit.dir);
	for (unsigned k = 0; k < sec->edit.addc; k++) {
		put(o, "a=", 2);
		put_line(o, sec->edit.add[k]);
	}
	return 0;
}

/* Session-level lines that RFC 8866 §5 puts after c=. */
static bool after_session_conn(char type)
{
	return type && memchr("btrzka", type, 6) != NULL;
}

static int write_session(struct out *o, const struct sdp_session *s)
{
	const struct sdp_section *sec = &s->sec;
	bool add_conn = sec->edit.conn_set && sec->connc == 0;
	struct attr_cursor c = { 0 };
	struct sdp_lines it;
	struct pl line;

	sdp_lines_init(&it, sec->text, sec->line);
	while (sdp_lines_next(&it, &line)) {
		char type = line.p[0];

		if (add_conn && after_session_conn(type)) {
			put_conn(o, &sec->edit);
			add_conn = false;
		}
		if (type == 'a') {
			if (write_attr(o, sec, NULL, &c, line) < 0)
				return -1;
		} else if (type == 'o' && origin_edited(s)) {
			put_origin(o, s);
		} else if (type == 'c' && sec->edit.conn_set) {
			put_conn(o, &sec->edit);
		} else {
			put_line(o, line);
		}
	}
	if (add_conn)
		put_conn(o, &sec->edit);
	return write_tail(o, sec, NULL, &c);
}

static int write_media(struct out *o, const struct sdp_media *m)
{
	const struct sdp_section *sec = &m->sec;
	bool add_conn = sec->edit.conn_set && sec->connc == 0;
	bool conn_done = false;
	struct attr_cursor c = { 0 };
	struct sdp_lines it;
	struct pl line;

	sdp_lines_init(&it, sec->text, sec->line);
	if (!sdp_lines_next(&it, &line) || line.p[0] != 'm')
		return -1;
	if (media_line_edited(m))
		put_media_line(o, m);
	else
		put_line(o, line);
	while (sdp_lines_next(&it, &line)) {
		char type = line.p[0];

		/* m= i= c=: a new c= goes right after the title. */
		if (add_conn && type != 'i') {
			put_conn(o, &sec->edit);
			add_conn = false;
		}
		if (type == 'a') {
			if (write_attr(o, sec, m, &c, line) < 0)
				return -1;
		} else if (type == 'c' && sec->edit.conn_set) {
			/* Several c= (layered multicast) collapse into one. */
			if (!conn_done)
				put_conn(o, &sec->edit);
			conn_done = true;
		} else {
			put_line(o, line);
		}
	}
	if (add_conn)
		put_conn(o, &sec->edit);
	return write_tail(o, sec, m, &c);
}

int sdp_write(const struct sdp_session *s, char *out, size_t cap)
{
	struct out o = { out, out ? cap : 0, 0, false };

	if (!s || write_session(&o, s) < 0)
		return -1;
	for (unsigned i = 0; i < s->mediac && i < SDP_MAX_MEDIA; i++)
		if (write_media(&o, &s->media[i]) < 0)
			return -1;
	if (o.overflow || o.len > INT_MAX)
		return -1;
	return (int)o.len;
}
