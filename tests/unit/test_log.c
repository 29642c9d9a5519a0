/*
 * test_log.c - the logging module: environment, exact line format, each
 * backend that runs in-process (file, stderr, none; syslog in a private
 * mount namespace when the system allows one), levels, truncation,
 * reopen after logrotate.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "log.h"
#include "test_child.h"

static char dir[32];
static char path[128];
static char buf[4 * LOG_LINE_MAX];

static const char *const env_names[] = {
	"SIPLOG_BEND", "SIPLOG_LOGFILE_FILE", "SIPLOG_LVL", "SIPLOG_TFORM", "SIPLOG_TSTART",
};

static int setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(env_names) / sizeof(env_names[0]); i++)
		unsetenv(env_names[i]);
	strcpy(dir, "/tmp/test_log.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/sip.log", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[160];

	(void)state;
	log_close();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s.moved'", dir, dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The whole file as a NUL-terminated string; its length. */
static size_t slurp(const char *p)
{
	int fd = open(p, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	assert_true(n >= 0);
	close(fd);
	buf[n] = '\0';
	return (size_t)n;
}

static void use_file(const char *level)
{
	setenv("SIPLOG_BEND", "file", 1);
	setenv("SIPLOG_LOGFILE_FILE", path, 1);
	if (level)
		setenv("SIPLOG_LVL", level, 1);
	assert_int_equal(log_init("sigd"), 0);
}

static int64_t ms_of(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
}

static bool is_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/*
 * The fixed-width "DD Mon HH:MM:SS.mmm" at s names a local time within
 * [t0, t1] (millisecond resolution, truncated as Sippy does).
 */
static void check_abs_stamp(const char *s, const struct timespec *t0,
			    const struct timespec *t1)
{
	char want[32];
	struct tm tm;

	assert_true(is_digits(s, 2) && s[2] == ' ' && s[6] == ' ');
	assert_true(is_digits(s + 7, 2) && s[9] == ':' && is_digits(s + 10, 2));
	assert_true(s[12] == ':' && is_digits(s + 13, 2) && s[15] == '.');
	assert_true(is_digits(s + 16, 3));
	for (time_t t = t0->tv_sec; t <= t1->tv_sec; t++) {
		localtime_r(&t, &tm);
		strftime(want, sizeof(want), "%d %b %H:%M:%S", &tm);
		if (memcmp(s, want, 15) == 0) {
			int64_t ms = (int64_t)t * 1000 + atoi(s + 16);
			assert_true(ms >= ms_of(t0) && ms <= ms_of(t1));
			return;
		}
	}
	fail_msg("stamp %.19s not within the test's time", s);
}

/* The rel stamp at s: hours (2 digits or more), as milliseconds. */
static int64_t rel_stamp_ms(const char *s, size_t *len)
{
	size_t h = 0;

	while (s[h] >= '0' && s[h] <= '9')
		h++;
	assert_true(h >= 2);
	assert_true(s[h] == ':' && is_digits(s + h + 1, 2) && s[h + 3] == ':');
	assert_true(is_digits(s + h + 4, 2) && s[h + 6] == '.' && is_digits(s + h + 7, 3));
	*len = h + 10;
	return ((int64_t)strtoll(s, NULL, 10) * 3600 + atoi(s + h + 1) * 60 +
		atoi(s + h + 4)) * 1000 + atoi(s + h + 7);
}

/* Each line: a 19-byte stamp, then exactly want; returns the next line. */
static const char *expect_line(const char *l, const char *want)
{
	size_t n = strlen(want);

	assert_memory_equal(l + 19, want, n);
	return l + 19 + n;
}

/* ------------------------------------------------------------ file */

static void test_file_line_format(void **state)
{
	struct timespec t0, t1;
	static const char tail[] = "/abc@host/sigd: hello 42\n";

	(void)state;
	use_file(NULL);
	clock_gettime(CLOCK_REALTIME, &t0);
	LOGI(PL("abc@host"), "hello %d", 42);
	clock_gettime(CLOCK_REALTIME, &t1);
	assert_int_equal(slurp(path), 19 + sizeof(tail) - 1);
	check_abs_stamp(buf, &t0, &t1);
	assert_string_equal(buf + 19, tail);
}

static void test_file_global(void **state)
{
	const char *l;

	(void)state;
	use_file(NULL);
	LOGI(PL_NULL, "a");
	LOGI(pl_from("ignored", 0), "b");
	slurp(path);
	l = expect_line(buf, "/GLOBAL/sigd: a\n");
	l = expect_line(l, "/GLOBAL/sigd: b\n");
	assert_int_equal(*l, '\0');
}

static void test_file_descriptor(void **state)
{
	struct stat st;
	int fd;

	(void)state;
	use_file(NULL);
	fd = log_fd();
	assert_true(fd > 2);
	assert_true(fcntl(fd, F_GETFL) & O_APPEND);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777 & ~0640, 0);
}

