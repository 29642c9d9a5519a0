#!/bin/sh
# Keep-alives (-k, --keepalive_ans, --keepalive_orig; sippy-behaviour
# §1.9): the chosen legs of a connected call get an in-dialog OPTIONS
# every period; a party that stops answering ends the call.
#  1. ccd -k 3 --keepalive_ans=1 --keepalive_orig=1 (both legs, 1 s):
#     caller and callee each get OPTIONS about 1 s apart, inside their
#     dialog (To tag, the dialog's Call-ID). The callee answers two, then
#     ignores them: within the OPTIONS transaction's timeout (sigd --t1 50:
#     Timer F = 64*T1 = 3.2 s) of the first unanswered one, both parties
#     get a BYE.
#  2. ccd -k 1 --keepalive_ans=1 (answer leg only): the caller gets
#     OPTIONS, the callee none; the callee hangs up after 2.8 s.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/radius.inc"

# count NAME KEY: how many "KEY ..." lines the sipp NAME logged.
count() {
	awk -v k="$2" '$1 == k { n++ } END { print n + 0 }' "$W/$1/logs.log" 2>/dev/null
}

# 1. Both legs; the callee goes deaf.
TB_CCD_OPTS="-k 3 --keepalive_ans=1 --keepalive_orig=1"
tb_call_setup policy_uas_keepalive_dead -m 1
tb_uac caller1 policy_uac_keepalive -m 1
tb_sipp_check caller1 "$TB_RC" 0 1
tb_uas_done callee 1

n=$(count caller1 OPTIONS)
[ "$n" -ge 2 ] || fail "the caller got $n OPTIONS; a 1 s keep-alive for 3 s and more wants at least 2"
t1=$(rad_log_ms callee OPTIONS 1)
t2=$(rad_log_ms callee OPTIONS 2)
dt=$((t2 - t1))
[ "$dt" -ge 800 ] && [ "$dt" -le 1500 ] || fail "the callee's OPTIONS came $dt ms apart; --keepalive_orig=1 wants 1000 ms"
t1=$(rad_log_ms caller1 OPTIONS 1)
t2=$(rad_log_ms caller1 OPTIONS 2)
dt=$((t2 - t1))
[ "$dt" -ge 800 ] && [ "$dt" -le 1500 ] || fail "the caller's OPTIONS came $dt ms apart; --keepalive_ans=1 wants 1000 ms"

cid=$(rad_msg_hdr callee received '^INVITE ' Call-ID | head -1)
[ "$(rad_msg_hdr callee received '^OPTIONS ' Call-ID | sort -u)" = "$cid" ] ||
	fail "the callee's OPTIONS have Call-IDs '$(rad_msg_hdr callee received '^OPTIONS ' Call-ID | sort -u | tr '\n' ' ')', not its dialog's $cid"
rad_msg_hdr callee received '^OPTIONS ' To | grep -qv 'tag=' && fail "an OPTIONS to the callee without To tag"
rad_msg_hdr caller1 received '^OPTIONS ' From | grep -qv 'tag=' && fail "an OPTIONS to the caller without From tag"
ccid=$(rad_msg_hdr caller1 sent '^INVITE ' Call-ID | head -1)
[ "$(rad_msg_hdr caller1 received '^OPTIONS ' Call-ID | sort -u)" = "$ccid" ] || fail "the caller's OPTIONS are not in its dialog ($ccid)"

t_ig=$(rad_log_ms callee IGNORED)
t_bye=$(rad_log_ms callee BYE)
t_cbye=$(rad_log_ms caller1 BYE)
[ -n "$t_ig" ] && [ -n "$t_bye" ] && [ -n "$t_cbye" ] || fail "missing times: ignored '$t_ig', callee BYE '$t_bye', caller BYE '$t_cbye'"
d=$((t_bye - t_ig))
[ "$d" -ge 3000 ] && [ "$d" -le 4200 ] ||
	fail "the callee got its BYE $d ms after the first OPTIONS it ignored; Timer F (64*T1 = 3200 ms) wants about 3200"
d2=$((t_cbye - t_bye))
[ "$d2" -ge -500 ] && [ "$d2" -le 500 ] || fail "the caller got its BYE $d2 ms after the callee's"
echo "ok: -k 3 at 1 s: $n OPTIONS to the caller, the deaf callee's call ended ${d} ms after its first unanswered OPTIONS"
echo "    BYE to the caller: Reason '$(rad_msg_hdr caller1 received '^BYE ' Reason | head -1)'"
tb_alive
tb_check_no_legs quick
tb_daemons_stop

# 2. The answer leg only.
TB_CCD_OPTS="-k 1 --keepalive_ans=1"
TB_CCD_LOG=ccd2
tb_call_setup uas_bye -m 1 -d 2800
tb_uac caller2 policy_uac_keepalive -m 1
tb_sipp_check caller2 "$TB_RC" 0 1
tb_uas_done callee 1
n=$(count caller2 OPTIONS)
[ "$n" -ge 2 ] || fail "-k 1: the caller got $n OPTIONS in 2.8 s of a 1 s keep-alive"
[ "$(rad_received callee '^OPTIONS ')" = 0 ] || fail "-k 1: the callee got OPTIONS, only the answer leg wants them"
echo "ok: -k 1 --keepalive_ans=1: $n OPTIONS to the caller, none to the callee"

tb_alive
tb_check_no_legs
tb_daemons_stop
pass "keep-alives: OPTIONS to the chosen legs; a party that stops answering ends the call on both sides"
