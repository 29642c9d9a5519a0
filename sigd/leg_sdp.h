/*
 * leg_sdp.h - SDP bodies packed for keeping.
 *
 * A leg keeps the last SDP it sent and the last it received for as long as
 * its call lasts (an unchanged re-offer is answered from them, a body-less
 * re-INVITE gets a hold offer made of them): four bodies per call, the
 * largest part of a held call's memory. SDP repeats itself across every
 * session of every UA: line starts ("a=rtpmap:", "c=IN IP4 "), transports
 * (" RTP/AVP "), codecs (" PCMU/8000\r\n"), CRLF. A static dictionary of
 * such words replaces each by one byte, 0x80..0xFE; every other byte
 * stands for itself, a byte from 0x80 up escaped by 0xFF. A typical audio
 * SDP packs to about half its size.
 *
 * Packing takes the longest word at each position, so it is deterministic
 * and, the packed form being decodable, one-to-one: two bodies are equal
 * exactly when their packed forms are, and a body is compared with a kept
 * one without unpacking it.
 *
 * A codec: no allocation, no logging, no state but the index the caller
 * builds once (leg_sdp_index_init) and passes in.
 */
#ifndef TANDEM_SIGD_LEG_SDP_H
#define TANDEM_SIGD_LEG_SDP_H

#include <stddef.h>
#include <stdint.h>

#include "pl.h"

/* The most a body of n bytes packs to (all of it escaped), and the most n
 * packed bytes unpack to (no word is longer than 64 bytes). */
#define LEG_SDP_PACKED_MAX(n) (2 * (size_t)(n))
#define LEG_SDP_UNPACKED_MAX(n) (64 * (size_t)(n))

/* Words by first byte, longest first: the packer's lookup table. */
struct leg_sdp_index {
	uint8_t start[256], count[256];
	uint8_t order[128];
};

void leg_sdp_index_init(struct leg_sdp_index *ix);

/* Packs sdp into out; the packed length, or -1 when cap is too small. */
long leg_sdp_pack(const struct leg_sdp_index *ix, struct pl sdp, char *out, size_t cap);

/* Unpacks into out; the body's length, or -1 when cap is too small or
 * packed is not a packed form (an escape at its end, an unknown code). */
long leg_sdp_unpack(struct pl packed, char *out, size_t cap);

#endif
