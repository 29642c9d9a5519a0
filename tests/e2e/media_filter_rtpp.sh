#!/bin/sh
# media_filter.sh over the rtpproxy protocol (rtpengine's --listen-udp,
# ccd rewriting the SDP itself): with -F 0,101 the callee and the caller
# see only 0 and 101 through rtpengine, RTP flows, an offer of 18 alone
# is refused with 488 and a Reason header before rtpengine hears of it.
# shellcheck disable=SC2034 # read by media_filter.sh
MEDIA_FILTER_PROTO=rtpp
. "$(dirname "$0")/media_filter.sh"
