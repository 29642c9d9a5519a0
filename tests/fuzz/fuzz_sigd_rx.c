/*
 * fuzz_sigd_rx.c - SIP datagrams through sigd's whole receive path:
 * transport_datagram(), the transaction layer, the dispatcher and the
 * legs' UA machines, with ccd answering through the real link and the
 * timers driven by a fake clock (fuzz_sigd_harness.h).
 *
 * Input: records [op][len: 2 bytes LE][payload], op % 5:
 *   0  a datagram from the caller (127.0.0.1:40001)
 *   1  a datagram from the callee (127.0.0.1:40002, where Originates go)
 *   2  a datagram from a stranger ([::1]:5060: sigd has no IPv6 socket)
 *   3  a message from ccd, built from the payload's bytes (see
 *      fz_ccd_action: events for answer and originate legs, Originate,
 *      DropLeg, heartbeats, Welcome (with or without a nonce secret),
 *      ListRequest, LegOptions (keep-alives), wrong-direction messages)
 *   4  time passes (payload[0] picks 1 ms .. 128 s)
 * Datagrams may name what sigd chose at run time (branches, tags) with
 * the tokens of fuzz_sigd_sip.h ($v, $t...), so a seed can answer sigd.
 */
#include "fuzz_sigd_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_reader r = { data, size };
	const uint8_t *p;
	size_t n;
	uint8_t op;

	fz_begin();
	while (fz_next(&r, &op, &p, &n)) {
		switch (op % 5) {
		case 0:
			fz_sip_in(FZ_CALLER, p, n);
			break;
		case 1:
			fz_sip_in(FZ_CALLEE, p, n);
			break;
		case 2:
			fz_sip_in(FZ_STRANGER, p, n);
			break;
		case 3:
			fz_ccd_action(p, n);
			break;
		default:
			fz_time(n ? p[0] : 0);
			break;
		}
	}
	fz_end();
	return 0;
}
