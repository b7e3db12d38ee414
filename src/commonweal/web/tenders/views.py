"""The tenders area's pages. Each view is thin: it validates the POST with the area's form (`tenders.forms`),
asks its data functions (`commonweal.web.tenders.data`, on the access layer `commonweal.web.access`) for what
the user may see or do, and renders it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from commonweal.domain.evaluation.model import EvaluationModel, PriceRule
from commonweal.domain.evaluation.price import FORMULAS
from commonweal.domain.lifecycle import Role, Stage
from commonweal.services.evaluation import RANKING_HEADER, ranking_rows
from commonweal.web import engine
from commonweal.web.access import (
    READERS,
    Access,
    Refused,
    organisation_access,
    organisations_for,
    tender_access,
    tenders_for,
)
from commonweal.web.documents import attach
from commonweal.web.forms import form_errors, input_problems, refused_errors
from commonweal.web.tenders import builder, data, forms
from commonweal.web.views import page, scoped, today


def not_yet(request: HttpRequest, title: str, access: Access, refused: Refused) -> HttpResponse:
    """The page is allowed but the tender's stage does not yet allow it: say what is missing."""
    return page(request, "web/tenders/not_yet.html", title, status=409, access=access, problems=refused.problems)


@scoped
@require_safe
def tenders(request: HttpRequest) -> HttpResponse:
    return page(request, "web/tenders/tenders.html", "Your tenders", accesses=tenders_for(request.user),
                organisations=organisations_for(request.user), creatable=data.creatable_in(request.user))


def _tender_page(request: HttpRequest, access: Access) -> HttpResponse:
    declaration = data.declaration(access)
    return page(request, "web/tenders/tender.html", access.tender.title, access=access,
                lots=data.award_criteria(access), tasks=data.tasks(access, today()), declaration=declaration,
                cleared=data.cleared(declaration), conflicts=data.conflicts(access),
                bids=data.bids(access) if access.has(Role.COMMISSIONER) else [],
                commissioner=access.has(Role.COMMISSIONER), bids_open=access.stage in data.DOCUMENTS_OPEN)


@scoped
@require_safe
def tender(request: HttpRequest, tender_id: int) -> HttpResponse:
    return _tender_page(request, tender_access(request.user, tender_id))


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def advance(request: HttpRequest, tender_id: int) -> HttpResponse:
    """The confirmation page of the tender's next step, which cannot be undone: what will happen and who will see
    what afterwards; posting it takes the step."""
    access = tender_access(request.user, tender_id)
    step = data.next_step(access, today())
    if step is None:
        raise Http404("the tender has no further step")
    access.require(*step.transition.roles)
    errors: list[dict[str, str]] = []
    form = forms.AdvanceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        date_ids = {"award_notice_published": "award_notice_published-day"}
        if not form.is_valid():
            errors = form_errors(form, {"target": "confirm"})
        else:
            target = Stage(form.cleaned_data["target"])
            published = form.cleaned_data["award_notice_published"] if target == Stage.STANDSTILL else None
            try:
                data.advance(access, target, today(), award_notice_published=published)
            except Refused as refused:
                errors = refused_errors(refused.problems, refused.fields, date_ids, "confirm")
            else:
                messages.success(request, f"The tender is now at stage: {target.label}")
                return redirect("tender", tender_id)
    return page(request, "web/tenders/advance.html", step.transition.action, status=400 if errors else 200,
                access=access, step=step, errors=errors, today=today(),
                posted={part: form.data.get(f"award_notice_published-{part}", "") for part in ("day", "month", "year")})


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def declare(request: HttpRequest, tender_id: int) -> HttpResponse:
    access = tender_access(request.user, tender_id, Role.EVALUATOR)
    errors: list[dict[str, str]] = []
    form = forms.DeclarationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not form.is_valid():
            errors = form_errors(form)
        else:
            conflict = form.cleaned_data["has_conflict"] == "yes"
            try:
                data.declare(access, conflict, form.cleaned_data["details"])
            except Refused as refused:
                errors.extend({"text": p, "href": "#details"} for p in refused.problems)
            else:
                if conflict:
                    messages.info(request, "Your conflict is recorded. The commissioner will decide how to proceed; "
                                           "you will not see bid content.")
                    return redirect("tender", tender_id)
                return redirect("evaluate", tender_id)
    return page(request, "web/tenders/declare.html", "Declare conflicts of interest", status=400 if errors else 200,
                access=access, declaration=data.declaration(access), errors=errors,
                posted={"has_conflict": form.data.get("has_conflict", ""), "details": form.data.get("details", "")})


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def conflict(request: HttpRequest, tender_id: int, declaration_id: int) -> HttpResponse:
    """The commissioner decides on a declared conflict of interest: replace the evaluator or record why they
    continue (Procurement Act 2023 s.82)."""
    access = tender_access(request.user, tender_id, Role.COMMISSIONER)
    found = data.conflict(access, declaration_id)
    errors: list[dict[str, str]] = []
    form = forms.ConflictDecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not form.is_valid():
            errors = form_errors(form, {"outcome": "outcome"})
        else:
            try:
                data.decide_conflict(access, declaration_id, form.cleaned_data["outcome"],
                                     form.cleaned_data["replacement"], form.cleaned_data["reason"])
            except Refused as refused:
                errors = refused_errors(refused.problems, refused.fields, {}, "outcome")
            else:
                messages.success(request, f"Decision recorded on the conflict declared by {found.username}")
                return redirect("tender", tender_id)
    posted = {name: form.data.get(name, "") for name in ("outcome", "replacement", "reason")}
    candidates = [{"value": username, "text": f"{name} ({username})" if name else username,
                   "selected": username == posted["replacement"]}
                  for username, name in (data.replacements(access) if found.undecided else [])]
    return page(request, "web/tenders/conflict.html", f"Conflict of interest: {found.username}",
                status=400 if errors else 200, access=access, conflict=found, candidates=candidates, errors=errors,
                posted=posted)


