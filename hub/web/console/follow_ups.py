"""/console/follow-ups: the board (open, claimed, resolved) and one follow-up's page
with its actions. Every action is a form posted to the page's own address plus the
action's name; it runs the follow-up mutation as the signed-in person (so the Slack
message follows, and the claimer is who signed in) and goes back to the page with a
notice, or shows the mutation's refusal with 409, 400 or 404 and changes nothing."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from hub.models.common import Role
from hub.services.access import roles as access
from hub.web.console.api import ApiFailed
from hub.web.console.responses import refused_input
from hub.web.console.view import ConsolePage, ConsoleView, Handler, PageError, redirect

COLUMN_SIZE = 50
RESOLVED_PAGE = 20
MAX_ID = 64
MAX_CURSOR = 200
NOTICES = frozenset({"claimed", "unclaimed", "resolved", "reassigned", "reopened"})

CARD = """
fragment Card on FollowUp {
  id status surveyKey metric score createdAt claimedAt customerInformed
  claimedBy { id name }
  resolution { resolvedAt }
}
"""

BOARD = (
    CARD
    + """
query ConsoleBoard($first: Int!, $resolvedFirst: Int!, $after: String) {
  open: followUps(status: OPEN, first: $first) { totalCount edges { node { ...Card } } }
  claimed: followUps(status: CLAIMED, first: $first) {
    totalCount edges { node { ...Card } }
  }
  resolved: followUps(
    status: RESOLVED, first: $resolvedFirst, after: $after, newestFirst: true
  ) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { ...Card } }
  }
}
"""
)

DETAIL = """
query ConsoleFollowUp($id: ID!) {
  followUp(id: $id) {
    id status surveyKey metric score createdAt claimedAt redacted channels
    customerInformed customerInformedAt
    claimedBy { id name }
    assignedBy { id name }
    resolution { by { name } note customerInformed resolvedAt }
    reopened { by { name } reason reopenedAt }
    notes { id author { name } text writtenAt }
    contact { email username userId masked }
    response { id comment answeredAt product locale themes { theme } }
  }
}
"""

RESULT = """
  __typename
  ... on FollowUp { id status claimedBy { id } }
  ... on UserError { message code field }
