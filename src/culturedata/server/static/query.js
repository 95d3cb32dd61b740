// The query page: run the editor's query against /sparql and show the rows as a table.
(function () {
  "use strict";
  const form = document.getElementById("query-form");
  const textarea = document.getElementById("query");
  const examples = JSON.parse(document.getElementById("examples-data").textContent);
  const texts = JSON.parse(document.getElementById("texts").textContent);
  const status = document.getElementById("status");
  const results = document.getElementById("results");
  const base = document.body.dataset.base || "";
  let editor = textarea;
  try {
    // The editor's own <style> needs the nonce this page's Content-Security-Policy names.
    if (window.CultureDataEditor) editor = window.CultureDataEditor.attach(textarea, textarea.dataset.styleNonce);
  } catch (error) {
    // The plain textarea still works: the page must not depend on the editor.
    console.error(error);
    textarea.style.display = "";
  }

  document.querySelectorAll("button.example").forEach((button) => {
    button.addEventListener("click", () => { editor.value = examples[button.dataset.example]; });
  });

  document.querySelectorAll("button.download").forEach((button) => {
    button.addEventListener("click", () => {
      const link = document.createElement("a");
      link.href = "/sparql?" + new URLSearchParams({ query: editor.value, format: button.dataset.format });
      link.download = "results." + button.dataset.format.replace("turtle", "ttl");
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
  });

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
    // Our own IRIs open on this server, wherever it runs.
    return base && iri.startsWith(base) ? "/" + iri.slice(base.length) : iri;
  }

  function cell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri" && linkable(term.value)) {
      const a = document.createElement("a");
      a.href = href(term.value);
      a.textContent = term.value;
      td.appendChild(a);
    } else {
      td.textContent = term.value;
      if (term["xml:lang"]) td.lang = term["xml:lang"];
    }
    return td;
  }

  function table(data) {
    const vars = data.head.vars;
    const t = document.createElement("table");
    t.className = "results";
    const head = t.createTHead().insertRow();
    vars.forEach((v) => { const th = document.createElement("th"); th.textContent = "?" + v; head.appendChild(th); });
    const body = t.createTBody();
    data.results.bindings.forEach((row) => {
      const tr = body.insertRow();
      vars.forEach((v) => tr.appendChild(cell(row[v])));
    });
    return t;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.textContent = texts.running;
    results.replaceChildren();
    const response = await fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded",
                 "Accept": "application/sparql-results+json, text/turtle;q=0.9" },
      body: new URLSearchParams({ query: editor.value }),
    });
    const type = response.headers.get("content-type") || "";
    if (!response.ok) {
      status.textContent = texts.error + " " + (await response.text());
      status.className = "error";
      return;
    }
    status.className = "";
    if (type.includes("json")) {
      const data = await response.json();
      if ("boolean" in data) {
        status.textContent = data.boolean ? texts.yes : texts.no;
        return;
      }
      status.textContent = texts.rows.replace("{count}", data.results.bindings.length);
      results.appendChild(table(data));
    } else {
      const pre = document.createElement("pre");
      pre.textContent = await response.text();
      status.textContent = "";
      results.appendChild(pre);
    }
  });
})();
