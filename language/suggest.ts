// "Did you mean ...?" for unknown names: the closest candidate by Damerau-Levenshtein
// distance (adjacent transpositions count as one edit), compared case-insensitively. The work
// is bounded: names longer than MAX_SUGGEST_LENGTH get no suggestion, and candidates whose
// length differs from the name's by more than the allowed distance are skipped unread (a
// 6 MiB CSV cell once cost gigabytes here). clipText bounds what messages echo.

/** Longest name (and candidate) compared: no one misspells a 100-character identifier. */
export const MAX_SUGGEST_LENGTH = 100;

/** Unrestricted Damerau-Levenshtein distance (Lowrance-Wagner). */
export function damerauLevenshtein(a: string, b: string): number {
  const n = a.length;
  const m = b.length;
  if (n === 0) return m;
  if (m === 0) return n;
  const inf = n + m;
  const width = m + 2;
  // d[(i + 1) * width + (j + 1)] is the distance between a[0, i) and b[0, j).
  const d = new Array<number>((n + 2) * width).fill(0);
  d[0] = inf;
  for (let i = 0; i <= n; i++) {
    d[(i + 1) * width] = inf;
    d[(i + 1) * width + 1] = i;
  }
  for (let j = 0; j <= m; j++) {
    d[j + 1] = inf;
    d[width + j + 1] = j;
  }
  const lastRow = new Map<string, number>();
  for (let i = 1; i <= n; i++) {
    let lastMatchCol = 0;
    for (let j = 1; j <= m; j++) {
      const i1 = lastRow.get(b[j - 1]!) ?? 0;
      const j1 = lastMatchCol;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      if (cost === 0) lastMatchCol = j;
      d[(i + 1) * width + j + 1] = Math.min(
        d[i * width + j]! + cost,
        d[(i + 1) * width + j]! + 1,
        d[i * width + j + 1]! + 1,
        d[i1 * width + j1]! + (i - i1 - 1) + 1 + (j - j1 - 1),
      );
    }
    lastRow.set(a[i - 1]!, i);
  }
  return d[(n + 1) * width + m + 1]!;
}

/**
 * The candidate closest to `name`, if within max(1, floor(len/3)) edits of it. A candidate
 * that shares no character position with the name (e.g. `y` for `x`) is never suggested.
 * Ties go to the closer case-sensitive match, then to the earlier candidate.
 */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  if (name.length > MAX_SUGGEST_LENGTH) return undefined;
  const lower = name.toLowerCase();
  const limit = Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDist = Infinity;
  let bestExact = Infinity;
  for (const candidate of candidates) {
    // The distance is at least the difference of the lengths.
    if (Math.abs(candidate.length - name.length) > limit || candidate === name) continue;
    const dist = damerauLevenshtein(lower, candidate.toLowerCase());
    if (dist > limit || dist >= Math.max(name.length, candidate.length)) continue;
    const exact = damerauLevenshtein(name, candidate);
    if (dist < bestDist || (dist === bestDist && exact < bestExact)) {
      best = candidate;
      bestDist = dist;
      bestExact = exact;
    }
  }
  return best;
}

/** "did you mean 'X'?" when didYouMean finds a candidate. */
export function suggestionHint(name: string, candidates: Iterable<string>): string | undefined {
  const match = didYouMean(name, candidates);
  return match === undefined ? undefined : `did you mean '${match}'?`;
}

/**
 * Text from the input echoed in a message, at most `max` characters: longer text keeps its start
 * and end around "..." and says how long it was, so a 6 MB cell does not become a 6 MB message.
 */
export function clipText(text: string, max = 60): string {
  if (text.length <= max) return text;
  const head = Math.ceil((max - 3) * 0.7);
  const tail = max - 3 - head;
  return `${text.slice(0, head)}...${tail > 0 ? text.slice(text.length - tail) : ''} (${text.length.toLocaleString('en-US')} characters)`;
}
