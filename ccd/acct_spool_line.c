/*
 * acct_spool_line.c - the lines of the accounting spool file
 * (acct_spool.h): writing and parsing them, and their CRC. Pure: no I/O,
 * no allocation, no logging, so the parser can be fuzzed on its own.
 */
#include "acct_spool.h"

#include <string.h>

#define CRC_FIELD_LEN 10	/* TAB '#' and 8 hex digits */

uint32_t acct_crc32(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint32_t crc = 0xffffffffu;

	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return crc ^ 0xffffffffu;
}

/* ---------------------------------------------------------------- writing */

struct out {
	char *p;
	size_t size, len;
	bool overflow;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->overflow || o->size - o->len < n) {
		o->overflow = true;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void put_u64(struct out *o, uint64_t v)
{
	char tmp[20];
	size_t n = 0;

	do {
		tmp[sizeof(tmp) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(o, tmp + sizeof(tmp) - n, n);
}

static void put_hex32(struct out *o, uint32_t v)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[8];

	for (int i = 7; i >= 0; i--, v >>= 4)
		tmp[i] = hex[v & 15];
	put(o, tmp, sizeof(tmp));
}

/* Control bytes and the two separators' escape character are escaped; the
 * rest (UTF-8 included) goes as it is. */
static void put_value(struct out *o, const char *v)
{
	static const char hex[] = "0123456789abcdef";

	for (const unsigned char *c = (const unsigned char *)v; *c; c++) {
		char e[4] = { '\\', 0, 0, 0 };
		size_t n = 2;

		switch (*c) {
		case '\\': e[1] = '\\'; break;
		case '\t': e[1] = 't'; break;
		case '\n': e[1] = 'n'; break;
		case '\r': e[1] = 'r'; break;
		default:
			if (*c >= 0x20 && *c != 0x7f) {
				put(o, (const char *)c, 1);
				continue;
			}
			e[1] = 'x';
			e[2] = hex[*c >> 4];
			e[3] = hex[*c & 15];
			n = 4;
		}
		put(o, e, n);
	}
}

static bool name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > AV_NAME_MAX || name[0] == '#')
		return false;
	for (size_t i = 0; i < n; i++)
		if (name[i] <= ' ' || name[i] > '~' || name[i] == '=' || name[i] == '\\')
			return false;
	return true;
}

/* The CRC of everything written so far, then the newline. */
static int finish(struct out *o)
{
	uint32_t crc = o->overflow ? 0 : acct_crc32(o->p, o->len);

	put(o, "\t#", 2);
	put_hex32(o, crc);
	put(o, "\n", 1);
	return o->overflow ? -1 : (int)o->len;
}

int acct_line_record(char *buf, size_t size, uint64_t seq, int64_t created_ms, const struct avlist *av)
{
	struct out o = { buf, size, 0, false };

	if (created_ms < 0 || av->n > AVLIST_MAX)
		return -1;
	put(&o, "R\t", 2);
	put_u64(&o, seq);
	put(&o, "\t", 1);
	put_u64(&o, (uint64_t)created_ms);
	for (unsigned i = 0; i < av->n; i++) {
		if (!name_ok(av->a[i].name) || strlen(av->a[i].value) > AV_VALUE_MAX)
			return -1;
		put(&o, "\t", 1);
		put(&o, av->a[i].name, strlen(av->a[i].name));
		put(&o, "=", 1);
		put_value(&o, av->a[i].value);
	}
	return finish(&o);
}

int acct_line_mark(char *buf, size_t size, enum acct_line_kind kind, uint64_t seq)
{
	struct out o = { buf, size, 0, false };

	if (kind != ACCT_LINE_UPTO && kind != ACCT_LINE_DONE)
		return -1;
	put(&o, kind == ACCT_LINE_UPTO ? "U\t" : "D\t", 2);
	put_u64(&o, seq);
	return finish(&o);
}

