"""The publishing area's part of the demo: notice facts for both councils' home care tenders (the same fictional
facts as examples/home-care-tender/notices.yaml), Northfield's preliminary market engagement notice recorded as
published and its tender notice not (so it shows as overdue), Southdale's tender notice recorded;
notice facts for every demo contract (signed the day it started, above threshold, not ended), so each contract's
details and performance notices build. No OCID prefix is set, so every preview shows the placeholder warning
until a commissioner sets one."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User

from commonweal.domain.notices.kinds import NoticeType
from commonweal.web.contracts.models import Contract
from commonweal.web.models import Organisation, Tender
from commonweal.web.publishing import data
from commonweal.web.publishing.sources import TenderSource

FACTS = {
    "above_threshold": True, "category": "services", "procedure": "open",
    "tender_period_end": dt.date(2026, 3, 2),
    "engagement_description": "Two supplier events and an online questionnaire on rounds, travel time and paying the "
                              "Real Living Wage, open to every provider registered with the Care Quality Commission.",
    "engagement_closes_on": dt.date(2025, 12, 12), "no_engagement_reason": "", "assessment_summaries_sent": None,
    "terminated_on": None, "termination_reason": "",
}
# Fictional Find a Tender notice identifiers, in its nnnnnn-yyyy form
RECORDED = {"northfield": (NoticeType.UK2, dt.date(2025, 11, 3), "000101-2025"),
            "southdale": (NoticeType.UK4, dt.date(2026, 1, 12), "000202-2026")}


def seed(*organisations: Organisation) -> None:
    commissioner = User.objects.get(username="shared.commissioner")
    for organisation in organisations:
        tender = Tender.objects.get(organisation=organisation)
        data.save_tender_facts(commissioner, organisation.slug, tender.pk, FACTS)
        code, day, identifier = RECORDED[organisation.slug]
        TenderSource().record(commissioner, str(tender.pk), code, day, identifier, day)
        for contract in Contract.objects.filter(organisation=organisation).order_by("reference"):
            data.save_contract_facts(commissioner, organisation.slug, contract.pk, {
                "signed_on": contract.start, "above_threshold": True, "public_service_mutual": False,
                "supported_employment_provider": False, "ended_on": None, "end_reason": "", "final_value": None})
