// Progressive enhancement of the disclosure tables: filter as you type, sort by column.
// Without JavaScript every row is already in the page, newest first.
(function () {
  "use strict";
  // The page's interface words in its language (base.html), shared with the other scripts.
  var ui = {};
  try { ui = JSON.parse(document.getElementById("interface-text").textContent); } catch (e) { ui = {}; }
  function say(key, values) {
    return (ui[key] || key).replace(/\{(\w+)\}/g, function (all, name) { return name in (values || {}) ? String(values[name]) : all; });
  }
  window.takedownsText = say;
  var numbers = window.Intl ? new Intl.NumberFormat(document.documentElement.lang || "en", { numberingSystem: "latn" }) : null;
  function count(n) { return numbers ? numbers.format(n) : String(n); }
  function sortTable(table, index, kind, th) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    rows.sort(function (a, b) {
      var x = a.cells[index], y = b.cells[index];
      var vx = x.getAttribute("data-value") || x.textContent.trim();
      var vy = y.getAttribute("data-value") || y.textContent.trim();
      var c = kind === "number" ? Number(vx) - Number(vy) : vx.localeCompare(vy);
      return ascending ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) { cell.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }
  document.querySelectorAll("table[data-sortable]").forEach(function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      var kind = th.getAttribute("data-sort");
      if (!kind) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      button.setAttribute("aria-label", say("sort_by", { column: th.textContent }));
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () { sortTable(table, index, kind, th); });
    });
  });
  var box = document.querySelector(".filter");
  var input = document.getElementById("filter");
  var table = document.querySelector("table[data-sortable]");
  if (box && input && table) {
    box.hidden = false;
    var status = document.getElementById("filter-status");
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0, rows = table.tBodies[0].rows;
      Array.prototype.forEach.call(rows, function (row) {
        var text = row.textContent.toLowerCase();
        var match = words.every(function (w) { return text.indexOf(w) !== -1; });
        row.hidden = !match;
        if (match) { shown += 1; }
      });
      status.textContent = words.length ? say("rows_shown", { shown: count(shown), all: count(rows.length) }) : "";
    });
  }
})();
