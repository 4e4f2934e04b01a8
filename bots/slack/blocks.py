"""Block Kit builders. Messages are always built from the database state."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from hub.models.followup import Actor, FollowUp, FollowUpAction, FollowUpStatus
from hub.models.response import Response
from hub.services.analytics.bands import score_label
from hub.services.followups.followups import MetricSummary

Block = dict[str, Any]

CLAIM = "followup_claim"
UNCLAIM = "followup_unclaim"
RESOLVE = "followup_resolve"
RESOLVE_VIEW = "followup_resolve_view"
REPLY = "followup_reply"
REPLY_VIEW = "followup_reply_view"
REPLY_BLOCK = "reply"
REPLY_INPUT = "reply_input"
NOTE_BLOCK = "note"
NOTE_INPUT = "note_input"
INFORMED_BLOCK = "informed"
INFORMED_INPUT = "informed_input"
REASSIGN = "followup_reassign"
REASSIGN_VIEW = "followup_reassign_view"
ASSIGNEE_BLOCK = "assignee"
ASSIGNEE_INPUT = "assignee_input"
REOPEN = "followup_reopen"
REOPEN_VIEW = "followup_reopen_view"
REASON_BLOCK = "reason"
REASON_INPUT = "reason_input"
REDACTED_TEXT = "This message was redacted at the request of the person it was about."
METADATA_TYPE = "feedback_follow_up"
MAX_DIGEST_LINES = 40  # a message holds at most 50 blocks
SECTION_LIMIT = 2900  # a section's text holds 3000 characters
NOTE_SHOWN = 1000
THEMES_BLOCK = "themes"


def escape(text: str) -> str:
    """Slack's mrkdwn escaping: &, < and > only."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quoted_parts(comment: str, limit: int = SECTION_LIMIT) -> list[str]:
    """The comment as a quote, cut into pieces a section's text can hold."""
    parts: list[str] = []
    current = ""
    for line in escape(comment).split("\n"):
        while len(line) + 2 > limit:  # a very long line: cut it
            if current:
                parts.append(current)
                current = ""
            parts.append("> " + line[: limit - 2])
            line = line[limit - 2 :]
        quoted = "> " + line
        candidate = f"{current}\n{quoted}" if current else quoted
        if len(candidate) > limit:
            parts.append(current)
            candidate = quoted
        current = candidate
    if current:
        parts.append(current)
    return parts


def who(actor: Actor) -> str:
    """A mention for Slack users, the name for API keys."""
    if actor.id.startswith("slack:"):
        return f"<@{actor.id.removeprefix('slack:')}>"
    return escape(actor.name)


def when(moment: datetime) -> str:
    """Shown in each reader's time zone by Slack, with a UTC fallback."""
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def headline(follow_up: FollowUp) -> str:
    label = score_label(follow_up.metric, follow_up.score)
    return f"{follow_up.metric.value} {follow_up.score} ({label})"


def fallback_text(follow_up: FollowUp) -> str:
    return f"New feedback: {headline(follow_up)} on survey {follow_up.survey_key}"


def status_line(follow_up: FollowUp) -> str:
    if follow_up.status is FollowUpStatus.RESOLVED and follow_up.resolution is not None:
        resolution = follow_up.resolution
        informed = "customer informed" if resolution.customer_informed else "customer not informed"
        return (
            f":white_check_mark: Resolved by {who(resolution.by)} {when(resolution.resolved_at)}"
            f" ({informed}): {escape(shortened(resolution.note, NOTE_SHOWN))}"
        )
    if follow_up.status is FollowUpStatus.CLAIMED and follow_up.claimed_by is not None:
        claimed_at = when(follow_up.claimed_at) if follow_up.claimed_at else ""
        line = f":raising_hand: Claimed by {who(follow_up.claimed_by)} {claimed_at}".rstrip()
        if follow_up.assigned_by is not None:
            line += f", assigned by {who(follow_up.assigned_by)}"
        return line
    if follow_up.reopened is not None:
        reopened = follow_up.reopened
        return (
            f":repeat: Reopened by {who(reopened.by)} {when(reopened.reopened_at)}: "
            f"{escape(shortened(reopened.reason, NOTE_SHOWN))}. Nobody has claimed it yet"
        )
    return ":inbox_tray: Open: nobody has claimed it yet"


