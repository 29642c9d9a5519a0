/* sdp: parse, edit and write session descriptions (RFC 8866, 3264, 3605). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdp.h"

#define OUT_MAX 8192

struct fx {
	struct sdp_session s;
	struct sdp_error err;
	char out[OUT_MAX + 1];
};

static int setup(void **state)
{
	struct fx *f = test_calloc(1, sizeof(*f));

	if (!f)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	test_free(*state);
	return 0;
}

static void parse_ok(struct fx *f, const char *text)
{
	int rc = sdp_parse(&f->s, text, strlen(text), &f->err);

	if (rc != 0)
		fail_msg("parse failed: %s (line %u)", f->err.reason, f->err.line);
}

/* Parse text and expect the given reason at the given line. */
static void parse_err(struct fx *f, const char *text, const char *reason,
		      unsigned line)
{
	assert_int_equal(sdp_parse(&f->s, text, strlen(text), &f->err), -1);
	assert_string_equal(f->err.reason, reason);
	assert_int_equal(f->err.line, line);
}

static const char *write_ok(struct fx *f)
{
	int n = sdp_write(&f->s, f->out, OUT_MAX);

	assert_true(n >= 0);
	f->out[n] = '\0';
	return f->out;
}

static bool pl_is(struct pl x, const char *s)
{
	return pl_eq_str(x, s);
}

#define assert_pl(x, s) assert_true(pl_is((x), (s)))

/* ---------------------------------------------------------------- bodies */

static const char sipp_sdp[] =
	"v=0\r\n"
	"o=user1 53655765 2353687637 IN IP4 127.0.0.1\r\n"
	"s=-\r\n"
	"c=IN IP4 127.0.0.1\r\n"
	"t=0 0\r\n"
	"m=audio 6000 RTP/AVP 0\r\n"
	"a=rtpmap:0 PCMU/8000\r\n";

static const char linphone_sdp[] =
	"v=0\r\n"
	"o=alice 1234 5678 IN IP4 192.168.1.10\r\n"
	"s=Talk\r\n"
	"c=IN IP4 192.168.1.10\r\n"
	"t=0 0\r\n"
	"a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics\r\n"
	"m=audio 7078 RTP/AVP 96 97 98 0 8 101 99 100\r\n"
	"a=rtpmap:96 opus/48000/2\r\n"
	"a=fmtp:96 useinbandfec=1\r\n"
	"a=rtpmap:97 speex/16000\r\n"
	"a=fmtp:97 vbr=on\r\n"
	"a=rtpmap:98 speex/8000\r\n"
	"a=fmtp:98 vbr=on\r\n"
	"a=rtpmap:101 telephone-event/48000\r\n"
	"a=rtpmap:99 telephone-event/16000\r\n"
	"a=rtpmap:100 telephone-event/8000\r\n"
	"a=rtcp-fb:* trr-int 1000\r\n"
	"a=rtcp-fb:* ccm tmmbr\r\n"
	"m=video 9078 RTP/AVP 96 97\r\n"
	"a=rtpmap:96 VP8/90000\r\n"
	"a=rtpmap:97 H264/90000\r\n"
	"a=fmtp:97 profile-level-id=42801F\r\n"
	"a=rtcp-fb:* trr-int 1000\r\n"
	"a=rtcp-fb:96 nack pli\r\n"
	"a=rtcp-fb:96 ccm fir\r\n"
	"a=rtcp-fb:97 nack pli\r\n";

static const char asterisk_sdp[] =
	"v=0\r\n"
	"o=- 1687186393 1687186393 IN IP4 10.0.0.5\r\n"
	"s=Asterisk\r\n"
	"c=IN IP4 10.0.0.5\r\n"
	"t=0 0\r\n"
	"m=audio 10500 RTP/AVP 0 8 3 101\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:3 GSM/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-16\r\n"
	"a=ptime:20\r\n"
	"a=maxptime:150\r\n"
	"a=sendrecv\r\n";

/* Bare LF line ends, static types without rtpmap, media-level c=. */
static const char cisco_sdp[] =
	"v=0\n"
	"o=CiscoSystemsSIP-GW-UserAgent 9193 2236 IN IP4 172.16.1.1\n"
	"s=SIP Call\n"
	"c=IN IP4 172.16.1.1\n"
	"t=0 0\n"
	"m=audio 17120 RTP/AVP 18 101 19 13\n"
	"c=IN IP4 172.16.1.2\n"
	"a=rtpmap:101 telephone-event/8000\n"
	"a=fmtp:101 0-15\n"
	"a=rtpmap:19 CN/8000\n"
	"a=fmtp:18 annexb=no\n"
	"a=ptime:20\n";

static const char webrtc_sdp[] =
	"v=0\r\n"
	"o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
	"s=-\r\n"
	"t=0 0\r\n"
	"a=group:BUNDLE 0 1\r\n"
	"a=extmap-allow-mixed\r\n"
	"a=msid-semantic: WMS stream\r\n"
	"m=audio 50000 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\n"
	"c=IN IP4 203.0.113.7\r\n"
	"a=rtcp:50001 IN IP4 203.0.113.7\r\n"
	"a=candidate:1 1 udp 2122260223 203.0.113.7 50000 typ host\r\n"
	"a=candidate:1 2 udp 2122260222 203.0.113.7 50001 typ host\r\n"
	"a=ice-ufrag:Xw8q\r\n"
	"a=ice-pwd:hL0z2yT0cQZVJc8Pg7kX3q8M\r\n"
	"a=ice-options:trickle\r\n"
	"a=fingerprint:sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:1D:15:67:5E:7A:8F:4C:32:E1:0A:5D:3E\r\n"
	"a=setup:actpass\r\n"
	"a=mid:0\r\n"
	"a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
	"a=sendrecv\r\n"
	"a=msid:stream track0\r\n"
	"a=rtcp-mux\r\n"
	"a=rtpmap:111 opus/48000/2\r\n"
	"a=rtcp-fb:111 transport-cc\r\n"
	"a=fmtp:111 minptime=10;useinbandfec=1\r\n"
	"a=rtpmap:63 red/48000/2\r\n"
	"a=fmtp:63 111/111\r\n"
	"a=rtpmap:9 G722/8000\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:13 CN/8000\r\n"
	"a=rtpmap:110 telephone-event/48000\r\n"
	"a=rtpmap:126 telephone-event/8000\r\n"
	"a=ssrc:1001 cname:abcdEFGH\r\n"
	"m=video 50002 UDP/TLS/RTP/SAVPF 96 97 98\r\n"
	"c=IN IP4 203.0.113.7\r\n"
	"a=mid:1\r\n"
	"a=sendrecv\r\n"
	"a=rtcp-mux\r\n"
	"a=rtpmap:96 VP8/90000\r\n"
	"a=rtcp-fb:96 goog-remb\r\n"
	"a=rtcp-fb:96 nack\r\n"
	"a=rtcp-fb:96 nack pli\r\n"
	"a=rtpmap:97 rtx/90000\r\n"
	"a=fmtp:97 apt=96\r\n"
	"a=rtpmap:98 H264/90000\r\n"
	"a=fmtp:98 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n";

static const char ipv6_sdp[] =
	"v=0\r\n"
	"o=bob 2890844730 2890844731 IN IP6 2001:db8::2\r\n"
	"s=-\r\n"
	"c=IN IP6 2001:db8::2\r\n"
	"t=0 0\r\n"
	"m=audio 49172 RTP/AVP 0 97\r\n"
	"a=rtpmap:97 iLBC/8000\r\n"
	"a=rtcp:49173 IN IP6 2001:db8::3\r\n";

/* Two media sections of which one is T.38 (not RTP) and one disabled. */
static const char fax_sdp[] =
	"v=0\r\n"
	"o=gw 1 1 IN IP4 10.1.1.1\r\n"
	"s=-\r\n"
	"c=IN IP4 10.1.1.1\r\n"
	"t=0 0\r\n"
	"m=audio 0 RTP/AVP 8\r\n"
	"m=image 6000 udptl t38\r\n"
	"a=T38FaxVersion:0\r\n"
	"a=T38MaxBitRate:14400\r\n"
	"a=T38FaxRateManagement:transferredTCF\r\n";

/* ---------------------------------------------------------------- parse */

static void parse_sipp(void **state)
{
	struct fx *f = *state;
	struct sdp_session *s = &f->s;

	parse_ok(f, sipp_sdp);
	assert_pl(s->origin.username, "user1");
	assert_pl(s->origin.sess_id, "53655765");
	assert_true(s->origin.version == 2353687637ULL);
	assert_pl(s->origin.nettype, "IN");
	assert_pl(s->origin.addrtype, "IP4");
	assert_pl(s->origin.addr, "127.0.0.1");
	assert_pl(s->name, "-");
	assert_int_equal(s->sec.connc, 1);
	assert_pl(s->sec.conn.addr, "127.0.0.1");
	assert_false(s->sec.conn.ipv6);
	assert_int_equal(s->mediac, 1);
	assert_pl(s->media[0].media, "audio");
	assert_int_equal(s->media[0].port, 6000);
	assert_int_equal(s->media[0].nports, 0);
	assert_pl(s->media[0].proto, "RTP/AVP");
	assert_true(s->media[0].rtp);
	assert_int_equal(s->media[0].fmtc, 1);
	assert_int_equal(s->media[0].fmt[0].pt, 0);
	assert_true(s->media[0].fmt[0].has_rtpmap);
	assert_pl(s->media[0].fmt[0].map.encoding, "PCMU");
	assert_int_equal(s->media[0].fmt[0].map.clock, 8000);
	assert_int_equal(s->media[0].sec.attrc, 1);
	assert_int_equal(s->media[0].sec.attr[0].kind, SDP_ATTR_RTPMAP);
	assert_int_equal(s->media[0].sec.attr[0].pt, 0);
	assert_pl(sdp_media_addr(s, 0), "127.0.0.1");
	assert_int_equal(sdp_media_dir(s, 0), SDP_DIR_SENDRECV);
	assert_false(sdp_is_hold(s, 0));
	assert_int_equal(sdp_active_media(s), 1);
	assert_false(sdp_has_nortpproxy(s));
	assert_string_equal(write_ok(f), sipp_sdp);
}

