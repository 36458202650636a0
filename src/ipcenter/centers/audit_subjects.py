"""Who may read the content of this area's audit rows (see ipcenter.audit.subjects).

A center's settings and field lists are public rules, not confidential content.
"""

from ipcenter.audit.subjects import register_open_subject
from ipcenter.centers.models import Center, CenterSettingsVersion, FieldListVersion

register_open_subject(Center)
register_open_subject(CenterSettingsVersion)
register_open_subject(FieldListVersion)
