/*
 * sdp_syntax.c - the lexical pieces of RFC 8866 that the parser and the
 * edit functions both check: tokens, numbers, addresses, c= values.
 */
#include <arpa/inet.h>

#include "sdp_priv.h"

/* RFC 8866 §9: token-char = %x21 / %x23-27 / %x2A-2B / %x2D-2E / %x30-39
 * / %x41-5A / %x5E-7E */
static bool is_token_char(unsigned char c)
{
	if (c <= 0x20 || c >= 0x7f)
		return false;
	switch (c) {
	case '"': case '(': case ')': case ',': case '/': case ':': case ';':
	case '<': case '=': case '>': case '?': case '@': case '[': case '\\':
	case ']':
		return false;
	default:
		return true;
	}
}

bool sdp_is_token(struct pl x)
{
	if (x.l == 0)
		return false;
	for (size_t i = 0; i < x.l; i++)
		if (!is_token_char((unsigned char)x.p[i]))
			return false;
	return true;
}

bool sdp_is_vchars(struct pl x)
{
	if (x.l == 0)
		return false;
	for (size_t i = 0; i < x.l; i++) {
		unsigned char c = (unsigned char)x.p[i];
		if (c <= 0x20 || c == 0x7f)
			return false;
	}
	return true;
}

bool sdp_next_field(struct pl *rest, struct pl *field)
{
	const char *p = rest->p;
	const char *end = rest->p + rest->l;
	const char *start;

	if (rest->l == 0)
		return false;
	while (p < end && *p == ' ')
		p++;
	if (p == end) {
		*rest = pl_from(end, 0);
		return false;
	}
	start = p;
	while (p < end && *p != ' ')
		p++;
	*field = pl_from(start, (size_t)(p - start));
	*rest = pl_from(p, (size_t)(end - p));
	return true;
}

