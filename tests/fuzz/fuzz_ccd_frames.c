/*
 * fuzz_ccd_frames.c - arbitrary frames from several sigd nodes into ccd's
 * real nodes.c and call.c (through zlink and the fake ZeroMQ ROUTER of
 * fuzz_fake.h), with heartbeat, silence and linger timers moved by the
 * fake clock.
 *
 * Input: byte 0 picks ccd's static route (host, cld@host with
 * credentials, sip-ua, IPv6 with cli/cnam, "@host", wss-ua); then records
 * [op][len: 2 bytes LE][payload]:
 *   op % 4 == 0  the payload is one frame from node (op >> 2) % 4
 *   op % 4 == 1  time passes (payload[0] picks 1 ms .. 128 s)
 *   op % 4 == 2  one message from a node, built from the payload's bytes
 *                (fz_node_msg: Hello, Heartbeat, TRY, events and LegClosed
 *                for answer legs or for the originate legs ccd created)
 *   op % 4 == 3  as 0 (frames are what this target is about)
 * The nodes are "edge1", "edge2", "n3" and "\0zq" (a binary routing id,
 * as ZeroMQ makes for peers that set none).
 *
 * Checked: after every record, the calls gauge equals the calls there are
 * and only ending calls may have lost their answer leg; every frame ccd
 * sends unpacks and holds only what ccd may send (Welcome, Heartbeat,
 * events, Originate with bit 63, DropLeg, ListRequest); at the end every
 * node falls silent and, once ccd has noticed, no call may be left (nodes
 * lost end their calls; lingering ones are dropped).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_fake.h"

#include "ccd/call.h"
#include "ccd/ccd.h"
#include "ccd/nodes.h"
#include "ccd/route.h"
#include "log.h"
#include "tandem.pb-c.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N_NODES 4
#define N_ROUTES 6
#define STEP_MS 250
#define BUDGET 3000		/* clock steps per input */
#define HEARTBEAT_MS 1000
#define LINGER_MS 20000
#define LEG_BIT (1ULL << 63)

static const char *const route_str[N_ROUTES] = {
	"127.0.0.1:5070",
	"555@127.0.0.1:5070;auth=user:pass;credit-time=60",
	"sip-ua",
	"[::1]:5080;cli=123;cnam=Fuzz%20Name;expires=30",
	"@127.0.0.1",
	"wss-ua",
};

static const struct {
	const char *id;
	size_t len;
} node_ids[N_NODES] = {
	{ "edge1", 5 },
	{ "edge2", 5 },
	{ "n3", 2 },
	{ "\0zq", 3 },
};

static struct {
	struct event_base *base;
	struct route routes[N_ROUTES];
	bool route_ok[N_ROUTES];
	struct ccd cd;
	unsigned budget;
	/* the originate legs ccd created, per node (the last four) */
	uint64_t originated[N_NODES][4];
	unsigned n_originated[N_NODES];
} F;

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_ccd_frames: %s\n", what);
	abort();
}

static int node_of(const uint8_t *peer, size_t len)
{
	for (int i = 0; i < N_NODES; i++)
		if (len == node_ids[i].len && memcmp(peer, node_ids[i].id, len) == 0)
			return i;
	return -1;
}