static void parse_linphone(void **state)
{
	struct fx *f = *state;
	struct sdp_session *s = &f->s;
	const struct sdp_media *a, *v;

	parse_ok(f, linphone_sdp);
	assert_int_equal(s->mediac, 2);
	assert_int_equal(s->sec.attrc, 1);
	assert_pl(s->sec.attr[0].name, "rtcp-xr");
	assert_pl(s->sec.attr[0].value,
		  "rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics");
	a = &s->media[0];
	assert_int_equal(a->fmtc, 8);
	assert_int_equal(a->fmt[0].pt, 96);
	assert_pl(a->fmt[0].map.encoding, "opus");
	assert_int_equal(a->fmt[0].map.clock, 48000);
	assert_int_equal(a->fmt[0].map.channels, 2);
	assert_pl(a->fmt[0].fmtp, "useinbandfec=1");
	assert_pl(a->fmt[3].map.encoding, "PCMU");	/* RFC 3551 table */
	assert_false(a->fmt[3].has_rtpmap);
	assert_false(pl_isset(a->fmt[3].fmtp));
	assert_pl(a->fmt[5].map.encoding, "telephone-event");
	assert_int_equal(a->sec.attr[10].kind, SDP_ATTR_RTCP_FB);
	assert_int_equal(a->sec.attr[10].pt, -1);
	v = &s->media[1];
	assert_pl(v->media, "video");
	assert_int_equal(v->port, 9078);
	assert_pl(v->fmt[1].map.encoding, "H264");
	assert_int_equal(v->fmt[1].map.channels, 0);
	assert_int_equal(v->sec.attr[4].kind, SDP_ATTR_RTCP_FB);
	assert_int_equal(v->sec.attr[4].pt, 96);
	assert_pl(sdp_media_addr(s, 1), "192.168.1.10");
	assert_string_equal(write_ok(f), linphone_sdp);
}

static void parse_asterisk(void **state)
{
	struct fx *f = *state;
	struct sdp_session *s = &f->s;

	parse_ok(f, asterisk_sdp);
	assert_pl(s->origin.username, "-");
	assert_int_equal(s->media[0].ptime, 20);
	assert_int_equal(s->media[0].sec.dir, SDP_DIR_SENDRECV);
	assert_pl(s->media[0].fmt[3].fmtp, "0-16");
	assert_int_equal(s->media[0].sec.attr[5].kind, SDP_ATTR_PTIME);
	assert_int_equal(s->media[0].sec.attr[6].kind, SDP_ATTR_OTHER);
	assert_string_equal(write_ok(f), asterisk_sdp);
}

static void parse_cisco_lf(void **state)
{
	struct fx *f = *state;
	struct sdp_session *s = &f->s;
	const struct sdp_media *m;
	char crlf[sizeof(cisco_sdp) * 2];
	size_t n = 0;

	parse_ok(f, cisco_sdp);
	m = &s->media[0];
	assert_pl(m->sec.conn.addr, "172.16.1.2");
	assert_pl(sdp_media_addr(s, 0), "172.16.1.2");
	assert_pl(m->fmt[0].map.encoding, "G729");
	assert_false(m->fmt[0].has_rtpmap);
	assert_pl(m->fmt[0].fmtp, "annexb=no");
	assert_pl(m->fmt[2].map.encoding, "CN");
	assert_true(m->fmt[2].has_rtpmap);
	assert_pl(m->fmt[3].map.encoding, "CN");
	assert_false(m->fmt[3].has_rtpmap);
	/* LF in, CRLF out, nothing else changed. */
	for (const char *p = cisco_sdp; *p; p++) {
		if (*p == '\n')
			crlf[n++] = '\r';
		crlf[n++] = *p;
	}
	crlf[n] = '\0';
	assert_string_equal(write_ok(f), crlf);
}

static void parse_webrtc(void **state)
{
	struct fx *f = *state;
	struct sdp_session *s = &f->s;
	const struct sdp_media *m;

	parse_ok(f, webrtc_sdp);
	assert_int_equal(s->sec.connc, 0);
	assert_int_equal(s->sec.attrc, 3);
	assert_pl(s->sec.attr[2].name, "msid-semantic");
	assert_pl(s->sec.attr[2].value, " WMS stream");
	m = &s->media[0];
	assert_pl(m->proto, "UDP/TLS/RTP/SAVPF");
	assert_true(m->rtp);
	assert_int_equal(m->fmtc, 8);
	assert_true(m->has_rtcp);
	assert_int_equal(m->rtcp.port, 50001);
	assert_pl(m->rtcp.conn.addr, "203.0.113.7");
	assert_pl(m->fmt[1].map.encoding, "red");
	assert_pl(m->fmt[1].fmtp, "111/111");
	assert_int_equal(m->sec.dir, SDP_DIR_SENDRECV);
	assert_int_equal(m->sec.attrc, 25);
	assert_pl(s->media[1].fmt[1].fmtp, "apt=96");
	assert_string_equal(write_ok(f), webrtc_sdp);
}

static void parse_ipv6(void **state)
{
	struct fx *f = *state;
	struct sdp_session *s = &f->s;

	parse_ok(f, ipv6_sdp);
	assert_true(s->sec.conn.ipv6);
	assert_pl(s->sec.conn.addr, "2001:db8::2");
	assert_pl(s->origin.addr, "2001:db8::2");
	assert_true(s->media[0].has_rtcp);
	assert_int_equal(s->media[0].rtcp.port, 49173);
	assert_true(s->media[0].rtcp.conn.ipv6);
	assert_pl(s->media[0].rtcp.conn.addr, "2001:db8::3");
	assert_pl(s->media[0].fmt[1].map.encoding, "iLBC");
	assert_string_equal(write_ok(f), ipv6_sdp);
}

static void parse_multicast(void **state)
{
	struct fx *f = *state;
	struct sdp_session *s = &f->s;
	static const char text[] =
		"v=0\r\n"
		"o=- 1 1 IN IP4 host.example.com\r\n"
		"s=Seminar\r\n"
		"c=IN IP4 224.2.17.12/127/3\r\n"
		"t=2873397496 2873404696\r\n"
		"r=604800 3600 0 90000\r\n"
		"z=2882844526 -1h 2898848070 0\r\n"
		"m=audio 49170/2 RTP/AVP 0\r\n"
		"m=video 51372 RTP/AVP 99\r\n"
		"c=IN IP6 ff15::101/3\r\n"
		"c=IN IP6 ff15::102/3\r\n"
		"a=rtpmap:99 h263-1998/90000\r\n";

	parse_ok(f, text);
	assert_pl(s->sec.conn.addr, "224.2.17.12");
	assert_pl(s->sec.conn.suffix, "/127/3");
	assert_int_equal(s->sec.conn.ttl, 127);
	assert_int_equal(s->sec.conn.count, 3);
	assert_int_equal(s->media[0].nports, 2);
	assert_pl(s->media[0].nports_str, "/2");
	assert_int_equal(s->media[1].sec.connc, 2);
	assert_pl(s->media[1].sec.conn.addr, "ff15::101");
	assert_int_equal(s->media[1].sec.conn.count, 3);
	assert_int_equal(s->media[1].sec.conn.ttl, 0);
	assert_false(pl_isset(s->media[1].fmt[0].fmtp));
	assert_string_equal(write_ok(f), text);
}

