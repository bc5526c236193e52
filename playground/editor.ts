// The model editor: CodeMirror 6 with pmix highlighting and inline diagnostics (the
// compiler's messages underlined at their line:col, listed under the editor too).
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { bracketMatching, indentOnInput } from '@codemirror/language';
import { lintGutter, setDiagnostics, type Diagnostic as CmDiagnostic } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from '@codemirror/view';
import { pmixHighlight, pmixLanguage } from './pmix-language.js';

export interface PlaceDiagnostic {
  readonly from: number;
  readonly to: number;
  readonly severity: 'error' | 'warning' | 'info';
  readonly message: string;
}

export interface Editor {
  text(): string;
  setText(text: string): void;
  showDiagnostics(ds: readonly PlaceDiagnostic[]): void;
}

export function createEditor(parent: HTMLElement, onChange: () => void): Editor {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: '',
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        highlightActiveLine(),
        EditorView.lineWrapping,
        pmixLanguage,
        pmixHighlight,
        lintGutter(),
        keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
        EditorView.contentAttributes.of({ id: 'source', 'aria-label': 'pmix model text', spellcheck: 'false' }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) onChange();
        }),
      ],
    }),
  });
  return {
    text: () => view.state.doc.toString(),
    setText: (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
    showDiagnostics: (ds) => {
      const len = view.state.doc.length;
      const cm: CmDiagnostic[] = ds.map((d) => ({ from: Math.min(d.from, len), to: Math.min(Math.max(d.to, d.from), len), severity: d.severity, message: d.message }));
      view.dispatch(setDiagnostics(view.state, cm));
    },
  };
}
