/*
 * control_cmd.c - the pure parts of the control socket (control.h): the
 * socket spec, the command line, and the names the replies print. No I/O,
 * no allocation.
 */
#include "control.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- socket spec */

static int parse_port(const char *s, uint16_t *port)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end || errno || v < 1 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

static int parse_tcp(const char *s, struct control_spec *spec, char *err, size_t errsz)
{
	const char *host = s, *hend, *port = NULL;

	if (*s == '[') {
		host = s + 1;
		hend = strchr(host, ']');
		if (!hend || (hend[1] && hend[1] != ':')) {
			snprintf(err, errsz, "'tcp:%.64s': an IPv6 address goes in brackets: tcp:[addr]:port", s);
			return -1;
		}
		if (hend[1] == ':')
			port = hend + 2;
	} else {
		hend = strchr(s, ':');
		if (hend && strchr(hend + 1, ':')) {
			snprintf(err, errsz, "'tcp:%.64s': an IPv6 address goes in brackets: tcp:[addr]:port", s);
			return -1;
		}
		if (hend)
			port = hend + 1;
		else
			hend = s + strlen(s);
	}
	if (hend == host || (size_t)(hend - host) > CONTROL_HOST_MAX) {
		snprintf(err, errsz, "'tcp:%.64s': host empty or too long", s);
		return -1;
	}
	for (const char *c = host; c < hend; c++)
		if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7f) {
			snprintf(err, errsz, "'tcp:%.64s': host with spaces or control characters", s);
			return -1;
		}
	spec->kind = CONTROL_TCP;
	memcpy(spec->host, host, (size_t)(hend - host));
	spec->host[hend - host] = '\0';
	spec->port = CONTROL_DEFAULT_PORT;
	if (port && parse_port(port, &spec->port) < 0) {
		snprintf(err, errsz, "'tcp:%.64s': port must be 1..65535", s);
		return -1;
	}
	return 0;
}

int control_spec_parse(const char *s, struct control_spec *spec, char *err, size_t errsz)
{
	const char *path = s;

	memset(spec, 0, sizeof(*spec));
	if (strncmp(s, "tcp:", 4) == 0)
		return parse_tcp(s + 4, spec, err, errsz);
	if (strncmp(s, "udp:", 4) == 0) {
		snprintf(err, errsz, "'%.64s': udp control sockets are not supported (unix: or tcp:)", s);
		return -1;
	}
	if (strncmp(s, "unix:", 5) == 0)
		path = s + 5;
	if (!*path) {
		snprintf(err, errsz, "'%.64s': empty socket path", s);
		return -1;
	}
	if (strlen(path) > CONTROL_PATH_MAX) {
		snprintf(err, errsz, "socket path longer than %d bytes", CONTROL_PATH_MAX);
		return -1;
	}
	spec->kind = CONTROL_UNIX;
	memcpy(spec->path, path, strlen(path) + 1);
	return 0;
}

/* ---------------------------------------------------------------- commands */

#define WORDS_MAX 4	/* a command and its arguments; more is a syntax error */

static const char err_unknown[] = "ERROR: unknown command";
static const char err_malformed[] = "ERROR: malformed command: only printable ASCII is allowed";
static const char err_syntax_d[] = "ERROR: syntax error: d <call-id>";
static const char err_syntax_r[] = "ERROR: syntax error: r <id> [<media-index>]";

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Splits the line at blanks; returns the number of words (WORDS_MAX + 1
 * when there are more). */
static size_t split(struct pl line, struct pl *w)
{
	size_t n = 0, i = 0;

	while (i < line.l) {
		size_t start;

		while (i < line.l && is_space(line.p[i]))
			i++;
		if (i == line.l)
			break;
		start = i;
		while (i < line.l && !is_space(line.p[i]))
			i++;
		if (n == WORDS_MAX)
			return WORDS_MAX + 1;
		w[n++] = pl_from(line.p + start, i - start);
	}
	return n;
}

