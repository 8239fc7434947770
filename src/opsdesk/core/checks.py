from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def secret_key_is_set(app_configs, **kwargs):
    if getattr(settings, "SECRET_KEY_IS_DEFAULT", False):
        return [
            Warning(
                "SECRET_KEY is the built-in development key.",
                hint="Set OPSDESK_SECRET_KEY to a long random value (e.g. python3 -c "
                "'import secrets; print(secrets.token_urlsafe(50))').",
                id="opsdesk.W001",
            )
        ]
    return []
