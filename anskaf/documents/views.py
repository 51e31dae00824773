"""Web views: upload, download (checked on every request), templates, the guide, journalising."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from anskaf.cases.errors import Conflict, MoveRefused, NotFound, PermissionDenied, ValidationFailed
from anskaf.cases.views import case_page_context, case_step_url
from anskaf.http import params
from anskaf.orgs.views import admin_required

from . import case_package, guide, journal, permissions, services
from .models import OrgTemplate
from .storage import document_storage


def _forbidden(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "403.html", {"reason": reason}, status=403)


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "anskaf-upload"


def file_response(storage_name: str, filename: str, content_type: str) -> FileResponse:
    """Streamed from storage as an attachment; the name in RFC 5987 form for æøå."""
    handle = document_storage().open(storage_name, "rb")
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- upload ------------------------------------------------------------------------------------


def posted_document(post: QueryDict) -> int | None:
    """The document a page's or the API's upload adds a version to (the `document` field):
    its id, None when not sent, a field error when it is no whole number."""
    return params.posted_id(post.get("document"), field="document",
                            message="Angiv dokumentet med dets id (et heltal).")


@login_required
@require_POST
def upload(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    files = request.FILES.getlist("files")
    stored, errors = [], []
    try:
        target = services.visible_step(request.user, pk, number)
    except NotFound:
        raise Http404("Sagen findes ikke.") from None
    refusal = permissions.upload_refusal(request.user, target.case, target.model, target.step,
                                    target.assignee_id)
    if refusal:
        return _forbidden(request, refusal) if not _wants_json(request) else JsonResponse(
            {"error": "forbidden", "message": refusal}, status=403)
    if "version" in request.POST:  # sent from the step's own form: remarks and ticks too
        return _upload_with_step(request, pk, number, files)
    if not files:
        errors.append("Vælg mindst én fil at uploade.")
    try:
        document_id = posted_document(request.POST)
    except ValidationFailed as exc:
        errors.append(" ".join(exc.errors.values()))
        files = []
    for f in files:
        try:
            version = services.document_upload(
                actor=request.user, case_id=pk, number=number, type_key=request.POST.get("type"),
                fileobj=f, name=f.name, size=f.size, document_id=document_id)
        except PermissionDenied as exc:
            return _forbidden(request, exc.message) if not _wants_json(request) else JsonResponse(
                {"error": "forbidden", "message": exc.message}, status=403)
        except NotFound as exc:  # a `document` that is not on this step
            raise Http404(exc.message) from None
        except ValidationFailed as exc:
            errors.append(" ".join(exc.errors.values()))
            break  # a wrong type or document applies to every file
        except MoveRefused as exc:
            errors.append(f"»{f.name}« blev ikke gemt: {exc.message}")
        else:
            stored.append(f"»{version.original_name}« (version {version.number})")
    message = ""
    if stored:
        message = f"Uploadet til trin {target.step.number}: {', '.join(stored)}."
    if errors:
        text = " ".join(errors)
        if _wants_json(request):
            return JsonResponse({"error": "validation_error", "message": (message + " " + text).strip()},
                                status=400)
        if message:
            messages.success(request, message)
        return _case_page_with_error(request, pk, number, text)
    messages.success(request, message)
    url = case_step_url(pk, number)
    if _wants_json(request):
        return JsonResponse({"message": message, "redirect": url})
    return redirect(url, permanent=False)


def _case_page_with_error(request: HttpRequest, pk: int, number: int, error: str,
                          status: int = 400, conflict: bool = False) -> HttpResponse:
    """The case page with the upload's error; what the step form sent stays in its fields."""
    feedback = {"kind": "error", "message": error, "conflict": conflict} if conflict else None
    context = case_page_context(request, pk, acted=number, feedback=feedback)
    context["upload_error"] = error
    if "version" in request.POST:
        context["posted"] = request.POST
        context["posted_checked"] = request.POST.getlist("checked")
    return render(request, "cases/case_detail.html", context, status=status)


def _upload_with_step(request: HttpRequest, pk: int, number: int, files: list[Any]
                      ) -> HttpResponse:
    """"Upload" in the step's form: the step's remarks and ticks are saved with the files
    (one service, one transaction); on a refusal nothing is saved and nothing typed is lost."""
    post = request.POST
    try:
        stored = services.step_save_and_upload(
            actor=request.user, case_id=pk, number=number, remarks=post.get("remarks", ""),
            ticked=post.getlist("checked"), version=params.form_int(post.get("version")),
            type_key=post.get("type"), files=[(f, f.name, f.size) for f in files])
    except PermissionDenied as exc:
        return _forbidden(request, exc.message) if not _wants_json(request) else JsonResponse(
            {"error": "forbidden", "message": exc.message}, status=403)
    except NotFound as exc:
        raise Http404(exc.message) from None
    except MoveRefused as exc:  # ValidationFailed (400) and Conflict (409) included
        if _wants_json(request):
            return JsonResponse({"error": exc.code, "message": exc.message}, status=exc.status)
        return _case_page_with_error(request, pk, number, exc.message, exc.status,
                                     conflict=isinstance(exc, Conflict))
    names = ", ".join(f"»{v.original_name}« (version {v.number})" for v in stored)
    message = f"Uploadet til trin {number}: {names}. Bemærkninger og tjekliste er gemt."
    messages.success(request, message)
    url = case_step_url(pk, number)
    if _wants_json(request):
        return JsonResponse({"message": message, "redirect": url})
    return redirect(url, permanent=False)



# --- download ----------------------------------------------------------------------------------