/* Unknown types stay in place; blank lines go; a missing last EOL is fixed. */
static void parse_unknown_lines(void **state)
{
	struct fx *f = *state;
	struct sdp_session *s = &f->s;
	static const char text[] =
		"\r\n"
		"v=0\r\n"
		"o=- 1 1 IN IP4 10.0.0.1\r\n"
		"s=\r\n"
		"i=A seminar\r\n"
		"u=http://www.example.com/seminars/sdp.pdf\r\n"
		"e=j.doe@example.com (Jane Doe)\r\n"
		"p=+1 617 555-6011\r\n"
		"c=IN IP4 10.0.0.1\r\n"
		"b=CT:128\r\n"
		"x=vendor-thing\r\n"
		"\n"
		"t=0 0\r\n"
		"k=prompt\r\n"
		"a=recvonly\r\n"
		"m=audio 4000 RTP/AVP 0\r\n"
		"i=audio stream\r\n"
		"b=AS:64\r\n"
		"Y=upper case type\r\n"
		"k=clear:secret\r\n"
		"a=ptime:20.0\r\n"
		"s=in media";

	parse_ok(f, text);
	assert_int_equal(s->media[0].ptime, 0);
	assert_pl(s->name, "");
	assert_int_equal(s->sec.dir, SDP_DIR_RECVONLY);
	assert_int_equal(sdp_media_dir(s, 0), SDP_DIR_RECVONLY);
	assert_string_equal(write_ok(f),
		"v=0\r\n"
		"o=- 1 1 IN IP4 10.0.0.1\r\n"
		"s=\r\n"
		"i=A seminar\r\n"
		"u=http://www.example.com/seminars/sdp.pdf\r\n"
		"e=j.doe@example.com (Jane Doe)\r\n"
		"p=+1 617 555-6011\r\n"
		"c=IN IP4 10.0.0.1\r\n"
		"b=CT:128\r\n"
		"x=vendor-thing\r\n"
		"t=0 0\r\n"
		"k=prompt\r\n"
		"a=recvonly\r\n"
		"m=audio 4000 RTP/AVP 0\r\n"
		"i=audio stream\r\n"
		"b=AS:64\r\n"
		"Y=upper case type\r\n"
		"k=clear:secret\r\n"
		"a=ptime:20.0\r\n"
		"s=in media\r\n");
}

static void parse_odd_but_valid(void **state)
{
	struct fx *f = *state;
	struct sdp_session *s = &f->s;

	/* No media at all, FQDN addresses, extra spaces, odd nettype. */
	static const char bare[] =
		"v=0\r\no=-  1  2  IN IP4 pbx.example.com\r\ns=-\r\n"
		"c=IN IP4 media.example.com\r\nt=0 0\r\n";

	parse_ok(f, bare);
	assert_int_equal(s->mediac, 0);
	assert_true(s->origin.version == 2);
	assert_pl(s->sec.conn.addr, "media.example.com");
	assert_int_equal(sdp_active_media(s), 0);
	assert_string_equal(write_ok(f), bare);

	parse_ok(f, "v=0\no=- 1 18446744073709551615 ATM NSAP 47.0005\n"
		    "m=application 9 TCP/BFCP *\nc=TN RFC2543 555-1234\n"
		    "c=IN IP6 fe80::1\na=rtpmap:x y\na=fmtp:x y\na=rtcp-fb:x\n"
		    "a=floorctrl:s-only\nm=audio 1 RTP/AVP 0 0\n"
		    "c=IN IP6 host6.example.com\na=rtpmap:0 PCMU/8000\n"
		    "a=fmtp:100 x\na=rtpmap:0 PCMA/8000\n");
	assert_true(s->origin.version == UINT64_MAX);
	assert_false(s->media[0].rtp);
	assert_int_equal(s->media[0].fmt[0].pt, -1);
	assert_pl(s->media[0].sec.conn.nettype, "TN");
	assert_int_equal(s->media[0].sec.connc, 2);
	assert_int_equal(s->media[0].sec.attr[0].kind, SDP_ATTR_OTHER);
	assert_int_equal(s->media[0].sec.attr[0].pt, -1);
	/* The first rtpmap of a payload type wins, for both of its uses. */
	assert_pl(s->media[1].fmt[0].map.encoding, "PCMU");
	assert_pl(s->media[1].fmt[1].map.encoding, "PCMU");
	assert_int_equal(s->media[1].sec.attr[1].pt, 100);

	/* Trailing spaces, an extension address type, a 63-byte label. */
	parse_ok(f, "v=0\r\no=- 1 1 IN IP4 1.1.1.1 \r\nc=IN X25 0x1234\r\n"
		    "m=audio 1 RTP/AVP 0  \r\nc=IN IP4 "
		    "a23456789012345678901234567890123456789012345678901234567890123"
		    ".example\r\n");
	assert_pl(s->origin.addr, "1.1.1.1");
	assert_pl(s->sec.conn.addr, "0x1234");
	assert_int_equal(s->media[0].fmtc, 1);
	parse_err(f, "v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\nc=IN IP4 "
		     "a234567890123456789012345678901234567890123456789012345678901234"
		     ".example\r\n", "Bad c= line", 3);
}

static void parse_rtcp_forms(void **state)
{
	struct fx *f = *state;
	struct sdp_session *s = &f->s;

	parse_ok(f, "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nc=IN IP4 1.2.3.4\r\n"
		    "m=audio 5000 RTP/AVP 0\r\na=rtcp:5001\r\na=rtcp:6001\r\n"
		    "a=nortpproxy:yes\r\n");
	assert_true(s->media[0].has_rtcp);
	assert_int_equal(s->media[0].rtcp.port, 5001);
	assert_false(pl_isset(s->media[0].rtcp.conn.addr));
	assert_true(s->media[0].sec.nortpproxy);
	assert_true(sdp_has_nortpproxy(s));

	parse_ok(f, "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\na=nortpproxy:yes\r\n");
	assert_true(sdp_has_nortpproxy(s));
}

