"""The providers area's pages: on the council's side, a tender's bidders and its clarification questions
(commissioners); on the provider's side, the portal (the tenders its provider is invited to, their documents, the
published answers, and asking a question). Every POST goes through `providers.forms`, every read and change through
`providers.data`."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from commonweal.domain.lifecycle import Role
from commonweal.io.errors import InputError
from commonweal.web.access import (
    Access,
    BidderAccess,
    NotFound,
    ProviderContractAccess,
    Refused,
    bidder_access,
    provider_contract_access,
    tender_access,
)
from commonweal.web.contracts import data as contracts
from commonweal.web.contracts.forms import ReturnForm
from commonweal.web.contracts.models import Return
from commonweal.web.contracts.views import returns_upload
from commonweal.web.forms import form_errors, refused_errors
from commonweal.web.providers import data, forms
from commonweal.web.providers.models import ProviderRole
from commonweal.web.tenders import data as tenders
from commonweal.web.views import page, scoped, today

# -- the council's side ----------------------------------------------------------------------------------------------


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def bidders(request: HttpRequest, tender_id: int) -> HttpResponse:
    access = tender_access(request.user, tender_id, Role.COMMISSIONER)
    form = forms.InviteBidderForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            invited = data.invite_bidder(
                access,
                form.cleaned_data["provider"],
                form.cleaned_data["kind"],
                form.cleaned_data["username"],
                form.cleaned_data["display_name"],
            )
        except Refused as refused:
            form.refused(refused.problems, refused.fields)
        else:
            if invited.link is not None:
                return page(
                    request,
                    "web/providers/invited.html",
                    "Invitation created",
                    access=access,
                    issued=invited.link,
                    provider=invited.bidder.provider.organisation.name,
                    link=request.build_absolute_uri(reverse("join", args=[invited.link.token])),
                )
            messages.success(
                request,
                f"{invited.bidder.provider.organisation.name} is invited to bid: "
                f"{form.cleaned_data['username']} can see the tender now",
            )
            return redirect("bidders", tender_id)
    return page(
        request,
        "web/providers/bidders.html",
        "Bidders",
        status=400 if form.errors else 200,
        access=access,
        bidders=data.bidders(access),
        form=form,
        errors=form.summary(),
    )


def _clarifications_page(
    request: HttpRequest, access: Access, form: forms.AnswerForm | None = None, answering: int | None = None
) -> HttpResponse:
    errors = form.summary() if form is not None else []
    return page(
        request,
        "web/providers/clarifications.html",
        "Clarification questions",
        status=400 if errors else 200,
        access=access,
        questions=data.questions(access),
        form=form,
        answering=answering,
        errors=errors,
    )


@scoped
@require_safe
def clarifications(request: HttpRequest, tender_id: int) -> HttpResponse:
    return _clarifications_page(request, tender_access(request.user, tender_id, Role.COMMISSIONER))


@scoped
@require_http_methods(["POST"])
def answer_clarification(request: HttpRequest, tender_id: int, clarification_id: int) -> HttpResponse:
    access = tender_access(request.user, tender_id, Role.COMMISSIONER)
    form = forms.AnswerForm(request.POST, prefix=f"q{clarification_id}")
    if form.is_valid():
        try:
            data.answer(access, clarification_id, form.cleaned_data["published_question"], form.cleaned_data["answer"])
        except Refused as refused:
            form.refused(refused.problems, refused.fields)
        else:
            messages.success(request, "The answer is published to every bidder")
            return redirect("clarifications", tender_id)
    return _clarifications_page(request, access, form, clarification_id)


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def bidder_uploads(request: HttpRequest, tender_id: int) -> HttpResponse:
    """The commissioner lets the tender's bidders upload their own documents and price schedule (or stops them)."""
    access = tender_access(request.user, tender_id, Role.COMMISSIONER)
    form = forms.BidderUploadsForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        allowed = form.cleaned_data["allowed"] == "yes"
        try:
            data.set_bidder_uploads(access, allowed)
        except Refused as refused:
            form.refused(refused.problems, refused.fields)
        else:
            messages.success(request, "Bidders now upload their own documents" if allowed
                             else "Bidders no longer upload their own documents")
            return redirect("bidder_uploads", tender_id)
    return page(request, "web/providers/bidder_uploads.html", "Bidders' own uploads",
                status=400 if form.errors else 200, access=access, setting=data.bidder_uploads(access), form=form,
                errors=form.summary())


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def contract_provider(request: HttpRequest, contract_id: int) -> HttpResponse:
    """The council links one of its contracts to the provider it is let to (commissioner or the contract's
    manager)."""
    access = contracts.contract_access(request.user, contract_id, change=True)
    form = forms.LinkContractForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            link = data.link_contract(access, form.cleaned_data["provider"])
        except Refused as refused:
            form.refused(refused.problems, refused.fields)
        else:
            messages.success(
                request, f"{link.provider.organisation.name}'s contract leads can see this contract in their portal"
            )
            return redirect("contract_provider", contract_id)
    return page(
        request,
        "web/providers/contract_provider.html",
        f"Provider: {access.contract}",
        status=400 if form.errors else 200,
        access=access,
        link=data.contract_provider(access),
        returns=data.returns(access),
        form=form,
        errors=form.summary(),
    )


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def check_return(request: HttpRequest, contract_id: int, return_id: int) -> HttpResponse:
    """The council verifies, queries or rejects a return, with the reason the provider sees."""
    access = contracts.contract_access(request.user, contract_id, change=True)
    found = Return.objects.filter(pk=return_id, contract=access.contract).first()
    if found is None:
        raise NotFound("no such return")
    form = forms.CheckReturnForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            contracts.check_return(
                access, return_id, form.cleaned_data["status"], form.cleaned_data["reason"], today()
            )
        except Refused as refused:
            form.refused(refused.problems, refused.fields)
        else:
            messages.success(request, "The return's status is saved; the provider sees it and your reason")
            return redirect("contract_return_check", contract_id, return_id)
    return page(
        request,
        "web/providers/check_return.html",
        f"Check the return: {access.contract}",
        status=400 if form.errors else 200,
        access=access,
        ret=found,
        lines=contracts.return_lines(found),
        deletable=contracts.EVIDENCE_DELETABLE,
        form=form,
        errors=form.summary(),
    )


