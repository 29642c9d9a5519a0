/*
 * radius.c - the loop side of the RADIUS pool (radius.h): the workers and
 * their inproc sockets, the queues, the callbacks, and the accounting
 * spool's retries.
 *
 * Each worker's DEALER says hello (an empty message) once connected;
 * afterwards every message either way is one pointer to a struct
 * radius_job: the loop hands it over, the worker hands it back when done.
 * While a job is out, only the worker touches it. An empty message to a
 * worker tells it to stop.
 */
#include "radius.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include <radcli/radcli.h>
#include <zmq.h>

#include "acct_spool.h"
#include "log.h"

/*
 * A job changes hands through ZeroMQ, whose own synchronisation
 * ThreadSanitizer cannot see (libzmq is not instrumented): tell it.
 */
#if defined(__SANITIZE_THREAD__)
#define RADIUS_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RADIUS_TSAN 1
#endif
#endif
#ifdef RADIUS_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#define HANDED_OVER(job) __tsan_release(job)
#define TAKEN_OVER(job) __tsan_acquire(job)
#else
#define HANDED_OVER(job) ((void)(job))
#define TAKEN_OVER(job) ((void)(job))
#endif

#define HELLO_WAIT_MS	5000	/* workers must be up by then */
#define CLOSE_SLACK_MS	1000	/* beyond radcli's own timeouts */

/* Round trips, seconds; a timeout is radius_timeout * tries * servers. */
static const double radius_buckets[] = { 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30 };

enum req_kind {
	REQ_AUTH,
	REQ_ACCT,	/* a record sent straight away */
	REQ_SPOOL,	/* a record from the spool */
};

struct radius_req {
	TAILQ_ENTRY(radius_req) link;	/* in a queue */
	struct radius *r;
	enum req_kind kind;
	bool queued, cancelled;
	radius_done_fn *cb;
	void *arg;
	uint64_t seq;			/* REQ_SPOOL: the spool's number */
	int64_t started_ns;		/* when a worker took it */
	struct radius_job job;		/* what the worker sees */
};

TAILQ_HEAD(req_queue, radius_req);

struct worker {
	struct radius *r;
	pthread_t thread;
	rc_handle *rh;
	bool started;		/* the thread exists */
	bool ready;		/* it said hello */
	struct radius_req *req;	/* the job it has, or NULL */
	uint8_t id[3];		/* its routing id: 'W', index */
};

struct radius {
	struct event_base *base;
	void *zctx, *router;
	char endpoint[64];
	struct event *read_ev, *retry_ev, *sync_ev;
	struct worker *w;
	unsigned n_workers;
	unsigned *idle;		/* indices of the ready workers without a job */
	unsigned n_idle;
	struct req_queue auth_q, acct_q;
	unsigned n_queued;
	struct acct_spool *spool;
	unsigned spool_window;	/* spool records out at once, now */
	unsigned spool_window_max;
	unsigned spool_out;
	bool spool_backoff;	/* no server answered the last one: wait */
	bool acct_down;		/* said so in the log */
	bool closing;
	int job_max_ms;		/* the longest a worker may keep a job */
	struct radius_stats stats;
};

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *radius_result_name(enum radius_result result)
{
	switch (result) {
	case RADIUS_ACCEPT:
		return "accept";
	case RADIUS_REJECT:
		return "reject";
	case RADIUS_TIMEOUT:
		return "timeout";
	default:
		return "error";
	}
}

/* ---------------------------------------------------------------- log helpers */


/* The pairs as one line, Name="value" ..., control bytes as \xHH: what an
 * operator needs to replay a lost record by hand. */
