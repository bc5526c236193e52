// The long fuzz run: the fuzz targets of test/fuzz with their case counts multiplied by
// PMIX_FUZZ_SCALE (default 20) and a random seed (or PMIX_FUZZ_SEED); prints how many cases
// each target ran. `npm run fuzz`, or `PMIX_FUZZ_SCALE=100 npm run fuzz` for a longer one.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const scale = process.env.PMIX_FUZZ_SCALE ?? '20';
const dir = mkdtempSync(join(tmpdir(), 'pmix-fuzz-'));
const report = join(dir, 'cases.jsonl');
const started = Date.now();
const r = spawnSync('npx', ['vitest', 'run', 'test/fuzz', '--testTimeout', '0'], {
  stdio: 'inherit',
  env: { ...process.env, PMIX_FUZZ_SCALE: scale, PMIX_FUZZ_REPORT: report },
});
const totals = new Map();
if (existsSync(report)) {
  for (const line of readFileSync(report, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const { target, count } = JSON.parse(line);
    totals.set(target, (totals.get(target) ?? 0) + count);
  }
}
rmSync(dir, { recursive: true, force: true });
console.log(`\nfuzz (scale ${scale}, ${Math.round((Date.now() - started) / 1000)} s):`);
let all = 0;
for (const [target, count] of totals) {
  console.log(`  ${String(count).padStart(8)}  ${target}`);
  all += count;
}
console.log(`  ${String(all).padStart(8)}  cases in all`);
process.exit(r.status ?? 1);
