"""/console/members (admins): who may sign in to the console with Slack and with
which role; adding, changing and removing them through the GraphQL API."""

from __future__ import annotations

from starlette.responses import Response

from hub.services.access import roles as access
from hub.web.console.survey_forms import FormProblems, user_error
from hub.web.console.view import ConsolePage, ConsoleView, redirect

MEMBERS = "query ConsoleMembers { consoleMembers { slackId role addedAt addedBy } }"
_ANSWER = "__typename ... on ConsoleMember { slackId } ... on UserError { message field }"
SET_MEMBER = f"""
mutation ConsoleSetMember($slackId: String!, $role: Role!) {{
  setConsoleMember(slackId: $slackId, role: $role) {{ {_ANSWER} }}
}}
"""
REMOVE_MEMBER = f"""
mutation ConsoleRemoveMember($slackId: String!) {{
  removeConsoleMember(slackId: $slackId) {{ {_ANSWER} }}
}}
"""
# The roles the console has a place for, weakest first (widget keys never sign in).
ROLES = ("VIEWER", "AGENT", "PRIVACY_OFFICER", "ADMIN")
NOTICES = frozenset({"members_saved", "members_removed"})


async def _page(
    view: ConsoleView,
    problems: FormProblems | None = None,
    form: dict[str, str] | None = None,
    which: str = "",
) -> Response:
    members = (await view.query(MEMBERS))["consoleMembers"]
    notice = view.request.query_params.get("notice")
    return view.render(
        "console/members.html",
        status=problems.status if problems else 200,
        members=members,
        roles=ROLES,
        problems=problems.problems if problems else {},
        which=which,
        form=form or {"role": "VIEWER"},
        notice=notice if notice in NOTICES else None,
    )


async def list_members(view: ConsoleView) -> Response:
    return await _page(view)


async def set_member(view: ConsoleView) -> Response:
    form = await view.form()
    try:
        role = form.get("role", "")
        if role not in ROLES:
            raise FormProblems(400, {"role": view.text["members_pick_role"]})
        answer = (await view.query(SET_MEMBER, slackId=form.get("slackId", "").strip(), role=role))[
            "setConsoleMember"
        ]
        problem = user_error(answer)
        if problem is not None:
            raise problem
    except FormProblems as problems:
        return await _page(view, problems, dict(form), form.get("which", "add"))
    return redirect("/console/members", notice="members_saved")


async def remove_member(view: ConsoleView) -> Response:
    form = await view.form()
    answer = (await view.query(REMOVE_MEMBER, slackId=form.get("slackId", "")))[
        "removeConsoleMember"
    ]
    problem = user_error(answer)
    if problem is not None:
        if problem.status == 404:
            problem = FormProblems(404, {"form": view.text["members_not_found"]})
        return await _page(view, problem, None, "remove")
    return redirect("/console/members", notice="members_removed")


PAGES = (
    ConsolePage("/members", list_members, access.ADMINS),
    ConsolePage("/members/set", set_member, access.ADMINS, ("POST",)),
    ConsolePage("/members/remove", remove_member, access.ADMINS, ("POST",)),
)
