/*
 * aaa_acct.h - Cisco-style RADIUS accounting records (RFC 2866 with the
 * h323-* VSAs), attribute for attribute as Sippy b2bua_radius sends them.
 *
 * One record describes one leg: the answer leg (the caller's INVITE, once
 * per call) or an originate leg (one per route attempt). Both carry the
 * ingress Call-ID as Acct-Session-Id and Cisco-AVPair call-id, and the
 * same h323-conf-id, so a billing system can join them.
 *
 * Record layout (Sippy's order):
 *   h323-call-origin=answer|originate, h323-call-type=VoIP,
 *   Cisco-AVPair h323-session-protocol=sipv2, User-Name,
 *   Calling-Station-Id, Called-Station-Id, h323-conf-id,
 *   Cisco-AVPair call-id=<cid>, Acct-Session-Id=<cid>, h323-remote-address,
 *   extras (po_proc pairs),
 *   [answered, Stop/Alive: h323-voice-quality=0]
 *   [answered, Stop: Acct-Terminate-Cause=User-Request]
 *   [Stop/Alive: h323-disconnect-time, Acct-Session-Time, h323-disconnect-cause]
 *   [Stop: Cisco-AVPair release-source=2|4|8]
 *   h323-connect-time, h323-setup-time, Acct-Status-Type=Start|Stop|Alive,
 *   [Cisco-AVPair h323-ivr-out=sip_ua:<peer User-Agent>], Acct-Delay-Time=0,
 *   [Cisco-AVPair provisional-timepoint=<time of the first 100>]
 *
 * Where we differ from Sippy: Alive records have true times (now minus
 * connect, disconnect-time = now) and no Acct-Terminate-Cause (RFC 2866
 * allows it in Stop records only); Acct-Delay-Time means what RFC 2866
 * says (seconds spent trying to deliver the record: 0 when built, raised
 * by aaa_acct_set_delay() when it is re-sent), not the epoch of the first
 * 18x; h323-conf-id is sent (Cisco gateways send it; the Sippy version we
 * follow no longer does): the MD5 of the ingress Call-ID in Cisco's
 * "XXXXXXXX XXXXXXXX XXXXXXXX XXXXXXXX" form. A value too long for its
 * attribute is cut (at a UTF-8 boundary) rather than losing the record.
 *
 * Pure data: no logging, no radcli, no clock (the caller passes now).
 */
#ifndef TANDEM_AAA_ACCT_H
#define TANDEM_AAA_ACCT_H

#include <stdbool.h>
#include <stdint.h>

#include "avlist.h"

enum aaa_acct_status {
	AAA_ACCT_START,		/* the leg connected (-A 2) */
	AAA_ACCT_STOP,		/* the leg ended, answered or not */
	AAA_ACCT_ALIVE,		/* interim, --alive_acct_int */
};

enum aaa_acct_origin {
	AAA_ACCT_ANSWER,	/* h323-call-origin=answer: the caller's leg */
	AAA_ACCT_ORIGINATE,	/* h323-call-origin=originate: a route attempt */
};

/* Who ended the call: release-source 2, 4, 8, 8. */
enum aaa_release {
	AAA_RELEASE_CALLER,
	AAA_RELEASE_CALLEE,
	AAA_RELEASE_SWITCH,		/* credit time, expiry, control socket, signal */
	AAA_RELEASE_MEDIA_TIMEOUT,	/* the RTP proxy saw the media stop */
};

/*
 * One leg. Times are wall-clock microseconds since the epoch (UTC). NULL
 * or empty User-Name, Calling- or Called-Station-Id are left out (RADIUS
 * has no empty attributes; Sippy sends ''); call_id is required.
 */
struct aaa_acct_leg {
	enum aaa_acct_origin origin;
	const char *user_name;		/* digest user or remote IP; bill-to */
	const char *calling;		/* Calling-Station-Id; bill-cli */
	const char *called;		/* Called-Station-Id; bill-cld */
	const char *call_id;		/* the ingress Call-ID */
	const char *remote_address;	/* h323-remote-address: caller IP / route host */
	int64_t setup_us;		/* INVITE received (answer) or sent (originate) */
	int64_t connect_us;		/* 0: never answered */
	/* Stop: when the leg ended (an unanswered leg: when it failed;
	 * a media timeout: the caller backdates it); 0: now. */
	int64_t disconnect_us;
	/* Stop: the failure's SIP code for a failed leg; 0 (or the last
	 * provisional) for a leg that ended normally. See aaa_q850_hex(). */
	unsigned sip_code;
	enum aaa_release release;	/* Stop: release-source */
	bool precise;			/* --precise_acct: real milliseconds */
	const char *peer_ua;		/* the peer's User-Agent/Server; NULL: none */
	int64_t provisional_us;		/* originate: first 100 Trying; 0: none */
	const struct avlist *extra;	/* po_proc pairs by plain name; NULL: none */
};

/*
 * Builds the record (out is overwritten). now_us is the Alive record's
 * disconnect time and a Stop's when leg->disconnect_us is 0.
 * Returns -1 (out empty) when no record can be made: no call_id, or a
 * Start or Alive for a leg that never connected. Otherwise the record is
 * complete and the return value counts what was degraded to get it out:
 * values cut to fit their attribute plus extras dropped (too long, or no
 * room); 0 normally. Log a positive count.
 */
int aaa_acct_record(struct avlist *out, const struct aaa_acct_leg *leg,
		    enum aaa_acct_status st, int64_t now_us);

/*
 * Sets the record's Acct-Delay-Time (RFC 2866 §5.2: seconds the client
 * has been trying to send it), appending it if missing. Returns 0, or -1
 * when it is missing and the list is full.
 */
int aaa_acct_set_delay(struct avlist *l, unsigned secs);

/*
 * Q.850 cause for h323-disconnect-cause, hex without "0x": a code >= 400
 * by Sippy's table (an unlisted one: "7f"), 200..399: "0", below 200
 * (a normal end, or an attempt abandoned after a provisional): "10".
 */
const char *aaa_q850_hex(unsigned sip_code);

/* "HH:MM:SS.mmm GMT Www Mmm D YYYY" (UTC, day without leading zero;
 * milliseconds only when precise, else .000). */
#define AAA_TIME_SIZE 48
int aaa_acct_time(char out[AAA_TIME_SIZE], int64_t us, bool precise);

/* "Start", "Stop", "Alive": the dictionary VALUE names. */
const char *aaa_acct_status_name(enum aaa_acct_status st);

#endif
