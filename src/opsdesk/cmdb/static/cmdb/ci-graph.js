// The CI page's graph: the CI, its neighbours and what its impact analysis reached. Pan and zoom with
// the mouse; a click on a node opens that CI's page. Data comes from the page (json_script "ci-graph-data").
(function () {
  const container = document.getElementById('ci-graph');
  const source = document.getElementById('ci-graph-data');
  if (!container || !source || !window.cytoscape) return;
  const data = JSON.parse(source.textContent);
  const colours = {root: '#206bc4', downstream: '#d63939', upstream: '#f59f00', degraded: '#ae3ec9', neighbour: '#667382'};
  const cy = window.cytoscape({
    container: container,
    elements: data.nodes.map(n => ({data: n})).concat(data.edges.map(e => ({data: e}))),
    layout: {name: 'breadthfirst', directed: true, roots: [String(data.root)], spacingFactor: 1.2, padding: 20},
    style: [
      {selector: 'node', style: {
        'label': 'data(label)', 'font-size': 11, 'text-valign': 'bottom', 'text-margin-y': 4,
        'background-color': n => colours[n.data('role')] || colours.neighbour,
        'border-width': n => (n.data('status') === 'retired' || n.data('status') === 'disposed') ? 3 : 0,
        'border-style': 'dashed', 'border-color': '#1d273b', 'width': 26, 'height': 26,
      }},
      {selector: 'edge', style: {
        'label': 'data(label)', 'font-size': 9, 'curve-style': 'bezier', 'target-arrow-shape': 'triangle',
        'width': 1.5, 'line-color': '#9aa0ac', 'target-arrow-color': '#9aa0ac', 'text-rotation': 'autorotate',
      }},
      {selector: 'edge[?redundant]', style: {'line-style': 'dashed'}},
    ],
    wheelSensitivity: 0.3,
  });
  cy.on('tap', 'node', evt => {
    const url = evt.target.data('url');
    if (url && evt.target.id() !== String(data.root)) window.location.assign(url);
  });
  container.dataset.ready = 'true';
  window.opsdeskCiGraph = cy;
})();
