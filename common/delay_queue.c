#include "delay_queue.h"

#include <time.h>

int64_t delay_queue_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void arm(struct delay_queue *q, int64_t now)
{
	int64_t us;
	struct timeval tv;

	if (!q->head) {
		event_del(q->ev);
		return;
	}
	us = q->head->due_us + q->grain_us - now;
	if (us < 0)
		us = 0;
	tv.tv_sec = us / 1000000;
	tv.tv_usec = us % 1000000;
	event_add(q->ev, &tv);
}

static void unlink_entry(struct delay_queue *q, struct dq_entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		q->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		q->tail = e->prev;
	e->prev = e->next = NULL;
	q->len--;
}

/*
 * Every entry due by now, oldest first. The callbacks may queue entries
 * again; with a zero delay those would be due at once, so the batch ends
 * with the entry that was last when it began.
 */
static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct delay_queue *q = arg;
	int64_t now = delay_queue_now_us();
	struct dq_entry *last = q->tail, *e;

	(void)fd;
	(void)what;
	while ((e = q->head) && e->due_us <= now) {
		bool end = e == last;

		unlink_entry(q, e);
		q->fire(q, e, q->arg);
		if (end)
			break;
	}
	arm(q, delay_queue_now_us());
}

void delay_queue_set_delay(struct delay_queue *q, uint32_t delay_ms)
{
	int64_t grain_ms = delay_ms / 64;

	if (grain_ms > DELAY_QUEUE_GRAIN_MAX_MS)
		grain_ms = DELAY_QUEUE_GRAIN_MAX_MS;
	q->delay_us = (int64_t)delay_ms * 1000;
	q->grain_us = grain_ms * 1000;
}

int delay_queue_init(struct delay_queue *q, struct event_base *base, uint32_t delay_ms,
		     delay_queue_fn fire, void *arg)
{
	*q = (struct delay_queue){ .fire = fire, .arg = arg };
	delay_queue_set_delay(q, delay_ms);
	q->ev = evtimer_new(base, on_timer, q);
	return q->ev ? 0 : -1;
}

void delay_queue_free(struct delay_queue *q)
{
	if (q->ev)
		event_free(q->ev);
	q->ev = NULL;
	q->head = q->tail = NULL;
	q->len = 0;
}

void delay_queue_add(struct delay_queue *q, struct dq_entry *e)
{
	int64_t now = delay_queue_now_us();

	e->due_us = now + q->delay_us;
	e->next = NULL;
	e->prev = q->tail;
	if (q->tail)
		q->tail->next = e;
	else
		q->head = e;
	q->tail = e;
	q->len++;
	if (q->head == e)
		arm(q, now);
}

/* A head removed leaves the timer armed for its deadline: the next head
 * is due no sooner, so that firing finds it not yet due (or due) and
 * re-arms; only an empty queue disarms. */
void delay_queue_remove(struct delay_queue *q, struct dq_entry *e)
{
	unlink_entry(q, e);
	if (!q->head)
		event_del(q->ev);
}
