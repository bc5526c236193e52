// pmix check FILE.pmix: parse, resolve, load the data files' headers and types, type-check
// every model as it would be fitted. Nothing is fitted.
import { Session } from '../../runtime/session.js';
import { fail, type Output } from '../io.js';
import { loadProgram } from '../load.js';

export function checkCommand(file: string, io: Output, overrides: Record<string, string>): void {
  const { program, sources } = loadProgram(file, io, { dataOverrides: overrides });
  const diags = new Session(program).check();
  if (diags.length) fail(diags, sources, io);
  const fits = program.steps.filter((s) => s.kind === 'fit').length;
  const queries = program.steps.length - fits;
  if (io.json) io.out(JSON.stringify({ ok: true, models: [...program.models.keys()], data: [...program.data.keys()], fits, queries }));
  else io.out(`${file}: ok (${program.models.size} model(s), ${program.data.size} data set(s), ${fits} fit(s), ${queries} query(ies))`);
}
