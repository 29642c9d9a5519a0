/*
 * drain.c - how ccd stops (drain.h).
 */
#include "drain.h"

#include <stdio.h>

#include "call.h"
#include "ccd.h"
#include "daemon.h"
#include "log.h"
#include "nodes.h"

void ccd_status(struct ccd *cd, char *buf, size_t size)
{
	size_t active, ending;

	calls_count(cd, &active, &ending);
	snprintf(buf, size, "%s%zu calls in progress, %zu ending; %llu calls so far; %zu sigd nodes",
		 calls_refusing(cd) ? "stopping: refusing new calls; " : "", active, ending,
		 (unsigned long long)cd->stats.calls_total, nodes_live(cd));
}

static void hook_status(void *arg, char *buf, size_t size)
{
	ccd_status(arg, buf, size);
}

static void hook_refuse_new(void *arg)
{
	calls_refuse_new(arg);
}

static void hook_end_all(void *arg, const char *why)
{
	size_t n = calls_end_all(arg, TANDEM__ORIGIN__SWITCH);

	LOGI(PL_NULL, "ending every call (%s): %zu calls", why, n);
}

static void hook_load(void *arg, size_t *active, size_t *ending)
{
	calls_count(arg, active, ending);
}

struct daemon_life *ccd_life_new(struct ccd *cd)
{
	const struct daemon_hooks hooks = {
		.arg = cd,
		.ready = NULL,
		.status = hook_status,
		.refuse_new = hook_refuse_new,
		.end_all = hook_end_all,
		.load = hook_load,
	};
	const struct daemon_life_config cfg = {
		.drain_ms = cd->cfg.drain_s * 1000,
		.end_ms = DRAIN_END_MS,
		.foreground = cd->cfg.foreground,
		.logfile = cd->cfg.logfile,
		.pidfile = cd->cfg.pidfile,
	};

	return daemon_life_new(cd->base, &cfg, &hooks);
}
