"""Reminders and escalation: a follow-up that waits longer than its routing rule allows
gets one reply in its Slack thread (the on-call group for unclaimed ones, the claimer
for unresolved ones), detractors are escalated, business hours are respected, and
nothing is said twice: not by two schedulers, not after a restart, not after an
unclear failure. Time is the injected clock's."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bots.slack.reminders import METADATA_TYPE
from hub.clock import FrozenClock
from hub.models.followup import FollowUp
from hub.models.outbox import OutboxMessage
from hub.models.routing import BusinessHours, ReminderPolicy, RoutingMatch
from hub.services import Services
from hub.services.followups.reminders import REMIND, ReminderService
from hub.services.followups.routing import RuleDraft
from hub.services.platform.leases import JobLeases, Scheduler
from tests.support.slack import FakeSlack, Message
from tests.support.slack_sender import SlackSender
from tests.support.waiting import eventually
from tests.support.widget import Widget, follow_up_of

JOB = "follow-up-reminders"
BERLIN_WEEKDAYS = BusinessHours(time_zone="Europe/Berlin", days=[1, 2, 3, 4, 5])


async def rule(services: Services, channel: str, **policy: object) -> None:
    await services.routing.create_rule(
        RuleDraft(
            name=f"to {channel}",
            channel_id=channel,
            match=RoutingMatch(survey_key="nps-main"),
            reminders=ReminderPolicy.model_validate(policy),
        )
    )


async def posted(services: Services, widget: Widget, score: int) -> FollowUp:
    response = await widget.answer(score, "Reports take forever")
    await services.dispatcher.run_once()
    follow_up = await follow_up_of(response)
    assert follow_up.posts
    return follow_up


async def tick(services: Services, clock: FrozenClock, by: timedelta) -> None:
    """Let time pass, then let the scheduler and the dispatcher do what is due."""
    clock.advance(by)
    await services.scheduler.run_due()
    await services.dispatcher.run_once()


def replies(slack: FakeSlack, follow_up: FollowUp, channel: str | None = None) -> list[Message]:
    """The reminders in the follow-up's thread (not the announcements of its changes)."""
    post = next(p for p in follow_up.posts if channel in (None, p.channel_id))
    return [
        reply
        for reply in slack.thread_replies(post.channel_id, post.ts)
        if (reply.metadata or {}).get("event_type") == METADATA_TYPE
    ]


async def test_an_unclaimed_follow_up_gets_one_reminder_for_the_on_call_group(
    hub_services: Services, widget: Widget, slack: FakeSlack, clock: FrozenClock
) -> None:
    # Given a rule that allows an hour unclaimed, with an on-call group
    slack.usergroups["SONCALL"] = "support-oncall"
    await rule(hub_services, "CSUPPORT", unclaimed_after_minutes=60, on_call_group_id="SONCALL")
    follow_up = await posted(hub_services, widget, 8)

    # When 59 minutes pass, nothing is said
    await tick(hub_services, clock, timedelta(minutes=59))
    assert replies(slack, follow_up) == []

    # When the hour is over, the thread gets a reminder mentioning the on-call group
    await tick(hub_services, clock, timedelta(minutes=2))
    [reminder] = replies(slack, follow_up)
    assert reminder.text.startswith("<!subteam^SONCALL>")
    assert "1 h" in reminder.text

    # And it is said once, however long it stays unclaimed
    for _ in range(3):
        await tick(hub_services, clock, timedelta(hours=5))
    assert len(replies(slack, follow_up)) == 1
    assert len(slack.calls_to("chat.postMessage")) == 2  # the post and the reminder


async def test_an_unknown_on_call_group_is_not_mentioned(
    hub_services: Services, widget: Widget, slack: FakeSlack, clock: FrozenClock
) -> None:
    await rule(hub_services, "CSUPPORT", unclaimed_after_minutes=30, on_call_group_id="SGONE")
    follow_up = await posted(hub_services, widget, 8)

    await tick(hub_services, clock, timedelta(minutes=31))

    [reminder] = replies(slack, follow_up)
    assert "subteam" not in reminder.text and "Nobody has claimed" in reminder.text


