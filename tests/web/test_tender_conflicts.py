"""A declared conflict of interest reaches the commissioner (home page, tender page) and is decided there: the
evaluator is replaced, or continues with the reason recorded; each decision is audited and nothing is a dead end.
The tender page is a task list of the stages with who acts next, and its criteria tables add up to 100."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User

from commonweal.web.models import AuditEntry, ConflictDecision, ConflictDeclaration, TenderRole

pytestmark = pytest.mark.db


def _declare_conflict(tender, client_for) -> ConflictDeclaration:
    client_for("evaluator3").post(f"/tenders/{tender.pk}/declare/",
                                  {"has_conflict": "yes", "details": "My sister works for a bidder"})
    return ConflictDeclaration.objects.get(tender=tender, user__username="evaluator3")


def test_a_declared_conflict_is_on_the_commissioners_home_and_tender_page(world, client_for) -> None:
    tender = world["northfield"]
    made = _declare_conflict(tender, client_for)
    link = f"/tenders/{tender.pk}/conflicts/{made.pk}/"
    home = client_for("commissioner").get("/").content.decode()
    assert link in home
    page = client_for("commissioner").get(f"/tenders/{tender.pk}/").content.decode()
    assert "govuk-notification-banner" in page and link in page
    # the evaluator is told what happens next; the viewer sees no banner
    assert "decides whether you are replaced or continue" in client_for("evaluator3").get(
        f"/tenders/{tender.pk}/").content.decode()
    assert link not in client_for("viewer").get(f"/tenders/{tender.pk}/").content.decode()
    # moderation waits on the decision, and says so
    confirm = client_for("commissioner").get(f"/tenders/{tender.pk}/advance/").content.decode()
    assert "evaluator3 declared a conflict of interest: the commissioner decides" in confirm


def test_the_commissioner_replaces_the_conflicted_evaluator(world, client_for) -> None:
    tender = world["northfield"]
    made = _declare_conflict(tender, client_for)
    client = client_for("commissioner")
    path = f"/tenders/{tender.pk}/conflicts/{made.pk}/"
    form = client.get(path).content.decode()
    assert 'value="viewer"' in form and 'value="evaluator1"' not in form  # evaluators are not offered
    refused = client.post(path, {"outcome": "replaced", "replacement": "", "reason": "Close family link"})
    assert refused.status_code == 400 and 'href="#replacement"' in refused.content.decode()
    assert not ConflictDecision.objects.exists()
    done = client.post(path, {"outcome": "replaced", "replacement": "viewer", "reason": "Close family link"})
    assert done.status_code == 302
    roles = set(TenderRole.objects.filter(tender=tender, role="evaluator").values_list("user__username", flat=True))
    assert "viewer" in roles and "evaluator3" not in roles
    assert list(AuditEntry.objects.filter(tender=tender).order_by("-sequence").values_list("action", flat=True)[:3]) \
        == ["conflict_decided", "role_assigned", "role_removed"]
    # decided once; the home item is gone; the replacement can declare and evaluate
    assert client.post(path, {"outcome": "continues", "reason": "Changed my mind"}).status_code == 400
    assert path not in client.get("/").content.decode()
    assert client_for("evaluator3").get(f"/tenders/{tender.pk}/evaluate/").status_code == 403
    assert client_for("viewer").get(f"/tenders/{tender.pk}/declare/").status_code == 200


def test_the_evaluator_continues_with_the_mitigation_recorded(world, client_for) -> None:
    tender = world["northfield"]
    made = _declare_conflict(tender, client_for)
    evaluator3 = client_for("evaluator3")
    assert evaluator3.get(f"/tenders/{tender.pk}/evaluate/").status_code == 403
    client = client_for("commissioner")
    path = f"/tenders/{tender.pk}/conflicts/{made.pk}/"
    assert client.post(path, {"outcome": "continues", "reason": ""}).status_code == 400
    assert client.post(path, {"outcome": "continues",
                              "reason": "Historic link; a second evaluator checks each score"}).status_code == 302
    assert ConflictDecision.objects.get(declaration=made).decided_by == User.objects.get(username="commissioner")
    assert evaluator3.get(f"/tenders/{tender.pk}/evaluate/").status_code == 200
    # their missing scores now hold up moderation, as any evaluator's do
    confirm = client.get(f"/tenders/{tender.pk}/advance/").content.decode()
    assert "evaluator3: " in confirm and "the commissioner decides" not in confirm


def test_the_tender_page_is_a_task_list_with_who_acts_next(world, client_for) -> None:
    tender = world["northfield"]  # in evaluation: starting moderation is next, held up by missing scores
    page = client_for("commissioner").get(f"/tenders/{tender.pk}/").content.decode()
    titles = re.findall(r'class="govuk-task-list__name-and-hint">\s*<(?:a|div)[^>]*>\s*([^<]+?)\s*<', page)
    assert titles[:4] == ["Open the tender for bids", "Close the tender to bids", "Start evaluation",
                          "Start moderation"]
    assert page.count("Completed") == 3
    # who takes the next step: the tender's moderator and its commissioners, organisation-wide ones included
    assert "By commissioner or moderator: commissioner, moderator, shared.commissioner" in page
    # blockers are one line per person
    assert re.search(r"<li>evaluator3 has not declared conflicts of interest</li>", page)
    assert len(re.findall(r"<li>evaluator3: \d+ scores missing</li>", page)) == 1


def test_the_criteria_tables_show_price_and_add_up_to_100(world, client_for) -> None:
    page = client_for("commissioner").get(f"/tenders/{world['northfield'].pk}/").content.decode()
    tables = re.findall(r"<caption[^>]*>Lot .*?</table>", page, re.S)
    assert tables
    for table in tables:
        assert ">price Price" in table or "price" in table.lower()
        weights = re.findall(r'govuk-table__cell--numeric">([\d.]+)</td>', table)
        assert weights[-1] == "100"
        assert sum(float(w) for w in weights[:-1]) == pytest.approx(100, abs=0.05)


def test_publishing_the_award_notice_is_confirmed_with_a_govuk_date_input(world, client_for) -> None:
    import datetime as dt

    from django.utils import timezone

    from commonweal.web.models import Tender

    tender = world["southdale"]
    today = timezone.localdate()
    Tender.objects.filter(pk=tender.pk).update(stage="award_recommended", award_recommended_on=today)
    client = client_for("shared.commissioner")
    page = client.get(f"/tenders/{tender.pk}/advance/").content.decode()
    assert 'name="award_notice_published-day"' in page and "8 working days" in page
    future = today + dt.timedelta(days=3)
    refused = client.post(f"/tenders/{tender.pk}/advance/", {
        "target": "standstill", "award_notice_published-day": str(future.day),
        "award_notice_published-month": str(future.month), "award_notice_published-year": str(future.year)})
    html = refused.content.decode()
    assert refused.status_code == 400 and 'href="#award_notice_published-day"' in html and "after today" in html
    assert f'value="{future.day}"' in html  # what was typed is kept
    assert client.post(f"/tenders/{tender.pk}/advance/", {
        "target": "standstill", "award_notice_published-day": "31", "award_notice_published-month": "2",
        "award_notice_published-year": str(today.year)}).status_code == 400
    done = client.post(f"/tenders/{tender.pk}/advance/", {
        "target": "standstill", "award_notice_published-day": str(today.day),
        "award_notice_published-month": str(today.month), "award_notice_published-year": str(today.year)})
    assert done.status_code == 302
    assert Tender.objects.get(pk=tender.pk).award_notice_published == today
