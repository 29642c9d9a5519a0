#!/usr/bin/env python3
"""bench/report.py - the arithmetic of `make bench` (bench/bench.sh).

  report.py latency SNIFF PROXY_PORT UAC_PORT UAS_PORT
      pairs the lines of bench/sipsniff by Call-ID (the B2BUA's outgoing
      Call-ID is the incoming one plus "-b2b_N"): INVITE into the proxy ->
      INVITE out of it, 200 into it -> 200 out of it; prints key=value
      percentiles in microseconds.
  report.py rtt FILE...
      percentiles of sipp's -trace_rtt response times (whole milliseconds).
  report.py report RESULTS
      the tables and the ratios ours/Kamailio from results.txt.
  report.py hotlines CALLGRIND_OUT [N]
      the N source lines with the most self instructions (callgrind's own
      annotate ranks functions, not lines).
"""
import os
import re
import sys


def pct(values, p):
    """Nearest-rank percentile of a sorted list."""
    if not values:
        return float('nan')
    i = max(0, min(len(values) - 1, int(round(p / 100.0 * len(values) + 0.5)) - 1))
    return values[i]


def latency(sniff, proxy, uac, uas):
    proxy, uac, uas = int(proxy), int(uac), int(uas)
    first = {}
    with open(sniff, errors='replace') as f:
        for line in f:
            parts = line.split(None, 4)
            if len(parts) != 5:
                continue
            ts, kind, sport, dport, cid = float(parts[0]), parts[1], int(parts[2]), int(parts[3]), parts[4].strip()
            cid = re.sub(r'-b2b_[0-9]+$', '', cid)
            if kind == 'I' and dport == proxy and sport != uas:
                key = 'inv_in'
            elif kind == 'I' and sport == proxy and dport == uas:
                key = 'inv_out'
            elif kind == 'O' and sport == uas and dport == proxy:
                key = 'ok_in'
            elif kind == 'O' and sport == proxy and dport == uac:
                key = 'ok_out'
            else:
                continue
            first.setdefault((key, cid), ts)
    calls = {cid for (_, cid) in first}
    inv, ok, tot = [], [], []
    for cid in calls:
        t = {k: first.get((k, cid)) for k in ('inv_in', 'inv_out', 'ok_in', 'ok_out')}
        if None in t.values():
            continue
        a = (t['inv_out'] - t['inv_in']) * 1e6
        b = (t['ok_out'] - t['ok_in']) * 1e6
        inv.append(a)
        ok.append(b)
        tot.append(a + b)
    print(f'calls={len(tot)}')
    print(f'unmatched={len(calls) - len(tot)}')
    for name, v in (('inv', inv), ('ok', ok), ('sum', tot)):
        v.sort()
        for p in (50, 90, 99):
            print(f'{name}_p{p}_us={pct(v, p):.0f}')
        print(f'{name}_max_us={(v[-1] if v else float("nan")):.0f}')


def rtt(files):
    v = []
    for fn in files:
        try:
            with open(fn) as f:
                for line in f:
                    parts = line.strip().split(';')
                    if len(parts) >= 2:
                        try:
                            v.append(float(parts[1]))
                        except ValueError:
                            pass
        except OSError:
            pass
    v.sort()
    print(f'rt_n={len(v)}')
    print(f'rt_p50_ms={pct(v, 50):g}')
    print(f'rt_p99_ms={pct(v, 99):g}')


