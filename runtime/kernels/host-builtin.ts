// Node built-ins fetched at run time with process.getBuiltinModule (Node >= 20.16), as
// platform/host.ts does, so the kernels import no node: module and still bundle for browsers
// (where this returns undefined and the kernels stay single-threaded).
export function getBuiltin<T>(id: string): T | undefined {
  try {
    const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    return typeof p?.getBuiltinModule === 'function' ? (p.getBuiltinModule(id) as T | undefined) : undefined;
  } catch {
    return undefined;
  }
}

/** An environment variable, or undefined (browsers have none). */
export function envVar(name: string): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
}
