// Replace each chart's static SVG with the interactive Vega view, built from its spec
// (charts/<name>.vl.json beside the page), once the reader reaches for a chart: a pointer over it, a touch, or the
// keyboard's focus (each static chart is one keyboard stop). The chart libraries (849 KB uncompressed)
// load then, never with the page: the static SVGs already show everything. Once loaded, the
// other charts turn interactive as they come near the screen. Expressions run through
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

  // The phone variant, by the rules of takedowns/charts/base.py narrow(): the same breakpoint as the
  // <picture> of the static image, the whole drawing NARROW pixels wide, labels cut shorter,
  // overlapping ones dropped, legends below, the title left to the page's heading.
  var phone = window.matchMedia ? window.matchMedia("(max-width: 799px)") : null;
  var NARROW = 320, NARROW_LABELS = 110;

  function shorten(node) {
    if (Array.isArray(node)) { return node.map(shorten); }
    if (node && typeof node === "object") {
      var out = {};
      Object.keys(node).forEach(function (k) {
        var v = node[k];
        out[k] = (k === "labelLimit" && typeof v === "number") ? Math.min(v, NARROW_LABELS) : shorten(v);
      });
      return out;
    }
    return node;
  }

  function narrow(spec) {
    var out = shorten(spec);
    delete out.title;
    if (out.projection && typeof out.width === "number" && typeof out.height === "number") {
      out.height = Math.round(out.height * NARROW / out.width);  // a map keeps its proportions
    }
    out.width = NARROW;
    out.autosize = { type: "fit-x", contains: "padding" };
    out.padding = { left: 16, right: 8, top: 5, bottom: 5 };
    out.config = out.config || {};
    out.config.axis = Object.assign({}, out.config.axis, { labelOverlap: true, labelLimit: NARROW_LABELS, titleLimit: NARROW - 100 });
    out.config.legend = Object.assign({}, out.config.legend, { orient: "bottom" });
    return out;
  }

  function draw(box) {
    var url = box.getAttribute("data-spec");
    var img = box.querySelector("img");
    var alt = box.getAttribute("data-alt") || "";
    if (img) { box.style.minHeight = img.getBoundingClientRect().height + "px"; }
    var target = document.createElement("div");
    var spec = fetch(url).then(function (response) {
      if (!response.ok) { throw new Error("could not load " + url); }
      return response.json();
    });
    Promise.all([load(), spec]).then(function (parts) {
      var spec = parts[1];
      if (phone && phone.matches) { spec = narrow(spec); }
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
      target.setAttribute("aria-label", alt + " " + window.takedownsText("chart_keys"));
      target.setAttribute("aria-keyshortcuts", "Enter");
      target.tabIndex = 0;
      target.className = "chart-view";
      var focused = document.activeElement === box;
      box.replaceChildren(target);
      box.removeAttribute("tabindex"); box.removeAttribute("role"); box.removeAttribute("aria-label");
      if (focused) { target.focus(); }
      box.style.minHeight = "";
      box.classList.add("interactive");
    }).catch(function (error) {
      box.style.minHeight = "";
      box.setAttribute("data-chart-error", String(error && error.message || error));
    });
  }

  var observer = null;
  function upgradeAll() {  // the libraries are here: the rest follow as they come near the screen
    if (observer || !("IntersectionObserver" in window)) { return; }
    observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) { observer.unobserve(entry.target); start(entry.target); }
      });
    }, { rootMargin: "300px 0px" });
    boxes.forEach(function (box) { if (!box.hasAttribute("data-started")) { observer.observe(box); } });
  }

  function start(box) {
    if (box.hasAttribute("data-started")) { return; }
    box.setAttribute("data-started", "");
    if (observer) { observer.unobserve(box); }
    draw(box);
    load().then(upgradeAll, function () {});
  }

  boxes.forEach(function (box) {
    var img = box.querySelector("img");
    // The static chart is one keyboard stop, announced by its sentence, until it turns interactive.
    box.tabIndex = 0;
    box.setAttribute("role", "img");
    box.setAttribute("data-alt", img ? img.getAttribute("alt") : "");
    box.setAttribute("aria-label", box.getAttribute("data-alt") + " " + window.takedownsText("chart_keys"));
    if (img) { img.setAttribute("alt", ""); }
    // The tooltips need a mouse; from the keyboard, Enter opens the data table and moves there.
    box.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") { return; }
      var figure = box.closest("figure");
      var table = figure && figure.querySelector("details");
      if (!table) { return; }
      event.preventDefault();
      table.open = true;
      table.querySelector("summary").focus();
    });
    ["pointerenter", "focusin", "touchstart", "click"].forEach(function (kind) {
      box.addEventListener(kind, function () { start(box); }, { passive: true, once: true });
    });
  });
})();
