/*
 * Overload control (sigd/overload.h): the decision driven by the clock
 * (queue delay with its hysteresis, setups in flight, the cps bucket),
 * then the stateless 503 through the real transport and transaction
 * layer (test_tsx_harness.h), and the command-line options.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_child.h"
#include "test_tsx_harness.h"

#include <sched.h>
#include <sys/socket.h>
#include "common/sched_rt.h"

#include "sigd/overload.h"
#include "sigd/sigd_config.h"
#include "sigd/tsx_priv.h"	/* the limit of live transactions */

#define IV OVERLOAD_INTERVAL_US
#define MS 1000

static struct overload_ctl C;

static void ctl(uint32_t delay_ms, uint32_t setups, uint32_t cps)
{
	struct overload_config cfg = { .max_delay_ms = delay_ms, .max_setups = setups, .max_cps = cps };

	overload_ctl_init(&C, &cfg, 0);
}

/* n delays of d µs at the start of the interval [k*IV, (k+1)*IV), 1 ms
 * apart: within 20 ms, so at most one fast rise (test_fast_rise). */
static void interval(int k, int n, int64_t d)
{
	for (int i = 0; i < n; i++)
		overload_ctl_delay(&C, d, (int64_t)k * IV + (i + 1) * MS);
}

/* Of n new INVITEs at time t, how many are refused for reason r. */
static int refused(int n, int64_t t, enum overload_reason r)
{
	int k = 0;

	for (int i = 0; i < n; i++)
		k += overload_ctl_decide(&C, 0, t) == r;
	return k;
}

/* ---------------------------------------------------------------- queue delay */

static void test_admits_without_signals(void **state)
{
	(void)state;
	ctl(20, 0, 0);
	assert_int_equal(refused(1000, 5, OVERLOAD_ADMIT), 1000);
	interval(1, 50, 1 * MS);	/* fast loop */
	assert_int_equal(refused(1000, 3 * IV, OVERLOAD_ADMIT), 1000);
	assert_int_equal(C.shed_pm, 0);
	assert_int_equal(C.last_delay_us, 1 * MS);
}

/* A standing queue raises the share refused in proportion to the delay;
 * the refusals are spread evenly. */
static void test_standing_queue_raises_share(void **state)
{
	(void)state;
	ctl(20, 0, 0);
	interval(0, 10, 20 * MS + 1);	/* just above: 5% */
	overload_ctl_advance(&C, IV);
	assert_int_equal(C.shed_pm, 50);
	assert_int_equal(C.last_delay_us, 20 * MS + 1);
	interval(1, 10, 40 * MS);	/* twice the target: 10% more */
	overload_ctl_advance(&C, 2 * IV);
	assert_int_equal(C.shed_pm, 150);
	interval(2, 10, 80 * MS);	/* 4x: 20% at once (fast), 20% more at the end */
	assert_int_equal(C.shed_pm, 350);
	overload_ctl_advance(&C, 3 * IV);
	assert_int_equal(C.shed_pm, 550);
	assert_int_equal(refused(1000, 3 * IV + 1, OVERLOAD_SHED_QUEUE), 550);
	/* spread evenly: of any 20 in a row, 11 */
	assert_int_equal(refused(20, 3 * IV + 2, OVERLOAD_SHED_QUEUE), 11);
	C.shed_pm = 200;
	interval(3, 10, 500 * MS);	/* far above: 40%, at most */
	assert_int_equal(C.shed_pm, 600);
	overload_ctl_advance(&C, 4 * IV);
	assert_int_equal(C.shed_pm, 1000);	/* capped */
	assert_int_equal(refused(100, 5 * IV + 1, OVERLOAD_SHED_QUEUE), 100);
}

/* Between a quarter of the target and the target the share holds; below,
 * it falls by 1%, then 2% more, 3%... per interval, to 0; an interval that
 * is not clear starts the slope again. */
