"""The agents' incident pages. Views only parse input, call :mod:`opsdesk.incidents.services` and render;
every lookup goes through ``restrict(request.user)``; customer users never reach these pages (404, or the
portal for ``/``)."""
