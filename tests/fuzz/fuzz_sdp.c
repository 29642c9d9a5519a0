/*
 * fuzz_sdp: parse any body; when it parses, check every slice lies in the
 * input, that an unedited write gives back the same lines, then apply the
 * edits ccd makes (origin, addresses, ports, rtcp, direction, payload
 * filter, attributes), write into too-small and big buffers and parse the
 * result again: it must parse and agree with what the edits said. The
 * input is also tried as a payload filter spec.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

struct span {
	const char *p;
	size_t len;
};

static void check_in(struct span in, struct pl x)
{
	if (!x.p) {
		CHECK(x.l == 0);
		return;
	}
	CHECK(x.p >= in.p && x.l <= in.len &&
	      (size_t)(x.p - in.p) <= in.len - x.l);
}

static void check_conn(struct span in, const struct sdp_conn *c)
{
	check_in(in, c->nettype);
	check_in(in, c->addrtype);
	check_in(in, c->addr);
	check_in(in, c->suffix);
}

static void check_section(struct span in, const struct sdp_section *sec)
{
	check_in(in, sec->text);
	CHECK(sec->attrc <= SDP_MAX_ATTRS);
	if (sec->connc)
		check_conn(in, &sec->conn);
	for (unsigned j = 0; j < sec->attrc; j++) {
		const struct sdp_attr *a = &sec->attr[j];
		check_in(in, a->name);
		check_in(in, a->value);
		CHECK(a->name.l > 0);
		CHECK(a->pt >= -1 && a->pt <= 127);
		CHECK(a->kind <= SDP_ATTR_NORTPPROXY);
	}
}

static void check_slices(struct span in, const struct sdp_session *s)
{
	const struct sdp_origin *o = &s->origin;

	check_in(in, o->username);
	check_in(in, o->sess_id);
	check_in(in, o->version_str);
	check_in(in, o->nettype);
	check_in(in, o->addrtype);
	check_in(in, o->addr);
	check_in(in, s->name);
	check_section(in, &s->sec);
	CHECK(s->mediac <= SDP_MAX_MEDIA);
	for (unsigned i = 0; i < s->mediac; i++) {
		const struct sdp_media *m = &s->media[i];

		check_section(in, &m->sec);
		check_in(in, m->media);
		check_in(in, m->proto);
		check_in(in, m->nports_str);
		CHECK(m->fmtc >= 1 && m->fmtc <= SDP_MAX_FORMATS);
		for (unsigned j = 0; j < m->fmtc; j++) {
			const struct sdp_format *f = &m->fmt[j];
			check_in(in, f->id);
			check_in(in, f->fmtp);
			if (f->has_rtpmap)
				check_in(in, f->map.encoding);
			CHECK(m->rtp ? f->pt >= 0 && f->pt <= 127 : f->pt == -1);
		}
		if (m->has_rtcp)
			check_conn(in, &m->rtcp.conn);
		/* The accessors on an unedited session are the parsed values. */
		CHECK(sdp_media_port(s, i) == m->port);
		CHECK(sdp_media_dir(s, i) != SDP_DIR_NONE);
		(void)sdp_is_hold(s, i);
		CHECK(sdp_media_format_kept(s, i, 0));
	}
}

/* Next non-empty line without LF/CRLF; an independent splitter. */
static bool next_line(struct span *rest, struct span *line)
{
	while (rest->len) {
		const char *nl = memchr(rest->p, '\n', rest->len);
		size_t n = nl ? (size_t)(nl - rest->p) : rest->len;

		line->p = rest->p;
		line->len = n;
		rest->p += nl ? n + 1 : n;
		rest->len -= nl ? n + 1 : n;
		if (line->len && line->p[line->len - 1] == '\r')
			line->len--;
		if (line->len)
			return true;
	}
	return false;
}

