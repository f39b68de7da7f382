/* Draw every chart of the pack from its inline spec, as SVG (crisp on screen and on paper). */
(function () {
  "use strict";
  var charts = document.querySelectorAll(".rk-chart[data-spec]");
  Array.prototype.forEach.call(charts, function (el) {
    var source = document.getElementById(el.getAttribute("data-spec"));
    function fail(err) {
      el.setAttribute("data-error", String(err));
      el.textContent = el.getAttribute("aria-label");
      console.error("reviewkit chart:", err);
    }
    try {
      var spec = JSON.parse(source.textContent);
      window.vegaEmbed(el, spec, { renderer: "svg", actions: false })
        .then(function () { el.setAttribute("data-rendered", "true"); })
        .catch(fail);
    } catch (err) {
      fail(err);
    }
  });
})();
