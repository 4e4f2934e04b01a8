"""The access export's processing information is complete (controller, DPO,
supervisory authority, recipients, transfers outside the EEA and their safeguard,
retention, legal basis and interest, source, rights) and comes from settings."""

from __future__ import annotations

from datetime import timedelta

from pydantic import SecretStr

from hub.clock import FrozenClock
from hub.models.common import Channel, UserIdentity
from hub.services import Services
from hub.settings import Settings
from tests.factories import context, make_survey

A = UserIdentity(id="subject-a-4711", username="annalund", email="anna.lund@example.org")


async def _given_a(services: Services, clock: FrozenClock) -> None:
    await make_survey(services, key="nps-main")
    display = await services.responses.record_display(
        "nps-main", A, Channel.IN_APP_WEB, context(), "en"
    )
    await services.responses.submit_score(str(display.id), 2)
    clock.advance(timedelta(minutes=1))


async def test_the_access_export_carries_complete_processing_information(
    services: Services, clock: FrozenClock
) -> None:
    await _given_a(services, clock)

    processing = (await services.privacy.exports.access([A.id], [A.email or ""]))["processing"]

    assert processing["controller"]["name"] and processing["controller"]["contact"].endswith(
        "/privacy/request"
    )
    assert processing["data_protection_officer"]["contact"]
    authority = processing["supervisory_authority"]
    assert "complain" in authority["right_to_complain"]
    recipients = " ".join(processing["recipients"])
    assert "Slack workspace" in recipients and "group" in recipients
    assert "processors" in recipients.lower()
    transfers = processing["transfers_outside_eea"]
    assert "standard contractual clauses" in transfers["safeguard"].lower()
    assert "additional measures" in transfers["safeguard"].lower()
    assert "3 years" in processing["retention"]
    assert processing["legal_basis"].startswith("legitimate interest")
    assert "quality of our products and services" in processing["legitimate_interest"]
    assert processing["source"]
    assert {"access", "rectification", "erasure", "restriction", "objection", "portability"} <= (
        set(processing["rights"])
    )
    assert any("supervisory authority" in right for right in processing["rights"])


async def test_settings_name_the_controller_dpo_authority_and_transfers(
    settings: Settings, clock: FrozenClock
) -> None:
    custom = settings.model_copy(
        update={
            "privacy_controller_name": "Lund Software AB",
            "privacy_controller_contact": "privacy@lund.example",
            "privacy_dpo_contact": "dpo@lund.example",
            "privacy_supervisory_authority": "Integritetsskyddsmyndigheten (IMY), imy.se",
            "privacy_group_companies": "Lund Group companies in Sweden and Norway",
            "privacy_processors": ["Hosting: Example Cloud (EU)"],
            "privacy_transfers": "Slack Technologies (United States)",
            "privacy_transfer_safeguard": "EU-US Data Privacy Framework",
            "privacy_legitimate_interest": "Better invoices.",
            "retention_days": 365,
            "secret_key": SecretStr("x" * 32),
        }
    )
    exports = Services.build(custom, clock).privacy.exports

    processing = exports.processing_information(set())

    assert processing["controller"] == {
        "name": "Lund Software AB",
        "contact": "privacy@lund.example",
    }
    assert processing["data_protection_officer"]["contact"] == "dpo@lund.example"
    assert processing["supervisory_authority"]["name"].startswith("Integritetsskydds")
    assert "Hosting: Example Cloud (EU)" in processing["recipients"]
    assert "Lund Group companies in Sweden and Norway" in processing["recipients"]
    assert processing["transfers_outside_eea"] == {
        "to": "Slack Technologies (United States)",
        "safeguard": "EU-US Data Privacy Framework",
    }
    assert processing["legitimate_interest"] == "Better invoices."
    assert "365 days" in processing["retention"]
