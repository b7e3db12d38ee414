"""The social value part of the demo: both councils' core values, the demo tenders' measures, let contracts'
commitments and returns (from `examples/socialvalue` and the example tender's commitments), an SROI programme and
Northfield's maturity self-assessments a year apart. Written through the area's data functions, as the shared
service's commissioner, so every change is audited as it would be by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from commonweal.io.socialvalue import read_maturity_answers
from commonweal.web import audit
from commonweal.web.models import Organisation, Tender
from commonweal.web.socialvalue import data
from commonweal.web.socialvalue.models import CoreValue, TenderMeasure

EXAMPLES = Path(settings.REPO_DIR) / "examples"
COMMISSIONER = "shared.commissioner"  # a commissioner of both councils

CORE_VALUES = {
    "northfield": [
        ("Local jobs at the Real Living Wage", ["More people in work", "Fewer young people NEET", "Fair pay"],
         ["EMP-JSA-FISCAL", "NEET-1824-YR", "WAGE-RLW-UK-2025"],
         "Most of the council's spend is on labour-intensive services; local hiring and fair pay are how those "
         "services are staffed, and a few hires a year is proportionate to contracts of this size."),
        ("Volunteering with community groups", ["More volunteering"], ["VOL-HOUR-ASHE2024"],
         "Care and support contracts work alongside voluntary groups; asking for staff volunteering hours costs "
         "bidders little and is counted from their own logs."),
        ("Net zero travel and buildings", ["Lower carbon emissions"], ["CO2-DESNZ-2024"],
         "The council declared a climate emergency; travel between clients is most of a care contract's emissions."),
    ],
    "southdale": [
        ("Skills for young people", ["More apprenticeships and qualifications", "Fewer young people NEET"],
         ["APP-L2-EXCH", "APP-L3-EXCH", "NEET-1824-YR"],
         "Southdale's young people leave the district for training; apprenticeships on its contracts keep them."),
        ("Safer, stronger communities", ["More volunteering", "Safer communities"],
         ["VOL-HOUR-ASHE2024", "CRM-DV-FISCAL"],
         "Community safety is the council plan's first priority; measures are asked for only where the service "
         "touches it."),
    ],
}
# (measure, core value title, relevance, proportionality) asked for on each council's demo tender
TENDER_MEASURES = {
    "northfield": [("EMP-JSA-FISCAL", "Local jobs at the Real Living Wage",
                    "Home care is staffed by recruiting care workers locally.",
                    "A few hires a year from a workforce of 50-60 on a five-year contract.")],
    "southdale": [("APP-L2-EXCH", "Skills for young people", "Care apprenticeships train the service's own staff.",
                   "Two or three apprentices a year for a contract of this size.")],
}


def _winning_rows(bidder: str) -> bytes:
    """The example tender's commitments of one bidder, as a file of its own."""
    lines = (EXAMPLES / "home-care-tender" / "commitments.csv").read_text(encoding="utf-8").splitlines()
    return ("\n".join([lines[0], *(line for line in lines[1:] if line.startswith(bidder + ","))]) + "\n").encode()


def seed(northfield: Organisation, southdale: Organisation) -> None:
    user = User.objects.get(username=COMMISSIONER)
    for organisation in (northfield, southdale):
        for title, outcomes, measures, reasons in CORE_VALUES[organisation.slug]:
            data.save_core_value(user, organisation.slug, None, title, outcomes, measures, reasons)
        # the demo tenders are past their draft stage: their measures are seeded as if chosen while a draft
        with transaction.atomic():
            for tender in Tender.objects.filter(organisation=organisation):
                for measure, value, relevance, proportionality in TENDER_MEASURES[organisation.slug]:
                    TenderMeasure.objects.create(
                        tender=tender, core_value=CoreValue.objects.get(organisation=organisation, title=value),
                        measure_id=measure, relevance=relevance, proportionality=proportionality)
                    audit.record("demo", "tender_measure_selected", {"measure": measure, "core_value": value},
                                 tender=tender)
    examples = EXAMPLES / "socialvalue"
    commitments = ("awarded-commitments.csv", (examples / "awarded-commitments.csv").read_bytes())
    returns = ("delivery-returns.csv", (examples / "delivery-returns.csv").read_bytes())
    for organisation in (northfield, southdale):
        data.record_contract(user, organisation.slug, "Home care lot 1 (Calder)", "Calder Community Care CIC", 2025,
                             commitments, returns)
    data.record_contract(user, northfield.slug, "Home care lot 1 (Brightwater)", "Brightwater Home Care Ltd", 2026,
                         ("commitments.csv", _winning_rows("Brightwater Home Care Ltd")), None)
    data.add_programme(user, northfield.slug, "impact-map.yaml", (examples / "impact-map.yaml").read_bytes())
    answers = {a.question_id: a.level for a in read_maturity_answers(examples / "maturity-answers.csv")}
    earlier = {q: ("slightly" if level in ("moderately", "significantly") else level) for q, level in answers.items()}
    data.record_maturity(user, northfield.slug, dt.date(2025, 11, 3), earlier)
    data.record_maturity(user, northfield.slug, dt.date(2026, 11, 2), answers)
