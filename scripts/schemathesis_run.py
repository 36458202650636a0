"""Fuzz the live API with schemathesis, as several roles, on a disposable PostgreSQL database.

    python scripts/schemathesis_run.py [--database-url postgres://.../ipcenter_schemathesis]
                                       [--seconds-per-role 40] [--roles applicant,examiner,...]

It (re)creates the database (its name must contain "schemathesis": it is dropped), migrates it,
loads the demo data (without its patent corpus unless --data demo), makes an API token for each
role's demo account, serves the app with gunicorn on a free loopback port and runs schemathesis
once per role, each bounded by --seconds-per-role. It fails on any 5xx, or an answer whose
status, content type or body the published OpenAPI does not describe. The server is stopped on
exit, however the run ends.

State-changing operations run too: everything they touch lives in the disposable database and a
temporary IPCENTER_VAR_DIR. Revoking one's own token is left out, so a role keeps its access.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
CHECKS = (
    "not_a_server_error,response_schema_conformance,status_code_conformance,"
    "content_type_conformance"
)
# Demo accounts (ipcenter.centers.demo), one per role fuzzed.
DEFAULT_ROLES = "applicant,agent,examiner,manager,sysadmin"
# Revoking the token the run uses would turn the rest of the role's run into 401s.
EXCLUDE_OPERATION_IDS = ["ipcenter_accounts_api_token_revoke"]

# The demo's people, organizations, filings and cases without its patent corpus, whose import
# and indexing take minutes (`--data demo` loads everything, as `manage.py load_demo`).
SMALL_DATA_SCRIPT = """
from ipcenter.centers.demo import load_demo
load_demo(password="schemathesis-unused-9")
"""

TOKENS_SCRIPT = """
import json, sys
from ipcenter.accounts.models import User
from ipcenter.accounts.services import api_token_create
tokens = {}
for username in sys.argv[1].split(","):
    user = User.objects.get(username=username)
    _token, raw = api_token_create(user=user, name="schemathesis", second_factor=True)
    tokens[username] = raw
print("TOKENS=" + json.dumps(tokens))
"""


def default_database_url() -> str:
    base = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    if not base.startswith("postgres"):
        base = "postgres://postgres@127.0.0.1:5432/test"
    return urlunsplit(urlsplit(base)._replace(path="/ipcenter_schemathesis"))


def recreate_database(url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    if "schemathesis" not in name or not name.replace("_", "").isalnum():
        sys.exit(
            f"refusing to drop {name!r}: the fuzzing database's name must contain schemathesis"
        )
    admin_url = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


@contextlib.contextmanager
def live_server(env: dict[str, str], port: int, log: Path) -> Iterator[str]:
    base = f"http://127.0.0.1:{port}"
    with log.open("w") as out:
        server = subprocess.Popen(  # noqa: S603 - gunicorn from the virtualenv
            [
                str(VENV_BIN / "gunicorn"),
                "ipcenter.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "3",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"the server did not start; see {log}")
                time.sleep(0.5)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def fuzz(
    base: str, role: str, token: str, seconds: int, report_dir: Path, seed: int | None
) -> dict:
    report = report_dir / f"{role}.json"
    command = [
        str(VENV_BIN / "schemathesis"),
        "run",
        f"{base}/api/v1/openapi.json",
        "--url",
        base,  # the spec's paths start with /api/v1/
        "--checks",
        CHECKS,
        "--header",
        f"Authorization: Bearer {token}",
        "--max-time",
        str(seconds),
        "--phases",
        "examples,coverage,fuzzing",
        # One worker: hypothesis's lambda-source cache is not thread-safe on Python 3.11
        # ("AST constructor recursion depth mismatch" in the coverage phase).
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--no-color",
        "--report",
        "json",
        "--report-json-path",
        str(report),
        "--output-truncate",
        "true",
        "--generation-database",
        "none",
        "--generation-with-security-parameters",
        "false",
    ]
    for operation_id in EXCLUDE_OPERATION_IDS:
        command += ["--exclude-operation-id", operation_id]
    if seed is not None:
        command += ["--seed", str(seed)]
    started = time.monotonic()
    # In the report folder: hypothesis and schemathesis leave their caches in the working folder.
    result = subprocess.run(command, cwd=report_dir, check=False)  # noqa: S603
    figures = summarize(report)
    figures.update(role=role, seconds=round(time.monotonic() - started, 1), rc=result.returncode)
    return figures


def summarize(report: Path) -> dict:
    """Operations, test cases and failures from schemathesis's JSON run report."""
    try:
        data = json.loads(report.read_text("utf-8"))
        return {
            "operations": data["operations"]["tested"],
            "cases": data["test_cases"]["generated"],
            "failures": data["test_cases"]["unique_failures"],
            "errors": sum(error["count"] for error in data["errors"]),
        }
    except (OSError, ValueError, KeyError, TypeError):
        return {"operations": None, "cases": None, "failures": None, "errors": None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=default_database_url())
    parser.add_argument("--seconds-per-role", type=int, default=40)
    parser.add_argument("--roles", default=DEFAULT_ROLES)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--data", choices=["small", "demo"], default="small")
    parser.add_argument("--report-dir", type=Path, default=ROOT / "test-output" / "schemathesis")
    parser.add_argument(
        "--reuse",
        type=Path,
        metavar="VAR_DIR",
        help="keep the database as it is, with this IPCENTER_VAR_DIR (to iterate on fixes)",
    )
    args = parser.parse_args()

    started = time.monotonic()
    roles = [r for r in args.roles.split(",") if r]
    args.report_dir = args.report_dir.resolve()
    args.report_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ipcenter-schemathesis-") as temporary:
        var_dir = str(args.reuse or temporary)
        env = {
            **os.environ,
            "DATABASE_URL": args.database_url,
            "IPCENTER_VAR_DIR": var_dir,
            "IPCENTER_STAFF_TOTP": "optional",
            "IPCENTER_JOBS_IMMEDIATE": "1",
            "IPCENTER_DEBUG": "0",
            "IPCENTER_LOG_LEVEL": "WARNING",
        }
        env.pop("REDIS_URL", None)
        print(f"schemathesis: preparing {urlsplit(args.database_url).path.lstrip('/')}", flush=True)
        if not args.reuse:
            recreate_database(args.database_url)
            manage(env, "migrate", "--noinput", "-v", "0")
            if args.data == "demo":
                manage(env, "load_demo")
            else:
                manage(env, "shell", "-c", SMALL_DATA_SCRIPT)
        out = manage(
            env, "shell", "-c", TOKENS_SCRIPT.replace("sys.argv[1]", repr(",".join(roles)))
        )
        tokens = json.loads(out.split("TOKENS=", 1)[1])
        setup = round(time.monotonic() - started, 1)
        print(f"schemathesis: data and tokens ready in {setup} s", flush=True)
        log = args.report_dir / "server.log"
        with live_server(env, free_port(), log) as base:
            results = [
                fuzz(base, role, tokens[role], args.seconds_per_role, args.report_dir, args.seed)
                for role in roles
            ]
    total = round(time.monotonic() - started, 1)
    print("\nschemathesis summary (role, operations, cases, failures, errors, seconds, exit):")
    for r in results:
        print(
            f"  {r['role']:<10} {r['operations']!s:>5} {r['cases']!s:>7} {r['failures']!s:>5} "
            f"{r['errors']!s:>5} {r['seconds']:>7} {r['rc']:>3}"
        )
    print(f"  total {total} s ({setup} s of setup); server log {log}")
    return 0 if all(r["rc"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
