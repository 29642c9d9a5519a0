/*
 * control.c - the control socket (control.h): the listener, one
 * bufferevent per client, the commands, and the lists gathered from the
 * sigd nodes.
 *
 * A client is a small state machine driven by its bufferevent: lines are
 * taken from its input one at a time while it is not waiting for a list,
 * not closing, and its unread output is below CONTROL_OUTPUT_HIGH. Its
 * input is bounded by the bufferevent's read watermark, so a client that
 * stops reading, or floods us, costs a bounded amount of memory.
 */
#include "control.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "call.h"
#include "ccd.h"
#include "log.h"
#include "nodes.h"
#include "radius.h"

#define CONTROL_BACKLOG		16
#define CONTROL_INPUT_MAX	(4 * CONTROL_LINE_MAX)	/* read watermark */
#define CONTROL_ACCEPT_PAUSE_MS	1000	/* after an accept error (out of fds) */

struct ctl_gather;

struct ctl_client {
	struct ctl_client *prev, *next;
	struct control *ctl;
	struct bufferevent *bev;
	struct ctl_gather *gather;	/* the list it waits for */
	struct ctl_client *gnext;	/* in gather->waiting */
	bool paused;			/* not read: too much unread output */
	bool eof;			/* the peer shut down its side */
	bool closing;			/* closed once the output is written */
	bool discarding;		/* inside an over-long line */
};

/* One list being gathered from the nodes (l, lt or llt). */
struct ctl_gather {
	struct ctl_gather *next;
	struct control *ctl;
	enum control_cmd_kind kind;
	uint64_t request_id;
	uint32_t gen;			/* l: the UA states noted with it */
	struct event *timer;
	size_t n_asked, n_done;
	uint64_t asked[NODES_LIVE_MAX];	/* node serials */
	bool done[NODES_LIVE_MAX];
	struct evbuffer *lines[2];	/* lt, llt: server, client transactions */
	size_t text;
	bool truncated;
	struct ctl_client *waiting;
};

struct control_stats {
	uint64_t accepted, refused, commands, errors, lists, list_timeouts;
};

struct control {
	struct ccd *cd;
	struct control_spec spec;
	struct evconnlistener *lev;
	struct event *resume_ev;	/* re-enables the listener after an accept error */
	bool own_path;			/* unix: the socket file we made */
	dev_t dev;
	ino_t ino;
	struct ctl_client *clients;
	size_t n_clients;
	struct ctl_gather *gathers;
	uint64_t next_request;
	uint32_t next_gen;
	struct control_stats stats;
};

static void process_input(struct ctl_client *c);

/* ---------------------------------------------------------------- output helpers */

static struct evbuffer *out_of(struct ctl_client *c)
{
	return bufferevent_get_output(c->bev);
}

static void reply(struct ctl_client *c, const char *line)
{
	evbuffer_add_printf(out_of(c), "%s\n", line);
}

/* One whitespace-free column: what a node sent is shown, never trusted
 * to keep the line's shape (blanks and control bytes become '?'); an
 * empty value is "-". */
static void add_token(struct evbuffer *b, struct pl s)
{
	char buf[256];
	size_t n = 0;

	if (s.l == 0) {
		evbuffer_add(b, "-", 1);
		return;
	}
	for (size_t i = 0; i < s.l; i++) {
		unsigned char ch = (unsigned char)s.p[i];

		buf[n++] = (ch > ' ' && ch < 0x7f) ? (char)ch : '?';
		if (n == sizeof(buf)) {
			evbuffer_add(b, buf, n);
			n = 0;
		}
	}
	evbuffer_add(b, buf, n);
}

static void add_hostport(struct evbuffer *b, const char *host, unsigned port)
{
	bool v6 = strchr(host, ':') != NULL;

	evbuffer_add_printf(b, "udp:%s", v6 ? "[" : "");
	add_token(b, pl_from_str(host));
	evbuffer_add_printf(b, "%s:%u", v6 ? "]" : "", port);
}

/* ---------------------------------------------------------------- clients */

static void client_free(struct ctl_client *c)
{
	struct control *ctl = c->ctl;

	if (c->gather) {
		struct ctl_client **pp = &c->gather->waiting;

		while (*pp && *pp != c)
			pp = &(*pp)->gnext;
		if (*pp)
			*pp = c->gnext;
	}
	if (c->prev)
		c->prev->next = c->next;
	else
		ctl->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	ctl->n_clients--;
	bufferevent_free(c->bev);
	free(c);
}

