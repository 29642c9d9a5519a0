#include "legref.h"

#include "nodes.h"

void legref_list_push(struct legref_list *list, struct legref *r)
{
	r->prev = NULL;
	r->next = list->head;
	if (list->head)
		list->head->prev = r;
	list->head = r;
	list->count++;
}

void legref_list_remove(struct legref_list *list, struct legref *r)
{
	if (r->prev)
		r->prev->next = r->next;
	else
		list->head = r->next;
	if (r->next)
		r->next->prev = r->prev;
	r->prev = r->next = NULL;
	list->count--;
}

/* The node's serial (not its address) seeds the hash, so equal leg ids on
 * two nodes spread over different buckets. */
static uint64_t key_hash(const struct node *node, uint64_t id)
{
	return htable_hash_u64(id ^ (node->serial * 0x9e3779b97f4a7c15ULL));
}

struct match_key {
	const struct node *node;
	uint64_t id;
};

static bool match(const struct htable_node *n, const void *key)
{
	const struct legref *r = htable_entry(n, struct legref, hnode);
	const struct match_key *k = key;

	return r->node == k->node && r->id == k->id;
}

void legref_attach(struct htable *table, struct legref *r, struct node *node, uint64_t id)
{
	r->node = node;
	r->id = id;
	htable_insert(table, &r->hnode, key_hash(node, id));
	legref_list_push(&node->legs, r);
}

void legref_detach(struct htable *table, struct legref *r)
{
	if (!r->node)
		return;
	htable_remove(table, &r->hnode);
	legref_list_remove(&r->node->legs, r);
	r->node = NULL;
}

struct legref *legref_find(const struct htable *table, const struct node *node, uint64_t id)
{
	struct match_key k = { node, id };
	struct htable_node *n = htable_find(table, key_hash(node, id), match, &k);

	return n ? htable_entry(n, struct legref, hnode) : NULL;
}