static void test_file_appends(void **state)
{
	const char *l;
	int fd;

	(void)state;
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_int_equal(write(fd, "old\n", 4), 4);
	close(fd);
	use_file(NULL);
	LOGE(PL("c"), "one");
	LOGC(PL("c"), "two");
	slurp(path);
	assert_memory_equal(buf, "old\n", 4);
	l = expect_line(buf + 4, "/c/sigd: one\n");
	l = expect_line(l, "/c/sigd: two\n");
	assert_int_equal(*l, '\0');
}

static void test_file_cannot_open(void **state)
{
	char bad[160];

	(void)state;
	snprintf(bad, sizeof(bad), "%s/no/such/dir.log", dir);
	setenv("SIPLOG_BEND", "file", 1);
	setenv("SIPLOG_LOGFILE_FILE", bad, 1);
	errno = 0;
	assert_int_equal(log_init("sigd"), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(log_fd(), -1);
}

static void test_file_path_too_long(void **state)
{
	char *longp = malloc(PATH_MAX + 10);

	(void)state;
	assert_non_null(longp);
	memset(longp, 'a', PATH_MAX + 9);
	longp[0] = '/';
	longp[PATH_MAX + 9] = '\0';
	setenv("SIPLOG_BEND", "file", 1);
	setenv("SIPLOG_LOGFILE_FILE", longp, 1);
	assert_int_equal(log_init("sigd"), -1);
	assert_int_equal(errno, ENAMETOOLONG);
	free(longp);
}

/* "any other value = file", as in Sippy */
static void test_file_any_backend_name(void **state)
{
	(void)state;
	setenv("SIPLOG_BEND", "logfile", 1);
	setenv("SIPLOG_LOGFILE_FILE", path, 1);
	assert_int_equal(log_init("ccd"), 0);
	assert_true(log_fd() >= 0);
	LOGI(PL("x"), "y");
	slurp(path);
	assert_string_equal(buf + 19, "/x/ccd: y\n");
}

static void test_init_twice(void **state)
{
	char other[160];

	(void)state;
	use_file(NULL);
	snprintf(other, sizeof(other), "%s/other.log", dir);
	setenv("SIPLOG_LOGFILE_FILE", other, 1);
	assert_int_equal(log_init("ccd"), 0);
	assert_true(log_fd() >= 0);
	LOGI(PL_NULL, "second");
	assert_int_equal(slurp(path), 0);
	slurp(other);
	assert_string_equal(buf + 19, "/GLOBAL/ccd: second\n");
}

static void test_app_truncated(void **state)
{
	char app[100];

	(void)state;
	memset(app, 'p', sizeof(app) - 1);
	app[sizeof(app) - 1] = '\0';
	setenv("SIPLOG_BEND", "file", 1);
	setenv("SIPLOG_LOGFILE_FILE", path, 1);
	assert_int_equal(log_init(app), 0);
	LOGI(PL_NULL, "z");
	slurp(path);
	assert_int_equal(strlen(buf), 19 + strlen("/GLOBAL/") + 63 + strlen(": z\n"));
}

/* ------------------------------------------------------------ levels */

static void test_levels_filter(void **state)
{
	(void)state;
	use_file("WARN");
	assert_false(log_enabled(TLOG_DBUG));
	assert_false(log_enabled(TLOG_INFO));
	assert_true(log_enabled(TLOG_WARN));
	assert_true(log_enabled(TLOG_ERR));
	assert_true(log_enabled(TLOG_CRIT));
	LOGD(PL_NULL, "d");
	LOGI(PL_NULL, "i");
	log_msg(TLOG_INFO, PL_NULL, "direct i");
	LOGW(PL_NULL, "w");
	LOGE(PL_NULL, "e");
	LOGC(PL_NULL, "c");
	slurp(path);
	assert_null(strstr(buf, ": d\n"));
	assert_null(strstr(buf, ": i\n"));
	assert_null(strstr(buf, "direct"));
	assert_non_null(strstr(buf, ": w\n"));
	assert_non_null(strstr(buf, ": e\n"));
	assert_non_null(strstr(buf, ": c\n"));
}

static void test_level_names(void **state)
{
	static const struct {
		const char *name;
		enum log_level lowest;
	} cases[] = {
		{ "DBUG", TLOG_DBUG }, { "dbug", TLOG_DBUG }, { "Info", TLOG_INFO },
		{ "WARN", TLOG_WARN }, { "err", TLOG_ERR },   { "ERR", TLOG_ERR },
		{ "CrIt", TLOG_CRIT },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		use_file(cases[i].name);
		for (int l = TLOG_DBUG; l <= TLOG_CRIT; l++)
			assert_int_equal(log_enabled((enum log_level)l), l >= (int)cases[i].lowest);
	}
	assert_int_equal(slurp(path), 0); /* no warnings */
}

static void test_level_debug_written(void **state)
{
	(void)state;
	use_file("DBUG");
	LOGD(PL("k"), "debug %s", "line");
	slurp(path);
	assert_string_equal(buf + 19, "/k/sigd: debug line\n");
}

static void test_level_unknown(void **state)
{
	const char *l;

	(void)state;
	use_file("LOUD");
	assert_false(log_enabled(TLOG_DBUG));
	assert_true(log_enabled(TLOG_INFO));
	LOGD(PL_NULL, "d");
	LOGI(PL_NULL, "i");
	slurp(path);
	l = expect_line(buf, "/GLOBAL/sigd: SIPLOG_LVL=\"LOUD\" is not DBUG, INFO, "
			     "WARN, ERR or CRIT: using INFO\n");
	l = expect_line(l, "/GLOBAL/sigd: i\n");
	assert_int_equal(*l, '\0');
}

/* An empty variable is unset: the default, no warning. */
static void test_level_empty(void **state)
{
	(void)state;
	use_file("");
	assert_false(log_enabled(TLOG_DBUG));
	assert_true(log_enabled(TLOG_INFO));
	assert_int_equal(slurp(path), 0);
}

static void test_filtered_args_not_evaluated(void **state)
{
	int n = 0;

	(void)state;
	use_file(NULL);
	LOGD(PL_NULL, "%d", n++);
	assert_int_equal(n, 0);
	LOGI(PL_NULL, "%d", n++);
	assert_int_equal(n, 1);
}

/* ------------------------------------------------------------ text */

static void test_multiline(void **state)
{
	const char *l = buf;

	(void)state;
	use_file(NULL);
	LOGI(PL("m"), "INVITE sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n\r\n");
	LOGI(PL("m"), "first\nsecond\nthird");
	LOGI(PL("m"), "ends in newline\n");
	LOGI(PL("m"), "%s", "");
	LOGI(PL("m"), "\n");
	slurp(path);
	l = expect_line(l, "/m/sigd: INVITE sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n\r\n");
	l = expect_line(l, "/m/sigd: first\nsecond\nthird\n");
	l = expect_line(l, "/m/sigd: ends in newline\n");
	l = expect_line(l, "/m/sigd: \n");
	l = expect_line(l, "/m/sigd: \n");
	assert_int_equal(*l, '\0');
}

static void test_call_id_control_chars(void **state)
{
	(void)state;
	use_file(NULL);
	LOGI(pl_from("a\r\nb\x7f\tc", 7), "t");
	slurp(path);
	assert_string_equal(buf + 19, "/a??b??c/sigd: t\n");
}

static void test_errno_and_percent_m(void **state)
{
	(void)state;
	use_file(NULL);
	errno = ENOENT;
	LOGI(PL_NULL, "open: %m");
	assert_int_equal(errno, ENOENT);
	errno = EAGAIN;
	LOGD(PL_NULL, "filtered");
	assert_int_equal(errno, EAGAIN);
	slurp(path);
	assert_string_equal(buf + 19, "/GLOBAL/sigd: open: No such file or directory\n");
}

static void test_unprintable(void **state)
{
	(void)state;
	use_file(NULL);
	LOGI(PL_NULL, "wide %lc", (wint_t)0x100); /* EILSEQ in the C locale */
	slurp(path);
	assert_string_equal(buf + 19, "/GLOBAL/sigd: (unprintable log message)\n");
}

static size_t prefix_len(void)
{
	return 19 + strlen("/GLOBAL/sigd: ");
}

static void test_truncation(void **state)
{
	static char text[3 * LOG_LINE_MAX];
	size_t n;

	(void)state;
	memset(text, 'x', sizeof(text) - 1);
	use_file(NULL);
	LOGI(PL_NULL, "%s", text);
	n = slurp(path);
	assert_int_equal(n, LOG_LINE_MAX);
	assert_memory_equal(buf + 19, "/GLOBAL/sigd: xxx", 17);
	assert_memory_equal(buf + LOG_LINE_MAX - 5, "x...\n", 5);
}

/* The longest line that fits is whole; one more byte cuts it. */
static void test_truncation_boundary(void **state)
{
	static char text[LOG_LINE_MAX];
	size_t fit = LOG_LINE_MAX - prefix_len() - 1;

	(void)state;
	memset(text, 'y', fit);
	text[fit] = '\0';
	use_file(NULL);
	LOGI(PL_NULL, "%s", text);
	assert_int_equal(slurp(path), LOG_LINE_MAX);
	assert_memory_equal(buf + LOG_LINE_MAX - 2, "y\n", 2);

	/* a trailing newline of its own still fits */
	assert_int_equal(ftruncate(log_fd(), 0), 0);
	LOGI(PL_NULL, "%s\n", text);
	assert_int_equal(slurp(path), LOG_LINE_MAX);
	assert_memory_equal(buf + LOG_LINE_MAX - 2, "y\n", 2);

	assert_int_equal(ftruncate(log_fd(), 0), 0);
	LOGI(PL_NULL, "%sz", text);
	assert_int_equal(slurp(path), LOG_LINE_MAX);
	assert_memory_equal(buf + LOG_LINE_MAX - 5, "y...\n", 5);
}

/* A call id alone can fill the line: the text is dropped, the marker stays. */
static void test_truncation_long_call_id(void **state)
{
	static char cid[2 * LOG_LINE_MAX];

	(void)state;
	memset(cid, 'c', sizeof(cid));
	use_file(NULL);
	LOGI(pl_from(cid, sizeof(cid)), "text");
	assert_int_equal(slurp(path), LOG_LINE_MAX);
	assert_null(strstr(buf, "text"));
	assert_memory_equal(buf + LOG_LINE_MAX - 5, "c...\n", 5);
}

/* ------------------------------------------------------------ reopen */

static void test_reopen_after_rename(void **state)
{
	const char *l;
	char rotated[160];
	int fd;

	(void)state;
	snprintf(rotated, sizeof(rotated), "%s.1", path);
	use_file(NULL);
	fd = log_fd();
	LOGI(PL_NULL, "before");
	assert_int_equal(rename(path, rotated), 0);
	LOGI(PL_NULL, "still old");
	log_reopen();
	assert_int_equal(log_fd(), fd);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_true(fcntl(fd, F_GETFL) & O_APPEND);
	LOGI(PL_NULL, "after");
	slurp(path);
	assert_string_equal(buf + 19, "/GLOBAL/sigd: after\n");
	slurp(rotated);
	l = expect_line(buf, "/GLOBAL/sigd: before\n");
	l = expect_line(l, "/GLOBAL/sigd: still old\n");
	assert_int_equal(*l, '\0');
}

/* The directory is gone: the old file keeps the lines and says why. */
static void test_reopen_fails(void **state)
{
	const char *l;
	char moved[160], want[300];

	(void)state;
	use_file(NULL);
	snprintf(moved, sizeof(moved), "%s.moved", dir);
	assert_int_equal(rename(dir, moved), 0);
	log_reopen();
	LOGI(PL_NULL, "goes on");
	snprintf(moved, sizeof(moved), "%s.moved/sip.log", dir);
	slurp(moved);
	snprintf(want, sizeof(want),
		 "/GLOBAL/sigd: cannot reopen log file %s: No such file or directory\n", path);
	l = expect_line(buf, want);
	l = expect_line(l, "/GLOBAL/sigd: goes on\n");
	assert_int_equal(*l, '\0');
}

/* ------------------------------------------------------------ stderr, none */

struct capture {
	int saved;
	char file[160];
};

static void capture_begin(struct capture *c)
{
	int fd;

	snprintf(c->file, sizeof(c->file), "%s/stderr", dir);
	fd = open(c->file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	c->saved = dup(STDERR_FILENO);
	assert_true(c->saved >= 0);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	close(fd);
}

static size_t capture_end(struct capture *c)
{
	dup2(c->saved, STDERR_FILENO);
	close(c->saved);
	return slurp(c->file);
}

static void test_stderr_default(void **state)
{
	struct capture c;
	struct timespec t0, t1;

	(void)state;
	assert_int_equal(log_init("sigd"), 0);
	assert_int_equal(log_fd(), -1);
	log_reopen(); /* no-op */
	capture_begin(&c);
	clock_gettime(CLOCK_REALTIME, &t0);
	LOGW(PL("s@h"), "to stderr");
	clock_gettime(CLOCK_REALTIME, &t1);
	capture_end(&c);
	check_abs_stamp(buf, &t0, &t1);
	assert_string_equal(buf + 19, "/s@h/sigd: to stderr\n");
}

static void test_stderr_explicit(void **state)
{
	struct capture c;

	(void)state;
	setenv("SIPLOG_BEND", "STDERR", 1);
	assert_int_equal(log_init("ccd"), 0);
	capture_begin(&c);
	LOGI(PL_NULL, "x");
	capture_end(&c);
	assert_string_equal(buf + 19, "/GLOBAL/ccd: x\n");
}

/* Before log_init() and after log_close(): stderr at INFO. */
static void test_stderr_after_close(void **state)
{
	struct capture c;

	(void)state;
	use_file(NULL);
	log_close();
	assert_int_equal(log_fd(), -1);
	assert_false(log_enabled(TLOG_DBUG));
	assert_true(log_enabled(TLOG_INFO));
	capture_begin(&c);
	LOGD(PL_NULL, "no");
	LOGI(PL_NULL, "yes");
	capture_end(&c);
	assert_string_equal(buf + 19, "/GLOBAL/sigd: yes\n");
	assert_int_equal(slurp(path), 0);
}

static void test_none(void **state)
{
	struct capture c;

	(void)state;
	setenv("SIPLOG_BEND", "none", 1);
	setenv("SIPLOG_LVL", "DBUG", 1);
	setenv("SIPLOG_LOGFILE_FILE", path, 1);
	assert_int_equal(log_init("sigd"), 0);
	assert_int_equal(log_fd(), -1);
	for (int l = TLOG_DBUG; l <= TLOG_CRIT; l++)
		assert_false(log_enabled((enum log_level)l));
	capture_begin(&c);
	LOGC(PL_NULL, "nothing");
	log_msg(TLOG_CRIT, PL_NULL, "nothing either");
	assert_int_equal(capture_end(&c), 0);
	assert_int_equal(access(path, F_OK), -1);
}

/* ------------------------------------------------------------ rel time */

static void set_tstart(double offset)
{
	struct timespec now;
	char v[64];

	clock_gettime(CLOCK_REALTIME, &now);
	snprintf(v, sizeof(v), "%.6f", (double)now.tv_sec + now.tv_nsec / 1e9 + offset);
	setenv("SIPLOG_TSTART", v, 1);
}

static void test_rel_format(void **state)
{
	size_t len;
	int64_t ms;

	(void)state;
	setenv("SIPLOG_TFORM", "rel", 1);
	set_tstart(-3723.25); /* 1 h 2 min 3.25 s ago */
	use_file(NULL);
	LOGI(PL("r"), "rel");
	slurp(path);
	assert_memory_equal(buf, "01:02:0", 7);
	ms = rel_stamp_ms(buf, &len);
	assert_int_equal(len, 12);
	assert_true(ms >= 3723250 && ms < 3723250 + 5000);
	assert_string_equal(buf + len, "/r/sigd: rel\n");
}

static void test_rel_default_start(void **state)
{
	size_t len;

	(void)state;
	setenv("SIPLOG_TFORM", "REL", 1);
	use_file(NULL);
	LOGI(PL_NULL, "x");
	slurp(path);
	assert_true(rel_stamp_ms(buf, &len) < 5000);
	assert_memory_equal(buf, "00:00:0", 7);
	assert_string_equal(buf + len, "/GLOBAL/sigd: x\n");
}

static void test_rel_hours_grow(void **state)
{
	size_t len;
	int64_t ms;

	(void)state;
	setenv("SIPLOG_TFORM", "rel", 1);
	set_tstart(-360000.5); /* 100 hours */
	use_file(NULL);
	LOGI(PL_NULL, "x");
	slurp(path);
	assert_memory_equal(buf, "100:00:0", 8);
	ms = rel_stamp_ms(buf, &len);
	assert_int_equal(len, 13);
	assert_true(ms >= 360000500 && ms < 360000500 + 5000);
}

static void test_rel_future_start(void **state)
{
	(void)state;
	setenv("SIPLOG_TFORM", "rel", 1);
	set_tstart(1000);
	use_file(NULL);
	LOGI(PL_NULL, "x");
	slurp(path);
	assert_string_equal(buf, "00:00:00.000/GLOBAL/sigd: x\n");
}

static void test_rel_integer_start(void **state)
{
	size_t len;

	(void)state;
	setenv("SIPLOG_TFORM", "rel", 1);
	setenv("SIPLOG_TSTART", "0", 1);
	use_file(NULL);
	LOGI(PL_NULL, "x");
	slurp(path);
	assert_true(rel_stamp_ms(buf, &len) / 1000 >= time(NULL) - 5);
}

static void test_rel_bad_start(void **state)
{
	static const char *const bad[] = { "abc", "12x", "-5", "nan", "inf", "1e400", "1e16" };
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[128];
		setenv("SIPLOG_TFORM", "rel", 1);
		setenv("SIPLOG_TSTART", bad[i], 1);
		unlink(path);
		use_file(NULL);
		slurp(path);
		assert_true(rel_stamp_ms(buf, &len) < 5000); /* counting from now */
		snprintf(want, sizeof(want),
			 "/GLOBAL/sigd: SIPLOG_TSTART=\"%s\" is not epoch seconds: "
			 "counting from now\n", bad[i]);
		assert_string_equal(buf + len, want);
	}
}

/* TSTART means nothing without rel: ignored, no warning. */
static void test_abs_ignores_tstart(void **state)
{
	struct timespec t0, t1;

	(void)state;
	setenv("SIPLOG_TFORM", "Abs", 1);
	setenv("SIPLOG_TSTART", "junk", 1);
	use_file(NULL);
	clock_gettime(CLOCK_REALTIME, &t0);
	LOGI(PL_NULL, "x");
	clock_gettime(CLOCK_REALTIME, &t1);
	slurp(path);
	check_abs_stamp(buf, &t0, &t1);
	assert_string_equal(buf + 19, "/GLOBAL/sigd: x\n");
}

static void test_tform_unknown(void **state)
{
	struct timespec t0, t1;

	(void)state;
	setenv("SIPLOG_TFORM", "relative", 1);
	clock_gettime(CLOCK_REALTIME, &t0);
	use_file(NULL);
	clock_gettime(CLOCK_REALTIME, &t1);
	slurp(path);
	check_abs_stamp(buf, &t0, &t1);
	assert_string_equal(buf + 19, "/GLOBAL/sigd: SIPLOG_TFORM=\"relative\" is not abs or "
				      "rel: using abs\n");
}

/* ------------------------------------------------------------ syslog */

#define SKIP_CODE 77

/* Checks in the child report by exit code: cmocka cannot assert there. */
#define CHILD_CHECK(cond, code)                                              \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "syslog check %d failed: %s\n", code, #cond); \
			_exit(code);                                         \
		}                                                            \
	} while (0)

