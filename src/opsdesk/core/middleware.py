from opsdesk.core.context import acting_as


class ActorMiddleware:
    """Every web request acts as its logged-in user on the ``web`` channel (the API sets ``api``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user if request.user.is_authenticated else None
        channel = "api" if request.path.startswith("/api/") else "web"
        with acting_as(user, channel):
            return self.get_response(request)
