"""The portfolio's pages: thin views over the selectors and services.

Reading is for everyone in the municipality; writing follows services.SYSTEM_WRITERS and
AGREEMENT_WRITERS (403 for others); another municipality's system answers 404.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from anskaf.cases import permissions
from anskaf.cases.errors import Conflict, MoveRefused, NotFound, ValidationFailed
from anskaf.cases.process_models import model_for
from anskaf.cases.selectors import visible_cases
from anskaf.errors import Forbidden
from anskaf.http import params
from anskaf.http.refusals import refusals_as_pages
from anskaf.orgs.models import OrgUnit
from anskaf.orgs.permissions import is_admin, require
from anskaf.process.bindings import StepBinding
from anskaf.validation.text import export_safe

from . import kitos_import, selectors, services
from .forms import (
    ArchiveAssessmentForm,
    ContractForm,
    DpaForm,
    ImportForm,
    OversightForm,
    SystemForm,
    ThresholdForm,
    contract_values,
    dpa_values,
    oversight_values,
    system_values,
    threshold_values,
)
from .models import Lifecycle, TenderThreshold
from .permissions import write_refusal
from .steps import ARCHIVE, CONTRACT, NEEDS

NAV = "systems"
PAGE_SIZE = 50


def member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log in first; 403 without a municipality; domain errors become 404/403 pages."""
    pages = refusals_as_pages(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.organisation_id:
            raise PermissionDenied("Du hører ikke til en kommune.")
        return pages(request, *args, **kwargs)

    return login_required(wrapper)


def _errors_into(form: forms.Form, exc: ValidationFailed) -> None:
    for field, message in exc.errors.items():
        form.add_error(field if field in form.fields else None, message)


# --- systems ----------------------------------------------------------------------------------


class FilterForm(forms.Form):
    livscyklus = forms.ChoiceField(label="Livscyklus", required=False,
                                   choices=[("", "Alle"), *list(Lifecycle.choices)])
    enhed = forms.ChoiceField(label="Ansvarlig enhed", required=False)
    leverandoer = forms.CharField(label="Leverandør", required=False, max_length=200)
    personoplysninger = forms.ChoiceField(label="Personoplysninger", required=False, choices=[
        ("", "Alle"), ("ja", "Behandler personoplysninger"), ("nej", "Ingen personoplysninger")])

    def __init__(self, *args: Any, units: list[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enhed"].choices = [("", "Alle")] + [(str(u.pk), u.name) for u in units]


@member_required
def system_list(request: HttpRequest) -> HttpResponse:
    units = list(OrgUnit.objects.filter(organisation_id=request.user.organisation_id)
                 .order_by("name"))
    form = FilterForm(request.GET or None, units=units)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {"lifecycle": data["livscyklus"], "unit": data["enhed"],
                   "supplier": data["leverandoer"], "personal_data": data["personoplysninger"]}
    page = Paginator(selectors.system_list_rows(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("side"))
    query = request.GET.copy()
    query.pop("side", None)
    return render(request, "portfolio/system_list.html", {
        "nav": NAV, "form": form, "page": page, "filtered": any(filters.values()),
        "query": query.urlencode(), "may_write": services.may(request.user,
                                                               services.SYSTEM_WRITERS),
        "sees_threshold": services.may(request.user, services.THRESHOLD_CONFIRMERS)
        or is_admin(request.user)})


@member_required
def system_detail(request: HttpRequest, system_pk: int) -> HttpResponse:
    detail = selectors.system_detail(request.user, system_pk, timezone.localdate())
    if detail is None:
        raise Http404("Systemet findes ikke.")
    from anskaf.orgs.tenancy import effective_settings

    return render(request, "portfolio/system_detail.html", {
        "nav": NAV, "d": detail, "system": detail.system,
        # The municipality's archive authority (its own setting, else the installation's).
        "archive_authority": effective_settings(request.user.organisation_id).archive_authority,
        "may_write": services.may(request.user, services.SYSTEM_WRITERS),
        "may_agree": services.may(request.user, services.AGREEMENT_WRITERS)})


def _version(post: QueryDict) -> int | None:
    """The version an edit form carries (the one the page showed): None when not sent; a
    field error when it is no whole number."""
    return params.posted_id(post.get("version"), field="version",
                            message="Versionen skal være et helt tal.")


def _system_form(request: HttpRequest, system_pk: int | None) -> HttpResponse:
    org = request.user.organisation_id
    system = None
    if system_pk is not None:  # 404 before 403: another municipality's system is not there
        system = selectors.systems(request.user).filter(pk=system_pk).first()
        if system is None:
            raise Http404("Systemet findes ikke.")
    require(write_refusal(request.user, services.SYSTEM_WRITERS), PermissionDenied)
    form = SystemForm(request.POST or None, instance=system, organisation_id=org)
    status, conflict, version = 200, None, system.version if system else None
    if request.method == "POST":
        try:
            saved = services.system_save(actor=request.user, values=system_values(
                request.POST, organisation_id=org, instance=system), system_id=system_pk,
                                         version=_version(request.POST))
        except Conflict as exc:
            system = selectors.systems(request.user).get(pk=system_pk)
            conflict = _conflict(exc, SystemForm(instance=system, organisation_id=org))
            status, version = 409, system.version
        except ValidationFailed as exc:
            form = SystemForm(request.POST, instance=system, organisation_id=org)
            form.is_valid()
            if not form.errors:
                _errors_into(form, exc)
            status = 400
        else:
            messages.success(request, f"Systemet »{saved.name}« er gemt.")
            return redirect("portfolio:system_detail", system_pk=saved.pk)
    return render(request, "portfolio/system_form.html",
                  {"nav": NAV, "form": form, "system": system, "version": version,
                   "conflict": conflict}, status=status)


@member_required
def system_create(request: HttpRequest) -> HttpResponse:
    return _system_form(request, None)


@member_required
def system_edit(request: HttpRequest, system_pk: int) -> HttpResponse:
    return _system_form(request, system_pk)


@dataclass
class ConflictView:
    """A stale edit: the refusal's message and the saved (newer) values, shown above the form
    that keeps what the person typed."""

    message: str
    current: list[tuple[str, str]]


def _shown(field: forms.BoundField) -> str:
    value = field.value()
    choices = dict(getattr(field.field, "choices", None) or ())
    if choices:
        return str(choices.get(value, choices.get(str(value), value)) or "–")
    return "–" if value in (None, "") else str(value)


def _conflict(exc: Conflict, fresh_form: forms.BaseForm) -> ConflictView:
    return ConflictView(exc.message, [(f.label, _shown(f)) for f in fresh_form])


def _agreement_form(request: HttpRequest, system_pk: int, form_class: type[forms.ModelForm],
                    title: str, save: Callable[..., Any], *,
                    lookup: Callable[[Any], Any] | None = None, pk: int | None = None
                    ) -> HttpResponse:
    """Register a contract or DPA, or (with `pk`) change one: a stale version answers 409 with
    the saved values shown and the typed ones kept in the form."""
    system = selectors.systems(request.user).filter(pk=system_pk).first()
    if system is None:
        raise Http404("Systemet findes ikke.")
    instance = None
    if pk is not None and lookup is not None:
        instance = lookup(system)
    require(write_refusal(request.user, services.AGREEMENT_WRITERS), PermissionDenied)
    initial = {"supplier": system.supplier} if instance is None else None
    form = form_class(request.POST or None, instance=instance, initial=initial)
    status, conflict = 200, None
    version = instance.version if instance is not None else None
    if request.method == "POST":
        try:
            save(request, system, instance)
        except Conflict as exc:
            instance = lookup(system) if lookup is not None else None
            conflict = _conflict(exc, form_class(instance=instance))
            status, version = 409, instance.version
        except ValidationFailed as exc:
            form.is_valid()
            if not form.errors:
                _errors_into(form, exc)
            status = 400
        else:
            messages.success(request, f"{title} er gemt.")
            return redirect("portfolio:system_detail", system_pk=system.pk)
    return render(request, "portfolio/agreement_form.html",
                  {"nav": NAV, "form": form, "system": system, "title": title,
                   "editing": instance is not None, "version": version, "conflict": conflict,
                   "case_pk": request.GET.get("sag", "")}, status=status)


def _contract_lookup(request: HttpRequest, pk: int) -> Callable[[Any], Any]:
    def lookup(system: Any) -> Any:
        try:
            return services.contract_of(request.user, pk, system_id=system.pk)
        except NotFound:
            raise Http404("Kontrakten findes ikke.") from None
    return lookup


def _dpa_lookup(request: HttpRequest, pk: int) -> Callable[[Any], Any]:
    def lookup(system: Any) -> Any:
        try:
            return services.dpa_of(request.user, pk, system_id=system.pk)
        except NotFound:
            raise Http404("Databehandleraftalen findes ikke.") from None
    return lookup


@member_required
def contract_create(request: HttpRequest, system_pk: int) -> HttpResponse:
    return _agreement_form(request, system_pk, ContractForm, "Kontrakten", lambda r, s, _:
                           services.contract_save(actor=r.user, system_id=s.pk,
                                                  values=contract_values(r.POST)))


@member_required
def contract_edit(request: HttpRequest, system_pk: int, pk: int) -> HttpResponse:
    """Any field of a contract: an option used, a prolongation, a termination, a new notice
    period."""
    def save(r: HttpRequest, s: Any, contract: Any) -> Any:
        return services.contract_save(actor=r.user, system_id=s.pk, values=contract_values(
            r.POST, instance=contract), contract_id=contract.pk, version=_version(r.POST))

    return _agreement_form(request, system_pk, ContractForm, "Kontrakten", save,
                           lookup=_contract_lookup(request, pk), pk=pk)


@member_required
@require_POST
def contract_notice_decided(request: HttpRequest, system_pk: int, pk: int) -> HttpResponse:
    """The button beside »Opsig senest«: the notice decision is taken, reminders stop."""
    if not selectors.systems(request.user).filter(pk=system_pk).exists():
        raise Http404("Systemet findes ikke.")
    try:
        contract = services.contract_mark_notice_decided(actor=request.user, contract_id=pk)
    except ValidationFailed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Beslutningen om opsigelse af kontrakt {contract.number} er "
                                  "registreret. Der sendes ikke flere påmindelser om fristen.")
    return redirect("portfolio:system_detail", system_pk=system_pk)


@member_required
def dpa_create(request: HttpRequest, system_pk: int) -> HttpResponse:
    def save(r: HttpRequest, s: Any, _: Any) -> Any:
        return services.dpa_save(actor=r.user, system_id=s.pk,
                                 values=dpa_values(r.POST),
                                 case_id=params.posted_ref(r.POST.get("sag"),
                                                           missing="Sagen findes ikke."))

    return _agreement_form(request, system_pk, DpaForm, "Databehandleraftalen", save)


@member_required
def dpa_edit(request: HttpRequest, system_pk: int, pk: int) -> HttpResponse:
    def save(r: HttpRequest, s: Any, dpa: Any) -> Any:
        return services.dpa_save(actor=r.user, system_id=s.pk,
                                 values=dpa_values(r.POST, instance=dpa), dpa_id=dpa.pk,
                                 version=_version(r.POST))

    return _agreement_form(request, system_pk, DpaForm, "Databehandleraftalen", save,
                           lookup=_dpa_lookup(request, pk), pk=pk)


@member_required
def dpa_oversight(request: HttpRequest, system_pk: int, pk: int) -> HttpResponse:
    """Record a completed oversight: the next date moves by the interval, the reminder stops."""
    system = selectors.systems(request.user).filter(pk=system_pk).first()
    if system is None:
        raise Http404("Systemet findes ikke.")
    dpa = _dpa_lookup(request, pk)(system)
    require(write_refusal(request.user, services.AGREEMENT_WRITERS), PermissionDenied)
    form = OversightForm(request.POST or None, initial={"method": dpa.oversight_method})
    status = 200
    if request.method == "POST":
        try:
            services.dpa_oversight_record(actor=request.user, dpa_id=dpa.pk,
                                          system_id=system.pk,
                                          values=oversight_values(request.POST))
        except ValidationFailed as exc:
            form.is_valid()
            if not form.errors:
                _errors_into(form, exc)
            status = 400
        else:
            view = selectors.dpa_view(services.dpa_of(request.user, dpa.pk))
            nxt = view.next_oversight.strftime("%d.%m.%Y") if view.next_oversight else "–"
            messages.success(request, f"Tilsynet med {dpa.supplier} er registreret. Næste "
                                      f"tilsyn: {nxt}.")
            return redirect("portfolio:system_detail", system_pk=system.pk)
    return render(request, "portfolio/oversight_form.html", {
        "nav": NAV, "form": form, "system": system, "dpa": dpa,
        "view": selectors.dpa_view(dpa), "oversights": list(dpa.oversights.all()[:20])},
        status=status)


CSV_HEADER = ("System", "Kontraktnummer", "Leverandør", "Start", "Bindende til", "Ophører",
              "Opsig senest", "Optioner tilbage", "Opsagt", "Årlig udgift (kr.)")


def _csv_cell(value: Any) -> str:
    """A cell: exportable characters only, and no leading character a spreadsheet would read
    as a formula."""
    text = export_safe("" if value is None else str(value))
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _day(d: Any) -> str:
    return d.strftime("%d.%m.%Y") if d else ""


@member_required
def contract_export(request: HttpRequest) -> HttpResponse:
    """The contract register as CSV (semicolons, UTF-8 with BOM, as Danish Excel reads it); the
    notice date is the page's (`notice.notice_date`)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for v in selectors.contract_register(request.user, timezone.localdate()):
        c, d = v.contract, v.dates
        cost = "" if c.annual_cost is None else f"{c.annual_cost:.2f}".replace(".", ",")
        writer.writerow([_csv_cell(x) for x in (
            c.system.name, c.number, c.supplier, _day(c.start_date), _day(d.binding_end),
            _day(d.end), _day(d.notice_by), d.options_left, "ja" if d.terminated else "nej",
            cost)])
    response = HttpResponse(("\ufeff" + out.getvalue()).encode("utf-8"),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="kontrakter.csv"'
    return response


@member_required
def system_search(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")[:200].replace("\x00", "")
    return render(request, "portfolio/search.html", {
        "nav": NAV, "q": text, "results": selectors.search(request.user, text),
        "searched": bool(text.strip())})


@member_required
def system_import(request: HttpRequest) -> HttpResponse:
    require(write_refusal(request.user, services.SYSTEM_WRITERS), PermissionDenied)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = kitos_import.import_systems(actor=request.user, filename=upload.name,
                                                     content=upload.read())
            except kitos_import.ImportRefused as exc:
                errors, status = exc.problems, 400
            else:
                messages.success(request, f"Importen er gennemført: {result.created} systemer "
                                          f"oprettet, {result.updated} opdateret.")
                if result.replaced:
                    messages.warning(request, "Filen indeholdt usynlige kontroltegn eller tegn, "
                                              "der vender skriveretningen. De er erstattet af et "
                                              "mellemrum i: " + "; ".join(result.replaced[:50])
                                     + ("; ..." if len(result.replaced) > 50 else "") + ".")
                return redirect("portfolio:system_list")
        else:
            status = 400
    return render(request, "portfolio/import.html",
                  {"nav": NAV, "form": form, "import_errors": errors}, status=status)


# --- the case page's forms --------------------------------------------------------------------


def _back_to_case(pk: int, step: int | None) -> HttpResponse:
    anchor = f"#trin-{step}" if step is not None else ""
    return redirect(reverse("cases:case_detail", kwargs={"pk": pk}) + anchor)


def _step_number(request: HttpRequest, pk: int, binding: StepBinding) -> int | None:
    """The number the case's model gives the bound step (for the anchor and the message)."""
    case = visible_cases(request.user).filter(pk=pk).only("model_version_id").first()
    return binding.number(model_for(case)) if case is not None else None


@member_required
@require_POST
def case_link(request: HttpRequest, pk: int) -> HttpResponse:
    kind = request.POST.get("kind", "")
    try:
        services.case_link(actor=request.user, case_id=pk, kind=kind,
                           system_id=params.posted_ref(request.POST.get("system"),
                                                       missing="Systemet findes ikke."))
    except (ValidationFailed, MoveRefused) as exc:
        if isinstance(exc, Forbidden):
            raise  # the 403 page (member_required)
        messages.error(request, exc.message)
    else:
        messages.success(request, "Sagens system er gemt." if request.POST.get("system")
                         else "Sagens system er fjernet.")
    return _back_to_case(pk, _step_number(request, pk, NEEDS))


@member_required
def archive_assess(request: HttpRequest, pk: int, system_pk: int) -> HttpResponse:
    """The archive role's assessment of one of the case's systems (asked for at the archive
    step); on a refusal the form comes back with what was typed."""
    case = visible_cases(request.user).filter(pk=pk).first()
    system = selectors.systems(request.user).filter(pk=system_pk, case_links__case_id=pk).first()
    if case is None or system is None:
        raise Http404("Sagen eller systemet findes ikke.")
    services.require_role(request.user, services.ARCHIVE_ASSESSORS, "Den arkivansvarlige")
    initial = {"decision": system.archive_decision, "plan": system.archive_plan}
    form = ArchiveAssessmentForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        try:
            services.archive_assessment_record(
                actor=request.user, system_id=system.pk, case_id=pk,
                decision=request.POST.get("decision"), plan=request.POST.get("plan"))
        except ValidationFailed as exc:
            if form.is_valid():  # the form's own messages first; else the service's
                _errors_into(form, exc)
            status = 400
        else:
            messages.success(request, f"Arkivvurderingen af »{system.name}« er registreret.")
            return _back_to_case(pk, _step_number(request, pk, ARCHIVE))
    return render(request, "portfolio/archive_form.html",
                  {"nav": NAV, "form": form, "system": system, "case": case}, status=status)


@member_required
@require_POST
def kitos_register(request: HttpRequest, pk: int) -> HttpResponse:
    sync = services.kitos_register(actor=request.user, case_id=pk)
    step = _step_number(request, pk, CONTRACT)
    where = f" under trin {step}" if step else " på sagen"
    messages.success(request, f"»{sync.system.name}« er sendt til registrering i KITOS. Se "
                              f"status{where}.")
    return _back_to_case(pk, step)


# --- tender threshold -------------------------------------------------------------------------


@member_required
def threshold_tasks(request: HttpRequest) -> HttpResponse:
    """Procurement's list: cases at or above the threshold in force, confirmed or not."""
    if not (services.may(request.user, services.THRESHOLD_CONFIRMERS)
            or is_admin(request.user)):
        raise PermissionDenied("Siden er for Udbud/Indkøb.")
    threshold, rows = selectors.cases_to_confirm(request.user, timezone.localdate())
    return render(request, "portfolio/threshold_tasks.html", {
        "nav": NAV, "threshold": threshold, "rows": rows,
        "expired": selectors.is_expired(threshold, timezone.localdate()),
        "may_confirm": services.may(request.user, services.THRESHOLD_CONFIRMERS)})


@member_required
@require_POST
def threshold_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.threshold_confirm(actor=request.user, case_id=pk,
                                   note=request.POST.get("note", ""))
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Bekræftelsen er registreret.")
    return redirect("portfolio:threshold_tasks")


@member_required
def threshold_admin(request: HttpRequest) -> HttpResponse:
    if not is_admin(request.user):
        raise PermissionDenied("Kun kommunens administratorer har adgang.")
    return threshold_page(
        request, save=services.threshold_save, saved="Tærskelværdien er gemt.",
        url="portfolio:threshold_admin", template="portfolio/threshold_admin.html",
        context={"nav": "admin", "thresholds": list(TenderThreshold.objects.all())})


def threshold_page(request: HttpRequest, *, save: Any, saved: str, url: str, template: str,
                   context: dict[str, Any]) -> HttpResponse:
    """The page of the EU tender thresholds with the form of a new period: the admins' and the
    installation operator's (anskaf.installation.views.thresholds), each with its own service."""
    form = ThresholdForm(request.POST or None, initial={"kind": "goods_services"})
    status = 200
    if request.method == "POST":
        try:
            save(actor=request.user, values=threshold_values(request.POST))
        except ValidationFailed as exc:
            form.is_valid()
            if not form.errors:
                _errors_into(form, exc)
            status = 400
        else:
            messages.success(request, saved)
            return redirect(url)
    return render(request, template, {
        **context, "form": form, "watch": selectors.threshold_watch(timezone.localdate())},
        status=status)


def may_edit_case(user: Any, case: Any) -> bool:
    return permissions.edit_refusal(user, case) is None


@login_required
@require_POST
def kitos_test(request: HttpRequest) -> HttpResponse:
    """Administration -> Indstillinger -> "Test forbindelsen": the settings page with the
    answer (what failed, exactly). The page is orgs'; the KITOS client is the portfolio's."""
    from anskaf.orgs.tenancy import own_settings, settings_view
    from anskaf.orgs.tenancy_forms import MunicipalitySettingsForm
    from anskaf.orgs.views_tenancy import settings_page

    if not is_admin(request.user):
        raise PermissionDenied("Kun kommunens administratorer har adgang.")
    org_id = request.user.organisation_id  # type: ignore[union-attr]
    check = services.kitos_connection_test(actor=request.user, organisation_id=org_id)
    form = MunicipalitySettingsForm(initial=settings_view(own_settings(org_id)))
    return settings_page(request, form, check=check)
