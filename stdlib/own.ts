// Registry lookups by names users write: own entries only. A plain object's `[name]` also finds
// what it inherits (`__proto__`, `constructor`, `toString`), which once ran Adam for
// `by __proto__` and crashed `by constructor(points = 4)`.
export function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