static void test_hysteresis_and_decay(void **state)
{
	(void)state;
	ctl(20, 0, 0);
	C.shed_pm = 400;
	interval(0, 10, 10 * MS);
	overload_ctl_advance(&C, IV);
	assert_int_equal(C.shed_pm, 400);
	interval(1, 10, 5 * MS);	/* exactly a quarter: holds */
	overload_ctl_advance(&C, 2 * IV);
	assert_int_equal(C.shed_pm, 400);
	interval(2, 10, 1 * MS);
	overload_ctl_advance(&C, 3 * IV);
	assert_int_equal(C.shed_pm, 390);
	interval(3, 10, 0);
	interval(4, 10, 0);
	overload_ctl_advance(&C, 5 * IV);
	assert_int_equal(C.shed_pm, 340);	/* 20, then 30 */
	interval(5, 10, 10 * MS);	/* not clear: holds, the slope restarts */
	interval(6, 10, 0);
	overload_ctl_advance(&C, 7 * IV);
	assert_int_equal(C.shed_pm, 330);
	for (int k = 7; k < 20; k++)
		interval(k, 10, 0);
	overload_ctl_advance(&C, 20 * IV);
	assert_int_equal(C.shed_pm, 0);
	assert_int_equal(refused(100, 20 * IV + 1, OVERLOAD_ADMIT), 100);
	/* from 100% to 0 in 14 clear intervals */
	C.shed_pm = OVERLOAD_PERMILLE;
	C.clear = 0;
	for (int k = 20; k < 33; k++)
		interval(k, 10, 0);
	overload_ctl_advance(&C, 33 * IV);
	assert_int_equal(C.shed_pm, 90);
	interval(33, 10, 0);
	overload_ctl_advance(&C, 34 * IV);
	assert_int_equal(C.shed_pm, 0);
}

/* One late wake-up is a descheduled loop, not overload; two in a row are
 * (an interval with a single delay is judged with the one before it). */
static void test_single_late_wakeup(void **state)
{
	(void)state;
	ctl(20, 0, 0);
	interval(0, 1, 90 * MS);	/* nothing before it */
	overload_ctl_advance(&C, IV);
	assert_int_equal(C.shed_pm, 0);
	interval(1, 1, 1 * MS);
	interval(2, 1, 90 * MS);	/* after an on-time one */
	overload_ctl_advance(&C, 3 * IV);
	assert_int_equal(C.shed_pm, 0);
	interval(3, 1, 60 * MS);	/* after a late one: overload (fast, then the smaller counts) */
	assert_int_equal(C.shed_pm, 150);
	overload_ctl_advance(&C, 4 * IV);
	assert_int_equal(C.shed_pm, 300);
	/* an interval with two delays, one on time: no standing queue */
	overload_ctl_delay(&C, 30 * MS, 4 * IV + 10);
	overload_ctl_delay(&C, 2 * MS, 4 * IV + 20);
	overload_ctl_advance(&C, 5 * IV);
	assert_int_equal(C.shed_pm, 290);
}

/* Between intervals, a fast rise: two wake-ups in a row late, the second
 * by more than twice the target, at most every 20 ms. */
static void test_fast_rise(void **state)
{
	(void)state;
	ctl(20, 0, 0);
	overload_ctl_delay(&C, 100 * MS, 1000);	/* alone: nothing */
	assert_int_equal(C.shed_pm, 0);
	overload_ctl_delay(&C, 80 * MS, 2000);	/* 4x: 20% */
	assert_int_equal(C.shed_pm, 200);
	overload_ctl_delay(&C, 80 * MS, 3000);	/* within 20 ms: no more */
	assert_int_equal(C.shed_pm, 200);
	overload_ctl_delay(&C, 40 * MS, 22000);	/* exactly twice: no */
	assert_int_equal(C.shed_pm, 200);
	overload_ctl_delay(&C, 41 * MS, 23000);	/* a bit more: 10% */
	assert_int_equal(C.shed_pm, 302);
	overload_ctl_delay(&C, 1 * MS, 50000);
	overload_ctl_delay(&C, 90 * MS, 60000);	/* after an on-time one: no */
	assert_int_equal(C.shed_pm, 302);
	ctl(0, 0, 0);
	overload_ctl_delay(&C, 900 * MS, 1000);
	overload_ctl_delay(&C, 900 * MS, 30000);
	assert_int_equal(C.shed_pm, 0);
}

