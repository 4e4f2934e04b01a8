"""The schema: every domain's queries and mutations, with the limits and the error
policy that every operation runs under."""

import logging
import traceback
from typing import Any

import strawberry
from graphql import GraphQLError
from pymongo.errors import (
    AutoReconnect,
    ConnectionFailure,
    ExecutionTimeout,
    ServerSelectionTimeoutError,
)
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    ValidationCache,
)
from strawberry.types import ExecutionContext

from graphql_schema.access.schema import AccessMutation, AccessQuery
from graphql_schema.analytics.schema import (
    AnalyticsMutation,
    AnalyticsQuery,
    AnalyticsSubscription,
)
from graphql_schema.analytics.themes import ThemeAnalyticsQuery
from graphql_schema.channels.schema import ChannelsMutation
from graphql_schema.cost import CostLimits, QueryCost
from graphql_schema.followups.schema import FollowUpMutation, FollowUpQuery
from graphql_schema.introspection import SchemaExposure
from graphql_schema.limits import ParsedDocuments, TokenLimit, shape_rules
from graphql_schema.persisted import WidgetDocuments
from graphql_schema.platform.schema import PlatformMutation, PlatformQuery
from graphql_schema.privacy.schema import PrivacyMutation, PrivacyQuery
from graphql_schema.surveys.schema import SurveyMutation, SurveyQuery
from graphql_schema.telemetry import OperationFacts, RevealAudit
from graphql_schema.text_input import TextArguments
from graphql_schema.themes.schema import ThemeMutation, ThemeQuery
from graphql_schema.themes.suggestions import SuggestionQuery
from graphql_schema.time_limit import TimeLimit
from graphql_schema.widget.schema import WidgetMutation, WidgetQuery
from hub.settings import Settings

log = logging.getLogger("hub.graphql")

_UNAVAILABLE = (AutoReconnect, ConnectionFailure, ExecutionTimeout, ServerSelectionTimeoutError)


@strawberry.type
class Query(
    SurveyQuery,
    WidgetQuery,
    FollowUpQuery,
    PrivacyQuery,
    AnalyticsQuery,
    PlatformQuery,
    SuggestionQuery,
    ThemeQuery,
    ThemeAnalyticsQuery,
    AccessQuery,
):
    pass


@strawberry.type
class Mutation(
    SurveyMutation,
    WidgetMutation,
    FollowUpMutation,
    ChannelsMutation,
    PrivacyMutation,
    AnalyticsMutation,
    PlatformMutation,
    ThemeMutation,
    AccessMutation,
):
    pass


@strawberry.type
class Subscription(AnalyticsSubscription):
    pass


def _is_unexpected(error: GraphQLError) -> bool:
    """Errors we raised on purpose are GraphQLErrors; anything else is a fault."""
    return error.original_error is not None and not isinstance(error.original_error, GraphQLError)


class ErrorPolicy(MaskErrors):
    """Unexpected errors reach clients as a bare message and a code, never a stack
    trace or an exception text (which might quote personal data)."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=_is_unexpected)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        if isinstance(error.original_error, _UNAVAILABLE):
            message, code = "The database is unavailable; try again shortly.", "UNAVAILABLE"
        else:
            message, code = "Unexpected error.", "INTERNAL_SERVER_ERROR"
        return GraphQLError(
            message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": code},
        )


class HubSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        operation = execution_context.operation_name if execution_context else None
        for error in errors:
            if not _is_unexpected(error):
                continue
            original = error.original_error
            assert original is not None
            # The exception's text is left out: it may quote input or stored data.
            frames = "".join(traceback.format_tb(original.__traceback__))
            log.error(
                "unexpected %s in operation %s at %s\n%s",
                type(original).__name__,
                operation or "(anonymous)",
                ".".join(str(part) for part in error.path or []),
                frames,
            )


def build_schema(settings: Settings | None = None) -> HubSchema:
    settings = settings or Settings()
    limits = settings
    # The limits' validation rules are built once: the same rule classes on every
    # operation let ValidationCache reuse the validation of a document it has seen.
    rules = shape_rules(limits.max_query_depth, limits.max_query_aliases)
    costs = CostLimits.of(settings)
    # Factories, so each operation gets fresh extension instances.
    extensions: list[Any] = [
        lambda: AddValidationRules(rules),
        lambda: TokenLimit(limits.max_query_tokens),
        # Widgets and dashboards send the same few documents over and over.
        lambda: ParsedDocuments(maxsize=512),
        lambda: ValidationCache(maxsize=512),
        # After ValidationCache: it refuses a valid document that asks for the schema.
        lambda: SchemaExposure(limits.introspection),
        # Also after ValidationCache: it refuses a widget key's own documents.
        lambda: WidgetDocuments(limits.widget_operations),
        # Weighed before it runs; then what the weight cannot foresee is cut off in time.
        lambda: QueryCost(costs, limits.max_page_size),
        lambda: TimeLimit(limits.request_timeout_ms),
        OperationFacts,  # before ErrorPolicy: it sees the errors once they are masked
        RevealAudit,
        TextArguments,
        ErrorPolicy,
    ]
    return HubSchema(
        query=Query, mutation=Mutation, subscription=Subscription, extensions=extensions
    )