static void pairs_text(const struct avlist *av, char *out, size_t size)
{
	size_t n = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < av->n && n + 8 < size; i++) {
		n += (size_t)snprintf(out + n, size - n, "%s%s=\"", i ? " " : "", av->a[i].name);
		for (const unsigned char *c = (const unsigned char *)av->a[i].value; *c && n + 6 < size; c++)
			n += (size_t)(*c < 0x20 || *c == 0x7f || *c == '"' || *c == '\\'
					      ? snprintf(out + n, size - n, "\\x%02x", *c)
					      : snprintf(out + n, size - n, "%c", *c));
		if (n + 2 < size)
			n += (size_t)snprintf(out + n, size - n, "\"");
	}
}

static void record_lost(struct radius *r, const struct avlist *av, const char *why)
{
	char text[LOG_LINE_MAX - 256];

	r->stats.acct_lost++;
	pairs_text(av, text, sizeof(text));
	LOGE(avlist_call_id(av), "radius: accounting record lost (%s): %s", why, text);
}

/* ---------------------------------------------------------------- the spool */

static void enter_backoff(struct radius *r)
{
	struct timeval tv = { RADIUS_SPOOL_RETRY_MS / 1000, (RADIUS_SPOOL_RETRY_MS % 1000) * 1000 };

	r->spool_window = 1;
	if (r->spool_backoff || r->closing)
		return;
	r->spool_backoff = true;
	evtimer_add(r->retry_ev, &tv);
	if (!r->acct_down)
		LOGW(PL_NULL, "radius: accounting server not answering: %zu records in the spool, the oldest "
		     "is tried every %d s", acct_spool_pending(r->spool), RADIUS_SPOOL_RETRY_MS / 1000);
	r->acct_down = true;
}

/* A server answered something: the spool may try at once. */
static void leave_backoff(struct radius *r)
{
	if (!r->spool_backoff)
		return;
	r->spool_backoff = false;
	evtimer_del(r->retry_ev);
}

/* Puts a record behind the others in the spool; without a spool, or when
 * the spool cannot take it, the record is lost. Returns 0 or -1. */
static int spool_record(struct radius *r, int64_t created_ms, const struct avlist *av, const char *why)
{
	char err[256];

	if (!r->spool) {
		record_lost(r, av, why);
		return -1;
	}
	if (acct_spool_append(r->spool, created_ms, av, err, sizeof(err)) < 0) {
		char reason[400];

		snprintf(reason, sizeof(reason), "%s, and the spool refused it: %s", why, err);
		record_lost(r, av, reason);
		return -1;
	}
	r->stats.acct_spooled++;
	LOGD(avlist_call_id(av), "radius: accounting record spooled (%s): %zu waiting", why,
	     acct_spool_pending(r->spool));
	return 0;
}

/* The spool is not empty any more: records still waiting for a worker go
 * behind it too, in their order. */
static void spool_queued_records(struct radius *r, const char *why)
{
	struct radius_req *req;

	while ((req = TAILQ_FIRST(&r->acct_q))) {
		TAILQ_REMOVE(&r->acct_q, req, link);
		r->n_queued--;
		spool_record(r, req->job.created_ms, &req->job.av, why);
		free(req);
	}
	r->stats.queued = r->n_queued;
}

/* The next spool record to send, as a job; NULL when there is none or the
 * spool waits. */
static struct radius_req *spool_job(struct radius *r)
{
	struct radius_req *req;
	struct acct_rec rec;

	if (!r->spool || r->spool_backoff || r->closing || r->spool_out >= r->spool_window ||
	    acct_spool_pending(r->spool) == 0)
		return NULL;
	if (acct_spool_next(r->spool, &rec) != 1)
		return NULL;
	req = calloc(1, sizeof(*req));
	if (!req) {
		acct_spool_retry(r->spool, rec.seq);
		return NULL;
	}
	req->r = r;
	req->kind = REQ_SPOOL;
	req->seq = rec.seq;
	req->job.kind = RADIUS_JOB_ACCT;
	req->job.created_ms = rec.created_ms;
	req->job.av = rec.av;
	r->spool_out++;
	return req;
}

static void on_retry(evutil_socket_t fd, short what, void *arg);
static void dispatch(struct radius *r);

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
	struct radius *r = arg;

	(void)fd;
	(void)what;
	r->spool_backoff = false;
	dispatch(r);
}

