// Preview only: reload the page when the preview server has something new. The server holds each question until
// something changes (or a few seconds pass), so an edit shows as soon as it is written; it also learns from the
// question which page, in which language, is open, and writes that one first.
(function () {
  "use strict";
  var seen = null;
  function poll() {
    var ask = "/__reload?page=" + encodeURIComponent(window.location.pathname) + (seen === null ? "" : "&since=" + seen);
    fetch(ask, { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (state) {
      if (seen !== null && state.generation !== seen) { window.location.reload(); return; }
      seen = state.generation;
      window.setTimeout(poll, 50);
    }).catch(function () { window.setTimeout(poll, 2000); });
  }
  poll();
})();
