/* QIM charts: every <canvas data-chart="ID"> is drawn from the JSON in <script id="ID">.
   The same figures are always in a table next to the chart. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }
  var palette = ["#00689e", "#b35c00", "#1e7b34", "#7a3e9d", "#b00020", "#4b4b4b", "#00808a", "#8a6100"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) { return; }
    var spec;
    try { spec = JSON.parse(source.textContent); } catch (e) { return; }
    var datasets = (spec.datasets || []).map(function (d, i) {
      var colour = palette[i % palette.length];
      return { label: d.label, data: d.data, backgroundColor: colour, borderColor: colour,
               spanGaps: false, tension: 0.1 };
    });
    new window.Chart(canvas, {
      type: spec.type || "bar",
      data: { labels: spec.labels || [], datasets: datasets },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { min: 1, max: 10, title: { display: true, text: "Gemiddeld oordeel (1–10)" } } },
        plugins: { legend: { position: "bottom" } }
      }
    });
  });
})();
