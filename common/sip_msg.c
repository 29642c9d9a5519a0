#include "sip_msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sip_char.h"
#include "sip_param.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* State of one sip_msg_parse() call. */
struct parser {
	struct sip_msg *m;
	char *buf;                       /* the caller's buffer, for offsets */
	char *end;                       /* end of the bytes we may look at */
	enum sip_framing framing;
	struct sip_parse_error *err;
	unsigned line;                   /* line of the byte being looked at */
	uint16_t last[SIP_HDR__COUNT];   /* last entry per id, to append */
};

__attribute__((format(printf, 4, 5)))
static enum sip_parse_result fail(struct parser *ps, const char *at, unsigned line,
				  const char *fmt, ...)
{
	va_list ap;

	if (ps->err) {
		va_start(ap, fmt);
		vsnprintf(ps->err->reason, sizeof(ps->err->reason), fmt, ap);
		va_end(ap);
		ps->err->offset = (size_t)(at - ps->buf);
		ps->err->line = line;
	}
	return SIP_PARSE_ERROR;
}

/*
 * The header section ran out before its empty line. A datagram is
 * complete, so that is an error; a stream may still deliver the rest
 * unless the header section is already at the size limit.
 */
static enum sip_parse_result unterminated(struct parser *ps, const char *msg)
{
	if (ps->framing == SIP_FRAMING_STREAM) {
		if ((size_t)(ps->end - msg) < SIP_MAX_MESSAGE)
			return SIP_PARSE_INCOMPLETE;
		return fail(ps, ps->end, ps->line, "Message too large");
	}
	return fail(ps, ps->end, ps->line, "Unterminated header section");
}