static ssize_t syslog_recv(int s, char *out, size_t cap)
{
	ssize_t n = recv(s, out, cap - 1, MSG_DONTWAIT);

	if (n >= 0)
		out[n] = '\0';
	return n;
}

/* "<PRI>Mmm dd HH:MM:SS ccd[pid]: " then the Sippy line without "/ccd". */
static bool syslog_line_ok(const char *got, const char *pri, const char *rest)
{
	char want[256];
	const char *p;

	if (strncmp(got, pri, strlen(pri)) != 0)
		return false;
	p = got + strlen(pri);
	if (p[3] != ' ' || p[6] != ' ' || p[9] != ':' || p[12] != ':' || p[15] != ' ')
		return false;
	snprintf(want, sizeof(want), "ccd[%d]: ", (int)getpid());
	p += 16;
	if (strncmp(p, want, strlen(want)) != 0)
		return false;
	p += strlen(want);
	if (p[2] != ' ' || p[6] != ' ' || p[15] != '.')
		return false;
	return strcmp(p + 19, rest) == 0;
}

static bool write_file(const char *file, const char *text)
{
	int fd = open(file, O_WRONLY);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok;
}

/*
 * Without root: a user namespace that maps our own ids, so that files can
 * be created on the tmpfs mounted in it.
 */
