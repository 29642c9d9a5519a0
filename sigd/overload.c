/*
 * overload.c - sigd's overload control (overload.h): the decision, and
 * the stateless 503 that refuses a new INVITE.
 *
 * Why stateless: a refusal must cost far less than a call, or refusing
 * would not free the CPU the calls we keep need. A refused INVITE gets no
 * transaction, no leg, no timer and no memory: it is parsed (it had to be,
 * to know it is a new INVITE), answered from its own bytes and forgotten.
 * Its retransmissions get the same answer again (the To tag is a keyed
 * hash of the request, as Kamailio's sl module does), and the ACK of the
 * 503 finds no transaction and no dialog and is dropped by the usual path.
 */
#include "overload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>

#include "htable.h"
#include "leg.h"
#include "log.h"
#include "sched_rt.h"
#include "sigd.h"
#include "sip_msg.h"
#include "sip_write.h"
#include "transport.h"
/*
 * The one reach into the transaction layer's inside: an INVITE refused
 * here must not be a retransmission of one whose transaction exists (the
 * caller would take our 503 as the end of a call we did take), and tsx.h
 * has no lookup without side effects. Only consulted once a refusal has
 * been decided, so the normal path pays nothing for it.
 */
#include "tsx_priv.h"

#define PM OVERLOAD_PERMILLE
#define TOKEN 1000000ULL		/* one call in the --max-cps bucket */
#define MAX_DELAY_US 10000000LL		/* a wait longer than this is a clock step */
#define EPISODE_END_US 1000000		/* shedding is over after 1 s without a refusal */
#define FAST_RISE_US 20000		/* at most one rise between intervals per 20 ms */

struct overload {
	struct overload_ctl ctl;
	struct overload_stats st;
	uint64_t seed;		/* keys the To tags of our 503s */
	uint64_t rng;		/* spreads Retry-After */
	bool active;		/* refusing (for the log lines and metrics) */
	bool capacity_over;	/* between the high and low marks, on the way down */
	int64_t last_shed_us;
	int64_t episode_start_us;
	uint64_t episode_shed;
};

static int64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---------------------------------------------------------------- the decision */

static uint64_t bucket_cap(const struct overload_ctl *c)
{
	uint64_t burst = c->cfg.max_cps / 10;

	return (burst ? burst : 1) * TOKEN;
}

void overload_ctl_init(struct overload_ctl *c, const struct overload_config *cfg, int64_t now_us)
{
	memset(c, 0, sizeof(*c));
	c->cfg = *cfg;
	c->interval_end_us = now_us + OVERLOAD_INTERVAL_US;
	c->min_delay_us = INT64_MAX;
	c->latest_us = c->carry_us = -1;
	c->fast_us = now_us - FAST_RISE_US;
	c->bucket_us = now_us;
	c->bucket = bucket_cap(c);
}

/*
 * The smallest delay of the interval that ends, or -1 when it says
 * nothing. One late wake-up is no overload (the loop may have been
 * descheduled once), two in a row are: an interval with a single delay is
 * judged with the one before it. An interval without any is idle, unless
 * the last delay was late: then the loop may be too busy to wake at all.
 */
static int64_t interval_delay(const struct overload_ctl *c)
{
	int64_t target = (int64_t)c->cfg.max_delay_ms * 1000;

	if (c->samples == 0)
		return c->latest_us > target ? -1 : 0;
	if (c->samples == 1)
		return c->carry_us < 0 ? 0 : c->min_delay_us < c->carry_us ? c->min_delay_us : c->carry_us;
	return c->min_delay_us;
}

/* How much a delay d above the target raises the share: 5% at the
 * target, 10% at twice it, at most 40%. */
static uint32_t rise(int64_t d, int64_t target)
{
	return d >= 8 * target ? 400 : (uint32_t)(50 * d / target);
}

static void raise_share(struct overload_ctl *c, int64_t d, int64_t target)
{
	uint32_t step = rise(d, target);

	c->shed_pm = c->shed_pm + step > PM ? PM : c->shed_pm + step;
	c->clear = 0;
}

/* The end of an interval: the share refused follows its delay. */
static void close_interval(struct overload_ctl *c)
{
	int64_t target = (int64_t)c->cfg.max_delay_ms * 1000;
	int64_t d = interval_delay(c);

	c->last_delay_us = c->samples ? c->min_delay_us : 0;
	c->samples = 0;
	c->min_delay_us = INT64_MAX;
	c->carry_us = c->latest_us;
	if (!target) {
		c->shed_pm = 0;
		c->clear = 0;
	} else if (d > target) {
		raise_share(c, d, target);
	} else if (d >= 0 && d < target / 4) {
		/*
		 * 1% after one clear interval, 2% more after the next, and so
		 * on: while the load stays, the share creeps down and settles
		 * where the queue starts to stand again, instead of swinging
		 * (a drop by a quarter overshoots and floods the queue); once
		 * the load is gone, it is back at 0 within 1.4 s.
		 */
		uint32_t step = (c->clear < PM / 10 ? c->clear + 1 : PM / 10) * 10;

		c->shed_pm = c->shed_pm > step ? c->shed_pm - step : 0;
		c->clear++;
	} else {
		c->clear = 0;
	}
}

