// The state behind `pmix repl`: the statements accepted so far, the fitted models, and models
// loaded from artifacts. Each input is compiled together with the accepted statements; only
// its own fits and queries run, and a bad input is reported and forgotten.
import { dirname, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { compile } from '../../compiler/compile.js';
import type { Diagnostic } from '../../language/index.js';
import { parseProgram, parseQuery } from '../../language/index.js';
import { LineIndex, renderDiagnostic } from '../../language/index.js';
import { serializeArtifact, makeArtifact } from '../../runtime/artifact.js';
import { readArtifact } from '../../session/load-artifact.js';
import { PmixError } from '../../runtime/errors.js';
import type { FitProgress } from '../../runtime/learners/types.js';
import { QueryError } from '../../runtime/queries/evidence.js';
import { familyOf } from '../../families/index.js';
import { Session, StepError, type FittedModel } from '../../session/session.js';
import { answerQuery } from '../../session/answer-query.js';
import { ModelState } from '../../runtime/state.js';
import { formatAnswer, formatFit } from '../../api/index.js';
import { writeAtomic } from '../out-path.js';
import { summarize } from '../../runtime/queries/moments.js';
import { dataRange, plotDensity } from './plot-svg.js';
import { plotFormat, writePlot } from '../plot-file.js';
import type { FitSettings } from '../../compiler/program.js';
import { fitSettings } from '../../compiler/fit-settings.js';
import { ConstantScope } from '../../compiler/constants.js';
import { runAsync } from '../../runtime/learners/drive.js';
import { defaultRefitSettings, refitSteps } from '../../session/refit.js';

export const INPUT = '<repl>';

export class Workspace {
  private accepted = '';
  private readonly fitted = new Map<string, FittedModel>();
  private readonly loaded = new Map<string, ModelState>();
  /** Where each loaded model came from (its path), its artifact's fit settings and rows: refits start there. */
  private readonly origins = new Map<string, { from: string; settings?: FitSettings; rows?: number }>();
  private session: Session | undefined;

  constructor(private readonly baseDir: string) {}

  /** Names for tab completion and :models. */
  modelNames(): string[] {
    return [...new Set([...(this.session?.program.models.keys() ?? []), ...this.loaded.keys()])];
  }

  variables(model: string): string[] {
    const st = this.loaded.get(model) ?? this.fitted.get(model)?.state;
    return st ? st.graph.vars.map((v) => v.name) : [...(this.session?.program.models.get(model)?.vars ?? [])];
  }

  /** Whether the input stops mid-statement (open brackets, the parser wanting more at its end). */
  incomplete(input: string): boolean {
    const { text } = shorthand(input, this.modelNames());
    if (!openBrackets(text)) return false;
    const { diagnostics } = parseProgram(text, INPUT);
    return diagnostics.length > 0 && diagnostics.every((d) => d.code === 'syntax' && (d.span?.endOffset ?? text.length) >= text.trimEnd().length);
  }

  /**
   * Runs pmix statements (or a bare `Model: query`); returns the text to show. Fits yield to
   * the event loop, so `signal` (Ctrl-C) stops one and keeps its parameters so far.
   * Diagnostics give line:col within `input` (labelled `opts.label`, e.g. a loaded file's path);
   * `opts.echo` prints each query's line above its answer (a file's queries, not a typed one).
   */
  async run(input: string, onProgress?: (p: FitProgress) => void, signal?: AbortSignal, opts: { echo?: boolean; label?: string; shown?: string } = {}): Promise<string> {
    const { text, shift } = shorthand(input, this.modelNames());
    const q = /^\s*query\s+([A-Za-z_]\w*)\s*:(.*)$/s.exec(text);
    if (q && this.loaded.has(q[1]!)) return this.queryLoaded(q[1]!, q[2]!.trim());
    const f = /^\s*fit\s+([A-Za-z_]\w*)\b/.exec(text);
    if (f && this.loaded.has(f[1]!) && !this.session?.program.models.has(f[1]!)) return this.refitLoaded(text, onProgress, signal);
    const source = this.accepted + text + '\n';
    // Positions are shown relative to what the user entered (or the file loaded).
    const local = (diags: readonly Diagnostic[]): string => rebase(diags, this.accepted.length + shift, opts.shown ?? input, opts.label);
    const { program, diagnostics } = compile(source, INPUT, { baseDir: this.baseDir });
    if (!program) return local(diagnostics.filter((d) => !d.span || d.span.startOffset >= this.accepted.length));
    const session = new Session(program);
    for (const [k, v] of this.fitted) session.fitted.set(k, v);
    const out: string[] = [];
    const fresh = program.steps.filter((s) => (s.kind === 'fit' ? s.decl!.span.startOffset : s.span.startOffset) >= this.accepted.length);
    try {
      for (const [i, step] of fresh.entries()) {
        if (signal?.aborted) {
          // Ctrl-C stopped a fit: what it reached is kept; the statements after it do not run.
          out.push(`stopped (Ctrl-C): the ${fresh.length - i} statement(s) after it were not run`);
          break;
        }
        if (step.kind === 'fit') {
          const summary = await session.fitAsync(step, { onProgress, signal });
          // The fit line says when it was interrupted (its stop reason).
          out.push(formatFit(summary));
          this.fitted.set(step.model, session.fitted.get(step.model)!);
        } else {
          const answer = formatAnswer(session.query(step.model, step.query));
          out.push(opts.echo ? `query ${step.model}: ${step.text}\n${answer}` : answer);
        }
      }
    } catch (e) {
      if (e instanceof StepError || e instanceof QueryError) return [...out, local(e.diagnostics)].join('\n');
      if (e instanceof PmixError) return [...out, `error: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ''}`].join('\n');
      throw e;
    }
    this.accepted = source;
    this.session = session;
    return out.join('\n');
  }

  /** Loads a .pmix file's statements (running them) or a model artifact. */
  async load(path: string, as?: string, signal?: AbortSignal, onProgress?: (p: FitProgress) => void): Promise<string> {
    const full = resolve(this.baseDir, path);
    const text = readFileSync(full, 'utf8');
    if (full.endsWith('.json')) {
      const a = readArtifact(text, path);
      const name = as ?? a.model;
      this.loaded.set(name, new ModelState(a.ir));
      this.origins.set(name, { from: path, ...(a.provenance.fit ? { settings: a.provenance.fit } : {}), ...(a.provenance.data ? { rows: a.provenance.data.rows } : {}) });
      return `loaded model '${name}' (${a.ir.vars.map((v) => v.name).join(', ')})`;
    }
    return this.run(absoluteDataPaths(text, dirname(full)), onProgress, signal, { echo: true, label: path, shown: text });
  }

  save(model: string, path: string): string {
    const full = resolve(this.baseDir, path);
    const st = this.loaded.get(model);
    if (st) writeAtomic(full, serializeArtifact(makeArtifact(model, st.toArtifactGraph(), {})));
    else {
      if (!this.session?.program.models.has(model)) return `error: no model '${model}' (models: ${this.modelNames().join(', ') || 'none'})`;
      writeAtomic(full, serializeArtifact(this.session.artifact(model)));
    }
    return `saved '${model}' to ${path}`;
  }

  /** Writes a picture (SVG or PNG, by the extension) of the model's marginal density over one or two numeric variables. */
  async plot(model: string, names: readonly string[], path: string): Promise<string> {
    const format = plotFormat(path);
    if (typeof format !== 'string') return `error: ${format.error}`;
    const st = this.loaded.get(model) ?? this.fitted.get(model)?.state ?? this.tryState(model);
    if (!st) return `error: no model '${model}' (models: ${this.modelNames().join(', ') || 'none'})`;
    const own = familyOf(st.graph).plot;
    if (own) {
      // A model with a picture of its own kind (a GP: data, mean and 95% band over its input); the variable names are not needed.
      if (!own.accepts(st.graph)) return `error: '${model}' cannot be drawn (${familyOf(st.graph).noun} is drawn over one input)`;
      const data = this.fitted.get(model)?.data;
      const cols = data ? st.graph.vars.map((v) => data.columns.findIndex((c) => c.name === v.name)) : [];
      const rows = data ? Array.from({ length: data.rows }, (_, r) => cols.map((c) => (c < 0 ? NaN : data.values[r * data.columns.length + c]!))) : undefined;
      try {
        await writePlot(resolve(this.baseDir, path), await own.svg(st, rows ? { rows } : {}));
      } catch (e) {
        return `error: ${(e as Error).message}`;
      }
      return `wrote ${path}`;
    }
    const vars = names.map((n) => st.graph.vars.findIndex((v) => v.name === n));
    const bad = names.find((n, i) => vars[i]! < 0 || st.graph.vars[vars[i]!]!.type.kind === 'categorical');
    if (bad !== undefined || vars.length < 1 || vars.length > 2) return `error: :plot takes one or two numeric variables of '${model}' (it has ${st.graph.vars.map((v) => v.name).join(', ')})`;
    const data = this.fitted.get(model)?.data;
    const points: number[][] = [];
    if (data) {
      const cols = vars.map((v) => data.columns.findIndex((c) => c.name === st.graph.vars[v]!.name));
      for (let r = 0; r < data.rows; r++) {
        const pt = cols.map((c) => data.values[r * data.columns.length + c]!);
        if (pt.every(Number.isFinite)) points.push(pt);
      }
    }
    const sum = summarize(st, vars);
    const span = vars.map((_, i): [number, number] => (points.length ? dataRange(points.map((p) => p[i]!)) : [sum[i]!.mean! - 4 * sum[i]!.sd!, sum[i]!.mean! + 4 * sum[i]!.sd!]));
    try {
      await writePlot(resolve(this.baseDir, path), plotDensity(st, vars, points, span));
    } catch (e) {
      return `error: ${(e as Error).message}`;
    }
    return `wrote ${path}`;
  }

  describe(model: string): string {
    const st = this.loaded.get(model) ?? this.fitted.get(model)?.state ?? this.tryState(model);
    if (!st) return `error: no model '${model}' (models: ${this.modelNames().join(', ') || 'none'})`;
    const g = st.graph;
    const lines = [`${model}: ${g.family} over ${g.vars.map((v) => `${v.name}: ${v.type.kind}`).join(', ')}`];
    for (const n of g.nodes) {
      const what = n.kind === 'input' ? `${n.dist}${n.variant ? `(${n.variant})` : ''}` : n.kind === 'mixing' ? `mixture of ${n.arity}` : n.kind;
      lines.push(`  ${n.id}: ${what}, ${n.units} unit(s) over ${n.scope.map((i) => g.vars[i]!.name).join(', ')}`);
    }
    lines.push(`  free parameters: ${st.freeParameterCount()}`);
    const f = this.fitted.get(model)?.summary;
    if (f) lines.push(`  fitted: mean log-likelihood ${f.mean_log_likelihood.toPrecision(6)} on ${f.rows} rows`);
    return lines.join('\n');
  }

  private tryState(model: string): ModelState | undefined {
    try {
      return this.session?.stateOf(model);
    } catch {
      return undefined;
    }
  }

  /**
   * `fit P2 on d [by METHOD(...)]` for a model loaded from an artifact: a warm start
   * (session/refit.ts) on a data set the session declares, by the artifact's own method unless
   * the statement names one.
   */
  private async refitLoaded(text: string, onProgress?: (p: FitProgress) => void, signal?: AbortSignal): Promise<string> {
    const { program: ast, diagnostics } = parseProgram(text, INPUT);
    if (diagnostics.length) return render(diagnostics, text);
    const fit = ast.statements[0];
    if (ast.statements.length !== 1 || fit?.kind !== 'fit') return 'error: a fit of a loaded model is one statement: fit NAME on DATA [by METHOD(...)]';
    const name = fit.model.name;
    const state = this.loaded.get(name)!;
    const origin = this.origins.get(name) ?? { from: name };
    const known = [...(this.session?.program.data.keys() ?? [])];
    if (!this.session?.program.data.has(fit.data.name)) {
      return `error: unknown data set '${fit.data.name}' (${known.length ? `data sets: ${known.join(', ')}` : 'none declared yet'}): declare it with data ${fit.data.name} from "rows.csv" { ... }`;
    }
    let settings: FitSettings;
    if (/\bby\b/.test(text)) {
      const diags: Diagnostic[] = [];
      const s = fitSettings({ name: fit.method.name, span: fit.method.span }, fit.args, new ConstantScope(INPUT), INPUT, diags);
      if (!s || diags.some((d) => d.severity === 'error')) return render(diags, text);
      settings = s;
    } else settings = defaultRefitSettings(state, origin.settings, { model: name, data: fit.data.name });
    try {
      const data = this.session.dataset(fit.data.name);
      const out = await runAsync(refitSteps({ model: name, from: origin.from, state, data, ...(fit.weights ? { weights: fit.weights.name } : {}), settings, ...(origin.rows !== undefined ? { priorRows: origin.rows } : {}), onProgress, signal }));
      this.loaded.set(name, out.state);
      this.origins.set(name, { ...origin, settings, rows: data.rows });
      return formatFit(out.summary);
    } catch (e) {
      // Data errors point into the accepted statements (the data statement).
      if (e instanceof StepError) return render(e.diagnostics, this.accepted);
      if (e instanceof PmixError) return `error: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ''}`;
      throw e;
    }
  }

  private queryLoaded(model: string, text: string): string {
    const st = this.loaded.get(model)!;
    const { query, diagnostics } = parseQuery(text, INPUT);
    if (!query) return render(diagnostics, text);
    try {
      return formatAnswer(answerQuery(st, query, { file: INPUT }));
    } catch (e) {
      if (e instanceof QueryError) return render(e.diagnostics, text);
      throw e;
    }
  }
}

/**
 * `M: logp(x = 1)` is short for `query M: logp(x = 1)`; `shift` is how many characters the
 * expansion added before the user's text. An unknown name before ':' is expanded too, so the
 * compiler names it ("unknown model 'Penguin'", with a "did you mean").
 */
function shorthand(input: string, models: readonly string[]): { text: string; shift: number } {
  const m = /^(\s*)([A-Za-z_]\w*)\s*:/.exec(input);
  if (!m || !(models.includes(m[2]!) || !STATEMENT_WORDS.includes(m[2]!))) return { text: input, shift: 0 };
  return { text: `query ${input.slice(m[1]!.length)}`, shift: 'query '.length - m[1]!.length };
}

const STATEMENT_WORDS = ['data', 'model', 'let', 'fit', 'query'];

/** Diagnostics of `source = prefix + input` rendered with line:col inside `input` (labelled, or bare). */
function rebase(diags: readonly Diagnostic[], prefix: number, input: string, label?: string): string {
  const lines = new LineIndex(input);
  return diags
    .map((d) => {
      const span = d.span && d.span.startOffset >= prefix ? lines.span(d.span.startOffset - prefix, d.span.endOffset - prefix) : undefined;
      // A data file's error keeps its path; the input's own errors take the label (or none).
      const own = !d.file || d.file === INPUT;
      const text = renderDiagnostic({ ...d, file: own ? (label ?? INPUT) : d.file, ...(span ? { span } : {}) }, span ? input : undefined);
      return label ? text : text.replace(/^<repl>:\s?/, '');
    })
    .join('\n');
}

function render(diags: readonly Diagnostic[], source: string): string {
  return diags.map((d) => renderDiagnostic(d, source)).join('\n');
}

/** The text with every data path made absolute (relative to `dir`), so it runs from anywhere. */
function absoluteDataPaths(text: string, dir: string): string {
  const { program } = parseProgram(text, INPUT);
  let out = text;
  const paths = program.statements.flatMap((st) => (st.kind === 'data' ? [st.path] : [])).sort((a, b) => b.span.startOffset - a.span.startOffset);
  for (const p of paths) out = out.slice(0, p.span.startOffset) + JSON.stringify(resolve(dir, p.value)) + out.slice(p.span.endOffset);
  return out;
}

function openBrackets(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if ('({['.includes(c)) depth++;
    else if (')}]'.includes(c)) depth--;
  }
  return depth > 0;
}
