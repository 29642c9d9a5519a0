#!/bin/sh
# ccd's RADIUS client pool (ccd/radius.c) and accounting spool
# (ccd/acct_spool.c) against a real FreeRADIUS, driven by radius_probe
# (tests/tools/radius_probe.c) with the project's dictionary:
#   - remote-IP Access-Request: accept, every reply attribute back by name;
#     what FreeRADIUS received (User-Password, VSAs, NAS-Port 5060)
#   - reject with the server's attributes; digest (radcli packs Digest-*
#     into Digest-Attributes, rlm_digest checks the response): right and
#     wrong password
#   - Start, Stop and Alive records in the detail file, every attribute
#   - FreeRADIUS stopped: timeout after radius_timeout * tries, a second
#     request is not held behind the first, the loop never stalls
#   - records made while it is down are spooled, arrive oldest first once
#     it is back (with their Acct-Delay-Time), the spool ends empty
#   - a restart of the client with a non-empty spool delivers it
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/radius.inc"

TAB=$(printf '\t')

PROBE=$BUILD/tools/radius_probe
[ -x "$PROBE" ] || fail "$PROBE is missing: make test builds it"

cat >"$W/users" <<'EOF'
"127.0.0.1"	Auth-Type := Accept
	h323-return-code = "h323-return-code=0",
	h323-credit-time = "h323-credit-time=3600",
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5070",
	Cisco-AVPair = "h323-ivr-in=Routing:[::1]:5072;credit-time=30",
	Session-Timeout = 120,
	Reply-Message = "ok-by-ip"

"5559999"	Auth-Type := Reject
	h323-return-code = "h323-return-code=4",
	Reply-Message = "no credit"

"alice"	Cleartext-Password := "secret"
	h323-credit-time = "h323-credit-time=120",
	Reply-Message = "digest-ok"

DEFAULT	Auth-Type := Reject
	Reply-Message = "unknown user"
EOF

SPOOL=$W/acct.spool

# probe NAME ARGS... < script: runs the probe; output in $W/NAME.out.
probe() {
	pn=$1
	shift
	"$PROBE" -R "$RAD_CLIENT_CONF" "$@" >"$W/$pn.out" 2>"$W/$pn.log"
	prc=$?
	[ $prc -eq 0 ] || { cat "$W/$pn.out" "$W/$pn.log"; fail "probe $pn exited $prc"; }
}

# out_has NAME LINE: the probe's output has exactly this line.
out_has() {
	grep -qxF -- "$2" "$W/$1.out" && return 0
	echo "--- $W/$1.out"
	cat "$W/$1.out"
	fail "probe $1: no line '$2'"
}

# auth_ms NAME TAG RESULT: the answer's milliseconds (fails if another result).
auth_ms() {
	am=$(awk -v t="$2" -v r="$3" '$1 == "auth" && $2 == t && $3 == r { print $4 }' "$W/$1.out")
	[ -n "$am" ] || { cat "$W/$1.out"; fail "probe $1: auth $2 is not $3"; }
	echo "$am"
}

# stat NAME KEY: a value of the probe's final stats line.
stat() {
	awk -v k="$2" '$1 == "stats" { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' \
		"$W/$1.out"
}

# acct_rec SESSION STATUS: the accounting record of SESSION with
# Acct-Status-Type STATUS from the detail file, as "Name = value" lines
# (values without quotes); status 1 if there is none.
acct_rec() {
	rad_detail "$W" | awk -v sess="$1" -v st="$2" '
		function flush() {
			if (n && id == sess && s == st) { printf "%s", rec; found = 1 }
			rec = ""; n = 0; id = ""; s = ""
		}
		/^[ \t]/ {
			line = $0
			sub(/^[ \t]+/, "", line)
			i = index(line, " = ")
			if (!i) next
			name = substr(line, 1, i - 1)
			val = substr(line, i + 3)
			if (val ~ /^".*"$/) val = substr(val, 2, length(val) - 2)
			rec = rec name " = " val "\n"
			n++
			if (name == "Acct-Session-Id") id = val
			if (name == "Acct-Status-Type") s = val
			next
		}
		{ flush() }
		END { flush(); exit !found }'
}