/* Intervals without a wake-up: idle (decay) after an on-time delay, but
 * held after a late one (the loop may be too busy to wake). */
static void test_silent_intervals(void **state)
{
	(void)state;
	ctl(20, 0, 0);
	C.shed_pm = 500;
	interval(0, 3, 2 * MS);
	overload_ctl_advance(&C, 1000 * IV);	/* a long silence */
	assert_int_equal(C.shed_pm, 0);
	C.shed_pm = 500;
	interval(1000, 3, 30 * MS);
	overload_ctl_advance(&C, 1001 * IV);
	assert_int_equal(C.shed_pm, 575);
	overload_ctl_advance(&C, 1010 * IV);	/* silent, after late ones */
	assert_int_equal(C.shed_pm, 575);
}

/* Delays that cannot be (a stepped clock) are ignored; 0 turns the
 * signal off. */
static void test_delay_bounds_and_off(void **state)
{
	(void)state;
	ctl(20, 0, 0);
	for (int i = 0; i < 10; i++) {
		overload_ctl_delay(&C, -5, 10 + i);
		overload_ctl_delay(&C, 20000000, 20 + i);
	}
	overload_ctl_advance(&C, IV);
	assert_int_equal(C.shed_pm, 0);
	assert_int_equal(C.last_delay_us, 0);
	ctl(0, 0, 0);
	interval(0, 10, 500 * MS);
	interval(1, 10, 500 * MS);
	overload_ctl_advance(&C, 2 * IV);
	assert_int_equal(C.shed_pm, 0);
	assert_int_equal(refused(10, 2 * IV, OVERLOAD_ADMIT), 10);
}

/* ---------------------------------------------------------------- setups, cps */

static void test_setups_with_hysteresis(void **state)
{
	(void)state;
	ctl(0, 100, 0);
	assert_int_equal(overload_ctl_decide(&C, 99, 1), OVERLOAD_ADMIT);
	assert_int_equal(overload_ctl_decide(&C, 100, 2), OVERLOAD_SHED_SETUPS);
	assert_int_equal(overload_ctl_decide(&C, 95, 3), OVERLOAD_SHED_SETUPS);
	assert_int_equal(overload_ctl_decide(&C, 90, 4), OVERLOAD_SHED_SETUPS);
	assert_int_equal(overload_ctl_decide(&C, 89, 5), OVERLOAD_ADMIT);
	assert_int_equal(overload_ctl_decide(&C, 95, 6), OVERLOAD_ADMIT);
	ctl(0, 0, 0);	/* off */
	assert_int_equal(overload_ctl_decide(&C, 1000000, 1), OVERLOAD_ADMIT);
}

/* Setups first, then the queue's share, then the rate. */
static void test_reason_order(void **state)
{
	(void)state;
	ctl(20, 10, 1);
	C.shed_pm = OVERLOAD_PERMILLE;
	assert_int_equal(overload_ctl_decide(&C, 10, 1), OVERLOAD_SHED_SETUPS);
	assert_int_equal(overload_ctl_decide(&C, 0, 2), OVERLOAD_SHED_QUEUE);
	C.shed_pm = 0;
	assert_int_equal(overload_ctl_decide(&C, 0, 3), OVERLOAD_ADMIT);
	assert_int_equal(overload_ctl_decide(&C, 0, 4), OVERLOAD_SHED_CPS);
}

/* A tenth of a second's worth of burst (at least one call), refilled at
 * the rate. */
static void test_cps_bucket(void **state)
{
	(void)state;
	ctl(0, 0, 100);
	assert_int_equal(refused(15, 0, OVERLOAD_ADMIT), 10);
	assert_int_equal(refused(5, 10 * MS, OVERLOAD_ADMIT), 1);
	assert_int_equal(refused(5, 20 * MS, OVERLOAD_ADMIT), 1);
	assert_int_equal(refused(50, 3600LL * 1000000, OVERLOAD_ADMIT), 10);	/* an hour: full, no more */
	ctl(0, 0, 5);
	assert_int_equal(refused(3, 0, OVERLOAD_ADMIT), 1);
	assert_int_equal(refused(3, 100 * MS, OVERLOAD_ADMIT), 0);
	assert_int_equal(refused(3, 200 * MS, OVERLOAD_ADMIT), 1);
	/* a clock that does not move refills nothing */
	assert_int_equal(refused(3, 200 * MS, OVERLOAD_ADMIT), 0);
	ctl(0, 0, OVERLOAD_MAX_CPS);
	assert_int_equal(refused(200000, 0, OVERLOAD_ADMIT), OVERLOAD_MAX_CPS / 10);
}

