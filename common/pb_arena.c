#include "pb_arena.h"

#include <stdlib.h>

static void *arena_alloc(void *data, size_t size)
{
	struct pb_arena *a = data;
	size_t need = (size + 15) & ~(size_t)15;

	if (need >= size && need <= a->size - a->used) {
		void *p = a->buf + a->used;

		a->used += need;
		return p;
	}
	a->spilled++;
	return malloc(size ? size : 1);
}

static void arena_free(void *data, void *p)
{
	struct pb_arena *a = data;
	uintptr_t at = (uintptr_t)p, lo = (uintptr_t)a->buf;

	if (at >= lo && at < lo + a->size)
		return;
	free(p);
}

int pb_arena_init(struct pb_arena *a, size_t size)
{
	/* 16-byte alignment: what malloc promises, and what unpacked
	 * structures with 64-bit fields and pointers expect. */
	a->buf = aligned_alloc(16, (size + 15) & ~(size_t)15);
	if (!a->buf)
		return -1;
	a->size = size;
	a->used = 0;
	a->spilled = 0;
	a->alloc.alloc = arena_alloc;
	a->alloc.free = arena_free;
	a->alloc.allocator_data = a;
	return 0;
}

void pb_arena_free(struct pb_arena *a)
{
	free(a->buf);
	a->buf = NULL;
	a->size = a->used = 0;
}

void pb_arena_reset(struct pb_arena *a, ProtobufCMessage *msg)
{
	/* Only what spilled needs the walk: the rest goes with the reset.
	 * (A failed unpack frees its own pieces before returning.) */
	if (msg && a->spilled)
		protobuf_c_message_free_unpacked(msg, &a->alloc);
	a->used = 0;
	a->spilled = 0;
}
