// Start Pagefind's search box. Its result addresses start at the site root, so take the
// root from where the index lives: that keeps search working under any path prefix.
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box || !window.PagefindUI) { return; }
  var bundle = new URL(box.getAttribute("data-bundle"), window.location.href);
  var root = bundle.pathname.replace(/pagefind\/$/, "");
  new window.PagefindUI({ element: "#search", bundlePath: bundle.pathname, baseUrl: root, showImages: false, resetStyles: false });
})();
