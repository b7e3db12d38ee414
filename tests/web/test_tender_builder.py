"""The tender builder (issue #17 point 1): a tender made by forms is the tender the engine's reader reads, checked by
its rules with each problem at its field; bids entered by form, sealed and checked by the engine's identity rule;
and any tender downloads as a folder the CLI evaluates to the workspace's result."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from commonweal.domain.lifecycle import Role, Stage
from commonweal.io.tender_folder import parse_tender_yaml
from commonweal.services.evaluation import evaluate_folder
from commonweal.web.access import tender_access
from commonweal.web.models import AuditEntry, Bid, Criterion, Tender
from commonweal.web.tenders import data

pytestmark = pytest.mark.db

BUILD = "/organisations/northfield/tenders/build/"
CHECK = "/organisations/northfield/tenders/build/check/"
TODAY = dt.date(2026, 11, 24)

# a small tender: price 40, quality 45 (two criteria, one a fraction), social value 15
FIELDS = {
    "title": "Day opportunities", "reference": "NBC-DAY-001",
    "lot-0-id": "1", "lot-0-title": "Whole borough", "lot-0-budget": "500000",
    "price_weight": "40", "price_formula": "relative_to_lowest",
    "group-0-id": "quality", "group-0-title": "Quality", "group-0-weight": "45",
    "group-1-id": "social_value", "group-1-title": "Social value", "group-1-weight": "15",
    "criterion-0-id": "Q1", "criterion-0-title": "Delivery", "criterion-0-group": "quality",
    "criterion-0-weight": "200/3", "criterion-0-scale": "0-5",
    "criterion-1-id": "Q2", "criterion-1-title": "Workforce", "criterion-1-group": "quality",
    "criterion-1-weight": "100/3", "criterion-1-scale": "0-5", "criterion-1-threshold": "2",
    "criterion-2-id": "SV1", "criterion-2-title": "Local jobs", "criterion-2-group": "social_value",
    "criterion-2-weight": "100", "criterion-2-scale": "0-5",
    "gate-0-id": "G1", "gate-0-title": "Registered with the regulator",
    "tie_break": "social_value, quality, price",
}


def _build(client, **changes: str):
    return client.post(BUILD, {**FIELDS, **changes})


def test_the_builder_ends_on_check_your_answers_and_only_confirming_creates_the_tender(world, client_for) -> None:
    client = client_for("shared.commissioner")
    assert client.get(BUILD).status_code == 200
    before = Tender.objects.count()
    response = _build(client)
    assert response.status_code == 302 and response["Location"] == CHECK
    page = client.get(CHECK)
    assert page.status_code == 200 and b"Day opportunities" in page.content and b"Northfield" in page.content
    assert Tender.objects.count() == before  # nothing saved before confirming
    response = client.post(CHECK)
    tender = Tender.objects.get(reference="NBC-DAY-001")
    assert response["Location"] == f"/tenders/{tender.pk}/"
    assert tender.stage == Stage.DRAFT.value
    parsed, _ = parse_tender_yaml(tender.definition)  # the engine's reader reads what the builder wrote
    assert parsed.buyer == tender.organisation.name
    model = parsed.lots[0].model
    assert model.price.weight == 40 and [g.weight for g in model.groups] == [45, 15]
    assert str(model.criteria[0].weight_exact) == "200/3" and model.criteria[1].threshold == 2
    assert parsed.lots[0].budget == Decimal(500000) and model.gates[0].id == "G1"
    assert list(Criterion.objects.filter(lot__tender=tender).values_list("reference", flat=True)) == \
        ["Q1", "Q2", "SV1"]
    assert set(tender.roles.values_list("user__username", "role")) == {("shared.commissioner", "commissioner")}
    assert AuditEntry.objects.filter(tender=tender, action="tender_created").count() == 1
    # the session's half-built tender is gone: the check page sends back to the builder
    assert client.get(CHECK)["Location"] == BUILD


def TenderRoleNames(tender: Tender) -> set[tuple[str, str]]:
    return set(tender.roles.values_list("user__username", "role"))


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"group-0-weight": "50"}, "price_weight", "must sum to 100, not 105"),
    ({"criterion-1-weight": "abc"}, "criterion-1-weight", "expected a number"),
    ({"criterion-0-scale": "0-7"}, "criterion-0-scale", "unknown scale"),
    ({"price_formula": "cheapest_wins"}, "price_formula", "unknown price formula"),
    ({"tie_break": "luck"}, "tie_break", "tie-break rule &#39;luck&#39;"),
    ({"group-0-weight": "55", "group-1-weight": "5"}, "social_value_minimum", "social value"),
    ({"lot-0-budget": "lots"}, "lot-0-budget", "in pounds"),
])
def test_each_of_the_readers_problems_is_shown_at_its_field_and_nothing_is_saved(world, client_for, changes, field,
                                                                                   words) -> None:
    client = client_for("shared.commissioner")
    before = Tender.objects.count()
    response = _build(client, **changes)
    assert response.status_code == 400
    text = response.content.decode()
    assert f'href="#{field}"' in text and words in text
    assert f'id="{field}-error"' in text  # the message at the field too
    assert Tender.objects.count() == before
    # what was typed is kept in its input (the formula is chosen from a list, so a name not on it is not kept)
    if field != "price_formula":
        assert f'value="{next(iter(changes.values()))}"' in text


def test_social_value_below_the_minimum_needs_its_reason(world, client_for) -> None:
    client = client_for("shared.commissioner")
    below = {"group-0-weight": "55", "group-1-weight": "5"}
    assert _build(client, **below).status_code == 400
    response = _build(client, **below, social_value_override_reason="Statutory service with no local market")
    assert response.status_code == 302
    client.post(CHECK)
    model = parse_tender_yaml(Tender.objects.get(reference="NBC-DAY-001").definition)[0].lots[0].model
    assert model.social_value_override_reason == "Statutory service with no local market"


def test_a_reference_already_used_is_refused_at_its_field(world, client_for) -> None:
    response = _build(client_for("shared.commissioner"), reference=world["northfield"].reference)
    assert response.status_code == 400 and 'href="#reference"' in response.content.decode()


def test_only_the_organisations_commissioners_build_tenders(world, client_for) -> None:
    assert client_for("commissioner").get(BUILD).status_code == 403
    assert client_for("southdale.commissioner").get(BUILD).status_code == 404


def _built(client) -> Tender:
    _build(client)
    client.post(CHECK)
    return Tender.objects.get(reference="NBC-DAY-001")


def test_bids_are_entered_sealed_and_the_engines_identity_rule_refuses_a_second_bid(world, client_for) -> None:
    client = client_for("shared.commissioner")
    tender = _built(client)
    lot = tender.lots.get()
    assert client.post(f"/tenders/{tender.pk}/bids/new/", {"lot": lot.pk, "bidder": "Bidder A",
                                                          "price": "400000.50"}).status_code == 400  # gate G1
    response = client.post(f"/tenders/{tender.pk}/bids/new/", {"lot": lot.pk, "bidder": "Bidder A",
                                                               "price": "400000.50", "gate-0": "fail"})
    made = Bid.objects.get(lot=lot, bidder="Bidder A")
    assert response["Location"] == f"/tenders/{tender.pk}/bids/{made.pk}/documents/"
    assert made.price == Decimal("400000.50")
    response = client.post(f"/tenders/{tender.pk}/bids/new/", {"lot": lot.pk, "bidder": "  BIDDER   a ",
                                                               "price": "1", "gate-0": "pass"})
    assert response.status_code == 400 and "are the same bidder" in response.content.decode()
    assert Bid.objects.filter(lot=lot).count() == 1
    commissioner = tender_access(User.objects.get(username="shared.commissioner"), tender.pk)
    assert [b.price for b in data.bids(commissioner)] == [None]  # sealed until prices are opened
    entry = AuditEntry.objects.get(tender=tender, action="bid_added")
    assert entry.detail["price"] == "400000.50" and entry.detail["gates"] == {"G1": "fail"}
    trail = data.audit_trail(commissioner)
    assert "price" in next(a for a in trail if a.action == "bid_added").withheld


def _files(response) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content) if response.streaming
                                         else response.content))
    return {name.split("/", 1)[1]: archive.read(name) for name in archive.namelist()}


def test_a_tender_built_by_forms_downloads_as_a_folder_the_cli_evaluates_to_the_same_result(world, client_for,
                                                                                           tmp_path) -> None:
    client = client_for("shared.commissioner")
    tender = _built(client)
    lot = tender.lots.get()
    for bidder, price in (("Bidder A", "400000"), ("Bidder B", "350000.25"), ("Bidder C", "420000")):
        response = client.post(f"/tenders/{tender.pk}/bids/new/", {"lot": lot.pk, "bidder": bidder, "price": price,
                                                                   "gate-0": "pass", "gate-0-rationale": "registered"})
        assert response.status_code == 302
    sealed = _files(client.get(f"/tenders/{tender.pk}/folder.zip"))
    assert set(sealed) == {"tender.yaml", "bids.csv", "gates.csv"}
    assert b"price" not in sealed["bids.csv"].splitlines()[0] and b"400000" not in sealed["bids.csv"]

    def as_(name: str):
        return tender_access(User.objects.get(username=name), tender.pk)

    commissioner = as_("shared.commissioner")
    for name, role in (("evaluator1", Role.EVALUATOR), ("evaluator2", Role.EVALUATOR), ("moderator", Role.MODERATOR),
                       ("finance", Role.FINANCE)):
        data.assign_role(commissioner, name, role)
    for stage in (Stage.OPEN, Stage.CLOSED, Stage.EVALUATION):
        data.advance(as_("shared.commissioner"), stage, TODAY)
    marks = {"Bidder A": 4, "Bidder B": 3, "Bidder C": 5}
    for position, name in enumerate(("evaluator1", "evaluator2")):
        evaluator = as_(name)
        data.declare(evaluator, has_conflict=False, details="")
        for b in data.bids(evaluator):
            for c in data.criteria(evaluator):
                data.record_score(evaluator, b.id, c.pk, Decimal(marks[b.bidder] - position), "seen")
        data.submit_scores(as_(name))
    data.advance(as_("moderator"), Stage.MODERATION, TODAY)
    moderator = as_("moderator")
    for b in data.bids(moderator):
        for c in data.criteria(moderator):
            data.record_moderation(moderator, b.id, c.pk, Decimal(marks[b.bidder]), "agreed")
    data.advance(as_("finance"), Stage.PRICES_OPENED, TODAY)

    files = _files(client.get(f"/tenders/{tender.pk}/folder.zip"))
    assert {"tender.yaml", "bids.csv", "scores.csv", "moderation.csv"} <= set(files)
    folder = tmp_path / "folder"
    folder.mkdir()
    for name, content in files.items():
        (folder / name).write_bytes(content)
    cli = evaluate_folder(folder)
    workspace = data.results(as_("shared.commissioner"))
    for ours, theirs in zip(workspace.lots, cli.lots, strict=True):
        assert [(r.bid.bidder, r.rank, r.exact_total) for r in ours.result.ranking] == \
            [(r.bid.bidder, r.rank, r.exact_total) for r in theirs.result.ranking]
        assert ours.result.winner is not None and ours.result.winner.bid.bidder == "Bidder C"
    assert AuditEntry.objects.filter(tender=tender, action="downloaded", detail__what="tender folder").count() == 2


def test_the_template_tender_yaml_is_one_the_reader_accepts(world, client_for) -> None:
    response = client_for("shared.commissioner").get("/tender-template.yaml")
    tender, _ = parse_tender_yaml(response.content)
    assert tender.lots and tender.lots[0].model.price.weight == 40


def test_a_draft_tender_is_edited_with_the_builder_prefilled_and_saved_through_the_same_path(world, client_for) -> None:
    client = client_for("shared.commissioner")
    tender = _built(client)
    edit, check = f"/tenders/{tender.pk}/edit/", f"/tenders/{tender.pk}/edit/check/"
    page = client.get(edit).content.decode()
    # pre-filled from the stored tender.yaml, the exact fraction as written
    assert 'value="Day opportunities"' in page and 'value="200/3"' in page and 'value="G1"' in page
    changed = {**FIELDS, "title": "Day opportunities (revised)", "price_weight": "30", "group-0-weight": "55",
               "criterion-2-title": "Local jobs and training", "lot-1-id": "2", "lot-1-title": "North"}
    response = client.post(edit, changed)
    assert response["Location"] == check
    assert client.get(check).status_code == 200
    assert Tender.objects.get(pk=tender.pk).title == "Day opportunities"  # nothing saved before confirming
    assert client.post(check)["Location"] == f"/tenders/{tender.pk}/"
    tender.refresh_from_db()
    model = parse_tender_yaml(tender.definition)[0].lots[0].model
    assert tender.title == "Day opportunities (revised)" and model.price.weight == 30
    assert sorted(tender.lots.values_list("reference", flat=True)) == ["1", "2"]
    assert Criterion.objects.get(lot__tender=tender, lot__reference="2", reference="SV1").title == \
        "Local jobs and training"
    entry = AuditEntry.objects.get(tender=tender, action="tender_edited")
    assert set(entry.detail["changed"]) == {"Title", "Price weight", "Group 1 weight", "Criterion 3 title",
                                            "Lot 2 id", "Lot 2 title"}
    # the builder opens again on what was saved
    assert 'value="Day opportunities (revised)"' in client.get(edit).content.decode()


def test_editing_is_refused_once_a_bid_is_entered(world, client_for) -> None:
    client = client_for("shared.commissioner")
    tender = _built(client)
    edit = f"/tenders/{tender.pk}/edit/"
    client.post(edit, {**FIELDS, "title": "Changed"})  # kept in the session, not yet confirmed
    client.post(f"/tenders/{tender.pk}/bids/new/", {"lot": tender.lots.get().pk, "bidder": "Bidder A",
                                                   "price": "1000", "gate-0": "pass"})
    for response in (client.get(edit), client.post(edit, FIELDS), client.post(f"{edit}check/")):
        assert response.status_code == 409 and "Bids have been entered" in response.content.decode()
    tender.refresh_from_db()
    assert tender.title == "Day opportunities"
    assert not AuditEntry.objects.filter(tender=tender, action="tender_edited").exists()
    assert b"Edit the tender" not in client.get(f"/tenders/{tender.pk}/").content
    # past draft, the same: the example tender is open
    assert client.get(f"/tenders/{world['northfield'].pk}/edit/").status_code == 409


def test_the_check_as_the_person_types_returns_the_readers_problems_and_saves_nothing(world, client_for) -> None:
    client = client_for("shared.commissioner")
    tenders, entries = Tender.objects.count(), AuditEntry.objects.count()
    response = client.post(BUILD, {**FIELDS, "group-0-weight": "50"}, HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert response.status_code == 400 and "must sum to 100, not 105" in text
    assert 'href="#price_weight"' in text and 'id="price_weight-error"' in text
    assert "tender-builder:northfield" not in client.session  # not kept: only Continue keeps the answers
    # a good model checked as typed: no problems, and still nothing kept or saved
    response = client.post(BUILD, FIELDS, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "There is a problem" not in response.content.decode()
    assert "tender-builder:northfield" not in client.session
    assert client.get(CHECK)["Location"] == BUILD
    assert (Tender.objects.count(), AuditEntry.objects.count()) == (tenders, entries)


def test_a_tender_yaml_the_builder_cannot_show_is_not_opened_in_it(world, client_for) -> None:
    """The example's model has a quantitative criterion the builder does not offer: editing it with forms would lose
    it, so the builder refuses to open it."""
    client = client_for("shared.commissioner")
    tender = _built(client)
    example = (Path(__file__).resolve().parents[2] / "examples" / "home-care-tender" / "tender.yaml").read_text()
    Tender.objects.filter(pk=tender.pk).update(definition=example)
    response = client.get(f"/tenders/{tender.pk}/edit/")
    assert response.status_code == 409 and "what the builder does not offer" in response.content.decode()


def test_another_row_is_added_without_javascript_keeping_what_was_typed_and_saving_nothing(world, client_for) -> None:
    client = client_for("shared.commissioner")
    tenders, entries = Tender.objects.count(), AuditEntry.objects.count()
    # the title not yet typed: adding a row shows no problem for it, nor for the new empty row
    response = client.post(BUILD, {**FIELDS, "title": "", "criterion_rows": "8", "add": "criterion"})
    text = response.content.decode()
    assert response.status_code == 200 and "There is a problem" not in text
    assert 'name="criterion-8-id"' in text and 'name="criterion-9-id"' not in text
    assert 'id="criterion_rows" name="criterion_rows" value="9"' in text
    assert 'id="lot_rows" name="lot_rows" value="3"' in text
    assert 'value="NBC-DAY-001"' in text and 'value="200/3"' in text and 'value="G1"' in text
    assert "tender-builder:northfield" not in client.session
    # the added row filled in and the form continued: the new criterion is in the tender, the empty rows ignored
    response = client.post(BUILD, {**FIELDS, "criterion_rows": "9", "criterion-1-weight": "50/3",
                                   "criterion-8-id": "Q3", "criterion-8-title": "Safeguarding",
                                   "criterion-8-group": "quality", "criterion-8-weight": "50/3"})
    assert response["Location"] == CHECK
    assert "Safeguarding" in client.get(CHECK).content.decode()
    assert (Tender.objects.count(), AuditEntry.objects.count()) == (tenders, entries)


def _thirty_criteria() -> dict[str, str]:
    """A tender with 30 criteria (25 of quality at 4% of it each, 5 of social value at 20% each): more than a new
    tender's rows, as a council's tender often has."""
    fields = {name: value for name, value in FIELDS.items() if not name.startswith("criterion-")}
    for row in range(30):
        group, weight = ("quality", "4") if row < 25 else ("social_value", "20")
        fields |= {f"criterion-{row}-id": f"C{row + 1}", f"criterion-{row}-title": f"Criterion {row + 1}",
                   f"criterion-{row}-group": group, f"criterion-{row}-weight": weight}
    return fields | {"criterion_rows": "30", "tie_break": "price"}


def test_a_tender_with_thirty_criteria_is_built_confirmed_and_edited(world, client_for) -> None:
    client = client_for("shared.commissioner")
    assert client.post(BUILD, _thirty_criteria())["Location"] == CHECK
    assert client.post(CHECK).status_code == 302
    tender = Tender.objects.get(reference="NBC-DAY-001")
    assert Criterion.objects.filter(lot__tender=tender).count() == 30
    # the edit opens with as many rows as the stored tender needs, each pre-filled
    page = client.get(f"/tenders/{tender.pk}/edit/").content.decode()
    assert 'id="criterion_rows" name="criterion_rows" value="30"' in page and 'name="criterion-30-id"' not in page
    assert 'value="C30"' in page and 'value="Criterion 17"' in page


def test_rows_beyond_the_maximum_are_refused_clearly_and_nothing_is_kept(world, client_for, settings) -> None:
    client = client_for("shared.commissioner")
    tenders = Tender.objects.count()
    # the Commonweal default maximum, 100 criteria: adding a 101st is refused at the button
    response = client.post(BUILD, {**FIELDS, "criterion_rows": "100", "add": "criterion"})
    text = response.content.decode()
    assert response.status_code == 400 and "at most 100 criteria" in text and 'href="#add-criterion"' in text
    assert 'name="criterion-99-id"' in text and 'name="criterion-100-id"' not in text
    # configurable: a lower maximum, and a count posted beyond it is refused rather than read
    settings.COMMONWEAL_BUILDER_MAX_ROWS = {**settings.COMMONWEAL_BUILDER_MAX_ROWS, "lot": 2}
    response = client.post(BUILD, {**FIELDS, "lot_rows": "3", "lot-2-id": "3", "lot-2-title": "South"})
    assert response.status_code == 400 and "at most 2 lots" in response.content.decode()
    response = client.post(BUILD, {**FIELDS, "lot_rows": "2", "add": "lot"})
    assert response.status_code == 400 and "at most 2 lots" in response.content.decode()
    assert "tender-builder:northfield" not in client.session and Tender.objects.count() == tenders