def announcement(
    action: FollowUpAction,
    by: Actor,
    to: Actor | None,
    customer_informed: bool | None,
    about: FollowUp | None,
) -> str:
    """The thread reply that records a change of hands: people and the action only,
    so it never needs a redaction. `about` names the follow-up when the thread is a
    digest's."""
    subject = f"*{headline(about)}*" if about is not None else "this follow-up"
    actor = who(by)
    if action is FollowUpAction.CLAIMED:
        return f":raising_hand: {actor} claimed {subject}."
    if action is FollowUpAction.UNCLAIMED:
        return f":leftwards_arrow_with_hook: {actor} handed {subject} back to the queue."
    if action is FollowUpAction.RESOLVED:
        informed = "customer informed" if customer_informed else "customer not informed"
        return f":white_check_mark: {actor} resolved {subject} ({informed})."
    if action is FollowUpAction.REASSIGNED and to is not None:
        return f":arrows_counterclockwise: {actor} assigned {subject} to {who(to)}."
    return f":repeat: {actor} reopened {subject}; the reason is in the message above."


def buttons(follow_up: FollowUp, reply: bool = True) -> list[Block]:
    """The buttons the status allows; "Reply to customer" (for the claimer) only
    while claimed and where `reply` says the customer left an address."""
    value = str(follow_up.id)
    elements: list[Block] = []
    if follow_up.status is FollowUpStatus.OPEN:
        elements.append(_button("Claim", CLAIM, value, style="primary"))
    if follow_up.status is FollowUpStatus.CLAIMED:
        elements.append(_button("Unclaim", UNCLAIM, value))
    if follow_up.status is not FollowUpStatus.RESOLVED:
        elements.append(_button("Resolve", RESOLVE, value))
        label = "Assign" if follow_up.status is FollowUpStatus.OPEN else "Reassign"
        elements.append(_button(label, REASSIGN, value))
    else:
        elements.append(_button("Reopen", REOPEN, value))
    if follow_up.status is FollowUpStatus.CLAIMED and reply:
        elements.append(_button("Reply to customer", REPLY, value))
    return elements


def replies_line(follow_up: FollowUp) -> str | None:
    """That the customer was told by e-mail, and when first; None before any reply."""
    if follow_up.customer_informed_at is None or not follow_up.customer_replies:
        return None
    count = len(follow_up.customer_replies)
    replies = "1 reply" if count == 1 else f"{count} replies"
    return f":email: Customer informed by e-mail {when(follow_up.customer_informed_at)} ({replies})"


def _button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    button: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def redacted() -> list[Block]:
    return [{"type": "section", "text": {"type": "mrkdwn", "text": f"_{REDACTED_TEXT}_"}}]


def themes_line(themes: Sequence[str]) -> Block | None:
    """The themes the comment is about, by key; None when it matched none. Only the
    keys: the words that matched are the comment's, and the comment is right above."""
    if not themes:
        return None
    keys = ", ".join(f"`{escape(key)}`" for key in themes)
    return {
        "type": "context",
        "block_id": THEMES_BLOCK,
        "elements": [{"type": "mrkdwn", "text": f":label: Themes: {keys}"}],
    }