/* q, or the end of the input: the client goes once it has its answers
 * (on_write frees it, from the loop: never under a caller's feet). */
static void close_when_flushed(struct ctl_client *c)
{
	c->closing = true;
	bufferevent_disable(c->bev, EV_READ);
	bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
	if (evbuffer_get_length(out_of(c)) == 0)
		bufferevent_trigger(c->bev, EV_WRITE, BEV_TRIG_IGNORE_WATERMARKS | BEV_TRIG_DEFER_CALLBACKS);
}

static void on_write(struct bufferevent *bev, void *arg)
{
	struct ctl_client *c = arg;

	(void)bev;
	if (c->closing) {
		if (evbuffer_get_length(out_of(c)) == 0)
			client_free(c);
		return;
	}
	if (c->paused) {
		c->paused = false;
		bufferevent_enable(c->bev, EV_READ);
		process_input(c);
	}
}

static void on_read(struct bufferevent *bev, void *arg)
{
	(void)bev;
	process_input(arg);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	struct ctl_client *c = arg;

	(void)bev;
	if (what & BEV_EVENT_ERROR) {
		client_free(c);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		c->eof = true;
		process_input(c);
	}
}

static void on_accept(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg)
{
	static const char busy[] = "ERROR: too many connections\n";
	struct control *ctl = arg;
	struct ctl_client *c;

	(void)lev;
	(void)sa;
	(void)salen;
	if (ctl->n_clients >= CONTROL_CLIENTS_MAX || !(c = calloc(1, sizeof(*c)))) {
		ctl->stats.refused++;
		if (send(fd, busy, sizeof(busy) - 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
			LOGD(PL_NULL, "control: refused a connection");
		evutil_closesocket(fd);
		return;
	}
	c->ctl = ctl;
	evutil_make_socket_nonblocking(fd);
	c->bev = bufferevent_socket_new(ctl->cd->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!c->bev) {
		ctl->stats.refused++;
		evutil_closesocket(fd);
		free(c);
		return;
	}
	bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
	bufferevent_setwatermark(c->bev, EV_READ, 0, CONTROL_INPUT_MAX);
	bufferevent_setwatermark(c->bev, EV_WRITE, CONTROL_OUTPUT_LOW, 0);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	c->next = ctl->clients;
	if (ctl->clients)
		ctl->clients->prev = c;
	ctl->clients = c;
	ctl->n_clients++;
	ctl->stats.accepted++;
}

/* Out of file descriptors, say: pause accepting instead of spinning. */
static void on_accept_error(struct evconnlistener *lev, void *arg)
{
	struct control *ctl = arg;
	struct timeval tv = { CONTROL_ACCEPT_PAUSE_MS / 1000, (CONTROL_ACCEPT_PAUSE_MS % 1000) * 1000 };

	LOGW(PL_NULL, "control: accept failed (%s): pausing for %d ms", strerror(errno), CONTROL_ACCEPT_PAUSE_MS);
	evconnlistener_disable(lev);
	evtimer_add(ctl->resume_ev, &tv);
}

static void on_resume(evutil_socket_t fd, short what, void *arg)
{
	struct control *ctl = arg;

	(void)fd;
	(void)what;
	evconnlistener_enable(ctl->lev);
}

/* ---------------------------------------------------------------- l */

struct call_list {
	struct evbuffer *out;
	uint32_t gen;
	size_t total;
};

static void add_leg(struct evbuffer *b, const struct call_view_leg *l, bool uas, uint32_t gen)
{
	const char *state = NULL;

	if (!l->present) {
		evbuffer_add(b, "N/A", 3);
		return;
	}
	if (!l->open)
		state = "Dead";
	else if (l->ua_gen == gen)
		state = control_ua_sname(l->ua_state, uas, l->ua_reinvite_sent);
	evbuffer_add_printf(b, "%s ", state ? state : "Unknown");
	add_hostport(b, l->host, l->port);
	evbuffer_add(b, " ", 1);
	add_token(b, l->cli);
	evbuffer_add(b, " ", 1);
	add_token(b, l->cld);
}

/* Sippy's line: "<call-id>: <state> (<uaA> -> <uaO>)", each UA as
 * "<sname> <transport>:<host>:<port> <calling> <called>" or "N/A". */
static void add_call(const struct call_view *v, void *arg)
{
	struct call_list *cl = arg;

	add_token(cl->out, v->call_id);
	evbuffer_add_printf(cl->out, ": %s (", v->state);
	add_leg(cl->out, &v->a, true, cl->gen);
	evbuffer_add(cl->out, " -> ", 4);
	add_leg(cl->out, &v->o, false, cl->gen);
	evbuffer_add(cl->out, ")\n", 2);
	cl->total++;
}

static void write_calls(struct ctl_client *c, uint32_t gen)
{
	struct call_list cl = { out_of(c), gen, 0 };

	evbuffer_add_printf(cl.out, "In-memory calls:\n");
	calls_foreach(c->ctl->cd, add_call, &cl);
	evbuffer_add_printf(cl.out, "Total: %zu\n", cl.total);
}

/* ---------------------------------------------------------------- lt, llt */

static void write_tsx(struct ctl_client *c, struct ctl_gather *g)
{
	struct evbuffer *out = out_of(c);

	evbuffer_add_printf(out, "In-memory server transactions:\n");
	evbuffer_add_buffer_reference(out, g->lines[0]);
	evbuffer_add_printf(out, "In-memory client transactions:\n");
	evbuffer_add_buffer_reference(out, g->lines[1]);
}

/* Sippy's "<tid> <method> <state>" (llt: and the age in seconds); the
 * tid here is node:Call-ID:CSeq:branch. */
static void note_tsx(struct ctl_gather *g, const struct node *n, const Tandem__TransactionSummary *t)
{
	struct evbuffer *b = g->lines[t->server ? 0 : 1];
	size_t before = evbuffer_get_length(b);

	if (g->text >= CONTROL_TSX_TEXT_MAX) {
		g->truncated = true;
		return;
	}
	add_token(b, node_id(n));
	evbuffer_add(b, ":", 1);
	add_token(b, pl_from_str(t->call_id));
	evbuffer_add_printf(b, ":%u:", t->cseq);
	add_token(b, pl_from_str(t->branch));
	evbuffer_add(b, " ", 1);
	add_token(b, pl_from_str(t->method));
	evbuffer_add_printf(b, " %s", control_tsx_state_name(t->state));
	if (g->kind == CONTROL_CMD_LIST_OLD_TSX)
		evbuffer_add_printf(b, " %llu.%03llu", (unsigned long long)(t->age_ms / 1000),
				    (unsigned long long)(t->age_ms % 1000));
	evbuffer_add(b, "\n", 1);
	g->text += evbuffer_get_length(b) - before;
}

/* ---------------------------------------------------------------- gathering */

static void gather_free(struct ctl_gather *g)
{
	if (g->timer)
		event_free(g->timer);
	for (int i = 0; i < 2; i++)
		if (g->lines[i])
			evbuffer_free(g->lines[i]);
	free(g);
}

static void gather_unlink(struct ctl_gather *g)
{
	struct ctl_gather **pp = &g->ctl->gathers;

	while (*pp && *pp != g)
		pp = &(*pp)->next;
	if (*pp)
		*pp = g->next;
}

/* Every node answered, or the time is up: every waiting client gets the
 * list, then goes on with the commands it sent meanwhile. */
static void gather_finish(struct ctl_gather *g)
{
	struct control *ctl = g->ctl;
	struct ctl_client *c = g->waiting, *next;

	gather_unlink(g);
	if (g->n_done < g->n_asked) {
		ctl->stats.list_timeouts++;
		LOGW(PL_NULL, "control: %zu of %zu nodes did not answer the list request within %d ms",
		     g->n_asked - g->n_done, g->n_asked, CONTROL_GATHER_MS);
	}
	if (g->truncated)
		LOGW(PL_NULL, "control: the list was cut at its size limit");
	g->waiting = NULL;
	for (; c; c = next) {
		next = c->gnext;
		c->gather = NULL;
		c->gnext = NULL;
		if (g->kind == CONTROL_CMD_LIST)
			write_calls(c, g->gen);
		else
			write_tsx(c, g);
		process_input(c);
	}
	gather_free(g);
}

static void on_gather_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	gather_finish(arg);
}

static void ask_node(struct node *n, void *arg)
{
	struct ctl_gather *g = arg;
	Tandem__ListRequest rq = TANDEM__LIST_REQUEST__INIT;
	Tandem__Message m = TANDEM__MESSAGE__INIT;

	if (g->n_asked == NODES_LIVE_MAX)
		return;
	rq.request_id = g->request_id;
	rq.kind = g->kind == CONTROL_CMD_LIST ? TANDEM__LIST_KIND__LIST_LEGS : TANDEM__LIST_KIND__LIST_TRANSACTIONS;
	rq.min_age_ms = g->kind == CONTROL_CMD_LIST_OLD_TSX ? CONTROL_LLT_AGE_MS : 0;
	m.body_case = TANDEM__MESSAGE__BODY_LIST_REQUEST;
	m.list_request = &rq;
	if (nodes_send(g->ctl->cd, n, &m) == 0)
		g->asked[g->n_asked++] = n->serial;
}

static struct ctl_gather *gather_start(struct control *ctl, enum control_cmd_kind kind)
{
	struct ctl_gather *g = calloc(1, sizeof(*g));
	struct timeval tv = { CONTROL_GATHER_MS / 1000, (CONTROL_GATHER_MS % 1000) * 1000 };

	if (!g)
		return NULL;
	g->ctl = ctl;
	g->kind = kind;
	g->request_id = ++ctl->next_request;
	if (++ctl->next_gen == 0)
		ctl->next_gen = 1;	/* 0 is "never listed" */
	g->gen = ctl->next_gen;
	g->timer = evtimer_new(ctl->cd->base, on_gather_timer, g);
	if (kind != CONTROL_CMD_LIST) {
		g->lines[0] = evbuffer_new();
		g->lines[1] = evbuffer_new();
	}
	if (!g->timer || (kind != CONTROL_CMD_LIST && (!g->lines[0] || !g->lines[1]))) {
		gather_free(g);
		return NULL;
	}
	ctl->stats.lists++;
	nodes_foreach(ctl->cd, ask_node, g);
	/* Even with no node to ask, the answer comes from the loop, never
	 * from inside the command that asked. */
	if (g->n_asked == 0)
		event_active(g->timer, EV_TIMEOUT, 0);
	else
		evtimer_add(g->timer, &tv);
	g->next = ctl->gathers;
	ctl->gathers = g;
	return g;
}

/* The client waits for a list of this kind: the one being gathered, if
 * any (it answers the same question), else a new one. */
static void gather_join(struct ctl_client *c, enum control_cmd_kind kind)
{
	struct control *ctl = c->ctl;
	struct ctl_gather *g = ctl->gathers;

	while (g && g->kind != kind)
		g = g->next;
	if (!g && !(g = gather_start(ctl, kind))) {
		reply(c, "ERROR: out of memory");
		return;
	}
	c->gather = g;
	c->gnext = g->waiting;
	g->waiting = c;
}

void control_on_list_reply(struct ccd *cd, struct node *n, const Tandem__ListReply *r)
{
	struct control *ctl = cd->control;
	struct ctl_gather *g = ctl ? ctl->gathers : NULL;
	size_t i;

	while (g && g->request_id != r->request_id)
		g = g->next;
	if (!g) {
		LOGD(PL_NULL, "node %s: list reply %llu for no pending request (too late?)", n->id,
		     (unsigned long long)r->request_id);
		return;
	}
	for (i = 0; i < g->n_asked && (g->asked[i] != n->serial || g->done[i]); i++)
		;
	if (i == g->n_asked) {
		cd->stats.msgs_invalid++;
		LOGW(PL_NULL, "node %s: list reply %llu it was not asked for", n->id, (unsigned long long)r->request_id);
		return;
	}
	if (g->kind == CONTROL_CMD_LIST) {
		for (size_t j = 0; j < r->n_legs; j++)
			if (r->legs[j])
				calls_note_ua_state(cd, n, r->legs[j]->leg, (uint8_t)r->legs[j]->state,
						    r->legs[j]->reinvite_sent, g->gen);
	} else {
		for (size_t j = 0; j < r->n_transactions; j++)
			if (r->transactions[j])
				note_tsx(g, n, r->transactions[j]);
	}
	if (r->truncated)
		g->truncated = true;
	if (!r->last)
		return;
	g->done[i] = true;
	if (++g->n_done == g->n_asked) {
		event_del(g->timer);
		gather_finish(g);
	}
}

/* ---------------------------------------------------------------- nodes, stats */

static void add_node(struct node *n, void *arg)
{
	struct ctl_client *c = arg;
	struct evbuffer *b = out_of(c);

	add_token(b, node_id(n));
	evbuffer_add_printf(b, ": up instance=%016llx listen=", (unsigned long long)n->instance);
	add_token(b, pl_from_str(n->listen_host));
	evbuffer_add_printf(b, " legs=%u call_legs=%zu heard=%lldms queue=%llu\n", n->hb_legs, n->legs.count,
			    (long long)(ccd_now_ms() - n->last_heard_ms), (unsigned long long)node_queue_depth(n));
}

static void write_nodes(struct ctl_client *c)
{
	struct ccd *cd = c->ctl->cd;

	evbuffer_add_printf(out_of(c), "Nodes:\n");
	nodes_foreach(cd, add_node, c);
	evbuffer_add_printf(out_of(c), "Total: %zu\n", nodes_live(cd));
}

static void write_stats(struct ctl_client *c)
{
	struct ccd *cd = c->ctl->cd;
	const struct ccd_stats *s = &cd->stats;
	const struct zlink_stats *z = nodes_link_stats(cd);
	const struct control_stats *cs = &c->ctl->stats;
	const struct radius_stats *rs = radius_stats(cd->radius);
	const struct {
		const char *name;
		uint64_t v;
	} rows[] = {
		{ "calls_active", s->calls_active },
		{ "calls_total", s->calls_total },
		{ "calls_rejected", s->calls_rejected },
		{ "calls_linger_expired", s->calls_linger_expired },
		{ "nodes_live", nodes_live(cd) },
		{ "nodes_strangers", nodes_strangers(cd) },
		{ "nodes_up", s->nodes_up },
		{ "nodes_restarted", s->nodes_restarted },
		{ "nodes_down", s->nodes_down },
		{ "frames_malformed", s->frames_malformed },
		{ "msgs_invalid", s->msgs_invalid },
		{ "msgs_unknown", s->msgs_unknown },
		{ "msgs_from_strangers", s->msgs_from_strangers },
		{ "unknown_legs", s->unknown_legs },
		{ "events_dropped", s->events_dropped },
		{ "send_errors", s->send_errors },
		{ "link_frames_in", z->frames_in },
		{ "link_frames_out", z->frames_out },
		{ "link_msgs_out", z->msgs_out },
		{ "link_send_drops", z->send_drops },
		{ "control_connections", cs->accepted },
		{ "control_refused", cs->refused },
		{ "control_commands", cs->commands },
		{ "control_errors", cs->errors },
		{ "control_lists", cs->lists },
		{ "control_list_timeouts", cs->list_timeouts },
		{ "radius_auth_requests", rs->auth.requests },
		{ "radius_auth_accepts", rs->auth.accepts },
		{ "radius_auth_rejects", rs->auth.rejects },
		{ "radius_auth_timeouts", rs->auth.timeouts },
		{ "radius_auth_errors", rs->auth.errors },
		{ "radius_auth_refused", rs->auth_refused },
		{ "radius_acct_requests", rs->acct.requests },
		{ "radius_acct_accepts", rs->acct.accepts },
		{ "radius_acct_timeouts", rs->acct.timeouts },
		{ "radius_acct_errors", rs->acct.errors },
		{ "radius_acct_spooled", rs->acct_spooled },
		{ "radius_acct_unspooled", rs->acct_unspooled },
		{ "radius_acct_lost", rs->acct_lost },
		{ "radius_spool_size", radius_spool_size(cd->radius) },
		{ "radius_queued", rs->queued },
		{ "radius_workers_busy", rs->busy },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		evbuffer_add_printf(out_of(c), "%s: %llu\n", rows[i].name, (unsigned long long)rows[i].v);
}

/* ---------------------------------------------------------------- commands */

static void cmd_disconnect(struct ctl_client *c, const struct control_cmd *cmd)
{
	struct ccd *cd = c->ctl->cd;
	size_t n;

	if (cmd->all) {
		n = calls_end_all(cd, TANDEM__ORIGIN__SWITCH);
		LOGI(PL_NULL, "control: d *: %zu calls", n);
		reply(c, "OK");
		return;
	}
	n = calls_end_by_call_id(cd, cmd->call_id, TANDEM__ORIGIN__SWITCH);
	LOGI(cmd->call_id, "control: d: %zu calls", n);
	if (n) {
		reply(c, "OK");
		return;
	}
	c->ctl->stats.errors++;
	evbuffer_add(out_of(c), "ERROR: no call with id of ", 26);
	add_token(out_of(c), cmd->call_id);
	evbuffer_add(out_of(c), " has been found\n", 16);
}

/* Sippy's RTP proxy media timeout: without an RTP proxy yet, the call
 * simply ends, with the media-timeout release source. */
static void cmd_media_timeout(struct ctl_client *c, const struct control_cmd *cmd)
{
	size_t n = calls_end_by_id(c->ctl->cd, cmd->id, TANDEM__ORIGIN__MEDIA_TIMEOUT);

	LOGI(PL_NULL, "control: r %llu %u: %zu calls", (unsigned long long)cmd->id, cmd->media_index, n);
	if (n) {
		reply(c, "OK");
		return;
	}
	c->ctl->stats.errors++;
	evbuffer_add_printf(out_of(c), "ERROR: no call with id of %llu has been found\n", (unsigned long long)cmd->id);
}

static void execute(struct ctl_client *c, struct pl line)
{
	struct control_cmd cmd;

	control_cmd_parse(line, &cmd);
	if (cmd.kind == CONTROL_CMD_NONE)
		return;
	c->ctl->stats.commands++;
	switch (cmd.kind) {
	case CONTROL_CMD_ERROR:
		c->ctl->stats.errors++;
		reply(c, cmd.error);
		break;
	case CONTROL_CMD_QUIT:
		close_when_flushed(c);
		break;
	case CONTROL_CMD_LIST:
	case CONTROL_CMD_LIST_TSX:
	case CONTROL_CMD_LIST_OLD_TSX:
		gather_join(c, cmd.kind);
		break;
	case CONTROL_CMD_DISCONNECT:
		cmd_disconnect(c, &cmd);
		break;
	case CONTROL_CMD_MEDIA_TIMEOUT:
		cmd_media_timeout(c, &cmd);
		break;
	case CONTROL_CMD_NODES:
		write_nodes(c);
		break;
	case CONTROL_CMD_STATS:
		write_stats(c);
		break;
	default:
		break;
	}
}

/*
 * Takes complete lines from the client's input while it may go on: not
 * waiting for a list, not closing, its unread output below the high mark
 * (else reading pauses until on_write sees it drained). A line longer
 * than CONTROL_LINE_MAX is answered once and skipped to its end. At the
 * end of the input a last unterminated line still counts, then the client
 * is closed once its answers are out. Never frees c.
 */
static void process_input(struct ctl_client *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	char line[CONTROL_LINE_MAX];

	while (!c->gather && !c->closing) {
		struct evbuffer_ptr eol;
		size_t eol_len = 0, len = evbuffer_get_length(in);

		if (evbuffer_get_length(out_of(c)) >= CONTROL_OUTPUT_HIGH) {
			c->paused = true;
			bufferevent_disable(c->bev, EV_READ);
			return;
		}
		eol = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_LF);
		if (eol.pos < 0 && c->discarding) {
			evbuffer_drain(in, len);
			if (!c->eof)
				return;
			c->discarding = false;
			continue;
		}
		if (eol.pos < 0 && len <= CONTROL_LINE_MAX && !(c->eof && len)) {
			if (c->eof)
				close_when_flushed(c);
			return;
		}
		if (eol.pos < 0)
			eol.pos = (ssize_t)len;	/* too long, or the last line */
		if (c->discarding || (size_t)eol.pos > CONTROL_LINE_MAX) {
			if (!c->discarding) {
				c->ctl->stats.errors++;
				reply(c, "ERROR: line too long");
			}
			c->discarding = eol_len == 0;
			evbuffer_drain(in, (size_t)eol.pos + eol_len);
			continue;
		}
		evbuffer_remove(in, line, (size_t)eol.pos);
		evbuffer_drain(in, eol_len);
		execute(c, pl_from(line, (size_t)eol.pos));
	}
}

/* ---------------------------------------------------------------- the socket */

/* unix: a socket file that a process answers on is in use; one that
 * refuses is a leftover of a ccd that died, and is replaced. */
static int unix_check(const char *path, char *err, size_t errsz)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : (snprintf(err, errsz, "control socket %s: %s", path, strerror(errno)), -1);
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errsz, "control socket %s exists and is not a socket", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errsz, "control socket %s: %s", path, strerror(errno));
		return -1;
	}
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (rc == 0 || errno == EAGAIN) {
		close(fd);
		snprintf(err, errsz, "control socket %s is in use by another process (another ccd?)", path);
		return -1;
	}
	close(fd);
	if (errno != ECONNREFUSED) {
		snprintf(err, errsz, "control socket %s: %s", path, strerror(errno));
		return -1;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		snprintf(err, errsz, "cannot remove the stale control socket %s: %s", path, strerror(errno));
		return -1;
	}
	LOGI(PL_NULL, "control: replaced the stale socket %s", path);
	return 0;
}

