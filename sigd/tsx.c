/*
 * tsx.c - the transaction layer itself (RFC 3261 §17): its tables, the
 * entry point from the transport, the one timer of every transaction, and
 * when a transaction's memory goes back.
 *
 * Life cycle. A transaction is freed once it is Terminated and nobody
 * holds it. A client transaction is held by its owner from
 * tsx_client_send() until tsx_release(). A server transaction is held by
 * the TU only if the TU called tsx_set_owner() (a leg keeping its INVITE),
 * again until tsx_release(); one the TU never adopted is the layer's
 * after its final response. Callbacks run with t->busy set, so a release
 * from inside one frees nothing under the caller's feet.
 *
 * Timers. Each transaction has one timer. While retransmitting (A, E, G)
 * it is a libevent timer of its own, allocated for that phase, that
 * alternates between "send again" and the deadline that bounds the whole
 * exchange (B, F, H), whichever comes first; the fixed timers (D, I, J, K,
 * L, M) are the layer's two FIFO queues (64*T1 and T4): equal durations
 * keep a queue in deadline order, so one libevent timer per queue, armed
 * for its head, does for every transaction in it.
 */
#include "tsx_priv.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "log.h"

/* ---------------------------------------------------------------- layer */

static void on_fifo(struct delay_queue *q, struct dq_entry *e, void *arg);

static void layer_free(struct tsx_layer *tl)
{
	for (int i = 0; i < 2; i++)
		delay_queue_free(&tl->fifo[i]);
	htable_free(&tl->server);
	htable_free(&tl->client);
	htable_free(&tl->merge);
	for (int i = 0; i < TSX_POOLS; i++)
		slab_pool_free(&tl->pool[i]);
	free(tl);
}

int tsx_layer_init(struct sigd *sd, const struct tsx_user_ops *ops, const struct tsx_timers *tm)
{
	struct tsx_layer *tl = calloc(1, sizeof(*tl));

	if (!tl)
		return -1;
	tl->sd = sd;
	tl->tu = ops;
	tl->tm = *tm;
	tl->max = TSX_MAX_DEFAULT;
	if (!tl->tm.t1_ms)
		tl->tm.t1_ms = 500;
	if (!tl->tm.t2_ms)
		tl->tm.t2_ms = 4000;
	if (!tl->tm.t4_ms)
		tl->tm.t4_ms = 5000;
	tl->q_64t1 = &tl->fifo[0];
	tl->q_t4 = &tl->fifo[1];
	for (int i = 0; i < TSX_POOLS; i++)
		slab_pool_init(&tl->pool[i], TSX_POOL_SIZE(i));
	if (getrandom(&tl->rng, sizeof(tl->rng), 0) != sizeof(tl->rng))
		tl->rng = (uint64_t)sigd_now_us();
	tl->rng |= 1;
	if (delay_queue_init(tl->q_64t1, sd->base, 64 * tl->tm.t1_ms, on_fifo, tl) < 0 ||
	    delay_queue_init(tl->q_t4, sd->base, tl->tm.t4_ms, on_fifo, tl) < 0 ||
	    htable_init(&tl->server, 1024) < 0 ||
	    htable_init(&tl->client, 1024) < 0 || htable_init(&tl->merge, 1024) < 0) {
		layer_free(tl);
		return -1;
	}
	sd->tsx = tl;
	return 0;
}

void tsx_layer_free(struct sigd *sd)
{
	struct tsx_layer *tl = sd->tsx;

	if (!tl)
		return;
	/* a CANCEL still waiting for its INVITE's 1xx is on the list too */
	for (struct tsx *t = tl->all; t; t = t->next)
		if (t->act)
			t->act->cancel = NULL;
	while (tl->all)
		tsx_destroy(tl->all);
	layer_free(tl);
	sd->tsx = NULL;
}

void tsx_receive(struct sigd *sd, const struct sip_msg *m, const struct sip_rx *rx)
{
	if (!sd->tsx)
		return;
	if (m->is_request)
		tsx_server_receive(sd->tsx, m, rx);
	else
		tsx_client_receive(sd->tsx, m, rx);
}

