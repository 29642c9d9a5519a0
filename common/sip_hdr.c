#include "sip_hdr.h"

#include <stdint.h>
#include <string.h>

#include "sip_char.h"

#define SIP_HDR_F_LIST 1

static const struct {
	const char *name;
	char compact;
	unsigned char flags;
} hdrs[SIP_HDR__COUNT] = {
	[SIP_HDR_OTHER] = { "", 0, 0 },
	[SIP_HDR_ACCEPT] = { "Accept", 0, SIP_HDR_F_LIST },
	[SIP_HDR_ACCEPT_CONTACT] = { "Accept-Contact", 'a', SIP_HDR_F_LIST },
	[SIP_HDR_ACCEPT_ENCODING] = { "Accept-Encoding", 0, SIP_HDR_F_LIST },
	[SIP_HDR_ACCEPT_LANGUAGE] = { "Accept-Language", 0, SIP_HDR_F_LIST },
	[SIP_HDR_ALERT_INFO] = { "Alert-Info", 0, SIP_HDR_F_LIST },
	[SIP_HDR_ALLOW] = { "Allow", 0, SIP_HDR_F_LIST },
	[SIP_HDR_ALLOW_EVENTS] = { "Allow-Events", 'u', SIP_HDR_F_LIST },
	[SIP_HDR_AUTHENTICATION_INFO] = { "Authentication-Info", 0, 0 },
	[SIP_HDR_AUTHORIZATION] = { "Authorization", 0, 0 },
	[SIP_HDR_CALL_ID] = { "Call-ID", 'i', 0 },
	[SIP_HDR_CALL_INFO] = { "Call-Info", 0, SIP_HDR_F_LIST },
	[SIP_HDR_CONTACT] = { "Contact", 'm', SIP_HDR_F_LIST },
	[SIP_HDR_CONTENT_DISPOSITION] = { "Content-Disposition", 0, 0 },
	[SIP_HDR_CONTENT_ENCODING] = { "Content-Encoding", 'e', SIP_HDR_F_LIST },
	[SIP_HDR_CONTENT_LANGUAGE] = { "Content-Language", 0, SIP_HDR_F_LIST },
	[SIP_HDR_CONTENT_LENGTH] = { "Content-Length", 'l', 0 },
	[SIP_HDR_CONTENT_TYPE] = { "Content-Type", 'c', 0 },
	[SIP_HDR_CSEQ] = { "CSeq", 0, 0 },
	[SIP_HDR_DATE] = { "Date", 0, 0 },
	[SIP_HDR_DIVERSION] = { "Diversion", 0, SIP_HDR_F_LIST },
	[SIP_HDR_ERROR_INFO] = { "Error-Info", 0, SIP_HDR_F_LIST },
	[SIP_HDR_EVENT] = { "Event", 'o', 0 },
	[SIP_HDR_EXPIRES] = { "Expires", 0, 0 },
	[SIP_HDR_FROM] = { "From", 'f', 0 },
	[SIP_HDR_HISTORY_INFO] = { "History-Info", 0, SIP_HDR_F_LIST },
	[SIP_HDR_IDENTITY] = { "Identity", 'y', 0 },
	[SIP_HDR_IDENTITY_INFO] = { "Identity-Info", 'n', 0 },
	[SIP_HDR_IN_REPLY_TO] = { "In-Reply-To", 0, SIP_HDR_F_LIST },
	[SIP_HDR_JOIN] = { "Join", 0, 0 },
	[SIP_HDR_MAX_FORWARDS] = { "Max-Forwards", 0, 0 },
	[SIP_HDR_MIME_VERSION] = { "MIME-Version", 0, 0 },
	[SIP_HDR_MIN_EXPIRES] = { "Min-Expires", 0, 0 },
	[SIP_HDR_MIN_SE] = { "Min-SE", 0, 0 },
	[SIP_HDR_ORGANIZATION] = { "Organization", 0, 0 },
	[SIP_HDR_P_ACCESS_NETWORK_INFO] = { "P-Access-Network-Info", 0, SIP_HDR_F_LIST },
	[SIP_HDR_P_ASSERTED_IDENTITY] = { "P-Asserted-Identity", 0, SIP_HDR_F_LIST },
	[SIP_HDR_P_ASSOCIATED_URI] = { "P-Associated-URI", 0, SIP_HDR_F_LIST },
	[SIP_HDR_P_CALLED_PARTY_ID] = { "P-Called-Party-ID", 0, 0 },
	[SIP_HDR_P_CHARGING_FUNCTION_ADDRESSES] = { "P-Charging-Function-Addresses", 0, 0 },
	[SIP_HDR_P_CHARGING_VECTOR] = { "P-Charging-Vector", 0, 0 },
	[SIP_HDR_P_EARLY_MEDIA] = { "P-Early-Media", 0, SIP_HDR_F_LIST },
	[SIP_HDR_P_PREFERRED_IDENTITY] = { "P-Preferred-Identity", 0, SIP_HDR_F_LIST },
	[SIP_HDR_P_VISITED_NETWORK_ID] = { "P-Visited-Network-ID", 0, SIP_HDR_F_LIST },
	[SIP_HDR_PATH] = { "Path", 0, SIP_HDR_F_LIST },
	[SIP_HDR_PRIORITY] = { "Priority", 0, 0 },
	[SIP_HDR_PRIVACY] = { "Privacy", 0, 0 },
	[SIP_HDR_PROXY_AUTHENTICATE] = { "Proxy-Authenticate", 0, 0 },
	[SIP_HDR_PROXY_AUTHORIZATION] = { "Proxy-Authorization", 0, 0 },
	[SIP_HDR_PROXY_REQUIRE] = { "Proxy-Require", 0, SIP_HDR_F_LIST },
	[SIP_HDR_RACK] = { "RAck", 0, 0 },
	[SIP_HDR_REASON] = { "Reason", 0, SIP_HDR_F_LIST },
	[SIP_HDR_RECORD_ROUTE] = { "Record-Route", 0, SIP_HDR_F_LIST },
	[SIP_HDR_REFER_SUB] = { "Refer-Sub", 0, 0 },
	[SIP_HDR_REFER_TO] = { "Refer-To", 'r', 0 },
	[SIP_HDR_REFERRED_BY] = { "Referred-By", 'b', 0 },
	[SIP_HDR_REJECT_CONTACT] = { "Reject-Contact", 'j', SIP_HDR_F_LIST },
	[SIP_HDR_REMOTE_PARTY_ID] = { "Remote-Party-ID", 0, SIP_HDR_F_LIST },
	[SIP_HDR_REPLACES] = { "Replaces", 0, 0 },
	[SIP_HDR_REPLY_TO] = { "Reply-To", 0, 0 },
	[SIP_HDR_REQUEST_DISPOSITION] = { "Request-Disposition", 'd', SIP_HDR_F_LIST },
	[SIP_HDR_REQUIRE] = { "Require", 0, SIP_HDR_F_LIST },
	[SIP_HDR_RETRY_AFTER] = { "Retry-After", 0, 0 },
	[SIP_HDR_ROUTE] = { "Route", 0, SIP_HDR_F_LIST },
	[SIP_HDR_RSEQ] = { "RSeq", 0, 0 },
	[SIP_HDR_SECURITY_CLIENT] = { "Security-Client", 0, SIP_HDR_F_LIST },
	[SIP_HDR_SECURITY_SERVER] = { "Security-Server", 0, SIP_HDR_F_LIST },
	[SIP_HDR_SECURITY_VERIFY] = { "Security-Verify", 0, SIP_HDR_F_LIST },
	[SIP_HDR_SERVER] = { "Server", 0, 0 },
	[SIP_HDR_SERVICE_ROUTE] = { "Service-Route", 0, SIP_HDR_F_LIST },
	[SIP_HDR_SESSION_EXPIRES] = { "Session-Expires", 'x', 0 },
	[SIP_HDR_SIP_ETAG] = { "SIP-ETag", 0, 0 },
	[SIP_HDR_SIP_IF_MATCH] = { "SIP-If-Match", 0, 0 },
	[SIP_HDR_SUBJECT] = { "Subject", 's', 0 },
	[SIP_HDR_SUBSCRIPTION_STATE] = { "Subscription-State", 0, 0 },
	[SIP_HDR_SUPPORTED] = { "Supported", 'k', SIP_HDR_F_LIST },
	[SIP_HDR_TARGET_DIALOG] = { "Target-Dialog", 0, 0 },
	[SIP_HDR_TIMESTAMP] = { "Timestamp", 0, 0 },
	[SIP_HDR_TO] = { "To", 't', 0 },
	[SIP_HDR_UNSUPPORTED] = { "Unsupported", 0, SIP_HDR_F_LIST },
	[SIP_HDR_USER_AGENT] = { "User-Agent", 0, 0 },
	[SIP_HDR_USER_TO_USER] = { "User-to-User", 0, 0 },
	[SIP_HDR_VIA] = { "Via", 'v', SIP_HDR_F_LIST },
	[SIP_HDR_WARNING] = { "Warning", 0, SIP_HDR_F_LIST },
	[SIP_HDR_WWW_AUTHENTICATE] = { "WWW-Authenticate", 0, 0 },
};