# -- the provider's side ---------------------------------------------------------------------------------------------


@scoped
@require_safe
def portal(request: HttpRequest) -> HttpResponse:
    return page(request, "web/providers/portal.html", "Tenders you are invited to", councils=data.portal(request.user))


def _tender_page(request: HttpRequest, access: BidderAccess, form: forms.QuestionForm) -> HttpResponse:
    return page(
        request,
        "web/providers/tender.html",
        access.tender.title,
        status=400 if form.errors else 200,
        access=access,
        documents=data.documents(access),
        files=tenders.tender_documents(access.tender),
        answers=data.published_answers(access.tender),
        mine=data.own_questions(access),
        asking=access.stage == data.ASKING_STAGE,
        closes=tenders.bidder_uploads_close(access.tender),
        form=form,
        errors=form.summary(),
    )


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def portal_tender(request: HttpRequest, tender_id: int) -> HttpResponse:
    access = bidder_access(request.user, tender_id)
    form = forms.QuestionForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            data.ask(access, form.cleaned_data["question"])
        except Refused as refused:
            form.refused(refused.problems, refused.fields)
        else:
            messages.success(
                request,
                "Your question is sent. The council publishes its answer to every bidder, without saying who asked.",
            )
            return redirect("portal_tender", tender_id)
    return _tender_page(request, access, form)