/* ---------------------------------------------------------------- parsing */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_u64(const char *p, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	if (n == 0 || n > 20)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(p[i] - '0');

		if (d > 9 || x > (UINT64_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

static int parse_value(const char *p, size_t n, char *out, const char **why)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		int hi, lo;

		if (o == AV_VALUE_MAX) {
			*why = "value too long";
			return -1;
		}
		if (c < 0x20 || c == 0x7f) {
			*why = "control byte in a value";
			return -1;
		}
		if (c != '\\') {
			out[o++] = (char)c;
			continue;
		}
		if (++i == n) {
			*why = "bad value escape";
			return -1;
		}
		switch (p[i]) {
		case '\\': out[o++] = '\\'; break;
		case 't': out[o++] = '\t'; break;
		case 'n': out[o++] = '\n'; break;
		case 'r': out[o++] = '\r'; break;
		case 'x':
			hi = i + 2 < n ? hexval(p[i + 1]) : -1;
			lo = i + 2 < n ? hexval(p[i + 2]) : -1;
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
				*why = "bad value escape";
				return -1;
			}
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
			break;
		default:
			*why = "bad value escape";
			return -1;
		}
	}
	out[o] = '\0';
	return 0;
}

static int parse_pair(const char *p, size_t n, struct av *a, const char **why)
{
	const char *eq = memchr(p, '=', n);
	size_t nl;

	if (!eq) {
		*why = "pair without '='";
		return -1;
	}
	nl = (size_t)(eq - p);
	if (nl == 0 || nl > AV_NAME_MAX || p[0] == '#') {
		*why = "bad attribute name";
		return -1;
	}
	for (size_t i = 0; i < nl; i++)
		if (p[i] <= ' ' || p[i] > '~' || p[i] == '\\') {
			*why = "bad attribute name";
			return -1;
		}
	memcpy(a->name, p, nl);
	a->name[nl] = '\0';
	return parse_value(eq + 1, n - nl - 1, a->value, why);
}

/* The next TAB-separated field of [*p, end): its start and length. */
static bool field(const char **p, const char *end, const char **f, size_t *n)
{
	const char *tab;

	if (*p > end)
		return false;
	tab = memchr(*p, '\t', (size_t)(end - *p));
	*f = *p;
	*n = (size_t)((tab ? tab : end) - *p);
	*p = tab ? tab + 1 : end + 1;
	return true;
}

int acct_line_parse(const char *line, size_t len, struct acct_line *out, const char **why)
{
	const char *end, *p, *f = NULL;
	uint32_t crc = 0;
	uint64_t v;
	size_t n = 0;

	if (len < 3 + CRC_FIELD_LEN) {
		*why = "line too short";
		return -1;
	}
	end = line + len - CRC_FIELD_LEN;
	if (end[0] != '\t' || end[1] != '#') {
		*why = "no CRC";
		return -1;
	}
	for (int i = 2; i < CRC_FIELD_LEN; i++) {
		int h = hexval(end[i]);

		if (h < 0) {
			*why = "no CRC";
			return -1;
		}
		crc = crc << 4 | (uint32_t)h;
	}
	if (acct_crc32(line, (size_t)(end - line)) != crc) {
		*why = "bad CRC";
		return -1;
	}
	p = line;
	if (!field(&p, end, &f, &n) || n != 1 || (f[0] != 'R' && f[0] != 'U' && f[0] != 'D')) {
		*why = "unknown line kind";
		return -1;
	}
	out->kind = f[0] == 'R' ? ACCT_LINE_RECORD : f[0] == 'U' ? ACCT_LINE_UPTO : ACCT_LINE_DONE;
	if (!field(&p, end, &f, &n) || parse_u64(f, n, &out->seq) < 0 || out->seq == 0) {
		*why = "bad sequence number";
		return -1;
	}
	if (out->kind != ACCT_LINE_RECORD) {
		if (p <= end) {
			*why = "extra fields";
			return -1;
		}
		return 0;
	}
	out->rec.seq = out->seq;
	if (!field(&p, end, &f, &n) || parse_u64(f, n, &v) < 0 || v > INT64_MAX) {
		*why = "bad creation time";
		return -1;
	}
	out->rec.created_ms = (int64_t)v;
	avlist_init(&out->rec.av);
	while (field(&p, end, &f, &n)) {
		if (out->rec.av.n == AVLIST_MAX) {
			*why = "too many pairs";
			return -1;
		}
		if (parse_pair(f, n, &out->rec.av.a[out->rec.av.n], why) < 0)
			return -1;
		out->rec.av.n++;
	}
	return 0;
}
