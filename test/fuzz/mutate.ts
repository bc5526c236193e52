// Token-level mutations of model texts: tokens dropped, duplicated, swapped, inserted, and
// numbers replaced by extreme values (huge, tiny, negative, denormal, NaN-like words).
import fc from 'fast-check';
import { PmixLexer } from '../../language/tokens.js';

export const EXTREMES = [
  '1e300', '-1e300', '5e-324', '1e-300', '0', '-1', '-0.5', '0.5', '3.7', '1e9', '100000000', '4294967296',
  '1e400', 'NaN', 'nan', 'Infinity', 'inf', '-inf', '1e15', '2', '0.0', '-0',
];

const SPECIALS = ['"', '/*', '//', '\n', '|', ',', '(', ')', '[', ']', '{', '}', '=', '-', '^', '"zz"', 'fixed', 'in [0, 1]', 'mixture', 'of', 'weights'];

export type Mutation =
  | { readonly op: 'drop' | 'dup'; readonly at: number }
  | { readonly op: 'swap'; readonly at: number; readonly other: number }
  | { readonly op: 'insert'; readonly at: number; readonly fragment: string }
  | { readonly op: 'number'; readonly at: number; readonly value: string };

interface Lexed {
  readonly images: string[];
  readonly seps: string[];
  readonly tail: string;
}

function lex(text: string): Lexed {
  const { tokens } = PmixLexer.tokenize(text);
  const images: string[] = [];
  const seps: string[] = [];
  let end = 0;
  for (const t of tokens) {
    seps.push(text.slice(end, t.startOffset));
    images.push(t.image);
    end = t.startOffset + t.image.length;
  }
  return { images, seps, tail: text.slice(end) };
}

/** Applies the mutations in order to the tokens of text. */
export function mutateText(text: string, mutations: readonly Mutation[]): string {
  const { images, seps, tail } = lex(text);
  for (const m of mutations) {
    if (images.length === 0) break;
    const i = m.at % images.length;
    switch (m.op) {
      case 'drop':
        images.splice(i, 1);
        seps.splice(i, 1);
        break;
      case 'dup':
        images.splice(i, 0, images[i]!);
        seps.splice(i, 0, ' ');
        break;
      case 'swap': {
        const j = m.other % images.length;
        [images[i], images[j]] = [images[j]!, images[i]!];
        break;
      }
      case 'insert':
        images.splice(i, 0, m.fragment);
        seps.splice(i, 0, ' ');
        break;
      case 'number': {
        // The i-th number token (counting cyclically), so most picks hit a number.
        const nums = images.map((img, k) => (/^[\d.]/.test(img) ? k : -1)).filter((k) => k >= 0);
        if (nums.length) images[nums[m.at % nums.length]!] = m.value;
        break;
      }
    }
  }
  return images.map((img, k) => seps[k] + img).join('') + tail;
}

/** Fragments worth inserting: every token image of the seeds plus some specials. */
export function fragmentsOf(seeds: readonly string[]): string[] {
  const set = new Set<string>(SPECIALS);
  for (const s of seeds) for (const img of lex(s).images) set.add(img);
  return [...set];
}

export function mutationArb(fragments: readonly string[]): fc.Arbitrary<Mutation> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('drop' as const, 'dup' as const), at: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('swap' as const), at: fc.nat(), other: fc.nat() }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('insert' as const), at: fc.nat(), fragment: fc.constantFrom(...fragments) }) },
    { weight: 4, arbitrary: fc.record({ op: fc.constant('number' as const), at: fc.nat(), value: fc.constantFrom(...EXTREMES) }) },
  );
}

/** A seed text with 0 to `max` mutations. */
export function mutatedProgram(seeds: readonly string[], max = 4): fc.Arbitrary<string> {
  const frags = fragmentsOf(seeds);
  return fc
    .tuple(fc.nat({ max: seeds.length - 1 }), fc.array(mutationArb(frags), { minLength: 0, maxLength: max }))
    .map(([s, ms]) => mutateText(seeds[s]!, ms));
}
