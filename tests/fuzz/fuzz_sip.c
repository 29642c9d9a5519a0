/*
 * fuzz_sip.c - the SIP message parser and every sub-parser it offers.
 *
 * Each input is parsed as a datagram and as a stream, framed, and handed
 * whole to the URI, address, Via, parameter and host parsers. Invariants
 * (abort() on violation): every slice lies inside the input; a parsed
 * message's accessors agree with each other; re-parsing the (unfolded)
 * buffer gives the same result; framing and stream parsing agree; error
 * reasons are printable ASCII.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sip_addr.h"
#include "sip_char.h"
#include "sip_hdr.h"
#include "sip_msg.h"
#include "sip_param.h"
#include "sip_uri.h"
#include "sip_via.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct span {
	const char *p;
	size_t l;
};

static void check_in(struct span b, struct pl x)
{
	if (!x.p) {
		if (x.l)
			abort();
		return;
	}
	if (x.p < b.p || x.l > b.l || x.p + x.l > b.p + b.l)
		abort();
}

static void check_reason(const struct sip_parse_error *e)
{
	size_t n = strnlen(e->reason, sizeof(e->reason));

	if (n == 0 || n == sizeof(e->reason))
		abort();
	for (size_t i = 0; i < n; i++)
		if (e->reason[i] < 0x20 || e->reason[i] > 0x7e)
			abort();
}

static void walk_params(struct span b, struct pl params)
{
	struct sip_param p;
	char tmp[64];

	while (sip_param_next(&params, &p) > 0) {
		check_in(b, p.name);
		check_in(b, p.value);
		if (p.has_value != (p.value.l > 0))
			abort();
		if (p.value.l && p.value.p[0] == '"' &&
		    sip_quoted_unescape(p.value, tmp, sizeof(tmp)) >= (ssize_t)sizeof(tmp))
			abort();
	}
	check_in(b, params);
}

static void check_uri(struct span b, const struct sip_uri *u)
{
	struct pl v;
	enum sip_host_type t;

	check_in(b, u->scheme_pl);
	check_in(b, u->user);
	check_in(b, u->password);
	check_in(b, u->host);
	check_in(b, u->port_pl);
	check_in(b, u->params);
	check_in(b, u->headers);
	check_in(b, u->opaque);
	if (u->scheme == SIP_URI_SIP || u->scheme == SIP_URI_SIPS) {
		if (!sip_host_valid(u->host, &t) || t != u->host_type)
			abort();
		if (u->host_ipv6 != (t == SIP_HOST_IPV6))
			abort();
		if (pl_isset(u->port_pl) && u->port == 0)
			abort();
	}
	walk_params(b, u->params);
	(void)sip_uri_param(u, "transport", &v);
	(void)sip_uri_has_lr(u);
}

static void check_addr(struct span b, const struct sip_addr *a)
{
	char tmp[256];

	check_in(b, a->display);
	check_in(b, a->uri_pl);
	check_in(b, a->params);
	check_in(b, a->tag);
	check_uri(b, &a->uri);
	if (a->display_quoted) {
		ssize_t n = sip_quoted_unescape(a->display, tmp, sizeof(tmp));

		if (n >= (ssize_t)sizeof(tmp) || (n >= 0 && strlen(tmp) > (size_t)n))
			abort();
	}
	if (!sip_params_valid(a->params))
		abort();
	walk_params(b, a->params);
}

static void check_via(struct span b, const struct sip_via *v)
{
	check_in(b, v->proto_name);
	check_in(b, v->proto_version);
	check_in(b, v->transport);
	check_in(b, v->host);
	check_in(b, v->params);
	check_in(b, v->branch);
	check_in(b, v->received);
	check_in(b, v->maddr);
	if (!sip_host_valid(v->host, NULL))
		abort();
	if (v->rport_has_value && (!v->rport || v->rport_value == 0))
		abort();
	(void)sip_via_branch_is_rfc3261(v);
	walk_params(b, v->params);
}

/* Everything a B2BUA might read from a parsed message. */
static void check_msg(struct span b, const struct sip_msg *m)
{
	struct sip_addr a;
	struct sip_via v;
	unsigned total = 0;

	check_in(b, m->raw);
	check_in(b, m->method);
	check_in(b, m->ruri_pl);
	check_in(b, m->reason);
	check_in(b, m->version);
	check_in(b, m->call_id);
	check_in(b, m->cseq_method);
	check_in(b, m->body);
	if (m->consumed > b.l || pl_end(m->body) != pl_end(m->raw))
		abort();
	if (m->is_request) {
		check_uri(b, &m->ruri);
		if (!pl_eq(m->method, m->cseq_method))
			abort();
		if (sip_method_lookup(m->method) != m->method_id)
			abort();
	} else if (m->status < 100 || m->status > 699) {
		abort();
	}
	if (m->cseq >= 0x80000000u)
		abort();
	if (m->has_content_length && m->body.l != m->content_length)
		abort();
	check_via(b, &m->via);
	check_addr(b, &m->from);
	check_addr(b, &m->to);
	if (m->has_content_type) {
		check_in(b, m->content_type.type);
		check_in(b, m->content_type.subtype);
		walk_params(b, m->content_type.params);
		(void)sip_ctype_is(&m->content_type, "application", "sdp");
	}
	if (m->hdr_count > SIP_MAX_HEADERS)
		abort();

	for (unsigned i = 0; i < m->hdr_count; i++) {
		const struct sip_hdr *h = &m->hdrs[i], *f;

		check_in(b, h->name);
		check_in(b, h->value);
		if (sip_hdr_lookup(h->name) != h->id)
			abort();
		if (h->next != SIP_HDR_NONE && (h->next <= i || h->next >= m->hdr_count))
			abort();
		f = sip_msg_hdr_by_name(m, h->name);
		if (!f || f > h || f->id != h->id)
			abort();
		(void)sip_hdr_name(h->id);
		(void)sip_hdr_compact(h->id);
		if (h->value.l && (h->value.p[0] == ' ' || h->value.p[h->value.l - 1] == ' '))
			abort();
		if (memchr(h->value.p, '\r', h->value.l) || memchr(h->value.p, '\n', h->value.l))
			abort();
	}
	for (int id = 0; id < SIP_HDR__COUNT; id++) {
		const struct sip_hdr *h = sip_msg_hdr(m, (enum sip_hdr_id)id);
		unsigned n = 0;

		for (; h; h = sip_msg_hdr_next(m, h)) {
			n++;
			switch (h->id) {
			case SIP_HDR_VIA:
				if (sip_via_parse(h->value, &v) == 0)
					check_via(b, &v);
				break;
			case SIP_HDR_ROUTE:
			case SIP_HDR_RECORD_ROUTE:
			case SIP_HDR_CONTACT:
			case SIP_HDR_PATH:
			case SIP_HDR_P_ASSERTED_IDENTITY:
			case SIP_HDR_REFER_TO:
			case SIP_HDR_REFERRED_BY:
			case SIP_HDR_REPLY_TO:
			case SIP_HDR_DIVERSION:
				if (!sip_addr_is_star(h->value) && sip_addr_parse(h->value, &a) == 0)
					check_addr(b, &a);
				break;
			default:
				break;
			}
		}
		if (id != SIP_HDR_OTHER && n != sip_msg_hdr_count(m, (enum sip_hdr_id)id))
			abort();
		total += sip_msg_hdr_count(m, (enum sip_hdr_id)id);
	}
	if (total != m->hdr_count)
		abort();
}

