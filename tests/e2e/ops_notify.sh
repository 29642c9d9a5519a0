#!/bin/sh
# systemd's notification protocol (Type=notify, WatchdogSec=), with
# tests/tools/notifyrecv playing systemd: each daemon gets its own
# NOTIFY_SOCKET and WATCHDOG_USEC=300000.
#
#   - sigd started before ccd pings the watchdog (every 150 ms) and says
#     in STATUS= that it has no link to ccd, but sends no READY=1
#   - ccd sends READY=1 at once (its ROUTER is bound), sigd once ccd
#     welcomed it
#   - after a call, STATUS= of both counts it (refreshed every 5 s)
#   - SIGTERM: STOPPING=1 with EXTEND_TIMEOUT_USEC=, then exit 0
#   - every message comes from the daemon's own pid (NotifyAccess=main)
. "$(dirname "$0")/lib.sh"

tb_need_tool notifyrecv
tb_start notify_sigd "$BUILD/tools/notifyrecv" "$W/sigd.sock"
tb_start notify_ccd "$BUILD/tools/notifyrecv" "$W/ccd.sock"
i=0
while { [ ! -S "$W/sigd.sock" ] || [ ! -S "$W/ccd.sock" ]; } && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
[ -S "$W/sigd.sock" ] && [ -S "$W/ccd.sock" ] || fail "notifyrecv did not bind its sockets"

# notes NAME PATTERN: lines of NAME's notifications matching PATTERN.
notes() {
	grep -c -- "$2" "$W/notify_$1.log" 2>/dev/null || true
}

# wait_note NAME PATTERN [COUNT] [SECONDS]
wait_note() {
	i=0
	while [ "$(notes "$1" "$2")" -lt "${3:-1}" ]; do
		[ $i -ge $((${4:-5} * 20)) ] && return 1
		sleep 0.05
		i=$((i + 1))
	done
}

# from_pid NAME PID: every notification of NAME came from PID.
from_pid() {
	others=$(awk -v pid="$2" '$2 != pid' "$W/notify_$1.log")
	[ -z "$others" ] || fail "$1: notifications from another pid than $2: $others"
}

export WATCHDOG_USEC=300000
export NOTIFY_SOCKET="$W/sigd.sock"
tb_sigd_start
unset NOTIFY_SOCKET
wait_note sigd 'WATCHDOG=1' 4 3 || fail "sigd: fewer than 4 WATCHDOG=1 in 3 s"
wait_note sigd 'STATUS=no link to ccd at' 1 3 || fail "sigd: no STATUS saying it waits for ccd"
sleep 0.5
[ "$(notes sigd 'READY=1')" = 0 ] || fail "sigd said READY=1 before ccd welcomed it"

export NOTIFY_SOCKET="$W/ccd.sock"
tb_ccd_start
unset NOTIFY_SOCKET WATCHDOG_USEC
wait_note ccd 'READY=1' 1 3 || fail "ccd: no READY=1 within 3 s of binding"
tb_sigd_ready || fail "ccd did not welcome sigd"
wait_note sigd 'READY=1' 1 3 || fail "sigd: no READY=1 after ccd's Welcome"
wait_note ccd 'WATCHDOG=1' 4 3 || fail "ccd: fewer than 4 WATCHDOG=1 in 3 s"

tb_uas callee uas_rr -m 1
tb_uac caller uac_rr -m 1 -d 100
tb_sipp_check caller "$TB_RC" 0 1
tb_uas_done callee 1
wait_note ccd 'STATUS=0 calls in progress, [0-9]* ending; 1 calls so far; 1 sigd nodes' 1 8 ||
	fail "ccd: no STATUS counting the call: $(grep STATUS "$W/notify_ccd.log" | tail -2)"
wait_note sigd 'STATUS=0 legs in progress, [0-9]* ending; 1 calls so far' 1 8 ||
	fail "sigd: no STATUS counting the call: $(grep STATUS "$W/notify_sigd.log" | tail -2)"
tb_check_no_legs

wd_before=$(notes sigd 'WATCHDOG=1')
tb_daemons_stop
for d in sigd ccd; do
	wait_note "$d" 'STOPPING=1' 1 3 || fail "$d: no STOPPING=1 on SIGTERM"
	wait_note "$d" 'EXTEND_TIMEOUT_USEC=[0-9]' 1 3 || fail "$d: no EXTEND_TIMEOUT_USEC on SIGTERM"
done
[ "$(notes sigd 'WATCHDOG=1')" -gt "$wd_before" ] || [ "$(notes sigd 'WATCHDOG=1')" -ge 10 ] ||
	fail "sigd: the watchdog pings stopped"
from_pid sigd "$SIGD_PID"
from_pid ccd "$CCD_PID"
pass "READY=1 (sigd: after Welcome), WATCHDOG=1 at half the interval, STATUS= with counts, STOPPING=1"
