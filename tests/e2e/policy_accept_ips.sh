#!/bin/sh
# -a (accept_ips, sippy-behaviour §1.13): calls are accepted only from the
# listed source addresses; anyone else gets "403 Forbidden" and the call
# goes nowhere.
#  1. ccd -u -s 127.0.0.1:5070 -a 127.0.0.3,127.0.0.2: a caller on
#     127.0.0.1 gets 403 Forbidden (the callee sees no INVITE); a caller on
#     127.0.0.2 (sipp -i 127.0.0.2) gets through.
#  2. With RADIUS (radius.inc) and -a 127.0.0.2: the refused caller costs
#     no Access-Request; the accepted one is authorised by its address.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/radius.inc"

sed -e "s/486 Busy Here/403 Forbidden/" -e "s/486/403/g" "$TB_SCEN/uac_reject.xml" >"$W/uac_403.xml"

# 1. Static route.
TB_CCD_OPTS="-a 127.0.0.3,127.0.0.2"
tb_call_setup uas_rr -m 1
tb_uac refused1 "$W/uac_403.xml" -m 1 -s 5551234
tb_sipp_check refused1 "$TB_RC" 0 1
[ "$(rad_received callee '^INVITE ')" = 0 ] || fail "the callee got an INVITE from a caller not in -a"
tb_uac accepted1 uac_rr -m 1 -d 200 -i 127.0.0.2 -s 5551234
tb_sipp_check accepted1 "$TB_RC" 0 1
tb_uas_done callee 1
via=$(rad_msg_hdr accepted1 sent '^INVITE ' Via | head -1)
case "$via" in *127.0.0.2:*) ;; *) fail "the accepted caller did not send from 127.0.0.2: Via $via" ;; esac
grep -q 'refused: not in -a' "$W/ccd.log" || fail "ccd did not log the refused source"
echo "ok: -u: 127.0.0.1 refused with 403 Forbidden, 127.0.0.2 connected"
tb_alive
tb_check_no_legs quick
tb_daemons_stop

# 2. RADIUS: the refusal comes before authorisation.
cat >"$W/users" <<'EOF'
"127.0.0.1"	Auth-Type := Accept
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5070"

"127.0.0.2"	Auth-Type := Accept
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5070"

DEFAULT	Auth-Type := Reject
	Reply-Message = "unknown caller"
EOF
TB_CCD_OPTS=""
TB_CCD_LOG=ccd2
rad_setup "$W/users" -a 127.0.0.2
rad_uas callee2 uas_rr 5070 -m 1
tb_uac refused2 "$W/uac_403.xml" -m 1 -s 5551234
tb_sipp_check refused2 "$TB_RC" 0 1
[ "$(rad_received callee2 '^INVITE ')" = 0 ] || fail "the callee got an INVITE from a caller not in -a (RADIUS)"
[ "$(rad_auth_count "$W")" = 0 ] || fail "FreeRADIUS got $(rad_auth_count "$W") Access-Requests for a caller -a refuses"
tb_uac accepted2 uac_rr -m 1 -d 200 -i 127.0.0.2 -s 5551234
tb_sipp_check accepted2 "$TB_RC" 0 1
tb_uas_done callee2 1
[ "$(rad_auth_count "$W")" = 1 ] || fail "FreeRADIUS got $(rad_auth_count "$W") Access-Requests, expected 1"
rad_auth_records "$W" 127.0.0.2 >"$W/auth" || fail "no Access-Request with User-Name 127.0.0.2"
echo "ok: RADIUS: 127.0.0.1 refused without an Access-Request, 127.0.0.2 authorised and connected"

tb_alive
tb_check_no_legs
tb_daemons_stop
rad_stop
pass "-a: only the listed sources get through, others get 403 Forbidden"
