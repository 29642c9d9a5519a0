/* htable: the intrusive hash table behind legs, dialogs and transactions. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "htable.h"

struct item {
	struct htable_node node;
	uint64_t id;
	char name[16];
};

static bool match_id(const struct htable_node *n, const void *key)
{
	return htable_entry(n, struct item, node)->id == *(const uint64_t *)key;
}

static bool match_name(const struct htable_node *n, const void *key)
{
	return pl_caseeq_str(*(const struct pl *)key, htable_entry(n, struct item, node)->name);
}

static struct item *find_id(struct htable *t, uint64_t id)
{
	struct htable_node *n = htable_find(t, htable_hash_u64(id), match_id, &id);
	return n ? htable_entry(n, struct item, node) : NULL;
}

/* Growth from 16 buckets to 100k elements keeps every element findable. */
static void test_insert_find_remove_with_growth(void **state)
{
	enum { N = 100000 };
	struct htable t;
	struct item *items = calloc(N, sizeof(*items));

	(void)state;
	assert_int_equal(htable_init(&t, 1), 0);
	assert_int_equal(t.nbuckets, 16);
	for (uint64_t i = 0; i < N; i++) {
		items[i].id = i | (1ULL << 63);
		htable_insert(&t, &items[i].node, htable_hash_u64(items[i].id));
	}
	assert_int_equal(t.count, N);
	assert_true(t.nbuckets >= N);
	for (uint64_t i = 0; i < N; i++)
		assert_ptr_equal(find_id(&t, i | (1ULL << 63)), &items[i]);
	assert_null(find_id(&t, 12345));
	for (uint64_t i = 0; i < N; i += 2)
		htable_remove(&t, &items[i].node);
	assert_int_equal(t.count, N / 2);
	for (uint64_t i = 0; i < N; i++)
		assert_true((find_id(&t, i | (1ULL << 63)) != NULL) == (i % 2 == 1));
	htable_free(&t);
	free(items);
}

/* Case-insensitive keys (Call-IDs are case-sensitive, header names and
 * hosts are not): the nocase hash agrees with a nocase match. */
static void test_nocase_keys(void **state)
{
	struct htable t;
	struct item a = { .name = "Alice" }, b = { .name = "bob" };
	struct pl k1 = PL("ALICE"), k2 = PL("BoB"), k3 = PL("carol");

	(void)state;
	htable_init(&t, 4);
	htable_insert(&t, &a.node, htable_hash_nocase(pl_from_str(a.name), HTABLE_SEED));
	htable_insert(&t, &b.node, htable_hash_nocase(pl_from_str(b.name), HTABLE_SEED));
	assert_ptr_equal(htable_find(&t, htable_hash_nocase(k1, HTABLE_SEED), match_name, &k1), &a.node);
	assert_ptr_equal(htable_find(&t, htable_hash_nocase(k2, HTABLE_SEED), match_name, &k2), &b.node);
	assert_null(htable_find(&t, htable_hash_nocase(k3, HTABLE_SEED), match_name, &k3));
	assert_int_not_equal(htable_hash(PL("abc"), HTABLE_SEED), htable_hash(PL("ABC"), HTABLE_SEED));
	htable_free(&t);
}

static void count_and_remove_odd(struct htable_node *n, void *arg)
{
	struct htable *t = arg;
	struct item *it = htable_entry(n, struct item, node);
	if (it->id % 2)
		htable_remove(t, n);
}

/* foreach tolerates removal of the visited node (used to drop all calls). */
static void test_foreach_with_removal(void **state)
{
	struct htable t;
	struct item items[100];

	(void)state;
	htable_init(&t, 8);
	for (int i = 0; i < 100; i++) {
		items[i].id = (uint64_t)i;
		htable_insert(&t, &items[i].node, htable_hash_u64((uint64_t)i));
	}
	htable_foreach(&t, count_and_remove_odd, &t);
	assert_int_equal(t.count, 50);
	assert_non_null(find_id(&t, 2));
	assert_null(find_id(&t, 3));
	htable_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_find_remove_with_growth),
		cmocka_unit_test(test_nocase_keys),
		cmocka_unit_test(test_foreach_with_removal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
