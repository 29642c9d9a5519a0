#include "pl.h"

#include <string.h>

struct pl pl_from_str(const char *s)
{
	return s ? (struct pl){ s, strlen(s) } : PL_NULL;
}

bool pl_eq(struct pl a, struct pl b)
{
	return a.l == b.l && (a.l == 0 || memcmp(a.p, b.p, a.l) == 0);
}

static inline unsigned char lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c | 0x20) : c;
}

bool pl_caseeq(struct pl a, struct pl b)
{
	if (a.l != b.l)
		return false;
	for (size_t i = 0; i < a.l; i++)
		if (lower((unsigned char)a.p[i]) != lower((unsigned char)b.p[i]))
			return false;
	return true;
}

bool pl_caseeq_str(struct pl a, const char *s)
{
	return pl_caseeq(a, pl_from_str(s));
}

bool pl_eq_str(struct pl a, const char *s)
{
	return pl_eq(a, pl_from_str(s));
}

static inline bool is_lws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

struct pl pl_ltrim(struct pl x)
{
	while (x.l && is_lws(*x.p)) {
		x.p++;
		x.l--;
	}
	return x;
}

struct pl pl_rtrim(struct pl x)
{
	while (x.l && is_lws(x.p[x.l - 1]))
		x.l--;
	return x;
}

struct pl pl_trim(struct pl x)
{
	return pl_rtrim(pl_ltrim(x));
}

const char *pl_chr(struct pl x, char c)
{
	return x.l ? memchr(x.p, c, x.l) : NULL;
}

bool pl_u32(struct pl x, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (x.l == 0)
		return false;
	for (size_t i = 0; i < x.l; i++) {
		unsigned d = (unsigned char)x.p[i] - '0';
		if (d > 9)
			return false;
		v = v * 10 + d;
		if (v > max)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

bool pl_strcpy(struct pl x, char *dst, size_t dstsz)
{
	size_t n;

	if (dstsz == 0)
		return false;
	n = x.l < dstsz - 1 ? x.l : dstsz - 1;
	if (n)
		memcpy(dst, x.p, n);
	dst[n] = '\0';
	return n == x.l;
}
