// Renders the TeX of the report's prose with KaTeX (copied into the site: works from file://).
// Each formula is the text of a .math element; without script the TeX source stays readable.
(function () {
  "use strict";
  function render() {
    if (typeof katex === "undefined") return;
    var nodes = document.querySelectorAll(".math");
    for (var i = 0; i < nodes.length; i++) {
      var el = nodes[i];
      var tex = el.textContent;
      try {
        katex.render(tex, el, {
          displayMode: el.classList.contains("math-display"),
          throwOnError: false,
          output: "htmlAndMathml"
        });
        el.setAttribute("data-tex", tex);
        el.classList.add("katex-rendered");
      } catch (e) {
        el.classList.add("math-error");
        el.title = String(e.message || e);
      }
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", render);
  } else {
    render();
  }
})();
