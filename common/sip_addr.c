#include "sip_addr.h"

#include "sip_char.h"
#include "sip_param.h"

/*
 * The header parameters after the address: SWS, then nothing or a valid
 * generic-param list, checked in the same pass that finds the tag, which
 * must be a token (RFC 3261 §19.3, §25.1 tag-param).
 */
static int parse_params(struct pl rest, struct sip_addr *a)
{
	struct sip_param p;
	int r;

	rest = sip_skip_wsp(rest);
	a->params = rest;
	while ((r = sip_param_next(&rest, &p)) > 0) {
		if (sip_lit_caseeq(p.name, "tag", 3) && !pl_isset(a->tag)) {
			if (!p.value_token)
				return -1;
			a->tag = p.value;
		}
	}
	return r;
}

/* "<" addr-spec ">" at the start of s, then the parameters. */
static int parse_angle(struct pl s, struct sip_addr *a)
{
	const char *gt = sip_chr(s, '>');

	if (!gt)
		return -1;
	a->angle = true;
	a->uri_pl = pl_from(s.p + 1, (size_t)(gt - s.p - 1));
	if (sip_uri_parse(a->uri_pl, &a->uri) != 0)
		return -1;
	return parse_params(pl_after(s, gt + 1), a);
}

int sip_addr_parse(struct pl v, struct sip_addr *a)
{
	size_t n;

	v = sip_trim_wsp(v);
	a->display = pl_from(v.p, 0);
	a->display_quoted = false;
	a->angle = false;
	a->params = PL_NULL;
	a->tag = PL_NULL;
	if (v.l == 0)
		return -1;

	if (*v.p == '"') {
		struct pl rest;

		n = sip_quoted_len(v);
		if (n == 0)
			return -1;
		a->display = pl_from(v.p, n);
		a->display_quoted = true;
		rest = sip_skip_wsp(pl_after(v, v.p + n));
		if (!rest.l || *rest.p != '<')
			return -1;
		return parse_angle(rest, a);
	}

	/* *(token LWS) "<" is a name-addr; anything else an addr-spec */
	n = sip_span(v, SIP_C_TOKEN);
	while (n < v.l && sip_is_wsp(v.p[n]))
		n = n + 1 + sip_span(pl_after(v, v.p + n + 1), SIP_C_TOKEN);
	if (n < v.l && v.p[n] == '<') {
		a->display = sip_trim_wsp(pl_from(v.p, n));
		return parse_angle(pl_after(v, v.p + n), a);
	}

	/*
	 * addr-spec: the URI ends at the first ';' or whitespace. A URI with
	 * ',', '?' or ';' must be in <> (§20), so those end it too, and
	 * anything but parameters after it is an error.
	 */
	n = 0;
	while (n < v.l && v.p[n] != ';' && v.p[n] != ',' && v.p[n] != '?' && !sip_is_wsp(v.p[n]))
		n++;
	a->uri_pl = pl_from(v.p, n);
	if (sip_uri_parse(a->uri_pl, &a->uri) != 0)
		return -1;
	return parse_params(pl_after(v, v.p + n), a);
}

bool sip_addr_is_star(struct pl value)
{
	value = pl_trim(value);
	return value.l == 1 && value.p[0] == '*';
}

ssize_t sip_quoted_unescape(struct pl q, char *dst, size_t dstsz)
{
	size_t o = 0;

	if (dstsz)
		dst[0] = '\0';
	if (q.l == 0 || sip_quoted_len(q) != q.l)
		return -1;
	for (size_t i = 1; i + 1 < q.l; i++) {
		if (q.p[i] == '\\')
			i++;
		if (o + 1 >= dstsz) {
			if (dstsz)
				dst[0] = '\0';
			return -1;
		}
		dst[o++] = q.p[i];
	}
	if (dstsz == 0)
		return -1;
	dst[o] = '\0';
	return (ssize_t)o;
}
