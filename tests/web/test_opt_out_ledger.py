"""An objection through an e-mail's opt-out link goes into the erasure ledger, so a
restored backup of the database does not make the person eligible again."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

from hub.models.common import Role
from hub.models.ledger import ErasureLedgerEntry
from hub.models.suppression import OptOutObjection, Suppression, SuppressionReason
from hub.services import Services
from hub.settings import Settings
from tests.factories import make_survey
from tests.support.graphql import GraphQLClient
from tests.support.invitations import CHANNELS, ELIGIBILITY, deliver, recipient, send
from tests.support.mail import Mailbox, links_in, path


async def test_an_opt_out_survives_a_restore_of_the_database(
    services: Services, gql: GraphQLClient, http: httpx.AsyncClient, app: Starlette,
    mailbox: Mailbox, settings: Settings,
) -> None:  # fmt: skip
    await make_survey(services, channels=CHANNELS)
    await send(gql, [recipient(1)])
    await deliver(app)
    opt_out = next(url for url in links_in(mailbox.to("person1@example.org")[0]) if "/o/" in url)
    await http.post(path(opt_out))
    await http.post(path(opt_out))  # twice is once

    [entry] = await ErasureLedgerEntry.find_all().to_list()
    assert (entry.reason, entry.erase) == (SuppressionReason.OBJECTION, False)
    listed = await Suppression.get_pymongo_collection().distinct("identity_hmac")
    assert sorted(entry.identity_hmacs) == sorted(listed)
    assert len(settings.resolved_erasure_ledger_path().read_text().splitlines()) == 1

    # When a backup from before the opt-out is restored
    for model in (Suppression, OptOutObjection, ErasureLedgerEntry):
        await model.get_pymongo_collection().delete_many({})
    report = await services.ledger_reapply().run()

    # Then the person is suppressed again; their data is kept (an opt-out does not erase)
    assert report.suppressions_restored == 2 and report.people_erased_again == 0
    eligibility = await gql.ok(ELIGIBILITY, {"user": {"id": "user-1"}}, Role.WIDGET)
    assert eligibility["surveyEligibility"]["reason"] == "SUPPRESSED"
