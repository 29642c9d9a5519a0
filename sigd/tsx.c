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
 * Timers. Each transaction has one libevent timer. While retransmitting
 * (A, E, G) it alternates between "send again" and the deadline that
 * bounds the whole exchange (B, F, H), whichever comes first; the fixed
 * timers (D, I, J, K, L, M) use libevent common timeouts, which keep equal
 * durations in a queue instead of the heap.
 */
#include "tsx_priv.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "log.h"

static struct timeval ms_tv(uint32_t ms)
{
	return (struct timeval){ .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
}

/* ---------------------------------------------------------------- layer */

int tsx_layer_init(struct sigd *sd, const struct tsx_user_ops *ops, const struct tsx_timers *tm)
{
	struct tsx_layer *tl = calloc(1, sizeof(*tl));
	struct timeval tv;

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
	tv = ms_tv(64 * tl->tm.t1_ms);
	tl->ct_64t1 = event_base_init_common_timeout(sd->base, &tv);
	tv = ms_tv(tl->tm.t4_ms);
	tl->ct_t4 = event_base_init_common_timeout(sd->base, &tv);
	if (getrandom(&tl->rng, sizeof(tl->rng), 0) != sizeof(tl->rng))
		tl->rng = (uint64_t)sigd_now_us();
	tl->rng |= 1;
	if (!tl->ct_64t1 || !tl->ct_t4 || htable_init(&tl->server, 1024) < 0 ||
	    htable_init(&tl->client, 1024) < 0 || htable_init(&tl->merge, 1024) < 0) {
		htable_free(&tl->server);
		htable_free(&tl->client);
		htable_free(&tl->merge);
		free(tl);
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
		t->cancel = NULL;
	while (tl->all)
		tsx_destroy(tl->all);
	htable_free(&tl->server);
	htable_free(&tl->client);
	htable_free(&tl->merge);
	free(tl);
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
	struct tsx *t = malloc(sizeof(*t) + data_len);

	if (!t)
		return NULL;
	memset(t, 0, sizeof(*t));
	t->layer = tl;
	t->kind = (uint8_t)kind;
	t->created_us = monotonic_us();
	evtimer_assign(&t->timer, tl->sd->base, on_timer, t);
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

	event_del(&t->timer);
	tsx_unlink(t);
	if (t->cancel)
		tsx_destroy(t->cancel);
	if (t->prev)
		t->prev->next = t->next;
	else
		tl->all = t->next;
	if (t->next)
		t->next->prev = t->prev;
	tl->count[t->kind]--;
	tl->total--;
	free(t->resp);
	free(t);
}

/* Terminated: out of the tables (a late message is new or stray) and no
 * timer; the memory goes when nobody holds it (tsx_maybe_free). */
void tsx_terminate(struct tsx *t)
{
	t->state = TSX_TERMINATED;
	tsx_timer_stop(t);
	tsx_unlink(t);
	if (t->cancel) {
		tsx_destroy(t->cancel);
		t->cancel = NULL;
	}
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

void tsx_timer_stop(struct tsx *t)
{
	event_del(&t->timer);
	t->timer_kind = TSX_TIMER_NONE;
}

static int64_t monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The next retransmission after t->retr_ms, unless the deadline comes
 * first. The deadline is absolute, so late retransmissions (a busy loop)
 * never push timer B, F or H back. */
static void arm_next(struct tsx *t)
{
	int64_t left = t->deadline_us - monotonic_us(), us = (int64_t)t->retr_ms * 1000;
	struct timeval tv;

	if (us >= left) {
		us = left > 0 ? left : 0;
		t->timer_kind = TSX_TIMER_DEADLINE;
	} else {
		t->timer_kind = TSX_TIMER_RETRANSMIT;
	}
	tv.tv_sec = us / 1000000;
	tv.tv_usec = us % 1000000;
	event_add(&t->timer, &tv);
}

void tsx_timer_retransmit(struct tsx *t, uint32_t first_ms, uint32_t deadline_ms)
{
	event_del(&t->timer);
	t->retr_ms = first_ms;
	t->deadline_us = monotonic_us() + (int64_t)deadline_ms * 1000;
	arm_next(t);
}

void tsx_timer_fixed(struct tsx *t, const struct timeval *common)
{
	event_del(&t->timer);
	t->timer_kind = TSX_TIMER_DEADLINE;
	event_add(&t->timer, common);
}

/*
 * A retransmission doubles the interval up to T2 (RFC 3261 §17.1.1.2,
 * §17.1.2.2, §17.2.1; T2 caps timer A too, unlike RFC 3261 and Sippy: a
 * quiet INVITE peer is probed every 4 s instead of 16 s apart at the end).
 * A non-INVITE client in Proceeding retransmits every T2.
 */
static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct tsx *t = arg;
	struct tsx_layer *tl = t->layer;
	bool server = t->kind == TSX_SERVER_INVITE || t->kind == TSX_SERVER_NON_INVITE;

	(void)fd;
	(void)what;
	t->busy++;
	if (t->timer_kind == TSX_TIMER_RETRANSMIT) {
		if (server)
			tsx_server_retransmit(t);
		else
			tsx_client_retransmit(t);
		tl->sd->stats.retransmissions_out++;
		if (t->kind == TSX_CLIENT_NON_INVITE && t->state == TSX_PROCEEDING)
			t->retr_ms = tl->tm.t2_ms;
		else
			t->retr_ms = t->retr_ms * 2 < tl->tm.t2_ms ? t->retr_ms * 2 : tl->tm.t2_ms;
		arm_next(t);
	} else {
		t->timer_kind = TSX_TIMER_NONE;
		if (server)
			tsx_server_timeout(t);
		else
			tsx_client_timeout(t);
	}
	t->busy--;
	tsx_maybe_free(t);
}

int tsx_transmit(struct tsx *t, const char *buf, size_t len)
{
	return sigd_send(t->layer->sd, &t->peer, buf, len);
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

const struct netaddr *tsx_peer(const struct tsx *t)
{
	return &t->peer;
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