static void on_sync(evutil_socket_t fd, short what, void *arg)
{
	struct radius *r = arg;

	(void)fd;
	(void)what;
	if (r->spool && acct_spool_dirty(r->spool))
		acct_spool_sync(r->spool);
}

/* ---------------------------------------------------------------- workers */

static int send_to(struct radius *r, struct worker *w, const void *data, size_t len)
{
	int rc = zmq_send(r->router, w->id, sizeof(w->id), ZMQ_SNDMORE | ZMQ_DONTWAIT);

	if (rc >= 0)
		rc = zmq_send(r->router, data, len, ZMQ_DONTWAIT);
	/* A send can take the edge of ZMQ_FD away from a pending inbound
	 * message: look at the socket again from the loop. */
	if (r->read_ev)
		event_active(r->read_ev, EV_READ, 0);
	return rc < 0 ? -1 : 0;
}

static struct radius_req *next_job(struct radius *r)
{
	struct radius_req *req = TAILQ_FIRST(&r->auth_q);

	if (!req)
		req = TAILQ_FIRST(&r->acct_q);
	if (req) {
		TAILQ_REMOVE(req->kind == REQ_AUTH ? &r->auth_q : &r->acct_q, req, link);
		req->queued = false;
		r->n_queued--;
		return req;
	}
	return spool_job(r);
}

/* Hands queued jobs to idle workers: authentication first, then records
 * sent straight away, then the spool's. */
static void dispatch(struct radius *r)
{
	while (r->n_idle && !r->closing) {
		struct radius_req *req = next_job(r);
		struct worker *w;
		struct radius_job *job;

		if (!req)
			break;
		w = &r->w[r->idle[--r->n_idle]];
		job = &req->job;
		req->started_ns = mono_ns();
		w->req = req;
		HANDED_OVER(job);
		if (send_to(r, w, &job, sizeof(job)) < 0) {
			/* Cannot happen with an inproc peer holding one job at
			 * most; if it does, the worker is not used again. */
			LOGC(PL_NULL, "radius: cannot hand a job to worker %u: %s", (unsigned)(w - r->w),
			     zmq_strerror(errno));
			w->req = NULL;
			w->ready = false;
			if (req->kind == REQ_SPOOL) {
				acct_spool_retry(r->spool, req->seq);
				r->spool_out--;
				free(req);
			} else {
				TAILQ_INSERT_HEAD(req->kind == REQ_AUTH ? &r->auth_q : &r->acct_q, req, link);
				req->queued = true;
				r->n_queued++;
			}
			continue;
		}
		r->stats.busy++;
		(req->kind == REQ_AUTH ? &r->stats.auth : &r->stats.acct)->requests++;
	}
	r->stats.queued = r->n_queued;
}

static void count_result(struct radius *r, struct radius_req *req)
{
	struct radius_kind_stats *k = req->kind == REQ_AUTH ? &r->stats.auth : &r->stats.acct;

	metrics_hist_observe(&k->seconds, (double)(mono_ns() - req->started_ns) / 1e9);
	switch (req->job.result) {
	case RADIUS_ACCEPT:
		k->accepts++;
		break;
	case RADIUS_REJECT:
		k->rejects++;
		break;
	case RADIUS_TIMEOUT:
		k->timeouts++;
		break;
	default:
		k->errors++;
	}
}

static void finish_auth(struct radius *r, struct radius_req *req)
{
	const struct radius_job *job = &req->job;

	if (job->result == RADIUS_ACCEPT || job->result == RADIUS_REJECT)
		leave_backoff(r);
	if (!req->cancelled && !r->closing)
		req->cb(req->arg, job->result, &job->av);
	free(req);
}