@scoped
@require_safe
def portal_tender_document(request: HttpRequest, tender_id: int, document_id: int) -> HttpResponse:
    """One of the tender's own documents, to a bidder invited to it (any other tender does not exist for them)."""
    from commonweal.web import documents

    found = tenders.tender_document(bidder_access(request.user, tender_id).tender, document_id)
    return documents.response(found.kind, found.stored_as, f"tender-document-{found.pk}")


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def portal_bid(request: HttpRequest, tender_id: int) -> HttpResponse:
    """The bidder's own bid documents and price schedule, uploaded before the deadline where the council lets its
    bidders upload (through the tenders area's one `add_document`)."""

    access = bidder_access(request.user, tender_id)
    bids = tenders.own_bids(access)
    published = data.documents(access).criteria
    criteria = [c for b in bids for c in published.get(b.lot_id, [])]
    posting = request.method == "POST"
    form = forms.OwnBidDocumentForm(request.POST if posting else None, request.FILES if posting else None,
                                    bids=[b.id for b in bids], criteria=[c.pk for c in criteria])
    if posting and form.is_valid():
        name, content = form.files_read(["document"])["document"]
        try:
            tenders.add_document(access, form.cleaned_data["bid"], form.cleaned_data["criterion"],
                                 form.cleaned_data["purpose"], name, content)
        except InputError as exc:
            form.add_error("document", [str(p) for p in exc.problems])
        except Refused as refused:
            form.refused(refused.problems, refused.fields)
        else:
            messages.success(request, f"Your document {name} is received")
            return redirect("portal_bid", tender_id)
    return page(request, "web/providers/bid.html", "Your bid documents", status=400 if form.errors else 200,
                access=access, bids=bids, criteria=criteria, documents=tenders.own_documents(access),
                closes=tenders.bidder_uploads_close(access.tender), form=form, errors=form.summary())


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def portal_start_bid(request: HttpRequest, tender_id: int) -> HttpResponse:
    """A bidder starts its own bid for a lot (its price sealed until the council opens prices), where the council
    takes bids through the portal and before the deadline (`tenders.start_own_bid`)."""
    access = bidder_access(request.user, tender_id)
    lots = tenders.lots_to_bid_for(access)
    elements = tenders.price_elements(access, lots)
    form = forms.StartBidForm(request.POST if request.method == "POST" else None, lots=[lot.pk for lot in lots],
                              elements=elements)
    if request.method == "POST" and form.is_valid():
        try:
            made = tenders.start_own_bid(access, form.cleaned_data["lot"], form.cleaned_data["price"],
                                         element_prices=form.element_prices())
        except Refused as refused:
            form.refused(refused.problems, [form.element_field(f) for f in refused.fields])
        else:
            messages.success(request, f"Your bid for lot {made.lot.reference} is started: send its documents")
            return redirect("portal_bid", tender_id)
    return page(request, "web/providers/start_bid.html", "Start your bid", status=400 if form.errors else 200,
                access=access, lots=lots, elements=elements, closes=tenders.bidder_uploads_close(access.tender),
                form=form, errors=form.summary())


@scoped
@require_safe
def portal_contracts(request: HttpRequest) -> HttpResponse:
    return page(
        request, "web/providers/portal_contracts.html", "Your contracts", councils=data.portal_contracts(request.user)
    )


@scoped
@require_safe
def portal_contract(request: HttpRequest, contract_id: int) -> HttpResponse:
    access = provider_contract_access(request.user, contract_id)
    return page(
        request,
        "web/providers/portal_contract.html",
        access.contract.title,
        deletable=contracts.EVIDENCE_DELETABLE,
        access=access,
        view=data.provider_contract(access),
        form=forms.ResponseForm(),
        responding=None,
    )


