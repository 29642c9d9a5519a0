/*
 * test_sip_torture.c - messages modelled on the RFC 4475 torture tests:
 * the valid ones must parse (and read back right), the invalid ones must
 * be refused with the reason a 400/505 would carry.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "sip_addr.h"
#include "sip_msg.h"
#include "sip_param.h"

#define assert_pl(x, s) \
	do { \
		assert_true(pl_isset(x)); \
		assert_int_equal((x).l, strlen(s)); \
		assert_memory_equal((x).p, s, strlen(s)); \
	} while (0)

static char buf[8192];
static struct sip_msg m;
static struct sip_parse_error e;

/* "\n" becomes CRLF; the text holds no other CR or LF. */
static enum sip_parse_result parse(const char *text)
{
	size_t n = 0;

	for (; *text; text++) {
		if (*text == '\n')
			buf[n++] = '\r';
		buf[n++] = *text;
	}
	return sip_msg_parse(&m, buf, n, SIP_FRAMING_DATAGRAM, &e);
}

#define expect_error(text, why) \
	do { \
		assert_int_equal(parse(text), SIP_PARSE_ERROR); \
		assert_string_equal(e.reason, why); \
	} while (0)

/* §3.1.1.1 wsinv: whitespace, folding, odd case and compact names everywhere */
static void test_wsinv(void **state)
{
	const struct sip_hdr *h;
	struct sip_addr a;
	struct sip_via v;
	char dn[64];

	(void)state;
	assert_int_equal(parse(
		"INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0\n"
		"TO :\n"
		" sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n\n"
		"from   : \"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>\n"
		"  ;\n"
		"  tag = 98asjd8\n"
		"MaX-fOrWaRdS: 0068\n"
		"Call-ID: wsinv.ndaksdj@192.0.2.1\n"
		"Content-Length   : 5\n"
		"cseq: 0009\n"
		"  INVITE\n"
		"Via  : SIP  /   2.0\n"
		" /UDP\n"
		"    192.0.2.2;branch=390skdjuw\n"
		"s :\n"
		"NewFangledHeader:   newfangled value\n"
		" continued newfangled value\n"
		"UnknownHeaderWithUnusualValue: ;;,,;;,;\n"
		"Content-Type: application/sdp\n"
		"Route:\n"
		" <sip:services.example.com;lr;unknownwith=value;unknown-no-value>\n"
		"v:  SIP  / 2.0  / TCP     spindle.example.com   ;\n"
		"  branch  =   z9hG4bK9ikj8  ,\n"
		" SIP  /    2.0   / UDP  192.168.255.111   ; branch=\n"
		" z9hG4bK30239\n"
		"m:\"Quoted string \\\"\\\"\" <sip:jdrosen@example.com> ; newparam =\n"
		"      newvalue ;\n"
		"  secondparam ; q = 0.33\n"
		"\n"
		"v=0\n"), SIP_PARSE_OK);
	assert_pl(m.to.uri.host, "chair-dnrc.example.com");
	assert_pl(m.to.tag, "1918181833n");
	assert_pl(m.from.tag, "98asjd8");
	assert_int_equal(sip_quoted_unescape(m.from.display, dn, sizeof(dn)), 14);
	assert_string_equal(dn, "J Rosenberg \\\"");
	assert_int_equal(m.max_forwards, 68);
	assert_int_equal(m.cseq, 9);
	assert_pl(m.via.transport, "UDP");
	assert_pl(m.via.host, "192.0.2.2");
	assert_pl(m.via.branch, "390skdjuw");
	assert_false(sip_via_branch_is_rfc3261(&m.via));
	assert_int_equal(m.content_length, 5);
	assert_pl(m.body, "v=0\r\n");
	assert_pl(sip_msg_hdr(&m, SIP_HDR_SUBJECT)->value, "");
	assert_pl(sip_msg_hdr_by_str(&m, "newfangledheader")->value,
		  "newfangled value   continued newfangled value");
	assert_pl(sip_msg_hdr_by_str(&m, "UnknownHeaderWithUnusualValue")->value, ";;,,;;,;");
	assert_int_equal(sip_msg_hdr_count(&m, SIP_HDR_VIA), 3);
	h = sip_msg_hdr_next(&m, sip_msg_hdr(&m, SIP_HDR_VIA));
	assert_int_equal(sip_via_parse(h->value, &v), 0);
	assert_pl(v.transport, "TCP");
	assert_pl(v.branch, "z9hG4bK9ikj8");
	assert_int_equal(sip_via_parse(sip_msg_hdr_next(&m, h)->value, &v), 0);
	assert_pl(v.host, "192.168.255.111");
	assert_pl(v.branch, "z9hG4bK30239");
	h = sip_msg_hdr(&m, SIP_HDR_CONTACT);
	assert_int_equal(sip_addr_parse(h->value, &a), 0);
	assert_true(sip_param_has(a.params, "SECONDPARAM"));
	assert_int_equal(sip_addr_parse(sip_msg_hdr(&m, SIP_HDR_ROUTE)->value, &a), 0);
	assert_true(sip_uri_has_lr(&a.uri));
}