# sessions: the Acct-Session-Ids in the detail file, in the order received.
sessions() {
	rad_detail "$W" | awk -F' = ' '$1 ~ /Acct-Session-Id$/ { gsub(/"/, "", $2); print $2 }' | tr '\n' ' '
}

# acct_record SESSION STATUS [EXTRA PAIRS]: an acct command line.
acct_line() {
	printf 'acct Acct-Status-Type=%s\tAcct-Session-Id=%s\tUser-Name=5551000\tCalling-Station-Id=5551000\t' "$2" "$1"
	printf 'Called-Station-Id=5552000\th323-call-origin=h323-call-origin=answer\th323-call-type=h323-call-type=VoIP\t'
	printf 'Cisco-AVPair=h323-session-protocol=sipv2\tCisco-AVPair=call-id=%s\t' "$1"
	printf 'h323-setup-time=h323-setup-time=12:00:00.000 GMT Fri Nov 20 2026\t'
	printf 'h323-remote-address=h323-remote-address=127.0.0.1%s\n' "${3:+$TAB$3}"
}

rad_start "$W" "$RAD_PORT" "$W/users"
RAD_CLIENT_CONF=$(rad_client_conf "$W/radcli" "$RAD_PORT" 1 1)

# ---------------------------------------------------------------- authentication
realm=test.local nonce=4f2a9c1d7e uri=sip:5552000@127.0.0.1
md5() { printf '%s' "$1" | md5sum | cut -d' ' -f1; }
ha1=$(md5 "alice:$realm:secret")
ha2=$(md5 "INVITE:$uri")
good=$(md5 "$ha1:$nonce:$ha2")
digest="Digest-Realm=$realm${TAB}Digest-Nonce=$nonce${TAB}Digest-Method=INVITE${TAB}Digest-URI=$uri${TAB}Digest-Algorithm=MD5${TAB}Digest-User-Name=alice"
{
	printf 'auth ip User-Name=127.0.0.1\tPassword=cisco\tCalling-Station-Id=5551000\tCalled-Station-Id=5552000\t'
	printf 'Cisco-AVPair=call-id=c1@test\th323-remote-address=h323-remote-address=127.0.0.1\t'
	printf 'Cisco-AVPair=h323-session-protocol=sipv2\n'
	printf 'auth rej User-Name=5559999\tPassword=cisco\tCalling-Station-Id=5559999\n'
	printf 'auth dig User-Name=alice\t%s\tDigest-Response=%s\tCalling-Station-Id=5551000\n' "$digest" "$good"
	printf 'auth digbad User-Name=alice\t%s\tDigest-Response=%s\n' "$digest" "$(md5 wrong)"
	printf 'auth unknown User-Name=127.0.0.1\tNo-Such-Attribute=1\n'
	printf 'wait\n'
} | probe auth -M 4
auth_ms auth ip accept >/dev/null
out_has auth "reply ip Reply-Message=ok-by-ip"
out_has auth "reply ip h323-return-code=h323-return-code=0"
out_has auth "reply ip h323-credit-time=h323-credit-time=3600"
out_has auth "reply ip Cisco-AVPair=h323-ivr-in=Routing:127.0.0.1:5070"
out_has auth "reply ip Cisco-AVPair=h323-ivr-in=Routing:[::1]:5072;credit-time=30"
out_has auth "reply ip Session-Timeout=120"
[ "$(grep -c '^reply ip Cisco-AVPair=' "$W/auth.out")" = 2 ] || fail "two routes expected, in order"
grep '^reply ip Cisco-AVPair=' "$W/auth.out" | head -1 | grep -q '5070$' || fail "routes out of order"
auth_ms auth rej reject >/dev/null
out_has auth "reply rej Reply-Message=no credit"
out_has auth "reply rej h323-return-code=h323-return-code=4"
auth_ms auth dig accept >/dev/null
out_has auth "reply dig Reply-Message=digest-ok"
auth_ms auth digbad reject >/dev/null
out_has auth "reply digbad Reply-Message=authentication failed"
auth_ms auth unknown error >/dev/null
grep -q 'No-Such-Attribute is not in the dictionary' "$W/auth.log" || fail "no log line naming the unknown attribute"
pass "accept with reply attributes, reject, digest right and wrong, unknown attribute"

