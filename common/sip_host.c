#include "sip_host.h"

#include <string.h>

#include "sip_char.h"

/* Length of the IPv4address at the start of s (four 1*3DIGIT parts, each
   at most 255), or 0. */
static size_t ipv4_len(struct pl s)
{
	const char *p = s.p, *e = s.p + s.l;

	for (int part = 0;; part++) {
		unsigned v, d;

		if (p == e || (v = (unsigned)(*p - '0')) > 9)
			return 0;
		p++;
		for (int n = 1; n < 3 && p < e && (d = (unsigned)(*p - '0')) <= 9; n++, p++)
			v = v * 10 + d;
		if (v > 255)
			return 0;
		if (part == 3)
			return (size_t)(p - s.p);
		if (p == e || *p != '.')
			return 0;
		p++;
	}
}

bool sip_ipv4_valid(struct pl s)
{
	return s.l && ipv4_len(s) == s.l;
}

/*
 * Groups of 1..4 hex digits separated by ':', at most one "::" standing
 * for one or more zero groups, an optional IPv4 tail counting as two
 * groups; exactly eight groups without "::", at most seven with it.
 */
bool sip_ipv6_valid(struct pl s)
{
	size_t i = 0, groups = 0;
	bool elided = false;

	if (s.l < 2)
		return false;
	if (s.p[0] == ':') {
		if (s.p[1] != ':')
			return false;
		elided = true;
		i = 2;
	}
	while (i < s.l) {
		size_t j = i;

		while (j < s.l && j - i < 5 && sip_char_is(s.p[j], SIP_C_HEX))
			j++;
		if (j < s.l && s.p[j] == '.') {
			if (!sip_ipv4_valid(pl_after(s, s.p + i)))
				return false;
			groups += 2;
			break;
		}
		if (j == i || j - i > 4)
			return false;
		groups++;
		i = j;
		if (i == s.l)
			break;
		if (s.p[i] != ':')
			return false;
		i++;
		if (i == s.l)
			return false; /* a single trailing ':' */
		if (s.p[i] == ':') {
			if (elided)
				return false;
			elided = true;
			i++;
		}
	}
	return elided ? groups <= 7 : groups == 8;
}

/*
 * host = hostname / IPv4address at the start of s. An IPv4address is
 * tried first (it is the usual Via and Contact host); otherwise
 * hostname = *( domainlabel "." ) toplabel [ "." ]: labels of alphanum
 * and '-' that neither start nor end with '-', the toplabel starting
 * with ALPHA. One pass, remembering where the last two labels start.
 */
static size_t name_or_ipv4_scan(struct pl s, enum sip_host_type *type)
{
	size_t i = 0, label = 0, prev = 0;
	bool ok = true;

	/* the common numeric host: an IPv4address not followed by more name */
	if (s.l && sip_char_is(s.p[0], SIP_C_DIGIT)) {
		i = ipv4_len(s);
		if (i && (i == s.l || !sip_char_is(s.p[i], SIP_C_HOST))) {
			*type = SIP_HOST_IPV4;
			return i;
		}
		i = 0;
	}
	for (;;) {
		while (i < s.l && sip_char_is(s.p[i], SIP_C_ALPHA | SIP_C_DIGIT))
			i++;
		if (i == s.l)
			break;
		if (s.p[i] == '-') {
			if (i == label)
				ok = false;
			i++;
		} else if (s.p[i] == '.') {
			if (i == label || s.p[i - 1] == '-')
				ok = false;
			prev = label;
			label = ++i;
		} else {
			break;
		}
	}
	/* the toplabel is the last label, or the one before a final "." */
	if (i == 0 || !ok || s.p[i - 1] == '-' ||
	    !sip_char_is(s.p[label < i ? label : prev], SIP_C_ALPHA))
		return 0;
	*type = SIP_HOST_NAME;
	return i;
}

size_t sip_host_scan(struct pl s, enum sip_host_type *type)
{
	enum sip_host_type t;

	if (!type)
		type = &t;
	if (s.l && s.p[0] == '[') {
		const char *close = sip_chr(s, ']');

		if (!close || !sip_ipv6_valid(pl_from(s.p + 1, (size_t)(close - s.p - 1))))
			return 0;
		*type = SIP_HOST_IPV6;
		return (size_t)(close - s.p) + 1;
	}
	return name_or_ipv4_scan(s, type);
}

bool sip_host_valid(struct pl s, enum sip_host_type *type)
{
	return s.l && sip_host_scan(s, type) == s.l;
}

bool sip_hostname_valid(struct pl s)
{
	enum sip_host_type t;

	return sip_host_valid(s, &t) && t == SIP_HOST_NAME;
}

bool sip_port_parse(struct pl s, uint16_t *port)
{
	uint32_t v = 0;
	size_t i = 0;

	if (s.l == 0)
		return false;
	while (i < s.l && s.p[i] == '0')
		i++;
	if (s.l - i > 5)
		return false;
	for (; i < s.l; i++) {
		unsigned d = (unsigned)(s.p[i] - '0');

		if (d > 9)
			return false;
		v = v * 10 + d;
	}
	if (v == 0 || v > 65535)
		return false;
	*port = (uint16_t)v;
	return true;
}
