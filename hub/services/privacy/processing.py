"""The processing information an access export carries (GDPR Art. 13-15): who the
controller is and how to reach them and the data protection officer, purposes, legal
basis and the interest it rests on, categories, recipients, transfers outside the
EU/EEA with their safeguard, retention, source, and the person's rights, including the
right to complain to a supervisory authority. Everything a deployment must say in its
own words comes from settings; the defaults follow the privacy statement the product
was specified from."""

from __future__ import annotations

from typing import Any

from hub.settings import Settings

LEGAL_BASIS = "legitimate interest (GDPR Art. 6(1)(f))"
SOURCE = (
    "Collected from you through the product's surveys (in-app banner, mobile app, survey "
    "links, e-mail invitations), together with the identity, customer and page details "
    "the product that shows the surveys sends along, and from the people who handle "
    "your feedback in Slack."
)
SLACK_RECIPIENT = (
    "The Slack workspace where your feedback is followed up by the employees it is "
    "relevant to (the channels listed)."
)
PROCESSORS = (
    "Processors (subcontractors and partners, mainly within the EU) bound by data "
    "protection agreements, for analysis, statistics, reporting and passing feedback "
    "on to employees"
)
RIGHTS = [
    "access",
    "rectification",
    "erasure",
    "restriction",
    "objection",
    "portability",
    "complaint to a supervisory authority",
]


def processing_information(
    settings: Settings, purposes: list[str], categories: set[str]
) -> dict[str, Any]:
    """The processing information, from `settings`, for the given purposes and the
    categories of data found about the person."""
    request_form = settings.resolved_public_url() + "/privacy/request"
    controller_contact = settings.privacy_controller_contact or request_form
    days = settings.retention_days
    longest = f"{days} days" if days is not None else "3 years"
    processors = settings.privacy_processors or [PROCESSORS]
    recipients = [
        SLACK_RECIPIENT,
        *([settings.privacy_group_companies] if settings.privacy_group_companies else []),
        *processors,
    ]
    transfers = (
        {"to": settings.privacy_transfers, "safeguard": settings.privacy_transfer_safeguard}
        if settings.privacy_transfers
        else None
    )
    return {
        "controller": {"name": settings.privacy_controller_name, "contact": controller_contact},
        "controller_contact": controller_contact,
        "data_protection_officer": {"contact": settings.privacy_dpo_contact or controller_contact},
        "supervisory_authority": {
            "name": settings.privacy_supervisory_authority,
            "right_to_complain": "You may complain to a data protection supervisory "
            "authority about how your personal data is processed.",
        },
        "purposes": purposes,
        "legal_basis": LEGAL_BASIS,
        "legitimate_interest": settings.privacy_legitimate_interest,
        "categories": sorted(categories),
        "recipients": recipients,
        "transfers_outside_eea": transfers,
        "retention": (
            f"Responses keep your identity for at most {longest} after they were "
            "collected (or less where a survey says so) and are then anonymised; records "
            "of when surveys were shown and of logins are deleted once the contact rules "
            "no longer need them."
        ),
        "source": SOURCE,
        "rights": RIGHTS,
        "request_form": request_form,
    }