static void parse_errors(void **state)
{
	struct fx *f = *state;
	char many[8192];
	size_t n;

#define HEAD "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\n"
	parse_err(f, "", "Empty input", 0);
	parse_err(f, "\r\n\n", "Empty input", 0);
	assert_int_equal(sdp_parse(&f->s, NULL, 5, NULL), -1);
	parse_err(f, "o=- 1 1 IN IP4 1.2.3.4\r\n", "Missing v= line", 1);
	parse_err(f, "v=1\r\n", "Bad v= value", 1);
	parse_err(f, "v=\r\n", "Bad v= value", 1);
	parse_err(f, HEAD "v=0\r\n", "Duplicate v= line", 4);
	parse_err(f, "v=0\r\no=- 1 1 IN IP4\r\n", "Bad o= line", 2);
	parse_err(f, "v=0\r\no=- 1 x IN IP4 1.2.3.4\r\n", "Bad o= line", 2);
	parse_err(f, "v=0\r\no=- 1 18446744073709551616 IN IP4 1.2.3.4\r\n",
		  "Bad o= line", 2);
	parse_err(f, "v=0\r\no=- 1 1 IN IP4 1.2.3.4 x\r\n", "Bad o= line", 2);
	parse_err(f, "v=0\r\no=- 1 1 I,N IP4 1.2.3.4\r\n", "Bad o= line", 2);
	parse_err(f, HEAD "o=- 1 1 IN IP4 1.2.3.4\r\n", "Duplicate o= line", 4);
	parse_err(f, "v=0\r\ns=-\r\n", "Missing o= line", 2);
	parse_err(f, "v=0\r\ns=-\r\nm=audio 1 RTP/AVP 0\r\n", "Missing o= line", 3);
	parse_err(f, HEAD "c=IN IP4\r\n", "Bad c= line", 4);
	parse_err(f, HEAD "c=IN IP4 1.2.3\r\n", "Bad c= line", 4);
	parse_err(f, HEAD "c=IN IP4 256.1.1.1\r\n", "Bad c= line", 4);
	parse_err(f, HEAD "c=IN IP4 01.1.1.1\r\n", "Bad c= line", 4);
	parse_err(f, HEAD "c=IN IP4 1.2.3.4.5\r\n", "Bad c= line", 4);
	parse_err(f, HEAD "c=IN IP4 ::1\r\n", "Bad c= line", 4);
	parse_err(f, HEAD "c=IN IP6 1.2.3.4\r\n", "Bad c= line", 4);
	parse_err(f, HEAD "c=IN IP6 2001:db8::g\r\n", "Bad c= line", 4);
	parse_err(f, HEAD "c=IN IP4 bad..name\r\n", "Bad c= line", 4);
	parse_err(f, HEAD "c=IN IP4 bad_name\r\n", "Bad c= line", 4);
	parse_err(f, HEAD "c=IN IP4 224.2.1.1/300\r\n", "Bad c= line", 4);
	parse_err(f, HEAD "c=IN IP4 224.2.1.1/3/0\r\n", "Bad c= line", 4);
	parse_err(f, HEAD "c=IN IP4 224.2.1.1/3/2/1\r\n", "Bad c= line", 4);
	parse_err(f, HEAD "c=IN IP4 1.2.3.4/\r\n", "Bad c= line", 4);
	parse_err(f, HEAD "c=IN IP6 ff15::1/3/4\r\n", "Bad c= line", 4);
	parse_err(f, HEAD "c=IN IP6 ff15::1/0\r\n", "Bad c= line", 4);
	parse_err(f, HEAD "c=TN RFC2543 a,b\r\n", "Bad c= line", 4);
	parse_err(f, HEAD "c=IN IP4 1.2.3.4 x\r\n", "Bad c= line", 4);
	parse_err(f, HEAD "c=IN I@P4 1.2.3.4\r\n", "Bad c= line", 4);
	parse_err(f, HEAD "c=IN IP4 1.2.3.4\r\nc=IN IP4 1.2.3.4\r\n",
		  "Duplicate c= line", 5);
	parse_err(f, HEAD "m=audio\r\n", "Bad m= line", 4);
	parse_err(f, HEAD "m=audio 1 RTP/AVP\r\n", "Bad m= line", 4);
	parse_err(f, HEAD "m=audio 1 RTP//AVP 0\r\n", "Bad m= line", 4);
	parse_err(f, HEAD "m=audio 1 RTP/AVP/ 0\r\n", "Bad m= line", 4);
	parse_err(f, HEAD "m=aud:io 1 RTP/AVP 0\r\n", "Bad m= line", 4);
	parse_err(f, HEAD "m=image 1 udptl t,38\r\n", "Bad m= line", 4);
	parse_err(f, HEAD "m=audio 65536 RTP/AVP 0\r\n", "Bad port", 4);
	parse_err(f, HEAD "m=audio x RTP/AVP 0\r\n", "Bad port", 4);
	parse_err(f, HEAD "m=audio 1/0 RTP/AVP 0\r\n", "Bad port", 4);
	parse_err(f, HEAD "m=audio 1/ RTP/AVP 0\r\n", "Bad port", 4);
	parse_err(f, HEAD "m=audio 1 RTP/AVP 128\r\n", "Bad payload type", 4);
	parse_err(f, HEAD "m=audio 1 RTP/AVP 0 PCMU\r\n", "Bad payload type", 4);
	parse_err(f, HEAD "foo\r\n", "Line without '='", 4);
	parse_err(f, HEAD "v\r\n", "Line without '='", 4);
	parse_err(f, "x\r\n", "Line without '='", 1);
	parse_err(f, HEAD "1=foo\r\n", "Bad line type", 4);
	parse_err(f, HEAD "s=a\rb\r\n", "Bad character", 4);
	parse_err(f, HEAD "a=\r\n", "Bad a= line", 4);
	parse_err(f, HEAD "a=:x\r\n", "Bad a= line", 4);
	parse_err(f, HEAD "a=fo o\r\n", "Bad a= line", 4);
#define MHEAD HEAD "m=audio 1 RTP/AVP 0 96\r\n"
	parse_err(f, MHEAD "a=rtpmap:x PCMU/8000\r\n", "Bad a=rtpmap", 5);
	parse_err(f, MHEAD "a=rtpmap:0\r\n", "Bad a=rtpmap", 5);
	parse_err(f, MHEAD "a=rtpmap:0 PCMU\r\n", "Bad a=rtpmap", 5);
	parse_err(f, MHEAD "a=rtpmap:0 PCMU/0\r\n", "Bad a=rtpmap", 5);
	parse_err(f, MHEAD "a=rtpmap:0 PCMU/8k\r\n", "Bad a=rtpmap", 5);
	parse_err(f, MHEAD "a=rtpmap:0 /8000\r\n", "Bad a=rtpmap", 5);
	parse_err(f, MHEAD "a=rtpmap:0 PCMU/8000/0\r\n", "Bad a=rtpmap", 5);
	parse_err(f, MHEAD "a=rtpmap:0 PCMU/8000/x\r\n", "Bad a=rtpmap", 5);
	parse_err(f, MHEAD "a=rtpmap:128 PCMU/8000\r\n", "Bad a=rtpmap", 5);
	parse_err(f, MHEAD "a=fmtp:x y\r\n", "Bad a=fmtp", 5);
	parse_err(f, MHEAD "a=fmtp\r\n", "Bad a=fmtp", 5);
	parse_err(f, MHEAD "a=rtcp:\r\n", "Bad a=rtcp", 5);
	parse_err(f, MHEAD "a=rtcp:70000\r\n", "Bad a=rtcp", 5);
	parse_err(f, MHEAD "a=rtcp:5000 IN IP4\r\n", "Bad a=rtcp", 5);
	parse_err(f, MHEAD "a=rtcp:5000 IN IP4 300.1.1.1\r\n", "Bad a=rtcp", 5);
	parse_err(f, MHEAD "a=rtcp-fb:96\r\n", "Bad a=rtcp-fb", 5);
	parse_err(f, MHEAD "a=rtcp-fb:x nack\r\n", "Bad a=rtcp-fb", 5);

	/* A NUL is refused, not taken for the end of the body. */
	assert_int_equal(sdp_parse(&f->s, "v=0\r\ns=\0x\r\n", 11, &f->err), -1);
	assert_string_equal(f->err.reason, "Bad character");
	assert_int_equal(f->err.line, 2);

	n = (size_t)snprintf(many, sizeof(many), "%s", HEAD);
	for (int i = 0; i < SDP_MAX_MEDIA + 1; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n,
				      "m=audio %d RTP/AVP 0\r\n", 1000 + i);
	parse_err(f, many, "Too many media", 4 + SDP_MAX_MEDIA);

	n = (size_t)snprintf(many, sizeof(many), "%s", HEAD);
	for (int i = 0; i < SDP_MAX_ATTRS + 1; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "a=x%d\r\n", i);
	parse_err(f, many, "Too many attributes", 4 + SDP_MAX_ATTRS);
	many[n - 7] = '\0';	/* exactly SDP_MAX_ATTRS is fine */
	parse_ok(f, many);

	n = (size_t)snprintf(many, sizeof(many), "%s", HEAD "m=audio 1 RTP/AVP");
	for (int i = 0; i < SDP_MAX_FORMATS + 1; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, " %d", i);
	snprintf(many + n, sizeof(many) - n, "\r\n");
	parse_err(f, many, "Too many formats", 4);

	/* A failed parse leaves a session that writes as nothing. */
	assert_int_equal(sdp_write(&f->s, f->out, OUT_MAX), 0);
	assert_int_equal(sdp_active_media(&f->s), 0);
#undef MHEAD
}

static void error_strings(void **state)
{
	struct fx *f = *state;
	char buf[64];
	struct sdp_error e = { "Bad m= line", 7, 0 };

	(void)f;
	sdp_error_str(&e, buf, sizeof(buf));
	assert_string_equal(buf, "Bad m= line (line 7)");
	e = (struct sdp_error){ "Bad payload filter entry", 0, 3 };
	sdp_error_str(&e, buf, sizeof(buf));
	assert_string_equal(buf, "Bad payload filter entry (entry 3)");
	e = (struct sdp_error){ "Empty input", 0, 0 };
	sdp_error_str(&e, buf, sizeof(buf));
	assert_string_equal(buf, "Empty input");
	sdp_error_str(NULL, buf, sizeof(buf));
	assert_string_equal(buf, "No error");
}

static void static_table(void **state)
{
	struct sdp_rtpmap map;

	(void)state;
	assert_true(sdp_static_rtpmap(0, &map));
	assert_pl(map.encoding, "PCMU");
	assert_true(sdp_static_rtpmap(8, &map));
	assert_pl(map.encoding, "PCMA");
	assert_true(sdp_static_rtpmap(9, &map));
	assert_pl(map.encoding, "G722");
	assert_int_equal(map.clock, 8000);
	assert_true(sdp_static_rtpmap(18, &map));
	assert_pl(map.encoding, "G729");
	assert_true(sdp_static_rtpmap(34, &map));
	assert_pl(map.encoding, "H263");
	assert_int_equal(map.clock, 90000);
	assert_false(sdp_static_rtpmap(1, &map));
	assert_false(sdp_static_rtpmap(19, &map));
	assert_false(sdp_static_rtpmap(35, &map));
	assert_false(sdp_static_rtpmap(96, &map));
	assert_string_equal(sdp_dir_name(SDP_DIR_INACTIVE), "inactive");
	assert_null(sdp_dir_name(SDP_DIR_NONE));
}

/* ---------------------------------------------------------------- edits */

static void edit_origin(void **state)
{
	struct fx *f = *state;
	struct sdp_session *s = &f->s;

	parse_ok(f, sipp_sdp);
	sdp_bump_version(s);
	assert_true(sdp_version(s) == 2353687638ULL);
	assert_non_null(strstr(write_ok(f),
		"\r\no=user1 53655765 2353687638 IN IP4 127.0.0.1\r\ns=-\r\n"));

	assert_int_equal(sdp_set_origin(s, PL("tandem"), PL("42"),
					PL("192.0.2.1")), 0);
	sdp_bump_version(s);
	assert_non_null(strstr(write_ok(f),
		"\r\no=tandem 42 2353687639 IN IP4 192.0.2.1\r\n"));

	sdp_set_version(s, 7);
	assert_int_equal(sdp_set_origin(s, PL_NULL, PL_NULL, PL("2001:db8::1")), 0);
	assert_non_null(strstr(write_ok(f), "\r\no=tandem 42 7 IN IP6 2001:db8::1\r\n"));

	sdp_set_version(s, UINT64_MAX);
	assert_non_null(strstr(write_ok(f), " 18446744073709551615 IN IP6"));
	sdp_bump_version(s);
	assert_true(sdp_version(s) == 0);
	assert_non_null(strstr(write_ok(f), "\r\no=tandem 42 0 IN IP6 2001:db8::1\r\n"));

	/* Refused values change nothing. */
	assert_int_equal(sdp_set_origin(s, PL("a b"), PL_NULL, PL_NULL), -1);
	assert_int_equal(sdp_set_origin(s, PL_NULL, PL("12a"), PL_NULL), -1);
	assert_int_equal(sdp_set_origin(s, PL_NULL, PL(""), PL_NULL), -1);
	assert_int_equal(sdp_set_origin(s, PL("x"), PL("1"), PL("1.2.3.4\r\nx")), -1);
	assert_int_equal(sdp_set_origin(s, PL("x"), PL("1"), PL("1.2.3.4.5")), -1);
	assert_int_equal(sdp_set_origin(NULL, PL("x"), PL_NULL, PL_NULL), -1);
	assert_non_null(strstr(write_ok(f), "\r\no=tandem 42 0 IN IP6 2001:db8::1\r\n"));

	/* The origin keeps its own nettype when only the user changes. */
	parse_ok(f, "v=0\r\no=- 1 1 ATM NSAP 47.0005\r\n");
	assert_int_equal(sdp_set_origin(s, PL("me"), PL_NULL, PL_NULL), 0);
	assert_string_equal(write_ok(f), "v=0\r\no=me 1 1 ATM NSAP 47.0005\r\n");

	sdp_bump_version(NULL);
	sdp_set_version(NULL, 1);
	assert_true(sdp_version(NULL) == 0);
}