/* ---------------------------------------------------------------- in sigd */

static int setup_shed(void **state)
{
	h_setup(state);
	H.sd.cfg.max_cps = 1;	/* one call, then every new INVITE is refused */
	H.sd.cfg.max_queue_delay_ms = OVERLOAD_DEFAULT_MAX_DELAY_MS;
	assert_int_equal(overload_init(&H.sd), 0);
	return 0;
}

static int teardown_shed(void **state)
{
	overload_free(&H.sd);
	assert_null(H.sd.overload);
	return h_teardown(state);
}

static void check_503(const struct h_dgram *d, const char *call_id, unsigned cseq)
{
	char via[256], cs[32];
	const char *ra;

	assert_int_equal(h_status(d), 503);
	assert_non_null(strstr(d->buf, "SIP/2.0 503 Service Unavailable\r\n"));
	snprintf(via, sizeof(via), "SIP/2.0/UDP %s;branch=z9hG4bK-%s;rport=%u;received=127.0.0.1",
		 H.peer_host[0], call_id, netaddr_port(&H.peer_addr[0]));
	assert_string_equal(h_header(d, "Via"), via);
	assert_string_equal(h_header(d, "From"), "\"Alice\" <sip:alice@example.com>;tag=ftag-1");
	assert_non_null(strstr(h_header(d, "To"), "<sip:svc@example.com>;tag="));
	assert_int_equal(strlen(h_header(d, "To")), strlen("<sip:svc@example.com>;tag=") + 16);
	assert_string_equal(h_header(d, "Call-ID"), call_id);
	snprintf(cs, sizeof(cs), "%u INVITE", cseq);
	assert_string_equal(h_header(d, "CSeq"), cs);
	ra = h_header(d, "Retry-After");
	assert_int_equal(strlen(ra), 1);
	assert_in_range(ra[0] - '0', OVERLOAD_RETRY_AFTER_MIN_S, OVERLOAD_RETRY_AFTER_MAX_S);
	assert_string_equal(h_header(d, "Content-Length"), "0");
}

static void invite(const char *id, const char *to_tag)
{
	char branch[64];

	snprintf(branch, sizeof(branch), "z9hG4bK-%s", id);
	h_request("INVITE", branch, id, to_tag, 1, "");
}

/* The refused INVITE gets a 503 made from its own bytes, and nothing else
 * happens: no transaction, nothing for the TU; its retransmission gets
 * the same 503 (same To tag), its ACK is dropped as usual. */
static void test_stateless_503(void **state)
{
	char to[128];
	struct h_dgram *d;

	(void)state;
	H.auto_code = 100;
	invite("c1", NULL);	/* the one call the bucket allows */
	assert_int_equal(h_status(h_next()), 100);
	assert_int_equal(H.requests, 1);
	invite("c2", NULL);
	d = h_next();
	check_503(d, "c2", 1);
	snprintf(to, sizeof(to), "%s", h_header(d, "To"));
	assert_int_equal(H.requests, 1);
	assert_int_equal(tsx_count(&H.sd, TSX_SERVER_INVITE), 1);
	invite("c2", NULL);	/* retransmission */
	d = h_next();
	check_503(d, "c2", 1);
	assert_string_equal(h_header(d, "To"), to);
	h_request("ACK", "z9hG4bK-c2", "c2", strchr(to, '=') + 1, 1, "");
	h_quiet(50);
	assert_int_equal(H.acks, 1);	/* the TU sees an ACK it knows nothing of */
	assert_int_equal(H.requests, 1);
	assert_int_equal(overload_stats(&H.sd)->shed[OVERLOAD_SHED_CPS], 2);
	assert_int_equal(overload_stats(&H.sd)->admitted, 1);
	assert_int_equal(overload_stats(&H.sd)->episodes, 1);
	assert_true(overload_active(&H.sd));
	/* a different INVITE gets a different tag */
	invite("c3", NULL);
	d = h_next();
	check_503(d, "c3", 1);
	assert_string_not_equal(h_header(d, "To"), to);
}

