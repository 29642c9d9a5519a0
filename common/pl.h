/*
 * pl.h - pointer-length slices of a buffer someone else owns.
 *
 * Every parser in this project (SIP, SDP, digest) hands out slices of the
 * receive buffer instead of copies, so parsing a message allocates nothing.
 * A slice is valid only as long as the buffer it points into.
 */
#ifndef TANDEM_PL_H
#define TANDEM_PL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pl {
	const char *p;
	size_t l;
};

/* A slice of a string literal, usable in initialisers. */
#define PL(lit) ((struct pl){ (lit), sizeof(lit) - 1 })
#define PL_NULL ((struct pl){ NULL, 0 })

/* printf("%.*s", PL_FMT(x)) */
#define PL_FMT(x) (int)(x).l, (x).p

static inline struct pl pl_from(const char *p, size_t l)
{
	return (struct pl){ p, l };
}

struct pl pl_from_str(const char *s);

static inline bool pl_isset(struct pl x)
{
	return x.p != NULL;
}

static inline const char *pl_end(struct pl x)
{
	return x.p + x.l;
}

/* Exact, case-sensitive equality. */
bool pl_eq(struct pl a, struct pl b);
/* ASCII case-insensitive equality (SIP tokens, header names, schemes). */
bool pl_caseeq(struct pl a, struct pl b);
/* Case-insensitive equality with a NUL-terminated string. */
bool pl_caseeq_str(struct pl a, const char *s);
bool pl_eq_str(struct pl a, const char *s);

/* Strip SP, HTAB, CR and LF from both ends (LWS after unfolding). */
struct pl pl_trim(struct pl x);
struct pl pl_ltrim(struct pl x);
struct pl pl_rtrim(struct pl x);

/* First occurrence of c, or NULL. */
const char *pl_chr(struct pl x, char c);

/* Remainder of x after position q (q must point into x or at its end). */
static inline struct pl pl_after(struct pl x, const char *q)
{
	return (struct pl){ q, (size_t)(x.p + x.l - q) };
}

/* Prefix of x up to (not including) q. */
static inline struct pl pl_until(struct pl x, const char *q)
{
	return (struct pl){ x.p, (size_t)(q - x.p) };
}

/*
 * Decimal unsigned integer, leading zeros allowed (RFC 3261 allows them in
 * CSeq, Content-Length, Max-Forwards, status codes). Fails on an empty
 * slice, a non-digit or overflow of the given maximum.
 */
bool pl_u32(struct pl x, uint32_t max, uint32_t *out);

/* Copy into a NUL-terminated buffer; truncates; returns false if truncated. */
bool pl_strcpy(struct pl x, char *dst, size_t dstsz);

#endif
