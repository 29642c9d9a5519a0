/*
 * test_acct_spool.c - the accounting spool (ccd/acct_spool.h): its lines
 * and its file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ccd/acct_spool.h"

/* ---------------------------------------------------------------- helpers */

struct dir {
	char path[64];
	char file[96];
};

static int dir_setup(void **state)
{
	struct dir *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	strcpy(d->path, "/tmp/test_acct_spool.XXXXXX");
	assert_non_null(mkdtemp(d->path));
	snprintf(d->file, sizeof(d->file), "%s/acct.spool", d->path);
	*state = d;
	return 0;
}

static int dir_teardown(void **state)
{
	struct dir *d = *state;

	unlink(d->file);
	rmdir(d->path);
	free(d);
	return 0;
}

static off_t file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

static void record(struct avlist *av, const char *session, const char *status)
{
	avlist_init(av);
	assert_int_equal(avlist_add(av, "Acct-Session-Id", session), 0);
	assert_int_equal(avlist_add(av, "Acct-Status-Type", status), 0);
	assert_int_equal(avlist_add(av, "Cisco-AVPair", "call-id=x\ty\nz\\w\x01\xc3\xa9="), 0);
}

static struct acct_spool *open_ok(const char *path)
{
	struct acct_spool *sp;
	char err[256] = "";

	if (acct_spool_open(&sp, path, err, sizeof(err)) < 0)
		fail_msg("open: %s", err);
	return sp;
}

static void append_ok(struct acct_spool *sp, int64_t created, const char *session)
{
	struct avlist av;
	char err[256] = "";

	record(&av, session, "Stop");
	if (acct_spool_append(sp, created, &av, err, sizeof(err)) < 0)
		fail_msg("append: %s", err);
}

/* Hands out the next record and checks it is the one for session. */
static uint64_t next_is(struct acct_spool *sp, const char *session)
{
	struct acct_rec rec;

	assert_int_equal(acct_spool_next(sp, &rec), 1);
	assert_string_equal(avlist_find(&rec.av, "Acct-Session-Id", NULL), session);
	assert_string_equal(avlist_find(&rec.av, "Cisco-AVPair", NULL), "call-id=x\ty\nz\\w\x01\xc3\xa9=");
	return rec.seq;
}

static void next_none(struct acct_spool *sp)
{
	struct acct_rec rec;

	assert_int_equal(acct_spool_next(sp, &rec), 0);
}

