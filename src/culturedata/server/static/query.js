// The query page: run the editor's query against /sparql and show the answer as a table,
// paged and sortable, with the query kept in the page's URL so that a link reopens it.
(function () {
  "use strict";
  const form = document.getElementById("query-form");
  const textarea = document.getElementById("query");
  const examples = JSON.parse(document.getElementById("examples-data").textContent);
  const texts = JSON.parse(document.getElementById("texts").textContent);
  // "1 row", "2 rows"; French takes the singular for 0 and 1 too ("0 ligne", "1 ligne").
  const counted = (count) => {
    const one = document.documentElement.lang === "fr" ? count < 2 : count === 1;
    return (one ? texts.row : texts.rows).replace("{count}", count);
  };
  const status = document.getElementById("status");
  const results = document.getElementById("results");
  const permalink = document.getElementById("permalink");
  const langSwitch = document.getElementById("lang-switch");
  const base = document.body.dataset.base || "";
  const entities = results.dataset.entities || "";
  const lang = document.documentElement.lang || "fr";
  const PAGE_SIZE = 50;

  function say(text, params) {
    return Object.keys(params || {}).reduce((s, k) => s.split("{" + k + "}").join(params[k]), text);
  }

  // ---- the editor: CodeMirror when it loads, the plain textarea otherwise ----
  let editor = textarea;
  try {
    // The editor's own <style> needs the nonce this page's Content-Security-Policy names.
    if (window.CultureDataEditor) {
      editor = window.CultureDataEditor.attach(textarea, textarea.dataset.styleNonce, {
        run: () => form.requestSubmit(), complete: complete, change: queryChanged,
      });
    }
  } catch (error) {
    // The plain textarea still works: the page must not depend on the editor.
    console.error(error);
    editor = textarea;
    textarea.style.display = "";
  }
  textarea.addEventListener("keydown", (event) => {  // the same shortcut without the editor
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); form.requestSubmit(); }
  });
  textarea.addEventListener("input", queryChanged);

  // ---- the query in the URL: a link to share, kept across a language switch ----
  function pageUrl(extra) {
    const params = new URLSearchParams(extra || {});
    params.set("query", editor.value);
    return "/query?" + params;
  }

  function queryChanged() {
    permalink.href = pageUrl();
    showFormats();
  }

  if (langSwitch) {
    langSwitch.addEventListener("click", () => {
      langSwitch.href = pageUrl({ lang: new URLSearchParams(langSwitch.search).get("lang") });
    });
  }

  // ---- download formats that fit the query form ----
  // The query's form: its first keyword once comments, strings, IRIs and the prologue are set aside.
  function queryForm(text) {
    const bare = text
      .replace(/"""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, " ")
      .replace(/<[^<>"{}|^`\\\s]*>/g, " ")
      .replace(/#[^\n]*/g, " ");
    const found = /\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b/i.exec(bare);
    return found ? found[1].toUpperCase() : "SELECT";
  }

  function showFormats() {
    const kind = ["CONSTRUCT", "DESCRIBE"].includes(queryForm(editor.value)) ? "graph" : "results";
    document.querySelectorAll("button.download").forEach((button) => {
      button.hidden = button.dataset.form !== kind;
    });
  }

  document.querySelectorAll("button.example").forEach((button) => {
    button.addEventListener("click", () => {
      editor.value = examples[button.dataset.example];
      queryChanged();
    });
  });

  document.querySelectorAll("button.download").forEach((button) => {
    button.addEventListener("click", () => {
      const link = document.createElement("a");
      link.href = "/sparql?" + new URLSearchParams({ query: editor.value, format: button.dataset.format, lang: lang });
      link.download = "results." + button.dataset.ext;
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
  });

  // ---- completion of prefixes and profile terms (from /query/terms.json) ----
  let vocabulary = null;
  async function terms() {
    if (!vocabulary) vocabulary = fetch("/query/terms.json").then((r) => r.json());
    return vocabulary;
  }

  function declared(doc, prefix) {
    return new RegExp("PREFIX\\s+" + prefix + ":", "i").test(doc);
  }

  // A CodeMirror completion source: after "PREFIX " a prefix with its namespace; in a prefixed
  // name, the profile's terms (their PREFIX declaration added when the query lacks it); else prefixes.
  async function complete(context) {
    const word = context.matchBefore(/[A-Za-z][\w-]*:?[\w-]*/);
    if (!word && !context.explicit) return null;
    const from = word ? word.from : context.pos;
    const previous = context.state.sliceDoc(Math.max(0, from - 1), from);
    if (previous === "?" || previous === "$" || previous === "/") return null;  // a variable, or inside an IRI
    const typed = word ? word.text : "";
    const data = await terms();
    const line = context.state.doc.lineAt(context.pos);
    const before = line.text.slice(0, from - line.from);
    if (/PREFIX\s+$/i.test(before)) {
      return { from, options: Object.entries(data.prefixes).map(([name, ns]) => ({
        label: name + ":", apply: name + ": <" + ns + ">", detail: ns, type: "namespace" })) };
    }
    if (typed.includes(":")) {
      const prefix = typed.split(":")[0];
      const options = data.terms.filter((term) => term.curie.startsWith(prefix + ":")).map((term) => ({
        label: term.curie, type: term.kind === "class" ? "class" : "property",
        detail: term.label[lang] || term.label[""] || "", info: term.iri,
        apply: (view, completion, start, end) => {
          const changes = [{ from: start, to: end, insert: term.curie }];
          const ns = data.prefixes[prefix];
          if (ns && !declared(view.state.doc.toString(), prefix)) {
            changes.push({ from: 0, insert: "PREFIX " + prefix + ": <" + ns + ">\n" });
          }
          view.dispatch({ changes });
        },
      }));
      return { from, options, validFor: /^[\w-]*:?[\w-]*$/ };
    }
    return { from, options: Object.keys(data.prefixes).map((name) => ({
      label: name + ":", detail: data.prefixes[name], type: "namespace" })), validFor: /^[\w-]*$/ };
  }

  // ---- results: links to entity pages, labels, paging and sorting ----
  // A result may hold any IRI, javascript: ones included: only these become links.
  const LINKED = ["http:", "https:", "mailto:"];

  function linkable(iri) {
    try {
      return LINKED.includes(new URL(iri).protocol);
    } catch (error) {
      return false;
    }
  }

  function href(iri) {
    // Our entities open their pages on this server, wherever it runs (iris.entity_space).
    return entities && iri.startsWith(entities) ? "/" + iri.slice(base.length) : iri;
  }

  // The variable holding `v`'s label, when the answer gives one (?xLabel, as on Wikidata, or ?x_label).
  function labelOf(vars, v) {
    return vars.find((w) => w === v + "Label" || w === v + "_label") || null;
  }

  function cell(term, label) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri" && linkable(term.value)) {
      const a = document.createElement("a");
      a.href = href(term.value);
      a.textContent = label ? label.value : term.value;
      if (label) { a.title = term.value; if (label["xml:lang"]) a.lang = label["xml:lang"]; }
      td.appendChild(a);
    } else {
      td.textContent = term.value;
      if (term["xml:lang"]) td.lang = term["xml:lang"];
    }
    return td;
  }

  const NUMERIC = /#(integer|decimal|double|float|long|int|short|byte|nonNegativeInteger|positiveInteger|negativeInteger|nonPositiveInteger|unsignedLong|unsignedInt)$/;
  const collator = new Intl.Collator(lang, { numeric: true, sensitivity: "base" });

  function compare(a, b) {
    if (!a || !b) return a ? -1 : b ? 1 : 0;  // unbound last
    if (NUMERIC.test(a.datatype || "") && NUMERIC.test(b.datatype || "")) return Number(a.value) - Number(b.value);
    return collator.compare(a.value, b.value);
  }

  let answer = null;  // {vars, rows, page, sortBy, descending}

  function render() {
    const { vars, rows } = answer;
    const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
    answer.page = Math.min(Math.max(answer.page, 1), pages);
    const t = document.createElement("table");
    t.className = "results";
    const head = t.createTHead().insertRow();
    vars.forEach((v) => {
      const th = document.createElement("th");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.title = texts.sort;
      button.textContent = "?" + v;
      button.addEventListener("click", () => sortBy(v));
      th.appendChild(button);
      if (answer.sortBy === v) th.setAttribute("aria-sort", answer.descending ? "descending" : "ascending");
      head.appendChild(th);
    });
    const body = t.createTBody();
    rows.slice((answer.page - 1) * PAGE_SIZE, answer.page * PAGE_SIZE).forEach((row) => {
      const tr = body.insertRow();
      vars.forEach((v) => {
        const label = labelOf(vars, v);
        tr.appendChild(cell(row[v], label ? row[label] : null));
      });
    });
    results.replaceChildren(t);
    if (pages > 1) results.appendChild(pager(pages));
  }

  function pager(pages) {
    const nav = document.createElement("nav");
    nav.className = "pager";
    const previous = document.createElement("button");
    previous.type = "button";
    previous.className = "previous";
    previous.textContent = texts.previous;
    previous.disabled = answer.page === 1;
    previous.addEventListener("click", () => { answer.page -= 1; render(); });
    const where = document.createElement("span");
    where.className = "page";
    where.textContent = say(texts.page, { page: answer.page, pages: pages });
    const next = document.createElement("button");
    next.type = "button";
    next.className = "next";
    next.textContent = texts.next;
    next.disabled = answer.page === pages;
    next.addEventListener("click", () => { answer.page += 1; render(); });
    nav.append(previous, where, next);
    return nav;
  }

  function sortBy(v) {
    answer.descending = answer.sortBy === v ? !answer.descending : false;
    answer.sortBy = v;
    const sign = answer.descending ? -1 : 1;
    // The answer's own order breaks ties, so sorting stays predictable.
    answer.rows = answer.order.slice().sort((a, b) => sign * compare(a[v], b[v]) || 0);
    answer.page = 1;
    render();
  }

  // ---- running the query ----
  function showError(text) {
    status.textContent = texts.error + " " + text;
    status.className = "error";
    // The server says where the parser stopped: "… line 3, column 16 …" in the page's language.
    const at = /(\d+)\D+?(\d+)/.exec(text);
    if (at && editor.select && /\b(?:line|ligne)\b/i.test(text)) {
      editor.select(Number(at[1]), Number(at[2]));
      status.dataset.line = at[1];
      status.dataset.column = at[2];
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    history.replaceState(null, "", pageUrl());  // the address bar now holds a link to this query
    queryChanged();
    status.textContent = texts.running;
    status.className = "";
    delete status.dataset.line;
    delete status.dataset.column;
    results.replaceChildren();
    answer = null;
    const graph = ["CONSTRUCT", "DESCRIBE"].includes(queryForm(editor.value));
    const response = await fetch("/sparql?" + new URLSearchParams({ lang: lang }), {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded",
                 "Accept": graph ? "text/turtle" : "application/sparql-results+json" },
      body: new URLSearchParams({ query: editor.value }),
    });
    const type = response.headers.get("content-type") || "";
    if (!response.ok) {
      showError((await response.text()).trim());
      return;
    }
    if (type.includes("json")) {
      const data = await response.json();
      if ("boolean" in data) {
        status.textContent = data.boolean ? texts.yes : texts.no;
        return;
      }
      const rows = data.results.bindings;
      status.textContent = counted(rows.length);
      answer = { vars: data.head.vars, rows: rows, order: rows, page: 1, sortBy: null, descending: false };
      render();
    } else {
      const pre = document.createElement("pre");
      pre.textContent = await response.text();
      status.textContent = "";
      results.appendChild(pre);
    }
  });

  queryChanged();
})();