void overload_ctl_advance(struct overload_ctl *c, int64_t now_us)
{
	int64_t end;

	if (now_us < c->interval_end_us)
		return;
	close_interval(c);
	end = c->interval_end_us + OVERLOAD_INTERVAL_US;
	/* Whole intervals without a wake-up. Bounded: the share reaches 0
	 * from 100% in 14 of them, and a late last delay stops the loop. */
	for (; end <= now_us && c->shed_pm && interval_delay(c) == 0; end += OVERLOAD_INTERVAL_US)
		close_interval(c);
	if (end <= now_us)
		end += ((now_us - end) / OVERLOAD_INTERVAL_US + 1) * OVERLOAD_INTERVAL_US;
	c->interval_end_us = end;
}

void overload_ctl_delay(struct overload_ctl *c, int64_t delay_us, int64_t now_us)
{
	int64_t target = (int64_t)c->cfg.max_delay_ms * 1000;

	overload_ctl_advance(c, now_us);
	if (delay_us < 0 || delay_us > MAX_DELAY_US)
		return;
	/*
	 * A queue that grows fast overflows before the interval ends (the
	 * receive buffer holds some 50 ms of a flood): two wake-ups in a row
	 * late, the second by more than twice the target, raise the share
	 * at once, at most every 20 ms.
	 */
	if (target && delay_us > 2 * target && c->latest_us > target &&
	    now_us - c->fast_us >= FAST_RISE_US) {
		raise_share(c, delay_us, target);
		c->fast_us = now_us;
	}
	if (delay_us < c->min_delay_us)
		c->min_delay_us = delay_us;
	c->latest_us = delay_us;
	c->samples++;
}

static bool take_token(struct overload_ctl *c, int64_t now_us)
{
	int64_t dt = now_us - c->bucket_us;
	uint64_t cap = bucket_cap(c);

	if (dt > 0) {
		/* ten seconds fill any bucket: no overflow below */
		if (dt > 10000000)
			dt = 10000000;
		c->bucket += (uint64_t)dt * c->cfg.max_cps;
		if (c->bucket > cap)
			c->bucket = cap;
		c->bucket_us = now_us;
	}
	if (c->bucket < TOKEN)
		return false;
	c->bucket -= TOKEN;
	return true;
}

enum overload_reason overload_ctl_decide(struct overload_ctl *c, uint64_t setups, int64_t now_us)
{
	overload_ctl_advance(c, now_us);
	if (c->cfg.max_setups) {
		uint64_t max = c->cfg.max_setups;

		if (setups >= max)
			c->setups_over = true;
		else if (setups < max - max / 10)
			c->setups_over = false;
		if (c->setups_over)
			return OVERLOAD_SHED_SETUPS;
	}
	if (c->shed_pm) {
		c->credit_pm += c->shed_pm;
		if (c->credit_pm >= PM) {
			c->credit_pm -= PM;
			return OVERLOAD_SHED_QUEUE;
		}
	} else {
		c->credit_pm = 0;
	}
	if (c->cfg.max_cps && !take_token(c, now_us))
		return OVERLOAD_SHED_CPS;
	return OVERLOAD_ADMIT;
}

/* ---------------------------------------------------------------- the 503 */

