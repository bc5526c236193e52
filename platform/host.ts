// What the host platform offers. Node's fs and path are fetched at run time with
// process.getBuiltinModule (Node >= 20.16), so no library module imports a node: module and the
// same code bundles for browsers. There, files cannot be read and paths are POSIX strings
// without a working directory (relative paths stay relative).
type NodeFs = typeof import('node:fs');
type NodePath = typeof import('node:path');

export type PathOps = Pick<NodePath, 'dirname' | 'isAbsolute' | 'relative' | 'resolve' | 'sep'>;

function builtin<T>(id: string): T | undefined {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return typeof p?.getBuiltinModule === 'function' ? (p.getBuiltinModule(id) as T | undefined) : undefined;
}

/** Node's fs, or undefined where there is no file system (a browser). */
export function hostFs(): NodeFs | undefined {
  return builtin<NodeFs>('node:fs');
}

/** Node's path module, or POSIX string operations (posixPath) where there is none. */
export function hostPath(): PathOps {
  return builtin<NodePath>('node:path') ?? posixPath;
}

function normalize(parts: readonly string[], absolute: boolean): string {
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (p !== '..' || !absolute) out.push(p);
  }
  const body = out.join('/');
  return absolute ? `/${body}` : body || '.';
}

export const posixPath: PathOps = {
  sep: '/',
  isAbsolute: (p: string) => p.startsWith('/'),
  dirname(p: string): string {
    const i = p.replace(/\/+$/, '').lastIndexOf('/');
    return i < 0 ? '.' : i === 0 ? '/' : p.slice(0, i);
  },
  resolve(...paths: string[]): string {
    const start = paths.map((p) => p.startsWith('/')).lastIndexOf(true);
    const parts = paths.slice(Math.max(start, 0)).flatMap((p) => p.split('/'));
    return normalize(parts, start >= 0);
  },
  relative(from: string, to: string): string {
    const a = posixPath.resolve(from).split('/').filter((s) => s && s !== '.');
    const b = posixPath.resolve(to).split('/').filter((s) => s && s !== '.');
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    return [...a.slice(i).map(() => '..'), ...b.slice(i)].join('/');
  },
};
