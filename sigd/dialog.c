/*
 * dialog.c - RFC 3261 §12 dialogs: creation, CSeq rules, in-dialog
 * requests. See dialog.h.
 */
#include "dialog.h"

#include <string.h>

#include "sip_addr.h"
#include "sip_param.h"
#include "sip_uri.h"
#include "sip_write.h"

#define SIP_DEFAULT_PORT 5060

bool dialog_contact_uri(const struct sip_msg *m, struct pl *uri)
{
	const struct sip_hdr *h = sip_msg_hdr(m, SIP_HDR_CONTACT);
	struct sip_addr a;

	if (!h || sip_addr_is_star(h->value) || sip_addr_parse(h->value, &a) < 0)
		return false;
	if (a.uri.scheme != SIP_URI_SIP && a.uri.scheme != SIP_URI_SIPS)
		return false;
	*uri = a.uri_pl;
	return true;
}

int dialog_route_set(const struct sip_msg *m, bool reverse, char *buf, size_t cap)
{
	struct pl v[DIALOG_MAX_ROUTES];
	unsigned n = 0;
	size_t len = 0;

	for (const struct sip_hdr *h = sip_msg_hdr(m, SIP_HDR_RECORD_ROUTE); h;
	     h = sip_msg_hdr_next(m, h)) {
		struct sip_addr a;

		if (n == DIALOG_MAX_ROUTES || sip_addr_parse(h->value, &a) < 0 ||
		    (a.uri.scheme != SIP_URI_SIP && a.uri.scheme != SIP_URI_SIPS) ||
		    pl_chr(h->value, '\n'))
			return -1;
		v[n++] = h->value;
	}
	for (unsigned i = 0; i < n; i++) {
		struct pl e = v[reverse ? n - 1 - i : i];

		if (len + e.l + 1 > cap)
			return -1;
		if (i)
			buf[len++] = '\n';
		memcpy(buf + len, e.p, e.l);
		len += e.l;
	}
	return (int)len;
}

bool dialog_route_next(struct pl *rest, struct pl *entry)
{
	const char *nl;

	if (!rest->p || rest->l == 0)
		return false;
	nl = pl_chr(*rest, '\n');
	if (!nl) {
		*entry = *rest;
		rest->p += rest->l;
		rest->l = 0;
		return true;
	}
	*entry = pl_until(*rest, nl);
	*rest = pl_after(*rest, nl + 1);
	return true;
}

void dialog_from_invite(struct dialog *d, struct dialog_cseq *cs, const struct sip_msg *req,
			struct pl local_tag, struct pl routes, uint32_t local_cseq)
{
	d->call_id = req->call_id;
	d->local_tag = local_tag;
	d->remote_tag = pl_isset(req->from.tag) ? req->from.tag : PL("");
	d->local_uri = req->to.uri_pl;
	d->remote_uri = req->from.uri_pl;
	if (!dialog_contact_uri(req, &d->remote_target))
		d->remote_target = PL("");
	d->route_set = routes;
	cs->local = local_cseq;
	cs->remote = req->cseq;
	cs->remote_set = true;
}

uint32_t dialog_next_cseq(struct dialog_cseq *cs)
{
	cs->local = (cs->local + 1) & 0x7fffffffu;
	if (cs->local == 0)
		cs->local = 1;
	return cs->local;
}

bool dialog_remote_cseq_ok(struct dialog_cseq *cs, uint32_t cseq)
{
	if (cs->remote_set && cseq <= cs->remote)
		return false;
	cs->remote = cseq;
	cs->remote_set = true;
	return true;
}

bool dialog_matches_remote(struct pl remote_tag, const struct sip_msg *m)
{
	struct pl tag = m->is_request ? m->from.tag : m->to.tag;

	if (remote_tag.l == 0)
		return true;
	return pl_isset(tag) && pl_caseeq(tag, remote_tag);
}

/* The URI inside a Route value (a name-addr), or false. */
static bool route_uri(struct pl value, struct sip_addr *a)
{
	return sip_addr_parse(value, a) == 0;
}

