/*
 * config_file.c - the -C INI file (see config_file.h).
 */
#include "config_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define QUOTE_MAX 48

static int fail(char *err, size_t errsz, const char *name, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int fail(char *err, size_t errsz, const char *name, unsigned line, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	if (!err || !errsz)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(err, errsz, "%s:%u: %s", name, line, msg);
	return -1;
}

/* A printable copy of at most QUOTE_MAX bytes for an error. */
static const char *quote(const char *s, size_t n, char *q)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k < QUOTE_MAX; i++) {
		unsigned char c = (unsigned char)s[i];
		q[k++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (n > QUOTE_MAX) {
		memcpy(q + k, "...", 3);
		k += 3;
	}
	q[k] = '\0';
	return q;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* One line, [s, e), already trimmed and neither empty nor a comment. */
static int parse_line(struct config_file *cf, const char *name, unsigned line, char *s, char *e,
		      bool *in_general, bool *seen_general, char *err, size_t errsz)
{
	char q[QUOTE_MAX + 4];
	char *delim, *ke, *v;

	if (*s == '[') {
		char *ns = s + 1, *ne = e - 1;

		if (*ne != ']')
			return fail(err, errsz, name, line, "section header without ']'");
		while (ns < ne && is_space(*ns))
			ns++;
		while (ne > ns && is_space(ne[-1]))
			ne--;
		if ((size_t)(ne - ns) != 7 || memcmp(ns, "general", 7) != 0)
			return fail(err, errsz, name, line, "unknown section [%s] (ccd reads only [general])",
				    quote(ns, (size_t)(ne - ns), q));
		if (*seen_general)
			return fail(err, errsz, name, line, "section [general] given twice");
		*seen_general = *in_general = true;
		return 0;
	}
	for (delim = s; delim < e && *delim != '=' && *delim != ':'; delim++)
		;
	if (delim == e)
		return fail(err, errsz, name, line, "expected 'key = value', not '%s'", quote(s, (size_t)(e - s), q));
	for (ke = delim; ke > s && is_space(ke[-1]); ke--)
		;
	if (ke == s)
		return fail(err, errsz, name, line, "empty key");
	for (char *c = s; c < ke; c++)
		if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f)
			return fail(err, errsz, name, line, "invalid key '%s'", quote(s, (size_t)(ke - s), q));
	if (!*in_general)
		return fail(err, errsz, name, line, "key '%s' outside the [general] section",
			    quote(s, (size_t)(ke - s), q));
	if (cf->n == CONFIG_FILE_MAX_ENTRIES)
		return fail(err, errsz, name, line, "too many keys (at most %d)", CONFIG_FILE_MAX_ENTRIES);
	for (v = delim + 1; v < e && is_space(*v); v++)
		;
	*ke = '\0';
	*e = '\0';
	for (unsigned i = 0; i < cf->n; i++)
		if (strcasecmp(cf->e[i].key, s) == 0)
			return fail(err, errsz, name, line, "key '%s' given twice (first on line %u)",
				    quote(s, strlen(s), q), cf->e[i].line);
	cf->e[cf->n++] = (struct config_entry){ s, v, line };
	return 0;
}

int config_file_parse(struct config_file *cf, const char *name, char *buf, size_t len, char *err,
		      size_t errsz)
{
	bool in_general = false, seen_general = false;
	char *p = buf, *end = buf + len;
	unsigned line = 0;

	cf->n = 0;
	if (memchr(buf, '\0', len)) {
		unsigned nl = 1;

		for (const char *c = buf; *c; c++)
			nl += *c == '\n';
		return fail(err, errsz, name, nl, "NUL byte in the file");
	}
	buf[len] = '\0';
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)	/* UTF-8 byte order mark */
		p += 3;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *e = nl ? nl : end, *s = p;

		line++;
		p = nl ? nl + 1 : end;
		while (s < e && is_space(*s))
			s++;
		while (e > s && is_space(e[-1]))
			e--;
		if (s == e || *s == '#' || *s == ';')
			continue;
		if (parse_line(cf, name, line, s, e, &in_general, &seen_general, err, errsz) < 0)
			return -1;
	}
	return 0;
}

struct config_file *config_file_load(const char *path, char *err, size_t errsz)
{
	struct config_file *cf;
	struct stat st;
	size_t len = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errsz, "cannot read config file '%s': %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errsz, "config file '%s' is not a regular file", path);
		close(fd);
		return NULL;
	}
	cf = calloc(1, sizeof(*cf));
	if (!cf || !(cf->text = malloc(CONFIG_FILE_MAX_BYTES + 2))) {
		snprintf(err, errsz, "out of memory reading '%s'", path);
		goto fail;
	}
	for (;;) {
		ssize_t r = read(fd, cf->text + len, CONFIG_FILE_MAX_BYTES + 1 - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errsz, "cannot read config file '%s': %s", path, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > CONFIG_FILE_MAX_BYTES) {
			snprintf(err, errsz, "config file '%s' is too large (at most %d bytes)", path,
				 CONFIG_FILE_MAX_BYTES);
			goto fail;
		}
	}
	close(fd);
	if (config_file_parse(cf, path, cf->text, len, err, errsz) < 0) {
		config_file_free(cf);
		return NULL;
	}
	return cf;
fail:
	close(fd);
	config_file_free(cf);
	return NULL;
}

void config_file_free(struct config_file *cf)
{
	if (!cf)
		return;
	free(cf->text);
	free(cf);
}
