"""Where notices come from: one source per kind of subject, each answering the same three questions, so a new
kind plugs in with one line in `SOURCES`.

- `duties(user, organisation, today)`: the duty calendar's rows for the subjects this person may see;
- `build(user, key, code, now)`: one notice as a release, or what stops it being built;
- `record(user, key, code, published_on, identifier, today)`: record its publication (who may is the source's
  decision, through the access layer).

Tenders (`TenderSource`: UK2, UK4, UK6, UK12 from `web.Tender` records), contracts (`ContractSource`: UK7, UK9,
UK10, UK11 from the contracts area's records, built through `commonweal.domain.notices.build` and dated through
`commonweal.domain.notices.duties.contract_duties`, as `commonweal notices build` does from contract folders) and
the organisation's pipeline (`PipelineSource`: UK1, from its contracts expiring and its `PipelineYear` record).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any, Protocol

from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse

from commonweal.domain.calendar import OutsideCalendar, standstill_period
from commonweal.domain.contracts.model import Contract as DomainContract
from commonweal.domain.contracts.review import ContractReview, review_contract
from commonweal.domain.lifecycle import ORDER, Role, Stage
from commonweal.domain.notices import build
from commonweal.domain.notices.build import (
    AwardFacts,
    ContractEnd,
    Engagement,
    LetContract,
    Notice,
    PipelineEntry,
    TenderFacts,
)
from commonweal.domain.notices.build import Organisation as Party
from commonweal.domain.notices.build import PerformanceFailure as Failure
from commonweal.domain.notices.duties import (
    PLANNED_STAGES,
    ContractState,
    PlannedTender,
    TenderState,
    contract_duties,
    expiring_contract_entry,
    financial_year,
    pipeline_duty,
    pipeline_entries,
    planned_entries,
    tender_duties,
    undated_entries,
)
from commonweal.domain.notices.kinds import NoticeType
from commonweal.domain.reference.bank_holidays import bank_holidays
from commonweal.io.ocds.write import dumps
from commonweal.services.notices import check, notice_package, release_date
from commonweal.web.access import Access, Forbidden, NotFound, Refused, Visitor, tender_access, tenders_for
from commonweal.web.contracts import data as contracts
from commonweal.web.contracts.models import Contract, Variation
from commonweal.web.engine import domain_tender
from commonweal.web.models import Membership, Organisation, Tender
from commonweal.web.publishing import data
from commonweal.web.publishing.models import (
    ContractNoticeFacts,
    PerformanceFailure,
    PipelineYear,
    Publication,
    TenderNoticeFacts,
)


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


def _contract_key(key: str) -> tuple[int, int | None]:
    """A contract's key is its id; a change notice's is the contract's id and the variation's, "12-34"."""
    contract, _, variation = key.partition("-")
    for part in (contract, variation):
        if part and (not part.isdigit() or len(part) > 18):
            raise NotFound("no such contract")
    if not contract:
        raise NotFound("no such contract")
    return int(contract), int(variation) if variation else None


class ContractSource:
    """Contract-based notices from the contracts area's records (`commonweal.web.contracts`), read by whoever reads
    the contract there (its organisation's commissioners, viewers and finance officers, and its contract manager);
    recorded by the organisation's commissioners. What the record does not hold (signature day, threshold, the
    contract's end) is the contract's notice facts (`ContractNoticeFacts`).

    A performance notice (UK9) may be published more than once: each is recorded under the day the duty it answers
    was due, and the next is due 12 months after the latest (`contract_duties`). A change notice (UK10) is
    recorded under its variation's code."""

    name: str = "contract"
    notices: tuple[NoticeType, ...] = (NoticeType.UK7, NoticeType.UK9, NoticeType.UK10, NoticeType.UK11)

    def _visible(self, user: Visitor, organisation: Organisation) -> list[Contract]:
        try:
            access = contracts.register_access(user, organisation.slug)
        except Forbidden:  # no contract role here: no contract notices
            return []
        query = Contract.objects.filter(organisation=organisation)
        if access.managed_only:
            query = query.filter(roles__user=access.user)
        return list(query.select_related("organisation", "notice_facts")
                    .prefetch_related("kpis", "commitments", "variations", "performance_failures")
                    .order_by("reference"))

    def _state(self, c: Contract, recorded: dict[tuple[str, str, str], dt.date]
               ) -> tuple[ContractState, list[Variation], dict[tuple[NoticeType, str], dt.date]]:
        """The contract as the duty calendar reads it, the variations that need a change notice (in the calendar's
        order) and what is recorded as published. A variation the contracts log marks as having had its change
        notice published elsewhere is not due here unless recorded here."""
        facts = notice_facts(c)
        key = str(c.pk)
        done: dict[tuple[NoticeType, str], dt.date] = {}
        performance = []
        for (subject, code, sequence), day in recorded.items():
            if subject != key:
                continue
            if code == NoticeType.UK9.value:
                performance.append(day)
            else:
                done[(NoticeType(code), sequence)] = day
        needing = [v for v in c.variations.all() if v.change_notice_required
                   and (not v.change_notice_published or (NoticeType.UK10, v.code) in done)]
        last = max(performance, default=None)
        state = ContractState(contracts.domain_contract(c), signed_on=facts.signed_on if facts else None,
                              last_assessment=last,
                              variations=tuple(contracts.domain_variation(v) for v in needing),
                              change_notice_required={v.code for v in needing},
                              ended_on=facts.ended_on if facts else None,
                              unreported_failures=tuple(_failure_day(f) for f in _unreported(c, last)))
        return state, needing, done

    def duties(self, user: Visitor, organisation: Organisation, today: dt.date) -> list[data.Row]:
        visible = self._visible(user, organisation)
        recorded = data.published(organisation, self.name, [str(c.pk) for c in visible])
        rows = []
        for c in visible:
            state, needing, done = self._state(c, recorded)
            variations = iter(needing)  # contract_duties lists the change notices in the variations' order
            for duty in contract_duties(state, done, today):
                key = str(c.pk)
                if duty.notice is NoticeType.UK10:
                    key = f"{c.pk}-{next(variations).pk}"
                rows.append(data.Row(self.name, key, duty, reverse(
                    "notice_preview", args=[organisation.slug, self.name, key, duty.notice.value])))
        return rows

    def _access(self, user: Visitor, key: str) -> tuple[contracts.ContractAccess, Variation | None]:
        contract_id, variation_id = _contract_key(key)
        access = contracts.contract_access(user, contract_id)
        variation = None
        if variation_id is not None:
            variation = Variation.objects.filter(contract=access.contract, pk=variation_id).first()
            if variation is None:
                raise NotFound("no such variation of this contract")
        return access, variation

    def build(self, user: Visitor, key: str, code: NoticeType, now: dt.datetime) -> data.Built:
        access, variation = self._access(user, key)
        if (code is NoticeType.UK10) != (variation is not None):
            raise NotFound("a change notice is about one variation of a contract; the other notices about a contract")
        c = access.contract
        notice, placeholder = data.notice_context(c.organisation, now)
        problems: list[str] = []
        release = None
        facts = notice_facts(c)
        if facts is None:
            problems.append("Record the contract's notice facts (signature day, above threshold) first")
        else:
            try:
                release = self._release(c, code, facts, variation, notice, problems)
            except ValueError as refused:
                problems.append(str(refused))
                release = None
        errors: tuple[str, ...] = ()
        package = None
        if release is not None:
            package = notice_package([release], publisher=notice.buyer.name, published=release_date(now))
            errors = _errors(package)
        return data.Built(code, c.organisation_id, release, tuple(problems), errors, placeholder, package)

    def _release(self, c: Contract, code: NoticeType, facts: ContractNoticeFacts, variation: Variation | None,
                 notice: Notice, problems: list[str]) -> dict[str, Any] | None:
        let = let_contract(c, facts)
        domain = let.contract
        if code is NoticeType.UK7:
            return build.contract_details_notice(let, notice)
        if code is NoticeType.UK11:
            if facts.ended_on is None:
                problems.append("No end of this contract is recorded in its notice facts")
                return None
            # reg 41(2)(h): every breach recorded over the contract's life
            breaches = tuple(_failure(f) for f in c.performance_failures.order_by("recorded_on", "pk"))
            return build.contract_termination_notice(let, ContractEnd(facts.ended_on, facts.end_reason,
                                                                      facts.final_value, breaches), notice)
        review = _review(c, domain)
        if code is NoticeType.UK9:
            recorded = data.published(c.organisation, self.name, [str(c.pk)])
            last = max((day for (_, n, _), day in recorded.items() if n == NoticeType.UK9.value), default=None)
            failed = [_failure(f) for f in _unreported(c, last)]
            if not review.kpis and not failed:
                problems.append("This contract has no KPIs to assess and no performance failure recorded since its "
                                "last performance notice")
                return None
            return build.performance_notice(let, review.kpis, (review.window_start, review.as_of), notice, failed)
        assert variation is not None  # UK10: checked by build
        check = next(v for v in review.variations if v.variation.id == variation.code)
        if not check.change_notice_required:
            problems.append("The variations check says this variation needs no change notice (s.75)")
            return None
        return build.change_notice(let, check, [v.variation for v in review.variations], notice)

    def may_record(self, user: Visitor, key: str) -> None:
        access, _ = self._access(user, key)
        if Role.COMMISSIONER.value not in access.roles:
            raise Forbidden("needs the commissioner role in the contract's organisation")

    def record(self, user: Visitor, key: str, code: NoticeType, published_on: dt.date, identifier: str,
               today: dt.date) -> None:
        self.may_record(user, key)
        access, variation = self._access(user, key)
        if (code is NoticeType.UK10) != (variation is not None):
            raise NotFound("a change notice is about one variation of a contract; the other notices about a contract")
        c = access.contract
        sequence = variation.code if variation is not None else ""
        if code is NoticeType.UK9:  # under the day the performance notice now due was due
            state, _, done = self._state(c, data.published(c.organisation, self.name, [str(c.pk)]))
            due = next((d.due for d in contract_duties(state, done, today) if d.notice is NoticeType.UK9), None)
            sequence = due.isoformat() if due else published_on.isoformat()
        data.record_publication(user, c.organisation, self.name, str(c.pk), code, published_on, identifier, today,
                                sequence)


def let_contract(c: Contract, facts: ContractNoticeFacts | None) -> LetContract:
    """The contracts area's record as the notice builders (and the transparency files) read a let contract."""
    supplier = Party(c.supplier, c.supplier_identifier, c.sme, c.vcse,
                     facts.public_service_mutual if facts else None,
                     facts.supported_employment_provider if facts else None)
    # a contract let from a tender continues that procurement's ocid (its tender and award notices')
    return LetContract(contracts.domain_contract(c), supplier, c.tender.reference if c.tender is not None else "",
                       facts.signed_on if facts else None, facts.above_threshold if facts else True)


def _unreported(c: Contract, last_notice: dt.date | None) -> list[PerformanceFailure]:
    """The failures a performance notice published on `last_notice` did not report: those recorded after that day
    (one recorded on the day itself was in the notice the commissioner previewed that day)."""
    return [f for f in sorted(c.performance_failures.all(), key=lambda f: (f.recorded_on, f.pk))
            if last_notice is None or f.recorded_on > last_notice]


def _failure_day(f: PerformanceFailure) -> dt.date:
    """When a failure happened for the notice's 30 days: the decision or penalty, whichever came first, else the
    day it was recorded."""
    return min((d for d in (f.decided_on, f.penalty_on) if d is not None), default=f.recorded_on)


def _failure(f: PerformanceFailure) -> Failure:
    return Failure(f"failure-{f.pk}", f.requirement, f.description, f.decided_on, f.penalty_on,
                   f.penalty_type or None, f.penalty_value, f.partial_termination)


def notice_facts(c: Contract) -> ContractNoticeFacts | None:
    try:
        return c.notice_facts
    except ContractNoticeFacts.DoesNotExist:
        return None


def _review(c: Contract, domain: DomainContract) -> ContractReview:
    """The contract's review as at the day its stored review was made (`contracts.data.refresh`), so a notice
    reports the ratings the contract's pages show."""
    variations = [contracts.domain_variation(v) for v in c.variations.all()]
    return review_contract(domain, contracts.domain_returns(c), variations, c.reviewed_as_of or c.start)


def _pipeline_key(key: str) -> tuple[int, int]:
    """A pipeline notice's key is its organisation's id and its financial year, "3-2027"."""
    organisation, _, year = key.partition("-")
    if not (organisation.isdigit() and len(organisation) <= 18 and year.isdigit()
            and int(year) in data.PIPELINE_YEARS):
        raise NotFound("no such pipeline notice")
    return int(organisation), int(year)


def _planned_tenders(organisation: Organisation) -> list[PlannedTender]:
    """The organisation's planned tenders (`duties.PLANNED_STAGES`), each with its lots' budgets and the day its
    tender notice is expected, in one query; `duties.planned_entries` reads them as the CLI's planned folders."""
    found: dict[tuple[str, str, str, dt.date | None], list[Decimal | None]] = {}
    for row in (Tender.objects.filter(organisation=organisation, stage__in=[s.value for s in PLANNED_STAGES])
                .order_by("reference", "lots__reference")
                .values_list("reference", "title", "notice_facts__category", "notice_facts__expected_notice_on",
                             "lots__reference", "lots__budget")):
        reference, title, category, expected, lot, budget = row
        budgets = found.setdefault((reference, title, category or "", expected), [])
        if lot is not None:  # a tender without lots has no budget at all
            budgets.append(budget)
    return [PlannedTender(reference, title, tuple(budgets), expected, category)
            for (reference, title, category, expected), budgets in found.items()]


class PipelineSource:
    """The pipeline notice (UK1, s.93) of each financial year, for the organisation as a whole: read by its
    organisation-wide contract readers (commissioners, viewers and finance officers: it lists every contract's
    re-procurement), recorded by its commissioners. It lists each contract over £2 million whose re-procurement's
    tender notice is expected in the 18 months from 1 April (`duties.pipeline_entries`), expected the council's
    recorded lead time before the contract's maximum term ends (`duties.expiring_contract_entry`), and each planned
    tender whose lots' budgets total over £2 million (`_planned_tenders`). The calendar shows the current financial
    year's."""

    name: str = "pipeline"
    notices: tuple[NoticeType, ...] = (NoticeType.UK1,)

    def _organisation(self, user: Visitor, organisation: Organisation) -> contracts.RegisterAccess:
        access = contracts.register_access(user, organisation.slug)
        if access.managed_only:
            raise Forbidden("the pipeline lists every contract of the organisation: needs an organisation role")
        return access

    def duties(self, user: Visitor, organisation: Organisation, today: dt.date) -> list[data.Row]:
        year = financial_year(today)
        # one query: whether this person reads it, the year's record and any recorded publication (the home page
        # asks every organisation of the person)
        found = Organisation.objects.filter(pk=organisation.pk).annotate(
            reader=Exists(Membership.objects.filter(organisation=OuterRef("pk"), user=user.pk,
                                                    role__in=contracts.READERS)),
            pays=Subquery(PipelineYear.objects.filter(organisation=OuterRef("pk"), financial_year=year)
                          .values("pays_over_threshold")[:1]),
            lead_months=Subquery(PipelineYear.objects.filter(organisation=OuterRef("pk"), financial_year=year)
                                 .values("lead_months")[:1]),
            published_on=Subquery(Publication.objects.filter(
                organisation=OuterRef("pk"), source=self.name, key=str(year), notice=NoticeType.UK1.value,
                sequence="").values("published_on")[:1]),
        ).values("reader", "pays", "published_on", "lead_months").get()
        if not found["reader"]:
            return []
        duty = pipeline_duty(year, found["pays"], found["published_on"], today)
        if duty is None:
            return []
        key = f"{organisation.pk}-{year}"
        missing = self._missing(organisation, year, found["pays"], found["lead_months"]) \
            if duty.published_on is None else ()
        return [data.Row(self.name, key, duty, reverse("notice_preview", args=[organisation.slug, self.name, key,
                                                                                NoticeType.UK1.value]), missing)]

    def _missing(self, organisation: Organisation, year: int, pays: bool | None,
                 lead_months: int | None) -> tuple[str, ...]:
        """What the year's pipeline notice still needs from the record, for its calendar row (the preview says the
        same, with the rest): whether s.93(1) applies, the lead time, and each planned tender it would list
        without an estimated value or an expected day (one query, only while the notice is due)."""
        if pays is None:
            return ("Whether the council expects to pay more than £100 million under relevant contracts in the "
                    "year (s.93(1)), on the pipeline record",)
        missing = [] if lead_months is not None else [
            "The re-procurement lead time, on the pipeline record: expiring contracts are not listed until then"]
        entries, problems = planned_entries(_planned_tenders(organisation))
        return (*missing, *problems, *undated_entries(pipeline_entries(entries, year)))

    def _access(self, user: Visitor, key: str) -> tuple[Organisation, int]:
        organisation_id, year = _pipeline_key(key)
        organisation = Organisation.objects.filter(pk=organisation_id, memberships__user=user.pk).first() \
            if user.is_authenticated else None
        if organisation is None:
            raise NotFound("no such organisation")
        self._organisation(user, organisation)
        return organisation, year

    def build(self, user: Visitor, key: str, code: NoticeType, now: dt.datetime) -> data.Built:
        organisation, year = self._access(user, key)
        notice, placeholder = data.notice_context(organisation, now)
        found = PipelineYear.objects.filter(organisation=organisation, financial_year=year).first()
        problems: list[str] = []
        releases: list[dict[str, Any]] = []
        if found is None:
            problems.append("Record whether the council expects to pay more than £100 million under relevant "
                            "contracts in the year (s.93(1)) and its re-procurement lead time first")
        elif not found.pays_over_threshold:
            problems.append("The council recorded that it does not expect to pay more than £100 million under "
                            "relevant contracts in the year: no pipeline notice is required (s.93(1))")
        else:
            candidates: list[PipelineEntry] = []
            if found.lead_months is None:
                problems.append("Record the council's re-procurement lead time (months before a contract's maximum "
                                "term ends when its tender notice is expected) first: its expiring contracts are "
                                "not listed until then")
            else:
                candidates += [expiring_contract_entry(contracts.domain_contract(c), found.lead_months)
                               for c in Contract.objects.filter(organisation=organisation).order_by("reference")]
            planned, planned_problems = planned_entries(_planned_tenders(organisation))
            candidates += planned
            problems += planned_problems
            entries = pipeline_entries(candidates, year)
            if not entries:
                problems.append("No contract over £2 million is expected to be re-procured or tendered in the 18 "
                                f"months from 1 April {year}: the notice would list none")
            problems += undated_entries(entries)
            releases = build.pipeline_notice(entries, notice, f"{notice.ocid_prefix}-pipeline-{year}")
        package = None
        errors: tuple[str, ...] = ()
        if releases:
            package = notice_package(releases, publisher=notice.buyer.name, published=release_date(now))
            errors = _errors(package)
        return data.Built(code, organisation.pk, releases[0] if releases else None, tuple(problems), errors,
                          placeholder, package, tuple(releases))

    def may_record(self, user: Visitor, key: str) -> None:
        organisation, _ = self._access(user, key)
        if Role.COMMISSIONER.value not in contracts.register_access(user, organisation.slug).roles:
            raise Forbidden("needs the commissioner role in the organisation")

    def record(self, user: Visitor, key: str, code: NoticeType, published_on: dt.date, identifier: str,
               today: dt.date) -> None:
        self.may_record(user, key)
        organisation, year = self._access(user, key)
        data.record_publication(user, organisation, self.name, str(year), code, published_on, identifier, today)


# Each kind of subject's source.
SOURCES: tuple[Source, ...] = (TenderSource(), ContractSource(), PipelineSource())