/* What is never refused: a retransmission of an INVITE whose transaction
 * exists, requests in a dialog (re-INVITE, BYE), other methods. */
static void test_never_refused(void **state)
{
	(void)state;
	H.auto_code = 0;
	invite("c1", NULL);	/* taken, left unanswered */
	h_quiet(20);
	assert_int_equal(H.requests, 1);
	invite("c1", NULL);	/* its retransmission: absorbed, no 503 */
	h_quiet(20);
	assert_int_equal(H.requests, 1);
	assert_int_equal(overload_stats(&H.sd)->shed[OVERLOAD_SHED_CPS], 0);
	H.auto_code = 200;
	invite("c4", "remote-tag");	/* re-INVITE */
	assert_int_equal(h_status(h_next()), 200);
	h_request("BYE", "z9hG4bK-b1", "c4", "remote-tag", 2, "");
	assert_int_equal(h_status(h_next()), 200);
	h_request("OPTIONS", "z9hG4bK-o1", "c5", NULL, 1, "");
	assert_int_equal(h_status(h_next()), 200);
	assert_int_equal(H.requests, 4);
	assert_int_equal(overload_stats(&H.sd)->shed[OVERLOAD_SHED_CPS], 0);
}

/* The episode ends on the first admitted INVITE a second after the last
 * refusal (a log line); a new one starts with the next refusal. */
static void test_episodes(void **state)
{
	(void)state;
	H.auto_code = 100;
	invite("e1", NULL);
	assert_int_equal(h_status(h_next()), 100);
	invite("e2", NULL);
	assert_int_equal(h_status(h_next()), 503);
	assert_true(overload_active(&H.sd));
	h_run(1100);
	assert_false(overload_active(&H.sd));
	invite("e3", NULL);	/* the bucket refilled: admitted, episode over */
	assert_int_equal(h_status(h_next()), 100);
	invite("e4", NULL);
	assert_int_equal(h_status(h_next()), 503);
	assert_int_equal(overload_stats(&H.sd)->episodes, 2);
}

/* With --rt-prio, sigd leaves real-time priority while it refuses calls
 * and takes it again with the first INVITE admitted once the episode is
 * over. In a child process, so that the test runner never runs at
 * real-time priority; where the kernel refuses it (no CAP_SYS_NICE, no
 * RLIMIT_RTPRIO: sched_rt's own test checks that refusal) the child says
 * so and there is nothing more to see. */
enum { PRIO_FOLLOWED = 10, PRIO_REFUSED, PRIO_WRONG };

static int episode_priority_child(void)
{
	char err[160];

	H.sd.cfg.rt_prio = 5;
	if (rt_prio_apply(5, err, sizeof(err)) < 0)
		return PRIO_REFUSED;
	H.auto_code = 100;
	invite("p1", NULL);
	if (h_status(h_next()) != 100 || sched_getscheduler(0) != SCHED_FIFO)
		return PRIO_WRONG;
	invite("p2", NULL);
	if (h_status(h_next()) != 503 || sched_getscheduler(0) != SCHED_OTHER)
		return PRIO_WRONG;
	invite("p3", NULL);	/* still shedding: still normal priority */
	if (h_status(h_next()) != 503 || sched_getscheduler(0) != SCHED_OTHER)
		return PRIO_WRONG;
	h_run(1100);
	invite("p4", NULL);
	if (h_status(h_next()) != 100 || sched_getscheduler(0) != SCHED_FIFO)
		return PRIO_WRONG;
	return PRIO_FOLLOWED;
}

static void test_episode_priority(void **state)
{
	int code;

	(void)state;
	code = run_in_child(episode_priority_child);
	assert_true(code == PRIO_FOLLOWED || code == PRIO_REFUSED);
}

