/*
 * radius.h - RADIUS for ccd's event loop, which must never wait for it.
 *
 * A pool of worker threads, each with its own radcli handle (radcli is
 * synchronous: rc_auth() waits up to radius_timeout * (radius_retries + 1)
 * per server). The loop and the workers exchange jobs over ZeroMQ inproc
 * sockets: one ROUTER in the loop, one DEALER per worker, and each message
 * is a pointer to the job, never a copy. The loop gives a job only to an
 * idle worker; the others wait in the loop's queues (authentication before
 * accounting), so a request never waits behind another one's timeout
 * while a worker is free.
 *
 * Authentication: radius_auth() returns at once; the callback runs later
 * on the loop, with the server's reply (or an empty list).
 *
 * Accounting: radius_acct() is fire and forget, and no record is ever
 * lost. A record the server does not acknowledge (after radcli's retries)
 * goes to the spool file (acct_spool.h); while the spool holds anything,
 * new records go behind it, so records reach the server oldest first. The
 * spool sends its oldest record every RADIUS_SPOOL_RETRY_MS and right
 * after any answer from a server; once one is delivered it sends the next
 * ones, a few at a time. Records still queued or in flight when ccd stops
 * are spooled by radius_close() and sent by the next ccd.
 * Acct-Delay-Time on the wire is the record's own value (0 if none) plus
 * the time since radius_acct() took it.
 *
 * Names are mapped to radcli attributes in the worker, with radcli's
 * dictionary (ccd ships one: etc/radius/dictionary). A name the
 * dictionary does not know, or a value its type cannot hold, fails the
 * request with RADIUS_ERROR and a log line naming it; such an accounting
 * record is logged in full and dropped (sending it again cannot work).
 *
 * radcli reports problems only with syslog(3). radius_worker.c defines
 * syslog(), vsyslog(), openlog(), closelog() and glibc's __syslog_chk()
 * and __vsyslog_chk() in ccd itself; the dynamic linker binds radcli's
 * calls to these, and they write "radcli: ..." lines to ccd's log
 * (log.h), at the level of the syslog priority. There may be no /dev/log.
 */
#ifndef TANDEM_CCD_RADIUS_H
#define TANDEM_CCD_RADIUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "avlist.h"
#include "metrics.h"

#define RADIUS_DEFAULT_CONF	"/etc/radcli/radiusclient.conf"
#define RADIUS_WORKERS_MAX	256
#define RADIUS_QUEUE_MAX	4096	/* jobs waiting for a worker */
#define RADIUS_SPOOL_RETRY_MS	5000	/* the spool's oldest record, while no server answers */
#define RADIUS_SPOOL_SYNC_MS	1000	/* fdatasync of a dirty spool */
#define RADIUS_NAS_PORT		5060	/* NAS-Port when the request has none (radiusclient's) */

struct radius;
struct radius_req;

enum radius_result {
	RADIUS_ACCEPT,		/* Access-Accept (accounting: acknowledged) */
	RADIUS_REJECT,		/* Access-Reject (or an Access-Challenge) */
	RADIUS_TIMEOUT,		/* no server answered */
	RADIUS_ERROR,		/* the request could not be made or sent */
};

/*
 * The answer to radius_auth(). reply holds the server's attributes for
 * ACCEPT and REJECT (names from the dictionary; integers in decimal,
 * addresses in text) and nothing otherwise; it is valid during the call.
 */
typedef void radius_done_fn(void *arg, enum radius_result result, const struct avlist *reply);

/*
 * Reads radcli's configuration conf (NULL: RADIUS_DEFAULT_CONF) once per
 * worker, checks that its dictionary has what ccd sends, opens the spool
 * (spool_path; NULL: no spool, an unacknowledged record is lost and
 * logged), starts workers (1..RADIUS_WORKERS_MAX) threads and waits until
 * each is ready. zctx is ccd's ZeroMQ context. Returns 0, or -1 with a
 * one-line reason (nothing is left running).
 */
int radius_open(struct radius **out, struct event_base *base, void *zctx, const char *conf, unsigned workers,
		const char *spool_path, char *err, size_t errsz);

/*
 * Stops the pool: queued accounting records are spooled, in-flight jobs
 * are waited for (at most the radcli timeout; their accounting records
 * are spooled unless acknowledged), the threads are joined. Callbacks of
 * pending radius_auth() calls are never called. Not from a callback. NULL
 * is a no-op.
 */
void radius_close(struct radius *r);

/*
 * An Access-Request with the pairs of req (copied). cb(arg, ...) runs
 * later on the loop, never from inside this call. Returns a handle for
 * radius_cancel(), valid until cb runs; NULL when RADIUS_QUEUE_MAX jobs
 * wait already or memory is short (the caller answers 503).
 */
struct radius_req *radius_auth(struct radius *r, const struct avlist *req, radius_done_fn *cb, void *arg);

/* The callback of req will never be called (the caller hung up). */
void radius_cancel(struct radius_req *req);

/*
 * An Accounting-Request with the pairs of rec (copied), delivered sooner
 * or later. Returns 0, or -1 when the record is lost (no spool, or the
 * spool could not take it; logged in full).
 */
int radius_acct(struct radius *r, const struct avlist *rec);

/* Accounting records waiting in the spool. */
size_t radius_spool_size(const struct radius *r);

/* "accept", "reject", "timeout", "error". */
const char *radius_result_name(enum radius_result result);

/* Counters by kind of request (one exchange with radcli each, spool
 * resends included). */
struct radius_kind_stats {
	uint64_t requests;		/* handed to a worker */
	uint64_t accepts, rejects;	/* answers (accounting: accepts only) */
	uint64_t timeouts, errors;	/* failures */
	struct metrics_hist seconds;	/* from the worker taking it to the answer */
};

struct radius_stats {
	struct radius_kind_stats auth, acct;
	uint64_t auth_refused;		/* radius_auth() returned NULL */
	uint64_t auth_cancelled;
	uint64_t acct_spooled;		/* records written to the spool */
	uint64_t acct_unspooled;	/* spooled records delivered */
	uint64_t acct_lost;		/* records dropped (logged in full) */
	uint64_t queued;		/* gauge: jobs waiting for a worker */
	uint64_t busy;			/* gauge: workers with a job */
	unsigned workers;
};

/* NULL-safe: a NULL r gives zeros. */
const struct radius_stats *radius_stats(const struct radius *r);

/* ---------------------------------------------------------------- the worker side (radius_worker.c) */

/*
 * One job as a worker sees it. The loop fills kind and av; the worker runs
 * it with radius_job_run() and fills result, permanent and, for an
 * authentication, the reply in place of the request in av.
 */
enum radius_job_kind {
	RADIUS_JOB_AUTH,
	RADIUS_JOB_ACCT,
};

struct radius_job {
	enum radius_job_kind kind;
	int64_t created_ms;		/* accounting: wall clock, for Acct-Delay-Time */
	enum radius_result result;
	bool permanent;			/* the request itself is wrong: retrying cannot help */
	struct avlist av;
};

/* Runs one job with radcli handle rh (a rc_handle *), blocking. */
void radius_job_run(void *rh, struct radius_job *job);

/* The errors radcli logged on this thread since the last
 * radius_clear_radcli_errors(), joined by "; " ("" if none). */
const char *radius_last_radcli_error(void);
void radius_clear_radcli_errors(void);

#endif
