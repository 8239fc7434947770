// Entry point for static/vendor/opsdesk.js, loaded on every page.
import htmx from 'htmx.org';
import * as tabler from '@tabler/core';

window.htmx = htmx;
// Bootstrap components (Dropdown, Modal, Tab, Collapse, Toast, Tooltip, ...)
// for page scripts; their data-bs-* attributes work without any extra code.
window.bootstrap = tabler.bootstrap;
window.tabler = tabler;

// Send Django's CSRF token with every htmx request. The token is read from
// <meta name="csrf-token" content="..."> in base.html at request time, so a
// token rotated by a login in another tab is picked up after a page reload.
function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute('content') : '';
}

document.addEventListener('htmx:configRequest', (event) => {
  const token = csrfToken();
  if (token) {
    event.detail.headers['X-CSRFToken'] = token;
  }
});