static void finish_acct(struct radius *r, struct radius_req *req)
{
	const struct radius_job *job = &req->job;
	char why[64];

	if (job->result == RADIUS_ACCEPT) {
		leave_backoff(r);
	} else if (job->permanent) {
		record_lost(r, &job->av, "the dictionary cannot encode it");
	} else {
		snprintf(why, sizeof(why), "%s", r->closing ? "ccd stopping" : radius_result_name(job->result));
		spool_record(r, job->created_ms, &job->av, why);
		if (r->spool && !r->closing) {
			enter_backoff(r);
			spool_queued_records(r, "behind the spool");
		}
	}
	free(req);
}

static void finish_spooled(struct radius *r, struct radius_req *req)
{
	const struct radius_job *job = &req->job;

	r->spool_out--;
	if (job->result == RADIUS_ACCEPT || job->permanent) {
		if (job->permanent) {
			record_lost(r, &job->av, "the dictionary cannot encode it");
		} else {
			r->stats.acct_unspooled++;
			leave_backoff(r);
			if (r->acct_down)
				LOGI(PL_NULL, "radius: accounting server answers again: %zu records in the spool",
				     acct_spool_pending(r->spool) - 1);
			r->acct_down = false;
		}
		acct_spool_done(r->spool, req->seq);
		if (r->spool_window < r->spool_window_max)
			r->spool_window = r->spool_window * 2 < r->spool_window_max ? r->spool_window * 2
										  : r->spool_window_max;
		if (acct_spool_pending(r->spool) == 0)
			LOGI(PL_NULL, "radius: accounting spool delivered: it is empty");
	} else {
		acct_spool_retry(r->spool, req->seq);
		enter_backoff(r);
	}
	free(req);
}

/* A worker gave a job back. */
static void finish(struct radius *r, struct worker *w, struct radius_job *job)
{
	struct radius_req *req = w->req;

	if (!req || &req->job != job) {
		LOGC(PL_NULL, "radius: worker %u returned a job it did not have", (unsigned)(w - r->w));
		return;
	}
	w->req = NULL;
	r->idle[r->n_idle++] = (unsigned)(w - r->w);
	r->stats.busy--;
	count_result(r, req);
	switch (req->kind) {
	case REQ_AUTH:
		finish_auth(r, req);
		break;
	case REQ_ACCT:
		finish_acct(r, req);
		break;
	case REQ_SPOOL:
		finish_spooled(r, req);
		break;
	}
}

static bool readable(void *zsock)
{
	int events = 0;
	size_t len = sizeof(events);

	return zmq_getsockopt(zsock, ZMQ_EVENTS, &events, &len) == 0 && (events & ZMQ_POLLIN);
}

static struct worker *worker_of(struct radius *r, const zmq_msg_t *id)
{
	const uint8_t *p = zmq_msg_data((zmq_msg_t *)id);
	unsigned i;

	if (zmq_msg_size((zmq_msg_t *)id) != 3 || p[0] != 'W')
		return NULL;
	i = (unsigned)p[1] << 8 | p[2];
	return i < r->n_workers ? &r->w[i] : NULL;
}

/* Takes every message the workers sent; ZMQ_FD only tells that something
 * may have changed, so drain until ZMQ_EVENTS says nothing is left. */
static void drain(struct radius *r)
{
	while (readable(r->router)) {
		zmq_msg_t id, body;
		struct worker *w;
		int more = 0;
		size_t morelen = sizeof(more);

		zmq_msg_init(&id);
		zmq_msg_init(&body);
		if (zmq_msg_recv(&id, r->router, ZMQ_DONTWAIT) < 0 ||
		    zmq_msg_recv(&body, r->router, ZMQ_DONTWAIT) < 0)
			goto next;
		while (zmq_getsockopt(r->router, ZMQ_RCVMORE, &more, &morelen) == 0 && more) {
			zmq_msg_t extra;

			zmq_msg_init(&extra);
			zmq_msg_recv(&extra, r->router, ZMQ_DONTWAIT);
			zmq_msg_close(&extra);
		}
		w = worker_of(r, &id);
		if (!w)
			goto next;
		if (zmq_msg_size(&body) == 0) {
			if (!w->ready && !w->req) {
				w->ready = true;
				r->idle[r->n_idle++] = (unsigned)(w - r->w);
			}
		} else if (zmq_msg_size(&body) == sizeof(struct radius_job *)) {
			struct radius_job *job;

			memcpy(&job, zmq_msg_data(&body), sizeof(job));
			TAKEN_OVER(job);
			finish(r, w, job);
		}
next:
		zmq_msg_close(&id);
		zmq_msg_close(&body);
	}
}

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct radius *r = arg;

	(void)fd;
	(void)what;
	drain(r);
	dispatch(r);
}