/* A decimal number without sign or spaces, at most max. */
static bool parse_u64(struct pl s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (s.l == 0 || s.l > 20)
		return false;
	for (size_t i = 0; i < s.l; i++) {
		unsigned d = (unsigned)(s.p[i] - '0');

		if (d > 9 || v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

static void error(struct control_cmd *cmd, const char *line)
{
	cmd->kind = CONTROL_CMD_ERROR;
	cmd->error = line;
}

static void parse_d(struct control_cmd *cmd, const struct pl *w, size_t n)
{
	if (n != 2) {
		error(cmd, err_syntax_d);
		return;
	}
	cmd->kind = CONTROL_CMD_DISCONNECT;
	cmd->call_id = w[1];
	cmd->all = pl_eq_str(w[1], "*");
}

static void parse_r(struct control_cmd *cmd, const struct pl *w, size_t n)
{
	uint64_t idx = 0;

	if (n < 2 || n > 3 || !parse_u64(w[1], UINT64_MAX, &cmd->id) ||
	    (n == 3 && !parse_u64(w[2], UINT32_MAX, &idx))) {
		error(cmd, err_syntax_r);
		return;
	}
	cmd->kind = CONTROL_CMD_MEDIA_TIMEOUT;
	cmd->media_index = (uint32_t)idx;
}

void control_cmd_parse(struct pl line, struct control_cmd *cmd)
{
	static const struct {
		const char *word;
		enum control_cmd_kind kind;
	} simple[] = {
		{ "l", CONTROL_CMD_LIST },	   { "lt", CONTROL_CMD_LIST_TSX }, { "llt", CONTROL_CMD_LIST_OLD_TSX },
		{ "q", CONTROL_CMD_QUIT },	   { "nodes", CONTROL_CMD_NODES }, { "stats", CONTROL_CMD_STATS },
	};
	struct pl w[WORDS_MAX];
	size_t n;

	memset(cmd, 0, sizeof(*cmd));
	if (line.l && line.p[line.l - 1] == '\r')
		line.l--;
	for (size_t i = 0; i < line.l; i++)
		if (((unsigned char)line.p[i] < 0x20 && line.p[i] != '\t') || (unsigned char)line.p[i] >= 0x7f) {
			error(cmd, err_malformed);
			return;
		}
	n = split(line, w);
	if (n == 0) {
		cmd->kind = CONTROL_CMD_NONE;
		return;
	}
	/* Sippy lower-cases the command word; its extra words are ignored
	 * except by d and r. */
	if (pl_caseeq_str(w[0], "d")) {
		parse_d(cmd, w, n);
		return;
	}
	if (pl_caseeq_str(w[0], "r")) {
		parse_r(cmd, w, n);
		return;
	}
	for (size_t i = 0; i < sizeof(simple) / sizeof(simple[0]); i++)
		if (pl_caseeq_str(w[0], simple[i].word)) {
			cmd->kind = simple[i].kind;
			return;
		}
	error(cmd, err_unknown);
}

/* ---------------------------------------------------------------- names */

const char *control_ua_sname(unsigned state, bool uas, bool reinvite_sent)
{
	/* [state][0] for UAS legs (or the peer's re-INVITE), [1] for UAC */
	static const char *const names[][2] = {
		[TANDEM__LEG_STATE__LEG_IDLE] = { "Idle(UAS)", "Idle(UAC)" },
		[TANDEM__LEG_STATE__LEG_TRYING] = { "Trying(UAS)", "Trying(UAC)" },
		[TANDEM__LEG_STATE__LEG_RINGING] = { "Ringing(UAS)", "Ringing(UAC)" },
		[TANDEM__LEG_STATE__LEG_CONNECTED] = { "Connected", "Connected" },
		[TANDEM__LEG_STATE__LEG_UPDATING] = { "Updating(UAS)", "Updating(UAC)" },
		[TANDEM__LEG_STATE__LEG_CANCELLING] = { "Cancelling(UAS)", "Cancelling(UAC)" },
		[TANDEM__LEG_STATE__LEG_DISCONNECTED] = { "Disconnected", "Disconnected" },
		[TANDEM__LEG_STATE__LEG_FAILED] = { "Failed", "Failed" },
		[TANDEM__LEG_STATE__LEG_DEAD] = { "Dead", "Dead" },
	};

	if (state < TANDEM__LEG_STATE__LEG_IDLE || state > TANDEM__LEG_STATE__LEG_DEAD)
		return NULL;
	if (state == TANDEM__LEG_STATE__LEG_UPDATING)
		return names[state][reinvite_sent];
	return names[state][!uas];
}

const char *control_tsx_state_name(unsigned state)
{
	static const char *const names[] = {
		"Unknown", "Calling", "Trying", "Proceeding", "Completed", "Confirmed", "Accepted", "Terminated",
	};

	return state < sizeof(names) / sizeof(names[0]) ? names[state] : "Unknown";
}
