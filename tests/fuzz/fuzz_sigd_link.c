/*
 * fuzz_sigd_link.c - arbitrary frames from "ccd" into sigd's link handler
 * (link.c through the fake ZeroMQ and zlink): events for legs that exist
 * and for legs that do not, Originates with absurd fields, Welcome,
 * Heartbeat, DropLeg, LegOptions, messages of the wrong direction or of
 * a newer protocol, bytes that are no protobuf at all. Real legs come
 * from canned SIP messages of a call (fuzz_sigd_sip.h), so events meet
 * legs in every state; the fake clock moves their timers
 * (fuzz_sigd_harness.h).
 *
 * Input: records [op][len: 2 bytes LE][payload], op % 4:
 *   0  the payload is one frame from ccd, as is
 *   1  a canned SIP message: payload[0] picks it (caller's INVITE, ACK,
 *      BYE, CANCEL, re-INVITE, INFO; callee's 100/180/183/200/486/401/302
 *      to sigd's last request, BYE, 200...)
 *   2  time passes (payload[0] picks 1 ms .. 128 s)
 *   3  the link's socket monitor: connection lost (bit 0) or up; bit 1
 *      makes the event record too short
 * Answer legs get ids 1, 2...; the seeds' Originates use 2^63+1...
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
		switch (op % 4) {
		case 0:
			fz_frame_in(p, n);
			break;
		case 1:
			fz_canned_in(n ? p[0] : 0);
			break;
		case 2:
			fz_time(n ? p[0] : 0);
			break;
		default:
			fz_monitor(n ? p[0] : 0);
			break;
		}
	}
	fz_end();
	return 0;
}
