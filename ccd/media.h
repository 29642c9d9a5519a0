/*
 * media.h - the media relay: ccd's RTP proxies (-r), their health, the
 * choice of one per call, and each call's media session, which rewrites
 * every SDP crossing the call so that RTP flows through the proxy
 * (sippy-behaviour.md §5).
 *
 * Proxies. Each -r spec is one proxy (rtpp.h), speaking the rtpproxy
 * protocol or rtpengine's ng. At start-up and then every check interval
 * each gets a V (ng: ping); one that answers is online. One that does not
 * (or times out on any call's command) goes offline, is logged once, and
 * is asked again every retry interval (60 s; ccd --rtpp-retry). A new call
 * gets a random online proxy, in proportion to the weights; with none
 * online it fails (502 with a Reason header, call.c).
 *
 * Sessions. A media session lives as long as its call and remembers which
 * side offered last, so each SDP becomes the right command:
 *
 *   offer (INVITE, re-INVITE, a late offer's 2xx)     U / ng offer
 *   answer to the other side's offer (18x, 2xx, ACK) L / ng answer
 *
 * For the rtpproxy protocol ccd rewrites the SDP itself, one command per
 * relayed m= line (RTP/AVP, RTP/SAVP(F), RTP/AVPF, UDP/TLS/RTP/SAVP(F),
 * udp, udptl, udp/bfcp; others and port 0 are left alone): c=, the m=
 * port, a=rtcp (port + 1), hold (c=0.0.0.0 -> the proxy's address and
 * a=sendonly instead of a=sendrecv). rtpengine rewrites those itself with
 * ng. In both cases ccd then sets its own o= (one per direction: its
 * version goes up by one whenever the sender's o= changes, so an unchanged
 * offer stays byte for byte the same) and a single a=nortpproxy:yes.
 *
 * A rewrite is asynchronous: the result (or the SIP code to fail with)
 * comes through the callback, never from inside media_rewrite(). At most
 * one rewrite per session is under way; call.c holds later events behind
 * it. Releasing a session (the call ended, whatever ended it) deletes the
 * streams in the proxy (D / ng delete) once the command under way, if any,
 * has finished; the callback is never called after the release.
 */
#ifndef TANDEM_CCD_MEDIA_H
#define TANDEM_CCD_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pl.h"

struct ccd;
struct evhttp;
struct media;
struct media_session;

#define MEDIA_CHECK_S_DEFAULT	10	/* V / ping while online */
#define MEDIA_RETRY_S_DEFAULT	60	/* V / ping while offline */

/* Opens every -r proxy and starts their checks; nothing to do without -r.
 * Returns 0, or -1 with a one-line reason (bad spec, unresolvable host). */
int media_open(struct ccd *cd, char *err, size_t errsz);
void media_close(struct ccd *cd);

/* Proxies configured, and online now (for metrics and the control socket). */
size_t media_proxies(const struct ccd *cd);
size_t media_proxies_online(const struct ccd *cd);
size_t media_sessions(const struct ccd *cd);

enum media_pick {
	MEDIA_PICK_NONE,	/* no proxy for this call: SDP passes as it is */
	MEDIA_PICK_OK,
	MEDIA_PICK_NO_PROXY,	/* proxies configured, none online: fail 502 */
	MEDIA_PICK_NO_MEMORY,
};

/*
 * A session for a new call on a proxy chosen now. route_rtpp is the
 * route's rtpp= (-1 unset, 0 off, 1 on); call_id and serial name the call
 * (the proxy sees "<call-id>-<serial>"). *out is NULL unless MEDIA_PICK_OK.
 */
enum media_pick media_session_new(struct ccd *cd, struct pl call_id, uint64_t serial, int route_rtpp,
				  struct media_session **out);

/* Who sent an SDP: the caller (answer leg) or the callee (originate leg). */
enum media_side {
	MEDIA_CALLER = 0,
	MEDIA_CALLEE = 1,
};

/* What the SIP message carrying it was, as far as offer/answer goes. */
enum media_msg {
	MEDIA_MSG_OFFER,	/* INVITE, re-INVITE, 2xx of a late offer */
	MEDIA_MSG_PROVISIONAL,	/* 18x: an early answer, the offer stays open */
	MEDIA_MSG_FINAL,	/* 2xx or the ACK: the answer, the offer closes */
	MEDIA_MSG_REJECT,	/* a failure: the open offer is withdrawn (no SDP) */
};

/*
 * code 0: body is the rewritten SDP (valid during the call only). Else the
 * SIP status the message's transaction should fail with (502: the proxy
 * failed or is gone; 488: SDP ccd cannot relay) and a reason phrase for a
 * Reason header.
 */
typedef void (*media_done_fn)(struct ccd *cd, void *arg, unsigned code, const char *reason, struct pl body);

/* Starts rewriting sdp (copied). Returns 0 (fn will be called once), or -1
 * when a rewrite is already under way or the session is released. */
int media_rewrite(struct media_session *ms, enum media_side from, enum media_msg msg, struct pl sdp,
		  media_done_fn fn, void *arg);
/* A message without SDP still moves the offer/answer state on. */
void media_note(struct media_session *ms, enum media_side from, enum media_msg msg);
bool media_busy(const struct media_session *ms);
/* The call ended: delete the streams in the proxy and free the session
 * (after the command under way, if any). NULL is fine. */
void media_release(struct media_session *ms);
/* The proxy of a session, for logs ("udp:127.0.0.1:7722"). */
const char *media_proxy_name(const struct media_session *ms);

/*
 * Media timeouts. RTPproxy (capability 20081224) is given ccd's control
 * socket (-c) and the tag "r <serial>" with each stream; it sends that
 * line there when the stream times out, and the control socket's `r` ends
 * the call. rtpengine calls an XML-RPC URL instead: --rtpp-notify
 * host:port makes ccd listen for it (media_notify.c; rtpengine
 * --b2b-url=http://host:port/ --xmlrpc-format=1).
 */
struct evhttp *media_notify_listen(struct ccd *cd, const char *hostport, char *err, size_t errsz);
/* The proxy tore down session_id ("<Call-ID>-<serial>"): the call ends as
 * Sippy's media timeout does (calls_media_timeout()). Returns the number
 * of calls that matched (0 or 1). */
size_t media_timeout_notify(struct ccd *cd, struct pl session_id);

#endif
