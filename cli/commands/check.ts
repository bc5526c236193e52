// pmix check FILE.pmix: parse, resolve, load the data files' headers and types, type-check
// every model as it would be fitted. Nothing is fitted. --cost adds each fit's memory estimate (and an exact GP's time).
import type { Step } from '../../compiler/program.js';
import { describeCost } from '../../runtime/resources.js';
import { DEFAULT_MAX_FIT_SECONDS } from '../../runtime/gp/cost.js';
import { Session } from '../../session/session.js';
import { familyOf } from '../../families/index.js';
import { guard } from '../guard.js';
import { fail, type Output } from '../io.js';
import { loadProgram } from '../load.js';

export interface CheckOptions {
  readonly cost?: boolean;
  /** The memory limit of fits, in bytes (for --cost). */
  readonly maxMemory?: number;
  /** The time limit of fits in seconds (exact GPs); undefined: the default. */
  readonly maxSeconds?: number;
}

export function checkCommand(file: string, io: Output, overrides: Record<string, string>, opts: CheckOptions = {}): void {
  const { program, sources } = loadProgram(file, io, { dataOverrides: overrides });
  const session = new Session(program, { maxMemory: opts.maxMemory, maxSeconds: opts.maxSeconds });
  const diags = session.check();
  if (diags.length) fail(diags, sources, io);
  const fitSteps = program.steps.filter((s): s is Extract<Step, { kind: 'fit' }> => s.kind === 'fit');
  const fits = fitSteps.length;
  const queries = program.steps.length - fits;
  const costs = opts.cost ? guard(() => fitSteps.map((s) => session.fitCost(s)), sources, io) : undefined;
  // What each model's family reports about it (circuit structure, integrals, squared forms), grouped by report key.
  const reports = [...session.lowered].flatMap(([model, g]) => {
    const r = familyOf(g).describe?.(g, model, file, fitSteps.filter((s) => s.model === model).map((s) => s.settings.method));
    return r ? [{ model, ...r }] : [];
  });
  const byKey = new Map<string, [string, unknown][]>();
  for (const r of reports) byKey.set(r.key, [...(byKey.get(r.key) ?? []), [r.model, r.json]]);
  const analytic = [...session.analytic].map(([model, reports]) => ({ model, reports }));
  if (io.json) {
    const cost = costs?.map((c) => ({ model: c.model, data: c.data, method: c.method, rows: c.rows, ...c.estimate, bytes: c.bytes, limit: opts.maxMemory ?? null, ...(c.seconds !== undefined ? { seconds: c.seconds, time_limit: opts.maxSeconds ?? DEFAULT_MAX_FIT_SECONDS } : {}) }));
    const structure = {
      ...Object.fromEntries([...byKey].map(([key, entries]) => [key, Object.fromEntries(entries)])),
      ...(analytic.length ? { analytic: Object.fromEntries(analytic.map((c) => [c.model, c.reports])) } : {}),
    };
    io.out(JSON.stringify({ ok: true, models: [...program.models.keys()], data: [...program.data.keys()], fits, queries, ...(cost ? { cost } : {}), ...structure }));
    return;
  }
  io.out(`${file}: ok (${program.models.size} model(s), ${program.data.size} data set(s), ${fits} fit(s), ${queries} query(ies))`);
  for (const r of reports) for (const line of r.lines) io.out(line);
  for (const { model, reports } of analytic) {
    // One line per outcome (an integral circuit has an integral per region, mostly alike).
    const groups = new Map<string, { first: (typeof reports)[number]; count: number }>();
    for (const r of reports) {
      const key = `${r.applied}:${r.result}`;
      const g = groups.get(key);
      if (g) g.count++;
      else groups.set(key, { first: r, count: 1 });
    }
    for (const { first: r, count } of groups.values()) {
      const what = count > 1 ? `${count} integrals` : 'integral';
      io.out(`${r.source ? `${file}:${r.source.line}:${r.source.column}: ` : ''}${model}: ${what} ${r.applied ? `solved analytically: ${r.result}` : `by quadrature: ${r.result}`}`);
    }
  }
  for (const c of costs ?? []) io.out(describeCost(c, opts.maxMemory, opts.maxSeconds ?? DEFAULT_MAX_FIT_SECONDS));
}