@scoped
@require_safe
def evaluate(request: HttpRequest, tender_id: int) -> HttpResponse:
    access = tender_access(request.user, tender_id, Role.EVALUATOR)
    if data.declaration(access) is None:
        return redirect("declare", tender_id)
    bids = data.bids(access)
    mine = {(s.bid_id, s.criterion_id) for s in data.my_scores(access)}
    criteria = data.criteria(access)
    progress = {
        b.id: (sum((b.id, c.pk) in mine for c in criteria if c.lot_id == b.lot_id),
               sum(1 for c in criteria if c.lot_id == b.lot_id))
        for b in bids
    }
    sequence = data.scoring_sequence(access, by_bid=False)
    first = next(((b, c) for b, c in sequence if (b.id, c.pk) not in mine), sequence[0] if sequence else None)
    return page(request, "web/tenders/evaluate.html", "Your evaluation", access=access, bids=bids, progress=progress,
                overall=data.Progress(len(mine), sum(total for _, total in progress.values())), first=first,
                submitted=data.submission(access))


@scoped
@require_safe
def score_bid(request: HttpRequest, tender_id: int, bid_id: int) -> HttpResponse:
    """One bid at a time: its first criterion still to score (or its first), in bid order."""
    access = tender_access(request.user, tender_id, Role.EVALUATOR)
    if data.declaration(access) is None:
        return redirect("declare", tender_id)
    bid = data.bid(access, bid_id)
    mine = {s.criterion_id for s in data.my_scores(access, bid.id)}
    criteria = [c for c in data.criteria(access) if c.lot_id == bid.lot_id]
    if not criteria:
        raise Http404("this bid's lot has no scored criteria")
    chosen = next((c for c in criteria if c.pk not in mine), criteria[0])
    return redirect(f"{reverse('score', args=[tender_id, bid_id, chosen.pk])}?by=bid")


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def score(request: HttpRequest, tender_id: int, bid_id: int, criterion_id: int) -> HttpResponse:
    """One criterion of one bid: the bid beside the scale, previous and next across the bids (or, `?by=bid`,
    across the bid's criteria). Saving keeps the score as a draft the evaluator may change until they submit."""
    access = tender_access(request.user, tender_id, Role.EVALUATOR)
    if data.declaration(access) is None:
        return redirect("declare", tender_id)
    by_bid = request.GET.get("by") == "bid"
    sequence = data.scoring_sequence(access, by_bid)
    position = next((i for i, (b, c) in enumerate(sequence) if b.id == bid_id and c.pk == criterion_id), None)
    if position is None:
        raise Http404("no such bid and criterion to score")
    bid, criterion = sequence[position]
    order = "?by=bid" if by_bid else ""

    def address(index: int) -> str | None:
        if not 0 <= index < len(sequence):
            return None
        b, c = sequence[index]
        return reverse("score", args=[tender_id, b.id, c.pk]) + order

    errors: list[dict[str, str]] = []
    posted: dict[str, str] = {}
    saved = False
    in_place = request.headers.get("HX-Request") == "true"
    if request.method == "POST":
        form = forms.ScoreForm(request.POST)
        posted = {"score": form.data.get("score", ""), "rationale": form.data.get("rationale", "")}
        if not form.is_valid():
            errors = form_errors(form, {"score": "score"})
        else:
            try:
                data.record_score(access, bid.id, criterion.pk, form.cleaned_data["score"],
                                  form.cleaned_data["rationale"])
            except Refused as refused:
                errors = refused_errors(refused.problems, refused.fields, {}, "rationale")
            else:
                saved = True
                if not in_place:
                    messages.success(request, f"Score saved for {bid.bidder}, {criterion.reference}")
                    if request.POST.get("then") == "next":
                        return redirect(address(position + 1) or reverse("evaluate", args=[tender_id]))
                    return redirect(address(position) or reverse("evaluate", args=[tender_id]))
    existing = next(iter(data.my_scores(access, bid.id, criterion.pk)), None)
    documents = [d for d in data.documents(access, bid.id) if d.criterion_id in (None, criterion.pk)]
    return page(request, "web/tenders/score.html", f"{criterion.reference}: {bid.bidder}",
                status=400 if errors else 200, access=access, bid=bid, c=criterion, existing=existing,
                scale=engine.criterion_scale(criterion), errors=errors, posted=posted, saved=saved, documents=documents,
                editable=access.stage == Stage.EVALUATION and data.submission(access) is None,
                progress=data.my_progress(access), position=position, count=len(sequence), by_bid=by_bid,
                previous=address(position - 1), next=address(position + 1))


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def submit_scores(request: HttpRequest, tender_id: int) -> HttpResponse:
    """"Submit my scores": a confirmation page, then the evaluator's scores are locked."""
    access = tender_access(request.user, tender_id, Role.EVALUATOR)
    if data.declaration(access) is None:
        return redirect("declare", tender_id)
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        try:
            data.submit_scores(access)
        except Refused as refused:
            errors = [{"text": p, "href": "#submit"} for p in refused.problems]
        else:
            messages.success(request, "Your scores are submitted and locked")
            return redirect("evaluate", tender_id)
    return page(request, "web/tenders/submit_scores.html", "Submit your scores", status=400 if errors else 200,
                access=access, progress=data.my_progress(access), submitted=data.submission(access), errors=errors)


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def bid_documents(request: HttpRequest, tender_id: int, bid_id: int) -> HttpResponse:
    """A bid's documents: the commissioner adds each (a response for a criterion or the whole bid, or the price
    schedule, sealed until prices are opened)."""
    from commonweal.io.errors import InputError

    access = tender_access(request.user, tender_id, Role.COMMISSIONER)
    bid = data.bid(access, bid_id)
    criteria = [c for c in data.criteria(access) if c.lot_id == bid.lot_id]
    errors: list[dict[str, str]] = []
    posting = request.method == "POST"
    form = forms.DocumentForm(request.POST if posting else None, request.FILES if posting else None,
                              criteria=[c.pk for c in criteria])
    if request.method == "POST":
        if not form.is_valid():
            errors = form_errors(form)
        else:
            name, content = form.files_read(["document"])["document"]
            try:
                data.add_document(access, bid.id, form.cleaned_data["criterion"], form.cleaned_data["purpose"], name,
                                  content)
            except InputError as exc:
                errors = [{"text": str(p), "href": "#document"} for p in exc.problems]
            except Refused as refused:
                errors = refused_errors(refused.problems, refused.fields, {}, "document")
            else:
                messages.success(request, f"Document {name} added to {bid.bidder}'s bid")
                return redirect("bid_documents", tender_id, bid_id)
    return page(request, "web/tenders/bid_documents.html", f"Documents: {bid.bidder}", status=400 if errors else 200,
                access=access, bid=bid, criteria=criteria, documents=data.documents(access, bid.id), errors=errors,
                posted={"purpose": form.data.get("purpose", ""), "criterion": form.data.get("criterion", "")},
                open=access.stage in data.DOCUMENTS_OPEN)