static void write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void append_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_APPEND);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* A line with a correct CRC around any payload (for the parser's errors). */
static size_t with_crc(char *buf, size_t size, const char *payload)
{
	int n = snprintf(buf, size, "%s\t#%08x", payload, acct_crc32(payload, strlen(payload)));

	assert_true(n > 0 && (size_t)n < size);
	return (size_t)n;
}

/* ---------------------------------------------------------------- lines */

static void test_crc32(void **state)
{
	(void)state;
	assert_int_equal(acct_crc32("123456789", 9), 0xcbf43926u);
	assert_int_equal(acct_crc32("", 0), 0);
}

static void test_line_round_trip(void **state)
{
	char buf[ACCT_SPOOL_LINE_MAX];
	struct acct_line l;
	struct avlist av;
	const char *why = NULL;
	int n;

	(void)state;
	record(&av, "sess-1", "Alive");
	n = acct_line_record(buf, sizeof(buf), 42, 1700000000123, &av);
	assert_true(n > 0);
	assert_int_equal(buf[n - 1], '\n');
	assert_null(memchr(buf, '\n', (size_t)n - 1));
	assert_int_equal(acct_line_parse(buf, (size_t)n - 1, &l, &why), 0);
	assert_int_equal(l.kind, ACCT_LINE_RECORD);
	assert_int_equal(l.seq, 42);
	assert_int_equal(l.rec.seq, 42);
	assert_int_equal(l.rec.created_ms, 1700000000123);
	assert_int_equal(l.rec.av.n, 3);
	for (unsigned i = 0; i < 3; i++) {
		assert_string_equal(l.rec.av.a[i].name, av.a[i].name);
		assert_string_equal(l.rec.av.a[i].value, av.a[i].value);
	}
	/* No pairs at all, and the longest values, escaped throughout. */
	avlist_init(&av);
	n = acct_line_record(buf, sizeof(buf), 1, 0, &av);
	assert_true(n > 0);
	assert_int_equal(acct_line_parse(buf, (size_t)n - 1, &l, &why), 0);
	assert_int_equal(l.rec.av.n, 0);
	{
		char v[AV_VALUE_MAX + 1], name[AV_NAME_MAX + 1];

		memset(v, 0x02, AV_VALUE_MAX);
		v[AV_VALUE_MAX] = '\0';
		memset(name, 'N', AV_NAME_MAX);
		name[AV_NAME_MAX] = '\0';
		for (unsigned i = 0; i < AVLIST_MAX; i++)
			assert_int_equal(avlist_add(&av, name, v), 0);
		n = acct_line_record(buf, sizeof(buf), UINT64_MAX, INT64_MAX, &av);
		assert_true(n > 0);
		assert_int_equal(acct_line_parse(buf, (size_t)n - 1, &l, &why), 0);
		assert_int_equal(l.seq, UINT64_MAX);
		assert_int_equal(l.rec.created_ms, INT64_MAX);
		assert_int_equal(l.rec.av.n, AVLIST_MAX);
		assert_memory_equal(l.rec.av.a[AVLIST_MAX - 1].value, v, sizeof(v));
	}
}

static void test_line_marks(void **state)
{
	char buf[64];
	struct acct_line l;
	const char *why;
	int n;

	(void)state;
	n = acct_line_mark(buf, sizeof(buf), ACCT_LINE_UPTO, 7);
	assert_true(n > 0);
	assert_int_equal(acct_line_parse(buf, (size_t)n - 1, &l, &why), 0);
	assert_int_equal(l.kind, ACCT_LINE_UPTO);
	assert_int_equal(l.seq, 7);
	n = acct_line_mark(buf, sizeof(buf), ACCT_LINE_DONE, 9);
	assert_int_equal(acct_line_parse(buf, (size_t)n - 1, &l, &why), 0);
	assert_int_equal(l.kind, ACCT_LINE_DONE);
	assert_int_equal(l.seq, 9);
	assert_int_equal(acct_line_mark(buf, sizeof(buf), ACCT_LINE_RECORD, 1), -1);
	assert_int_equal(acct_line_mark(buf, 5, ACCT_LINE_DONE, 1), -1);
}

static void test_line_write_errors(void **state)
{
	static const char *const bad[] = { "", "A=B", "A B", "#A", "A\\B", "\xc3\xa9" };
	char buf[512];
	struct avlist av;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		avlist_init(&av);
		av.n = 1;
		snprintf(av.a[0].name, sizeof(av.a[0].name), "%s", bad[i]);
		strcpy(av.a[0].value, "v");
		assert_int_equal(acct_line_record(buf, sizeof(buf), 1, 0, &av), -1);
	}
	record(&av, "s", "Stop");
	assert_int_equal(acct_line_record(buf, 20, 1, 0, &av), -1);	/* does not fit */
	assert_int_equal(acct_line_record(buf, sizeof(buf), 1, -1, &av), -1);
}

static void expect_parse_error(const char *payload, const char *reason)
{
	char buf[ACCT_SPOOL_LINE_MAX + 64];
	struct acct_line l;
	const char *why = NULL;
	size_t n = with_crc(buf, sizeof(buf), payload);

	assert_int_equal(acct_line_parse(buf, n, &l, &why), -1);
	assert_non_null(why);
	if (strcmp(why, reason) != 0)
		fail_msg("'%s': expected '%s', got '%s'", payload, reason, why);
}