static void edit_media_addr(void **state)
{
	struct fx *f = *state;
	struct sdp_session *s = &f->s;

	/* Only a session-level c=: a media-level one is added after m=. */
	parse_ok(f, sipp_sdp);
	assert_int_equal(sdp_media_set_addr(s, 0, PL("192.0.2.10"), false), 0);
	assert_pl(sdp_media_addr(s, 0), "192.0.2.10");
	assert_string_equal(write_ok(f),
		"v=0\r\n"
		"o=user1 53655765 2353687637 IN IP4 127.0.0.1\r\n"
		"s=-\r\n"
		"c=IN IP4 127.0.0.1\r\n"
		"t=0 0\r\n"
		"m=audio 6000 RTP/AVP 0\r\n"
		"c=IN IP4 192.0.2.10\r\n"
		"a=rtpmap:0 PCMU/8000\r\n");

	/* ... and after i= when there is one. */
	parse_ok(f, "v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\nc=IN IP4 1.1.1.1\r\n"
		    "m=audio 4000 RTP/AVP 0\r\ni=audio\r\nb=AS:64\r\n"
		    "m=video 0 RTP/AVP 31\r\n");
	assert_int_equal(sdp_media_set_addr(s, 0, PL("2001:db8::5"), true), 0);
	assert_int_equal(sdp_media_set_addr(s, 1, PL("proxy.example.net"), false), 0);
	assert_string_equal(write_ok(f),
		"v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\nc=IN IP4 1.1.1.1\r\n"
		"m=audio 4000 RTP/AVP 0\r\ni=audio\r\nc=IN IP6 2001:db8::5\r\n"
		"b=AS:64\r\nm=video 0 RTP/AVP 31\r\nc=IN IP4 proxy.example.net\r\n");

	/* An existing media c= is replaced in place. */
	parse_ok(f, cisco_sdp);
	assert_int_equal(sdp_media_set_addr(s, 0, PL("198.51.100.1"), false), 0);
	assert_non_null(strstr(write_ok(f),
		"m=audio 17120 RTP/AVP 18 101 19 13\r\nc=IN IP4 198.51.100.1\r\n"
		"a=rtpmap:101"));
	assert_null(strstr(f->out, "172.16.1.2"));

	/* Layered multicast c= lines collapse into the one address. */
	parse_ok(f, "v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\nm=video 5 RTP/AVP 31\r\n"
		    "c=IN IP6 ff15::101/3\r\na=x\r\nc=IN IP6 ff15::102/3\r\n");
	assert_int_equal(sdp_media_set_addr(s, 0, PL("::ffff:192.0.2.1"), true), 0);
	assert_string_equal(write_ok(f),
		"v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\nm=video 5 RTP/AVP 31\r\n"
		"c=IN IP6 ::ffff:192.0.2.1\r\na=x\r\n");

	/* Refused: wrong family, injection, no such section, nothing. */
	assert_int_equal(sdp_media_set_addr(s, 0, PL("2001:db8::1"), false), -1);
	assert_int_equal(sdp_media_set_addr(s, 0, PL("192.0.2.1"), true), -1);
	assert_int_equal(sdp_media_set_addr(s, 0, PL("1.2.3.4\r\na=x"), false), -1);
	assert_int_equal(sdp_media_set_addr(s, 0, PL("1.2.3.4 "), false), -1);
	assert_int_equal(sdp_media_set_addr(s, 0, PL_NULL, false), -1);
	assert_int_equal(sdp_media_set_addr(s, 1, PL("1.2.3.4"), false), -1);
	assert_int_equal(sdp_media_set_addr(NULL, 0, PL("1.2.3.4"), false), -1);
}

static void edit_session_addr(void **state)
{
	struct fx *f = *state;
	struct sdp_session *s = &f->s;

	parse_ok(f, sipp_sdp);
	assert_int_equal(sdp_session_set_addr(s, PL("192.0.2.1"), false), 0);
	assert_non_null(strstr(write_ok(f), "s=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"));
	assert_pl(sdp_media_addr(s, 0), "192.0.2.1");

	/* None before: it goes where RFC 8866 wants it, ahead of t=. */
	parse_ok(f, webrtc_sdp);
	assert_int_equal(sdp_session_set_addr(s, PL("2001:db8::9"), true), 0);
	assert_non_null(strstr(write_ok(f),
		"s=-\r\nc=IN IP6 2001:db8::9\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"));
	/* The media-level c= still wins for the media. */
	assert_pl(sdp_media_addr(s, 0), "203.0.113.7");

	/* ... or at the end of a session level that has nothing after it. */
	parse_ok(f, "v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\ns=-\r\n");
	assert_int_equal(sdp_session_set_addr(s, PL("192.0.2.1"), false), 0);
	assert_string_equal(write_ok(f),
		"v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\n");

	assert_int_equal(sdp_session_set_addr(s, PL("300.0.0.1"), false), -1);
	assert_int_equal(sdp_session_set_addr(NULL, PL("1.0.0.1"), false), -1);
}

static void edit_port(void **state)
{
	struct fx *f = *state;
	struct sdp_session *s = &f->s;

	parse_ok(f, sipp_sdp);
	assert_int_equal(sdp_media_set_port(s, 0, 40000), 0);
	assert_int_equal(sdp_media_port(s, 0), 40000);
	assert_non_null(strstr(write_ok(f), "\r\nm=audio 40000 RTP/AVP 0\r\n"));
	assert_int_equal(sdp_media_set_port(s, 0, 0), 0);
	assert_non_null(strstr(write_ok(f), "\r\nm=audio 0 RTP/AVP 0\r\n"));
	assert_int_equal(sdp_active_media(s), 0);
	assert_int_equal(sdp_media_set_port(s, 1, 0), -1);

	/* The port count survives; several spaces become one. */
	parse_ok(f, "v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\n"
		    "m=audio  49170/2  RTP/AVP  0  8\r\n");
	assert_int_equal(sdp_media_set_port(s, 0, 5000), 0);
	assert_string_equal(write_ok(f), "v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\n"
			    "m=audio 5000/2 RTP/AVP 0 8\r\n");
}

static void edit_rtcp(void **state)
{
	struct fx *f = *state;
	struct sdp_session *s = &f->s;

	/* Replaced in place. */
	parse_ok(f, webrtc_sdp);
	assert_int_equal(sdp_media_set_rtcp(s, 0, 40001, PL("192.0.2.1")), 0);
	assert_non_null(strstr(write_ok(f),
		"c=IN IP4 203.0.113.7\r\na=rtcp:40001 IN IP4 192.0.2.1\r\n"
		"a=candidate:1 1"));
	assert_int_equal(sdp_media_set_rtcp(s, 0, 40001, PL("2001:db8::1")), 0);
	assert_non_null(strstr(write_ok(f),
		"\r\na=rtcp:40001 IN IP6 2001:db8::1\r\na=candidate:1 1"));
	assert_int_equal(sdp_media_remove_rtcp(s, 0), 0);
	assert_null(strstr(write_ok(f), "a=rtcp:"));
	assert_non_null(strstr(f->out, "a=rtcp-mux\r\n"));

	/* Appended when there was none. */
	parse_ok(f, sipp_sdp);
	assert_int_equal(sdp_media_set_rtcp(s, 0, 6001, PL_NULL), 0);
	assert_non_null(strstr(write_ok(f),
		"a=rtpmap:0 PCMU/8000\r\na=rtcp:6001\r\n"));
	assert_int_equal(sdp_media_remove_rtcp(s, 0), 0);
	assert_string_equal(write_ok(f), sipp_sdp);

	/* Two a=rtcp lines: the first takes the new value, the second goes. */
	parse_ok(f, "v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\nm=audio 5000 RTP/AVP 0\r\n"
		    "a=rtcp:5001\r\na=x\r\na=rtcp:6001\r\n");
	assert_int_equal(sdp_media_set_rtcp(s, 0, 7001, PL_NULL), 0);
	assert_string_equal(write_ok(f),
		"v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\nm=audio 5000 RTP/AVP 0\r\n"
		"a=rtcp:7001\r\na=x\r\n");
	assert_int_equal(sdp_media_remove_rtcp(s, 0), 0);
	assert_string_equal(write_ok(f),
		"v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\nm=audio 5000 RTP/AVP 0\r\n"
		"a=x\r\n");

	assert_int_equal(sdp_media_set_rtcp(s, 0, 1, PL("1.2.3.4\n")), -1);
	assert_int_equal(sdp_media_set_rtcp(s, 1, 1, PL_NULL), -1);
	assert_int_equal(sdp_media_remove_rtcp(s, 1), -1);
}

