/*
 * acct_spool.h - accounting records the RADIUS server has not acknowledged
 * yet, kept in a file until it does (issue 4: "no record is ever lost").
 *
 * The file is append-only text, one line per entry, each line ending in a
 * CRC-32 of itself:
 *
 *   R <seq> <created_ms> Name=value ... #crc   a record (TAB-separated)
 *   U <seq> #crc                               records up to seq are done
 *   D <seq> #crc                               record seq is done (out of order)
 *
 * Values escape backslash, TAB, CR, LF and the other control bytes
 * (\\ \t \r \n \xHH), so a record is always one line. created_ms is the
 * wall-clock time the record was made (ms since the epoch): the sender
 * turns it into Acct-Delay-Time.
 *
 * Records are handed out oldest first (acct_spool_next), at most
 * ACCT_SPOOL_WINDOW_MAX at a time; each comes back as done (delivered) or
 * to be retried. The oldest record not yet done is the head. A record is
 * pending until it is done: acct_spool_pending() is what ccd reports as
 * the spool size. When nothing is pending the file is truncated to zero
 * (compacted); while records are pending, the disk space before the head
 * is given back with FALLOC_FL_PUNCH_HOLE where the file system can.
 *
 * Crash safety: every entry is written with one write(2), so a ccd crash
 * loses nothing that acct_spool_append() accepted (it is in the page
 * cache); acct_spool_sync() (fdatasync) makes it survive a power loss, and
 * the caller runs it at least once a second while the spool is dirty. At
 * open, a torn last line (no newline: the machine died mid-write) is cut
 * off, a line whose CRC does not match is skipped and counted, and the
 * rest is read back. A done entry that was lost makes its record go out
 * once more: delivery is at least once.
 *
 * The file is locked (flock) while open: two ccds cannot share a spool.
 * Only the event loop's thread uses it.
 */
#ifndef TANDEM_CCD_ACCT_SPOOL_H
#define TANDEM_CCD_ACCT_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "avlist.h"

/* The longest line: every pair at its longest, every byte escaped. */
#define ACCT_SPOOL_LINE_MAX	(64 * 1024)
/* Records handed out and not yet back. */
#define ACCT_SPOOL_WINDOW_MAX	16
/* The most bytes of pending records the file may hold; appends beyond it
 * fail (the caller logs the record: it is lost). */
#define ACCT_SPOOL_BYTES_MAX	((uint64_t)1 << 30)

/* ---------------------------------------------------------------- lines (pure) */

enum acct_line_kind {
	ACCT_LINE_RECORD,	/* R */
	ACCT_LINE_UPTO,		/* U: every record up to seq is done */
	ACCT_LINE_DONE,		/* D: record seq is done */
};

struct acct_rec {
	uint64_t seq;
	int64_t created_ms;	/* wall clock, ms since the epoch */
	struct avlist av;
};

struct acct_line {
	enum acct_line_kind kind;
	uint64_t seq;			/* all kinds */
	struct acct_rec rec;		/* ACCT_LINE_RECORD */
};

/*
 * Writes the line of a record (with its newline) into buf. Returns its
 * length, or -1 when it does not fit or a name cannot be written (empty,
 * longer than AV_NAME_MAX, or holding a byte outside '!'..'~', '=' or
 * '\\', or starting with '#').
 */
int acct_line_record(char *buf, size_t size, uint64_t seq, int64_t created_ms,
		     const struct avlist *av);

/* The line of a U or D entry, with its newline; -1 if it does not fit. */
int acct_line_mark(char *buf, size_t size, enum acct_line_kind kind, uint64_t seq);

/*
 * Parses one line (without its newline). Returns 0, or -1 with a static
 * reason in *why (for the log: "bad CRC", "bad value escape"...).
 */
int acct_line_parse(const char *line, size_t len, struct acct_line *out, const char **why);

/* CRC-32 (IEEE 802.3, as zlib's crc32) of buf. */
uint32_t acct_crc32(const void *buf, size_t len);

/* ---------------------------------------------------------------- the file */

struct acct_spool;

struct acct_spool_stats {
	uint64_t appended;		/* records written */
	uint64_t done;			/* records delivered (or given up) */
	uint64_t corrupt_lines;		/* lines skipped: bad CRC or syntax */
	uint64_t torn_bytes;		/* a torn last line cut off at open */
	uint64_t write_errors;		/* appends that failed (disk full...) */
	uint64_t compactions;		/* truncations to zero once empty */
};

/*
 * Opens (creating it, mode 0600) and reads back the spool at path. Returns
 * 0, or -1 with a one-line reason (the directory does not exist, no
 * permission, another process holds it...).
 */
int acct_spool_open(struct acct_spool **out, const char *path, char *err, size_t errsz);

/* fdatasync and close; truncates the file when nothing is pending. NULL is
 * a no-op. Records handed out and not back stay pending (sent again by the
 * next process). */
void acct_spool_close(struct acct_spool *sp);

/* Records not yet done (handed-out ones included). */
size_t acct_spool_pending(const struct acct_spool *sp);

/* Records handed out and not back yet. */
unsigned acct_spool_in_flight(const struct acct_spool *sp);

/*
 * Appends a record behind every other. Returns 0, or -1 with a one-line
 * reason (write error, ACCT_SPOOL_BYTES_MAX reached, a name that cannot be
 * written): nothing was appended.
 */
int acct_spool_append(struct acct_spool *sp, int64_t created_ms, const struct avlist *av, char *err,
		      size_t errsz);

/*
 * Hands out the oldest record that is pending and not out already (one to
 * be retried first). Returns 1 with *rec filled, 0 when there is none or
 * ACCT_SPOOL_WINDOW_MAX are out, -1 on a read error (logged).
 */
int acct_spool_next(struct acct_spool *sp, struct acct_rec *rec);

/* Record seq (handed out) was delivered: it is no longer pending. */
void acct_spool_done(struct acct_spool *sp, uint64_t seq);

/* Record seq (handed out) was not delivered: acct_spool_next() hands it
 * out again before anything newer. */
void acct_spool_retry(struct acct_spool *sp, uint64_t seq);

/* Whether something was written since the last acct_spool_sync(). */
bool acct_spool_dirty(const struct acct_spool *sp);

/* fdatasync when dirty. Returns 0, or -1 (logged). */
int acct_spool_sync(struct acct_spool *sp);

const struct acct_spool_stats *acct_spool_stats(const struct acct_spool *sp);

#endif
