// Preview only: reload the page when the preview server has rebuilt the site.
(function () {
  "use strict";
  var seen = null;
  function poll() {
    fetch("/__reload", { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (state) {
      if (seen !== null && state.generation !== seen) { window.location.reload(); return; }
      seen = state.generation;
      window.setTimeout(poll, 500);
    }).catch(function () { window.setTimeout(poll, 2000); });
  }
  poll();
})();