static void edit_direction(void **state)
{
	struct fx *f = *state;
	struct sdp_session *s = &f->s;

	/* Replaced in place. */
	parse_ok(f, webrtc_sdp);
	assert_int_equal(sdp_media_set_direction(s, 0, SDP_DIR_SENDONLY), 0);
	assert_non_null(strstr(write_ok(f),
		"a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
		"a=sendonly\r\na=msid:stream track0\r\n"));
	assert_true(sdp_is_hold(s, 0));
	assert_false(sdp_is_hold(s, 1));

	/* Appended when there was none; removed with SDP_DIR_NONE. */
	parse_ok(f, sipp_sdp);
	assert_int_equal(sdp_media_set_direction(s, 0, SDP_DIR_INACTIVE), 0);
	assert_non_null(strstr(write_ok(f), "a=rtpmap:0 PCMU/8000\r\na=inactive\r\n"));
	assert_int_equal(sdp_media_dir(s, 0), SDP_DIR_INACTIVE);
	assert_int_equal(sdp_media_set_direction(s, 0, SDP_DIR_NONE), 0);
	assert_string_equal(write_ok(f), sipp_sdp);
	assert_int_equal(sdp_media_dir(s, 0), SDP_DIR_SENDRECV);
	assert_int_equal(sdp_media_set_direction(s, 0, SDP_DIR_SENDRECV), 0);
	assert_non_null(strstr(write_ok(f), "a=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n"));

	/* Several direction lines: one is left. */
	parse_ok(f, "v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\nm=audio 5000 RTP/AVP 0\r\n"
		    "a=sendrecv\r\na=x\r\na=sendonly\r\n");
	assert_int_equal(s->media[0].sec.dir, SDP_DIR_SENDRECV);
	assert_int_equal(sdp_media_set_direction(s, 0, SDP_DIR_RECVONLY), 0);
	assert_string_equal(write_ok(f),
		"v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\nm=audio 5000 RTP/AVP 0\r\n"
		"a=recvonly\r\na=x\r\n");
	assert_int_equal(sdp_media_set_direction(s, 0, SDP_DIR_NONE), 0);
	assert_string_equal(write_ok(f),
		"v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\nm=audio 5000 RTP/AVP 0\r\n"
		"a=x\r\n");

	/* Session level, and a media level that overrides it. */
	parse_ok(f, "v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\na=inactive\r\n"
		    "m=audio 5000 RTP/AVP 0\r\nm=audio 5002 RTP/AVP 0\r\n"
		    "a=sendrecv\r\n");
	assert_true(sdp_is_hold(s, 0));
	assert_false(sdp_is_hold(s, 1));
	assert_int_equal(sdp_session_set_direction(s, SDP_DIR_SENDONLY), 0);
	assert_true(sdp_is_hold(s, 0));
	assert_int_equal(sdp_session_set_direction(s, SDP_DIR_NONE), 0);
	assert_false(sdp_is_hold(s, 0));
	assert_int_equal(sdp_media_dir(s, 0), SDP_DIR_SENDRECV);
	assert_string_equal(write_ok(f),
		"v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\n"
		"m=audio 5000 RTP/AVP 0\r\nm=audio 5002 RTP/AVP 0\r\n"
		"a=sendrecv\r\n");
	assert_int_equal(sdp_session_set_direction(s, SDP_DIR_RECVONLY), 0);
	assert_non_null(strstr(write_ok(f), "1.1.1.1\r\na=recvonly\r\nm=audio 5000"));

	assert_int_equal(sdp_media_set_direction(s, 0, (enum sdp_dir)9), -1);
	assert_int_equal(sdp_media_set_direction(s, 2, SDP_DIR_SENDONLY), -1);
	assert_int_equal(sdp_session_set_direction(NULL, SDP_DIR_SENDONLY), -1);
}

static void hold_variants(void **state)
{
	struct fx *f = *state;
	struct sdp_session *s = &f->s;

	parse_ok(f, "v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\nc=IN IP4 0.0.0.0\r\n"
		    "m=audio 5000 RTP/AVP 0\r\n"
		    "m=audio 5002 RTP/AVP 0\r\nc=IN IP4 10.0.0.1\r\n"
		    "m=audio 5004 RTP/AVP 0\r\nc=IN IP6 ::\r\n"
		    "m=audio 5006 RTP/AVP 0\r\nc=IN IP6 0:0:0:0:0:0:0:0\r\n"
		    "m=audio 5008 RTP/AVP 0\r\nc=IN IP6 ::1\r\n"
		    "m=audio 5010 RTP/AVP 0\r\nc=IN IP4 10.0.0.1\r\na=recvonly\r\n"
		    "m=audio 5012 RTP/AVP 0\r\nc=IN IP4 10.0.0.1\r\na=inactive\r\n"
		    "m=audio 5014 RTP/AVP 0\r\nc=IN IP6 host.example\r\n");
	assert_true(sdp_is_hold(s, 0));
	assert_false(sdp_is_hold(s, 1));
	assert_true(sdp_is_hold(s, 2));
	assert_true(sdp_is_hold(s, 3));
	assert_false(sdp_is_hold(s, 4));
	assert_false(sdp_is_hold(s, 5));
	assert_true(sdp_is_hold(s, 6));
	assert_false(sdp_is_hold(s, 7));
	assert_false(sdp_is_hold(s, 8));

	/* Edits count: the proxy address ends a c=0.0.0.0 hold... */
	assert_int_equal(sdp_media_set_addr(s, 0, PL("192.0.2.1"), false), 0);
	assert_false(sdp_is_hold(s, 0));
	/* ...and writing 0.0.0.0 starts one. */
	assert_int_equal(sdp_media_set_addr(s, 1, PL("0.0.0.0"), false), 0);
	assert_true(sdp_is_hold(s, 1));

	/* No address anywhere: not a hold. */
	parse_ok(f, "v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\nm=audio 5000 RTP/AVP 0\r\n");
	assert_false(sdp_is_hold(s, 0));
	assert_false(pl_isset(sdp_media_addr(s, 0)));

	/* Out of range indexes answer "nothing". */
	assert_int_equal(sdp_media_dir(s, 1), SDP_DIR_NONE);
	assert_int_equal(sdp_media_port(s, 1), 0);
	assert_false(pl_isset(sdp_media_addr(s, 1)));
	assert_false(sdp_media_format_kept(s, 1, 0));
	assert_false(sdp_media_format_kept(s, 0, 1));
	assert_true(sdp_media_format_kept(s, 0, 0));
	assert_false(sdp_has_nortpproxy(NULL));
	assert_int_equal(sdp_active_media(NULL), 0);
}

static void edit_attrs(void **state)
{
	struct fx *f = *state;
	struct sdp_session *s = &f->s;
	char many[4096];
	size_t n;

	parse_ok(f, webrtc_sdp);
	assert_int_equal(sdp_add_attr(s, SDP_SESSION, PL("nortpproxy:yes")), 0);
	assert_int_equal(sdp_add_attr(s, 0, PL("nortpproxy:yes")), 0);
	assert_int_equal(sdp_add_attr(s, 0, PL("x-tag")), 0);
	assert_int_equal(sdp_remove_attr(s, 0, PL("CANDIDATE")), 2);
	assert_int_equal(sdp_remove_attr(s, 0, PL("candidate")), 0);
	assert_int_equal(sdp_remove_attr(s, 0, PL("x-tag")), 1);
	assert_int_equal(sdp_remove_attr(s, SDP_SESSION, PL("extmap-allow-mixed")), 1);
	write_ok(f);
	assert_null(strstr(f->out, "candidate"));
	assert_null(strstr(f->out, "x-tag"));
	assert_null(strstr(f->out, "extmap-allow-mixed"));
	assert_non_null(strstr(f->out,
		"a=msid-semantic: WMS stream\r\na=nortpproxy:yes\r\nm=audio"));
	assert_non_null(strstr(f->out,
		"a=ssrc:1001 cname:abcdEFGH\r\na=nortpproxy:yes\r\nm=video"));
	/* As received: the additions are not seen here. */
	assert_false(sdp_has_nortpproxy(s));

	/* Refused names and values. */
	assert_int_equal(sdp_add_attr(s, 0, PL("sendonly")), -1);
	assert_int_equal(sdp_add_attr(s, 0, PL("Inactive")), -1);
	assert_int_equal(sdp_add_attr(s, 0, PL("rtcp:5000")), -1);
	assert_int_equal(sdp_add_attr(s, 0, PL("a=x")), -1);
	assert_int_equal(sdp_add_attr(s, 0, PL("x:y\r\na=z")), -1);
	assert_int_equal(sdp_add_attr(s, 0, PL("x:y\nz")), -1);
	assert_int_equal(sdp_add_attr(s, 0, pl_from("x:\0", 3)), -1);
	assert_int_equal(sdp_add_attr(s, 0, PL("")), -1);
	assert_int_equal(sdp_add_attr(s, 0, PL_NULL), -1);
	assert_int_equal(sdp_add_attr(s, 2, PL("x")), -1);
	assert_int_equal(sdp_add_attr(s, -2, PL("x")), -1);
	assert_int_equal(sdp_add_attr(NULL, 0, PL("x")), -1);
	assert_int_equal(sdp_remove_attr(s, 0, PL("sendrecv")), -1);
	assert_int_equal(sdp_remove_attr(s, 0, PL("rtcp")), -1);
	assert_int_equal(sdp_remove_attr(s, 0, PL("")), -1);
	assert_int_equal(sdp_remove_attr(s, 5, PL("x")), -1);

	/* At most SDP_MAX_ADD_ATTRS additions per section. */
	for (int i = 1; i < SDP_MAX_ADD_ATTRS; i++)
		assert_int_equal(sdp_add_attr(s, 1, PL("x-more")), 0);
	assert_int_equal(sdp_add_attr(s, 1, PL("x-more")), 0);
	assert_int_equal(sdp_add_attr(s, 1, PL("x-more")), -1);
	assert_int_equal(sdp_remove_attr(s, 1, PL("x-more")), SDP_MAX_ADD_ATTRS);

	/* Never more a= lines than our own parser takes. */
	n = (size_t)snprintf(many, sizeof(many), "v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\n"
			     "m=audio 1 RTP/AVP 0\r\n");
	for (int i = 0; i < SDP_MAX_ATTRS; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "a=x%d\r\n", i);
	parse_ok(f, many);
	assert_int_equal(sdp_add_attr(s, 0, PL("nortpproxy:yes")), -1);
	assert_int_equal(sdp_media_set_direction(s, 0, SDP_DIR_SENDONLY), -1);
	assert_int_equal(sdp_media_set_rtcp(s, 0, 5, PL_NULL), -1);
	assert_int_equal(sdp_media_dir(s, 0), SDP_DIR_SENDRECV);
	assert_string_equal(write_ok(f), many);
	assert_int_equal(sdp_remove_attr(s, 0, PL("x7")), 1);
	assert_int_equal(sdp_add_attr(s, 0, PL("nortpproxy:yes")), 0);
	assert_int_equal(sdp_parse(&f->s, many, strlen(many), NULL), 0);
	assert_int_equal(sdp_remove_attr(s, 0, PL("x1")), 1);
	assert_int_equal(sdp_media_set_direction(s, 0, SDP_DIR_SENDONLY), 0);
	assert_int_equal(sdp_media_set_rtcp(s, 0, 5, PL_NULL), -1);
}

