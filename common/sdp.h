/*
 * sdp.h - the SDP codec (RFC 8866, RFC 3264 offer/answer, RFC 3605 a=rtcp).
 *
 * ccd rewrites every SDP that crosses the B2BUA so that media flows through
 * an RTP proxy. The codec is built for that job:
 *
 *   sdp_parse()   splits a body into slices of the caller's buffer (no
 *                 allocation, fixed maxima, an explicit error otherwise);
 *   sdp_*_set..   record edits as pending replacements inside the session
 *                 (replacement slices point to caller memory that must stay
 *                 valid, like the parsed buffer, until sdp_write());
 *   sdp_write()   walks the original lines again and emits them with the
 *                 edits applied, CRLF-terminated, into a caller buffer.
 *
 * Everything the edits do not touch is written back byte for byte and in
 * its original order, including unknown line types. Blank lines are
 * dropped and LF line ends become CRLF.
 *
 * Parsed fields describe the input as received; the accessors near the end
 * (sdp_media_port(), sdp_media_dir(), sdp_is_hold()...) describe what
 * sdp_write() would emit.
 */
#ifndef TANDEM_SDP_H
#define TANDEM_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pl.h"

#define SDP_MAX_MEDIA      16	/* m= sections per session */
#define SDP_MAX_ATTRS      64	/* a= lines per section, read or written */
#define SDP_MAX_FORMATS    32	/* formats on one m= line */
#define SDP_MAX_ADD_ATTRS   8	/* sdp_add_attr() calls per section */
#define SDP_MAX_FILTER     32	/* entries of a payload type filter */
#define SDP_MAX_ENCODING   32	/* encoding name in a filter, with NUL */

/* The section index that means "session level" in sdp_add_attr() & co. */
#define SDP_SESSION (-1)

/* Why a parse failed: a fixed reason string and where (0 = not known). */
struct sdp_error {
	const char *reason;	/* "Bad m= line", static storage */
	unsigned line;		/* 1-based line of the SDP body */
	unsigned entry;		/* 1-based entry of a payload filter spec */
};

/* RFC 3264 §5.1 stream direction; NONE means "no attribute". */
enum sdp_dir {
	SDP_DIR_NONE = 0,
	SDP_DIR_SENDRECV,
	SDP_DIR_SENDONLY,
	SDP_DIR_RECVONLY,
	SDP_DIR_INACTIVE,
};

enum sdp_attr_kind {
	SDP_ATTR_OTHER = 0,	/* kept as is, not interpreted */
	SDP_ATTR_RTPMAP,
	SDP_ATTR_FMTP,
	SDP_ATTR_RTCP,
	SDP_ATTR_RTCP_FB,
	SDP_ATTR_DIR,		/* sendrecv, sendonly, recvonly, inactive */
	SDP_ATTR_PTIME,
	SDP_ATTR_NORTPPROXY,
};

/* One a= line: "a=<name>[:<value>]". */
struct sdp_attr {
	struct pl name;
	struct pl value;	/* PL_NULL without ':', empty after "name:" */
	int16_t pt;		/* rtpmap/fmtp/rtcp-fb payload type, else -1 */
	uint8_t kind;		/* enum sdp_attr_kind */
};

/* c=<nettype> <addrtype> <address>[/<ttl>][/<count>] */
struct sdp_conn {
	struct pl nettype;	/* "IN" */
	struct pl addrtype;	/* "IP4", "IP6" */
	struct pl addr;		/* without suffix; PL_NULL when no c= line */
	struct pl suffix;	/* "/127/3" as written, empty when none */
	uint16_t ttl;		/* IP4 multicast TTL, 0 when absent */
	uint16_t count;		/* number of addresses, 0 when absent */
	bool ipv6;		/* addrtype is IP6 */
};

/* o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address> */
struct sdp_origin {
	struct pl username;
	struct pl sess_id;
	struct pl version_str;
	uint64_t version;
	struct pl nettype;
	struct pl addrtype;
	struct pl addr;
};

/* rtpmap:<pt> <encoding>/<clock>[/<channels>] */
struct sdp_rtpmap {
	struct pl encoding;	/* PL_NULL when the format is unknown */
	uint32_t clock;
	uint16_t channels;	/* 0 when absent (means 1 for audio) */
};

/* One format of an m= line. */
struct sdp_format {
	struct pl id;		/* as written on the m= line */
	int16_t pt;		/* 0..127 for RTP profiles, -1 otherwise */
	bool has_rtpmap;	/* map came from an a=rtpmap line */
	struct sdp_rtpmap map;	/* a=rtpmap, else the RFC 3551 table */
	struct pl fmtp;		/* parameters of the first a=fmtp, PL_NULL */
};

