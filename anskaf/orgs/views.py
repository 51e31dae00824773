"""Administration pages: units, people and their roles, CSV import. Thin views over services.

Only a person holding the `admin` role for the whole organisation may use them (403 for
everybody else); every page is scoped to the administrator's own organisation, so another
organisation's unit or person answers 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import csv_import, permissions, selectors, services
from .choices import Role
from .errors import ImportRefused, NotAllowed, NotFound, ValidationFailed
from .forms import ImportForm, PersonForm, PersonSearchForm, RoleForm, UnitForm
from .models import Membership, OrgUnit, User

PAGE_SIZE = 50
NAV = "admin"


def admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log in first (redirect), then 403 unless an administrator of the whole organisation."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not permissions.is_admin(request.user):
            raise PermissionDenied("Kun kommunens administratorer har adgang.")
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from None
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from None

    return login_required(wrapper)


def _posted(request: HttpRequest) -> Any:
    """The form data of a POST (even an empty one, so that it is validated), else None."""
    return request.POST if request.method == "POST" else None


def _org(request: HttpRequest) -> int:
    return request.user.organisation_id  # type: ignore[union-attr,return-value]


def _apply_errors(form: Any, exc: ValidationFailed, aliases: dict[str, str] | None = None
                  ) -> None:
    for field, message in exc.errors.items():
        name = (aliases or {}).get(field, field)
        form.add_error(name if name in form.fields else None, message)


# --- overview ---------------------------------------------------------------------------------


@admin_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    org_id = _org(request)
    return render(request, "orgs/overview.html", {
        "nav": NAV,
        "units": OrgUnit.objects.filter(organisation_id=org_id).count(),
        "people": User.objects.filter(organisation_id=org_id, is_active=True).count(),
        "inactive": User.objects.filter(organisation_id=org_id, is_active=False).count(),
        "admins": User.objects.filter(
            organisation_id=org_id, is_active=True,
            memberships__role=Role.ADMIN, memberships__unit__isnull=True).distinct().count(),
    })


# --- units ------------------------------------------------------------------------------------


@admin_required
@require_GET
def unit_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.unit_tree(organisation_id=_org(request), with_people=True)
    return render(request, "orgs/unit_list.html", {"nav": NAV, "rows": rows})


@admin_required
@require_http_methods(["GET", "POST"])
def unit_create(request: HttpRequest) -> HttpResponse:
    rows = selectors.unit_tree(organisation_id=_org(request))
    initial = {}
    parent = request.GET.get("overordnet")
    if parent and any(str(r.unit.pk) == parent for r in rows):
        initial = {"parent": parent, "kind": "department"}
    form = UnitForm(_posted(request), units=rows, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(actor=request.user, data=form.service_data())
        except ValidationFailed as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"Enheden »{unit.name}« er oprettet.")
            return redirect("orgs:unit_list")
    return render(request, "orgs/unit_form.html", {"nav": NAV, "form": form, "unit": None},
                  status=400 if request.method == "POST" else 200)


@admin_required
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org_id = _org(request)
    unit = selectors.unit_get(organisation_id=org_id, unit_id=pk)
    rows = selectors.unit_tree(organisation_id=org_id)
    initial = {"name": unit.name, "kind": unit.kind, "parent": unit.parent_id or ""}
    form = UnitForm(_posted(request), units=rows, initial=initial,
                    exclude=selectors.unit_descendant_ids(unit))
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_update(actor=request.user, unit_id=unit.pk,
                                        data=form.service_data())
        except ValidationFailed as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"Enheden »{unit.name}« er gemt.")
            return redirect("orgs:unit_list")
    return render(request, "orgs/unit_form.html", {"nav": NAV, "form": form, "unit": unit},
                  status=400 if request.method == "POST" else 200)


# --- people -----------------------------------------------------------------------------------


def _role_summary(person: User) -> list[str]:
    return [f"{m.get_role_display()} ({services.scope_label(m.unit)})"
            for m in person.memberships.all()]


@admin_required
@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    form = PersonSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    paginator = Paginator(selectors.person_list(organisation_id=_org(request), query=query),
                          PAGE_SIZE)
    page = paginator.get_page(request.GET.get("side"))
    rows = [{"person": p, "roles": _role_summary(p)} for p in page.object_list]
    params = request.GET.copy()
    params.pop("side", None)
    return render(request, "orgs/person_list.html", {
        "nav": NAV, "form": form, "query": query, "page": page, "rows": rows,
        "params": params.urlencode(),
    })


PASSWORD_ALIASES = {"password": "password1"}


@admin_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    rows = selectors.unit_tree(organisation_id=_org(request))
    sso = bool(getattr(settings, "ANSKAF_OIDC_ENABLED", False))
    form = PersonForm(_posted(request), units=rows, creating=True,
                      initial={"is_active": True, "login": "sso" if sso else "password"})
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(actor=request.user, data=form.service_data(),
                                            password=form.password())
        except ValidationFailed as exc:
            _apply_errors(form, exc, PASSWORD_ALIASES)
        else:
            messages.success(request, f"{person.display_name()} er oprettet. Giv personen en "
                                      "eller flere roller herunder.")
            return redirect("orgs:person_detail", pk=person.pk)
    return render(request, "orgs/person_form.html", {"nav": NAV, "form": form, "person": None},
                  status=400 if request.method == "POST" else 200)


@admin_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org_id = _org(request)
    person = selectors.person_get(organisation_id=org_id, person_id=pk)
    rows = selectors.unit_tree(organisation_id=org_id)
    initial = {"username": person.username, "full_name": person.get_full_name(),
               "email": person.email, "unit": person.unit_id or "",
               "is_active": person.is_active}
    form = PersonForm(_posted(request), units=rows, creating=False, initial=initial,
                      person_pk=person.pk)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_update(actor=request.user, person_id=person.pk,
                                             data=form.service_data(), password=form.password())
        except ValidationFailed as exc:
            _apply_errors(form, exc, PASSWORD_ALIASES)
        else:
            messages.success(request, f"Oplysningerne om {person.display_name()} er gemt.")
            return redirect("orgs:person_detail", pk=person.pk)
    return render(request, "orgs/person_form.html", {"nav": NAV, "form": form, "person": person},
                  status=400 if request.method == "POST" else 200)


def _person_page(request: HttpRequest, person: User, *, role_form: RoleForm | None = None,
                 role_error: str | None = None, status: int = 200) -> HttpResponse:
    rows = selectors.unit_tree(organisation_id=person.organisation_id)  # type: ignore[arg-type]
    return render(request, "orgs/person_detail.html", {
        "nav": NAV,
        "person": person,
        "memberships": selectors.memberships_of(person),
        "role_form": role_form or RoleForm(units=rows),
        "role_error": role_error,
        "has_password": person.has_usable_password(),
        "unit_row": next((r for r in rows if r.unit.pk == person.unit_id), None),
        "is_self": person.pk == request.user.pk,
    }, status=status)


@admin_required
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(organisation_id=_org(request), person_id=pk)
    return _person_page(request, person)


@admin_required
@require_POST
def role_add(request: HttpRequest, pk: int) -> HttpResponse:
    org_id = _org(request)
    person = selectors.person_get(organisation_id=org_id, person_id=pk)
    form = RoleForm(request.POST, units=selectors.unit_tree(organisation_id=org_id))
    if form.is_valid():
        try:
            membership = services.role_add(actor=request.user, person_id=person.pk,
                                           role=form.cleaned_data["role"],
                                           unit_id=form.cleaned_data["unit"] or None)
        except ValidationFailed as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"{person.display_name()} har fået rollen "
                                      f"»{membership.get_role_display()}« for "
                                      f"{services.scope_label(membership.unit)}.")
            return redirect(reverse("orgs:person_detail", kwargs={"pk": person.pk}) + "#roller")
    return _person_page(request, person, role_form=form, status=400)


@admin_required
@require_POST
def role_remove(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    person = selectors.person_get(organisation_id=_org(request), person_id=pk)
    membership = (Membership.objects.select_related("unit")
                  .filter(pk=membership_pk, person=person).first())
    if membership is None:
        raise Http404("Rollen findes ikke.")
    try:
        services.role_remove(actor=request.user, person_id=person.pk, membership_id=membership.pk)
    except ValidationFailed as exc:
        return _person_page(request, person, role_error=exc.message, status=400)
    messages.success(request, f"Rollen »{membership.get_role_display()}« for "
                              f"{services.scope_label(membership.unit)} er fjernet fra "
                              f"{person.display_name()}.")
    return redirect(reverse("orgs:person_detail", kwargs={"pk": person.pk}) + "#roller")


# --- import (CSV or XLSX): a preview, then the commit ------------------------------------------


def _import_context(form: ImportForm, **extra: Any) -> dict[str, Any]:
    return {"nav": NAV, "form": form, "max_rows": csv_import.MAX_ROWS, "roles": Role.choices,
            **extra}


@admin_required
@require_http_methods(["GET", "POST"])
def csv_import_page(request: HttpRequest) -> HttpResponse:
    """Choose a file; a POST shows the dry run (nothing is written) with the button to commit."""
    form = ImportForm(_posted(request), request.FILES if request.method == "POST" else None)
    context = _import_context(form)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            what = form.cleaned_data["what"]
            try:
                if upload.size > csv_import.MAX_BYTES:
                    raise ImportRefused(
                        f"Filen er for stor ({csv_import.megabytes(upload.size)}). Den må højst "
                        f"være {csv_import.megabytes(csv_import.MAX_BYTES)}. Del den op i flere "
                        "filer.")
                data = upload.read(csv_import.MAX_BYTES + 1)
                shown = csv_import.preview(actor=request.user, what=what, data=data,
                                           filename=upload.name or "")
            except ImportRefused as exc:
                context.update(refusal=exc.message, row_errors=exc.rows, what=what,
                               filename=upload.name)
            else:
                status = 200
                context.update(preview=shown.result, token=shown.token, filename=upload.name,
                               form=ImportForm(initial={"what": what}))
    return render(request, "orgs/csv_import.html", context, status=status)


@admin_required
@require_POST
def import_commit(request: HttpRequest) -> HttpResponse:
    """Write what the preview showed (the form on the preview carries its signed token)."""
    context = _import_context(ImportForm())
    try:
        result = csv_import.commit(actor=request.user, token=request.POST.get("token", ""))
    except csv_import.PlanChanged as exc:
        context.update(changed=exc.message, preview=exc.preview.result, token=exc.preview.token,
                       filename=exc.preview.result.filename)
        return render(request, "orgs/csv_import.html", context, status=409)
    except ImportRefused as exc:
        context.update(refusal=exc.message, filename="Filen")
        return render(request, "orgs/csv_import.html", context, status=400)
    context.update(result=result, filename=result.filename)
    return render(request, "orgs/csv_import.html", context)


TEMPLATES = {
    "enheder": ("enheder.csv", [
        "navn;type;overordnet",
        "Social- og Sundhedsforvaltningen;forvaltning;",
        "Hjemmeplejen;afdeling;Social- og Sundhedsforvaltningen",
    ]),
    "personer": ("personer.csv", [
        "brugernavn;navn;email;enhed;roller",
        "mlk;Mette Lund Kristensen;mlk@kommune.dk;Social- og Sundhedsforvaltningen;"
        "coordinator@Social- og Sundhedsforvaltningen",
        "jn;Jesper Nielsen;jn@kommune.dk;;it|archive",
    ]),
}


@admin_required
@require_GET
def csv_template(request: HttpRequest, what: str) -> HttpResponse:
    if what not in TEMPLATES:
        raise Http404("Ukendt skabelon.")
    filename, lines = TEMPLATES[what]
    body = "\ufeff" + "\r\n".join(lines) + "\r\n"
    response = HttpResponse(body.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@admin_required
@require_GET
def xlsx_template(request: HttpRequest) -> HttpResponse:
    """One workbook with the sheets »Enheder« and »Personer«, filled as the CSV templates."""
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet_name, key in (("Enheder", "enheder"), ("Personer", "personer")):
        sheet = book.create_sheet(sheet_name)
        for line in TEMPLATES[key][1]:
            sheet.append(line.split(";"))
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = 'attachment; filename="enheder-og-personer.xlsx"'
    return response


# The helpers the sign-on and settings pages (views_tenancy.py) share with these pages.
posted, org_of, apply_errors = _posted, _org, _apply_errors
