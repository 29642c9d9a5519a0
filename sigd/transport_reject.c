/*
 * transport_reject.c - the answer to a request the parser refused: "400
 * <the parser's reason>" (RFC 3261 §21.4.1, §8.2: the phrase may say what
 * was wrong), or 505 for a SIP version other than 2.0 (§21.5.7).
 *
 * The parser stops at the first fault, so the headers every response
 * copies (Via, From, To, Call-ID, CSeq, §8.2.6.2) are looked for again
 * here, leniently: any "name: value" line of the header section will do,
 * whatever else is wrong. Without all five, or with a top Via that does
 * not say where to answer, the request is dropped: a response nobody can
 * match is only noise. ACKs are never answered (§17.2.1).
 *
 * The values are copied as they were received; the writer turns any CR or
 * LF into SP, and values with other control bytes are refused, so nothing
 * in a hostile request can shape our response beyond its own header values.
 */
#include "transport.h"

#include <string.h>

#include "htable.h"
#include "log.h"
#include "sigd.h"
#include "sip_addr.h"
#include "sip_char.h"
#include "sip_hdr.h"
#include "sip_write.h"

#define REJECT_MAX_VIA_LINES 32

struct salvage {
	struct pl method;		/* of the request line */
	struct pl via[REJECT_MAX_VIA_LINES];	/* lines, each possibly a list */
	unsigned nvia;
	struct pl from, to, call_id, cseq;
};

/* Printable bytes and HTAB only: the value can be echoed. */
static bool echoable(struct pl v)
{
	if (!v.l)
		return false;
	for (size_t i = 0; i < v.l; i++) {
		unsigned char c = (unsigned char)v.p[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return false;
	}
	return true;
}

static void take(struct salvage *s, enum sip_hdr_id id, struct pl value)
{
	struct pl *slot = NULL;

	if (!echoable(value))
		return;
	switch (id) {
	case SIP_HDR_VIA:
		if (s->nvia < REJECT_MAX_VIA_LINES)
			s->via[s->nvia++] = value;
		return;
	case SIP_HDR_FROM:
		slot = &s->from;
		break;
	case SIP_HDR_TO:
		slot = &s->to;
		break;
	case SIP_HDR_CALL_ID:
		slot = &s->call_id;
		break;
	case SIP_HDR_CSEQ:
		slot = &s->cseq;
		break;
	default:
		return;
	}
	if (!pl_isset(*slot))
		*slot = value;
}

/* Every "name: value" line up to the empty line; folded continuations
 * and lines that are not headers are skipped. */
static void scan(struct salvage *s, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;

	while (p < end && (*p == '\r' || *p == '\n'))
		p++;
	s->method = pl_from(p, sip_span(pl_from(p, (size_t)(end - p)), SIP_C_TOKEN));
	p = memchr(p, '\n', (size_t)(end - p));
	while (p && ++p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct pl line = pl_from(p, (size_t)((nl ? nl : end) - p)), name, rest;

		if (line.l && line.p[line.l - 1] == '\r')
			line.l--;
		if (!line.l)
			return;
		name = pl_from(line.p, sip_span(line, SIP_C_TOKEN));
		rest = sip_skip_wsp(pl_after(line, pl_end(name)));
		if (name.l && rest.l && *rest.p == ':')
			take(s, sip_hdr_lookup(name), pl_trim(pl_after(rest, rest.p + 1)));
		p = nl;
	}
}

/* The next element of a comma-separated Via line (commas inside a
 * quoted-string do not count). */
static bool next_elem(struct pl *rest, struct pl *elem)
{
	bool quoted = false;
	size_t i;

	*rest = pl_trim(*rest);
	if (!rest->l)
		return false;
	for (i = 0; i < rest->l; i++) {
		char c = rest->p[i];

		if (quoted && c == '\\')
			i++;
		else if (c == '"')
			quoted = !quoted;
		else if (c == ',' && !quoted)
			break;
	}
	if (i > rest->l)
		i = rest->l;
	*elem = pl_trim(pl_from(rest->p, i));
	*rest = i < rest->l ? pl_after(*rest, rest->p + i + 1) : pl_from(pl_end(*rest), 0);
	return true;
}

/* The To tag of a response we make up on the spot: 64 bits of the
 * request's Call-ID and the clock, which is unique enough for a 400. */
static void make_tag(struct pl call_id, char out[17])
{
	static const char hex[] = "0123456789abcdef";
	uint64_t v = htable_hash_u64(htable_hash(call_id, HTABLE_SEED) ^ (uint64_t)sigd_now_us());

	for (int i = 0; i < 16; i++)
		out[i] = hex[(v >> (60 - 4 * i)) & 0xf];
	out[16] = '\0';
}

int transport_reject(struct sigd *sd, const char *buf, size_t len, const char *reason,
		     const struct netaddr *src)
{
	struct salvage s = { .nvia = 0 };
	struct pl rest, top, elem, cseq_method;
	struct sip_writer w;
	struct sip_via v;
	struct sip_addr to;
	struct netaddr dst;
	size_t branch_at;
	unsigned code = 400;
	char tag[17];
	int n;

	scan(&s, buf, len);
	if (!s.nvia || !pl_isset(s.from) || !pl_isset(s.to) || !pl_isset(s.call_id) ||
	    !pl_isset(s.cseq))
		return -1;
	cseq_method = pl_trim(pl_after(s.cseq, s.cseq.p + sip_span(s.cseq, SIP_C_DIGIT)));
	if (pl_eq_str(s.method, "ACK") || pl_eq_str(cseq_method, "ACK"))
		return -1;
	rest = s.via[0];
	if (!next_elem(&rest, &top) || sip_via_parse(top, &v) != 0)
		return -1;
	if (strncmp(reason, "Unsupported SIP version", 23) == 0)
		code = 505;

	sip_w_init(&w, sd->out, sizeof(sd->out));
	sip_w_status_line(&w, code, code == 505 ? PL_NULL : pl_from_str(reason));
	transport_write_top_via(&w, top, &v, src, &branch_at);
	while (next_elem(&rest, &elem))
		sip_w_header(&w, PL("Via"), elem);
	for (unsigned i = 1; i < s.nvia; i++)
		sip_w_header(&w, PL("Via"), s.via[i]);
	sip_w_header(&w, PL("From"), s.from);
	sip_w_header_begin(&w, PL("To"));
	sip_w_pl(&w, s.to);
	if (sip_addr_parse(s.to, &to) != 0 || !pl_isset(to.tag)) {
		make_tag(s.call_id, tag);
		sip_w_str(&w, ";tag=");
		sip_w_str(&w, tag);
	}
	sip_w_header_end(&w);
	sip_w_call_id(&w, s.call_id);
	sip_w_header(&w, PL("CSeq"), s.cseq);
	n = sip_w_finish(&w, PL_NULL, PL_NULL);
	if (n < 0)
		return -1;
	transport_reply_dest(&v, src, &dst);
	if (sigd_send(sd, &dst, sd->out, (size_t)n) < 0)
		return -1;
	sd->stats.bad_requests_answered++;
	return 0;
}