bool sdp_u64(struct pl x, uint64_t *out)
{
	uint64_t v = 0;

	if (x.l == 0)
		return false;
	for (size_t i = 0; i < x.l; i++) {
		unsigned d = (unsigned char)x.p[i] - (unsigned)'0';
		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/* RFC 8866 IP4-address: four decimal-uchar without leading zeroes. */
static bool is_ip4(struct pl x)
{
	const char *p = x.p;
	const char *end = x.p + x.l;

	for (int part = 0; part < 4; part++) {
		unsigned v = 0;
		const char *start = p;

		if (part > 0) {
			if (p == end || *p != '.')
				return false;
			start = ++p;
		}
		while (p < end && *p >= '0' && *p <= '9' && p - start < 3)
			v = v * 10 + (unsigned)(*p++ - '0');
		if (p == start || v > 255 || (*start == '0' && p - start > 1))
			return false;
	}
	return p == end;
}

static bool is_ip6(struct pl x)
{
	char tmp[INET6_ADDRSTRLEN];
	unsigned char bin[16];

	if (x.l == 0 || x.l >= sizeof(tmp))
		return false;
	memcpy(tmp, x.p, x.l);
	tmp[x.l] = '\0';
	return inet_pton(AF_INET6, tmp, bin) == 1;
}

/*
 * RFC 8866 allows a host name wherever an address goes. Labels of letters,
 * digits and '-'; something in it must not be a digit or a dot, so that a
 * malformed quad such as 1.2.3 is not accepted as a name.
 */
static bool is_fqdn(struct pl x)
{
	bool name_char = false;
	size_t label = 0;

	if (x.l == 0 || x.l > 253)
		return false;
	for (size_t i = 0; i < x.l; i++) {
		char c = x.p[i];
		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-'))
			return false;
		if (++label > 63)
			return false;
		if (c < '0' || c > '9')
			name_char = true;
	}
	return label > 0 && name_char;
}

bool sdp_addr_valid(struct pl addrtype, struct pl addr)
{
	if (pl_caseeq(addrtype, PL("IP4")))
		return is_ip4(addr) || is_fqdn(addr);
	if (pl_caseeq(addrtype, PL("IP6")))
		return pl_chr(addr, ':') ? is_ip6(addr) : is_fqdn(addr);
	return sdp_is_token(addr);
}

bool sdp_addr_is_null(struct pl addr)
{
	char tmp[INET6_ADDRSTRLEN];
	unsigned char bin[16];

	if (pl_eq(addr, PL("0.0.0.0")))
		return true;
	if (!pl_chr(addr, ':') || addr.l >= sizeof(tmp))
		return false;
	memcpy(tmp, addr.p, addr.l);
	tmp[addr.l] = '\0';
	if (inet_pton(AF_INET6, tmp, bin) != 1)
		return false;
	for (size_t i = 0; i < sizeof(bin); i++)
		if (bin[i])
			return false;
	return true;
}

/*
 * The multicast suffix: "/ttl[/count]" for IP4, "/count" for IP6 (RFC 8866
 * §5.7). Unicast addresses should have none, but it is kept when present.
 */
static bool parse_conn_suffix(struct pl suffix, bool ipv6, struct sdp_conn *c)
{
	struct pl num[2];
	unsigned n = 0;
	uint32_t v;

	while (suffix.l) {
		const char *next;

		if (*suffix.p != '/' || n == 2)
			return false;
		suffix = pl_after(suffix, suffix.p + 1);
		next = pl_chr(suffix, '/');
		num[n] = next ? pl_until(suffix, next) : suffix;
		suffix = next ? pl_after(suffix, next) : pl_from(pl_end(suffix), 0);
		n++;
	}
	if (n == 0)
		return true;
	if (ipv6) {
		if (n != 1 || !pl_u32(num[0], 65535, &v) || v == 0)
			return false;
		c->count = (uint16_t)v;
		return true;
	}
	if (!pl_u32(num[0], 255, &v))
		return false;
	c->ttl = (uint16_t)v;
	if (n == 2) {
		if (!pl_u32(num[1], 65535, &v) || v == 0)
			return false;
		c->count = (uint16_t)v;
	}
	return true;
}

bool sdp_parse_conn(struct pl value, struct sdp_conn *c)
{
	struct pl rest = value;
	struct pl nettype, addrtype, address, extra;
	const char *slash;

	memset(c, 0, sizeof(*c));
	if (!sdp_next_field(&rest, &nettype) ||
	    !sdp_next_field(&rest, &addrtype) ||
	    !sdp_next_field(&rest, &address) || sdp_next_field(&rest, &extra))
		return false;
	if (!sdp_is_token(nettype) || !sdp_is_token(addrtype))
		return false;
	slash = pl_chr(address, '/');
	c->nettype = nettype;
	c->addrtype = addrtype;
	c->addr = slash ? pl_until(address, slash) : address;
	c->suffix = slash ? pl_after(address, slash) : pl_from(pl_end(address), 0);
	c->ipv6 = pl_caseeq(addrtype, PL("IP6"));
	if (pl_caseeq(nettype, PL("IN")) ? !sdp_addr_valid(addrtype, c->addr)
					 : !sdp_is_token(c->addr))
		return false;
	return parse_conn_suffix(c->suffix, c->ipv6, c);
}

enum sdp_dir sdp_dir_from_name(struct pl name)
{
	if (pl_caseeq(name, PL("sendrecv")))
		return SDP_DIR_SENDRECV;
	if (pl_caseeq(name, PL("sendonly")))
		return SDP_DIR_SENDONLY;
	if (pl_caseeq(name, PL("recvonly")))
		return SDP_DIR_RECVONLY;
	if (pl_caseeq(name, PL("inactive")))
		return SDP_DIR_INACTIVE;
	return SDP_DIR_NONE;
}

const char *sdp_dir_name(enum sdp_dir dir)
{
	switch (dir) {
	case SDP_DIR_SENDRECV: return "sendrecv";
	case SDP_DIR_SENDONLY: return "sendonly";
	case SDP_DIR_RECVONLY: return "recvonly";
	case SDP_DIR_INACTIVE: return "inactive";
	default: return NULL;
	}
}

bool sdp_is_rtp_proto(struct pl proto)
{
	while (proto.l) {
		const char *slash = pl_chr(proto, '/');
		if (!slash)
			return false;
		if (pl_caseeq(pl_until(proto, slash), PL("RTP")))
			return true;
		proto = pl_after(proto, slash + 1);
	}
	return false;
}

/* RFC 3551 tables 4 and 5; a zero clock marks an unassigned number. */
static const struct {
	const char *encoding;
	uint32_t clock;
	uint16_t channels;
} static_pt[35] = {
	[0] = { "PCMU", 8000, 1 },	[3] = { "GSM", 8000, 1 },
	[4] = { "G723", 8000, 1 },	[5] = { "DVI4", 8000, 1 },
	[6] = { "DVI4", 16000, 1 },	[7] = { "LPC", 8000, 1 },
	[8] = { "PCMA", 8000, 1 },	[9] = { "G722", 8000, 1 },
	[10] = { "L16", 44100, 2 },	[11] = { "L16", 44100, 1 },
	[12] = { "QCELP", 8000, 1 },	[13] = { "CN", 8000, 1 },
	[14] = { "MPA", 90000, 0 },	[15] = { "G728", 8000, 1 },
	[16] = { "DVI4", 11025, 1 },	[17] = { "DVI4", 22050, 1 },
	[18] = { "G729", 8000, 1 },	[25] = { "CelB", 90000, 0 },
	[26] = { "JPEG", 90000, 0 },	[28] = { "nv", 90000, 0 },
	[31] = { "H261", 90000, 0 },	[32] = { "MPV", 90000, 0 },
	[33] = { "MP2T", 90000, 0 },	[34] = { "H263", 90000, 0 },
};

bool sdp_static_rtpmap(unsigned pt, struct sdp_rtpmap *map)
{
	if (pt >= sizeof(static_pt) / sizeof(static_pt[0]) ||
	    static_pt[pt].clock == 0)
		return false;
	map->encoding = pl_from_str(static_pt[pt].encoding);
	map->clock = static_pt[pt].clock;
	map->channels = static_pt[pt].channels;
	return true;
}
