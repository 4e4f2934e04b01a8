from graphql_schema.permissions import RolePermission
from hub.models.common import Role


class IsAgent(RolePermission):
    """Those who work follow-ups: agents and admins."""

    roles = frozenset({Role.AGENT, Role.ADMIN})
