// pmix score MODEL.json --data PATH.csv: mean log-likelihood per row of a data set under a
// fitted model (missing cells marginalized); --per-row prints every row's log-density.
import { loadCsv } from '../../runtime/data/csv.js';
import { selectColumns } from '../../runtime/data/dataset.js';
import { logDensityRows } from '../../runtime/evaluate.js';
import { fail, jsonText, type Output } from '../io.js';
import { loadArtifact } from '../load.js';
import { num } from '../format.js';

export function scoreCommand(modelPath: string, opts: { data: string; perRow?: boolean }, io: Output): void {
  const { state } = loadArtifact(modelPath, io);
  const vars = state.graph.vars;
  const { data, diagnostics } = loadCsv({
    name: 'data',
    path: opts.data,
    columns: vars.map((v) => ({ name: v.name, type: v.type.kind === 'categorical' ? { kind: 'categorical', levels: v.type.levels } : { kind: v.type.kind } })),
  });
  if (!data) fail(diagnostics, new Map(), io);
  const x = selectColumns(data, vars.map((v) => v.name));
  const lp = logDensityRows(state, x, data.rows);
  let s = 0;
  for (const v of lp) s += v;
  const mean = s / Math.max(data.rows, 1);
  if (io.json) {
    io.out(jsonText({ mean_log_likelihood: mean, n: data.rows, ...(opts.perRow ? { per_row: Array.from(lp) } : {}) }));
    return;
  }
  if (opts.perRow) io.out(['log_density', ...Array.from(lp, (v) => num(v, 10))].join('\n'));
  else io.out(`mean log-likelihood ${num(mean)} over ${data.rows} rows`);
}