static void fuzz_subparsers(struct span b)
{
	struct pl in = pl_from(b.p, b.l);
	struct sip_uri u;
	struct sip_addr a;
	struct sip_via v;
	struct sip_ctype ct;
	enum sip_host_type t;
	char tmp[128];

	if (sip_uri_parse(in, &u) == 0)
		check_uri(b, &u);
	if (sip_addr_parse(in, &a) == 0)
		check_addr(b, &a);
	if (sip_via_parse(in, &v) == 0)
		check_via(b, &v);
	if (sip_ctype_parse(in, &ct) == 0)
		walk_params(b, ct.params);
	walk_params(b, in);
	(void)sip_params_valid(in);
	(void)sip_param_has(in, "lr");
	if (sip_host_valid(in, &t) && sip_host_scan(in, NULL) != b.l)
		abort();
	(void)sip_ipv6_valid(in);
	if (sip_quoted_unescape(in, tmp, sizeof(tmp)) >= (ssize_t)sizeof(tmp))
		abort();
	(void)sip_hdr_lookup(in);
	(void)sip_method_lookup(in);
	(void)sip_escaped_all(in, SIP_C_USER, true);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sip_msg m, m2; /* big: keep them off the stack */
	struct sip_parse_error e, e2;
	enum sip_parse_result r, r2;
	struct span b;
	char *buf, *copy;
	size_t skip;
	ssize_t n;

	if (size > 2 * SIP_MAX_MESSAGE)
		return 0;
	buf = malloc(size ? size : 1);
	copy = malloc(size ? size : 1);
	if (!buf || !copy)
		abort();
	if (size)
		memcpy(buf, data, size);
	b = (struct span){ buf, size };

	fuzz_subparsers(b);

	/* datagram, then again on the unfolded buffer: same outcome */
	r = sip_msg_parse(&m, buf, size, SIP_FRAMING_DATAGRAM, &e);
	if (r == SIP_PARSE_INCOMPLETE)
		abort();
	if (r == SIP_PARSE_OK)
		check_msg(b, &m);
	else
		check_reason(&e);
	r2 = sip_msg_parse(&m2, buf, size, SIP_FRAMING_DATAGRAM, &e2);
	if (r2 != r)
		abort();
	if (r == SIP_PARSE_OK && (m2.hdr_count != m.hdr_count || !pl_eq(m2.body, m.body) ||
				  m2.cseq != m.cseq))
		abort();
	/* (line numbers may drop: unfolded lines are no longer lines) */
	if (r == SIP_PARSE_ERROR && e.offset != e2.offset)
		abort();
	/* only folding may have changed the buffer: CR/LF became SP */
	for (size_t i = 0; i < size; i++)
		if (buf[i] != (char)data[i] &&
		    !(buf[i] == ' ' && (data[i] == '\r' || data[i] == '\n')))
			abort();

	/* stream: framing and parsing must agree */
	if (size)
		memcpy(buf, data, size);
	memcpy(copy, data, size);
	n = sip_stream_frame(copy, size, &skip, &e2);
	if (n < 0)
		check_reason(&e2);
	if (skip > size || (n > 0 && skip + (size_t)n > size))
		abort();
	r = sip_msg_parse(&m, buf, size, SIP_FRAMING_STREAM, &e);
	if (r == SIP_PARSE_ERROR)
		check_reason(&e);
	if (r == SIP_PARSE_OK) {
		check_msg(b, &m);
		if (n <= 0 || m.consumed != skip + (size_t)n)
			abort();
	}
	if (n > 0) {
		r2 = sip_msg_parse(&m2, copy + skip, (size_t)n, SIP_FRAMING_STREAM, &e2);
		if (r2 == SIP_PARSE_INCOMPLETE || (r2 == SIP_PARSE_OK) != (r == SIP_PARSE_OK))
			abort();
		if (r2 == SIP_PARSE_OK && m2.consumed != (size_t)n)
			abort();
	}

	free(buf);
	free(copy);
	return 0;
}
