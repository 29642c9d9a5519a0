/*
 * acct_spool.c - the accounting spool file (acct_spool.h): reading it back
 * at start, appending, handing records out oldest first, and forgetting
 * them once delivered.
 *
 * Every record before the head (the oldest one not done) is done, so the
 * file is a done prefix, then the pending records mixed with done ones that
 * were delivered out of order, then the U/D marks. In memory there is only
 * the window of records handed out, the offsets and a count; the records
 * themselves stay in the file.
 */
#include "acct_spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

#define READ_BUF	(2 * ACCT_SPOOL_LINE_MAX + 2)
#define AHEAD_MAX	(4 * ACCT_SPOOL_WINDOW_MAX)
#define PUNCH_STEP	((uint64_t)1 << 20)	/* give back disk space per MiB */
#define PUNCH_ALIGN	4096

enum win_state {
	WIN_OUT,	/* handed out */
	WIN_RETRY,	/* came back undelivered: hand out again */
	WIN_DONE,	/* delivered, but an older one is not */
};

struct win_ent {
	uint64_t seq, off;
	enum win_state state;
};

enum line_result {
	LINE_OK,
	LINE_END,	/* nothing more before the limit */
	LINE_TORN,	/* bytes without a newline up to the limit */
	LINE_LONG,	/* longer than ACCT_SPOOL_LINE_MAX: skipped */
	LINE_ERROR,	/* read error (errno) */
};

struct acct_spool {
	int fd;
	char *path;
	uint64_t end_off;	/* file size as we wrote it */
	uint64_t next_off;	/* where acct_spool_next() reads on */
	uint64_t punched;	/* bytes before this were given back */
	uint64_t next_seq;
	uint64_t upto;		/* every record up to this seq is done */
	size_t pending;
	struct win_ent win[ACCT_SPOOL_WINDOW_MAX];	/* by seq, oldest first */
	unsigned n_win;
	/* Records done out of order whose seq is above upto, from the D marks
	 * read at open: skipped when reached. */
	uint64_t ahead[AHEAD_MAX];
	unsigned n_ahead;
	bool dirty, punch_ok;
	struct acct_spool_stats stats;
	/* The read buffer holds the file's bytes [rb_off, rb_off + rb_len). */
	uint64_t rb_off;
	size_t rb_len;
	char rbuf[READ_BUF];
	char wbuf[ACCT_SPOOL_LINE_MAX];
	struct acct_line scratch;	/* a parsed line */
};

/* ---------------------------------------------------------------- reading lines */

static int fill(struct acct_spool *sp, uint64_t off, uint64_t limit)
{
	size_t want = limit - off < READ_BUF ? (size_t)(limit - off) : READ_BUF, got = 0;

	while (got < want) {
		ssize_t n = pread(sp->fd, sp->rbuf + got, want - got, (off_t)(off + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	sp->rb_off = off;
	sp->rb_len = got;
	return 0;
}

/*
 * The line at off (before limit), without its newline, in *line and *len;
 * *next is where the one after it starts. Sequential reads are served
 * from the buffer; it is refilled from off when the line is not all in it.
 */
static enum line_result line_at(struct acct_spool *sp, uint64_t off, uint64_t limit, const char **line,
				size_t *len, uint64_t *next)
{
	const char *nl = NULL;
	size_t at, cap;

	if (off >= limit)
		return LINE_END;
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1 || off < sp->rb_off || off >= sp->rb_off + sp->rb_len)
			if (fill(sp, off, limit) < 0)
				return LINE_ERROR;
		at = (size_t)(off - sp->rb_off);
		cap = sp->rb_len - at;
		if (cap > ACCT_SPOOL_LINE_MAX + 1)
			cap = ACCT_SPOOL_LINE_MAX + 1;
		nl = memchr(sp->rbuf + at, '\n', cap);
		/* Look again from off only if the buffer ended before the line
		 * could have (and the file goes on). */
		if (nl || cap == ACCT_SPOOL_LINE_MAX + 1 || sp->rb_off + sp->rb_len >= limit)
			break;
	}
	if (nl) {
		*line = sp->rbuf + at;
		*len = (size_t)(nl - *line);
		*next = off + *len + 1;
		return LINE_OK;
	}
	if (cap < ACCT_SPOOL_LINE_MAX + 1) {
		*next = limit;
		return LINE_TORN;
	}
	/* An overlong line: skip to the newline after it, if any. */
	for (uint64_t o = off + ACCT_SPOOL_LINE_MAX + 1; o < limit;) {
		if (fill(sp, o, limit) < 0)
			return LINE_ERROR;
		nl = memchr(sp->rbuf, '\n', sp->rb_len);
		if (nl) {
			*next = o + (uint64_t)(nl - sp->rbuf) + 1;
			return LINE_LONG;
		}
		if (sp->rb_len == 0)
			break;
		o += sp->rb_len;
	}
	*next = limit;
	return LINE_LONG;
}

static void forget_buffer(struct acct_spool *sp)
{
	sp->rb_off = 0;
	sp->rb_len = 0;
}

/* ---------------------------------------------------------------- writing */

static int write_all(struct acct_spool *sp, const char *p, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(sp->fd, p + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? errno : ENOSPC;

			/* Never leave half a line for the next one to run into. */
			if (done && ftruncate(sp->fd, (off_t)sp->end_off) < 0)
				LOGE(PL_NULL, "acct spool %s: cannot cut a partial write: %s", sp->path,
				     strerror(errno));
			errno = e;
			return -1;
		}
		done += (size_t)w;
	}
	sp->end_off += n;
	sp->dirty = true;
	return 0;
}

