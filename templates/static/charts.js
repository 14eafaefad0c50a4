// Replace each chart's static SVG with the interactive Vega view, built from the spec
// embedded beside it. Expressions run through vega-interpreter, so no eval is needed
// and the page's Content-Security-Policy holds.
(function () {
  "use strict";
  if (!window.vegaEmbed || !window.vega) { return; }
  document.querySelectorAll(".chart-canvas[data-spec]").forEach(function (box) {
    var source = document.getElementById(box.getAttribute("data-spec"));
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    var img = box.querySelector("img");
    var alt = img ? img.getAttribute("alt") : "";
    if (img) { box.style.minHeight = img.getBoundingClientRect().height + "px"; }
    var target = document.createElement("div");
    window.vegaEmbed(target, spec, {
      actions: false, renderer: "svg", ast: true, expr: window.vega.expressionInterpreter, defaultStyle: false,
      tooltip: { disableDefaultStyle: true }
    }).then(function (result) {
      var svg = target.querySelector("svg");
      if (svg) { svg.setAttribute("role", "img"); svg.setAttribute("aria-label", alt); }
      box.replaceChildren(target);
      box.style.minHeight = "";
      box.classList.add("interactive");
      return result;
    }).catch(function (error) {
      box.setAttribute("data-chart-error", String(error && error.message || error));
    });
  });
})();
