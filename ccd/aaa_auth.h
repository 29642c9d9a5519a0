/*
 * aaa_auth.h - RADIUS authorisation in Sippy b2bua_radius's dialect: how
 * attribute names are encoded, the Access-Request ccd sends for a new
 * INVITE, and what it takes from the reply.
 *
 * Pure data: requests are built into a struct avlist (avlist.h) and replies
 * are read from one; the radius room (radius.h) turns lists into packets.
 * Nothing here logs, allocates or knows radcli.
 *
 * Naming (Sippy's Radius_client): a few names travel inside Cisco-AVPair
 * as "name=value"; the Cisco h323-* VSAs travel as themselves, but their
 * value also carries the "name=" prefix (Cisco's convention); everything
 * else is the named attribute with the value as it is.
 *
 * Where we differ from Sippy:
 *  - Digest-Algorithm is what the client used (Sippy always says MD5,
 *    which is wrong for an MD5-sess or SHA-256 response), and with qop the
 *    request carries Digest-QOP, Digest-CNonce and Digest-Nonce-Count:
 *    FreeRADIUS's rlm_digest needs them to recompute a qop=auth response
 *    (it hashes nc:cnonce:qop into it; without them it checks the RFC 2069
 *    form and rejects). Checked against FreeRADIUS 3.2.1: qop=auth with
 *    MD5 and MD5-sess is accepted; rlm_digest knows no other algorithm.
 *  - Empty Calling-/Called-Station-Id are left out, not sent empty.
 *  - A value that does not fit its attribute is an error, never silently
 *    cut: radcli would truncate a Digest-* sub-attribute to 251 bytes and
 *    overflow a VSA's length byte past 247.
 *  - Reply names are matched without regard to case, h323-credit-time is
 *    read (Sippy's is lost to a typo), and malformed numbers are reported.
 */
#ifndef TANDEM_AAA_AUTH_H
#define TANDEM_AAA_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "avlist.h"
#include "pl.h"

/* ------------------------------------------------------------ naming */

/* Longest value of a Cisco vendor attribute: 253 minus the VSA's vendor
 * id (4), vendor type (1) and vendor length (1). */
#define AAA_VSA_VALUE_MAX	247
/* Longest Digest-* pseudo attribute: radcli packs each into a
 * Digest-Attributes (207) sub-attribute with a 2-byte header. */
#define AAA_DIGEST_VALUE_MAX	251

enum aaa_attr_kind {
	AAA_ATTR_PLAIN,		/* the named attribute, value as it is */
	AAA_ATTR_AVPAIR,	/* Cisco-AVPair = "name=value" */
	AAA_ATTR_VSA,		/* the Cisco VSA of that name = "name=value" */
};

/*
 * How name travels. Matching ignores case; *canon (may be NULL) is set to
 * the canonical lower-case spelling for AVPAIR and VSA names, to name
 * itself for PLAIN ones.
 */
enum aaa_attr_kind aaa_attr_kind(const char *name, const char **canon);

/*
 * Appends one attribute by Sippy's naming rules: call-id, h323-ivr-out ...
 * as Cisco-AVPair "call-id=<value>"; h323-setup-time ... as itself with
 * "h323-setup-time=<value>"; others as they are. A VSA value that already
 * starts with its "name=" is not prefixed twice, so encoding is
 * idempotent. An empty value of a plain attribute is left out: RADIUS has
 * no empty attributes (RFC 2865 §5), and servers drop them (FreeRADIUS
 * does, silently). Returns 0, or -1 (nothing appended) when the list is full,
 * the name is empty or too long, or the encoded value exceeds its
 * attribute (AAA_VSA_VALUE_MAX for Cisco attributes, AV_VALUE_MAX else).
 */
int aaa_add(struct avlist *l, const char *name, const char *value);

/* ------------------------------------------------------ auth request */

/*
 * Digest credentials from the INVITE's Authorization header, field by field
 * as the client wrote them (the protobuf Credentials message has the same
 * fields). NULL and "" both mean absent.
 */