static void write_mark(struct acct_spool *sp, enum acct_line_kind kind, uint64_t seq)
{
	int n = acct_line_mark(sp->wbuf, sizeof(sp->wbuf), kind, seq);

	if (n < 0 || write_all(sp, sp->wbuf, (size_t)n) < 0) {
		sp->stats.write_errors++;
		LOGW(PL_NULL, "acct spool %s: cannot mark record %llu done (%s): it may be sent again", sp->path,
		     (unsigned long long)seq, strerror(errno));
	}
}

/* ---------------------------------------------------------------- space */

static uint64_t head_off(const struct acct_spool *sp)
{
	return sp->n_win ? sp->win[0].off : sp->next_off;
}

/* Nothing is pending: empties the file. Returns whether it is empty. */
static bool compact(struct acct_spool *sp)
{
	if (sp->end_off == 0)
		return true;
	if (ftruncate(sp->fd, 0) < 0) {
		LOGW(PL_NULL, "acct spool %s: cannot truncate: %s", sp->path, strerror(errno));
		return false;
	}
	sp->end_off = sp->next_off = sp->punched = 0;
	sp->n_win = sp->n_ahead = 0;
	sp->pending = 0;
	sp->dirty = true;
	sp->stats.compactions++;
	forget_buffer(sp);
	return true;
}

/*
 * Gives back the disk blocks before the head. The hole ends before the
 * newline that ends the last done line, so after a restart the first data
 * read is always the tail of a done line (which open skips), never the
 * start of a pending one.
 */
static void punch(struct acct_spool *sp)
{
	uint64_t head = head_off(sp), to;

	if (!sp->punch_ok || head == 0)
		return;
	to = (head - 1) / PUNCH_ALIGN * PUNCH_ALIGN;
	if (to < sp->punched + PUNCH_STEP)
		return;
	if (fallocate(sp->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)sp->punched,
		      (off_t)(to - sp->punched)) < 0) {
		sp->punch_ok = false;
		LOGI(PL_NULL, "acct spool %s: the file system cannot punch holes (%s): the file shrinks only "
		     "once empty", sp->path, strerror(errno));
		return;
	}
	sp->punched = to;
}

/* ---------------------------------------------------------------- open */

static bool ahead_has(struct acct_spool *sp, uint64_t seq, bool remove)
{
	for (unsigned i = 0; i < sp->n_ahead; i++)
		if (sp->ahead[i] == seq) {
			if (remove)
				sp->ahead[i] = sp->ahead[--sp->n_ahead];
			return true;
		}
	return false;
}

