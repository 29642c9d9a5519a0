#!/bin/sh
# Daemon behaviour (docs: README "Signals"): ccd and sigd detached (no -f)
# with pid files and -L logs, each under tests/tools/reaper so their exit
# status is known although they are nobody's child.
#
#   - a second instance on the same pid file, port or ZeroMQ endpoint is
#     refused with one line, for both daemons
#   - a call is served; SIGUSR1 reopens the -L logs (renamed, as logrotate
#     does)
#   - SIGHUP to ccd, then to sigd: the call in progress ends with a BYE to
#     both sides; the daemon keeps running
#   - SIGTERM to ccd during a call: a new INVITE gets 503 with Retry-After
#     (ccd's FAIL, relayed by sigd), the call goes on for the drain time
#     and then ends with a BYE to both sides, ccd exits 0 and removes its
#     pid file
#   - the same with SIGTERM to sigd (ccd restarted): 503 + Retry-After from
#     sigd itself, BYE on both sides after the drain time, exit 0 once its
#     legs are gone, pid file removed; ccd then stops at once
#   - a second SIGTERM exits at once (exit 0) in the middle of a drain
. "$(dirname "$0")/lib.sh"

DRAIN=3
TB_SIPP_TIMEOUT=40s
tb_need_tool reaper

# expect_error LINE-PATTERN CMD... : exits non-zero, prints exactly one line matching
expect_error() {
	pat=$1
	shift
	"$@" >"$W/out" 2>&1 && fail "'$*' succeeded"
	[ "$(wc -l <"$W/out")" -eq 1 ] || fail "'$*' printed more than one line: $(cat "$W/out")"
	grep -q "$pat" "$W/out" || fail "'$*' said '$(cat "$W/out")', expected /$pat/"
}

# wait_file PATH [SECONDS]: until PATH exists and is not empty.
wait_file() {
	i=0
	while [ ! -s "$1" ]; do
		[ $i -ge $((${2:-5} * 20)) ] && return 1
		sleep 0.05
		i=$((i + 1))
	done
}

# wait_gone PID [SECONDS]: until PID has exited.
wait_gone() {
	i=0
	while kill -0 "$1" 2>/dev/null; do
		[ $i -ge $((${2:-10} * 20)) ] && return 1
		sleep 0.05
		i=$((i + 1))
	done
}

# daemon_start NAME LOG CMD...: CMD (a daemon without -f, writing
# $W/NAME.pidfile) under the reaper; the daemon's pid in $DPID.
daemon_start() {
	dn=$1 dl=$2
	shift 2
	tb_start "reap_$dn" env SIPLOG_LVL=DBUG SIPLOG_BEND=stderr "$BUILD/tools/reaper" "$@" \
		-P "$W/$dn.pidfile" -L "$W/$dl.log"
	wait_file "$W/$dn.pidfile" || fail "$dn did not write its pid file"
	DPID=$(cat "$W/$dn.pidfile")
	TB_PIDS="$TB_PIDS $DPID"
}

