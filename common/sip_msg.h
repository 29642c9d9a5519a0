/*
 * sip_msg.h - SIP message parsing and stream framing (RFC 3261 §7, §18.3,
 * §20; RFC 5626 §3.5.1 keep-alives).
 *
 * sigd parses every received datagram (or framed stream message) once
 * into a struct sip_msg kept in a per-socket scratch area. Everything in
 * it is a slice of the caller's buffer: nothing is allocated or copied.
 * The one pass over the buffer splits the header section into lines,
 * identifies header names, splits comma-separated lists into one entry
 * per value, and eagerly parses what every transaction needs (top Via,
 * From, To, Call-ID, CSeq, Max-Forwards, Content-Length, Content-Type).
 * Anything else is parsed on demand with sip_uri/sip_addr/sip_via/
 * sip_param from the header entries; unknown headers are kept verbatim.
 *
 * The buffer is modified in exactly one way: header folding (CRLF
 * followed by SP/HTAB inside a value, §7.3.1) is undone in place by
 * overwriting the CR and LF with SP, so every value is a single line.
 * Re-parsing an already parsed buffer gives the same result.
 *
 * Strictness, where RFC 3261 leaves room: every line ends in CRLF (a bare
 * LF is an error); a control character in the header section is an error
 * unless it is a quoted-pair inside a quoted-string, and a NUL is refused
 * even there (it would cut short any C-string view of a header); header
 * values are otherwise taken as they are, UTF-8 unchecked.
 */
#ifndef TANDEM_SIP_MSG_H
#define TANDEM_SIP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pl.h"
#include "sip_addr.h"
#include "sip_ctype.h"
#include "sip_hdr.h"
#include "sip_uri.h"
#include "sip_via.h"

/* Header entries per message (after splitting lists); more is an error. */
#define SIP_MAX_HEADERS 96
/* Largest message (start line to end of body) accepted on any transport. */
#define SIP_MAX_MESSAGE 65535
/* "No header" in sip_hdr.next and sip_msg.first[]. */
#define SIP_HDR_NONE UINT16_MAX

enum sip_framing {
	SIP_FRAMING_DATAGRAM,  /* one message per buffer (UDP, SCTP) */
	SIP_FRAMING_STREAM,    /* byte stream (TCP, TLS): Content-Length frames */
};

enum sip_parse_result {
	SIP_PARSE_OK = 0,
	SIP_PARSE_INCOMPLETE,  /* stream framing only: more bytes needed */
	SIP_PARSE_ERROR,       /* see struct sip_parse_error */
};

struct sip_parse_error {
	char reason[96];  /* e.g. "Malformed CSeq header (line 5)": usable as a
	                     400 reason phrase; printable ASCII, no input bytes */
	size_t offset;    /* byte offset of the fault in the buffer */
	unsigned line;    /* 1-based line of the fault in the buffer */
};

/* One header entry: one value of one header line. */
struct sip_hdr {
	struct pl name;       /* as written ("v", "VIA", "X-Foo") */
	struct pl value;      /* trimmed, unfolded; for a list header one element */
	enum sip_hdr_id id;   /* SIP_HDR_OTHER for unknown names */
	uint16_t next;        /* index of the next entry with the same id, or
	                         SIP_HDR_NONE (use sip_msg_hdr_next()) */
	unsigned line;        /* 1-based line the header starts on */
};

struct sip_msg {
	struct pl raw;            /* the message: start line to end of body */
	size_t consumed;          /* bytes of the buffer this message used,
	                             leading CRLFs included: on a stream the
	                             next message starts there */

	bool is_request;
	/* requests */
	struct pl method;         /* as written (case-sensitive) */
	enum sip_method method_id;
	struct pl ruri_pl;        /* Request-URI text */
	struct sip_uri ruri;      /* Request-URI parsed */
	/* responses */
	uint16_t status;          /* 100..699 */
	struct pl reason;         /* reason phrase, may be empty */

	struct pl version;        /* "SIP/2.0" in any letter case */

	/* eagerly parsed essentials (all present in a parsed message) */
	struct sip_via via;       /* topmost Via value */
	struct sip_addr from;
	struct sip_addr to;
	struct pl call_id;
	uint32_t cseq;            /* < 2^31 */
	struct pl cseq_method;
	enum sip_method cseq_method_id;
	bool has_max_forwards;
	uint8_t max_forwards;     /* 0..255, valid when has_max_forwards */
	bool has_content_length;
	uint32_t content_length;  /* valid when has_content_length */
	bool has_content_type;
	struct sip_ctype content_type;  /* valid when has_content_type */
	struct pl body;           /* empty (but set) when there is none */

	unsigned hdr_count;                /* entries used in hdrs[] */
	uint16_t first[SIP_HDR__COUNT];    /* first entry per id, SIP_HDR_NONE */
	struct sip_hdr hdrs[SIP_MAX_HEADERS];  /* in message order */
};

/*
 * Parse the message at the start of buf (leading CRLFs are skipped,
 * §7.5). A datagram must hold exactly one message: its body is what
 * follows the empty line, truncated to Content-Length if that is shorter
 * (§18.3). On a stream, Content-Length is mandatory, bytes beyond the
 * message are left alone (m->consumed says where it ends) and too few
 * bytes give SIP_PARSE_INCOMPLETE. err may be NULL. Unless the result
 * is SIP_PARSE_OK, the contents of *m are unspecified.
 */
enum sip_parse_result sip_msg_parse(struct sip_msg *m, char *buf, size_t len,
				    enum sip_framing framing, struct sip_parse_error *err);

/*
 * For stream transports: the length of the first complete message in buf
 * (start line through body), which starts at buf + *skip after leading
 * CR/LF bytes (RFC 5626 §3.5.1 keep-alives: "\r\n\r\n" is a ping that
 * wants a "\r\n" pong). Returns 0 if more bytes are needed (*skip bytes
 * may still be dropped), -1 on a malformed frame: missing, malformed or
 * conflicting Content-Length, or a header section or message larger than
 * SIP_MAX_MESSAGE. err may be NULL.
 */
ssize_t sip_stream_frame(const char *buf, size_t len, size_t *skip,
			 struct sip_parse_error *err);

/* First entry with this id, or NULL. */
const struct sip_hdr *sip_msg_hdr(const struct sip_msg *m, enum sip_hdr_id id);

/*
 * The next entry of the same header as h, in message order, or NULL:
 * same id, and for SIP_HDR_OTHER also the same name (case-insensitive).
 * So "every Route value" is sip_msg_hdr(m, SIP_HDR_ROUTE) then _next().
 */
const struct sip_hdr *sip_msg_hdr_next(const struct sip_msg *m, const struct sip_hdr *h);

/* First entry called name (case-insensitive, compact forms map to their
   long form: "i" finds Call-ID), or NULL. */
const struct sip_hdr *sip_msg_hdr_by_name(const struct sip_msg *m, struct pl name);
const struct sip_hdr *sip_msg_hdr_by_str(const struct sip_msg *m, const char *name);

/* Number of entries with this id (for SIP_HDR_OTHER: all unknown ones). */
unsigned sip_msg_hdr_count(const struct sip_msg *m, enum sip_hdr_id id);

#endif
