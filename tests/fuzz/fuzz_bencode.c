/*
 * fuzz_bencode: parse any input; when it parses, every token's slice lies
 * in the input, subtree ends are consistent, lookups stay in range, and
 * writing the tokens back in order gives the input byte for byte (the
 * parser accepts only canonical numbers). A buffer one byte too small
 * must be reported as an overflow.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bencode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)
#define NTOK 512

static void check_in(const char *in, size_t len, struct pl x)
{
	CHECK(x.p >= in && x.l <= len && (size_t)(x.p - in) <= len - x.l);
}

/* Writes token t (and its subtree) into b; returns the next token. */
static int rewrite(const struct bencode_tok *tok, int t, struct bencode_buf *b)
{
	int c;

	switch (tok[t].type) {
	case BENCODE_INT:
		bencode_int(b, tok[t].i);
		return t + 1;
	case BENCODE_STR:
		bencode_str(b, tok[t].s);
		return t + 1;
	case BENCODE_LIST:
	case BENCODE_DICT:
		if (tok[t].type == BENCODE_LIST)
			bencode_list(b);
		else
			bencode_dict(b);
		c = t + 1;
		while (c < (int)tok[t].next)
			c = rewrite(tok, c, b);
		CHECK(c == (int)tok[t].next);
		bencode_end(b);
		return c;
	default:
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bencode_tok tok[NTOK];
	char *in = malloc(size ? size : 1), *out;
	struct bencode_error err;
	struct bencode_buf b;
	int n;

	if (!in)
		return 0;
	memcpy(in, data, size);
	n = bencode_parse(in, size, tok, NTOK, &err);
	if (n < 0) {
		CHECK(err.reason && err.offset <= size);
		/* Without tokens only the token limit can make a difference. */
		if (strcmp(err.reason, "too many values") != 0)
			CHECK(bencode_check(in, size, NULL) == -1);
		free(in);
		return 0;
	}
	CHECK(bencode_check(in, size, NULL) == 0);
	/* Every top-level key is found, with its value's exact encoding. */
	if (tok[0].type == BENCODE_DICT) {
		int k = 1;

		for (uint32_t j = 0; j < tok[0].n; j++) {
			int v = k + 1, first = bencode_dict_get(tok, 0, tok[k].s);
			struct pl enc, str;

			CHECK(bencode_lookup(pl_from(in, size), tok[k].s, &enc));
			CHECK(pl_end(enc) == pl_end(tok[first].s));
			if (tok[first].type == BENCODE_STR) {
				CHECK(bencode_as_str(enc, &str));
				CHECK(str.p == tok[first].s.p && str.l == tok[first].s.l);
			} else {
				CHECK(!bencode_as_str(enc, &str));
				CHECK(enc.p == tok[first].s.p && enc.l == tok[first].s.l);
			}
			k = (int)tok[v].next;
		}
	}
	CHECK(n >= 1 && n <= NTOK);
	CHECK(tok[0].next == (uint32_t)n);
	CHECK(tok[0].type == BENCODE_STR || tok[0].s.p == in);
	for (int i = 0; i < n; i++) {
		const struct bencode_tok *t = &tok[i];

		check_in(in, size, t->s);
		CHECK(t->next > (uint32_t)i && t->next <= (uint32_t)n);
		if (t->type == BENCODE_INT || t->type == BENCODE_STR)
			CHECK(t->next == (uint32_t)i + 1);
		if (t->type == BENCODE_DICT) {
			struct pl first = PL_NULL;

			for (uint32_t j = 0; j < t->n; j++) {
				int v = bencode_list_at(tok, i, j);

				CHECK(v == -1);
			}
			if (t->n) {
				first = tok[i + 1].s;
				CHECK(tok[i + 1].type == BENCODE_STR);
				CHECK(bencode_dict_get(tok, i, first) == i + 2);
			}
			(void)bencode_dict_str(tok, i, "sdp");
		}
		if (t->type == BENCODE_LIST)
			for (uint32_t j = 0; j < t->n; j++) {
				int v = bencode_list_at(tok, i, j);

				CHECK(v > i && v < (int)t->next);
			}
	}
	out = malloc(size + 1);
	if (out) {
		bencode_init(&b, out, size);
		CHECK(rewrite(tok, 0, &b) == n);
		CHECK(bencode_finish(&b) == (int)size);
		CHECK(memcmp(out, in, size) == 0);
		bencode_init(&b, out, size - 1);
		rewrite(tok, 0, &b);
		CHECK(bencode_finish(&b) == -1);
		free(out);
	}
	free(in);
	return 0;
}
