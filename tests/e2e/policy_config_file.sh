#!/bin/sh
# -C file (sippy-behaviour §1.4): an INI file, section [general], the long
# option names as keys, does what the options do; the command line wins
# over it; a bad file stops ccd with one line naming file and line.
#  1. ccd -C policy.ini (auth_enable = off, static_route =
#     5557777@127.0.0.1:5070, pass_headers = X-Foo, static_tr_out =
#     s/^555/666/, hide_call_id = yes): the callee on :5070 gets
#     INVITE sip:6667777@..., X-Foo but not X-Bar, Call-ID md5hex(cid)-b2b_1.
#  2. ccd -C policy.ini -s 127.0.0.1:5072 -h X-Bar: the callee on :5072
#     gets the dialled number (after the file's -T: 5551234 -> 6661234),
#     X-Bar and not X-Foo, the Call-ID still hidden; :5070 sees nothing.
#  3. Bad files: unknown key, bad value, another section, a line without
#     '=', a key outside [general]: exit status non-zero, exactly one line
#     "ccd: FILE:LINE: ...", nothing bound.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/radius.inc"

# sipp_msg NAME sent|received REGEX [INDEX]: the INDEX-th (default 1)
# message the sipp NAME sent or received whose first line matches REGEX
# (retransmissions count), without CRs.
sipp_msg() {
	awk -v dir="$2" -v re="$3" -v want="${4:-1}" '
		/^-+ [0-9]/ { on = 0; keep = 0; next }
		/message (sent|received)/ { on = ($0 ~ ("message " dir)); first = 1; keep = 0; next }
		!on { next }
		{ sub(/\r$/, "") }
		first && NF { first = 0; if ($0 ~ re && ++n == want) keep = 1 }
		keep { print }' "$W/$1/messages.log"
}

# hdr NAME FILE: the values of header NAME (any case) in the message FILE.
hdr() {
	awk -v h="$1" '
		NR == 1 { next }
		!NF { exit }
		tolower(substr($0, 1, length(h) + 1)) == tolower(h ":") {
			v = substr($0, length(h) + 2); sub(/^[ \t]+/, "", v); print v }' "$2"
}

md5hex() {
	printf '%s' "$1" | md5sum | cut -d' ' -f1
}

cat >"$W/policy.ini" <<'EOF'
# ccd's configuration, Sippy's keys
[general]
auth_enable = off
static_route = 5557777@127.0.0.1:5070
pass_headers = X-Foo
static_tr_out = s/^555/666/
hide_call_id = yes
EOF
sed 's|^\( *\)Subject: Performance Test|&\n\1X-Foo: from-foo\n\1X-Bar: from-bar|' \
	"$TB_SCEN/uac_rr.xml" >"$W/uac_headers.xml"

# run TAG PORT WANT_USER WANT_HDR NOT_HDR CCD_ARGS...: ccd with CCD_ARGS
# and sigd; one call to 5551234 must reach the callee on PORT as
# INVITE sip:WANT_USER@127.0.0.1:PORT, with header WANT_HDR, without
# NOT_HDR, and with the hidden Call-ID; the other route port sees nothing.
run() {
	tag=$1 port=$2 user=$3 with=$4 without=$5
	shift 5
	TB_CCD_LOG=ccd_$tag
	tb_start "$TB_CCD_LOG" env SIPLOG_LVL=DBUG SIPLOG_BEND=stderr "$BUILD/ccd" -f --bind "$TB_CCD_BIND" "$@"
	CCD_PID=$TB_PID
	tb_wait_tcp "${TB_CCD_BIND##*:}" || fail "$tag: ccd does not listen: $(cat "$W/$TB_CCD_LOG.log")"
	tb_sigd_start
	tb_sigd_ready || fail "$tag: ccd did not welcome sigd within 5 s"
	other=5070
	[ "$port" = 5070 ] && other=5072
	rad_uas "idle_$tag" uas_rr "$other"
	idle_pid=$UAS_PID
	rad_uas "callee_$tag" uas_rr "$port" -m 1
	tb_uac "caller_$tag" "$W/uac_headers.xml" -m 1 -d 200 -s 5551234
	tb_sipp_check "caller_$tag" "$TB_RC" 0 1
	tb_uas_done "callee_$tag" 1
	sipp_msg "callee_$tag" received '^INVITE ' >"$W/$tag.invite"
	first=$(head -1 "$W/$tag.invite")
	[ "$first" = "INVITE sip:$user@127.0.0.1:$port SIP/2.0" ] ||
		{ cat "$W/$tag.invite"; fail "$tag: the callee got '$first', expected INVITE sip:$user@127.0.0.1:$port"; }
	hdr "$with" "$W/$tag.invite" | grep -q . || { cat "$W/$tag.invite"; fail "$tag: no $with on the callee's INVITE"; }
	hdr "$without" "$W/$tag.invite" | grep -q . && { cat "$W/$tag.invite"; fail "$tag: $without on the callee's INVITE"; }
	cid=$(rad_msg_hdr "caller_$tag" sent '^INVITE ' Call-ID | head -1)
	got=$(hdr Call-ID "$W/$tag.invite")
	[ "$got" = "$(md5hex "$cid")-b2b_1" ] || fail "$tag: the callee's Call-ID is '$got', hide_call_id wants $(md5hex "$cid")-b2b_1"
	tb_alive
	tb_check_no_legs "${LEGS_CHECK:-quick}"
	tb_stop "$idle_pid" 3
	tb_forget "$idle_pid"
	[ "$(rad_received "idle_$tag" '^INVITE ')" = 0 ] || fail "$tag: the callee on $other got an INVITE"
	tb_daemons_stop
	echo "ok: $tag: $first, $with passed, $without not, Call-ID hidden"
}