def hotlines(path, n=30):
    """Self Ir per (file, line) from a callgrind output file: names may be
    compressed as "(id) name" / "(id)", positions as +N, -N or *; the cost
    line after a calls= line is the callee's inclusive cost, not self."""
    names = {'fl': {}, 'fn': {}}
    space = {'fl': 'fl', 'fi': 'fl', 'fe': 'fl', 'cfi': 'fl', 'cfl': 'fl', 'fn': 'fn', 'cfn': 'fn'}
    cost, funcs, total = {}, {}, 0
    cur_fl = cur_file = cur_fn = '?'
    line_no, after_call = 0, False
    with open(path, errors='replace') as f:
        for raw in f:
            raw = raw.rstrip('\n')
            if not raw:
                continue
            c = raw[0]
            if c.isdigit() or c in '+-*':
                parts = raw.split()
                pos = parts[0]
                if pos == '*':
                    pass
                elif pos[0] in '+-':
                    line_no += int(pos)
                else:
                    line_no = int(pos)
                ir = int(parts[1]) if len(parts) > 1 else 0
                if after_call:
                    after_call = False
                    continue
                # No debug information (system libraries): one entry per function.
                key = (cur_file, line_no) if cur_file != '???' and line_no else ('???', cur_fn)
                cost[key] = cost.get(key, 0) + ir
                fk = (key, cur_fn)
                funcs[fk] = funcs.get(fk, 0) + ir
                total += ir
                continue
            if '=' not in raw:
                continue
            k, v = raw.split('=', 1)
            if k == 'calls':
                after_call = True
                continue
            if k not in space:
                continue
            m = re.match(r'\((\d+)\)\s*(.*)', v)
            tab = names[space[k]]
            if m:
                if m.group(2):
                    tab[m.group(1)] = m.group(2)
                name = tab.get(m.group(1), '?')
            else:
                name = v
            if k == 'fl':
                cur_fl = cur_file = name
            elif k in ('fi', 'fe'):
                cur_file = name
            elif k == 'fn':
                cur_fn = name
                cur_file = cur_fl
    best_fn = {}
    for (key, fn), ir in funcs.items():
        if ir > best_fn.get(key, ('', -1))[1]:
            best_fn[key] = (fn, ir)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + '/'
    for (fl, line), ir in sorted(cost.items(), key=lambda x: -x[1])[:int(n)]:
        name = fl[len(root):] if fl.startswith(root) else fl
        where = f'{name}:{line}' if fl != '???' else '(no line information)'
        print(f'{100.0 * ir / max(total, 1):6.2f}%  {ir:>12,}  {where}  {best_fn[(fl, line)][0]}')


# ---------------------------------------------------------------- report

def load(path):
    d = {}
    with open(path) as f:
        for line in f:
            if '=' in line:
                k, v = line.rstrip('\n').split('=', 1)
                d[k] = v
    return d


def nums(s):
    try:
        return [float(x) for x in s.split()]
    except (AttributeError, ValueError):
        return []


def num(d, k, default=None):
    try:
        return float(d[k])
    except (KeyError, ValueError):
        return default


def fmt(x, spec='.3f', none='-'):
    if x is None or x != x:
        return none
    return format(x, spec)


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def verdict(ok):
    return 'n/a' if ok is None else ('MET' if ok else 'NOT MET')


NAMES = {'ours': 'ours (sigd+ccd)', 'kam': 'Kamailio'}
PROCS = {'ours': ('sigd', 'ccd'), 'kam': ('kamailio',)}


def table(head, rows):
    cols = [head] + rows
    w = [max(len(str(r[i])) for r in cols) for i in range(len(head))]
    out = ['  '.join(str(c).rjust(w[i]) if i else str(c).ljust(w[i]) for i, c in enumerate(r)) for r in cols]
    out.insert(1, '  '.join('-' * x for x in w))
    return '\n'.join('  ' + l for l in out)


def cpu_per_call(d, k, t, idle_prefix):
    """Per process ms/call over a window, the idle rate removed."""
    c0, c1 = nums(d.get(k + '.cpu0')), nums(d.get(k + '.cpu1'))
    calls, window = num(d, k + '.calls'), num(d, k + '.window')
    i0, i1 = nums(d.get(idle_prefix + '.idle0')), nums(d.get(idle_prefix + '.idle1'))
    idle_s = num(d, idle_prefix + '.idle_s')
    if not c0 or len(c0) != len(c1) or not calls:
        return None
    out = []
    for j in range(len(c0)):
        idle = 0.0
        if i0 and i1 and idle_s and window:
            idle = (i1[j] - i0[j]) / idle_s * window
        out.append(max(0.0, c1[j] - c0[j] - idle) / calls)
    return out