static void test_line_parse_errors(void **state)
{
	struct acct_line l;
	const char *why;
	char big[AV_VALUE_MAX + 64];

	(void)state;
	assert_int_equal(acct_line_parse("U\t1", 3, &l, &why), -1);
	assert_string_equal(why, "line too short");
	assert_int_equal(acct_line_parse("U\t1xxxxxxxxxxxx", 15, &l, &why), -1);
	assert_string_equal(why, "no CRC");
	assert_int_equal(acct_line_parse("U\t1\t#0000000g", 13, &l, &why), -1);
	assert_string_equal(why, "no CRC");
	assert_int_equal(acct_line_parse("U\t1\t#00000000", 13, &l, &why), -1);
	assert_string_equal(why, "bad CRC");

	expect_parse_error("X\t1", "unknown line kind");
	expect_parse_error("RR\t1", "unknown line kind");
	expect_parse_error("U\t0", "bad sequence number");
	expect_parse_error("U\t1a", "bad sequence number");
	expect_parse_error("U\t18446744073709551616", "bad sequence number");
	expect_parse_error("R\t\t5", "bad sequence number");
	expect_parse_error("U\t1\t2", "extra fields");
	expect_parse_error("R\t1", "bad creation time");
	expect_parse_error("R\t1\t9223372036854775808", "bad creation time");
	expect_parse_error("R\t1\t5\tNoEquals", "pair without '='");
	expect_parse_error("R\t1\t5\t", "pair without '='");
	expect_parse_error("R\t1\t5\t=v", "bad attribute name");
	expect_parse_error("R\t1\t5\t#A=v", "bad attribute name");
	expect_parse_error("R\t1\t5\tA B=v", "bad attribute name");
	expect_parse_error("R\t1\t5\tA\\B=v", "bad attribute name");
	expect_parse_error("R\t1\t5\t0123456789012345678901234567890123456789012345678=v", "bad attribute name");
	expect_parse_error("R\t1\t5\tA=\x01", "control byte in a value");
	expect_parse_error("R\t1\t5\tA=\\", "bad value escape");
	expect_parse_error("R\t1\t5\tA=\\q", "bad value escape");
	expect_parse_error("R\t1\t5\tA=\\x0", "bad value escape");
	expect_parse_error("R\t1\t5\tA=\\x00", "bad value escape");
	expect_parse_error("R\t1\t5\tA=\\xzz", "bad value escape");
	snprintf(big, sizeof(big), "R\t1\t5\tA=%0*d", AV_VALUE_MAX + 1, 0);
	expect_parse_error(big, "value too long");
	{
		char many[AVLIST_MAX * 4 + 64];
		size_t n = (size_t)snprintf(many, sizeof(many), "R\t1\t5");

		for (unsigned i = 0; i <= AVLIST_MAX; i++)
			n += (size_t)snprintf(many + n, sizeof(many) - n, "\tA=");
		expect_parse_error(many, "too many pairs");
	}
	/* Escapes that are fine: upper-case hex, and every named one. */
	{
		char buf[128];
		size_t n = with_crc(buf, sizeof(buf), "R\t3\t5\tA=\\x7F\\t\\r\\n\\\\");

		assert_int_equal(acct_line_parse(buf, n, &l, &why), 0);
		assert_string_equal(l.rec.av.a[0].value, "\x7f\t\r\n\\");
	}
}

/* ---------------------------------------------------------------- the file */

static void test_append_read_back(void **state)
{
	struct dir *d = *state;
	struct acct_spool *sp = open_ok(d->file);
	uint64_t s1, s2, s3;

	assert_int_equal(acct_spool_pending(sp), 0);
	next_none(sp);
	append_ok(sp, 1000, "a");
	append_ok(sp, 2000, "b");
	append_ok(sp, 3000, "c");
	assert_int_equal(acct_spool_pending(sp), 3);
	assert_true(acct_spool_dirty(sp));
	assert_int_equal(acct_spool_sync(sp), 0);
	assert_false(acct_spool_dirty(sp));
	assert_int_equal(acct_spool_sync(sp), 0);
	acct_spool_close(sp);

	/* A restart reads them back, oldest first, with their times. */
	sp = open_ok(d->file);
	assert_int_equal(acct_spool_pending(sp), 3);
	{
		struct acct_rec rec;

		assert_int_equal(acct_spool_next(sp, &rec), 1);
		assert_int_equal(rec.created_ms, 1000);
		s1 = rec.seq;
	}
	s2 = next_is(sp, "b");
	s3 = next_is(sp, "c");
	next_none(sp);
	assert_int_equal(acct_spool_in_flight(sp), 3);
	assert_true(s1 < s2 && s2 < s3);
	acct_spool_done(sp, s1);
	acct_spool_done(sp, s1);	/* twice: ignored */
	acct_spool_done(sp, 999);	/* never handed out: ignored */
	assert_int_equal(acct_spool_pending(sp), 2);
	acct_spool_done(sp, s2);
	acct_spool_done(sp, s3);
	/* Empty: compacted to nothing. */
	assert_int_equal(acct_spool_pending(sp), 0);
	assert_int_equal(acct_spool_in_flight(sp), 0);
	assert_int_equal(file_size(d->file), 0);
	assert_int_equal(acct_spool_stats(sp)->done, 3);
	assert_int_equal(acct_spool_stats(sp)->compactions, 1);
	/* And it goes on working. */
	append_ok(sp, 4000, "d");
	next_is(sp, "d");
	acct_spool_close(sp);
	sp = open_ok(d->file);
	assert_int_equal(acct_spool_pending(sp), 1);
	next_is(sp, "d");
	acct_spool_close(sp);
}

