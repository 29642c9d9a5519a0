#!/bin/sh
# Command lines: a bad option or an unusable address exits non-zero with a
# one-line error; good ones start, bind, and stop cleanly on SIGTERM; a
# second instance on the same pid file is refused.
. "$(dirname "$0")/lib.sh"

# expect_error LINE-PATTERN CMD... : exits non-zero, prints exactly one line matching
expect_error() {
	pat=$1
	shift
	"$@" >"$W/out" 2>&1 && fail "'$*' succeeded"
	[ "$(wc -l <"$W/out")" -eq 1 ] || fail "'$*' printed more than one line: $(cat "$W/out")"
	grep -q "$pat" "$W/out" || fail "'$*' said '$(cat "$W/out")', expected /$pat/"
}

expect_error "sigd: unknown option '--bogus'" "$BUILD/sigd" -f --bogus
expect_error "sigd: invalid port '0'" "$BUILD/sigd" -f -p 0
expect_error "sigd: invalid port '70000'" "$BUILD/sigd" -f -p 70000
expect_error "sigd: option '-l' needs a value" "$BUILD/sigd" -f -l
expect_error "sigd: invalid listen address 'not-an-ip'" "$BUILD/sigd" -f -l not-an-ip
expect_error "sigd: cannot listen on 192.0.2.1:5060" "$BUILD/sigd" -f -l 192.0.2.1
expect_error "sigd: invalid --node-id" "$BUILD/sigd" -f --node-id "a b"
expect_error "sigd: unexpected argument 'extra'" "$BUILD/sigd" -f extra
expect_error "sigd: invalid --t1 '5'" "$BUILD/sigd" -f --t1 5
expect_error "sigd: invalid --t2 'x'" "$BUILD/sigd" -f --t2 x
expect_error "sigd: --t2 (1000 ms) must not be smaller than --t1 (2000 ms)" "$BUILD/sigd" -f --t1 2000 --t2 1000
expect_error "ccd: static route should be specified" "$BUILD/ccd" -f -u
expect_error "ccd: RADIUS authorisation is not available yet" "$BUILD/ccd" -f -s 127.0.0.1
expect_error "ccd: cannot bind tcp://192.0.2.1:5555" "$BUILD/ccd" -f -u -s 127.0.0.1 --bind tcp://192.0.2.1:5555
expect_error "ccd: unknown option" "$BUILD/ccd" -f -u -s 127.0.0.1 --bogus
"$BUILD/sigd" --version | grep -q '^sigd [0-9]' || fail "sigd --version"
"$BUILD/ccd" --help | grep -q 'usage: ccd' || fail "ccd --help"

# Good command lines: both bind, run, and exit 0 on SIGTERM.
tb_start ccd "$BUILD/ccd" -f -u -s 127.0.0.1:5070 --bind tcp://127.0.0.1:5555
ccd_pid=$TB_PID
tb_start sigd "$BUILD/sigd" -f -l 127.0.0.1 -p 5060 --ccd tcp://127.0.0.1:5555 --node-id n1 -P "$W/sigd.pidfile"
sigd_pid=$TB_PID
tb_wait_udp 5060 || fail "sigd did not bind 127.0.0.1:5060"
tb_wait_tcp 5555 || fail "ccd did not bind tcp 5555"
[ "$(cat "$W/sigd.pidfile")" = "$sigd_pid" ] || fail "pid file does not hold sigd's pid"

# A second sigd on the same pid file or port is refused with one line.
expect_error "sigd: cannot listen on 127.0.0.1:5060" "$BUILD/sigd" -f -l 127.0.0.1 -p 5060
expect_error "sigd: already running" "$BUILD/sigd" -f -l 127.0.0.1 -p 5062 -P "$W/sigd.pidfile"

# Daemon mode: detaches, writes the pid file, stops on SIGTERM.
"$BUILD/sigd" -l 127.0.0.1 -p 5064 -P "$W/daemon.pid" -L "$W/daemon.log" || fail "daemonized sigd did not start"
dpid=$(cat "$W/daemon.pid")
TB_PIDS="$TB_PIDS $dpid"
kill -0 "$dpid" || fail "daemonized sigd is not running"
tb_wait_udp 5064 || fail "daemonized sigd did not bind"
kill -TERM "$dpid"
i=0; while kill -0 "$dpid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
kill -0 "$dpid" 2>/dev/null && fail "daemonized sigd ignored SIGTERM"

tb_stop "$sigd_pid" || fail "sigd exited non-zero on SIGTERM"
tb_stop "$ccd_pid" || fail "ccd exited non-zero on SIGTERM"
pass "command lines"