@login_required
@require_GET
def download(request: HttpRequest, pk: int, document: int, version: int) -> HttpResponse:
    try:
        readable = services.readable_version(actor=request.user, case_id=pk, document_id=document,
                                             number=version)
    except NotFound:
        raise Http404("Dokumentet findes ikke.") from None
    except PermissionDenied as exc:
        return _forbidden(request, exc.message)
    v = readable.version
    return file_response(v.storage_name, v.original_name, v.content_type)


@login_required
@require_GET
def template_download(request: HttpRequest, template: int) -> HttpResponse:
    found = OrgTemplate.objects.filter(pk=template, organisation_id=request.user.organisation_id).first()
    if found is None:
        raise Http404("Skabelonen findes ikke.")
    return file_response(found.storage_name, found.original_name, found.content_type)


# --- the filled-in guide -------------------------------------------------------------------------


def _guide(request: HttpRequest, pk: int) -> guide.Guide:
    try:
        return guide.build_guide(viewer=request.user, case_id=pk)
    except NotFound:
        raise Http404("Sagen findes ikke.") from None


def attachment_response(content: bytes, filename: str, content_type: str) -> HttpResponse:
    from django.utils.http import content_disposition_header

    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def guide_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    g = _guide(request, pk)
    return attachment_response(guide.guide_pdf(g), f"{g.filename_stem}.pdf", "application/pdf")


@login_required
@require_GET
def guide_docx(request: HttpRequest, pk: int) -> HttpResponse:
    g = _guide(request, pk)
    return attachment_response(guide.guide_docx(g), f"{g.filename_stem}.docx",
                       "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


# --- journalising --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def journalise(request: HttpRequest, pk: int, document: int) -> HttpResponse:
    try:
        readable = services.readable_version(actor=request.user, case_id=pk, document_id=document)
    except NotFound:
        raise Http404("Dokumentet findes ikke.") from None
    except PermissionDenied as exc:
        return _forbidden(request, exc.message)
    if refusal := permissions.journal_refusal(request.user, readable):
        return _forbidden(request, refusal)
    context: dict[str, Any] = {"nav": "cases", "case": readable.case, "readable": readable,
                               "records_number": readable.case.records_case_number}
    if request.method == "POST":
        context["records_number"] = request.POST.get("records_number", "")
        try:
            _entry, package, delivery = journal.journalise(
                actor=request.user, case_id=pk, document_id=document,
                records_number=request.POST.get("records_number"))
        except ValidationFailed as exc:
            context["error"] = exc.errors.get("records_number", exc.message)
            return render(request, "documents/journalise.html", context, status=400)
        if delivery.download:
            return attachment_response(package.content, package.filename, "application/zip")
        messages.success(request, f"{readable.document.title} er journaliseret.")
        return redirect(reverse("cases:case_detail", args=[pk]) + f"#trin-{readable.document.step}")
    return render(request, "documents/journalise.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def case_journalise(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole case as one journal package; the ESDH number given is recorded on the case."""
    from anskaf.cases.selectors import case_detail

    try:
        detail = case_detail(viewer=request.user, case_id=pk)
    except NotFound:
        raise Http404("Sagen findes ikke.") from None
    if refusal := permissions.package_refusal(request.user, detail.case):
        return _forbidden(request, refusal)
    context: dict[str, Any] = {"nav": "cases", "case": detail.case,
                               "records_number": detail.case.records_case_number}
    if request.method == "POST":
        context["records_number"] = request.POST.get("records_number", "")
        try:
            package, delivery = case_package.case_journalise(
                actor=request.user, case_id=pk, records_number=request.POST.get("records_number"))
        except ValidationFailed as exc:
            context["error"] = exc.errors.get("records_number", exc.message)
            return render(request, "documents/case_journalise.html", context, status=400)
        except PermissionDenied as exc:
            return _forbidden(request, exc.message)
        if delivery.download:
            return attachment_response(package.content, package.filename, "application/zip")
        messages.success(request, "Sagen er journaliseret.")
        return redirect(reverse("cases:case_detail", args=[pk]))
    return render(request, "documents/case_journalise.html", context)


# --- administration: the organisation's templates ------------------------------------------------


@admin_required
@require_http_methods(["GET", "POST"])
def template_admin(request: HttpRequest) -> HttpResponse:
    from anskaf.cases.process_models import current_version, model_of

    model = model_of(current_version(request.user.organisation_id))
    templates = list(OrgTemplate.objects.filter(organisation_id=request.user.organisation_id))
    numbers = {s.key: s.number for s in model.steps}
    for t in templates:  # the step's number in today's model (the key keeps it on its step)
        t.shown_step = numbers.get(t.step_key, t.step) if t.step_key else t.step
    context: dict[str, Any] = {"nav": "admin", "model": model, "errors": {}, "posted": {},
                               "templates": templates}
    if request.method == "POST":
        f = request.FILES.get("file")
        context["posted"] = request.POST
        try:
            template = services.template_upload(
                actor=request.user, title=request.POST.get("title"),
                step=params.form_int(request.POST.get("step")),
                fileobj=f, name=f.name if f else None, size=f.size if f else None, model=model)
        except ValidationFailed as exc:
            context["errors"] = exc.errors
            return render(request, "documents/template_admin.html", context, status=400)
        except MoveRefused as exc:
            context["errors"] = {"file": exc.message}
            return render(request, "documents/template_admin.html", context, status=400)
        messages.success(request, f"Skabelonen »{template.title}« er gemt til trin {template.step}.")
        return redirect("documents:template_admin")
    return render(request, "documents/template_admin.html", context)


@admin_required
@require_POST
def template_delete(request: HttpRequest, template: int) -> HttpResponse:
    try:
        services.template_delete(actor=request.user, template_id=template)
    except NotFound:
        raise Http404("Skabelonen findes ikke.") from None
    messages.success(request, "Skabelonen er slettet.")
    return redirect("documents:template_admin")



