// Replace each chart's static SVG with the interactive Vega view, built from the spec
// embedded beside it, when the chart comes near the screen. The chart libraries load
// then, not with the page, so the page is readable at once. Expressions run through
// vega-interpreter: no eval, so the page's Content-Security-Policy holds. Data a spec loads
// by URL (the maps' country shapes) comes from the site's own assets/vendor/.
(function () {
  "use strict";
  var boxes = Array.prototype.slice.call(document.querySelectorAll(".chart-canvas[data-spec]"));
  if (!boxes.length || !window.Promise) { return; }
  var vendor = new URL("vendor/", document.currentScript.src).href;
  var libraries = ["vega.min.js", "vega-lite.min.js", "vega-interpreter.js", "vega-embed.min.js"];
  var loading = null;

  function load() {
    if (!loading) {
      loading = libraries.reduce(function (previous, name) {
        return previous.then(function () {
          return new Promise(function (resolve, reject) {
            var script = document.createElement("script");
            script.src = vendor + name;
            script.onload = resolve;
            script.onerror = function () { reject(new Error("could not load " + name)); };
            document.head.appendChild(script);
          });
        });
      }, Promise.resolve());
    }
    return loading;
  }

  function draw(box) {
    var source = document.getElementById(box.getAttribute("data-spec"));
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    var img = box.querySelector("img");
    var alt = img ? img.getAttribute("alt") : "";
    if (img) { box.style.minHeight = img.getBoundingClientRect().height + "px"; }
    var target = document.createElement("div");
    load().then(function () {
      return window.vegaEmbed(target, spec, {
        actions: false, renderer: "svg", ast: true, loader: window.vega.loader({ baseURL: vendor }), expr: window.vega.expressionInterpreter, defaultStyle: false,
        tooltip: { disableDefaultStyle: true }
      });
    }).then(function () {
      // One keyboard stop per chart, announced by its sentence; the drawing itself is hidden
      // from screen readers, which get the same numbers from the data table below it.
      var svg = target.querySelector("svg");
      if (svg) { svg.setAttribute("aria-hidden", "true"); svg.setAttribute("focusable", "false"); }
      target.setAttribute("role", "img");
      target.setAttribute("aria-label", alt);
      target.tabIndex = 0;
      target.className = "chart-view";
      box.replaceChildren(target);
      box.style.minHeight = "";
      box.classList.add("interactive");
    }).catch(function (error) {
      box.style.minHeight = "";
      box.setAttribute("data-chart-error", String(error && error.message || error));
    });
  }

  if (!("IntersectionObserver" in window)) { boxes.forEach(draw); return; }
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) { observer.unobserve(entry.target); draw(entry.target); }
    });
  }, { rootMargin: "300px 0px" });
  boxes.forEach(function (box) { observer.observe(box); });
})();
