// Where commands write their outputs. The path is checked before any work (a fit can run for
// minutes before it writes), and the file is written atomically: a temporary file next to it,
// flushed to disk (fsync), then renamed over the path. Temporary files left by a killed run
// (its process no longer exists) are removed on the next write to the same path.
import { accessSync, closeSync, constants, fsyncSync, lstatSync, openSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { EXIT_USAGE, Exit, type Output } from './io.js';

export interface OutPathOptions {
  /** The files this run reads (model file, data, artifact): never overwritten unless forced. */
  readonly inputs: readonly string[];
  /** Allow overwriting an input, and write through a symbolic link to its target. */
  readonly force?: boolean;
  /** The option named in messages (default --out). */
  readonly flag?: string;
}

/**
 * Checks that `out` can take an output of this run and returns the path to write: `out`, or
 * with --force over a symbolic link, the file it points to. Refuses (usage error, exit 2) a
 * directory, a missing directory, a non-regular file (a device, a FIFO: an atomic write would
 * replace the node), a symbolic link and an input of the run (the last two unless forced).
 */
export function checkOutPath(out: string, opts: OutPathOptions, io: Output): string {
  const flag = opts.flag ?? '--out';
  const bad = (why: string, hint?: string): never => {
    io.err(`error: ${flag} '${out}': ${why}${hint ? `\n  hint: ${hint}` : ''}`);
    throw new Exit(EXIT_USAGE);
  };
  if (out === '') bad('empty path');
  let st: Stats | undefined;
  try {
    st = lstatSync(out);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') bad(`a part of the path is not a directory`);
    if (code !== 'ENOENT') bad((e as Error).message);
  }
  let target = out;
  if (!st) {
    if (/[/\\]$/.test(out)) bad('the directory does not exist', 'give a file name, e.g. DIR/model.json');
    const dir = dirname(resolve(out));
    let ds: Stats | undefined;
    try {
      ds = statSync(dir);
    } catch {
      bad(`the directory '${dirname(out)}' does not exist`, `create it first (mkdir -p ${dirname(out)})`);
    }
    if (!ds!.isDirectory()) bad(`'${dirname(out)}' is not a directory`);
  } else {
    if (st.isDirectory()) bad('it is a directory', `give a file name, e.g. ${join(out, 'model.json')}`);
    if (st.isSymbolicLink()) {
      if (!opts.force) bad('it is a symbolic link: an atomic write would replace the link itself', 'write to the file it points to, or add --force to write there through the link');
      try {
        target = realpathSync(out);
        st = statSync(target);
      } catch {
        bad('it is a symbolic link to a file that does not exist');
      }
      if (st!.isDirectory()) bad('it is a symbolic link to a directory');
    }
    if (!st!.isFile()) bad(`it is not a regular file (${fileKind(st!)}): pmix writes outputs atomically by renaming a new file over the path, which would replace it`, 'write to a regular file');
    for (const input of opts.inputs) {
      if (!opts.force && sameFile(input, st!)) bad(`it is an input of this run ('${input}'): writing there would overwrite it`, 'choose another output path (or add --force to overwrite it)');
    }
  }
  const dir = dirname(resolve(target));
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    bad(`cannot write in the directory '${dirname(target)}' (permission denied)`);
  }
  return target;
}

function sameFile(path: string, st: Stats): boolean {
  try {
    const s = statSync(path);
    return s.dev === st.dev && s.ino === st.ino;
  } catch {
    return false;
  }
}

function fileKind(st: Stats): string {
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}

/** The temporary file a process writes before renaming it to `path`. */
export function tempPathFor(path: string, pid = process.pid): string {
  return join(dirname(path), `.${basename(path)}.${pid}.tmp`);
}

/** Writes a file so that readers see either the old one or the whole new one, never a part. */
export function writeAtomic(path: string, text: string | Uint8Array): void {
  removeStaleTemps(path);
  const tmp = tempPathFor(path);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'w');
    writeFileSync(fd, text);
    // On disk before the rename: after a crash the path holds the old file or the whole new one.
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  syncDirectory(dirname(path));
}

/** Makes the rename itself durable; best effort (not every platform opens directories). */
function syncDirectory(dir: string): void {
  try {
    const d = openSync(dir, 'r');
    try {
      fsyncSync(d);
    } finally {
      closeSync(d);
    }
  } catch {
    // nothing to do: the file is complete either way
  }
}

/** Removes `.NAME.PID.tmp` files next to `path` whose process no longer runs (a killed write). */
export function removeStaleTemps(path: string): void {
  const dir = dirname(path);
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = name.slice(prefix.length, -'.tmp'.length);
    if (!/^[1-9]\d{0,9}$/.test(pid) || Number(pid) === process.pid || processExists(Number(pid))) continue;
    rmSync(join(dir, name), { force: true });
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
