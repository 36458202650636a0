"""Patent navigation endpoints of the role matrix (see ipcenter.accounts.matrix).

The corpus holds published documents only and is shared by every center: searching needs a
role (any), importing needs the import permission (navigation analysts, the system
administrator). Neither is checked against a center, so there is no "wrong center" here; an
import or a document that does not exist answers 404.
"""

from __future__ import annotations

from ipcenter.accounts.endpoint import Endpoint
from ipcenter.accounts.roles import Perm

_SEARCH = Perm.CORPUS_SEARCH
_IMPORT = Perm.CORPUS_IMPORT
_J = "/navigation/imports/{job_id}"
_A = "/api/v1/navigation"

PAGES: tuple[Endpoint, ...] = (
    Endpoint("GET", "/navigation/", _SEARCH, "Search the patent corpus"),
    Endpoint("GET", "/navigation/export.csv", _SEARCH, "The current result list as CSV"),
    Endpoint(
        "GET", "/navigation/documents/{key}/", _SEARCH, "A document of the corpus", "document"
    ),
    Endpoint("GET", "/navigation/ipc/", _SEARCH, "IPC browser: the sections"),
    Endpoint("GET", "/navigation/ipc/{symbol}/", _SEARCH, "An IPC entry with corpus counts"),
    Endpoint("GET", "/navigation/imports/", _IMPORT, "Corpus imports and the upload form"),
    Endpoint("POST", "/navigation/imports/", _IMPORT, "Import an uploaded corpus file"),
    Endpoint("GET", f"{_J}/", _IMPORT, "An import's progress and rejections", "import"),
    Endpoint("POST", f"{_J}/resume/", _IMPORT, "Resume a failed or cancelled import", "import"),
    Endpoint("POST", f"{_J}/cancel/", _IMPORT, "Cancel an import", "import"),
)

API: tuple[Endpoint, ...] = (
    Endpoint("GET", f"{_A}/search", _SEARCH, "Search the patent corpus"),
    Endpoint("GET", f"{_A}/documents/{{key}}", _SEARCH, "A document of the corpus", "document"),
    Endpoint("GET", f"{_A}/ipc/{{symbol}}", _SEARCH, "An IPC entry with corpus counts"),
    Endpoint("GET", f"{_A}/imports", _IMPORT, "Corpus imports"),
    Endpoint("POST", f"{_A}/imports", _IMPORT, "Import an uploaded corpus file"),
    Endpoint("GET", f"{_A}/imports/{{job_id}}", _IMPORT, "An import's progress", "import"),
    Endpoint(
        "GET",
        f"{_A}/imports/{{job_id}}/rejections",
        _IMPORT,
        "The records an import rejected",
        "import",
    ),
    Endpoint("POST", f"{_A}/imports/{{job_id}}/resume", _IMPORT, "Resume an import", "import"),
    Endpoint("POST", f"{_A}/imports/{{job_id}}/cancel", _IMPORT, "Cancel an import", "import"),
)