def follow_up_message(
    follow_up: FollowUp, response: Response | None, themes: Sequence[str] = ()
) -> list[Block]:
    """The message of one follow-up: score, survey, product, customer, the comment,
    the themes it is about (keys), who has it, and the buttons its status allows."""
    if follow_up.redacted or response is None:
        return redacted()
    customer = response.customer
    blocks: list[Block] = [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": f"*{headline(follow_up)}* on survey `{escape(follow_up.survey_key)}`",
            },
            "fields": [
                {"type": "mrkdwn", "text": f"*Product*\n{escape(response.product)}"},
                {"type": "mrkdwn", "text": f"*Company*\n{escape(customer.company or '-')}"},
                {"type": "mrkdwn", "text": f"*Country*\n{escape(customer.country or '-')}"},
                {"type": "mrkdwn", "text": f"*Answered*\n{when(response.answered_at)}"},
            ],
        },
        *[
            {"type": "section", "text": {"type": "mrkdwn", "text": part}}
            for part in quoted_parts(response.comment or "")
        ],
    ]
    about = themes_line(themes)
    if about is not None:
        blocks.append(about)
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": status_line(follow_up)}]}
    )
    informed = replies_line(follow_up)
    if informed is not None:
        blocks[-1]["elements"].append({"type": "mrkdwn", "text": informed})
    actions = buttons(follow_up, reply=bool(response.user.email))
    if actions:
        blocks.append({"type": "actions", "block_id": "follow_up_actions", "elements": actions})
    return blocks


def digest_message(
    rows: list[tuple[FollowUp, Response | None]],
) -> tuple[str, list[Block]]:
    """One message for many follow-ups: a line and a button per follow-up."""
    text = f"{len(rows)} new feedback comments"
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": text}},
    ]
    for follow_up, response in rows[:MAX_DIGEST_LINES]:
        if follow_up.redacted or response is None:
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "_(redacted)_"}})
            continue
        comment = escape(shortened(" ".join((response.comment or "").split()), 200))
        line = (
            f"*{headline(follow_up)}* · {escape(response.product)} · "
            f"{escape(response.customer.company or '-')}, {response.customer.country or '-'}\n"
            f"> {comment}\n{status_line(follow_up)}"
        )
        section: Block = {"type": "section", "text": {"type": "mrkdwn", "text": line}}
        # One button a line: Claim while open, then Resolve.
        actions = [b for b in buttons(follow_up) if b["action_id"] in (CLAIM, RESOLVE)]
        if actions:
            section["accessory"] = actions[0]
        blocks.append(section)
    return text, blocks


def post_metadata(outbox_key: str, follow_up_ids: list[str]) -> dict[str, Any]:
    """Message metadata: which follow-ups a message is about and which outbox entry
    posted it, so a retry after an unclear failure can find it in the history."""
    # Payload values are kept to strings: what Slack's metadata schema allows everywhere.
    return {
        "event_type": METADATA_TYPE,
        "event_payload": {
            "outbox_key": outbox_key,
            "follow_up_id": follow_up_ids[0] if follow_up_ids else "",
            "follow_up_ids": ",".join(follow_up_ids),
        },
    }


def follow_up_ids_in(metadata: dict[str, Any] | None) -> tuple[str | None, list[str]]:
    """The outbox key and follow-up ids of a message's metadata (ours or nothing)."""
    if not metadata or metadata.get("event_type") != METADATA_TYPE:
        return None, []
    payload = metadata.get("event_payload") or {}
    ids = [part for part in str(payload.get("follow_up_ids") or "").split(",") if part]
    return payload.get("outbox_key"), ids


def resolve_modal(follow_up: FollowUp, channel_id: str | None) -> Block:
    return {
        "type": "modal",
        "callback_id": RESOLVE_VIEW,
        "private_metadata": json.dumps(
            {"follow_up_id": str(follow_up.id), "channel_id": channel_id}
        ),
        "title": {"type": "plain_text", "text": "Resolve follow-up"},
        "submit": {"type": "plain_text", "text": "Resolve"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"*{headline(follow_up)}*"},
            },
            {
                "type": "input",
                "block_id": NOTE_BLOCK,
                "label": {"type": "plain_text", "text": "What was done?"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": NOTE_INPUT,
                    "multiline": True,
                    "max_length": 3000,
                },
            },
            {
                "type": "input",
                "block_id": INFORMED_BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": "Customer"},
                "element": {
                    "type": "checkboxes",
                    "action_id": INFORMED_INPUT,
                    "options": [
                        {
                            "text": {"type": "plain_text", "text": "The customer was informed"},
                            "value": "informed",
                        }
                    ],
                },
            },
        ],
    }


