"""The demo world: one shared service serving two councils, a user per role, and the example tender part-way
through evaluation. Used by `commonweal web demo` and by the tests, so the demo is what the tests exercise."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from commonweal.domain.lifecycle import Role, Stage, reached
from commonweal.io.tender_folder import TENDER_FILE, load_tender_folder
from commonweal.web import audit, evaluations
from commonweal.web.contracts import demo as contracts_demo
from commonweal.web.importing import save_tender
from commonweal.web.models import ConflictDeclaration, Membership, Organisation, Tender, TenderRole
from commonweal.web.publishing import demo as publishing_demo
from commonweal.web.socialvalue import demo as socialvalue_demo
from commonweal.web.spend import demo as spend_demo
from commonweal.web.suppliers import demo as suppliers_demo

EXAMPLE = Path(settings.REPO_DIR) / "examples" / "home-care-tender"

SHARED_SERVICE = "Northfield and Southdale Shared Procurement Service"
COUNCILS = ("Northfield Borough Council", "Southdale District Council")

# One user per role. The evaluators, moderator and finance officer are shared-service staff working on both
# councils' tenders; `commissioner`, `viewer` and `admin` belong to Northfield only; `shared.commissioner` is a
# commissioner for both councils and `southdale.commissioner` for Southdale only (to show the isolation).
ROLE_USERS = {
    "commissioner": Role.COMMISSIONER,
    "evaluator1": Role.EVALUATOR,
    "evaluator2": Role.EVALUATOR,
    "evaluator3": Role.EVALUATOR,
    "moderator": Role.MODERATOR,
    "finance": Role.FINANCE,
    "viewer": Role.VIEWER,
    "admin": Role.ADMIN,
}


@dataclass(frozen=True)
class DemoWorld:
    shared_service: Organisation
    northfield: Organisation
    southdale: Organisation
    passwords: dict[str, str]


def _user(username: str, passwords: dict[str, str], password: str | None) -> User:
    chosen = password or secrets.token_urlsafe(12)
    user, _ = User.objects.get_or_create(username=username)
    user.set_password(chosen)
    user.save()
    passwords[username] = chosen
    return user


@transaction.atomic
def seed_people(password: str | None = None) -> DemoWorld:
    """Organisations, users and organisation roles. Passwords are random per seed unless `password` is given."""
    shared, _ = Organisation.objects.get_or_create(slug="shared-service", defaults={"name": SHARED_SERVICE})
    northfield, _ = Organisation.objects.get_or_create(
        slug="northfield", defaults={"name": COUNCILS[0], "served_by": shared}
    )
    southdale, _ = Organisation.objects.get_or_create(
        slug="southdale", defaults={"name": COUNCILS[1], "served_by": shared}
    )
    passwords: dict[str, str] = {}
    for name, role in ROLE_USERS.items():
        user = _user(name, passwords, password)
        if role in (Role.EVALUATOR, Role.MODERATOR, Role.FINANCE):
            # shared-service staff: plain members of both councils, given roles tender by tender
            for council in (northfield, southdale):
                Membership.objects.get_or_create(user=user, organisation=council, role="")
        else:
            Membership.objects.get_or_create(
                user=user, organisation=northfield, role=role.value if role in (Role.ADMIN, Role.VIEWER) else ""
            )
    shared_commissioner = _user("shared.commissioner", passwords, password)
    for council in (northfield, southdale):
        Membership.objects.get_or_create(user=shared_commissioner, organisation=council, role=Role.COMMISSIONER.value)
    southdale_commissioner = _user("southdale.commissioner", passwords, password)
    Membership.objects.get_or_create(
        user=southdale_commissioner, organisation=southdale, role=Role.COMMISSIONER.value
    )
    return DemoWorld(shared, northfield, southdale, passwords)


def assign_tender_roles(tender: Tender) -> None:
    """Each named demo user of the tender's organisation takes its role on `tender` (organisation-wide roles are
    memberships already)."""
    for name, role in ROLE_USERS.items():
        if role in (Role.ADMIN, Role.VIEWER):
            continue
        if not Membership.objects.filter(user__username=name, organisation=tender.organisation).exists():
            continue
        TenderRole.objects.get_or_create(tender=tender, user=User.objects.get(username=name), role=role.value)


def _evaluator_names(folder_scores: list[str]) -> list[str]:
    seen: list[str] = []
    for name in folder_scores:
        if name not in seen:
            seen.append(name)
    return seen


def seed_example_tender(
    organisation: Organisation,
    reference: str,
    stage: Stage,
    scored_by: int = 3,
    moderated: bool = False,
    decisions: bool = False,
    example: Path = EXAMPLE,
) -> Tender:
    """The example home care tender for `organisation`, taken to `stage`.

    The example's three evaluators' scores become `evaluator1..3`'s (the first `scored_by` of them have declared
    no conflict and scored everything); `moderated` imports the example's consensus scores as `moderator`'s and
    `decisions` its abnormally low decisions as `shared.commissioner`'s."""
    folder = load_tender_folder(example)
    names = _evaluator_names([s.evaluator for s in folder.scores])
    evaluators = {name: User.objects.get(username=f"evaluator{i}") for i, name in enumerate(names[:scored_by], 1)}
    commissioner = User.objects.get(username="shared.commissioner")
    tender = save_tender(
        organisation, folder, (example / TENDER_FILE).read_text(encoding="utf-8"), "demo",
        evaluators=evaluators,
        moderator=User.objects.get(username="moderator") if moderated else None,
        decided_by=commissioner if decisions else None,
        reference=reference,
    )
    assign_tender_roles(tender)
    with transaction.atomic():
        for user in evaluators.values():
            ConflictDeclaration.objects.create(tender=tender, user=user, has_conflict=False)
        tender.stage = stage.value
        tender.save()
        audit.record("demo", "demo_seeded", {"stage": stage.value, "evaluators_scored": scored_by,
                                             "moderated": moderated, "decisions": decisions}, tender=tender)
        if reached(stage, Stage.PRICES_OPENED):
            evaluations.refresh(tender)  # as opening the prices does
    return tender