static void set_upto(struct acct_spool *sp, uint64_t seq)
{
	if (seq <= sp->upto)
		return;
	sp->upto = seq;
	for (unsigned i = 0; i < sp->n_ahead;)
		if (sp->ahead[i] <= seq)
			sp->ahead[i] = sp->ahead[--sp->n_ahead];
		else
			i++;
}

static void corrupt(struct acct_spool *sp, uint64_t off, const char *why)
{
	sp->stats.corrupt_lines++;
	LOGE(PL_NULL, "acct spool %s: line at offset %llu skipped: %s", sp->path, (unsigned long long)off, why);
}

/*
 * Where the data starts: after a punched hole (or zeros where the file
 * system only zeroed it) the first bytes are the tail of a done line, so
 * reading starts after its newline.
 */
static int data_start(struct acct_spool *sp, uint64_t *start)
{
	off_t d = lseek(sp->fd, 0, SEEK_DATA);
	uint64_t off;
	bool skipped;

	if (d < 0 && errno == ENXIO) {
		*start = sp->end_off;	/* all hole */
		return 0;
	}
	off = d < 0 ? 0 : (uint64_t)d;
	skipped = off > 0;
	while (off < sp->end_off) {
		size_t at;

		if (fill(sp, off, sp->end_off) < 0)
			return -1;
		at = 0;
		while (at < sp->rb_len && sp->rbuf[at] == '\0')
			at++;
		off += at;
		if (at) {
			skipped = true;
			if (at == sp->rb_len)
				continue;
		}
		break;
	}
	if (skipped && off < sp->end_off) {
		const char *line;
		size_t len;
		uint64_t next;

		switch (line_at(sp, off, sp->end_off, &line, &len, &next)) {
		case LINE_ERROR:
			return -1;
		default:
			off = next;
		}
	}
	*start = off;
	return 0;
}

/*
 * One pass over the lines from start: pass 0 learns the marks (upto, the
 * out-of-order ones) and the last sequence number and cuts a torn tail;
 * pass 1 counts the pending records and finds the head.
 */
static int scan(struct acct_spool *sp, uint64_t start, int pass, uint64_t *max_seq, char *err, size_t errsz)
{
	struct acct_line *l = &sp->scratch;
	uint64_t off = start, next;
	bool head_found = false;
	const char *line, *why;
	size_t len;

	for (;;) {
		enum line_result r = line_at(sp, off, sp->end_off, &line, &len, &next);

		if (r == LINE_END)
			break;
		if (r == LINE_ERROR) {
			snprintf(err, errsz, "acct spool %s: read: %s", sp->path, strerror(errno));
			return -1;
		}
		if (r == LINE_TORN) {
			LOGW(PL_NULL, "acct spool %s: %llu bytes at its end without a newline (torn write) cut off",
			     sp->path, (unsigned long long)(sp->end_off - off));
			sp->stats.torn_bytes += sp->end_off - off;
			if (ftruncate(sp->fd, (off_t)off) < 0) {
				snprintf(err, errsz, "acct spool %s: cannot cut its torn end: %s", sp->path,
					 strerror(errno));
				return -1;
			}
			sp->end_off = off;
			forget_buffer(sp);
			break;
		}
		if (r == LINE_LONG) {
			if (pass == 0)
				corrupt(sp, off, "line too long");
		} else if (acct_line_parse(line, len, l, &why) < 0) {
			if (pass == 0)
				corrupt(sp, off, why);
		} else if (pass == 0) {
			if (l->seq > *max_seq)
				*max_seq = l->seq;
			if (l->kind == ACCT_LINE_UPTO)
				set_upto(sp, l->seq);
			else if (l->kind == ACCT_LINE_DONE && l->seq > sp->upto && !ahead_has(sp, l->seq, false)) {
				if (sp->n_ahead < AHEAD_MAX)
					sp->ahead[sp->n_ahead++] = l->seq;
				else
					LOGW(PL_NULL, "acct spool %s: too many out-of-order marks: record %llu may "
					     "be sent again", sp->path, (unsigned long long)l->seq);
			}
		} else if (l->kind == ACCT_LINE_RECORD && l->seq > sp->upto && !ahead_has(sp, l->seq, false)) {
			sp->pending++;
			if (!head_found) {
				sp->next_off = off;
				head_found = true;
			}
		}
		off = next;
	}
	if (pass == 1 && !head_found)
		sp->next_off = sp->end_off;
	return 0;
}