def age(elapsed: timedelta) -> str:
    """A short, rounded-down age: minutes, then hours up to two days, then days."""
    minutes = max(int(elapsed.total_seconds() // 60), 0)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} d"


def follow_up_line(
    follow_up: FollowUp, link: str | None, happened: str, moment: datetime, now: datetime
) -> str:
    """One line of a list: a link to the Slack message (its label plain text: Slack
    renders no code inside a link's label), then what `happened` when, and how long
    ago."""
    label = f"{headline(follow_up)} · {escape(follow_up.survey_key)}"
    where = f"<{link}|{label}>" if link else f"{label} · _not in Slack yet_"
    return f"{where} · {happened} {when(moment)}, {age(now - moment)} ago"


def reassign_modal(follow_up: FollowUp, channel_id: str | None) -> Block:
    """Pick who gets the follow-up; nobody picked hands it back to the queue."""
    picker: Block = {"type": "users_select", "action_id": ASSIGNEE_INPUT}
    if follow_up.claimed_by is not None and follow_up.claimed_by.id.startswith("slack:"):
        picker["initial_user"] = follow_up.claimed_by.id.removeprefix("slack:")
    return {
        "type": "modal",
        "callback_id": REASSIGN_VIEW,
        "private_metadata": json.dumps(
            {"follow_up_id": str(follow_up.id), "channel_id": channel_id}
        ),
        "title": {"type": "plain_text", "text": "Assign follow-up"},
        "submit": {"type": "plain_text", "text": "Assign"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*{headline(follow_up)}*"}},
            {
                "type": "input",
                "block_id": ASSIGNEE_BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": "Assign to"},
                "hint": {
                    "type": "plain_text",
                    "text": "Leave empty to hand it back to the queue.",
                },
                "element": picker,
            },
        ],
    }


def reopen_modal(follow_up: FollowUp, channel_id: str | None) -> Block:
    return {
        "type": "modal",
        "callback_id": REOPEN_VIEW,
        "private_metadata": json.dumps(
            {"follow_up_id": str(follow_up.id), "channel_id": channel_id}
        ),
        "title": {"type": "plain_text", "text": "Reopen follow-up"},
        "submit": {"type": "plain_text", "text": "Reopen"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*{headline(follow_up)}*"}},
            {
                "type": "input",
                "block_id": REASON_BLOCK,
                "label": {"type": "plain_text", "text": "Why does it need more work?"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": REASON_INPUT,
                    "multiline": True,
                    "max_length": 3000,
                },
            },
        ],
    }


def summary_text(
    survey_key: str | None, summaries: list[MetricSummary], scope: str | None = None
) -> str:
    """The figures of one survey or of all; `scope` names another set of surveys."""
    if scope is None:
        scope = f"survey `{escape(survey_key)}`" if survey_key else "all surveys"
    if not summaries:
        return f"No responses in the last 30 days for {scope}."
    lines = [f"*Last 30 days, {scope}*"]
    for summary in summaries:
        if summary.metric.value == "NPS":
            lines.append(
                f"NPS *{summary.score:+.0f}* from {summary.count} responses "
                f"({summary.favourable_percent:.0f}% promoters, "
                f"{summary.unfavourable_percent:.0f}% detractors)"
            )
        elif summary.metric.value == "CSAT":
            lines.append(f"CSAT *{summary.score:.0f}%* satisfied from {summary.count} responses")
        else:
            lines.append(
                f"CES mean *{summary.score:.1f}* from {summary.count} responses "
                f"({summary.favourable_percent:.0f}% answered 5-7)"
            )
    return "\n".join(lines)


HELP_TEXT = (
    "*/feedback* commands:\n"
    "• `/feedback unclaimed [survey-key | #channel]`: open follow-ups, those in Slack "
    "first, oldest first\n"
    "• `/feedback mine [survey-key | #channel]`: follow-ups you have claimed\n"
    "• `/feedback stats [survey-key]`: NPS, CSAT and CES of the last 30 days"
)


def reply_modal(follow_up: FollowUp, comment: str, language: str, channel_id: str | None) -> Block:
    """The form of a reply to the customer: what they wrote, the language the e-mail
    is written for (the survey's, as they answered it), and a box for the text. The
    address is not shown: the claimer has it already, and a modal may be screenshared."""
    quoted = quoted_parts(comment or "-")
    return {
        "type": "modal",
        "callback_id": REPLY_VIEW,
        "private_metadata": json.dumps(
            {"follow_up_id": str(follow_up.id), "channel_id": channel_id}
        ),
        "title": {"type": "plain_text", "text": "Reply to customer"},
        "submit": {"type": "plain_text", "text": "Send e-mail"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*{headline(follow_up)}* on survey `{escape(follow_up.survey_key)}`"
                    "\n*The customer wrote:*",
                },
            },
            *[{"type": "section", "text": {"type": "mrkdwn", "text": part}} for part in quoted[:3]],
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": f"The e-mail is sent in *{escape(language)}*, the language "
                        "of the survey they answered, with their comment quoted.",
                    }
                ],
            },
            {
                "type": "input",
                "block_id": REPLY_BLOCK,
                "label": {"type": "plain_text", "text": "Your reply"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": REPLY_INPUT,
                    "multiline": True,
                    "max_length": 3000,
                },
            },
        ],
    }


