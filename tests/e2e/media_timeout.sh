#!/bin/sh
# Media timeouts: rtpengine (--timeout 2) tears down calls that get no RTP
# and tells ccd over XML-RPC (--b2b-url, ccd --rtpp-notify). A connected
# call ends with BYE on both legs; a call still ringing with early media
# fails its attempt: CANCEL to the callee and 408 with a Reason header to
# the caller. No session is left in rtpengine.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/media.inc"

tb_need_tool rtpio
tb_start rtpengine rtpengine --config-file=none --table=-1 --foreground --log-stderr --log-level=6 \
	--interface=127.0.0.1 --listen-ng="127.0.0.1:$MEDIA_NG_PORT" --port-min=30000 --port-max=30999 \
	--delete-delay=0 --timeout=2 --b2b-url=http://127.0.0.1:8090/ --xmlrpc-format=1 \
	--pidfile="$W/rtpengine-daemon.pid"
i=0
until "$BUILD/tools/rtpio" ng "127.0.0.1:$MEDIA_NG_PORT" ping 2>/dev/null | grep -q pong; do
	i=$((i + 1))
	[ $i -ge 50 ] && fail "rtpengine does not answer"
	sleep 0.1
done
TB_CCD_OPTS="-r ng:127.0.0.1:$MEDIA_NG_PORT --rtpp-notify 127.0.0.1:8090"
tb_ccd_start
tb_sigd_start
tb_sigd_ready || fail "ccd did not welcome sigd within 5 s"
tb_wait_log ccd "RTP proxy .*: unknown -> online" 1 5 || fail "rtpengine not online in ccd"

# Connected, no RTP: both sides get a BYE.
TB_SIPP_TIMEOUT=20s
tb_uas callee uas_media -m 1
tb_uac caller uac_wait_bye -m 1
tb_sipp_check caller "$TB_RC" 0 1
tb_uas_done callee 1
tb_wait_log ccd 'media timeout in Connected' 1 1 || fail "ccd did not log the media timeout"

# Ringing with early media, no RTP: the attempt fails.
tb_uas callee2 uas_media_early -m 1
tb_uac caller2 uac_media_timeout -m 1
tb_sipp_check caller2 "$TB_RC" 0 1
tb_uas_done callee2 1
tb_wait_log ccd 'media timeout in ARComplete' 1 1 || fail "ccd did not log the early media timeout"
media_wait_gone "$MEDIA_NG_PORT" || fail "rtpengine still holds a call: $(media_calls "$MEDIA_NG_PORT")"
tb_check_no_legs
tb_daemons_stop
pass "media timeouts: BYE both legs when connected, 408 to the caller before the answer"
