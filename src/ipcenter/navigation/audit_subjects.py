"""Who may read the content of this area's audit rows (see ipcenter.audit.subjects).

Imports fill the shared corpus with published patents only: nothing confidential.
"""

from ipcenter.audit.subjects import register_open_subject
from ipcenter.navigation.models import ImportJob

register_open_subject(ImportJob)