/* The worker thread: a DEALER, radcli, and nothing of the loop. */
static void *worker_main(void *arg)
{
	struct worker *w = arg;
	void *s = zmq_socket(w->r->zctx, ZMQ_DEALER);
	int zero = 0;

	if (!s)
		return NULL;
	if (zmq_setsockopt(s, ZMQ_ROUTING_ID, w->id, sizeof(w->id)) < 0 ||
	    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero)) < 0 || zmq_connect(s, w->r->endpoint) < 0 ||
	    zmq_send(s, "", 0, 0) < 0) {
		zmq_close(s);
		return NULL;
	}
	for (;;) {
		struct radius_job *job;
		int n = zmq_recv(s, &job, sizeof(job), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;	/* told to stop (or the context ends) */
		if (n != (int)sizeof(job))
			continue;
		TAKEN_OVER(job);
		radius_job_run(w->rh, job);
		HANDED_OVER(job);
		while (zmq_send(s, &job, sizeof(job), 0) < 0 && errno == EINTR)
			;
	}
	zmq_close(s);
	return NULL;
}

/* Waits (blocking, outside the loop) until no worker has a job or
 * wait_ms passed; results are taken as usual (no callbacks: closing). */
static void wait_workers(struct radius *r, int64_t wait_ms, bool for_hello)
{
	int64_t deadline = mono_ns() + wait_ms * 1000000;

	for (;;) {
		unsigned pending = 0;
		int64_t left;
		zmq_pollitem_t item = { r->router, 0, ZMQ_POLLIN, 0 };

		for (unsigned i = 0; i < r->n_workers; i++)
			pending += for_hello ? (r->w[i].started && !r->w[i].ready) : r->w[i].req != NULL;
		left = (deadline - mono_ns()) / 1000000;
		if (!pending || left <= 0)
			return;
		if (zmq_poll(&item, 1, (long)left) < 0 && errno != EINTR)
			return;
		drain(r);
	}
}

/* ---------------------------------------------------------------- open and close */

/* What ccd sends must be in the dictionary, or every request would fail. */
static int check_dictionary(rc_handle *rh, const char *conf, char *err, size_t errsz)
{
	static const struct {
		const char *name;
		unsigned vendor;
	} need[] = {
		{ "User-Name", 0 },	     { "Password", 0 },		    { "Calling-Station-Id", 0 },
		{ "Called-Station-Id", 0 },  { "Acct-Status-Type", 0 },    { "Acct-Session-Id", 0 },
		{ "Acct-Session-Time", 0 },  { "Acct-Delay-Time", 0 },	    { "Digest-Response", 0 },
		{ "Digest-Attributes", 0 },  { "Digest-Realm", 0 },	    { "Digest-User-Name", 0 },
		{ "Cisco-AVPair", 9 },	     { "h323-remote-address", 9 }, { "h323-credit-time", 9 },
	};
	DICT_VALUE *alive;

	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		DICT_ATTR *da = rc_dict_findattr(rh, need[i].name);

		if (!da || (unsigned)VENDOR(da->value) != need[i].vendor) {
			snprintf(err, errsz, "radius: the dictionary of %s has no %s%s: use tandem's "
				 "etc/radius/dictionary", conf, need[i].name, need[i].vendor ? " (vendor 9)" : "");
			return -1;
		}
	}
	alive = rc_dict_findval(rh, "Alive");
	if (!alive || strcasecmp(alive->attrname, "Acct-Status-Type") != 0 || alive->value != 3) {
		snprintf(err, errsz, "radius: the dictionary of %s has no VALUE Acct-Status-Type Alive 3: use "
			 "tandem's etc/radius/dictionary", conf);
		return -1;
	}
	return 0;
}