/* §3.1.1.3 intmeth: every token and user/password character (the display
   name's escaped NUL is left out: a NUL in the header section is refused) */
static void test_intmeth(void **state)
{
	(void)state;
	assert_int_equal(parse(
		"!interesting-Method0123456789_*+`.%indeed'~ "
		"sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com SIP/2.0\n"
		"Via: SIP/2.0/TCP host1.example.com;branch=z9hG4bK-.!%66*_+`'~\n"
		"To: \"BEL:\\\x07 DEL:\\\x7f\" <sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example.com>\n"
		"From: token1~` token2'+_ token3*%!.- <sip:mundane@example.com>;fromParam''~+*_!.-%=\"\xd1\x80\xd0\xb0\xd0\xb1\xd0\xbe\xd1\x82\xd0\xb0\xd1\x8e\xd1\x89\xd0\xb8\xd0\xb9\";tag=_token~1'+`*%!-.\n"
		"Call-ID: intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{\n"
		"CSeq: 139122385 !interesting-Method0123456789_*+`.%indeed'~\n"
		"Max-Forwards: 255\n"
		"extensionHeader-!.%*+_`'~:\xef\xbb\xbf\xe5\xa4\xa7\xe5\x81\x9c\xe9\x9b\xbb\n"
		"Content-Length: 0\n\n"), SIP_PARSE_OK);
	assert_int_equal(m.method_id, SIP_METHOD_OTHER);
	assert_pl(m.ruri.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
	assert_pl(m.ruri.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
	assert_pl(m.from.display, "token1~` token2'+_ token3*%!.-");
	assert_pl(m.from.tag, "_token~1'+`*%!-.");
	assert_pl(m.call_id, "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
	assert_pl(m.via.branch, "z9hG4bK-.!%66*_+`'~");
	assert_pl(m.to.display, "\"BEL:\\\x07 DEL:\\\x7f\"");
	/* several quoted-pairs in one value, across a fold */
	assert_int_equal(parse("OPTIONS sip:h SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\n"
			       "To: \"a\\\x01" "b\n \\\x02\" <sip:a@h>\nFrom: <sip:b@h>;tag=1\n"
			       "Call-ID: c\nCSeq: 1 OPTIONS\n\n"), SIP_PARSE_OK);
	assert_pl(m.to.display, "\"a\\\x01" "b   \\\x02\"");
	/* an escaped quote does not end the quoted-string */
	assert_int_equal(parse("OPTIONS sip:h SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\n"
			       "To: \"\\\"q\\\x01\" <sip:a@h>\nFrom: <sip:b@h>;tag=1\n"
			       "Call-ID: c\nCSeq: 1 OPTIONS\n\n"), SIP_PARSE_OK);
	/* outside a quoted-pair the same bytes are refused */
	expect_error("OPTIONS sip:h SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\n"
		     "To: \"a\\\x01\" \\\x02 <sip:a@h>\nFrom: <sip:b@h>;tag=1\nCall-ID: c\n"
		     "CSeq: 1 OPTIONS\n\n", "Invalid character in header value (line 3)");
	expect_error("OPTIONS sip:h SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\n"
		     "To: \"BEL:\x07\" <sip:a@h>\nFrom: <sip:b@h>;tag=1\nCall-ID: c\n"
		     "CSeq: 1 OPTIONS\n\n", "Invalid character in header value (line 3)");
	expect_error("OPTIONS sip:h SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\n"
		     "To: BEL:\\\x07 <sip:a@h>\nFrom: <sip:b@h>;tag=1\nCall-ID: c\n"
		     "CSeq: 1 OPTIONS\n\n", "Invalid character in header value (line 3)");
}

/* §3.1.1.4..6 esc01, escnull, esc02: escapes stay escaped, %00 is data */
static void test_escapes(void **state)
{
	(void)state;
	assert_int_equal(parse(
		"INVITE sip:sips%3Auser%40example.com@example.net SIP/2.0\n"
		"To: sip:%75se%72@example.com\n"
		"From: <sip:I%20have%20spaces@example.net>;tag=938\n"
		"Max-Forwards: 87\n"
		"i: esc01.239409asdfakjkn23onasd0-3234\n"
		"CSeq: 234234 INVITE\n"
		"Via: SIP/2.0/UDP host5.example.net;branch=z9hG4bKkdjuw\n"
		"C: application/sdp\n"
		"Contact:\n"
		"  <sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31>\n"
		"Content-Length: 0\n\n"), SIP_PARSE_OK);
	assert_pl(m.ruri.user, "sips%3Auser%40example.com");
	assert_pl(m.ruri.host, "example.net");
	assert_pl(m.to.uri.user, "%75se%72");
	assert_pl(m.from.uri.user, "I%20have%20spaces");
	assert_true(sip_ctype_is(&m.content_type, "application", "sdp"));

	assert_int_equal(parse(
		"REGISTER sip:example.com SIP/2.0\n"
		"To: sip:null-%00-null@example.com\n"
		"From: sip:null-%00-null@example.com;tag=839923423\n"
		"Max-Forwards: 70\n"
		"Call-ID: escnull.39203ndfvkjdasfkq3w4otrq0adsfdfnavd\n"
		"CSeq: 14398234 REGISTER\n"
		"Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bKkdjuw\n"
		"Contact: <sip:%00@host5.example.com>\n"
		"Contact: <sip:%00%00@host5.example.com>\n"
		"L:0\n\n"), SIP_PARSE_OK);
	assert_pl(m.to.uri.user, "null-%00-null");
	assert_pl(m.from.tag, "839923423");

	assert_int_equal(parse(
		"RE%47IST%45R sip:registrar.example.com SIP/2.0\n"
		"To: \"%Z%45\" <sip:resource@example.com>\n"
		"From: \"%Z%45\" <sip:resource@example.com>;tag=f232jadfj23\n"
		"Call-ID: esc02.asdfnqwo34rq23i34jrjasdcnl23nrlknsdf\n"
		"Via: SIP/2.0/TCP host.example.com;branch=z9hG4bK209431\n"
		"CSeq: 29344 RE%47IST%45R\n"
		"Max-Forwards: 70\n"
		"Contact: <sip:alias1@host1.example.com>\n"
		"C%6Fntact: <sip:alias2@host2.example.com>\n"
		"Contact: <sip:alias3@host3.example.com>\n"
		"l: 0\n\n"), SIP_PARSE_OK);
	assert_int_equal(m.method_id, SIP_METHOD_OTHER);
	assert_int_equal(sip_msg_hdr_count(&m, SIP_HDR_CONTACT), 2);
	assert_pl(sip_msg_hdr_by_str(&m, "c%6fntact")->name, "C%6Fntact");
}

/* §3.1.1.8..13: lwsdisp, longreq-ish, semiuri, transports, mpart, reasons */
static void test_various_valid(void **state)
{
	const struct sip_hdr *h;
	struct sip_via v;
	const char *const transports[] = { "UDP", "SCTP", "TLS", "UNKNOWN", "TCP" };
	unsigned i = 0;

	(void)state;
	assert_int_equal(parse(
		"OPTIONS sip:user@example.com SIP/2.0\n"
		"To: sip:user@example.com\n"
		"From: caller<sip:caller@example.com>;tag=323\n"
		"Max-Forwards: 70\n"
		"Call-ID: lwsdisp.1234abcd@funky.example.com\n"
		"CSeq: 60 OPTIONS\n"
		"Via: SIP/2.0/UDP funky.example.com;branch=z9hG4bKkdjuw\n"
		"l: 0\n\n"), SIP_PARSE_OK);
	assert_pl(m.from.display, "caller");

	assert_int_equal(parse(
		"OPTIONS sip:user;par=u%40example.net@example.com SIP/2.0\n"
		"To: sip:j_user@example.com\n"
		"From: sip:caller@example.org;tag=33242\n"
		"Max-Forwards: 3\n"
		"Call-ID: semiuri.0ha0isndaksdj\n"
		"CSeq: 8 OPTIONS\n"
		"Accept: application/sdp, application/pkcs7-mime,\n"
		"        multipart/mixed, multipart/signed,\n"
		"        message/sip, message/sipfrag\n"
		"Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKkdjuw\n"
		"l: 0\n\n"), SIP_PARSE_OK);
	assert_pl(m.ruri.user, "user;par=u%40example.net");
	assert_pl(m.ruri.host, "example.com");
	assert_int_equal(m.ruri.params.l, 0);
	assert_int_equal(sip_msg_hdr_count(&m, SIP_HDR_ACCEPT), 6);

	assert_int_equal(parse(
		"OPTIONS sip:user@example.com SIP/2.0\n"
		"To: sip:user@example.com\n"
		"From: <sip:caller@example.com>;tag=323\n"
		"Max-Forwards: 70\n"
		"Call-ID:  transports.kijh4akdnaqjkwendsasfdj\n"
		"Accept: application/sdp\n"
		"CSeq: 60 OPTIONS\n"
		"Via: SIP/2.0/UDP t1.example.com;branch=z9hG4bKkdjuw\n"
		"Via: SIP/2.0/SCTP t2.example.com;branch=z9hG4bKklasjdhf\n"
		"Via: SIP/2.0/TLS t3.example.com;branch=z9hG4bK2980unddj\n"
		"Via: SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bKasd0f3en\n"
		"Via: SIP/2.0/TCP t5.example.com;branch=z9hG4bK0a9idfnee\n"
		"l: 0\n\n"), SIP_PARSE_OK);
	for (h = sip_msg_hdr(&m, SIP_HDR_VIA); h; h = sip_msg_hdr_next(&m, h), i++) {
		assert_int_equal(sip_via_parse(h->value, &v), 0);
		assert_pl(v.transport, transports[i]);
	}
	assert_int_equal(i, 5);

	assert_int_equal(parse("SIP/2.0 200 = 2**3 * 5**2 \xd0\xbd\xd0\xbe \xd1\x81\xd1\x82\xd0\xbe "
			       "\xd0\xb4\xd0\xb5\xd0\xb2\xd1\x8f\xd0\xbd\xd0\xbe\xd1\x81\xd1\x82\xd0\xbe\n"
			       "Via: SIP/2.0/UDP 192.0.2.198;branch=z9hG4bK1324923\n"
			       "Call-ID: unreason.1234ksdfak3j2erwedfsASdf\n"
			       "CSeq: 35 INVITE\n"
			       "From: sip:user@example.com;tag=11141343\n"
			       "To: sip:user@example.edu;tag=2229\n"
			       "Content-Length: 0\n\n"), SIP_PARSE_OK);
	assert_int_equal(m.status, 200);

	/* §3.1.1.12 unknown scheme and novel scheme Request-URIs: 416, not 400 */
	assert_int_equal(parse("OPTIONS nobodyKnowsThisScheme:totallyopaquecontent SIP/2.0\n"
			       "To: sip:user@example.com\nFrom: sip:caller@example.net;tag=384\n"
			       "Max-Forwards: 3\nCall-ID: unkscm.nasdfasser0q239nwsdfasdkl34\n"
			       "CSeq: 3923423 OPTIONS\nVia: SIP/2.0/TCP host9.example.com;branch=z9hG4bKkdjuw39234\n"
			       "Content-Length: 0\n\n"), SIP_PARSE_OK);
	assert_int_equal(m.ruri.scheme, SIP_URI_OTHER);
	assert_int_equal(parse("OPTIONS soap.beep://192.0.2.103:3002 SIP/2.0\n"
			       "To: sip:user@example.com\nFrom: sip:caller@example.net;tag=384\n"
			       "Call-ID: novelsc.asdfasser0q239nwsdfasdkl34\n"
			       "CSeq: 3923423 OPTIONS\nVia: SIP/2.0/TCP host9.example.com;branch=z9hG4bKkdjuw39234\n"
			       "Content-Length: 0\n\n"), SIP_PARSE_OK);
	assert_pl(m.ruri.scheme_pl, "soap.beep");
	/* §3.1.1.?? dblreq: a second request after Content-Length is ignored */
	assert_int_equal(parse("REGISTER sip:example.com SIP/2.0\n"
			       "To: sip:j.user@example.com\nFrom: sip:j.user@example.com;tag=43251j3j324\n"
			       "Max-Forwards: 8\nI: dblreq.0ha0isndaksdj99sdfafnl3lk233412\n"
			       "Contact: sip:j.user@host.example.com\nCSeq: 8 REGISTER\n"
			       "Via: SIP/2.0/UDP 192.0.2.125;branch=z9hG4bKkdjuw23492\n"
			       "Content-Length: 0\n\n"
			       "INVITE sip:joe@example.com SIP/2.0\nt: sip:joe@example.com\n\n"),
			 SIP_PARSE_OK);
	assert_int_equal(m.body.l, 0);
}

/* §3.1.2 invalid messages */
static void test_invalid(void **state)
{
	(void)state;
	/* ltgtruri, lwsruri, lwsstart, trws */
	expect_error("INVITE <sip:user@example.com> SIP/2.0\n\n", "Malformed Request-URI");
	expect_error("INVITE sip:user@example.com; lr SIP/2.0\n\n", "Malformed request line");
	expect_error("INVITE  sip:user@example.com SIP/2.0\n\n", "Malformed request line");
	expect_error("OPTIONS sip:remote-target@example.com SIP/2.0  \n\n", "Malformed request line");
	/* badvers, bigcode */
	expect_error("OPTIONS sip:t.watson@example.org SIP/7.0\n\n", "Unsupported SIP version");
	expect_error("SIP/2.0 4294967301 better not break the receiver\n\n", "Invalid status code");
	/* scalar02, scalarlg, ncl */
	expect_error("REGISTER sip:example.com SIP/2.0\nVia: SIP/2.0/TCP host129.example.com;branch=z9hG4bK342sdfoi3\n"
		     "To: <sip:user@example.com>\nFrom: <sip:user@example.com>;tag=239232jh3\n"
		     "CSeq: 36893488147419103232 REGISTER\nCall-ID: scalar02.23o0pd9vanlq3wnrlnewofjas9ui32\n"
		     "Max-Forwards: 300\n\n", "Malformed CSeq header (line 5)");
	expect_error("REGISTER sip:example.com SIP/2.0\nVia: SIP/2.0/TCP host129.example.com;branch=z9hG4bK342sdfoi3\n"
		     "To: <sip:user@example.com>\nFrom: <sip:user@example.com>;tag=239232jh3\n"
		     "CSeq: 1 REGISTER\nCall-ID: scalar02.23o0pd9vanlq3wnrlnewofjas9ui32\n"
		     "Max-Forwards: 300\n\n", "Malformed Max-Forwards header (line 7)");
	expect_error("INVITE sip:user@example.com SIP/2.0\nMax-Forwards: 254\n"
		     "To: sip:j.user@example.com\nFrom: sip:caller@example.net;tag=32394234\n"
		     "Call-ID: ncl.0ha0isndaksdj2193423r542w35\nCSeq: 0 INVITE\n"
		     "Via: SIP/2.0/UDP 192.0.2.53;branch=z9hG4bKkdjuw\nContent-Length: -999\n\n",
		     "Malformed Content-Length header (line 8)");
	/* quotbal, baddn, regbadct */
	expect_error("INVITE sip:user@example.com SIP/2.0\nTo: \"Mr. J. User <sip:j.user@example.com>\n"
		     "From: sip:caller@example.net;tag=93334\nMax-Forwards: 10\nCall-ID: quotbal.aksdj\n"
		     "CSeq: 0 INVITE\nVia: SIP/2.0/UDP 192.0.2.59:5050;branch=z9hG4bKkdjuw39234\n\n",
		     "Malformed To header (line 2)");
	expect_error("OPTIONS sip:t.watson@example.org SIP/2.0\nVia: SIP/2.0/UDP c.example.com:5060;branch=z9hG4bKkdjuw\n"
		     "Max-Forwards: 70\nFrom: Bell, Alexander <sip:a.g.bell@example.com>;tag=43\n"
		     "To: Watson, Thomas <sip:t.watson@example.org>\nCall-ID: baddn.31415@c.example.com\n"
		     "CSeq: 31415 OPTIONS\n\n", "Malformed From header (line 4)");
	expect_error("OPTIONS sip:h SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\n"
		     "To: sip:user@example.com?Route=%3Csip:sip.example.com%3E\n"
		     "From: <sip:b@h>;tag=1\nCall-ID: c\nCSeq: 1 OPTIONS\n\n", "Malformed To header (line 3)");
	/* mismatch01, badbranch-like, insuf, clerr, multi01 */
	expect_error("OPTIONS sip:user@example.com SIP/2.0\nTo: sip:j.user@example.com\n"
		     "From: sip:caller@example.net;tag=34525\nMax-Forwards: 6\nCall-ID: mismatch01.dj0234sxdfl3\n"
		     "CSeq: 8 INVITE\nVia: SIP/2.0/UDP host.example.com;branch=z9hG4bKkdjuw\nl: 0\n\n",
		     "CSeq method does not match request method (line 6)");
	expect_error("INVITE sip:user@example.com SIP/2.0\nCSeq: 193942 INVITE\n"
		     "Via: SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKkdj.insuf\n"
		     "Content-Type: application/sdp\nl: 0\n\n", "Missing From header");
	expect_error("INVITE sip:user@example.com SIP/2.0\nMax-Forwards: 6\nTo: sip:j.user@example.com\n"
		     "From: sip:caller@example.net;tag=42342342\nCall-ID: clerr.0ha0isndaksdjweiafasdk3\n"
		     "CSeq: 8 INVITE\nVia: SIP/2.0/UDP host5.example.com;branch=z9hG4bK-39234-23523\n"
		     "Content-Type: application/sdp\nContent-Length: 9999\n\nv=0\n",
		     "Content-Length exceeds body");
	expect_error("INVITE sip:user@company.com SIP/2.0\nContact: <sip:caller@host25.example.net>\n"
		     "Via: SIP/2.0/UDP 192.0.2.25;branch=z9hG4bKkdjuw\nMax-Forwards: 70\n"
		     "CSeq: 5 INVITE\nCall-ID: multi01.98asdh@192.0.2.1\nCSeq: 59 INVITE\n"
		     "Call-ID: multi01.98asdh@192.0.2.2\nFrom: sip:caller@example.com;tag=3413415\n"
		     "To: sip:user@example.com\nTo: sip:other@example.net\n"
		     "From: sip:caller@example.net;tag=2923420123\n\n",
		     "Duplicate From header with different value (line 12)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wsinv),
		cmocka_unit_test(test_intmeth),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_various_valid),
		cmocka_unit_test(test_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
