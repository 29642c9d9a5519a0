#include "sip_ctype.h"

#include "sip_char.h"
#include "sip_param.h"

/*
 * media-type = m-type SLASH m-subtype *( SEMI m-parameter ), types and
 * subtypes tokens, SWS around the slash, parameters generic-param shaped
 * (m-value = token / quoted-string).
 */
int sip_ctype_parse(struct pl v, struct sip_ctype *ct)
{
	size_t n;

	v = sip_trim_wsp(v);
	n = sip_span(v, SIP_C_TOKEN);
	if (n == 0)
		return -1;
	ct->type = pl_from(v.p, n);
	v = sip_skip_wsp(pl_after(v, v.p + n));
	if (!v.l || *v.p != '/')
		return -1;
	v = sip_skip_wsp(pl_after(v, v.p + 1));
	n = sip_span(v, SIP_C_TOKEN);
	if (n == 0)
		return -1;
	ct->subtype = pl_from(v.p, n);
	ct->params = sip_skip_wsp(pl_after(v, v.p + n));
	if (ct->params.l && *ct->params.p != ';')
		return -1;
	return sip_params_valid(ct->params) ? 0 : -1;
}

bool sip_ctype_is(const struct sip_ctype *ct, const char *type, const char *subtype)
{
	return sip_caseeq_str(ct->type, type) && sip_caseeq_str(ct->subtype, subtype);
}
