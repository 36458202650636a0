"""Who may read the content of this area's audit rows (see ipcenter.audit.subjects)."""

from ipcenter.audit.subjects import register_subject
from ipcenter.documents.models import Document
from ipcenter.documents.services import documents_visible_to

# Titles and file names are the document's content: only its readers see them.
register_subject(Document, documents_visible_to)
