"""Settings helpers: read one environment variable each, fail loudly on a bad value.

Only tracker/settings.py calls these; the rest of the code reads django.conf.settings.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}
DATABASE_SCHEMES = {"postgres", "postgresql", "sqlite"}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no), not {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_networks(name: str) -> list:
    networks = []
    for item in env_list(name, []):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(f"{name} must list CIDR networks, not {item!r}") from None
    return networks


def database_from_url(name: str, url: str, *, base_dir: Path) -> dict:
    """A DATABASES entry from postgres://user:pass@host:port/db?options or sqlite:///path.

    dj-database-url does the parsing and keeps query options (?sslmode=require, …) as
    OPTIONS; this adds the checks that name the variable and keeps SQLite paths relative
    to the project.
    """
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in DATABASE_SCHEMES:
        raise ImproperlyConfigured(
            f"{name} must start with postgres://, postgresql:// or sqlite:///, not {url!r}"
        )
    try:
        config = dj_database_url.parse(url)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} is not a valid URL (a bad port, or a character that must be %-quoted)"
        ) from None
    if scheme == "sqlite":
        # sqlite:///var/db.sqlite3 is relative to the project; sqlite:////tmp/db is absolute.
        if config["NAME"] in ("", ":memory:"):
            raise ImproperlyConfigured(
                f"{name} must look like sqlite:///var/db.sqlite3, not {url!r}"
            )
        config["NAME"] = str(base_dir / config["NAME"])
    elif not config["NAME"]:
        raise ImproperlyConfigured(f"{name} names no database: {url!r}")
    return config


def env_seconds_list(name: str, default: list[int]) -> list[int]:
    """A comma-separated list of whole seconds, e.g. a retry schedule: 5,300,1800."""
    values = []
    for item in env_list(name, [str(value) for value in default]):
        if not item.isdigit() or int(item) < 1:
            raise ImproperlyConfigured(
                f"{name} must list whole seconds of at least 1, separated by commas, not {item!r}"
            )
        values.append(int(item))
    if not values:
        raise ImproperlyConfigured(f"{name} must list at least one delay")
    return values
