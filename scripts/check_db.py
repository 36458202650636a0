"""Fail clearly when the test database server is not reachable (tests must hit PostgreSQL)."""

from __future__ import annotations

import os
import sys

import dj_database_url
import psycopg

url = os.environ.get("DATABASE_URL", "")
config = dj_database_url.parse(url)
if config["ENGINE"] != "django.db.backends.postgresql":
    print(f"check_db: DATABASE_URL must point to PostgreSQL for the tests, not {url!r}")
    sys.exit(1)
try:
    with psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname=config["NAME"],
        connect_timeout=5,
    ) as connection:
        version = connection.execute("SHOW server_version").fetchone()
except psycopg.Error as exc:
    print(f"check_db: cannot reach PostgreSQL at {config['HOST']}:{config['PORT']}: {exc}")
    print("check_db: start it (e.g. pg_ctlcluster 15 main start) or set TEST_DATABASE_URL")
    sys.exit(1)
print(f"check_db: PostgreSQL {version[0] if version else '?'} at {config['HOST']}:{config['PORT']}")
