/*
 * sdp_priv.h - what the SDP codec files share and nobody else needs.
 *
 * The parser and the writer must see exactly the same lines, so the line
 * splitter lives here; the lexical checks are shared by the parser (input)
 * and the edit functions (values a caller wants written).
 */
#ifndef TANDEM_SDP_PRIV_H
#define TANDEM_SDP_PRIV_H

#include <string.h>

#include "sdp.h"

/* Walks an SDP body line by line, counting lines as an editor would. */
struct sdp_lines {
	const char *p;
	const char *end;
	unsigned lineno;
};

static inline void sdp_lines_init(struct sdp_lines *it, struct pl text,
				  unsigned first_line)
{
	it->p = text.p;
	it->end = text.p ? text.p + text.l : NULL;
	it->lineno = first_line ? first_line - 1 : 0;
}

/*
 * Next line without its LF or CRLF. Lines may end in a bare LF (real
 * devices send that) and the last one may lack an end; empty lines are
 * skipped so that a stray blank line is never mistaken for content.
 */
static inline bool sdp_lines_next(struct sdp_lines *it, struct pl *line)
{
	while (it->p < it->end) {
		const char *s = it->p;
		const char *nl = memchr(s, '\n', (size_t)(it->end - s));
		const char *e = nl ? nl : it->end;

		it->p = nl ? nl + 1 : it->end;
		it->lineno++;
		if (e > s && e[-1] == '\r')
			e--;
		if (e == s)
			continue;
		*line = pl_from(s, (size_t)(e - s));
		return true;
	}
	return false;
}

/* ---- lexical helpers (sdp_syntax.c) ---- */

/* RFC 8866 token: visible ASCII except the separators. Non-empty. */
bool sdp_is_token(struct pl x);
/* Non-empty run of bytes above SP other than DEL (non-ws-string). */
bool sdp_is_vchars(struct pl x);
/* Next field separated by one or more SP; false when none is left. */
bool sdp_next_field(struct pl *rest, struct pl *field);
/* Decimal uint64, no sign, overflow rejected. */
bool sdp_u64(struct pl x, uint64_t *out);
/* An IN address of the given addrtype: IPv4/IPv6 literal or FQDN. */
bool sdp_addr_valid(struct pl addrtype, struct pl addr);
/* 0.0.0.0 or an IPv6 literal that is all zeroes (::). */
bool sdp_addr_is_null(struct pl addr);
/* "<nettype> <addrtype> <address>[/ttl][/count]" */
bool sdp_parse_conn(struct pl value, struct sdp_conn *c);
/* sendrecv/sendonly/recvonly/inactive, else SDP_DIR_NONE. */
enum sdp_dir sdp_dir_from_name(struct pl name);
/* A profile carrying RTP: some '/'-separated part of proto is "RTP". */
bool sdp_is_rtp_proto(struct pl proto);

/* ---- shared by the writer and the edit checks (sdp_write.c) ---- */

enum sdp_attr_action {
	SDP_EMIT_RAW,	/* the received line */
	SDP_DROP,
	SDP_EMIT_DIR,	/* the edited direction, in place */
	SDP_EMIT_RTCP,	/* the edited a=rtcp, in place */
};

struct sdp_attr_walk {
	bool dir_done;
	bool rtcp_done;
};

/*
 * What happens to attribute j of a section (m is NULL at session level).
 * Call for j = 0, 1, ... with one zeroed walk; then sdp_attr_tail() tells
 * which edited attributes still have to be appended.
 */
enum sdp_attr_action sdp_attr_action(const struct sdp_section *sec,
				     const struct sdp_media *m, unsigned j,
				     struct sdp_attr_walk *w);
void sdp_attr_tail(const struct sdp_section *sec, const struct sdp_media *m,
		   const struct sdp_attr_walk *w, bool *add_dir,
		   bool *add_rtcp);
/* How many a= lines sdp_write() emits for a section. */
unsigned sdp_out_attr_count(const struct sdp_section *sec,
			    const struct sdp_media *m);

#endif
