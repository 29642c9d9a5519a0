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
  report.py hotlines CALLGRIND_OUT [N [fn|obj]]
      the N source lines (or functions, or binaries) with the most self
      instructions: callgrind_annotate ranks no lines, and after
      callgrind_control --zero it charges the frames that were live at the
      zero (main, the event loop) with their callees' cost.
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


def hotlines(path, n=30, by='line'):
    """Self Ir per (file, line) from a callgrind output file: names may be
    compressed as "(id) name" / "(id)", positions as +N, -N or *; the cost
    line after a calls= line is the callee's inclusive cost, not self."""
    names = {'fl': {}, 'fn': {}, 'ob': {}}
    space = {'fl': 'fl', 'fi': 'fl', 'fe': 'fl', 'cfi': 'fl', 'cfl': 'fl', 'fn': 'fn', 'cfn': 'fn',
             'ob': 'ob', 'cob': 'ob'}
    cost, funcs, objs, total = {}, {}, {}, 0
    cur_fl = cur_file = cur_fn = cur_ob = '?'
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
                objs[cur_ob] = objs.get(cur_ob, 0) + ir
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
            if k == 'ob':
                cur_ob = os.path.basename(name)
            elif k == 'fl':
                cur_fl = cur_file = name
            elif k in ('fi', 'fe'):
                cur_file = name
            elif k == 'fn':
                cur_fn = name
                cur_file = cur_fl
    if by == 'obj':
        for ob, ir in sorted(objs.items(), key=lambda x: -x[1])[:int(n)]:
            print(f'{100.0 * ir / max(total, 1):6.2f}%  {ir:>12,}  {ob}')
        return
    if by == 'fn':
        per_fn = {}
        for (key, fn), ir in funcs.items():
            per_fn[fn] = per_fn.get(fn, 0) + ir
        for fn, ir in sorted(per_fn.items(), key=lambda x: -x[1])[:int(n)]:
            print(f'{100.0 * ir / max(total, 1):6.2f}%  {ir:>12,}  {fn}')
        return
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


NAMES = {'ours': 'ours (sigd+ccd)', 'kam': 'Kamailio', 'kamt': 'Kamailio tlsf'}
REFS = ('kam', 'kamt')


def table(head, rows):
    rows = [r + [''] * (len(head) - len(r)) for r in rows]
    cols = [head] + rows
    w = [max(len(str(r[i])) for r in cols) for i in range(len(head))]
    out = ['  '.join(str(c).rjust(w[i]) if i else str(c).ljust(w[i]) for i, c in enumerate(r)) for r in cols]
    out.insert(1, '  '.join('-' * x for x in w))
    return '\n'.join('  ' + l.rstrip() for l in out)


def cpu_per_call(d, k, idle_prefix):
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


def total(v):
    return sum(v) if v else None