/* The To tag of our 503: the same for every copy of one INVITE. */
static void shed_tag(const struct overload *ov, const struct sip_msg *m, char out[LEG_TAG_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	uint64_t h = htable_hash(m->call_id, ov->seed);

	h = htable_hash(m->from.tag, h);
	h = htable_hash_u64(htable_hash(m->via.branch, h) ^ m->cseq);
	for (int i = 0; i < LEG_TAG_LEN; i++)
		out[i] = hex[(h >> (60 - 4 * i)) & 0xf];
	out[LEG_TAG_LEN] = '\0';
}

static char retry_after(struct overload *ov)
{
	/* xorshift64: spreads the callers' retries, nothing more */
	ov->rng ^= ov->rng << 13;
	ov->rng ^= ov->rng >> 7;
	ov->rng ^= ov->rng << 17;
	return (char)('0' + OVERLOAD_RETRY_AFTER_MIN_S +
		      ov->rng % (OVERLOAD_RETRY_AFTER_MAX_S - OVERLOAD_RETRY_AFTER_MIN_S + 1));
}

/*
 * "503 Service Unavailable" with Retry-After, built from the request
 * alone (RFC 3261 §8.2.6: Via with received/rport, From, To with our tag,
 * Call-ID, CSeq). Returns -1 when it cannot be built or sent; the INVITE
 * then takes the usual path.
 */
static int send_503(struct sigd *sd, struct overload *ov, const struct sip_msg *m,
		    const struct sip_rx *rx)
{
	const struct sip_hdr *via = sip_msg_hdr(m, SIP_HDR_VIA);
	const struct sip_hdr *from = sip_msg_hdr(m, SIP_HDR_FROM);
	const struct sip_hdr *to = sip_msg_hdr(m, SIP_HDR_TO);
	char tag[LEG_TAG_LEN + 1], ra;
	struct sip_writer w;
	struct netaddr dst;
	size_t branch_at;
	int n;

	if (!via || !from || !to)
		return -1;
	shed_tag(ov, m, tag);
	ra = retry_after(ov);
	sip_w_init(&w, sd->out, sizeof(sd->out));
	sip_w_status_line(&w, 503, PL_NULL);
	transport_write_top_via(&w, via->value, &m->via, &rx->src, &branch_at);
	for (const struct sip_hdr *h = sip_msg_hdr_next(m, via); h; h = sip_msg_hdr_next(m, h))
		sip_w_header(&w, PL("Via"), h->value);
	sip_w_header(&w, PL("From"), from->value);
	sip_w_header_begin(&w, PL("To"));
	sip_w_pl(&w, to->value);
	sip_w_str(&w, ";tag=");
	sip_w_str(&w, tag);
	sip_w_header_end(&w);
	sip_w_call_id(&w, m->call_id);
	sip_w_cseq(&w, m->cseq, m->method);
	sip_w_header(&w, PL("Retry-After"), pl_from(&ra, 1));
	n = sip_w_finish(&w, PL_NULL, PL_NULL);
	if (n < 0)
		return -1;
	transport_reply_dest(&m->via, &rx->src, &dst);
	return sigd_send(sd, &dst, sd->out, (size_t)n);
}

/* ---------------------------------------------------------------- in sigd */

static const char *const reason_names[OVERLOAD__COUNT] = {
	[OVERLOAD_ADMIT] = "admitted",
	[OVERLOAD_SHED_QUEUE] = "queue delay",
	[OVERLOAD_SHED_SETUPS] = "setups in flight",
	[OVERLOAD_SHED_CPS] = "max-cps",
	[OVERLOAD_SHED_CAPACITY] = "capacity",
};

int overload_init(struct sigd *sd)
{
	struct overload *ov = calloc(1, sizeof(*ov));
	struct overload_config cfg = {
		.max_delay_ms = sd->cfg.max_queue_delay_ms,
		.max_setups = sd->cfg.max_setups,
		.max_cps = sd->cfg.max_cps,
	};

	if (!ov)
		return -1;
	if (getrandom(&ov->seed, sizeof(ov->seed), GRND_NONBLOCK) != sizeof(ov->seed))
		ov->seed = (uint64_t)sigd_now_us() ^ (uint64_t)(uintptr_t)ov;
	ov->rng = htable_hash_u64(ov->seed) | 1;
	overload_ctl_init(&ov->ctl, &cfg, mono_us());
	sd->overload = ov;
	return 0;
}

void overload_free(struct sigd *sd)
{
	free(sd->overload);
	sd->overload = NULL;
}

void overload_rx_wakeup(struct sigd *sd, struct msghdr *oldest)
{
	struct overload *ov = sd->overload;

	if (!ov || !ov->ctl.cfg.max_delay_ms)
		return;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(oldest); c; c = CMSG_NXTHDR(oldest, c)) {
		struct timespec stamp, now;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS)
			continue;
		memcpy(&stamp, CMSG_DATA(c), sizeof(stamp));
		clock_gettime(CLOCK_REALTIME, &now);
		overload_ctl_delay(&ov->ctl, (int64_t)(now.tv_sec - stamp.tv_sec) * 1000000 +
					     (now.tv_nsec - stamp.tv_nsec) / 1000, mono_us());
		return;
	}
}

static void episode_start(struct overload *ov, enum overload_reason r, int64_t now)
{
	char why[96];

	ov->active = true;
	ov->st.episodes++;
	ov->episode_start_us = now;
	ov->episode_shed = 0;
	switch (r) {
	case OVERLOAD_SHED_QUEUE:
		snprintf(why, sizeof(why), "datagrams wait %lld ms in the receive queue, more than %u ms",
			 (long long)(ov->ctl.latest_us / 1000), ov->ctl.cfg.max_delay_ms);
		break;
	case OVERLOAD_SHED_CAPACITY:
		snprintf(why, sizeof(why), "transactions or legs near their limit");
		break;
	case OVERLOAD_SHED_SETUPS:
		snprintf(why, sizeof(why), "%u or more legs in Trying (--max-setups)", ov->ctl.cfg.max_setups);
		break;
	default:
		snprintf(why, sizeof(why), "more than %u new calls/s (--max-cps)", ov->ctl.cfg.max_cps);
		break;
	}
	LOGW(PL_NULL, "overload: refusing new calls with 503: %s", why);
}

