"""Providers and the public (issue #20): a provider's people see, council by council, only the tenders their
provider is invited to; clarifications reach every bidder without the asker; the public pages show only what a
council has published, cacheably; registering interest is validated and throttled; every form refuses hostile input
and saves nothing.

The world is the demo (`web.providers.demo`): Brightwater Care (`brightwater.bids`) bids for Northfield's and
Southdale's tenders, Southdale Home Support (`sdhs.bids`) for Southdale's only, and `community.lead` for none."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from test_forms_bad_input import WALKED_IN_TEST_PORTAL
from test_portal_bids import PDF, open_for_bids

from commonweal.domain.lifecycle import Stage
from commonweal.web.contracts.models import Contract, Return
from commonweal.web.models import AuditEntry, Bid, Tender
from commonweal.web.providers.models import Bidder, BidderUploads, Clarification, ProviderMember, ProviderRole
from commonweal.web.public.models import Interest, Opportunity, Status

pytestmark = pytest.mark.db


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    yield
    cache.clear()


def _signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _text(response) -> str:
    return response.content.decode()


# -- seeing tenders --------------------------------------------------------------------------------------------------


def test_a_provider_serving_two_councils_sees_each_councils_own_tender(world) -> None:
    html = _text(_signed_in("brightwater.bids").get(reverse("portal")))
    assert "Northfield Borough Council" in html and "Southdale District Council" in html
    assert world["northfield"].reference in html and world["southdale"].reference in html
    southdale_only = _text(_signed_in("sdhs.bids").get(reverse("portal")))
    assert world["southdale"].reference in southdale_only and world["northfield"].reference not in southdale_only
    assert world["northfield"].reference not in _text(_signed_in("community.lead").get(reverse("portal")))


def test_another_providers_tender_and_the_councils_pages_are_not_found(world) -> None:
    northfield = world["northfield"]
    for who in ("sdhs.bids", "community.lead"):
        assert _signed_in(who).get(reverse("portal_tender", args=[northfield.pk])).status_code == 404
    brightwater = _signed_in("brightwater.bids")
    for name in ("tender", "bidders", "clarifications", "results", "audit"):
        assert brightwater.get(reverse(name, args=[northfield.pk])).status_code == 404, name
    assert brightwater.get(reverse("opportunities", args=["northfield"])).status_code == 404
    # a council's own staff are no bidders
    assert _signed_in("commissioner").get(reverse("portal_tender", args=[northfield.pk])).status_code == 404


def test_a_draft_tender_is_not_shown_to_its_bidders(world) -> None:
    Tender.objects.filter(pk=world["northfield"].pk).update(stage=Stage.DRAFT.value)
    client = _signed_in("brightwater.bids")
    assert client.get(reverse("portal_tender", args=[world["northfield"].pk])).status_code == 404
    assert world["northfield"].reference not in _text(client.get(reverse("portal")))


def test_a_bidder_reads_criteria_but_no_bid_price_score_or_other_bidder(world) -> None:
    southdale = world["southdale"]
    html = _text(_signed_in("sdhs.bids").get(reverse("portal_tender", args=[southdale.pk])))
    assert "Lots and award criteria" in html
    bids = list(Bid.objects.filter(lot__tender=southdale))
    assert bids
    for bid in bids:
        assert bid.bidder not in html
        assert f"{bid.price:,.2f}" not in html and str(bid.price) not in html
    # the other invited provider, and its person, are never named
    assert "Brightwater Care" not in html and "brightwater.bids" not in html
    # the published answer is shown, worded as the council published it; Brightwater's own wording is not
    assert "Must carers already hold the Care Certificate" in html
    assert "Brightwater Care asks" not in html
    # another provider's question still waiting for an answer is not shown
    brightwater_html = _text(_signed_in("brightwater.bids").get(reverse("portal_tender", args=[southdale.pk])))
    assert "consortium of two community interest companies" not in brightwater_html
    assert "consortium of two community interest companies" in html  # the asker sees their own


# -- clarifications --------------------------------------------------------------------------------------------------


def test_a_question_is_asked_answered_and_published_to_every_bidder_without_the_asker(world) -> None:
    southdale = world["southdale"]
    Tender.objects.filter(pk=southdale.pk).update(stage=Stage.OPEN.value)
    asker = _signed_in("brightwater.bids")
    path = reverse("portal_tender", args=[southdale.pk])
    assert asker.post(path, {"question": "Is TUPE expected to apply to the current staff?"}).status_code == 302
    asked = Clarification.objects.get(question__startswith="Is TUPE")
    assert asked.provider.organisation.name == "Brightwater Care Ltd"
    commissioner = _signed_in("southdale.commissioner")
    page = _text(commissioner.get(reverse("clarifications", args=[southdale.pk])))
    assert "Is TUPE expected" in page and "Brightwater Care Ltd" in page  # the council knows who asked
    answer = reverse("answer_clarification", args=[southdale.pk, asked.pk])
    form = {
        f"q{asked.pk}-published_question": "Is TUPE expected to apply?",
        f"q{asked.pk}-answer": "Yes: see the staff list in appendix C.",
    }
    assert commissioner.post(answer, form).status_code == 302
    # a published answer stands
    assert commissioner.post(answer, form).status_code == 400
    other = _text(_signed_in("sdhs.bids").get(path))
    assert "Is TUPE expected to apply?" in other and "appendix C" in other
    assert "Brightwater" not in other
    actions = list(AuditEntry.objects.filter(tender=southdale).values_list("action", flat=True))
    assert actions.count("clarification_answered") == 2  # the demo's and this one


def test_questions_are_asked_only_while_the_tender_is_open(world) -> None:
    southdale = world["southdale"]  # prices opened
    before = Clarification.objects.count()
    response = _signed_in("sdhs.bids").post(reverse("portal_tender", args=[southdale.pk]), {"question": "Late?"})
    assert response.status_code == 400
    assert "only while the tender is open for bids" in _text(response)
    assert Clarification.objects.count() == before


# -- inviting a provider ---------------------------------------------------------------------------------------------


def test_a_council_invites_a_new_providers_contact_who_joins_as_its_bid_manager(world) -> None:
    northfield = world["northfield"]
    client = _signed_in("commissioner")
    response = client.post(
        reverse("bidders", args=[northfield.pk]),
        {
            "provider": "Riverside Care Co-operative",
            "kind": "vcse",
            "username": "riverside.bids",
            "display_name": "Ria Side",
        },
    )
    assert response.status_code == 200
    link = re.search(r'id="one-time-link"[^>]*>([^<]+)<', _text(response)).group(1)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert Bidder.objects.filter(tender=northfield, provider__organisation__name="Riverside Care Co-operative").exists()
    joined = Client().post(
        reverse("join", args=[token]), {"password1": "a long passphrase 2026", "password2": "a long passphrase 2026"}
    )
    assert joined.status_code == 302
    person = User.objects.get(username="riverside.bids")
    assert ProviderMember.objects.filter(
        user=person, role=ProviderRole.BID_MANAGER, provider__organisation__name="Riverside Care Co-operative"
    ).exists()
    assert _signed_in("riverside.bids").get(reverse("portal_tender", args=[northfield.pk])).status_code == 200


def test_an_existing_contact_is_invited_without_a_link_and_a_council_name_is_refused(world) -> None:
    northfield = world["northfield"]
    client = _signed_in("commissioner")
    path = reverse("bidders", args=[northfield.pk])
    # Southdale Home Support's person, on Northfield's tender now too
    assert (
        client.post(
            path,
            {"provider": "Southdale Home Support CIC", "kind": "vcse", "username": "sdhs.bids", "display_name": "S"},
        ).status_code
        == 302
    )
    assert _signed_in("sdhs.bids").get(reverse("portal_tender", args=[northfield.pk])).status_code == 200
    before = Bidder.objects.count()
    council = client.post(
        path, {"provider": "Southdale District Council", "kind": "sme", "username": "x.y", "display_name": "X"}
    )
    assert council.status_code == 400 and "not a provider" in _text(council)
    taken = client.post(
        path, {"provider": "Brightwater Care Ltd", "kind": "sme", "username": "viewer", "display_name": "V"}
    )
    assert taken.status_code == 400 and "is taken" in _text(taken)
    assert Bidder.objects.count() == before


def test_a_member_removed_from_the_provider_loses_the_tenders(world) -> None:
    from commonweal.web.models import Membership

    path = reverse("portal_tender", args=[world["northfield"].pk])
    assert _signed_in("brightwater.bids").get(path).status_code == 200
    Membership.objects.filter(user__username="brightwater.bids").delete()  # the provider still bids
    assert _signed_in("brightwater.bids").get(path).status_code == 404


# -- public pages ----------------------------------------------------------------------------------------------------


def test_only_published_opportunities_reach_the_public_pages_and_downloads(world) -> None:
    visitor = Client()
    draft = Opportunity.objects.get(status=Status.DRAFT)
    page = _text(visitor.get(reverse("public_council", args=["northfield"])))
    assert "Community meals" in page and "Day opportunities" in page
    assert draft.title not in page and "Rural transport" not in page  # Southdale's is on Southdale's page
    assert visitor.get(reverse("public_opportunity", args=["northfield", draft.pk])).status_code == 404
    assert visitor.get(reverse("register_interest", args=["northfield", draft.pk])).status_code == 404
    csv = _text(visitor.get(reverse("public_download", args=["northfield", "csv"])))
    package = json.loads(visitor.get(reverse("public_download", args=["northfield", "json"])).content)
    assert draft.title not in csv and draft.title not in json.dumps(package)
    assert sorted(r["tender"]["title"] for r in package["releases"]) == [
        "Community meals",
        "Day opportunities for adults with learning disabilities",
    ]
    assert {r["tender"]["status"] for r in package["releases"]} == {"planned", "active"}
    # closing an opportunity takes it off
    Opportunity.objects.filter(title="Community meals").update(status=Status.CLOSED)
    assert "Community meals" not in _text(visitor.get(reverse("public_council", args=["northfield"])))
    # nothing of a tender is ever public: no bidder, no provider, no interest's contact
    for bid in Bid.objects.all():
        assert bid.bidder not in page
    assert "Brightwater" not in page and "sam@" not in page
    # a provider's organisation has no public council page
    assert visitor.get(reverse("public_council", args=["brightwater"])).status_code == 404


def test_public_pages_are_cacheable_with_an_etag_that_changes_with_the_published_data(world) -> None:
    visitor = Client()
    path = reverse("public_council", args=["northfield"])
    first = visitor.get(path)
    assert first.status_code == 200
    assert "public" in first["Cache-Control"] and "max-age=300" in first["Cache-Control"]
    assert "no-store" not in first["Cache-Control"]
    assert visitor.get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    Opportunity.objects.filter(title="Community meals").update(summary="Now also on Sundays.")
    changed = visitor.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert "no-store" in _signed_in("viewer").get(path)["Cache-Control"]


def test_registering_interest_is_validated_recorded_throttled_and_seen_by_commissioners(world, settings) -> None:
    settings.COMMONWEAL_INTEREST_PER_HOUR = 2
    planned = Opportunity.objects.get(title__startswith="Day opportunities")
    path = reverse("register_interest", args=["northfield", planned.pk])
    visitor = Client()
    before = Interest.objects.count()
    bad = visitor.post(
        path,
        {"organisation_name": "", "kind": "nonsense", "purpose": "bid", "contact_name": "A", "email": "not an email"},
    )
    assert bad.status_code == 400 and Interest.objects.count() == before
    good = {
        "organisation_name": "Eastside Youth Trust",
        "kind": "vcse",
        "purpose": "engagement",
        "contact_name": "Ade",
        "email": "ade@eastside.example",
        "note": "We work with young carers.",
    }
    assert visitor.post(path, good).status_code == 200
    assert visitor.post(path, good).status_code == 200  # again: recorded once, the same answer
    assert Interest.objects.count() == before + 1
    throttled = visitor.post(path, {**good, "email": "other@eastside.example"})
    assert throttled.status_code == 429 and Interest.objects.count() == before + 1
    detail = _text(_signed_in("shared.commissioner").get(reverse("opportunity", args=["northfield", planned.pk])))
    assert "Eastside Youth Trust" in detail and "ade@eastside.example" in detail
    entry = AuditEntry.objects.filter(action="interest_registered").order_by("-pk").first()
    assert "ade@" not in json.dumps(entry.detail) and "Ade" not in json.dumps(entry.detail)


def test_a_commissioner_publishes_an_opportunity_with_a_lot_suited_to_vcses(world) -> None:
    client = _signed_in("shared.commissioner")
    response = client.post(
        reverse("opportunities", args=["northfield"]),
        {
            "title": "Befriending service",
            "overview": "Reducing loneliness.",
            "closes_on": "2027-05-01",
            "status": "draft",
        },
    )
    assert response.status_code == 302
    created = Opportunity.objects.get(title="Befriending service")
    assert Client().get(reverse("public_opportunity", args=["northfield", created.pk])).status_code == 404
    lot = client.post(
        reverse("opportunity_lot", args=["northfield", created.pk]), {"title": "Whole borough", "suited": ["vcses"]}
    )
    assert lot.status_code == 302
    assert (
        client.post(reverse("opportunity", args=["northfield", created.pk]), {"status": "planned"}).status_code == 302
    )
    public = _text(Client().get(reverse("public_opportunity", args=["northfield", created.pk])))
    assert "Befriending service" in public and "Whole borough" in public
    assert _signed_in("viewer").get(reverse("opportunities", args=["northfield"])).status_code == 403


# -- hostile input ---------------------------------------------------------------------------------------------------

BAD_TEXT = ["", "   ", "x" * 10_001, "a\x00b"]


def _rows() -> tuple[int, ...]:
    return tuple(
        m.objects.count() for label in ("web", "providers", "public") for m in apps.get_app_config(label).get_models()
    )


class _Resent(SimpleUploadedFile):
    def read(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.seek(0)
        return super().read(*args, **kwargs)


def _forms(world) -> dict[str, tuple[str, str, dict[str, str]]]:
    """url name -> (who posts, path, a valid form)"""
    northfield, southdale = world["northfield"], world["southdale"]
    waiting = Clarification.objects.get(answered_at__isnull=True)
    planned = Opportunity.objects.get(title__startswith="Day opportunities")
    unlinked = Contract.objects.get(organisation=northfield.organisation, reference="NBC-C-002")
    linked = Contract.objects.get(organisation=northfield.organisation, reference="NBC-C-001")  # Brightwater's
    submitted = Return.objects.filter(contract=linked).order_by("-period_start").first()
    assert submitted is not None
    period = submitted.period_start.isoformat()
    kpi = linked.kpis.order_by("code").first().code
    # Southdale lets its bidders upload, and Southdale Home Support's bid is recorded (tests/web/test_portal_bids.py)
    own = open_for_bids(southdale, timezone.localdate() + dt.timedelta(days=10))
    BidderUploads.objects.create(tender=southdale, allowed=True)
    return {
        "bidder_uploads": (
            "southdale.commissioner", reverse("bidder_uploads", args=[southdale.pk]), {"allowed": "yes"}
        ),
        # the file is sent afresh on each post (the test client reads it to the end); no criterion: the whole bid
        "portal_bid": ("sdhs.bids", reverse("portal_bid", args=[southdale.pk]),
                       {"bid": str(own.pk), "purpose": "response", "document": _Resent("r.pdf", PDF)}),
        # the other bidder starts its own bid for the lot (tests/web/test_portal_bids.py)
        "portal_start_bid": ("brightwater.bids", reverse("portal_start_bid", args=[southdale.pk]),
                             {"lot": str(own.lot_id), "price": "900000.00"}),
        # the provider replaces its latest return; the council queries it; the provider responds
        "portal_return": ("brightwater.bids", reverse("portal_return", args=[linked.pk]), {"period_start": period}),
        "contract_return_check": (
            "shared.commissioner",
            reverse("contract_return_check", args=[linked.pk, submitted.pk]),
            {"status": "queried", "reason": "Why so few?"},
        ),
        "portal_concern": (
            "brightwater.bids",
            reverse("portal_concern", args=[linked.pk]),
            {"kind": "provider_loss_making", "description": "Hourly rate below our cost"},
        ),
        "portal_ratings": ("brightwater.bids", reverse("portal_ratings", args=[linked.pk]), {"comment": "Fair"}),
        "portal_return_respond": (
            "brightwater.bids",
            reverse("portal_return_respond", args=[linked.pk, submitted.pk]),
            {"response": "Two carers left"},
        ),
        # the provider uploads that period's return again as a table
        "portal_returns_upload": (
            "brightwater.bids",
            reverse("portal_returns_upload", args=[linked.pk]),
            {"kpi_returns": _Resent("k.csv", f"period_start,kpi,actual\n{period},{kpi},12\n".encode())},
        ),
        "contract_provider": (
            "shared.commissioner",
            reverse("contract_provider", args=[unlinked.pk]),
            {"provider": "Brightwater Care Ltd"},
        ),
        "bidders": (
            "commissioner",
            reverse("bidders", args=[northfield.pk]),
            {"provider": "New Provider Ltd", "kind": "sme", "username": "new.provider", "display_name": "N P"},
        ),
        "answer_clarification": (
            "southdale.commissioner",
            reverse("answer_clarification", args=[southdale.pk, waiting.pk]),
            {f"q{waiting.pk}-published_question": "Q", f"q{waiting.pk}-answer": "A"},
        ),
        "portal_tender": ("sdhs.bids", reverse("portal_tender", args=[southdale.pk]), {"question": "Q?"}),
        "register_interest": (
            "",
            reverse("register_interest", args=["northfield", planned.pk]),
            {
                "organisation_name": "O",
                "kind": "sme",
                "purpose": "bid",
                "contact_name": "C",
                "email": "c@example.org",
                "note": "",
            },
        ),
        "opportunities": (
            "shared.commissioner",
            reverse("opportunities", args=["northfield"]),
            {"title": "T", "overview": "S", "closes_on": "", "status": "draft"},
        ),
        "opportunity": (
            "shared.commissioner",
            reverse("opportunity", args=["northfield", planned.pk]),
            {"status": "open"},
        ),
        "opportunity_lot": (
            "shared.commissioner",
            reverse("opportunity_lot", args=["northfield", planned.pk]),
            {"title": "L", "suited": "smes"},
        ),
        # the planned opportunity leads to no tender yet: an empty choice is refused as no change
        "opportunity_tender": (
            "shared.commissioner",
            reverse("opportunity_tender", args=["northfield", planned.pk]),
            {"tender": str(northfield.pk)},
        ),
    }


def test_every_form_refuses_hostile_values_and_saves_nothing(world, settings) -> None:
    settings.COMMONWEAL_INTEREST_PER_HOUR = 10_000
    Tender.objects.filter(pk=world["southdale"].pk).update(stage=Stage.OPEN.value)
    forms = _forms(world)
    assert set(forms) == WALKED_IN_TEST_PORTAL  # every POST route of the area
    wrong = []
    for name, (who, path, valid) in forms.items():
        client = _signed_in(who) if who else Client()
        for key in valid:
            values = ["", "x" * 10_001, "a\x00b", "\ud800"] if key != "note" else ["x" * 2_001, "a\x00b"]
            if key in ("kind", "purpose", "status", "suited"):
                values = ["", "maybe", "\x00", "-1"] if key != "suited" else ["maybe", "\x00"]
            if key == "closes_on":
                values = ["abc", "2026-13-45", "20261124", "9" * 400]
            if key == "email":
                values = ["", "not an email", "a@" + "x" * 300 + ".org"]
            for bad in values:
                before = _rows()
                try:
                    response = client.post(path, {**valid, key: bad})
                except UnicodeEncodeError:
                    continue  # the test client cannot send a lone surrogate; Django decodes one to U+FFFD anyway
                if response.status_code != 400 or _rows() != before:
                    wrong.append(f"{name} {key}={bad[:20]!r}: {response.status_code}")
        before = _rows()
        if client.post(path, {}).status_code != 400 or _rows() != before:
            wrong.append(f"{name}: the empty form")
        html = _text(client.post(path, {}))
        summary = html.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
        wrong += [
            f"{name}: the summary links to #{t}, not on the page"
            for t in re.findall(r'href="#([^"]+)"', summary)
            if f'id="{t}"' not in html
        ]
        accepted = client.post(path, valid)
        if accepted.status_code not in (200, 302) or _rows() == before:
            wrong.append(f"{name}: the valid form was not saved ({accepted.status_code})")
    assert wrong == []


# -- query ceilings --------------------------------------------------------------------------------------------------

# The most queries each page may run (session and user included), however many questions, bidders, opportunities and
# lots there are.
CEILINGS = {
    "portal": 3,
    "portal_tender": 9,  # 7, whether its bidders upload their own documents (and until when), the tender's documents
    "portal_bid": 8,
    "portal_start_bid": 7,
    "clarifications": 5,
    "bidders": 5,
    "public_council": 3,
    "public_download": 3,
    "opportunity": 8,  # and the council's tenders it may lead to
}


def _page_queries(world) -> dict[str, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    southdale = world["southdale"]
    planned = Opportunity.objects.get(title__startswith="Day opportunities")
    pages = {
        "portal": ("brightwater.bids", reverse("portal")),
        "portal_tender": ("brightwater.bids", reverse("portal_tender", args=[southdale.pk])),
        "portal_bid": ("brightwater.bids", reverse("portal_bid", args=[southdale.pk])),
        "portal_start_bid": ("brightwater.bids", reverse("portal_start_bid", args=[southdale.pk])),
        "clarifications": ("southdale.commissioner", reverse("clarifications", args=[southdale.pk])),
        "bidders": ("southdale.commissioner", reverse("bidders", args=[southdale.pk])),
        "public_council": ("", reverse("public_council", args=["northfield"])),
        "public_download": ("", reverse("public_download", args=["northfield", "json"])),
        "opportunity": ("shared.commissioner", reverse("opportunity", args=["northfield", planned.pk])),
    }
    counts = {}
    for name, (who, path) in pages.items():
        client = _signed_in(who) if who else Client()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200, name
        counts[name] = len(queries)
    return counts


def test_pages_cost_a_fixed_number_of_queries_however_much_there_is(world) -> None:
    from django.utils import timezone

    from commonweal.web.models import Organisation
    from commonweal.web.providers.models import Provider
    from commonweal.web.public.models import OpportunityLot

    small = _page_queries(world)
    southdale = world["southdale"]
    brightwater = Provider.objects.get(organisation__name="Brightwater Care Ltd")
    asker = User.objects.get(username="brightwater.bids")
    Clarification.objects.bulk_create(
        Clarification(
            tender=southdale,
            provider=brightwater,
            asked_by=asker,
            question=f"Q{i}",
            published_question=f"Q{i}",
            answer=f"A{i}",
            answered_at=timezone.now() if i % 2 else None,
        )
        for i in range(40)
    )
    for i in range(15):
        organisation = Organisation.objects.create(name=f"Provider {i}", slug=f"provider-{i}")
        Bidder.objects.create(tender=southdale, provider=Provider.objects.create(organisation=organisation, kind="sme"))
    council = Organisation.objects.get(slug="northfield")
    planned = Opportunity.objects.get(title__startswith="Day opportunities")
    for i in range(30):
        created = Opportunity.objects.create(
            council=council, title=f"Opportunity {i}", summary="S", status=Status.OPEN if i % 2 else Status.PLANNED
        )
        OpportunityLot.objects.bulk_create(OpportunityLot(opportunity=created, title=f"Lot {j}") for j in range(3))
        Interest.objects.create(
            opportunity=planned,
            organisation_name=f"Group {i}",
            kind="vcse",
            purpose="bid",
            contact_name="C",
            email=f"c{i}@example.org",
        )
    large = _page_queries(world)
    assert large == small
    assert {name: n for name, n in small.items() if n > CEILINGS[name]} == {}


def test_home_shows_providers_their_invitations_and_commissioners_the_questions_waiting(world) -> None:
    brightwater = _text(_signed_in("brightwater.bids").get("/"))
    assert "Northfield Borough Council invites you to bid" in brightwater
    assert "Southdale District Council invites you to bid" in brightwater
    assert "invites you to bid" not in _text(_signed_in("community.lead").get("/"))
    assert "1 clarification question to answer" in _text(_signed_in("southdale.commissioner").get("/"))
    assert "clarification question" not in _text(_signed_in("commissioner").get("/"))  # Northfield's: none waiting
    assert "clarification question" not in _text(_signed_in("brightwater.bids").get("/"))


@pytest.mark.django_db(transaction=True)
def test_two_commissioners_answering_at_once_publish_one_answer(world) -> None:
    """The answer locks its question's row: of two commissioners publishing at the same moment, one answer is
    published and audited, the other is refused (SQLite here; PostgreSQL when `-m db` is re-run there)."""
    import threading

    from django.db import connections

    from commonweal.web.access import Refused, tender_access
    from commonweal.web.providers import data

    southdale = world["southdale"]
    waiting = Clarification.objects.get(answered_at__isnull=True)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def answer(username: str) -> None:
        try:
            access = tender_access(User.objects.get(username=username), southdale.pk)
            start.wait()
            data.answer(access, waiting.pk, "Can a consortium bid?", f"Answered by {username}")
            outcomes.append("published")
        except Refused:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer, args=(u,)) for u in ("southdale.commissioner", "shared.commissioner")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["published", "refused"]
    assert AuditEntry.objects.filter(action="clarification_answered", detail__clarification=waiting.pk).count() == 1


def test_the_admin_sees_that_a_question_was_asked_but_not_by_whom(world) -> None:
    southdale = world["southdale"]
    Tender.objects.filter(pk=southdale.pk).update(stage=Stage.OPEN.value)
    path = reverse("portal_tender", args=[southdale.pk])
    assert _signed_in("brightwater.bids").post(path, {"question": "Is parking provided?"}).status_code == 302
    entry = AuditEntry.objects.filter(action="clarification_asked").order_by("pk").last()
    assert entry.actor == "bidder" and entry.detail["asked_by"] == "brightwater.bids"
    from commonweal.domain.audit import disclose
    from commonweal.domain.lifecycle import Role

    shown = disclose(entry.action, entry.detail, Stage.OPEN, frozenset({Role.ADMIN}), own=False)
    assert set(shown.withheld) == {"asked_by", "provider"}
    commissioner = disclose(entry.action, entry.detail, Stage.OPEN, frozenset({Role.COMMISSIONER}), own=False)
    assert commissioner.withheld == ()


def test_the_ocds_download_is_a_valid_release_package(world) -> None:
    """Checked by libcoveocds against the OCDS 1.1.5 schema, offline (`io.ocds.write.validate_package`)."""
    from commonweal.io.ocds.write import validate_package

    package = json.loads(Client().get(reverse("public_download", args=["northfield", "json"])).content)
    result = validate_package(package)
    assert result["validation_errors"] == []
    assert result["invalid_extensions"] == {}
    assert not result["additional_fields"]  # nothing outside the schema and its declared extension
