"""The one data-access layer: every page and every API route reads and writes through these functions.

Each function takes the signed-in user and scopes its query by organisation (the user must be a member of the
tender's organisation, otherwise the tender does not exist for them: `NotFound`) and by the user's roles on the
tender (`Forbidden`). What a role may see at a stage is decided by `commonweal.domain.lifecycle` and applied
here, in the queries: sealed prices and other evaluators' scores never leave this module for a user who may not
see them, so no template or API schema can leak them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.db.models import Q

from commonweal.domain.evaluation.assessment import AssessmentSummary
from commonweal.domain.lifecycle import (
    TRANSITIONS,
    Role,
    Stage,
    TenderFacts,
    Transition,
    bid_content_visible,
    missing_for,
    next_transition,
    other_scores_visible,
    prices_visible,
    reached,
)
from commonweal.io.errors import InputError
from commonweal.web import audit, engine, importing
from commonweal.web.models import (
    AbnormallyLowDecision,
    ApiToken,
    AuditEntry,
    Bid,
    ConflictDeclaration,
    Criterion,
    Lot,
    Membership,
    ModeratedScore,
    Organisation,
    Score,
    Tender,
    TenderRole,
)

Visitor = AbstractBaseUser | AnonymousUser

# Roles held across a whole organisation apply to each of its tenders.
ORGANISATION_ROLES = frozenset({Role.ADMIN, Role.COMMISSIONER, Role.VIEWER})
READERS = frozenset({Role.COMMISSIONER, Role.MODERATOR, Role.FINANCE, Role.VIEWER})


class NotFound(Exception):
    """The object does not exist for this user (it may belong to another organisation)."""


class Forbidden(Exception):
    """The user's roles on this tender do not allow this."""


class Refused(Exception):
    """A business rule stops this now (wrong stage, missing precondition); `problems` says what is missing."""

    def __init__(self, problems: Iterable[str], fields: Iterable[str] = ()):
        self.problems = tuple(problems)
        # the form field each problem is about, in the same order, where a page should point to one
        self.fields = tuple(fields)
        super().__init__("; ".join(self.problems))

    def field(self, index: int, default: str) -> str:
        return self.fields[index] if index < len(self.fields) else default


