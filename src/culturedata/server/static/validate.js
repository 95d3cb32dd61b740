// The validation page, with JavaScript: a file dropped on the form, the upload's progress and then
// "checking…", the report put in place without leaving the page, and the rows to fix paged and
// sorted from the page's JSON data block (never thousands of table rows at once). Without
// JavaScript the form posts as any form and the server's page shows the first rows.
// Cells are written with textContent: values come from the museum's file.
(function () {
  "use strict";
  var PAGE = 100;
  var form = document.getElementById("validate-form");
  var input = document.getElementById("file");
  var drop = document.getElementById("drop");
  var progress = document.getElementById("progress");
  var bar = document.getElementById("progress-bar");
  var status = document.getElementById("progress-text");
  var outcome = document.getElementById("outcome");
  if (!form || !input || !outcome) return;
  var words = outcome.dataset;

  ["dragenter", "dragover"].forEach(function (name) {
    drop.addEventListener(name, function (event) {
      event.preventDefault();
      drop.classList.add("over");
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    drop.addEventListener(name, function () { drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      input.dispatchEvent(new Event("change"));
    }
  });

  function show(text, fraction) {
    progress.hidden = false;
    status.textContent = text;
    if (fraction === null) bar.removeAttribute("value");  // indeterminate: the server is checking
    else bar.value = Math.round(fraction * 100);
  }

  form.addEventListener("submit", function (event) {
    if (!window.XMLHttpRequest || !window.FormData) return;  // the plain form post
    event.preventDefault();
    var file = input.files[0];
    if (file && file.size > Number(form.dataset.limit)) {
      // Said at once: the server would refuse it past the limit, after part of a long upload.
      return refuse(form.dataset.tooLarge);
    }
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) show(words.uploading + " " + Math.round(100 * e.loaded / e.total) + " %", e.loaded / e.total);
    });
    request.upload.addEventListener("load", function () { show(words.checking, null); });
    request.addEventListener("load", function () {
      var page = new DOMParser().parseFromString(request.responseText, "text/html");
      var answer = page.getElementById("outcome");
      progress.hidden = true;
      if (!answer) return failed();
      outcome.replaceChildren.apply(outcome, Array.prototype.slice.call(answer.childNodes));
      outcome.dataset.state = request.status === 200 ? "done" : "refused";
      table();
    });
    request.addEventListener("error", failed);
    form.querySelector("button[type=submit]").disabled = true;
    request.addEventListener("loadend", function () { form.querySelector("button[type=submit]").disabled = false; });
    show(words.uploading + " 0 %", 0);
    request.send(new FormData(form));
  });

  function failed() { refuse(words.failed); }

  function refuse(text) {
    progress.hidden = true;
    var line = document.createElement("p");
    line.className = "error";
    line.setAttribute("role", "alert");
    line.textContent = text;
    outcome.replaceChildren(line);
    outcome.dataset.state = "refused";
  }

  // The rows to fix: [row, where, record, column, value, message, rule, severity] per finding.
  function table() {
    var island = document.getElementById("fixes-data");
    var fixes = document.getElementById("fixes");
    var pager = document.getElementById("pager");
    if (!island || !fixes) return;
    var rows = JSON.parse(island.textContent);
    var shown = document.getElementById("rows-shown");
    // The server's "first rows only" note: the data block has more of them, or all.
    shown.textContent = shown.dataset.template.replace("{shown}", rows.length);
    shown.hidden = rows.length >= Number(shown.dataset.count);
    var key = 0, ascending = true, start = 0;
    var body = fixes.tBodies[0];

    function compare(a, b) {
      var x = a[key], y = b[key];
      if (x === y) return (a[0] || 0) - (b[0] || 0);
      if (x === null) return 1;  // findings with no line go last, whichever the order
      if (y === null) return -1;
      var order = typeof x === "number" ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true });
      return ascending ? order : -order;
    }

    function cell(row, text, className) {
      var td = document.createElement("td");
      td.textContent = text;
      if (className) td.className = className;
      row.appendChild(td);
      return td;
    }

    function code(row, text) {
      var td = cell(row, "");
      var element = document.createElement("code");
      element.textContent = text;
      td.appendChild(element);
    }

    function draw() {
      var fragment = document.createDocumentFragment();
      rows.slice(start, start + PAGE).forEach(function (line) {
        var tr = document.createElement("tr");
        tr.className = line[7] + "-row";
        cell(tr, line[1], "nowrap");
        cell(tr, line[2]);
        code(tr, line[3]);
        cell(tr, line[4], "value");
        code(tr, line[6]);
        cell(tr, line[5]);
        fragment.appendChild(tr);
      });
      body.replaceChildren(fragment);
      var pages = Math.max(1, Math.ceil(rows.length / PAGE));
      pager.hidden = pages < 2;
      pager.replaceChildren();
      var previous = document.createElement("button");
      previous.type = "button";
      previous.id = "page-previous";
      previous.textContent = words.previous;
      previous.disabled = start === 0;
      previous.addEventListener("click", function () { start -= PAGE; draw(); });
      var where = document.createElement("span");
      where.id = "page-number";
      where.textContent = words.of.replace("{page}", start / PAGE + 1).replace("{pages}", pages);
      var next = document.createElement("button");
      next.type = "button";
      next.id = "page-next";
      next.textContent = words.next;
      next.disabled = start + PAGE >= rows.length;
      next.addEventListener("click", function () { start += PAGE; draw(); });
      pager.append(previous, where, next);
    }

    Array.prototype.forEach.call(fixes.tHead.rows[0].cells, function (th) {
      if (!th.dataset.key) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.title = words.sort;
      button.textContent = th.textContent;
      th.replaceChildren(button);
      button.addEventListener("click", function () {
        var chosen = Number(th.dataset.key);
        ascending = chosen === key ? !ascending : true;
        key = chosen;
        Array.prototype.forEach.call(fixes.tHead.rows[0].cells, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        rows.sort(compare);
        start = 0;
        draw();
      });
    });
    draw();
  }

  table();
})();
