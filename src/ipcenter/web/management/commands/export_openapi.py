from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation


def current_spec() -> str:
    from ipcenter.api import api

    # The spec is generated in English so that it does not depend on the caller's locale.
    with translation.override("en"):
        schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "Write the OpenAPI spec of /api/v1/ to a file, or --check that the file is current."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--check", action="store_true")

    def handle(self, *args: Any, path: Path, check: bool, **options: Any) -> None:
        spec = current_spec()
        if check:
            if not path.exists() or path.read_text("utf-8") != spec:
                self.stderr.write(
                    f"{path} is not the spec the code generates: run `make openapi` and commit it"
                )
                sys.exit(1)
            self.stdout.write(f"{path} matches the code")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(spec, "utf-8")
        self.stdout.write(f"wrote {path}")