static int setup_defaults(void **state)
{
	h_setup(state);
	H.sd.cfg.max_queue_delay_ms = OVERLOAD_DEFAULT_MAX_DELAY_MS;
	H.sd.cfg.max_setups = OVERLOAD_DEFAULT_MAX_SETUPS;
	assert_int_equal(overload_init(&H.sd), 0);
	return 0;
}

/* The transaction table at 80% of its limit: new INVITEs are refused (the
 * rest is kept for the calls we have) until it is back under 70%. */
static void test_capacity(void **state)
{
	char id[16];

	(void)state;
	H.auto_code = 0;
	H.sd.tsx->max = 10;
	for (int i = 0; i < 8; i++) {
		snprintf(id, sizeof(id), "k%d", i);
		invite(id, NULL);
		h_quiet(5);
	}
	assert_int_equal(H.requests, 8);
	invite("k8", NULL);
	check_503(h_next(), "k8", 1);
	assert_int_equal(overload_stats(&H.sd)->shed[OVERLOAD_SHED_CAPACITY], 1);
	H.sd.tsx->max = 11;	/* 73%: still refusing (hysteresis) */
	invite("k9", NULL);
	check_503(h_next(), "k9", 1);
	H.sd.tsx->max = 12;	/* 67% */
	invite("k10", NULL);
	h_quiet(20);
	assert_int_equal(H.requests, 9);
	assert_int_equal(overload_stats(&H.sd)->shed[OVERLOAD_SHED_CAPACITY], 2);
	H.sd.tsx->max = TSX_MAX_DEFAULT;
}

/* The queue delay from the kernel's timestamps: a datagram stamped 50 ms
 * ago, and one without a stamp (ignored). */
static void test_wakeup_timestamps(void **state)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} ctl_buf;
	struct msghdr mh;
	struct cmsghdr *c;
	struct timespec ts;

	(void)state;
	memset(&mh, 0, sizeof(mh));
	overload_rx_wakeup(&H.sd, &mh);	/* no control data */
	mh.msg_control = ctl_buf.buf;
	mh.msg_controllen = sizeof(ctl_buf.buf);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_TIMESTAMPNS;
	c->cmsg_len = CMSG_LEN(sizeof(ts));
	for (int i = 0; i < 6; i++) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec -= 1;	/* a second ago: overload */
		memcpy(CMSG_DATA(c), &ts, sizeof(ts));
		overload_rx_wakeup(&H.sd, &mh);
	}
	c->cmsg_type = SCM_TIMESTAMP;	/* another kind: ignored */
	overload_rx_wakeup(&H.sd, &mh);
	usleep(OVERLOAD_INTERVAL_US + 10000);
	c->cmsg_type = SCM_TIMESTAMPNS;
	clock_gettime(CLOCK_REALTIME, &ts);
	memcpy(CMSG_DATA(c), &ts, sizeof(ts));
	overload_rx_wakeup(&H.sd, &mh);	/* closes the interval */
	assert_in_range(overload_queue_delay_us(&H.sd), 990000, 1100000);
	assert_int_equal(overload_shed_permille(&H.sd), 800);	/* fast, then the interval */
	/* off: nothing recorded */
	overload_free(&H.sd);
	H.sd.cfg.max_queue_delay_ms = 0;
	assert_int_equal(overload_init(&H.sd), 0);
	overload_rx_wakeup(&H.sd, &mh);
	usleep(OVERLOAD_INTERVAL_US + 10000);
	overload_rx_wakeup(&H.sd, &mh);
	assert_int_equal(overload_queue_delay_us(&H.sd), 0);
}

/* Without overload state (tests, fuzzers) nothing is refused or counted. */
static void test_without_state(void **state)
{
	struct sigd sd;
	struct sip_msg m;
	struct msghdr mh;

	(void)state;
	memset(&sd, 0, sizeof(sd));
	memset(&m, 0, sizeof(m));
	memset(&mh, 0, sizeof(mh));
	m.is_request = true;
	m.method_id = SIP_METHOD_INVITE;
	assert_false(overload_shed(&sd, &m, NULL));
	overload_rx_wakeup(&sd, &mh);
	assert_int_equal(overload_stats(&sd)->shed[OVERLOAD_SHED_QUEUE], 0);
	assert_int_equal(overload_shed_permille(&sd), 0);
	assert_int_equal(overload_queue_delay_us(&sd), 0);
	assert_false(overload_active(&sd));
	overload_free(&sd);
}

