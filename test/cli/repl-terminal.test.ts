// `pmix repl` at a real terminal (a pseudo-terminal driven by test/helpers/pty-session.py):
// what a user sees, prompt placement and Ctrl-C included, which piped stdin cannot show.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
type Step = ['send' | 'expect', string];

/** The transcript of a terminal session (ANSI escapes and carriage returns removed). */
function terminal(args: string[], steps: Step[]): string {
  const spec = { argv: [process.execPath, join(root, 'dist/cli/main.js'), 'repl', '--no-history', ...args], cwd: root, steps };
  const r = spawnSync('python3', [join(root, 'test/helpers/pty-session.py')], { input: JSON.stringify(spec), encoding: 'utf8', timeout: 240_000 });
  // A carriage return without a new line goes back to the line's start: what follows overwrites it.
  const text = r.stdout
    .replace(/\x1b\[1G/g, '\r')
    .replace(/\x1b(\[[0-9;?]*[A-Za-z]|[78])/g, '')
    .replace(/\r+\n/g, '\n')
    .split('\n')
    .map((line) => line.slice(line.lastIndexOf('\r') + 1))
    .join('\n');
  expect(r.status, text).toBe(0);
  return text;
}

const QUIT: Step[] = [['send', ':quit\r'], ['expect', '$']];

describe('pmix repl at a terminal', () => {
  it('shows the prompt after an answer, not before it, and a file\'s answers keep their query line', () => {
    const t = terminal(['examples/football.pmix'], [
      ['expect', 'pmix> $'],
      ['send', 'Goals: logp(home_goals = 1, away_goals = 1)\r'],
      ['expect', 'pmix> $'],
      ...QUIT,
    ]);
    // The file's fit and queries run before the first prompt, each answer under its query.
    const first = t.indexOf('pmix> ');
    expect(t.indexOf('fit Goals on matches by em')).toBeLessThan(first);
    expect(t.slice(0, first)).toMatch(/query Goals: p\(home_goals = 0, away_goals = 0\)\n0\.\d+ +\(log -\d/);
    // The typed query: its answer, then a fresh prompt on its own line.
    expect(t).toMatch(/pmix> Goals: logp\(home_goals = 1, away_goals = 1\)\n-\d+\.\d+\npmix> /);
    expect(t).not.toMatch(/pmix> -\d/);
  });

  it('says "did you mean" for a misspelt model and gives positions in the entered line', () => {
    const t = terminal(['examples/football.pmix'], [
      ['expect', 'pmix> $'],
      ['send', 'Goal: mode()\r'],
      ['expect', 'pmix> $'],
      ['send', 'Goals: p(home_goals = 1 | away_gaols = 2)\r'],
      ['expect', 'pmix> $'],
      ...QUIT,
    ]);
    expect(t).toContain("1:1: error: unknown model 'Goal'");
    expect(t).toContain("hint: did you mean 'Goals'?");
    expect(t).toMatch(/1:27: error: .*'away_gaols'/);
    expect(t).not.toMatch(/<repl>:\d+:\d+/);
  });

  it('Tab after ":" lists the commands only', () => {
    const t = terminal([], [['expect', 'pmix> $'], ['send', ':'], ['send', '\t'], ['send', '\t'], ['expect', ':quit'], ['send', '\x15'], ...QUIT]);
    const listing = t.split('\n').find((l) => l.includes(':help'))!;
    expect(listing.trim().split(/\s+/).sort()).toEqual([':describe', ':help', ':load', ':models', ':plot', ':quit', ':save']);
  });

  it("maps or refuses Node's dot-commands", () => {
    const t = terminal([], [
      ['expect', 'pmix> $'],
      ['send', '.editor\r'],
      ['expect', 'pmix> $'],
      ['send', '.save x.js\r'],
      ['expect', 'pmix> $'],
      ['send', '.help\r'],
      ['expect', 'pmix> $'],
      ...QUIT,
    ]);
    expect(t).toContain("'.editor' is a Node.js command, not a pmix one; pmix commands start with ':' (try :help)");
    expect(t).toContain("'.save' is a Node.js command");
    expect(t).toContain(':describe NAME'); // .help is :help
    expect(t).not.toMatch(/Entering editor mode|Session saved|Invalid REPL keyword/);
  });

  it('Ctrl-C during a fit started by :load stops it, keeps its parameters, and Node says nothing', () => {
    const t = terminal([], [
      ['expect', 'pmix> $'],
      ['send', ':load examples/digits.pmix\r'],
      // The progress bar shows the fit under way (on stderr, the same terminal).
      ['expect', 'fit \\[.*\\] \\d+/40 iterations'],
      ['send', '\x03'],
      ['expect', 'pmix> $'],
      ['send', 'Digits: p(p27 = 1 | p35 = 1, p36 = 1)\r'],
      ['expect', 'pmix> $'],
      ['send', '\x03'],
      ['expect', 'Ctrl-C again'],
      ...QUIT,
    ]);
    expect(t).toMatch(/fit Digits on train by em: interrupted after \d+ iterations/);
    expect(t).toMatch(/stopped \(Ctrl-C\): the 3 statement\(s\) after it were not run/);
    expect(t).not.toContain('fit Mixture');
    expect(t).toMatch(/pmix> Digits: p\(p27 = 1 \| p35 = 1, p36 = 1\)\n0\.\d+ +\(log -\d/);
    expect(t).not.toContain('(To exit, press Ctrl+C again');
    expect(t).toContain('(to leave, press Ctrl-C again, Ctrl-D, or type :quit)');
  });
});