async def test_a_claim_left_unresolved_reminds_the_claimer_once_per_claim(
    hub_services: Services,
    widget: Widget,
    slack: FakeSlack,
    sender: SlackSender,
    clock: FrozenClock,
) -> None:
    # Given a rule allowing two hours between claim and resolution, and a claim
    await rule(hub_services, "CSUPPORT", unresolved_after_minutes=120)
    follow_up = await posted(hub_services, widget, 7)
    await sender.click("followup_claim", str(follow_up.id), "UAGENT")
    await eventually(lambda: len(slack.calls_to("chat.postEphemeral")) == 1)

    # When the two hours pass (and more), the claimer is reminded, once
    await tick(hub_services, clock, timedelta(minutes=119))
    assert replies(slack, follow_up) == []
    for _ in range(3):
        await tick(hub_services, clock, timedelta(minutes=30))
    [reminder] = replies(slack, follow_up)
    assert reminder.text.startswith("<@UAGENT>") and "2 h" in reminder.text

    # When someone else claims it anew, their claim gets its own reminder
    await sender.click("followup_unclaim", str(follow_up.id), "UAGENT")

    async def released() -> bool:
        return (await hub_services.follow_ups.get(str(follow_up.id))).claimed_by is None

    await eventually(released)
    await sender.click("followup_claim", str(follow_up.id), "UOTHER")
    await eventually(lambda: len(slack.calls_to("chat.postEphemeral")) == 2)
    await tick(hub_services, clock, timedelta(minutes=121))
    assert [r.text.split()[0] for r in replies(slack, follow_up)] == ["<@UAGENT>", "<@UOTHER>"]


async def test_nothing_is_said_about_a_follow_up_that_moved_on(
    hub_services: Services,
    widget: Widget,
    slack: FakeSlack,
    sender: SlackSender,
    clock: FrozenClock,
) -> None:
    # Given a reminder queued but not yet delivered
    await rule(hub_services, "CSUPPORT", unclaimed_after_minutes=60)
    follow_up = await posted(hub_services, widget, 8)
    clock.advance(timedelta(minutes=61))
    assert await hub_services.reminders.run() == 1

    # When it is claimed before the reminder goes out
    await sender.click("followup_claim", str(follow_up.id), "UAGENT")
    await eventually(lambda: len(slack.calls_to("chat.postEphemeral")) == 1)
    await hub_services.dispatcher.run_once()

    # Then no reminder is posted
    assert replies(slack, follow_up) == []


async def test_detractors_past_a_threshold_are_escalated(
    hub_services: Services, widget: Widget, slack: FakeSlack, clock: FrozenClock
) -> None:
    # Given detractors also posted to the defaults' escalation channel, and a rule of
    # its own escalating elsewhere for another survey
    await hub_services.routing.set_defaults(None, "CESCALATE")
    await rule(hub_services, "CSUPPORT", unclaimed_after_minutes=60)
    await hub_services.routing.create_rule(
        RuleDraft(
            name="other",
            channel_id="COTHER",
            match=RoutingMatch(survey_key="nps-other"),
            reminders=ReminderPolicy(unclaimed_after_minutes=60, escalation_channel_id="CMANAGERS"),
        )
    )
    detractor = await posted(hub_services, widget, 2)
    passive = await posted(hub_services, widget, 8)
    response = await widget.answer(1, "Broken", survey_key="nps-other")
    await hub_services.dispatcher.run_once()
    other = await follow_up_of(response)

    await tick(hub_services, clock, timedelta(minutes=61))
    await hub_services.dispatcher.run_once()

    # Then every one is reminded in its thread
    for follow_up in (detractor, passive, other):
        assert len(replies(slack, follow_up, follow_up.channels[0])) == 1
    # and the detractor routed by the rule is escalated in its escalation thread
    [escalated] = replies(slack, detractor, "CESCALATE")
    assert "Escalated" in escalated.text and "NPS 2" in escalated.text
    assert "/archives/CSUPPORT/" in escalated.text
    # the other, to its rule's escalation channel, as a new message with a link
    [managers] = slack.channel_messages("CMANAGERS")
    assert managers.thread_ts is None and "NPS 1" in managers.text
    assert "/archives/COTHER/" in managers.text
    # and the passive is not escalated
    assert all("NPS 8" not in m.text for m in slack.channel_messages("CESCALATE"))


