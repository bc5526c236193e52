// pmix predict MODEL.json --data new.csv [--out preds.csv]: a fitted conditional model's (a GP's) predictions at
// the input rows of a CSV file, written as CSV: the inputs, then per output its mean, the
// sd of the latent function and the sd of a new observation (with noise). Rows are
// predicted in chunks so memory stays bounded; the file is written atomically.
import { loadCsv } from '../../runtime/data/csv.js';
import { selectColumns } from '../../runtime/data/dataset.js';
import { familyOf } from '../../families/index.js';
import { guard } from '../guard.js';
import { EXIT_INPUT, Exit, fail, jsonText, type Output } from '../io.js';
import { checkOutPath, writeAtomic } from '../out-path.js';
import { loadArtifact } from '../load.js';
import { csvHeader } from '../csv-header.js';

const CHUNK = 2000;

export function predictCommand(modelPath: string, opts: { data: string; out?: string; force?: boolean }, io: Output): void {
  const outPath = opts.out === undefined ? undefined : checkOutPath(opts.out, { inputs: [modelPath, opts.data], force: opts.force }, io);
  const { state } = loadArtifact(modelPath, io);
  const family = familyOf(state.graph);
  const predictor = family.predictor;
  if (!predictor) {
    io.err(`error: ${modelPath} is ${family.noun}; pmix predict is for conditional models such as Gaussian processes (use pmix score or pmix query)`);
    throw new Exit(EXIT_INPUT);
  }
  const inputs = predictor.inputs(state.graph);
  const outputs = predictor.outputs(state.graph);
  // outputs the file gives, for predictors that condition on them (empty cells: not given)
  const given = predictor.givenOutputs ? outputs.filter((o) => csvHeader(opts.data).includes(o)) : [];
  const { data, diagnostics } = loadCsv({ name: 'data', path: opts.data, columns: [...inputs, ...given].map((name) => ({ name, type: { kind: 'real' as const } })) });
  if (!data) fail(diagnostics, new Map(), io);
  const x = selectColumns(data, inputs);
  const gx = selectColumns(data, given);
  const givenIndex = given.map((n) => state.graph.vars.findIndex((v) => v.name === n));
  const D = inputs.length;
  for (let r = 0; r < data.rows; r++) {
    for (let c = 0; c < D; c++) {
      if (Number.isNaN(x[r * D + c]!)) {
        io.err(`error: ${opts.data}: row ${r + 2}, column '${inputs[c]}': missing value; every input is needed to predict`);
        throw new Exit(EXIT_INPUT);
      }
    }
  }
  const T = outputs.length;
  const V = state.graph.vars.length;
  const varIndex = inputs.map((n) => state.graph.vars.findIndex((v) => v.name === n));
  // A non-Gaussian likelihood adds its summary of y (p, or y_mean and quantiles) after std_y.
  const extra = T === 1 && data.rows > 0 ? Object.keys(predictor.predictRows(state, new Float64Array(V).fill(0), 1)[0]![0]!.extra ?? {}) : [];
  const cols = T > 1 ? outputs.flatMap((o) => [`${o}_mean`, `${o}_std`, `${o}_std_y`]) : ['mean', 'std', 'std_y', ...extra];
  const lines = [[...inputs, ...cols].join(',')];
  const json: Record<string, number>[] = [];
  guard(() => {
    for (let r0 = 0; r0 < data.rows; r0 += CHUNK) {
      const r1 = Math.min(data.rows, r0 + CHUNK);
      // Rows over the model's variables: the inputs filled, the outputs left missing.
      const rows = new Float64Array((r1 - r0) * V).fill(NaN);
      for (let r = r0; r < r1; r++) for (let c = 0; c < D; c++) rows[(r - r0) * V + varIndex[c]!] = x[r * D + c]!;
      for (let r = r0; r < r1; r++) for (let c = 0; c < given.length; c++) rows[(r - r0) * V + givenIndex[c]!] = gx[r * given.length + c]!;
      const p = predictor.predictRows(state, rows, r1 - r0);
      for (let r = r0; r < r1; r++) {
        const vals = p[r - r0]!.flatMap((o) => [o.mean, o.std, o.std_y, ...extra.map((k) => o.extra?.[k] ?? NaN)]);
        const row = [...Array.from(x.subarray(r * D, (r + 1) * D)), ...vals];
        lines.push(row.map((v) => String(Number(v.toPrecision(10)))).join(','));
        if (io.json) json.push(Object.fromEntries([...inputs, ...cols].map((c, i) => [c, row[i]!])));
      }
    }
  }, new Map(), io);
  const text = lines.join('\n') + '\n';
  if (outPath !== undefined) writeAtomic(outPath, text);
  if (io.json) io.out(jsonText({ ok: true, rows: data.rows, ...(opts.out ? { out: opts.out } : { predictions: json }) }));
  else if (opts.out) io.out(`wrote ${data.rows} predictions to ${opts.out}`);
  else io.out(text);
}
