#!/bin/sh
# ccd's control socket (ccd -c) with real calls: three calls held open
# (both sipps wait for a BYE); `l` shows them with both legs and
# "Total: 3"; `lt` shows the node's transactions; `d <call-id>` ends one
# with a BYE on both legs; `r <id>` (media timeout) another; `d *` the
# last; an unknown command gets "ERROR:" and the connection still answers;
# `nodes`, `stats`, `q`; a second ccd on the same socket is refused.
. "$(dirname "$0")/lib.sh"

tb_need_tool ctlclient
CTL=unix:$W/ctl.sock

# ctl COMMAND...: the answers of one connection (ctlclient closes its side
# after the commands; ccd answers them all, then closes).
ctl() {
	"$BUILD/tools/ctlclient" "$CTL" "$@" || fail "ctlclient $* failed (exit $?)"
}

# connected N: `l` shows N calls whose both legs are Connected.
connected() {
	[ "$(ctl l | grep -cE '^[^ ]+: Connected \(Connected udp:127\.0\.0\.1:5061 sipp service -> Connected udp:127\.0\.0\.1:5070 sipp service\)$')" = "$1" ]
}

# wait_calls N: until `l` says "Total: N" (10 s).
wait_calls() {
	i=0
	until ctl l | grep -qx "Total: $1"; do
		[ $i -ge 100 ] && fail "ccd still lists calls: $(ctl l)"
		sleep 0.1
		i=$((i + 1))
	done
}

tb_ccd_start -c "$CTL"
tb_sigd_start
tb_sigd_ready || fail "ccd did not welcome sigd within 5 s"

