#!/bin/sh
# Credit time from a real FreeRADIUS (radius.inc): ccd ends an answered
# call when its credit time runs out, with a BYE to both sides, on time
# (within 1 s, measured at both sipps from the 200 / ACK to the BYE):
#  2001: the route's credit-time=3 (the reply's h323-credit-time=60 is
#        larger: the smallest wins);
#  2002: no credit-time in the route: the reply's h323-credit-time=2.
# The Stop records (-A 1) say so: Acct-Session-Time 3 and 2,
# release-source=8 (neither party hung up), on both legs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/radius.inc"

cat >"$W/users" <<'EOF'
"127.0.0.1"	Called-Station-Id == "2001", Auth-Type := Accept
	h323-credit-time = "h323-credit-time=60",
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5070;credit-time=3"

"127.0.0.1"	Called-Station-Id == "2002", Auth-Type := Accept
	h323-credit-time = "h323-credit-time=2",
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5070"

DEFAULT	Auth-Type := Reject
	Reply-Message = "unknown caller"
EOF
rad_setup "$W/users"

# credit_call N CLD SECONDS: a call to CLD that ccd must end after SECONDS.
credit_call() {
	rad_uas "callee$1" radius_uas_credit 5070 -m 1
	credit_pid=$UAS_PID
	tb_uac "caller$1" radius_uac_credit -m 1 -s "$2"
	tb_sipp_check "caller$1" "$TB_RC" 0 1
	rad_sipp_done "$credit_pid" "callee$1" 1
	t0=$(rad_log_ms "caller$1" t200)
	t1=$(rad_log_ms "caller$1" tbye)
	[ -n "$t0" ] && [ -n "$t1" ] || fail "caller$1 logged no 200 or BYE time"
	dt_caller=$((t1 - t0))
	t0=$(rad_log_ms "callee$1" tack)
	t1=$(rad_log_ms "callee$1" tbye)
	[ -n "$t0" ] && [ -n "$t1" ] || fail "callee$1 logged no ACK or BYE time"
	dt_callee=$((t1 - t0))
	for dt in $dt_caller $dt_callee; do
		[ "$dt" -ge $(($3 * 1000 - 1000)) ] && [ "$dt" -le $(($3 * 1000 + 1000)) ] ||
			fail "call to $2 ended after $dt_caller ms (caller) / $dt_callee ms (callee); credit time is $3 s"
	done
	echo "ok: $2: BYE after $dt_caller ms (caller), $dt_callee ms (callee); credit $3 s"
}

credit_call 1 2001 3
credit_call 2 2002 2

# Both Stop records of each call: the session time and release source 8.
for leg in answer originate; do
	rad_wait_detail "$W" Stop "$leg" 2 || fail "not 2 $leg Stop records: $(rad_detail "$W")"
	i=1
	for secs in 3 2; do
		rad_detail_records "$W" Stop "$leg" $i >"$W/stop_${leg}_$i" || fail "no $leg Stop record $i"
		rad_expect "$W/stop_${leg}_$i" Acct-Session-Time "$secs"
		rad_expect "$W/stop_${leg}_$i" Cisco-AVPair "release-source=8"
		i=$((i + 1))
	done
done

tb_alive
tb_check_no_legs
tb_daemons_stop
rad_stop
pass "credit time from the route and from h323-credit-time ends calls on time, BYE both sides"
