/*
 * metrics_sigd.c - sigd's metrics (metrics_sigd.h), in the Prometheus
 * text format written by common/metrics.c.
 */
#include "metrics_sigd.h"

#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>

#include "leg.h"
#include "link.h"
#include "log.h"
#include "metrics.h"
#include "overload.h"
#include "sigd.h"
#include "sip_msg.h"
#include "tsx.h"

/* ---------------------------------------------------------------- counting */

void metrics_sigd_count_in(struct sigd *sd, const struct sip_msg *m)
{
	if (m->is_request)
		sd->stats.sip_in.requests[(unsigned)m->method_id < SIP_METHOD__COUNT ? m->method_id : 0]++;
	else if (m->status <= SIGD_STATUS_MAX)
		sd->stats.sip_in.responses[m->status]++;
}

/* Our own messages need no parser: "SIP/2.0 NNN ..." or "METHOD ...". */
void metrics_sigd_count_out(struct sigd *sd, const char *buf, size_t len)
{
	const char *sp = memchr(buf, ' ', len < 32 ? len : 32);

	if (!sp)
		return;
	if (len >= 12 && memcmp(buf, "SIP/2.0 ", 8) == 0) {
		unsigned code = 0;

		for (int i = 8; i < 11; i++) {
			if (buf[i] < '0' || buf[i] > '9')
				return;
			code = code * 10 + (unsigned)(buf[i] - '0');
		}
		if (code >= 100 && code <= SIGD_STATUS_MAX)
			sd->stats.sip_out.responses[code]++;
		return;
	}
	sd->stats.sip_out.requests[sip_method_lookup(pl_from(buf, (size_t)(sp - buf)))]++;
}

/* ---------------------------------------------------------------- writing */

static void by_method(struct evbuffer *b, const char *name, const char *help, const uint64_t *counts)
{
	metrics_head(b, name, METRICS_COUNTER, help);
	for (int m = 1; m < SIP_METHOD__COUNT; m++) {
		struct metrics_label l = { "method", sip_method_name((enum sip_method)m) };
		metrics_u64(b, name, &l, 1, counts[m]);
	}
	struct metrics_label other = { "method", "other" };
	metrics_u64(b, name, &other, 1, counts[SIP_METHOD_OTHER]);
}

/* Only the codes seen: a series appears with its first response. */
static void by_code(struct evbuffer *b, const char *name, const char *help, const uint64_t *counts)
{
	char code[8];

	metrics_head(b, name, METRICS_COUNTER, help);
	for (int c = 100; c <= SIGD_STATUS_MAX; c++) {
		if (!counts[c])
			continue;
		snprintf(code, sizeof(code), "%d", c);
		struct metrics_label l = { "code", code };
		metrics_u64(b, name, &l, 1, counts[c]);
	}
}

static void labelled(struct evbuffer *b, const char *name, const char *label, const char *value, uint64_t v)
{
	struct metrics_label l = { label, value };

	metrics_u64(b, name, &l, 1, v);
}

static void write_sip(struct evbuffer *b, const struct sigd_stats *st)
{
	by_method(b, "tandem_sigd_sip_requests_received_total", "SIP requests received, by method.",
		  st->sip_in.requests);
	by_method(b, "tandem_sigd_sip_requests_sent_total",
		  "SIP requests sent (retransmissions included), by method.", st->sip_out.requests);
	by_code(b, "tandem_sigd_sip_responses_received_total", "SIP responses received, by status code.",
		st->sip_in.responses);
	by_code(b, "tandem_sigd_sip_responses_sent_total",
		"SIP responses sent (retransmissions included), by status code.", st->sip_out.responses);
	metrics_counter(b, "tandem_sigd_datagrams_received_total", "UDP datagrams received.", st->datagrams_in);
	metrics_counter(b, "tandem_sigd_datagrams_sent_total", "UDP datagrams sent.", st->datagrams_out);
	metrics_counter(b, "tandem_sigd_retransmissions_sent_total",
			"SIP requests and responses sent again (timers A, E, G, 2xx; answers to retransmissions).",
			st->retransmissions_out);
	metrics_counter(b, "tandem_sigd_retransmissions_received_total",
			"Retransmitted SIP messages received and absorbed by a transaction.",
			st->retransmissions_absorbed);
	metrics_counter(b, "tandem_sigd_parse_errors_total",
			"Malformed SIP messages received (answered 400 or dropped).", st->parse_errors);
	metrics_counter(b, "tandem_sigd_not_sip_datagrams_total", "Datagrams that were not SIP at all: dropped.",
			st->not_sip);
	metrics_counter(b, "tandem_sigd_stray_responses_total", "SIP responses that matched no transaction.",
			st->stray_responses);
	metrics_counter(b, "tandem_sigd_send_errors_total", "Datagrams the kernel refused to send.",
			st->send_errors);
}

