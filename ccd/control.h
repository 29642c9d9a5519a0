/*
 * control.h - ccd's control socket (`ccd -c spec`), Sippy's b2bua_socket
 * (sippy-behaviour.md §1.7) with its broken commands working.
 *
 * A line-based text protocol on a unix or TCP stream socket, many clients
 * at once, nothing blocking the loop. Commands (first word in any case):
 *
 *   l               calls, both legs' UA state, address and numbers, then
 *                   "Total: N" (the leg states are asked from the nodes)
 *   lt, llt         the nodes' SIP transactions (llt: those older than 60 s)
 *   d <call-id>     end the calls with that ingress Call-ID (BYE/CANCEL on
 *                   both legs); d * ends every call
 *   r <id> [idx]    media timeout of call <id> (Sippy's controller id):
 *                   ends it with origin MEDIA_TIMEOUT
 *   q               close the connection
 *   nodes, stats    the sigd nodes; ccd's counters
 *
 * Anything else gets one "ERROR: ..." line and the connection stays
 * usable. Lines are at most CONTROL_LINE_MAX bytes; a client whose
 * unread output passes CONTROL_OUTPUT_HIGH is not read from (so it cannot
 * queue more commands) until it has read some, which bounds what one
 * client can make ccd hold to that plus one reply.
 *
 * `l`, `lt` and `llt` ask every live node (ListRequest) and answer when
 * all replied or after CONTROL_GATHER_MS; clients asking the same while a
 * list is being gathered share it. The client's later commands wait.
 */
#ifndef TANDEM_CCD_CONTROL_H
#define TANDEM_CCD_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pl.h"
#include "tandem.pb-c.h"

struct ccd;
struct node;

#define CONTROL_DEFAULT_PORT	12345	/* tcp:host without a port (Sippy's) */
#define CONTROL_PATH_MAX	107	/* sizeof(sun_path) - 1 */
#define CONTROL_HOST_MAX	255
#define CONTROL_LINE_MAX	1024	/* bytes per command line */
#define CONTROL_CLIENTS_MAX	64
#define CONTROL_OUTPUT_HIGH	(256 * 1024)	/* stop reading a client above this */
#define CONTROL_OUTPUT_LOW	(64 * 1024)	/* ...and read again below this */
#define CONTROL_GATHER_MS	2000	/* longest wait for the nodes' lists */
#define CONTROL_LLT_AGE_MS	60000	/* llt: transactions at least this old */
#define CONTROL_TSX_TEXT_MAX	(32 * 1024 * 1024)	/* lt output kept per list */

/* ---------------------------------------------------------------- pure parts (control_cmd.c) */

enum control_sock_kind {
	CONTROL_UNIX,
	CONTROL_TCP,
};

struct control_spec {
	enum control_sock_kind kind;
	char path[CONTROL_PATH_MAX + 1];	/* unix */
	char host[CONTROL_HOST_MAX + 1];	/* tcp, without brackets */
	uint16_t port;
};

/*
 * Sippy's b2bua_socket syntax: "unix:/path", "/path" (any string without
 * a scheme is a path), "tcp:host[:port]" (IPv6 as "[addr]"; default port
 * 12345). Returns 0, or -1 with a one-line reason.
 */
int control_spec_parse(const char *s, struct control_spec *spec, char *err, size_t errsz);

enum control_cmd_kind {
	CONTROL_CMD_NONE,		/* an empty line: no reply */
	CONTROL_CMD_LIST,		/* l */
	CONTROL_CMD_LIST_TSX,		/* lt */
	CONTROL_CMD_LIST_OLD_TSX,	/* llt */
	CONTROL_CMD_DISCONNECT,		/* d <call-id> | d * */
	CONTROL_CMD_MEDIA_TIMEOUT,	/* r <id> [<media-index>] */
	CONTROL_CMD_QUIT,		/* q */
	CONTROL_CMD_NODES,		/* nodes */
	CONTROL_CMD_STATS,		/* stats */
	CONTROL_CMD_ERROR,		/* reply with cmd.error */
};

struct control_cmd {
	enum control_cmd_kind kind;
	struct pl call_id;	/* d: a slice of the line */
	bool all;		/* d * */
	uint64_t id;		/* r */
	uint32_t media_index;	/* r */
	const char *error;	/* CONTROL_CMD_ERROR: the whole reply line */
};

/* Parses one line (its CR LF or LF already removed; a trailing CR is
 * ignored). Never fails: a bad line is CONTROL_CMD_ERROR. */
void control_cmd_parse(struct pl line, struct control_cmd *cmd);

/* Sippy's UA state names (sname): "Trying(UAS)", "Connected", ... for a
 * Tandem__LegState; NULL for a value outside the enum. */
const char *control_ua_sname(unsigned state, bool uas, bool reinvite_sent);

/* RFC 3261 names of a Tandem__TransactionState ("Proceeding"...). */
const char *control_tsx_state_name(unsigned state);

/* ---------------------------------------------------------------- the socket (control.c) */

/* Opens cd->cfg.control when set (a no-op otherwise). A unix socket path
 * that a live process answers on is refused; a stale one is replaced.
 * Returns 0, or -1 with a one-line reason. */
int control_open(struct ccd *cd, char *err, size_t errsz);

/* Closes every connection and the socket (unlinking a unix socket that is
 * still ours). */
void control_close(struct ccd *cd);

/* A ListReply from node n (nodes.c). */
void control_on_list_reply(struct ccd *cd, struct node *n, const Tandem__ListReply *r);

#endif
