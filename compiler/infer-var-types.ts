// Types of the variables of a model that is queried without data (`model Std(x) = Normal(...)`):
// each variable takes the first of real, int, bool that every leaf over it accepts.
import type { ModelExpr } from '../language/index.js';
import type { Diagnostic } from '../language/index.js';
import { getDistribution } from '../stdlib/distributions/index.js';
import type { IRVariable, VarType } from '../ir/types.js';
import type { CompiledProgram } from './program.js';

const CANDIDATES: VarType[] = [{ kind: 'real' }, { kind: 'int' }, { kind: 'bool' }];

export function inferVarTypes(program: CompiledProgram, model: string, names: readonly string[]): { vars?: IRVariable[]; diagnostics: Diagnostic[] } {
  const leaves = new Map<string, Set<string>>(names.map((n) => [n, new Set<string>()]));
  const visit = (e: ModelExpr, scope: readonly string[], stack: string[]): void => {
    switch (e.kind) {
      case 'leaf': {
        const ref = program.models.get(e.name.name);
        if (ref && !getDistribution(e.name.name)) {
          if (!stack.includes(e.name.name)) visit(ref.decl.body, scope, [...stack, e.name.name]);
          return;
        }
        for (const v of scope) leaves.get(v)?.add(e.name.name);
        return;
      }
      case 'mixtureOf':
        return visit(e.component, scope, stack);
      case 'integral':
        return visit(e.body, scope, stack);
      case 'mixtureList':
        return e.components.forEach((c) => visit(c, scope, stack));
      case 'square':
        return (e.monotone ? [e.monotone, ...e.parts] : e.parts).forEach((c) => visit(c, scope, stack));
      case 'product':
        return e.parts.forEach((p) => visit(p.model, p.scope.map((s) => s.name), stack));
      case 'circuit': {
        const inputs = e.entries.find((en) => en.key.name === 'inputs')?.name;
        if (inputs) for (const v of scope) leaves.get(v)?.add(inputs.name);
        return;
      }
    }
  };
  const info = program.models.get(model)!;
  visit(info.decl.body, names, [model]);
  const vars: IRVariable[] = [];
  for (const n of names) {
    const fams = [...leaves.get(n)!].map(getDistribution).filter((f) => f !== undefined);
    const type = CANDIDATES.find((t) => fams.every((f) => f.accepts(t)));
    if (!type) {
      return {
        diagnostics: [
          {
            severity: 'error',
            code: 'needs-data',
            message: `the type of '${n}' cannot be inferred without data (e.g. categorical levels): fit the model on data declaring '${n}'`,
            span: info.decl.name.span,
            file: program.file,
          },
        ],
      };
    }
    vars.push({ name: n, type });
  }
  return { vars, diagnostics: [] };
}
