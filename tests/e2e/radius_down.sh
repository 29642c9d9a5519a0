#!/bin/sh
# The RADIUS server does not answer (radius.inc; radcli: radius_timeout 1,
# radius_retries 1, so a request gives up after about 2 s):
#  1. FreeRADIUS frozen (SIGSTOP: its socket is open, nothing answers):
#     three calls at once each get a 5xx within the radcli timeout (not
#     32 s, and not one after the other: ccd's loop does not wait).
#  2. FreeRADIUS not running (port closed): the same.
#  3. ccd without RADIUS auth (-u -s) but with accounting: a call while
#     FreeRADIUS is down completes; its two Stop records go to the spool
#     (ccd's metrics show the spool size: 2); FreeRADIUS starts again,
#     the records arrive in its detail file (once each), and the spool
#     empties.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/radius.inc"

cat >"$W/users" <<'EOF'
"127.0.0.1"	Auth-Type := Accept
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5070"

DEFAULT	Auth-Type := Reject
	Reply-Message = "unknown caller"
EOF
rad_setup "$W/users"

# While FreeRADIUS answers, a call works.
rad_uas callee uas_rr 5070 -m 1
tb_uac caller uac_rr -m 1 -d 100 -s 5551234
tb_sipp_check caller "$TB_RC" 0 1
tb_uas_done callee 1

# now_ms: the wall clock in milliseconds.
now_ms() {
	date +%s%3N
}

# refused NAME: three calls, 100 ms apart, each answered 5xx within 3.5 s
# of its INVITE (radcli gives up after 2 s); all three within 4.5 s.
refused() {
	t0=$(now_ms)
	tb_uac "$1" radius_uac_5xx -m 3 -r 10 -l 3 -s 5551234
	t1=$(now_ms)
	tb_sipp_check "$1" "$TB_RC" 0 3
	codes=$(grep -o 'status=SIP/2.0 [0-9]*' "$W/$1/logs.log" | sed 's/.* //' | sort | uniq -c | awk '{ printf " %s x %s", $1, $2 }')
	fast=$(tb_stat_sum "$1" 'ResponseTimeRepartition1_<500' 'ResponseTimeRepartition1_<1000' \
		'ResponseTimeRepartition1_<2000' 'ResponseTimeRepartition1_<2500' \
		'ResponseTimeRepartition1_<3000' 'ResponseTimeRepartition1_<3500')
	[ "$fast" = 3 ] || fail "$1: only $fast of 3 5xx ($codes) within 3.5 s (mean $(tb_stat "$1" 'ResponseTime1(C)'))"
	[ $((t1 - t0)) -le 4500 ] || fail "$1: three 5xx ($codes) took $((t1 - t0)) ms"
	echo "ok: $1: 3 calls answered$codes in $((t1 - t0)) ms in all (mean response $(tb_stat "$1" 'ResponseTime1(C)'))"
}

# 1. Frozen: requests time out.
kill -STOP "$RAD_PID"
refused frozen
kill -CONT "$RAD_PID"
# 2. Stopped: the port is closed.
rad_stop
refused stopped
tb_alive
tb_check_no_legs quick

# 3. A ccd without RADIUS auth, with accounting and a spool file.
tb_stop "$CCD_PID" 10 || fail "ccd exited with status $? on SIGTERM"
tb_forget "$CCD_PID"
TB_CCD_LOG=ccd2
METRICS=127.0.0.1:9472
rad_ccd_start -u -s 127.0.0.1:5070 -A 1 --metrics "$METRICS"
tb_wait_log sigd 'welcomed node' 2 10 || fail "sigd was not welcomed by the new ccd within 10 s"

# metric NAME: a value of ccd's metrics (tandem_ccd_radius_spool_size is
# the spool's size).
metric() {
	curl -sf "http://$METRICS/metrics" | awk -v n="$1" '$1 == n { print $2 }'
}
spool_size() {
	metric tandem_ccd_radius_spool_size
}

rad_uas callee3 uas_rr 5070 -m 1
tb_uac caller3 uac_rr -m 1 -d 100 -s 5551234
tb_sipp_check caller3 "$TB_RC" 0 1
tb_uas_done callee3 1
cid=$(rad_msg_hdr caller3 sent '^INVITE ' Call-ID | head -1)
# The Stop records give up after 2 s and are spooled.
i=0
while [ "$(spool_size)" != 2 ]; do
	[ $i -ge 100 ] && fail "the spool holds '$(spool_size)' records 10 s after the call, expected 2"
	sleep 0.1
	i=$((i + 1))
done
[ -s "$RAD_ACCT_SPOOL" ] || fail "the spool file $RAD_ACCT_SPOOL is empty"
echo "ok: two Stop records spooled"

rad_start "$W" "$RAD_PORT" "$W/users"
# Sent again at the latest RADIUS_SPOOL_RETRY_MS (5 s) later.
# (The detail file already has the first call's two Stop records.)
rad_wait_detail "$W" Stop "" 4 15 || fail "the spooled records did not reach FreeRADIUS in 15 s: $(rad_detail "$W")"
for leg in answer originate; do
	rad_detail_find "$W" Stop $leg Acct-Session-Id "$cid" >"$W/stop_$leg" || fail "no $leg Stop record of $cid: $(rad_detail "$W")"
	rad_expect "$W/stop_$leg" Cisco-AVPair "call-id=$cid"
	rad_expect "$W/stop_$leg" Cisco-AVPair "release-source=2"
done
i=0
while [ "$(spool_size)" != 0 ]; do
	[ $i -ge 50 ] && fail "the spool still holds '$(spool_size)' records after delivery"
	sleep 0.1
	i=$((i + 1))
done
n=$(rad_detail "$W" | grep -cF "Cisco-AVPair = \"call-id=$cid\"")
[ "$n" = 2 ] || fail "$n records of $cid, expected 2 (none twice): $(rad_detail "$W")"
[ "$(metric tandem_ccd_radius_spooled_total)" = 2 ] && [ "$(metric tandem_ccd_radius_unspooled_total)" = 2 ] ||
	fail "spooled $(metric tandem_ccd_radius_spooled_total), delivered $(metric tandem_ccd_radius_unspooled_total) records; expected 2 and 2"
echo "ok: spooled records delivered once FreeRADIUS answered, spool empty"

tb_alive
tb_check_no_legs
tb_daemons_stop
rad_stop
pass "RADIUS down: 5xx within the radcli timeout; accounting spooled and delivered later"
