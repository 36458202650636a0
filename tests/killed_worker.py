"""A worker process that starts a job and then hangs part-way, for the fault tests to SIGKILL.

    python tests/killed_worker.py import JOB_ID        the import task; hangs before batch 2
    python tests/killed_worker.py analysis VERSION_ID  the analysis task; hangs in the classifier

It runs the real Huey task (`call_local`) against the database named by DATABASE_URL, as the
consumer would; only the hang is added, so that the test kills it mid-job at a known point.
`worker_killed_mid_job()` starts it, waits for the job's heartbeat and kills it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connection


def _hang(*args: Any, **kwargs: Any) -> Any:
    time.sleep(600)  # until killed


def _run(kind: str, ident: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipcenter.settings")
    import django

    django.setup()
    if kind == "import":
        from ipcenter.navigation import services
        from ipcenter.navigation.tasks import corpus_import_task

        first_batch = services._apply_batch
        batches: list[int] = []

        def one_batch_then_hang(*args: Any, **kwargs: Any) -> Any:
            batches.append(1)
            if len(batches) > 1:
                _hang()
            return first_batch(*args, **kwargs)

        services._apply_batch = one_batch_then_hang  # type: ignore[assignment]
        corpus_import_task.call_local(ident)
    else:
        from ipcenter.preexam import analysis
        from ipcenter.preexam.tasks import preexam_analyse_version

        analysis._load_classifier = _hang
        preexam_analyse_version.call_local(ident)


def _database_url() -> str:
    """The test database this process uses (test_<name>), for the worker."""
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"


def worker_killed_mid_job(
    kind: str, ident: int, tmp_path: Path, started: Callable[[], bool], timeout: float = 25
) -> None:
    """Start the worker on `ident`, wait until `started()` (it reads the job's heartbeat or
    checkpoint from the database), then SIGKILL it."""
    env = os.environ | {
        "DATABASE_URL": _database_url(),
        "IPCENTER_VAR_DIR": str(tmp_path / "worker-var"),
        "IPCENTER_SEARCH_DIR": str(tmp_path / "worker-search"),
        "IPCENTER_CORPUS_BATCH_SIZE": "5",
        "IPCENTER_JOBS_IMMEDIATE": "1",
    }
    root = Path(__file__).resolve().parents[1]
    worker = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), kind, str(ident)],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + timeout
        while not started():
            if worker.poll() is not None:
                _out, err = worker.communicate()
                raise AssertionError(f"the worker ended by itself: {err.decode()[-2000:]}")
            if time.monotonic() > deadline:
                raise AssertionError("the worker did not start the job in time")
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.communicate()
    assert worker.returncode == -signal.SIGKILL


if __name__ == "__main__":
    _run(sys.argv[1], int(sys.argv[2]))