struct aaa_digest {
	const char *username;	/* absent: the remote-IP method is used */
	const char *realm;	/* required */
	const char *nonce;	/* required */
	const char *uri;	/* required */
	const char *response;	/* required */
	const char *algorithm;	/* absent: "MD5" */
	const char *method;	/* the request's method; absent: "INVITE" */
	const char *qop;	/* absent: RFC 2069 form, no cnonce or nc sent */
	const char *cnonce;	/* required with qop */
	const char *nc;		/* required with qop: the 8 hex digits as written */
};

struct aaa_auth_req {
	const char *call_id;	/* ingress Call-ID; required */
	const char *cli;	/* From user part; absent: left out (Sippy: empty) */
	const char *cld;	/* after the nat- strip and -t; absent: left out */
	const char *remote_ip;	/* the caller's address (Via rules); required */
	const struct aaa_digest *digest;	/* NULL: remote-IP method */
	/* pre_auth_proc pairs by their plain names (HDR2Xattrs), appended
	 * with aaa_add(); NULL: none. */
	const struct avlist *extra;
};

/* Whether aaa_auth_request() uses the digest method: Sippy's rule, the
 * INVITE has credentials with a non-empty username. */
bool aaa_auth_is_digest(const struct aaa_auth_req *req);

/*
 * The Access-Request attributes, in Sippy's order. Remote-IP method:
 *   User-Name=<remote ip>, Password=cisco,
 * digest method:
 *   User-Name=<username>, Digest-Realm, Digest-Nonce, Digest-Method,
 *   Digest-URI, Digest-Algorithm, Digest-User-Name, Digest-Response
 *   [, Digest-QOP, Digest-CNonce, Digest-Nonce-Count],
 * then for both:
 *   Calling-Station-Id, Called-Station-Id, Cisco-AVPair=call-id=<cid>,
 *   h323-remote-address=h323-remote-address=<ip>,
 *   Cisco-AVPair=h323-session-protocol=sipv2, extras.
 * ("Password" is radcli's name for User-Password.) out is overwritten.
 * Returns 0, or -1 (out empty) with *why (may be NULL) a static reason: a
 * required field missing, a value too long for its attribute, too many
 * extras.
 */
int aaa_auth_request(struct avlist *out, const struct aaa_auth_req *req, const char **why);

/* -------------------------------------------------------- auth reply */

#define AAA_ROUTES_MAX	16	/* routes kept from one reply */
#define AAA_REASON_MAX	256	/* problems found, for one log line */

/* A number from the reply. */
struct aaa_number {
	bool set;		/* present and well-formed */
	int64_t v;
};

/*
 * What ccd uses from an Access-Accept (or Reject). Text fields are slices
 * of the reply list's values, which must outlive this struct; an absent
 * field has p == NULL. Single-valued fields take the last instance (as
 * Sippy's loop does).
 */
struct aaa_auth_reply {
	/* Cisco-AVPair "h323-ivr-in=Routing:<route>", in order, unparsed
	 * (route_parse() does that, and reports a bad one). */
	struct pl routes[AAA_ROUTES_MAX];
	unsigned n_routes;
	unsigned routes_dropped;	/* beyond AAA_ROUTES_MAX, ignored */
	struct pl cli;		/* h323-ivr-in=CLI:<n>; set but empty = no CLI */
	struct pl cnam;		/* h323-ivr-in=CNAM:<name>, verbatim */
	/* h323-credit-time, "h323-credit-time=N" or bare "N": seconds,
	 * int32 range; negative means unlimited (as a route's credit-time). */
	struct aaa_number credit_time;
	struct aaa_number return_code;	/* h323-return-code, both styles, >= 0 */
	struct pl billing_model;	/* h323-billing-model */
	struct pl currency;		/* h323-currency */
	struct pl preferred_lang;	/* h323-preferred-lang */
	struct pl redirect_number;	/* h323-redirect-number */
	struct pl reply_message;	/* Reply-Message */
	/* Malformed values seen (the field stays unset) and why, printable
	 * ASCII, "; "-separated, cut with "..." when long. */
	unsigned n_problems;
	char reason[AAA_REASON_MAX];
};

/* Reads reply into out (overwritten). Unknown attributes are ignored.
 * Returns out->n_problems: 0 when everything present was well-formed. */
int aaa_auth_reply_parse(struct aaa_auth_reply *out, const struct avlist *reply);

#endif
