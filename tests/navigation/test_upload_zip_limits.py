"""A corpus ZIP uploaded by an analyst is bounded by its directory; real weekly files pass."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ipcenter.lib.errors import InvalidInput
from ipcenter.navigation import services
from ipcenter.navigation.models import ImportJob
from tests.conftest import Cast

pytestmark = pytest.mark.usefixtures("in_english")


def _weekly_bomb() -> bytes:
    """A real weekly file's XML followed by 20 MB of blank lines: compressed a thousand to one."""
    real = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "uspto_xml"
    with zipfile.ZipFile(real / "ipgb20230404_wk14.zip") as archive:
        member = next(n for n in archive.namelist() if n.endswith(".xml"))
        xml = archive.read(member)
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open(member, "w") as out,
    ):
        out.write(xml)
        for _ in range(20):
            out.write(b"\n" * (1024 * 1024))
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_the_import_is_queued(cast: Cast) -> None:
    data = _weekly_bomb()
    with pytest.raises(InvalidInput) as caught:
        services.corpus_import_create(
            actor=cast.nora, upload=SimpleUploadedFile("ipgb20230404_wk14.zip", data)
        )
    assert "compressed more than 100 to 1" in str(caught.value.errors["file"])
    assert not ImportJob.objects.exists()


def test_the_unpacked_size_is_a_setting(cast: Cast, shared_data: Path, settings: Any) -> None:
    path = shared_data / "uspto_xml" / "ipgb20221025_wk43.zip"
    settings.IPCENTER_CORPUS_MAX_UNPACKED_BYTES = 100_000
    with pytest.raises(InvalidInput) as caught:
        services.corpus_import_create(
            actor=cast.nora, upload=SimpleUploadedFile(path.name, path.read_bytes())
        )
    assert "would unpack to more than" in str(caught.value.errors["file"])
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("name", ["ipgb20221025_wk43.zip", "ipgb20230404_wk14.zip"])
def test_the_real_weekly_zips_are_still_accepted(cast: Cast, shared_data: Path, name: str) -> None:
    path = shared_data / "uspto_xml" / name
    job = services.corpus_import_create(
        actor=cast.nora, upload=SimpleUploadedFile(name, path.read_bytes()), enqueue=False
    )
    assert job.sources[0]["format"] == "uspto-zip"
