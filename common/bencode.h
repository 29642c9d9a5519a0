/*
 * bencode.h - a small zero-copy bencode codec, for rtpengine's ng control
 * protocol (docs/ng_control_protocol.md: "<cookie> <bencoded dictionary>").
 *
 *   value = int | string | list | dict
 *   int   = "i" ["-"] digits "e"        (no leading zeros, no "-0")
 *   string= length ":" bytes            (length without leading zeros)
 *   list  = "l" *value "e"
 *   dict  = "d" *(string value) "e"     (key order is not enforced: rtpengine
 *                                        writes insertion order)
 *
 * Parsing fills a caller's array of tokens in document order (a tree laid
 * out flat, like jsmn): each token knows where its subtree ends, so
 * skipping a value is one step. Strings are slices of the input; nothing
 * is copied or allocated. Depth, token count and integer range are
 * bounded; anything else is an error with a reason, never a crash.
 *
 * Writing appends to a caller's buffer; an overflow or an unbalanced
 * container is reported once, by bencode_finish().
 */
#ifndef TANDEM_BENCODE_H
#define TANDEM_BENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pl.h"

#define BENCODE_MAX_DEPTH 32

enum bencode_type {
	BENCODE_INT = 1,
	BENCODE_STR,
	BENCODE_LIST,
	BENCODE_DICT,
};

struct bencode_tok {
	uint8_t type;		/* enum bencode_type */
	uint32_t next;		/* index of the first token after this subtree */
	uint32_t n;		/* list: elements; dict: key/value pairs */
	int64_t i;		/* BENCODE_INT */
	struct pl s;		/* STR: the bytes; others: the whole encoding */
};

struct bencode_error {
	const char *reason;	/* static string */
	size_t offset;		/* byte of the input where it was noticed */
};

/*
 * Parses exactly one value spanning buf[0..len) into tok[0..ntok).
 * Returns the number of tokens used (token 0 is the top value), or -1 with
 * err (may be NULL) filled in.
 */
int bencode_parse(const char *buf, size_t len, struct bencode_tok *tok, size_t ntok,
		  struct bencode_error *err);

/*
 * Without tokens, for values of any size (an rtpengine delete reply
 * carries the call's whole statistics): bencode_check() validates exactly
 * one value spanning buf[0..len); bencode_lookup() finds key in an
 * encoded dict (checked before) and gives the value's encoding;
 * bencode_as_str() gives a string value's bytes from its encoding.
 */
int bencode_check(const char *buf, size_t len, struct bencode_error *err);
bool bencode_lookup(struct pl dict, struct pl key, struct pl *value);
bool bencode_as_str(struct pl enc, struct pl *s);

/* Index of the value under key in dict token d, or -1 (also when d is no
 * dict). The first of duplicate keys wins. */
int bencode_dict_get(const struct bencode_tok *tok, int d, struct pl key);
/* The string under key, or PL_NULL when absent or not a string. */
struct pl bencode_dict_str(const struct bencode_tok *tok, int d, const char *key);
/* The integer under key into *v; false when absent or not an integer. */
bool bencode_dict_int(const struct bencode_tok *tok, int d, const char *key, int64_t *v);
/* Index of element i of list token l, or -1. */
int bencode_list_at(const struct bencode_tok *tok, int l, uint32_t i);

/* ---- writing ---- */

struct bencode_buf {
	char *p;
	size_t cap;
	size_t len;
	unsigned depth;
	bool overflow;
	bool unbalanced;
};

void bencode_init(struct bencode_buf *b, char *p, size_t cap);
void bencode_str(struct bencode_buf *b, struct pl s);
void bencode_cstr(struct bencode_buf *b, const char *s);
void bencode_int(struct bencode_buf *b, int64_t v);
void bencode_list(struct bencode_buf *b);
void bencode_dict(struct bencode_buf *b);
/* Closes the innermost list or dict. */
void bencode_end(struct bencode_buf *b);
/* A dict entry with a string value: key, then value. */
void bencode_kv(struct bencode_buf *b, const char *key, struct pl value);
/* Length written, or -1 on overflow or unclosed/extra containers. */
int bencode_finish(const struct bencode_buf *b);

#endif