static int listen_unix(struct control *ctl, char *err, size_t errsz)
{
	const char *path = ctl->spec.path;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	if (unix_check(path, err, errsz) < 0)
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, CONTROL_BACKLOG) < 0) {
		snprintf(err, errsz, "cannot listen on control socket %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (stat(path, &st) == 0) {
		ctl->own_path = true;
		ctl->dev = st.st_dev;
		ctl->ino = st.st_ino;
	}
	return fd;
}

static int listen_tcp(struct control *ctl, char *err, size_t errsz)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo *res = NULL;
	char service[8];
	int fd, one = 1, rc;

	snprintf(service, sizeof(service), "%u", ctl->spec.port);
	rc = getaddrinfo(ctl->spec.host, service, &hints, &res);
	if (rc != 0) {
		snprintf(err, errsz, "control socket: cannot resolve '%.64s': %s", ctl->spec.host, gai_strerror(rc));
		return -1;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, CONTROL_BACKLOG) < 0) {
		snprintf(err, errsz, "cannot listen on control socket tcp:%.64s:%u: %s", ctl->spec.host, ctl->spec.port,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

int control_open(struct ccd *cd, char *err, size_t errsz)
{
	struct control *ctl;
	char why[160];
	int fd;

	if (!cd->cfg.control)
		return 0;
	ctl = calloc(1, sizeof(*ctl));
	if (!ctl) {
		snprintf(err, errsz, "no memory for the control socket");
		return -1;
	}
	ctl->cd = cd;
	if (control_spec_parse(cd->cfg.control, &ctl->spec, why, sizeof(why)) < 0) {
		snprintf(err, errsz, "invalid control socket: %s", why);
		free(ctl);
		return -1;
	}
	fd = ctl->spec.kind == CONTROL_UNIX ? listen_unix(ctl, err, errsz) : listen_tcp(ctl, err, errsz);
	if (fd < 0) {
		free(ctl);
		return -1;
	}
	ctl->lev = evconnlistener_new(cd->base, on_accept, ctl, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	ctl->resume_ev = evtimer_new(cd->base, on_resume, ctl);
	if (!ctl->lev || !ctl->resume_ev) {
		snprintf(err, errsz, "no memory for the control socket");
		if (!ctl->lev)
			close(fd);
		cd->control = ctl;
		control_close(cd);
		return -1;
	}
	evconnlistener_set_error_cb(ctl->lev, on_accept_error);
	cd->control = ctl;
	LOGI(PL_NULL, "control socket on %s", cd->cfg.control);
	return 0;
}

void control_close(struct ccd *cd)
{
	struct control *ctl = cd->control;
	struct stat st;

	if (!ctl)
		return;
	while (ctl->gathers) {
		struct ctl_gather *g = ctl->gathers;

		ctl->gathers = g->next;
		for (struct ctl_client *c = g->waiting; c; c = c->gnext)
			c->gather = NULL;
		gather_free(g);
	}
	while (ctl->clients)
		client_free(ctl->clients);
	if (ctl->lev)
		evconnlistener_free(ctl->lev);
	if (ctl->resume_ev)
		event_free(ctl->resume_ev);
	/* Only our own socket file: a successor may have replaced it. */
	if (ctl->own_path && stat(ctl->spec.path, &st) == 0 && st.st_dev == ctl->dev && st.st_ino == ctl->ino)
		unlink(ctl->spec.path);
	free(ctl);
	cd->control = NULL;
}
