// The query page's editor: CodeMirror 6 (basicSetup) with the SPARQL mode from
// @codemirror/legacy-modes. Rebuild with `npm ci && npm run build` (see README.md here).
import { EditorView, basicSetup } from "codemirror";
import { StreamLanguage } from "@codemirror/language";
import { sparql } from "@codemirror/legacy-modes/mode/sparql";

export function attach(textarea) {
  const view = new EditorView({
    doc: textarea.value,
    extensions: [basicSetup, StreamLanguage.define(sparql), EditorView.lineWrapping],
  });
  textarea.parentNode.insertBefore(view.dom, textarea);
  textarea.style.display = "none";
  // The form still posts the textarea, so keep it in step with the editor.
  const form = textarea.form;
  if (form) form.addEventListener("submit", () => { textarea.value = view.state.doc.toString(); });
  return {
    get value() { return view.state.doc.toString(); },
    set value(text) { view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }); },
    view,
  };
}
