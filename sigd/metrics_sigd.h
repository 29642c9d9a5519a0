/*
 * metrics_sigd.h - sigd's Prometheus endpoint (--metrics host:port) and
 * the SIP message counts by method and status code that it exports.
 *
 * Everything exported is a counter or gauge kept where it happens (struct
 * sigd_stats, struct leg_stats, struct link_stats, tsx_count): a scrape
 * only reads them.
 */
#ifndef TANDEM_SIGD_METRICS_H
#define TANDEM_SIGD_METRICS_H

#include <stddef.h>

struct evbuffer;
struct sigd;
struct sip_msg;

/* Serves --metrics when configured (a no-op otherwise). Returns 0, or -1
 * with a one-line reason. */
int metrics_sigd_open(struct sigd *sd, char *err, size_t errsz);
void metrics_sigd_close(struct sigd *sd);

/* Renders every sigd metric into b (what a scrape answers). */
void metrics_sigd_write(struct evbuffer *b, void *sd);

/* A parsed message received (transport.c). */
void metrics_sigd_count_in(struct sigd *sd, const struct sip_msg *m);
/* A message sent (sigd_send): its method or status from the start line. */
void metrics_sigd_count_out(struct sigd *sd, const char *buf, size_t len);

#endif