size_t tsx_count(const struct sigd *sd, enum tsx_kind kind)
{
	if (!sd->tsx || (unsigned)kind > TSX_CLIENT_NON_INVITE)
		return 0;
	return sd->tsx->count[kind];
}

/* At the limit of live transactions: say so at most once a second. */
bool tsx_layer_full(struct tsx_layer *tl, struct pl call_id)
{
	int64_t now;

	if (tl->total < tl->max)
		return false;
	now = sigd_now_us();
	if (now - tl->full_logged_us >= 1000000) {
		LOGW(call_id, "%zu transactions alive: new ones refused until some end", tl->total);
		tl->full_logged_us = now;
	}
	return true;
}

/* xorshift64*: tags for the responses the layer makes itself. */
void tsx_random_tag(struct tsx_layer *tl, char out[17])
{
	static const char hex[] = "0123456789abcdef";
	uint64_t v;

	tl->rng ^= tl->rng >> 12;
	tl->rng ^= tl->rng << 25;
	tl->rng ^= tl->rng >> 27;
	v = tl->rng * 0x2545f4914f6cdd1dULL;
	for (int i = 0; i < 16; i++)
		out[i] = hex[(v >> (60 - 4 * i)) & 0xf];
	out[16] = '\0';
}

/* ---------------------------------------------------------------- life cycle */

static void on_timer(evutil_socket_t fd, short what, void *arg);

static int64_t monotonic_us(void);

struct tsx *tsx_alloc(struct tsx_layer *tl, enum tsx_kind kind, size_t data_len)
{
	size_t size = sizeof(struct tsx) + data_len;
	size_t i = size <= TSX_POOL_SIZE(0) ? 0 : (size - TSX_POOL_SIZE(0) + 63) / 64;
	struct tsx *t = i < TSX_POOLS ? slab_alloc(&tl->pool[i]) : malloc(size);

	if (!t)
		return NULL;
	memset(t, 0, sizeof(*t));
	t->pool = i < TSX_POOLS ? (uint8_t)(i + 1) : 0;
	t->layer = tl;
	t->kind = (uint8_t)kind;
	t->created_us = monotonic_us();
	t->next = tl->all;
	if (tl->all)
		tl->all->prev = t;
	tl->all = t;
	tl->count[kind]++;
	tl->total++;
	return t;
}

void tsx_destroy(struct tsx *t)
{
	struct tsx_layer *tl = t->layer;

	tsx_timer_stop(t);
	tsx_unlink(t);
	tsx_act_free(t);
	if (t->prev)
		t->prev->next = t->next;
	else
		tl->all = t->next;
	if (t->next)
		t->next->prev = t->prev;
	tl->count[t->kind]--;
	tl->total--;
	if (t->pool)
		slab_free(t);
	else
		free(t);
}

/* Grown or shrunk in place of the old one: only t points to it (its
 * timer's argument is t, part1/part2/resp_tag are offsets). */
int tsx_text_set(struct tsx *t, const char *buf, size_t len)
{
	struct tsx_act *a;

	if (len > UINT16_MAX || !(a = realloc(t->act, sizeof(*a) + len))) {
		tsx_act_free(t);
		return -1;
	}
	if (!t->act)
		memset(a, 0, sizeof(*a));
	if (len)
		memcpy(a->text, buf, len);
	a->text_len = (uint32_t)len;
	t->act = a;
	return 0;
}

void tsx_act_free(struct tsx *t)
{
	struct tsx_act *a = t->act;

	if (!a)
		return;
	if (a->timer) {
		event_free(a->timer);
		if (!t->fifo)
			t->timer_kind = TSX_TIMER_NONE;
	}
	/* a CANCEL still waiting for a 1xx never goes now */
	if (a->cancel)
		tsx_destroy(a->cancel);
	free(a->resp);
	free(a);
	t->act = NULL;
}

