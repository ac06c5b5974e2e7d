/* Oversight charts: every [data-chart] element gets the ECharts option stored in the JSON script
   whose id is the attribute's value (built on the server, cecloud/oversight/charts.py).
   Charts follow their container's width and are resized with the window (phones, rotation). */
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source) { return; }
    var option = JSON.parse(source.textContent);
    // The Content-Security-Policy allows no inline style: the height comes as data-height (set through
    // the DOM, which the policy allows) and tooltips are drawn on the canvas, not as HTML with style="…".
    el.style.height = (parseInt(el.getAttribute("data-height"), 10) || 280) + "px";
    [].concat(option.tooltip || []).forEach(function (tooltip) { tooltip.renderMode = "richText"; });
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    el.setAttribute("data-chart-ready", "1");
    charts.push(chart);
  });
  var pending = null;
  function resizeAll() {
    pending = null;
    charts.forEach(function (chart) { chart.resize(); });
  }
  window.addEventListener("resize", function () {
    if (pending) { window.cancelAnimationFrame(pending); }
    pending = window.requestAnimationFrame(resizeAll);
  });
  // A chart inside a <details> or a tab drawn while hidden has no size: redraw when it shows.
  document.querySelectorAll("details").forEach(function (d) { d.addEventListener("toggle", resizeAll); });
})();
