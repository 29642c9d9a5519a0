/*
 * pb_arena.h - a bump allocator for protobuf-c's unpacking: each frame
 * from the peer is decoded into one buffer that is reset when the frame
 * has been handled, so decoding does not malloc a piece per field and
 * nothing is freed piece by piece. A frame whose decoded form outgrows the
 * buffer spills the rest to malloc, and only then is it walked to free.
 *
 *   Tandem__Frame *f = tandem__frame__unpack(&a->alloc, len, data);
 *   ... handle f ...
 *   pb_arena_reset(a, f ? &f->base : NULL);
 */
#ifndef TANDEM_PB_ARENA_H
#define TANDEM_PB_ARENA_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

struct pb_arena {
	ProtobufCAllocator alloc;	/* give &alloc to *_unpack() */
	size_t used, size;
	size_t spilled;			/* pieces that went to malloc */
	uint8_t *buf;
};

/* size bytes of buffer; -1 when out of memory. */
int pb_arena_init(struct pb_arena *a, size_t size);
void pb_arena_free(struct pb_arena *a);

/* The message unpacked from a (NULL when unpacking failed) is done with:
 * frees what spilled over and makes the whole buffer free again. */
void pb_arena_reset(struct pb_arena *a, ProtobufCMessage *msg);

#endif
