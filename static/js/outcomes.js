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
