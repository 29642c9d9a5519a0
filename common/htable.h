/*
 * htable.h - an intrusive hash table for the per-call state of both
 * daemons (legs by id, dialogs by Call-ID and tags, transactions by branch).
 *
 * Intrusive: the element embeds a `struct htable_node`, so inserting
 * allocates nothing. Chained buckets, a power-of-two bucket count that
 * doubles when the load passes 1, so a lookup stays O(1) from 10 calls to
 * 100,000 without a per-message rehash (growth is rare and amortised).
 * The caller computes hashes (htable_hash_* below) and compares keys.
 */
#ifndef TANDEM_HTABLE_H
#define TANDEM_HTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pl.h"

struct htable_node {
	struct htable_node *next;
	uint64_t hash;
};

struct htable {
	struct htable_node **buckets;
	size_t nbuckets;	/* power of two */
	size_t count;
};

/* Returns true when node's key equals the key being looked up. */
typedef bool (*htable_match_fn)(const struct htable_node *node, const void *key);

int htable_init(struct htable *t, size_t expected);
void htable_free(struct htable *t);	/* frees the buckets, not the elements */

void htable_insert(struct htable *t, struct htable_node *n, uint64_t hash);
void htable_remove(struct htable *t, struct htable_node *n);
struct htable_node *htable_find(const struct htable *t, uint64_t hash, htable_match_fn match,
				const void *key);

/* Visits every node; fn may remove the node it is given (not others). */
void htable_foreach(struct htable *t, void (*fn)(struct htable_node *n, void *arg), void *arg);

/* 64-bit FNV-1a variants, case-sensitive and ASCII case-insensitive; the
 * seed lets keys of several parts be chained. */
uint64_t htable_hash(struct pl key, uint64_t seed);
uint64_t htable_hash_nocase(struct pl key, uint64_t seed);
uint64_t htable_hash_u64(uint64_t v);
#define HTABLE_SEED 0xcbf29ce484222325ULL

#define htable_entry(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#endif
