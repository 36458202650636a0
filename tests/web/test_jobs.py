"""Background jobs on real Huey storage: SQLite (embedded default) and Redis (production)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from huey import Huey, RedisHuey, SqliteHuey

REDIS_HOST = "127.0.0.1"
REDIS_PORT = 6379


def run_queue(huey: Huey) -> None:
    """What one consumer loop does: take each pending task and run it."""
    while (task := huey.dequeue()) is not None:
        huey.execute(task)


def exercise(huey: Huey) -> None:
    @huey.task()
    def add(a: int, b: int) -> int:
        return a + b

    @huey.task()
    def fail() -> None:
        raise RuntimeError("boom")

    first, second = add(2, 3), add(40, 2)
    failed = fail()
    assert huey.pending_count() == 3
    assert first.get() is None  # not run yet
    run_queue(huey)
    assert huey.pending_count() == 0
    assert (first.get(), second.get()) == (5, 42)
    from huey.exceptions import TaskException

    with pytest.raises(TaskException, match="boom"):
        failed.get()


def test_sqlite_huey_queues_runs_and_keeps_results(tmp_path: Path) -> None:
    huey = SqliteHuey("ipcenter-test", filename=str(tmp_path / "huey.sqlite3"))
    exercise(huey)
    assert (tmp_path / "huey.sqlite3").stat().st_size > 0


def double(x: int) -> int:
    return 2 * x


def test_sqlite_huey_keeps_tasks_across_instances(tmp_path: Path) -> None:
    filename = str(tmp_path / "huey.sqlite3")
    producer = SqliteHuey("ipcenter-test", filename=filename)
    handle = producer.task()(double)(21)
    # A separate worker process: its own Huey on the same file, registering the same task.
    worker = SqliteHuey("ipcenter-test", filename=filename)
    worker.task()(double)
    assert worker.pending_count() == 1
    run_queue(worker)
    assert producer.pending_count() == 0
    assert handle.get() == 42


def test_sqlite_huey_holds_scheduled_tasks_until_due(tmp_path: Path) -> None:
    huey = SqliteHuey("ipcenter-test", filename=str(tmp_path / "huey.sqlite3"))

    @huey.task()
    def ping() -> str:
        return "pong"

    handle = ping.schedule(delay=3600)
    run_queue(huey)  # the consumer finds it is not due and moves it to the schedule
    assert (huey.pending_count(), huey.scheduled_count()) == (0, 1)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)  # Huey keeps naive UTC times
    assert huey.read_schedule(now) == []
    later = now + dt.timedelta(hours=2)
    [due] = huey.read_schedule(later)
    huey.execute(due, timestamp=later)
    assert huey.scheduled_count() == 0
    assert handle.get() == "pong"


@pytest.fixture
def redis_huey() -> Iterator[RedisHuey]:
    from redis.exceptions import ConnectionError as RedisConnectionError

    huey = RedisHuey(f"ipcenter-test-{uuid.uuid4().hex}", host=REDIS_HOST, port=REDIS_PORT)
    try:
        huey.storage.conn.ping()
    except RedisConnectionError as exc:
        pytest.fail(f"Redis is not reachable at {REDIS_HOST}:{REDIS_PORT}: {exc}")
    yield huey
    huey.storage.flush_all()


@pytest.mark.redis
def test_redis_huey_queues_runs_and_keeps_results(redis_huey: RedisHuey) -> None:
    exercise(redis_huey)


@pytest.mark.redis
def test_redis_huey_queues_are_separate_by_name(redis_huey: RedisHuey) -> None:
    @redis_huey.task()
    def noop() -> None:
        return None

    noop()
    other = RedisHuey(f"ipcenter-test-{uuid.uuid4().hex}", host=REDIS_HOST, port=REDIS_PORT)
    try:
        assert (redis_huey.pending_count(), other.pending_count()) == (1, 0)
    finally:
        other.storage.flush_all()


def test_project_periodic_delivery_is_registered_in_configured_huey() -> None:
    from django.conf import settings
    from huey.contrib.djhuey import HUEY

    from ipcenter.notifications import tasks

    assert HUEY is settings.HUEY
    names = {task.name for task in HUEY._registry.periodic_tasks}
    assert tasks.deliver_pending_emails.task_class in HUEY._registry._periodic_tasks
    assert "deliver_pending_emails" in names
    due_at_five_past = HUEY.read_periodic(dt.datetime(2026, 3, 2, 10, 5))
    assert "deliver_pending_emails" in {t.name for t in due_at_five_past}
    due_at_three_past = HUEY.read_periodic(dt.datetime(2026, 3, 2, 10, 3))
    assert "deliver_pending_emails" not in {t.name for t in due_at_three_past}
