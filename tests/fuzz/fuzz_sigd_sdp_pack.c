/*
 * fuzz_sigd_sdp_pack: the packing of kept SDP bodies (sigd/leg_sdp.h).
 * Any input as a body: it packs within LEG_SDP_PACKED_MAX, unpacks to
 * itself, and its packed form is refused by buffers one byte too small.
 * Any input as a packed form: when it unpacks, the text packs and unpacks
 * back to the same text, and packing is deterministic (what the legs'
 * comparisons rely on).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sigd/leg_sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct leg_sdp_index ix;
	size_t cap = LEG_SDP_PACKED_MAX(size) + 1;
	char *in = malloc(size + 1), *packed = malloc(cap), *packed2 = malloc(cap);
	char *text = malloc(LEG_SDP_UNPACKED_MAX(size) + 1);
	long n, m, k;

	CHECK(in && packed && packed2 && text);
	memcpy(in, data, size);
	leg_sdp_index_init(&ix);

	/* a body */
	n = leg_sdp_pack(&ix, pl_from(in, size), packed, cap);
	CHECK(n >= 0 && (size_t)n <= LEG_SDP_PACKED_MAX(size));
	CHECK(n == 0 || leg_sdp_pack(&ix, pl_from(in, size), packed2, (size_t)n - 1) == -1);
	m = leg_sdp_unpack(pl_from(packed, (size_t)n), text, size + 1);
	CHECK(m == (long)size && memcmp(text, in, size) == 0);
	CHECK(size == 0 || leg_sdp_unpack(pl_from(packed, (size_t)n), text, size - 1) == -1);

	/* a packed form */
	m = leg_sdp_unpack(pl_from(in, size), text, LEG_SDP_UNPACKED_MAX(size) + 1);
	if (m >= 0) {
		/* the text can be longer than the input: its own buffers */
		char *re = malloc(LEG_SDP_PACKED_MAX(m) + 1), *re2 = malloc(LEG_SDP_PACKED_MAX(m) + 1);
		char *back = malloc((size_t)m + 1);

		CHECK(re && re2 && back);
		k = leg_sdp_pack(&ix, pl_from(text, (size_t)m), re, LEG_SDP_PACKED_MAX(m) + 1);
		CHECK(k >= 0 && (size_t)k <= LEG_SDP_PACKED_MAX(m));
		CHECK(leg_sdp_unpack(pl_from(re, (size_t)k), back, (size_t)m + 1) == m);
		CHECK(memcmp(back, text, (size_t)m) == 0);
		CHECK(leg_sdp_pack(&ix, pl_from(text, (size_t)m), re2, LEG_SDP_PACKED_MAX(m) + 1) == k);
		CHECK(memcmp(re2, re, (size_t)k) == 0);
		free(re);
		free(re2);
		free(back);
	}
	free(in);
	free(packed);
	free(packed2);
	free(text);
	return 0;
}