static bool private_user_ns(void)
{
	char map[64];
	int uid = (int)getuid(), gid = (int)getgid();

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return false;
	snprintf(map, sizeof(map), "%d %d 1", uid, uid);
	if (!write_file("/proc/self/uid_map", map) ||
	    !write_file("/proc/self/setgroups", "deny"))
		return false;
	snprintf(map, sizeof(map), "%d %d 1", gid, gid);
	return write_file("/proc/self/gid_map", map);
}

/*
 * /dev/log is a fixed path: the child gets a mount namespace with a
 * private /dev, binds its own socket there and checks the datagrams.
 */
static int syslog_child(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = "/dev/log" };
	static char text[2 * LOG_LINE_MAX];
	char got[LOG_LINE_MAX + 16];
	int s;

	if (unshare(CLONE_NEWNS) < 0 && !private_user_ns())
		_exit(SKIP_CODE);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", "/dev", "tmpfs", 0, "mode=0777") < 0)
		_exit(SKIP_CODE);

	setenv("SIPLOG_BEND", "SysLog", 1);
	setenv("SIPLOG_LVL", "DBUG", 1);
	/* no listener yet: lines are dropped, nothing fails */
	CHILD_CHECK(log_init("ccd") == 0, 1);
	CHILD_CHECK(log_fd() == -1, 2);
	LOGI(PL_NULL, "into the void");

	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHILD_CHECK(s >= 0 && bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0, 3);

	LOGD(PL("cid@h"), "dbug");
	CHILD_CHECK(syslog_recv(s, got, sizeof(got)) > 0, 4);
	CHILD_CHECK(syslog_line_ok(got, "<31>", "/cid@h: dbug"), 5);
	LOGI(PL_NULL, "info");
	syslog_recv(s, got, sizeof(got));
	CHILD_CHECK(syslog_line_ok(got, "<29>", "/GLOBAL: info"), 6);
	LOGW(PL_NULL, "warn\n"); /* the newline is not sent */
	syslog_recv(s, got, sizeof(got));
	CHILD_CHECK(syslog_line_ok(got, "<28>", "/GLOBAL: warn"), 7);
	LOGE(PL_NULL, "two\nlines");
	syslog_recv(s, got, sizeof(got));
	CHILD_CHECK(syslog_line_ok(got, "<27>", "/GLOBAL: two\nlines"), 8);
	LOGC(PL_NULL, "crit");
	syslog_recv(s, got, sizeof(got));
	CHILD_CHECK(syslog_line_ok(got, "<26>", "/GLOBAL: crit"), 9);
	log_msg((enum log_level)42, PL_NULL, "beyond crit");
	syslog_recv(s, got, sizeof(got));
	CHILD_CHECK(syslog_line_ok(got, "<26>", "/GLOBAL: beyond crit"), 10);

	memset(text, 't', sizeof(text) - 1);
	LOGI(PL_NULL, "%s", text);
	CHILD_CHECK(syslog_recv(s, got, sizeof(got)) == LOG_LINE_MAX, 11);
	CHILD_CHECK(memcmp(got + LOG_LINE_MAX - 4, "t...", 4) == 0, 12);

	/* rel time works with syslog too */
	setenv("SIPLOG_TFORM", "rel", 1);
	CHILD_CHECK(log_init("ccd") == 0, 13);
	LOGI(PL_NULL, "rel");
	syslog_recv(s, got, sizeof(got));
	CHILD_CHECK(strstr(got, "]: 00:00:00.") != NULL, 14);
	CHILD_CHECK(strstr(got, "/GLOBAL: rel") != NULL, 15);
	log_reopen(); /* no-op for syslog */
	log_close();
	return 0;
}

