#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sched_rt.h"
#include "test_child.h"

/* Each case runs in a child process, so that the test runner itself never
 * runs at real-time priority; the child's exit code says what it saw. */
enum { SAW_FIFO = 10, SAW_REFUSED = 11, SAW_WRONG = 12 };

static void *report_policy(void *arg)
{
	struct sched_param param;
	int policy;

	if (pthread_getschedparam(pthread_self(), &policy, &param) != 0)
		policy = -1;
	*(int *)arg = policy == SCHED_FIFO ? param.sched_priority : -1;
	return NULL;
}

/* A thread started after rt_prio_apply() inherits SCHED_FIFO at the same
 * priority, as ZeroMQ's I/O thread and the RADIUS workers do. */
static int apply_then_start_a_thread(void)
{
	char err[256] = "";
	pthread_t t;
	int prio = 0;

	if (rt_prio_apply(5, err, sizeof(err)) < 0)
		return strstr(err, "--rt-prio 5: not permitted") && strstr(err, "LimitRTPRIO=5") ? SAW_REFUSED
												: SAW_WRONG;
	if (pthread_create(&t, NULL, report_policy, &prio) != 0 || pthread_join(t, NULL) != 0)
		return SAW_WRONG;
	return prio == 5 && sched_getscheduler(0) == SCHED_FIFO ? SAW_FIFO : SAW_WRONG;
}

/* Without CAP_SYS_NICE (lost by entering a user namespace) and without an
 * RLIMIT_RTPRIO: refused, with what to grant in the reason. */
static int apply_unprivileged(void)
{
	const struct rlimit none = { 0, 0 };
	char err[256] = "";

	if (setrlimit(RLIMIT_RTPRIO, &none) != 0 || unshare(CLONE_NEWUSER) != 0)
		return SAW_WRONG;
	if (rt_prio_apply(20, err, sizeof(err)) == 0)
		return SAW_FIFO;
	if (strcmp(err, "--rt-prio 20: not permitted (needs CAP_SYS_NICE or an RLIMIT_RTPRIO of at least 20; "
			"systemd: LimitRTPRIO=20)") != 0)
		return SAW_WRONG;
	return sched_getscheduler(0) == SCHED_OTHER ? SAW_REFUSED : SAW_WRONG;
}

static void test_apply(void **state)
{
	(void)state;
	int saw = run_in_child(apply_then_start_a_thread);

	/* Where the test runs without CAP_SYS_NICE, the refusal is checked. */
	assert_true(saw == SAW_FIFO || saw == SAW_REFUSED);
}

static void test_refused(void **state)
{
	(void)state;
	assert_int_equal(run_in_child(apply_unprivileged), SAW_REFUSED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
