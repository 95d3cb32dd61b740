// The query page's editor: CodeMirror 6 with the SPARQL mode from @codemirror/legacy-modes.
// Rebuild with `npm ci && npm run build` (see README.md here).
import { EditorState } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  StreamLanguage, syntaxHighlighting, defaultHighlightStyle, bracketMatching, indentOnInput,
} from "@codemirror/language";
import { sparql } from "@codemirror/legacy-modes/mode/sparql";

// CodeMirror styles itself with <style> elements: under the pages' Content-Security-Policy
// they need the nonce the page was served with (`styleNonce`).
export function attach(textarea, styleNonce) {
  const view = new EditorView({
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        ...(styleNonce ? [EditorView.cspNonce.of(styleNonce)] : []),
        lineNumbers(), highlightActiveLineGutter(), highlightActiveLine(), drawSelection(), history(),
        indentOnInput(), bracketMatching(), syntaxHighlighting(defaultHighlightStyle),
        keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
        StreamLanguage.define(sparql), EditorView.lineWrapping,
      ],
    }),
  });
  textarea.parentNode.insertBefore(view.dom, textarea);
  textarea.style.display = "none";
  // The form still posts the textarea, so keep it in step with the editor.
  if (textarea.form) textarea.form.addEventListener("submit", () => { textarea.value = view.state.doc.toString(); });
  return {
    get value() { return view.state.doc.toString(); },
    set value(text) { view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }); },
    view,
  };
}
