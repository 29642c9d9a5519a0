#!/bin/sh
# Hold and unhold by re-INVITE through rtpengine's ng protocol: RTP flows
# before the hold and again after the resume, every SDP points at
# rtpengine, and after the BYE rtpengine holds no session.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/media.inc"

media_rtpengine rtpengine "$MEDIA_NG_PORT" "$MEDIA_RTPP_PORT" 30000 30999
TB_CCD_OPTS="-r ng:127.0.0.1:$MEDIA_NG_PORT"
tb_call_setup uas_media_hold -m 1
tb_wait_log ccd "RTP proxy .*: unknown -> online" 1 5 || fail "rtpengine not online in ccd"
tb_uac_start caller uac_media_hold -m 1
media_received caller '^SIP/2.0 200' 1 || fail "no 200 at the caller"
media_relay_check "before the hold"
media_received caller '^SIP/2.0 200' 3 || fail "the resume was not answered"
media_relay_check "after the resume"
tb_wait_exit "$UAC_PID" 30
tb_sipp_check caller "$TB_RC" 0 1
tb_uas_done callee 1
media_wait_gone "$MEDIA_NG_PORT" || fail "rtpengine still holds a call after the BYE: $(media_calls "$MEDIA_NG_PORT")"
tb_check_no_legs
tb_daemons_stop
pass "ng: hold and resume by re-INVITE, media flows after the resume"
