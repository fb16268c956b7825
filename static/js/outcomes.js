/* Progress charts of a client's trajectories; the same figures stand in the table below each. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var palette = ["#00689e", "#b00020", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f", "#5d4037",
    "#c2185b", "#455a64", "#827717", "#283593", "#ad1457", "#1b5e20"];
  document.querySelectorAll("canvas.outcome-chart").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var labels = data.y.labels || {};
    new Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (d, i) {
          var colour = palette[i % palette.length];
          return { label: d.label, data: d.data, borderColor: colour, backgroundColor: colour,
            spanGaps: true, tension: 0, pointRadius: 4 };
        })
      },
      options: {
        animation: false,
        scales: { y: { min: data.y.min, max: data.y.max, ticks: { stepSize: 1,
          callback: function (v) { return labels[v] ? v + " " + labels[v] : v; } } } },
        plugins: { title: { display: true, text: data.title } }
      }
    });
  });
}());
/* The outcome report: share per indicator (points), its 95% interval (floating bars) and the 50% target (line). */
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  document.querySelectorAll("canvas.outcome-report-chart").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var dutch = new Intl.NumberFormat("nl-NL", { maximumFractionDigits: 1 });
    new Chart(canvas, {
      data: {
        labels: data.labels,
        datasets: [
          { type: "bar", label: "95%-interval (Wilson)", data: data.intervals, backgroundColor: "rgba(0, 104, 158, 0.25)",
            borderColor: "#00689e", borderWidth: 1, barPercentage: 0.6 },
          { type: "line", label: "Aandeel verbeterd", data: data.shares, showLine: false, pointRadius: 6,
            pointStyle: "rectRot", borderColor: "#1a1a1a", backgroundColor: "#1a1a1a" },
          { type: "line", label: "Streefwaarde " + data.target + "%", data: data.labels.map(function () { return data.target; }),
            borderColor: "#b00020", borderDash: [6, 4], pointRadius: 0, fill: false }
        ]
      },
      options: {
        indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
        scales: { x: { min: 0, max: 100, ticks: { callback: function (v) { return v + "%"; } } } },
        plugins: {
          title: { display: true, text: data.title },
          tooltip: { callbacks: { label: function (ctx) {
            var raw = ctx.raw;
            if (raw === null || raw === undefined) { return ctx.dataset.label + ": —"; }
            if (Array.isArray(raw)) { return ctx.dataset.label + ": " + dutch.format(raw[0]) + "% – " + dutch.format(raw[1]) + "%"; }
            return ctx.dataset.label + ": " + dutch.format(raw) + "%";
          } } }
        }
      }
    });
  });
}());
