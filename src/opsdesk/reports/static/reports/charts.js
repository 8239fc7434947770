// Draws every <canvas data-report-chart="<id of a json_script element>">: incidents per month as bars,
// response and resolution met percentages as lines. The table beside each chart holds the same figures.
(function () {
  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.reportChart);
    if (!source || !window.Chart) { return; }
    var data = JSON.parse(source.textContent);
    new window.Chart(canvas, {
      data: {
        labels: data.labels,
        datasets: [
          { type: 'bar', label: 'Incidents', data: data.incidents, yAxisID: 'count',
            backgroundColor: 'rgba(32, 107, 196, 0.3)' },
          { type: 'line', label: 'Response met %', data: data.response, yAxisID: 'percent',
            borderColor: '#2fb344', backgroundColor: '#2fb344', spanGaps: true },
          { type: 'line', label: 'Resolution met %', data: data.resolution, yAxisID: 'percent',
            borderColor: '#f76707', backgroundColor: '#f76707', spanGaps: true }
        ]
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          count: { position: 'left', beginAtZero: true, title: { display: true, text: 'Incidents' } },
          percent: { position: 'right', min: 0, max: 100, grid: { drawOnChartArea: false },
                     title: { display: true, text: 'Met %' } }
        }
      }
    });
  }
  document.querySelectorAll('canvas[data-report-chart]').forEach(draw);
})();
