/*
 * test_child.h - a test's body run in a child process, for what must not
 * touch the test runner itself: a real-time scheduling policy, a new user
 * or mount namespace, the log's descriptors. Include after cmocka.h.
 */
#ifndef TANDEM_TEST_CHILD_H
#define TANDEM_TEST_CHILD_H

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* fn() in a child; its return value, the child's exit code. */
static inline int run_in_child(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

#endif
