/*
 * sip_write.c - serialise SIP messages into a caller's buffer.
 *
 * Every byte goes through reserve(), the one bounds check, which also
 * makes overflow sticky (see sip_write.h). Text that a caller passes in
 * goes through put_text(), which turns CR and LF into SP; put_raw() is
 * only for bytes this file chooses (literals, digits, its own CRLFs) and
 * for the body.
 */
#include "sip_write.h"

#include <limits.h>
#include <string.h>

#define CRLF "\r\n"

/*
 * Room for n more bytes, or NULL. On overflow cap shrinks to len, so every
 * later reserve() of one byte or more fails this same comparison: a
 * smaller piece can never slip in after a bigger one was dropped.
 */
static inline char *reserve(struct sip_writer *w, size_t n)
{
	char *p;

	if (n > w->cap - w->len) {
		w->overflow = true;
		w->cap = w->len;
		return NULL;
	}
	p = w->buf + w->len;
	w->len += n;
	return p;
}

/* Zero-length pieces return early: their pointer may be NULL (PL_NULL). */
static inline void put_raw(struct sip_writer *w, const char *s, size_t n)
{
	char *d;

	if (n == 0)
		return;
	d = reserve(w, n);
	if (d)
		memcpy(d, s, n);
}

#define PUT_LIT(w, lit) put_raw((w), (lit), sizeof(lit) - 1)

static inline char no_crlf(char c)
{
	return (c == '\r' || c == '\n') ? ' ' : c;
}

/*
 * Nonzero when a byte of x is CR or LF: the exact has-zero-byte test of
 * x ^ CR and x ^ LF, eight bytes per step instead of one.
 */
static inline uint64_t word_has_crlf(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	uint64_t cr = x ^ (ones * '\r'), lf = x ^ (ones * '\n');

	return ((cr - ones) & ~cr & highs) | ((lf - ones) & ~lf & highs);
}

/*
 * Most values are short and none has CR/LF, so the source is scanned a
 * word at a time (the tail as an overlapping word, or as two overlapping
 * halves, or byte by byte below four) before a plain memcpy. Scanning the
 * source, not the copy, avoids reading back bytes just stored.
 */
static inline bool text_has_crlf(const char *s, size_t n)
{
	uint64_t x = 0;
	uint32_t a, b;

	if (n < 4) {
		for (size_t i = 0; i < n; i++)
			x = x << 8 | (unsigned char)s[i];
		return word_has_crlf(x);
	}
	if (n < 8) {
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		return word_has_crlf((uint64_t)a << 32 | b);
	}
	for (size_t i = 0; i + 8 <= n; i += 8) {
		memcpy(&x, s + i, 8);
		if (word_has_crlf(x))
			return true;
	}
	memcpy(&x, s + n - 8, 8);
	return word_has_crlf(x);
}