static void test_partial_progress_survives(void **state)
{
	struct dir *d = *state;
	struct acct_spool *sp = open_ok(d->file);
	uint64_t s;

	append_ok(sp, 1, "a");
	append_ok(sp, 2, "b");
	append_ok(sp, 3, "c");
	s = next_is(sp, "a");
	acct_spool_done(sp, s);
	next_is(sp, "b");	/* out when ccd stops: sent again */
	acct_spool_close(sp);
	sp = open_ok(d->file);
	assert_int_equal(acct_spool_pending(sp), 2);
	next_is(sp, "b");
	next_is(sp, "c");
	acct_spool_close(sp);
}

static void test_window_and_out_of_order(void **state)
{
	struct dir *d = *state;
	struct acct_spool *sp = open_ok(d->file);
	uint64_t seq[ACCT_SPOOL_WINDOW_MAX + 4];
	char name[16];

	for (int i = 0; i < ACCT_SPOOL_WINDOW_MAX + 4; i++) {
		snprintf(name, sizeof(name), "r%d", i);
		append_ok(sp, i, name);
	}
	for (int i = 0; i < ACCT_SPOOL_WINDOW_MAX; i++) {
		snprintf(name, sizeof(name), "r%d", i);
		seq[i] = next_is(sp, name);
	}
	next_none(sp);	/* the window is full */
	/* Delivered out of order: r1 and r2 done, r0 not yet. */
	acct_spool_done(sp, seq[1]);
	acct_spool_done(sp, seq[2]);
	next_none(sp);	/* done but not popped: still in the window */
	assert_int_equal(acct_spool_pending(sp), ACCT_SPOOL_WINDOW_MAX + 2);
	/* r0 failed: it goes out again before anything newer. */
	acct_spool_retry(sp, seq[0]);
	acct_spool_retry(sp, seq[5] + 1000);	/* unknown: ignored */
	assert_int_equal(acct_spool_in_flight(sp), ACCT_SPOOL_WINDOW_MAX - 3);
	assert_int_equal(next_is(sp, "r0"), seq[0]);
	acct_spool_close(sp);

	/* A restart sends r0 and r3.. again, but not r1 and r2. */
	sp = open_ok(d->file);
	assert_int_equal(acct_spool_pending(sp), ACCT_SPOOL_WINDOW_MAX + 2);
	next_is(sp, "r0");
	next_is(sp, "r3");
	acct_spool_done(sp, seq[0]);
	acct_spool_close(sp);
	sp = open_ok(d->file);
	assert_int_equal(acct_spool_pending(sp), ACCT_SPOOL_WINDOW_MAX + 1);
	for (int i = 3; i < ACCT_SPOOL_WINDOW_MAX + 4; i++) {
		snprintf(name, sizeof(name), "r%d", i);
		acct_spool_done(sp, next_is(sp, name));
	}
	assert_int_equal(acct_spool_pending(sp), 0);
	assert_int_equal(file_size(d->file), 0);
	acct_spool_close(sp);
}

static void test_torn_tail(void **state)
{
	struct dir *d = *state;
	struct acct_spool *sp = open_ok(d->file);
	off_t good;

	append_ok(sp, 1, "a");
	append_ok(sp, 2, "b");
	acct_spool_close(sp);
	good = file_size(d->file);
	append_file(d->file, "R\t3\t3\tAcct-Session-Id=c", 22);	/* the machine died here */
	sp = open_ok(d->file);
	assert_int_equal(acct_spool_pending(sp), 2);
	assert_int_equal(acct_spool_stats(sp)->torn_bytes, 22);
	assert_int_equal(file_size(d->file), good);
	append_ok(sp, 3, "c");
	acct_spool_close(sp);
	sp = open_ok(d->file);
	assert_int_equal(acct_spool_pending(sp), 3);
	next_is(sp, "a");
	next_is(sp, "b");
	next_is(sp, "c");
	acct_spool_close(sp);
}

