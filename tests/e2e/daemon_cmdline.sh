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
expect_error "sigd: --cpu: invalid CPU range in '3-1'" "$BUILD/sigd" -f --cpu 3-1
expect_error "ccd: --cpu: invalid CPU list 'all'" "$BUILD/ccd" -f -u -s 127.0.0.1 --cpu all
expect_error "sigd: cannot run on the CPUs of --cpu" "$BUILD/sigd" -f -l 127.0.0.1 -p 5066 --cpu 1023
expect_error "sigd: --zmq-cpu: invalid CPU list 'x'" "$BUILD/sigd" -f --zmq-cpu x
expect_error "sigd: --zmq-cpu: CPU 1023 is not one this process may run on" "$BUILD/sigd" -f -l 127.0.0.1 -p 5066 --zmq-cpu 1023
expect_error "ccd: --zmq-cpu: CPU 1023 is not one this process may run on" "$BUILD/ccd" -f -u -s 127.0.0.1 --zmq-cpu 1023
expect_error "sigd: invalid --rt-prio '0' (1..99)" "$BUILD/sigd" -f --rt-prio 0
expect_error "ccd: invalid --rt-prio '100' (1..99)" "$BUILD/ccd" -f -u -s 127.0.0.1 --rt-prio 100
# In this user namespace the kernel refuses SCHED_FIFO (no CAP_SYS_NICE in
# the initial one), and with no RLIMIT_RTPRIO either the daemon says what
# to grant; it is refused before any thread or socket of ZeroMQ starts.
ulimit -r 0
expect_error "sigd: --rt-prio 10: not permitted (needs CAP_SYS_NICE or an RLIMIT_RTPRIO of at least 10; systemd: LimitRTPRIO=10)" \
	"$BUILD/sigd" -f -l 127.0.0.1 -p 5066 --rt-prio 10
expect_error "ccd: --rt-prio 3: not permitted" "$BUILD/ccd" -f -u -s 127.0.0.1 --rt-prio 3
expect_error "sigd: --t2 (1000 ms) must not be smaller than --t1 (2000 ms)" "$BUILD/sigd" -f --t1 2000 --t2 1000
expect_error "ccd: static route should be specified" "$BUILD/ccd" -f -u
expect_error "ccd: cannot bind tcp://192.0.2.1:5555" "$BUILD/ccd" -f -u -s 127.0.0.1 --bind tcp://192.0.2.1:5555
expect_error "ccd: unknown option" "$BUILD/ccd" -f -u -s 127.0.0.1 --bogus
# ccd's policy options are checked (and -t/-T compiled) before it starts.
expect_error "ccd: invalid -m (max_credit_time) '0'" "$BUILD/ccd" -f -u -s 127.0.0.1 -m 0
expect_error "ccd: invalid -k '7': not in the range 0-3" "$BUILD/ccd" -f -u -s 127.0.0.1 -k 7
expect_error "ccd: invalid -t (static_tr_in) 's/(/x/': rule 1: bad regex" "$BUILD/ccd" -f -u -s 127.0.0.1 -t 's/(/x/'
expect_error "ccd: -a (accept_ips): invalid address 'nohost'" "$BUILD/ccd" -f -u -s 127.0.0.1 -a 127.0.0.1,nohost
expect_error "ccd: -a (accept_ips): \\[\\[WSS\\]\\] is not supported" "$BUILD/ccd" -f -u -s 127.0.0.1 -a '[[WSS]]'
expect_error "ccd: invalid -x (pre_auth_proc): VAL2Xattrs is a route's po_proc" "$BUILD/ccd" -f -u -s 127.0.0.1 \
	-x 'VAL2Xattrs[a=b]'
expect_error "ccd: --nat_traversal is not supported" "$BUILD/ccd" -f -u -s 127.0.0.1 --nat_traversal=on
expect_error "ccd: -p (sip_port) is a sigd option" "$BUILD/ccd" -f -u -s 127.0.0.1 -p 5060
expect_error "ccd: invalid --precise_acct 'maybe': not a boolean" "$BUILD/ccd" -f -u -s 127.0.0.1 --precise_acct=maybe
expect_error "ccd: --digest_auth_only needs digest authentication" "$BUILD/ccd" -f -D --digest_auth_only
expect_error "ccd: cannot read config file '$W/none.ini'" "$BUILD/ccd" -f -C "$W/none.ini"
printf '[general]\nstatic_route = 127.0.0.1\nsip_port = 5060\n' >"$W/sigd-key.ini"
expect_error "ccd: $W/sigd-key.ini:3: sip_port is a sigd option" "$BUILD/ccd" -f -C "$W/sigd-key.ini"
printf '[general]\nauth_enable = off\nmax_credit = 60\n' >"$W/bad-key.ini"
expect_error "ccd: $W/bad-key.ini:3: unknown key 'max_credit'" "$BUILD/ccd" -f --config="$W/bad-key.ini"
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

# A -C file with Sippy's keys is accepted; the command line overrides it
# (here its bind address: the file's port 5557 stays free). No RADIUS:
# auth and accounting are off.
cat >"$W/ccd.ini" <<'INI'
# ccd's Sippy-style configuration
[general]
auth_enable = off
static_route = 127.0.0.1:5070;credit-time=60
bind = tcp://127.0.0.1:5557
max_credit_time = 3600
static_tr_in = s/^00/+/;s/^\+1/1/g
static_tr_out = s/^\+/00/
allowed_pts = 0,8,[telephone-event/8000]
pass_headers = X-Foo, P-Asserted-Identity
pre_auth_proc = HDR2Xattrs[X-Attrs]
keepalive_ans = 32
acct_enable = off
hide_call_id = yes
INI
tb_start ccd_ini "$BUILD/ccd" -f -C "$W/ccd.ini" --bind tcp://127.0.0.1:5556 -m 60
ini_pid=$TB_PID
tb_wait_tcp 5556 || fail "ccd -C did not start: $(cat "$W/ccd_ini.log")"
tb_wait_tcp 5557 1 && fail "ccd bound the file's address, not the command line's"
tb_stop "$ini_pid" || fail "ccd -C exited non-zero on SIGTERM"
pass "command lines"
