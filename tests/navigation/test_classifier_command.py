"""`ipcenter classifier train | evaluate | info` on a small real subset of the labelled sets."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ipcenter.search.classify import SHIPPED_VERSION, IpcClassifier


def classifier_cmd(*args: str) -> str:
    out = io.StringIO()
    call_command("classifier", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_train_writes_a_versioned_model_that_info_describes(
    shared_data: Path, tmp_path: Path
) -> None:
    version = "ipc-classifier-2026.11-42"
    report = classifier_cmd(
        "train",
        "--data", str(shared_data),
        "--out", str(tmp_path / "models"),
        "--limit", "120",
        "--version", version,
        "--no-progress",
    )  # fmt: skip
    written = tmp_path / "models" / f"{version}.npz.gz"
    assert f"wrote {written}" in report
    assert "training on 120 labelled examples" in report
    assert "en: P@1" in report and "zh: P@1" in report  # measured on a test subset

    model = IpcClassifier.load(written)
    assert model.version == version
    assert model.info()["training"]["examples"] == 120
    assert model.info()["figures"]["split"] == "test = crc32(id) % 5 == 0"

    info = classifier_cmd("info", "--model", str(written))
    assert info.splitlines()[0] == version
    assert "trained on: 120 examples" in info
    as_json = json.loads(classifier_cmd("info", "--model", str(written), "--json"))
    assert as_json["version"] == version and as_json["exemplars"] == 120

    measured = classifier_cmd(
        "evaluate", "--data", str(shared_data), "--model", str(written), "--limit", "30",
        "--no-progress",
    )  # fmt: skip
    assert measured.startswith(f"{version} on 30 test examples")
    assert "P@1" in measured


def test_info_describes_the_shipped_model_by_default() -> None:
    info = classifier_cmd("info")
    assert info.splitlines()[0] == SHIPPED_VERSION
    assert "gated languages: zh" in info
    assert "en: P@1 0.5" in info  # the figures measured on the test part when it was trained


def test_errors_are_command_errors(shared_data: Path, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no IPC classifier model"):
        classifier_cmd("info", "--model", str(tmp_path / "missing.npz.gz"))
    with pytest.raises(CommandError, match="ipc-classifier-YYYY"):
        classifier_cmd(
            "train", "--data", str(shared_data), "--out", str(tmp_path), "--limit", "40",
            "--version", "v2", "--no-progress", "--no-evaluate",
        )  # fmt: skip
    with pytest.raises(CommandError, match="labelled data set missing"):
        classifier_cmd("train", "--data", str(tmp_path), "--out", str(tmp_path), "--no-progress")