static void episode_maybe_end(struct overload *ov, int64_t now)
{
	if (!ov->active || now - ov->last_shed_us < EPISODE_END_US)
		return;
	ov->active = false;
	LOGI(PL_NULL, "overload over: %llu new calls refused in %.1f s",
	     (unsigned long long)ov->episode_shed, (double)(ov->last_shed_us - ov->episode_start_us) / 1e6);
}

/* --rt-prio holds only while the node has headroom (sched_rt.h): under a
 * flood a real-time loop would keep its CPU from everything else on the
 * host, the callers' answers and the RADIUS server included. */
static void episode_priority(struct sigd *sd, bool shedding)
{
	char err[160];

	if (!sd->cfg.rt_prio)
		return;
	if (shedding ? rt_prio_pause() < 0 : rt_prio_apply((int)sd->cfg.rt_prio, err, sizeof(err)) < 0)
		LOGW(PL_NULL, "overload: cannot %s real-time priority", shedding ? "leave" : "return to");
	else
		LOGI(PL_NULL, shedding ? "overload: normal priority while refusing calls"
				       : "overload over: back to real-time priority %u", sd->cfg.rt_prio);
}

/* p of max, per mille (0 when there is no limit). */
static uint64_t fill_pm(size_t n, size_t max)
{
	return max ? (uint64_t)n * OVERLOAD_PERMILLE / max : 0;
}

/*
 * The state tables near their limits, with hysteresis. At the limit
 * itself sigd drops new requests (transactions) or answers 503 (legs),
 * and then a BYE or the originate leg of a call already taken can fail:
 * refusing new calls earlier keeps room for them.
 */
static bool capacity_over(struct sigd *sd, struct overload *ov)
{
	uint64_t tsx = sd->tsx ? fill_pm(sd->tsx->total, sd->tsx->max) : 0;
	uint64_t legs = fill_pm(legs_count(sd), legs_max(sd));

	if (tsx >= OVERLOAD_TSX_HIGH_PM || legs >= OVERLOAD_LEGS_HIGH_PM)
		ov->capacity_over = true;
	else if (tsx < OVERLOAD_TSX_LOW_PM && legs < OVERLOAD_LEGS_LOW_PM)
		ov->capacity_over = false;
	return ov->capacity_over;
}

/* A retransmission of an INVITE whose transaction exists. */
static bool has_transaction(struct sigd *sd, const struct sip_msg *m)
{
	struct tsx_server_key k;

	if (!sd->tsx)
		return false;
	tsx_server_key_from(&k, m);
	return tsx_server_find(sd->tsx, &k) != NULL;
}

bool overload_shed(struct sigd *sd, const struct sip_msg *m, const struct sip_rx *rx)
{
	struct overload *ov = sd->overload;
	enum overload_reason r;
	int64_t now;

	if (!ov || !m->is_request || m->method_id != SIP_METHOD_INVITE ||
	    (pl_isset(m->to.tag) && m->to.tag.l > 0))
		return false;
	now = mono_us();
	if (capacity_over(sd, ov))
		r = OVERLOAD_SHED_CAPACITY;
	else
		r = overload_ctl_decide(&ov->ctl, sd->legs ? legs_stats(sd)->in_state[LEG_TRYING] : 0, now);
	if (r == OVERLOAD_ADMIT) {
		ov->st.admitted++;
		if (ov->active) {
			episode_maybe_end(ov, now);
			if (!ov->active)
				episode_priority(sd, false);
		}
		return false;
	}
	if (has_transaction(sd, m) || send_503(sd, ov, m, rx) < 0)
		return false;
	if (!ov->active) {
		episode_start(ov, r, now);
		episode_priority(sd, true);
	}
	ov->st.shed[r]++;
	ov->episode_shed++;
	ov->last_shed_us = now;
	LOGD(m->call_id, "INVITE refused: overload (%s)", reason_names[r]);
	return true;
}

const struct overload_stats *overload_stats(const struct sigd *sd)
{
	static const struct overload_stats none;

	return sd->overload ? &sd->overload->st : &none;
}

uint32_t overload_shed_permille(const struct sigd *sd)
{
	return sd->overload ? sd->overload->ctl.shed_pm : 0;
}

int64_t overload_queue_delay_us(const struct sigd *sd)
{
	return sd->overload ? sd->overload->ctl.last_delay_us : 0;
}

bool overload_active(const struct sigd *sd)
{
	return sd->overload && sd->overload->active && mono_us() - sd->overload->last_shed_us < EPISODE_END_US;
}
