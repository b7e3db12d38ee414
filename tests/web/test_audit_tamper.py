"""The audit chains resist someone who can rewrite the table: the exact attack (edit an entry, recompute every later
hash with the project's own `entry_hash`, fix the head row) fails `commonweal audit verify` because the MACs need
the key kept outside the database. Each organisation's chain verifies on its own; the head is printable."""

from __future__ import annotations

import json
import stat
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from typer.testing import CliRunner

from commonweal.cli.main import app
from commonweal.domain.audit import entry_hash, key_id
from commonweal.web import audit, engine
from commonweal.web.access import issue_token, tender_access
from commonweal.web.models import AuditEntry, AuditHead, Organisation
from commonweal.web.tenders import data

pytestmark = pytest.mark.db


def _rewrite_from(entry: AuditEntry, **changes: object) -> None:
    """The attack: change one entry, then recompute its hash and every later hash in its chain, and the head row,
    exactly as the project's own code computes them; the MACs are left as they were (no key)."""
    AuditEntry.objects.filter(pk=entry.pk).update(**changes)
    previous = entry.previous_hash
    for later in AuditEntry.objects.filter(chain=entry.chain, sequence__gte=entry.sequence).order_by("sequence"):
        later.previous_hash = previous
        later.hash = entry_hash(previous, later.record())
        later.save(update_fields=["previous_hash", "hash"])
        previous = later.hash
    AuditHead.objects.filter(pk=entry.chain_id).update(hash=previous)


@pytest.fixture
def scored(world):
    """Northfield's tender with three score entries from evaluator1."""
    tender = world["northfield"]
    access = tender_access(User.objects.get(username="evaluator1"), tender.pk)
    bid = data.bids(access)[0]
    for criterion in [c for c in data.criteria(access) if c.lot_id == bid.lot_id][:3]:
        data.record_score(access, bid.id, criterion.pk, Decimal(engine.criterion_scale(criterion).scores[0]),
                          "first thoughts")
    return tender


def test_rewriting_an_entry_and_recomputing_every_later_hash_is_reported(scored):
    runner = CliRunner()
    assert runner.invoke(app, ["audit", "verify", "--organisation", "northfield"]).exit_code == 0
    target = AuditEntry.objects.filter(tender=scored, action="score_recorded").order_by("sequence").first()
    _rewrite_from(target, detail={**target.detail, "score": "99"})
    # without the key the hashes alone look perfect, as they did before this design
    assert not [p for p in audit.verify_one(scored.organisation).problems if "hash" in p]
    result = runner.invoke(app, ["audit", "verify", "--organisation", "northfield"])
    assert result.exit_code == 1
    assert f"entry {target.sequence} has been rewritten" in result.output
    assert "northfield: TAMPERED" in result.output
    # all chains: Northfield's fails, Southdale's is intact and says so
    every = runner.invoke(app, ["audit", "verify"])
    assert every.exit_code == 1
    assert "southdale: intact" in every.output and "northfield: TAMPERED" in every.output


def test_each_organisation_chain_verifies_alone_and_is_numbered_from_one(scored):
    southdale = Organisation.objects.get(slug="southdale")
    sequences = list(AuditEntry.objects.filter(organisation=southdale).values_list("sequence", flat=True))
    assert sorted(sequences) == list(range(1, len(sequences) + 1))
    target = AuditEntry.objects.filter(tender=scored).order_by("sequence").last()
    _rewrite_from(target, actor="someone else")
    assert CliRunner().invoke(app, ["audit", "verify", "--organisation", "southdale"]).exit_code == 0
    assert CliRunner().invoke(app, ["audit", "verify", "--organisation", "northfield"]).exit_code == 1


def test_an_entry_sealed_with_an_unknown_key_is_reported(scored, monkeypatch):
    monkeypatch.setenv("COMMONWEAL_AUDIT_KEY", "a different key")
    report = audit.verify_one(scored.organisation)
    assert any("which this installation does not hold" in p for p in report.problems)
    # a retired key kept among the previous keys still verifies the older entries
    monkeypatch.setenv("COMMONWEAL_AUDIT_PREVIOUS_KEYS", audit._generated_key(audit._key_file()).decode())
    assert audit.verify_one(scored.organisation).problems == ()


def test_entries_of_no_organisation_go_to_the_deployment_chain(world):
    issue_token(User.objects.get(username="evaluator1"), "deployment chain")
    entry = AuditEntry.objects.get(action="api_token_issued")
    assert entry.chain.scope == AuditHead.DEPLOYMENT and entry.sequence == 1
    result = CliRunner().invoke(app, ["audit", "verify", "--organisation", "deployment"])
    assert result.exit_code == 0 and "deployment: intact: 1 entries" in result.output


def test_the_head_is_printed_and_catches_a_cut_off_end(scored):
    runner = CliRunner()
    printed = runner.invoke(app, ["audit", "head", "--organisation", "northfield"])
    assert printed.exit_code == 0, printed.output
    head = json.loads(printed.output)
    last = AuditEntry.objects.filter(organisation=scored.organisation).order_by("-sequence").first()
    assert (head["chain"], head["sequence"], head["hash"], head["mac"]) == ("northfield", last.sequence, last.hash,
                                                                            last.mac)
    assert audit.head(scored.organisation) == audit.Head("northfield", last.sequence, last.hash, last.mac)
    # cut the last entry and wind the head row back: only the recorded head shows it
    AuditEntry.objects.filter(pk=last.pk).delete()
    AuditHead.objects.filter(pk=last.chain_id).update(sequence=last.sequence - 1, hash=last.previous_hash)
    assert runner.invoke(app, ["audit", "verify", "--organisation", "northfield"]).exit_code == 0
    cut = runner.invoke(app, ["audit", "verify", "--organisation", "northfield", "--head", head["hash"]])
    assert cut.exit_code == 1 and "entries were removed or added" in cut.output


def test_a_cut_off_end_without_winding_back_the_head_row_is_reported(scored):
    last = AuditEntry.objects.filter(organisation=scored.organisation).order_by("-sequence").first()
    AuditEntry.objects.filter(pk=last.pk).delete()
    assert any("removed from the end" in p for p in audit.verify_one(scored.organisation).problems)


def test_unknown_organisation_and_head_without_organisation_exit_1(world):
    runner = CliRunner()
    unknown = runner.invoke(app, ["audit", "verify", "--organisation", "nowhere"])
    assert unknown.exit_code == 1 and "no organisation with the slug 'nowhere'" in unknown.output
    assert runner.invoke(app, ["audit", "verify", "--head", "0" * 64]).exit_code == 1


def test_the_generated_key_is_private_and_made_once(tmp_path):
    path = tmp_path / "var" / "audit_key"
    key = audit._generated_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    audit._generated_key.cache_clear()
    assert len(key) >= 32 and audit._generated_key(path) == key  # read back, not made again
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind
    assert key_id(key) != key_id(b"another key")
