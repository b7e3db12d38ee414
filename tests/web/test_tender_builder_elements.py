"""Price elements in the tender builder (issue #17 point 1, the engine's price elements of #16 point 2): a lot's price
built as elements, scored separately or as one whole-life cost, checked by the reader's rules at their fields, shown
on check-your-answers, edited again; bids entered with a price per element, sealed as a single price is; and the
tender's folder evaluated by the CLI to the workspace's result."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from commonweal.domain.evaluation.price import evaluated_price
from commonweal.domain.lifecycle import Role, Stage
from commonweal.io.tender_folder import parse_tender_yaml
from commonweal.services.evaluation import evaluate_folder
from commonweal.web import engine
from commonweal.web.access import tender_access
from commonweal.web.models import AuditEntry, Bid, Tender
from commonweal.web.tenders import data

pytestmark = pytest.mark.db

BUILD = "/organisations/northfield/tenders/build/"
CHECK = "/organisations/northfield/tenders/build/check/"
TODAY = dt.date(2026, 11, 24)

# price 40 as two elements: a block price (25) and an hourly rate against 5,200 declared hours (15, scored with the
# lot's formula); quality 45 and social value 15
FIELDS = {
    "title": "Supported living", "reference": "NBC-SL-001",
    "lot-0-id": "1", "lot-0-title": "Whole borough", "lot-0-budget": "900000",
    "price_weight": "40", "price_formula": "relative_to_lowest", "price_mode": "elements",
    "price_combine": "separately", "price_zero_prices": "refuse",
    "element-0-id": "block", "element-0-title": "Block price", "element-0-weight": "25",
    "element-0-formula": "deduction_from_lowest",
    "element-1-id": "hourly", "element-1-title": "Hourly rate", "element-1-weight": "15", "element-1-volume": "5200",
    "element-1-unit": "hour",
    "group-0-id": "quality", "group-0-title": "Quality", "group-0-weight": "45",
    "group-1-id": "social_value", "group-1-title": "Social value", "group-1-weight": "15",
    "criterion-0-id": "Q1", "criterion-0-title": "Delivery", "criterion-0-group": "quality",
    "criterion-0-weight": "100",
    "criterion-1-id": "SV1", "criterion-1-title": "Local jobs", "criterion-1-group": "social_value",
    "criterion-1-weight": "100",
    "tie_break": "social_value, quality, price",
}
# the same elements as one whole-life cost: the hours fall in the contract's second year, discounted
WHOLE_LIFE = {**FIELDS, "price_combine": "whole_life_cost", "price_discount": "yes", "element-0-weight": "",
              "element-0-formula": "", "element-1-weight": "", "element-1-year": "1"}
# (block, hourly) per bidder; quality and social value marks per bidder
PRICES = {"Bidder A": ("300000", "18.50"), "Bidder B": ("280000", "21.00"), "Bidder C": ("320000", "17.25")}
MARKS = {"Bidder A": 4, "Bidder B": 3, "Bidder C": 4}


def _files(response) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return {name.split("/", 1)[1]: archive.read(name) for name in archive.namelist()}


def _build(client, fields: dict[str, str]) -> Tender:
    response = client.post(BUILD, fields)
    assert response.status_code == 302 and response["Location"] == CHECK, response.content.decode()[:3000]
    page = client.get(CHECK).content.decode()
    assert "Block price" in page and "Hourly rate" in page and "volume 5200 hour" in page
    assert client.post(CHECK).status_code == 302
    return Tender.objects.get(reference="NBC-SL-001")


def _bid(client, tender: Tender, bidder: str, block: str, hourly: str):
    return client.post(f"/tenders/{tender.pk}/bids/new/", {
        "lot": tender.lots.get().pk, "bidder": bidder, "element-0": block, "element-1": hourly})


@pytest.mark.parametrize("fields", [FIELDS, WHOLE_LIFE], ids=["separately", "whole_life_cost"])
def test_price_elements_built_bid_sealed_and_evaluated_as_the_cli_does(world, client_for, tmp_path, fields) -> None:
    client = client_for("shared.commissioner")
    tender = _build(client, fields)
    rule = parse_tender_yaml(tender.definition)[0].lots[0].model.price
    assert [(e.id, e.volume, e.year) for e in rule.elements] == \
        [("block", 1, 0), ("hourly", 5200, 1 if fields is WHOLE_LIFE else 0)]
    assert rule.combine == fields["price_combine"] and rule.discount == (fields is WHOLE_LIFE)
    if fields is FIELDS:
        assert [(e.weight, e.formula) for e in rule.elements] == \
            [(25, "deduction_from_lowest"), (15, "relative_to_lowest")]
    # the builder opens again on the stored elements (nothing it cannot show)
    page = client.get(f"/tenders/{tender.pk}/edit/").content.decode()
    assert 'value="Hourly rate"' in page and 'value="5200"' in page

    form = client.get(f"/tenders/{tender.pk}/bids/new/").content.decode()
    assert 'name="element-0"' in form and 'name="price"' not in form
    for bidder, (block, hourly) in PRICES.items():
        assert _bid(client, tender, bidder, block, hourly).status_code == 302
    stored = Bid.objects.get(lot__tender=tender, bidder="Bidder A")
    exact = evaluated_price(rule, {"block": Decimal("300000"), "hourly": Decimal("18.50")})
    assert stored.element_prices == {"block": "300000", "hourly": "18.50"}
    assert stored.price == exact.quantize(Decimal("0.01"))
    entry = AuditEntry.objects.get(tender=tender, action="bid_added", detail__bidder="Bidder A")
    assert entry.detail["element_prices"] == {"block": "300000", "hourly": "18.50"}

    def as_(name: str):
        return tender_access(User.objects.get(username=name), tender.pk)

    commissioner = as_("shared.commissioner")
    assert [b.price for b in data.bids(commissioner)] == [None] * 3  # sealed
    trail = next(a for a in data.audit_trail(commissioner) if a.action == "bid_added")
    assert {"price", "element_prices"} <= set(trail.withheld)
    sealed = _files(client.get(f"/tenders/{tender.pk}/folder.zip"))
    header = sealed["bids.csv"].splitlines()[0]
    assert b"price" not in header and b"18.50" not in sealed["bids.csv"]

    for name, role in (("evaluator1", Role.EVALUATOR), ("moderator", Role.MODERATOR), ("finance", Role.FINANCE)):
        data.assign_role(commissioner, name, role)
    for stage in (Stage.OPEN, Stage.CLOSED, Stage.EVALUATION):
        data.advance(as_("shared.commissioner"), stage, TODAY)
    evaluator = as_("evaluator1")
    data.declare(evaluator, has_conflict=False, details="")
    for b in data.bids(evaluator):
        for c in data.criteria(evaluator):
            data.record_score(evaluator, b.id, c.pk, Decimal(MARKS[b.bidder]), "seen")
    data.submit_scores(as_("evaluator1"))
    data.advance(as_("moderator"), Stage.MODERATION, TODAY)
    moderator = as_("moderator")
    for b in data.bids(moderator):
        for c in data.criteria(moderator):
            data.record_moderation(moderator, b.id, c.pk, Decimal(MARKS[b.bidder]), "agreed")
    data.advance(as_("finance"), Stage.PRICES_OPENED, TODAY)

    files = _files(client.get(f"/tenders/{tender.pk}/folder.zip"))
    assert b"bidder,lot,price,price_block,price_hourly," in files["bids.csv"].splitlines()[0]
    folder = tmp_path / "folder"
    folder.mkdir()
    for name, content in files.items():
        (folder / name).write_bytes(content)
    cli = evaluate_folder(folder)
    workspace = data.results(as_("shared.commissioner"))
    for ours, theirs in zip(workspace.lots, cli.lots, strict=True):
        assert [(r.bid.bidder, r.rank, r.exact_total, r.price_points, r.element_points)
                for r in ours.result.ranking] == \
            [(r.bid.bidder, r.rank, r.exact_total, r.price_points, r.element_points)
             for r in theirs.result.ranking]
        ranking = ours.result.ranking
        assert [r.bid.price for r in ranking if r.bid.bidder == "Bidder A"] == [exact]  # the exact total
        if fields is FIELDS:
            # each element scored on its own: B's block is the lowest, C's hourly rate is
            points = {r.bid.bidder: dict(r.element_points) for r in ranking}
            assert points["Bidder B"]["block"] == 25 and points["Bidder C"]["hourly"] == 15
            # and the results page shows each element's points beside the price points
            page = client.get(f"/tenders/{tender.pk}/results/").content.decode()
            assert '<span class="govuk-body-s">block: 25.00</span>' in page
        else:
            assert all(not r.element_points for r in ranking)

    # the downloaded folder uploaded as another tender keeps each bid's element prices, and the engine reads the same
    # exact prices from it
    upload = {"tender": SimpleUploadedFile("tender.yaml", files["tender.yaml"].replace(b"NBC-SL-001", b"NBC-SL-002")),
              "bids": SimpleUploadedFile("bids.csv", files["bids.csv"])}
    if "gates.csv" in files:
        upload["gates"] = SimpleUploadedFile("gates.csv", files["gates.csv"])
    assert client.post("/organisations/northfield/tenders/new/", upload).status_code == 302
    again = Tender.objects.get(reference="NBC-SL-002")
    assert dict(Bid.objects.filter(lot__tender=again).values_list("bidder", "element_prices")) == \
        dict(Bid.objects.filter(lot__tender=tender).values_list("bidder", "element_prices"))
    assert [(b.bidder, b.price, b.element_prices) for b in engine.tender_folder(again).bids] == \
        [(b.bidder, b.price, b.element_prices) for b in engine.tender_folder(tender).bids]


def test_an_element_price_is_entered_for_every_element_and_a_zero_follows_the_declared_policy(world,
                                                                                               client_for) -> None:
    client = client_for("shared.commissioner")
    tender = _build(client, FIELDS)
    response = _bid(client, tender, "Bidder A", "300000", "")
    text = response.content.decode()
    assert response.status_code == 400 and 'href="#element-1"' in text and "Enter the price of Hourly rate" in text
    # £0 for the hourly rate: the tender declares zero element prices refused (the engine's rule), at the field
    response = _bid(client, tender, "Bidder A", "300000", "0")
    text = response.content.decode()
    assert response.status_code == 400 and 'href="#element-1"' in text and "zero_prices: refuse" in text
    assert 'value="300000"' in text  # what was typed is kept
    assert not Bid.objects.filter(lot__tender=tender).exists()


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"element-1-weight": "10"}, "element-0-weight", "must sum to the price weight 40, not 35"),
    ({"element-1-volume": "0"}, "element-1-volume", "declared volume above zero"),
    ({"element-1-volume": "many"}, "element-1-volume", "expected a number"),
    ({"price_zero_prices": "score"}, "element-0-formula", "not defined at zero"),
    ({"element-1-id": "block"}, "element-0-id", "is used twice"),
])
def test_each_price_element_problem_is_shown_at_its_field(world, client_for, changes, field, words) -> None:
    client = client_for("shared.commissioner")
    before = Tender.objects.count()
    response = client.post(BUILD, {**FIELDS, **changes})
    text = response.content.decode()
    assert response.status_code == 400 and f'href="#{field}"' in text and words in text, text[:3000]
    assert f'id="{field}-error"' in text
    assert Tender.objects.count() == before


def test_element_rows_are_ignored_when_the_price_is_one_price(world, client_for) -> None:
    client = client_for("shared.commissioner")
    assert client.post(BUILD, {**FIELDS, "price_mode": "one"})["Location"] == CHECK
    assert "one price per bid" in client.get(CHECK).content.decode()
    client.post(CHECK)
    assert parse_tender_yaml(Tender.objects.get(reference="NBC-SL-001").definition)[0].lots[0].model.price.elements \
        == ()