@dataclass(frozen=True)
class Access:
    """A user's standing on one tender, established once per request by `tender_access`."""

    user: User
    tender: Tender
    roles: frozenset[Role]

    @property
    def stage(self) -> Stage:
        return Stage(self.tender.stage)

    def has(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    def require(self, *roles: Role) -> None:
        if not self.has(*roles):
            raise Forbidden(f"needs one of these roles on the tender: {', '.join(r.value for r in roles)}")

    @property
    def actor(self) -> str:
        return self.user.get_username()


def _signed_in(user: Visitor) -> User:
    if not user.is_authenticated:
        raise Forbidden("sign in first")
    assert isinstance(user, User)
    return user


def organisations_for(user: Visitor) -> list[Organisation]:
    member = _signed_in(user)
    return list(Organisation.objects.filter(memberships__user=member).distinct().order_by("name"))


def tender_roles(user: Visitor, tender: Tender) -> frozenset[Role]:
    member = _signed_in(user)
    org_roles = {
        Role(r) for r in Membership.objects.filter(user=member, organisation=tender.organisation_id)
        .values_list("role", flat=True) if r
    }
    own = {Role(r) for r in TenderRole.objects.filter(user=member, tender=tender).values_list("role", flat=True)}
    return frozenset((org_roles & ORGANISATION_ROLES) | own)


def tenders_for(user: Visitor) -> list[Access]:
    """The tenders the user holds a role on, in the organisations they belong to."""
    member = _signed_in(user)
    tenders = (
        Tender.objects.filter(organisation__memberships__user=member)
        .filter(Q(roles__user=member) | Q(organisation__memberships__role__in=[r.value for r in ORGANISATION_ROLES]))
        .select_related("organisation")
        .distinct()
        .order_by("organisation__name", "reference")
    )
    found = [Access(member, t, tender_roles(member, t)) for t in tenders]
    return [a for a in found if a.roles]


def tender_access(user: Visitor, tender_id: int, *roles: Role) -> Access:
    """The user's access to a tender of an organisation they belong to; with `roles`, one of them is required."""
    member = _signed_in(user)
    tender = (
        Tender.objects.filter(pk=tender_id, organisation__memberships__user=member)
        .select_related("organisation")
        .first()
    )
    if tender is None:
        raise NotFound("no such tender")
    access = Access(member, tender, tender_roles(member, tender))
    if not access.roles:
        raise Forbidden("you hold no role on this tender")
    if roles:
        access.require(*roles)
    return access


def organisation_access(user: Visitor, slug: str, *roles: Role) -> Organisation:
    member = _signed_in(user)
    organisation = Organisation.objects.filter(slug=slug, memberships__user=member).distinct().first()
    if organisation is None:
        raise NotFound("no such organisation")
    held = set(Membership.objects.filter(user=member, organisation=organisation).values_list("role", flat=True))
    if roles and not held & {r.value for r in roles}:
        raise Forbidden("needs one of these roles: " + ", ".join(r.value for r in roles))
    return organisation


def members(user: Visitor, slug: str) -> list[Membership]:
    organisation = organisation_access(user, slug, Role.ADMIN)
    return list(
        Membership.objects.filter(organisation=organisation).select_related("user").order_by("user__username", "role")
    )


# -- the tender and its lifecycle ----------------------------------------------------------------------------------


def lots(access: Access) -> list[Lot]:
    return list(access.tender.lots.prefetch_related("criteria").order_by("reference"))


def _criteria(access: Access) -> list[Criterion]:
    return list(Criterion.objects.filter(lot__tender=access.tender).select_related("lot").order_by("lot", "position"))


def _bids(access: Access, *hidden: str) -> list[Bid]:
    """This tender's bids; `hidden` fields are left out of the query (Django's `defer`)."""
    query = Bid.objects.filter(lot__tender=access.tender).select_related("lot").order_by("lot", "bidder")
    return list(query.defer(*hidden) if hidden else query)


def _evaluators(access: Access) -> list[User]:
    roles = TenderRole.objects.filter(tender=access.tender, role=Role.EVALUATOR.value).select_related("user")
    return [r.user for r in roles.order_by("user__username")]


def facts(access: Access, today: dt.date) -> TenderFacts:
    """Gather what the state machine checks, from this tender's rows only."""
    tender = access.tender
    criteria = _criteria(access)
    bids = _bids(access)
    evaluators = _evaluators(access)
    declared = set(ConflictDeclaration.objects.filter(tender=tender).values_list("user_id", flat=True))
    conflicted = set(
        ConflictDeclaration.objects.filter(tender=tender, has_conflict=True).values_list("user_id", flat=True)
    )
    scored = set(Score.objects.filter(bid__lot__tender=tender).values_list("evaluator_id", "bid_id", "criterion_id"))
    moderated = set(ModeratedScore.objects.filter(bid__lot__tender=tender).values_list("bid_id", "criterion_id"))
    missing_scores: list[str] = []
    unmoderated: list[str] = []
    for bid in bids:
        for criterion in (c for c in criteria if c.lot_id == bid.lot_id):
            where = f"{bid.bidder}, {criterion.reference} {criterion.title}"
            for evaluator in evaluators:
                if evaluator.pk in conflicted:
                    continue
                if (evaluator.pk, bid.pk, criterion.pk) not in scored:
                    missing_scores.append(f"{evaluator.get_username()} for {where}")
            if (bid.pk, criterion.pk) not in moderated:
                unmoderated.append(where)
    pending: list[str] = []
    problems = engine.model_problems(tender)
    has_ranking = False
    if reached(access.stage, Stage.PRICES_OPENED):
        try:
            evaluation = engine.evaluate(tender)
        except InputError as exc:
            problems += [f"the evaluation cannot run: {p}" for p in exc.problems]
        else:
            has_ranking = any(lot.result.ranking for lot in evaluation.lots)
            pending = engine.abnormally_low_pending(evaluation)
    return TenderFacts(
        model_problems=tuple(problems),
        lots=tender.lots.count(),
        criteria=len(criteria),
        bids=len(bids),
        evaluators=len([e for e in evaluators if e.pk not in conflicted]),
        undeclared_evaluators=tuple(e.get_username() for e in evaluators if e.pk not in declared),
        missing_scores=tuple(missing_scores),
        unmoderated=tuple(unmoderated),
        abnormally_low_pending=tuple(pending),
        has_ranking=has_ranking,
        standstill_may_enter_on=(
            tender.standstill_last_day + dt.timedelta(days=1) if tender.standstill_last_day else None
        ),
        today=today,
    )


@dataclass(frozen=True)
class NextStep:
    transition: Transition
    allowed: bool
    missing: tuple[str, ...]


def next_step(access: Access, today: dt.date) -> NextStep | None:
    transition = next_transition(access.stage)
    if transition is None:
        return None
    return NextStep(transition, access.has(*transition.roles), missing_for(transition, facts(access, today)))


def advance(access: Access, target: Stage, today: dt.date, award_notice_published: dt.date | None = None) -> Stage:
    """Move the tender to `target`, the next stage, when the user may and every precondition holds."""
    from commonweal.domain.calendar import OutsideCalendar, standstill_period
    from commonweal.domain.reference.bank_holidays import ENGLAND_AND_WALES

    transition = next((t for t in TRANSITIONS if t.source == access.stage and t.target == target), None)
    if transition is None:
        raise Refused([f"A tender at stage '{access.stage.label}' cannot move to '{target.label}'"])
    access.require(*transition.roles)
    missing = missing_for(transition, facts(access, today))
    if target == Stage.STANDSTILL and award_notice_published is None:
        missing += ("Enter the date the contract award notice was published",)
    if missing:
        raise Refused(missing)
    with transaction.atomic():
        tender = Tender.objects.select_for_update().get(pk=access.tender.pk)
        if tender.stage != access.stage.value:
            raise Refused(["The tender changed stage while you were working; reload the page"])
        detail: dict[str, object] = {"from": tender.stage, "to": target.value}
        if target == Stage.STANDSTILL and award_notice_published is not None:
            try:
                period = standstill_period(award_notice_published, ENGLAND_AND_WALES)
            except OutsideCalendar as exc:
                raise Refused([str(exc)], ["award_notice_published"]) from exc
            tender.award_notice_published = award_notice_published
            tender.standstill_last_day = period.last_day
            detail |= {"award_notice_published": award_notice_published.isoformat(),
                       "standstill_last_day": period.last_day.isoformat()}
        tender.stage = target.value
        tender.save()
        audit.record(access.actor, "stage_changed", detail, tender=tender)
    access.tender.refresh_from_db()
    return target


TENDER_ROLES = (Role.COMMISSIONER, Role.EVALUATOR, Role.MODERATOR, Role.FINANCE, Role.VIEWER)


@dataclass(frozen=True)
class TeamMember:
    username: str
    roles: tuple[Role, ...]


def team(access: Access) -> list[TeamMember]:
    """The tender's roles by person, and the organisation's other members who could be given one."""
    access.require(Role.COMMISSIONER)
    held: dict[str, list[Role]] = {}
    for username, role in TenderRole.objects.filter(tender=access.tender).values_list("user__username", "role"):
        held.setdefault(username, []).append(Role(role))
    organisation = access.tender.organisation
    members = Membership.objects.filter(organisation=organisation).values_list("user__username", flat=True)
    return [TeamMember(name, tuple(sorted(held.get(name, []), key=TENDER_ROLES.index)))
            for name in sorted(set(members))]


def assign_role(access: Access, username: str, role: Role) -> None:
    """Give a member of the tender's organisation a role on it. Finance is kept apart from evaluation: the price
    opener never scores and an evaluator never opens prices (Commonweal default, separation of duties)."""
    access.require(Role.COMMISSIONER)
    member = User.objects.filter(
        username=username, memberships__organisation=access.tender.organisation
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
    if problems:
        raise Refused(problems)
    assert member is not None
    with transaction.atomic():
        TenderRole.objects.create(tender=access.tender, user=member, role=role.value)
        audit.record(access.actor, "role_assigned", {"user": username, "role": role.value}, tender=access.tender)


# -- evaluators -------------------------------------------------------------------------------------------------------


def declaration(access: Access) -> ConflictDeclaration | None:
    return ConflictDeclaration.objects.filter(tender=access.tender, user=access.user).first()


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
    return made


def _may_see_bid_content(access: Access) -> bool:
    mine = declaration(access)
    return bid_content_visible(mine is not None and not mine.has_conflict, access.roles)


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
    content = _may_see_bid_content(access)
    if Role.EVALUATOR in access.roles and not content and not access.has(*READERS):
        raise Forbidden("declare any conflict of interest before you see bid content")
    show_price = prices_visible(access.stage)
    # what this user may not see is never fetched, not fetched and then blanked
    hidden = [field for field, shown in (("price", show_price), ("response", content)) if not shown]
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


def _score_views(query: Iterable[Score]) -> list[ScoreView]:
    return [
        ScoreView(s.criterion_id, s.bid_id, s.evaluator.get_username(), s.score, s.rationale) for s in query
    ]


def my_scores(access: Access) -> list[ScoreView]:
    access.require(Role.EVALUATOR)
    return _score_views(Score.objects.filter(bid__lot__tender=access.tender, evaluator=access.user)
                        .select_related("evaluator"))


def all_scores(access: Access) -> list[ScoreView]:
    """Every evaluator's scores, only once moderation has started (independence before then)."""
    if not other_scores_visible(access.stage, access.roles):
        raise Forbidden("individual scores stay independent until moderation")
    return _score_views(
        Score.objects.filter(bid__lot__tender=access.tender).select_related("evaluator").order_by("evaluator__username")
    )


def criteria(access: Access) -> list[Criterion]:
    return _criteria(access)


def criterion(access: Access, criterion_id: int) -> Criterion:
    found = next((c for c in _criteria(access) if c.pk == criterion_id), None)
    if found is None:
        raise NotFound("no such criterion")
    return found


def _checked_score(
    access: Access, bid_id: int, criterion_id: int, value: Decimal, rationale: str
) -> tuple[BidView, Criterion]:
    """The bid and criterion an individual or consensus score is for, once the score is on the criterion's scale
    (the engine's `ScoringScale`) and has a rationale; Refused listing every problem otherwise."""
    target = bid(access, bid_id)
    crit = criterion(access, criterion_id)
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
    if problems:
        raise Refused(problems, fields)
    return target, crit


def record_score(access: Access, bid_id: int, criterion_id: int, value: Decimal, rationale: str) -> Score:
    """An evaluator's own score, while evaluation is open and after declaring no conflict."""
    access.require(Role.EVALUATOR)
    if access.stage != Stage.EVALUATION:
        raise Refused(["Scores can be entered only during evaluation"])
    if not _may_see_bid_content(access):
        raise Forbidden("declare any conflict of interest before scoring")
    target, crit = _checked_score(access, bid_id, criterion_id, value, rationale)
    with transaction.atomic():
        score, created = Score.objects.update_or_create(
            bid_id=target.id, criterion=crit, evaluator=access.user,
            defaults={"score": value, "rationale": rationale.strip()},
        )
        audit.record(
            access.actor, "score_recorded",
            {"bid": target.id, "bidder": target.bidder, "criterion": crit.reference, "score": str(value),
             "rationale": score.rationale, "replaced": not created},
            tender=access.tender,
        )
    return score


SCORE_COLUMNS = ("bidder", "lot", "criterion", "score", "rationale")


def upload_scores(access: Access, file_name: str, content: bytes, consensus: bool) -> int:
    """Record a whole scores file (the CLI's scores.csv|xlsx layout, or moderation.csv|xlsx when `consensus`) as
    this evaluator's own scores, or as the moderator's consensus: every row is checked exactly as a score entered
    on the page; any bad row means InputError naming file, row and column, and nothing is saved. An `evaluator`
    column, when present, must name the signed-in user, so nobody uploads another evaluator's scores."""
    import tempfile
    from pathlib import Path

    from commonweal.io.errors import ProblemCollector
    from commonweal.io.tabular import TABLE_SUFFIXES, parse_decimal, read_table

    access.require(Role.MODERATOR if consensus else Role.EVALUATOR)
    stage = Stage.MODERATION if consensus else Stage.EVALUATION
    if access.stage != stage:
        raise Refused([f"Scores can be uploaded only during {stage.label.lower()}"])
    if not consensus and not _may_see_bid_content(access):
        raise Forbidden("declare any conflict of interest before scoring")
    problems = ProblemCollector()
    suffix = Path(file_name).suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        problems.add(file_name, "must be a .csv or .xlsx file")
        problems.raise_if_any()
    with tempfile.TemporaryDirectory(prefix="commonweal-scores-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(content)
        table = read_table(path, SCORE_COLUMNS, label=file_name)
    bid_ids = {(b.lot, b.bidder): b.id for b in bids(access)}
    criterion_ids = {(c.lot.reference, c.reference): c.pk for c in _criteria(access)}
    checked = []
    for row in table:
        evaluator = row.get("evaluator")
        if not consensus and evaluator and evaluator != access.actor:
            problems.add(file_name, f"names {evaluator!r}; upload only your own scores", row.number, "evaluator")
            continue
        key = (row.get("lot"), row.get("bidder"))
        if key not in bid_ids:
            problems.add(file_name, f"no bid from {row.get('bidder')!r} in lot {row.get('lot')!r}", row.number,
                         "bidder")
            continue
        criterion_id = criterion_ids.get((row.get("lot"), row.get("criterion")))
        if criterion_id is None:
            problems.add(file_name, f"{row.get('criterion')!r} is not a scored criterion of lot {row.get('lot')}",
                         row.number, "criterion")
            continue
        value = parse_decimal(row.get("score"))
        if value is None:
            problems.add(file_name, f"expected a number on the criterion's scale, got {row.get('score')!r}",
                         row.number, "score")
            continue
        try:
            _checked_score(access, bid_ids[key], criterion_id, value, row.get("rationale"))
        except Refused as refused:
            for problem in refused.problems:
                column = "rationale" if "rationale" in problem else "score"
                problems.add(file_name, problem, row.number, column)
            continue
        checked.append((bid_ids[key], criterion_id, value, row.get("rationale")))
    if not table.rows:
        problems.add(file_name, "has no rows of scores", 2)
    problems.raise_if_any()
    record = record_moderation if consensus else record_score
    with transaction.atomic():
        for bid_id, criterion_id, value, rationale in checked:
            record(access, bid_id, criterion_id, value, rationale)
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


def moderation_sheet(access: Access) -> list[ModerationRow]:
    """Individual scores side by side for each bid and criterion, with the spread flagged."""
    access.require(Role.MODERATOR, Role.COMMISSIONER)
    if not reached(access.stage, Stage.MODERATION):
        raise Refused(["Moderation has not started"])
    scores = all_scores(access)
    consensus = {(m.bid_id, m.criterion_id): m for m in ModeratedScore.objects.filter(bid__lot__tender=access.tender)}
    rows = []
    criteria = _criteria(access)
    limits = {c.pk: engine.spread_limit_for(c) for c in criteria}
    for b in bids(access):
        for crit in (c for c in criteria if c.lot_id == b.lot_id):
            own = tuple(s for s in scores if s.bid_id == b.id and s.criterion_id == crit.pk)
            spread = (max(s.score for s in own) - min(s.score for s in own)) if own else None
            rows.append(ModerationRow(b, crit, own, spread, spread is not None and spread >= limits[crit.pk],
                                      consensus.get((b.id, crit.pk))))
    return rows


def record_moderation(access: Access, bid_id: int, criterion_id: int, value: Decimal, rationale: str) -> ModeratedScore:
    access.require(Role.MODERATOR)
    if access.stage != Stage.MODERATION:
        raise Refused(["Consensus scores can be recorded only during moderation"])
    target, crit = _checked_score(access, bid_id, criterion_id, value, rationale)
    with transaction.atomic():
        moderated, created = ModeratedScore.objects.update_or_create(
            bid_id=target.id, criterion=crit,
            defaults={"score": value, "rationale": rationale.strip(), "moderator": access.user},
        )
        audit.record(
            access.actor, "score_moderated",
            {"bid": target.id, "bidder": target.bidder, "criterion": crit.reference, "score": str(value),
             "rationale": moderated.rationale, "replaced": not created},
            tender=access.tender,
        )
    return moderated


# -- after prices are opened -----------------------------------------------------------------------------------------


def _require_prices_open(access: Access) -> None:
    if not prices_visible(access.stage):
        raise Refused(["Prices are sealed until moderation is locked and finance opens them"])


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
        AbnormallyLowDecision.objects.update_or_create(
            bid_id=target.id,
            defaults={"decision": decision, "reason": reason.strip(), "decided_by": access.user, "decided_on": today},
        )
        audit.record(
            access.actor, "abnormally_low_decided",
            {"bid": target.id, "bidder": target.bidder, "decision": decision, "reason": reason.strip()},
            tender=access.tender,
        )


def results(access: Access):  # type: ignore[no-untyped-def]
    """The engine's results for this tender, once prices are open."""
    access.require(*READERS)
    _require_prices_open(access)
    return engine.evaluate(access.tender)


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
    member = _signed_in(user)
    return list(
        Organisation.objects.filter(memberships__user=member, memberships__role=Role.COMMISSIONER.value)
        .distinct()
        .order_by("name")
    )


def create_tender(user: Visitor, slug: str, files: Mapping[str, tuple[str, bytes]]) -> Tender:
    """Create a draft tender from uploaded tender folder files; InputError (file, row, column) and nothing saved
    when any file or row is bad."""
    organisation = organisation_access(user, slug, Role.COMMISSIONER)
    folder, definition = importing.read_uploads(files)
    if Tender.objects.filter(organisation=organisation, reference=folder.tender.reference).exists():
        raise Refused([f"{organisation.name} already has a tender with reference {folder.tender.reference}"])
    member = _signed_in(user)
    with transaction.atomic():
        tender = importing.save_tender(organisation, folder, definition, member.get_username())
        TenderRole.objects.create(tender=tender, user=member, role=Role.COMMISSIONER.value)
    return tender


def issue_token(user: Visitor, label: str) -> str:
    """A new API bearer token for the user; only its SHA-256 digest is kept, so it is shown once."""
    member = _signed_in(user)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        ApiToken.objects.create(user=member, label=label, digest=hashlib.sha256(token.encode()).hexdigest())
        audit.record(member.get_username(), "api_token_issued", {"label": label})
    return token


def record_download(access: Access, what: str, detail: dict[str, object]) -> None:
    """Downloads of results are audited like changes: who took which document, when."""
    with transaction.atomic():
        audit.record(access.actor, "downloaded", {"what": what, **detail}, tender=access.tender)


def audit_trail(access: Access) -> list[AuditEntry]:
    access.require(Role.COMMISSIONER, Role.ADMIN)
    return list(AuditEntry.objects.filter(tender=access.tender).order_by("sequence"))
