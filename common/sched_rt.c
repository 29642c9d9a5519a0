#include "sched_rt.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

int rt_prio_apply(int prio, char *err, size_t errsz)
{
	const struct sched_param param = { .sched_priority = prio };

	if (sched_setscheduler(0, SCHED_FIFO, &param) == 0)
		return 0;
	if (errno == EPERM)
		snprintf(err, errsz,
			 "--rt-prio %d: not permitted (needs CAP_SYS_NICE or an RLIMIT_RTPRIO of at least %d; "
			 "systemd: LimitRTPRIO=%d)",
			 prio, prio, prio);
	else
		snprintf(err, errsz, "--rt-prio %d: %s", prio, strerror(errno));
	return -1;
}

int rt_prio_pause(void)
{
	const struct sched_param param = { .sched_priority = 0 };

	return sched_setscheduler(0, SCHED_OTHER, &param);
}
