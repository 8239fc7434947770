// Entry point for static/vendor/cytoscape.js: exposes window.cytoscape.
import cytoscape from 'cytoscape';

window.cytoscape = cytoscape;