/* RFC 3605: rtcp:<port> [<nettype> <addrtype> <address>] */
struct sdp_rtcp {
	uint16_t port;
	struct sdp_conn conn;	/* conn.addr PL_NULL when only a port */
};

/* Pending edits of one section; set through the sdp_* edit functions. */
struct sdp_section_edit {
	uint64_t removed;	/* bit j: attr[j] is not written */
	bool conn_set;
	bool conn_ipv6;
	struct pl conn_addr;
	bool dir_set;
	enum sdp_dir dir;	/* with dir_set: NONE removes the attribute */
	unsigned addc;
	struct pl add[SDP_MAX_ADD_ATTRS];
};

/* What the session level and each media level have in common. */
struct sdp_section {
	struct pl text;		/* the section's lines in the input */
	unsigned line;		/* line number of its first line */
	struct sdp_conn conn;	/* first c= line */
	unsigned connc;		/* c= lines (several: layered multicast) */
	enum sdp_dir dir;	/* first direction attribute, NONE if absent */
	bool nortpproxy;	/* a=nortpproxy seen */
	unsigned attrc;
	struct sdp_attr attr[SDP_MAX_ATTRS];
	struct sdp_section_edit edit;
};

enum sdp_rtcp_edit {
	SDP_RTCP_KEEP = 0,
	SDP_RTCP_SET,
	SDP_RTCP_REMOVE,
};

struct sdp_media_edit {
	bool port_set;
	uint16_t port;
	bool rejected;		/* the payload filter left nothing */
	uint32_t fmt_removed;	/* bit j: fmt[j] is not written */
	uint8_t rtcp;		/* enum sdp_rtcp_edit */
	uint16_t rtcp_port;
	struct pl rtcp_addr;	/* PL_NULL: port only */
};

/* m=<media> <port>[/<nports>] <proto> <fmt> ... and what follows it. */
struct sdp_media {
	struct sdp_section sec;
	struct pl media;	/* "audio", "video", "image"... */
	uint16_t port;
	uint16_t nports;	/* 0 when there is no "/<n>" */
	struct pl nports_str;	/* "/2" as written, empty when none */
	struct pl proto;	/* "RTP/AVP", "UDP/TLS/RTP/SAVPF", "udptl" */
	bool rtp;		/* an RTP profile: formats are payload types */
	unsigned fmtc;
	struct sdp_format fmt[SDP_MAX_FORMATS];
	bool has_rtcp;
	struct sdp_rtcp rtcp;	/* first a=rtcp */
	uint32_t ptime;		/* a=ptime in ms, 0 when absent or odd */
	struct sdp_media_edit edit;
};

struct sdp_origin_edit {
	struct pl username;	/* PL_NULL: keep */
	struct pl sess_id;
	struct pl addr;
	bool version_set;
	uint64_t version;
};

/* About 85 KB with the fixed maxima: keep one per call, not on a small stack. */
struct sdp_session {
	const char *buf;	/* the parsed body; must outlive the session */
	size_t len;
	struct sdp_origin origin;
	struct pl name;		/* s= */
	struct sdp_section sec;	/* session-level c= and a= lines */
	unsigned mediac;
	struct sdp_media media[SDP_MAX_MEDIA];
	struct sdp_origin_edit origin_edit;
};

/* An allow-list of payload types: by number, or by encoding and clock. */
struct sdp_pt_filter_entry {
	int16_t pt;		/* 0..127, or -1: match by name */
	char encoding[SDP_MAX_ENCODING];
	uint32_t clock;
	uint16_t channels;	/* 0: any */
};

struct sdp_pt_filter {
	unsigned n;
	struct sdp_pt_filter_entry e[SDP_MAX_FILTER];
};

/* ---- parse (sdp_parse.c) ---- */

/*
 * Parse buf[0..len) into s, which then points into buf. Returns 0, or -1
 * with err (may be NULL) filled in. Any previous content and edits of s
 * are discarded.
 */
int sdp_parse(struct sdp_session *s, const char *buf, size_t len,
	      struct sdp_error *err);

/* "Bad m= line (line 7)" into buf; returns what snprintf returns. */
int sdp_error_str(const struct sdp_error *err, char *buf, size_t size);

/* RFC 3551 static payload types 0..95 (0 PCMU/8000, 8 PCMA/8000...). */
bool sdp_static_rtpmap(unsigned pt, struct sdp_rtpmap *map);

/* ---- write (sdp_write.c) ---- */

