// Side-by-side benchmarks of pmix against its Python peers (numpy, scikit-learn, scipy) on
// the same generated data. Usage (after `npm run build`; `npm run bench` builds first):
//   node bench/run.mjs [--quick] [--case NAME[,NAME]] [--json] [--out FILE] [--no-peer]
//                      [--peer-coretype auto|none|NAME] [--repeat N]
// Each case's pmix side runs in its own process (data generated there with a seeded
// generator and written to a temp dir); the peer then reads those files, once pinned to one
// BLAS thread (the primary number: pmix runs on one thread) and once with BLAS's default.
// --json prints one JSON object and nothing else on stdout (use `npm run -s bench -- --json`
// so that npm's own banner stays off stdout). Results are reported, never asserted.
// --repeat N runs each side's whole process N times: the median and the spread (min-max).
// A second peer (peer2_*) is the newest numpy / scikit-learn another python carries (pyenv).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { table } from './lib/format.mjs';
import { findNewerPeer, findPeer, runPeer } from './lib/peer.mjs';
import { repeatRuns } from './lib/repeat.mjs';
import { median } from './lib/stats.mjs';

const CASES = ['gmm-em-diag', 'gmm-em-diag-1t', 'gmm-em-full16', 'gmm-em-full8', 'lse-layer', 'lse-layer-tfjs', 'cholesky', 'logdensity-diag', 'logdensity-full', 'circuit-em', 'circuit-em-mt', 'circuit-infer', 'circuit-infer-mt', 'circuit-fold', 'nets-pic', 'gp-exact-500', 'gp-exact-2000', 'gp-exact-5000', 'gp-sparse-100k', 'gp-sparse-1m', 'gp-vecchia-100k', 'gp-vecchia-1m', 'squared-z', 'gmm-stream', 'incremental-gmm', 'kde-tree-2', 'kde-tree-4', 'kde-tree-8', 'kde-direct-2', 'kde-direct-4', 'kde-direct-8', 'cli-startup'];

function parseArgs(argv) {
  const o = { quick: false, json: false, peer: true, cases: CASES, out: undefined, coretype: 'auto', repeat: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') o.quick = true;
    else if (a === '--json') o.json = true;
    else if (a === '--no-peer') o.peer = false;
    else if (a.startsWith('--case')) o.cases = value().split(',');
    else if (a.startsWith('--out')) o.out = value();
    else if (a.startsWith('--peer-coretype')) o.coretype = value();
    else if (a.startsWith('--repeat')) {
      o.repeat = Number(value());
      if (!Number.isInteger(o.repeat) || o.repeat < 1) throw new Error('--repeat needs an integer >= 1');
    }
    else throw new Error(`unknown option ${a}`);
  }
  const unknown = o.cases.filter((c) => !CASES.includes(c));
  if (unknown.length) throw new Error(`unknown case ${unknown.join(', ')} (cases: ${CASES.join(', ')})`);
  return o;
}

function runChild(name, dir, params) {
  const child = fileURLToPath(new URL('./lib/child.mjs', import.meta.url));
  const r = spawnSync(process.execPath, ['--max-old-space-size=8192', child, name, dir, JSON.stringify(params)], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'pipe'] });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('@@BENCH '));
  if (r.status !== 0 || !line) return { error: (r.stderr || r.stdout || String(r.error)).trim().split('\n').slice(-4).join(' | ') };
  return JSON.parse(line.slice(8));
}