async def test_only_business_hours_count_and_nobody_is_pinged_outside_them(
    hub_services: Services, widget: Widget, slack: FakeSlack, clock: FrozenClock
) -> None:
    # Given Berlin office hours, Monday to Friday 09:00-17:00, and an hour unclaimed
    await rule(hub_services, "CSUPPORT", unclaimed_after_minutes=60, business_hours=BERLIN_WEEKDAYS)
    # and a follow-up on Friday 6 March 2026 at 16:30 in Berlin (15:30 UTC)
    clock.set(datetime(2026, 3, 6, 15, 30, tzinfo=UTC))
    friday = await posted(hub_services, widget, 8)

    # Then neither Friday evening, nor the weekend, nor Monday 09:29 is an hour of work
    for moment in (
        datetime(2026, 3, 6, 16, 59, tzinfo=UTC),  # Friday 17:59 in Berlin
        datetime(2026, 3, 7, 12, 0, tzinfo=UTC),  # Saturday
        datetime(2026, 3, 9, 8, 29, tzinfo=UTC),  # Monday 09:29
    ):
        clock.set(moment)
        await tick(hub_services, clock, timedelta(0))
        assert replies(slack, friday) == []
    # and Monday 09:31 is
    await tick(hub_services, clock, timedelta(minutes=2))
    assert len(replies(slack, friday)) == 1

    # Given a follow-up on Monday at 16:00 in Berlin, due at 17:00 but not looked at
    # until the evening
    clock.set(datetime(2026, 3, 9, 15, 0, tzinfo=UTC))
    monday = await posted(hub_services, widget, 7)
    clock.set(datetime(2026, 3, 9, 19, 0, tzinfo=UTC))  # 20:00 in Berlin
    await tick(hub_services, clock, timedelta(0))
    assert replies(slack, monday) == []
    # Then it waits for the office to open
    clock.set(datetime(2026, 3, 10, 8, 0, tzinfo=UTC))  # Tuesday 09:00
    await tick(hub_services, clock, timedelta(0))
    assert len(replies(slack, monday)) == 1


async def test_two_schedulers_and_a_restart_send_one_reminder(
    hub_services: Services, widget: Widget, slack: FakeSlack, clock: FrozenClock
) -> None:
    await rule(hub_services, "CSUPPORT", unclaimed_after_minutes=60)
    follow_up = await posted(hub_services, widget, 8)
    clock.advance(timedelta(minutes=61))

    # When two hub processes' schedulers and reminder scans run at once
    processes = []
    for _ in range(2):
        service = ReminderService(clock, hub_services.outbox, hub_services.routing)
        scheduler = Scheduler(JobLeases(clock))
        scheduler.every(JOB, timedelta(minutes=1), service.run_scheduled)
        processes.append((service, scheduler))
    await asyncio.gather(
        *(scheduler.run_due() for _, scheduler in processes),
        *(service.run() for service, _ in processes),
    )
    # and a restarted one (nothing in memory) scans again later
    clock.advance(timedelta(minutes=5))
    restarted = ReminderService(clock, hub_services.outbox, hub_services.routing)
    assert await restarted.run() == 0
    for _ in range(3):
        await hub_services.dispatcher.run_once()

    # Then one reminder was queued and posted
    assert await OutboxMessage.find(OutboxMessage.kind == REMIND).count() == 1
    assert len(replies(slack, follow_up)) == 1


async def test_a_reminder_whose_answer_was_lost_is_not_posted_again(
    hub_services: Services, widget: Widget, slack: FakeSlack, clock: FrozenClock
) -> None:
    await rule(hub_services, "CSUPPORT", unclaimed_after_minutes=60)
    follow_up = await posted(hub_services, widget, 8)

    # Given Slack posts the reminder but the answer is lost (a 500 after the work)
    slack.fail("chat.postMessage", 500, apply=True)
    await tick(hub_services, clock, timedelta(minutes=61))
    assert len(replies(slack, follow_up)) == 1

    # When the outbox tries again
    for _ in range(3):
        await tick(hub_services, clock, timedelta(minutes=15))

    # Then it finds the reminder in the thread and does not post it again
    assert len(replies(slack, follow_up)) == 1
    assert slack.calls_to("conversations.replies")
    [message] = await OutboxMessage.find(OutboxMessage.kind == REMIND).to_list()
    assert message.status.value == "DELIVERED"
