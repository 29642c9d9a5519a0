#!/bin/sh
# Cisco-style accounting (-A 2: Start and Stop) read back from a real
# FreeRADIUS's detail file (radius.inc), every attribute checked
# (sippy-behaviour §2.6-2.9):
#  3001: one route (on 127.0.0.3, so the originate leg's
#        h323-remote-address differs from the caller's), answered, the
#        caller hangs up after 1.2 s: Start and Stop of the answer leg and
#        of the originate leg.
#  3002: route 1 (cld 4001) answers 486, route 2 (cld 4002) answers, the
#        caller hangs up: attempt 1 has an originate Stop only (session
#        time 0, cause 11 = user busy, release-source 4, connect time =
#        disconnect time); attempt 2 and the answer leg Start and Stop.
# Both legs: Acct-Session-Id and call-id= the caller's Call-ID, User-Name
# the caller's address, Calling-Station-Id the caller's number,
# Called-Station-Id the number dialled (answer) or the route's (originate),
# h323-call-origin answer/originate, h323-call-type VoIP,
# h323-session-protocol=sipv2, h323-remote-address (the caller's or the
# route's address), the h323-conf-id of the call if sent, times in the format
# "HH:MM:SS.mmm GMT Www Mmm D YYYY" (today, UTC), the same setup and
# connect times in a leg's Start and Stop, disconnect - connect = session
# time, h323-disconnect-cause 10 and release-source=2 (the caller's BYE)
# on both legs of an answered call; no attribute outside Sippy's set.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/radius.inc"

cat >"$W/users" <<'EOF'
"127.0.0.1"	Called-Station-Id == "3001", Auth-Type := Accept
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.3:5070"

"127.0.0.1"	Called-Station-Id == "3002", Auth-Type := Accept
	Cisco-AVPair = "h323-ivr-in=Routing:4001@127.0.0.1:5070",
	Cisco-AVPair = "h323-ivr-in=Routing:4002@127.0.0.1:5072"

DEFAULT	Auth-Type := Reject
	Reply-Message = "unknown caller"
EOF
rad_setup "$W/users" -A 2

day0=$(date -u '+%a %b %-d %Y')
# 3001: answered, 1.2 s.
rad_uas callee1 uas_rr 5070 -m 1 -i 127.0.0.3
tb_uac caller1 uac_rr -m 1 -d 1200 -s 3001
tb_sipp_check caller1 "$TB_RC" 0 1
tb_uas_done callee1 1
cid1=$(rad_msg_hdr caller1 sent '^INVITE ' Call-ID | head -1)
# 3002: 486 on route 1, route 2 answers.
rad_uas busy2 uas_reject 5070 -m 1
busy_pid=$UAS_PID
rad_uas callee2 uas_rr 5072 -m 1
callee_pid=$UAS_PID
tb_uac caller2 uac_rr -m 1 -d 300 -s 3002
tb_sipp_check caller2 "$TB_RC" 0 1
rad_sipp_done "$busy_pid" busy2 1
rad_sipp_done "$callee_pid" callee2 1
cid2=$(rad_msg_hdr caller2 sent '^INVITE ' Call-ID | head -1)
day1=$(date -u '+%a %b %-d %Y')

rad_wait_detail "$W" Stop answer 2 || fail "not 2 answer Stop records: $(rad_detail "$W")"
rad_wait_detail "$W" Stop originate 3 || fail "not 3 originate Stop records: $(rad_detail "$W")"
tb_check_no_legs quick
[ "$(rad_detail_count "$W" Start answer)" = 2 ] || fail "$(rad_detail_count "$W" Start answer) answer Start records, expected 2"
[ "$(rad_detail_count "$W" Start originate)" = 2 ] || fail "$(rad_detail_count "$W" Start originate) originate Start records, expected 2 (none for the failed attempt)"
[ "$(rad_detail_count "$W" Stop answer)" = 2 ] || fail "$(rad_detail_count "$W" Stop answer) answer Stop records, expected 2"
[ "$(rad_detail_count "$W" Stop originate)" = 3 ] || fail "$(rad_detail_count "$W" Stop originate) originate Stop records, expected 3"
[ "$(rad_detail_count "$W" "" "")" = 9 ] || fail "$(rad_detail_count "$W" "" "") accounting records, expected 9: $(rad_detail "$W")"

