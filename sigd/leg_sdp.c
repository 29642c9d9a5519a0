/*
 * leg_sdp.c - SDP bodies packed for keeping (leg_sdp.h): the dictionary,
 * the packer and the unpacker.
 *
 * The words are what RFC 4566 SDP offers from the common UAs (phones,
 * PBXs, gateways, WebRTC) keep repeating; a word that is a longer form of
 * another ("a=rtpmap:0 PCMU/8000\r\n" and "a=rtpmap:") wins where it
 * matches. Codes are 0x80 + the word's place in the list, so the list may
 * only grow at its end (a packed body lives no longer than its process,
 * but the tests pin some codes).
 */
#include "leg_sdp.h"

#include <string.h>

#define ESCAPE 0xff
#define CODE0 0x80

struct word {
	const char *text;
	uint8_t len;
};

/* A word: 2 to 64 bytes (LEG_SDP_UNPACKED_MAX), none of them 0x80 or up. */
#define W(s) { s, sizeof(s) - 1 + 0 * sizeof(char[sizeof(s) >= 3 && sizeof(s) <= 65 ? 1 : -1]) }

static const struct word words[] = {
	W("\r\n"),
	W("v=0\r\n"),
	W("o=- "),
	W("o="),
	W("s=-\r\n"),
	W("s="),
	W("c=IN IP4 "),
	W("c=IN IP6 "),
	W("c=IN IP4 0.0.0.0\r\n"),
	W("t=0 0\r\n"),
	W("m=audio "),
	W("m=video "),
	W("m=image "),
	W("m=application "),
	W("b=AS:"),
	W("b=TIAS:"),
	W("b=CT:"),
	W("b=RS:0\r\n"),
	W("b=RR:0\r\n"),
	W("a="),
	W("a=rtpmap:"),
	W("a=fmtp:"),
	W("a=ptime:"),
	W("a=ptime:20\r\n"),
	W("a=ptime:30\r\n"),
	W("a=maxptime:"),
	W("a=maxptime:150\r\n"),
	W("a=sendrecv\r\n"),
	W("a=sendonly\r\n"),
	W("a=recvonly\r\n"),
	W("a=inactive\r\n"),
	W("a=rtcp:"),
	W("a=rtcp-mux\r\n"),
	W("a=rtcp-fb:"),
	W("a=ssrc:"),
	W("a=crypto:"),
	W("a=ice-ufrag:"),
	W("a=ice-pwd:"),
	W("a=ice-options:"),
	W("a=candidate:"),
	W("a=end-of-candidates\r\n"),
	W("a=mid:"),
	W("a=group:BUNDLE "),
	W("a=fingerprint:sha-256 "),
	W("a=setup:actpass\r\n"),
	W("a=setup:active\r\n"),
	W("a=setup:passive\r\n"),
	W("a=silenceSupp:off - - - -\r\n"),
	W("a=msid-semantic:"),
	W("a=msid:"),
	W("a=extmap:"),
	W("a=label:"),
	W("a=T38Fax"),
	W("a=T38Max"),
	W("a=direction:"),
	W("a=rtpmap:0 PCMU/8000\r\n"),
	W("a=rtpmap:8 PCMA/8000\r\n"),
	W("a=rtpmap:18 G729/8000\r\n"),
	W("a=rtpmap:9 G722/8000\r\n"),
	W("a=rtpmap:3 GSM/8000\r\n"),
	W("a=rtpmap:13 CN/8000\r\n"),
	W("a=rtpmap:101 telephone-event/8000\r\n"),
	W("a=fmtp:101 0-15\r\n"),
	W("a=fmtp:101 0-16\r\n"),
	W("a=fmtp:18 annexb=no\r\n"),
	W(" IN IP4 "),
	W(" IN IP6 "),
	W(" RTP/AVP "),
	W(" RTP/SAVP "),
	W(" RTP/AVPF "),
	W(" RTP/SAVPF "),
	W(" UDP/TLS/RTP/SAVPF "),
	W(" udptl t38\r\n"),
	W(" PCMU/8000\r\n"),
	W(" PCMA/8000\r\n"),
	W(" G729/8000\r\n"),
	W(" G722/8000\r\n"),
	W(" GSM/8000\r\n"),
	W(" iLBC/8000\r\n"),
	W(" AMR/8000\r\n"),
	W(" AMR-WB/16000\r\n"),
	W(" CN/8000\r\n"),
	W(" telephone-event/8000\r\n"),
	W(" telephone-event/48000\r\n"),
	W(" opus/48000/2\r\n"),
	W(" H264/90000\r\n"),
	W(" VP8/90000\r\n"),
	W(" VP9/90000\r\n"),
	W("/8000\r\n"),
	W("/16000\r\n"),
	W("/48000\r\n"),
	W("/90000\r\n"),
	W(" 0-15\r\n"),
	W(" 0-16\r\n"),
	W("annexb=no\r\n"),
	W("annexb=yes\r\n"),
	W("minptime=10;useinbandfec=1\r\n"),
	W("useinbandfec=1"),
	W("profile-level-id="),
	W("packetization-mode=1"),
	W("level-asymmetry-allowed=1;"),
	W(" goog-remb\r\n"),
	W(" transport-cc\r\n"),
	W(" ccm fir\r\n"),
	W(" nack pli\r\n"),
	W(" nack\r\n"),
	W("urn:ietf:params:rtp-hdrext:"),
	W("AES_CM_128_HMAC_SHA1_80 inline:"),
	W("AES_CM_128_HMAC_SHA1_32 inline:"),
	W(" typ host"),
	W(" typ srflx raddr "),
	W(" typ relay raddr "),
	W(" rport "),
	W(" generation 0"),
	W(" network-id "),
	W(" udp "),
	W(" UDP "),
	W(" 1 "),
	W(" 0 "),
	W("0.0.0.0"),
	W("101"),
	W("8000"),
	W("SIP Call"),
	W("FreeSWITCH"),
	W("Asterisk"),
};

