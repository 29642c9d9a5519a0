#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "cpu_affinity.h"

static void test_lists(void **state)
{
	cpu_set_t set;
	char err[160];

	(void)state;
	assert_true(cpu_list_parse("1", &set, err, sizeof(err)));
	assert_int_equal(CPU_COUNT(&set), 1);
	assert_true(CPU_ISSET(1, &set));
	assert_true(cpu_list_parse("0-3,8,10-11", &set, err, sizeof(err)));
	assert_int_equal(CPU_COUNT(&set), 7);
	assert_true(CPU_ISSET(3, &set) && CPU_ISSET(8, &set) && CPU_ISSET(11, &set));
	assert_false(CPU_ISSET(4, &set));
	assert_true(cpu_list_parse("1023", &set, err, sizeof(err)));
	assert_true(CPU_ISSET(1023, &set));
}

static void test_errors(void **state)
{
	cpu_set_t set;
	char err[160];
	static const char *bad[] = { "a", "1,", ",1", "1-", "-1", "3-1", "1024", "99999999999", "1 2",
				     "0x1", "1-2-3", "1,,2" };

	(void)state;
	assert_false(cpu_list_parse("", &set, err, sizeof(err)));
	assert_string_equal(err, "empty CPU list");
	assert_false(cpu_list_parse(NULL, &set, err, sizeof(err)));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_false(cpu_list_parse(bad[i], &set, err, sizeof(err)));
		assert_non_null(strstr(err, "CPU"));
	}
	assert_false(cpu_list_parse("3-1", &set, err, sizeof(err)));
	assert_non_null(strstr(err, "range"));
}

/* The process may run on the CPU it runs on now; a CPU it may not use
 * (none beyond the machine's) is an error with a reason. */
static void test_apply(void **state)
{
	cpu_set_t now, set;
	char err[160];

	(void)state;
	assert_int_equal(sched_getaffinity(0, sizeof(now), &now), 0);
	assert_int_equal(cpu_affinity_apply(&now, err, sizeof(err)), 0);
	CPU_ZERO(&set);
	CPU_SET(CPU_LIST_MAX, &set);
	assert_int_equal(cpu_affinity_apply(&set, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot run on the CPUs of --cpu"));
	assert_int_equal(cpu_affinity_apply(&now, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_apply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
