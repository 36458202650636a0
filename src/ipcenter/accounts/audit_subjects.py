"""Who may read the content of this area's audit rows (see ipcenter.audit.subjects).

People, roles, tokens and organizations are what the audit log's readers administer: their rows
carry nothing confidential.
"""

from ipcenter.accounts.models import ApiToken, Organization, RoleGrantRequest, User
from ipcenter.audit.subjects import register_open_subject

register_open_subject(User)
register_open_subject(ApiToken)
register_open_subject(Organization)
register_open_subject(RoleGrantRequest)
