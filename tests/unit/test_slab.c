#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slab.h"

static void test_init_bounds(void **state)
{
	struct slab_pool p;

	(void)state;
	assert_int_equal(slab_pool_init(&p, 0), -1);
	assert_int_equal(slab_pool_init(&p, SLAB_OBJ_MAX + 1), -1);
	assert_int_equal(slab_pool_init(&p, 100), 0);
	assert_int_equal(p.obj_size, 112);
	assert_true(p.per_page > 500 && p.per_page * p.obj_size < SLAB_PAGE_SIZE);
	slab_pool_free(&p);
}

/* Objects are distinct, aligned, writable in full, and stay intact while
 * others come and go. */
static void test_objects_distinct(void **state)
{
	enum { N = 5000 };
	static char *obj[N];
	struct slab_pool p;

	(void)state;
	assert_int_equal(slab_pool_init(&p, 200), 0);
	for (int i = 0; i < N; i++) {
		obj[i] = slab_alloc(&p);
		assert_non_null(obj[i]);
		assert_int_equal((uintptr_t)obj[i] % 16, 0);
		memset(obj[i], i & 0xff, 200);
	}
	assert_int_equal(p.objects, N);
	for (int i = 0; i < N; i += 2) {
		slab_free(obj[i]);
		obj[i] = NULL;
	}
	for (int i = 0; i < N; i += 2) {
		obj[i] = slab_alloc(&p);
		memset(obj[i], i & 0xff, 200);
	}
	for (int i = 0; i < N; i++)
		for (int b = 0; b < 200; b++)
			assert_int_equal((unsigned char)obj[i][b], i & 0xff);
	for (int i = 0; i < N; i++)
		slab_free(obj[i]);
	assert_int_equal(p.objects, 0);
	slab_pool_free(&p);
	assert_int_equal(p.pages, 0);
}

/* The point of the pool: once a burst is over its pages go back, all but
 * the few spares, and the next burst reuses those first. */
static void test_pages_returned(void **state)
{
	enum { N = 20000 };
	static void *obj[N];
	struct slab_pool p;
	size_t peak;

	(void)state;
	assert_int_equal(slab_pool_init(&p, 320), 0);
	for (int i = 0; i < N; i++)
		assert_non_null(obj[i] = slab_alloc(&p));
	peak = p.pages;
	assert_int_equal(peak, (N + p.per_page - 1) / p.per_page);
	/* oldest first, as transactions expire */
	for (int i = 0; i < N; i++)
		slab_free(obj[i]);
	assert_int_equal(p.pages, SLAB_SPARE_PAGES);
	assert_int_equal(p.spares, SLAB_SPARE_PAGES);
	for (int i = 0; i < 10; i++)
		assert_non_null(obj[i] = slab_alloc(&p));
	assert_int_equal(p.pages, SLAB_SPARE_PAGES);
	for (int i = 0; i < 10; i++)
		slab_free(obj[i]);
	slab_pool_free(&p);
	assert_int_equal(p.pages, 0);
}

/* Freed in random order, a pool still ends with its spares only. */
static void test_random_order(void **state)
{
	enum { N = 30000 };
	static void *obj[N];
	struct slab_pool p;
	uint64_t x = 88172645463325252ULL;

	(void)state;
	assert_int_equal(slab_pool_init(&p, 256), 0);
	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < N; i++)
			if (!obj[i])
				assert_non_null(obj[i] = slab_alloc(&p));
		for (int i = 0; i < N; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			if (x & 1) {
				slab_free(obj[i]);
				obj[i] = NULL;
			}
		}
	}
	for (int i = 0; i < N; i++)
		slab_free(obj[i]);	/* NULL is fine */
	assert_int_equal(p.objects, 0);
	assert_int_equal(p.pages, SLAB_SPARE_PAGES);
	slab_pool_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_bounds),
		cmocka_unit_test(test_objects_distinct),
		cmocka_unit_test(test_pages_returned),
		cmocka_unit_test(test_random_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
