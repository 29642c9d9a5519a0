/*
 * bencode.c - the bencode codec (bencode.h).
 *
 * The parser is iterative with an explicit stack of open containers, so a
 * hostile input nests at most BENCODE_MAX_DEPTH deep and never recurses.
 * It accepts only the canonical forms of numbers (no leading zeros, no
 * "-0"), so every accepted input re-encodes to the same bytes when its
 * tokens are written back in order.
 */
#include "bencode.h"

#include <string.h>

struct open_container {
	int tok;		/* -1 when tokens are not kept */
	uint8_t type;
	uint32_t n;
	bool want_key;		/* dict: the next value is a key */
};

static int fail(struct bencode_error *err, const char *reason, size_t at)
{
	if (err) {
		err->reason = reason;
		err->offset = at;
	}
	return -1;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "i" ["-"] digits "e" at *pos; *pos moves past the "e". */
static const char *parse_int(const char *buf, size_t len, size_t *pos, int64_t *out)
{
	size_t p = *pos + 1;
	bool neg = false;
	uint64_t v = 0, limit;
	size_t start;

	if (p < len && buf[p] == '-') {
		neg = true;
		p++;
	}
	start = p;
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	while (p < len && is_digit(buf[p])) {
		unsigned d = (unsigned)(buf[p] - '0');

		if (v > (limit - d) / 10)
			return "integer out of range";
		v = v * 10 + d;
		p++;
	}
	if (p >= len)
		return "truncated integer";
	if (p == start)
		return "integer without digits";
	if (buf[p] != 'e')
		return "bad character in integer";
	if (buf[start] == '0' && p - start > 1)
		return "integer with a leading zero";
	if (neg && v == 0)
		return "negative zero";
	*out = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v) : (int64_t)v;
	*pos = p + 1;
	return NULL;
}

/* length ":" bytes at *pos; *pos moves past the bytes. */
static const char *parse_str(const char *buf, size_t len, size_t *pos, struct pl *out)
{
	size_t p = *pos, start = p, n = 0;

	while (p < len && is_digit(buf[p])) {
		size_t d = (size_t)(buf[p] - '0');

		if (d > len || n > (len - d) / 10)
			return "string longer than the input";
		n = n * 10 + d;
		p++;
	}
	if (p >= len)
		return "truncated string length";
	if (buf[p] != ':')
		return "bad character in string length";
	if (buf[start] == '0' && p - start > 1)
		return "string length with a leading zero";
	p++;
	if (n > len - p)
		return "string longer than the input";
	*out = pl_from(buf + p, n);
	*pos = p + n;
	return NULL;
}

/*
 * One value starting at *pos; *pos moves past it. With tok, the tokens are
 * stored from tok[*used]; without (tok NULL), the value is only checked.
 */
static int scan_one(const char *buf, size_t len, size_t *pos_io, struct bencode_tok *tok, size_t ntok,
		    size_t *used_io, struct bencode_error *err)
{
	struct open_container stack[BENCODE_MAX_DEPTH];
	unsigned sp = 0;
	size_t pos = *pos_io, used = *used_io;
	const char *why;

	for (;;) {
		struct bencode_tok scratch, *t;
		size_t at = pos;

		if (pos >= len)
			return fail(err, "truncated input", pos);
		if (sp > 0 && buf[pos] == 'e') {
			struct open_container *top = &stack[sp - 1];

			if (top->type == BENCODE_DICT && !top->want_key)
				return fail(err, "dict key without a value", pos);
			pos++;
			if (tok) {
				t = &tok[top->tok];
				t->next = (uint32_t)used;
				t->n = top->n;
				t->s.l = (size_t)(buf + pos - t->s.p);
			}
			sp--;
			if (sp == 0)
				break;
			continue;
		}
		if (sp > 0 && stack[sp - 1].type == BENCODE_DICT && stack[sp - 1].want_key && !is_digit(buf[pos]))
			return fail(err, "dict key is not a string", pos);
		if (tok && (used >= ntok || used >= UINT32_MAX))
			return fail(err, "too many values", pos);
		t = tok ? &tok[used] : &scratch;
		memset(t, 0, sizeof(*t));
		if (buf[pos] == 'i') {
			t->type = BENCODE_INT;
			if ((why = parse_int(buf, len, &pos, &t->i)))
				return fail(err, why, at);
			t->s = pl_from(buf + at, pos - at);
		} else if (is_digit(buf[pos])) {
			t->type = BENCODE_STR;
			if ((why = parse_str(buf, len, &pos, &t->s)))
				return fail(err, why, at);
		} else if (buf[pos] == 'l' || buf[pos] == 'd') {
			if (sp >= BENCODE_MAX_DEPTH)
				return fail(err, "nested too deep", pos);
			t->type = buf[pos] == 'l' ? BENCODE_LIST : BENCODE_DICT;
			t->s = pl_from(buf + pos, 0);
			pos++;
		} else {
			return fail(err, "not a bencode value", pos);
		}
		/* Count the value in its container. */
		if (sp > 0) {
			struct open_container *top = &stack[sp - 1];

			if (top->type == BENCODE_LIST) {
				top->n++;
			} else if (top->want_key) {
				top->want_key = false;
			} else {
				top->n++;
				top->want_key = true;
			}
		}
		if (tok)
			used++;
		if (t->type == BENCODE_LIST || t->type == BENCODE_DICT) {
			stack[sp].tok = tok ? (int)(used - 1) : -1;
			stack[sp].type = t->type;
			stack[sp].n = 0;
			stack[sp].want_key = true;
			sp++;
			continue;
		}
		t->next = (uint32_t)used;
		if (sp == 0)
			break;
	}
	*pos_io = pos;
	*used_io = used;
	return 0;
}

