"""The privacy desk's GraphQL documents, and how their answers become pages: a
mutation's expected failure (ValidationError, ConflictError, NotFoundError) is shown
with 400, 409 or 404; a query's NOT_FOUND is a 404 page, its bad input a 400 page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hub.web.console.api import ApiFailed
from hub.web.console.view import ConsoleView, PageError

REQUEST_FIELDS = """
  id type status receivedAt dueOn overdue daysLeft extended extensionReason
  subjectEmail subjectUserId message verification verificationNote locale
  executedAt restrictionActive subjectNotifiedAt restrictionLiftedAt
  corrections { email username company country }
  history { status at by reason }
  outcome { step collection count }
  messages { kind at outboxId undeliverable delivery }
  identityMatches { kind value status reached total records { collection count } }
"""

QUEUE = """
query Queue($status: RightsRequestStatus, $open: Boolean, $overdue: Boolean,
            $type: RightsRequestType, $first: Int!, $after: String) {
  rightsRequests(status: $status, open: $open, overdue: $overdue, type: $type,
                 first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id type status receivedAt dueOn overdue daysLeft extended } }
  }
}"""

REQUEST = f"""
query Request($id: ID!) {{ rightsRequest(id: $id) {{ {REQUEST_FIELDS} }} }}"""

_RESULT = f"""
    __typename
    ... on RightsRequest {{ {REQUEST_FIELDS} }}
    ... on UserError {{ problem: message code field }}
"""

CONFIRM = f"""
mutation Confirm($id: ID!, $userIds: [String!]!, $emails: [String!], $reason: String!) {{
  result: confirmRequestIdentities(id: $id, userIds: $userIds, emails: $emails,
                                   reason: $reason) {{ {_RESULT} }}
}}"""

EXECUTE = f"""
mutation Execute($id: ID!, $allowNoMatch: Boolean!) {{
  result: executeRightsRequest(id: $id, allowNoMatch: $allowNoMatch) {{ {_RESULT} }}
}}"""

EXTEND = f"""
mutation Extend($id: ID!, $reason: String!, $months: Int!) {{
  result: extendRightsRequest(id: $id, reason: $reason, months: $months) {{ {_RESULT} }}
}}"""

SET_STATUS = f"""
mutation Move($id: ID!, $status: RightsRequestStatus!, $reason: String) {{
  result: setRightsRequestStatus(id: $id, status: $status, reason: $reason) {{ {_RESULT} }}
}}"""

NOTIFY_LIFT = f"""
mutation Notify($id: ID!) {{ result: notifyRestrictionLift(id: $id) {{ {_RESULT} }} }}"""

RECORD_NOTIFIED = f"""
mutation Notified($id: ID!) {{ result: recordSubjectNotified(id: $id) {{ {_RESULT} }} }}"""

LIFT = f"""
mutation Lift($id: ID!) {{ result: liftRestriction(id: $id) {{ {_RESULT} }} }}"""

EXPORT_LINK = """
mutation Link($id: ID!, $format: String!) {
  result: createExportLink(id: $id, format: $format) {
    __typename
    ... on ExportLink { url expiresAt }
    ... on UserError { problem: message code field }
  }
}"""

AUDIT = """
query Audit($first: Int!, $after: String) {
  auditLog(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { seq at action targetIds details actor { keyId role label } } }
  }
}"""

VERIFY = "query Verify { verifyAuditLog { ok entries firstBrokenSeq problem } }"

RETENTION = """
mutation Retention($dryRun: Boolean!) {
  result: runRetention(dryRun: $dryRun) {
    __typename
    ... on RetentionReport {
      dryRun ranAt activityKeptDays outboxKeptDays
      responsesAnonymised followUpsAnonymised displaysAnonymised displaysDeleted
      linksDeleted loginsDeleted peopleDeleted contactStatesDeleted
      outboxCleared outboxDeleted rightsRequestsAnonymised
    }
    ... on UserError { problem: message code field }
  }
}"""

# A user error's type → the status its page answers with.
STATUS_OF = {"ValidationError": 400, "ConflictError": 409, "NotFoundError": 404}
# Top-level errors of a query that are the asker's input, not a failure of the hub.
_QUERY_STATUS = {"NOT_FOUND": 404, "INVALID_INPUT": 400}


@dataclass(frozen=True)
class Refusal:
    """A mutation's expected failure: the status to answer, the API's text and code."""

    status: int
    message: str
    code: str


async def ask(view: ConsoleView, document: str, **variables: Any) -> dict[str, Any]:
    """Run a query; a NOT_FOUND answer is the 404 page and bad input the 400 page."""
    try:
        return await view.query(document, **variables)
    except ApiFailed as failed:
        for error in failed.errors:
            status = _QUERY_STATUS.get(error.code)
            if status == 404:
                raise PageError(404, "not_found_title", "privacy_request_missing") from None
            if status == 400:
                raise PageError(400, "bad_request_title", "", detail=error.message) from None
        raise


async def act(
    view: ConsoleView, document: str, **variables: Any
) -> tuple[dict[str, Any] | None, Refusal | None]:
    """Run a mutation whose field is aliased `result`: what it answered, or why not."""
    result: dict[str, Any] = (await ask(view, document, **variables))["result"]
    status = STATUS_OF.get(result["__typename"])
    if status is None:
        return result, None
    return None, Refusal(status, result["problem"], result["code"])
