#include "sip_param.h"

#include <string.h>

#include "sip_char.h"

/* Bytes of a parameter name or unquoted value: token plus host/paramchar. */
#define NAME_CHARS  (SIP_C_TOKEN | SIP_C_PARAM)
#define VALUE_CHARS (SIP_C_TOKEN | SIP_C_PARAM)

int sip_param_next(struct pl *rest, struct sip_param *p)
{
	struct pl s = sip_skip_wsp(*rest);
	unsigned all = ~0u;
	size_t n;

	if (s.l == 0) {
		*rest = s;
		return 0;
	}
	if (*s.p != ';')
		goto bad;
	s = sip_skip_wsp(pl_after(s, s.p + 1));
	n = sip_span(s, NAME_CHARS);
	if (n == 0)
		goto bad;
	p->name = pl_from(s.p, n);
	p->value = pl_from(s.p + n, 0);
	p->has_value = false;
	p->value_token = false;
	s = sip_skip_wsp(pl_after(s, s.p + n));
	if (s.l && *s.p == '=') {
		s = sip_skip_wsp(pl_after(s, s.p + 1));
		if (s.l && *s.p == '"') {
			n = sip_quoted_len(s);
		} else {
			for (n = 0; n < s.l; n++) {
				unsigned k = sip_char_class[(unsigned char)s.p[n]];

				if (!(k & VALUE_CHARS))
					break;
				all &= k;
			}
			p->value_token = n > 0 && (all & SIP_C_TOKEN);
		}
		if (n == 0)
			goto bad;
		p->value = pl_from(s.p, n);
		p->has_value = true;
		s = pl_after(s, s.p + n);
	}
	*rest = s;
	return 1;
bad:
	*rest = s;
	return -1;
}

bool sip_params_valid(struct pl params)
{
	struct sip_param p;
	int r;

	while ((r = sip_param_next(&params, &p)) > 0)
		;
	return r == 0;
}

bool sip_param_get(struct pl params, const char *name, struct pl *value, bool *has_value)
{
	struct sip_param p;

	while (sip_param_next(&params, &p) > 0) {
		if (!sip_caseeq_str(p.name, name))
			continue;
		if (value)
			*value = p.value;
		if (has_value)
			*has_value = p.has_value;
		return true;
	}
	return false;
}

bool sip_param_has(struct pl params, const char *name)
{
	return sip_param_get(params, name, NULL, NULL);
}