void dialog_write_contact(struct sip_writer *w, struct pl host, uint16_t port)
{
	bool v6 = host.l && host.p[0] != '[' && pl_chr(host, ':');

	sip_w_header_begin(w, PL("Contact"));
	sip_w_pl(w, v6 ? PL("<sip:[") : PL("<sip:"));
	sip_w_pl(w, host);
	if (v6)
		sip_w_char(w, ']');
	if (port) {
		sip_w_char(w, ':');
		sip_w_u32(w, port);
	}
	sip_w_char(w, '>');
	sip_w_header_end(w);
}

/*
 * A strict router's URI as a Request-URI (§12.2.1.1): "stripping any
 * parameters that are not allowed in a Request-URI" - of the §19.1.1
 * table that is the method parameter and the headers component.
 */
static void write_strict_ruri(struct sip_writer *w, const struct sip_uri *u, struct pl text)
{
	struct pl keep = text;
	const char *q = pl_chr(text, '?');

	if (q)
		keep = pl_until(text, q);
	if (!sip_uri_param(u, "method", NULL)) {
		sip_w_pl(w, keep);
		return;
	}
	/* Rewrite the parameter list without "method". */
	sip_w_pl(w, pl_until(keep, u->params.p));
	struct pl rest = u->params;
	struct sip_param p;
	while (sip_param_next(&rest, &p) == 1) {
		if (pl_caseeq_str(p.name, "method"))
			continue;
		sip_w_char(w, ';');
		sip_w_pl(w, p.name);
		if (p.has_value) {
			sip_w_char(w, '=');
			sip_w_pl(w, p.value);
		}
	}
}

void dialog_write_request(const struct dialog *d, struct sip_writer *w, const struct dialog_req *r)
{
	struct pl rest = d->route_set, first = PL_NULL, e;
	struct sip_addr fa;
	bool strict = false;

	if (dialog_route_next(&rest, &first) && route_uri(first, &fa))
		strict = !sip_uri_has_lr(&fa.uri);
	else
		first = PL_NULL;

	if (strict) {
		char ruri[DIALOG_ROUTES_MAX];
		struct sip_writer rw;

		sip_w_init(&rw, ruri, sizeof(ruri));
		write_strict_ruri(&rw, &fa.uri, fa.uri_pl);
		sip_w_request_line(w, r->method, pl_from(ruri, rw.len));
	} else {
		sip_w_request_line(w, r->method, d->remote_target);
	}

	sip_w_via(w, PL("UDP"), r->local_host, r->local_port, r->branch, true);

	rest = d->route_set;
	if (strict)
		dialog_route_next(&rest, &e); /* the first one is the Request-URI */
	while (dialog_route_next(&rest, &e))
		sip_w_header(w, PL("Route"), e);
	if (strict) {
		sip_w_header_begin(w, PL("Route"));
		sip_w_char(w, '<');
		sip_w_pl(w, d->remote_target);
		sip_w_char(w, '>');
		sip_w_header_end(w);
	}
	sip_w_max_forwards(w, r->max_forwards ? r->max_forwards : 70);
	sip_w_from(w, PL_NULL, d->local_uri, d->local_tag);
	sip_w_to(w, PL_NULL, d->remote_uri, d->remote_tag);
	sip_w_call_id(w, d->call_id);
	sip_w_cseq(w, r->cseq, r->method);
	if (r->contact)
		dialog_write_contact(w, r->local_host, r->local_port);
}

static bool uri_addr(const struct sip_uri *u, struct netaddr *dst)
{
	if (u->scheme != SIP_URI_SIP && u->scheme != SIP_URI_SIPS)
		return false;
	if (u->host_type != SIP_HOST_IPV4 && u->host_type != SIP_HOST_IPV6)
		return false;
	return netaddr_from_host(dst, u->host, u->port ? u->port : SIP_DEFAULT_PORT);
}

bool dialog_uri_addr(struct pl uri_text, struct netaddr *dst)
{
	struct sip_uri u;

	return uri_text.l && sip_uri_parse(uri_text, &u) == 0 && uri_addr(&u, dst);
}

bool dialog_next_hop(const struct dialog *d, struct netaddr *dst)
{
	struct pl rest = d->route_set, first;
	struct sip_addr a;

	if (dialog_route_next(&rest, &first))
		return route_uri(first, &a) && uri_addr(&a.uri, dst);
	return dialog_uri_addr(d->remote_target, dst);
}
