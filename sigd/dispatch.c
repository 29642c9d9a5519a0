/*
 * dispatch.c - the transaction user of sigd (dispatch.h).
 */
#include "dispatch.h"

#include "leg.h"
#include "link.h"
#include "log.h"
#include "sigd.h"
#include "sip_write.h"
#include "ua.h"

#ifndef TANDEM_VERSION
#define TANDEM_VERSION "0"
#endif

static bool has_to_tag(const struct sip_msg *m)
{
	return pl_isset(m->to.tag) && m->to.tag.l > 0;
}

/* 503 right away: the caller's proxy can try another node. */
static void reject_503(struct sigd *sd, struct tsx *t, const char *why)
{
	char ra = (char)('1' + legs_rand(sd) % 5);
	struct pl v = pl_from(&ra, 1);
	struct ua_resp r = { .code = 503, .reason = PL(""), .hdr_name = PL("Retry-After"),
			     .hdr_values = &v, .n_hdr_values = 1 };

	LOGD(tsx_call_id(t), "INVITE rejected: %s", why);
	ua_respond(sd, NULL, t, &r);
}

static void options(struct sigd *sd, struct tsx *t)
{
	char tag[LEG_TAG_LEN + 1];
	struct sip_writer w;
	int n;

	legs_tag(sd, tag);
	sip_w_init(&w, sd->out, sizeof(sd->out));
	tsx_response_begin(t, &w, 200, PL(""), pl_from(tag, LEG_TAG_LEN));
	sip_w_header(&w, PL("Allow"), PL("INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER"));
	sip_w_header(&w, PL("Accept"), PL("application/sdp"));
	sip_w_header(&w, PL("Supported"), PL(""));
	sip_w_header(&w, PL("Server"), PL("tandem/" TANDEM_VERSION));
	n = sip_w_finish(&w, PL_NULL, PL_NULL);
	if (n > 0)
		tsx_send_response(t, sd->out, (size_t)n, 200);
}

static void new_invite(struct sigd *sd, struct tsx *t, const struct sip_msg *req,
		       const struct sip_rx *rx)
{
	if (req->has_max_forwards && req->max_forwards == 0) {
		legs_stats(sd)->rejected_hops++;
		ua_respond_code(sd, NULL, t, 483, NULL);
		return;
	}
	if (sd->draining) {
		sd->stats.rejected_draining++;
		reject_503(sd, t, "node shutting down");
		return;
	}
	if (!link_ready(sd)) {
		sd->stats.rejected_no_ccd++;
		reject_503(sd, t, "ccd not reachable");
		return;
	}
	if (legs_full(sd)) {
		legs_stats(sd)->rejected_full++;
		reject_503(sd, t, "node at its leg limit");
		return;
	}
	ua_uas_invite(sd, t, req, rx);
}

static void on_request(struct sigd *sd, struct tsx *t, const struct sip_msg *req,
		       const struct sip_rx *rx)
{
	if (has_to_tag(req)) {
		struct leg *l = leg_by_dialog(sd, req->call_id, req->to.tag);

		if (l) {
			ua_request(l, t, req, rx);
		} else if (req->method_id != SIP_METHOD_ACK) {
			legs_stats(sd)->in_dialog_481++;
			ua_respond_code(sd, NULL, t, 481, "Call/Transaction Does Not Exist");
		}
		return;
	}
	switch (req->method_id) {
	case SIP_METHOD_INVITE:
		new_invite(sd, t, req, rx);
		break;
	case SIP_METHOD_OPTIONS:
		options(sd, t);
		break;
	case SIP_METHOD_ACK:
		break;
	case SIP_METHOD_BYE:
	case SIP_METHOD_CANCEL:
		ua_respond_code(sd, NULL, t, 481, "Call/Transaction Does Not Exist");
		break;
	default:
		ua_respond_code(sd, NULL, t, 501, NULL);
		break;
	}
}

static void on_ack(struct sigd *sd, const struct sip_msg *ack, const struct sip_rx *rx)
{
	struct leg *l;

	if (!has_to_tag(ack))
		return;
	l = leg_by_dialog(sd, ack->call_id, ack->to.tag);
	if (l && dialog_matches_remote(leg_remote_tag(l), ack))
		ua_ack(l, ack, rx);
}

static void on_cancel(struct sigd *sd, struct tsx *invite, const struct sip_msg *cancel,
		      const struct sip_rx *rx)
{
	struct leg *l = tsx_owner(invite);

	if (l && l->state != LEG_DEAD)
		ua_cancel(l, invite, cancel, rx);
	else
		ua_respond_code(sd, NULL, invite, 487, NULL);
}

const struct tsx_user_ops sigd_dispatch_ops = {
	.on_request = on_request,
	.on_ack = on_ack,
	.on_cancel = on_cancel,
	.on_ack_timeout = NULL,
};
