/* pb_arena: frames decoded into one buffer, reset after each; what does
 * not fit spills to malloc and is freed at the reset (ASan checks that
 * nothing leaks and nothing is freed twice). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pb_arena.h"
#include "tandem.pb-c.h"

/* A packed frame of n DropLeg messages, leg ids 1..n. */
static uint8_t *frame_of_drops(unsigned n, size_t *len)
{
	Tandem__Frame f = TANDEM__FRAME__INIT;
	Tandem__Message *m = calloc(n, sizeof(*m)), **pm = calloc(n, sizeof(*pm));
	Tandem__DropLeg *d = calloc(n, sizeof(*d));
	char (*why)[32] = calloc(n, sizeof(*why));
	uint8_t *buf;

	assert_non_null(m);
	assert_non_null(pm);
	assert_non_null(d);
	assert_non_null(why);
	for (unsigned i = 0; i < n; i++) {
		tandem__drop_leg__init(&d[i]);
		d[i].leg = i + 1;
		snprintf(why[i], sizeof(why[i]), "reason %u", i + 1);
		d[i].reason = why[i];
		tandem__message__init(&m[i]);
		m[i].body_case = TANDEM__MESSAGE__BODY_DROP;
		m[i].drop = &d[i];
		pm[i] = &m[i];
	}
	f.n_messages = n;
	f.messages = pm;
	*len = tandem__frame__get_packed_size(&f);
	buf = malloc(*len);
	assert_non_null(buf);
	tandem__frame__pack(&f, buf);
	free(m);
	free(pm);
	free(d);
	free(why);
	return buf;
}

static void check_drops(const Tandem__Frame *f, unsigned n)
{
	char want[32];

	assert_non_null(f);
	assert_int_equal(f->n_messages, n);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(f->messages[i]->body_case, TANDEM__MESSAGE__BODY_DROP);
		assert_int_equal(f->messages[i]->drop->leg, i + 1);
		snprintf(want, sizeof(want), "reason %u", i + 1);
		assert_string_equal(f->messages[i]->drop->reason, want);
	}
}

/* Small frames: decoded in the buffer, nothing spilled, aligned, and the
 * buffer is whole again after the reset. */
static void test_fits(void **state)
{
	struct pb_arena a;
	size_t len;
	uint8_t *buf = frame_of_drops(10, &len);

	(void)state;
	assert_int_equal(pb_arena_init(&a, 64 * 1024), 0);
	for (int round = 0; round < 3; round++) {
		Tandem__Frame *f = tandem__frame__unpack(&a.alloc, len, buf);

		check_drops(f, 10);
		assert_true((uintptr_t)f >= (uintptr_t)a.buf && (uintptr_t)f < (uintptr_t)a.buf + a.size);
		assert_int_equal((uintptr_t)f->messages[3]->drop % 16, 0);
		assert_true(a.used > 0);
		assert_int_equal(a.spilled, 0);
		pb_arena_reset(&a, &f->base);
		assert_int_equal(a.used, 0);
	}
	pb_arena_free(&a);
	free(buf);
}

/* A frame bigger than the buffer: the rest goes to malloc and is freed
 * at the reset; the next small frame fits again. */
static void test_spills(void **state)
{
	struct pb_arena a;
	size_t big_len, small_len;
	uint8_t *big = frame_of_drops(2000, &big_len), *small = frame_of_drops(3, &small_len);
	Tandem__Frame *f;

	(void)state;
	assert_int_equal(pb_arena_init(&a, 4096), 0);
	f = tandem__frame__unpack(&a.alloc, big_len, big);
	check_drops(f, 2000);
	assert_true(a.spilled > 0);
	pb_arena_reset(&a, &f->base);
	assert_int_equal(a.spilled, 0);
	assert_int_equal(a.used, 0);
	f = tandem__frame__unpack(&a.alloc, small_len, small);
	check_drops(f, 3);
	assert_int_equal(a.spilled, 0);
	pb_arena_reset(&a, &f->base);
	pb_arena_free(&a);
	free(big);
	free(small);
}

/* Bytes that do not unpack: NULL, and the reset makes the buffer whole. */
static void test_bad_frame(void **state)
{
	struct pb_arena a;
	size_t len;
	uint8_t *buf = frame_of_drops(50, &len);

	(void)state;
	assert_int_equal(pb_arena_init(&a, 512), 0);
	assert_null(tandem__frame__unpack(&a.alloc, len - 3, buf));
	pb_arena_reset(&a, NULL);
	assert_int_equal(a.used, 0);
	assert_int_equal(a.spilled, 0);
	pb_arena_free(&a);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fits),
		cmocka_unit_test(test_spills),
		cmocka_unit_test(test_bad_frame),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
