#!/bin/sh
# Parser speed: wall-clock ns per INVITE (best of several rounds), then
# instructions per INVITE under callgrind. Two runs with different
# iteration counts; (Ir(N2) - Ir(N1)) / (N2 - N1) cancels whatever does
# not scale with the message count. Only bench_one() (parse + reads) is
# counted, not the copies that give each parse a fresh buffer.
#
#   sh bench/codec_bench.sh build/bench/codec_bench
set -eu
BIN=${1:?usage: codec_bench.sh path/to/codec_bench}
N=${N:-200000}
N1=${N1:-2000}
N2=${N2:-12000}

"$BIN" "$N" | grep -v '^sip_parse_invite_bytes'

if ! command -v valgrind >/dev/null 2>&1; then
	echo "codec_bench: valgrind not found, no instruction count" >&2
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

ir() {
	valgrind --tool=callgrind --toggle-collect=bench_one \
		--callgrind-out-file="$tmp/cg.$1" "$BIN" "$1" 1 >/dev/null 2>"$tmp/log.$1" || {
		cat "$tmp/log.$1" >&2
		exit 1
	}
	# "summary:" (older) or "totals:" line: the first event is Ir
	sed -n -e 's/^summary: *\([0-9]*\).*/\1/p' -e 's/^totals: *\([0-9]*\).*/\1/p' \
		"$tmp/cg.$1" | head -n 1
}

ir1=$(ir "$N1")
ir2=$(ir "$N2")
echo "sip_parse_invite_instructions_per_msg $(( (ir2 - ir1) / (N2 - N1) ))"
