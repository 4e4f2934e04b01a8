from graphql_schema.permissions import RolePermission
from hub.services.access import roles as access


class IsPrivacyOfficer(RolePermission):
    """Rights requests, retention and the audit log: privacy officers and admins."""

    roles = access.PERSONAL_DATA_READERS
