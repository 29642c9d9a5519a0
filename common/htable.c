#include "htable.h"

#include <stdlib.h>

static size_t round_pow2(size_t n)
{
	size_t p = 16;

	while (p < n)
		p <<= 1;
	return p;
}

int htable_init(struct htable *t, size_t expected)
{
	t->nbuckets = round_pow2(expected);
	t->count = 0;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	return t->buckets ? 0 : -1;
}

void htable_free(struct htable *t)
{
	free(t->buckets);
	t->buckets = NULL;
	t->nbuckets = t->count = 0;
}

/* If the bigger array cannot be had, the table keeps working with longer
 * chains: slower, never wrong. */
static void grow(struct htable *t)
{
	size_t n = t->nbuckets * 2;
	struct htable_node **b = calloc(n, sizeof(*b));

	if (!b)
		return;
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct htable_node *e = t->buckets[i], *next;
		for (; e; e = next) {
			next = e->next;
			size_t j = e->hash & (n - 1);
			e->next = b[j];
			b[j] = e;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = n;
}

void htable_insert(struct htable *t, struct htable_node *n, uint64_t hash)
{
	if (t->count >= t->nbuckets)
		grow(t);
	size_t i = hash & (t->nbuckets - 1);
	n->hash = hash;
	n->next = t->buckets[i];
	t->buckets[i] = n;
	t->count++;
}

void htable_remove(struct htable *t, struct htable_node *n)
{
	struct htable_node **pp = &t->buckets[n->hash & (t->nbuckets - 1)];

	for (; *pp; pp = &(*pp)->next) {
		if (*pp == n) {
			*pp = n->next;
			n->next = NULL;
			t->count--;
			return;
		}
	}
}

struct htable_node *htable_find(const struct htable *t, uint64_t hash, htable_match_fn match,
				const void *key)
{
	struct htable_node *e = t->buckets[hash & (t->nbuckets - 1)];

	for (; e; e = e->next)
		if (e->hash == hash && match(e, key))
			return e;
	return NULL;
}

void htable_foreach(struct htable *t, void (*fn)(struct htable_node *n, void *arg), void *arg)
{
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct htable_node *e = t->buckets[i], *next;
		for (; e; e = next) {
			next = e->next;
			fn(e, arg);
		}
	}
}

uint64_t htable_hash(struct pl key, uint64_t h)
{
	for (size_t i = 0; i < key.l; i++) {
		h ^= (unsigned char)key.p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

uint64_t htable_hash_nocase(struct pl key, uint64_t h)
{
	for (size_t i = 0; i < key.l; i++) {
		unsigned char c = (unsigned char)key.p[i];
		if (c >= 'A' && c <= 'Z')
			c |= 0x20;
		h ^= c;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* splitmix64's finaliser: sequential leg ids spread over all buckets. */
uint64_t htable_hash_u64(uint64_t v)
{
	v ^= v >> 30;
	v *= 0xbf58476d1ce4e5b9ULL;
	v ^= v >> 27;
	v *= 0x94d049bb133111ebULL;
	v ^= v >> 31;
	return v;
}
