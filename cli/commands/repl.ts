// pmix repl [FILE.pmix | MODEL.json]: an interactive session on node:repl. Statements are
// pmix syntax (multi-line until brackets balance); `M: logp(x = 1)` queries model M;
// commands start with ':'. Errors are shown as diagnostics and the session goes on.
import { homedir } from 'node:os';
import { join } from 'node:path';
import repl from 'node:repl';
import { fitProgressBar } from '../progress.js';
import { Workspace } from '../repl/workspace.js';
import { registryWords } from './repl-words.js';

const HELP = `pmix statements run as you enter them:
  data d from "file.csv" { x: real, y: real }
  model M = mixture(k = 3) of Normal(full)
  fit M on d by em(restarts = 3)
  query M: p(y | x = 2)          (or just  M: p(y | x = 2))
commands:
  :models              the models defined or loaded
  :describe NAME       structure, parameter counts, fit
  :save NAME FILE.json write a model artifact
  :plot NAME X [Y] FILE.svg   the density of one or two variables, with the data (.png for a PNG)
  :load FILE           run a .pmix file, or load a MODEL.json (:load FILE.json AS NAME)
  :help                this text
  :quit                leave (or Ctrl-D)
Ctrl-C during a fit stops it and keeps the parameters reached so far.`;

export async function replCommand(file: string | undefined, opts: { history: boolean }): Promise<void> {
  const ws = new Workspace(process.cwd());
  const say = (t: string): void => {
    if (t) process.stdout.write(t.endsWith('\n') ? t : t + '\n');
  };
  // Inputs run one after another on this chain; node:repl gets its callback at once, so lines
  // that arrive during a long fit queue up instead of being merged into the running statement.
  let chain: Promise<void> = Promise.resolve();
  // The fit in progress, if any: Ctrl-C aborts it (the learners yield between iterations).
  let running: AbortController | undefined;
  const guarded = (f: (signal: AbortSignal) => string | Promise<string>): Promise<void> => {
    chain = chain.then(async () => {
      running = new AbortController();
      try {
        say(await f(running.signal));
      } catch (e) {
        say(`error: ${(e as Error).message}`);
      } finally {
        running = undefined;
      }
    });
    return chain;
  };
  if (file) void guarded((signal) => ws.load(file, undefined, signal));
  const commands: Record<string, (args: string[]) => string | Promise<string>> = {
    help: () => HELP,
    models: () => ws.modelNames().map((m) => `${m}(${ws.variables(m).join(', ')})`).join('\n') || 'no models yet',
    describe: ([name]) => (name ? ws.describe(name) : 'usage: :describe NAME'),
    save: ([name, path]) => (name && path ? ws.save(name, path) : 'usage: :save NAME FILE.json'),
    plot: (args) => (args.length >= 3 && args.length <= 4 ? ws.plot(args[0]!, args.slice(1, -1), args[args.length - 1]!) : 'usage: :plot NAME X [Y] FILE.svg'),
    load: ([path, as, name]) => (path ? ws.load(path, as?.toLowerCase() === 'as' ? name : undefined) : 'usage: :load FILE'),
  };
  const server = repl.start({
    prompt: process.stdin.isTTY ? 'pmix> ' : '',
    terminal: process.stdin.isTTY,
    ignoreUndefined: true,
    eval: (input, _ctx, _file, cb) => {
      const text = input.trim();
      if (!text) return cb(null, undefined);
      if (text.startsWith(':')) {
        const [name, ...args] = text.slice(1).split(/\s+/);
        if (name === 'quit' || name === 'exit') {
          void chain.then(() => server.close());
          return cb(null, undefined);
        }
        const f = commands[name ?? ''];
        void guarded(() => (f ? f(args) : `unknown command ':${name}' (try :help)`));
        return cb(null, undefined);
      }
      if (ws.incomplete(text)) return cb(new repl.Recoverable(new Error('incomplete')), undefined);
      const bar = fitProgressBar('fit', true);
      void guarded((signal) => ws.run(text, (p) => bar.update(p), signal).finally(() => bar.stop()));
      cb(null, undefined);
    },
    completer: (line: string): [string[], string] => {
      const word = /[\w:]*$/.exec(line)![0];
      const pool = [
        ...Object.keys(commands).map((c) => `:${c}`),
        ':quit',
        ...ws.modelNames(),
        ...ws.modelNames().flatMap((m) => ws.variables(m)),
        ...registryWords(),
      ];
      return [[...new Set(pool)].filter((c) => c.startsWith(word)), word];
    },
  });
  server.on('SIGINT', () => running?.abort());
  if (opts.history && process.stdin.isTTY) server.setupHistory(join(homedir(), '.pmix_history'), () => {});
  // Input may end (piped stdin) while statements still run: finish them before returning.
  await new Promise<void>((res) => server.on('exit', () => res()));
  await chain;
}