static void test_corrupt_lines_skipped(void **state)
{
	struct dir *d = *state;
	struct acct_spool *sp = open_ok(d->file);
	char *big;
	int fd;

	append_ok(sp, 1, "a");
	append_ok(sp, 2, "b");
	acct_spool_close(sp);
	/* Flip a byte inside record a: its CRC no longer matches. */
	fd = open(d->file, O_RDWR);
	assert_int_equal(pwrite(fd, "X", 1, 8), 1);
	close(fd);
	/* A line longer than any record, and a line of garbage. */
	big = malloc(ACCT_SPOOL_LINE_MAX + 100);
	assert_non_null(big);
	memset(big, 'z', ACCT_SPOOL_LINE_MAX + 99);
	big[ACCT_SPOOL_LINE_MAX + 99] = '\n';
	append_file(d->file, big, ACCT_SPOOL_LINE_MAX + 100);
	append_file(d->file, "garbage\n", 8);
	free(big);
	sp = open_ok(d->file);
	assert_int_equal(acct_spool_stats(sp)->corrupt_lines, 3);
	assert_int_equal(acct_spool_pending(sp), 1);
	append_ok(sp, 3, "c");
	next_is(sp, "b");
	next_is(sp, "c");
	next_none(sp);
	acct_spool_close(sp);
}

/* A record that goes bad on the disk while it is out, or before it is
 * read, is given up (logged) instead of blocking the spool. */
static void test_record_goes_bad(void **state)
{
	struct dir *d = *state;
	struct acct_spool *sp = open_ok(d->file);
	struct acct_rec rec;
	struct avlist big;
	char err[256];
	uint64_t s;
	int fd;

	/* a, then records big enough that reading them moves the read
	 * buffer past a: a retry has to read a from the disk again. */
	append_ok(sp, 1, "a");
	avlist_init(&big);
	for (unsigned i = 0; i < AVLIST_MAX; i++) {
		assert_int_equal(avlist_add(&big, "Cisco-AVPair", ""), 0);
		memset(big.a[i].value, 'x', AV_VALUE_MAX);
		big.a[i].value[AV_VALUE_MAX] = '\0';
	}
	for (int i = 0; i < ACCT_SPOOL_WINDOW_MAX - 1; i++)
		assert_int_equal(acct_spool_append(sp, 2, &big, err, sizeof(err)), 0);
	s = next_is(sp, "a");
	for (int i = 0; i < ACCT_SPOOL_WINDOW_MAX - 1; i++)
		assert_int_equal(acct_spool_next(sp, &rec), 1);
	fd = open(d->file, O_RDWR);
	assert_int_equal(pwrite(fd, "X", 1, 8), 1);	/* inside a */
	acct_spool_retry(sp, s);
	next_none(sp);	/* a is given up */
	assert_int_equal(acct_spool_pending(sp), ACCT_SPOOL_WINDOW_MAX - 1);
	assert_int_equal(acct_spool_in_flight(sp), ACCT_SPOOL_WINDOW_MAX - 1);
	for (uint64_t k = s + 1; k < s + ACCT_SPOOL_WINDOW_MAX; k++)
		acct_spool_done(sp, k);
	assert_int_equal(acct_spool_pending(sp), 0);
	assert_int_equal(file_size(d->file), 0);

	append_ok(sp, 3, "b");
	append_ok(sp, 4, "c");
	assert_int_equal(pwrite(fd, "X", 1, file_size(d->file) - 20), 1);	/* inside c */
	close(fd);
	s = next_is(sp, "b");
	next_none(sp);	/* c is unreadable: the count is put right */
	assert_int_equal(acct_spool_pending(sp), 1);
	acct_spool_done(sp, s);
	assert_int_equal(acct_spool_pending(sp), 0);
	assert_int_equal(file_size(d->file), 0);
	acct_spool_close(sp);
}

/* Marks for records that no longer exist, repeated marks, an upto mark
 * that covers earlier out-of-order ones. */
static void test_marks_at_open(void **state)
{
	struct dir *d = *state;
	char buf[ACCT_SPOOL_LINE_MAX], all[4 * ACCT_SPOOL_LINE_MAX];
	struct avlist av;
	size_t n = 0;

	for (uint64_t s = 1; s <= 5; s++) {
		record(&av, s == 1 ? "r1" : s == 2 ? "r2" : s == 3 ? "r3" : s == 4 ? "r4" : "r5", "Stop");
		n += (size_t)acct_line_record(all + n, sizeof(all) - n, s, (int64_t)s, &av);
	}
	n += (size_t)acct_line_mark(all + n, sizeof(all) - n, ACCT_LINE_DONE, 2);
	n += (size_t)acct_line_mark(all + n, sizeof(all) - n, ACCT_LINE_DONE, 2);
	n += (size_t)acct_line_mark(all + n, sizeof(all) - n, ACCT_LINE_DONE, 4);
	n += (size_t)acct_line_mark(all + n, sizeof(all) - n, ACCT_LINE_UPTO, 2);
	n += (size_t)acct_line_mark(all + n, sizeof(all) - n, ACCT_LINE_UPTO, 1);	/* older: ignored */
	n += (size_t)acct_line_mark(all + n, sizeof(all) - n, ACCT_LINE_DONE, 99);
	(void)buf;
	write_file(d->file, all, n);
	struct acct_spool *sp = open_ok(d->file);
	assert_int_equal(acct_spool_pending(sp), 2);	/* r3 and r5 */
	next_is(sp, "r3");
	next_is(sp, "r5");
	next_none(sp);
	acct_spool_close(sp);
}

