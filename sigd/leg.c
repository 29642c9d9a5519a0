/*
 * leg.c - the leg table, leg ids, per-leg memory and the life cycle from
 * creation to LegClosed (leg.h).
 */
#include "leg.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "delay_queue.h"
#include "event.h"
#include "leg_sdp.h"
#include "link.h"
#include "log.h"
#include "sdp.h"
#include "sigd.h"
#include "slab.h"
#include "tsx.h"
#include "ua.h"

#define NONCE_SECRET_LEN 32

struct leg_layer {
	struct htable by_id;
	struct htable by_dialog;
	uint64_t next_id;
	size_t max;
	struct leg_timers tm;
	struct delay_queue linger;	/* of struct leg_linger */
	struct slab_pool linger_pool;
	uint64_t rng[4];
	uint8_t nonce_secret[NONCE_SECRET_LEN];	/* the node's own */
	uint8_t shared_secret[LEG_NONCE_SECRET_MAX];	/* ccd's, if shared_len */
	size_t shared_len;
	struct leg_stats stats;
	struct ev_out *ev_out;
	struct sdp_session *sdp;
	/* Kept SDPs: the packer's index, a body packed (one per side of a
	 * var block being rebuilt), a body unpacked. */
	struct leg_sdp_index sdp_ix;
	char sdp_packed[2][LEG_SDP_PACKED_MAX(SIP_MAX_MESSAGE)];
	char sdp_text[SIP_MAX_MESSAGE + 1];
};

/* An ended leg waiting out its linger, in place of its libevent timer
 * (32 bytes instead of 144, and woken with the legs that ended within the
 * same grain: delay_queue.h). On pages of their own, like transactions:
 * they too outlive their calls by a fixed while (slab.h). */
struct leg_linger {
	struct dq_entry e;
	struct leg *leg;
};

static const struct leg_timers default_timers = { 500, 4000, 32000, 300000 };

/* ---------------------------------------------------------------- random */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* getrandom() once; should the kernel refuse, the clock and pid still
 * give distinct tags per process (tags need uniqueness, not secrecy). */
