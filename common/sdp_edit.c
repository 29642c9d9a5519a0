/*
 * sdp_edit.c - pending edits of a parsed session, and the session as
 * sdp_write() will emit it.
 *
 * An edit only records what to change (slices of caller memory, numbers,
 * bit masks); sdp_write() applies them. Every value that ends up in the
 * output is checked here, so an edit can never inject a line break or
 * produce a body that our own parser would refuse.
 */
#include "sdp_priv.h"

static struct sdp_media *media_at(struct sdp_session *s, unsigned i)
{
	return s && i < s->mediac ? &s->media[i] : NULL;
}

static const struct sdp_media *cmedia_at(const struct sdp_session *s,
					 unsigned i)
{
	return s && i < s->mediac ? &s->media[i] : NULL;
}

/* idx is a media index or SDP_SESSION; *m is NULL at session level. */
static struct sdp_section *section_at(struct sdp_session *s, int idx,
				      struct sdp_media **m)
{
	*m = NULL;
	if (s && idx == SDP_SESSION)
		return &s->sec;
	*m = idx >= 0 ? media_at(s, (unsigned)idx) : NULL;
	return *m ? &(*m)->sec : NULL;
}

static bool is_digits(struct pl x)
{
	if (x.l == 0)
		return false;
	for (size_t i = 0; i < x.l; i++)
		if (x.p[i] < '0' || x.p[i] > '9')
			return false;
	return true;
}

/* An address we write is a literal or name matching its address type. */
static bool addr_ok(struct pl addr, bool ipv6)
{
	return pl_isset(addr) &&
	       sdp_addr_valid(ipv6 ? PL("IP6") : PL("IP4"), addr);
}

/* ---- o= ---- */

int sdp_set_origin(struct sdp_session *s, struct pl username,
		   struct pl sess_id, struct pl addr)
{
	if (!s || (pl_isset(username) && !sdp_is_vchars(username)) ||
	    (pl_isset(sess_id) && !is_digits(sess_id)) ||
	    (pl_isset(addr) && !addr_ok(addr, pl_chr(addr, ':') != NULL)))
		return -1;
	if (pl_isset(username))
		s->origin_edit.username = username;
	if (pl_isset(sess_id))
		s->origin_edit.sess_id = sess_id;
	if (pl_isset(addr))
		s->origin_edit.addr = addr;
	return 0;
}

uint64_t sdp_version(const struct sdp_session *s)
{
	if (!s)
		return 0;
	return s->origin_edit.version_set ? s->origin_edit.version
					  : s->origin.version;
}

void sdp_set_version(struct sdp_session *s, uint64_t version)
{
	if (!s)
		return;
	s->origin_edit.version_set = true;
	s->origin_edit.version = version;
}

void sdp_bump_version(struct sdp_session *s)
{
	if (s)
		sdp_set_version(s, sdp_version(s) + 1);
}

/* ---- c= and m= ---- */

int sdp_session_set_addr(struct sdp_session *s, struct pl addr, bool ipv6)
{
	if (!s || !addr_ok(addr, ipv6))
		return -1;
	s->sec.edit.conn_set = true;
	s->sec.edit.conn_addr = addr;
	s->sec.edit.conn_ipv6 = ipv6;
	return 0;
}

int sdp_media_set_addr(struct sdp_session *s, unsigned i, struct pl addr,
		       bool ipv6)
{
	struct sdp_media *m = media_at(s, i);

	if (!m || !addr_ok(addr, ipv6))
		return -1;
	m->sec.edit.conn_set = true;
	m->sec.edit.conn_addr = addr;
	m->sec.edit.conn_ipv6 = ipv6;
	return 0;
}

/*
 * A section the payload filter rejected has only a placeholder format
 * left; giving it a port again would offer a codec the operator forbids.
 */
int sdp_media_set_port(struct sdp_session *s, unsigned i, uint16_t port)
{
	struct sdp_media *m = media_at(s, i);

	if (!m || (m->edit.rejected && port != 0))
		return -1;
	m->edit.port_set = true;
	m->edit.port = port;
	return 0;
}

/* ---- attributes ---- */

/*
 * Edits that may add an a= line are undone when the section would then
 * hold more than SDP_MAX_ATTRS: the output must parse again, here too.
 */
static int check_attr_room(struct sdp_section *sec, const struct sdp_media *m)
{
	return sdp_out_attr_count(sec, m) <= SDP_MAX_ATTRS ? 0 : -1;
}

int sdp_media_set_rtcp(struct sdp_session *s, unsigned i, uint16_t port,
		       struct pl addr)
{
	struct sdp_media *m = media_at(s, i);
	struct sdp_media_edit saved;

	if (!m || (pl_isset(addr) && !addr_ok(addr, pl_chr(addr, ':') != NULL)))
		return -1;
	saved = m->edit;
	m->edit.rtcp = SDP_RTCP_SET;
	m->edit.rtcp_port = port;
	m->edit.rtcp_addr = addr;
	if (check_attr_room(&m->sec, m) < 0) {
		m->edit = saved;
		return -1;
	}
	return 0;
}

int sdp_media_remove_rtcp(struct sdp_session *s, unsigned i)
{
	struct sdp_media *m = media_at(s, i);

	if (!m)
		return -1;
	m->edit.rtcp = SDP_RTCP_REMOVE;
	return 0;
}