# The records of one call: those whose Acct-Session-Id is its Call-ID, in
# order; a leg's records are told apart by status, origin and called number.
# record FILE STATUS ORIGIN CID CALLED: the record into FILE.
record() {
	rec_i=1
	while rad_detail_records "$W" "$2" "$3" $rec_i >"$1"; do
		rad_attr Acct-Session-Id <"$1" | grep -qxF -- "$4" &&
			rad_attr Called-Station-Id <"$1" | grep -qxF -- "$5" && return 0
		rec_i=$((rec_i + 1))
	done
	fail "no $2 $3 record with Acct-Session-Id $4 and Called-Station-Id $5: $(rad_detail "$W")"
}

TIME_RE='[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} GMT [A-Z][a-z]{2} [A-Z][a-z]{2} [1-9][0-9]? [0-9]{4}'

# seconds NAME FILE: the time of day of the time attribute NAME, seconds.
seconds() {
	rad_attr "$1" <"$2" | sed -n "s/^$1=\([0-9]*\):\([0-9]*\):\([0-9]*\)\.\([0-9]*\) .*/\1 \2 \3 \4/p" |
		awk '{ printf "%.3f\n", $1 * 3600 + $2 * 60 + $3 + $4 / 1000 }'
}

# check_common FILE STATUS ORIGIN CID CALLED REMOTE: what every record has.
check_common() {
	rad_expect "$1" Acct-Status-Type "$2"
	rad_expect "$1" h323-call-origin "h323-call-origin=$3"
	rad_expect "$1" h323-call-type "h323-call-type=VoIP"
	rad_expect "$1" Cisco-AVPair "h323-session-protocol=sipv2"
	rad_expect "$1" User-Name 127.0.0.1
	rad_expect "$1" Calling-Station-Id sipp
	rad_expect "$1" Called-Station-Id "$5"
	rad_expect "$1" Cisco-AVPair "call-id=$4"
	rad_expect "$1" Acct-Session-Id "$4"
	rad_expect "$1" h323-remote-address "h323-remote-address=$6"
	for t in h323-setup-time h323-connect-time; do
		rad_expect_re "$1" $t "^$t=$TIME_RE\$"
		v=$(rad_attr $t <"$1" | sed 's/^[^ ]* GMT //')
		[ "$v" = "$day0" ] || [ "$v" = "$day1" ] || fail "$(basename "$1"): $t is on '$v', not today (UTC: $day1)"
	done
	[ "$(rad_attr h323-setup-time <"$1" | wc -l)" = 1 ] || fail "$(basename "$1"): h323-setup-time more than once"
	# The conference id (Cisco's GUID format), if sent, is the call's: the
	# same in every record of the call.
	if conf=$(rad_attr h323-conf-id <"$1"); then
		echo "$conf" | grep -qxE 'h323-conf-id=[0-9A-F]{8}( [0-9A-F]{8}){3}' ||
			fail "$(basename "$1"): h323-conf-id '$conf' is not a Cisco GUID"
		f="$W/conf_id_$(echo "$4" | md5sum | cut -c1-8)"
		[ -f "$f" ] && [ "$(cat "$f")" != "$conf" ] &&
			fail "$(basename "$1"): $conf, another record of the call has $(cat "$f")"
		echo "$conf" >"$f"
	fi
	# Acct-Delay-Time, if sent, is a delay, not a UNIX time (Sippy defect 8).
	d=$(rad_attr Acct-Delay-Time <"$1") && { [ "$d" -lt 60 ] || fail "$(basename "$1"): Acct-Delay-Time = $d"; }
	# Nothing outside Sippy's attribute set (radcli adds NAS-IP-Address
	# and NAS-Port, FreeRADIUS Timestamp).
	extra=$(sed 's/ = .*//' "$1" | grep -vxE 'Acct-Status-Type|h323-call-origin|h323-conf-id|h323-call-type|Cisco-AVPair|User-Name|Calling-Station-Id|Called-Station-Id|Acct-Session-Id|h323-remote-address|h323-voice-quality|Acct-Terminate-Cause|h323-disconnect-time|Acct-Session-Time|h323-disconnect-cause|h323-connect-time|h323-setup-time|h323-ivr-out|Acct-Delay-Time|NAS-IP-Address|NAS-Port|Timestamp' | sort -u | tr '\n' ' ')
	[ -z "$extra" ] || fail "$(basename "$1"): attributes outside Sippy's set: $extra"
	extra=$(rad_attr Cisco-AVPair <"$1" | grep -vE '^(h323-session-protocol|call-id|release-source|provisional-timepoint|h323-incoming-conf-id)=' | tr '\n' ' ')
	[ -z "$extra" ] || fail "$(basename "$1"): unexpected Cisco-AVPair values: $extra"
}

