// Entry point for static/vendor/chart.js: exposes window.Chart with every
// chart type, scale, element and plugin registered (same as chart.js/auto).
import { Chart, registerables } from 'chart.js';

Chart.register(...registerables);
window.Chart = Chart;
