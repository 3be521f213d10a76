"""docker-compose.yml describes the production shape and is valid."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parent.parent


def test_compose_has_the_production_services():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert set(compose["services"]) >= {"db", "redis", "web", "worker", "beat"}
    assert "gunicorn" in compose["services"]["web"]["command"]
    assert compose["services"]["worker"]["command"][:4] == ["celery", "-A", "immisns", "worker"]


def test_docker_compose_accepts_the_file():
    binary = shutil.which("docker-compose")
    if binary is None:
        if IN_CI:
            pytest.fail("docker-compose is not installed; .ci/run installs it")
        pytest.skip("docker-compose is not installed")
    env = dict(os.environ, SECRET_KEY="s", FIELD_ENCRYPTION_KEY="k", ALLOWED_HOSTS="h", POSTGRES_PASSWORD="p")
    result = subprocess.run([binary, "config", "-q"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
