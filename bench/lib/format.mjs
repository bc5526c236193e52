// The human-readable table of results.
const fmt = (v, digits = 1) => (v === null || v === undefined ? '-' : typeof v === 'number' ? v.toFixed(digits) : String(v));

const spread = (s) => (s ? `${fmt(s[0])}-${fmt(s[1])}` : '-');

export function table(cases) {
  // The second peer's and --repeat's columns appear only where some case has them.
  const peer2 = cases.some((c) => c.peer2_ms !== null && c.peer2_ms !== undefined);
  const spreads = cases.some((c) => c.pmix_spread);
  const head = ['case', 'pmix ms', ...(spreads ? ['pmix min-max', 'peer min-max'] : []), 'peer ms (1 thr)', 'peer ms (BLAS thr)', 'ratio', 'ratio vs thr', ...(peer2 ? ['peer2 ms (1 thr)', 'peer2 ms (BLAS thr)', 'ratio2', 'r2 thr'] : []), 'threads', 'pmix MB', 'peer MB', 'check rel.diff', 'backend / kernel'];
  const rows = cases.map((c) => [
    c.name,
    fmt(c.pmix_ms),
    ...(spreads ? [spread(c.pmix_spread), spread(c.peer_spread)] : []),
    fmt(c.peer_ms),
    fmt(c.peer_mt_ms),
    fmt(c.ratio, 2),
    fmt(c.ratio_mt, 2),
    ...(peer2 ? [fmt(c.peer2_ms), fmt(c.peer2_mt_ms), fmt(c.ratio2, 2), fmt(c.ratio2_mt, 2)] : []),
    `${fmt(c.pmix_threads, 0)}/${fmt(c.peer_threads, 0)}/${fmt(c.peer_mt_threads, 0)}`,
    fmt(c.peak_mb, 0),
    fmt(c.peer_peak_mb, 0),
    c.check_rel_diff === null ? '-' : c.check_rel_diff.toExponential(1),
    `${c.backend} / ${c.kernel}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r) => r.map((v, i) => (i === 0 || i === r.length - 1 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
