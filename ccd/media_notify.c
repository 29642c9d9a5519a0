/*
 * media_notify.c - rtpengine's media timeout callbacks (--rtpp-notify).
 *
 * rtpengine tears a call down when no RTP arrived for --timeout seconds
 * and then calls its --b2b-url over XML-RPC (docs/rtpengine.md):
 *
 *   --xmlrpc-format=1  teardown(<call-id>)
 *   --xmlrpc-format=2  dlg.terminate_dlg(<call-id>, <from-tag>, <to-tag>)
 *
 * ccd listens on host:port (rtpengine --b2b-url=http://host:port/) and
 * takes the call-id, which is the media session's "<Call-ID>-<serial>"
 * (media.h), to media_timeout_notify(). The request is tiny and bounded;
 * anything else gets a fault or 400. The parser is minimal on purpose: it
 * reads what rtpengine's XML-RPC client writes, not XML at large.
 */
#include "media.h"

#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "ccd.h"
#include "log.h"
#include "metrics.h"

#define NOTIFY_BODY_MAX 8192
#define CALL_ID_MAX	600

/* The text between <tag> and </tag> after from, or PL_NULL. */
static struct pl element(struct pl doc, const char *tag, const char **after)
{
	char open[32], close[32];
	const char *s, *e;

	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	if (!(s = memmem(doc.p, doc.l, open, strlen(open))))
		return PL_NULL;
	s += strlen(open);
	if (!(e = memmem(s, (size_t)(pl_end(doc) - s), close, strlen(close))))
		return PL_NULL;
	if (after)
		*after = e + strlen(close);
	return pl_from(s, (size_t)(e - s));
}

/* XML's five entities and numeric ones below 128 into out; false when
 * it does not fit or has something else. */
static bool unescape(struct pl in, char *out, size_t cap, size_t *len)
{
	static const struct {
		const char *ent;
		char c;
	} ents[] = { { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' }, { "&apos;", '\'' } };
	size_t n = 0;

	for (size_t i = 0; i < in.l;) {
		char c = in.p[i];
		size_t used = 1;

		if (c == '&') {
			size_t k;

			for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++) {
				size_t el = strlen(ents[k].ent);

				if (in.l - i >= el && memcmp(in.p + i, ents[k].ent, el) == 0) {
					c = ents[k].c;
					used = el;
					break;
				}
			}
			if (k == sizeof(ents) / sizeof(ents[0]))
				return false;
		}
		if (n + 1 >= cap || (unsigned char)c < 0x20)
			return false;
		out[n++] = c;
		i += used;
	}
	out[n] = '\0';
	*len = n;
	return true;
}

/*
 * The method and its first parameter as a string:
 *   <methodCall><methodName>M</methodName><params><param><value>
 *   [<string>]P[</string>]</value></param>...
 */
static int parse_call(struct pl doc, struct pl *method, char *arg, size_t cap, size_t *len)
{
	const char *after;
	struct pl v, s;

	*method = pl_trim(element(doc, "methodName", &after));
	if (!method->p)
		return -1;
	v = element(pl_after(doc, after), "value", NULL);
	if (!v.p)
		return -1;
	s = element(v, "string", NULL);
	return unescape(pl_trim(s.p ? s : v), arg, cap, len) ? 0 : -1;
}

static void reply(struct evhttp_request *req, int code, const char *text)
{
	struct evbuffer *out = evhttp_request_get_output_buffer(req);

	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/xml");
	if (code == 200)
		evbuffer_add_printf(out, "<?xml version=\"1.0\"?>\r\n<methodResponse><params><param><value><string>"
					 "%s</string></value></param></params></methodResponse>\r\n", text);
	else
		evbuffer_add_printf(out, "<?xml version=\"1.0\"?>\r\n<methodResponse><fault><value><struct><member>"
					 "<name>faultCode</name><value><int>%d</int></value></member><member>"
					 "<name>faultString</name><value><string>%s</string></value></member>"
					 "</struct></value></fault></methodResponse>\r\n", code, text);
	/* XML-RPC faults travel with HTTP 200; only a non-request is 400. */
	evhttp_send_reply(req, code == 400 ? 400 : 200, code == 400 ? "Bad Request" : "OK", out);
}

static void on_request(struct evhttp_request *req, void *arg)
{
	struct ccd *cd = arg;
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t blen = evbuffer_get_length(in), len = 0;
	char body[NOTIFY_BODY_MAX + 1], call_id[CALL_ID_MAX];
	struct pl method;

	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST || blen == 0 || blen > NOTIFY_BODY_MAX) {
		reply(req, 400, "POST an XML-RPC call");
		return;
	}
	evbuffer_copyout(in, body, blen);
	body[blen] = '\0';
	if (parse_call(pl_from(body, blen), &method, call_id, sizeof(call_id), &len) < 0) {
		LOGW(PL_NULL, "rtpp-notify: a request that is no XML-RPC call with a call-id");
		reply(req, 400, "not an XML-RPC call with a call-id");
		return;
	}
	if (!pl_eq_str(method, "teardown") && !pl_eq_str(method, "dlg.terminate_dlg")) {
		LOGW(PL_NULL, "rtpp-notify: unknown method '%.*s'", (int)(method.l > 40 ? 40 : method.l), method.p);
		reply(req, 1, "unknown method");
		return;
	}
	/* rtpengine's XML-RPC client retries on a fault; "not found" is
	 * no reason to (the call ended on its own meanwhile). */
	if (media_timeout_notify(cd, pl_from(call_id, len)) == 0)
		reply(req, 200, "dialog not found");
	else
		reply(req, 200, "ok");
}

struct evhttp *media_notify_listen(struct ccd *cd, const char *hostport, char *err, size_t errsz)
{
	struct evhttp *http;
	char host[256], why[160];
	uint16_t port;

	if (metrics_parse_hostport(hostport, host, sizeof(host), &port, why, sizeof(why)) < 0) {
		snprintf(err, errsz, "invalid --rtpp-notify: %s", why);
		return NULL;
	}
	if (!(http = evhttp_new(cd->base))) {
		snprintf(err, errsz, "no memory for --rtpp-notify");
		return NULL;
	}
	if (evhttp_bind_socket(http, host, port) < 0) {
		snprintf(err, errsz, "cannot listen for media timeouts on %s", hostport);
		evhttp_free(http);
		return NULL;
	}
	evhttp_set_max_body_size(http, NOTIFY_BODY_MAX);
	evhttp_set_allowed_methods(http, EVHTTP_REQ_POST | EVHTTP_REQ_GET);
	evhttp_set_gencb(http, on_request, cd);
	LOGI(PL_NULL, "media timeouts from rtpengine on http://%s/ (--b2b-url, --xmlrpc-format=1)", hostport);
	return http;
}