/* ---------------------------------------------------------------- filter */

static void filter_spec(void **state)
{
	struct fx *f = *state;
	struct sdp_pt_filter flt;
	char spec[256];
	size_t n = 0;

	assert_int_equal(sdp_pt_filter_parse("0,8,[opus/48000],101", &flt, &f->err), 0);
	assert_int_equal(flt.n, 4);
	assert_int_equal(flt.e[0].pt, 0);
	assert_int_equal(flt.e[1].pt, 8);
	assert_int_equal(flt.e[2].pt, -1);
	assert_string_equal(flt.e[2].encoding, "opus");
	assert_int_equal(flt.e[2].clock, 48000);
	assert_int_equal(flt.e[2].channels, 0);
	assert_int_equal(flt.e[3].pt, 101);

	assert_int_equal(sdp_pt_filter_parse(" 0 , [telephone-event/8000/1] ",
					     &flt, NULL), 0);
	assert_int_equal(flt.n, 2);
	assert_string_equal(flt.e[1].encoding, "telephone-event");
	assert_int_equal(flt.e[1].channels, 1);

#define SPEC_ERR(spec_, reason_, entry_) do { \
		assert_int_equal(sdp_pt_filter_parse(spec_, &flt, &f->err), -1); \
		assert_string_equal(f->err.reason, reason_); \
		assert_int_equal(f->err.entry, entry_); \
		assert_int_equal(f->err.line, 0); \
	} while (0)
	SPEC_ERR(NULL, "Empty payload filter", 0);
	SPEC_ERR("", "Empty payload filter", 0);
	SPEC_ERR("  ", "Empty payload filter", 0);
	SPEC_ERR("0,,8", "Bad payload filter entry", 2);
	SPEC_ERR("0,8,", "Bad payload filter entry", 3);
	SPEC_ERR("128", "Bad payload filter entry", 1);
	SPEC_ERR("-1", "Bad payload filter entry", 1);
	SPEC_ERR("[opus]", "Bad payload filter entry", 1);
	SPEC_ERR("[]", "Bad payload filter entry", 1);
	SPEC_ERR("[opus/0]", "Bad payload filter entry", 1);
	SPEC_ERR("[opus/48000/0]", "Bad payload filter entry", 1);
	SPEC_ERR("[opus/48000/x]", "Bad payload filter entry", 1);
	SPEC_ERR("[/8000]", "Bad payload filter entry", 1);
	SPEC_ERR("[op us/8000]", "Bad payload filter entry", 1);
	SPEC_ERR("0,[opus/48000", "Bad payload filter entry", 2);
	SPEC_ERR("[a-very-long-encoding-name-that-is/8000]",
		 "Bad payload filter entry", 1);
	for (int i = 0; i < SDP_MAX_FILTER + 1; i++)
		n += (size_t)snprintf(spec + n, sizeof(spec) - n, "%s%d",
				      i ? "," : "", i);
	SPEC_ERR(spec, "Too many payload filter entries", SDP_MAX_FILTER + 1);
	assert_int_equal(sdp_pt_filter_parse("0", NULL, &f->err), -1);
	assert_string_equal(f->err.reason, "No payload filter");
}

static void filter_linphone(void **state)
{
	struct fx *f = *state;
	struct sdp_session *s = &f->s;
	struct sdp_pt_filter flt;

	parse_ok(f, linphone_sdp);
	assert_int_equal(sdp_pt_filter_parse("0,8,[opus/48000],101", &flt, NULL), 0);
	assert_int_equal(sdp_filter_payloads(s, &flt), 1);
	assert_int_equal(sdp_active_media(s), 1);
	assert_true(sdp_media_format_kept(s, 0, 0));
	assert_false(sdp_media_format_kept(s, 0, 1));
	assert_int_equal(sdp_media_port(s, 1), 0);
	assert_string_equal(write_ok(f),
		"v=0\r\n"
		"o=alice 1234 5678 IN IP4 192.168.1.10\r\n"
		"s=Talk\r\n"
		"c=IN IP4 192.168.1.10\r\n"
		"t=0 0\r\n"
		"a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics\r\n"
		"m=audio 7078 RTP/AVP 96 0 8 101\r\n"
		"a=rtpmap:96 opus/48000/2\r\n"
		"a=fmtp:96 useinbandfec=1\r\n"
		"a=rtpmap:101 telephone-event/48000\r\n"
		"a=rtcp-fb:* trr-int 1000\r\n"
		"a=rtcp-fb:* ccm tmmbr\r\n"
		"m=video 0 RTP/AVP 96\r\n"
		"a=rtpmap:96 VP8/90000\r\n"
		"a=rtcp-fb:* trr-int 1000\r\n"
		"a=rtcp-fb:96 nack pli\r\n"
		"a=rtcp-fb:96 ccm fir\r\n");

	/* A rejected section does not come back by accident. */
	assert_int_equal(sdp_media_set_port(s, 1, 5000), -1);
	assert_int_equal(sdp_media_set_port(s, 1, 0), 0);

	/* Filtering again narrows further and still counts the rejection. */
	assert_int_equal(sdp_pt_filter_parse("[PCMA/8000]", &flt, NULL), 0);
	assert_int_equal(sdp_filter_payloads(s, &flt), 1);
	assert_non_null(strstr(write_ok(f),
		"m=audio 7078 RTP/AVP 8\r\na=rtcp-fb:* trr-int 1000\r\n"));
}

static int filter_with(struct fx *f, const char *spec)
{
	struct sdp_pt_filter flt;

	assert_int_equal(sdp_pt_filter_parse(spec, &flt, &f->err), 0);
	return sdp_filter_payloads(&f->s, &flt);
}

