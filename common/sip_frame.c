/*
 * sip_frame.c - where one message ends on a stream transport (RFC 3261
 * §18.3: Content-Length is mandatory there; RFC 5626 §3.5.1 CRLF
 * keep-alives between messages).
 *
 * This runs on every read from a TCP/TLS connection, possibly many times
 * before a message is complete, so it looks only at what framing needs:
 * the empty line and the Content-Length value(s). Full validation is left
 * to sip_msg_parse() once the message is complete.
 */
#include "sip_msg.h"

#include <stdio.h>
#include <string.h>

#include "sip_char.h"

static ssize_t frame_fail(struct sip_parse_error *err, const char *buf, const char *at,
			  const char *reason, unsigned line)
{
	if (err) {
		if (line)
			snprintf(err->reason, sizeof(err->reason), "%s (line %u)", reason, line);
		else
			snprintf(err->reason, sizeof(err->reason), "%s", reason);
		err->offset = (size_t)(at - buf);
		err->line = line;
	}
	return -1;
}

/* Content-Length = 1*DIGIT, surrounded by LWS (possibly still folded). */
static bool clen_value(const char *p, const char *e, uint32_t *out)
{
	const char *d;

	while (p < e && (sip_is_wsp(*p) || *p == '\r' || *p == '\n'))
		p++;
	d = p;
	while (p < e && sip_char_is(*p, SIP_C_DIGIT))
		p++;
	if (!pl_u32(pl_from(d, (size_t)(p - d)), UINT32_MAX, out))
		return false;
	while (p < e && (sip_is_wsp(*p) || *p == '\r' || *p == '\n'))
		p++;
	return p == e;
}

ssize_t sip_stream_frame(const char *buf, size_t len, size_t *skip,
			 struct sip_parse_error *err)
{
	const char *p = buf, *end = buf + len, *hend, *q;
	unsigned line = 1;
	bool have = false;
	uint32_t clen = 0;
	size_t avail, hlen;

	while (p < end && (*p == '\r' || *p == '\n')) {
		line += *p == '\n';
		p++;
	}
	*skip = (size_t)(p - buf);
	avail = (size_t)(end - p);
	hend = memmem(p, avail < SIP_MAX_MESSAGE ? avail : SIP_MAX_MESSAGE, "\r\n\r\n", 4);
	if (!hend) {
		if (avail >= SIP_MAX_MESSAGE)
			return frame_fail(err, buf, p, "Message too large", 0);
		return 0;
	}
	hend += 2; /* end of the last header line, CRLF included */
	hlen = (size_t)(hend + 2 - p);

	/* header lines start after the start line; skip continuation lines */
	q = memchr(p, '\n', (size_t)(hend - p)) + 1;
	line++;
	while (q < hend) {
		const char *nl = memchr(q, '\n', (size_t)(hend - q));
		const char *n = q, *c;
		unsigned hline = line;
		uint32_t v;

		line++;
		while (nl + 1 < hend && sip_is_wsp(nl[1])) {
			nl = memchr(nl + 1, '\n', (size_t)(hend - nl - 1));
			line++;
		}
		while (n < nl && sip_char_is(*n, SIP_C_TOKEN))
			n++;
		c = n;
		while (c < nl && sip_is_wsp(*c))
			c++;
		if (n > q && c < nl && *c == ':' &&
		    sip_hdr_lookup_token(pl_from(q, (size_t)(n - q))) == SIP_HDR_CONTENT_LENGTH) {
			if (!clen_value(c + 1, nl + 1, &v))
				return frame_fail(err, buf, c + 1, "Malformed Content-Length header",
						  hline);
			if (have && v != clen)
				return frame_fail(err, buf, q,
						  "Duplicate Content-Length header with different value",
						  hline);
			have = true;
			clen = v;
		}
		q = nl + 1;
	}

	if (!have)
		return frame_fail(err, buf, hend, "Missing Content-Length on stream transport", 0);
	if (clen > SIP_MAX_MESSAGE - hlen)
		return frame_fail(err, buf, hend, "Message too large", 0);
	if (hlen + clen > avail)
		return 0;
	return (ssize_t)(hlen + clen);
}
