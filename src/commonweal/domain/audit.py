"""A tamper-evident audit chain: each entry's hash covers the previous entry's hash and the entry's canonical JSON,
so editing or deleting any entry breaks every later link; each entry also carries a keyed MAC (HMAC-SHA256 over its
hash) so that someone who can rewrite the table, but does not hold the key, cannot recompute a valid chain.

Also here: which audit detail fields carry bid content, scores or prices, and who may see them at which stage
(the lifecycle's rules, applied to the trail).

This is the pure part (hashing, checking, disclosure); storage and the key's location live in the web app.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from commonweal.domain.lifecycle import Role, Stage, other_scores_visible, prices_visible

GENESIS = "0" * 64


def canonical_json(record: Mapping[str, object]) -> str:
    """Sorted keys, no spaces, UTF-8 text: the same record always serialises to the same bytes."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(previous_hash: str, record: Mapping[str, object]) -> str:
    return hashlib.sha256((previous_hash + canonical_json(record)).encode("utf-8")).hexdigest()


def entry_mac(key: bytes, hash_: str) -> str:
    """HMAC-SHA256 of an entry's hash (which already covers the previous hash and the entry's content)."""
    return hmac.new(key, b"commonweal-audit-entry:" + hash_.encode("ascii"), hashlib.sha256).hexdigest()


def key_id(key: bytes) -> str:
    """A short fingerprint naming a key, stored beside each entry so verification picks the right key after a
    rotation; it reveals nothing usable about the key (a truncated SHA-256 of a domain-separated input)."""
    return hashlib.sha256(b"commonweal-audit-key-id:" + key).hexdigest()[:16]


@dataclass(frozen=True)
class ChainedEntry:
    sequence: int
    record: Mapping[str, object]
    previous_hash: str
    hash: str
    mac: str = ""
    key_id: str = ""


def verify_chain(entries: Iterable[ChainedEntry], keys: Mapping[str, bytes] | None = None) -> tuple[str, ...]:
    """Every break in the chain, in words; empty when the chain is intact.

    `entries` must be in sequence order. A gap in sequence numbers or a wrong previous hash means an entry was
    deleted; a hash that does not match the record means an entry was edited. With `keys` (key id -> key), each
    entry's MAC is checked too: a chain rewritten with recomputed hashes fails here, since the MACs cannot be
    recomputed without the key.
    """
    problems: list[str] = []
    expected_sequence = 1
    previous = GENESIS
    for entry in entries:
        if entry.sequence != expected_sequence:
            problems.append(f"entry {expected_sequence} is missing (next entry found is {entry.sequence})")
        if entry.previous_hash != previous:
            problems.append(f"entry {entry.sequence} does not follow the entry before it (previous hash differs)")
        if entry_hash(entry.previous_hash, entry.record) != entry.hash:
            problems.append(f"entry {entry.sequence} has been altered (its hash does not match its content)")
        if keys is not None:
            key = keys.get(entry.key_id)
            if key is None:
                problems.append(
                    f"entry {entry.sequence} is sealed with key {entry.key_id or '(none)'}, which this installation "
                    "does not hold: it was rewritten, or a retired key is missing from the previous keys"
                )
            elif not hmac.compare_digest(entry_mac(key, entry.hash), entry.mac):
                problems.append(
                    f"entry {entry.sequence} has been rewritten (its MAC does not match: the chain was recomputed "
                    "without the audit key)"
                )
        previous = entry.hash
        expected_sequence = entry.sequence + 1
    return tuple(problems)


# -- who may see which detail ------------------------------------------------------------------------------------


class Need(StrEnum):
    """What a viewer must be allowed to see for one detail field of an audit entry."""

    ANYONE = "anyone"  # who did what when: anyone who may read the trail
    BID = "bid"  # which bid, which bidder: bid content, never shown to the admin
    SCORES = "scores"  # an evaluator's or the consensus score and rationale
    PRICES = "prices"  # prices, and decisions that discuss them


