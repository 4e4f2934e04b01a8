from graphql_schema.permissions import RolePermission
from hub.services.access import roles as access


class IsAgent(RolePermission):
    """Those who work follow-ups: agents and admins."""

    roles = access.FOLLOW_UP_HANDLERS
