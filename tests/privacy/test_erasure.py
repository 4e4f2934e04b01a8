"""Erasure and objection: no trace of the person in any collection, in Slack or in the
audit log; other people untouched apart from quotes of the person; twice is once."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

from hub.clock import FrozenClock
from hub.db import Database
from hub.models.common import Channel
from hub.models.privacy import (
    RightsRequestStatus,
    RightsRequestType,
)
from hub.models.response import Response
from hub.services import Services
from hub.services.analytics.criteria import AnalyticsFilter
from hub.services.privacy.registry import REDACTED
from hub.services.widget.throttling import Rule
from tests.factories import make_survey
from tests.support.erasure import (
    A_TRACES,
    OFFICER,
    A,
    B,
    _answer,
    _erase,
    _everything,
    _given_a_and_b,
    _split_answers,
    _traces,
)
from tests.support.slack import FakeSlack
from tests.support.widget import follow_up_of


def _about_b(everything: dict[str, list[dict[str, Any]]]) -> dict[tuple[str, str], Any]:
    """B's documents by collection and id, without the follow-up's version counter."""
    found = {}
    for name, docs in everything.items():
        for doc in docs:
            if "subject-b-0815" in json.dumps(doc, default=str):
                found[(name, str(doc["_id"]))] = {
                    key: value for key, value in doc.items() if key != "version"
                }
    return found


async def test_erasure_leaves_no_trace_and_twice_changes_nothing(
    hub_services: Services, clock: FrozenClock, slack: FakeSlack, database: Database
) -> None:
    services = hub_services
    await _given_a_and_b(services, clock, slack)
    b_before = _about_b(await _everything(database))

    # When A is erased, found by e-mail address alone
    done = await _erase(services, RightsRequestType.ERASURE, A.email or "")
    await services.dispatcher.run_once()

    # Then no document of any collection names A, nor does Slack or the audit log,
    # but the e-mails answering A's request (its receipt and the news that it is done),
    # waiting for the mail server (this hub has none): delivered, they lose the address
    everything, answers = _split_answers(await _everything(database))
    assert sorted((doc["key"].rsplit(":", 1)[1], doc["payload"]["to"]) for doc in answers) == [
        ("COMPLETION", A.email),
        ("RECEIPT", A.email),
    ]
    assert [doc["subject_ids"] for doc in answers] == [[], []]
    assert _traces(everything, A_TRACES) == [], [
        (name, doc) for name, docs in everything.items() for doc in docs if _traces(doc, A_TRACES)
    ]
    current = [(m.text, m.blocks) for m in slack.messages.values()]
    assert _traces(current, A_TRACES) == []
    assert done.status is RightsRequestStatus.COMPLETED
    assert done.outcome["erased"]["displays"] == 1 and done.outcome["erased"]["logins"] == 1
    assert done.outcome["erased"]["responses"] == 1
    assert done.outcome["quotes_redacted"]["responses"] == 1
    assert done.outcome["slack"]["messages_redacted"] == 2
    # B is untouched apart from the redacted quote
    b_response = await Response.find_one({"user.id": B.id})
    assert b_response is not None
    assert b_response.comment == f"Anna ({REDACTED}, {REDACTED}) said the same!"
    assert b_response.user == B
    b_post = (await follow_up_of(b_response)).posts[0]
    assert REDACTED in str(slack.messages[(b_post.channel_id, b_post.ts)].blocks)
    b_after = _about_b(everything)
    # Only B's comment changed (the update of B's Slack message went through the
    # outbox, and a delivered message no longer names B).
    changed = {
        key for key in b_before.keys() | b_after.keys() if b_before.get(key) != b_after.get(key)
    }
    assert {key[0] for key in changed} == {"responses"}
    assert len([key for key in changed if key[0] == "responses"]) == 1
    assert all(key in b_after for key in b_before)  # nothing of B's was deleted
    # A stays suppressed: never eligible again
    survey = await services.surveys.get("nps-main")
    blocked = await services.throttling.check(survey, A.id, Channel.IN_APP_WEB)
    assert blocked.reason is Rule.SUPPRESSED
    assert (await services.audit.verify()).ok

    # When it runs again, nothing changes but the new request and its audit entries
    updates = len(slack.calls_to("chat.update"))
    # (nothing carries the address any more: the officer acknowledges it)
    again = await _erase(services, RightsRequestType.ERASURE, A.email or "", allow_no_match=True)
    await services.dispatcher.run_once()
    after, answers = _split_answers(await _everything(database))
    for name in set(everything) | set(after):
        if name not in ("rights_requests", "audit_log", "audit_head"):
            assert after.get(name) == everything.get(name), name
    assert len(slack.calls_to("chat.update")) == updates
    counts = {
        (step, name): count for step, by in again.outcome.items() for name, count in by.items()
    }
    assert counts.pop(("erased", "rights_requests")) == 1  # the new request itself
    # and, no mail server here, the e-mails answering A's two requests still wait,
    # untouched by the second erasure: a receipt and a completion each
    assert sorted(doc["key"].split(":")[1] for doc in answers) == sorted(
        [str(done.id), str(done.id), str(again.id), str(again.id)]
    )
    assert set(counts.values()) == {0}
    assert _traces(after, A_TRACES) == []


async def test_objection_suppresses_and_anonymises(
    hub_services: Services, clock: FrozenClock, slack: FakeSlack, database: Database
) -> None:
    services = hub_services
    await _given_a_and_b(services, clock, slack)

    done = await _erase(services, RightsRequestType.OBJECTION, A.email or "")

    assert done.outcome["suppressed"]["identities"] == 2
    assert await services.suppressions.is_suppressed(user_id=A.id)
    everything, answers = _split_answers(await _everything(database))
    assert _traces(everything, A_TRACES) == []
    assert [doc["payload"]["to"] for doc in answers] == [A.email, A.email]  # receipt, completion


async def test_retention_rebuilds_the_slack_message_of_an_anonymised_response(
    hub_services: Services, clock: FrozenClock, slack: FakeSlack
) -> None:
    services = hub_services
    await make_survey(services, key="nps-main")
    await services.routing.set_defaults("CROUTED", None)
    await _answer(services, A, 2, "Call me on +47 555 12 345 or anna.lund@example.org")
    await services.dispatcher.run_once()
    assert _traces([m.blocks for m in slack.messages.values()], ["555 12 345", "Acme AS"])

    clock.advance(timedelta(days=3 * 366))
    report = await services.retention.run(False, OFFICER)
    await services.dispatcher.run_once()

    assert report.responses_anonymised == 1 and report.follow_ups_anonymised == 1
    current = [m.blocks for m in slack.messages.values()]
    assert _traces(current, ["555 12 345", "Acme AS", *A_TRACES]) == []
    assert "[phone]" in json.dumps(current)


async def test_privacy_operations_log_no_personal_data(
    hub_services: Services,
    clock: FrozenClock,
    slack: FakeSlack,
    captured: io.StringIO,
) -> None:
    services = hub_services
    await _given_a_and_b(services, clock, slack)

    await _erase(services, RightsRequestType.ACCESS, A.email or "")
    await _erase(services, RightsRequestType.ERASURE, A.email or "")
    await _erase(services, RightsRequestType.OBJECTION, B.email or "")
    await services.dispatcher.run_once()
    clock.advance(timedelta(days=4 * 366))
    await services.retention.run(False, OFFICER)

    logged = captured.getvalue()
    assert logged, "nothing was logged: the capture is not working"
    identities = [*A_TRACES, B.id, B.username or "", B.email or ""]
    assert [trace for trace in identities if trace in logged] == []


async def test_erased_and_objecting_people_are_no_longer_counted(
    hub_services: Services, clock: FrozenClock, slack: FakeSlack
) -> None:
    services = hub_services
    await _given_a_and_b(services, clock, slack)
    everyone = AnalyticsFilter(survey_keys=["nps-main"])
    before = await services.analytics.summary(everyone)
    assert (before.responses, before.displays, before.comments) == (2, 2, 2)

    await _erase(services, RightsRequestType.ERASURE, A.email or "")
    after_erasure = await services.analytics.summary(everyone)
    await _erase(services, RightsRequestType.OBJECTION, B.email or "")
    after_objection = await services.analytics.summary(everyone)

    assert (after_erasure.responses, after_erasure.displays, after_erasure.comments) == (1, 1, 1)
    assert (after_objection.responses, after_objection.displays) == (0, 0)
    # and a rebuild from the raw records agrees with what was kept up to date
    await services.analytics.rebuild("nps-main")
    rebuilt = await services.analytics.summary(everyone)
    assert (rebuilt.responses, rebuilt.displays, rebuilt.comments) == (0, 0, 0)
