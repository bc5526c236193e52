// A bound on how deeply a statement's syntax nests. Compile-time passes walk expressions
// recursively (the constant evaluator, spans, lowering); `let a = 1+1+...+1` with 4,000 terms
// once overflowed the stack there (an internal error, exit 70). Walked here without recursion,
// a statement nested deeper than this is refused at its span with a clear message instead.
import type { Span } from './expr-ast.js';

/** Deeper than any model a person writes (a 100-term sum nests 100 deep), far from the stack limit. */
export const MAX_SYNTAX_DEPTH = 500;

/** The first node with a span found deeper than `limit` levels below `root`, or undefined. */
export function tooDeep(root: unknown, limit = MAX_SYNTAX_DEPTH): { span?: Span; depth: number } | undefined {
  const stack: { node: unknown; depth: number; span?: Span }[] = [{ node: root, depth: 0 }];
  while (stack.length) {
    const { node, depth, span } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    const own = (node as { span?: Span }).span;
    const here = own && typeof own === 'object' && 'startOffset' in own ? own : span;
    if (depth > limit) return { span: here, depth };
    for (const [k, v] of Object.entries(node)) if (k !== 'span' && v !== null && typeof v === 'object') stack.push({ node: v, depth: depth + 1, span: here });
  }
  return undefined;
}
