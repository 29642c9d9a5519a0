/*
 * sdp_filter.c - the operator's payload type allow-list ("-F 0,8,
 * [opus/48000]") and its application to an offer or answer.
 *
 * Dynamic payload numbers mean nothing across calls, so codecs are matched
 * by encoding name and clock rate (RFC 3551 table for static types without
 * a=rtpmap); a number in the list matches that number only.
 */
#include "sdp_priv.h"

static int filter_fail(struct sdp_error *err, const char *reason,
		       unsigned entry)
{
	err->reason = reason;
	err->line = 0;
	err->entry = entry;
	return -1;
}

/* "<pt>" or "[<encoding>/<clock>[/<channels>]]" */
static bool parse_entry(struct pl x, struct sdp_pt_filter_entry *e)
{
	struct pl name, clock, channels = PL_NULL;
	const char *slash;
	uint32_t v;

	memset(e, 0, sizeof(*e));
	e->pt = -1;
	if (x.l < 2 || x.p[0] != '[' || x.p[x.l - 1] != ']') {
		if (!pl_u32(x, 127, &v))
			return false;
		e->pt = (int16_t)v;
		return true;
	}
	x = pl_from(x.p + 1, x.l - 2);
	slash = pl_chr(x, '/');
	if (!slash)
		return false;
	name = pl_until(x, slash);
	x = pl_after(x, slash + 1);
	slash = pl_chr(x, '/');
	clock = slash ? pl_until(x, slash) : x;
	if (slash)
		channels = pl_after(x, slash + 1);
	if (!sdp_is_token(name) || name.l >= sizeof(e->encoding) ||
	    !pl_u32(clock, UINT32_MAX, &e->clock) || e->clock == 0)
		return false;
	if (slash) {
		if (!pl_u32(channels, 255, &v) || v == 0)
			return false;
		e->channels = (uint16_t)v;
	}
	memcpy(e->encoding, name.p, name.l);
	e->encoding[name.l] = '\0';
	return true;
}

int sdp_pt_filter_parse(const char *spec, struct sdp_pt_filter *f,
			struct sdp_error *err)
{
	struct sdp_error dummy;
	struct pl rest = pl_trim(pl_from_str(spec));
	unsigned entry = 0;

	if (!err)
		err = &dummy;
	*err = (struct sdp_error){ 0 };
	if (!f)
		return filter_fail(err, "No payload filter", 0);
	f->n = 0;
	if (rest.l == 0)
		return filter_fail(err, "Empty payload filter", 0);
	for (;;) {
		const char *comma = pl_chr(rest, ',');
		struct pl x = pl_trim(comma ? pl_until(rest, comma) : rest);

		entry++;
		if (f->n == SDP_MAX_FILTER)
			return filter_fail(err, "Too many payload filter entries",
					   entry);
		if (!parse_entry(x, &f->e[f->n]))
			return filter_fail(err, "Bad payload filter entry", entry);
		f->n++;
		if (!comma)
			return 0;
		rest = pl_after(rest, comma + 1);
	}
}

static bool allowed(const struct sdp_pt_filter *f, const struct sdp_format *fmt)
{
	uint16_t channels = fmt->map.channels ? fmt->map.channels : 1;

	for (unsigned k = 0; k < f->n; k++) {
		const struct sdp_pt_filter_entry *e = &f->e[k];
		struct pl name = pl_from(e->encoding,
					 strnlen(e->encoding, sizeof(e->encoding)));

		if (e->pt >= 0) {
			if (fmt->pt == e->pt)
				return true;
			continue;
		}
		if (pl_isset(fmt->map.encoding) &&
		    pl_caseeq(fmt->map.encoding, name) &&
		    fmt->map.clock == e->clock &&
		    (e->channels == 0 || e->channels == channels))
			return true;
	}
	return false;
}

/* Is pt still on the m= line, or was it there and removed? */
static bool pt_removed(const struct sdp_media *m, int16_t pt)
{
	bool removed = false;

	for (unsigned j = 0; j < m->fmtc; j++) {
		if (m->fmt[j].pt != pt)
			continue;
		if (!((m->edit.fmt_removed >> j) & 1))
			return false;
		removed = true;
	}
	return removed;
}

static void drop_format_attrs(struct sdp_media *m)
{
	for (unsigned j = 0; j < m->sec.attrc; j++) {
		const struct sdp_attr *a = &m->sec.attr[j];

		if ((a->kind == SDP_ATTR_RTPMAP || a->kind == SDP_ATTR_FMTP ||
		     a->kind == SDP_ATTR_RTCP_FB) && a->pt >= 0 &&
		    pt_removed(m, a->pt))
			m->sec.edit.removed |= (uint64_t)1 << j;
	}
}

/*
 * RFC 3264 §6: a stream is rejected with port 0, and its m= line must
 * still carry a format, which is ignored; the first one stays for that.
 */
static void filter_media(struct sdp_media *m, const struct sdp_pt_filter *f)
{
	uint32_t all_formats = m->fmtc >= 32 ? UINT32_MAX
					     : ((uint32_t)1 << m->fmtc) - 1;
	uint32_t removed = m->edit.fmt_removed;
	unsigned first = m->fmtc;

	for (unsigned j = 0; j < m->fmtc; j++) {
		if ((removed >> j) & 1)
			continue;
		if (first == m->fmtc)
			first = j;
		if (!allowed(f, &m->fmt[j]))
			removed |= (uint32_t)1 << j;
	}
	if (first == m->fmtc)
		return;
	if (removed == all_formats) {
		removed &= ~((uint32_t)1 << first);
		m->edit.rejected = true;
		m->edit.port_set = true;
		m->edit.port = 0;
	}
	m->edit.fmt_removed = removed;
	drop_format_attrs(m);
}

int sdp_filter_payloads(struct sdp_session *s, const struct sdp_pt_filter *f)
{
	int rejected = 0;

	if (!s || !f || f->n == 0 || f->n > SDP_MAX_FILTER)
		return -1;
	for (unsigned i = 0; i < s->mediac; i++) {
		struct sdp_media *m = &s->media[i];

		if (m->rtp && !m->edit.rejected && sdp_media_port(s, i) != 0)
			filter_media(m, f);
		if (m->edit.rejected)
			rejected++;
	}
	return rejected;
}
