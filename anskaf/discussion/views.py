"""The comment form's pages. Posting from the case page works without JavaScript; a refusal
shows the form again on a page of its own with everything typed kept."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from anskaf.cases.errors import MoveRefused, NotFound, PermissionDenied, ValidationFailed
from anskaf.cases.forms import apply_service_errors
from anskaf.cases.selectors import case_detail

from . import selectors, services
from .forms import CommentForm, EditForm
from .models import Comment
from .permissions import change_refusal


def _case_url(pk: int, comment_pk: int | None = None) -> str:
    url = reverse("cases:case_detail", kwargs={"pk": pk})
    return f"{url}#kommentar-{comment_pk}" if comment_pk else f"{url}#kommentarer"


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "403.html", {"reason": reason}, status=403)


def _page(request: HttpRequest, template: str, context: dict[str, Any], *,
          error: str | None = None) -> HttpResponse:
    status = 200 if request.method == "GET" else (409 if error else 400)
    return render(request, template, {"nav": "cases", "error": error, **context}, status=status)


@login_required
@require_POST
def comment_create(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        detail = case_detail(viewer=request.user, case_id=pk)
    except NotFound:
        raise Http404("Sagen findes ikke.") from None
    steps = [(s.number, s.title.da) for s in detail.model.steps]
    form = CommentForm(request.POST, steps=steps)
    chosen = request.POST.getlist("mention")
    error = None
    if form.is_valid():
        try:
            comment = services.comment_create(
                actor=request.user, case_id=pk, body=form.cleaned_data["body"],
                step=form.cleaned_data["step"], mention=chosen)
        except NotFound:
            raise Http404("Sagen findes ikke.") from None
        except PermissionDenied as exc:
            return _refused(request, exc.message)
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        except MoveRefused as exc:
            error = exc.message
        else:
            messages.success(request, "Din kommentar er gemt.")
            return redirect(_case_url(pk, comment.pk))
    people = selectors.people_on_case(detail.case, request.user)
    return _page(request, "discussion/comment_form.html",
                 {"case": detail.case, "form": form, "people": people, "chosen": chosen},
                 error=error)


def _own_or_404(request: HttpRequest, pk: int, comment_pk: int) -> Comment:
    try:
        return selectors.comment_get(viewer=request.user, case_id=pk, comment_id=comment_pk)
    except NotFound:
        raise Http404("Kommentaren findes ikke.") from None


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    comment = _own_or_404(request, pk, comment_pk)
    if refusal := change_refusal(request.user, comment):
        return _refused(request, refusal)
    form = EditForm(request.POST or None, initial={"body": comment.body})
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_edit(actor=request.user, case_id=pk, comment_id=comment_pk,
                                  body=form.cleaned_data["body"])
        except NotFound:
            raise Http404("Kommentaren findes ikke.") from None
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        except MoveRefused as exc:
            error = exc.message
        else:
            messages.success(request, "Kommentaren er rettet.")
            return redirect(_case_url(pk, comment_pk))
    return _page(request, "discussion/comment_edit.html",
                 {"case": comment.case, "comment": comment, "form": form}, error=error)


@login_required
@require_http_methods(["GET", "POST"])
def comment_delete(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    comment = _own_or_404(request, pk, comment_pk)
    if refusal := change_refusal(request.user, comment):
        return _refused(request, refusal)
    if request.method == "POST":
        try:
            services.comment_delete(actor=request.user, case_id=pk, comment_id=comment_pk)
        except NotFound:
            raise Http404("Kommentaren findes ikke.") from None
        except MoveRefused as exc:
            return _refused(request, exc.message)
        messages.success(request, "Kommentaren er slettet.")
        return redirect(_case_url(pk))
    return _page(request, "discussion/comment_delete.html",
                 {"case": comment.case, "comment": comment})