@scoped
@require_safe
def bid_document(request: HttpRequest, tender_id: int, document_id: int) -> HttpResponse:
    """A document as stored, only to those the access layer lets see it; a PDF opens in the browser."""
    from commonweal.web import documents

    found = data.document(tender_access(request.user, tender_id), document_id)
    return documents.response(found.kind, found.stored_as, f"document-{found.pk}")


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def tender_documents(request: HttpRequest, tender_id: int) -> HttpResponse:
    """The tender's own documents: read by its people, added by its commissioner while it is a draft or open."""
    from commonweal.io.errors import InputError

    access = tender_access(request.user, tender_id)
    errors: list[dict[str, str]] = []
    posted: dict[str, str] = {}
    if request.method == "POST":
        access.require(Role.COMMISSIONER)
        form = forms.TenderDocumentForm(request.POST, request.FILES)
        posted = {"title": form.data.get("title", "")}
        if not form.is_valid():
            errors = form_errors(form)
        else:
            name, content = form.files_read(["document"])["document"]
            try:
                data.add_tender_document(access, form.cleaned_data["title"], name, content)
            except InputError as exc:
                errors = [{"text": str(p), "href": "#document"} for p in exc.problems]
            except Refused as refused:
                errors = refused_errors(refused.problems, refused.fields, {}, "document")
            else:
                messages.success(request, f"{form.cleaned_data['title']} added: every invited bidder can read it "
                                          "once the tender is open")
                return redirect("tender_documents", tender_id)
    return page(request, "web/tenders/tender_documents.html", f"Tender documents: {access.tender.reference}",
                status=400 if errors else 200, access=access, documents=data.tender_documents(access.tender),
                errors=errors, posted=posted,
                may_add=access.has(Role.COMMISSIONER) and access.stage in data.TENDER_DOCUMENTS_OPEN)


