#!/bin/sh
# media_hunt_ng.sh over the rtpproxy protocol (rtpengine's --listen-udp,
# ccd rewriting the SDP itself): failover between RADIUS routes after a
# 183 with SDP and a 486, and after np_expires; the SDP each side gets
# points at rtpengine, RTP flows between the caller and route 2, and no
# session is left after the BYE.
# shellcheck disable=SC2034 # read by media_hunt_ng.sh
MEDIA_HUNT_PROTO=rtpp
. "$(dirname "$0")/media_hunt_ng.sh"