/* The longest radcli may take over one request: every server, every try. */
static int job_max_ms(rc_handle *rh)
{
	int timeout = rc_conf_int(rh, "radius_timeout"), retries = rc_conf_int(rh, "radius_retries");
	SERVER *auth = rc_conf_srv(rh, "authserver"), *acct = rc_conf_srv(rh, "acctserver");
	int servers = 1;

	if (auth && auth->max > servers)
		servers = auth->max;
	if (acct && acct->max > servers)
		servers = acct->max;
	if (timeout < 1)
		timeout = 1;
	if (retries < 0)
		retries = 0;
	return timeout * 1000 * (retries + 1) * servers + CLOSE_SLACK_MS;
}

static int read_config(struct radius *r, const char *conf, char *err, size_t errsz)
{
	FILE *f = fopen(conf, "r");

	if (!f) {
		snprintf(err, errsz, "radius: radcli configuration %s: %s", conf, strerror(errno));
		return -1;
	}
	fclose(f);
	for (unsigned i = 0; i < r->n_workers; i++) {
		radius_clear_radcli_errors();
		r->w[i].rh = rc_read_config(conf);
		if (!r->w[i].rh) {
			const char *last = radius_last_radcli_error();

			snprintf(err, errsz, "radius: radcli cannot use %s: %s", conf,
				 *last ? last : "see radcli's lines in the log");
			return -1;
		}
		if (i == 0 && check_dictionary(r->w[0].rh, conf, err, errsz) < 0)
			return -1;
	}
	r->job_max_ms = job_max_ms(r->w[0].rh);
	return 0;
}

static int open_router(struct radius *r, char *err, size_t errsz)
{
	int zero = 0, one = 1, fd;
	size_t fdlen = sizeof(fd);

	r->router = zmq_socket(r->zctx, ZMQ_ROUTER);
	snprintf(r->endpoint, sizeof(r->endpoint), "inproc://tandem-radius-%p", (void *)r);
	if (!r->router || zmq_setsockopt(r->router, ZMQ_LINGER, &zero, sizeof(zero)) < 0 ||
	    zmq_setsockopt(r->router, ZMQ_ROUTER_MANDATORY, &one, sizeof(one)) < 0 ||
	    zmq_bind(r->router, r->endpoint) < 0 || zmq_getsockopt(r->router, ZMQ_FD, &fd, &fdlen) < 0) {
		snprintf(err, errsz, "radius: ZeroMQ socket %s: %s", r->endpoint, zmq_strerror(errno));
		return -1;
	}
	r->read_ev = event_new(r->base, fd, EV_READ | EV_PERSIST, on_readable, r);
	r->retry_ev = evtimer_new(r->base, on_retry, r);
	r->sync_ev = event_new(r->base, -1, EV_PERSIST, on_sync, r);
	if (!r->read_ev || !r->retry_ev || !r->sync_ev || event_add(r->read_ev, NULL) < 0) {
		snprintf(err, errsz, "radius: cannot create events");
		return -1;
	}
	return 0;
}