def _provider_return_form(access: ProviderContractAccess, request: HttpRequest) -> ReturnForm:
    view = data.provider_contract(access)
    posting = request.method == "POST"
    return ReturnForm(request.POST if posting else None, request.FILES if posting else None,
                      kpis=[(k.pk, k.code) for k in view.kpis], measures=view.measures, for_provider=True)


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def portal_return(request: HttpRequest, contract_id: int) -> HttpResponse:
    """The provider submits a period's return: the contracts area's form and rules, status submitted."""
    access = provider_contract_access(request.user, contract_id)
    form = _provider_return_form(access, request)
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = contracts.submit_return(access, form.values(), today())
            except Refused as refused:
                errors = refused_errors(refused.problems, refused.fields, {}, "period_start")
            else:
                messages.success(
                    request,
                    f"Your return for the period starting {saved.period_start:%d %B %Y} is submitted: "
                    "the council checks it",
                )
                return redirect("portal_contract", contract_id)
        else:
            errors = form_errors(form)
    return page(
        request,
        "web/providers/portal_return.html",
        f"Submit a return: {access.contract.title}",
        status=400 if errors else 200,
        access=access,
        form=form,
        errors=errors,
    )


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def portal_returns_upload(request: HttpRequest, contract_id: int) -> HttpResponse:
    """The provider uploads returns as CSV/XLSX tables: the council's upload page and rules, each return submitted."""
    access = provider_contract_access(request.user, contract_id)
    return returns_upload(
        request, lambda files, evidence: contracts.submit_returns(access, files, today(), evidence),
        lambda count: f"{count} period(s) of returns submitted: the council checks them", "portal_contract",
        "web/providers/portal_returns_upload.html", access=access, title=f"Upload returns: {access.contract.title}")


@scoped
@require_http_methods(["POST"])
def portal_return_respond(request: HttpRequest, contract_id: int, return_id: int) -> HttpResponse:
    access = provider_contract_access(request.user, contract_id)
    form = forms.ResponseForm(request.POST)
    if form.is_valid():
        try:
            contracts.respond_to_return(access, return_id, form.cleaned_data["response"])
        except Refused as refused:
            form.refused(refused.problems, refused.fields)
        else:
            messages.success(request, "Your response is sent to the council")
            return redirect("portal_contract", contract_id)
    return page(
        request,
        "web/providers/portal_contract.html",
        access.contract.title,
        deletable=contracts.EVIDENCE_DELETABLE,
        status=400,
        access=access,
        view=data.provider_contract(access),
        form=form,
        responding=return_id,
        errors=form.summary(),
    )


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def portal_concern(request: HttpRequest, contract_id: int) -> HttpResponse:
    """"Not working for us": the provider raises its side, which opens or joins a review of the contract."""
    access = provider_contract_access(request.user, contract_id)
    form = forms.ConcernForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        data.raise_concern(access, form.cleaned_data["kind"], form.cleaned_data["description"], today())
        messages.success(request, "The council will review the contract with your concern; its decision shows here")
        return redirect("portal_contract", contract_id)
    return page(
        request,
        "web/providers/portal_concern.html",
        f"Not working for us: {access.contract.title}",
        status=400 if form.errors else 200,
        access=access,
        form=form,
        errors=form.summary(),
    )


@scoped
@require_http_methods(["GET", "HEAD", "POST"])
def portal_ratings(request: HttpRequest, contract_id: int) -> HttpResponse:
    """The performance ratings the council is to publish (UK9), before it does: the contract lead may comment."""
    access = provider_contract_access(request.user, contract_id)
    form = forms.RatingCommentForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            data.comment_on_ratings(access, form.cleaned_data["comment"])
        except Refused as refused:
            form.refused(refused.problems, refused.fields)
        else:
            messages.success(request, "Your comment is kept with the contract; the council sees it before publishing")
            return redirect("portal_ratings", contract_id)
    return page(request, "web/providers/portal_ratings.html", f"Performance ratings: {access.contract.title}",
                status=400 if form.errors else 200, access=access, ratings=data.ratings_to_publish(access),
                may_comment=access.has(ProviderRole.CONTRACT_LEAD), form=form, errors=form.summary())
