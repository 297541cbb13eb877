// Draws each figure's chart from the JSON beside it; the table next to it holds the same numbers.
(function () {
  "use strict";
  var palette = ["#2f6fdf", "#e07b39", "#3a9d6a", "#c0392b", "#8e5bd6", "#b8860b", "#1f9aa8", "#d35d9b", "#7f8c8d", "#555"];

  function draw(canvas) {
    var source = document.getElementById("chart-" + canvas.dataset.chart);
    if (!source || typeof Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    if (!data.labels.length) { canvas.parentNode.classList.add("no-data"); return; }
    var round = data.type === "doughnut";
    var datasets = data.series.map(function (series, index) {
      return {
        label: series.name,
        data: series.values,
        backgroundColor: round ? palette : palette[index % palette.length],
        borderWidth: round ? 1 : 0
      };
    });
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { position: "bottom" } }
    };
    if (!round) {
      options.scales = {
        x: { stacked: data.stacked, ticks: { autoSkip: true, maxRotation: 0 } },
        y: { stacked: data.stacked, beginAtZero: true }
      };
    }
    canvas.chart = new Chart(canvas, { type: data.type, data: { labels: data.labels, datasets: datasets }, options: options });
    canvas.dataset.drawn = "true";
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), draw);
  });
})();