/* Once more than a MiB of delivered records sits before the head, its
 * blocks are given back; a restart still finds the head. */
static void test_punch_hole(void **state)
{
	struct dir *d = *state;
	struct acct_spool *sp = open_ok(d->file);
	char err[256], name[16];
	struct avlist av;
	struct stat st;
	int total = 6000, delivered = 5000;

	for (int i = 0; i < total; i++) {
		record(&av, "x", "Stop");
		snprintf(name, sizeof(name), "n%d", i);
		assert_int_equal(avlist_add(&av, "Acct-Multi-Session-Id", name), 0);
		memset(av.a[0].value, 'v', 200);
		av.a[0].value[200] = '\0';
		assert_int_equal(acct_spool_append(sp, i, &av, err, sizeof(err)), 0);
	}
	for (int i = 0; i < delivered; i++) {
		struct acct_rec rec;

		assert_int_equal(acct_spool_next(sp, &rec), 1);
		snprintf(name, sizeof(name), "n%d", i);
		assert_string_equal(avlist_find(&rec.av, "Acct-Multi-Session-Id", NULL), name);
		acct_spool_done(sp, rec.seq);
	}
	assert_int_equal(stat(d->file, &st), 0);
	if ((off_t)st.st_blocks * 512 >= st.st_size / 2)
		print_message("# the file system under /tmp does not punch holes\n");
	acct_spool_close(sp);
	sp = open_ok(d->file);
	assert_int_equal(acct_spool_pending(sp), total - delivered);
	{
		struct acct_rec rec;

		assert_int_equal(acct_spool_next(sp, &rec), 1);
		snprintf(name, sizeof(name), "n%d", delivered);
		assert_string_equal(avlist_find(&rec.av, "Acct-Multi-Session-Id", NULL), name);
	}
	acct_spool_close(sp);
}

static void test_open_errors(void **state)
{
	struct dir *d = *state;
	struct acct_spool *sp, *sp2;
	char err[256], path[160];

	snprintf(path, sizeof(path), "%s/no/such/dir/acct.spool", d->path);
	assert_int_equal(acct_spool_open(&sp2, path, err, sizeof(err)), -1);
	assert_null(sp2);
	assert_non_null(strstr(err, "No such file or directory"));
	assert_non_null(strstr(err, path));

	assert_int_equal(acct_spool_open(&sp2, "/dev/null", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a regular file"));

	sp = open_ok(d->file);
	assert_int_equal(acct_spool_open(&sp2, d->file, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "in use by another process"));
	acct_spool_close(sp);
	acct_spool_close(NULL);
}

static void test_append_errors(void **state)
{
	struct dir *d = *state;
	struct acct_spool *sp = open_ok(d->file);
	struct avlist av;
	char err[256];

	avlist_init(&av);
	av.n = 1;
	strcpy(av.a[0].name, "Bad Name");
	strcpy(av.a[0].value, "v");
	assert_int_equal(acct_spool_append(sp, 1, &av, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "a name cannot be written"));
	assert_int_equal(acct_spool_pending(sp), 0);
	assert_int_equal(file_size(d->file), 0);
	acct_spool_close(sp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32),
		cmocka_unit_test(test_line_round_trip),
		cmocka_unit_test(test_line_marks),
		cmocka_unit_test(test_line_write_errors),
		cmocka_unit_test(test_line_parse_errors),
		cmocka_unit_test_setup_teardown(test_append_read_back, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_partial_progress_survives, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_window_and_out_of_order, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_torn_tail, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_lines_skipped, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_record_goes_bad, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_marks_at_open, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_punch_hole, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_append_errors, dir_setup, dir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
