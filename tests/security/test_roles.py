"""Every query and mutation tried with every role and with no token: only the roles
DESIGN.md allows get through, and a refused call changes nothing.

A new root field fails `test_every_root_field_has_an_expected_role_list` until it is
added to ALLOWED below, so nobody adds an API without deciding who may call it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from graphql import GraphQLArgument, GraphQLInputField, GraphQLInputObjectType, GraphQLNonNull
from graphql.pyutils import Undefined

from hub.models.common import Role
from hub.services import Services
from hub.settings import Settings
from tests.factories import make_survey
from tests.security.operations import graphql_schema, root_operations
from tests.support.graphql import GraphQLClient

READERS = {Role.VIEWER, Role.AGENT, Role.PRIVACY_OFFICER, Role.ADMIN}
WIDGET = {Role.WIDGET, Role.ADMIN}
ADMIN = {Role.ADMIN}
AGENTS = {Role.AGENT, Role.ADMIN}
PRIVACY = {Role.PRIVACY_OFFICER, Role.ADMIN}
PUBLIC: set[Role | None] = {None, *Role}

ALLOWED: dict[str, set[Role] | set[Role | None]] = {
    "surveys": READERS,
    "survey": READERS,
    "responses": READERS,
    "surveyEligibility": WIDGET,
    "createSurvey": ADMIN,
    "updateSurvey": ADMIN,
    "setSurveyStatus": ADMIN,
    "pauseSurvey": ADMIN,
    "recordLogin": WIDGET,
    "recordDisplay": WIDGET,
    "submitScore": WIDGET,
    "submitComment": WIDGET,
    "declineSurvey": WIDGET,
    "createSurveyLink": ADMIN,
    "sendSurveyInvitations": ADMIN,
    "followUps": AGENTS,
    "followUp": AGENTS,
    "claimFollowUp": AGENTS,
    "unclaimFollowUp": AGENTS,
    "resolveFollowUp": AGENTS,
    "reassignFollowUp": AGENTS,
    "reopenFollowUp": AGENTS,
    "replyToCustomer": AGENTS,
    "routingRules": ADMIN,
    "routingDefaults": ADMIN,
    "createRoutingRule": ADMIN,
    "updateRoutingRule": ADMIN,
    "deleteRoutingRule": ADMIN,
    "setRoutingDefaults": ADMIN,
    "rightsRequests": PRIVACY,
    "rightsRequest": PRIVACY,
    "auditLog": PRIVACY,
    "verifyAuditLog": PRIVACY,
    "fileRightsRequest": PRIVACY,
    "setRightsRequestStatus": PRIVACY,
    "extendRightsRequest": PRIVACY,
    "executeRightsRequest": PRIVACY,
    "confirmRequestIdentities": PRIVACY,
    "createExportLink": PRIVACY,
    "recordSubjectNotified": PRIVACY,
    "notifyRestrictionLift": PRIVACY,
    "liftRestriction": PRIVACY,
    "runRetention": PRIVACY,
    "setSurveyRetention": PRIVACY,
    "submitRightsRequest": PUBLIC,
    "metricSummary": READERS,
    "themeSummary": READERS,
    "themeTrend": READERS,
    "emergingThemes": READERS,
    "metricTrend": READERS,
    "metricBreakdown": READERS,
    "scoreDistribution": READERS,
    "exportResponses": READERS,
    "rebuildRollups": ADMIN,
    "deliveries": ADMIN,
    "slackDeliveries": ADMIN,
    "retrySlackDeliveries": ADMIN,
    "suggestedThemes": READERS,
    "themes": READERS,
    "consoleMembers": ADMIN,
    "setConsoleMember": ADMIN,
    "removeConsoleMember": ADMIN,
    "themeJobs": READERS,
    "createTheme": ADMIN,
    "updateTheme": ADMIN,
    "deleteTheme": ADMIN,
}

OPERATIONS = root_operations()
REFUSALS = {"FORBIDDEN", "UNAUTHENTICATED"}


def test_every_root_field_has_an_expected_role_list() -> None:
    assert sorted(OPERATIONS) == sorted(ALLOWED)


def test_every_optional_argument_has_a_default() -> None:
    """A nullable argument or input field left out takes the default the schema shows
    (`= null` at least), so a resolver never misses a keyword argument."""
    schema = graphql_schema()
    places: list[tuple[str, GraphQLArgument | GraphQLInputField]] = []
    for type_name, type_ in schema.type_map.items():
        if type_name.startswith("__"):
            continue
        if isinstance(type_, GraphQLInputObjectType):
            places += [(f"{type_name}.{name}", f) for name, f in type_.fields.items()]
        for field_name, field in getattr(type_, "fields", {}).items():
            places += [
                (f"{type_name}.{field_name}({name})", arg)
                for name, arg in getattr(field, "args", {}).items()
            ]

    without = [
        where
        for where, place in places
        if not isinstance(place.type, GraphQLNonNull) and place.default_value is Undefined
    ]

    assert without == []


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The app without its background workers: the scheduler's first run, a fold or a
    delivery landing between two fingerprints would look like a refused call's write."""
    return settings.model_copy(update={"background_workers": False})


@pytest.mark.parametrize("field", sorted(OPERATIONS))
async def test_only_allowed_roles_get_through(
    field: str,
    services: Services,
    gql: GraphQLClient,
    snapshot: Callable[[], Awaitable[str]],
) -> None:
    await make_survey(services, key="xx")
    document = OPERATIONS[field]
    for role in [None, *Role]:
        before = await snapshot()
        body = await gql.raw(document, role=role)
        codes = {error.get("extensions", {}).get("code") for error in body.get("errors") or []}
        if role in ALLOWED[field]:
            # Only the required arguments are given: the others take their defaults.
            assert not codes & (REFUSALS | {"INTERNAL_SERVER_ERROR"}), (field, role, body)
        else:
            expected = "UNAUTHENTICATED" if role is None else "FORBIDDEN"
            assert codes == {expected}, (field, role, body)
            assert body["data"] is None or body["data"].get(field) is None
            assert await snapshot() == before, (field, role)
