"""/console/surveys: the surveys for every reader; creating them, their texts per
locale (with a preview of the banner), their contact rules and their status for
admins. Everything goes through the GraphQL API as the signed-in person."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from hub.services.access import roles as access
from hub.services.platform import validation
from hub.web.console.survey_forms import (
    CHANNELS,
    METRICS,
    RULES,
    FormProblems,
    explain,
    preview,
    rules_input,
    scale_ends,
    shown_values,
    text_input,
    user_error,
    with_text,
)
from hub.web.console.view import ConsolePage, ConsoleView, PageError, redirect

SURVEYS = """
query ConsoleSurveys {
  surveys { key product metric status channels defaultLocale texts { locale } }
}
"""
SURVEY = """
query ConsoleSurvey($key: String!) {
  survey(key: $key) {
    key product metric status channels defaultLocale updatedAt
    scale { min max }
    texts { locale question followUp thankYou }
    contactRules {
      daysAfterAnswer daysAfterDecline maxDisplaysWithoutAnswer minDaysBetweenDisplays
      samplingPercent minLogins minDaysSinceFirstSeen
    }
  }
}
"""
_ANSWER = "__typename ... on Survey { key } ... on UserError { message field }"
CREATE = f"""
mutation ConsoleCreateSurvey($input: CreateSurveyInput!) {{
  createSurvey(input: $input) {{ {_ANSWER} }}
}}
"""
UPDATE = f"""
mutation ConsoleUpdateSurvey($key: String!, $input: UpdateSurveyInput!) {{
  updateSurvey(key: $key, input: $input) {{ {_ANSWER} }}
}}
"""
SET_STATUS = f"""
mutation ConsoleSetSurveyStatus($key: String!, $status: SurveyStatus!) {{
  setSurveyStatus(key: $key, status: $status) {{ {_ANSWER} }}
}}
"""
PAUSE = f"""
mutation ConsolePauseSurvey($key: String!) {{ pauseSurvey(key: $key) {{ {_ANSWER} }} }}
"""

NOTICES = frozenset(
    {"surveys_created", "surveys_texts_saved", "surveys_rules_saved", "surveys_status_saved"}
)
NEW_LOCALE = "new"


def _notice(view: ConsoleView) -> str | None:
    notice = view.request.query_params.get("notice")
    return notice if notice in NOTICES else None


async def list_surveys(view: ConsoleView) -> Response:
    data = await view.query(SURVEYS)
    return view.render(
        "console/surveys_list.html",
        surveys=data["surveys"],
        admin=view.role in access.ADMINS,
        notice=_notice(view),
    )


# -- creating


def _create_input(form: Mapping[str, str]) -> dict[str, Any]:
    metric = form.get("metric", "")
    if metric not in METRICS:
        raise FormProblems(400, {"metric": "metric"})
    status = form.get("status", "DRAFT")
    if status not in ("DRAFT", "ACTIVE"):
        raise FormProblems(400, {"status": "status"})
    texts = text_input(form)
    return {
        "key": form.get("key", "").strip(),
        "metric": metric,
        "product": form.get("product", ""),
        "defaultLocale": texts["locale"],
        "texts": [texts],
        "channels": [channel for channel in CHANNELS if form.get(f"channel_{channel}")],
        "status": status,
    }


async def new_survey(view: ConsoleView) -> Response:
    form: Mapping[str, str] = {"locale": "en", "metric": "NPS", "channel_IN_APP_WEB": "on"}
    if view.request.method == "POST":
        form = await view.form()
        try:
            answer = (await view.query(CREATE, input=_create_input(form)))["createSurvey"]
            problem = user_error(answer)
            if problem is not None:
                raise problem
            return redirect(f"/console/surveys/{answer['key']}", notice="surveys_created")
        except FormProblems as problems:
            return _new_form(view, form, problems)
    return _new_form(view, form, None)


def _new_form(
    view: ConsoleView, form: Mapping[str, str], problems: FormProblems | None
) -> Response:
    text = view.text
    shown = dict(problems.problems) if problems else {}
    for name in ("metric", "status"):
        if shown.get(name) == name:
            shown[name] = text["surveys_pick_one"]
    return view.render(
        "console/surveys_new.html",
        status=problems.status if problems else 200,
        form=form,
        problems=shown,
        metrics=METRICS,
        channels=CHANNELS,
        preview=preview(form.get("metric", "NPS"), text_input(form)),
        metric=form.get("metric", "NPS"),
        ends=json.dumps(scale_ends(), ensure_ascii=False),
    )


# -- one survey


async def _survey(view: ConsoleView) -> dict[str, Any]:
    key = view.request.path_params["key"]
    survey: dict[str, Any] | None = (await view.query(SURVEY, key=key))["survey"]
    if survey is None:
        raise PageError(404, "not_found_title", "surveys_not_found")
    return survey


def _editing(survey: Mapping[str, Any], wanted: str | None) -> dict[str, str]:
    """The texts the page shows in its form and preview: the locale asked for (or
    blank ones for a new locale), the default locale's otherwise."""
    if wanted == NEW_LOCALE:
        return {"locale": "", "question": "", "followUp": "", "thankYou": ""}
    wanted = wanted or survey["defaultLocale"]
    for text in survey["texts"]:
        if text["locale"].lower() == wanted.lower():
            return dict(text)
    raise PageError(400, "bad_request_title", "surveys_unknown_locale")