"""
MUTATIONS = {
    "claim": f"mutation Claim($id: ID!) {{ claimFollowUp(id: $id) {{ {RESULT} }} }}",
    "unclaim": f"mutation Unclaim($id: ID!) {{ unclaimFollowUp(id: $id) {{ {RESULT} }} }}",
    "resolve": "mutation Resolve($id: ID!, $note: String!, $informed: Boolean!) {"
    f" resolveFollowUp(id: $id, note: $note, customerInformed: $informed) {{ {RESULT} }} }}",
    "reassign": "mutation Reassign($id: ID!, $to: String) {"
    f" reassignFollowUp(id: $id, to: $to) {{ {RESULT} }} }}",
    "reopen": "mutation Reopen($id: ID!, $reason: String!) {"
    f" reopenFollowUp(id: $id, reason: $reason) {{ {RESULT} }} }}",
}
DONE = {
    "claim": "claimed",
    "unclaim": "unclaimed",
    "resolve": "resolved",
    "reassign": "reassigned",
    "reopen": "reopened",
}
STATUS_OF_ERROR = {"ConflictError": 409, "ValidationError": 400, "NotFoundError": 404}


def _cards(column: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in column["edges"]]


def _notice(view: ConsoleView) -> str | None:
    done = view.request.query_params.get("done", "")
    return f"board_done_{done}" if done in NOTICES else None


async def board(view: ConsoleView) -> Response:
    after = view.request.query_params.get("after", "")
    if len(after) > MAX_CURSOR:
        raise PageError(400, "bad_request_title", "", detail="after: not a page of this list.")
    try:
        data = await view.query(
            BOARD, first=COLUMN_SIZE, resolvedFirst=RESOLVED_PAGE, after=after or None
        )
    except ApiFailed as failed:
        raise refused_input(failed) from None
    resolved = data["resolved"]
    more = resolved["pageInfo"]
    return view.render(
        "console/board.html",
        columns=[
            ("open", data["open"]["totalCount"], _cards(data["open"])),
            ("claimed", data["claimed"]["totalCount"], _cards(data["claimed"])),
            ("resolved", resolved["totalCount"], _cards(resolved)),
        ],
        more_resolved=f"/console/follow-ups?after={more['endCursor']}"
        if more["hasNextPage"]
        else None,
        first_resolved="/console/follow-ups" if after else None,
        me_actor=view.me.principal.actor_id,
    )


def _id_of(view: ConsoleView) -> str:
    follow_up_id = str(view.request.path_params["id"])
    if len(follow_up_id) > MAX_ID or not follow_up_id.isalnum():
        raise PageError(404, "not_found_title", "not_found_body")
    return follow_up_id


async def _detail(
    view: ConsoleView, follow_up_id: str, status: int = 200, problem: str | None = None
) -> Response:
    try:
        data = await view.query(DETAIL, id=follow_up_id)
    except ApiFailed as failed:
        if all(error.code == "NOT_FOUND" for error in failed.errors):
            raise PageError(404, "not_found_title", "not_found_body") from None
        raise
    follow_up = data.get("followUp")
    if follow_up is None:
        raise PageError(404, "not_found_title", "not_found_body")
    claimer = follow_up["claimedBy"]
    return view.render(
        "console/follow_up.html",
        status=status,
        follow_up=follow_up,
        notice=None if problem else _notice(view),
        problem=problem,
        mine=claimer is not None and claimer["id"] == view.me.principal.actor_id,
        is_admin=view.role is Role.ADMIN,
    )


async def detail(view: ConsoleView) -> Response:
    return await _detail(view, _id_of(view))


def _variables(action: str, form: dict[str, str]) -> dict[str, Any]:
    if action == "resolve":
        return {"note": form.get("note", ""), "informed": form.get("informed") == "yes"}
    if action == "reassign":
        to = form.get("to", "").strip()
        if to and not to.startswith(("slack:", "key:")):
            to = f"slack:{to}"
        return {"to": to or None}
    if action == "reopen":
        return {"reason": form.get("reason", "")}
    return {}


def _action(action: str) -> Handler:
    async def act(view: ConsoleView) -> Response:
        follow_up_id = _id_of(view)
        form = await view.form(free_text=("note", "reason"))
        data = await view.query(MUTATIONS[action], id=follow_up_id, **_variables(action, form))
        result = next(iter(data.values()))
        kind = result["__typename"]
        if kind == "FollowUp":
            return redirect(f"/console/follow-ups/{follow_up_id}", done=DONE[action])
        if kind == "NotFoundError":
            raise PageError(404, "not_found_title", "not_found_body")
        already_mine = (
            action == "claim"
            and result["code"] == "ALREADY_CLAIMED"
            and await _claimed_by_me(view, follow_up_id)
        )
        if already_mine:  # a second click of the same claim: it is done
            return redirect(f"/console/follow-ups/{follow_up_id}", done=DONE[action])
        return await _detail(view, follow_up_id, STATUS_OF_ERROR[kind], result["message"])

    act.__name__ = f"{action}_follow_up"
    return act


async def _claimed_by_me(view: ConsoleView, follow_up_id: str) -> bool:
    data = await view.query(
        "query Claimer($id: ID!) { followUp(id: $id) { claimedBy { id } } }", id=follow_up_id
    )
    claimer = (data.get("followUp") or {}).get("claimedBy")
    return claimer is not None and claimer["id"] == view.me.principal.actor_id


PAGES = (
    ConsolePage("/follow-ups", board, access.FOLLOW_UP_HANDLERS),
    ConsolePage("/follow-ups/{id}", detail, access.FOLLOW_UP_HANDLERS),
    *(
        ConsolePage(
            f"/follow-ups/{{id}}/{action}",
            _action(action),
            access.FOLLOW_UP_HANDLERS,
            ("POST",),
            frozenset({"note", "reason"}),
        )
        for action in MUTATIONS
    ),
)