int acct_spool_open(struct acct_spool **out, const char *path, char *err, size_t errsz)
{
	struct acct_spool *sp = calloc(1, sizeof(*sp));
	uint64_t start, max_seq = 0;
	struct stat st;

	*out = NULL;
	if (!sp || !(sp->path = strdup(path))) {
		free(sp);
		snprintf(err, errsz, "acct spool %s: out of memory", path);
		return -1;
	}
	sp->punch_ok = true;
	sp->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (sp->fd < 0) {
		snprintf(err, errsz, "acct spool %s: %s", path, strerror(errno));
		goto fail;
	}
	if (flock(sp->fd, LOCK_EX | LOCK_NB) < 0) {
		snprintf(err, errsz, "acct spool %s: %s", path,
			 errno == EWOULDBLOCK ? "in use by another process" : strerror(errno));
		goto fail;
	}
	if (fstat(sp->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errsz, "acct spool %s: not a regular file", path);
		goto fail;
	}
	sp->end_off = (uint64_t)st.st_size;
	if (data_start(sp, &start) < 0) {
		snprintf(err, errsz, "acct spool %s: read: %s", path, strerror(errno));
		goto fail;
	}
	if (scan(sp, start, 0, &max_seq, err, errsz) < 0 || scan(sp, start, 1, &max_seq, err, errsz) < 0)
		goto fail;
	sp->punched = start / PUNCH_ALIGN * PUNCH_ALIGN;
	sp->next_seq = max_seq + 1;
	if (sp->pending == 0)
		compact(sp);
	else
		LOGI(PL_NULL, "acct spool %s: %zu records to send", path, sp->pending);
	*out = sp;
	return 0;
fail:
	if (sp->fd >= 0)
		close(sp->fd);
	free(sp->path);
	free(sp);
	return -1;
}

void acct_spool_close(struct acct_spool *sp)
{
	if (!sp)
		return;
	if (sp->pending == 0)
		compact(sp);
	acct_spool_sync(sp);
	close(sp->fd);
	free(sp->path);
	free(sp);
}

/* ---------------------------------------------------------------- the records */

size_t acct_spool_pending(const struct acct_spool *sp)
{
	return sp->pending;
}

unsigned acct_spool_in_flight(const struct acct_spool *sp)
{
	unsigned n = 0;

	for (unsigned i = 0; i < sp->n_win; i++)
		n += sp->win[i].state == WIN_OUT;
	return n;
}

int acct_spool_append(struct acct_spool *sp, int64_t created_ms, const struct avlist *av, char *err,
		      size_t errsz)
{
	int n = acct_line_record(sp->wbuf, sizeof(sp->wbuf), sp->next_seq, created_ms, av);

	if (n < 0) {
		snprintf(err, errsz, "a name cannot be written or the record is too long");
		return -1;
	}
	if (sp->end_off - head_off(sp) + (uint64_t)n > ACCT_SPOOL_BYTES_MAX) {
		snprintf(err, errsz, "the spool holds %llu bytes already",
			 (unsigned long long)(sp->end_off - head_off(sp)));
		return -1;
	}
	if (write_all(sp, sp->wbuf, (size_t)n) < 0) {
		sp->stats.write_errors++;
		snprintf(err, errsz, "write: %s", strerror(errno));
		return -1;
	}
	sp->next_seq++;
	sp->pending++;
	sp->stats.appended++;
	return 0;
}

static int read_rec(struct acct_spool *sp, uint64_t off, struct acct_line *l, uint64_t *next)
{
	const char *line, *why = "line too long";
	size_t len;
	enum line_result r = line_at(sp, off, sp->end_off, &line, &len, next);

	if (r == LINE_ERROR) {
		LOGE(PL_NULL, "acct spool %s: read: %s", sp->path, strerror(errno));
		return -1;
	}
	if (r == LINE_END || r == LINE_TORN)
		return 0;
	if (r == LINE_LONG || acct_line_parse(line, len, l, &why) < 0) {
		corrupt(sp, off, why);
		return 2;
	}
	return 1;
}

