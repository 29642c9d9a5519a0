#include "sip_uri.h"

#include <string.h>

#include "sip_char.h"
#include "sip_param.h"

/*
 * uri-parameters = *( ";" uri-parameter ) at the start of s (which starts
 * with ';'); returns the length of the list, or 0 if it is malformed.
 * Every named parameter of the ABNF (transport, user, method, ttl, maddr,
 * lr) also matches other-param = pname [ "=" pvalue ], pname and pvalue
 * 1*paramchar, so checking that shape is checking the grammar. One pass:
 * seg counts the bytes of the current name or value.
 */
static size_t uri_params_len(struct pl s)
{
	bool in_value = false;
	size_t i, seg = 0;

	for (i = 1; i < s.l; i++) {
		char c = s.p[i];

		if (sip_char_is(c, SIP_C_PARAM)) {
			seg++;
			continue;
		}
		if (c == '%' && i + 2 < s.l && sip_char_is(s.p[i + 1], SIP_C_HEX) &&
		    sip_char_is(s.p[i + 2], SIP_C_HEX)) {
			i += 2;
			seg++;
			continue;
		}
		if (seg == 0)
			return 0;
		if (c == ';') {
			in_value = false;
		} else if (c == '=' && !in_value) {
			in_value = true;
		} else {
			break;
		}
		seg = 0;
	}
	return seg ? i : 0;
}

/* headers = header *( "&" header ); header = hname "=" hvalue */
static bool uri_headers_valid(struct pl s)
{
	size_t i = 0, n;

	for (;;) {
		n = sip_escaped_span(pl_from(s.p + i, s.l - i), SIP_C_HNV);
		if (n == 0 || i + n == s.l || s.p[i + n] != '=')
			return false;
		i += n + 1;
		i += sip_escaped_span(pl_from(s.p + i, s.l - i), SIP_C_HNV);
		if (i == s.l)
			return true;
		if (s.p[i] != '&')
			return false;
		i++;
	}
}

/*
 * SIP-URI = "sip:" [ userinfo ] hostport uri-parameters [ headers ].
 * Neither the host, the parameters nor the headers may contain an
 * unescaped '@', so the first '@' (if any) ends the userinfo; the user
 * part itself may contain ';', '?' and '/'.
 */
static int parse_sip(struct pl s, struct sip_uri *u)
{
	const char *at = sip_chr(s, '@');
	size_t n;

	if (at) {
		struct pl ui = pl_until(s, at);

		n = sip_escaped_span(ui, SIP_C_USER);
		if (n == 0)
			return -1;
		u->user = pl_from(ui.p, n);
		if (n < ui.l) {
			if (ui.p[n] != ':')
				return -1;
			u->password = pl_after(ui, ui.p + n + 1);
			if (sip_escaped_span(u->password, SIP_C_PASSWD) != u->password.l)
				return -1;
		}
		s = pl_after(s, at + 1);
	}

	n = sip_host_scan(s, &u->host_type);
	if (n == 0)
		return -1;
	u->host = pl_from(s.p, n);
	u->host_ipv6 = u->host_type == SIP_HOST_IPV6;
	s = pl_after(s, s.p + n);

	if (s.l && *s.p == ':') {
		s = pl_after(s, s.p + 1);
		n = sip_span(s, SIP_C_DIGIT);
		u->port_pl = pl_from(s.p, n);
		if (!sip_port_parse(u->port_pl, &u->port))
			return -1;
		s = pl_after(s, s.p + n);
	}

	n = 0;
	if (s.l && *s.p == ';') {
		n = uri_params_len(s);
		if (n == 0)
			return -1;
	}
	u->params = pl_from(s.p, n);
	s = pl_after(s, s.p + n);

	if (s.l && *s.p == '?') {
		u->headers = pl_after(s, s.p + 1);
		return uri_headers_valid(u->headers) ? 0 : -1;
	}
	u->headers = pl_from(s.p, 0);
	return s.l == 0 ? 0 : -1;
}

/*
 * telephone-subscriber of RFC 3966: global-number-digits ("+" then digits
 * and visual separators, at least one digit) or local-number-digits (hex
 * digits, '*', '#' and separators, at least one non-separator), then
 * parameters shaped like SIP URI parameters.
 */
static int parse_tel(struct pl s, struct sip_uri *u)
{
	const char *semi = sip_chr(s, ';');
	struct pl num = semi ? pl_until(s, semi) : s;
	bool global = num.l && num.p[0] == '+';
	bool digit = false;

	for (size_t i = global ? 1 : 0; i < num.l; i++) {
		char c = num.p[i];

		if (c == '-' || c == '.' || c == '(' || c == ')')
			continue;
		if (global ? sip_char_is(c, SIP_C_DIGIT)
			   : (sip_char_is(c, SIP_C_HEX) || c == '*' || c == '#'))
			digit = true;
		else
			return -1;
	}
	if (!digit)
		return -1;
	u->user = num;
	u->params = pl_after(s, pl_end(num));
	u->headers = pl_from(pl_end(s), 0);
	return u->params.l == 0 || uri_params_len(u->params) == u->params.l ? 0 : -1;
}

int sip_uri_parse(struct pl s, struct sip_uri *u)
{
	size_t n = sip_span(s, SIP_C_SCHEME);

	memset(u, 0, sizeof(*u));
	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
	if (n == 0 || n == s.l || s.p[n] != ':' || !sip_char_is(*s.p, SIP_C_ALPHA))
		return -1;
	u->scheme_pl = pl_from(s.p, n);
	u->opaque = pl_after(s, s.p + n + 1);
	if (u->opaque.l == 0)
		return -1;

	if (sip_lit_caseeq(u->scheme_pl, "sip", 3)) {
		u->scheme = SIP_URI_SIP;
		return parse_sip(u->opaque, u);
	}
	if (sip_lit_caseeq(u->scheme_pl, "sips", 4)) {
		u->scheme = SIP_URI_SIPS;
		return parse_sip(u->opaque, u);
	}
	if (sip_lit_caseeq(u->scheme_pl, "tel", 3)) {
		u->scheme = SIP_URI_TEL;
		return parse_tel(u->opaque, u);
	}
	/* absoluteURI: scheme ":" ( hier-part / opaque-part ), all uric */
	u->scheme = SIP_URI_OTHER;
	return sip_escaped_all(u->opaque, SIP_C_URIC, false) ? 0 : -1;
}

bool sip_uri_param(const struct sip_uri *u, const char *name, struct pl *value)
{
	return sip_param_get(u->params, name, value, NULL);
}

bool sip_uri_has_lr(const struct sip_uri *u)
{
	return sip_param_has(u->params, "lr");
}
