"""The benchmarks' own PostgreSQL database: created when it does not exist yet, so a
benchmark's command runs as written on a fresh machine."""

from urllib.parse import urlsplit

import psycopg
from psycopg import sql


def database_ensure(url: str) -> None:
    """Create the database `url` names (connecting to the server's `postgres` database)."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