# What FreeRADIUS received, as it logged it.
rad_auth_records "$W" 127.0.0.1 >"$W/auth-1.rec" || fail "no Access-Request for 127.0.0.1 in the auth detail file"
rad_expect "$W/auth-1.rec" User-Name 127.0.0.1
rad_expect "$W/auth-1.rec" User-Password cisco
rad_expect "$W/auth-1.rec" Calling-Station-Id 5551000
rad_expect "$W/auth-1.rec" Called-Station-Id 5552000
rad_expect "$W/auth-1.rec" Cisco-AVPair "call-id=c1@test"
rad_expect "$W/auth-1.rec" Cisco-AVPair "h323-session-protocol=sipv2"
rad_expect "$W/auth-1.rec" h323-remote-address "h323-remote-address=127.0.0.1"
rad_expect "$W/auth-1.rec" NAS-Port 5060
n=$(rad_auth_count "$W")
[ "$n" = 4 ] || fail "FreeRADIUS got $n Access-Requests, expected 4 (none for the unknown attribute)"
pass "the Access-Request's attributes as FreeRADIUS received them"

# ---------------------------------------------------------------- accounting
{
	acct_line acct-1 Start
	acct_line acct-1 Alive "Acct-Session-Time=30"
	acct_line acct-1 Stop "Acct-Session-Time=42${TAB}Acct-Terminate-Cause=User-Request${TAB}h323-disconnect-cause=h323-disconnect-cause=10${TAB}Cisco-AVPair=release-source=2"
	printf 'sleep 1000\n'
} | probe acct -M 1
[ "$(stat acct acct_accepts)" = 3 ] || fail "3 records acknowledged expected: $(grep stats "$W/acct.out")"
acct_rec acct-1 Start >"$W/start.rec" || fail "no Start record"
acct_rec acct-1 Interim-Update >"$W/alive.rec" || fail "no Alive (Interim-Update) record"
acct_rec acct-1 Stop >"$W/stop.rec" || fail "no Stop record"
for rec in start alive stop; do
	rad_expect "$W/$rec.rec" Acct-Session-Id acct-1
	rad_expect "$W/$rec.rec" User-Name 5551000
	rad_expect "$W/$rec.rec" Calling-Station-Id 5551000
	rad_expect "$W/$rec.rec" Called-Station-Id 5552000
	rad_expect "$W/$rec.rec" h323-call-origin "h323-call-origin=answer"
	rad_expect "$W/$rec.rec" h323-call-type "h323-call-type=VoIP"
	rad_expect "$W/$rec.rec" Cisco-AVPair "h323-session-protocol=sipv2"
	rad_expect "$W/$rec.rec" Cisco-AVPair "call-id=acct-1"
	rad_expect "$W/$rec.rec" h323-setup-time "h323-setup-time=12:00:00.000 GMT Fri Nov 20 2026"
	rad_expect "$W/$rec.rec" h323-remote-address "h323-remote-address=127.0.0.1"
	rad_expect "$W/$rec.rec" Acct-Delay-Time 0
	rad_expect "$W/$rec.rec" NAS-Port 5060
done
rad_expect "$W/alive.rec" Acct-Session-Time 30
rad_expect "$W/stop.rec" Acct-Session-Time 42
rad_expect "$W/stop.rec" Acct-Terminate-Cause User-Request
rad_expect "$W/stop.rec" h323-disconnect-cause "h323-disconnect-cause=10"
rad_expect "$W/stop.rec" Cisco-AVPair "release-source=2"
[ "$(sessions)" = "acct-1 acct-1 acct-1 " ] || fail "records out of order: $(sessions)"
pass "Start, Alive and Stop in the detail file with every attribute"

