/*
 * slab.h - pools of fixed-size objects on pages of their own.
 *
 * Why not malloc: objects that live a fixed while after each call (SIP
 * transactions wait out 64*T1 = 32 s) share malloc's heap pages with the
 * calls' long-lived state, so when a burst of them ends, the pages they
 * held stay resident: each is pinned by some leg that was allocated next
 * to them. A pool keeps them apart: its pages hold nothing else, a page
 * whose objects are all gone is returned to the kernel (a few are kept
 * for the next burst), and allocating is a pointer pop.
 *
 * A page is SLAB_PAGE_SIZE bytes, aligned to its size, so an object's page
 * (and pool) is found from its address alone. Single-threaded, like the
 * event loop that owns it. Under AddressSanitizer, free slots are
 * poisoned, so a use after free is reported as with malloc.
 */
#ifndef TANDEM_SLAB_H
#define TANDEM_SLAB_H

#include <stddef.h>

#define SLAB_PAGE_SIZE (64 * 1024)
/* Empty pages kept mapped per pool for the next burst. */
#define SLAB_SPARE_PAGES 4

struct slab_page;

struct slab_pool {
	size_t obj_size;		/* rounded up to 16 */
	unsigned per_page;
	struct slab_page *partial;	/* pages with a free slot, the one in use first */
	struct slab_page *spare;	/* empty pages kept, up to SLAB_SPARE_PAGES */
	unsigned spares;
	size_t pages;			/* mapped, spares included */
	size_t objects;			/* allocated now */
};

/* obj_size at most SLAB_OBJ_MAX; -1 when it is not. */
#define SLAB_OBJ_MAX 4096
int slab_pool_init(struct slab_pool *p, size_t obj_size);

/* Unmaps every page; objects still allocated are gone with them. */
void slab_pool_free(struct slab_pool *p);

/* An uninitialised object, or NULL when no page can be mapped. */
void *slab_alloc(struct slab_pool *p);

/* obj from slab_alloc() of any pool (its page knows which). */
void slab_free(void *obj);

#endif
