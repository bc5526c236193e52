// The Python peer (numpy / scikit-learn / scipy): found once, probed for its BLAS, and run
// per case in a subprocess. OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from the
// peer's environment only; if OpenBLAS then falls back to its generic 'Prescott' kernel on a
// CPU with AVX-512 or AVX2 (an OpenBLAS too old to know the CPU), the matching core type is
// named so the peer runs at its real speed. --peer-coretype none|NAME overrides. A second
// peer (findNewerPeer) is the newest numpy / scikit-learn another interpreter carries.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PEER_DIR = fileURLToPath(new URL('../peer/', import.meta.url));

function baseEnv(coretype) {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  if (coretype) env.OPENBLAS_CORETYPE = coretype;
  return env;
}

function runPython(python, args, env) {
  const r = spawnSync(python, args, { env, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.error) return { error: r.error.message };
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return r.status === 0 ? JSON.parse(line) : { error: (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ') };
  } catch {
    return { error: `unreadable peer output: ${line.slice(0, 200)}` };
  }
}

function cpuFlags() {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1].split(/\s+/) ?? [];
  } catch {
    return [];
  }
}

/** Probes one interpreter: { python, info, coretype, note }, or undefined without numpy. */
function probePeer(python, coretypeOpt) {
  let info = runPython(python, [PEER_DIR + 'probe.py'], baseEnv(undefined));
  if (info.error || !info.numpy) return undefined;
  let coretype = coretypeOpt && coretypeOpt !== 'auto' && coretypeOpt !== 'none' ? coretypeOpt : undefined;
  if (coretypeOpt === undefined || coretypeOpt === 'auto') {
    const flags = cpuFlags();
    if (info.blas?.architecture === 'Prescott') coretype = flags.includes('avx512f') ? 'SkylakeX' : flags.includes('avx2') ? 'Haswell' : undefined;
  }
  if (coretype) info = runPython(python, [PEER_DIR + 'probe.py'], baseEnv(coretype));
  const missing = ['sklearn', 'scipy'].filter((m) => !info[m]);
  const note = missing.length ? `python peer lacks ${missing.join(', ')}: those cases fall back or report no peer` : undefined;
  return { python, info, coretype, note };
}

/** Finds a python3 with numpy; returns { python, info, coretype, note } or { note } when none. */
export function findPeer(coretypeOpt) {
  const own = process.env.PMIX_BENCH_PYTHON; // a specific interpreter (or a missing one, to test the fallback)
  const candidates = own ? [own] : ['/usr/bin/python3', 'python3'].filter((p) => p === 'python3' || existsSync(p));
  for (const python of candidates) {
    const peer = probePeer(python, coretypeOpt);
    if (peer) return peer;
  }
  return { note: 'no python3 with numpy found: pmix is timed alone (peer_ms null)' };
}

/** Compares dotted version strings numerically: < 0, 0, > 0. */
export function compareVersions(a, b) {
  const pa = String(a).split(/[.+-]/).map((x) => parseInt(x, 10) || 0);
  const pb = String(b).split(/[.+-]/).map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/**
 * The second peer column: the newest numpy + scikit-learn that another interpreter on the
 * machine carries (PMIX_BENCH_PYTHON2, else every pyenv version), newer than the first peer's.
 * Returns { python, info, coretype } or { note } saying why there is none.
 */
export function findNewerPeer(first, coretypeOpt) {
  const own = process.env.PMIX_BENCH_PYTHON2;
  const root = process.env.PYENV_ROOT ?? (process.env.HOME ? join(process.env.HOME, '.pyenv') : undefined);
  let candidates = own ? [own] : [];
  if (!own && root && existsSync(join(root, 'versions'))) {
    candidates = readdirSync(join(root, 'versions')).map((v) => join(root, 'versions', v, 'bin/python3')).filter((p) => existsSync(p));
  }
  if (candidates.length === 0) return { note: 'no second peer: no PMIX_BENCH_PYTHON2 and no pyenv interpreters (see bench/README.md)' };
  const found = candidates.map((p) => probePeer(p, coretypeOpt)).filter((p) => p && p.python !== first?.python && p.info.sklearn && p.info.scipy);
  found.sort((a, b) => compareVersions(b.info.sklearn, a.info.sklearn) || compareVersions(b.info.numpy, a.info.numpy));
  const best = found[0];
  if (!best) return { note: `no second peer: none of ${candidates.length} interpreter(s) (${own ? 'PMIX_BENCH_PYTHON2' : 'pyenv'}) has numpy, scipy and scikit-learn (see bench/README.md)` };
  if (first?.info && compareVersions(best.info.sklearn, first.info.sklearn ?? '0') <= 0 && compareVersions(best.info.numpy, first.info.numpy) <= 0) {
    return { note: `no second peer: the newest found (${best.python}: numpy ${best.info.numpy}, scikit-learn ${best.info.sklearn}) is not newer than the first` };
  }
  return { python: best.python, info: best.info, coretype: best.coretype };
}

/** Runs bench/peer/<script> on the case directory, once with `threads` BLAS threads (undefined = BLAS default). */
export function runPeer(peer, script, dir, params, threads) {
  const env = baseEnv(peer.coretype);
  if (threads !== undefined) {
    env.OPENBLAS_NUM_THREADS = String(threads);
    env.OMP_NUM_THREADS = String(threads);
    env.MKL_NUM_THREADS = String(threads);
  }
  return runPython(peer.python, [PEER_DIR + script, dir, JSON.stringify(params)], env);
}
