/* Tellen: draw the dashboard charts from the JSON block; the tables beside them hold the same figures. */
(function () {
  "use strict";
  var source = document.getElementById("counts-charts");
  if (!source || typeof Chart === "undefined") { return; }
  var configs = JSON.parse(source.textContent);
  var colours = ["#00689e", "#c65f00", "#2e7d32", "#6a1b9a", "#b00020", "#5d4037", "#00838f", "#455a64", "#ad1457", "#827717", "#1a1a1a"];
  var dutch = new Intl.NumberFormat("nl-NL", { maximumFractionDigits: 1 });
  configs.forEach(function (cfg) {
    var canvas = document.getElementById("chart-" + cfg.id);
    if (!canvas) { return; }
    new Chart(canvas, {
      type: cfg.type,
      data: {
        labels: cfg.labels,
        datasets: cfg.datasets.map(function (d, i) {
          return { label: d.label, data: d.data, backgroundColor: colours[i % colours.length],
                   borderColor: colours[i % colours.length], spanGaps: false, tension: 0.1 };
        })
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { tooltip: { callbacks: { label: function (ctx) {
          var v = ctx.parsed.y;
          return ctx.dataset.label + ": " + (v === null ? "—" : dutch.format(v) + (cfg.percent ? "%" : ""));
        } } } },
        scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return dutch.format(v) + (cfg.percent ? "%" : ""); } } } }
      }
    });
  });
})();