def report(path):
    d = load(path)
    targets = [t for t in ('ours', 'kam', 'kamt')
               if any(k.split('.')[1:2] == [t] for k in d if k.split('.')[0] in ('ladder', 'cpu', 'hold', 'lat', 'ovl'))]
    refs = [t for t in REFS if t in targets]
    p = print
    p(f"tandem benchmark ({d.get('meta.mode', '?')} run), {d.get('meta.date', '?')}")
    p(f"  machine: {d.get('meta.cpu', '?')}, {d.get('meta.mem', '?')}, kernel {d.get('meta.kernel', '?')}")
    p(f"  load average at start {d.get('meta.load_start', '?')}, at end {d.get('meta.load_end', '?')}; "
      f"wall {fmt(num(d, 'meta.wall'), '.0f')} s")
    p(f"  sipp {d.get('meta.sipp', '?')}, Kamailio {d.get('meta.kamailio', '?')}, tandem {d.get('meta.rev', '?')}"
      f" (sigd built {d.get('meta.built', '?')})")
    p('  Kamailio = Debian defaults (its "qm" memory manager); Kamailio tlsf = the same with -x tlsf -X tlsf')
    p(f"  options: sigd {d.get('meta.ours_opts', '') or '(defaults)'}; ccd {d.get('meta.ccd_opts', '').strip() or '(defaults)'}; "
      f"Kamailio {d.get('meta.kam_opts', '?')}")
    summary = []
    if d.get('meta.mode') == 'quick':
        p('  QUICK RUN: 2 s steps and no confirmation runs, so the "sustained" rates are upper bounds; short\n'
          '  settling times, so CPU per call leaves out the 32 s linger; for trying things out, not for figures.')

    # (a) ladder
    rates = sorted({int(k.split('.')[2]) for k in d if re.match(r'ladder\.\w+\.\d+\.rc$', k)})
    if rates:
        p('\n(a) Sustained call rate with zero failed calls (search upward; a step passes when every call succeeds\n'
          '    and sipp really offered 90% of the rate; then long runs on fresh daemons confirm it)')
        lt = [t for t in targets if f'ladder.{t}.found' in d]
        head = ['cps']
        for t in lt:
            head += [f'{t}: ok/failed', 'retrans', 'offered', 'CPU ms/call']
        rows = []
        for r in rates:
            row = [r]
            for t in lt:
                k = f'ladder.{t}.{r}'
                if k + '.rc' not in d:
                    row += ['', '', '', '']
                    continue
                c = cpu_per_call(d, k, '#')
                row += [f"{d.get(k + '.ok')}/{d.get(k + '.failed')}" + ('' if d.get(k + '.rc') == '0' else f" rc={d.get(k + '.rc')}"),
                        d.get(k + '.retrans', '?'), fmt(num(d, k + '.rate'), '.0f'), fmt(total(c))]
            rows.append(row)
        p(table(head, rows))
        p('  (CPU ms/call over the step only: the 32 s linger of ended legs falls into later steps)')
        s = {t: num(d, f'ladder.{t}.sustained') for t in lt}
        for t in lt:
            conf = sorted({int(k.split('.')[3]) for k in d if re.match(rf'ladder\.{t}\.confirm\.\d+\.rc$', k)},
                          reverse=True)
            tries = []
            for r in conf:
                k = f'ladder.{t}.confirm.{r}'
                secs = num(d, k + '.calls', 0) / r
                codes = d.get(k + '.codes', '').strip()
                tries.append(f"{r} x {secs:.0f} s: {d.get(k + '.failed')} failed"
                             + (f" ({codes})" if codes else '') + f", {d.get(k + '.retrans')} retrans")
            p(f'  sustained, {NAMES[t]}: {fmt(s[t], ".0f")} calls/s'
              + (f" (search: {d.get(f'ladder.{t}.found')}; confirmed: " + '; '.join(tries) + ')' if tries else ''))
        for ref in refs:
            rr = ratio(s.get('ours'), s.get(ref))
            if rr is not None:
                p(f'  ratio ours/{NAMES[ref]}: {rr:.2f} (target >= 1.5)')
                summary.append((f'sustained rate, ours/{NAMES[ref]}', f'{rr:.2f}', '>= 1.5', verdict(rr >= 1.5)))

    # (b) cpu
    crates = sorted({int(k.split('.')[2]) for k in d if re.match(r'cpu\.\w+\.\d+\.rc$', k)})
    if crates:
        p('\n(b) CPU ms per call at fixed rates (utime+stime from /proc over the run and the settling time after it:\n'
          '    ours 35 s, the 32 s linger of ended legs; Kamailio 12 s; idle CPU removed). The callee sipp is the\n'
          '    reference process: the machine\'s speed drifts, ratios to it do not')
        head = ['cps', 'sigd', 'ccd', 'ours']
        for ref in refs:
            head += [NAMES[ref], f'ours/{ref}']
        head += ['callee'] + [f'{t}/callee' for t in targets if f'cpu.{t}.idle0' in d]
        rows = []
        for r in crates:
            c = {t: cpu_per_call(d, f'cpu.{t}.{r}', f'cpu.{t}') for t in targets}
            u = {t: ratio(num(d, f'cpu.{t}.{r}.uas_ms'), num(d, f'cpu.{t}.{r}.calls')) for t in targets}
            o = c.get('ours')
            row = [r, fmt(o[0] if o else None), fmt(o[1] if o else None), fmt(total(o))]
            for ref in refs:
                rt = ratio(total(o), total(c.get(ref)))
                row += [fmt(total(c.get(ref))), fmt(rt, '.2f')]
                if rt is not None:
                    summary.append((f'CPU/call at {r} cps, ours/{NAMES[ref]}', f'{rt:.2f}', '<= 0.5', verdict(rt <= 0.5)))
            us = [v for v in u.values() if v]
            row.append(fmt(sum(us) / len(us) if us else None))
            row += [fmt(ratio(total(c.get(t)), u.get(t)), '.2f') for t in targets if f'cpu.{t}.idle0' in d]
            bad = [f"{t} {d.get(f'cpu.{t}.{r}.failed')} failed" for t in targets
                   if d.get(f'cpu.{t}.{r}.failed', '0') not in ('0', '?')]
            rows.append(row + (['(' + ', '.join(bad) + ')'] if bad else []))
        if any(len(r) > len(head) for r in rows):
            head.append('')
        p(table(head, rows))
        p('  (a call: INVITE/100/200/ACK/BYE/200 through the proxy; callee: ms per call of the sipp callee, mean of the runs)')
        for r in crates:
            parts = []
            for t in targets:
                a, b = nums(d.get(f'cpu.{t}.{r}.split0')), nums(d.get(f'cpu.{t}.{r}.split1'))
                names = ('sigd', 'ccd') if t == 'ours' else (NAMES[t],)
                if not a or len(a) != len(b) or len(a) != 2 * len(names):
                    continue
                for j, name in enumerate(names):
                    du, ds = b[2 * j] - a[2 * j], b[2 * j + 1] - a[2 * j + 1]
                    if du + ds >= 500:
                        parts.append(f'{name} {100.0 * ds / (du + ds):.0f}%')
            if parts:
                p(f'  system (kernel) share of that CPU at {r} cps (sampled per clock tick: indicative only): '
                  + ', '.join(parts))

    # (c) + (f) hold
    levels = sorted({int(k.split('.')[3]) for k in d if re.match(r'hold\.\w+\.\w+\.\d+\.reached$', k)})
    if levels:
        ht = [t for t in targets if f'hold.{t}.ramp' in d]
        p('\n(c, f) Calls held open: memory per concurrent call (fresh daemons, growth over the empty baseline,\n'
          '    2 s after the last set-up), and, with them held, idle CPU and the CPU per call of short probe calls')
        head = ['held']
        for t in ht:
            head += [f'{t}: reached', 'bytes/call', 'idle ms/s', 'probe ms/call']
        rows, notes, per_target = [], [], None
        for lvl in levels:
            row = [lvl]
            for t in ht:
                mk = next((f'hold.{t}.{m}.{lvl}' for m in ('mem', 'both') if f'hold.{t}.{m}.{lvl}.mem' in d), None)
                ck = next((f'hold.{t}.{m}.{lvl}' for m in ('cpu', 'both', 'mem') if f'hold.{t}.{m}.{lvl}.cpu0' in d),
                          None)
                reached = d.get(f'hold.{t}.mem.{lvl}.reached') or d.get(f'hold.{t}.both.{lvl}.reached') \
                    or d.get(f'hold.{t}.cpu.{lvl}.reached') or '-'
                per = None
                if mk:
                    held = num(d, mk + '.reached') or lvl
                    base = sum(nums(d.get(mk.rsplit('.', 1)[0] + '.base')))
                    per = (sum(nums(d[mk + '.mem'])) - base) * 1024 / held
                    settled = nums(d.get(mk + '.mem_settled'))
                    if settled:
                        per_s = (sum(settled) - base) * 1024 / held
                        notes.append(f'{NAMES[t]}, {lvl} held, after the set-ups\' transactions expired: '
                                     f'{per_s:.0f} bytes/call ({sum(settled):.0f} kB in all)')
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
                    i0, i1, sec = nums(d.get(ck + '.idle0')), nums(d.get(ck + '.idle1')), num(d, ck + '.idle_s')
                    if i0 and sec:
                        idle = (sum(i1) - sum(i0)) / sec
                    cpu = total(cpu_per_call(d, ck, ck))
                    if d.get(ck + '.failed', '0') not in ('0', '?'):
                        cpu = None
                row += [reached, fmt(per, '.0f'), fmt(idle, '.1f'), fmt(cpu)]
            rows.append(row)
        p(table(head, rows))
        for n in notes:
            p('  ' + n)
        for t in ht:
            why = [f'{k}: {v}' for k, v in d.items() if k.startswith(f'hold.{t}.') and k.endswith('.why')]
            p(f"  {NAMES[t]}: calls set up at {d[f'hold.{t}.ramp']} calls/s"
              + ('; stopped early: ' + '; '.join(why) if why else ''))
        p('  (ours: RSS of sigd + ccd; Kamailio: PSS of all its processes, shared memory counted once. Probe:\n'
          '  short calls at a fixed rate, CPU read 1 s after the last, idle CPU removed; the 100000 probe follows\n'
          '  the memory pass, the others come from a second pass)')

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
        # The measure is INVITE in -> INVITE out; the sum with the
        # 200's way back is the stricter one, shown too.
        v = num(d, f'lat.ours.{half}.inv_p99_us')
        if v is not None and v == v:
            summary.append((f'p99 added setup latency (INVITE in -> out), ours at {half} cps', f'{v:.0f} us',
                            '< 1000 us', verdict(v < 1000)))
        v = num(d, f'lat.ours.{half}.sum_p99_us')
        if v is not None and v == v:
            summary.append((f'p99 of INVITE + 200 through it, ours at {half} cps', f'{v:.0f} us', '< 1000 us',
                            verdict(v < 1000)))
        for ref in refs:
            for r in sorted(set(d.get('lat.ours.rates', '').split()) & set(d.get(f'lat.{ref}.rates', '').split()),
                            key=int):
                q = [ratio(num(d, f'lat.ours.{r}.sum_p{x}_us'), num(d, f'lat.{ref}.{r}.sum_p{x}_us')) for x in (50, 99)]
                if None not in q:
                    p(f'  ratio ours/{NAMES[ref]} at {r} cps, added latency: p50 {q[0]:.2f}, p99 {q[1]:.2f}')

    # overload
    ot = [t for t in targets if f'ovl.{t}.calls' in d]
    if ot:
        p('\n(5) Overload: 3x the sustained rate offered for the phase\'s duration (at most what one sipp can drive\n'
          '    here: bench.sh, OVL_MAX_CPS), with calls established beforehand')
        head = ['proxy', 'offered cps', 'calls', 'answered', '503', 'failed', 'codes', 'mem kB before/peak/end/final',
                'held ok/failed', 'recovery']
        rows = []
        for t in ot:
            k = f'ovl.{t}'
            asked = d.get(k + '.offered_target')
            if d.get(k + '.offered_3x', asked) != asked:
                asked += f", 3x = {d.get(k + '.offered_3x')}"
            rows.append([NAMES[t], f"{fmt(num(d, k + '.rate'), '.0f')} (asked {asked})",
                         d.get(k + '.calls'), fmt(num(d, k + '.ok', 0) - num(d, k + '.shed503', 0), '.0f'),
                         d.get(k + '.shed503'), d.get(k + '.failed'), d.get(k + '.codes', '').strip() or '-',
                         '/'.join(f"{sum(nums(d.get(k + x))):.0f}" for x in ('.mem0', '.mem_peak', '.mem_end', '.mem_final')),
                         f"{d.get(k + '.held_ok')}/{d.get(k + '.held_failed')} of {d.get(k + '.held')}",
                         f"{d.get(k + '.recovery_failed')} failed at {d.get(k + '.recovery_rate')} cps"
                         + ('' if d.get(k + '.alive', '1') == '1' else ' (DIED)')])
        p(table(head, rows))
        p('  (answered: calls that got a 200; 503: calls refused with 503 and Retry-After; failed: all others,\n'
          '  mostly no answer within 10 s; memory: ours sigd+ccd RSS, Kamailio PSS; final: after the settling time)')
        if 'ovl.ours.sigd_shed_queue_delay' in d:
            p(f"  sigd refused (tandem_sigd_calls_shed_total, retransmitted INVITEs included): queue delay "
              f"{d.get('ovl.ours.sigd_shed_queue_delay')}, setups {d.get('ovl.ours.sigd_shed_setups')}, "
              f"cps {d.get('ovl.ours.sigd_shed_cps')}, capacity {d.get('ovl.ours.sigd_shed_capacity', '?')}; "
              f"mean share refused for queue delay {d.get('ovl.ours.sigd_shed_ratio', '?')}")
        for t in ot:
            dr = nums(d.get(f'ovl.{t}.drops'))
            if len(dr) == 3:
                p(f'  {NAMES[t]}: datagrams dropped by full receive queues during the flood: proxy {dr[0]:.0f}, '
                  f'caller {dr[1]:.0f}, callee {dr[2]:.0f}')
        if 'ovl.ours.calls' in d:
            shed = num(d, 'ovl.ours.shed503', 0)
            summary.append(('overload: new calls shed with 503, ours',
                            f"{shed:.0f} 503, {d.get('ovl.ours.failed')} failed", '503 only, no failures',
                            verdict(shed > 0 and num(d, 'ovl.ours.failed', 1) == 0)))
            summary.append(('overload: established calls kept, ours',
                            f"{d.get('ovl.ours.held_failed')} of {d.get('ovl.ours.held')} failed", '0 failed',
                            verdict(num(d, 'ovl.ours.held_failed', 1) == 0)))
            summary.append(('overload: recovery at half the rate, ours', f"{d.get('ovl.ours.recovery_failed')} failed",
                            '0 failed', verdict(num(d, 'ovl.ours.recovery_failed', 1) == 0)))

    cost(d, p)

    if summary:
        p('\n(e) Targets (issue 7), from this run')
        p(table(['figure', 'measured', 'target', ''], [list(x) for x in summary]))