static void test_syslog(void **state)
{
	int code;

	(void)state;
	code = run_in_child(syslog_child);
	if (code == SKIP_CODE)
		skip(); /* no mount namespace here: only a live syslog could tell */
	assert_int_equal(code, 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_file_line_format),
		T(test_file_global),
		T(test_file_descriptor),
		T(test_file_appends),
		T(test_file_cannot_open),
		T(test_file_path_too_long),
		T(test_file_any_backend_name),
		T(test_init_twice),
		T(test_app_truncated),
		T(test_levels_filter),
		T(test_level_names),
		T(test_level_debug_written),
		T(test_level_unknown),
		T(test_level_empty),
		T(test_filtered_args_not_evaluated),
		T(test_multiline),
		T(test_call_id_control_chars),
		T(test_errno_and_percent_m),
		T(test_unprintable),
		T(test_truncation),
		T(test_truncation_boundary),
		T(test_truncation_long_call_id),
		T(test_reopen_after_rename),
		T(test_reopen_fails),
		T(test_stderr_default),
		T(test_stderr_explicit),
		T(test_stderr_after_close),
		T(test_none),
		T(test_rel_format),
		T(test_rel_default_start),
		T(test_rel_hours_grow),
		T(test_rel_future_start),
		T(test_rel_integer_start),
		T(test_rel_bad_start),
		T(test_abs_ignores_tstart),
		T(test_tform_unknown),
		T(test_syslog),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