/* Terminated: out of the tables (a late message is new or stray), no
 * timer, nothing of the exchange; the rest goes when nobody holds it
 * (tsx_maybe_free). */
void tsx_terminate(struct tsx *t)
{
	t->state = TSX_TERMINATED;
	tsx_timer_stop(t);
	tsx_unlink(t);
	tsx_act_free(t);
}

void tsx_maybe_free(struct tsx *t)
{
	if (t->state == TSX_TERMINATED && !t->held && !t->busy)
		tsx_destroy(t);
}

void tsx_release(struct tsx *t)
{
	if (!t)
		return;
	t->held = false;
	t->released = true;
	t->owner = NULL;
	t->ops = NULL;
	if (t->kind == TSX_SERVER_INVITE || t->kind == TSX_SERVER_NON_INVITE)
		tsx_server_release(t);
	else
		tsx_client_release(t);
	tsx_maybe_free(t);
}

/* ---------------------------------------------------------------- timers */

static void fifo_remove(struct tsx *t)
{
	delay_queue_remove(t->fifo, &t->fe);
	t->fifo = NULL;
}

void tsx_timer_stop(struct tsx *t)
{
	if (t->act && t->act->timer) {
		event_free(t->act->timer);
		t->act->timer = NULL;
	}
	if (t->fifo)
		fifo_remove(t);
	t->timer_kind = TSX_TIMER_NONE;
}

static int64_t monotonic_us(void)
{
	return delay_queue_now_us();
}

/* The next retransmission after t->retr_ms, unless the deadline comes
 * first. The deadline is absolute, so late retransmissions (a busy loop)
 * never push timer B, F or H back. */
static void arm_next(struct tsx *t)
{
	int64_t left = t->act->deadline_us - monotonic_us(), us = (int64_t)t->act->retr_ms * 1000;
	struct timeval tv;

	if (us >= left) {
		us = left > 0 ? left : 0;
		t->timer_kind = TSX_TIMER_DEADLINE;
	} else {
		t->timer_kind = TSX_TIMER_RETRANSMIT;
	}
	tv.tv_sec = us / 1000000;
	tv.tv_usec = us % 1000000;
	event_add(t->act->timer, &tv);
}

/*
 * The retransmission phase has a timer of its own (in the exchange's
 * part, which that phase always has); without the memory for it the
 * transaction cannot keep its promises, so it ends at once (the peer
 * retransmits, or its own timers run out).
 */
void tsx_timer_retransmit(struct tsx *t, uint32_t first_ms, uint32_t deadline_ms)
{
	struct tsx_act *a = t->act;

	if (t->fifo)
		fifo_remove(t);
	if (!a || (!a->timer && !(a->timer = evtimer_new(t->layer->sd->base, on_timer, t)))) {
		LOGE(tsx_call_id(t), "out of memory for a transaction's timer");
		t->timer_kind = TSX_TIMER_NONE;
		return;
	}
	event_del(a->timer);
	a->retr_ms = first_ms;
	a->deadline_us = monotonic_us() + (int64_t)deadline_ms * 1000;
	arm_next(t);
}

void tsx_timer_fixed(struct tsx *t, struct delay_queue *q)
{
	tsx_timer_stop(t);
	t->timer_kind = TSX_TIMER_DEADLINE;
	t->fifo = q;
	delay_queue_add(q, &t->fe);
}

static bool is_server(const struct tsx *t)
{
	return t->kind == TSX_SERVER_INVITE || t->kind == TSX_SERVER_NON_INVITE;
}

/* A deadline: the state machine's timeout (the timer is spent). */
static void expire(struct tsx *t)
{
	t->timer_kind = TSX_TIMER_NONE;
	t->busy++;
	if (is_server(t))
		tsx_server_timeout(t);
	else
		tsx_client_timeout(t);
	t->busy--;
	tsx_maybe_free(t);
}

