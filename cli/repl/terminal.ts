// What pmix changes in node:repl's terminal behaviour: Ctrl-C stops a running fit without
// Node's "(To exit, press Ctrl+C again...)" line (which would overwrite the fit summary),
// Node's dot-commands (.load, .save, .editor, ...) map to pmix commands or are refused, and
// Tab after ':' completes the commands only.
import type { REPLServer } from 'node:repl';

/** Node's own REPL commands and what pmix makes of them (undefined: refused). */
export const DOT_COMMANDS: Readonly<Record<string, string | undefined>> = {
  break: undefined,
  clear: undefined,
  editor: undefined,
  exit: 'quit',
  help: 'help',
  load: 'load',
  save: undefined,
};

/** Replaces Node's dot-commands: `.load F` runs `:load F`, `.help` `:help`, `.exit` `:quit`; others are refused. */
export function replaceDotCommands(server: REPLServer, run: (command: string) => void, say: (text: string) => void): void {
  for (const name of Object.keys(server.commands)) delete (server.commands as Record<string, unknown>)[name];
  for (const [name, mapped] of Object.entries(DOT_COMMANDS)) {
    server.defineCommand(name, {
      help: mapped ? `:${mapped}` : 'not a pmix command',
      action(rest: string) {
        if (mapped) run(`:${mapped}${rest ? ` ${rest}` : ''}`);
        else {
          say(`'.${name}' is a Node.js command, not a pmix one; pmix commands start with ':' (try :help)`);
          this.displayPrompt();
        }
      },
    });
  }
}

/**
 * Ctrl-C: while `busy()` it calls `stop()` and prints nothing; otherwise it clears the line,
 * and a second Ctrl-C on an empty line leaves (as Node's own handler, with pmix's words).
 */
export function handleInterrupts(server: REPLServer, busy: () => boolean, stop: () => void, say: (text: string) => void): void {
  server.removeAllListeners('SIGINT');
  let sawInterrupt = false;
  server.on('line', () => {
    sawInterrupt = false;
  });
  server.on('SIGINT', () => {
    if (busy()) {
      stop();
      return;
    }
    const empty = server.line.length === 0;
    // Clear what was typed (Ctrl-U deletes to the line start, Ctrl-K to its end).
    server.write('', { ctrl: true, name: 'e' });
    server.write('', { ctrl: true, name: 'u' });
    server.clearBufferedCommand();
    if (empty) {
      if (sawInterrupt) {
        server.close();
        return;
      }
      say('\n(to leave, press Ctrl-C again, Ctrl-D, or type :quit)');
      sawInterrupt = true;
    } else {
      sawInterrupt = false;
      say('');
    }
    server.displayPrompt();
  });
}

/** Tab completion: after ':' the commands only; elsewhere the names and words (no commands). */
export function complete(line: string, commands: readonly string[], words: () => readonly string[]): [string[], string] {
  const word = /[\w:]*$/.exec(line)![0];
  if (word.startsWith(':')) return [commands.map((c) => `:${c}`).filter((c) => c.startsWith(word)), word];
  return [[...new Set(words())].filter((c) => c.startsWith(word)), word];
}
