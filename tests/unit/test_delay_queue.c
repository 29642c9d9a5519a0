#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <event2/event.h>
#include <stdlib.h>

#include "delay_queue.h"

/* An entry and when it fired (0: not yet), and in which turn of the loop. */
struct item {
	struct dq_entry e;
	int64_t added_us, fired_us;
	int turn;
	int requeue;		/* times the callback queues it again */
};

static int turn, fired;

static void on_fire(struct delay_queue *q, struct dq_entry *e, void *arg)
{
	struct item *it = (struct item *)(void *)((char *)e - offsetof(struct item, e));

	(void)arg;
	it->fired_us = delay_queue_now_us();
	it->turn = turn;
	fired++;
	if (it->requeue > 0) {
		it->requeue--;
		delay_queue_add(q, e);
	}
}

/* One turn of the loop at a time, until n entries have fired or 5 s pass;
 * returns the turns that fired something. */
static int run_until(struct event_base *base, int n)
{
	int busy = 0;
	int64_t end = delay_queue_now_us() + 5000000;

	while (fired < n && delay_queue_now_us() < end) {
		int before = fired;

		turn++;
		event_base_loop(base, EVLOOP_ONCE);
		if (fired > before)
			busy++;
	}
	return busy;
}

static void sleep_us(int64_t us)
{
	int64_t end = delay_queue_now_us() + us;

	while (delay_queue_now_us() < end)
		;
}

static void test_grain(void **state)
{
	struct event_base *base = event_base_new();
	struct delay_queue q;

	(void)state;
	assert_int_equal(delay_queue_init(&q, base, 32000, on_fire, NULL), 0);
	assert_int_equal(q.delay_us, 32000000);
	assert_int_equal(q.grain_us, 500000);
	delay_queue_set_delay(&q, 5000);
	assert_int_equal(q.grain_us, 78000);
	delay_queue_set_delay(&q, 120000);
	assert_int_equal(q.grain_us, DELAY_QUEUE_GRAIN_MAX_MS * 1000);
	delay_queue_set_delay(&q, 10);
	assert_int_equal(q.grain_us, 0);
	delay_queue_free(&q);
	event_base_free(base);
}

/* In order, never early, at most a grain late; entries queued within a
 * grain of each other fire in one turn of the loop. */
static void test_order_and_batches(void **state)
{
	enum { N = 6 };
	struct event_base *base = event_base_new();
	struct delay_queue q;
	struct item it[N] = { 0 };

	(void)state;
	fired = turn = 0;
	assert_int_equal(delay_queue_init(&q, base, 640, on_fire, NULL), 0); /* grain 10 ms */
	for (int i = 0; i < N; i++) {
		it[i].added_us = delay_queue_now_us();
		delay_queue_add(&q, &it[i].e);
		sleep_us(1000);
	}
	assert_int_equal(q.len, N);
	assert_int_equal(run_until(base, N), 1);
	for (int i = 0; i < N; i++) {
		assert_true(it[i].fired_us >= it[i].added_us + 640000);
		assert_true(it[i].fired_us <= it[i].added_us + 640000 + 10000 + 50000);
		assert_int_equal(it[i].turn, it[0].turn);
		if (i)
			assert_true(it[i].fired_us >= it[i - 1].fired_us);
	}
	assert_int_equal(q.len, 0);
	assert_null(q.head);
	assert_null(q.tail);
	delay_queue_free(&q);
	event_base_free(base);
}

/* Entries further apart than a grain fire in turns of their own. */
static void test_apart(void **state)
{
	struct event_base *base = event_base_new();
	struct delay_queue q;
	struct item it[2] = { 0 };

	(void)state;
	fired = turn = 0;
	assert_int_equal(delay_queue_init(&q, base, 640, on_fire, NULL), 0);
	delay_queue_add(&q, &it[0].e);
	sleep_us(100000);
	delay_queue_add(&q, &it[1].e);
	assert_int_equal(run_until(base, 2), 2);
	assert_true(it[1].fired_us - it[0].fired_us >= 90000);
	delay_queue_free(&q);
	event_base_free(base);
}

/* Removed entries never fire: the head, the middle, the tail, and the last
 * one (which disarms the timer). */
static void test_remove(void **state)
{
	struct event_base *base = event_base_new();
	struct delay_queue q;
	struct item it[4] = { 0 };

	(void)state;
	fired = turn = 0;
	assert_int_equal(delay_queue_init(&q, base, 64, on_fire, NULL), 0);
	for (int i = 0; i < 4; i++)
		delay_queue_add(&q, &it[i].e);
	delay_queue_remove(&q, &it[0].e);
	delay_queue_remove(&q, &it[2].e);
	delay_queue_remove(&q, &it[3].e);
	assert_int_equal(q.len, 1);
	assert_ptr_equal(q.head, &it[1].e);
	assert_ptr_equal(q.tail, &it[1].e);
	run_until(base, 1);
	assert_int_equal(fired, 1);
	assert_true(it[1].fired_us > 0);
	assert_int_equal(it[0].fired_us + it[2].fired_us + it[3].fired_us, 0);

	delay_queue_add(&q, &it[0].e);
	delay_queue_remove(&q, &it[0].e);
	assert_int_equal(q.len, 0);
	assert_false(evtimer_pending(q.ev, NULL));
	delay_queue_free(&q);
	event_base_free(base);
}

/* A callback queueing its entry again, even with no delay at all, ends
 * the batch instead of looping in it; the entry fires again later. */
static void test_requeue_zero_delay(void **state)
{
	struct event_base *base = event_base_new();
	struct delay_queue q;
	struct item it = { .requeue = 3 };

	(void)state;
	fired = turn = 0;
	assert_int_equal(delay_queue_init(&q, base, 0, on_fire, NULL), 0);
	delay_queue_add(&q, &it.e);
	assert_int_equal(run_until(base, 4), 4);
	assert_int_equal(fired, 4);
	assert_int_equal(q.len, 0);
	delay_queue_free(&q);
	event_base_free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grain),
		cmocka_unit_test(test_order_and_batches),
		cmocka_unit_test(test_apart),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_requeue_zero_delay),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