static void fill_random(void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = getrandom(p + got, len - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		got += (size_t)n;
	}
	if (got < len) {
		struct timespec ts;
		uint64_t x;

		clock_gettime(CLOCK_REALTIME, &ts);
		x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ ((uint64_t)getpid() << 40);
		for (; got < len; got++)
			p[got] = (uint8_t)splitmix64(&x);
	}
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256**: fast, and 64 random bits per tag are plenty. */
uint64_t legs_rand(struct sigd *sd)
{
	uint64_t *s = sd->legs->rng;
	uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

void legs_seed(struct sigd *sd, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		sd->legs->rng[i] = splitmix64(&seed);
}

static void hex64(uint64_t v, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (int i = LEG_TAG_LEN - 1; i >= 0; i--) {
		out[i] = hex[v & 15];
		v >>= 4;
	}
	out[LEG_TAG_LEN] = '\0';
}

void legs_tag(struct sigd *sd, char out[LEG_TAG_LEN + 1])
{
	hex64(legs_rand(sd), out);
}

void legs_branch(struct sigd *sd, char out[LEG_BRANCH_LEN + 1])
{
	memcpy(out, "z9hG4bK", 7);
	hex64(legs_rand(sd), out + 7);
}

/* ---------------------------------------------------------------- layer */

static void on_linger(struct delay_queue *q, struct dq_entry *e, void *arg);

int legs_init(struct sigd *sd)
{
	struct leg_layer *ll = calloc(1, sizeof(*ll));

	if (!ll)
		return -1;
	ll->ev_out = malloc(sizeof(*ll->ev_out));
	ll->sdp = malloc(sizeof(*ll->sdp));
	if (!ll->ev_out || !ll->sdp || htable_init(&ll->by_id, 1024) < 0 ||
	    htable_init(&ll->by_dialog, 1024) < 0 ||
	    delay_queue_init(&ll->linger, sd->base, default_timers.linger_ms, on_linger, sd) < 0) {
		htable_free(&ll->by_id);
		htable_free(&ll->by_dialog);
		free(ll->ev_out);
		free(ll->sdp);
		free(ll);
		return -1;
	}
	ll->max = LEGS_MAX_DEFAULT;
	ll->tm = default_timers;
	leg_sdp_index_init(&ll->sdp_ix);
	fill_random(ll->rng, sizeof(ll->rng));
	if (!(ll->rng[0] | ll->rng[1] | ll->rng[2] | ll->rng[3]))
		ll->rng[0] = 1;
	fill_random(ll->nonce_secret, sizeof(ll->nonce_secret));
	slab_pool_init(&ll->linger_pool, sizeof(struct leg_linger));
	sd->legs = ll;
	return 0;
}

static void free_leg(struct leg *l);

static void free_node(struct htable_node *n, void *arg)
{
	struct leg *l = htable_entry(n, struct leg, id_node);

	(void)arg;
	free_leg(l);
}

void legs_free(struct sigd *sd)
{
	struct leg_layer *ll = sd->legs;

	if (!ll)
		return;
	htable_foreach(&ll->by_id, free_node, NULL);
	htable_free(&ll->by_id);
	htable_free(&ll->by_dialog);
	delay_queue_free(&ll->linger);
	slab_pool_free(&ll->linger_pool);
	free(ll->ev_out);
	free(ll->sdp);
	free(ll);
	sd->legs = NULL;
}

void legs_set_timers(struct sigd *sd, const struct leg_timers *tm)
{
	struct leg_layer *ll = sd->legs;

	ll->tm = *tm;
	if (ll->tm.t1_ms == 0)
		ll->tm.t1_ms = default_timers.t1_ms;
	if (ll->tm.t2_ms < ll->tm.t1_ms)
		ll->tm.t2_ms = ll->tm.t1_ms;
	if (ll->tm.expires_ms == 0)
		ll->tm.expires_ms = default_timers.expires_ms;
	delay_queue_set_delay(&ll->linger, ll->tm.linger_ms);
}

const struct leg_timers *legs_timers(const struct sigd *sd)
{
	return &sd->legs->tm;
}

void legs_set_max(struct sigd *sd, size_t max)
{
	sd->legs->max = max;
}

size_t legs_max(const struct sigd *sd)
{
	return sd->legs ? sd->legs->max : 0;
}

size_t legs_count(const struct sigd *sd)
{
	return sd->legs ? sd->legs->by_id.count : 0;
}

bool legs_full(const struct sigd *sd)
{
	return sd->legs->max && sd->legs->by_id.count >= sd->legs->max;
}

struct leg_stats *legs_stats(struct sigd *sd)
{
	return &sd->legs->stats;
}

struct foreach_ctx {
	void (*fn)(struct leg *l, void *arg);
	void *arg;
};

static void foreach_node(struct htable_node *n, void *arg)
{
	struct foreach_ctx *c = arg;
	struct leg *l = htable_entry(n, struct leg, id_node);

	if (l->state != LEG_DEAD)
		c->fn(l, c->arg);
}

void legs_foreach(struct sigd *sd, void (*fn)(struct leg *l, void *arg), void *arg)
{
	struct foreach_ctx c = { fn, arg };

	if (sd->legs)
		htable_foreach(&sd->legs->by_id, foreach_node, &c);
}

struct ev_out *legs_ev_out(struct sigd *sd)
{
	return sd->legs->ev_out;
}

struct sdp_session *legs_sdp_scratch(struct sigd *sd)
{
	return sd->legs->sdp;
}

void legs_nonce_secret(const struct sigd *sd, const uint8_t **secret, size_t *len)
{
	const struct leg_layer *ll = sd->legs;

	if (ll->shared_len) {
		*secret = ll->shared_secret;
		*len = ll->shared_len;
	} else {
		*secret = ll->nonce_secret;
		*len = sizeof(ll->nonce_secret);
	}
}

int legs_set_nonce_secret(struct sigd *sd, const uint8_t *secret, size_t len)
{
	struct leg_layer *ll = sd->legs;

	if (len && (len < LEG_NONCE_SECRET_MIN || len > LEG_NONCE_SECRET_MAX || !secret))
		return -1;
	if (len == ll->shared_len && (len == 0 || memcmp(secret, ll->shared_secret, len) == 0))
		return 0;
	if (len)
		memcpy(ll->shared_secret, secret, len);
	ll->shared_len = len;
	LOGI(PL_NULL, "digest nonces: %s", len ? "using ccd's shared secret" : "using the node's own secret");
	return 0;
}

uint64_t legs_next_uas_id(struct sigd *sd)
{
	struct leg_layer *ll = sd->legs;
	uint64_t id;

	do {
		ll->next_id = (ll->next_id + 1) & ~LEG_ID_UAC_BIT;
		id = ll->next_id;
	} while (id == 0 || leg_by_id(sd, id));
	return id;
}

/* ---------------------------------------------------------------- legs */

static bool match_id(const struct htable_node *n, const void *key)
{
	return htable_entry(n, struct leg, id_node)->id == *(const uint64_t *)key;
}

struct leg *leg_by_id(struct sigd *sd, uint64_t id)
{
	struct htable_node *n = htable_find(&sd->legs->by_id, htable_hash_u64(id), match_id, &id);

	return n ? htable_entry(n, struct leg, id_node) : NULL;
}

struct dialog_key {
	struct pl call_id, tag;
};

/* Call-IDs compare case-sensitively (RFC 3261 §19.3); tags are ours, but a
 * peer that changed their case still means our dialog. */
static uint64_t dialog_hash(struct pl call_id, struct pl tag)
{
	return htable_hash_nocase(tag, htable_hash(call_id, HTABLE_SEED));
}

static bool match_dialog(const struct htable_node *n, const void *key)
{
	const struct leg *l = htable_entry(n, struct leg, dlg_node);
	const struct dialog_key *k = key;

	return l->state != LEG_DEAD && pl_eq(leg_call_id(l), k->call_id) &&
	       pl_caseeq(leg_local_tag(l), k->tag);
}

struct leg *leg_by_dialog(struct sigd *sd, struct pl call_id, struct pl local_tag)
{
	struct dialog_key k = { call_id, local_tag };
	struct htable_node *n = htable_find(&sd->legs->by_dialog, dialog_hash(call_id, local_tag),
					    match_dialog, &k);

	return n ? htable_entry(n, struct leg, dlg_node) : NULL;
}

void leg_index_dialog(struct leg *l)
{
	if (l->in_dialog_table)
		return;
	htable_insert(&l->sd->legs->by_dialog, &l->dlg_node,
		      dialog_hash(leg_call_id(l), leg_local_tag(l)));
	l->in_dialog_table = true;
}

static void on_timer(evutil_socket_t fd, short what, void *arg);

struct leg *leg_new(struct sigd *sd, uint64_t id, bool uas, size_t arena_size)
{
	struct leg *l;

	if (arena_size > UINT16_MAX || leg_by_id(sd, id))
		return NULL;
	l = calloc(1, sizeof(*l) + arena_size);
	if (!l)
		return NULL;
	l->sd = sd;
	l->id = id;
	l->uas = uas;
	l->state = l->last_state = LEG_IDLE;
	sd->legs->stats.in_state[LEG_IDLE]++;
	l->arena_cap = (uint16_t)arena_size;
	htable_insert(&sd->legs->by_id, &l->id_node, htable_hash_u64(id));
	if (uas)
		sd->legs->stats.uas_created++;
	else
		sd->legs->stats.uac_created++;
	return l;
}

struct pl leg_strdup(struct leg *l, struct pl s)
{
	char *d;

	if (!s.p)
		return PL_NULL;
	if (s.l > (size_t)(l->arena_cap - l->arena_used))
		return PL_NULL;
	d = l->arena + l->arena_used;
	if (s.l)
		memcpy(d, s.p, s.l);
	l->arena_used = (uint16_t)(l->arena_used + s.l);
	return pl_from(d, s.l);
}

void *leg_alloc(struct leg *l, size_t n)
{
	uintptr_t at = (uintptr_t)(l->arena + l->arena_used);
	size_t pad = (size_t)(-at & 7);

	if (pad + n > (size_t)(l->arena_cap - l->arena_used))
		return NULL;
	l->arena_used = (uint16_t)(l->arena_used + pad + n);
	memset((char *)at + pad, 0, n);
	return (char *)at + pad;
}

/* The 16-bit lengths of struct leg_dlg hold any string we keep. */
_Static_assert(SIP_MAX_MESSAGE <= UINT16_MAX, "a var string's length must fit 16 bits");

int leg_dialog_init(struct leg *l, const struct dialog *d)
{
	const struct pl str[] = { d->call_id, d->local_tag, d->local_uri, d->remote_uri };
	uint16_t *len[] = { &l->dlg.call_id_len, &l->dlg.local_tag_len, &l->dlg.local_uri_len,
			    &l->dlg.remote_uri_len };
	size_t total = 0;

	for (size_t i = 0; i < sizeof(str) / sizeof(str[0]); i++)
		total += str[i].l;
	if (total > (size_t)(l->arena_cap - l->arena_used))
		return -1;
	l->dlg.at = l->arena_used;
	for (size_t i = 0; i < sizeof(str) / sizeof(str[0]); i++)
		*len[i] = (uint16_t)leg_strdup(l, str[i]).l;
	return 0;
}

/* The dialog's string v of the var block (they start it, in enum order). */
static struct pl var_str(const struct leg *l, enum leg_var v)
{
	size_t off = 0;

	if (l->dlg.var_len[v] == 0)
		return PL("");
	for (int i = 0; i < (int)v; i++)
		off += l->dlg.var_len[i];
	return pl_from(l->var + off, l->dlg.var_len[v]);
}

/* Bytes of the var block before the SDPs. */
static size_t var_dialog_len(const struct leg *l)
{
	size_t n = 0;

	for (int i = 0; i < LEG_VAR__DIALOG; i++)
		n += l->dlg.var_len[i];
	return n;
}

struct pl leg_remote_tag(const struct leg *l)
{
	return var_str(l, LEG_VAR_REMOTE_TAG);
}

void leg_dialog(const struct leg *l, struct dialog *d)
{
	const char *p = l->arena + l->dlg.at;

	d->call_id = pl_from(p, l->dlg.call_id_len);
	p += l->dlg.call_id_len;
	d->local_tag = pl_from(p, l->dlg.local_tag_len);
	p += l->dlg.local_tag_len;
	d->local_uri = pl_from(p, l->dlg.local_uri_len);
	p += l->dlg.local_uri_len;
	d->remote_uri = pl_from(p, l->dlg.remote_uri_len);
	d->remote_tag = var_str(l, LEG_VAR_REMOTE_TAG);
	d->remote_target = var_str(l, LEG_VAR_TARGET);
	d->route_set = var_str(l, LEG_VAR_ROUTES);
}

static struct pl packed_local(const struct leg *l)
{
	if (!l->var)
		return PL("");
	return pl_from(l->var + var_dialog_len(l), l->local_sdp_len);
}

static struct pl packed_remote(const struct leg *l)
{
	if (!l->var)
		return PL("");
	return pl_from(l->var + var_dialog_len(l) + l->local_sdp_len, l->remote_sdp_len);
}

/* sdp packed into the layer's scratch k (0 or 1); PL_NULL if too long. */
static struct pl pack(struct leg *l, struct pl sdp, int k)
{
	struct leg_layer *ll = l->sd->legs;
	long n;

	if (sdp.l > SIP_MAX_MESSAGE)
		return PL_NULL;
	n = leg_sdp_pack(&ll->sdp_ix, sdp, ll->sdp_packed[k], sizeof(ll->sdp_packed[k]));
	return n < 0 ? PL_NULL : pl_from(ll->sdp_packed[k], (size_t)n);
}

static struct pl unpack(struct leg *l, struct pl packed)
{
	struct leg_layer *ll = l->sd->legs;
	long n = leg_sdp_unpack(packed, ll->sdp_text, sizeof(ll->sdp_text));

	return n <= 0 ? PL("") : pl_from(ll->sdp_text, (size_t)n);
}

struct pl leg_local_sdp(struct leg *l)
{
	return unpack(l, packed_local(l));
}

struct pl leg_remote_sdp(struct leg *l)
{
	return unpack(l, packed_remote(l));
}

bool leg_local_sdp_is(struct leg *l, struct pl sdp)
{
	return pl_eq(pack(l, sdp, 0), packed_local(l));
}

bool leg_remote_sdp_is(struct leg *l, struct pl sdp)
{
	return pl_eq(pack(l, sdp, 0), packed_remote(l));
}

/*
 * The whole block is rebuilt, exactly sized, so it never grows with the
 * number of changes; the values may point into the old block. The SDPs
 * are kept packed and known by their lengths alone (they end the block).
 */
int leg_var_update(struct leg *l, unsigned mask, const struct pl v[LEG_VAR__COUNT])
{
	struct pl nv[LEG_VAR__COUNT];
	size_t total = 0, off = 0;
	bool same = true;
	char *nb = NULL;

	for (int i = 0; i < LEG_VAR__DIALOG; i++) {
		struct pl old = var_str(l, (enum leg_var)i);

		nv[i] = mask & LEG_VAR_BIT(i) ? v[i] : old;
		if (nv[i].l > SIP_MAX_MESSAGE)
			return -1;
		same = same && pl_eq(nv[i], old);
	}
	nv[LEG_VAR_LOCAL_SDP] = mask & LEG_VAR_BIT(LEG_VAR_LOCAL_SDP)
		? pack(l, v[LEG_VAR_LOCAL_SDP], 0) : packed_local(l);
	nv[LEG_VAR_REMOTE_SDP] = mask & LEG_VAR_BIT(LEG_VAR_REMOTE_SDP)
		? pack(l, v[LEG_VAR_REMOTE_SDP], 1) : packed_remote(l);
	if (!nv[LEG_VAR_LOCAL_SDP].p || !nv[LEG_VAR_REMOTE_SDP].p)
		return -1;
	same = same && pl_eq(nv[LEG_VAR_LOCAL_SDP], packed_local(l)) &&
	       pl_eq(nv[LEG_VAR_REMOTE_SDP], packed_remote(l));
	/* A retransmission, or a 200 repeating what the 180 said: no work. */
	if (same && l->var)
		return 0;
	for (int i = 0; i < LEG_VAR__COUNT; i++)
		total += nv[i].l;
	if (total && !(nb = malloc(total)))
		return -1;
	for (int i = 0; i < LEG_VAR__COUNT; i++) {
		if (nv[i].l)
			memcpy(nb + off, nv[i].p, nv[i].l);
		off += nv[i].l;
	}
	for (int i = 0; i < LEG_VAR__DIALOG; i++)
		l->dlg.var_len[i] = (uint16_t)nv[i].l;
	free(l->var);
	l->var = nb;
	l->local_sdp_len = (uint32_t)nv[LEG_VAR_LOCAL_SDP].l;
	l->remote_sdp_len = (uint32_t)nv[LEG_VAR_REMOTE_SDP].l;
	return 0;
}

int leg_var_set_all(struct leg *l, const struct pl v[LEG_VAR__COUNT])
{
	return leg_var_update(l, LEG_VAR_BIT(LEG_VAR__COUNT) - 1, v);
}

int leg_var_set(struct leg *l, enum leg_var which, struct pl value)
{
	struct pl v[LEG_VAR__COUNT];

	for (int i = 0; i < LEG_VAR__COUNT; i++)
		v[i] = PL_NULL;
	v[which] = value;
	return leg_var_update(l, LEG_VAR_BIT(which), v);
}

static void release_tsx(struct tsx **t)
{
	if (*t) {
		tsx_release(*t);
		*t = NULL;
	}
}

static void free_leg(struct leg *l)
{
	struct leg_layer *ll = l->sd->legs;

	leg_timer_stop(l);
	ua_keepalive_stop(l);
	ll->stats.in_state[l->state]--;
	htable_remove(&ll->by_id, &l->id_node);
	if (l->in_dialog_table)
		htable_remove(&ll->by_dialog, &l->dlg_node);
	release_tsx(&l->inv);
	release_tsx(&l->reinv);
	free(l->rtx);
	free(l->var);
	free(l);
}

/* Dead: LegClosed is always the last word about a leg. */
static void die(struct leg *l)
{
	LOGD(leg_call_id(l), "leg %llu closed (%s)", (unsigned long long)l->id,
	     leg_state_name((enum leg_state)l->last_state));
	if (!l->closed_sent)
		link_leg_closed(l->sd, l->id, l->last_state);
	l->sd->legs->stats.closed++;
	free_leg(l);
}

void leg_drop(struct leg *l)
{
	LOGD(leg_call_id(l), "leg %llu dropped in %s", (unsigned long long)l->id,
	     leg_state_name((enum leg_state)l->state));
	l->sd->legs->stats.dropped++;
	free_leg(l);
}

/*
 * Freeing the event from inside its own callback is safe: libevent does
 * not touch a non-persistent event once its callback runs (die() frees
 * the whole leg here too).
 */
static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct leg *l = arg;

	(void)fd;
	(void)what;
	switch (l->state) {
	case LEG_DEAD:
		die(l);
		return;
	case LEG_DISCONNECTED:
	case LEG_FAILED:
		leg_set_state(l, LEG_DEAD);
		break;
	default:
		ua_timer(l);
		break;
	}
	/* Not armed again: a held leg keeps no timer. (A leg the callback
	 * ended lingers instead: no event left to look at.) */
	if (!l->lingering && l->timer && !event_pending(l->timer, EV_TIMEOUT, NULL))
		leg_timer_stop(l);
}

static void linger_stop(struct leg *l)
{
	delay_queue_remove(&l->sd->legs->linger, &l->linger->e);
	slab_free(l->linger);
	l->linger = NULL;
	l->lingering = false;
}

/* The timer's event, allocated on first use (a 144-byte chunk only while
 * something is pending); it replaces the linger. False when out of
 * memory: logged, and the leg then waits for the next event from its
 * peer or ccd instead. */
static bool timer_get(struct leg *l)
{
	if (l->lingering)
		linger_stop(l);
	if (!l->timer && !(l->timer = event_new(l->sd->base, -1, 0, on_timer, l)))
		LOGE(leg_call_id(l), "leg %llu: out of memory for its timer", (unsigned long long)l->id);
	return l->timer != NULL;
}

void leg_timer_arm(struct leg *l, uint32_t ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	if (timer_get(l))
		event_add(l->timer, &tv);
}

void leg_timer_stop(struct leg *l)
{
	if (l->lingering) {
		linger_stop(l);
	} else if (l->timer) {
		event_free(l->timer);
		l->timer = NULL;
	}
}

/* Death right away, from the loop (leg_set_state's promise). */
static void schedule_death(struct leg *l)
{
	if (timer_get(l)) {
		event_del(l->timer);
		event_active(l->timer, EV_TIMEOUT, 0);
	}
}

/* Without the memory for its place in the queue, a leg skips its linger. */
static void linger_start(struct leg *l)
{
	struct leg_layer *ll = l->sd->legs;
	struct leg_linger *n;

	leg_timer_stop(l);
	if (!(n = slab_alloc(&ll->linger_pool))) {
		LOGE(leg_call_id(l), "leg %llu: out of memory to linger", (unsigned long long)l->id);
		schedule_death(l);
		return;
	}
	n->leg = l;
	delay_queue_add(&ll->linger, &n->e);
	l->linger = n;
	l->lingering = true;
}

static void enter_state(struct leg *l, enum leg_state s)
{
	LOGD(leg_call_id(l), "leg %llu: %s -> %s", (unsigned long long)l->id,
	     leg_state_name((enum leg_state)l->state), leg_state_name(s));
	l->last_state = l->state;
	l->state = s;
	l->sd->legs->stats.in_state[l->last_state]--;
	l->sd->legs->stats.in_state[s]++;
}

/* The linger is over: from the queue's timer, where nothing else holds
 * the leg, so it dies at once. */
static void on_linger(struct delay_queue *q, struct dq_entry *e, void *arg)
{
	struct leg_linger *n = (struct leg_linger *)(void *)((char *)e - offsetof(struct leg_linger, e));
	struct leg *l = n->leg;

	(void)q;
	(void)arg;
	slab_free(n);
	l->linger = NULL;
	l->lingering = false;
	enter_state(l, LEG_DEAD);
	ua_keepalive_stop(l);
	die(l);
}

void leg_set_state(struct leg *l, enum leg_state s)
{
	if (l->state == s || l->state == LEG_DEAD)
		return;
	enter_state(l, s);
	switch (s) {
	case LEG_CONNECTED:
		/* Answered: keep-alives start (not after a re-INVITE). */
		if (l->last_state < LEG_CONNECTED)
			ua_keepalive_start(l);
		break;
	case LEG_DISCONNECTED:
	case LEG_FAILED:
		ua_keepalive_stop(l);
		free(l->rtx);
		l->rtx = NULL;
		linger_start(l);
		break;
	case LEG_DEAD:
		ua_keepalive_stop(l);
		schedule_death(l);
		break;
	default:
		break;
	}
}

const char *leg_state_name(enum leg_state s)
{
	static const char *const names[] = {
		"?", "Idle", "Trying", "Ringing", "Connected", "Updating",
		"Cancelling", "Disconnected", "Failed", "Dead",
	};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}