COST_PEERS = {'basic': None, 'radius': 'FreeRADIUS', 'rtpengine': 'rtpengine'}


def cost(d, p):
    """(g): the cost phase, ours only: CPU per call with RADIUS and with
    rtpengine against the basic call, and the peer's own CPU per call."""
    setups = [c for c in d.get('cost.setups', '').split() if f'cost.{c}.cpu0' in d or f'cost.{c}.skipped' in d]
    if not setups:
        return
    p(f"\n(g) What RADIUS and rtpengine add: ours at {d.get('cost.rate', '?')} calls/s for {d.get('cost.seconds', '?')} s"
      ' on fresh daemons for each\n'
      '    set-up, CPU ms per call measured as in (b) (run + settling time, idle CPU removed); FreeRADIUS '
      f"{d.get('meta.freeradius', '-')}, rtpengine {d.get('meta.rtpengine', '-')}")
    base = cpu_per_call(d, 'cost.basic', 'cost.basic')
    base_ours = total(base[:2]) if base else None
    base_callee = ratio(num(d, 'cost.basic.uas_ms'), num(d, 'cost.basic.calls'))
    head = ['set-up', 'ok/failed', 'sigd', 'ccd', 'ours', 'ours - basic', 'peer', 'peer ms/call', 'ours+peer - basic',
            'callee', 'check']
    rows = []
    for c in setups:
        k = f'cost.{c}'
        if k + '.skipped' in d:
            rows.append([c, 'not run: ' + d[k + '.skipped']])
            continue
        v = cpu_per_call(d, k, k) or []
        ours = total(v[:2]) if len(v) >= 2 else None
        peer = v[2] if len(v) >= 3 else None
        # The callee's CPU per call, as a ratio to the basic run's: a run
        # made while the machine was slower shows here.
        callee = ratio(num(d, k + '.uas_ms'), num(d, k + '.calls'))
        okf = f"{d.get(k + '.ok', '?')}/{d.get(k + '.failed', '?')}"
        if d.get(k + '.rc', '0') != '0':
            okf += f" rc={d.get(k + '.rc')}"
        check = ''
        if c == 'radius':
            st, want = d.get(k + '.stops', '?'), d.get(k + '.stops_expected', '?')
            check = f"Stop records {st}/{want}" + ('' if st == want else ' MISMATCH') \
                + f", Access-Requests {d.get(k + '.auth_requests', '?')}"
        elif c == 'rtpengine':
            check = f"offer/answer/delete {d.get(k + '.offers', '?')}/{d.get(k + '.answers', '?')}/" \
                    f"{d.get(k + '.deletes', '?')}"
            if d.get(k + '.sessions_left', '0') != '0':
                check += f", {d.get(k + '.sessions_left')} sessions left"
            if d.get(k + '.no_proxy', '0') not in ('0', '?'):
                check += f", {d[k + '.no_proxy']} calls without proxy"
        if d.get(k + '.failed', '0') not in ('0', '?'):
            check = ('FAILED CALLS; ' + check).rstrip('; ')
        d_ours = ours - base_ours if ours is not None and base_ours is not None and c != 'basic' else None
        d_all = ours + (peer or 0) - base_ours if ours is not None and base_ours is not None and c != 'basic' else None
        rows.append([c, okf, fmt(v[0] if v else None), fmt(v[1] if len(v) > 1 else None), fmt(ours),
                     fmt(d_ours, '+.3f') + (f' ({100.0 * d_ours / base_ours:+.0f}%)' if d_ours is not None and base_ours
                                            else ''),
                     COST_PEERS.get(c) or '-', fmt(peer), fmt(d_all, '+.3f'),
                     fmt(callee) + (f' ({callee / base_callee:.2f}x)' if callee and base_callee and c != 'basic' else ''),
                     check])
    p(table(head, rows))
    p('  (ours = sigd + ccd; peer = FreeRADIUS or rtpengine, all their threads; ours - basic: what the set-up adds to\n'
      '  our daemons; ours+peer - basic: what it adds to the node in all. radius: ccd -R, remote-IP authorisation\n'
      '  (-D), routes from the reply, Stop records of both legs (-A 1), FreeRADIUS without debug output writing\n'
      '  its detail files as the e2e tests configure it; rtpengine: ccd -r ng:, userspace forwarding, offer/answer/\n'
      '  delete per call, no RTP sent. callee: ms per call of the sipp callee, the ratio to the basic run\'s shows\n'
      '  a drift of the machine between the runs)')
    if d.get('meta.mode') == 'quick':
        p('  (quick run: short runs and settling times: the 32 s linger of ended legs is left out)')


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
    elif cmd == 'hotlines' and len(args) in (1, 2, 3):
        hotlines(*args)
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main()