#define N_WORDS (sizeof(words) / sizeof(words[0]))

_Static_assert(N_WORDS <= ESCAPE - CODE0, "one code per word, 0xff stays the escape");

void leg_sdp_index_init(struct leg_sdp_index *ix)
{
	size_t at = 0;

	memset(ix, 0, sizeof(*ix));
	for (unsigned c = 0; c < 256; c++) {
		ix->start[c] = (uint8_t)at;
		for (size_t i = 0; i < N_WORDS; i++) {
			size_t j;

			if ((uint8_t)words[i].text[0] != c)
				continue;
			/* insertion: longest first among this first byte */
			for (j = at; j > ix->start[c] && words[ix->order[j - 1]].len < words[i].len; j--)
				ix->order[j] = ix->order[j - 1];
			ix->order[j] = (uint8_t)i;
			at++;
		}
		ix->count[c] = (uint8_t)(at - ix->start[c]);
	}
}

/* The longest word at p (n bytes left), or -1. Every word is 2 bytes or
 * more, so its second byte sorts most candidates out before memcmp. */
static int word_at(const struct leg_sdp_index *ix, const uint8_t *p, size_t n)
{
	unsigned c = p[0];

	if (n < 2)
		return -1;
	for (unsigned k = 0; k < ix->count[c]; k++) {
		int i = ix->order[ix->start[c] + k];
		const struct word *w = &words[i];

		if (w->len <= n && (uint8_t)w->text[1] == p[1] && memcmp(p, w->text, w->len) == 0)
			return i;
	}
	return -1;
}

long leg_sdp_pack(const struct leg_sdp_index *ix, struct pl sdp, char *out, size_t cap)
{
	const uint8_t *p = (const uint8_t *)sdp.p;
	size_t i = 0, o = 0;

	while (i < sdp.l) {
		int w = word_at(ix, p + i, sdp.l - i);

		if (w >= 0) {
			if (o >= cap)
				return -1;
			out[o++] = (char)(CODE0 + w);
			i += words[w].len;
		} else if (p[i] >= CODE0) {
			if (cap - o < 2)
				return -1;
			out[o++] = (char)ESCAPE;
			out[o++] = (char)p[i++];
		} else {
			if (o >= cap)
				return -1;
			out[o++] = (char)p[i++];
		}
	}
	return (long)o;
}

long leg_sdp_unpack(struct pl packed, char *out, size_t cap)
{
	const uint8_t *p = (const uint8_t *)packed.p;
	size_t o = 0;

	for (size_t i = 0; i < packed.l; i++) {
		const char *src = (const char *)p + i;
		size_t n = 1;

		if (p[i] == ESCAPE) {
			if (++i == packed.l)
				return -1;
			src = (const char *)p + i;
		} else if (p[i] >= CODE0) {
			if (p[i] - CODE0 >= (int)N_WORDS)
				return -1;
			src = words[p[i] - CODE0].text;
			n = words[p[i] - CODE0].len;
		}
		if (cap - o < n)
			return -1;
		memcpy(out + o, src, n);
		o += n;
	}
	return (long)o;
}
