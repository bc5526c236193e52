// The spread of the GMM EM ratios over repeated bench runs (issue 21: "steady across 5 runs"):
//   node bench/gmm-repeat.mjs [--repeat 5] [--quick] [--case NAME[,NAME]] [--out FILE]
// Runs `bench/run.mjs --json` on the GMM cases R times (each run: pmix in a fresh process and
// its peer, as in `npm run bench`) and prints, per case, min / median / max over the runs of
// pmix's median ms, the peer's (one BLAS thread) and their ratio. Nothing is asserted.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { median } from './lib/stats.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return dflt;
  return args[i].includes('=') ? args[i].slice(args[i].indexOf('=') + 1) : args[i + 1];
};
const repeat = Number(opt('--repeat', '5'));
if (!(Number.isInteger(repeat) && repeat >= 1)) throw new Error(`--repeat needs a positive integer, got ${opt('--repeat')}`);
const cases = opt('--case', 'gmm-em-diag,gmm-em-diag-1t,gmm-em-full8,gmm-em-full16');
const out = opt('--out', undefined);
const run = fileURLToPath(new URL('./run.mjs', import.meta.url));
const runs = [];
for (let r = 0; r < repeat; r++) {
  const p = spawnSync(process.execPath, [run, '--json', '--case', cases, ...(args.includes('--quick') ? ['--quick'] : [])], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] });
  if (p.status !== 0) throw new Error(`run ${r + 1} failed (exit ${p.status})`);
  runs.push(JSON.parse(p.stdout.trim().split('\n').at(-1)));
  process.stderr.write(`run ${r + 1}/${repeat} done\n`);
}
const spread = (xs) => {
  const v = xs.filter((x) => typeof x === 'number');
  return v.length ? [Math.min(...v), median(v), Math.max(...v)] : null;
};
const fmt = (s, d = 1) => (s ? s.map((x) => x.toFixed(d)).join(' / ') : '-');
const summary = cases.split(',').map((name) => {
  const rows = runs.map((doc) => doc.cases.find((c) => c.name === name)).filter(Boolean);
  return { name, pmix_threads: spread(rows.map((r) => r.pmix_threads)), pmix_ms: spread(rows.map((r) => r.pmix_ms)), peer_ms: spread(rows.map((r) => r.peer_ms)), ratio: spread(rows.map((r) => r.ratio)), ratio_mt: spread(rows.map((r) => r.ratio_mt)) };
});
process.stdout.write(`GMM EM over ${repeat} bench runs: min / median / max of each run's median\n`);
for (const s of summary) process.stdout.write(`  ${s.name.padEnd(16)} pmix ${fmt(s.pmix_ms)} ms (threads ${fmt(s.pmix_threads, 0)}), peer ${fmt(s.peer_ms)} ms, ratio ${fmt(s.ratio, 2)}, vs BLAS threads ${fmt(s.ratio_mt, 2)}\n`);
if (out) writeFileSync(out, JSON.stringify({ summary, runs }, null, 2));
