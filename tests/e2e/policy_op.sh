#!/bin/sh
# Route parameter op= (outbound proxy, sippy-behaviour §1.5): with
#   -s "5551234@127.0.0.1:5070;op=127.0.0.1:5090"
# the INVITE goes to the proxy (a sipp on :5090) while its Request-URI and
# To still name the route's host (sip:5551234@127.0.0.1:5070). The route's
# host (a sipp on :5070) receives nothing: the proxy's 200 gives
# 127.0.0.1:5070 as Contact, yet the ACK and the BYE also go to the proxy
# (every request of the leg goes there, as Sippy's outbound_proxy).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/radius.inc"

# first_line NAME REGEX: the first line of the first message the sipp NAME
# received whose first line matches REGEX.
first_line() {
	awk -v re="$2" '
		/^-+ [0-9]/ { on = 0; next }
		/message (sent|received)/ { on = ($0 ~ "message received"); first = 1; next }
		!on { next }
		{ sub(/\r$/, "") }
		first && NF { first = 0; if ($0 ~ re) { print; exit } }' "$W/$1/messages.log"
}

tb_start ccd env SIPLOG_LVL=DBUG SIPLOG_BEND=stderr "$BUILD/ccd" -f -u \
	-s "5551234@127.0.0.1:5070;op=127.0.0.1:5090" --bind "$TB_CCD_BIND"
CCD_PID=$TB_PID
tb_wait_tcp "${TB_CCD_BIND##*:}" || fail "ccd does not listen on $TB_CCD_BIND"
tb_sigd_start
tb_sigd_ready || fail "ccd did not welcome sigd within 5 s"

# The proxy answers itself, naming the route's host as its Contact.
sed 's|Contact: <sip:\[local_ip\]:\[local_port\]>|Contact: <sip:callee@[local_ip]:5070>|' \
	"$TB_SCEN/uas_rr.xml" >"$W/uas_proxy.xml"
grep -q 'callee@\[local_ip\]:5070' "$W/uas_proxy.xml" || fail "cannot make the proxy's scenario"
tb_sipp proxy "$W/uas_proxy.xml" 5090 "" -m 1
proxy_pid=$TB_PID
tb_wait_udp 5090 || fail "the proxy sipp did not start on 5090"
# The route's own host: takes any number of calls, must see none.
rad_uas host uas_rr 5070
host_pid=$UAS_PID

tb_uac caller uac_rr -m 1 -d 300 -s 1234
tb_sipp_check caller "$TB_RC" 0 1
rad_sipp_done "$proxy_pid" proxy 1

ruri=$(first_line proxy '^INVITE ')
[ "$ruri" = "INVITE sip:5551234@127.0.0.1:5070 SIP/2.0" ] ||
	fail "the proxy got '$ruri', expected the Request-URI of the route: INVITE sip:5551234@127.0.0.1:5070 SIP/2.0"
to=$(rad_msg_hdr proxy received '^INVITE ' To | head -1)
case "$to" in *"<sip:5551234@127.0.0.1>"*) ;; *) fail "the proxy's INVITE has To: $to" ;; esac
for m in ACK BYE; do
	[ "$(rad_received proxy "^$m ")" -ge 1 ] || fail "the proxy got no $m: in-dialog requests must go through it too"
done
n=$(awk '/message received/ { n++ } END { print n + 0 }' "$W/host/messages.log" 2>/dev/null)
[ "${n:-0}" = 0 ] || fail "the route's host got $n messages directly: $(first_line host .)"
echo "ok: INVITE, ACK and BYE went to the proxy :5090, Request-URI $ruri"

tb_alive
tb_check_no_legs
tb_stop "$host_pid" 3
tb_forget "$host_pid"
tb_daemons_stop
pass "op=: the outbound proxy gets every request, the Request-URI names the route"
