"""The evaluator's journey: one criterion of one bid per page, previous and next across the bids (or across a bid's
criteria), progress "n of N scored", drafts changed freely until "submit my scores" locks them; a scores file that
would change a saved score shows what it replaces and saves nothing until confirmed for that very file."""

from __future__ import annotations

import hashlib

import pytest
from django.contrib.auth.models import User

from commonweal.web.access import tender_access
from commonweal.web.models import AuditEntry, Bid, Criterion, Score, ScoreSubmission
from commonweal.web.tenders import data

pytestmark = pytest.mark.db


def _pairs(tender) -> int:
    return sum(Bid.objects.filter(lot=lot).count() * Criterion.objects.filter(lot=lot).count()
               for lot in tender.lots.all())


def test_progress_and_the_order_the_evaluator_chooses(world, client_for) -> None:
    tender = world["northfield"]
    client = client_for("evaluator3")
    client.post(f"/tenders/{tender.pk}/declare/", {"has_conflict": "no"})
    page = client.get(f"/tenders/{tender.pk}/evaluate/").content.decode()
    assert f"0 of {_pairs(tender)} scored" in page and "Start scoring" in page
    evaluator3 = tender_access(User.objects.get(username="evaluator3"), tender.pk)
    across = data.scoring_sequence(evaluator3, by_bid=False)
    by_bid = data.scoring_sequence(evaluator3, by_bid=True)
    assert len(across) == len(by_bid) == _pairs(tender) == len({(b.id, c.pk) for b, c in across})
    # a criterion at a time: the first two pages are two bids on one criterion; a bid at a time: one bid, two
    assert across[0][1].pk == across[1][1].pk and across[0][0].id != across[1][0].id
    assert by_bid[0][0].id == by_bid[1][0].id and by_bid[0][1].pk != by_bid[1][1].pk
    bid, criterion = across[0]
    page = client.get(f"/tenders/{tender.pk}/bids/{bid.id}/criteria/{criterion.pk}/").content.decode()
    assert f"1 of {len(across)}" in page and "Next" in page and "Previous" not in page
    nxt = across[1]
    assert f'href="/tenders/{tender.pk}/bids/{nxt[0].id}/criteria/{nxt[1].pk}/"' in page


def test_submitting_locks_the_scores_and_waits_for_every_score(world, client_for) -> None:
    tender = world["northfield"]
    client = client_for("evaluator3")
    client.post(f"/tenders/{tender.pk}/declare/", {"has_conflict": "no"})
    refused = client.post(f"/tenders/{tender.pk}/scores/submit/")
    assert refused.status_code == 400 and f"0 of {_pairs(tender)} scored" in refused.content.decode()
    evaluator3 = User.objects.get(username="evaluator3")
    first = list(Score.objects.filter(bid__lot__tender=tender, evaluator__username="evaluator1"))
    Score.objects.bulk_create(Score(bid=s.bid, criterion=s.criterion, evaluator=evaluator3, score=s.score,
                                    rationale=s.rationale) for s in first)
    confirm = client.get(f"/tenders/{tender.pk}/scores/submit/").content.decode()
    assert "This cannot be undone" in confirm
    assert client.post(f"/tenders/{tender.pk}/scores/submit/").status_code == 302
    assert ScoreSubmission.objects.filter(tender=tender, evaluator=evaluator3).exists()
    assert AuditEntry.objects.order_by("-sequence").first().action == "scores_submitted"
    # locked: the page shows the score read-only, a save is refused and nothing changes
    s = first[0]
    path = f"/tenders/{tender.pk}/bids/{s.bid_id}/criteria/{s.criterion_id}/"
    assert 'name="score"' not in client.get(path).content.decode()
    locked = client.post(path, {"score": "0", "rationale": "Changed my mind", "then": "stay"})
    assert locked.status_code == 400 and "they are locked" in locked.content.decode()
    assert Score.objects.get(evaluator=evaluator3, bid_id=s.bid_id, criterion_id=s.criterion_id).score == s.score
    # evaluator3 no longer holds moderation up; evaluator1 and 2 have not submitted
    moderation = client_for("moderator").get(f"/tenders/{tender.pk}/advance/").content.decode()
    assert "evaluator3" not in moderation and "evaluator1: scores not yet submitted" in moderation


def test_a_scores_file_never_replaces_a_saved_score_without_asking(world, client_for) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    tender = world["northfield"]
    client = client_for("evaluator1")  # has scored everything
    saved = Score.objects.filter(bid__lot__tender=tender, evaluator__username="evaluator1").select_related(
        "bid__lot", "criterion").order_by("pk").first()
    new = 0 if saved.score != 0 else 1
    content = (f"bidder,lot,criterion,score,rationale\n{saved.bid.bidder},{saved.bid.lot.reference},"
               f"{saved.criterion.reference},{new},Revised after a second reading\n").encode()
    path = f"/tenders/{tender.pk}/scores/upload/"
    asked = client.post(path, {"scores": SimpleUploadedFile("scores.csv", content)})
    html = asked.content.decode()
    assert asked.status_code == 200 and "This file would replace 1 saved score" in html
    assert saved.bid.bidder in html and saved.criterion.reference in html
    assert Score.objects.get(pk=saved.pk).score == saved.score  # nothing saved yet
    digest = hashlib.sha256(content).hexdigest()
    assert f'name="replace" value="{digest}"' in html
    # confirming for another file does not save this one's replacements
    other = content.replace(b"Revised", b"Rewritten")
    again = client.post(path, {"scores": SimpleUploadedFile("scores.csv", other), "replace": digest})
    assert "This file would replace 1 saved score" in again.content.decode()
    assert Score.objects.get(pk=saved.pk).score == saved.score
    done = client.post(path, {"scores": SimpleUploadedFile("scores.csv", content), "replace": digest})
    assert done.status_code == 302
    assert Score.objects.get(pk=saved.pk).score == new
