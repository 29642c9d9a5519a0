/*
 * sip_char.h - the character classes of the RFC 3261 §25 ABNF.
 *
 * Every SIP codec validates bytes against the same handful of sets
 * (token, the URI user/password/param/header sets, Call-ID words, host
 * names...). One 256-entry table of bit flags answers "is byte c in set
 * S" with a single load, which is what keeps the one-pass parser cheap.
 * The "%" HEXDIG HEXDIG escape is not a class: the URI code checks it
 * where the ABNF allows `escaped`.
 */
#ifndef TANDEM_SIP_CHAR_H
#define TANDEM_SIP_CHAR_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "pl.h"

enum sip_char_class {
	SIP_C_ALPHA  = 1 << 0,  /* ALPHA */
	SIP_C_DIGIT  = 1 << 1,  /* DIGIT */
	SIP_C_HEX    = 1 << 2,  /* HEXDIG (either case) */
	SIP_C_TOKEN  = 1 << 3,  /* token: alphanum - . ! % * _ + ` ' ~ */
	SIP_C_USER   = 1 << 4,  /* user: unreserved / user-unreserved */
	SIP_C_PASSWD = 1 << 5,  /* password: unreserved & = + $ , */
	SIP_C_PARAM  = 1 << 6,  /* paramchar: unreserved / param-unreserved */
	SIP_C_HNV    = 1 << 7,  /* hname/hvalue: unreserved / hnv-unreserved */
	SIP_C_WORD   = 1 << 8,  /* word (Call-ID) */
	SIP_C_HOST   = 1 << 9,  /* hostname: alphanum - . */
	SIP_C_SCHEME = 1 << 10, /* scheme after the first ALPHA: alnum + - . */
	SIP_C_URIC   = 1 << 11, /* uric of absoluteURI (plus [ ] of RFC 2732) */
	SIP_C_LIST   = 1 << 12, /* what a header list splitter stops at: , " < */
};

extern const uint16_t sip_char_class[256];

/* ASCII lowercase, branch-free; other bytes unchanged. */
static inline unsigned char sip_lower(char c)
{
	unsigned char u = (unsigned char)c;

	return (unsigned char)(u + (((unsigned)(u - 'A') < 26u) << 5));
}

static inline bool sip_char_is(char c, unsigned cls)
{
	return (sip_char_class[(unsigned char)c] & cls) != 0;
}

static inline bool sip_is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Length of the longest prefix of s whose bytes are all in cls (or, for
 * sip_cspan, none in cls). Unrolled by four: these loops run over most
 * bytes of a message, and one table test per byte is all they need.
 */
static inline size_t sip_span(struct pl s, unsigned cls)
{
	size_t i = 0;

	for (; i + 4 <= s.l; i += 4) {
		if (!sip_char_is(s.p[i], cls))
			return i;
		if (!sip_char_is(s.p[i + 1], cls))
			return i + 1;
		if (!sip_char_is(s.p[i + 2], cls))
			return i + 2;
		if (!sip_char_is(s.p[i + 3], cls))
			return i + 3;
	}
	while (i < s.l && sip_char_is(s.p[i], cls))
		i++;
	return i;
}

static inline size_t sip_cspan(struct pl s, unsigned cls)
{
	size_t i = 0;

	for (; i + 4 <= s.l; i += 4) {
		if (sip_char_is(s.p[i], cls))
			return i;
		if (sip_char_is(s.p[i + 1], cls))
			return i + 1;
		if (sip_char_is(s.p[i + 2], cls))
			return i + 2;
		if (sip_char_is(s.p[i + 3], cls))
			return i + 3;
	}
	while (i < s.l && !sip_char_is(s.p[i], cls))
		i++;
	return i;
}

/* s with leading SP/HTAB removed (values are unfolded: no CR/LF left). */
static inline struct pl sip_skip_wsp(struct pl s)
{
	while (s.l && sip_is_wsp(*s.p)) {
		s.p++;
		s.l--;
	}
	return s;
}

/* s without leading and trailing SP/HTAB. */
static inline struct pl sip_trim_wsp(struct pl s)
{
	while (s.l && sip_is_wsp(*s.p)) {
		s.p++;
		s.l--;
	}
	while (s.l && sip_is_wsp(s.p[s.l - 1]))
		s.l--;
	return s;
}

/* Non-empty and every byte in cls. */
static inline bool sip_all(struct pl s, unsigned cls)
{
	return s.l > 0 && sip_span(s, cls) == s.l;
}

/*
 * Length of the longest prefix of s made of bytes in cls and "%" HEXDIG
 * HEXDIG escapes: the shape of user, password, pname, pvalue, hname and
 * hvalue in the URI ABNF.
 */
static inline size_t sip_escaped_span(struct pl s, unsigned cls)
{
	size_t i = 0;

	for (;;) {
		i += sip_span(pl_from(s.p + i, s.l - i), cls);
		if (i + 2 < s.l && s.p[i] == '%' && sip_char_is(s.p[i + 1], SIP_C_HEX) &&
		    sip_char_is(s.p[i + 2], SIP_C_HEX))
			i += 3;
		else
			return i;
	}
}

/* All of s is bytes in cls and escapes; non-empty unless allow_empty. */
bool sip_escaped_all(struct pl s, unsigned cls, bool allow_empty);

/*
 * Length of the quoted-string at the start of s (DQUOTE *(qdtext /
 * quoted-pair) DQUOTE, quotes included), or 0 if s does not start with a
 * well-formed, terminated one.
 */
size_t sip_quoted_len(struct pl s);

/* s equals the C string str, ignoring ASCII case (strlen folds for literals). */
static inline bool sip_caseeq_str(struct pl s, const char *str)
{
	if (strlen(str) != s.l)
		return false;
	for (size_t i = 0; i < s.l; i++)
		if (s.p[i] != str[i] && sip_lower(s.p[i]) != sip_lower(str[i]))
			return false;
	return true;
}

/*
 * Case-insensitive equality of s with a lowercase literal: a byte either
 * matches exactly or is the uppercase form of a literal letter. With a
 * constant literal the letter test folds away.
 */
static inline bool sip_lit_caseeq(struct pl s, const char *lit, size_t len)
{
	if (s.l != len)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s.p[i], l = (unsigned char)lit[i];

		if (c != l && !((c | 0x20) == l && l >= 'a' && l <= 'z'))
			return false;
	}
	return true;
}

/* First c in s, or NULL (memchr without the call through pl.c). */
static inline const char *sip_chr(struct pl s, char c)
{
	return s.l ? memchr(s.p, c, s.l) : NULL;
}

#endif