_PERSON = {"username": Need.ANYONE}
_SCORE = {"bid": Need.BID, "bidder": Need.BID, "criterion": Need.ANYONE, "score": Need.SCORES,
          "rationale": Need.SCORES, "replaced": Need.ANYONE}

# Every audited action's detail fields, classified once. A field or action not listed is withheld from everyone
# (fail closed): a new audited action must be added here (tests/web/test_audit_visibility.py checks the code).
DETAIL_NEEDS: Mapping[str, Mapping[str, Need]] = {
    "stage_changed": {"from": Need.ANYONE, "to": Need.ANYONE, "award_notice_published": Need.ANYONE,
                      "standstill_last_day": Need.ANYONE},
    "role_assigned": {"user": Need.ANYONE, "role": Need.ANYONE},
    # a conflict's description may name a bidder
    "conflict_declared": {"has_conflict": Need.ANYONE, "details": Need.BID},
    # the commissioner's decision on it (replaced by whom, or continues); the mitigation may name a bidder too
    "conflict_decided": {"user": Need.ANYONE, "outcome": Need.ANYONE, "replacement": Need.ANYONE,
                         "reason": Need.BID},
    "score_recorded": _SCORE,
    "scores_submitted": {"scores": Need.ANYONE},
    # a bid's document: which bid, and its name and digest, are bid content
    # a draft has no bids, so nothing sealed: what changed in its model, as the builder's labels
    "tender_edited": {"reference": Need.ANYONE, "changed": Need.ANYONE, "tender_yaml_sha256": Need.ANYONE},
    "tender_document_added": {"title": Need.ANYONE, "name": Need.ANYONE, "kind": Need.ANYONE, "sha256": Need.ANYONE},
    "bid_document_added": {"bid": Need.BID, "bidder": Need.BID, "purpose": Need.ANYONE, "criterion": Need.ANYONE,
                           "name": Need.BID, "sha256": Need.BID},
    # the council's choice to let bidders upload their own bid documents (not which bidder did)
    "bidder_uploads_set": {"allowed": Need.ANYONE},
    "score_moderated": _SCORE,
    # a bid the commissioner entered: who bid is bid content, its price sealed until prices are opened
    "bid_added": {"bid": Need.BID, "bidder": Need.BID, "lot": Need.ANYONE, "price": Need.PRICES,
                  "element_prices": Need.PRICES, "gates": Need.BID},
    "abnormally_low_decided": {"bid": Need.BID, "bidder": Need.BID, "decision": Need.PRICES,
                               "reason": Need.PRICES},
    "downloaded": {"what": Need.ANYONE, "format": Need.ANYONE, "rows": Need.ANYONE, "lot": Need.ANYONE,
                   "bidder": Need.BID},
    "tender_created": {"reference": Need.ANYONE, "tender_yaml_sha256": Need.ANYONE, "lots": Need.ANYONE,
                       "bids": Need.ANYONE, "gate_results": Need.ANYONE, "scores_imported": Need.ANYONE,
                       "moderated_imported": Need.ANYONE, "decisions_imported": Need.ANYONE},
    "demo_seeded": {"stage": Need.ANYONE, "evaluators_scored": Need.ANYONE, "moderated": Need.ANYONE,
                    "decisions": Need.ANYONE},
    "api_token_issued": {"label": Need.ANYONE},
    "role_removed": {"user": Need.ANYONE, "role": Need.ANYONE},
    # people: who was given, changed or removed what; never a token or a password
    "person_invited": {"username": Need.ANYONE, "role": Need.ANYONE, "expires": Need.ANYONE},
    "invitation_cancelled": _PERSON,
    "invitation_accepted": _PERSON,
    "password_reset_link_issued": _PERSON,
    "password_reset": _PERSON,
    "password_changed": _PERSON,
    "organisation_role_given": {"username": Need.ANYONE, "role": Need.ANYONE},
    "organisation_role_removed": {"username": Need.ANYONE, "role": Need.ANYONE},
    "member_removed": {"username": Need.ANYONE, "tender_roles_removed": Need.ANYONE},
    "account_deactivated": _PERSON,
    "account_reactivated": _PERSON,
    # suppliers: published accounts and the organisation's own watchlist; nothing of a bid
    "supplier_watched": {"supplier": Need.ANYONE, "company_number": Need.ANYONE, "tier": Need.ANYONE,
                         "critical": Need.ANYONE},
    "supplier_accounts_uploaded": {"supplier": Need.ANYONE, "file": Need.ANYONE, "sha256": Need.ANYONE,
                                   "years": Need.ANYONE},
    # social value: an organisation's policy and its published or let contracts' figures; no bid content
    "core_value_saved": {"title": Need.ANYONE, "outcomes": Need.ANYONE, "measures": Need.ANYONE, "new": Need.ANYONE},
    "core_value_removed": {"title": Need.ANYONE},
    "own_library_imported": {"name": Need.ANYONE, "version": Need.ANYONE, "measures": Need.ANYONE,
                             "sha256": Need.ANYONE},
    "ppn002_imported": {"rows": Need.ANYONE, "sha256": Need.ANYONE},
    "tender_measure_selected": {"measure": Need.ANYONE, "core_value": Need.ANYONE},
    "tender_measure_removed": {"measure": Need.ANYONE},
    "contract_commitments_recorded": {"title": Need.ANYONE, "supplier": Need.ANYONE, "first_year": Need.ANYONE,
                                      "commitments": Need.ANYONE, "returns": Need.ANYONE},
    "sroi_programme_added": {"name": Need.ANYONE, "ratio": Need.ANYONE, "sha256": Need.ANYONE},
    "maturity_assessed": {"taken_on": Need.ANYONE, "level": Need.ANYONE, "mean_score": Need.ANYONE},
    # contracts area (#18): a let contract's facts are not sealed (the award is published), so every field is
    # shown to whoever may read the organisation's audit trail
    "contract_created": {"contract": Need.ANYONE, "source": Need.ANYONE, "supplier": Need.ANYONE,
                         "value": Need.ANYONE, "commitments": Need.ANYONE},
    "contracts_imported": {"file": Need.ANYONE, "rows": Need.ANYONE},
    "contract_folder_imported": {"contract": Need.ANYONE, "files": Need.ANYONE, "kpis": Need.ANYONE,
                                 "returns": Need.ANYONE, "variations": Need.ANYONE},
    "contracts_exported": {"format": Need.ANYONE, "rows": Need.ANYONE},
    "contracts_demo_seeded": {"contracts": Need.ANYONE},
    "contract_manager_given": {"contract": Need.ANYONE, "username": Need.ANYONE},
    "kpi_saved": {"contract": Need.ANYONE, "kpi": Need.ANYONE, "new": Need.ANYONE, "target": Need.ANYONE,
                  "direction": Need.ANYONE},
    "kpi_exemption_recorded": {"contract": Need.ANYONE, "reason": Need.ANYONE},
    "return_saved": {"contract": Need.ANYONE, "period_start": Need.ANYONE, "status": Need.ANYONE,
                     "kpi_results": Need.ANYONE, "deliveries": Need.ANYONE, "source": Need.ANYONE,
                     "periods": Need.ANYONE, "evidence": Need.ANYONE},
    # an evidence file deleted from a return not yet verified: the file's record, and which side deleted it
    "evidence_deleted": {"contract": Need.ANYONE, "period_start": Need.ANYONE, "line": Need.ANYONE,
                         "name": Need.ANYONE, "sha256": Need.ANYONE, "side": Need.ANYONE},
    "variation_recorded": {"contract": Need.ANYONE, "variation": Need.ANYONE, "ground": Need.ANYONE,
                           "value_change": Need.ANYONE, "ground_status": Need.ANYONE,
                           "change_notice_required": Need.ANYONE},
    "contract_review_opened": {"contract": Need.ANYONE, "review": Need.ANYONE, "trigger": Need.ANYONE,
                               "reason": Need.ANYONE},
    "contract_review_meeting": {"contract": Need.ANYONE, "review": Need.ANYONE, "meeting_on": Need.ANYONE},
    "contract_review_option": {"contract": Need.ANYONE, "review": Need.ANYONE, "side": Need.ANYONE,
                               "option": Need.ANYONE, "legal_basis": Need.ANYONE},
    "contract_review_decided": {"contract": Need.ANYONE, "review": Need.ANYONE, "decision": Need.ANYONE,
                                "reason": Need.ANYONE},
    "contract_action_added": {"contract": Need.ANYONE, "review": Need.ANYONE, "owner": Need.ANYONE,
                              "due_on": Need.ANYONE, "description": Need.ANYONE},
    "contract_action_done": {"contract": Need.ANYONE, "action": Need.ANYONE},
    # publishing: what a notice says and when it was published are public once published; none is bid content
    "publishing_settings_changed": {"ocid_prefix": Need.ANYONE, "buyer_identifier": Need.ANYONE},
    "notice_facts_recorded": {name: Need.ANYONE for name in (
        "above_threshold", "category", "procedure", "tender_period_end", "engagement_description",
        "engagement_closes_on", "no_engagement_reason", "assessment_summaries_sent", "terminated_on",
        "termination_reason", "expected_notice_on")},
    "contract_notice_facts_recorded": {name: Need.ANYONE for name in (
        "contract", "signed_on", "above_threshold", "public_service_mutual", "supported_employment_provider",
        "ended_on", "end_reason", "final_value")},
    "notice_publication_recorded": {name: Need.ANYONE for name in (
        "source", "key", "notice", "sequence", "published_on", "notice_identifier")},
    "notice_downloaded": {"source": Need.ANYONE, "key": Need.ANYONE, "notice": Need.ANYONE},
    "performance_failure_recorded": {name: Need.ANYONE for name in (
        "contract", "failure", "requirement", "description", "decided_on", "penalty_on", "penalty_type",
        "penalty_value", "partial_termination")},
    "pipeline_year_recorded": {"financial_year": Need.ANYONE, "pays_over_threshold": Need.ANYONE,
                               "lead_months": Need.ANYONE},
    # the period and the file chosen; the files hold the council's published spend and contracts
    "transparency_downloaded": {"file": Need.ANYONE, "format": Need.ANYONE, "start": Need.ANYONE,
                                "end": Need.ANYONE},
    "supplier_dependency_changed": {"supplier": Need.ANYONE, "changed": Need.ANYONE},
    # providers area: a provider invited to bid is bid content (who bids); a question's asker likewise (its entry's
    # actor is "bidder"); the question and answer texts are not in the trail (they are in the clarification record)
    "bidder_invited": {"provider": Need.BID, "contact": Need.BID, "new_contact": Need.ANYONE,
                       "already_a_bidder": Need.ANYONE},
    "clarification_asked": {"clarification": Need.ANYONE, "provider": Need.BID, "asked_by": Need.BID},
    "clarification_answered": {"clarification": Need.ANYONE},
    # a let contract's supplier is published (contract details notice), so the provider it is linked to is too
    "contract_provider_linked": {"contract": Need.ANYONE, "provider": Need.ANYONE},
    # the council's check of a provider's return, and the provider's response (its text is in the return record)
    "return_checked": {"contract": Need.ANYONE, "period_start": Need.ANYONE, "status": Need.ANYONE,
                       "reason": Need.ANYONE},
    "return_response": {"contract": Need.ANYONE, "period_start": Need.ANYONE},
    "rating_comment_made": {"contract": Need.ANYONE, "period_start": Need.ANYONE, "period_end": Need.ANYONE},
    # a provider's "not working for us" (its description is in the concern record)
    "provider_concern_raised": {"contract": Need.ANYONE, "review": Need.ANYONE, "kind": Need.ANYONE,
                                "joined": Need.ANYONE},
    # the council's published pipeline; a registration's contact details stay out of the trail
    "opportunity_created": {"opportunity": Need.ANYONE, "title": Need.ANYONE, "status": Need.ANYONE,
                            "tender": Need.ANYONE},
    # the tender an opportunity leads to (ids only); the engagement invitation list taken away, by its count
    "opportunity_tender_linked": {"opportunity": Need.ANYONE, "from": Need.ANYONE, "to": Need.ANYONE},
    "engagement_invitees_downloaded": {"tender": Need.ANYONE, "count": Need.ANYONE},
    "opportunity_status_changed": {"opportunity": Need.ANYONE, "from": Need.ANYONE, "to": Need.ANYONE},
    "opportunity_lot_added": {"opportunity": Need.ANYONE, "lot": Need.ANYONE, "title": Need.ANYONE,
                              "suited_to_smes": Need.ANYONE, "suited_to_vcses": Need.ANYONE},
    "interest_registered": {"opportunity": Need.ANYONE, "interest": Need.ANYONE, "kind": Need.ANYONE,
                            "purpose": Need.ANYONE},
    # spend: published payments data, the organisation's own; no tender content
    "spend_uploaded": {"file": Need.ANYONE, "sha256": Need.ANYONE, "bytes": Need.ANYONE},
    "spend_mapping_stated": {"file": Need.ANYONE, "columns": Need.ANYONE, "header_row": Need.ANYONE,
                             "date_order": Need.ANYONE, "period": Need.ANYONE},
    # the spend queue's lease: a job whose worker stopped is queued again, or failed after its attempts
    "spend_import_requeued": {"file": Need.ANYONE, "attempts": Need.ANYONE},
    "spend_import_failed": {"file": Need.ANYONE, "attempts": Need.ANYONE},
    "spend_import_stopped": {"file": Need.ANYONE, "problems": Need.ANYONE, "asks_for_mapping": Need.ANYONE},
    "spend_imported": {"file": Need.ANYONE, "rows_read": Need.ANYONE, "rows_loaded": Need.ANYONE,
                       "rows_rejected": Need.ANYONE, "total_amount": Need.ANYONE},
    "supplier_review_decided": {"left": Need.ANYONE, "right": Need.ANYONE, "same": Need.ANYONE, "reason": Need.ANYONE},
    # the organisation's local postcode areas, as saved and as they were before
    "local_areas_changed": {"areas": Need.ANYONE, "before": Need.ANYONE},
}