/* Everything ccd sends, checked as it leaves. */
static int ccd_out(struct fz_zsock *s, const uint8_t *peer, size_t peer_len, const uint8_t *data,
		   size_t len)
{
	int node = node_of(peer, peer_len);
	Tandem__Frame *f;

	if (s->type != ZMQ_ROUTER)
		fail("ccd sent on a socket other than its ROUTER");
	if (node < 0)
		return -1;	/* no such peer: ZMQ_ROUTER_MANDATORY says so */
	if (!(f = tandem__frame__unpack(NULL, len, data)))
		fail("ccd sent a frame that does not unpack");
	for (size_t i = 0; i < f->n_messages; i++) {
		const Tandem__Message *m = f->messages[i];

		switch (m->body_case) {
		case TANDEM__MESSAGE__BODY_WELCOME:
		case TANDEM__MESSAGE__BODY_HEARTBEAT:
			break;
		case TANDEM__MESSAGE__BODY_EVENT:
			if (!m->event->leg || m->event->type <= TANDEM__EVENT_TYPE__TRY ||
			    m->event->type > TANDEM__EVENT_TYPE__REDIRECT || m->event->try_)
				fail("ccd sent an event sigd must refuse");
			break;
		case TANDEM__MESSAGE__BODY_ORIGINATE:
			if (!(m->originate->leg & LEG_BIT) || !m->originate->call_id[0] ||
			    !m->originate->request_uri[0] || !m->originate->target)
				fail("ccd sent an Originate sigd must refuse");
			F.originated[node][F.n_originated[node]++ % 4] = m->originate->leg;
			break;
		case TANDEM__MESSAGE__BODY_DROP:
			if (!m->drop->leg)
				fail("ccd dropped leg 0");
			break;
		case TANDEM__MESSAGE__BODY_LIST_REQUEST:
			break;
		default:
			fail("ccd sent a message only sigd sends");
		}
	}
	tandem__frame__free_unpacked(f, NULL);
	return 0;
}

/* One frame from node i, through the fake ROUTER into nodes.c. */
static void frame_in(int i, const void *data, size_t len)
{
	struct fz_zsock *router = fz_zmq_find(ZMQ_ROUTER);

	if (!router)
		abort();
	fz_zmq_push(router, node_ids[i].id, node_ids[i].len, true);
	fz_zmq_push(router, data, len, false);
	fz_run(F.base);
}

static void message_in(int i, Tandem__Message *m)
{
	Tandem__Frame f = TANDEM__FRAME__INIT;
	uint8_t *buf;
	size_t n;

	f.messages = &m;
	f.n_messages = 1;
	n = tandem__frame__get_packed_size(&f);
	if (!(buf = malloc(n ? n : 1)))
		abort();
	tandem__frame__pack(&f, buf);
	frame_in(i, buf, n);
	free(buf);
}

static uint8_t byte_at(const uint8_t *p, size_t n, size_t i)
{
	return i < n ? p[i] : 0;
}

/* Answer legs 1-4, or the originate legs ccd created on node i. */
static uint64_t leg_sel(int i, uint8_t b)
{
	if (b == 0xff)
		return 0;
	if (b == 0xfe)
		return 0x123456789ULL;
	if (b & 4)
		return F.n_originated[i] ? F.originated[i][(b & 3) % (F.n_originated[i] < 4 ? F.n_originated[i] : 4)]
					 : LEG_BIT | (uint64_t)(1 + (b & 3));
	return 1 + (uint64_t)(b & 3);
}

static const uint32_t codes[] = {
	0, 100, 180, 183, 200, 299, 300, 302, 401, 407, 486, 487, 500, 503, 603, 699, 99, 700,
};

/*
 * A message a node could send (or almost): Hello (right or wrong id,
 * protocol, instance, listen address, leg list), Heartbeat, TRY with
 * sound or broken details, an event or LegClosed for a leg, a ListReply
 * nobody asked for, or a message only ccd sends.
 */