def report(path):
    d = load(path)
    targets = [t for t in ('ours', 'kam') if any(k.startswith(f'ladder.{t}.') or k.startswith(f'cpu.{t}.')
                                                  or k.startswith(f'hold.{t}.') or k.startswith(f'lat.{t}.')
                                                  or k.startswith(f'ovl.{t}.') for k in d)]
    p = print
    p(f"tandem benchmark ({d.get('meta.mode', '?')} run), {d.get('meta.date', '?')}")
    p(f"  machine: {d.get('meta.cpu', '?')}, {d.get('meta.mem', '?')}, kernel {d.get('meta.kernel', '?')}")
    p(f"  load average at start {d.get('meta.load_start', '?')}, at end {d.get('meta.load_end', '?')}; "
      f"wall {fmt(num(d, 'meta.wall'), '.0f')} s")
    p(f"  sipp {d.get('meta.sipp', '?')}, Kamailio {d.get('meta.kamailio', '?')}, tandem {d.get('meta.rev', '?')}")
    summary = []

    # (a) ladder
    rates = sorted({int(k.split('.')[2]) for k in d if re.match(r'ladder\.\w+\.\d+\.rc$', k)})
    if rates:
        p('\n(a) Sustained call rate with zero failed calls (search upward; a step passes when every call succeeds)')
        head = ['cps']
        for t in targets:
            head += [f'{t}: ok/failed', 'retrans', 'achieved', 'CPU ms/call']
        rows = []
        for r in rates:
            row = [r]
            for t in targets:
                k = f'ladder.{t}.{r}'
                if k + '.rc' not in d:
                    row += ['', '', '', '']
                    continue
                c = cpu_per_call(d, k, t, '#')
                row += [f"{d.get(k + '.ok')}/{d.get(k + '.failed')}" + ('' if d.get(k + '.rc') == '0' else f" rc={d.get(k + '.rc')}"),
                        d.get(k + '.retrans', '?'), fmt(num(d, k + '.rate'), '.0f'),
                        fmt(sum(c)) if c else '-']
            rows.append(row)
        p(table(head, rows))
        s = {t: num(d, f'ladder.{t}.sustained') for t in targets}
        for t in targets:
            conf = sorted({int(k.split('.')[3]) for k in d if re.match(rf'ladder\.{t}\.confirm\.\d+\.rc$', k)},
                          reverse=True)
            tries = []
            for r in conf:
                k = f'ladder.{t}.confirm.{r}'
                secs = num(d, k + '.calls', 0) / r
                tries.append(f"{r} cps x {secs:.0f} s: {d.get(k + '.ok')} ok, {d.get(k + '.failed')} failed, "
                             f"{d.get(k + '.retrans')} retrans, offered {d.get(k + '.rate')} cps")
            p(f'  sustained, {NAMES[t]}: {fmt(s[t], ".0f")} calls/s'
              + (f" (search found {d.get(f'ladder.{t}.found')}; confirmation runs: " + '; '.join(tries) + ')'
                 if tries else ''))
        rr = ratio(s.get('ours'), s.get('kam'))
        if rr is not None:
            p(f'  ratio ours/Kamailio: {rr:.2f} (target >= 1.5)')
            summary.append(('sustained rate ours/Kamailio', f'{rr:.2f}', '>= 1.5', verdict(rr >= 1.5)))
        p('  (CPU ms/call here is over the step only: the 32 s linger of ended legs falls into later steps)')

    # (b) cpu
    crates = sorted({int(k.split('.')[2]) for k in d if re.match(r'cpu\.\w+\.\d+\.rc$', k)})
    if crates:
        p('\n(b) CPU per call at fixed rates (utime+stime from /proc over the run and the 32 s linger after it,\n'
          '    idle CPU removed); the callee sipp is the reference process (the machine speed drifts, its ratio does not)')
        head = ['cps', 'sigd', 'ccd', 'sigd+ccd', 'Kamailio', 'ours/Kam', 'callee (ours run)', 'callee (Kam run)',
                'ours/callee', 'Kam/callee']
        rows = []
        for r in crates:
            o = cpu_per_call(d, f'cpu.ours.{r}', 'ours', 'cpu.ours')
            k = cpu_per_call(d, f'cpu.kam.{r}', 'kam', 'cpu.kam')
            uo = ratio(num(d, f'cpu.ours.{r}.uas_ms'), num(d, f'cpu.ours.{r}.calls'))
            uk = ratio(num(d, f'cpu.kam.{r}.uas_ms'), num(d, f'cpu.kam.{r}.calls'))
            os_ = sum(o) if o else None
            ks = sum(k) if k else None
            rows.append([r, fmt(o[0] if o else None), fmt(o[1] if o else None), fmt(os_), fmt(ks),
                         fmt(ratio(os_, ks), '.2f'), fmt(uo), fmt(uk), fmt(ratio(os_, uo), '.2f'),
                         fmt(ratio(ks, uk), '.2f')])
            bad = [f"{t} {d.get(f'cpu.{t}.{r}.failed')} failed" for t in targets
                   if d.get(f'cpu.{t}.{r}.failed', '0') not in ('0', '?')]
            if bad:
                rows[-1].append('(' + ', '.join(bad) + ')')
            rt = ratio(os_, ks)
            if rt is not None:
                summary.append((f'CPU/call ours/Kamailio at {r} cps', f'{rt:.2f}', '<= 0.5', verdict(rt <= 0.5)))
        if any(len(r) > len(head) for r in rows):
            head.append('')
            rows = [r + [''] * (len(head) - len(r)) for r in rows]
        p(table(head, rows))
        p('  (ms of CPU per call; a call is INVITE/200/ACK/BYE/200 through the proxy)')

    # (c) + (f) hold
    levels = sorted({int(k.split('.')[3]) for k in d if re.match(r'hold\.\w+\.\w+\.\d+\.reached$', k)})
    if levels:
        p('\n(c, f) Calls held open: memory per concurrent call (fresh daemons, growth over the empty baseline,\n'
          '    2 s after the last set-up), and, with them held, idle CPU and the CPU per call of short probe calls')
        head = ['held']
        for t in targets:
            head += [f'{t}: reached', 'bytes/call', 'idle ms/s', 'probe CPU ms/call']
        rows, notes, per_target = [], [], None
        for lvl in levels:
            row = [lvl]
            for t in targets:
                mk = next((f'hold.{t}.{m}.{lvl}' for m in ('mem', 'both') if f'hold.{t}.{m}.{lvl}.mem' in d), None)
                ck = next((f'hold.{t}.{m}.{lvl}' for m in ('cpu', 'both', 'mem') if f'hold.{t}.{m}.{lvl}.cpu0' in d),
                          None)
                reached = d.get(f'hold.{t}.mem.{lvl}.reached') or d.get(f'hold.{t}.both.{lvl}.reached') \
                    or d.get(f'hold.{t}.cpu.{lvl}.reached') or '-'
                per = None
                if mk:
                    base = sum(nums(d.get(mk.rsplit('.', 1)[0] + '.base')))
                    per = (sum(nums(d[mk + '.mem'])) - base) * 1024 / lvl
                    settled = nums(d.get(mk + '.mem_settled'))
                    if settled:
                        per_s = (sum(settled) - base) * 1024 / lvl
                        notes.append(f'{NAMES[t]}, {lvl} held, after the set-ups\' transactions expired: '
                                     f'{per_s:.0f} bytes/call ({sum(settled):.0f} kB; right after set-up: '
                                     f'{per:.0f} bytes/call)')
                        if t == 'ours':
                            per_target = per_s
                    elif t == 'ours':
                        per_target = per
                    if t == 'ours' and lvl == max(levels):
                        summary.append((f'memory per call, {lvl} held (sigd+ccd RSS)', f'{per_target:.0f} B',
                                        '<= 2048 B at 100000', verdict(per_target <= 2048)
                                        if lvl >= 100000 else 'n/a (not at 100k)'))
                idle = cpu = None
                if ck:
                    i0, i1, s = nums(d.get(ck + '.idle0')), nums(d.get(ck + '.idle1')), num(d, ck + '.idle_s')
                    if i0 and s:
                        idle = (sum(i1) - sum(i0)) / s
                    c = cpu_per_call(d, ck, t, ck)
                    cpu = sum(c) if c else None
                    if d.get(ck + '.failed', '0') not in ('0', '?'):
                        cpu = None
                row += [reached, fmt(per, '.0f'), fmt(idle, '.1f'), fmt(cpu)]
            rows.append(row)
        p(table(head, rows))
        for n in notes:
            p('  ' + n)
        for t in targets:
            if f'hold.{t}.ramp' in d:
                why = [f'{k}: {v}' for k, v in d.items() if k.startswith(f'hold.{t}.') and k.endswith('.why')]
                p(f"  {NAMES[t]}: calls set up at {d[f'hold.{t}.ramp']} calls/s"
                  + ('; stopped early: ' + '; '.join(why) if why else ''))
        p('  (ours: RSS of sigd + ccd; Kamailio: PSS of all its processes, shared memory counted once;'
          ' probe: short calls at a fixed rate, CPU read after their linger, idle CPU removed)')

    # (d) latency
    lt = [t for t in targets if f'lat.{t}.rates' in d]
    if lt:
        p('\n(d) Call setup latency added by the proxy (kernel timestamps on the loopback, microseconds: INVITE in ->\n'
          '    INVITE out, 200 in -> 200 out, and their sum per call); sipp\'s response times (whole ms) through it\n'
          '    and straight to the callee at the same rate')
        head = ['proxy', 'cps', 'calls', 'INVITE p50/p99', '200 p50/p99', 'added p50/p99/max', 'sipp RT p50/p99',
                'direct']
        rows = []
        for t in lt:
            half = d.get(f'lat.{t}.half')
            for r in d[f'lat.{t}.rates'].split():
                k = f'lat.{t}.{r}'
                note = ' (half sustained)' if r == half else (' (half Kamailio\'s)' if t == 'ours' and r != '100' else '')
                rows.append([NAMES[t], r + note, d.get(k + '.calls', '?'),
                             f"{d.get(k + '.inv_p50_us')}/{d.get(k + '.inv_p99_us')}",
                             f"{d.get(k + '.ok_p50_us')}/{d.get(k + '.ok_p99_us')}",
                             f"{d.get(k + '.sum_p50_us')}/{d.get(k + '.sum_p99_us')}/{d.get(k + '.sum_max_us')}",
                             f"{d.get(k + '.rt_p50_ms')}/{d.get(k + '.rt_p99_ms')} ms",
                             f"{d.get(f'lat.direct.{r}.rt_p50_ms')}/{d.get(f'lat.direct.{r}.rt_p99_ms')} ms"])
        p(table(head, rows))
        half = d.get('lat.ours.half')
        v = num(d, f'lat.ours.{half}.sum_p99_us')
        if v is not None and v == v:
            summary.append((f'p99 added setup latency, ours at {half} cps', f'{v:.0f} us', '< 1000 us',
                            verdict(v < 1000)))
        for r in sorted(set(d.get('lat.ours.rates', '').split()) & set(d.get('lat.kam.rates', '').split()), key=int):
            for q in ('50', '99'):
                vo, vk = num(d, f'lat.ours.{r}.sum_p{q}_us'), num(d, f'lat.kam.{r}.sum_p{q}_us')
                if vo and vk:
                    p(f'  ratio ours/Kamailio at {r} cps, p{q} added latency: {vo / vk:.2f}')

    # overload
    ot = [t for t in targets if f'ovl.{t}.calls' in d]
    if ot:
        p('\n(5) Overload: 3x the sustained rate offered, with calls established beforehand')
        head = ['proxy', 'offered cps', 'calls', 'answered', '503', 'failed', 'codes', 'mem kB before/peak/end/final',
                'held ok/failed', 'recovery failed']
        rows = []
        for t in ot:
            k = f'ovl.{t}'
            m0 = sum(nums(d.get(k + '.mem0')))
            me = sum(nums(d.get(k + '.mem_end')))
            mf = sum(nums(d.get(k + '.mem_final')))
            rows.append([NAMES[t], f"{fmt(num(d, k + '.rate'), '.0f')} (asked {d.get(k + '.offered_target')})",
                         d.get(k + '.calls'), fmt(num(d, k + '.ok', 0) - num(d, k + '.shed503', 0), '.0f'),
                         d.get(k + '.shed503'), d.get(k + '.failed'),
                         d.get(k + '.codes', '').strip() or '-',
                         f"{m0:.0f}/{d.get(k + '.mem_peak')}/{me:.0f}/{mf:.0f}",
                         f"{d.get(k + '.held_ok')}/{d.get(k + '.held_failed')} of {d.get(k + '.held')}",
                         f"{d.get(k + '.recovery_failed')} of {int(num(d, k + '.recovery_rate', 0) * 1)} cps run"
                         + ('' if d.get(k + '.alive', '1') == '1' else ' (DIED)')])
        p(table(head, rows))
        if 'ovl.ours.calls' in d:
            shed = num(d, 'ovl.ours.shed503', 0)
            summary.append(('overload: new calls shed with 503, ours', f'{shed:.0f}', '> 0, no other failures',
                            verdict(shed > 0 and num(d, 'ovl.ours.failed', 1) == 0)))
            summary.append(('overload: established calls kept, ours',
                            f"{d.get('ovl.ours.held_failed')} of {d.get('ovl.ours.held')} failed", '0 failed',
                            verdict(num(d, 'ovl.ours.held_failed', 1) == 0)))

    if summary:
        p('\n(e) Targets (issue 7), from this run')
        p(table(['figure', 'measured', 'target', ''], [list(s) for s in summary]))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == 'latency' and len(args) == 4:
        latency(*args)
    elif cmd == 'rtt':
        rtt(args)
    elif cmd == 'report' and len(args) == 1:
        report(args[0])
    elif cmd == 'hotlines' and len(args) in (1, 2):
        hotlines(*args)
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main()
