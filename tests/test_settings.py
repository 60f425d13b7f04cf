"""Bad configuration stops the process with a message naming the variable."""

import os
import subprocess
import sys

import pytest

CHECK = "import django; django.setup()"


def _start(code: str = CHECK, **env) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tracker.settings", **env}
    return subprocess.run(
        [sys.executable, "-c", code], env=full_env, capture_output=True, text=True
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_URL": "mysql://db/x"}, "DATABASE_URL must start with postgres://"),
        ({"DATABASE_URL": "postgres://host:notaport/x"}, "DATABASE_URL is not a valid URL"),
        ({"DATABASE_URL": "postgres://host/"}, "DATABASE_URL names no database"),
        ({"DEBUG": "maybe"}, "DEBUG must be true or false"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL must start with redis://"),
        ({"CONN_MAX_AGE": "forever"}, "CONN_MAX_AGE must be a whole number"),
        ({"SECRET_KEY": "", "DEBUG": "0"}, "SECRET_KEY must be set"),
    ],
)
def test_bad_configuration_names_the_variable(env, message):
    result = _start(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_good_configuration_starts():
    result = _start(DATABASE_URL="sqlite:///var/test-settings.sqlite3")
    assert result.returncode == 0, result.stderr


def test_production_settings_pass_the_deploy_checks():
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "a-long-random-production-key-" + "x" * 40,
        "ALLOWED_HOSTS": "tracker.example.org",
        "SECURE_SSL_REDIRECT": "1",
        "SECURE_COOKIES": "1",
    }
    # The browser tests' conftest sets this for the whole session; production never does.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    command = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_sqlite_urls_are_relative_to_the_project_or_absolute(tmp_path):
    from pathlib import Path

    from tracker.env import database_from_url

    base = Path("/srv/tracker")
    relative = database_from_url("DATABASE_URL", "sqlite:///var/db.sqlite3", base_dir=base)
    absolute = database_from_url("DATABASE_URL", f"sqlite:///{tmp_path}/db.sqlite3", base_dir=base)
    assert relative["NAME"] == "/srv/tracker/var/db.sqlite3"
    assert absolute["NAME"] == f"{tmp_path}/db.sqlite3"


def test_database_url_options_are_kept():
    from pathlib import Path

    from tracker.env import database_from_url

    url = "postgres://app:s%40cret@db.example.org:6432/tracker?sslmode=require&connect_timeout=5"
    config = database_from_url("DATABASE_URL", url, base_dir=Path("/srv/tracker"))
    assert config["OPTIONS"] == {"sslmode": "require", "connect_timeout": 5}
    assert (config["USER"], config["PASSWORD"]) == ("app", "s@cret")
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.example.org", 6432, "tracker")


def test_the_settings_pass_database_url_options_to_the_driver():
    url = "postgres://app@db.example.org/tracker?sslmode=require"
    code = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"
    result = _start(code, DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    assert "'sslmode': 'require'" in result.stdout


def test_a_log_line_is_written_once_in_debug_as_under_make_run():
    code = CHECK + "; import logging; logging.getLogger('django.request').warning('Not Found: /x')"
    result = _start(code, DEBUG="1", DATABASE_URL="sqlite:///var/test-settings.sqlite3")
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("Not Found: /x") == 1