static void node_msg(const uint8_t *p, size_t n)
{
	static char sdp[] = "v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
			    "m=audio 6000 RTP/AVP 0\r\n";
	static char app_sdp[] = "application/sdp", ver[] = "0.1.0", bogus[] = "bogus", h4[] = "127.0.0.1";
	static char any[] = "0.0.0.0", c1[] = "c1", cid_ok[] = "c1@fz", cid_bad[] = "c 1", alice[] = "alice";
	static char bob[] = "bob", bad_user[] = "bo@b", name[] = "Alice \"A\"", bad_name[] = "Al\nice";
	static char ruri[] = "sip:bob@127.0.0.1", from[] = "sip:alice@127.0.0.1", dns[] = "example.com";
	static char reason[] = "Busy Here", bad_reason[] = "Busy\r\nHere", x_h[] = "X-H", v[] = "v";
	static char bad_h[] = "X H", ch[] = "Digest realm=\"r\"", ct[] = "sip:c@127.0.0.1:5071";
	static char xfer[] = "sip:x@127.0.0.1", warn[] = "399 x \"w\"", sipp[] = "SIP", txt[] = "t";
	static char idbuf[N_NODES][8];
	int i = byte_at(p, n, 0) & 3;
	uint8_t a = byte_at(p, n, 1), b = byte_at(p, n, 4);
	Tandem__Message m = TANDEM__MESSAGE__INIT;
	Tandem__Hello h = TANDEM__HELLO__INIT;
	Tandem__Address listen = TANDEM__ADDRESS__INIT, src = TANDEM__ADDRESS__INIT, loc = TANDEM__ADDRESS__INIT;
	Tandem__Address *listenp = &listen;
	Tandem__LegSummary ls[3] = { TANDEM__LEG_SUMMARY__INIT, TANDEM__LEG_SUMMARY__INIT,
				     TANDEM__LEG_SUMMARY__INIT };
	Tandem__LegSummary *lsp[3] = { &ls[0], &ls[1], &ls[2] };
	Tandem__Heartbeat hb = TANDEM__HEARTBEAT__INIT;
	Tandem__LegEvent ev = TANDEM__LEG_EVENT__INIT;
	Tandem__TryInfo t = TANDEM__TRY_INFO__INIT;
	Tandem__Body body = TANDEM__BODY__INIT;
	Tandem__Header hdr = TANDEM__HEADER__INIT, *hdrp = &hdr;
	Tandem__Reason rh = TANDEM__REASON__INIT;
	Tandem__LegClosed lc = TANDEM__LEG_CLOSED__INIT;
	Tandem__Welcome w = TANDEM__WELCOME__INIT;
	Tandem__ListReply lr = TANDEM__LIST_REPLY__INIT;
	Tandem__TransactionSummary ts = TANDEM__TRANSACTION_SUMMARY__INIT, *tsp = &ts;
	char *chp[] = { ch }, *ctp[] = { ct };

	body.content_type = app_sdp;
	body.content.data = (uint8_t *)sdp;
	body.content.len = strlen(sdp);
	switch ((byte_at(p, n, 0) >> 2) % 7) {
	case 0:
		memcpy(idbuf[i], node_ids[i].id, node_ids[i].len);
		idbuf[i][node_ids[i].len] = '\0';
		h.node_id = a & 1 ? bogus : idbuf[i];
		h.version = ver;
		h.protocol = a & 2 ? 2 : 1;
		h.instance = 0xabc0 + (uint64_t)i + (a & 4 ? 0x100 : 0);
		listen.transport = TANDEM__TRANSPORT__UDP;
		listen.host = a & 8 ? h4 : any;
		listen.port = 5060;
		h.listen = &listenp;
		h.n_listen = a & 16 ? 0 : 1;
		ls[0].leg = 1;
		ls[0].call_id = c1;
		ls[0].uas = true;
		ls[1].leg = leg_sel(i, 4);
		ls[1].call_id = c1;
		ls[2].leg = 77;
		ls[2].call_id = c1;
		h.legs = lsp;
		h.n_legs = a & 32 ? 3 : 0;
		m.body_case = TANDEM__MESSAGE__BODY_HELLO;
		m.hello = &h;
		break;
	case 1:
		hb.instance = 0xabc0 + (uint64_t)i + (a & 1 ? 0x100 : 0);
		hb.legs = byte_at(p, n, 2);
		m.body_case = TANDEM__MESSAGE__BODY_HEARTBEAT;
		m.heartbeat = &hb;
		break;
	case 2:
		ev.leg = leg_sel(i, a);
		ev.type = TANDEM__EVENT_TYPE__TRY;
		t.call_id = b & 1 ? cid_bad : cid_ok;
		t.cli = alice;
		t.cld = b & 2 ? bad_user : bob;
		t.caller_name = b & 4 ? bad_name : name;
		t.callee_name = name;
		t.request_uri = ruri;
		t.from_uri = from;
		t.to_uri = ruri;
		src.transport = TANDEM__TRANSPORT__UDP;
		src.host = b & 8 ? dns : h4;
		src.port = b & 16 ? 70000 : 40001;
		loc.host = h4;
		loc.port = 5060;
		t.source = b & 32 ? NULL : &src;
		t.local = &loc;
		t.max_forwards = byte_at(p, n, 2);
		ev.try_ = b & 64 ? NULL : &t;
		ev.body = byte_at(p, n, 3) & 1 ? &body : NULL;
		m.body_case = TANDEM__MESSAGE__BODY_EVENT;
		m.event = &ev;
		break;
	case 3:
		ev.leg = leg_sel(i, a);
		ev.type = (Tandem__EventType)(byte_at(p, n, 2) % 11);
		ev.code = codes[byte_at(p, n, 3) % (sizeof(codes) / sizeof(codes[0]))];
		ev.body = b & 1 ? &body : NULL;
		ev.reason = b & 2 ? bad_reason : reason;
		if (b & 4) {
			hdr.name = b & 8 ? bad_h : x_h;
			hdr.value = v;
			ev.extra_headers = &hdrp;
			ev.n_extra_headers = 1;
		}
		if (b & 16) {
			rh.protocol = sipp;
			rh.cause = 486;
			rh.text = txt;
			ev.reason_header = &rh;
		}
		if (b & 32) {
			ev.challenges = chp;
			ev.n_challenges = 1;
			ev.contacts = ctp;
			ev.n_contacts = 1;
		}
		if (b & 64)
			ev.transfer_to = xfer;
		if (b & 128)
			ev.warning = warn;
		ev.origin = (Tandem__Origin)(byte_at(p, n, 5) % 5);
		m.body_case = TANDEM__MESSAGE__BODY_EVENT;
		m.event = &ev;
		break;
	case 4:
		lc.leg = leg_sel(i, a);
		lc.last_state = (Tandem__LegState)(byte_at(p, n, 2) % 10);
		m.body_case = TANDEM__MESSAGE__BODY_CLOSED;
		m.closed = &lc;
		break;
	case 5:
		/* an answer to a ListRequest ccd never sent */
		ls[0].leg = 1;
		ls[0].state = TANDEM__LEG_STATE__LEG_UPDATING;
		ls[0].reinvite_sent = true;
		ls[1].leg = leg_sel(i, 4);
		ls[1].state = (Tandem__LegState)(byte_at(p, n, 2) % 11);
		ls[2].leg = 0;
		ts.method = bogus;
		ts.call_id = c1;
		lr.request_id = a;
		lr.last = b & 1;
		lr.truncated = b & 2;
		lr.legs = lsp;
		lr.n_legs = b & 4 ? 3 : 0;
		lr.transactions = &tsp;
		lr.n_transactions = b & 8 ? 1 : 0;
		m.body_case = TANDEM__MESSAGE__BODY_LIST_REPLY;
		m.list_reply = &lr;
		break;
	default:
		if (a & 1) {
			m.body_case = TANDEM__MESSAGE__BODY_WELCOME;
			m.welcome = &w;
		}
		break;
	}
	message_in(i, &m);
}

