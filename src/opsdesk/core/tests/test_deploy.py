"""Production settings pass Django's deployment checks when the documented variables are set."""

import os
import secrets
import subprocess
import sys


def _check_deploy(tmp_path, **extra):
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("OPSDESK_") and k != "DATABASE_URL"
    }
    env.update(OPSDESK_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="opsdesk.settings", **extra)
    return subprocess.run(
        [sys.executable, "-m", "opsdesk.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_documented_production_settings_pass_check_deploy(tmp_path):
    result = _check_deploy(
        tmp_path,
        OPSDESK_SECRET_KEY=secrets.token_urlsafe(50),
        OPSDESK_HTTPS="1",
        OPSDESK_ALLOWED_HOSTS="desk.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_default_secret_key_is_flagged_in_production(tmp_path):
    result = _check_deploy(tmp_path, OPSDESK_HTTPS="1", OPSDESK_ALLOWED_HOSTS="desk.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr
