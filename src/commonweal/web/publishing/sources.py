"""Where notices come from: one source per kind of subject, each answering the same three questions, so a new
kind plugs in with one line in `SOURCES`.

- `duties(user, organisation, today)`: the duty calendar's rows for the subjects this person may see;
- `build(user, key, code, now)`: one notice as a release, or what stops it being built;
- `record(user, key, code, published_on, identifier, today)`: record its publication (who may is the source's
  decision, through the access layer).

Tenders (`TenderSource`: UK2, UK4, UK6, UK12 from `web.Tender` records) are here now. Contracts (UK7, UK9, UK10,
UK11, and UK1 from expiring contracts) plug in when the contracts area merges: a `ContractSource` over its records
with the same three methods, building through `commonweal.domain.notices.build` and dating duties through
`commonweal.domain.notices.duties.contract_duties`, as `commonweal notices build` already does from contract
folders.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from typing import Any, Protocol

from django.urls import reverse

from commonweal.domain.calendar import OutsideCalendar, standstill_period
from commonweal.domain.lifecycle import ORDER, Role, Stage
from commonweal.domain.notices import build
from commonweal.domain.notices.build import AwardFacts, Engagement, Notice, TenderFacts
from commonweal.domain.notices.duties import TenderState, tender_duties
from commonweal.domain.notices.kinds import NoticeType
from commonweal.domain.reference.bank_holidays import bank_holidays
from commonweal.io.ocds.write import dumps
from commonweal.services.notices import check, notice_package, release_date
from commonweal.web.access import Access, NotFound, Refused, Visitor, tender_access, tenders_for
from commonweal.web.engine import domain_tender
from commonweal.web.models import Organisation
from commonweal.web.publishing import data
from commonweal.web.publishing.models import TenderNoticeFacts


class Source(Protocol):
    name: str
    notices: tuple[NoticeType, ...]

    def duties(self, user: Visitor, organisation: Organisation, today: dt.date) -> list[data.Row]: ...

    def build(self, user: Visitor, key: str, code: NoticeType, now: dt.datetime) -> data.Built: ...

    def may_record(self, user: Visitor, key: str) -> None:
        """Raise Forbidden (or NotFound) unless this person may record the subject's publications."""

    def record(self, user: Visitor, key: str, code: NoticeType, published_on: dt.date, identifier: str,
               today: dt.date) -> None: ...


def _tender_key(key: str) -> int:
    if not key.isdigit() or len(key) > 18:
        raise NotFound("no such tender")
    return int(key)


class TenderSource:
    """Tender-based notices from the workspace's tenders and their notice facts."""

    name: str = "tender"
    notices: tuple[NoticeType, ...] = (NoticeType.UK2, NoticeType.UK4, NoticeType.UK6, NoticeType.UK12)

    def duties(self, user: Visitor, organisation: Organisation, today: dt.date) -> list[data.Row]:
        tenders = sorted((a.tender for a in tenders_for(user)
                          if a.tender.organisation_id == organisation.pk and a.has(*data.READ)),
                         key=lambda t: t.reference)
        facts = {f.tender_id: f for f in TenderNoticeFacts.objects.filter(tender__in=tenders)}
        recorded = data.published(organisation, self.name, [str(t.pk) for t in tenders])
        rows = []
        for tender in tenders:
            found = facts.get(tender.pk)
            state = TenderState(tender.reference, tender.title, Stage(tender.stage), tender.award_notice_published,
                                engagement=bool(found and found.engagement_description),
                                terminated_on=found.terminated_on if found else None)
            done = {NoticeType(n): day for (key, n, _), day in recorded.items() if key == str(tender.pk)}
            for duty in tender_duties(state, done, today):
                rows.append(data.Row(self.name, str(tender.pk), duty,
                                     reverse("notice_preview", args=[organisation.slug, self.name, tender.pk,
                                                                     duty.notice.value])))
        return rows

    def _access(self, user: Visitor, key: str, *roles: Role) -> Access:
        return tender_access(user, _tender_key(key), *roles)

    def build(self, user: Visitor, key: str, code: NoticeType, now: dt.datetime) -> data.Built:
        access = self._access(user, key, *data.READ)
        tender = access.tender
        notice, placeholder = data.notice_context(tender.organisation, now)
        problems: list[str] = []
        release = None
        facts = TenderNoticeFacts.objects.filter(tender=tender).first()
        model = dataclasses.replace(domain_tender(tender), reference=tender.reference,
                                    buyer=tender.organisation.name)
        if facts is None:
            problems.append("Record the notice facts (above threshold, procedure, engagement) first")
        else:
            tender_facts = _tender_facts(facts)
            try:
                release = self._release(access, code, model, facts, tender_facts, notice, problems)
            except (ValueError, Refused) as refused:
                problems.extend(refused.problems if isinstance(refused, Refused) else [str(refused)])
                release = None
        errors: tuple[str, ...] = ()
        package = None
        if release is not None:
            package = notice_package([release], publisher=notice.buyer.name, published=release_date(now))
            errors = _errors(package)
        return data.Built(code, tender.organisation_id, release, tuple(problems), errors, placeholder, package)

    def _release(self, access: Access, code: NoticeType, model: Any, facts: TenderNoticeFacts,
                 tender_facts: TenderFacts, notice: Notice, problems: list[str]) -> dict[str, Any] | None:
        tender = access.tender
        if code is NoticeType.UK2:
            if tender_facts.engagement is None:
                problems.append("No preliminary market engagement is recorded for this tender")
                return None
            return build.engagement_notice(model, tender_facts.engagement, notice, tender_facts)
        if code is NoticeType.UK4:
            return build.tender_notice(model, tender_facts, notice)
        if code is NoticeType.UK12:
            if facts.terminated_on is None:
                problems.append("No decision not to award is recorded for this tender")
                return None
            return build.termination_notice(model, facts.terminated_on, facts.termination_reason, notice)
        # UK6: the award, once recommended; its values are the winning prices, read through the tenders area
        if ORDER.index(Stage(tender.stage)) < ORDER.index(Stage.AWARD_RECOMMENDED):
            problems.append("The contract award notice is built once the award is recommended")
            return None
        from commonweal.web.tenders.data import results

        awards = build.lot_awards([lot.result for lot in results(access).lots])
        if facts.assessment_summaries_sent is None:
            problems.append("Record the date the assessment summaries were sent (s.50(3))")
            return None
        published_on = tender.award_notice_published
        if published_on is None:  # not published yet: the standstill shown is the one publishing today would start
            published_on = notice.date.date()
            problems.append(f"The notice's publication day is not recorded yet: its standstill period is shown as "
                            f"if it were published today, {published_on.isoformat()}")
        try:
            standstill = standstill_period(published_on, bank_holidays())
        except OutsideCalendar as outside:
            problems.append(str(outside))
            return None
        return build.award_notice(model, awards, AwardFacts(facts.assessment_summaries_sent, standstill,
                                                            tender_facts.above_threshold, tender_facts.category),
                                  notice)

    def may_record(self, user: Visitor, key: str) -> None:
        self._access(user, key, Role.COMMISSIONER)

    def record(self, user: Visitor, key: str, code: NoticeType, published_on: dt.date, identifier: str,
               today: dt.date) -> None:
        access = self._access(user, key, Role.COMMISSIONER)
        data.record_publication(user, access.tender.organisation, self.name, str(access.tender.pk), code,
                                published_on, identifier, today)


# libcoveocds takes most of a second per check: each process keeps each notice's verdict under the SHA-256 of its
# content without the times it was built at (always Commonweal's own, well-formed), so a page view checks a notice
# only when what it says changed. Bounded: cleared when full.
_VERDICTS: dict[str, tuple[str, ...]] = {}
_VERDICTS_KEPT = 256


def _errors(package: dict[str, Any]) -> tuple[str, ...]:
    timeless = {**package, "uri": "", "publishedDate": "", "releases": [{**r, "date": ""} for r in package["releases"]]}
    digest = hashlib.sha256(dumps(timeless)).hexdigest()
    if digest not in _VERDICTS:
        if len(_VERDICTS) >= _VERDICTS_KEPT:
            _VERDICTS.clear()
        verdict = check(package)
        _VERDICTS[digest] = verdict.errors + verdict.invalid_extensions
    return _VERDICTS[digest]


def _tender_facts(facts: TenderNoticeFacts) -> TenderFacts:
    engagement = None
    if facts.engagement_description and facts.engagement_closes_on:
        engagement = Engagement(facts.engagement_description, facts.engagement_closes_on)
    return TenderFacts(above_threshold=facts.above_threshold, category=facts.category, procedure=facts.procedure,
                       tender_period_end=facts.tender_period_end, engagement=engagement,
                       no_engagement_reason=facts.no_engagement_reason)


# Each kind of subject's source; the contracts area adds one line here.
SOURCES: tuple[Source, ...] = (TenderSource(),)
