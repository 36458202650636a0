"""`ipcenter sweep_jobs`: queue again the jobs whose worker died, as the worker does every minute.

For an installation whose worker was down (its periodic tasks did not run), or to recover at
once after killing a worker: corpus imports and case analyses whose heartbeat is older than
IPCENTER_JOB_STALE_SECONDS go back to the queue and resume from their last checkpoint.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Queue again the corpus imports and case analyses whose worker stopped beating."

    def handle(self, *args: Any, **options: Any) -> None:
        from ipcenter.navigation.services import corpus_imports_sweep
        from ipcenter.preexam.analysis_jobs import analysis_jobs_sweep

        imports = corpus_imports_sweep()
        analyses = analysis_jobs_sweep()
        self.stdout.write(f"Queued again: {imports} corpus imports, {analyses} case analyses.")
