/*
 * sip_write.h - serialise SIP requests and responses (RFC 3261 §7).
 *
 * sigd builds every message it sends with this, thousands per second, so
 * the writer appends into a buffer the caller owns (typically a per-socket
 * scratch buffer of 64 KB), never allocates and never calls printf.
 *
 * Overflow is sticky: the first append that does not fit sets
 * w->overflow, writes nothing of that piece and shrinks w->cap to w->len,
 * so every later append fails the same single bounds check and is a
 * no-op. The caller checks once, at the end: sip_w_finish() (or
 * sip_w_body_end()) returns -1. Whatever was written before the overflow is
 * a prefix of the complete message and never extends past the original cap.
 *
 * The writer validates nothing about SIP semantics (the caller passes
 * canonical header names, well-formed URIs, 3-digit codes). It does one
 * thing unconditionally: no CR or LF reaches the start line or the header
 * section except the CRLFs the writer itself puts there. Every text
 * appender below replaces CR and LF with SP. A value copied from a parsed
 * message has been unfolded already, so it cannot contain either byte;
 * anything else that does is hostile (header injection, "Via: x\r\n
 * Contact: <sip:attacker>") and must not be able to start a new header
 * line. Only the body appenders copy bytes unchanged.
 *
 * Typical use:
 *	struct sip_writer w;
 *	sip_w_init(&w, buf, sizeof(buf));
 *	sip_w_request_line(&w, PL("INVITE"), ruri);
 *	sip_w_via(&w, PL("UDP"), host, 5060, branch, true);
 *	sip_w_max_forwards(&w, 70);
 *	...
 *	n = sip_w_finish(&w, PL("application/sdp"), sdp);
 */
#ifndef TANDEM_SIP_WRITE_H
#define TANDEM_SIP_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pl.h"

/*
 * body_len_at: offset of the Content-Length placeholder written by
 * sip_w_body_begin(), 0 when no body has been begun (offset 0 is always
 * the start line, so it can never be a placeholder).
 */
struct sip_writer {
	char *buf;
	size_t cap;
	size_t len;
	bool overflow;
	size_t body_len_at;
};

/* Width of the Content-Length placeholder: any 32-bit length fits. */
#define SIP_W_CLEN_WIDTH 10

/*
 * cap is clamped to INT_MAX so that the int returned by sip_w_finish()
 * can always hold the length. buf may be NULL when cap is 0.
 */
void sip_w_init(struct sip_writer *w, char *buf, size_t cap);

/* "METHOD ruri SIP/2.0\r\n" */
void sip_w_request_line(struct sip_writer *w, struct pl method, struct pl ruri);

/* "SIP/2.0 code reason\r\n"; an empty reason means sip_reason_phrase(code). */
void sip_w_status_line(struct sip_writer *w, unsigned code, struct pl reason);

/*
 * The reason phrase of RFC 3261 §21 and of the later RFCs that register
 * response codes; an unregistered code gets the name of its class
 * ("Request Failure" for 4xx...), a code outside 100..699 "Unknown".
 * Never NULL.
 */
const char *sip_reason_phrase(unsigned code);

/* "Name: value\r\n" */
void sip_w_header(struct sip_writer *w, struct pl name, struct pl value);

/* "Name: ", then any appenders below, then sip_w_header_end() for "\r\n". */
void sip_w_header_begin(struct sip_writer *w, struct pl name);
void sip_w_header_end(struct sip_writer *w);

/* Text appenders for the start line and header values (CR/LF -> SP). */
void sip_w_pl(struct sip_writer *w, struct pl s);
void sip_w_str(struct sip_writer *w, const char *s); /* NULL writes nothing */
void sip_w_char(struct sip_writer *w, char c);
void sip_w_u32(struct sip_writer *w, uint32_t v);
void sip_w_u64(struct sip_writer *w, uint64_t v);

/*
 * A quoted-string (RFC 3261 §25.1): DQUOTE, the bytes of raw, DQUOTE.
 * '"', '\' and the control characters other than HTAB that quoted-pair
 * allows are escaped with '\'; CR and LF, which quoted-pair does not
 * allow, become SP.
 */
void sip_w_quoted(struct sip_writer *w, struct pl raw);

/*
 * "Via: SIP/2.0/<transport> <host>[:<port>][;branch=<branch>][;rport]\r\n"
 * A host containing ':' that does not start with '[' is an IPv6 address
 * and gets brackets (RFC 3261 §25.1 IPv6reference). port 0 omits the port
 * (the transport default applies). branch is written as given (the
 * caller includes the "z9hG4bK" cookie); empty omits the parameter.
 * rport adds the empty rport parameter of RFC 3581.
 */
void sip_w_via(struct sip_writer *w, struct pl transport, struct pl host,
	       uint16_t port, struct pl branch, bool rport);

/*
 * A name-addr value: ["display" ]<uri>[;tag=<tag>].
 * A non-empty display name is always written as a quoted-string: that is
 * valid for every display name, so the writer need not decide whether a
 * token sequence would do, and it cannot change meaning on the way
 * through. The URI is always in angle brackets, which RFC 3261 §20.10
 * requires whenever it contains ',', ';' or '?' and allows always.
 */
void sip_w_name_addr(struct sip_writer *w, struct pl display, struct pl uri,
		     struct pl tag);

/* Whole headers built from the pieces above. */
void sip_w_from(struct sip_writer *w, struct pl display, struct pl uri, struct pl tag);
void sip_w_to(struct sip_writer *w, struct pl display, struct pl uri, struct pl tag);
void sip_w_contact(struct sip_writer *w, struct pl display, struct pl uri);
void sip_w_call_id(struct sip_writer *w, struct pl call_id);
void sip_w_cseq(struct sip_writer *w, uint32_t num, struct pl method);
void sip_w_max_forwards(struct sip_writer *w, unsigned hops);

/*
 * End the message with a body known in advance: Content-Type (only when
 * the body is non-empty and a type is given), Content-Length (always,
 * also 0: stream transports need it to find the end of the message, RFC
 * 3261 §18.3, and it is harmless on UDP), the empty line and the body,
 * copied unchanged. Returns the total length or -1 on overflow.
 */
int sip_w_finish(struct sip_writer *w, struct pl content_type, struct pl body);

/*
 * End the message with a body produced in place (e.g. SDP rewritten
 * straight into the send buffer): sip_w_body_begin() writes Content-Type
 * (when given) and a Content-Length placeholder of SIP_W_CLEN_WIDTH
 * characters and the empty line; sip_w_body() appends body bytes
 * unchanged; sip_w_body_end() patches the length in, right-aligned after
 * the colon (leading SWS is valid: "Content-Length:      129"), and
 * returns the total length, or -1 on overflow or when no body was begun.
 * Misuse marks the writer failed like an overflow: sip_w_body() before
 * sip_w_body_begin() (raw bytes must not reach the header section),
 * sip_w_body_begin() twice, or sip_w_finish() after sip_w_body_begin().
 */
void sip_w_body_begin(struct sip_writer *w, struct pl content_type);
void sip_w_body(struct sip_writer *w, struct pl bytes);
int sip_w_body_end(struct sip_writer *w);

#endif
