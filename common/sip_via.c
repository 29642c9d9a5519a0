#include "sip_via.h"

#include <string.h>

#include "sip_char.h"
#include "sip_param.h"

/* token, then SWS, then the separator sep (skipped, with SWS after it). */
static bool token_then(struct pl *s, struct pl *tok, char sep)
{
	size_t n = sip_span(*s, SIP_C_TOKEN);

	if (n == 0)
		return false;
	*tok = pl_from(s->p, n);
	*s = sip_skip_wsp(pl_after(*s, s->p + n));
	if (!s->l || *s->p != sep)
		return false;
	*s = sip_skip_wsp(pl_after(*s, s->p + 1));
	return true;
}

/* The parameters Via gives a meaning to, checked against their ABNF. */
static int known_param(struct sip_via *v, const struct sip_param *p)
{
	struct pl val = p->value, addr;
	uint16_t port = 0;
	uint32_t n;

	switch (p->name.l) {
	case 3:
		/* ttl = 1*3DIGIT ; 0 to 255 */
		if (!sip_lit_caseeq(p->name, "ttl", 3))
			break;
		if (!p->has_value || val.l > 3 || !pl_u32(val, 255, &n))
			return -1;
		if (!v->has_ttl) {
			v->has_ttl = true;
			v->ttl = (uint8_t)n;
		}
		break;
	case 5:
		if (sip_lit_caseeq(p->name, "rport", 5)) {
			if (p->has_value && !sip_port_parse(val, &port))
				return -1;
			if (!v->rport) {
				v->rport = true;
				v->rport_has_value = p->has_value;
				v->rport_value = port;
			}
		} else if (sip_lit_caseeq(p->name, "maddr", 5)) {
			if (!p->has_value || !sip_host_valid(val, NULL))
				return -1;
			if (!pl_isset(v->maddr))
				v->maddr = val;
		}
		break;
	case 6:
		if (!sip_lit_caseeq(p->name, "branch", 6))
			break;
		if (!p->value_token)
			return -1;
		if (!pl_isset(v->branch))
			v->branch = val;
		break;
	case 8:
		/* IPv4address / IPv6address; brackets tolerated (RFC 5118 §4.5) */
		if (!sip_lit_caseeq(p->name, "received", 8))
			break;
		addr = val;
		if (addr.l >= 2 && addr.p[0] == '[' && addr.p[addr.l - 1] == ']')
			addr = pl_from(addr.p + 1, addr.l - 2);
		if (!p->has_value || !(sip_ipv4_valid(addr) || sip_ipv6_valid(addr)))
			return -1;
		if (!pl_isset(v->received))
			v->received = val;
		break;
	default:
		break;
	}
	return 0;
}

int sip_via_parse(struct pl s, struct sip_via *v)
{
	struct sip_param p;
	struct pl rest;
	size_t n;
	int r;

	memset(v, 0, sizeof(*v));
	s = sip_trim_wsp(s);

	if (!token_then(&s, &v->proto_name, '/') || !token_then(&s, &v->proto_version, '/'))
		return -1;
	n = sip_span(s, SIP_C_TOKEN);
	if (n == 0 || n == s.l || !sip_is_wsp(s.p[n]))
		return -1; /* LWS is required between sent-protocol and sent-by */
	v->transport = pl_from(s.p, n);
	s = sip_skip_wsp(pl_after(s, s.p + n));

	n = sip_host_scan(s, &v->host_type);
	if (n == 0)
		return -1;
	v->host = pl_from(s.p, n);
	v->host_ipv6 = v->host_type == SIP_HOST_IPV6;
	s = sip_skip_wsp(pl_after(s, s.p + n));

	if (s.l && *s.p == ':') {
		s = sip_skip_wsp(pl_after(s, s.p + 1));
		n = sip_span(s, SIP_C_DIGIT);
		if (!sip_port_parse(pl_from(s.p, n), &v->port))
			return -1;
		s = sip_skip_wsp(pl_after(s, s.p + n));
	}

	v->params = s;
	if (s.l && *s.p != ';')
		return -1;
	rest = s;
	while ((r = sip_param_next(&rest, &p)) > 0)
		if (known_param(v, &p) != 0)
			return -1;
	return r == 0 ? 0 : -1;
}

bool sip_via_branch_is_rfc3261(const struct sip_via *v)
{
	return v->branch.l >= 7 && memcmp(v->branch.p, "z9hG4bK", 7) == 0;
}
