// pmix repl [FILE.pmix | MODEL.json]: an interactive session on node:repl. Statements are
// pmix syntax (multi-line until brackets balance); `M: logp(x = 1)` queries model M;
// commands start with ':'. Errors are shown as diagnostics and the session goes on.
import { homedir } from 'node:os';
import { join } from 'node:path';
import repl from 'node:repl';
import { fitProgressBar } from '../progress.js';
import { Workspace } from '../repl/workspace.js';
import { registryWords } from './repl-words.js';
import { complete, handleInterrupts, replaceDotCommands } from '../repl/terminal.js';
import type { FitProgress } from '../../runtime/learners/types.js';

const HELP = `pmix statements run as you enter them:
  data d from "file.csv" { x: real, y: real }
  model M = mixture(k = 3) of Normal(full)
  fit M on d by em(restarts = 3)
  query M: p(y | x = 2)          (or just  M: p(y | x = 2))
commands:
  :models              the models defined or loaded
  :describe NAME       structure, parameter counts, fit
  :save NAME FILE.json write a model artifact
  :plot NAME [X [Y]] FILE.svg the density of one or two variables, with the data (.png for a PNG);
                              a GP or a mixture of experts: its predictive over its input
  :load FILE           run a .pmix file, or load a MODEL.json (:load FILE.json AS NAME)
  :help                this text
  :quit                leave (or Ctrl-D)
Ctrl-C during a fit stops it and keeps the parameters reached so far (a :load stops there);
Node's dot-commands are not pmix's: .load is :load, .help is :help, .exit is :quit.`;

export async function replCommand(file: string | undefined, opts: { history: boolean }): Promise<void> {
  const ws = new Workspace(process.cwd());
  const say = (t: string): void => {
    if (t) process.stdout.write(t.endsWith('\n') ? t : t + '\n');
  };
  const tty = !!process.stdin.isTTY;
  const PROMPT = tty ? 'pmix> ' : '';
  // Inputs run one after another on this chain; node:repl gets its callback at once, so lines
  // that arrive during a long fit queue up instead of being merged into the running statement.
  let chain: Promise<void> = Promise.resolve();
  let pending = 0;
  // The fit in progress, if any: Ctrl-C aborts it (the learners yield between iterations).
  let running: AbortController | undefined;
  // While work runs the prompt is hidden, and shown again after its answer (not before it).
  const guarded = (f: (signal: AbortSignal, onProgress: (p: FitProgress) => void) => string | Promise<string>): Promise<void> => {
    pending++;
    server?.setPrompt('');
    chain = chain.then(async () => {
      running = new AbortController();
      const bar = fitProgressBar('fit', tty);
      try {
        const text = await f(running.signal, (p) => bar.update(p));
        bar.stop();
        say(text);
      } catch (e) {
        bar.stop();
        say(`error: ${(e as Error).message}`);
      } finally {
        running = undefined;
        if (--pending === 0 && server) {
          server.setPrompt(PROMPT);
          if (!closed) server.displayPrompt(true);
        }
      }
    });
    return chain;
  };
  let server: repl.REPLServer | undefined;
  let closed = false;
  const commands: Record<string, (args: string[], signal: AbortSignal, onProgress: (p: FitProgress) => void) => string | Promise<string>> = {
    help: () => HELP,
    models: () => ws.modelNames().map((m) => `${m}(${ws.variables(m).join(', ')})`).join('\n') || 'no models yet',
    describe: ([name]) => (name ? ws.describe(name) : 'usage: :describe NAME'),
    save: ([name, path]) => (name && path ? ws.save(name, path) : 'usage: :save NAME FILE.json'),
    plot: (args) => (args.length >= 2 && args.length <= 4 ? ws.plot(args[0]!, args.slice(1, -1), args[args.length - 1]!) : 'usage: :plot NAME [X [Y]] FILE.svg'),
    load: ([path, as, name], signal, onProgress) => (path ? ws.load(path, as?.toLowerCase() === 'as' ? name : undefined, signal, onProgress) : 'usage: :load FILE'),
  };
  const command = (text: string): void => {
    const [name, ...args] = text.slice(1).split(/\s+/);
    if (name === 'quit' || name === 'exit') {
      void chain.then(() => server?.close());
      return;
    }
    const f = commands[name ?? ''];
    void guarded((signal, onProgress) => (f ? f(args, signal, onProgress) : `unknown command ':${name}' (try :help)`));
  };
  server = repl.start({
    // With a file to run first, the prompt waits for its output.
    prompt: file ? '' : PROMPT,
    terminal: tty,
    // Node's preview evaluates JavaScript as one types; pmix input is not JavaScript.
    preview: false,
    ignoreUndefined: true,
    eval: (input, _ctx, _file, cb) => {
      const text = input.trim();
      if (!text) return cb(null, undefined);
      if (text.startsWith(':')) {
        command(text);
        return cb(null, undefined);
      }
      if (ws.incomplete(text)) return cb(new repl.Recoverable(new Error('incomplete')), undefined);
      void guarded((signal, onProgress) => ws.run(text, onProgress, signal));
      cb(null, undefined);
    },
    completer: (line: string): [string[], string] =>
      complete(line, [...Object.keys(commands), 'quit'], () => [
        ...ws.modelNames(),
        ...ws.modelNames().flatMap((m) => ws.variables(m)),
        ...registryWords(),
      ]),
  });
  server.on('exit', () => {
    closed = true;
  });
  replaceDotCommands(server, command, say);
  handleInterrupts(server, () => running !== undefined, () => running?.abort(), say);
  if (file) void guarded((signal, onProgress) => ws.load(file, undefined, signal, onProgress));
  if (opts.history && tty) server.setupHistory(join(homedir(), '.pmix_history'), () => {});
  // Input may end (piped stdin) while statements still run: finish them before returning.
  await new Promise<void>((res) => server.on('exit', () => res()));
  await chain;
}