def _show(
    view: ConsoleView,
    survey: Mapping[str, Any],
    editing: Mapping[str, str],
    problems: FormProblems | None = None,
    which: str = "",
    rules: Mapping[str, Any] | None = None,
) -> Response:
    saved_rules = survey["contactRules"]
    return view.render(
        "console/surveys_detail.html",
        status=problems.status if problems else 200,
        survey=survey,
        admin=view.role in access.ADMINS,
        notice=_notice(view),
        editing=editing,
        new_locale=editing["locale"] not in [text["locale"] for text in survey["texts"]],
        preview=preview(survey["metric"], editing),
        metric=survey["metric"],
        ends=json.dumps(scale_ends(), ensure_ascii=False),
        rules=RULES,
        rule_values=rules if rules is not None else shown_values(saved_rules),
        explained=explain(saved_rules, view.text),
        problems=problems.problems if problems else {},
        which=which,
    )


async def show_survey(view: ConsoleView) -> Response:
    survey = await _survey(view)
    return _show(view, survey, _editing(survey, view.request.query_params.get("locale")))


async def _update(view: ConsoleView, key: str, changes: dict[str, Any]) -> None:
    answer = (await view.query(UPDATE, key=key, input=changes))["updateSurvey"]
    problem = user_error(answer)
    if problem is not None:
        raise problem


async def save_texts(view: ConsoleView) -> Response:
    survey = await _survey(view)
    new = text_input(await view.form())
    try:
        await _update(view, survey["key"], {"texts": with_text(survey["texts"], new)})
    except FormProblems as problems:
        return _show(view, survey, new, problems, "texts")
    locale = validation.locale_or_none(new["locale"]) or survey["defaultLocale"]
    return redirect(
        f"/console/surveys/{survey['key']}", locale=locale, notice="surveys_texts_saved"
    )


async def save_rules(view: ConsoleView) -> Response:
    survey = await _survey(view)
    form = await view.form()
    editing = _editing(survey, None)
    try:
        await _update(view, survey["key"], {"contactRules": rules_input(form, view.text)})
    except FormProblems as problems:
        return _show(view, survey, editing, problems, "rules", rules=form)
    return redirect(f"/console/surveys/{survey['key']}", notice="surveys_rules_saved")


async def change_status(view: ConsoleView) -> Response:
    survey = await _survey(view)
    form = await view.form()
    action = form.get("action", "")
    editing = _editing(survey, None)
    try:
        if action == "archive" and form.get("confirm") != "yes":
            raise FormProblems(400, {"confirm": view.text["surveys_archive_confirm_needed"]})
        if action == "pause":
            answer = (await view.query(PAUSE, key=survey["key"]))["pauseSurvey"]
        elif action in ("activate", "archive"):
            status = "ACTIVE" if action == "activate" else "ARCHIVED"
            answer = (await view.query(SET_STATUS, key=survey["key"], status=status))[
                "setSurveyStatus"
            ]
        else:
            raise PageError(400, "bad_request_title", "surveys_unknown_action")
        problem = user_error(answer)
        if problem is not None:
            raise problem
    except FormProblems as problems:
        return _show(view, survey, editing, problems, "status")
    return redirect(f"/console/surveys/{survey['key']}", notice="surveys_status_saved")


_TEXTS = frozenset({"question", "followUp", "thankYou"})
PAGES = (
    ConsolePage("/surveys", list_surveys, access.READERS),
    ConsolePage("/surveys/new", new_survey, access.ADMINS, ("GET", "POST"), _TEXTS),
    ConsolePage("/surveys/{key}", show_survey, access.READERS),
    ConsolePage("/surveys/{key}/texts", save_texts, access.ADMINS, ("POST",), _TEXTS),
    ConsolePage("/surveys/{key}/rules", save_rules, access.ADMINS, ("POST",)),
    ConsolePage("/surveys/{key}/status", change_status, access.ADMINS, ("POST",)),
)