static void setup_once(void)
{
	struct route_error rerr;
	char err[256];

	if (F.base)
		return;
	setenv("SIPLOG_BEND", "file", 0);
	setenv("SIPLOG_LOGFILE_FILE", "/dev/null", 0);
	setenv("SIPLOG_LVL", "DBUG", 0);
	if (log_init("fuzz") < 0)
		abort();
	if (!(F.base = event_base_new()))
		abort();
	for (int i = 0; i < N_ROUTES; i++)
		F.route_ok[i] = route_parse(&F.routes[i], pl_from_str(route_str[i]), &rerr) == 0 &&
				(F.routes[i].dest != ROUTE_DEST_HOST ||
				 route_resolve(&F.routes[i], err, sizeof(err)) == 0);
	fz_zmq_deliver = ccd_out;
}

static void count_live(struct node *nd, void *arg)
{
	(void)nd;
	++*(size_t *)arg;
}

/* A call that is not ending has its answer leg: losing it ends the call. */
static void check_call(const struct call_view *v, void *arg)
{
	if (strcmp(v->state, "Disconnecting") != 0 && (!v->a.present || !v->a.open)) {
		fprintf(stderr, "fuzz_ccd_frames: call %llu in %s without its answer leg\n",
			(unsigned long long)v->id, v->state);
		abort();
	}
	++*(size_t *)arg;
}