/* Unaligned loads for comparing header names a word at a time. */
static inline uint64_t load64(const char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static inline uint32_t load32(const char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static inline uint16_t load16(const char *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

/*
 * A token against a lowercase literal of the same length n, ignoring
 * case: OR-ing 0x20 into every byte lowercases the letters, and no other
 * token character becomes a letter or '-' that way (only '_' changes, to
 * 0x7f), so on tokens this is exact. Loads overlap rather than read past
 * either string; n (at least 2: one-letter names are compact forms) is a
 * constant at every call, so this unrolls.
 */
static inline bool token_caseeq(const char *p, const char *lit, size_t n)
{
	size_t i;

	if (n >= 8) {
		for (i = 0; i + 8 <= n; i += 8)
			if ((load64(p + i) | 0x2020202020202020ULL) != load64(lit + i))
				return false;
		return i == n ||
		       (load64(p + n - 8) | 0x2020202020202020ULL) == load64(lit + n - 8);
	}
	if (n >= 4)
		return (load32(p) | 0x20202020u) == load32(lit) &&
		       (load32(p + n - 4) | 0x20202020u) == load32(lit + n - 4);
	return (uint16_t)(load16(p) | 0x2020u) == load16(lit) &&
	       (uint16_t)(load16(p + n - 2) | 0x2020u) == load16(lit + n - 2);
}

#define MATCH(lit, id) \
	do { \
		if (token_caseeq(name.p, lit, sizeof(lit) - 1)) \
			return id; \
	} while (0)

/*
 * A switch on the length, then on the first letter, then one word-wise
 * compare (rarely two): a header name costs two jumps and a few loads.
 */
enum sip_hdr_id sip_hdr_lookup_token(struct pl name)
{
	switch (name.l) {
	case 1:
		switch (sip_lower(name.p[0])) {
		case 'a':
			return SIP_HDR_ACCEPT_CONTACT;
		case 'b':
			return SIP_HDR_REFERRED_BY;
		case 'c':
			return SIP_HDR_CONTENT_TYPE;
		case 'd':
			return SIP_HDR_REQUEST_DISPOSITION;
		case 'e':
			return SIP_HDR_CONTENT_ENCODING;
		case 'f':
			return SIP_HDR_FROM;
		case 'i':
			return SIP_HDR_CALL_ID;
		case 'j':
			return SIP_HDR_REJECT_CONTACT;
		case 'k':
			return SIP_HDR_SUPPORTED;
		case 'l':
			return SIP_HDR_CONTENT_LENGTH;
		case 'm':
			return SIP_HDR_CONTACT;
		case 'n':
			return SIP_HDR_IDENTITY_INFO;
		case 'o':
			return SIP_HDR_EVENT;
		case 'r':
			return SIP_HDR_REFER_TO;
		case 's':
			return SIP_HDR_SUBJECT;
		case 't':
			return SIP_HDR_TO;
		case 'u':
			return SIP_HDR_ALLOW_EVENTS;
		case 'v':
			return SIP_HDR_VIA;
		case 'x':
			return SIP_HDR_SESSION_EXPIRES;
		case 'y':
			return SIP_HDR_IDENTITY;
		default:
			break;
		}
		break;
	case 2:
		MATCH("to", SIP_HDR_TO);
		break;
	case 3:
		MATCH("via", SIP_HDR_VIA);
		break;
	case 4:
		switch (sip_lower(name.p[0])) {
		case 'c':
			MATCH("cseq", SIP_HDR_CSEQ);
			break;
		case 'd':
			MATCH("date", SIP_HDR_DATE);
			break;
		case 'f':
			MATCH("from", SIP_HDR_FROM);
			break;
		case 'j':
			MATCH("join", SIP_HDR_JOIN);
			break;
		case 'p':
			MATCH("path", SIP_HDR_PATH);
			break;
		case 'r':
			MATCH("rack", SIP_HDR_RACK);
			MATCH("rseq", SIP_HDR_RSEQ);
			break;
		default:
			break;
		}
		break;
	case 5:
		switch (sip_lower(name.p[0])) {
		case 'a':
			MATCH("allow", SIP_HDR_ALLOW);
			break;
		case 'e':
			MATCH("event", SIP_HDR_EVENT);
			break;
		case 'r':
			MATCH("route", SIP_HDR_ROUTE);
			break;
		default:
			break;
		}
		break;
	case 6:
		switch (sip_lower(name.p[0])) {
		case 'a':
			MATCH("accept", SIP_HDR_ACCEPT);
			break;
		case 'm':
			MATCH("min-se", SIP_HDR_MIN_SE);
			break;
		case 'r':
			MATCH("reason", SIP_HDR_REASON);
			break;
		case 's':
			MATCH("server", SIP_HDR_SERVER);
			break;
		default:
			break;
		}
		break;
	case 7:
		switch (sip_lower(name.p[0])) {
		case 'c':
			MATCH("call-id", SIP_HDR_CALL_ID);
			MATCH("contact", SIP_HDR_CONTACT);
			break;
		case 'e':
			MATCH("expires", SIP_HDR_EXPIRES);
			break;
		case 'p':
			MATCH("privacy", SIP_HDR_PRIVACY);
			break;
		case 'r':
			MATCH("require", SIP_HDR_REQUIRE);
			break;
		case 's':
			MATCH("subject", SIP_HDR_SUBJECT);
			break;
		case 'w':
			MATCH("warning", SIP_HDR_WARNING);
			break;
		default:
			break;
		}
		break;
	case 8:
		switch (sip_lower(name.p[0])) {
		case 'i':
			MATCH("identity", SIP_HDR_IDENTITY);
			break;
		case 'p':
			MATCH("priority", SIP_HDR_PRIORITY);
			break;
		case 'r':
			MATCH("refer-to", SIP_HDR_REFER_TO);
			MATCH("replaces", SIP_HDR_REPLACES);
			MATCH("reply-to", SIP_HDR_REPLY_TO);
			break;
		case 's':
			MATCH("sip-etag", SIP_HDR_SIP_ETAG);
			break;
		default:
			break;
		}
		break;
	case 9:
		switch (sip_lower(name.p[0])) {
		case 'c':
			MATCH("call-info", SIP_HDR_CALL_INFO);
			break;
		case 'd':
			MATCH("diversion", SIP_HDR_DIVERSION);
			break;
		case 'r':
			MATCH("refer-sub", SIP_HDR_REFER_SUB);
			break;
		case 's':
			MATCH("supported", SIP_HDR_SUPPORTED);
			break;
		case 't':
			MATCH("timestamp", SIP_HDR_TIMESTAMP);
			break;
		default:
			break;
		}
		break;
	case 10:
		switch (sip_lower(name.p[0])) {
		case 'a':
			MATCH("alert-info", SIP_HDR_ALERT_INFO);
			break;
		case 'e':
			MATCH("error-info", SIP_HDR_ERROR_INFO);
			break;
		case 'u':
			MATCH("user-agent", SIP_HDR_USER_AGENT);
			break;
		default:
			break;
		}
		break;
	case 11:
		switch (sip_lower(name.p[0])) {
		case 'i':
			MATCH("in-reply-to", SIP_HDR_IN_REPLY_TO);
			break;
		case 'm':
			MATCH("min-expires", SIP_HDR_MIN_EXPIRES);
			break;
		case 'r':
			MATCH("referred-by", SIP_HDR_REFERRED_BY);
			MATCH("retry-after", SIP_HDR_RETRY_AFTER);
			break;
		case 'u':
			MATCH("unsupported", SIP_HDR_UNSUPPORTED);
			break;
		default:
			break;
		}
		break;
	case 12:
		switch (sip_lower(name.p[0])) {
		case 'a':
			MATCH("allow-events", SIP_HDR_ALLOW_EVENTS);
			break;
		case 'c':
			MATCH("content-type", SIP_HDR_CONTENT_TYPE);
			break;
		case 'h':
			MATCH("history-info", SIP_HDR_HISTORY_INFO);
			break;
		case 'm':
			MATCH("mime-version", SIP_HDR_MIME_VERSION);
			MATCH("max-forwards", SIP_HDR_MAX_FORWARDS);
			break;
		case 'o':
			MATCH("organization", SIP_HDR_ORGANIZATION);
			break;
		case 'r':
			MATCH("record-route", SIP_HDR_RECORD_ROUTE);
			break;
		case 's':
			MATCH("sip-if-match", SIP_HDR_SIP_IF_MATCH);
			break;
		case 'u':
			MATCH("user-to-user", SIP_HDR_USER_TO_USER);
			break;
		default:
			break;
		}
		break;
	case 13:
		switch (sip_lower(name.p[0])) {
		case 'a':
			MATCH("authorization", SIP_HDR_AUTHORIZATION);
			break;
		case 'i':
			MATCH("identity-info", SIP_HDR_IDENTITY_INFO);
			break;
		case 'p':
			MATCH("p-early-media", SIP_HDR_P_EARLY_MEDIA);
			MATCH("proxy-require", SIP_HDR_PROXY_REQUIRE);
			break;
		case 's':
			MATCH("service-route", SIP_HDR_SERVICE_ROUTE);
			break;
		case 't':
			MATCH("target-dialog", SIP_HDR_TARGET_DIALOG);
			break;
		default:
			break;
		}
		break;
	case 14:
		switch (sip_lower(name.p[0])) {
		case 'a':
			MATCH("accept-contact", SIP_HDR_ACCEPT_CONTACT);
			break;
		case 'c':
			MATCH("content-length", SIP_HDR_CONTENT_LENGTH);
			break;
		case 'r':
			MATCH("reject-contact", SIP_HDR_REJECT_CONTACT);
			break;
		default:
			break;
		}
		break;
	case 15:
		switch (sip_lower(name.p[0])) {
		case 'a':
			MATCH("accept-encoding", SIP_HDR_ACCEPT_ENCODING);
			MATCH("accept-language", SIP_HDR_ACCEPT_LANGUAGE);
			break;
		case 'r':
			MATCH("remote-party-id", SIP_HDR_REMOTE_PARTY_ID);
			break;
		case 's':
			MATCH("security-client", SIP_HDR_SECURITY_CLIENT);
			MATCH("security-server", SIP_HDR_SECURITY_SERVER);
			MATCH("security-verify", SIP_HDR_SECURITY_VERIFY);
			MATCH("session-expires", SIP_HDR_SESSION_EXPIRES);
			break;
		default:
			break;
		}
		break;
	case 16:
		switch (sip_lower(name.p[0])) {
		case 'c':
			MATCH("content-encoding", SIP_HDR_CONTENT_ENCODING);
			MATCH("content-language", SIP_HDR_CONTENT_LANGUAGE);
			break;
		case 'p':
			MATCH("p-associated-uri", SIP_HDR_P_ASSOCIATED_URI);
			break;
		case 'w':
			MATCH("www-authenticate", SIP_HDR_WWW_AUTHENTICATE);
			break;
		default:
			break;
		}
		break;
	case 17:
		switch (sip_lower(name.p[0])) {
		case 'p':
			MATCH("p-called-party-id", SIP_HDR_P_CALLED_PARTY_ID);
			MATCH("p-charging-vector", SIP_HDR_P_CHARGING_VECTOR);
			break;
		default:
			break;
		}
		break;
	case 18:
		switch (sip_lower(name.p[0])) {
		case 'p':
			MATCH("proxy-authenticate", SIP_HDR_PROXY_AUTHENTICATE);
			break;
		case 's':
			MATCH("subscription-state", SIP_HDR_SUBSCRIPTION_STATE);
			break;
		default:
			break;
		}
		break;
	case 19:
		switch (sip_lower(name.p[0])) {
		case 'a':
			MATCH("authentication-info", SIP_HDR_AUTHENTICATION_INFO);
			break;
		case 'c':
			MATCH("content-disposition", SIP_HDR_CONTENT_DISPOSITION);
			break;
		case 'p':
			MATCH("p-asserted-identity", SIP_HDR_P_ASSERTED_IDENTITY);
			MATCH("proxy-authorization", SIP_HDR_PROXY_AUTHORIZATION);
			break;
		case 'r':
			MATCH("request-disposition", SIP_HDR_REQUEST_DISPOSITION);
			break;
		default:
			break;
		}
		break;
	case 20:
		switch (sip_lower(name.p[0])) {
		case 'p':
			MATCH("p-preferred-identity", SIP_HDR_P_PREFERRED_IDENTITY);
			MATCH("p-visited-network-id", SIP_HDR_P_VISITED_NETWORK_ID);
			break;
		default:
			break;
		}
		break;
	case 21:
		MATCH("p-access-network-info", SIP_HDR_P_ACCESS_NETWORK_INFO);
		break;
	case 29:
		MATCH("p-charging-function-addresses", SIP_HDR_P_CHARGING_FUNCTION_ADDRESSES);
		break;
	default:
		break;
	}
	return SIP_HDR_OTHER;
}

enum sip_hdr_id sip_hdr_lookup(struct pl name)
{
	if (name.l == 0 || sip_span(name, SIP_C_TOKEN) != name.l)
		return SIP_HDR_OTHER;
	return sip_hdr_lookup_token(name);
}

const char *sip_hdr_name(enum sip_hdr_id id)
{
	return (unsigned)id < SIP_HDR__COUNT ? hdrs[id].name : "";
}

char sip_hdr_compact(enum sip_hdr_id id)
{
	return (unsigned)id < SIP_HDR__COUNT ? hdrs[id].compact : 0;
}

bool sip_hdr_is_list(enum sip_hdr_id id)
{
	return (unsigned)id < SIP_HDR__COUNT && (hdrs[id].flags & SIP_HDR_F_LIST);
}

static const char *const methods[SIP_METHOD__COUNT] = {
	[SIP_METHOD_OTHER] = "",
	[SIP_METHOD_INVITE] = "INVITE",
	[SIP_METHOD_ACK] = "ACK",
	[SIP_METHOD_BYE] = "BYE",
	[SIP_METHOD_CANCEL] = "CANCEL",
	[SIP_METHOD_OPTIONS] = "OPTIONS",
	[SIP_METHOD_REGISTER] = "REGISTER",
	[SIP_METHOD_INFO] = "INFO",
	[SIP_METHOD_UPDATE] = "UPDATE",
	[SIP_METHOD_PRACK] = "PRACK",
	[SIP_METHOD_REFER] = "REFER",
	[SIP_METHOD_NOTIFY] = "NOTIFY",
	[SIP_METHOD_SUBSCRIBE] = "SUBSCRIBE",
	[SIP_METHOD_MESSAGE] = "MESSAGE",
	[SIP_METHOD_PUBLISH] = "PUBLISH",
};

#define METHOD(lit, id) \
	do { \
		if (memcmp(name.p, lit, sizeof(lit) - 1) == 0) \
			return id; \
	} while (0)

enum sip_method sip_method_lookup(struct pl name)
{
	switch (name.l) {
	case 3:
		METHOD("ACK", SIP_METHOD_ACK);
		METHOD("BYE", SIP_METHOD_BYE);
		break;
	case 4:
		METHOD("INFO", SIP_METHOD_INFO);
		break;
	case 5:
		METHOD("PRACK", SIP_METHOD_PRACK);
		METHOD("REFER", SIP_METHOD_REFER);
		break;
	case 6:
		METHOD("INVITE", SIP_METHOD_INVITE);
		METHOD("CANCEL", SIP_METHOD_CANCEL);
		METHOD("UPDATE", SIP_METHOD_UPDATE);
		METHOD("NOTIFY", SIP_METHOD_NOTIFY);
		break;
	case 7:
		METHOD("OPTIONS", SIP_METHOD_OPTIONS);
		METHOD("MESSAGE", SIP_METHOD_MESSAGE);
		METHOD("PUBLISH", SIP_METHOD_PUBLISH);
		break;
	case 8:
		METHOD("REGISTER", SIP_METHOD_REGISTER);
		break;
	case 9:
		METHOD("SUBSCRIBE", SIP_METHOD_SUBSCRIBE);
		break;
	default:
		break;
	}
	return SIP_METHOD_OTHER;
}

const char *sip_method_name(enum sip_method m)
{
	return (unsigned)m < SIP_METHOD__COUNT ? methods[m] : "";
}
