/*
 * delay_queue.h - entries that come due a fixed delay after they were
 * queued, fired in batches.
 *
 * SIP keeps a lot of state for a fixed while after it is done: a
 * transaction absorbs retransmissions for 64*T1 (timers D, J, L, M) or T4
 * (I, K), an ended leg lingers, an ended call waits for its legs. One
 * libevent timer per entry would wake the loop once per entry, several
 * times per call, at every call rate: that is most of the CPU a call
 * costs once its set-up is over when calls are few.
 *
 * Every entry of a queue has the same delay, so the queue is in deadline
 * order: adding and removing are O(1) and only the head is timed. The
 * timer is armed for the head's deadline plus the queue's grain (1/64 of
 * the delay, at most DELAY_QUEUE_GRAIN_MAX_MS), and each firing takes
 * every entry due by then: entries queued within a grain of each other
 * expire in one wake-up. No entry fires before its deadline; none more
 * than a grain after it.
 *
 * Entries are embedded in the caller's objects; the queue owns none.
 * Single-threaded, like the event loop it runs on.
 */
#ifndef TANDEM_DELAY_QUEUE_H
#define TANDEM_DELAY_QUEUE_H

#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DELAY_QUEUE_GRAIN_MAX_MS 500

struct dq_entry {
	struct dq_entry *prev, *next;
	int64_t due_us;			/* CLOCK_MONOTONIC */
};

struct delay_queue;

/* An entry's time has come: it is already off the queue, so the
 * callback may free it or queue it again (any queue). */
typedef void (*delay_queue_fn)(struct delay_queue *q, struct dq_entry *e, void *arg);

struct delay_queue {
	struct dq_entry *head, *tail;
	struct event *ev;
	int64_t delay_us, grain_us;
	delay_queue_fn fire;
	void *arg;
	size_t len;
};

int delay_queue_init(struct delay_queue *q, struct event_base *base, uint32_t delay_ms,
		     delay_queue_fn fire, void *arg);
/* For entries queued from now on (set it before the queue is used: a
 * shorter delay would put new entries behind later deadlines). */
void delay_queue_set_delay(struct delay_queue *q, uint32_t delay_ms);
/* The entries still queued are left alone (their owners free them). */
void delay_queue_free(struct delay_queue *q);

/* e, not queued anywhere, is due delay from now. */
void delay_queue_add(struct delay_queue *q, struct dq_entry *e);
/* e, queued on q, leaves it without firing. */
void delay_queue_remove(struct delay_queue *q, struct dq_entry *e);

int64_t delay_queue_now_us(void);

#endif
