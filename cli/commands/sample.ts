// pmix sample MODEL.json -n N [--seed S]: N draws as CSV on stdout (or JSON rows with --json).
import { parseQuery } from '../../language/parse.js';
import { runQuery } from '../../runtime/queries/run-query.js';
import { formatAnswer } from '../format.js';
import { guard } from '../guard.js';
import { jsonText, type Output } from '../io.js';
import { loadArtifact } from '../load.js';

export function sampleCommand(modelPath: string, opts: { n: number; seed: number }, io: Output): void {
  const { state } = loadArtifact(modelPath, io);
  const text = `sample(${opts.n}, seed = ${opts.seed})`;
  const { query } = parseQuery(text);
  const answer = guard(() => runQuery(state, query!, { vars: state.graph.vars, file: '<sample>', constants: new Map() }), new Map(), io);
  io.out(io.json ? jsonText(answer) : formatAnswer(answer));
}
