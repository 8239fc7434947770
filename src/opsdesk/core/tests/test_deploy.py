"""Production settings pass Django's deployment checks when the documented variables are set."""

import secrets
import subprocess
import sys

from conftest import subprocess_env


def _check_deploy(tmp_path, **extra):
    env = subprocess_env(tmp_path, **extra)
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