/* Workers take no signals: those are the loop's. */
static int start_workers(struct radius *r, char *err, size_t errsz)
{
	sigset_t all, old;
	int rc = 0;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (unsigned i = 0; i < r->n_workers && rc == 0; i++) {
		struct worker *w = &r->w[i];

		w->r = r;
		w->id[0] = 'W';
		w->id[1] = (uint8_t)(i >> 8);
		w->id[2] = (uint8_t)i;
		rc = pthread_create(&w->thread, NULL, worker_main, w);
		if (rc == 0)
			w->started = true;
		else
			snprintf(err, errsz, "radius: cannot start worker thread %u: %s", i, strerror(rc));
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		return -1;
	wait_workers(r, HELLO_WAIT_MS, true);
	for (unsigned i = 0; i < r->n_workers; i++)
		if (!r->w[i].ready) {
			snprintf(err, errsz, "radius: worker thread %u did not start", i);
			return -1;
		}
	return 0;
}

/* Stops and frees whatever exists: the threads that can stop are told to
 * and joined. */
static void teardown(struct radius *r)
{
	unsigned stuck = 0;

	if (r->router) {
		for (unsigned i = 0; i < r->n_workers; i++) {
			struct worker *w = &r->w[i];

			if (!w->started)
				continue;
			if (w->req || !w->ready) {
				stuck++;
				pthread_detach(w->thread);
				continue;
			}
			send_to(r, w, "", 0);
			pthread_join(w->thread, NULL);
			w->started = false;
		}
		zmq_close(r->router);
	}
	if (stuck)
		LOGC(PL_NULL, "radius: %u worker threads did not finish their job: left running", stuck);
	for (unsigned i = 0; r->w && i < r->n_workers; i++)
		if (r->w[i].rh && !r->w[i].started)
			rc_destroy(r->w[i].rh);
	if (r->read_ev)
		event_free(r->read_ev);
	if (r->retry_ev)
		event_free(r->retry_ev);
	if (r->sync_ev)
		event_free(r->sync_ev);
	acct_spool_close(r->spool);
	free(r->w);
	free(r->idle);
	free(r);
}

int radius_open(struct radius **out, struct event_base *base, void *zctx, const char *conf, unsigned workers,
		const char *spool_path, char *err, size_t errsz)
{
	struct radius *r;
	struct timeval sync_tv = { RADIUS_SPOOL_SYNC_MS / 1000, (RADIUS_SPOOL_SYNC_MS % 1000) * 1000 };

	*out = NULL;
	if (workers < 1 || workers > RADIUS_WORKERS_MAX) {
		snprintf(err, errsz, "radius: %u workers: must be 1..%d", workers, RADIUS_WORKERS_MAX);
		return -1;
	}
	if (!conf)
		conf = RADIUS_DEFAULT_CONF;
	r = calloc(1, sizeof(*r));
	if (!r || !(r->w = calloc(workers, sizeof(*r->w))) || !(r->idle = calloc(workers, sizeof(*r->idle)))) {
		if (r)
			free(r->w);
		free(r);
		snprintf(err, errsz, "radius: out of memory");
		return -1;
	}
	r->base = base;
	r->zctx = zctx;
	r->n_workers = workers;
	TAILQ_INIT(&r->auth_q);
	TAILQ_INIT(&r->acct_q);
	r->spool_window = 1;
	r->spool_window_max = workers / 2 < 1 ? 1 : workers / 2;
	if (r->spool_window_max > ACCT_SPOOL_WINDOW_MAX)
		r->spool_window_max = ACCT_SPOOL_WINDOW_MAX;
	metrics_hist_init(&r->stats.auth.seconds, radius_buckets, sizeof(radius_buckets) / sizeof(radius_buckets[0]));
	metrics_hist_init(&r->stats.acct.seconds, radius_buckets, sizeof(radius_buckets) / sizeof(radius_buckets[0]));
	r->stats.workers = workers;
	if (read_config(r, conf, err, errsz) < 0 ||
	    (spool_path && acct_spool_open(&r->spool, spool_path, err, errsz) < 0) ||
	    open_router(r, err, errsz) < 0 || start_workers(r, err, errsz) < 0) {
		teardown(r);
		return -1;
	}
	if (r->spool)
		event_add(r->sync_ev, &sync_tv);
	LOGI(PL_NULL, "radius: %u workers, radcli configuration %s, accounting spool %s", workers, conf,
	     spool_path ? spool_path : "(none)");
	dispatch(r);	/* a spool left by the last run */
	*out = r;
	return 0;
}

void radius_close(struct radius *r)
{
	struct radius_req *req;

	if (!r)
		return;
	r->closing = true;
	event_del(r->read_ev);
	event_del(r->retry_ev);
	event_del(r->sync_ev);
	while ((req = TAILQ_FIRST(&r->auth_q))) {
		TAILQ_REMOVE(&r->auth_q, req, link);
		free(req);
	}
	while ((req = TAILQ_FIRST(&r->acct_q))) {
		TAILQ_REMOVE(&r->acct_q, req, link);
		spool_record(r, req->job.created_ms, &req->job.av, "ccd stopping");
		free(req);
	}
	r->n_queued = 0;
	if (r->stats.busy)
		LOGI(PL_NULL, "radius: waiting up to %d ms for %llu requests in flight", r->job_max_ms,
		     (unsigned long long)r->stats.busy);
	wait_workers(r, r->job_max_ms, false);
	if (r->spool && acct_spool_pending(r->spool))
		LOGI(PL_NULL, "radius: %zu accounting records stay in the spool for the next start",
		     acct_spool_pending(r->spool));
	teardown(r);
}

/* ---------------------------------------------------------------- requests */

struct radius_req *radius_auth(struct radius *r, const struct avlist *av, radius_done_fn *cb, void *arg)
{
	struct radius_req *req;

	if (r->closing || r->n_queued >= RADIUS_QUEUE_MAX || !(req = malloc(sizeof(*req)))) {
		r->stats.auth_refused++;
		return NULL;
	}
	memset(req, 0, offsetof(struct radius_req, job));
	req->r = r;
	req->kind = REQ_AUTH;
	req->cb = cb;
	req->arg = arg;
	req->job.kind = RADIUS_JOB_AUTH;
	req->job.created_ms = 0;
	req->job.permanent = false;
	req->job.result = RADIUS_ERROR;
	req->job.av = *av;
	req->queued = true;
	TAILQ_INSERT_TAIL(&r->auth_q, req, link);
	r->n_queued++;
	dispatch(r);
	return req;
}

void radius_cancel(struct radius_req *req)
{
	struct radius *r;

	if (!req)
		return;
	r = req->r;
	r->stats.auth_cancelled++;
	if (req->queued) {
		TAILQ_REMOVE(&r->auth_q, req, link);
		r->n_queued--;
		r->stats.queued = r->n_queued;
		free(req);
		return;
	}
	req->cancelled = true;	/* freed when its worker gives it back */
}

int radius_acct(struct radius *r, const struct avlist *av)
{
	int64_t now = wall_ms();
	struct radius_req *req;

	if (r->spool && acct_spool_pending(r->spool) > 0) {
		if (spool_record(r, now, av, "behind the spool") < 0)
			return -1;
		dispatch(r);
		return 0;
	}
	if (r->closing)
		return spool_record(r, now, av, "ccd stopping");
	if ((r->n_queued >= RADIUS_QUEUE_MAX && !r->n_idle) || !(req = malloc(sizeof(*req))))
		return spool_record(r, now, av, "queue full");
	memset(req, 0, offsetof(struct radius_req, job));
	req->r = r;
	req->kind = REQ_ACCT;
	req->job.kind = RADIUS_JOB_ACCT;
	req->job.created_ms = now;
	req->job.permanent = false;
	req->job.result = RADIUS_ERROR;
	req->job.av = *av;
	req->queued = true;
	TAILQ_INSERT_TAIL(&r->acct_q, req, link);
	r->n_queued++;
	dispatch(r);
	return 0;
}

size_t radius_spool_size(const struct radius *r)
{
	return r && r->spool ? acct_spool_pending(r->spool) : 0;
}

const struct radius_stats *radius_stats(const struct radius *r)
{
	static const struct radius_stats none;

	return r ? &r->stats : &none;
}