# No call yet; an unknown command does not end the connection.
out=$(ctl bogus l)
[ "$out" = "ERROR: unknown command
In-memory calls:
Total: 0" ] || fail "unexpected answer to 'bogus' then 'l': $out"

tb_uas callee uas_rr -m 3
tb_uac_start caller uac_wait_bye -m 3 -l 3 -r 10
i=0
until connected 3; do
	[ $i -ge 100 ] && fail "three connected calls expected; l says: $(ctl l)"
	sleep 0.1
	i=$((i + 1))
done
out=$(ctl l)
echo "$out"
echo "$out" | head -1 | grep -qx 'In-memory calls:' || fail "l: no header"
echo "$out" | tail -1 | grep -qx 'Total: 3' || fail "l: no 'Total: 3'"

# The INVITE transactions of the calls (they linger 64*T1 after the 2xx).
out=$(ctl lt)
echo "$out"
echo "$out" | grep -qx 'In-memory server transactions:' || fail "lt: no server section"
echo "$out" | grep -qx 'In-memory client transactions:' || fail "lt: no client section"
[ "$(echo "$out" | grep -cE '^n1:[^ ]+:1:z9hG4bK[^ ]* INVITE (Accepted|Terminated|Confirmed)$')" -ge 1 ] ||
	fail "lt shows no INVITE transaction of node n1"
ctl llt | grep -c '^n1:' | grep -qx 0 || fail "llt lists transactions younger than 60 s"

out=$(ctl nodes)
echo "$out" | grep -qE '^n1: up instance=[0-9a-f]{16} listen=127\.0\.0\.1 legs=[0-9]+ call_legs=6 heard=[0-9]+ms queue=[0-9]+$' ||
	fail "nodes: $out"
echo "$out" | tail -1 | grep -qx 'Total: 1' || fail "nodes: no 'Total: 1'"
out=$(ctl stats)
echo "$out" | grep -qx 'calls_active: 3' || fail "stats: $out"
echo "$out" | grep -qx 'calls_total: 3' || fail "stats: $out"
echo "$out" | grep -qx 'nodes_live: 1' || fail "stats: $out"

# d <call-id>: that call ends, BYE to both sides (both sipps wait for one).
cid=$(ctl l | sed -n 's/^\([^ ]*\): Connected .*/\1/p' | head -1)
[ -n "$cid" ] || fail "no Call-ID in l"
[ "$(ctl "d $cid")" = OK ] || fail "d $cid was not OK"
[ "$(ctl "d no-such-call")" = "ERROR: no call with id of no-such-call has been found" ] || fail "d of a missing call"
[ "$(ctl d)" = "ERROR: syntax error: d <call-id>" ] || fail "d without an id"
i=0
until [ "$(tb_stat caller 'SuccessfulCall(C)')" = 1 ] && [ "$(tb_stat callee 'SuccessfulCall(C)')" = 1 ]; do
	[ $i -ge 100 ] && fail "the call ended with d did not end in both sipps (BYE on both legs)"
	sleep 0.1
	i=$((i + 1))
done
ctl l | grep -q "^$cid: " && ! ctl l | grep -q "^$cid: Disconnecting " && fail "$cid is not ending"
connected 2 || fail "the other two calls are not up any more: $(ctl l)"

# r <id>: the media timeout of call 2 (ids count TRYs from 1).
[ "$(ctl 'r 999')" = "ERROR: no call with id of 999 has been found" ] || fail "r of a missing call"
[ "$(ctl 'r x')" = "ERROR: syntax error: r <id> [<media-index>]" ] || fail "r x"
rid=2
grep -q "call 2: TRY" "$W/ccd.log" || fail "no call 2 in ccd's log"
[ "$(ctl "r $rid 0")" = OK ] || fail "r $rid was not OK"
i=0
until [ "$(tb_stat caller 'SuccessfulCall(C)')" = 2 ] && [ "$(tb_stat callee 'SuccessfulCall(C)')" = 2 ]; do
	[ $i -ge 100 ] && fail "the call ended with r did not end in both sipps"
	sleep 0.1
	i=$((i + 1))
done
grep -q "call 2: media timeout in Connected" "$W/ccd.log" || fail "r did not end call 2 as a media timeout"

# d *: the last one.
[ "$(ctl 'd *')" = OK ] || fail "d * was not OK"
tb_wait_exit "$UAC_PID" 20
tb_sipp_check caller "$TB_RC" 0 3
tb_uas_done callee 3
wait_calls 0

# q closes the connection after the answers before it.
out=$(ctl l q l)
[ "$out" = "In-memory calls:
Total: 0" ] || fail "q: $out"

# A second ccd on the same control socket is refused with one line.
"$BUILD/ccd" -f -u -s 127.0.0.1:5070 --bind tcp://127.0.0.1:5556 -c "$CTL" >"$W/second.out" 2>&1 &&
	fail "a second ccd started on $CTL"
[ "$(wc -l <"$W/second.out")" -eq 1 ] || fail "second ccd said: $(cat "$W/second.out")"
grep -qx "ccd: control socket $W/ctl.sock is in use by another process (another ccd?)" "$W/second.out" ||
	fail "second ccd said: $(cat "$W/second.out")"
[ -S "$W/ctl.sock" ] || fail "the second ccd removed the first one's socket"
ctl l | grep -qx 'Total: 0' || fail "the first ccd no longer answers"

# A malformed -c is refused at once.
"$BUILD/ccd" -f -u -s 127.0.0.1:5070 -c udp:127.0.0.1:1 >"$W/bad.out" 2>&1 && fail "ccd took -c udp:..."
[ "$(cat "$W/bad.out")" = "ccd: invalid control socket: 'udp:127.0.0.1:1': udp control sockets are not supported (unix: or tcp:)" ] ||
	fail "ccd -c udp: said $(cat "$W/bad.out")"

tb_alive
tb_check_no_legs
tb_daemons_stop
[ -e "$W/ctl.sock" ] && fail "ccd left its control socket behind"
pass "control socket: l, lt, llt, d, r, d *, nodes, stats, q, errors, one ccd per socket"