/*
 * Emit s with its pending edits applied into out[0..cap). Returns the
 * length written (not NUL-terminated), or -1 if it does not fit (nothing
 * is ever written at or past out[cap]) or s is inconsistent.
 */
int sdp_write(const struct sdp_session *s, char *out, size_t cap);

/*
 * ---- edits (sdp_edit.c) ----
 * 0 on success; -1 on a bad argument (no such section, an address that is
 * not one, CR/LF in a value...) or when the section would exceed a fixed
 * maximum. A refused edit changes nothing.
 */

/* Replace o= fields; a PL_NULL argument keeps the received value. */
int sdp_set_origin(struct sdp_session *s, struct pl username,
		   struct pl sess_id, struct pl addr);
/* o= version + 1 (over the current value, edits included); wraps at 2^64. */
void sdp_bump_version(struct sdp_session *s);
void sdp_set_version(struct sdp_session *s, uint64_t version);
uint64_t sdp_version(const struct sdp_session *s);

/* Connection address of a media section (adds a c= there if it had none). */
int sdp_media_set_addr(struct sdp_session *s, unsigned i, struct pl addr,
		       bool ipv6);
/* Session-level c= (added if there was none). */
int sdp_session_set_addr(struct sdp_session *s, struct pl addr, bool ipv6);
/* 0 disables the stream (RFC 3264 §6); a filter-rejected one stays at 0. */
int sdp_media_set_port(struct sdp_session *s, unsigned i, uint16_t port);
/* a=rtcp:<port>[ IN IP4|IP6 <addr>] replacing any a=rtcp, or appended. */
int sdp_media_set_rtcp(struct sdp_session *s, unsigned i, uint16_t port,
		       struct pl addr);
int sdp_media_remove_rtcp(struct sdp_session *s, unsigned i);
/* Replace the direction attribute(s); SDP_DIR_NONE removes them. */
int sdp_media_set_direction(struct sdp_session *s, unsigned i,
			    enum sdp_dir dir);
int sdp_session_set_direction(struct sdp_session *s, enum sdp_dir dir);

/*
 * Append "a=<line>" to a section (idx = media index or SDP_SESSION), e.g.
 * PL("nortpproxy:yes"). Direction and rtcp attributes have their own
 * setters and are refused here.
 */
int sdp_add_attr(struct sdp_session *s, int idx, struct pl line);
/*
 * Drop every attribute called name (ASCII case-insensitive) from a
 * section, received or added. Returns how many, or -1 (direction and rtcp
 * names are refused: use their setters).
 */
int sdp_remove_attr(struct sdp_session *s, int idx, struct pl name);

/* ---- payload filter (sdp_filter.c) ---- */

/*
 * "0,8,[opus/48000],101,[telephone-event/8000/1]" -> f. Names are copied,
 * spec need not outlive f. Returns 0, or -1 with err->entry set.
 */
int sdp_pt_filter_parse(const char *spec, struct sdp_pt_filter *f,
			struct sdp_error *err);

/*
 * Remove from every active RTP section the payload types f does not allow,
 * with their rtpmap, fmtp and rtcp-fb lines. A section left with nothing is
 * rejected per RFC 3264 §6: port 0, its first format kept as the required
 * placeholder. Returns the number of rejected sections (see also
 * sdp_active_media()), or -1 for an empty filter.
 */
int sdp_filter_payloads(struct sdp_session *s, const struct sdp_pt_filter *f);

/* ---- the session as sdp_write() would emit it (sdp_edit.c) ---- */

uint16_t sdp_media_port(const struct sdp_session *s, unsigned i);
/* Media-level c=, else session-level; PL_NULL when there is none. */
struct pl sdp_media_addr(const struct sdp_session *s, unsigned i);
/* Media-level direction, else session-level, else SENDRECV. */
enum sdp_dir sdp_media_dir(const struct sdp_session *s, unsigned i);
/* c= 0.0.0.0 (or ::), or direction sendonly or inactive. */
bool sdp_is_hold(const struct sdp_session *s, unsigned i);
/* Format j of media i is still on the m= line. */
bool sdp_media_format_kept(const struct sdp_session *s, unsigned i,
			   unsigned j);
/* Sections with a non-zero port: 0 means "nothing left" (answer 488). */
unsigned sdp_active_media(const struct sdp_session *s);
/* a=nortpproxy at session level or in any media section (as received). */
bool sdp_has_nortpproxy(const struct sdp_session *s);
/* "sendrecv"... for SDP_DIR_NONE: NULL. */
const char *sdp_dir_name(enum sdp_dir dir);

#endif
