/*
 * drain.h - how sigd stops (daemon.h's life cycle, sigd's side).
 *
 * sigd owns the legs, so it drains by itself, whatever ccd does: on
 * SIGTERM new INVITEs get 503 with Retry-After (dispatch.c checks
 * sd->draining), the legs in progress go on for --drain seconds, then
 * each is ended as for a DISCONNECT from ccd (BYE, CANCEL, or 503 with
 * Retry-After for a caller not yet answered) and ccd is told with a
 * DISCONNECT of origin SWITCH, so the call ends there too. sigd exits once
 * no leg is left (ended legs linger 64*T1 answering retransmissions), at
 * the latest 64*T1 + DRAIN_END_MARGIN_MS after the legs were ended.
 * SIGHUP ends every leg the same way and keeps running. READY=1 waits for
 * ccd's Welcome.
 */
#ifndef TANDEM_SIGD_DRAIN_H
#define TANDEM_SIGD_DRAIN_H

#include <stddef.h>

struct sigd;
struct daemon_life;

#define DRAIN_END_MARGIN_MS 2000

/* Signals and systemd notifications for sigd (after link_init).
 * Free with daemon_life_free(). NULL when out of memory. */
struct daemon_life *sigd_life_new(struct sigd *sd);

/* The hooks, exposed for tests. */
void sigd_refuse_new(struct sigd *sd);
/* Ends every leg not ending yet; returns how many. */
size_t sigd_end_all(struct sigd *sd, const char *why);
/* Legs in progress (not ending yet) and legs ending or lingering. */
void sigd_load(struct sigd *sd, size_t *active, size_t *ending);
/* The STATUS= line. */
void sigd_status(struct sigd *sd, char *buf, size_t size);

#endif