/* An unedited write gives the same non-empty lines, each ending in CRLF. */
static void check_same_lines(struct span in, const char *out, size_t n)
{
	struct span a = in, b = { out, n }, la, lb;

	for (size_t k = 0; k < n; k++)
		if (out[k] == '\n')
			CHECK(k > 0 && out[k - 1] == '\r');
	CHECK(n == 0 || out[n - 1] == '\n');
	while (next_line(&a, &la)) {
		CHECK(next_line(&b, &lb));
		CHECK(la.len == lb.len && memcmp(la.p, lb.p, la.len) == 0);
	}
	CHECK(!next_line(&b, &lb));
}

/* Write s with a buffer of exactly cap bytes: too small must fail cleanly. */
static void check_too_small(const struct sdp_session *s, size_t cap)
{
	char *buf = malloc(cap ? cap : 1);

	CHECK(buf);
	CHECK(sdp_write(s, cap ? buf : NULL, cap) == -1);
	free(buf);
}

struct applied {
	bool rtcp_set[SDP_MAX_MEDIA];
	bool rtcp_removed[SDP_MAX_MEDIA];
	bool attr_added[SDP_MAX_MEDIA];
	int rejected;
};

/* The edits ccd makes, varied a little by the input size. */
static void apply_edits(struct sdp_session *s, size_t size, struct applied *ap)
{
	static const enum sdp_dir dirs[] = {
		SDP_DIR_NONE, SDP_DIR_SENDRECV, SDP_DIR_SENDONLY,
		SDP_DIR_RECVONLY, SDP_DIR_INACTIVE,
	};
	struct sdp_pt_filter flt;

	CHECK(sdp_set_origin(s, PL("tandem"), PL("4242"),
			     size % 5 ? PL("192.0.2.1") : PL_NULL) == 0);
	sdp_bump_version(s);
	CHECK(sdp_session_set_addr(s, PL("192.0.2.1"), false) == 0);
	if (size % 3 == 0)
		CHECK(sdp_session_set_direction(s, dirs[size % 5]) == 0 ||
		      s->sec.attrc == SDP_MAX_ATTRS);
	if (size % 2)
		CHECK(sdp_add_attr(s, SDP_SESSION, PL("nortpproxy:yes")) == 0 ||
		      s->sec.attrc >= SDP_MAX_ATTRS - 1);
	CHECK(sdp_pt_filter_parse("0,8,[opus/48000],101,[telephone-event/8000]",
				  &flt, NULL) == 0);
	ap->rejected = sdp_filter_payloads(s, &flt);
	CHECK(ap->rejected >= 0 && (unsigned)ap->rejected <= s->mediac);

	for (unsigned i = 0; i < s->mediac; i++) {
		bool v6 = (i + size) % 2;

		CHECK(sdp_remove_attr(s, (int)i, PL("candidate")) >= 0);
		CHECK(sdp_media_set_addr(s, i, v6 ? PL("2001:db8::1")
						  : PL("192.0.2.1"), v6) == 0);
		if (sdp_media_set_port(s, i, (uint16_t)(40000 + 2 * i)) < 0)
			CHECK(s->media[i].edit.rejected);
		if ((i + size) % 4 == 1) {
			CHECK(sdp_media_remove_rtcp(s, i) == 0);
			ap->rtcp_removed[i] = true;
		} else {
			ap->rtcp_set[i] = sdp_media_set_rtcp(s, i,
				(uint16_t)(40001 + 2 * i),
				i % 3 ? PL("192.0.2.2") : PL_NULL) == 0;
		}
		(void)sdp_media_set_direction(s, i, dirs[(i + size) % 5]);
		ap->attr_added[i] = sdp_add_attr(s, (int)i,
						 PL("nortpproxy:yes")) == 0;
	}
	CHECK(sdp_active_media(s) <= s->mediac);
}

