/*
 * reaper - runs a command that detaches (a daemon without -f) and reports
 * how every process it left behind ended, so that an end-to-end test can
 * check a daemonized sigd's or ccd's exit status: it becomes a child
 * subreaper (prctl PR_SET_CHILD_SUBREAPER), so the daemon, orphaned by its
 * own double fork, is re-parented to it and reaped here.
 *
 *   reaper CMD [ARGS...]
 *	Prints "pid P exit S" or "pid P signal N" for each descendant that
 *	ends (CMD itself first, usually), flushing stdout after each line,
 *	and exits 0 once none is left.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sys/prctl.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
	pid_t pid;
	int status;

	if (argc < 2) {
		fprintf(stderr, "usage: reaper CMD [ARGS...]\n");
		return 2;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		fprintf(stderr, "reaper: PR_SET_CHILD_SUBREAPER: %s\n", strerror(errno));
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "reaper: fork: %s\n", strerror(errno));
		return 2;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		fprintf(stderr, "reaper: %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	for (;;) {
		pid = waitpid(-1, &status, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			return errno == ECHILD ? 0 : 1;
		}
		if (WIFEXITED(status))
			printf("pid %ld exit %d\n", (long)pid, WEXITSTATUS(status));
		else if (WIFSIGNALED(status))
			printf("pid %ld signal %d\n", (long)pid, WTERMSIG(status));
		fflush(stdout);
	}
}
