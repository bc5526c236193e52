// The human-readable table of results.
const fmt = (v, digits = 1) => (v === null || v === undefined ? '-' : typeof v === 'number' ? v.toFixed(digits) : String(v));

export function table(cases) {
  const head = ['case', 'pmix ms', 'peer ms (1 thr)', 'peer ms (BLAS thr)', 'ratio', 'ratio vs thr', 'threads', 'pmix MB', 'peer MB', 'check rel.diff', 'backend / kernel'];
  const rows = cases.map((c) => [
    c.name,
    fmt(c.pmix_ms),
    fmt(c.peer_ms),
    fmt(c.peer_mt_ms),
    fmt(c.ratio, 2),
    fmt(c.ratio_mt, 2),
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