def seed_demo(password: str | None = None) -> DemoWorld:
    """The whole demo: people, Northfield's home care tender mid-evaluation (two of three evaluators have scored),
    Southdale's copy with prices opened (an abnormally low decision still to record), and Northfield's supplier
    watchlist with one worsening supplier."""
    world = seed_people(password)
    seed_example_tender(world.northfield, "NBC-ASC-2026-014", Stage.EVALUATION, scored_by=2)
    seed_example_tender(world.southdale, "SDC-ASC-2026-021", Stage.PRICES_OPENED, moderated=True)
    suppliers_demo.seed(world.northfield)
    socialvalue_demo.seed(world.northfield, world.southdale)
    contracts_demo.seed(world.northfield, world.southdale, timezone.localdate(), world.passwords, password)
    publishing_demo.seed(world.northfield, world.southdale)
    from commonweal.web.providers import demo as providers  # providers area: its own demo (it reads this module)

    providers.seed(_user, world.passwords, password)
    spend_demo.seed(world.northfield, world.southdale)  # queued for the spend worker
    return world


def write_scaled_example(folder: Path, bids: int, criteria: int, evaluators: int) -> Path:
    """A synthetic tender folder of one lot with `bids` bids, `criteria` qualitative criteria (two thirds quality,
    the rest social value, each on the 0-5 scale) and every score from `evaluators` evaluators plus the consensus.

    Used by the query-count tests and `benchmarks/web_pages.py` to check that pages do not slow down as a tender
    grows; the names, prices and scores are invented and deterministic."""
    quality = max(1, criteria * 2 // 3)
    ids = [("quality", f"Q{i}") for i in range(1, quality + 1)]
    ids += [("social_value", f"SV{i}") for i in range(1, criteria - quality + 1)]

    def weights(count: int) -> list[int]:
        # whole-number weights summing to 100 within a group, as the evaluation model requires
        return [100 // count + (1 if i < 100 % count else 0) for i in range(count)]

    lines = [
        "reference: SCALE-1", "title: Scaled test tender", "buyer: Test Council",
        "criteria_published_at: Invitation to Tender SCALE-1",
        "evaluation_model:", "  price: {weight: 40, formula: relative_to_lowest}", "  groups:",
        "    - {id: quality, title: Quality, weight: 45}", "    - {id: social_value, title: Social value, weight: 15}",
        "  criteria:",
    ]
    for group in ("quality", "social_value"):
        mine = [cid for g, cid in ids if g == group]
        lines += [f'    - {{id: {cid}, title: "Criterion {cid}", group: {group}, weight: {w}, scale: "0-5"}}'
                  for cid, w in zip(mine, weights(len(mine)), strict=True)]
    lines += ["lots:", '  - id: "1"', "    title: The only lot", "    budget: 9000000"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / TENDER_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    bidders = [f"Bidder {i:02d} Ltd" for i in range(1, bids + 1)]
    (folder / "bids.csv").write_text(
        "bidder,lot,price\n" + "".join(f"{b},1,{3_000_000 + 37_000 * i}.00\n" for i, b in enumerate(bidders)),
        encoding="utf-8",
    )
    scores = ["evaluator,bidder,lot,criterion,score,rationale"]
    moderation = ["bidder,lot,criterion,score,rationale"]
    for i, bidder in enumerate(bidders):
        for j, (_, cid) in enumerate(ids):
            consensus = (i * 7 + j * 3) % 5 + 1
            moderation.append(f"{bidder},1,{cid},{consensus},Agreed at moderation")
            scores += [f"Evaluator {e},{bidder},1,{cid},{min(5, consensus + (e + i + j) % 2)},Assessed against the "
                       "published descriptors" for e in range(1, evaluators + 1)]
    (folder / "scores.csv").write_text("\n".join(scores) + "\n", encoding="utf-8")
    (folder / "moderation.csv").write_text("\n".join(moderation) + "\n", encoding="utf-8")
    return folder


def seed_scaled_tender(organisation: Organisation, reference: str, stage: Stage, folder: Path, evaluators: int,
                       moderated: bool = False) -> Tender:
    """`write_scaled_example`'s folder as a tender of `organisation` at `stage`, scored by evaluator1..N (the
    demo's users, with more evaluators added as shared-service staff when N is above three)."""
    passwords: dict[str, str] = {}
    for i in range(1, evaluators + 1):
        if not User.objects.filter(username=f"evaluator{i}").exists():
            user = _user(f"evaluator{i}", passwords, None)
            for council in Organisation.objects.filter(served_by__isnull=False):
                Membership.objects.get_or_create(user=user, organisation=council, role="")
    tender = seed_example_tender(organisation, reference, stage, scored_by=evaluators, moderated=moderated,
                                 example=folder)
    for i in range(len([r for r in ROLE_USERS.values() if r == Role.EVALUATOR]) + 1, evaluators + 1):
        TenderRole.objects.get_or_create(tender=tender, user=User.objects.get(username=f"evaluator{i}"),
                                         role=Role.EVALUATOR.value)
    return tender
