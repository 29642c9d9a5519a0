/*
 * tsx_match.c - which transaction a message belongs to (RFC 3261
 * §17.1.3, §17.2.3, §8.2.2.2), through three hash tables:
 *
 *   server  RFC 3261 requests (branch with the magic cookie) by branch,
 *           sent-by and method, where an ACK looks for its INVITE and a
 *           CANCEL for its own transaction (or, from tsx_server.c, for the
 *           INVITE it cancels). RFC 2543 requests by Call-ID, From tag,
 *           CSeq number and top Via, then Request-URI, To tag and method.
 *           Both kinds share the table; the hash leaves the method out so
 *           that ACK and CANCEL find the INVITE in the same chain.
 *   merge   server transactions of requests without a To tag, by Call-ID,
 *           From tag, CSeq: a second copy of such a request on another
 *           branch is a merged request (482).
 *   client  by branch and CSeq method.
 *
 * Branches, Call-IDs and tags compare byte for byte; sent-by hosts
 * ignore case (host names do).
 */
#include "tsx_priv.h"

#include <string.h>

#define SIP_UDP_PORT 5060
#define SEED_2543   (HTABLE_SEED ^ 0x2543ULL)
#define SEED_MERGE  (HTABLE_SEED ^ 0x482ULL)
#define SEED_CLIENT (HTABLE_SEED ^ 0xc11e47ULL)

/* Equal bytes; absent equals empty. */
static bool same(struct pl a, struct pl b)
{
	return a.l == b.l && (a.l == 0 || memcmp(a.p, b.p, a.l) == 0);
}

static bool same_method(const struct tsx *t, enum sip_method m, struct pl name)
{
	return t->method == m && (m != SIP_METHOD_OTHER || same(tsx_str_pl(t, t->method_name), name));
}

/* ---------------------------------------------------------------- server */

static uint64_t server_hash(bool rfc2543, struct pl branch, struct pl host, uint16_t port,
			    struct pl call_id, struct pl from_tag, uint32_t cseq)
{
	uint64_t h;

	if (!rfc2543)
		return htable_hash_u64(htable_hash_nocase(host, htable_hash(branch, HTABLE_SEED)) ^ port);
	h = htable_hash(from_tag, htable_hash(call_id, SEED_2543));
	h = htable_hash(branch, htable_hash_nocase(host, h));
	return htable_hash_u64(h ^ ((uint64_t)cseq << 16 | port));
}

void tsx_server_key_from(struct tsx_server_key *k, const struct sip_msg *m)
{
	memset(k, 0, sizeof(*k));
	k->rfc2543 = !sip_via_branch_is_rfc3261(&m->via);
	k->branch = m->via.branch;
	k->host = m->via.host;
	k->port = m->via.port ? m->via.port : SIP_UDP_PORT;
	k->method = m->method_id;
	k->method_name = m->method;
	k->call_id = m->call_id;
	k->from_tag = m->from.tag;
	k->to_tag = m->to.tag;
	k->ruri = m->ruri_pl;
	k->cseq = m->cseq;
	if (m->method_id == SIP_METHOD_ACK) {
		k->ack = true;
		k->method = SIP_METHOD_INVITE;
		k->method_name = PL("INVITE");
	}
}

/* The To tag an RFC 2543 ACK must carry: the request's own, or else the
 * one of the response we sent (§17.2.3). */
static struct pl ack_tag(const struct tsx *t)
{
	if (t->to_tag.len)
		return tsx_str_pl(t, t->to_tag);
	if (t->act && t->act->resp && t->act->resp_tag.len)
		return pl_from(t->act->resp + t->act->resp_tag.off, t->act->resp_tag.len);
	return PL_NULL;
}

static bool server_match(const struct htable_node *n, const void *key)
{
	const struct tsx *t = htable_entry(n, struct tsx, node);
	const struct tsx_server_key *k = key;

	if (t->rfc2543 != k->rfc2543 || t->port != k->port ||
	    !same(tsx_str_pl(t, t->branch), k->branch) ||
	    !pl_caseeq(tsx_str_pl(t, t->host), k->host) || !same_method(t, k->method, k->method_name))
		return false;
	if (!k->rfc2543)
		return true;
	if (t->cseq != k->cseq || !same(tsx_str_pl(t, t->call_id), k->call_id) ||
	    !same(tsx_str_pl(t, t->from_tag), k->from_tag) || !same(tsx_str_pl(t, t->ruri), k->ruri))
		return false;
	if (k->cancel)
		return true;
	return same(k->to_tag, k->ack ? ack_tag(t) : tsx_str_pl(t, t->to_tag));
}