/* The first record to hand out again, or NULL. */
static struct win_ent *first_retry(struct acct_spool *sp)
{
	for (unsigned i = 0; i < sp->n_win; i++)
		if (sp->win[i].state == WIN_RETRY)
			return &sp->win[i];
	return NULL;
}

/* Everything is read: what is pending is what is out (a record that went
 * bad on the disk since it was counted is not). */
static void recount(struct acct_spool *sp)
{
	size_t out_now = 0;

	for (unsigned i = 0; i < sp->n_win; i++)
		out_now += sp->win[i].state != WIN_DONE;
	if (out_now == sp->pending)
		return;
	LOGW(PL_NULL, "acct spool %s: %zu records pending by count, %zu in fact", sp->path, sp->pending,
	     out_now);
	sp->pending = out_now;
	if (sp->pending == 0 && sp->n_win == 0)
		compact(sp);
}

int acct_spool_next(struct acct_spool *sp, struct acct_rec *rec)
{
	struct acct_line *l = &sp->scratch;
	struct win_ent *e;
	uint64_t next;
	int r;

	while ((e = first_retry(sp))) {
		r = read_rec(sp, e->off, l, &next);
		if (r < 0)
			return -1;
		e->state = WIN_OUT;
		if (r == 1 && l->kind == ACCT_LINE_RECORD && l->seq == e->seq) {
			*rec = l->rec;
			return 1;
		}
		/* Unreadable now (the disk went bad): give up on it. */
		LOGE(PL_NULL, "acct spool %s: record %llu cannot be read again: lost", sp->path,
		     (unsigned long long)e->seq);
		acct_spool_done(sp, e->seq);
	}
	while (sp->n_win < ACCT_SPOOL_WINDOW_MAX && sp->next_off < sp->end_off) {
		uint64_t off = sp->next_off;

		r = read_rec(sp, off, l, &next);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		sp->next_off = next;
		if (r == 2 || l->kind != ACCT_LINE_RECORD)
			continue;
		if (l->seq <= sp->upto || ahead_has(sp, l->seq, true)) {
			if (sp->n_win == 0)
				set_upto(sp, l->seq);
			continue;
		}
		sp->win[sp->n_win++] = (struct win_ent){ l->seq, off, WIN_OUT };
		*rec = l->rec;
		return 1;
	}
	if (sp->next_off >= sp->end_off)
		recount(sp);
	return 0;
}

void acct_spool_done(struct acct_spool *sp, uint64_t seq)
{
	unsigned i, k = 0;

	for (i = 0; i < sp->n_win; i++)
		if (sp->win[i].seq == seq && sp->win[i].state != WIN_DONE)
			break;
	if (i == sp->n_win)
		return;
	sp->win[i].state = WIN_DONE;
	sp->pending--;
	sp->stats.done++;
	if (i > 0) {
		write_mark(sp, ACCT_LINE_DONE, seq);
		return;
	}
	while (k < sp->n_win && sp->win[k].state == WIN_DONE)
		k++;
	set_upto(sp, sp->win[k - 1].seq);
	memmove(sp->win, sp->win + k, (sp->n_win - k) * sizeof(sp->win[0]));
	sp->n_win -= k;
	if (sp->pending == 0 && sp->n_win == 0 && compact(sp))
		return;
	write_mark(sp, ACCT_LINE_UPTO, sp->upto);
	punch(sp);
}

void acct_spool_retry(struct acct_spool *sp, uint64_t seq)
{
	for (unsigned i = 0; i < sp->n_win; i++)
		if (sp->win[i].seq == seq && sp->win[i].state == WIN_OUT)
			sp->win[i].state = WIN_RETRY;
}

bool acct_spool_dirty(const struct acct_spool *sp)
{
	return sp->dirty;
}

int acct_spool_sync(struct acct_spool *sp)
{
	if (!sp->dirty)
		return 0;
	if (fdatasync(sp->fd) < 0) {
		LOGE(PL_NULL, "acct spool %s: fdatasync: %s", sp->path, strerror(errno));
		return -1;
	}
	sp->dirty = false;
	return 0;
}

const struct acct_spool_stats *acct_spool_stats(const struct acct_spool *sp)
{
	return &sp->stats;
}
