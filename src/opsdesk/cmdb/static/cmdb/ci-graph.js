// The CI page's graph: the CI, its neighbours and what its impact analysis reached. Pan and zoom with
// the mouse; a click on a node opens that CI's page. Data comes from the page (json_script "ci-graph-data").
// The "Colour by" select recolours the nodes by impact role, status or class; the legend follows it.
(function () {
  const container = document.getElementById('ci-graph');
  const source = document.getElementById('ci-graph-data');
  if (!container || !source || !window.cytoscape) return;
  const data = JSON.parse(source.textContent);
  const select = document.getElementById('ci-graph-colour');
  const legend = document.getElementById('ci-graph-legend');

  const roles = [
    ['root', 'This CI', '#206bc4'], ['downstream', 'Fails with it', '#d63939'],
    ['degraded', 'Degraded (a redundant path left)', '#ae3ec9'], ['upstream', 'What it relies on', '#f59f00'],
    ['neighbour', 'Related', '#667382'],
  ];
  const statusColours = {
    proposed: '#4299e1', ordered: '#17a2b8', in_stock: '#74b816', installed: '#2fb344',
    in_maintenance: '#f59f00', retired: '#667382', disposed: '#1d273b',
  };
  const palette = ['#206bc4', '#d63939', '#2fb344', '#f59f00', '#ae3ec9', '#17a2b8', '#f76707', '#d6336c',
    '#74b816', '#4263eb', '#667382', '#0ca678'];
  const fallback = '#667382';

  // value -> [label, colour], in legend order, for the values the graph shows.
  function scheme(by) {
    const present = new Set(data.nodes.map(n => n[by === 'impact' ? 'role' : by] || ''));
    if (by === 'impact') {
      return new Map(roles.filter(r => present.has(r[0])).map(r => [r[0], [r[1], r[2]]]));
    }
    if (by === 'status') {
      return new Map(Object.keys(data.statuses).filter(s => present.has(s))
        .map(s => [s, [data.statuses[s], statusColours[s] || fallback]]));
    }
    return new Map(Array.from(present).sort().map((c, i) => [c, [c || 'Unknown class', palette[i % palette.length]]]));
  }

  const cy = window.cytoscape({
    container: container,
    elements: data.nodes.map(n => ({data: n})).concat(data.edges.map(e => ({data: e}))),
    layout: {name: 'breadthfirst', directed: true, roots: [String(data.root)], spacingFactor: 1.2, padding: 20},
    style: [
      {selector: 'node', style: {
        'label': 'data(label)', 'font-size': 11, 'text-valign': 'bottom', 'text-margin-y': 4,
        'background-color': n => n.data('colour') || fallback,
        'border-width': n => (n.data('status') === 'retired' || n.data('status') === 'disposed') ? 3 : 0,
        'border-style': 'dashed', 'border-color': '#1d273b', 'width': 26, 'height': 26,
      }},
      {selector: 'node[id = "' + String(data.root) + '"]', style: {'width': 34, 'height': 34}},
      {selector: 'edge', style: {
        'label': 'data(label)', 'font-size': 9, 'curve-style': 'bezier', 'target-arrow-shape': 'triangle',
        'width': 1.5, 'line-color': '#9aa0ac', 'target-arrow-color': '#9aa0ac', 'text-rotation': 'autorotate',
      }},
      {selector: 'edge[?redundant]', style: {'line-style': 'dashed'}},
    ],
    wheelSensitivity: 0.3,
  });

  function colourBy(by) {
    const colours = scheme(by);
    const key = by === 'impact' ? 'role' : by;
    cy.batch(() => cy.nodes().forEach(n => {
      const entry = colours.get(n.data(key) || '');
      n.data('colour', entry ? entry[1] : fallback);
    }));
    if (!legend) return;
    legend.replaceChildren(...Array.from(colours.values()).map(([label, colour]) => {
      const item = document.createElement('li');
      item.className = 'list-inline-item me-3';
      const swatch = document.createElement('span');
      swatch.className = 'd-inline-block rounded-circle me-1 align-middle';
      swatch.style.cssText = `width: .8rem; height: .8rem; background: ${colour}`;
      swatch.setAttribute('aria-hidden', 'true');
      item.append(swatch, document.createTextNode(label));
      return item;
    }));
    legend.dataset.colourBy = by;
  }

  colourBy(select ? select.value : 'impact');
  if (select) select.addEventListener('change', () => colourBy(select.value));
  cy.on('tap', 'node', evt => {
    const url = evt.target.data('url');
    if (url && evt.target.id() !== String(data.root)) window.location.assign(url);
  });
  container.dataset.ready = 'true';
  window.opsdeskCiGraph = cy;
})();
