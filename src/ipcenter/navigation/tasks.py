"""Jobs of the patent corpus: each loads by id and calls a service."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ipcenter.navigation.services import (
    corpus_import_run,
    corpus_imports_sweep,
    corpus_reindex,
)


@db_task()
def corpus_import_task(job_id: int) -> str:
    """Run a queued import; a failure is recorded on the job (resumable), not retried here."""
    return str(corpus_import_run(job_id=job_id).state)


@db_periodic_task(crontab(minute="*"))
def corpus_imports_requeue() -> int:
    """Every minute: queue again the imports whose worker stopped beating (it died)."""
    return corpus_imports_sweep()


@db_periodic_task(crontab(minute="*/10"))
def corpus_maintenance() -> dict[str, int]:
    """Every 10 minutes: index the documents whose indexing after commit did not happen."""
    return {"indexed": corpus_reindex(pending_only=True)}