/* ---------------------------------------------------------------- options */

/* --max-queue-delay, --max-setups, --max-cps, and the node's capacity
 * (--max-legs: the other reason sigd refuses new INVITEs). */

static enum sigd_config_result parse(struct sigd_config *cfg, char *err, const char *a, const char *b)
{
	char *argv[] = { (char *)"sigd", (char *)a, (char *)b, NULL };

	return sigd_config_parse(cfg, a ? 3 : 1, argv, err, 256);
}

static void test_options(void **state)
{
	struct sigd_config cfg;
	char err[256];

	(void)state;
	assert_int_equal(parse(&cfg, err, NULL, NULL), SIGD_CONFIG_OK);
	assert_int_equal(cfg.max_queue_delay_ms, OVERLOAD_DEFAULT_MAX_DELAY_MS);
	assert_int_equal(cfg.max_setups, OVERLOAD_DEFAULT_MAX_SETUPS);
	assert_int_equal(cfg.max_cps, 0);
	assert_int_equal(parse(&cfg, err, "--max-queue-delay", "0"), SIGD_CONFIG_OK);
	assert_int_equal(cfg.max_queue_delay_ms, 0);
	assert_int_equal(parse(&cfg, err, "--max-setups", "500"), SIGD_CONFIG_OK);
	assert_int_equal(cfg.max_setups, 500);
	assert_int_equal(parse(&cfg, err, "--max-cps", "250"), SIGD_CONFIG_OK);
	assert_int_equal(cfg.max_cps, 250);
	assert_int_equal(parse(&cfg, err, "--max-queue-delay", "10001"), SIGD_CONFIG_ERROR);
	assert_string_equal(err, "invalid --max-queue-delay '10001' (0..10000 ms)");
	assert_int_equal(parse(&cfg, err, "--max-setups", "-1"), SIGD_CONFIG_ERROR);
	assert_string_equal(err, "invalid --max-setups '-1' (0..10000000 legs)");
	assert_int_equal(parse(&cfg, err, "--max-cps", "many"), SIGD_CONFIG_ERROR);
	assert_string_equal(err, "invalid --max-cps 'many' (0..1000000 calls per second)");
	assert_int_equal(cfg.max_legs, 250000);
	assert_int_equal(parse(&cfg, err, "--max-legs", "1000000"), SIGD_CONFIG_OK);
	assert_int_equal(cfg.max_legs, 1000000);
	assert_int_equal(parse(&cfg, err, "--max-legs", "0"), SIGD_CONFIG_ERROR);
	assert_string_equal(err, "invalid --max-legs '0' (1..100000000 legs)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_admits_without_signals),
		cmocka_unit_test(test_standing_queue_raises_share),
		cmocka_unit_test(test_hysteresis_and_decay),
		cmocka_unit_test(test_single_late_wakeup),
		cmocka_unit_test(test_fast_rise),
		cmocka_unit_test(test_silent_intervals),
		cmocka_unit_test(test_delay_bounds_and_off),
		cmocka_unit_test(test_setups_with_hysteresis),
		cmocka_unit_test(test_reason_order),
		cmocka_unit_test(test_cps_bucket),
		cmocka_unit_test_setup_teardown(test_stateless_503, setup_shed, teardown_shed),
		cmocka_unit_test_setup_teardown(test_never_refused, setup_shed, teardown_shed),
		cmocka_unit_test_setup_teardown(test_episodes, setup_shed, teardown_shed),
		cmocka_unit_test_setup_teardown(test_episode_priority, setup_shed, teardown_shed),
		cmocka_unit_test_setup_teardown(test_wakeup_timestamps, setup_shed, teardown_shed),
		cmocka_unit_test_setup_teardown(test_capacity, setup_defaults, teardown_shed),
		cmocka_unit_test(test_without_state),
		cmocka_unit_test(test_options),
	};

	log_init("test_overload");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
