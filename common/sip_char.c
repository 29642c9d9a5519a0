#include "sip_char.h"

/* Sets every alphanumeric belongs to. */
#define ALNUM (SIP_C_TOKEN | SIP_C_USER | SIP_C_PASSWD | SIP_C_PARAM | SIP_C_HNV | \
	       SIP_C_WORD | SIP_C_HOST | SIP_C_SCHEME | SIP_C_URIC)
#define D (ALNUM | SIP_C_DIGIT | SIP_C_HEX)
#define H (ALNUM | SIP_C_ALPHA | SIP_C_HEX)
#define A (ALNUM | SIP_C_ALPHA)
/* mark: the unreserved punctuation "-_.!~*'()" */
#define MARK (SIP_C_USER | SIP_C_PASSWD | SIP_C_PARAM | SIP_C_HNV | SIP_C_URIC)

const uint16_t sip_char_class[256] = {
	['0'] = D, ['1'] = D, ['2'] = D, ['3'] = D, ['4'] = D, ['5'] = D, ['6'] = D, ['7'] = D, ['8'] = D, ['9'] = D,
	['A'] = H, ['B'] = H, ['C'] = H, ['D'] = H, ['E'] = H, ['F'] = H,
	['a'] = H, ['b'] = H, ['c'] = H, ['d'] = H, ['e'] = H, ['f'] = H,
	['G'] = A, ['H'] = A, ['I'] = A, ['J'] = A, ['K'] = A, ['L'] = A, ['M'] = A, ['N'] = A, ['O'] = A, ['P'] = A, ['Q'] = A, ['R'] = A, ['S'] = A, ['T'] = A,
	['U'] = A, ['V'] = A, ['W'] = A, ['X'] = A, ['Y'] = A, ['Z'] = A,
	['g'] = A, ['h'] = A, ['i'] = A, ['j'] = A, ['k'] = A, ['l'] = A, ['m'] = A, ['n'] = A, ['o'] = A, ['p'] = A, ['q'] = A, ['r'] = A, ['s'] = A, ['t'] = A,
	['u'] = A, ['v'] = A, ['w'] = A, ['x'] = A, ['y'] = A, ['z'] = A,

	['-'] = MARK | SIP_C_TOKEN | SIP_C_WORD | SIP_C_HOST | SIP_C_SCHEME,
	['.'] = MARK | SIP_C_TOKEN | SIP_C_WORD | SIP_C_HOST | SIP_C_SCHEME,
	['_'] = MARK | SIP_C_TOKEN | SIP_C_WORD,
	['!'] = MARK | SIP_C_TOKEN | SIP_C_WORD,
	['~'] = MARK | SIP_C_TOKEN | SIP_C_WORD,
	['\''] = MARK | SIP_C_TOKEN | SIP_C_WORD,
	['*'] = MARK | SIP_C_TOKEN | SIP_C_WORD,
	['('] = MARK | SIP_C_WORD,
	[')'] = MARK | SIP_C_WORD,

	['%'] = SIP_C_TOKEN | SIP_C_WORD,
	['`'] = SIP_C_TOKEN | SIP_C_WORD,
	['+'] = SIP_C_TOKEN | SIP_C_USER | SIP_C_PASSWD | SIP_C_PARAM | SIP_C_HNV |
		SIP_C_WORD | SIP_C_SCHEME | SIP_C_URIC,
	['&'] = SIP_C_USER | SIP_C_PASSWD | SIP_C_PARAM | SIP_C_URIC,
	['='] = SIP_C_USER | SIP_C_PASSWD | SIP_C_URIC,
	['$'] = SIP_C_USER | SIP_C_PASSWD | SIP_C_PARAM | SIP_C_HNV | SIP_C_URIC,
	[','] = SIP_C_USER | SIP_C_PASSWD | SIP_C_URIC | SIP_C_LIST,
	[';'] = SIP_C_USER | SIP_C_URIC,
	['?'] = SIP_C_USER | SIP_C_HNV | SIP_C_WORD | SIP_C_URIC,
	['/'] = SIP_C_USER | SIP_C_PARAM | SIP_C_HNV | SIP_C_WORD | SIP_C_URIC,
	/* Not in RFC 3261's user set, but phones and gateways send dialled
	 * strings such as *#21# unescaped; refusing them would drop real calls. */
	['#'] = SIP_C_USER,
	['['] = SIP_C_PARAM | SIP_C_HNV | SIP_C_WORD | SIP_C_URIC,
	[']'] = SIP_C_PARAM | SIP_C_HNV | SIP_C_WORD | SIP_C_URIC,
	[':'] = SIP_C_PARAM | SIP_C_HNV | SIP_C_WORD | SIP_C_URIC,
	['@'] = SIP_C_URIC,
	['<'] = SIP_C_WORD | SIP_C_LIST,
	['>'] = SIP_C_WORD,
	['\\'] = SIP_C_WORD,
	['"'] = SIP_C_WORD | SIP_C_LIST,
	['{'] = SIP_C_WORD,
	['}'] = SIP_C_WORD,
};

bool sip_escaped_all(struct pl s, unsigned cls, bool allow_empty)
{
	return s.l ? sip_escaped_span(s, cls) == s.l : allow_empty;
}

/*
 * qdtext = LWS / %x21 / %x23-5B / %x5D-7E / UTF8-NONASCII
 * quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
 * LWS inside a header value is SP/HTAB once folding has been undone.
 */
size_t sip_quoted_len(struct pl s)
{
	if (s.l < 2 || s.p[0] != '"')
		return 0;
	for (size_t i = 1; i < s.l; i++) {
		unsigned char c = (unsigned char)s.p[i];

		if (c == '"')
			return i + 1;
		if (c == '\\') {
			if (++i == s.l)
				return 0;
			c = (unsigned char)s.p[i];
			if (c == '\r' || c == '\n' || c >= 0x80)
				return 0;
		} else if ((c < 0x20 && c != '\t') || c == 0x7f) {
			return 0;
		}
	}
	return 0;
}
