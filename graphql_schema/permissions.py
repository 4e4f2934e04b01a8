"""Who may call which field. Declared on fields with `permission_classes`."""

from typing import Any, ClassVar

from strawberry import Info
from strawberry.exceptions import StrawberryGraphQLError
from strawberry.permission import BasePermission

from hub.models.common import Role
from hub.services.access import roles as access


class RolePermission(BasePermission):
    """Grants the field to the roles in `roles`.

    No principal (no token, an unknown or revoked one) is UNAUTHENTICATED; a known
    principal without the role is FORBIDDEN. Either way the resolver never runs.
    """

    roles: ClassVar[frozenset[Role]] = frozenset()
    message = "Your role may not do this."
    error_extensions: ClassVar[dict[str, Any]] = {"code": "FORBIDDEN"}  # type: ignore[misc]

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal = await info.context.authenticate()
        if principal is None:
            raise StrawberryGraphQLError(
                "A valid API key is required (Authorization: Bearer …).",
                extensions={"code": "UNAUTHENTICATED"},
            )
        return principal.role in self.roles


class IsAdmin(RolePermission):
    roles = access.ADMINS


class IsReader(RolePermission):
    """viewer, agent, privacy_officer and admin."""

    roles = access.READERS


class IsWidgetCaller(RolePermission):
    """The survey widget's calls: widget keys, and admins trying them out."""

    roles = access.WIDGET_CALLERS
