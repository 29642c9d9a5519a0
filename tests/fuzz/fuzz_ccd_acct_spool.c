/*
 * fuzz_ccd_acct_spool.c - the accounting spool (ccd/acct_spool.h) on any
 * bytes: every line through the parser (a parsed record must write back
 * and parse to the same record), then the whole input as a spool file
 * read back at start and drained (handed out, some retried, all done):
 * whatever the file holds, the spool must end empty and truncated.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ccd/acct_spool.h"
#include "log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct acct_line parsed, again;
static char wbuf[ACCT_SPOOL_LINE_MAX];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* The spool logs every bad line: to /dev/null unless asked. */
	setenv("SIPLOG_BEND", "file", 0);
	setenv("SIPLOG_LOGFILE_FILE", "/dev/null", 0);
	if (log_init("fuzz") < 0)
		abort();
	return 0;
}

static void same_record(const struct acct_line *a, const struct acct_line *b)
{
	if (a->kind != b->kind || a->seq != b->seq || a->rec.created_ms != b->rec.created_ms ||
	    a->rec.av.n != b->rec.av.n)
		abort();
	for (unsigned i = 0; i < a->rec.av.n; i++)
		if (strcmp(a->rec.av.a[i].name, b->rec.av.a[i].name) != 0 ||
		    strcmp(a->rec.av.a[i].value, b->rec.av.a[i].value) != 0)
			abort();
}

static void lines(const char *buf, size_t size)
{
	const char *p = buf, *end = buf + size;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);
		const char *why = NULL;
		int n;

		if (acct_line_parse(p, len, &parsed, &why) < 0) {
			if (!why)
				abort();
		} else if (parsed.kind == ACCT_LINE_RECORD) {
			n = acct_line_record(wbuf, sizeof(wbuf), parsed.seq, parsed.rec.created_ms, &parsed.rec.av);
			if (n <= 0 || wbuf[n - 1] != '\n' || memchr(wbuf, '\n', (size_t)n - 1) ||
			    acct_line_parse(wbuf, (size_t)n - 1, &again, &why) < 0)
				abort();
			same_record(&parsed, &again);
		} else {
			n = acct_line_mark(wbuf, sizeof(wbuf), parsed.kind, parsed.seq);
			if (n <= 0 || acct_line_parse(wbuf, (size_t)n - 1, &again, &why) < 0 ||
			    again.kind != parsed.kind || again.seq != parsed.seq)
				abort();
		}
		p += len + 1;
	}
}

static void spool(const uint8_t *data, size_t size)
{
	int fd = memfd_create("spool", MFD_CLOEXEC);
	struct acct_spool *sp;
	struct acct_rec rec;
	char path[64], err[256];
	size_t pending, rounds = 0;
	struct stat st;

	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (acct_spool_open(&sp, path, err, sizeof(err)) < 0)
		abort();
	pending = acct_spool_pending(sp);
	for (;;) {
		int r = acct_spool_next(sp, &rec);

		if (r < 0)
			abort();
		if (r == 0)
			break;
		/* Every third record fails once: handed out again first. */
		if (rec.seq % 3 == 0 && rounds++ < pending) {
			acct_spool_retry(sp, rec.seq);
			continue;
		}
		acct_spool_done(sp, rec.seq);
		if (++rounds > 4 * pending + 8)
			abort();	/* must end */
	}
	if (acct_spool_pending(sp) != 0 || acct_spool_in_flight(sp) != 0)
		abort();
	acct_spool_close(sp);
	if (fstat(fd, &st) < 0 || st.st_size != 0)
		abort();	/* empty: truncated */
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	lines(buf, size);
	free(buf);
	spool(data, size);
	return 0;
}
