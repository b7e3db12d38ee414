"""The publishing area's part of the demo: notice facts for both councils' home care tenders (the same fictional
facts as examples/home-care-tender/notices.yaml), Northfield's preliminary market engagement notice recorded as
published and its tender notice not (so it shows as overdue), Southdale's tender notice recorded;
notice facts for every demo contract (signed the day it started, above threshold, not ended), and each one's
contract details notice recorded as published a fortnight after it started (and the highways contract's performance
notice on the day it was due), so no contract notice is overdue. Northfield expects to pay more than £100 million
under relevant contracts this financial year, with a re-procurement lead time of 30 months (both invented for the
demo), and its pipeline notice is recorded; Southdale does not, so it has none. The reablement contract has a
performance failure recorded a week ago, so its performance notice is due within 30 days. No OCID prefix is set, so
every preview shows the placeholder warning until a commissioner sets one."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.utils import timezone

from commonweal.domain.notices.duties import financial_year, pipeline_due
from commonweal.domain.notices.kinds import NoticeType
from commonweal.web.contracts.models import Contract
from commonweal.web.models import Organisation, Tender
from commonweal.web.publishing import data
from commonweal.web.publishing.sources import ContractSource, PipelineSource, TenderSource

FACTS = {
    "above_threshold": True, "category": "services", "procedure": "open",
    "tender_period_end": dt.date(2026, 3, 2),
    "engagement_description": "Two supplier events and an online questionnaire on rounds, travel time and paying the "
                              "Real Living Wage, open to every provider registered with the Care Quality Commission.",
    "engagement_closes_on": dt.date(2025, 12, 12), "no_engagement_reason": "", "assessment_summaries_sent": None,
    "terminated_on": None, "termination_reason": "", "expected_notice_on": None,
}
# Fictional Find a Tender notice identifiers, in its nnnnnn-yyyy form
RECORDED = {"northfield": (NoticeType.UK2, dt.date(2025, 11, 3), "000101-2025"),
            "southdale": (NoticeType.UK4, dt.date(2026, 1, 12), "000202-2026")}
# Whether each council expects to pay more than £100 million under relevant contracts (s.93(1)), and its lead time
PIPELINE = {"northfield": (True, 30), "southdale": (False, None)}
FAILURE = {"requirement": "Reablement visits start within 48 hours of hospital discharge",
           "description": "Visits started late for a third of discharges for three months after a warning notice",
           "penalty_type": "contracted", "penalty_value": None, "partial_termination": ""}


def seed(*organisations: Organisation) -> None:
    commissioner = User.objects.get(username="shared.commissioner")
    today = timezone.localdate()
    for organisation in organisations:
        tender = Tender.objects.get(organisation=organisation)
        data.save_tender_facts(commissioner, organisation.slug, tender.pk, FACTS)
        code, day, identifier = RECORDED[organisation.slug]
        TenderSource().record(commissioner, str(tender.pk), code, day, identifier, day)
        for contract in Contract.objects.filter(organisation=organisation).order_by("reference"):
            data.save_contract_facts(commissioner, organisation.slug, contract.pk, {
                "signed_on": contract.start, "above_threshold": True, "public_service_mutual": False,
                "supported_employment_provider": False, "ended_on": None, "end_reason": "", "final_value": None})
            published = min(contract.start + dt.timedelta(days=14), today)
            ContractSource().record(commissioner, str(contract.pk), NoticeType.UK7, published,
                                    f"{300 + contract.pk % 700:06d}-{published.year}", today)
            if contract.reference == "NBC-C-004":  # inadequate on every KPI: a failure to improve (s.71(4)(c))
                data.record_failure(commissioner, organisation.slug, contract.pk,
                                    {**FAILURE, "decided_on": today - dt.timedelta(days=7), "penalty_on": None}, today)
            if contract.reference == "NBC-C-006":  # over £5 million with KPIs: s.52(1)'s performance notices
                due = next(row.duty.due for row in ContractSource().duties(commissioner, organisation, today)
                           if row.duty.subject == contract.reference and row.duty.notice is NoticeType.UK9)
                assert due is not None
                published = min(due, today)
                ContractSource().record(commissioner, str(contract.pk), NoticeType.UK9, published,
                                        f"{900 + contract.pk % 99:06d}-{published.year}", today)
        year = financial_year(today)
        pays, lead = PIPELINE[organisation.slug]
        data.save_pipeline_year(commissioner, organisation.slug, year, pays, lead)
        if pays:
            published = min(pipeline_due(year) - dt.timedelta(days=6), today)
            PipelineSource().record(commissioner, f"{organisation.pk}-{year}", NoticeType.UK1, published,
                                    f"{500 + organisation.pk % 99:06d}-{published.year}", today)
