#include "slab.h"

#include <stdint.h>
#include <sys/mman.h>

#if defined(__SANITIZE_ADDRESS__)
#define SLAB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLAB_ASAN 1
#endif
#endif
#ifdef SLAB_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) __asan_poison_memory_region((p), (n))
#define UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* At the start of each page; the objects follow. */
struct slab_page {
	struct slab_pool *pool;
	struct slab_page *prev, *next;	/* in pool->partial or pool->spare */
	void *free;			/* slots given back, linked through their first word */
	unsigned used;			/* objects allocated from this page */
	unsigned fresh;			/* slots never handed out start here */
	int on_partial;
};

#define HEADER_SIZE ((sizeof(struct slab_page) + 15) & ~(size_t)15)

static struct slab_page *page_of(const void *obj)
{
	return (struct slab_page *)((uintptr_t)obj & ~(uintptr_t)(SLAB_PAGE_SIZE - 1));
}

static char *slot(struct slab_page *pg, unsigned i)
{
	return (char *)pg + HEADER_SIZE + (size_t)i * pg->pool->obj_size;
}

int slab_pool_init(struct slab_pool *p, size_t obj_size)
{
	*p = (struct slab_pool){ 0 };
	if (obj_size == 0 || obj_size > SLAB_OBJ_MAX)
		return -1;
	p->obj_size = (obj_size + 15) & ~(size_t)15;
	p->per_page = (unsigned)((SLAB_PAGE_SIZE - HEADER_SIZE) / p->obj_size);
	return 0;
}

static void list_remove(struct slab_page **head, struct slab_page *pg)
{
	if (pg->prev)
		pg->prev->next = pg->next;
	else
		*head = pg->next;
	if (pg->next)
		pg->next->prev = pg->prev;
	pg->prev = pg->next = NULL;
}

static void list_push(struct slab_page **head, struct slab_page *pg)
{
	pg->prev = NULL;
	pg->next = *head;
	if (*head)
		(*head)->prev = pg;
	*head = pg;
}

/* mmap gives page alignment only: map twice the size and cut both ends. */
static struct slab_page *page_map(struct slab_pool *p)
{
	size_t len = 2 * (size_t)SLAB_PAGE_SIZE;
	char *raw = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *start, *end;
	struct slab_page *pg;

	if (raw == MAP_FAILED)
		return NULL;
	start = (char *)(((uintptr_t)raw + SLAB_PAGE_SIZE - 1) & ~(uintptr_t)(SLAB_PAGE_SIZE - 1));
	end = start + SLAB_PAGE_SIZE;
	if (start > raw)
		munmap(raw, (size_t)(start - raw));
	if (raw + len > end)
		munmap(end, (size_t)(raw + len - end));
	pg = (struct slab_page *)(void *)start;
	*pg = (struct slab_page){ .pool = p };
	POISON(start + HEADER_SIZE, SLAB_PAGE_SIZE - HEADER_SIZE);
	p->pages++;
	return pg;
}

static void page_unmap(struct slab_pool *p, struct slab_page *pg)
{
	UNPOISON(pg, SLAB_PAGE_SIZE);
	munmap(pg, SLAB_PAGE_SIZE);
	p->pages--;
}

void *slab_alloc(struct slab_pool *p)
{
	struct slab_page *pg = p->partial;
	char *obj;

	if (!pg) {
		if (p->spare) {
			pg = p->spare;
			list_remove(&p->spare, pg);
			p->spares--;
		} else if (!(pg = page_map(p))) {
			return NULL;
		}
		list_push(&p->partial, pg);
		pg->on_partial = 1;
	}
	if (pg->free) {
		obj = pg->free;
		UNPOISON(obj, p->obj_size);
		pg->free = *(void **)(void *)obj;
	} else {
		obj = slot(pg, pg->fresh++);
		UNPOISON(obj, p->obj_size);
	}
	pg->used++;
	p->objects++;
	if (!pg->free && pg->fresh == p->per_page) {
		list_remove(&p->partial, pg);
		pg->on_partial = 0;
	}
	return obj;
}

void slab_free(void *obj)
{
	struct slab_page *pg;
	struct slab_pool *p;

	if (!obj)
		return;
	pg = page_of(obj);
	p = pg->pool;
	*(void **)obj = pg->free;
	pg->free = obj;
	POISON((char *)obj + sizeof(void *), p->obj_size - sizeof(void *));
	pg->used--;
	p->objects--;
	if (pg->used == 0) {
		/* Empty: keep a few for the next burst, give the rest back. A
		 * kept page starts afresh (its free list forgotten). */
		if (pg->on_partial)
			list_remove(&p->partial, pg);
		pg->on_partial = 0;
		if (p->spares < SLAB_SPARE_PAGES) {
			pg->free = NULL;
			pg->fresh = 0;
			POISON(slot(pg, 0), SLAB_PAGE_SIZE - HEADER_SIZE);
			list_push(&p->spare, pg);
			p->spares++;
		} else {
			page_unmap(p, pg);
		}
	} else if (!pg->on_partial) {
		/* Behind the page in use, so that the newest page fills first
		 * and the oldest ones can empty out. */
		if (p->partial) {
			pg->prev = p->partial;
			pg->next = p->partial->next;
			if (pg->next)
				pg->next->prev = pg;
			p->partial->next = pg;
		} else {
			list_push(&p->partial, pg);
		}
		pg->on_partial = 1;
	}
}

void slab_pool_free(struct slab_pool *p)
{
	struct slab_page *pg, *next;

	for (pg = p->partial; pg; pg = next) {
		next = pg->next;
		page_unmap(p, pg);
	}
	for (pg = p->spare; pg; pg = next) {
		next = pg->next;
		page_unmap(p, pg);
	}
	/* Full pages are on no list: objects left allocated at exit are
	 * the caller's leak, reported by it (it counts them). */
	p->partial = p->spare = NULL;
	p->spares = 0;
}
