#include "cpu_affinity.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* A decimal CPU number at *p, at most CPU_LIST_MAX. */
static bool cpu_number(const char **p, unsigned *out)
{
	unsigned v = 0;
	const char *s = *p;

	if (*s < '0' || *s > '9')
		return false;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (unsigned)(*s++ - '0');
		if (v > CPU_LIST_MAX)
			return false;
	}
	*p = s;
	*out = v;
	return true;
}

bool cpu_list_parse(const char *s, cpu_set_t *set, char *err, size_t errsz)
{
	const char *p = s;

	CPU_ZERO(set);
	if (!s || !*s) {
		snprintf(err, errsz, "empty CPU list");
		return false;
	}
	for (;;) {
		unsigned lo, hi;

		if (!cpu_number(&p, &lo)) {
			snprintf(err, errsz, "invalid CPU list '%s' (CPU numbers 0..%d, e.g. 1 or 0,2-3)", s,
				 CPU_LIST_MAX);
			return false;
		}
		hi = lo;
		if (*p == '-') {
			p++;
			if (!cpu_number(&p, &hi) || hi < lo) {
				snprintf(err, errsz, "invalid CPU range in '%s' (low-high, low <= high <= %d)", s,
					 CPU_LIST_MAX);
				return false;
			}
		}
		for (unsigned c = lo; c <= hi; c++)
			CPU_SET(c, set);
		if (*p == '\0')
			return true;
		if (*p++ != ',') {
			snprintf(err, errsz, "invalid CPU list '%s' (CPU numbers 0..%d, e.g. 1 or 0,2-3)", s,
				 CPU_LIST_MAX);
			return false;
		}
	}
}

int cpu_affinity_apply(const cpu_set_t *set, char *err, size_t errsz)
{
	if (sched_setaffinity(0, sizeof(*set), set) < 0) {
		snprintf(err, errsz, "cannot run on the CPUs of --cpu: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int cpu_affinity_check(const cpu_set_t *set, const char *opt, char *err, size_t errsz)
{
	cpu_set_t now;

	if (sched_getaffinity(0, sizeof(now), &now) < 0) {
		snprintf(err, errsz, "%s: cannot read the CPUs available: %s", opt, strerror(errno));
		return -1;
	}
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, set) && !CPU_ISSET(c, &now)) {
			snprintf(err, errsz, "%s: CPU %d is not one this process may run on", opt, c);
			return -1;
		}
	return 0;
}
