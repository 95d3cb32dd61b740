// The query page's editor: CodeMirror 6 with the SPARQL mode from @codemirror/legacy-modes.
// Rebuild with `npm ci && npm run build` (see README.md here).
import { EditorState, Prec } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  StreamLanguage, syntaxHighlighting, defaultHighlightStyle, bracketMatching, indentOnInput,
} from "@codemirror/language";
import { autocompletion, completionKeymap, closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { sparql } from "@codemirror/legacy-modes/mode/sparql";

// CodeMirror styles itself with <style> elements: under the pages' Content-Security-Policy
// they need the nonce the page was served with (`styleNonce`).
// `options.run()` is called on Ctrl/Cmd+Enter, `options.change()` after each edit;
// `options.complete(context)` is a CodeMirror completion source (the page builds it from the profile's terms).
export function attach(textarea, styleNonce, options = {}) {
  const run = () => { if (options.run) options.run(); return true; };
  const view = new EditorView({
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        ...(styleNonce ? [EditorView.cspNonce.of(styleNonce)] : []),
        // Before the default keymap, which would insert a new line on Mod-Enter.
        Prec.highest(keymap.of([{ key: "Mod-Enter", run, preventDefault: true }])),
        lineNumbers(), highlightActiveLineGutter(), highlightActiveLine(), drawSelection(), history(),
        indentOnInput(), bracketMatching(), closeBrackets(), syntaxHighlighting(defaultHighlightStyle),
        ...(options.complete ? [autocompletion({ override: [options.complete] })] : []),
        keymap.of([...closeBracketsKeymap, ...completionKeymap, ...defaultKeymap, ...historyKeymap, indentWithTab]),
        StreamLanguage.define(sparql), EditorView.lineWrapping,
        EditorView.updateListener.of((update) => { if (update.docChanged && options.change) options.change(); }),
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
    // Put the cursor at a 1-based line and column (the parser's error position) and show it.
    select(line, column) {
      const doc = view.state.doc;
      const at = doc.line(Math.max(1, Math.min(line, doc.lines)));
      const pos = Math.min(at.from + Math.max(0, column - 1), at.to);
      view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
      view.focus();
    },
    focus() { view.focus(); },
    view,
  };
}