static void write_legs(struct evbuffer *b, struct sigd *sd)
{
	const struct leg_stats *ls = legs_stats(sd);
	const char *n;

	metrics_head(b, "tandem_sigd_legs", METRICS_GAUGE, "Call legs now, by UA state.");
	for (int s = LEG_IDLE; s <= LEG_DEAD; s++)
		labelled(b, "tandem_sigd_legs", "state", leg_state_name((enum leg_state)s), ls->in_state[s]);
	n = "tandem_sigd_legs_created_total";
	metrics_head(b, n, METRICS_COUNTER, "Call legs created: uas by an incoming INVITE, uac by ccd's Originate.");
	labelled(b, n, "side", "uas", ls->uas_created);
	labelled(b, n, "side", "uac", ls->uac_created);
	n = "tandem_sigd_invites_rejected_total";
	metrics_head(b, n, METRICS_COUNTER, "New INVITEs answered by sigd itself, by reason.");
	labelled(b, n, "reason", "no_ccd", sd->stats.rejected_no_ccd);
	labelled(b, n, "reason", "draining", sd->stats.rejected_draining);
	labelled(b, n, "reason", "full", ls->rejected_full);
	labelled(b, n, "reason", "too_many_hops", ls->rejected_hops);
	metrics_gauge(b, "tandem_sigd_legs_max", "Leg capacity of the node.", legs_max(sd));
	metrics_counter(b, "tandem_sigd_ack_timeouts_total", "2xx of ours never ACKed: the call was ended.",
			ls->ack_timeouts);
	n = "tandem_sigd_keepalives_total";
	metrics_head(b, n, METRICS_COUNTER,
		     "Keep-alive beats (in-dialog OPTIONS): sent, skipped (leg busy), failed (408, 481 or no answer: call ended).");
	labelled(b, n, "result", "sent", ls->keepalives_sent);
	labelled(b, n, "result", "skipped", ls->keepalives_skipped);
	labelled(b, n, "result", "failed", ls->keepalive_failures);
}

static void write_tsx(struct evbuffer *b, struct sigd *sd)
{
	static const char *const kinds[] = { "server_invite", "server_non_invite", "client_invite",
					     "client_non_invite" };

	metrics_head(b, "tandem_sigd_transactions", METRICS_GAUGE, "SIP transactions now, by kind.");
	for (int k = TSX_SERVER_INVITE; k <= TSX_CLIENT_NON_INVITE; k++)
		labelled(b, "tandem_sigd_transactions", "kind", kinds[k], tsx_count(sd, (enum tsx_kind)k));
}

static void write_link(struct evbuffer *b, struct sigd *sd)
{
	const struct link_stats *ks = sd->link ? link_stats(sd) : NULL;
	const struct leg_stats *ls = legs_stats(sd);

	metrics_gauge(b, "tandem_sigd_link_up", "1 while ccd has welcomed this node and is heard from.",
		      link_ready(sd) ? 1 : 0);
	metrics_gauge(b, "tandem_sigd_link_queue_depth",
		      "Messages to ccd still under way when its last heartbeat arrived.",
		      sd->link ? link_queue_depth(sd) : 0);
	metrics_counter(b, "tandem_sigd_link_downs_total", "Times the link to ccd went down.", ks ? ks->downs : 0);
	metrics_counter(b, "tandem_sigd_link_ccd_restarts_total", "ccd restarts seen.", ks ? ks->ccd_restarts : 0);
	metrics_counter(b, "tandem_sigd_link_send_failures_total", "Messages to ccd that could not be queued.",
			ks ? ks->send_failures : 0);
	metrics_counter(b, "tandem_sigd_link_bad_messages_total", "Messages from ccd dropped as malformed.",
			ks ? ks->bad_msgs : 0);
	metrics_counter(b, "tandem_sigd_events_received_total", "Leg events received from ccd.", ls->events_in);
	metrics_counter(b, "tandem_sigd_events_sent_total", "Leg events sent to ccd.", ls->events_out);
}

static void write_overload(struct evbuffer *b, struct sigd *sd)
{
	const struct overload_stats *os = overload_stats(sd);
	const char *n = "tandem_sigd_calls_shed_total";

	metrics_head(b, n, METRICS_COUNTER,
		     "New INVITEs refused with a stateless 503 under overload, by signal.");
	labelled(b, n, "reason", "queue_delay", os->shed[OVERLOAD_SHED_QUEUE]);
	labelled(b, n, "reason", "setups", os->shed[OVERLOAD_SHED_SETUPS]);
	labelled(b, n, "reason", "cps", os->shed[OVERLOAD_SHED_CPS]);
	labelled(b, n, "reason", "capacity", os->shed[OVERLOAD_SHED_CAPACITY]);
	metrics_gauge(b, "tandem_sigd_overload", "1 while new INVITEs are being refused.",
		      overload_active(sd) ? 1 : 0);
	metrics_head(b, "tandem_sigd_overload_shed_ratio", METRICS_GAUGE,
		     "Share of new INVITEs refused for the receive queue's delay (0..1).");
	metrics_f64(b, "tandem_sigd_overload_shed_ratio", NULL, 0, overload_shed_permille(sd) / 1000.0);
	metrics_head(b, "tandem_sigd_receive_queue_delay_seconds", METRICS_GAUGE,
		     "Smallest wait of a datagram in the receive queue over the last 100 ms.");
	metrics_f64(b, "tandem_sigd_receive_queue_delay_seconds", NULL, 0,
		    (double)overload_queue_delay_us(sd) / 1e6);
}

void metrics_sigd_write(struct evbuffer *b, void *arg)
{
	struct sigd *sd = arg;

	write_sip(b, &sd->stats);
	write_legs(b, sd);
	write_tsx(b, sd);
	write_link(b, sd);
	write_overload(b, sd);
}

/* ---------------------------------------------------------------- life */

int metrics_sigd_open(struct sigd *sd, char *err, size_t errsz)
{
	if (!sd->cfg.metrics)
		return 0;
	sd->metrics = metrics_open(sd->base, sd->cfg.metrics, metrics_sigd_write, sd, err, errsz);
	if (!sd->metrics)
		return -1;
	LOGI(PL_NULL, "metrics on http://%s/metrics", sd->cfg.metrics);
	return 0;
}

void metrics_sigd_close(struct sigd *sd)
{
	metrics_close(sd->metrics);
	sd->metrics = NULL;
}