const relDiff = (a, b) => (typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) / Math.max(1e-300, Math.abs(b)) : null);

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const log = (s) => process.stderr.write(`${s}\n`);
  const peer = o.peer ? findPeer(o.coretype) : { note: 'peer disabled (--no-peer)' };
  if (peer.note) log(`note: ${peer.note}`);
  const describe = (p) => `${p.python} numpy ${p.info.numpy}, scikit-learn ${p.info.sklearn ?? '-'}, scipy ${p.info.scipy ?? '-'}, BLAS ${JSON.stringify(p.info.blas)}${p.coretype ? ` (OPENBLAS_CORETYPE=${p.coretype} set for the peer)` : ''}`;
  if (peer.python) log(`peer: ${describe(peer)}`);
  const peer2 = o.peer ? findNewerPeer(peer.python ? peer : undefined, o.coretype) : { note: 'second peer disabled (--no-peer)' };
  log(peer2.python ? `peer2: ${describe(peer2)}` : `note: ${peer2.note}`);
  const results = [];
  for (const name of o.cases) {
    const { default: c } = await import(`./cases/${name}.mjs`);
    const params = c.params(o.quick);
    const dir = mkdtempSync(join(tmpdir(), `pmix-bench-${name}-`));
    try {
      log(`[${name}] ${c.title} ${JSON.stringify(params)}`);
      const mine = repeatRuns(o.repeat, () => runChild(name, dir, params));
      if (mine.error) log(`[${name}] pmix failed: ${mine.error}`);
      // A case without a peer script compares pmix with itself (mine.baseline: e.g. unfolded).
      const inProcess = c.peerScript === null && !mine.error && mine.baseline;
      const canPeer = inProcess || (c.peerScript !== null && peer.python && !mine.error && c.needs.every((m) => peer.info[m]));
      if (peer.python && !canPeer && !mine.error) log(`[${name}] peer skipped: ${c.peerScript === null ? 'the case has no peer' : `needs ${c.needs.filter((m) => !peer.info[m]).join(', ')}`}`);
      const self = inProcess ? { ms: median(mine.baseline), samples: mine.baseline, check: mine.check } : undefined;
      const one = inProcess ? self : canPeer ? repeatRuns(o.repeat, () => runPeer(peer, c.peerScript, dir, params, 1)) : undefined;
      const multi = inProcess ? undefined : canPeer ? repeatRuns(o.repeat, () => runPeer(peer, c.peerScript, dir, params, undefined)) : undefined;
      const canPeer2 = !inProcess && c.peerScript !== null && peer2.python && !mine.error && c.needs.every((m) => peer2.info[m]);
      const one2 = canPeer2 ? repeatRuns(o.repeat, () => runPeer(peer2, c.peerScript, dir, params, 1)) : undefined;
      const multi2 = canPeer2 ? repeatRuns(o.repeat, () => runPeer(peer2, c.peerScript, dir, params, undefined)) : undefined;
      for (const [label, r] of [['1 thread', one], ['BLAS threads', multi], ['2, 1 thread', one2], ['2, BLAS threads', multi2]]) if (r?.error) log(`[${name}] peer (${label}) failed: ${r.error}`);
      const ok = (r) => (r && !r.error ? r : undefined);
      const pmixMs = mine.error ? null : mine.ms;
      const peerMs = ok(one)?.ms ?? null;
      const peerMt = ok(multi)?.ms ?? null;
      const row = {
        name,
        pmix_ms: pmixMs,
        peer: canPeer ? c.peer : null,
        peer_ms: peerMs,
        ratio: pmixMs !== null && peerMs !== null ? pmixMs / peerMs : null,
        backend: mine.backend ?? null,
        peak_mb: mine.peak_mb ?? null,
        peer_mt_ms: peerMt,
        pmix_threads: mine.error ? null : mine.threads ?? 1,
        peer_threads: canPeer ? 1 : null,
        // Throughput where the case says how many rows one timed op processes.
        rows: c.rows ? c.rows(params) : null,
        pmix_rows_per_s: c.rows && pmixMs ? (c.rows(params) * 1000) / pmixMs : null,
        peer_rows_per_s: c.rows && peerMs ? (c.rows(params) * 1000) / peerMs : null,
        peer_mt_rows_per_s: c.rows && peerMt ? (c.rows(params) * 1000) / peerMt : null,
        peer_mt_threads: canPeer ? peer.info?.blas?.num_threads ?? null : null,
        ratio_mt: pmixMs !== null && peerMt !== null ? pmixMs / peerMt : null,
        peer_peak_mb: ok(one)?.peak_mb ?? null,
        kernel: mine.kernel ?? null,
        pmix_samples: mine.samples ?? null,
        peer_samples: ok(one)?.samples ?? null,
        check_pmix: mine.check ?? null,
        check_peer: ok(one)?.check ?? null,
        check_rel_diff: relDiff(mine.check, ok(one)?.check),
        check_meaning: c.check,
        extra: mine.extra ?? null,
        peer_extra: ok(one)?.extra ?? null,
        // --repeat N: [min, max] over the N processes of each side (null for one run).
        repeat: o.repeat,
        pmix_spread: mine.spread ?? null,
        peer_spread: ok(one)?.spread ?? null,
        peer_mt_spread: ok(multi)?.spread ?? null,
        // The second peer: newer numpy / scikit-learn (null where there is none).
        peer2: canPeer2 ? `${c.peer} (numpy ${peer2.info.numpy}, scikit-learn ${peer2.info.sklearn})` : null,
        peer2_ms: ok(one2)?.ms ?? null,
        peer2_mt_ms: ok(multi2)?.ms ?? null,
        ratio2: pmixMs !== null && ok(one2) ? pmixMs / one2.ms : null,
        ratio2_mt: pmixMs !== null && ok(multi2) ? pmixMs / multi2.ms : null,
        peer2_spread: ok(one2)?.spread ?? null,
        peer2_mt_spread: ok(multi2)?.spread ?? null,
        peer2_mt_threads: canPeer2 ? peer2.info?.blas?.num_threads ?? null : null,
        check_peer2: ok(one2)?.check ?? null,
        check2_rel_diff: relDiff(mine.check, ok(one2)?.check),
        params,
      };
      results.push(row);
      log(`[${name}] pmix ${row.pmix_ms?.toFixed(1)} ms, peer ${peerMs?.toFixed(1) ?? '-'} ms (1 thread), ${peerMt?.toFixed(1) ?? '-'} ms (BLAS threads)${canPeer2 ? `; peer2 ${row.peer2_ms?.toFixed(1) ?? '-'} / ${row.peer2_mt_ms?.toFixed(1) ?? '-'} ms` : ''}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const env = { node: process.version, quick: o.quick, peer: peer.python ? { python: peer.python, ...peer.info, coretype_set: peer.coretype ?? null } : null, peer_note: peer.note ?? null, peer2: peer2.python ? { python: peer2.python, ...peer2.info, coretype_set: peer2.coretype ?? null } : null, peer2_note: peer2.note ?? null, repeat: o.repeat };
  const doc = { cases: results, env };
  if (o.out) writeFileSync(o.out, JSON.stringify(doc, null, 2));
  if (o.json) process.stdout.write(`${JSON.stringify(doc)}\n`);
  else {
    process.stdout.write(`${table(results)}\n`);
    process.stdout.write('ratio = pmix ms / peer ms (peer pinned to 1 BLAS thread; "vs thr" = peer with its default BLAS threads). Medians of >= 5 runs.\n');
    process.stdout.write(peer2.python ? `peer2 = ${describe(peer2)}; ratio2 = pmix / peer2 (1 thread), "r2 thr" = with its BLAS threads.\n` : `peer2: none (${peer2.note}).\n`);
    if (o.repeat > 1) process.stdout.write(`--repeat ${o.repeat}: every ms is the median over ${o.repeat} processes; "pmix min-max" is their spread.\n`);
    process.stdout.write('threads = pmix / peer / peer with BLAS threads (pmix: the calling thread plus worker threads it used).\n');
    for (const r of results) process.stdout.write(`  ${r.name}: peer = ${r.peer ?? 'none'}; check = ${r.check_meaning}${r.extra ? `; ${JSON.stringify(r.extra)}` : ''}${r.peer_extra ? `; peer ${JSON.stringify(r.peer_extra)}` : ''}\n`);
    const tp = results.filter((r) => r.pmix_rows_per_s !== null);
    if (tp.length) {
      process.stdout.write('throughput (rows/s, from the medians):\n');
      for (const r of tp) process.stdout.write(`  ${r.name}: pmix ${Math.round(r.pmix_rows_per_s)}, peer ${r.peer_rows_per_s ? Math.round(r.peer_rows_per_s) : '-'} (1 thr), ${r.peer_mt_rows_per_s ? Math.round(r.peer_mt_rows_per_s) : '-'} (BLAS thr); rows per op ${r.rows}\n`);
    }
  }
}

main().catch((e) => {
  process.stderr.write(`bench: ${e.message}\n`);
  process.exit(1);
});
