"""The tenders area's data functions: every tender page and API route reads and writes through these, each
starting from the access layer (`commonweal.web.access.tender_access`) and filtering what the user's roles and the
tender's stage allow in the query itself: sealed prices and other evaluators' scores never leave this module for a
user who may not see them, so no template or API schema can leak them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, F, Max, Min, Q, QuerySet

from commonweal.domain.audit import disclose
from commonweal.domain.evaluation.assessment import AssessmentSummary
from commonweal.domain.evaluation.evaluate import check_inputs
from commonweal.domain.evaluation.model import PriceRule
from commonweal.domain.evaluation.model import Tender as DomainTender
from commonweal.domain.evaluation.price import evaluated_price
from commonweal.domain.evaluation.records import Bid as DomainBid
from commonweal.domain.evaluation.records import GateResult as DomainGateResult
from commonweal.domain.lifecycle import (
    NEEDS,
    TRANSITIONS,
    Role,
    Shortfall,
    Stage,
    TenderFacts,
    Transition,
    award_notice_date_problems,
    bid_content_visible,
    missing_for,
    next_transition,
    other_scores_visible,
    prices_visible,
    reached,
)
from commonweal.domain.provenance import Source
from commonweal.io.errors import InputError
from commonweal.io.tender_download import folder_files, tender_yaml, zip_bytes
from commonweal.io.tender_folder import TenderFolder, parse_tender_yaml
from commonweal.services.evaluation import TenderEvaluation
from commonweal.web import audit, engine, evaluations, importing
from commonweal.web.access import (
    BIDDER_ACTOR,
    READERS,
    Access,
    BidderAccess,
    Forbidden,
    NotFound,
    Refused,
    Visitor,
    organisation_access,
    signed_in,
)
from commonweal.web.models import (
    AbnormallyLowDecision,
    AuditEntry,
    Bid,
    BidDocument,
    ConflictDecision,
    ConflictDeclaration,
    Criterion,
    GateResult,
    Lot,
    Membership,
    ModeratedScore,
    Organisation,
    Score,
    ScoreSubmission,
    Tender,
    TenderDocument,
    TenderRole,
)
from commonweal.web.tenders import builder

# -- the tender and its lifecycle ----------------------------------------------------------------------------------


def lots(access: Access) -> list[Lot]:
    return list(access.tender.lots.prefetch_related("criteria").order_by("reference"))


def _criteria(access: Access) -> list[Criterion]:
    if "criteria" not in access.read:
        found = list(Criterion.objects.filter(lot__tender=access.tender).select_related("lot")
                     .order_by("lot", "position"))
        for criterion in found:
            # the engine reads the scale from the criterion's tender: this tender, not one query per criterion
            criterion.lot.tender = access.tender
        access.read["criteria"] = found
    return list(access.read["criteria"])


def _bids(access: Access, *hidden: str) -> list[Bid]:
    """This tender's bids; `hidden` fields are left out of the query (Django's `defer`)."""
    query = Bid.objects.filter(lot__tender=access.tender).select_related("lot").order_by("lot", "bidder")
    return list(query.defer(*hidden) if hidden else query)


def facts(access: Access, today: dt.date, target: Stage | None = None) -> TenderFacts:
    """Gather what the state machine checks, as counts from the database (a fixed number of queries, whatever the
    tender's size) and, once prices are open, from the stored evaluation; with `target`, only what the step to it
    reads (`commonweal.domain.lifecycle.NEEDS`)."""
    tender = access.tender
    needs = NEEDS[target] if target is not None else frozenset(f.name for f in fields(TenderFacts))
    found: dict[str, Any] = {"today": today}
    if tender.standstill_last_day:
        found["standstill_may_enter_on"] = tender.standstill_last_day + dt.timedelta(days=1)
    lots: list[tuple[int, str, int, int]] = []
    if needs & {"lots", "criteria", "bids", "missing_scores", "unmoderated"}:
        lots = list(Lot.objects.filter(tender=tender).annotate(
            n_criteria=Count("criteria", distinct=True), n_bids=Count("bids", distinct=True)
        ).values_list("pk", "reference", "n_criteria", "n_bids"))
        found |= {"lots": len(lots), "criteria": sum(n for *_, n, _ in lots), "bids": sum(n for *_, n in lots)}
    criteria_in = {pk: n_criteria for pk, _, n_criteria, _ in lots}
    if needs & {"evaluators", "undeclared_evaluators", "undecided_conflicts", "missing_scores", "unsubmitted"}:
        evaluators = list(TenderRole.objects.filter(tender=tender, role=Role.EVALUATOR.value)
                          .order_by("user__username").values_list("user_id", "user__username"))
        declared = {pk: (conflict, outcome) for pk, conflict, outcome in ConflictDeclaration.objects.filter(
            tender=tender).values_list("user_id", "has_conflict", "decision__outcome")}
        # an evaluator with a conflict scores only once the commissioner decides they continue
        blocked = {pk for pk, (conflict, outcome) in declared.items()
                   if conflict and outcome != ConflictDecision.CONTINUES}
        scoring = [(pk, name) for pk, name in evaluators if pk not in blocked]
        found |= {"evaluators": len(scoring),
                  "undeclared_evaluators": tuple(name for pk, name in evaluators if pk not in declared),
                  "undecided_conflicts": tuple(name for pk, name in evaluators
                                               if pk in blocked and declared[pk][1] is None)}
        if "missing_scores" in needs:
            # every evaluator without a conflict scores every bid against each criterion of its lot
            expected = sum(n_criteria * n_bids for *_, n_criteria, n_bids in lots)
            scored = dict(
                Score.objects.filter(bid__lot__tender=tender, criterion__lot=F("bid__lot"))
                .values("evaluator").annotate(n=Count("pk")).values_list("evaluator", "n")
            )
            found["missing_scores"] = tuple(Shortfall(name, expected - scored.get(pk, 0)) for pk, name in scoring
                                            if scored.get(pk, 0) < expected)
            if "unsubmitted" in needs:
                # one line per person: an evaluator still scoring is named by the shortfall alone
                submitted = set(ScoreSubmission.objects.filter(tender=tender).values_list("evaluator_id", flat=True))
                found["unsubmitted"] = tuple(name for pk, name in scoring
                                             if pk not in submitted and scored.get(pk, 0) >= expected)
    if "unmoderated" in needs:
        moderated = Bid.objects.filter(lot__tender=tender).annotate(
            n=Count("moderated", filter=Q(moderated__criterion__lot=F("lot")))
        ).order_by("lot__reference", "bidder").values_list("bidder", "lot_id", "lot__reference", "n")
        found["unmoderated"] = tuple(
            Shortfall(f"{bidder}, lot {lot}" if len(lots) > 1 else bidder, criteria_in[lot_id] - n)
            for bidder, lot_id, lot, n in moderated if n < criteria_in[lot_id]
        )
    if "model_problems" in needs:
        found["model_problems"] = tuple(engine.model_problems(tender))
    if needs & {"has_ranking", "abnormally_low_pending"} and reached(access.stage, Stage.PRICES_OPENED):
        result = evaluations.stored(tender)
        # when the evaluation cannot run there is no ranking; the results page says why
        found |= {"has_ranking": result.has_ranking, "abnormally_low_pending": tuple(result.abnormally_low_pending)}
    return TenderFacts(**{name: value for name, value in found.items() if name in needs})


@dataclass(frozen=True)
class AwardCriterion:
    """One line of a lot's award criteria as published: price (or a price element), or a criterion the evaluators
    score or the engine computes (quantitative), with its share of the whole evaluation in percent."""

    reference: str
    title: str
    kind: str  # "price", "scored" or "quantitative"
    group: str
    weight: Decimal
    how: str  # the price formula, the scale, or the quantitative method

    @property
    def shown(self) -> str:
        """The weight as the page shows it: to two places, trailing zeros dropped."""
        return _percent(self.weight)


def _percent(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')).normalize():f}"


@dataclass(frozen=True)
class LotCriteria:
    reference: str
    title: str
    criteria: tuple[AwardCriterion, ...]

    @property
    def total(self) -> str:
        return _percent(sum((c.weight for c in self.criteria), Decimal(0)))


def award_criteria(access: Access) -> list[LotCriteria]:
    """Every lot's award criteria from the tender's evaluation model (the engine's reader of its tender.yaml): the
    price, each price element scored separately, and every scored and quantitative criterion, each at its share of
    the whole evaluation, so the weights shown add up to 100. Empty when the model cannot be read (the next step
    lists its problems)."""
    try:
        parsed = engine.domain_tender(access.tender)
    except InputError:
        return []
    found = []
    for lot in parsed.lots:
        model = lot.model
        rows: list[AwardCriterion] = []
        price = model.price
        separate = price.elements and price.combine == "separately"
        if separate:
            rows.extend(AwardCriterion(e.id, e.title, "price", "price", e.weight, e.formula.replace("_", " "))
                        for e in price.elements)
        else:
            how = price.formula.replace("_", " ")
            rows.append(AwardCriterion("price", "Price" + (" (whole-life cost)" if price.elements else ""), "price",
                                       "price", price.weight, how))
        for c in model.leaves():
            how = (c.quantitative.method.replace("_", " ") if c.kind == "quantitative" and c.quantitative
                   else f"scale {c.scale.id}")
            rows.append(AwardCriterion(c.id, c.title, c.kind, model.group(c.group).title, model.effective_weight(c),
                                       how))
        found.append(LotCriteria(lot.id, lot.title, tuple(rows)))
    return found


@dataclass(frozen=True)
class NextStep:
    transition: Transition
    allowed: bool
    missing: tuple[str, ...]


def next_step(access: Access, today: dt.date) -> NextStep | None:
    transition = next_transition(access.stage)
    if transition is None:
        return None
    return NextStep(transition, access.has(*transition.roles),
                    missing_for(transition, facts(access, today, transition.target)))


@dataclass(frozen=True)
class Task:
    """One stage of the tender as a task: done, the next step (ready, or waiting on what is missing), or later;
    `people` are who may take it (the tender's holders of its roles)."""

    transition: Transition
    status: str  # "done", "ready", "waiting" or "later"
    people: tuple[str, ...]
    missing: tuple[str, ...] = ()
    yours: bool = False


def tasks(access: Access, today: dt.date) -> list[Task]:
    """The tender's stages as a task list, with who acts next and what stops them (grouped per person by the
    lifecycle: "evaluator3: 35 scores missing"). The role holders in two queries, then the next step's facts."""
    holders: dict[str, set[str]] = {}
    on_tender = TenderRole.objects.filter(tender=access.tender).values_list("user__username", "role")
    # organisation-wide roles apply to each of its tenders (`commonweal.web.access`)
    organisation_wide = Membership.objects.filter(organisation=access.tender.organisation, user__is_active=True,
                                                  role__in=[r.value for r in TENDER_ROLES]).values_list(
        "user__username", "role")
    for username, role in [*on_tender, *organisation_wide]:
        holders.setdefault(role, set()).add(username)
    step = next_step(access, today)
    found = []
    for transition in TRANSITIONS:
        people = tuple(sorted({u for role in transition.roles for u in holders.get(role.value, [])}))
        if reached(access.stage, transition.target):
            found.append(Task(transition, "done", people))
        elif step is not None and transition == step.transition:
            found.append(Task(transition, "waiting" if step.missing else "ready", people, step.missing,
                              step.allowed))
        else:
            found.append(Task(transition, "later", people))
    return found


@audit.retrying
def advance(access: Access, target: Stage, today: dt.date, award_notice_published: dt.date | None = None) -> Stage:
    """Move the tender to `target`, the next stage, when the user may and every precondition holds."""
    from commonweal.domain.calendar import OutsideCalendar, standstill_period
    from commonweal.domain.reference.bank_holidays import bank_holidays

    transition = next((t for t in TRANSITIONS if t.source == access.stage and t.target == target), None)
    if transition is None:
        raise Refused([f"A tender at stage '{access.stage.label}' cannot move to '{target.label}'"])
    access.require(*transition.roles)
    missing = missing_for(transition, facts(access, today, target))
    if target == Stage.STANDSTILL and award_notice_published is None:
        missing += ("Enter the date the contract award notice was published",)
    if missing:
        raise Refused(missing)
    if target == Stage.STANDSTILL and award_notice_published is not None:
        wrong = award_notice_date_problems(award_notice_published, access.tender.award_recommended_on, today)
        if wrong:
            raise Refused(wrong, ["award_notice_published"] * len(wrong))
    with transaction.atomic():
        tender = Tender.objects.select_for_update().get(pk=access.tender.pk)
        if tender.stage != access.stage.value:
            raise Refused(["The tender changed stage while you were working; reload the page"])
        detail: dict[str, object] = {"from": tender.stage, "to": target.value}
        if target == Stage.STANDSTILL and award_notice_published is not None:
            try:
                period = standstill_period(award_notice_published, bank_holidays())
            except OutsideCalendar as exc:
                raise Refused([str(exc)], ["award_notice_published"]) from exc
            tender.award_notice_published = award_notice_published
            tender.standstill_last_day = period.last_day
            detail |= {"award_notice_published": award_notice_published.isoformat(),
                       "standstill_last_day": period.last_day.isoformat()}
        if target == Stage.AWARD_RECOMMENDED:
            tender.award_recommended_on = today
        tender.stage = target.value
        tender.save()
        if target == Stage.PRICES_OPENED:
            # the inputs are complete and locked: evaluate now, once, for every page that shows the results (before
            # the audit entry, so the audit chain is not held while the engine runs)
            evaluations.refresh(tender)
        audit.record(access.actor, "stage_changed", detail, tender=tender)
    access.tender.refresh_from_db()
    access.read.clear()  # what the user may see changes with the stage
    return target


TENDER_ROLES = (Role.COMMISSIONER, Role.EVALUATOR, Role.MODERATOR, Role.FINANCE, Role.VIEWER)


@dataclass(frozen=True)
class TeamMember:
    username: str
    display_name: str
    roles: tuple[Role, ...]


def team(access: Access) -> list[TeamMember]:
    """The tender's roles by person, and the organisation's other active members who could be given one."""
    access.require(Role.COMMISSIONER)
    held: dict[str, list[Role]] = {}
    for username, role in TenderRole.objects.filter(tender=access.tender).values_list("user__username", "role"):
        held.setdefault(username, []).append(Role(role))
    members = dict(Membership.objects.filter(organisation=access.tender.organisation)
                   .filter(Q(user__is_active=True) | Q(user__username__in=held))
                   .values_list("user__username", "user__first_name"))
    return [TeamMember(name, members[name], tuple(sorted(held.get(name, []), key=TENDER_ROLES.index)))
            for name in sorted(members)]


def _role_problems(access: Access, username: str, role: Role) -> tuple[User | None, list[str]]:
    """Whether a member of the tender's organisation may be given `role` on it: the member, and why not."""
    member = User.objects.filter(
        username=username, memberships__organisation=access.tender.organisation, is_active=True
    ).distinct().first()
    problems = []
    if member is None:
        problems.append(f"{username} is not a member of {access.tender.organisation.name}")
    if role not in TENDER_ROLES:
        problems.append(f"{role.value} is not a role on a tender")
    if member is not None:
        current = {Role(r) for r in TenderRole.objects.filter(tender=access.tender, user=member)
                   .values_list("role", flat=True)}
        if {role} | current >= {Role.EVALUATOR, Role.FINANCE}:
            problems.append("The price opener (finance) cannot also evaluate this tender")
        if role in current:
            problems.append(f"{username} is already {role.value} on this tender")
    return member, problems


@audit.retrying
def assign_role(access: Access, username: str, role: Role) -> None:
    """Give a member of the tender's organisation a role on it. Finance is kept apart from evaluation: the price
    opener never scores and an evaluator never opens prices (Commonweal default, separation of duties)."""
    access.require(Role.COMMISSIONER)
    member, problems = _role_problems(access, username, role)
    if problems:
        raise Refused(problems)
    assert member is not None
    with transaction.atomic():
        TenderRole.objects.create(tender=access.tender, user=member, role=role.value)
        audit.record(access.actor, "role_assigned", {"user": username, "role": role.value}, tender=access.tender)


def remove_tender_role(access: Access, username: str, role: Role) -> None:
    """Take a role on the tender away; what the person did in it (declarations, scores) stays on record."""
    access.require(Role.COMMISSIONER)
    held = TenderRole.objects.filter(tender=access.tender, user__username=username, role=role.value).first()
    if held is None:
        raise Refused([f"{username} is not {role.value} on this tender"])
    with transaction.atomic():
        held.delete()
        audit.record(access.actor, "role_removed", {"user": username, "role": role.value}, tender=access.tender)


# -- evaluators -------------------------------------------------------------------------------------------------------


def declaration(access: Access) -> ConflictDeclaration | None:
    """The user's conflict of interest declaration on this tender; only evaluators declare (no query for others)."""
    if Role.EVALUATOR not in access.roles:
        return None
    if "declaration" not in access.read:  # read once per request: the page and the bid visibility rule both ask
        access.read["declaration"] = ConflictDeclaration.objects.filter(
            tender=access.tender, user=access.user).select_related("decision").first()
    found: ConflictDeclaration | None = access.read["declaration"]
    return found


def cleared(made: ConflictDeclaration | None) -> bool:
    """Whether a declaration lets its evaluator see bids and score: no conflict, or a conflict the commissioner
    decided they continue with (its mitigation recorded, Procurement Act 2023 s.82)."""
    if made is None:
        return False
    if not made.has_conflict:
        return True
    decided = getattr(made, "decision", None)
    return decided is not None and decided.outcome == ConflictDecision.CONTINUES


@audit.retrying
def declare(access: Access, has_conflict: bool, details: str) -> ConflictDeclaration:
    access.require(Role.EVALUATOR)
    if declaration(access) is not None:
        raise Refused(["You have already declared; ask the commissioner to record any change"])
    if has_conflict and not details.strip():
        raise Refused(["Describe the conflict of interest"])
    with transaction.atomic():
        made = ConflictDeclaration.objects.create(
            tender=access.tender, user=access.user, has_conflict=has_conflict, details=details.strip()
        )
        audit.record(
            access.actor, "conflict_declared", {"has_conflict": has_conflict, "details": made.details},
            tender=access.tender,
        )
    access.read.clear()  # an evaluator who declared no conflict now sees bid content
    return made


@dataclass(frozen=True)
class ConflictView:
    """A declared conflict of interest as the commissioner sees it, with what was decided (None: undecided)."""

    id: int
    username: str
    display_name: str
    has_conflict: bool
    details: str
    declared_on: dt.date
    decision: ConflictDecision | None

    @property
    def undecided(self) -> bool:
        return self.has_conflict and self.decision is None


def _conflict_view(made: ConflictDeclaration) -> ConflictView:
    return ConflictView(made.pk, made.user.get_username(), made.user.first_name, made.has_conflict, made.details,
                        made.declared_at.date(), getattr(made, "decision", None))


def conflicts(access: Access) -> list[ConflictView]:
    """The tender's declared conflicts of interest, for its commissioners (no query for anyone else)."""
    if not access.has(Role.COMMISSIONER):
        return []
    return [_conflict_view(made) for made in ConflictDeclaration.objects.filter(
        tender=access.tender, has_conflict=True).select_related("user", "decision", "decision__replacement")
        .order_by("declared_at", "pk")]


def conflict(access: Access, declaration_id: int) -> ConflictView:
    """One declaration on this tender, for its commissioners."""
    access.require(Role.COMMISSIONER)
    made = ConflictDeclaration.objects.filter(tender=access.tender, pk=declaration_id).select_related(
        "user", "decision", "decision__replacement").first()
    if made is None:
        raise NotFound("no such declaration")
    return _conflict_view(made)


def replacements(access: Access) -> list[tuple[str, str]]:
    """Who could take a conflicted evaluator's place: (username, name) of the organisation's active members who are
    neither evaluator nor finance on the tender and have declared no conflict on it."""
    access.require(Role.COMMISSIONER)
    taken = TenderRole.objects.filter(tender=access.tender, role__in=[Role.EVALUATOR.value, Role.FINANCE.value])
    conflicted = ConflictDeclaration.objects.filter(tender=access.tender, has_conflict=True)
    return list(User.objects.filter(memberships__organisation=access.tender.organisation, is_active=True)
                .exclude(pk__in=taken.values("user_id")).exclude(pk__in=conflicted.values("user_id"))
                .distinct().order_by("username").values_list("username", "first_name"))


@audit.retrying
def decide_conflict(access: Access, declaration_id: int, outcome: str, replacement: str, reason: str) -> None:
    """The commissioner's decision on a declared conflict of interest (Procurement Act 2023 s.82, the duty to
    mitigate): replace the evaluator (their evaluator role goes to `replacement`, while evaluation can still take
    a new evaluator's scores) or let them continue; `reason` says why, or the steps that mitigate the conflict.
    Decided once; the declaration row is locked so two commissioners cannot both decide."""
    found = conflict(access, declaration_id)
    problems: list[str] = []
    fields: list[str] = []
    if not found.has_conflict:
        raise Refused([f"{found.username} declared no conflict of interest: there is nothing to decide"])
    if found.decision is not None:
        raise Refused([f"The conflict declared by {found.username} has already been decided"])
    if reached(access.stage, Stage.AWARD_RECOMMENDED):
        raise Refused(["The award has been recommended: conflicts are decided before then"])
    if outcome not in (ConflictDecision.REPLACED, ConflictDecision.CONTINUES):
        problems.append("Choose whether the evaluator is replaced or continues")
        fields.append("outcome")
    member: User | None = None
    if outcome == ConflictDecision.REPLACED:
        if reached(access.stage, Stage.MODERATION):
            problems.append("Evaluation has finished: a new evaluator can no longer score. Choose that the "
                            "evaluator continues and record why, or record the decision outside Commonweal")
            fields.append("outcome")
        elif not replacement:
            problems.append("Choose who replaces the evaluator")
            fields.append("replacement")
        else:
            member, wrong = _role_problems(access, replacement, Role.EVALUATOR)
            if replacement == found.username:
                wrong.append("Choose someone other than the evaluator who declared the conflict")
            problems.extend(wrong)
            fields.extend(["replacement"] * len(wrong))
    if not reason.strip():
        # the conflicts assessment (s.83) keeps the reasons: why a replacement, or how continuing is mitigated
        problems.append("Give the reason for the decision")
        fields.append("reason")
    if problems:
        raise Refused(problems, fields)
    with transaction.atomic():
        made = ConflictDeclaration.objects.select_for_update().get(pk=found.id)
        if ConflictDecision.objects.filter(declaration=made).exists():
            raise Refused([f"The conflict declared by {found.username} has already been decided"])
        ConflictDecision.objects.create(declaration=made, outcome=outcome, replacement=member, reason=reason.strip(),
                                        decided_by=access.user)
        if member is not None:
            TenderRole.objects.filter(tender=access.tender, user_id=made.user_id, role=Role.EVALUATOR.value).delete()
            TenderRole.objects.create(tender=access.tender, user=member, role=Role.EVALUATOR.value)
            audit.record(access.actor, "role_removed", {"user": found.username, "role": Role.EVALUATOR.value},
                         tender=access.tender)
            audit.record(access.actor, "role_assigned", {"user": replacement, "role": Role.EVALUATOR.value},
                         tender=access.tender)
        audit.record(access.actor, "conflict_decided",
                     {"user": found.username, "outcome": outcome, "replacement": replacement if member else "",
                      "reason": reason.strip()}, tender=access.tender)


def _may_see_bid_content(access: Access) -> bool:
    return bid_content_visible(cleared(declaration(access)), access.roles)


@dataclass(frozen=True)
class BidView:
    """A bid as this user may see it: `price` is None while prices are sealed, `response` None before the
    evaluator has declared no conflict."""

    id: int
    lot_id: int
    lot: str
    bidder: str
    response: str | None
    price: Decimal | None


def bids(access: Access) -> list[BidView]:
    access.require(Role.EVALUATOR, *READERS)
    if "bids" not in access.read:
        access.read["bids"] = _bid_views(access)
    return list(access.read["bids"])


def _bid_views(access: Access) -> list[BidView]:
    content = _may_see_bid_content(access)
    if Role.EVALUATOR in access.roles and not content and not access.has(*READERS):
        raise Forbidden("declare any conflict of interest before you see bid content")
    show_price = prices_visible(access.stage)
    # what this user may not see is never fetched, not fetched and then blanked
    hidden = [name for name, shown in (("price", show_price), ("element_prices", show_price), ("response", content))
              if not shown]
    return [
        BidView(
            id=b.pk, lot_id=b.lot_id, lot=b.lot.reference, bidder=b.bidder,
            response=b.response if content else None, price=b.price if show_price else None,
        )
        for b in _bids(access, *hidden)
    ]


def bid(access: Access, bid_id: int) -> BidView:
    found = next((b for b in bids(access) if b.id == bid_id), None)
    if found is None:
        raise NotFound("no such bid")
    return found


@dataclass(frozen=True)
class ScoreView:
    criterion_id: int
    bid_id: int
    evaluator: str
    score: Decimal
    rationale: str


def _score_views(query: QuerySet[Score]) -> list[ScoreView]:
    # plain values, not model objects: a moderation sheet has thousands of scores
    return [ScoreView(*row) for row in query.values_list("criterion_id", "bid_id", "evaluator__username", "score",
                                                         "rationale")]


def my_scores(access: Access, bid_id: int | None = None, criterion_id: int | None = None) -> list[ScoreView]:
    """The evaluator's own scores (for one bid, with `bid_id`; one criterion, with `criterion_id`)."""
    access.require(Role.EVALUATOR)
    query = Score.objects.filter(bid__lot__tender=access.tender, evaluator=access.user)
    if bid_id is not None:
        query = query.filter(bid_id=bid_id)
    if criterion_id is not None:
        query = query.filter(criterion_id=criterion_id)
    return _score_views(query)


def all_scores(access: Access, bid_id: int | None = None) -> list[ScoreView]:
    """Every evaluator's scores (for one bid, with `bid_id`), only once moderation has started (independence
    before then)."""
    if not other_scores_visible(access.stage, access.roles):
        raise Forbidden("individual scores stay independent until moderation")
    query = Score.objects.filter(bid__lot__tender=access.tender)
    return _score_views((query.filter(bid_id=bid_id) if bid_id is not None else query).order_by("evaluator__username"))


def criteria(access: Access) -> list[Criterion]:
    return _criteria(access)


def criterion(access: Access, criterion_id: int) -> Criterion:
    found = next((c for c in _criteria(access) if c.pk == criterion_id), None)
    if found is None:
        raise NotFound("no such criterion")
    return found


def _score_problems(target: BidView, crit: Criterion, value: Decimal, rationale: str) -> Refused | None:
    """What is wrong with an individual or consensus score, each problem with the form field it is about: it must be
    on the criterion's scale (the engine's `ScoringScale`), for a criterion of the bid's lot, with a rationale."""
    problems, fields = [], []
    scale = engine.criterion_scale(crit)
    if not scale.allows(value):
        problems.append(f"Score for {crit.reference} must be one of {', '.join(str(a) for a in scale.scores)}")
        fields.append("score")
    if crit.lot_id != target.lot_id:
        problems.append("That criterion belongs to another lot")
        fields.append("criterion")
    if not rationale.strip():
        problems.append(f"Give a rationale for the score against {crit.reference}")
        fields.append("rationale")
    return Refused(problems, fields) if problems else None


def _may_score(access: Access, consensus: bool, verb: str = "entered") -> None:
    """Evaluators enter their own scores during evaluation, once they have declared no conflict and until they
    submit them; the moderator records the consensus during moderation."""
    access.require(Role.MODERATOR if consensus else Role.EVALUATOR)
    stage = Stage.MODERATION if consensus else Stage.EVALUATION
    if access.stage != stage:
        what = "Consensus scores" if consensus else "Scores"
        raise Refused([f"{what} can be {verb} only during {stage.label.lower()}"])
    if not consensus and not _may_see_bid_content(access):
        raise Forbidden("declare any conflict of interest before scoring")
    if not consensus and (made := submission(access)) is not None:
        raise Refused([f"You submitted your scores on {made.submitted_at.date().isoformat()}: they are locked"])


def _lock_evaluator(access: Access) -> None:
    """Serialise an evaluator's score saves with their submission (inside the caller's transaction): lock their
    evaluator role on the tender, then refuse if they submitted meanwhile."""
    list(TenderRole.objects.select_for_update().filter(tender=access.tender, user=access.user,
                                                       role=Role.EVALUATOR.value))
    made = ScoreSubmission.objects.filter(tender=access.tender, evaluator=access.user).first()
    if made is not None:
        raise Refused([f"You submitted your scores on {made.submitted_at.date().isoformat()}: they are locked"])


def submission(access: Access) -> ScoreSubmission | None:
    """The evaluator's submission of their scores on this tender, if they have submitted."""
    if Role.EVALUATOR not in access.roles:
        return None
    if "submission" not in access.read:
        access.read["submission"] = ScoreSubmission.objects.filter(tender=access.tender, evaluator=access.user).first()
    found: ScoreSubmission | None = access.read["submission"]
    return found


@dataclass(frozen=True)
class Progress:
    scored: int
    total: int

    @property
    def complete(self) -> bool:
        return self.scored >= self.total


def my_progress(access: Access) -> Progress:
    """How many of the bid × criterion pairs the evaluator must score they have scored ("12 of 35 scored")."""
    access.require(Role.EVALUATOR)
    criteria = _criteria(access)
    per_lot: dict[int, int] = {}
    for c in criteria:
        per_lot[c.lot_id] = per_lot.get(c.lot_id, 0) + 1
    total = sum(per_lot.get(b.lot_id, 0) for b in bids(access))
    scored = Score.objects.filter(bid__lot__tender=access.tender, evaluator=access.user,
                                  criterion__lot=F("bid__lot")).count()
    return Progress(scored, total)


def scoring_sequence(access: Access, by_bid: bool) -> list[tuple[BidView, Criterion]]:
    """Every bid × criterion the evaluator scores, in the order they chose: a criterion at a time across the bids
    (the default: each criterion judged against the same descriptors in turn), or a bid at a time."""
    criteria = _criteria(access)
    bid_list = bids(access)
    if by_bid:
        return [(b, c) for b in bid_list for c in criteria if c.lot_id == b.lot_id]
    return [(b, c) for c in criteria for b in bid_list if c.lot_id == b.lot_id]


@audit.retrying
def submit_scores(access: Access) -> ScoreSubmission:
    """"Submit my scores": every score entered, then locked for good (the evaluator can no longer change them)."""
    _may_score(access, consensus=False, verb="submitted")
    with transaction.atomic():
        _lock_evaluator(access)  # no score of theirs is saved between the count and the lock
        progress = my_progress(access)
        if not progress.complete:
            raise Refused([f"Score every bid first: {progress.scored} of {progress.total} scored"])
        made = ScoreSubmission.objects.create(tender=access.tender, evaluator=access.user)
        audit.record(access.actor, "scores_submitted", {"scores": progress.scored}, tender=access.tender)
    access.read["submission"] = made
    return made


ScoreRow = tuple[BidView, Criterion, Decimal, str]


def _save_scores(access: Access, rows: list[ScoreRow], consensus: bool) -> list[Score | ModeratedScore]:
    """Save checked scores (the evaluator's own, or the consensus), each with its own audit entry, in one
    transaction: one insert-or-update statement for all of them (safe against a concurrent save of the same score),
    plus the audit chain's queries per entry."""
    model: Any = ModeratedScore if consensus else Score  # the two share their fields but no base class
    owner: dict[str, object] = {"moderator": access.user} if consensus else {"evaluator": access.user}
    unique = ["bid", "criterion"] if consensus else ["bid", "criterion", "evaluator"]
    with transaction.atomic():
        if not consensus:
            _lock_evaluator(access)
        before = set(model.objects.filter(
            bid_id__in={r[0].id for r in rows}, criterion_id__in={r[1].pk for r in rows}, **({} if consensus else owner)
        ).values_list("bid_id", "criterion_id"))
        saved: dict[tuple[int, int], Score | ModeratedScore] = {}
        replaced = []
        for target, crit, value, rationale in rows:
            key = (target.id, crit.pk)
            replaced.append(key in before or key in saved)
            # a file naming the same score twice keeps the last, as entering it twice on the page does
            saved[key] = model(bid_id=target.id, criterion=crit, score=value, rationale=rationale.strip(), **owner)
        model.objects.bulk_create(
            list(saved.values()), update_conflicts=True, unique_fields=unique,
            update_fields=["score", "rationale", "updated_at", *(["moderator"] if consensus else [])],
        )
        for (target, crit, value, _), was_replaced in zip(rows, replaced, strict=True):
            detail = {"bid": target.id, "bidder": target.bidder, "criterion": crit.reference, "score": str(value),
                      "rationale": saved[(target.id, crit.pk)].rationale, "replaced": was_replaced}
            if consensus:
                audit.record(access.actor, "score_moderated", detail, tender=access.tender)
            else:
                audit.record(access.actor, "score_recorded", detail, tender=access.tender)
    return [saved[(t.id, c.pk)] for t, c, *_ in rows]


def _record(access: Access, bid_id: int, criterion_id: int, value: Decimal, rationale: str,
            consensus: bool) -> Score | ModeratedScore:
    _may_score(access, consensus, "recorded" if consensus else "entered")
    target, crit = bid(access, bid_id), criterion(access, criterion_id)
    if refused := _score_problems(target, crit, value, rationale):
        raise refused
    return _save_scores(access, [(target, crit, value, rationale)], consensus)[0]


@audit.retrying
def record_score(access: Access, bid_id: int, criterion_id: int, value: Decimal, rationale: str) -> Score:
    """An evaluator's own score, while evaluation is open and after declaring no conflict."""
    saved = _record(access, bid_id, criterion_id, value, rationale, consensus=False)
    assert isinstance(saved, Score)
    return saved


SCORE_COLUMNS = ("bidder", "lot", "criterion", "score", "rationale")


@dataclass(frozen=True)
class Replacement:
    """A score a file would change: who and what, the score saved now and the file's."""

    bidder: str
    lot: str
    criterion: str
    saved: Decimal
    new: Decimal
    rationale_changes: bool


class WouldReplace(Exception):
    """The file changes scores already saved: nothing is saved until the person confirms, for this very file
    (its SHA-256, `digest`), that these replacements are meant."""

    def __init__(self, replacements: list[Replacement], digest: str) -> None:
        super().__init__(f"{len(replacements)} saved score(s) would be replaced")
        self.replacements = replacements
        self.digest = digest


def _replacements(access: Access, rows: list[ScoreRow], consensus: bool) -> list[Replacement]:
    model: Any = ModeratedScore if consensus else Score
    query = model.objects.filter(bid__lot__tender=access.tender)
    if not consensus:
        query = query.filter(evaluator=access.user)
    saved = {(b, c): (v, r) for b, c, v, r in query.values_list("bid_id", "criterion_id", "score", "rationale")}
    found = []
    for target, crit, value, rationale in rows:
        before = saved.get((target.id, crit.pk))
        if before is not None and (before[0] != value or before[1] != rationale.strip()):
            found.append(Replacement(target.bidder, target.lot, crit.reference, before[0], value,
                                     before[1] != rationale.strip()))
    return found


@audit.retrying
def upload_scores(access: Access, file_name: str, content: bytes, consensus: bool, replace: str = "") -> int:
    """Record a whole scores file (the CLI's scores.csv|xlsx layout, or moderation.csv|xlsx when `consensus`) as
    this evaluator's own scores, or as the moderator's consensus: every row is checked exactly as a score entered
    on the page; any bad row means InputError naming file, row and column, and nothing is saved. An `evaluator`
    column, when present, must name the signed-in user, so nobody uploads another evaluator's scores. The bids
    and criteria are read once, whatever the file's length. A file that would change a score already saved raises
    WouldReplace, listing each, unless `replace` is that file's SHA-256 (the person saw the list and confirmed)."""
    import hashlib
    from pathlib import Path

    from commonweal.io.errors import ProblemCollector
    from commonweal.io.tabular import TABLE_SUFFIXES, parse_decimal, parse_table

    _may_score(access, consensus, "uploaded")
    problems = ProblemCollector()
    suffix = Path(file_name).suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        problems.add(file_name, "must be a .csv or .xlsx file")
        problems.raise_if_any()
    table = parse_table(file_name, content, SCORE_COLUMNS, suffix=suffix)  # read from memory, never from disk
    bids_by_key = {(b.lot, b.bidder): b for b in bids(access)}
    criteria_by_key = {(c.lot.reference, c.reference): c for c in _criteria(access)}
    checked: list[ScoreRow] = []
    for row in table:
        evaluator = row.get("evaluator")
        if not consensus and evaluator and evaluator != access.actor:
            problems.add(file_name, f"names {evaluator!r}; upload only your own scores", row.number, "evaluator")
            continue
        target = bids_by_key.get((row.get("lot"), row.get("bidder")))
        if target is None:
            problems.add(file_name, f"no bid from {row.get('bidder')!r} in lot {row.get('lot')!r}", row.number,
                         "bidder")
            continue
        crit = criteria_by_key.get((row.get("lot"), row.get("criterion")))
        if crit is None:
            problems.add(file_name, f"{row.get('criterion')!r} is not a scored criterion of lot {row.get('lot')}",
                         row.number, "criterion")
            continue
        value = parse_decimal(row.get("score"))
        if value is None:
            problems.add(file_name, f"expected a number on the criterion's scale, got {row.get('score')!r}",
                         row.number, "score")
            continue
        found = _score_problems(target, crit, value, row.get("rationale"))
        if found is None:
            checked.append((target, crit, value, row.get("rationale")))
            continue
        for index, problem in enumerate(found.problems):
            problems.add(file_name, problem, row.number, found.field(index, "score"))
    if not table.rows:
        problems.add(file_name, "has no rows of scores", 2)
    problems.raise_if_any()
    digest = hashlib.sha256(content).hexdigest()
    if replace != digest and (replacing := _replacements(access, checked, consensus)):
        raise WouldReplace(replacing, digest)
    _save_scores(access, checked, consensus)
    return len(checked)


# -- moderation -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModerationRow:
    bid: BidView
    criterion: Criterion
    scores: tuple[ScoreView, ...]
    spread: Decimal | None
    flagged: bool
    consensus: ModeratedScore | None

    def score_by(self, evaluator: str) -> ScoreView | None:
        return next((s for s in self.scores if s.evaluator == evaluator), None)


def _moderation_started(access: Access) -> None:
    access.require(Role.MODERATOR, Role.COMMISSIONER)
    if not reached(access.stage, Stage.MODERATION):
        raise Refused(["Moderation has not started"])


def moderation_sheet(access: Access, bid_id: int | None = None) -> list[ModerationRow]:
    """Individual scores side by side for each bid (or the one bid `bid_id`) and criterion, with the spread flagged
    at the engine's threshold."""
    _moderation_started(access)
    scores: dict[tuple[int, int], list[ScoreView]] = {}
    for s in all_scores(access, bid_id):
        scores.setdefault((s.bid_id, s.criterion_id), []).append(s)
    consensus_query = ModeratedScore.objects.filter(bid__lot__tender=access.tender)
    if bid_id is not None:
        consensus_query = consensus_query.filter(bid_id=bid_id)
    consensus = {(m.bid_id, m.criterion_id): m for m in consensus_query}
    rows = []
    criteria = _criteria(access)
    limits = {c.pk: engine.spread_limit_for(c) for c in criteria}
    for b in bids(access):
        if bid_id is not None and b.id != bid_id:
            continue
        for crit in (c for c in criteria if c.lot_id == b.lot_id):
            own = tuple(scores.get((b.id, crit.pk), ()))
            spread = (max(s.score for s in own) - min(s.score for s in own)) if own else None
            rows.append(ModerationRow(b, crit, own, spread, spread is not None and spread >= limits[crit.pk],
                                      consensus.get((b.id, crit.pk))))
    return rows


@dataclass(frozen=True)
class BidModeration:
    """How far moderation has gone for one bid: consensus scores agreed of its criteria, and wide spreads."""

    bid: BidView
    criteria: int
    agreed: int
    flagged: int


def moderation_progress(access: Access) -> list[BidModeration]:
    """Each bid's moderation progress, from counts and each score's spread computed in the database (the sheet
    itself is shown a bid at a time: a large tender has hundreds of rows)."""
    _moderation_started(access)
    if not other_scores_visible(access.stage, access.roles):
        raise Forbidden("individual scores stay independent until moderation")
    criteria = _criteria(access)
    limits = {c.pk: engine.spread_limit_for(c) for c in criteria}
    flagged: dict[int, int] = {}
    for bid_id, criterion_id, high, low in (
        Score.objects.filter(bid__lot__tender=access.tender).values("bid_id", "criterion_id")
        .annotate(high=Max("score"), low=Min("score")).values_list("bid_id", "criterion_id", "high", "low")
    ):
        if criterion_id in limits and high - low >= limits[criterion_id]:
            flagged[bid_id] = flagged.get(bid_id, 0) + 1
    agreed = dict(ModeratedScore.objects.filter(bid__lot__tender=access.tender).values("bid_id")
                  .annotate(n=Count("pk")).values_list("bid_id", "n"))
    per_lot = {lot: sum(1 for c in criteria if c.lot_id == lot) for lot in {c.lot_id for c in criteria}}
    return [BidModeration(b, per_lot.get(b.lot_id, 0), agreed.get(b.id, 0), flagged.get(b.id, 0))
            for b in bids(access)]


@audit.retrying
def record_moderation(access: Access, bid_id: int, criterion_id: int, value: Decimal, rationale: str) -> ModeratedScore:
    """The moderator's consensus score, during moderation."""
    saved = _record(access, bid_id, criterion_id, value, rationale, consensus=True)
    assert isinstance(saved, ModeratedScore)
    return saved


# -- after prices are opened -----------------------------------------------------------------------------------------


def _require_prices_open(access: Access) -> None:
    if not prices_visible(access.stage):
        raise Refused(["Prices are sealed until moderation is locked and finance opens them"])


@audit.retrying
def record_abnormally_low(access: Access, bid_id: int, decision: str, reason: str, today: dt.date) -> None:
    """Procurement Act 2023 s.19(3)–(5): a tender may be rejected as abnormally low only after asking the supplier to
    demonstrate it can perform for the price; the commissioner records the decision and why."""
    access.require(Role.COMMISSIONER)
    _require_prices_open(access)
    if access.stage != Stage.PRICES_OPENED:
        raise Refused(["Abnormally low tender decisions are recorded before the award is recommended"])
    target = bid(access, bid_id)
    problems, fields = [], []
    if decision not in ("accepted", "rejected"):
        problems.append("Choose whether the tender is accepted or rejected")
        fields.append("decision")
    if not reason.strip():
        problems.append("Give the reason for the decision")
        fields.append("reason")
    if problems:
        raise Refused(problems, fields)
    with transaction.atomic():
        evaluations.lock_inputs(access.tender)
        AbnormallyLowDecision.objects.update_or_create(
            bid_id=target.id,
            defaults={"decision": decision, "reason": reason.strip(), "decided_by": access.user, "decided_on": today},
        )
        evaluations.refresh(access.tender)  # a rejected tender leaves the ranking; the result changes with it
        audit.record(
            access.actor, "abnormally_low_decided",
            {"bid": target.id, "bidder": target.bidder, "decision": decision, "reason": reason.strip()},
            tender=access.tender,
        )


def results(access: Access) -> TenderEvaluation:
    """The engine's results for this tender, once prices are open: the stored evaluation, never re-run to show it
    (`commonweal.web.evaluations`)."""
    access.require(*READERS)
    _require_prices_open(access)
    try:
        return evaluations.evaluation(access.tender)
    except evaluations.CannotEvaluate as refused:
        raise Refused([f"The evaluation cannot run: {p}" for p in refused.problems]) from refused


def results_json(access: Access) -> dict[str, Any]:
    """The engine's results as JSON (`commonweal evaluate --format json`), once prices are open: the stored
    result as it was stored, one query."""
    access.require(*READERS)
    _require_prices_open(access)
    stored = evaluations.stored(access.tender)
    if stored.problems:
        raise Refused([f"The evaluation cannot run: {p}" for p in stored.problems])
    return dict(stored.result)


def summary(access: Access, bid_id: int) -> AssessmentSummary:
    """The assessment summary (Procurement Act 2023 s.50(3), Procurement Regulations 2024 reg 31) for one bid."""
    target = bid(access, bid_id)
    evaluation = results(access)
    summaries: list[AssessmentSummary] = [s for lot in evaluation.lots for s in lot.summaries]
    for found in summaries:
        if found.lot == target.lot and found.supplier == target.bidder:
            return found
    raise NotFound("no assessment summary for that bid")


def creatable_in(user: Visitor) -> list[Organisation]:
    """The organisations in which the user may create tenders (organisation commissioners)."""
    member = signed_in(user)
    return list(
        Organisation.objects.filter(memberships__user=member, memberships__role=Role.COMMISSIONER.value)
        .distinct()
        .order_by("name")
    )


@audit.retrying
def create_tender(user: Visitor, slug: str, files: Mapping[str, tuple[str, bytes]]) -> Tender:
    """Create a draft tender from uploaded tender folder files; InputError (file, row, column) and nothing saved
    when any file or row is bad."""
    organisation = organisation_access(user, slug, Role.COMMISSIONER)
    folder, definition = importing.read_uploads(files)
    if folder.tender.buyer.strip() != organisation.name:
        # a tender created here is run by this organisation: its documents name it, so the file must too
        raise Refused([f"tender.yaml names the buyer {folder.tender.buyer!r}, but this tender would be "
                       f"{organisation.name}'s: change buyer in the file to {organisation.name}; nothing was saved"])
    return _create(user, organisation, folder, definition)


def _create(user: Visitor, organisation: Organisation, folder: TenderFolder, definition: str) -> Tender:
    """The one way a tender is saved, uploaded or built: its reference unused in the organisation, its creator its
    commissioner."""
    if Tender.objects.filter(organisation=organisation, reference=folder.tender.reference).exists():
        raise Refused([f"{organisation.name} already has a tender with reference {folder.tender.reference}"],
                      ["reference"])
    member = signed_in(user)
    with transaction.atomic():
        tender = importing.save_tender(organisation, folder, definition, member.get_username())
        TenderRole.objects.create(tender=tender, user=member, role=Role.COMMISSIONER.value)
    return tender


# -- the tender builder ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """A built tender before it is saved: the tender.yaml its fields make, and the engine's reading of it."""

    organisation: Organisation
    definition: str
    tender: DomainTender


def draft_tender(user: Visitor, slug: str, fields: Mapping[str, str], editing: Tender | None = None) -> Draft:
    """The builder's fields as a tender.yaml, read and checked by the engine's own reader (every rule of the model
    is its: weights to 100, scales, thresholds, tie-breaks, the social value minimum and its reason); InputError
    naming each problem's path, or Refused when the reference is taken (by a tender other than the one `editing`).
    Nothing is saved."""
    organisation = organisation_access(user, slug, Role.COMMISSIONER)
    document, _ = builder.document(fields, organisation.name)
    definition = tender_yaml(document)
    parsed, _ = parse_tender_yaml(definition)
    others = Tender.objects.filter(organisation=organisation, reference=parsed.reference)
    if (others.exclude(pk=editing.pk) if editing else others).exists():
        raise Refused([f"{organisation.name} already has a tender with reference {parsed.reference}"],
                      ["reference"])
    return Draft(organisation, definition, parsed)


@audit.retrying
def create_built_tender(user: Visitor, slug: str, fields: Mapping[str, str]) -> Tender:
    """Create the draft tender the builder's fields describe, checked again as it is saved, by the same saving path
    as an uploaded tender (its bids are added afterwards, one by one, by `add_bid`)."""
    made = draft_tender(user, slug, fields)
    return _create(user, made.organisation, TenderFolder(Path("built"), made.tender), made.definition)


# A tender's model is edited only while it is a draft and before any bid is entered (Commonweal default: no statute
# found for a workspace draft; once bids exist, changing the criteria they answer would change the competition under
# them. How a published tender's award criteria may be modified is the Act's, unverified here and not offered).
def editable(access: Access) -> None:
    """Refused unless this tender's model may still be edited with the builder."""
    access.require(Role.COMMISSIONER)
    if access.stage != Stage.DRAFT:
        raise Refused([f"The tender is {access.stage.label.lower()}: its model can be edited only while it is a draft"])
    if Bid.objects.filter(lot__tender=access.tender).exists():
        raise Refused(["Bids have been entered for this tender: its model can no longer be edited"])


def edit_fields(access: Access) -> dict[str, str]:
    """The builder's fields for this draft tender, read from its stored tender.yaml; Refused when the file uses what
    the builder does not offer (they would be lost by an edit here)."""
    editable(access)
    stored, _ = parse_tender_yaml(access.tender.definition)
    values = builder.fields_of(stored)
    try:
        again = draft_tender(access.user, access.tender.organisation.slug, values, editing=access.tender).tender
    except (InputError, Refused):
        again = None
    if again != stored:
        raise Refused(["This tender's tender.yaml uses what the builder does not offer (such as a price formula's "
                       "parameters, sub-criteria, quantitative criteria, a lot's own model or more rows than the "
                       "builder's maximum): it cannot be edited with forms without losing them"])
    return values


@audit.retrying
def edit_tender(access: Access, fields: Mapping[str, str]) -> Tender:
    """Replace this draft tender's details, lots and criteria by what the builder's fields describe, through the
    same saving path as a new tender (`importing.save_lots`), audited with the fields that changed."""
    with transaction.atomic():
        tender = Tender.objects.select_for_update().get(pk=access.tender.pk)
        editable(access)  # checked again under the lock: no bid entered meanwhile
        before = builder.fields_of(parse_tender_yaml(tender.definition)[0])
        made = draft_tender(access.user, tender.organisation.slug, fields, editing=tender)
        Lot.objects.filter(tender=tender).delete()
        tender.reference, tender.title, tender.definition = made.tender.reference, made.tender.title, made.definition
        tender.save(update_fields=["reference", "title", "definition"])
        importing.save_lots(tender, made.tender)
        audit.record(access.actor, "tender_edited",
                     {"reference": tender.reference, "changed": builder.changed(before, builder.fields_of(made.tender)),
                      "tender_yaml_sha256": hashlib.sha256(made.definition.encode("utf-8")).hexdigest()},
                     tender=tender)
    access.read.clear()
    return tender


def audit_head(access: Access) -> str:
    """The organisation's audit chain head now, as statutory documents print it (chain, sequence, hash), so a later
    `commonweal audit verify --head` shows whether any entry made before the document has gone."""
    head = audit.head(access.tender.organisation)
    return f"{head.chain} #{head.sequence} {head.hash}"


@audit.retrying
def record_download(access: Access, what: str, detail: dict[str, object]) -> None:
    """Downloads of results are audited like changes: who took which document, when."""
    with transaction.atomic():
        audit.record(access.actor, "downloaded", {"what": what, **detail}, tender=access.tender)


@dataclass(frozen=True)
class AuditView:
    """An audit entry as this user may see it: who did what when, always; the detail fields they may not see at
    this stage (scores, rationales, prices, bid content: `commonweal.domain.audit.DETAIL_NEEDS`) are left out of
    `detail` and named in `withheld`."""

    sequence: int
    at: str
    actor: str
    action: str
    detail: dict[str, object]
    withheld: tuple[str, ...]
    # None when anything is withheld: the hash covers the withheld fields, so it would let a viewer test guesses
    # of a low-entropy one (a score, a bidder from a known list)
    hash: str | None


def audit_trail(access: Access) -> list[AuditView]:
    """The tender's audit entries, each disclosed by the lifecycle's rules for this user now (score independence
    until moderation, sealed prices, no bid content for the admin); evaluators see their own entries' detail."""
    access.require(Role.COMMISSIONER, Role.ADMIN)
    views = []
    for e in AuditEntry.objects.filter(tender=access.tender).order_by("sequence"):
        shown = disclose(e.action, e.detail, access.stage, access.roles, own=e.actor == access.actor)
        views.append(AuditView(e.sequence, e.at, e.actor, e.action, shown.detail, shown.withheld,
                               None if shown.withheld else e.hash))
    return views


# -- bid documents ----------------------------------------------------------------------------------------------------

# Bid documents are added while bids are received and before evaluation starts (Commonweal default: an evaluator
# never sees a bid change under them).
DOCUMENTS_OPEN = (Stage.DRAFT, Stage.OPEN, Stage.CLOSED)


def _document_visible(access: Access, purpose: str) -> bool:
    """A price schedule is sealed like the price; a response is bid content (the evaluator's declaration first)."""
    if purpose == BidDocument.PRICE_SCHEDULE:
        return prices_visible(access.stage) and _may_see_bid_content(access)
    return _may_see_bid_content(access)


def documents(access: Access, bid_id: int) -> list[BidDocument]:
    """The bid's documents this person may see now (in the query: a sealed price schedule is never fetched)."""
    target = bid(access, bid_id)
    purposes = [p for p in (BidDocument.RESPONSE, BidDocument.PRICE_SCHEDULE) if _document_visible(access, p)]
    return list(BidDocument.objects.filter(bid_id=target.id, purpose__in=purposes).select_related("criterion"))


def document(access: Access, document_id: int) -> BidDocument:
    """One document, through the same rules as `documents`; NotFound for what may not be seen."""
    found = BidDocument.objects.filter(pk=document_id, bid__lot__tender=access.tender).first()
    if found is None or not _document_visible(access, found.purpose):
        raise NotFound("no such document")
    bid(access, found.bid_id)  # the bid itself must be visible to this person
    return found


# -- the tender's own documents (the associated tender documents, s.21(4)) --------------------------------------

# Commonweal default: the commissioner adds the tender's documents while it is a draft or open for bids (a document
# added while open reaches every invited bidder at once, as a published clarification does); from the close of
# bids they are the record of what was asked and stay as they are.
TENDER_DOCUMENTS_OPEN = (Stage.DRAFT, Stage.OPEN)


def tender_documents(tender: Tender) -> list[TenderDocument]:
    """The tender's documents, for anyone the caller's access layer has let see the tender (its people through
    `tender_access`, invited bidders through `bidder_access`)."""
    return list(TenderDocument.objects.filter(tender=tender))


def tender_document(tender: Tender, document_id: int) -> TenderDocument:
    found = TenderDocument.objects.filter(pk=document_id, tender=tender).first()
    if found is None:
        raise NotFound("no such document")
    return found


@audit.retrying
def add_tender_document(access: Access, title: str, name: str, content: bytes) -> TenderDocument:
    """Store one of the tender's documents through the one document store, recorded and audited in one transaction."""
    from commonweal.web import documents as store

    access.require(Role.COMMISSIONER)
    if access.stage not in TENDER_DOCUMENTS_OPEN:
        raise Refused(["The tender's documents are added while it is a draft or open for bids"], ["document"])
    stored = store.store(f"{access.tender.organisation.slug}/tenders/{access.tender.pk}/documents", name,
                         content)  # InputError naming the file
    with transaction.atomic():
        made = TenderDocument.objects.create(tender=access.tender, title=title, name=name, added_by=access.user,
                                             **stored.fields())
        audit.record(access.actor, "tender_document_added",
                     {"title": title, "name": name, "kind": stored.kind, "sha256": stored.sha256},
                     tender=access.tender)
    return made


# Bids are received until the end of the last day for tenders, UK time (Commonweal default: the tender notice
# states a day, `publishing.TenderNoticeFacts.tender_period_end`, not an hour).
UK = ZoneInfo("Europe/London")


def _end_of(last_day: dt.date | None) -> dt.datetime | None:
    return None if last_day is None else dt.datetime.combine(last_day, dt.time(23, 59, 59), tzinfo=UK)


def bids_close(tender: Tender) -> dt.datetime | None:
    """The end of the last day for tenders the tender's notice states (None: it states none yet)."""
    from commonweal.web.publishing.models import TenderNoticeFacts

    return _end_of(TenderNoticeFacts.objects.filter(tender=tender).values_list("tender_period_end", flat=True)
                   .first())


def bidder_uploads_close(tender: Tender) -> dt.datetime | None:
    """When the tender's bidders' own uploads close (`bids_close`), if the council lets its bidders upload
    (`providers.BidderUploads`); None otherwise (no upload is taken). One query."""
    from commonweal.web.publishing.models import TenderNoticeFacts

    return _end_of(TenderNoticeFacts.objects.filter(tender=tender, tender__bidder_uploads__allowed=True)
                   .values_list("tender_period_end", flat=True).first())


def own_bids(access: BidderAccess) -> list[Bid]:
    """The bidder's own bids on the tender, one per lot: those it started itself (`start_own_bid`, linked to its
    provider), and those the council recorded under its provider's name (a Commonweal default: the council records
    each bid under the bidder's name as the bidder gives it). Never a price, nor another bidder's bid."""
    return list(Bid.objects.filter(lot__tender=access.tender)
                .filter(Q(provider=access.provider)
                        | Q(provider__isnull=True, bidder__iexact=access.provider.organisation.name))
                .only("id", "lot_id", "bidder", "lot__reference", "lot__title").select_related("lot")
                .order_by("lot__reference"))


def lots_to_bid_for(access: BidderAccess) -> list[Lot]:
    """The tender's lots the bidder has no bid in yet (it may start one while the council takes bids through the
    portal); one query."""
    return list(Lot.objects.filter(tender=access.tender)
                .exclude(bids__in=Bid.objects.filter(Q(provider=access.provider) | Q(
                    provider__isnull=True, bidder__iexact=access.provider.organisation.name)))
                .only("id", "reference", "title").order_by("reference"))


def own_documents(access: BidderAccess) -> list[BidDocument]:
    """The documents of the bidder's own bids (its own price schedule included: it is sealed from the council's
    evaluators, not from the bidder who made it)."""
    return list(BidDocument.objects.filter(bid__in=[b.id for b in own_bids(access)]).select_related("bid__lot"))


def _bidder_may_send(access: BidderAccess, now: dt.datetime) -> None:
    """Refused unless the council takes bids through the portal for this tender, it is open and its deadline has not
    passed: the one rule for a bidder's own bid and its documents."""
    closes = bidder_uploads_close(access.tender)
    if closes is None:
        raise Refused(["The council does not take bid documents through this portal for this tender"])
    if access.stage != Stage.OPEN or now > closes:
        raise Refused([f"Bids closed at {closes:%H:%M} on {closes:%d %B %Y}: late documents are not accepted"])


def _upload_target(access: Access | BidderAccess, bid_id: int, now: dt.datetime) -> tuple[int, int, str]:
    """The bid a document is added to, as (id, lot id, bidder), once this person may add one to it now."""
    if isinstance(access, BidderAccess):
        _bidder_may_send(access, now)
        own = next((b for b in own_bids(access) if b.id == bid_id), None)
        if own is None:
            raise NotFound("no such bid")
        return own.id, own.lot_id, own.bidder
    access.require(Role.COMMISSIONER)
    if access.stage not in DOCUMENTS_OPEN:
        raise Refused(["Bid documents are added before evaluation starts"])
    target = bid(access, bid_id)
    return target.id, target.lot_id, target.bidder


@audit.retrying
def add_document(access: Access | BidderAccess, bid_id: int, criterion_id: int | None, purpose: str, name: str,
                 content: bytes, now: dt.datetime | None = None) -> BidDocument:
    """Store a bid's document through the one document store (`commonweal.web.documents`: kind from its content,
    size limited, per organisation under the media root), recorded and audited in one transaction. The one way a
    document enters: the commissioner's page before evaluation starts, or the bidder's own upload from the provider
    portal (`BidderAccess`: to its own bid, while the council lets its bidders upload and the tender is open, never
    after the deadline; checked again inside the transaction, so an upload racing the deadline is refused whole)."""
    from django.utils import timezone

    from commonweal.web import documents as store

    bid_id, lot_id, bidder = _upload_target(access, bid_id, now or timezone.now())
    problems, fields = [], []
    if purpose not in (BidDocument.RESPONSE, BidDocument.PRICE_SCHEDULE):
        problems.append("Choose whether the document is a response or the price schedule")
        fields.append("purpose")
    crit = None
    if criterion_id is not None:
        crit = Criterion.objects.filter(pk=criterion_id, lot__tender=access.tender).first()
        if crit is None:
            raise NotFound("no such criterion")
    if crit is not None and crit.lot_id != lot_id:
        problems.append("That criterion belongs to another lot")
        fields.append("criterion")
    if crit is not None and purpose == BidDocument.PRICE_SCHEDULE:
        problems.append("A price schedule is for the whole bid, not one criterion")
        fields.append("criterion")
    if problems:
        raise Refused(problems, fields)
    stored = store.store(f"{access.tender.organisation.slug}/tenders/{access.tender.pk}/bids/{bid_id}", name,
                         content)  # InputError naming the file
    with transaction.atomic():
        if isinstance(access, BidderAccess):
            # the council's switch and the tender's stage, read again under the tender's lock: nothing races them
            locked = Tender.objects.select_for_update().get(pk=access.tender.pk)
            _upload_target(BidderAccess(access.user, locked, access.provider), bid_id, now or timezone.now())
        made = BidDocument.objects.create(bid_id=bid_id, criterion=crit, purpose=purpose, name=name,
                                          added_by=access.user, **stored.fields())
        actor = BIDDER_ACTOR if isinstance(access, BidderAccess) else access.actor
        audit.record(actor, "bid_document_added",
                     {"bid": bid_id, "bidder": bidder, "purpose": purpose,
                      "criterion": crit.reference if crit else "", "name": name, "sha256": stored.sha256},
                     tender=access.tender)
    return made


# -- bids entered by the commissioner -----------------------------------------------------------------------------

# where an entered bid's checks point: the form, not a row of a file
_BID_FORM = Source("the bid form")


def price_elements(access: Access | BidderAccess, lots: Sequence[Lot]) -> list[tuple[str, str, frozenset[int]]]:
    """The price elements of these lots of the tender (id, title, the lots that price it), each once, for a bid
    form (no query: the model is the stored tender.yaml's)."""
    by_reference = {lot.reference: lot.pk for lot in lots}
    found: dict[str, tuple[str, set[int]]] = {}
    for lot in engine.domain_tender(access.tender).lots:
        for e in lot.model.price.elements if lot.id in by_reference else ():
            found.setdefault(e.id, (e.title, set()))[1].add(by_reference[lot.id])
    return [(e, title, frozenset(lots)) for e, (title, lots) in found.items()]


@audit.retrying
def gates(access: Access) -> list[tuple[str, str]]:
    """The pass/fail gates of the tender's models (id, title), each once, for the bid form."""
    found = {g.id: g.title for lot in engine.domain_tender(access.tender).lots for g in lot.model.gates}
    return list(found.items())


def add_bid(access: Access, lot_id: int, bidder: str, price: Decimal | None, identifier: str = "", address: str = "",
            email: str = "", gate_results: Mapping[str, tuple[bool, str]] | None = None,
            element_prices: Mapping[str, Decimal] | None = None) -> Bid:
    """Enter a received bid, sealed as an uploaded bid is (`BidView.price` stays None until prices are opened).
    The bidder's identity and the price are checked by the engine's own input checks on the lot with this bid
    added (`check_inputs`: one bid per bidder, names equal after case and spacing being one bidder). A lot priced
    as elements takes `element_prices` (sealed with the price, which is then their evaluated total) instead of
    `price`. Bids are entered while documents are (`DOCUMENTS_OPEN`), so evaluation never starts on a bid list that
    then changes."""
    access.require(Role.COMMISSIONER)
    if access.stage not in DOCUMENTS_OPEN:
        raise Refused(["Bids are added before evaluation starts"], ["bidder"])
    made = _record_bid(access, lot_id, bidder, price, identifier, address, email, gate_results,
                       element_prices=element_prices)
    access.read.pop("bids", None)
    return made


@audit.retrying
def start_own_bid(access: BidderAccess, lot_id: int, price: Decimal | None, now: dt.datetime | None = None,
                  element_prices: Mapping[str, Decimal] | None = None) -> Bid:
    """A bidder starts its own bid for a lot from the provider portal, under its provider organisation's name and
    linked to its provider: where the council takes bids through the portal, while the tender is open and before
    its deadline (`_bidder_may_send`, read again under the tender's lock), its identity and price checked by the
    same engine rules as the council's `add_bid` (one bid per bidder, names equal after case and spacing).
    The price (or, for a lot priced as elements, each element's price) is sealed exactly as an entered bid's;
    audited as "bidder", as its documents are."""
    return _record_bid(access, lot_id, access.provider.organisation.name, price, now=now,
                       element_prices=element_prices)


def _record_bid(access: Access | BidderAccess, lot_id: int, bidder: str, price: Decimal | None, identifier: str = "",
                address: str = "", email: str = "", gate_results: Mapping[str, tuple[bool, str]] | None = None,
                now: dt.datetime | None = None, element_prices: Mapping[str, Decimal] | None = None) -> Bid:
    """A bid recorded, once the engine's input checks pass on its lot with it added: the council's entry and the
    bidder's own one path."""
    from django.utils import timezone

    with transaction.atomic():
        locked = Tender.objects.select_for_update().get(pk=access.tender.pk)  # two adding the same bidder at once
        provider = None
        if isinstance(access, BidderAccess):
            _bidder_may_send(BidderAccess(access.user, locked, access.provider), now or timezone.now())
            provider = access.provider
        lot = Lot.objects.filter(tender=access.tender, pk=lot_id).first()
        if lot is None:
            raise Refused(["Choose a lot of this tender"], ["lot"])
        domain_lot = next(d for d in engine.domain_tender(access.tender).lots if d.id == lot.reference)
        rule = domain_lot.model.price
        given = element_prices or {}
        elements = {e.id: given[e.id] for e in rule.elements if e.id in given}
        if rule.elements and len(elements) < len(rule.elements):
            raise Refused([f"Enter the price of each of lot {lot.reference}'s price elements"], ["lot"])
        if rule.elements:
            # the bid's price is its elements' evaluated total, exact, as the reader makes it from bids.csv
            price = evaluated_price(rule, elements)
        elif price is None:
            raise Refused(["Enter the bid's price in pounds"], ["price"])
        entered = DomainBid(bidder, lot.reference, price, identifier=identifier, address=address, email=email,
                            source=_BID_FORM, element_prices=tuple(elements.items()))
        others = [engine.domain_bid(rule, name, lot.reference, value, "", "", "", stored)
                  for name, value, stored in Bid.objects.filter(lot=lot).values_list("bidder", "price",
                                                                                     "element_prices")]
        results = [DomainGateResult(bidder, lot.reference, gate, passed, rationale, _BID_FORM)
                   for gate, (passed, rationale) in (gate_results or {}).items()]
        # only this bid's problems are the form's: its own rows, and what it lacks (a gate's result; an offer for a
        # quantitative criterion, which comes with a commitments file, so such a lot's bids are uploaded). A bidder's
        # own bid answers for its identity and price only: its gate results are the council's judgement, and what
        # it lacks is named by the engine's same checks before evaluation starts.
        issues = [i for i in check_inputs(domain_lot, [*others, entered], [], [], results, expect_scores=False)
                  if i.source == _BID_FORM or (provider is None and i.source is None
                                               and i.message.startswith(f"{bidder} has no "))]
        if issues:
            raise Refused([i.message for i in issues], [_bid_field(i.column, rule) for i in issues])
        made = Bid.objects.create(lot=lot, bidder=entered.bidder, price=price.quantize(importing.PENNY),
                                  identifier=identifier, address=address, email=email, provider=provider,
                                  element_prices={e: f"{v:f}" for e, v in elements.items()})
        GateResult.objects.bulk_create(GateResult(bid=made, gate=r.gate, passed=r.passed, rationale=r.rationale)
                                       for r in results)
        audit.record(BIDDER_ACTOR if provider else access.actor, "bid_added",
                     {"bid": made.pk, "bidder": made.bidder, "lot": lot.reference, "price": f"{price:f}",
                      **({"element_prices": made.element_prices} if elements else {}),
                      "gates": {r.gate: "pass" if r.passed else "fail" for r in results}},
                     tender=access.tender)
    return made


def _bid_field(column: str | None, rule: PriceRule) -> str:
    """The bid form's field an engine check on the entered bid is about: the bidder, the price, or a price element
    (`check_inputs` names the element's id as the issue's column), as `element:<id>`."""
    if column in {e.id for e in rule.elements}:
        return f"element:{column}"
    return str(column) if column in ("bidder", "price") else "bidder"


# -- the tender as a folder -------------------------------------------------------------------------------------


def folder_download(access: Access) -> tuple[str, bytes]:
    """The tender as the folder `commonweal evaluate` reads, zipped (file name, bytes), for its commissioner: the
    prices only once they are opened, the evaluators' scores only once the commissioner may see them side by
    side, the consensus from moderation on (`commonweal.domain.lifecycle`). Audited as a download."""
    access.require(Role.COMMISSIONER)
    stage = access.stage
    files = folder_files(engine.tender_folder(access.tender), access.tender.definition,
                         prices=prices_visible(stage), scores=other_scores_visible(stage, access.roles),
                         moderation=reached(stage, Stage.MODERATION))
    record_download(access, "tender folder", {"format": "zip"})
    from commonweal.web.documents import safe_name

    # the reference is free text: the folder inside the zip is named as the download is (`documents.attach`)
    name = safe_name(access.tender.reference) or f"tender-{access.tender.pk}"
    return f"{name}.zip", zip_bytes(files, name)