/* The gauge counts the calls there are; the ending ones are among them. */
static void check_calls(void)
{
	size_t n = 0, active, ending;

	calls_foreach(&F.cd, check_call, &n);
	calls_count(&F.cd, &active, &ending);
	if (n != F.cd.stats.calls_active || ending > n) {
		fprintf(stderr, "fuzz_ccd_frames: %zu calls, gauge %llu, %zu ending\n", n,
			(unsigned long long)F.cd.stats.calls_active, ending);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_reader r;
	const uint8_t *p;
	size_t n, active, ending, live = 0;
	const uint32_t drain_ms = 2 * (CCD_HEARTBEAT_MISSES + 1) * HEARTBEAT_MS + LINGER_MS;
	unsigned drain_steps = drain_ms / STEP_MS;
	char err[256];
	uint8_t op;
	int route;

	fz_clock_on = true;
	setup_once();
	memset(&F.cd, 0, sizeof(F.cd));
	memset(F.n_originated, 0, sizeof(F.n_originated));
	F.budget = BUDGET;
	F.cd.base = F.base;
	F.cd.zctx = zmq_ctx_new();
	F.cd.cfg.bind = "inproc://ccd";
	F.cd.cfg.auth_disabled = true;
	F.cd.instance = 0;	/* originate leg ids 2^63+1, +2... */
	F.cd.heartbeat_ms = HEARTBEAT_MS;
	F.cd.linger_ms = LINGER_MS;
	route = size ? data[0] % N_ROUTES : 0;
	if (F.route_ok[route])
		F.cd.static_route = F.routes[route];
	if (calls_init(&F.cd) < 0 || nodes_open(&F.cd, err, sizeof(err)) < 0)
		fail("setup");
	fz_run(F.base);

	r.p = size ? data + 1 : data;
	r.left = size ? size - 1 : 0;
	while (fz_next(&r, &op, &p, &n)) {
		switch (op % 4) {
		case 1: {
			static const uint32_t ms[] = { 1, 20, 100, 500, 1000, 2000, 4000, 8000,
						       16000, 32000, 64000, 128000 };

			fz_advance(F.base, ms[(n ? p[0] : 0) % (sizeof(ms) / sizeof(ms[0]))], STEP_MS, &F.budget);
			break;
		}
		case 2:
			node_msg(p, n);
			break;
		default:
			frame_in((op >> 2) % N_NODES, p, n);
			break;
		}
		check_calls();
	}

	/* Every node falls silent: ccd must end all their calls, and
	 * calls waiting for LegClosed give up after the linger time. */
	fz_advance(F.base, drain_ms, STEP_MS, &drain_steps);
	calls_count(&F.cd, &active, &ending);
	nodes_foreach(&F.cd, count_live, &live);
	if (active || ending || live || nodes_live(&F.cd)) {
		fprintf(stderr, "fuzz_ccd_frames: %zu calls, %zu ending, %zu nodes live after the nodes went silent\n",
			active, ending, live);
		abort();
	}
	calls_free(&F.cd);
	nodes_close(&F.cd);
	fz_run(F.base);
	if (!fz_zmq_all_closed())
		fail("a ZeroMQ socket was left open");
	fz_clock_on = false;
	return 0;
}
