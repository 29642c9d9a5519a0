/*
 * drain.c - how sigd stops (drain.h).
 */
#include "drain.h"

#include <stdio.h>

#include "daemon.h"
#include "event.h"
#include "leg.h"
#include "link.h"
#include "log.h"
#include "sigd.h"
#include "ua.h"

/* A leg that still needs ending: not ended, and not already cancelling
 * its INVITE (the final response of a CANCEL ends it by itself). */
static bool in_progress(const struct leg *l)
{
	return l->state < LEG_DISCONNECTED && l->state != LEG_CANCELLING;
}

struct end_ctx {
	const char *why;
	size_t n;
};

/*
 * As for a DISCONNECT from ccd: BYE once answered, CANCEL for our INVITE,
 * and for a caller not answered yet 503 with Retry-After (as new callers
 * get). ccd hears a DISCONNECT of origin SWITCH, ends the call and passes
 * it to the other leg (already ending here: ignored).
 */
static void end_leg(struct leg *l, void *arg)
{
	struct end_ctx *c = arg;
	Tandem__LegEvent ev = TANDEM__LEG_EVENT__INIT;
	Tandem__Header ra = TANDEM__HEADER__INIT;
	Tandem__Header *hdrs[1] = { &ra };
	char secs[2] = { (char)('1' + legs_rand(l->sd) % 5), '\0' };
	struct ev_out *o;
	bool early_uas;

	if (!in_progress(l))
		return;
	early_uas = l->uas && l->state < LEG_CONNECTED;
	ev.leg = l->id;
	ev.type = TANDEM__EVENT_TYPE__DISCONNECT;
	ev.origin = TANDEM__ORIGIN__SWITCH;
	if (early_uas) {
		ev.code = 503;
		ev.reason = (char *)"Service Unavailable";
		ra.name = (char *)"Retry-After";
		ra.value = secs;
		ev.extra_headers = hdrs;
		ev.n_extra_headers = 1;
	}
	LOGI(leg_call_id(l), "leg %llu: ending it (%s)", (unsigned long long)l->id, c->why);
	ua_event(l, &ev);

	o = legs_ev_out(l->sd);
	ev_begin(o, l->id, TANDEM__EVENT_TYPE__DISCONNECT, TANDEM__ORIGIN__SWITCH, sigd_now_us());
	o->ev.code = early_uas ? 503 : 0;
	ua_emit(l);
	c->n++;
}

/* ua_event() neither frees legs nor adds to the id table (legs are freed
 * from their own timers only), so ending them while visiting is safe. */
size_t sigd_end_all(struct sigd *sd, const char *why)
{
	struct end_ctx c = { why, 0 };

	legs_foreach(sd, end_leg, &c);
	if (c.n)
		LOGI(PL_NULL, "%zu legs ended (%s)", c.n, why);
	return c.n;
}

void sigd_refuse_new(struct sigd *sd)
{
	sd->draining = true;
}

static void count_leg(struct leg *l, void *arg)
{
	size_t *active = arg;

	if (in_progress(l))
		(*active)++;
}

void sigd_load(struct sigd *sd, size_t *active, size_t *ending)
{
	size_t all = legs_count(sd);

	*active = 0;
	legs_foreach(sd, count_leg, active);
	*ending = all > *active ? all - *active : 0;
}

void sigd_status(struct sigd *sd, char *buf, size_t size)
{
	size_t active, ending;

	if (!sd->link || !link_ready(sd)) {
		snprintf(buf, size, "%sno link to ccd at %s; new calls get 503", sd->draining ? "stopping; " : "",
			 sd->cfg.ccd_endpoint);
		return;
	}
	sigd_load(sd, &active, &ending);
	snprintf(buf, size, "%s%zu legs in progress, %zu ending; %llu calls so far",
		 sd->draining ? "stopping: refusing new calls; " : "", active, ending,
		 (unsigned long long)legs_stats(sd)->uas_created);
}

static bool hook_ready(void *arg)
{
	struct sigd *sd = arg;

	return sd->link && link_ready(sd);
}

static void hook_status(void *arg, char *buf, size_t size)
{
	sigd_status(arg, buf, size);
}

static void hook_refuse_new(void *arg)
{
	sigd_refuse_new(arg);
}

static void hook_end_all(void *arg, const char *why)
{
	sigd_end_all(arg, why);
}

static void hook_load(void *arg, size_t *active, size_t *ending)
{
	sigd_load(arg, active, ending);
}

struct daemon_life *sigd_life_new(struct sigd *sd)
{
	const struct daemon_hooks hooks = {
		.arg = sd,
		.ready = hook_ready,
		.status = hook_status,
		.refuse_new = hook_refuse_new,
		.end_all = hook_end_all,
		.load = hook_load,
	};
	const struct daemon_life_config cfg = {
		.drain_ms = sd->cfg.drain_s * 1000,
		.end_ms = legs_timers(sd)->linger_ms + DRAIN_END_MARGIN_MS,
		.foreground = sd->cfg.foreground,
		.logfile = sd->cfg.logfile,
		.pidfile = sd->cfg.pidfile,
	};

	return daemon_life_new(sd->base, &cfg, &hooks);
}