def may_see(need: Need, stage: Stage, roles: frozenset[Role], own: bool) -> bool:
    """Whether a viewer holding `roles` on a tender now at `stage` may see a field needing `need`; `own` is true for
    the viewer's own entries. The admin role alone sees no bid content, score or price at any stage."""
    on_the_tender = bool(roles - {Role.ADMIN})
    if need is Need.ANYONE:
        return True
    if need is Need.BID:
        return on_the_tender
    if need is Need.SCORES:
        # an evaluator or moderator sees what they wrote; others follow score independence
        return own or other_scores_visible(stage, roles)
    return on_the_tender and prices_visible(stage)


@dataclass(frozen=True)
class Disclosed:
    detail: dict[str, object]
    withheld: tuple[str, ...]


def disclose(
    action: str, detail: Mapping[str, object], stage: Stage, roles: frozenset[Role], own: bool
) -> Disclosed:
    """The detail fields this viewer may see, and the names of those withheld from them."""
    needs = DETAIL_NEEDS.get(action, {})
    shown: dict[str, object] = {}
    withheld: list[str] = []
    for field, value in detail.items():
        need = needs.get(field)
        if need is not None and may_see(need, stage, roles, own):
            shown[field] = value
        else:
            withheld.append(field)
    return Disclosed(shown, tuple(sorted(withheld)))
