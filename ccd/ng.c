/*
 * ng.c - rtpengine's ng commands and replies (ng.h).
 */
#include "ng.h"

#include <string.h>

#include "bencode.h"

static const char *const command_names[] = {
	[NG_PING] = "ping",
	[NG_OFFER] = "offer",
	[NG_ANSWER] = "answer",
	[NG_DELETE] = "delete",
};

int ng_build(char *buf, size_t cap, const struct ng_request *r)
{
	struct bencode_buf b;
	bool needs_sdp = r->cmd == NG_OFFER || r->cmd == NG_ANSWER;

	if ((unsigned)r->cmd >= sizeof(command_names) / sizeof(command_names[0]))
		return -1;
	if (r->cmd != NG_PING && (!r->call_id.l || !r->from_tag.l))
		return -1;
	if ((r->cmd == NG_ANSWER && !r->to_tag.l) || (needs_sdp && !r->sdp.l))
		return -1;
	bencode_init(&b, buf, cap);
	bencode_dict(&b);
	bencode_kv(&b, "command", pl_from_str(command_names[r->cmd]));
	if (r->cmd != NG_PING) {
		bencode_kv(&b, "call-id", r->call_id);
		bencode_kv(&b, "from-tag", r->from_tag);
		if (r->to_tag.l)
			bencode_kv(&b, "to-tag", r->to_tag);
	}
	if (needs_sdp) {
		bencode_kv(&b, "sdp", r->sdp);
		bencode_cstr(&b, "replace");
		bencode_list(&b);
		bencode_cstr(&b, "origin");
		bencode_cstr(&b, "session-connection");
		bencode_end(&b);
	}
	if (r->cmd == NG_DELETE) {
		/* The call is over when ccd says so: no grace period. */
		bencode_cstr(&b, "delete-delay");
		bencode_int(&b, 0);
	}
	bencode_end(&b);
	return bencode_finish(&b);
}

/* The string under key in the reply dict, or PL_NULL. */
static struct pl get_str(struct pl reply, const char *key)
{
	struct pl enc, v;

	return bencode_lookup(reply, pl_from_str(key), &enc) && bencode_as_str(enc, &v) ? v : PL_NULL;
}

int ng_parse_reply(struct pl reply, struct ng_reply *out, const char **why)
{
	struct bencode_error err;

	memset(out, 0, sizeof(*out));
	/* Checked without tokens: a delete reply carries the call's whole
	 * statistics, of any size. */
	if (bencode_check(reply.p, reply.l, &err) < 0) {
		*why = err.reason;
		return -1;
	}
	if (reply.p[0] != 'd') {
		*why = "the reply is not a dictionary";
		return -1;
	}
	out->result = get_str(reply, "result");
	if (!out->result.p) {
		*why = "the reply has no result";
		return -1;
	}
	out->ok = pl_eq_str(out->result, "ok") || pl_eq_str(out->result, "pong");
	out->error_reason = get_str(reply, "error-reason");
	out->warning = get_str(reply, "warning");
	out->sdp = get_str(reply, "sdp");
	return 0;
}