static inline bool is_ctl(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

/*
 * The first control character other than HTAB in [p, e), or NULL. In a
 * header line that is normally the CR of its CRLF, so this one scan both
 * finds the end of the line and checks every byte of the value: sixteen
 * bytes per step with SSE2, eight with plain 64-bit words elsewhere.
 */
static const char *find_ctl(const char *p, const char *e)
{
#ifdef __SSE2__
	const __m128i lim = _mm_set1_epi8(0x1f), del = _mm_set1_epi8(0x7f);
	const __m128i tab = _mm_set1_epi8('\t');

	for (; e - p >= 16; p += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i ctl = _mm_or_si128(_mm_cmpeq_epi8(_mm_max_epu8(x, lim), lim),
					   _mm_cmpeq_epi8(x, del));
		unsigned mask = (unsigned)_mm_movemask_epi8(_mm_andnot_si128(_mm_cmpeq_epi8(x, tab),
									     ctl));

		if (mask)
			return p + __builtin_ctz(mask);
	}
#else
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;

	for (; e - p >= 8; p += 8) {
		uint64_t w, x;

		memcpy(&w, p, 8);
		x = w ^ (ones * 0x7f);
		/* some byte below 0x20 or equal to 0x7f (HTAB too: look closer) */
		if ((((w - ones * 0x20) & ~w) | ((x - ones) & ~x)) & highs) {
			for (int i = 0; i < 8; i++)
				if (is_ctl((unsigned char)p[i]))
					return p + i;
		}
	}
#endif
	for (; p < e; p++)
		if (is_ctl((unsigned char)*p))
			return p;
	return NULL;
}

static unsigned count_lines(const char *p, const char *e)
{
	unsigned n = 0;

	while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

/*
 * A NUL anywhere before the end of the header section is an error of its
 * own (it would truncate any C-string view of a header); in the body it
 * is just data. One memchr over the message finds the first NUL; only
 * then do we look for where the header section ends.
 */
static enum sip_parse_result check_nul(struct parser *ps, const char *msg)
{
	const char *z = memchr(msg, '\0', (size_t)(ps->end - msg));
	unsigned line;

	if (!z || memmem(msg, (size_t)(z - msg), "\r\n\r\n", 4))
		return SIP_PARSE_OK;
	line = 1 + count_lines(ps->buf, z);
	return fail(ps, z, line, "NUL byte in header section (line %u)", line);
}

/*
 * SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT, "SIP" case-insensitive.
 * Returns 0 for 2.0, 1 for another well-formed version, -1 otherwise.
 */
static int check_version(struct pl v)
{
	struct pl major, minor;
	const char *dot;

	if (v.l == 7 && sip_lit_caseeq(v, "sip/2.0", 7))
		return 0;
	if (v.l < 4 || !sip_lit_caseeq(pl_from(v.p, 4), "sip/", 4))
		return -1;
	v = pl_after(v, v.p + 4);
	dot = sip_chr(v, '.');
	if (!dot)
		return -1;
	major = pl_until(v, dot);
	minor = pl_after(v, dot + 1);
	if (!sip_all(major, SIP_C_DIGIT) || !sip_all(minor, SIP_C_DIGIT))
		return -1;
	return pl_eq_str(major, "2") && pl_eq_str(minor, "0") ? 0 : 1;
}

/* Request-Line = Method SP Request-URI SP SIP-Version (single SPs, §7.1) */
static enum sip_parse_result request_line(struct parser *ps, struct pl line)
{
	struct sip_msg *m = ps->m;
	const char *sp1 = sip_chr(line, ' '), *sp2;
	struct pl rest;
	int v;

	if (!sp1 || sp1 == line.p || !sip_all(pl_until(line, sp1), SIP_C_TOKEN))
		return fail(ps, line.p, ps->line, "Malformed request line");
	rest = pl_after(line, sp1 + 1);
	sp2 = sip_chr(rest, ' ');
	if (!sp2)
		return fail(ps, line.p, ps->line, "Malformed request line");
	m->is_request = true;
	m->method = pl_until(line, sp1);
	m->method_id = sip_method_lookup(m->method);
	m->ruri_pl = pl_until(rest, sp2);
	m->version = pl_after(rest, sp2 + 1);
	v = check_version(m->version);
	if (v < 0)
		return fail(ps, m->version.p, ps->line, "Malformed request line");
	if (v > 0)
		return fail(ps, m->version.p, ps->line, "Unsupported SIP version");
	if (sip_uri_parse(m->ruri_pl, &m->ruri) != 0)
		return fail(ps, m->ruri_pl.p, ps->line, "Malformed Request-URI");
	return SIP_PARSE_OK;
}

/*
 * Status-Line = SIP-Version SP Status-Code SP Reason-Phrase, Status-Code
 * = 3DIGIT. An empty reason phrase without its SP is tolerated.
 */
static enum sip_parse_result status_line(struct parser *ps, struct pl line)
{
	struct sip_msg *m = ps->m;
	const char *sp = sip_chr(line, ' '), *bad;
	struct pl code;
	uint32_t status;
	int v;

	if (!sp)
		return fail(ps, line.p, ps->line, "Malformed status line");
	memset(&m->ruri, 0, sizeof(m->ruri));
	m->version = pl_until(line, sp);
	v = check_version(m->version);
	if (v < 0)
		return fail(ps, line.p, ps->line, "Malformed status line");
	if (v > 0)
		return fail(ps, line.p, ps->line, "Unsupported SIP version");
	code = pl_after(line, sp + 1);
	if (code.l > 3) {
		if (code.p[3] != ' ')
			return fail(ps, code.p, ps->line, "Invalid status code");
		m->reason = pl_after(code, code.p + 4);
		code.l = 3;
	} else {
		m->reason = pl_from(pl_end(code), 0);
	}
	if (code.l != 3 || !pl_u32(code, 699, &status) || status < 100)
		return fail(ps, code.p, ps->line, "Invalid status code");
	m->status = (uint16_t)status;
	bad = find_ctl(m->reason.p, pl_end(m->reason));
	if (bad)
		return fail(ps, bad, ps->line, "Malformed status line");
	return SIP_PARSE_OK;
}

/* The start line at *pp: a status line if it starts with "SIP/", else a request line. */
static enum sip_parse_result start_line(struct parser *ps, char **pp)
{
	char *p = *pp, *nl = memchr(p, '\n', (size_t)(ps->end - p));
	enum sip_parse_result r;
	struct pl line;

	if (!nl)
		return unterminated(ps, p);
	if (nl == p || nl[-1] != '\r')
		return fail(ps, nl, ps->line, "Line not terminated by CRLF (line %u)", ps->line);
	line = pl_from(p, (size_t)(nl - 1 - p));
	if (line.l >= 4 && sip_lit_caseeq(pl_from(p, 4), "sip/", 4))
		r = status_line(ps, line);
	else
		r = request_line(ps, line);
	*pp = nl + 1;
	ps->line++;
	return r;
}

/* Append one entry, linking it behind the last one with the same id. */
static inline enum sip_parse_result add_hdr(struct parser *ps, struct pl name,
					    struct pl value, enum sip_hdr_id id, unsigned line)
{
	struct sip_msg *m = ps->m;
	uint16_t idx = (uint16_t)m->hdr_count;
	struct sip_hdr *h;

	if (m->hdr_count == SIP_MAX_HEADERS)
		return fail(ps, name.p, line, "Too many headers (line %u)", line);
	h = &m->hdrs[m->hdr_count++];
	h->name = name;
	h->value = value;
	h->id = id;
	h->next = SIP_HDR_NONE;
	h->line = line;
	if (ps->last[id] == SIP_HDR_NONE)
		m->first[id] = idx;
	else
		m->hdrs[ps->last[id]].next = idx;
	ps->last[id] = idx;
	return SIP_PARSE_OK;
}

/*
 * A list header ("Route: <a>, <b>") becomes one entry per element. Commas
 * inside a quoted-string or inside <...> do not separate elements. Empty
 * elements are dropped; a value with no element at all is kept whole so
 * that the header is still seen (and its parser reports it).
 */
static enum sip_parse_result add_list(struct parser *ps, struct pl name, struct pl value,
				      enum sip_hdr_id id, unsigned line)
{
	const char *p = value.p, *e = pl_end(value), *start = p;
	enum sip_parse_result r;
	bool any = false;

	for (;;) {
		struct pl elem;

		p += sip_cspan(pl_from(p, (size_t)(e - p)), SIP_C_LIST);
		if (p < e && *p == '<') {
			p = memchr(p, '>', (size_t)(e - p));
			p = p ? p + 1 : e;
			continue;
		}
		if (p < e && *p == '"') {
			for (p++; p < e && *p != '"'; p++)
				if (*p == '\\' && p + 1 < e)
					p++;
			p = p < e ? p + 1 : e;
			continue;
		}
		/* a comma or the end */
		elem = sip_trim_wsp(pl_from(start, (size_t)(p - start)));
		if (elem.l) {
			any = true;
			r = add_hdr(ps, name, elem, id, line);
			if (r != SIP_PARSE_OK)
				return r;
		}
		if (p == e)
			break;
		start = ++p;
	}
	return any ? SIP_PARSE_OK : add_hdr(ps, name, value, id, line);
}

/*
 * A line that does not start with field-name HCOLON: say why, as
 * precisely as the bytes allow. A name followed by a byte that can
 * neither continue it nor precede the colon is a bad name ("X@Y: 1"); a
 * name followed by whitespace or the line end lacks its colon ("From
 * <sip:a@h>").
 */
static enum sip_parse_result bad_header_start(struct parser *ps, const char *p,
					      const char *q, size_t namelen)
{
	char after = p[namelen];

	if (*p == '\n')
		return fail(ps, p, ps->line, "Line not terminated by CRLF (line %u)", ps->line);
	if (namelen == 0 || !(sip_is_wsp(after) || after == '\r' || after == '\n'))
		return fail(ps, p + namelen, ps->line,
			    "Invalid character in header name (line %u)", ps->line);
	if (!memchr(q, '\n', (size_t)(ps->end - q)))
		return unterminated(ps, ps->m->raw.p);
	return fail(ps, q, ps->line, "Header line without colon (line %u)", ps->line);
}

/*
 * A control character in a header value is valid only as a quoted-pair
 * inside a quoted-string (RFC 3261 §25.1; RFC 4475 §3.1.1.3 puts BEL and
 * DEL in a display name that way). Rare, so decided by reading the value
 * up to it; *from and *quoted carry the scan over to the next one, so a
 * value full of them is still read only once.
 */
static bool ctl_is_quoted_pair(const char **from, bool *quoted, const char *c)
{
	const char *p = *from;
	bool escaped = false;

	for (; p < c; p++) {
		if (!*quoted) {
			*quoted = *p == '"';
		} else if (*p == '\\') {
			if (p + 1 == c) {
				escaped = true;
				break;
			}
			p++;
		} else if (*p == '"') {
			*quoted = false;
		}
	}
	*from = c + 1;
	return escaped;
}

/*
 * One header line at *pp: field-name HCOLON field-value CRLF, where
 * HCOLON = *( SP / HTAB ) ":" SWS and the value may continue on lines
 * starting with SP/HTAB (unfolded here, in place).
 */
static enum sip_parse_result header_line(struct parser *ps, char **pp)
{
	char *p = *pp, *q, *v, *c;
	unsigned line = ps->line;
	struct pl name, value;
	enum sip_hdr_id id;
	const char *qscan;
	bool quoted = false;

	q = p + sip_span(pl_from(p, (size_t)(ps->end - p)), SIP_C_TOKEN);
	name = pl_from(p, (size_t)(q - p));
	while (q < ps->end && sip_is_wsp(*q))
		q++;
	if (q == ps->end)
		return unterminated(ps, ps->m->raw.p);
	if (name.l == 0 || *q != ':')
		return bad_header_start(ps, p, q, name.l);

	/* the value ends at a CR LF not followed by SP/HTAB */
	v = q + 1;
	qscan = v;
	for (c = v;;) {
		c = (char *)find_ctl(c, ps->end);
		if (!c)
			return unterminated(ps, ps->m->raw.p);
		if (*c == '\n')
			return fail(ps, c, ps->line, "Line not terminated by CRLF (line %u)",
				    ps->line);
		if (*c != '\r' && ctl_is_quoted_pair(&qscan, &quoted, c)) {
			c++;
			continue;
		}
		if (*c == '\r' && c + 1 == ps->end)
			return unterminated(ps, ps->m->raw.p);
		if (*c != '\r' || c[1] != '\n')
			return fail(ps, c, ps->line, "Invalid character in header value (line %u)",
				    ps->line);
		if (c + 2 == ps->end)
			return unterminated(ps, ps->m->raw.p); /* folded or not? */
		if (!sip_is_wsp(c[2]))
			break;
		c[0] = ' ';
		c[1] = ' ';
		ps->line++;
		c += 2;
	}
	*pp = c + 2;
	ps->line++;

	value = sip_trim_wsp(pl_from(v, (size_t)(c - v)));

	id = sip_hdr_lookup_token(name);
	if (sip_hdr_is_list(id) && sip_chr(value, ','))
		return add_list(ps, name, value, id, line);
	return add_hdr(ps, name, value, id, line);
}

/* callid = word [ "@" word ] */
static bool call_id_valid(struct pl v)
{
	const char *at = sip_chr(v, '@');

	if (!at)
		return sip_all(v, SIP_C_WORD);
	return sip_all(pl_until(v, at), SIP_C_WORD) && sip_all(pl_after(v, at + 1), SIP_C_WORD);
}

/* CSeq = 1*DIGIT LWS Method, the number below 2^31 (§8.1.1.5) */
static bool cseq_parse(struct pl v, uint32_t *num, struct pl *method)
{
	size_t n = sip_span(v, SIP_C_DIGIT);
	struct pl rest = pl_after(v, v.p + n);

	if (!pl_u32(pl_from(v.p, n), 0x7fffffff, num))
		return false;
	if (!rest.l || !sip_is_wsp(*rest.p))
		return false;
	*method = sip_skip_wsp(rest);
	return sip_all(*method, SIP_C_TOKEN);
}

/* Errors about one header, which is named in its canonical long form. */
#define MISSING(ps, id) \
	fail(ps, (ps)->end, (ps)->line, "Missing %s header", sip_hdr_name(id))
#define MALFORMED(ps, h) \
	fail(ps, (h)->value.p, (h)->line, "Malformed %s header (line %u)", \
	     sip_hdr_name((h)->id), (h)->line)
#define DUPLICATE(ps, h) \
	fail(ps, (h)->name.p, (h)->line, "Duplicate %s header with different value (line %u)", \
	     sip_hdr_name((h)->id), (h)->line)

/*
 * A header that may appear once: further copies are tolerated only with
 * the same value (byte for byte: they are the same header repeated).
 */
static const struct sip_hdr *single(struct parser *ps, enum sip_hdr_id id,
				    enum sip_parse_result *r)
{
	const struct sip_hdr *h = sip_msg_hdr(ps->m, id), *d;

	*r = SIP_PARSE_OK;
	for (d = h ? sip_msg_hdr_next(ps->m, h) : NULL; d; d = sip_msg_hdr_next(ps->m, d)) {
		if (!pl_eq(d->value, h->value)) {
			*r = DUPLICATE(ps, d);
			break;
		}
	}
	return h;
}

/* A numeric header that may repeat only with the same number. */
static enum sip_parse_result single_number(struct parser *ps, enum sip_hdr_id id,
					   uint32_t max, bool *has, uint32_t *out)
{
	const struct sip_hdr *h = sip_msg_hdr(ps->m, id);
	uint32_t n;

	*has = h != NULL;
	for (; h; h = sip_msg_hdr_next(ps->m, h)) {
		if (!pl_u32(h->value, max, &n))
			return MALFORMED(ps, h);
		if (h != sip_msg_hdr(ps->m, id) && n != *out)
			return DUPLICATE(ps, h);
		*out = n;
	}
	return SIP_PARSE_OK;
}

static enum sip_parse_result parse_addr(struct parser *ps, enum sip_hdr_id id,
					struct sip_addr *a)
{
	enum sip_parse_result r;
	const struct sip_hdr *h = single(ps, id, &r);

	if (r != SIP_PARSE_OK)
		return r;
	if (!h)
		return MISSING(ps, id);
	if (sip_addr_parse(h->value, a) != 0)
		return MALFORMED(ps, h);
	return SIP_PARSE_OK;
}

/* What the transaction and dialog layers read from every message. */
static enum sip_parse_result parse_essentials(struct parser *ps)
{
	struct sip_msg *m = ps->m;
	const struct sip_hdr *h;
	enum sip_parse_result r;
	uint32_t n = 0;

	h = sip_msg_hdr(m, SIP_HDR_VIA);
	if (!h)
		return MISSING(ps, SIP_HDR_VIA);
	if (sip_via_parse(h->value, &m->via) != 0)
		return MALFORMED(ps, h);

	if ((r = parse_addr(ps, SIP_HDR_FROM, &m->from)) != SIP_PARSE_OK ||
	    (r = parse_addr(ps, SIP_HDR_TO, &m->to)) != SIP_PARSE_OK)
		return r;

	h = single(ps, SIP_HDR_CALL_ID, &r);
	if (r != SIP_PARSE_OK)
		return r;
	if (!h)
		return MISSING(ps, SIP_HDR_CALL_ID);
	if (!call_id_valid(h->value))
		return MALFORMED(ps, h);
	m->call_id = h->value;

	h = sip_msg_hdr(m, SIP_HDR_CSEQ);
	if (!h)
		return MISSING(ps, SIP_HDR_CSEQ);
	for (const struct sip_hdr *d = h; d; d = sip_msg_hdr_next(m, d)) {
		struct pl method;

		if (!cseq_parse(d->value, &n, &method))
			return MALFORMED(ps, d);
		if (d != h && (n != m->cseq || !pl_eq(method, m->cseq_method)))
			return DUPLICATE(ps, d);
		m->cseq = n;
		m->cseq_method = method;
	}
	m->cseq_method_id = sip_method_lookup(m->cseq_method);
	if (m->is_request && !pl_eq(m->cseq_method, m->method))
		return fail(ps, m->cseq_method.p, h->line,
			    "CSeq method does not match request method (line %u)", h->line);

	n = 0;
	r = single_number(ps, SIP_HDR_MAX_FORWARDS, 255, &m->has_max_forwards, &n);
	if (r != SIP_PARSE_OK)
		return r;
	m->max_forwards = (uint8_t)n;
	r = single_number(ps, SIP_HDR_CONTENT_LENGTH, UINT32_MAX, &m->has_content_length,
			  &m->content_length);
	if (r != SIP_PARSE_OK)
		return r;

	h = sip_msg_hdr(m, SIP_HDR_CONTENT_TYPE);
	if (h) {
		if (sip_ctype_parse(h->value, &m->content_type) != 0)
			return MALFORMED(ps, h);
		m->has_content_type = true;
	}
	return SIP_PARSE_OK;
}

/*
 * The body: on a stream exactly Content-Length bytes (mandatory, §18.3);
 * in a datagram what follows the empty line, cut to Content-Length when
 * that is shorter and an error when it is longer.
 */
static enum sip_parse_result parse_body(struct parser *ps, char *body)
{
	struct sip_msg *m = ps->m;
	size_t avail = (size_t)(ps->end - body);
	size_t hlen = (size_t)(body - m->raw.p);

	if (ps->framing == SIP_FRAMING_STREAM) {
		if (!m->has_content_length)
			return fail(ps, body, ps->line, "Missing Content-Length on stream transport");
		if (m->content_length > SIP_MAX_MESSAGE - hlen)
			return fail(ps, body, ps->line, "Message too large");
		if (m->content_length > avail)
			return SIP_PARSE_INCOMPLETE;
		avail = m->content_length;
	} else if (m->has_content_length) {
		if (m->content_length > avail)
			return fail(ps, body, ps->line, "Content-Length exceeds body");
		avail = m->content_length;
	}
	m->body = pl_from(body, avail);
	m->raw.l = hlen + avail;
	m->consumed = (size_t)(pl_end(m->body) - ps->buf);
	return SIP_PARSE_OK;
}

/*
 * Only what a parse may leave unset is cleared: the sub-structures (Via,
 * From, To, Request-URI) are filled by their parsers, and clearing 1 KB
 * per message would be a noticeable part of parsing it.
 */
static void msg_init(struct sip_msg *m)
{
	m->raw = PL_NULL;
	m->consumed = 0;
	m->is_request = false;
	m->method = PL_NULL;
	m->method_id = SIP_METHOD_OTHER;
	m->ruri_pl = PL_NULL;
	m->status = 0;
	m->reason = PL_NULL;
	m->version = PL_NULL;
	m->call_id = PL_NULL;
	m->cseq = 0;
	m->cseq_method = PL_NULL;
	m->cseq_method_id = SIP_METHOD_OTHER;
	m->has_max_forwards = false;
	m->max_forwards = 0;
	m->has_content_length = false;
	m->content_length = 0;
	m->has_content_type = false;
	m->content_type = (struct sip_ctype){ PL_NULL, PL_NULL, PL_NULL };
	m->body = PL_NULL;
	m->hdr_count = 0;
	memset(m->first, 0xff, sizeof(m->first));
}

enum sip_parse_result sip_msg_parse(struct sip_msg *m, char *buf, size_t len,
				    enum sip_framing framing, struct sip_parse_error *err)
{
	struct parser ps = {
		.m = m, .buf = buf, .end = buf + len, .framing = framing, .err = err, .line = 1,
	};
	enum sip_parse_result r;
	char *p = buf;

	msg_init(m);
	memset(ps.last, 0xff, sizeof(ps.last));
	if (err) {
		err->reason[0] = '\0';
		err->offset = 0;
		err->line = 0;
	}
	if (framing == SIP_FRAMING_DATAGRAM && len > SIP_MAX_MESSAGE)
		return fail(&ps, buf, 1, "Message too large");

	/* §7.5: CRLFs before the start-line are ignored */
	while (p < ps.end && (*p == '\r' || *p == '\n')) {
		ps.line += *p == '\n';
		p++;
	}
	if (p == ps.end) {
		if (framing == SIP_FRAMING_STREAM)
			return SIP_PARSE_INCOMPLETE;
		return fail(&ps, p, ps.line, "Empty message");
	}
	m->raw = pl_from(p, 0);
	/* nothing before the empty line may lie beyond the size limit */
	if ((size_t)(ps.end - p) > SIP_MAX_MESSAGE)
		ps.end = p + SIP_MAX_MESSAGE;
	r = check_nul(&ps, p);
	if (r != SIP_PARSE_OK)
		return r;

	r = start_line(&ps, &p);
	if (r != SIP_PARSE_OK)
		return r;
	for (;;) {
		if (p == ps.end || (*p == '\r' && p + 1 == ps.end))
			return unterminated(&ps, m->raw.p);
		if (*p == '\r' && p[1] == '\n')
			break;
		r = header_line(&ps, &p);
		if (r != SIP_PARSE_OK)
			return r;
	}
	p += 2;

	r = parse_essentials(&ps);
	if (r != SIP_PARSE_OK)
		return r;
	ps.end = buf + len; /* the body of a stream message may follow */
	return parse_body(&ps, p);
}

const struct sip_hdr *sip_msg_hdr(const struct sip_msg *m, enum sip_hdr_id id)
{
	if ((unsigned)id >= SIP_HDR__COUNT || m->first[id] == SIP_HDR_NONE)
		return NULL;
	return &m->hdrs[m->first[id]];
}

const struct sip_hdr *sip_msg_hdr_next(const struct sip_msg *m, const struct sip_hdr *h)
{
	uint16_t i = h->next;

	if (h->id == SIP_HDR_OTHER)
		while (i != SIP_HDR_NONE && !pl_caseeq(m->hdrs[i].name, h->name))
			i = m->hdrs[i].next;
	return i == SIP_HDR_NONE ? NULL : &m->hdrs[i];
}

const struct sip_hdr *sip_msg_hdr_by_name(const struct sip_msg *m, struct pl name)
{
	enum sip_hdr_id id = sip_hdr_lookup(name);
	const struct sip_hdr *h = sip_msg_hdr(m, id);

	if (id != SIP_HDR_OTHER)
		return h;
	while (h && !pl_caseeq(h->name, name))
		h = h->next == SIP_HDR_NONE ? NULL : &m->hdrs[h->next];
	return h;
}

const struct sip_hdr *sip_msg_hdr_by_str(const struct sip_msg *m, const char *name)
{
	return sip_msg_hdr_by_name(m, pl_from_str(name));
}

unsigned sip_msg_hdr_count(const struct sip_msg *m, enum sip_hdr_id id)
{
	unsigned n = 0;

	for (const struct sip_hdr *h = sip_msg_hdr(m, id); h;
	     h = h->next == SIP_HDR_NONE ? NULL : &m->hdrs[h->next])
		n++;
	return n;
}
