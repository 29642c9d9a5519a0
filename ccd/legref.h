/*
 * legref.h - a leg as ccd knows it: (node, leg id).
 *
 * Every leg of every call is in one hash table keyed by (node, leg id), so
 * an event from sigd finds its call in O(1), and in its node's list, so a
 * node that restarts or goes silent gives up exactly its own legs without
 * a scan of all calls. The node is compared by pointer: a node that is
 * removed first detaches all its legs, so a stale pointer never matches.
 */
#ifndef TANDEM_CCD_LEGREF_H
#define TANDEM_CCD_LEGREF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "htable.h"

struct node;

struct legref {
	struct htable_node hnode;	/* in the table of all legs */
	struct legref *prev, *next;	/* in a legref_list (the node's legs) */
	struct node *node;		/* NULL while detached */
	uint64_t id;
};

struct legref_list {
	struct legref *head;
	size_t count;
};

void legref_list_push(struct legref_list *list, struct legref *r);
void legref_list_remove(struct legref_list *list, struct legref *r);

/* Puts r into the table and into node's list. */
void legref_attach(struct htable *table, struct legref *r, struct node *node, uint64_t id);

/* Takes r out of the table and its node's list; no-op when detached. */
void legref_detach(struct htable *table, struct legref *r);

static inline bool legref_attached(const struct legref *r)
{
	return r->node != NULL;
}

struct legref *legref_find(const struct htable *table, const struct node *node, uint64_t id);

#endif
