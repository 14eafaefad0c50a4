// Search with Pagefind's index, built with the site. Result addresses from the index start
// at the site root, so the root is taken from where the index lives: search then works
// under any path prefix. Excerpts are shown as plain text: page text may be hostile.
(function () {
  "use strict";
  var form = document.getElementById("search");
  if (!form) { return; }
  var bundle = new URL(form.getAttribute("data-bundle"), window.location.href);
  var root = bundle.pathname.replace(/pagefind\/$/, "");
  var input = document.getElementById("search-input");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var engine = null;
  var latest = 0;
  form.hidden = false;

  function load() {
    if (!engine) {
      engine = import(bundle.pathname + "pagefind.js").then(function (pf) {
        return pf.options({ baseUrl: root }).then(function () { return pf; });
      });
    }
    return engine;
  }

  function plain(html) {
    return new DOMParser().parseFromString(html, "text/html").body.textContent || "";
  }

  function show(results, query) {
    list.replaceChildren();
    results.forEach(function (r) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = r.url;
      link.className = "result-link";
      link.textContent = (r.meta && r.meta.title) || r.url;
      var excerpt = document.createElement("p");
      excerpt.textContent = plain(r.excerpt || "");
      item.append(link, excerpt);
      list.appendChild(item);
    });
    status.textContent = query ? window.takedownsText(results.length === 1 ? "found_one" : "found_many", { num: new Intl.NumberFormat(document.documentElement.lang || "en", { numberingSystem: "latn" }).format(results.length) }) : "";
  }

  function run() {
    var query = input.value.trim();
    var ticket = ++latest;
    if (!query) { show([], ""); return; }
    load().then(function (pf) { return pf.search(query); }).then(function (search) {
      return Promise.all(search.results.slice(0, 20).map(function (r) { return r.data(); }));
    }).then(function (results) {
      if (ticket === latest) { show(results, query); }
    }).catch(function (error) {
      status.textContent = window.takedownsText("search_unavailable", { error: error.message });
    });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
  input.addEventListener("input", run);
  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) { input.value = initial; run(); }
})();