static void filter_static_and_names(void **state)
{
	struct fx *f = *state;
	struct sdp_session *s = &f->s;

	/* Static types without rtpmap match through the RFC 3551 table. */
	parse_ok(f, cisco_sdp);
	assert_int_equal(filter_with(f, "[g729/8000],[telephone-event/8000]"), 0);
	assert_string_equal(write_ok(f),
		"v=0\r\n"
		"o=CiscoSystemsSIP-GW-UserAgent 9193 2236 IN IP4 172.16.1.1\r\n"
		"s=SIP Call\r\n"
		"c=IN IP4 172.16.1.1\r\n"
		"t=0 0\r\n"
		"m=audio 17120 RTP/AVP 18 101\r\n"
		"c=IN IP4 172.16.1.2\r\n"
		"a=rtpmap:101 telephone-event/8000\r\n"
		"a=fmtp:101 0-15\r\n"
		"a=fmtp:18 annexb=no\r\n"
		"a=ptime:20\r\n");

	/* Channels: absent means one. */
	parse_ok(f, linphone_sdp);
	assert_int_equal(filter_with(f, "[opus/48000/1],[PCMU/8000/1]"), 1);
	assert_false(sdp_media_format_kept(s, 0, 0));
	assert_true(sdp_media_format_kept(s, 0, 3));
	parse_ok(f, linphone_sdp);
	assert_int_equal(filter_with(f, "[OPUS/48000/2],[vp8/90000]"), 0);
	assert_true(sdp_media_format_kept(s, 0, 0));
	assert_false(sdp_media_format_kept(s, 0, 3));
	assert_true(sdp_media_format_kept(s, 1, 0));
	assert_false(sdp_media_format_kept(s, 1, 1));
	/* Clock rates must agree too. */
	parse_ok(f, linphone_sdp);
	assert_int_equal(filter_with(f, "[speex/8000],[H264/90000]"), 0);
	assert_false(sdp_media_format_kept(s, 0, 1));
	assert_true(sdp_media_format_kept(s, 0, 2));
	assert_non_null(strstr(write_ok(f), "m=audio 7078 RTP/AVP 98\r\n"
		"a=rtpmap:98 speex/8000\r\na=fmtp:98 vbr=on\r\na=rtcp-fb:*"));
	assert_non_null(strstr(f->out, "m=video 9078 RTP/AVP 97\r\n"
		"a=rtpmap:97 H264/90000\r\na=fmtp:97 profile-level-id=42801F\r\n"
		"a=rtcp-fb:* trr-int 1000\r\na=rtcp-fb:97 nack pli\r\n"));

	/* An unknown dynamic type (no rtpmap) only matches by number. */
	parse_ok(f, "v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\nm=audio 1 RTP/AVP 0 0 96 97\r\n"
		    "a=rtpmap:97 x/1\r\n");
	assert_int_equal(filter_with(f, "96,[PCMU/8000]"), 0);
	assert_true(sdp_media_format_kept(s, 0, 0));
	assert_true(sdp_media_format_kept(s, 0, 1));
	assert_true(sdp_media_format_kept(s, 0, 2));
	assert_false(sdp_media_format_kept(s, 0, 3));
	assert_string_equal(write_ok(f),
		"v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\nm=audio 1 RTP/AVP 0 0 96\r\n");
}

static void filter_reject(void **state)
{
	struct fx *f = *state;
	struct sdp_session *s = &f->s;
	struct sdp_pt_filter empty = { 0 };

	/* Nothing left: port 0, first format kept as placeholder, 488. */
	parse_ok(f, sipp_sdp);
	assert_int_equal(filter_with(f, "8"), 1);
	assert_int_equal(sdp_active_media(s), 0);
	assert_true(sdp_media_format_kept(s, 0, 0));
	assert_string_equal(write_ok(f),
		"v=0\r\n"
		"o=user1 53655765 2353687637 IN IP4 127.0.0.1\r\n"
		"s=-\r\n"
		"c=IN IP4 127.0.0.1\r\n"
		"t=0 0\r\n"
		"m=audio 0 RTP/AVP 0\r\n"
		"a=rtpmap:0 PCMU/8000\r\n");
	assert_int_equal(filter_with(f, "0"), 1);

	parse_ok(f, webrtc_sdp);
	assert_int_equal(filter_with(f, "[AMR/8000]"), 2);
	assert_non_null(strstr(write_ok(f), "m=audio 0 UDP/TLS/RTP/SAVPF 111\r\n"));
	assert_non_null(strstr(f->out, "m=video 0 UDP/TLS/RTP/SAVPF 96\r\n"));
	assert_null(strstr(f->out, "rtx/90000"));
	assert_null(strstr(f->out, "a=rtpmap:0 "));
	assert_non_null(strstr(f->out, "a=rtcp-fb:111 transport-cc\r\n"));

	/* Disabled and non-RTP sections are left alone. */
	parse_ok(f, fax_sdp);
	assert_int_equal(filter_with(f, "0"), 0);
	assert_string_equal(write_ok(f), fax_sdp);
	assert_int_equal(sdp_active_media(s), 1);

	assert_int_equal(sdp_filter_payloads(s, &empty), -1);
	assert_int_equal(sdp_filter_payloads(s, NULL), -1);
	assert_int_equal(sdp_filter_payloads(NULL, &empty), -1);
}

/* ---------------------------------------------------------------- write */

/* The whole ccd treatment of one offer, as the proxy-facing leg sees it. */
static void write_ccd_offer(void **state)
{
	struct fx *f = *state;
	struct sdp_session *s = &f->s;
	static const char want[] =
		"v=0\r\n"
		"o=tandem 1001 1687186394 IN IP4 192.0.2.1\r\n"
		"s=Asterisk\r\n"
		"c=IN IP4 192.0.2.1\r\n"
		"t=0 0\r\n"
		"m=audio 30000 RTP/AVP 8 101\r\n"
		"c=IN IP4 192.0.2.1\r\n"
		"a=rtpmap:8 PCMA/8000\r\n"
		"a=rtpmap:101 telephone-event/8000\r\n"
		"a=fmtp:101 0-16\r\n"
		"a=ptime:20\r\n"
		"a=sendonly\r\n"
		"a=rtcp:30001\r\n"
		"a=nortpproxy:yes\r\n";

	parse_ok(f, asterisk_sdp);
	assert_int_equal(sdp_set_origin(s, PL("tandem"), PL("1001"), PL("192.0.2.1")), 0);
	sdp_bump_version(s);
	assert_int_equal(sdp_session_set_addr(s, PL("192.0.2.1"), false), 0);
	assert_int_equal(sdp_media_set_addr(s, 0, PL("192.0.2.1"), false), 0);
	assert_int_equal(sdp_media_set_port(s, 0, 30000), 0);
	assert_int_equal(sdp_media_set_rtcp(s, 0, 30001, PL_NULL), 0);
	assert_int_equal(filter_with(f, "8,101"), 0);
	assert_int_equal(sdp_media_set_direction(s, 0, SDP_DIR_SENDONLY), 0);
	assert_int_equal(sdp_add_attr(s, 0, PL("nortpproxy:yes")), 0);
	assert_int_equal(sdp_remove_attr(s, 0, PL("maxptime")), 1);
	assert_string_equal(write_ok(f), want);
	assert_true(sdp_is_hold(s, 0));

	/* What we wrote parses back to what the edits said. */
	parse_ok(f, want);
	assert_true(s->origin.version == 1687186394ULL);
	assert_int_equal(s->media[0].port, 30000);
	assert_int_equal(s->media[0].rtcp.port, 30001);
	assert_int_equal(s->media[0].fmtc, 2);
	assert_true(sdp_has_nortpproxy(s));
	assert_int_equal(sdp_media_dir(s, 0), SDP_DIR_SENDONLY);
}

/* Every too-small buffer is refused, and nothing lands past its end. */
static void write_overflow(void **state)
{
	struct fx *f = *state;
	struct sdp_session *s = &f->s;
	char *buf;
	int full;

	parse_ok(f, webrtc_sdp);
	assert_int_equal(sdp_media_set_addr(s, 0, PL("2001:db8::77"), true), 0);
	assert_int_equal(sdp_media_set_rtcp(s, 1, 9, PL("192.0.2.1")), 0);
	assert_int_equal(sdp_media_set_direction(s, 1, SDP_DIR_INACTIVE), 0);
	assert_int_equal(sdp_add_attr(s, 1, PL("nortpproxy:yes")), 0);
	assert_int_equal(sdp_media_set_port(s, 1, 0), 0);
	sdp_bump_version(s);
	full = sdp_write(s, f->out, OUT_MAX);
	assert_true(full > (int)sizeof(webrtc_sdp) - 100);

	buf = test_malloc((size_t)full + 16);
	for (int cap = 0; cap < full; cap++) {
		memset(buf, '#', (size_t)full + 16);
		assert_int_equal(sdp_write(s, buf, (size_t)cap), -1);
		for (int k = cap; k < full + 16; k++)
			assert_int_equal(buf[k], '#');
		/* Whatever was written is a prefix of the real output. */
		for (int k = 0; k < cap && buf[k] != '#'; k++)
			assert_int_equal(buf[k], f->out[k]);
	}
	assert_int_equal(sdp_write(s, buf, (size_t)full), full);
	assert_memory_equal(buf, f->out, (size_t)full);
	test_free(buf);

	assert_int_equal(sdp_write(s, NULL, 100), -1);
	assert_int_equal(sdp_write(NULL, f->out, OUT_MAX), -1);
}

/* The buffer changed under a parsed session: refused, not misread. */
static void write_inconsistent(void **state)
{
	struct fx *f = *state;
	char text[] = "v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\na=x\r\nm=audio 1 RTP/AVP 0\r\n"
		      "a=y\r\n";

	parse_ok(f, text);
	text[29] = 'b';		/* "a=x" -> "b=x" */
	assert_int_equal(sdp_write(&f->s, f->out, OUT_MAX), -1);
	parse_ok(f, text);
	text[34] = 'x';		/* the m= line is no longer one */
	assert_int_equal(sdp_write(&f->s, f->out, OUT_MAX), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(parse_sipp),
		T(parse_linphone),
		T(parse_asterisk),
		T(parse_cisco_lf),
		T(parse_webrtc),
		T(parse_ipv6),
		T(parse_multicast),
		T(parse_unknown_lines),
		T(parse_odd_but_valid),
		T(parse_rtcp_forms),
		T(parse_errors),
		T(error_strings),
		T(static_table),
		T(edit_origin),
		T(edit_media_addr),
		T(edit_session_addr),
		T(edit_port),
		T(edit_rtcp),
		T(edit_direction),
		T(hold_variants),
		T(edit_attrs),
		T(filter_spec),
		T(filter_linphone),
		T(filter_static_and_names),
		T(filter_reject),
		T(write_ccd_offer),
		T(write_overflow),
		T(write_inconsistent),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