struct tsx *tsx_server_find(struct tsx_layer *tl, const struct tsx_server_key *k)
{
	uint64_t h = server_hash(k->rfc2543, k->branch, k->host, k->port, k->call_id, k->from_tag,
				 k->cseq);
	struct htable_node *n = htable_find(&tl->server, h, server_match, k);

	return n ? htable_entry(n, struct tsx, node) : NULL;
}

void tsx_server_insert(struct tsx *t)
{
	uint64_t h = server_hash(t->rfc2543, tsx_str_pl(t, t->branch), tsx_str_pl(t, t->host),
				 t->port, tsx_str_pl(t, t->call_id), tsx_str_pl(t, t->from_tag),
				 t->cseq);

	htable_insert(&t->layer->server, &t->node, h);
	t->in_table = true;
}

/* ---------------------------------------------------------------- merged requests */

struct merge_key {
	struct pl call_id, from_tag, method_name;
	enum sip_method method;
	uint32_t cseq;
};

static uint64_t merge_hash(struct pl call_id, struct pl from_tag, uint32_t cseq)
{
	return htable_hash_u64(htable_hash(from_tag, htable_hash(call_id, SEED_MERGE)) ^ cseq);
}

static bool merge_match(const struct htable_node *n, const void *key)
{
	const struct tsx *t = htable_entry(n, struct tsx, merge_node);
	const struct merge_key *k = key;

	return t->cseq == k->cseq && same_method(t, k->method, k->method_name) &&
	       same(tsx_str_pl(t, t->call_id), k->call_id) &&
	       same(tsx_str_pl(t, t->from_tag), k->from_tag);
}

bool tsx_merged(struct tsx_layer *tl, const struct sip_msg *m)
{
	struct merge_key k = {
		.call_id = m->call_id, .from_tag = m->from.tag, .method_name = m->method,
		.method = m->method_id, .cseq = m->cseq,
	};

	return htable_find(&tl->merge, merge_hash(k.call_id, k.from_tag, k.cseq), merge_match, &k);
}

void tsx_merge_insert(struct tsx *t)
{
	htable_insert(&t->layer->merge, &t->merge_node,
		      merge_hash(tsx_str_pl(t, t->call_id), tsx_str_pl(t, t->from_tag), t->cseq));
	t->in_merge = true;
}

/* ---------------------------------------------------------------- client */

struct client_key {
	struct pl branch, method_name;
	enum sip_method method;
};

static bool client_match(const struct htable_node *n, const void *key)
{
	const struct tsx *t = htable_entry(n, struct tsx, node);
	const struct client_key *k = key;

	return same(tsx_str_pl(t, t->branch), k->branch) && same_method(t, k->method, k->method_name);
}

struct tsx *tsx_client_find(struct tsx_layer *tl, struct pl branch, enum sip_method method,
			    struct pl method_name)
{
	struct client_key k = { .branch = branch, .method_name = method_name, .method = method };
	struct htable_node *n;

	if (!branch.l)
		return NULL;
	n = htable_find(&tl->client, htable_hash(branch, SEED_CLIENT), client_match, &k);
	return n ? htable_entry(n, struct tsx, node) : NULL;
}

void tsx_client_insert(struct tsx *t)
{
	htable_insert(&t->layer->client, &t->node, htable_hash(tsx_str_pl(t, t->branch), SEED_CLIENT));
	t->in_table = true;
}

void tsx_unlink(struct tsx *t)
{
	bool server = t->kind == TSX_SERVER_INVITE || t->kind == TSX_SERVER_NON_INVITE;

	if (t->in_table)
		htable_remove(server ? &t->layer->server : &t->layer->client, &t->node);
	if (t->in_merge)
		htable_remove(&t->layer->merge, &t->merge_node);
	t->in_table = t->in_merge = false;
}