int bencode_parse(const char *buf, size_t len, struct bencode_tok *tok, size_t ntok,
		  struct bencode_error *err)
{
	size_t pos = 0, used = 0;

	if (!buf || len == 0)
		return fail(err, "empty input", 0);
	if (scan_one(buf, len, &pos, tok, ntok, &used, err) < 0)
		return -1;
	if (pos != len)
		return fail(err, "bytes after the value", pos);
	return (int)used;
}

int bencode_check(const char *buf, size_t len, struct bencode_error *err)
{
	size_t pos = 0, used = 0;

	if (!buf || len == 0)
		return fail(err, "empty input", 0);
	if (scan_one(buf, len, &pos, NULL, 0, &used, err) < 0)
		return -1;
	if (pos != len)
		return fail(err, "bytes after the value", pos);
	return 0;
}

bool bencode_lookup(struct pl dict, struct pl key, struct pl *value)
{
	size_t pos = 1, used = 0;

	if (dict.l < 2 || dict.p[0] != 'd')
		return false;
	while (pos < dict.l && dict.p[pos] != 'e') {
		struct pl k;
		size_t start;

		if (parse_str(dict.p, dict.l, &pos, &k))
			return false;
		start = pos;
		if (scan_one(dict.p, dict.l, &pos, NULL, 0, &used, NULL) < 0)
			return false;
		if (pl_eq(k, key)) {
			*value = pl_from(dict.p + start, pos - start);
			return true;
		}
	}
	return false;
}

bool bencode_as_str(struct pl enc, struct pl *s)
{
	size_t pos = 0;

	return enc.l > 0 && is_digit(enc.p[0]) && !parse_str(enc.p, enc.l, &pos, s) && pos == enc.l;
}

int bencode_dict_get(const struct bencode_tok *tok, int d, struct pl key)
{
	int k;

	if (d < 0 || tok[d].type != BENCODE_DICT)
		return -1;
	k = d + 1;
	for (uint32_t j = 0; j < tok[d].n; j++) {
		int v = k + 1;

		if (pl_eq(tok[k].s, key))
			return v;
		k = (int)tok[v].next;
	}
	return -1;
}

struct pl bencode_dict_str(const struct bencode_tok *tok, int d, const char *key)
{
	int v = bencode_dict_get(tok, d, pl_from_str(key));

	return v >= 0 && tok[v].type == BENCODE_STR ? tok[v].s : PL_NULL;
}

bool bencode_dict_int(const struct bencode_tok *tok, int d, const char *key, int64_t *out)
{
	int v = bencode_dict_get(tok, d, pl_from_str(key));

	if (v < 0 || tok[v].type != BENCODE_INT)
		return false;
	*out = tok[v].i;
	return true;
}

int bencode_list_at(const struct bencode_tok *tok, int l, uint32_t i)
{
	int e;

	if (l < 0 || tok[l].type != BENCODE_LIST || i >= tok[l].n)
		return -1;
	e = l + 1;
	while (i--)
		e = (int)tok[e].next;
	return e;
}

/* ---------------------------------------------------------------- writing */

void bencode_init(struct bencode_buf *b, char *p, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->p = p;
	b->cap = cap;
}

static void put(struct bencode_buf *b, const char *s, size_t n)
{
	if (b->overflow || n > b->cap - b->len) {
		b->overflow = true;
		return;
	}
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void put_u64(struct bencode_buf *b, uint64_t v)
{
	char d[20];
	size_t n = 0;

	do {
		d[sizeof(d) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(b, d + sizeof(d) - n, n);
}

void bencode_str(struct bencode_buf *b, struct pl s)
{
	put_u64(b, s.l);
	put(b, ":", 1);
	put(b, s.p, s.l);
}

void bencode_cstr(struct bencode_buf *b, const char *s)
{
	bencode_str(b, pl_from_str(s));
}

void bencode_int(struct bencode_buf *b, int64_t v)
{
	put(b, "i", 1);
	if (v < 0) {
		put(b, "-", 1);
		put_u64(b, (uint64_t)0 - (uint64_t)v);
	} else {
		put_u64(b, (uint64_t)v);
	}
	put(b, "e", 1);
}

static void open_container(struct bencode_buf *b, const char *c)
{
	put(b, c, 1);
	b->depth++;
}

void bencode_list(struct bencode_buf *b)
{
	open_container(b, "l");
}

void bencode_dict(struct bencode_buf *b)
{
	open_container(b, "d");
}

void bencode_end(struct bencode_buf *b)
{
	if (b->depth == 0) {
		b->unbalanced = true;
		return;
	}
	b->depth--;
	put(b, "e", 1);
}

void bencode_kv(struct bencode_buf *b, const char *key, struct pl value)
{
	bencode_cstr(b, key);
	bencode_str(b, value);
}

int bencode_finish(const struct bencode_buf *b)
{
	if (b->overflow || b->unbalanced || b->depth != 0 || b->len > (size_t)INT32_MAX)
		return -1;
	return (int)b->len;
}