@scoped
@require_safe
def tender_document(request: HttpRequest, tender_id: int, document_id: int) -> HttpResponse:
    from commonweal.web import documents

    found = data.tender_document(tender_access(request.user, tender_id).tender, document_id)
    return documents.response(found.kind, found.stored_as, f"tender-document-{found.pk}")


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def upload_scores(request: HttpRequest, tender_id: int, consensus: bool = False) -> HttpResponse:
    """An evaluator's own scores, or the moderator's consensus scores, from a file; nothing saved on any bad row."""
    from commonweal.io.errors import InputError

    access = tender_access(request.user, tender_id, Role.MODERATOR if consensus else Role.EVALUATOR)
    problems: list[Any] = []
    errors: list[dict[str, str]] = []
    replacing: data.WouldReplace | None = None
    if request.method == "POST":
        form = forms.ScoresUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            errors = form_errors(form)
        else:
            name, content = form.files_read(["scores"])["scores"]
            try:
                saved = data.upload_scores(access, name, content, consensus, form.cleaned_data["replace"])
            except data.WouldReplace as exc:
                # nothing saved: show what would be replaced, and ask (the file is chosen again to confirm)
                replacing = exc
            except InputError as exc:
                problems, found = input_problems(exc)
                errors.extend(found)
            except Refused as refused:
                errors.extend({"text": p, "href": "#scores"} for p in refused.problems)
            else:
                messages.success(request, f"{saved} scores saved")
                return redirect("moderation" if consensus else "evaluate", tender_id)
    title = "Upload consensus scores" if consensus else "Upload your scores"
    return page(request, "web/tenders/scores_upload.html", title, status=400 if errors else 200, access=access,
                consensus=consensus, problems=problems, errors=errors, replacing=replacing)


@scoped
@require_safe
def moderation(request: HttpRequest, tender_id: int) -> HttpResponse:
    access = tender_access(request.user, tender_id, Role.MODERATOR, Role.COMMISSIONER)
    try:
        progress = data.moderation_progress(access)
    except Refused as refused:
        return not_yet(request, "Moderation", access, refused)
    # one bid's sheet at a time (`?bid=`), by default the first with a score still to agree
    asked = request.GET.get("bid", "")
    chosen = next((p for p in progress if str(p.bid.id) == asked), None) or next(
        (p for p in progress if p.agreed < p.criteria), progress[0] if progress else None)
    rows = data.moderation_sheet(access, chosen.bid.id) if chosen else []
    evaluators = sorted({s.evaluator for r in rows for s in r.scores})
    return page(request, "web/tenders/moderation.html", "Moderation", access=access, rows=rows, evaluators=evaluators,
                progress=progress, chosen=chosen)


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def moderate(request: HttpRequest, tender_id: int, bid_id: int, criterion_id: int) -> HttpResponse:
    access = tender_access(request.user, tender_id, Role.MODERATOR)
    try:
        sheet = data.moderation_sheet(access, bid_id)
    except Refused as refused:
        return not_yet(request, "Moderation", access, refused)
    row = next((r for r in sheet if r.bid.id == bid_id and r.criterion.pk == criterion_id), None)
    if row is None:
        raise Http404("no such bid and criterion")
    errors: list[dict[str, str]] = []
    form = forms.ModerationForm(request.POST if request.method == "POST" else None)
    posted = {"score": form.data.get("score", ""), "rationale": form.data.get("rationale", "")}
    if request.method == "POST":
        if not form.is_valid():
            errors = form_errors(form)
        else:
            try:
                data.record_moderation(access, bid_id, criterion_id, form.cleaned_data["score"],
                                       form.cleaned_data["rationale"])
            except Refused as refused:
                errors = refused_errors(refused.problems, refused.fields, {}, "rationale")
            else:
                messages.success(request, f"Consensus score saved for {row.bid.bidder}, {row.criterion.reference}")
                return redirect(f"{reverse('moderation', args=[tender_id])}?bid={bid_id}")
    return page(request, "web/tenders/moderate.html", f"Agree the score: {row.bid.bidder}, {row.criterion.reference}",
                status=400 if errors else 200, access=access, row=row, scale=engine.criterion_scale(row.criterion),
                errors=errors, posted=posted, editable=access.stage == Stage.MODERATION)