# daemon_exited NAME PID: PID exited with status 0 (as its reaper saw it)
# and its pid file is gone.
daemon_exited() {
	wait_gone "$2" 15 || fail "$1 (pid $2) still running"
	i=0
	while ! grep -q "^pid $2 " "$W/reap_$1.log" && [ $i -lt 40 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	grep -q "^pid $2 exit 0$" "$W/reap_$1.log" ||
		fail "$1 (pid $2) did not exit 0: '$(grep "^pid $2 " "$W/reap_$1.log")'"
	[ -e "$W/$1.pidfile" ] && fail "$1 left its pid file behind"
	tb_forget "$2"
}

ccd_start() {
	daemon_start "$1" "$1" "$BUILD/ccd" -u -s "$TB_IP:$TB_CALLEE_PORT" --bind "$TB_CCD_BIND" \
		--drain "$DRAIN"
	CCD_PID=$DPID
	TB_CCD_LOG=$1
	tb_wait_tcp 5555 || fail "ccd does not listen on $TB_CCD_BIND"
}

# held_call NAME: a call that stays up until the B2BUA ends it: the
# callee (uas_rr) and the caller (uac_wait_bye) each wait for a BYE.
held_call() {
	connected=$(tb_log_count sigd '[a-z] -> Connected')
	tb_uas "callee_$1" uas_rr -m 1
	tb_uac_start "caller_$1" uac_wait_bye -m 1
	tb_wait_log sigd '[a-z] -> Connected' $((connected + 2)) 10 || fail "call $1 was not set up"
}

# held_call_ended NAME: both sides got a BYE and counted the call successful.
held_call_ended() {
	tb_wait_exit "$UAC_PID" "${2:-20}"
	tb_sipp_check "caller_$1" "$TB_RC" 0 1
	tb_uas_done "callee_$1" 1 0 10
}

# ---------------------------------------------------------------- start

ccd_start ccd
expect_error "ccd: already running (pid $CCD_PID holds $W/ccd.pidfile)" \
	"$BUILD/ccd" -u -s 127.0.0.1 --bind tcp://127.0.0.1:5556 -P "$W/ccd.pidfile" -L "$W/ccd_second.log"
expect_error "ccd: cannot bind $TB_CCD_BIND: Address already in use" \
	"$BUILD/ccd" -u -s 127.0.0.1 --bind "$TB_CCD_BIND" -P "$W/ccd_second.pidfile" -L "$W/ccd_second.log"

daemon_start sigd sigd "$BUILD/sigd" -l "$TB_IP" -p "$TB_SIGD_PORT" --ccd "$TB_CCD_BIND" --node-id n1 \
	--t1 "$TB_T1" --drain "$DRAIN"
SIGD_PID=$DPID
tb_wait_udp "$TB_SIGD_PORT" || fail "sigd does not listen"
tb_sigd_ready || fail "ccd did not welcome sigd within 5 s"
expect_error "sigd: already running (pid $SIGD_PID holds $W/sigd.pidfile)" \
	"$BUILD/sigd" -l "$TB_IP" -p 5062 -P "$W/sigd.pidfile" -L "$W/sigd_second.log"
expect_error "sigd: cannot listen on $TB_IP:$TB_SIGD_PORT" \
	"$BUILD/sigd" -l "$TB_IP" -p "$TB_SIGD_PORT" -P "$W/sigd_second.pidfile" -L "$W/sigd_second.log"
tb_alive

# ---------------------------------------------------------------- a call, SIGUSR1

tb_uas callee uas_rr -m 1
tb_uac caller uac_rr -m 1 -d 200
tb_sipp_check caller "$TB_RC" 0 1
tb_uas_done callee 1
tb_check_no_legs

for d in sigd ccd; do
	mv "$W/$d.log" "$W/$d.log.1"
	pid=$(cat "$W/$d.pidfile")
	kill -USR1 "$pid"
	tb_wait_log "$d" 'SIGUSR1: log files reopened' 1 5 || fail "$d did not reopen its -L log on SIGUSR1"
	grep -q 'SIGUSR1' "$W/$d.log.1" && fail "$d kept writing to the renamed log"
done

# ---------------------------------------------------------------- SIGHUP

held_call hup_ccd
kill -HUP "$CCD_PID"
held_call_ended hup_ccd 10
held_call hup_sigd
kill -HUP "$SIGD_PID"
held_call_ended hup_sigd 10
tb_alive

# ---------------------------------------------------------------- SIGTERM to ccd

held_call term_ccd
start=$(date +%s)
kill -TERM "$CCD_PID"
tb_wait_log ccd 'SIGTERM: refusing new calls' 1 5 || fail "ccd did not start draining"
TB_UAC_PORT=5063	# the held call's caller has 5061
tb_uac refused_ccd uac_unavailable -m 1
unset TB_UAC_PORT
tb_sipp_check refused_ccd "$TB_RC" 0 1
grep -q 'refused: ccd is stopping' "$W/ccd.log" || fail "the 503 did not come from ccd"
sleep 1
kill -0 "$UAC_PID" 2>/dev/null || fail "the call in progress ended before the drain time"
held_call_ended term_ccd
took=$(($(date +%s) - start))
[ "$took" -ge $((DRAIN - 1)) ] || fail "the call ended ${took}s after SIGTERM, before the ${DRAIN}s drain time"
daemon_exited ccd "$CCD_PID"
kill -0 "$SIGD_PID" || fail "sigd died with ccd"

# ---------------------------------------------------------------- SIGTERM to sigd

welcomed=$(tb_log_count sigd 'welcomed node')
ccd_start ccd2
tb_wait_log sigd 'welcomed node' $((welcomed + 1)) 10 || fail "the new ccd did not welcome sigd"
held_call term_sigd
start=$(date +%s)
kill -TERM "$SIGD_PID"
tb_wait_log sigd 'SIGTERM: refusing new calls' 1 5 || fail "sigd did not start draining"
TB_UAC_PORT=5063	# the held call's caller has 5061
tb_uac refused_sigd uac_unavailable -m 1
unset TB_UAC_PORT
tb_sipp_check refused_sigd "$TB_RC" 0 1
grep -q 'INVITE rejected: node shutting down' "$W/sigd.log" || fail "the 503 did not come from sigd"
sleep 1
kill -0 "$UAC_PID" 2>/dev/null || fail "the call in progress ended before the drain time"
held_call_ended term_sigd
took=$(($(date +%s) - start))
[ "$took" -ge $((DRAIN - 1)) ] || fail "the call ended ${took}s after SIGTERM, before the ${DRAIN}s drain time"
daemon_exited sigd "$SIGD_PID"
grep -q 'exiting: no calls left' "$W/sigd.log" || fail "sigd did not wait for its legs to be gone"
kill -TERM "$CCD_PID"
daemon_exited ccd2 "$CCD_PID"
grep -q 'exiting: no calls left' "$W/ccd2.log" || fail "ccd still had calls after sigd's legs were gone"

# ---------------------------------------------------------------- a second SIGTERM

TB_CCD_LOG=ccd3
TB_CCD_OPTS="--drain 60"
TB_SIGD_OPTS="--t1 $TB_T1 --drain 60"
tb_ccd_start
tb_sigd_start
tb_sigd_ready || fail "ccd did not welcome the foreground sigd"
held_call twice
kill -TERM "$SIGD_PID" "$CCD_PID"
sleep 1
tb_alive
kill -TERM "$SIGD_PID" "$CCD_PID"
tb_wait_exit "$SIGD_PID" 3
[ "$TB_RC" = 0 ] || fail "sigd exited with status $TB_RC on the second SIGTERM"
tb_wait_exit "$CCD_PID" 3
[ "$TB_RC" = 0 ] || fail "ccd exited with status $TB_RC on the second SIGTERM"
grep -q 'exiting: second SIGTERM' "$W/sigd.log" || fail "sigd: no 'second SIGTERM' line"
for f in "$W"/*.log "$W"/*.log.1; do
	grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$f" 2>/dev/null &&
		fail "sanitizer report in $f"
done
pass "signals: pid files, SIGUSR1, SIGHUP, SIGTERM drain with 503 + Retry-After, second SIGTERM"
