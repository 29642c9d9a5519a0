/*
 * metrics_ccd.h - ccd's Prometheus endpoint (--metrics host:port).
 *
 * Everything exported is kept where it happens (struct ccd_stats, the
 * node registry, the RADIUS pool, the RTP proxies); a scrape only reads
 * it. A family whose room is not configured (no -r, no RADIUS) is
 * exported as 0, so dashboards need not know the configuration.
 */
#ifndef TANDEM_CCD_METRICS_H
#define TANDEM_CCD_METRICS_H

#include <stddef.h>

struct ccd;
struct evbuffer;

/* Serves cd->cfg.metrics when set (a no-op otherwise). Returns 0, or -1
 * with a one-line reason. */
int metrics_ccd_open(struct ccd *cd, char *err, size_t errsz);
void metrics_ccd_close(struct ccd *cd);

/* Renders every ccd metric into b (what a scrape answers). */
void metrics_ccd_write(struct evbuffer *b, void *cd);

#endif