# check_start FILE ORIGIN CID CALLED REMOTE
check_start() {
	check_common "$1" Start "$2" "$3" "$4" "$5"
	for a in h323-disconnect-time Acct-Session-Time h323-disconnect-cause; do
		rad_expect_none "$1" $a
	done
	rad_attr Cisco-AVPair <"$1" | grep -q '^release-source=' && fail "$(basename "$1"): release-source in a Start record"
	return 0
}

# check_stop FILE ORIGIN CID CALLED REMOTE SECONDS CAUSE RELEASE_SOURCE
#   [START_FILE]
check_stop() {
	check_common "$1" Stop "$2" "$3" "$4" "$5"
	rad_expect_re "$1" h323-disconnect-time "^h323-disconnect-time=$TIME_RE\$"
	rad_expect "$1" Acct-Session-Time "$6"
	rad_expect "$1" h323-disconnect-cause "h323-disconnect-cause=$7"
	rad_expect "$1" Cisco-AVPair "release-source=$8"
	c=$(seconds h323-connect-time "$1")
	d=$(seconds h323-disconnect-time "$1")
	awk -v c="$c" -v d="$d" -v s="$6" 'BEGIN { x = d - c; if (x < 0) x += 86400; exit !(x >= s - 1 && x <= s + 1) }' ||
		fail "$(basename "$1"): disconnect $d - connect $c is not the session time $6 s"
	if [ -n "${9:-}" ]; then
		for t in h323-setup-time h323-connect-time; do
			[ "$(rad_attr $t <"$1")" = "$(rad_attr $t <"$9")" ] ||
				fail "$(basename "$1"): $t differs from the Start record's: $(rad_attr $t <"$1") / $(rad_attr $t <"$9")"
		done
		rad_expect "$1" h323-voice-quality "h323-voice-quality=0"
		rad_expect "$1" Acct-Terminate-Cause User-Request
	fi
}

# 3001.
for leg in answer:127.0.0.1 originate:127.0.0.3; do
	remote=${leg#*:}
	leg=${leg%:*}
	record "$W/c1_start_$leg" Start "$leg" "$cid1" 3001
	record "$W/c1_stop_$leg" Stop "$leg" "$cid1" 3001
	check_start "$W/c1_start_$leg" "$leg" "$cid1" 3001 "$remote"
	check_stop "$W/c1_stop_$leg" "$leg" "$cid1" 3001 "$remote" 1 10 2 "$W/c1_start_$leg"
done
echo "ok: 3001: Start and Stop of both legs"

# 3002.
record "$W/c2_start_answer" Start answer "$cid2" 3002
record "$W/c2_stop_answer" Stop answer "$cid2" 3002
check_start "$W/c2_start_answer" answer "$cid2" 3002 127.0.0.1
check_stop "$W/c2_stop_answer" answer "$cid2" 3002 127.0.0.1 0 10 2 "$W/c2_start_answer"
record "$W/c2_start_orig2" Start originate "$cid2" 4002
record "$W/c2_stop_orig2" Stop originate "$cid2" 4002
check_start "$W/c2_start_orig2" originate "$cid2" 4002 127.0.0.1
check_stop "$W/c2_stop_orig2" originate "$cid2" 4002 127.0.0.1 0 10 2 "$W/c2_start_orig2"
record "$W/c2_stop_orig1" Stop originate "$cid2" 4001
check_stop "$W/c2_stop_orig1" originate "$cid2" 4001 127.0.0.1 0 11 4
[ "$(seconds h323-connect-time "$W/c2_stop_orig1")" = "$(seconds h323-disconnect-time "$W/c2_stop_orig1")" ] ||
	fail "failed attempt: connect time $(rad_attr h323-connect-time <"$W/c2_stop_orig1") is not its disconnect time $(rad_attr h323-disconnect-time <"$W/c2_stop_orig1")"
rad_expect_none "$W/c2_stop_orig1" h323-voice-quality
echo "ok: 3002: failed attempt Stop only, answered attempt and answer leg Start and Stop"

tb_alive
tb_check_no_legs
tb_daemons_stop
rad_stop
pass "accounting: Start and Stop of both legs, every attribute as Sippy's"
