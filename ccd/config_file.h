/*
 * config_file.h - the `-C file` / `--config=file` INI file of Sippy's
 * b2bua (sippy/MyConfigParser.py), read into key/value entries.
 *
 *   # comment            (also ';'; whole lines only: values such as
 *   ; comment             routes and rewrite rules contain both)
 *   [general]            the one section
 *   key = value          also "key: value"; keys are the long option
 *                        names, compared case-insensitively as Python's
 *                        configparser does; the value is trimmed
 *
 * Errors (as configparser, unlike a silent skip): a key outside [general],
 * another section, a line without '=' or ':', a key given twice, a NUL
 * byte. What a key means is the caller's business (ccd_config.c).
 */
#ifndef TANDEM_CONFIG_FILE_H
#define TANDEM_CONFIG_FILE_H

#include <stddef.h>

#define CONFIG_FILE_MAX_BYTES	65536
#define CONFIG_FILE_MAX_ENTRIES	128

struct config_entry {
	const char *key;	/* NUL-terminated inside the text */
	const char *value;
	unsigned line;		/* 1-based */
};

struct config_file {
	char *text;		/* the file's bytes (config_file_load) */
	unsigned n;
	struct config_entry e[CONFIG_FILE_MAX_ENTRIES];
};

/*
 * Parses buf[0..len) in place: keys and values are NUL-terminated inside
 * it, so buf needs len + 1 bytes (buf[len] is written). name prefixes
 * errors: "<name>:<line>: <reason>". Returns 0 or -1.
 */
int config_file_parse(struct config_file *cf, const char *name, char *buf, size_t len, char *err,
		      size_t errsz);

/* Reads and parses path into a new config_file. NULL with err on failure. */
struct config_file *config_file_load(const char *path, char *err, size_t errsz);
void config_file_free(struct config_file *cf);

#endif