@scoped
@require_safe
def audit_trail(request: HttpRequest, tender_id: int) -> HttpResponse:
    access = tender_access(request.user, tender_id, Role.COMMISSIONER, Role.ADMIN)
    return page(request, "web/tenders/audit.html", "Audit trail", access=access, entries=data.audit_trail(access))


AUDIT_HEADER = ("sequence", "at", "actor", "action", "detail", "withheld", "hash")


@scoped
@require_safe
def audit_export(request: HttpRequest, tender_id: int) -> HttpResponse:
    """The audit trail as CSV, disclosed exactly as the page is (`data.audit_trail`)."""
    from commonweal.domain.audit import canonical_json
    from commonweal.io.export import csv_bytes

    access = tender_access(request.user, tender_id, Role.COMMISSIONER, Role.ADMIN)
    rows = [(e.sequence, e.at, e.actor, e.action, canonical_json(e.detail), " ".join(e.withheld), e.hash)
            for e in data.audit_trail(access)]
    name = f"{access.tender.reference}-audit.csv"
    data.record_download(access, name, {"format": "csv", "rows": len(rows)})
    response = HttpResponse(csv_bytes(AUDIT_HEADER, rows), content_type="text/csv; charset=utf-8")
    attach(response, name)
    return response


def _bid_ids(access: Access) -> dict[tuple[str, str], int]:
    return {(b.lot, b.bidder): b.id for b in data.bids(access)}


@scoped
@require_safe
def results(request: HttpRequest, tender_id: int) -> HttpResponse:
    access = tender_access(request.user, tender_id, *READERS)
    try:
        evaluation = data.results(access)
    except Refused as refused:
        return not_yet(request, "Results", access, refused)
    return page(request, "web/tenders/results.html", "Results", access=access, evaluation=evaluation,
                bid_ids=_bid_ids(access))