# ---------------------------------------------------------------- server down: timeouts
rad_stop
{
	printf 'auth t1 User-Name=127.0.0.1\tPassword=cisco\n'
	printf 'sleep 700\n'
	printf 'auth t2 User-Name=127.0.0.1\tPassword=cisco\n'
	printf 'wait\n'
} | probe down -M 4
t1=$(auth_ms down t1 timeout)
t2=$(auth_ms down t2 timeout)
# radius_timeout 1, radius_retries 1: two tries of 1 s.
[ "$t1" -ge 1900 ] && [ "$t1" -lt 3500 ] || fail "t1 timed out after $t1 ms, expected about 2000"
[ "$t2" -ge 1900 ] && [ "$t2" -lt 2600 ] || fail "t2 took $t2 ms: held behind t1?"
gap=$(stat down loop_max_gap_ms)
[ "$gap" -lt 300 ] || fail "the event loop stalled for $gap ms"
pass "timeouts after ${t1} and ${t2} ms, concurrently; the loop's longest gap ${gap} ms"

# ---------------------------------------------------------------- spool: down, then back
# One client all along: it waits (running its loop) for the cue that
# FreeRADIUS is back.
{
	for s in sp-1 sp-2 sp-3; do acct_line "$s" Stop "Acct-Session-Time=5"; done
	printf 'spool 3 10000\n'
	printf 'await %s 20000\n' "$W/server-up"
	printf 'spool 0 15000\n'
} >"$W/spool.cmds"
"$PROBE" -R "$RAD_CLIENT_CONF" -M 1 --acct-spool "$SPOOL" <"$W/spool.cmds" >"$W/spool.out" 2>"$W/spool.log" &
SPID=$!
TB_PIDS="$TB_PIDS $SPID"
TB_STARTS="$TB_STARTS $SPID:$(tb_proc_start "$SPID")"
i=0
until grep -q '^spool ' "$W/spool.out" 2>/dev/null; do
	[ $i -ge 150 ] && fail "the probe did not report its spool"
	sleep 0.1
	i=$((i + 1))
done
out_has spool "spool 3 ok"
sleep 1
rad_start "$W" "$RAD_PORT" "$W/users"
: >"$W/server-up"
# The spool retries its oldest record every 5 s (RADIUS_SPOOL_RETRY_MS).
tb_wait_exit "$SPID" 30
[ "$TB_RC" = 0 ] || { cat "$W/spool.log"; fail "spool probe exited $TB_RC"; }
out_has spool "spool 0 ok"
[ "$(stat spool acct_spooled)" = 3 ] || fail "3 records spooled expected: $(grep stats "$W/spool.out")"
[ "$(stat spool acct_unspooled)" = 3 ] || fail "3 records delivered from the spool expected"
[ "$(stat spool acct_lost)" = 0 ] || fail "records lost"
got=$(sessions)
[ "$got" = "acct-1 acct-1 acct-1 sp-1 sp-2 sp-3 " ] || fail "spooled records out of order or missing: $got"
for s in 1 2 3; do
	acct_rec "sp-$s" Stop >"$W/sp-$s.rec" || fail "no record sp-$s"
	rad_expect_re "$W/sp-$s.rec" Acct-Delay-Time '^([3-9]|[1-9][0-9]+)$'
done
[ ! -s "$SPOOL" ] || fail "the spool file is not empty once delivered"
pass "records spooled while FreeRADIUS was down arrived oldest first, with their delay; spool empty"

# ---------------------------------------------------------------- spool across a restart
rad_stop
{
	acct_line rs-1 Stop
	acct_line rs-2 Stop
	printf 'spool 2 10000\n'
} | probe restart1 -M 1 --acct-spool "$SPOOL"
out_has restart1 "spool 2 ok"
[ -s "$SPOOL" ] || fail "the spool file is empty after the client stopped"
rad_start "$W" "$RAD_PORT" "$W/users"
printf 'spool 0 10000\n' | probe restart2 -M 2 --acct-spool "$SPOOL"
out_has restart2 "spool 0 ok"
got=$(sessions)
[ "$got" = "acct-1 acct-1 acct-1 sp-1 sp-2 sp-3 rs-1 rs-2 " ] || fail "records after the restart: $got"
[ ! -s "$SPOOL" ] || fail "the spool file is not empty once delivered"
grep -q '2 records to send' "$W/restart2.log" || fail "the restarted client did not read its spool back"
pass "a restarted client delivered the spool it found"