/*
 * A retransmission doubles the interval up to T2 (RFC 3261 §17.1.1.2,
 * §17.1.2.2, §17.2.1; T2 caps timer A too, unlike RFC 3261 and Sippy: a
 * quiet INVITE peer is probed every 4 s instead of 16 s apart at the end).
 * A non-INVITE client in Proceeding retransmits every T2. Freeing the
 * event from inside its own callback is safe (libevent leaves a
 * non-persistent event alone once its callback runs).
 */
static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct tsx *t = arg;
	struct tsx_layer *tl = t->layer;
	struct tsx_act *a = t->act;

	(void)fd;
	(void)what;
	if (t->timer_kind != TSX_TIMER_RETRANSMIT) {
		event_free(a->timer);
		a->timer = NULL;
		expire(t);
		return;
	}
	t->busy++;
	if (is_server(t))
		tsx_server_retransmit(t);
	else
		tsx_client_retransmit(t);
	tl->sd->stats.retransmissions_out++;
	if (t->kind == TSX_CLIENT_NON_INVITE && t->state == TSX_PROCEEDING)
		a->retr_ms = tl->tm.t2_ms;
	else
		a->retr_ms = a->retr_ms * 2 < tl->tm.t2_ms ? a->retr_ms * 2 : tl->tm.t2_ms;
	arm_next(t);
	t->busy--;
	tsx_maybe_free(t);
}

/* A fixed timer's deadline (the batch's other transactions follow). */
static void on_fifo(struct delay_queue *q, struct dq_entry *e, void *arg)
{
	struct tsx *t = (struct tsx *)(void *)((char *)e - offsetof(struct tsx, fe));

	(void)q;
	(void)arg;
	t->fifo = NULL;
	expire(t);
}

static int transmit(struct tsx *t, const char *buf, size_t len, bool now)
{
	struct netaddr dst;

	if (!buf || !t->act || !peer_addr_get(&t->act->peer, &dst))
		return -1;
	return now ? sigd_send_now(t->layer->sd, &dst, buf, len) : sigd_send(t->layer->sd, &dst, buf, len);
}

int tsx_transmit(struct tsx *t, const char *buf, size_t len)
{
	return transmit(t, buf, len, false);
}

int tsx_transmit_now(struct tsx *t, const char *buf, size_t len)
{
	return transmit(t, buf, len, true);
}

/* ---------------------------------------------------------------- accessors */

enum tsx_kind tsx_kind(const struct tsx *t)
{
	return (enum tsx_kind)t->kind;
}

enum tsx_state tsx_state(const struct tsx *t)
{
	return (enum tsx_state)t->state;
}

void tsx_foreach(struct sigd *sd, void (*fn)(const struct tsx_info *ti, void *arg), void *arg)
{
	int64_t now = monotonic_us();
	struct tsx_info ti;

	for (struct tsx *t = sd->tsx ? sd->tsx->all : NULL; t; t = t->next) {
		ti.kind = (enum tsx_kind)t->kind;
		ti.state = (enum tsx_state)t->state;
		ti.method = t->method == SIP_METHOD_OTHER ? tsx_str_pl(t, t->method_name)
							  : pl_from_str(sip_method_name((enum sip_method)t->method));
		ti.call_id = tsx_str_pl(t, t->call_id);
		ti.branch = tsx_str_pl(t, t->branch);
		ti.cseq = t->cseq;
		ti.age_ms = (now - t->created_us) / 1000;
		fn(&ti, arg);
	}
}

enum sip_method tsx_method(const struct tsx *t)
{
	return (enum sip_method)t->method;
}

uint32_t tsx_cseq(const struct tsx *t)
{
	return t->cseq;
}

struct pl tsx_call_id(const struct tsx *t)
{
	return tsx_str_pl(t, t->call_id);
}

struct netaddr tsx_peer(const struct tsx *t)
{
	struct netaddr n;

	if (!t->act || !peer_addr_get(&t->act->peer, &n))
		memset(&n, 0, sizeof(n));
	return n;
}

void tsx_set_owner(struct tsx *t, void *owner)
{
	t->owner = owner;
	if (owner)
		t->held = true;
}

void *tsx_owner(const struct tsx *t)
{
	return t->owner;
}