@scoped
@require_safe
def results_export(request: HttpRequest, tender_id: int, fmt: str) -> HttpResponse:
    from commonweal.io.export import csv_bytes, xlsx_bytes

    if fmt not in ("csv", "xlsx"):
        raise Http404("results are exported as csv or xlsx")
    access = tender_access(request.user, tender_id, *READERS)
    try:
        evaluation = data.results(access)
    except Refused as refused:
        return not_yet(request, "Results", access, refused)
    rows = ranking_rows(evaluation)
    name = f"{access.tender.reference}-results.{fmt}"
    data.record_download(access, name, {"format": fmt, "rows": len(rows)})
    if fmt == "csv":
        response = HttpResponse(csv_bytes(RANKING_HEADER, rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            xlsx_bytes("Results", RANKING_HEADER, rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    attach(response, name)
    return response


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def abnormally_low(request: HttpRequest, tender_id: int, bid_id: int) -> HttpResponse:
    access = tender_access(request.user, tender_id, Role.COMMISSIONER)
    bid = data.bid(access, bid_id)
    errors: list[dict[str, str]] = []
    form = forms.AbnormallyLowForm(request.POST if request.method == "POST" else None)
    posted = {"decision": form.data.get("decision", ""), "reason": form.data.get("reason", "")}
    if request.method == "POST":
        if not form.is_valid():
            errors = form_errors(form)
        else:
            try:
                data.record_abnormally_low(access, bid_id, form.cleaned_data["decision"], form.cleaned_data["reason"],
                                           today())
            except Refused as refused:
                errors = refused_errors(refused.problems, refused.fields, {}, "decision")
            else:
                messages.success(request, f"Decision recorded for {bid.bidder}")
                return redirect("results", tender_id)
    return page(request, "web/tenders/abnormally_low.html", f"Abnormally low tender: {bid.bidder}",
                status=400 if errors else 200, access=access, bid=bid, errors=errors, posted=posted)


@scoped
@require_safe
def summary(request: HttpRequest, tender_id: int, bid_id: int) -> HttpResponse:
    access = tender_access(request.user, tender_id, *READERS)
    try:
        found = data.summary(access, bid_id)
    except Refused as refused:
        return not_yet(request, "Assessment summary", access, refused)
    head = data.audit_head(access)
    data.record_download(access, "assessment summary (HTML)", {"bidder": found.supplier, "lot": found.lot})
    return page(request, "web/tenders/summary.html", f"Assessment summary: {found.supplier}", access=access, s=found,
                bid_id=bid_id, audit_head=head)


def _report_pdf(access: Access, evaluation: Any, document: Callable[[Any], str], what: str,
                detail: dict[str, object], filename: str) -> HttpResponse:
    """A document of the evaluation report (the same HTML the CLI's report writer renders), as PDF."""
    import tempfile
    from pathlib import Path

    from commonweal.io.reports.evaluation import evaluation_documents
    from commonweal.io.reports.render import write_pdf

    documents = evaluation_documents(evaluation.tender, evaluation.lots, today(), data.audit_head(access))
    with tempfile.TemporaryDirectory(prefix="commonweal-pdf-") as tmp:
        pdf = write_pdf(documents[document(evaluation)], Path(tmp) / "document.pdf").read_bytes()
    data.record_download(access, what, detail)
    response = HttpResponse(pdf, content_type="application/pdf")
    attach(response, filename)
    return response


@scoped
@require_safe
def summary_pdf(request: HttpRequest, tender_id: int, bid_id: int) -> HttpResponse:
    from commonweal.io.reports.evaluation import summary_paths

    access = tender_access(request.user, tender_id, *READERS)
    try:
        found = data.summary(access, bid_id)
        evaluation = data.results(access)
    except Refused as refused:
        return not_yet(request, "Assessment summary", access, refused)

    def document(evaluation: Any) -> str:
        lot = next(lot for lot in evaluation.lots if lot.result.lot.id == found.lot)
        return summary_paths(lot.result)[found.supplier]

    name = document(evaluation).removeprefix("summaries/").removesuffix(".html")
    return _report_pdf(access, evaluation, document, "assessment summary (PDF)",
                       {"bidder": found.supplier, "lot": found.lot}, f"assessment-summary-{name}.pdf")


@scoped
@require_safe
def recommendation_pdf(request: HttpRequest, tender_id: int) -> HttpResponse:
    access = tender_access(request.user, tender_id, *READERS)
    try:
        evaluation = data.results(access)
    except Refused as refused:
        return not_yet(request, "Award recommendation", access, refused)
    return _report_pdf(access, evaluation, lambda _: "award-recommendation.html", "award recommendation (PDF)", {},
                       f"{access.tender.reference}-award-recommendation.pdf")


@scoped
@require_safe
def recommendation(request: HttpRequest, tender_id: int) -> HttpResponse:
    access = tender_access(request.user, tender_id, *READERS)
    try:
        evaluation = data.results(access)
    except Refused as refused:
        return not_yet(request, "Award recommendation", access, refused)
    head = data.audit_head(access)
    data.record_download(access, "award recommendation report", {})
    return page(request, "web/tenders/recommendation.html", "Award recommendation report", access=access,
                evaluation=evaluation, audit_head=head)


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def upload(request: HttpRequest, slug: str) -> HttpResponse:
    """Create a tender from the CLI's tender folder files; every bad row is listed and nothing is saved."""
    from commonweal.io.errors import InputError

    organisation = organisation_access(request.user, slug, Role.COMMISSIONER)
    problems: list[Any] = []
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        form = forms.TenderUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            errors = form_errors(form)
        else:
            try:
                created = data.create_tender(request.user, slug, form.files_read(forms.TENDER_FILES))
            except InputError as exc:
                problems, errors = input_problems(exc, files=True)
            except Refused as refused:
                errors = [{"text": p, "href": "#tender"} for p in refused.problems]
            else:
                messages.success(request, f"Tender {created.reference} created as a draft")
                return redirect("tender", created.pk)
    return page(request, "web/tenders/upload.html", f"Create a tender for {organisation.name}",
                status=400 if errors else 200, organisation=organisation, problems=problems, errors=errors)



def _builder_key(slug: str) -> str:
    return f"tender-builder:{slug}"


def _edit_key(tender_id: int) -> str:
    return f"tender-builder:edit:{tender_id}"


def _builder(request: HttpRequest, slug: str, key: str, start: dict[str, str], heading: str, here: str,
             check: str, editing: Any = None) -> HttpResponse:
    """The tender builder, creating a tender or editing a draft: the tender's details and its evaluation model as
    fields, checked on submit by the engine's reader. A half-built tender is kept in the person's session (nothing is
    saved in the organisation's records until they confirm on the check-your-answers page). A request from HTMX
    (the form's check as the person types) is only checked: its answer is the page with its problems, and neither
    the session nor the records change."""
    from commonweal.domain.evaluation.scales import PRESETS
    from commonweal.io.errors import InputError

    organisation = organisation_access(request.user, slug, Role.COMMISSIONER)
    errors: list[dict[str, str]] = []
    posted = request.session.get(key) or start
    counts = forms.builder_row_counts(posted)
    add = request.POST.get("add", "")
    if request.method == "POST":
        form = forms.TenderBuilderForm(request.POST)
        posted = {name: str(value) for name, value in form.data.items() if name in form.fields}
        counts = form.counts
        if add in forms.BUILDER_ROWS and request.headers.get("HX-Request") != "true":
            # "Add another" (GOV.UK pattern, no JavaScript needed): the same answers again with one more empty row,
            # neither checked nor kept
            if counts[add] < forms.builder_max_rows(add):
                counts[add] += 1
            else:
                many = forms.BUILDER_ROW_NAMES[add][1]
                errors = [{"text": f"A tender built here has at most {forms.builder_max_rows(add)} {many} "
                                   f"(Commonweal default, set by COMMONWEAL_BUILDER_MAX_{many.split()[-1].upper()})",
                           "href": f"#add-{add}"}]
        elif not form.is_valid():
            errors = form_errors(form)
        else:
            values = form.values()
            try:
                data.draft_tender(request.user, slug, values, editing)
            except InputError as exc:
                errors = builder.errors(exc, values, organisation.name)
            except Refused as refused:
                errors = refused_errors(refused.problems, refused.fields, {}, "title")
            if request.headers.get("HX-Request") != "true":
                request.session[key] = values
                if not errors:
                    return redirect(check)
    return page(request, "web/tenders/build.html", heading, status=400 if errors else 200,
                organisation=organisation, errors=errors, posted=posted, here=here, editing=editing,
                rows={kind: (counts[kind], keys) for kind, (_, keys) in forms.BUILDER_ROWS.items()},
                names=forms.BUILDER_ROW_NAMES, formulas=FORMULAS, scales=sorted(PRESETS),
                element_formulas=[{"value": f.name, "text": f.title} for f in FORMULAS.values() if not f.combined])


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def build(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_access(request.user, slug, Role.COMMISSIONER)
    return _builder(request, slug, _builder_key(slug), dict(BUILDER_DEFAULTS),
                    f"Create a tender for {organisation.name}", reverse("build_tender", args=[slug]),
                    reverse("check_tender", args=[slug]))


# What a new tender starts with, shown in the fields and changeable: the engine's default tie-break order
# (`EvaluationModel.tie_break`) and the first formula it lists. A criterion's scale left blank is the reader's 0-5.
# Price elements, when chosen, start scored separately with zero prices refused (`PriceRule`'s defaults).
BUILDER_DEFAULTS = {"tie_break": ", ".join(EvaluationModel.tie_break), "price_formula": next(iter(FORMULAS)),
                    "price_mode": "one", "price_combine": PriceRule.combine, "price_zero_prices": PriceRule.zero_prices}


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, tender_id: int) -> HttpResponse:
    """The builder opened on a draft tender's stored model (refused once it has bids or is past draft)."""
    access = tender_access(request.user, tender_id, Role.COMMISSIONER)
    try:
        start = data.edit_fields(access)
    except Refused as refused:
        return not_yet(request, "Edit the tender", access, refused)
    return _builder(request, access.tender.organisation.slug, _edit_key(tender_id), start,
                    f"Edit {access.tender.reference}", reverse("edit_tender", args=[tender_id]),
                    reverse("check_tender_edit", args=[tender_id]), editing=access.tender)


def _check(request: HttpRequest, slug: str, key: str, back: str, here: str,
           save: Callable[[dict[str, str]], Any], editing: Any = None) -> HttpResponse:
    """Check your answers: the tender as the engine read it; only confirming here saves it (by `save`)."""
    from commonweal.io.errors import InputError

    values = request.session.get(key)
    if not values:
        return redirect(back)
    form = forms.ConfirmForm(request.POST if request.method == "POST" else None)
    try:
        if request.method == "POST" and form.is_valid():
            saved = save(values)
            del request.session[key]
            return redirect("tender", saved.pk)
        draft = data.draft_tender(request.user, slug, values, editing)
    except (InputError, Refused):
        # the answers no longer stand (another tender took the reference, a bid was entered meanwhile): back to the
        # builder, which says why
        return redirect(back)
    return page(request, "web/tenders/check_tender.html",
                f"Check your answers before {'saving' if editing else 'creating'} the tender", draft=draft,
                back=back, here=here, editing=editing, errors=form_errors(form) if form.is_bound else [])


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def check_tender(request: HttpRequest, slug: str) -> HttpResponse:
    organisation_access(request.user, slug, Role.COMMISSIONER)

    def create(values: dict[str, str]) -> Any:
        created = data.create_built_tender(request.user, slug, values)
        messages.success(request, f"Tender {created.reference} created as a draft: add its bids next")
        return created

    return _check(request, slug, _builder_key(slug), reverse("build_tender", args=[slug]),
                  reverse("check_tender", args=[slug]), create)


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def check_tender_edit(request: HttpRequest, tender_id: int) -> HttpResponse:
    access = tender_access(request.user, tender_id, Role.COMMISSIONER)
    try:
        data.editable(access)
    except Refused as refused:
        return not_yet(request, "Edit the tender", access, refused)

    def save(values: dict[str, str]) -> Any:
        edited = data.edit_tender(access, values)
        messages.success(request, f"Tender {edited.reference} saved")
        return edited

    return _check(request, access.tender.organisation.slug, _edit_key(tender_id),
                  reverse("edit_tender", args=[tender_id]), reverse("check_tender_edit", args=[tender_id]), save,
                  editing=access.tender)


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def add_bid(request: HttpRequest, tender_id: int) -> HttpResponse:
    """Enter a received bid; its documents are added on the bid's documents page."""
    access = tender_access(request.user, tender_id, Role.COMMISSIONER)
    if access.stage not in data.DOCUMENTS_OPEN:
        return not_yet(request, "Add a bid", access, Refused(["Bids are added before evaluation starts"]))
    found = data.lots(access)
    lots = [(lot.pk, f"{lot.reference}: {lot.title}") for lot in found]
    gates = data.gates(access)
    elements = data.price_elements(access, found)
    form = forms.BidForm(request.POST if request.method == "POST" else None, lots=lots, gates=gates,
                         elements=elements)
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        if not form.is_valid():
            errors = form_errors(form)
        else:
            values = form.cleaned_data
            try:
                made = data.add_bid(access, values["lot"], values["bidder"], values["price"], values["identifier"],
                                    values["address"], values["email"], form.gate_results(),
                                    element_prices=form.element_prices())
            except Refused as refused:
                # an engine check on a price element is shown at that element's price
                errors = refused_errors(refused.problems, [form.element_field(f) for f in refused.fields], {},
                                        "bidder")
            else:
                messages.success(request, f"Bid from {made.bidder} added: add its documents")
                return redirect("bid_documents", tender_id, made.pk)
    posted = {name: str(form.data.get(name, "")) for name in form.fields}
    return page(request, "web/tenders/add_bid.html", "Add a bid", status=400 if errors else 200, access=access,
                lots=lots, gates=gates, elements=elements, errors=errors, posted=posted, bids=data.bids(access))


@scoped
@require_safe
def tender_folder(request: HttpRequest, tender_id: int) -> HttpResponse:
    """The tender as a folder the `commonweal evaluate` command reads (what this person may see of it now)."""
    access = tender_access(request.user, tender_id, Role.COMMISSIONER)
    name, content = data.folder_download(access)
    response = HttpResponse(content, content_type="application/zip")
    attach(response, name)
    return response


@scoped
@require_safe
def template_tender(request: HttpRequest) -> HttpResponse:
    """A template tender.yaml to start from, for those who write the file themselves."""
    from importlib.resources import files

    response = HttpResponse(files("commonweal.web.tenders").joinpath("template-tender.yaml").read_bytes(),
                            content_type="application/yaml; charset=utf-8")
    attach(response, "tender.yaml")
    return response
