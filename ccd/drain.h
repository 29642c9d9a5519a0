/*
 * drain.h - how ccd stops (daemon.h's life cycle, ccd's side).
 *
 * ccd owns the calls: on SIGTERM every new TRY is answered FAIL 503 with
 * Retry-After (sigd relays it to the caller), calls in progress go on for
 * --drain seconds, then each gets DISCONNECT (origin SWITCH) on both legs
 * (sigd sends BYE or CANCEL). ccd exits once no call is left, at the
 * latest DRAIN_END_MS after that: the LegClosed messages it waits for
 * come only after sigd's linger, and nothing depends on them once every
 * leg was told to end. SIGHUP ends every call the same way and keeps
 * running. READY=1 goes out once the ROUTER is bound.
 */
#ifndef TANDEM_CCD_DRAIN_H
#define TANDEM_CCD_DRAIN_H

#include <stddef.h>

struct ccd;
struct daemon_life;

#define DRAIN_END_MS 2000

/* Signals and systemd notifications for ccd (after nodes_open).
 * Free with daemon_life_free(). NULL when out of memory. */
struct daemon_life *ccd_life_new(struct ccd *cd);

/* The STATUS= line (exposed for tests). */
void ccd_status(struct ccd *cd, char *buf, size_t size);

#endif
