// pmix highlighting for CodeMirror 6: a stream tokenizer (no grammar needed) for comments,
// strings, numbers, the language's keywords (language/tokens.ts), types, distribution and
// kernel names (Capitalized) and operators.
import { HighlightStyle, StreamLanguage, syntaxHighlighting } from '@codemirror/language';
import { tags as t } from '@lezer/highlight';

const KEYWORDS = new Set(['data', 'from', 'model', 'let', 'fit', 'on', 'by', 'weights', 'query', 'of', 'fixed', 'in']);
const BUILDERS = new Set(['mixture', 'product', 'circuit', 'gp', 'square', 'sos', 'integral', 'kde', 'chow_liu', 'region', 'inputs', 'sum', 'em', 'adam', 'lbfgs']);
const TYPES = new Set(['real', 'int', 'bool', 'categorical']);
const ATOMS = new Set(['true', 'false', 'inf']);

export const pmixLanguage = StreamLanguage.define<{ inString: boolean }>({
  name: 'pmix',
  startState: () => ({ inString: false }),
  token(stream) {
    if (stream.eatSpace()) return null;
    if (stream.match('//')) {
      stream.skipToEnd();
      return 'comment';
    }
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/)) return 'string';
    if (stream.match(/^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/)) return 'number';
    const word = stream.match(/^[A-Za-z_][A-Za-z0-9_]*/) as RegExpMatchArray | null;
    if (word) {
      const w = word[0];
      if (KEYWORDS.has(w)) return 'keyword';
      if (BUILDERS.has(w)) return 'macroName';
      if (TYPES.has(w)) return 'typeName';
      if (ATOMS.has(w)) return 'atom';
      if (/^[A-Z]/.test(w)) return 'className';
      return stream.peek() === '(' ? 'function' : 'variableName';
    }
    if (stream.match(/^(->|[=+*|:,<>-])/)) return 'operator';
    stream.next();
    return null;
  },
  languageData: { commentTokens: { line: '//' } },
});

export const pmixHighlight = syntaxHighlighting(
  HighlightStyle.define([
    { tag: t.comment, color: '#7a8294', fontStyle: 'italic' },
    { tag: t.string, color: '#0b7a55' },
    { tag: t.number, color: '#b4531a' },
    { tag: t.atom, color: '#b4531a' },
    { tag: t.keyword, color: '#8d2ab8', fontWeight: '600' },
    { tag: t.macroName, color: '#1d5fc4', fontWeight: '600' },
    { tag: t.typeName, color: '#0e7c86' },
    { tag: t.className, color: '#c02d5c' },
    { tag: t.function(t.variableName), color: '#1d5fc4' },
    { tag: t.operator, color: '#5b6170' },
  ]),
);
