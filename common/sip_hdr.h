/*
 * sip_hdr.h - SIP header names and method names (RFC 3261 §7.3, §20,
 * §27.3 and the extensions a B2BUA meets).
 *
 * Headers are identified once, while the message is split, so that later
 * layers test an enum instead of comparing strings. Header names are
 * case-insensitive and have compact forms ("v" for Via); method names are
 * case-sensitive (RFC 3261 §7.1).
 */
#ifndef TANDEM_SIP_HDR_H
#define TANDEM_SIP_HDR_H

#include <stdbool.h>

#include "pl.h"

enum sip_hdr_id {
	SIP_HDR_OTHER = 0,  /* not in the table: kept by name only */
	SIP_HDR_ACCEPT,
	SIP_HDR_ACCEPT_CONTACT,
	SIP_HDR_ACCEPT_ENCODING,
	SIP_HDR_ACCEPT_LANGUAGE,
	SIP_HDR_ALERT_INFO,
	SIP_HDR_ALLOW,
	SIP_HDR_ALLOW_EVENTS,
	SIP_HDR_AUTHENTICATION_INFO,
	SIP_HDR_AUTHORIZATION,
	SIP_HDR_CALL_ID,
	SIP_HDR_CALL_INFO,
	SIP_HDR_CONTACT,
	SIP_HDR_CONTENT_DISPOSITION,
	SIP_HDR_CONTENT_ENCODING,
	SIP_HDR_CONTENT_LANGUAGE,
	SIP_HDR_CONTENT_LENGTH,
	SIP_HDR_CONTENT_TYPE,
	SIP_HDR_CSEQ,
	SIP_HDR_DATE,
	SIP_HDR_DIVERSION,
	SIP_HDR_ERROR_INFO,
	SIP_HDR_EVENT,
	SIP_HDR_EXPIRES,
	SIP_HDR_FROM,
	SIP_HDR_HISTORY_INFO,
	SIP_HDR_IDENTITY,
	SIP_HDR_IDENTITY_INFO,
	SIP_HDR_IN_REPLY_TO,
	SIP_HDR_JOIN,
	SIP_HDR_MAX_FORWARDS,
	SIP_HDR_MIME_VERSION,
	SIP_HDR_MIN_EXPIRES,
	SIP_HDR_MIN_SE,
	SIP_HDR_ORGANIZATION,
	SIP_HDR_P_ACCESS_NETWORK_INFO,
	SIP_HDR_P_ASSERTED_IDENTITY,
	SIP_HDR_P_ASSOCIATED_URI,
	SIP_HDR_P_CALLED_PARTY_ID,
	SIP_HDR_P_CHARGING_FUNCTION_ADDRESSES,
	SIP_HDR_P_CHARGING_VECTOR,
	SIP_HDR_P_EARLY_MEDIA,
	SIP_HDR_P_PREFERRED_IDENTITY,
	SIP_HDR_P_VISITED_NETWORK_ID,
	SIP_HDR_PATH,
	SIP_HDR_PRIORITY,
	SIP_HDR_PRIVACY,
	SIP_HDR_PROXY_AUTHENTICATE,
	SIP_HDR_PROXY_AUTHORIZATION,
	SIP_HDR_PROXY_REQUIRE,
	SIP_HDR_RACK,
	SIP_HDR_REASON,
	SIP_HDR_RECORD_ROUTE,
	SIP_HDR_REFER_SUB,
	SIP_HDR_REFER_TO,
	SIP_HDR_REFERRED_BY,
	SIP_HDR_REJECT_CONTACT,
	SIP_HDR_REMOTE_PARTY_ID,
	SIP_HDR_REPLACES,
	SIP_HDR_REPLY_TO,
	SIP_HDR_REQUEST_DISPOSITION,
	SIP_HDR_REQUIRE,
	SIP_HDR_RETRY_AFTER,
	SIP_HDR_ROUTE,
	SIP_HDR_RSEQ,
	SIP_HDR_SECURITY_CLIENT,
	SIP_HDR_SECURITY_SERVER,
	SIP_HDR_SECURITY_VERIFY,
	SIP_HDR_SERVER,
	SIP_HDR_SERVICE_ROUTE,
	SIP_HDR_SESSION_EXPIRES,
	SIP_HDR_SIP_ETAG,
	SIP_HDR_SIP_IF_MATCH,
	SIP_HDR_SUBJECT,
	SIP_HDR_SUBSCRIPTION_STATE,
	SIP_HDR_SUPPORTED,
	SIP_HDR_TARGET_DIALOG,
	SIP_HDR_TIMESTAMP,
	SIP_HDR_TO,
	SIP_HDR_UNSUPPORTED,
	SIP_HDR_USER_AGENT,
	SIP_HDR_USER_TO_USER,
	SIP_HDR_VIA,
	SIP_HDR_WARNING,
	SIP_HDR_WWW_AUTHENTICATE,
	SIP_HDR__COUNT
};

/* The id of a header name, long or compact form, any letter case. */
enum sip_hdr_id sip_hdr_lookup(struct pl name);
/* The same for a name already known to be a non-empty token (the parser). */
enum sip_hdr_id sip_hdr_lookup_token(struct pl name);

/* Canonical long form ("Call-ID"); "" for SIP_HDR_OTHER or out of range. */
const char *sip_hdr_name(enum sip_hdr_id id);

/* Compact form letter ('i' for Call-ID), or 0 when it has none. */
char sip_hdr_compact(enum sip_hdr_id id);

/*
 * The header's ABNF is a comma-separated list ("Via: a, b" means two Via
 * values), so the message parser splits it into one entry per element.
 * Headers whose values contain unquoted commas for other reasons (Date,
 * Authorization, WWW-Authenticate...) are not lists.
 */
bool sip_hdr_is_list(enum sip_hdr_id id);

enum sip_method {
	SIP_METHOD_OTHER = 0,  /* an extension method: use the name slice */
	SIP_METHOD_INVITE,
	SIP_METHOD_ACK,
	SIP_METHOD_BYE,
	SIP_METHOD_CANCEL,
	SIP_METHOD_OPTIONS,
	SIP_METHOD_REGISTER,
	SIP_METHOD_INFO,
	SIP_METHOD_UPDATE,
	SIP_METHOD_PRACK,
	SIP_METHOD_REFER,
	SIP_METHOD_NOTIFY,
	SIP_METHOD_SUBSCRIBE,
	SIP_METHOD_MESSAGE,
	SIP_METHOD_PUBLISH,
	SIP_METHOD__COUNT
};

/* The id of a method name (case-sensitive: "invite" is an extension). */
enum sip_method sip_method_lookup(struct pl name);

/* "INVITE"...; "" for SIP_METHOD_OTHER or out of range. */
const char *sip_method_name(enum sip_method m);

#endif
