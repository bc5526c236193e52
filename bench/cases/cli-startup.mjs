// CLI start-up: wall and CPU time of `pmix check` on a small model file (examples/faithful.pmix),
// with `pmix --version` and `pmix run` of the same file in `extra`. Each command is a fresh
// `node dist/cli/main.js` process (what a user's shell starts); CPU = the child's user + system
// time, read from /proc/self/stat (cutime + cstime, 10 ms ticks) around a synchronous spawn.
// Goal (issue 21): --version and check under 0.25 s. No peer: pmix-only.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { median } from '../lib/stats.mjs';

const ROOT = join(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/cli/main.js');
const FILE = join(ROOT, 'examples/faithful.pmix');

/** Children's CPU seconds so far (Linux; 0 elsewhere). */
function childCpuMs() {
  try {
    const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(f[13]) + Number(f[14])) * 10; // cutime, cstime: fields 16, 17 of stat
  } catch {
    return 0;
  }
}

function once(args) {
  const c = childCpuMs();
  const t = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`pmix ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, cpu: childCpuMs() - c };
}

export default {
  name: 'cli-startup',
  title: 'CLI start-up: `pmix check` on a small file (faithful.pmix); --version and run in extra',
  peer: 'none (pmix-only; goal: under 250 ms)',
  peerScript: null,
  needs: [],
  check: 'exit status 0 (1 = every command succeeded)',
  params: (quick) => ({ repeats: quick ? 3 : 10 }),
  async run(_dir, p) {
    const cmds = { version: ['--version'], check: ['check', FILE], run: ['run', FILE] };
    for (const a of Object.values(cmds)) once(a); // warm the file cache
    const res = { version: [], check: [], run: [] };
    for (let r = 0; r < p.repeats; r++) for (const [k, a] of Object.entries(cmds)) res[k].push(once(a)); // interleaved
    const m = (k, f) => +median(res[k].map((e) => e[f])).toFixed(1);
    return {
      samples: res.check.map((e) => e.ms),
      check: 1,
      kernel: 'dist/cli/main.js (rolldown bundle, commands loaded when they run)',
      extra: {
        check_wall_ms: m('check', 'ms'),
        check_cpu_ms: m('check', 'cpu'),
        version_wall_ms: m('version', 'ms'),
        version_cpu_ms: m('version', 'cpu'),
        run_wall_ms: m('run', 'ms'),
        run_cpu_ms: m('run', 'cpu'),
      },
    };
  },
};