static inline void put_text(struct sip_writer *w, const char *s, size_t n)
{
	char *d;

	if (n == 0)
		return;
	d = reserve(w, n);
	if (!d)
		return;
	if (!text_has_crlf(s, n)) {
		memcpy(d, s, n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		d[i] = no_crlf(s[i]);
}

void sip_w_init(struct sip_writer *w, char *buf, size_t cap)
{
	w->buf = buf;
	w->cap = buf ? (cap > INT_MAX ? INT_MAX : cap) : 0;
	w->len = 0;
	w->overflow = false;
	w->body_len_at = 0;
}

void sip_w_pl(struct sip_writer *w, struct pl s)
{
	put_text(w, s.p, s.l);
}

void sip_w_str(struct sip_writer *w, const char *s)
{
	if (s)
		put_text(w, s, strlen(s));
}

void sip_w_char(struct sip_writer *w, char c)
{
	put_text(w, &c, 1);
}

/* Digits are produced backwards into a stack buffer, then appended at once. */
void sip_w_u64(struct sip_writer *w, uint64_t v)
{
	char tmp[20]; /* UINT64_MAX has 20 digits */
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put_raw(w, tmp + i, sizeof(tmp) - i);
}

void sip_w_u32(struct sip_writer *w, uint32_t v)
{
	sip_w_u64(w, v);
}

/* qdtext excludes '"', '\' and CTLs but HTAB; quoted-pair covers all but CR/LF. */
static inline bool quote_needs_escape(unsigned char c)
{
	return c == '"' || c == '\\' || c == 0x7f ||
	       (c < 0x20 && c != '\t' && c != '\r' && c != '\n');
}

/* Counts the escapes first so that the whole string costs one reserve(). */
void sip_w_quoted(struct sip_writer *w, struct pl raw)
{
	size_t n = raw.l + 2;
	char *d;

	for (size_t i = 0; i < raw.l; i++)
		n += quote_needs_escape((unsigned char)raw.p[i]);
	d = reserve(w, n);
	if (!d)
		return;
	*d++ = '"';
	for (size_t i = 0; i < raw.l; i++) {
		char c = raw.p[i];
		if (quote_needs_escape((unsigned char)c))
			*d++ = '\\';
		*d++ = no_crlf(c);
	}
	*d = '"';
}

void sip_w_request_line(struct sip_writer *w, struct pl method, struct pl ruri)
{
	sip_w_pl(w, method);
	PUT_LIT(w, " ");
	sip_w_pl(w, ruri);
	PUT_LIT(w, " SIP/2.0" CRLF);
}

void sip_w_status_line(struct sip_writer *w, unsigned code, struct pl reason)
{
	PUT_LIT(w, "SIP/2.0 ");
	sip_w_u32(w, code);
	PUT_LIT(w, " ");
	if (reason.l)
		sip_w_pl(w, reason);
	else
		sip_w_str(w, sip_reason_phrase(code));
	PUT_LIT(w, CRLF);
}

void sip_w_header_begin(struct sip_writer *w, struct pl name)
{
	sip_w_pl(w, name);
	PUT_LIT(w, ": ");
}

void sip_w_header_end(struct sip_writer *w)
{
	PUT_LIT(w, CRLF);
}

void sip_w_header(struct sip_writer *w, struct pl name, struct pl value)
{
	sip_w_header_begin(w, name);
	sip_w_pl(w, value);
	sip_w_header_end(w);
}

/* An IPv6 address is the only host form with a ':' in it. */
static void put_host(struct sip_writer *w, struct pl host)
{
	bool bracket = host.l && host.p[0] != '[' && pl_chr(host, ':');

	if (bracket)
		PUT_LIT(w, "[");
	sip_w_pl(w, host);
	if (bracket)
		PUT_LIT(w, "]");
}

void sip_w_via(struct sip_writer *w, struct pl transport, struct pl host,
	       uint16_t port, struct pl branch, bool rport)
{
	sip_w_header_begin(w, PL("Via"));
	PUT_LIT(w, "SIP/2.0/");
	sip_w_pl(w, transport);
	PUT_LIT(w, " ");
	put_host(w, host);
	if (port) {
		PUT_LIT(w, ":");
		sip_w_u32(w, port);
	}
	if (branch.l) {
		PUT_LIT(w, ";branch=");
		sip_w_pl(w, branch);
	}
	if (rport)
		PUT_LIT(w, ";rport");
	sip_w_header_end(w);
}

void sip_w_name_addr(struct sip_writer *w, struct pl display, struct pl uri,
		     struct pl tag)
{
	if (display.l) {
		sip_w_quoted(w, display);
		PUT_LIT(w, " ");
	}
	PUT_LIT(w, "<");
	sip_w_pl(w, uri);
	PUT_LIT(w, ">");
	if (tag.l) {
		PUT_LIT(w, ";tag=");
		sip_w_pl(w, tag);
	}
}

void sip_w_from(struct sip_writer *w, struct pl display, struct pl uri, struct pl tag)
{
	sip_w_header_begin(w, PL("From"));
	sip_w_name_addr(w, display, uri, tag);
	sip_w_header_end(w);
}

void sip_w_to(struct sip_writer *w, struct pl display, struct pl uri, struct pl tag)
{
	sip_w_header_begin(w, PL("To"));
	sip_w_name_addr(w, display, uri, tag);
	sip_w_header_end(w);
}

void sip_w_contact(struct sip_writer *w, struct pl display, struct pl uri)
{
	sip_w_header_begin(w, PL("Contact"));
	sip_w_name_addr(w, display, uri, PL_NULL);
	sip_w_header_end(w);
}

void sip_w_call_id(struct sip_writer *w, struct pl call_id)
{
	sip_w_header(w, PL("Call-ID"), call_id);
}

void sip_w_cseq(struct sip_writer *w, uint32_t num, struct pl method)
{
	sip_w_header_begin(w, PL("CSeq"));
	sip_w_u32(w, num);
	PUT_LIT(w, " ");
	sip_w_pl(w, method);
	sip_w_header_end(w);
}

void sip_w_max_forwards(struct sip_writer *w, unsigned hops)
{
	sip_w_header_begin(w, PL("Max-Forwards"));
	sip_w_u32(w, hops);
	sip_w_header_end(w);
}

/* Misuse (finish after body_begin, body_begin twice) fails like overflow. */
static void fail(struct sip_writer *w)
{
	w->overflow = true;
	w->cap = w->len;
}

static int result(const struct sip_writer *w)
{
	return w->overflow ? -1 : (int)w->len; /* len <= cap <= INT_MAX */
}

int sip_w_finish(struct sip_writer *w, struct pl content_type, struct pl body)
{
	if (w->body_len_at) {
		fail(w);
		return -1;
	}
	if (body.l && content_type.l)
		sip_w_header(w, PL("Content-Type"), content_type);
	sip_w_header_begin(w, PL("Content-Length"));
	sip_w_u64(w, body.l);
	PUT_LIT(w, CRLF CRLF);
	put_raw(w, body.p, body.l);
	return result(w);
}

void sip_w_body_begin(struct sip_writer *w, struct pl content_type)
{
	char *slot;

	if (w->body_len_at) {
		fail(w);
		return;
	}
	if (content_type.l)
		sip_w_header(w, PL("Content-Type"), content_type);
	sip_w_header_begin(w, PL("Content-Length"));
	slot = reserve(w, SIP_W_CLEN_WIDTH);
	if (!slot)
		return;
	memset(slot, ' ', SIP_W_CLEN_WIDTH);
	w->body_len_at = (size_t)(slot - w->buf);
	PUT_LIT(w, CRLF CRLF);
}

/* Raw bytes only after the empty line: never into the header section. */
void sip_w_body(struct sip_writer *w, struct pl bytes)
{
	if (!w->body_len_at) {
		fail(w);
		return;
	}
	put_raw(w, bytes.p, bytes.l);
}

/* The length goes in right-aligned, so the spaces left of it are SWS. */
int sip_w_body_end(struct sip_writer *w)
{
	size_t body_at = w->body_len_at + SIP_W_CLEN_WIDTH + 4;
	size_t v, i = SIP_W_CLEN_WIDTH;
	char *slot;

	if (!w->body_len_at || w->overflow)
		return -1;
	slot = w->buf + w->body_len_at;
	v = w->len - body_at; /* < INT_MAX: at most 10 digits */
	do {
		slot[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return result(w);
}

/*
 * RFC 3261 §21 plus the codes later RFCs registered with IANA (the RFC is
 * noted where it is not 3261). A switch: the compiler makes the jump
 * table, and the phrases stay next to their codes for review.
 */
const char *sip_reason_phrase(unsigned code)
{
	switch (code) {
	case 100: return "Trying";
	case 180: return "Ringing";
	case 181: return "Call Is Being Forwarded";
	case 182: return "Queued";
	case 183: return "Session Progress";
	case 199: return "Early Dialog Terminated";		/* RFC 6228 */
	case 200: return "OK";
	case 202: return "Accepted";				/* RFC 6665 */
	case 204: return "No Notification";			/* RFC 5839 */
	case 300: return "Multiple Choices";
	case 301: return "Moved Permanently";
	case 302: return "Moved Temporarily";
	case 305: return "Use Proxy";
	case 380: return "Alternative Service";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 402: return "Payment Required";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 407: return "Proxy Authentication Required";
	case 408: return "Request Timeout";
	case 410: return "Gone";
	case 412: return "Conditional Request Failed";		/* RFC 3903 */
	case 413: return "Request Entity Too Large";
	case 414: return "Request-URI Too Long";
	case 415: return "Unsupported Media Type";
	case 416: return "Unsupported URI Scheme";
	case 417: return "Unknown Resource-Priority";		/* RFC 4412 */
	case 420: return "Bad Extension";
	case 421: return "Extension Required";
	case 422: return "Session Interval Too Small";		/* RFC 4028 */
	case 423: return "Interval Too Brief";
	case 424: return "Bad Location Information";		/* RFC 6442 */
	case 425: return "Bad Alert Message";			/* RFC 8876 */
	case 428: return "Use Identity Header";			/* RFC 8224 */
	case 429: return "Provide Referrer Identity";		/* RFC 3892 */
	case 430: return "Flow Failed";				/* RFC 5626 */
	case 433: return "Anonymity Disallowed";		/* RFC 5079 */
	case 436: return "Bad Identity Info";			/* RFC 8224 */
	case 437: return "Unsupported Credential";		/* RFC 8224 */
	case 438: return "Invalid Identity Header";		/* RFC 8224 */
	case 439: return "First Hop Lacks Outbound Support";	/* RFC 5626 */
	case 440: return "Max-Breadth Exceeded";		/* RFC 5393 */
	case 469: return "Bad Info Package";			/* RFC 6086 */
	case 470: return "Consent Needed";			/* RFC 5360 */
	case 480: return "Temporarily Unavailable";
	case 481: return "Call/Transaction Does Not Exist";
	case 482: return "Loop Detected";
	case 483: return "Too Many Hops";
	case 484: return "Address Incomplete";
	case 485: return "Ambiguous";
	case 486: return "Busy Here";
	case 487: return "Request Terminated";
	case 488: return "Not Acceptable Here";
	case 489: return "Bad Event";				/* RFC 6665 */
	case 491: return "Request Pending";
	case 493: return "Undecipherable";
	case 494: return "Security Agreement Required";	/* RFC 3329 */
	case 500: return "Server Internal Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Server Time-out";
	case 505: return "Version Not Supported";
	case 513: return "Message Too Large";
	case 555: return "Push Notification Service Not Supported"; /* RFC 8599 */
	case 580: return "Precondition Failure";		/* RFC 3312 */
	case 600: return "Busy Everywhere";
	case 603: return "Decline";
	case 604: return "Does Not Exist Anywhere";
	case 606: return "Not Acceptable";
	case 607: return "Unwanted";				/* RFC 8197 */
	case 608: return "Rejected";				/* RFC 8688 */
	}
	/* Unregistered codes: the class titles of RFC 3261 §21. */
	switch (code / 100) {
	case 1: return "Provisional";
	case 2: return "Successful";
	case 3: return "Redirection";
	case 4: return "Request Failure";
	case 5: return "Server Failure";
	case 6: return "Global Failure";
	}
	return "Unknown";
}