run file 5070 6667777 X-Foo X-Bar -C "$W/policy.ini"
LEGS_CHECK=full
run override 5072 6661234 X-Bar X-Foo -C "$W/policy.ini" -s 127.0.0.1:5072 -h X-Bar

# bad NAME LINE_PATTERN: ccd -C NAME.ini (written before) exits non-zero
# printing one line "ccd: <file>:LINE_PATTERN", and binds nothing.
bad() {
	"$BUILD/ccd" -f -C "$W/$1.ini" --bind "$TB_CCD_BIND" >"$W/$1.out" 2>&1 &
	bad_pid=$!
	tb_i=0
	while kill -0 "$bad_pid" 2>/dev/null && [ $tb_i -lt 50 ]; do
		sleep 0.1
		tb_i=$((tb_i + 1))
	done
	if kill -0 "$bad_pid" 2>/dev/null; then
		kill -KILL "$bad_pid"
		wait "$bad_pid"
		fail "ccd -C $1.ini is still running after 5 s"
	fi
	wait "$bad_pid" && fail "ccd -C $1.ini exited 0: $(cat "$W/$1.out")"
	[ "$(wc -l <"$W/$1.out")" -eq 1 ] || fail "ccd -C $1.ini printed more than one line: $(cat "$W/$1.out")"
	grep -qF -- "ccd: $W/$1.ini:$2" "$W/$1.out" || fail "ccd -C $1.ini said '$(cat "$W/$1.out")', expected 'ccd: $W/$1.ini:$2'"
	echo "ok: $1.ini: $(cat "$W/$1.out")"
}
printf '[general]\nauth_enable = off\nstatic_route = 127.0.0.1:5070\npass_header = X-Foo\nmax_credit = 60\n' >"$W/unknown_key.ini"
bad unknown_key "5: unknown key 'max_credit'"
printf '[general]\nauth_enable = off\nstatic_route = 127.0.0.1:5070\nmax_credit_time = 0\n' >"$W/bad_value.ini"
bad bad_value "4: invalid -m (max_credit_time) '0'"
printf '[general]\nauth_enable = off\n[routing]\nstatic_route = 127.0.0.1:5070\n' >"$W/other_section.ini"
bad other_section "3: unknown section [routing]"
printf '[general]\nauth_enable = off\nstatic_route\n' >"$W/no_value.ini"
bad no_value "3: expected 'key = value'"
printf 'auth_enable = off\n[general]\nstatic_route = 127.0.0.1:5070\n' >"$W/no_section.ini"
bad no_section "1: key 'auth_enable' outside the [general] section"
printf '[general]\nauth_enable = off\nstatic_route = 127.0.0.1:5070\nstatic_tr_in = s/(/x/\n' >"$W/bad_rule.ini"
bad bad_rule "4: invalid -t (static_tr_in) 's/(/x/'"

pass "-C: [general] keys act as the options, the command line overrides them, a bad file is one line and an exit"