static int set_direction(struct sdp_section *sec, const struct sdp_media *m,
			 enum sdp_dir dir)
{
	struct sdp_section_edit saved = sec->edit;

	if ((unsigned)dir > SDP_DIR_INACTIVE)
		return -1;
	sec->edit.dir_set = true;
	sec->edit.dir = dir;
	if (check_attr_room(sec, m) < 0) {
		sec->edit = saved;
		return -1;
	}
	return 0;
}

int sdp_media_set_direction(struct sdp_session *s, unsigned i,
			    enum sdp_dir dir)
{
	struct sdp_media *m = media_at(s, i);

	return m ? set_direction(&m->sec, m, dir) : -1;
}

int sdp_session_set_direction(struct sdp_session *s, enum sdp_dir dir)
{
	return s ? set_direction(&s->sec, NULL, dir) : -1;
}

/* Names with their own setter, whose state they would contradict. */
static bool has_setter(struct pl name)
{
	return sdp_dir_from_name(name) != SDP_DIR_NONE ||
	       pl_caseeq(name, PL("rtcp"));
}

static struct pl attr_name(struct pl line)
{
	const char *colon = pl_chr(line, ':');

	return colon ? pl_until(line, colon) : line;
}

int sdp_add_attr(struct sdp_session *s, int idx, struct pl line)
{
	struct sdp_media *m;
	struct sdp_section *sec = section_at(s, idx, &m);
	struct pl name = attr_name(line);

	if (!sec || !pl_isset(line) || !sdp_is_token(name) || has_setter(name) ||
	    memchr(line.p, '\0', line.l) || memchr(line.p, '\r', line.l) ||
	    memchr(line.p, '\n', line.l) || sec->edit.addc == SDP_MAX_ADD_ATTRS)
		return -1;
	sec->edit.add[sec->edit.addc++] = line;
	if (check_attr_room(sec, m) < 0) {
		sec->edit.addc--;
		return -1;
	}
	return 0;
}

int sdp_remove_attr(struct sdp_session *s, int idx, struct pl name)
{
	struct sdp_media *m;
	struct sdp_section *sec = section_at(s, idx, &m);
	unsigned k = 0;
	int n = 0;

	if (!sec || !sdp_is_token(name) || has_setter(name))
		return -1;
	for (unsigned j = 0; j < sec->attrc; j++) {
		if (pl_caseeq(sec->attr[j].name, name) &&
		    !((sec->edit.removed >> j) & 1)) {
			sec->edit.removed |= (uint64_t)1 << j;
			n++;
		}
	}
	for (unsigned j = 0; j < sec->edit.addc; j++) {
		if (pl_caseeq(attr_name(sec->edit.add[j]), name))
			n++;
		else
			sec->edit.add[k++] = sec->edit.add[j];
	}
	sec->edit.addc = k;
	return n;
}

/* ---- the session as it will be written ---- */

uint16_t sdp_media_port(const struct sdp_session *s, unsigned i)
{
	const struct sdp_media *m = cmedia_at(s, i);

	if (!m)
		return 0;
	return m->edit.port_set ? m->edit.port : m->port;
}

static struct pl section_addr(const struct sdp_section *sec)
{
	if (sec->edit.conn_set)
		return sec->edit.conn_addr;
	return sec->connc ? sec->conn.addr : PL_NULL;
}

struct pl sdp_media_addr(const struct sdp_session *s, unsigned i)
{
	const struct sdp_media *m = cmedia_at(s, i);
	struct pl addr;

	if (!m)
		return PL_NULL;
	addr = section_addr(&m->sec);
	return pl_isset(addr) ? addr : section_addr(&s->sec);
}

static enum sdp_dir section_dir(const struct sdp_section *sec)
{
	return sec->edit.dir_set ? sec->edit.dir : sec->dir;
}

enum sdp_dir sdp_media_dir(const struct sdp_session *s, unsigned i)
{
	const struct sdp_media *m = cmedia_at(s, i);
	enum sdp_dir dir;

	if (!m)
		return SDP_DIR_NONE;
	dir = section_dir(&m->sec);
	if (dir == SDP_DIR_NONE)
		dir = section_dir(&s->sec);
	return dir == SDP_DIR_NONE ? SDP_DIR_SENDRECV : dir;
}

bool sdp_is_hold(const struct sdp_session *s, unsigned i)
{
	enum sdp_dir dir = sdp_media_dir(s, i);
	struct pl addr = sdp_media_addr(s, i);

	if (!cmedia_at(s, i))
		return false;
	return dir == SDP_DIR_SENDONLY || dir == SDP_DIR_INACTIVE ||
	       (pl_isset(addr) && sdp_addr_is_null(addr));
}

bool sdp_media_format_kept(const struct sdp_session *s, unsigned i,
			   unsigned j)
{
	const struct sdp_media *m = cmedia_at(s, i);

	return m && j < m->fmtc && !((m->edit.fmt_removed >> j) & 1);
}

unsigned sdp_active_media(const struct sdp_session *s)
{
	unsigned n = 0;

	for (unsigned i = 0; s && i < s->mediac; i++)
		if (sdp_media_port(s, i) != 0)
			n++;
	return n;
}

bool sdp_has_nortpproxy(const struct sdp_session *s)
{
	if (!s)
		return false;
	if (s->sec.nortpproxy)
		return true;
	for (unsigned i = 0; i < s->mediac; i++)
		if (s->media[i].sec.nortpproxy)
			return true;
	return false;
}