/* The edited output parses, and says what the edits said. */
static void check_reparse(const struct sdp_session *ed, const struct applied *ap,
			  const char *out, size_t n)
{
	struct sdp_session *r = malloc(sizeof(*r));
	struct sdp_error err;

	CHECK(r);
	CHECK(sdp_parse(r, out, n, &err) == 0);
	CHECK(r->mediac == ed->mediac);
	CHECK(r->origin.version == sdp_version(ed));
	CHECK(pl_eq_str(r->origin.username, "tandem"));
	CHECK(pl_eq_str(r->sec.conn.addr, "192.0.2.1"));
	for (unsigned i = 0; i < r->mediac; i++) {
		const struct sdp_media *m = &r->media[i];
		unsigned kept = 0;

		for (unsigned j = 0; j < ed->media[i].fmtc; j++)
			kept += sdp_media_format_kept(ed, i, j);
		CHECK(m->port == sdp_media_port(ed, i));
		CHECK(m->fmtc == kept);
		CHECK(pl_eq(sdp_media_addr(r, i), sdp_media_addr(ed, i)));
		CHECK(sdp_media_dir(r, i) == sdp_media_dir(ed, i));
		CHECK(sdp_is_hold(r, i) == sdp_is_hold(ed, i));
		if (ap->rtcp_set[i])
			CHECK(m->has_rtcp && m->rtcp.port == 40001 + 2 * i);
		if (ap->rtcp_removed[i])
			CHECK(!m->has_rtcp);
		if (ap->attr_added[i])
			CHECK(m->sec.nortpproxy);
	}
	free(r);
}

/* The input as a payload filter spec. */
static void fuzz_filter_spec(const uint8_t *data, size_t size)
{
	char spec[512];
	struct sdp_pt_filter f;
	struct sdp_error err;
	size_t n = size < sizeof(spec) - 1 ? size : sizeof(spec) - 1;
	char msg[128];

	if (n)
		memcpy(spec, data, n);
	spec[n] = '\0';
	if (sdp_pt_filter_parse(spec, &f, &err) != 0) {
		CHECK(err.reason != NULL && err.line == 0);
		CHECK(sdp_error_str(&err, msg, sizeof(msg)) > 0);
		return;
	}
	CHECK(f.n >= 1 && f.n <= SDP_MAX_FILTER);
	for (unsigned k = 0; k < f.n; k++) {
		CHECK(f.e[k].pt >= -1 && f.e[k].pt <= 127);
		CHECK(memchr(f.e[k].encoding, '\0', sizeof(f.e[k].encoding)));
		CHECK(f.e[k].pt >= 0 || f.e[k].clock > 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdp_session *s = malloc(sizeof(*s));
	char *in = malloc(size ? size : 1);
	size_t cap = 2 * size + 4096;
	char *out = malloc(cap);
	char *again = malloc(cap);
	struct sdp_error err;
	struct applied ap = { 0 };
	char msg[128];
	struct span span = { in, size };
	int n, m;

	CHECK(s && in && out && again);
	if (size)
		memcpy(in, data, size);
	fuzz_filter_spec(data, size);

	if (sdp_parse(s, in, size, &err) != 0) {
		CHECK(err.reason != NULL);
		CHECK(sdp_error_str(&err, msg, sizeof(msg)) > 0);
		CHECK(sdp_write(s, out, cap) == 0);
		goto done;
	}
	check_slices(span, s);

	/* Unedited: same lines, and a fixed point of parse + write. */
	n = sdp_write(s, out, cap);
	CHECK(n >= 0);
	check_same_lines(span, out, (size_t)n);
	if (n > 0)
		check_too_small(s, (size_t)n - 1);

	apply_edits(s, size, &ap);
	n = sdp_write(s, out, cap);
	CHECK(n > 0);
	check_too_small(s, (size_t)n - 1);
	check_too_small(s, (size_t)n / 2);
	check_reparse(s, &ap, out, (size_t)n);

	/* What we write is stable: parse it and write it again, unchanged. */
	CHECK(sdp_parse(s, out, (size_t)n, &err) == 0);
	m = sdp_write(s, again, cap);
	CHECK(m == n && memcmp(out, again, (size_t)n) == 0);
done:
	free(again);
	free(out);
	free(in);
	free(s);
	return 0;
}