HOME_SHOWN = 10  # follow-ups per list on the App Home


def _home_item(follow_up: FollowUp, response: Response | None, now: datetime) -> list[Block]:
    waited = age(now - follow_up.created_at)
    text = f"*{headline(follow_up)}* on `{escape(follow_up.survey_key)}` · waiting {waited}"
    if follow_up.redacted or response is None:
        text += "\n_(redacted)_"
    else:
        comment = escape(shortened(" ".join((response.comment or "").split()), 200))
        text += f"\n> {comment}"
    informed = replies_line(follow_up)
    if informed is not None:
        text += f"\n{informed}"
    items: list[Block] = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    reply = response is not None and bool(response.user.email) and not follow_up.redacted
    actions = buttons(follow_up, reply=reply)
    if actions:
        items.append({"type": "actions", "elements": actions})
    return items


def home_view(
    claimed: list[tuple[FollowUp, Response | None]],
    claimed_more: int,
    open_ones: list[tuple[FollowUp, Response | None]],
    open_more: int,
    team_survey_keys: list[str],
    summaries: list[MetricSummary],
    now: datetime,
) -> Block:
    """The App Home: the follow-ups the user has claimed, the open ones in the
    channels they are in (oldest first, with how long each has waited), and their
    team's figures of the last 30 days."""
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Your follow-ups"}},
    ]
    sections = (
        ("Claimed by you", claimed, claimed_more, "You have no claimed follow-ups."),
        (
            "Open in your channels, oldest first",
            open_ones,
            open_more,
            "No open follow-ups in the channels you are in.",
        ),
    )
    for title, rows, more, empty in sections:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"*{title}*"}})
        if not rows:
            blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": empty}]})
        for follow_up, response in rows:
            blocks.extend(_home_item(follow_up, response, now))
        if more > 0:
            blocks.append(
                {"type": "context", "elements": [{"type": "mrkdwn", "text": f"…and {more} more"}]}
            )
        blocks.append({"type": "divider"})
    scope = (
        "your team's surveys " + ", ".join(f"`{escape(key)}`" for key in team_survey_keys)
        if team_survey_keys
        else None
    )
    figures = shortened(summary_text(None, summaries, scope), SECTION_LIMIT)
    blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": figures}})
    return {"type": "home", "blocks": blocks}
