"""The typed values the portfolio's services take (ADR 0040): what its forms
(`forms.system_values` and the others) make of a page's POST or the API's parsed body.

A key left out is a field the input did not carry and that keeps its saved value (as a
ModelForm leaves such a field alone); every key present is valid for its model field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict
from uuid import UUID

if TYPE_CHECKING:
    from anskaf.orgs.models import OrgUnit, User

    from .models import System


class SystemValues(TypedDict, total=False):
    name: str
    supplier: str
    purpose: str
    notes: str
    owner_unit: OrgUnit | None
    system_owner: User | None
    hosting: str
    personal_data: bool
    case_records: bool
    lifecycle: str
    kitos_system_uuid: UUID | None
    predecessor: System | None


class ContractValues(TypedDict, total=False):
    number: str
    supplier: str
    start_date: date
    duration_months: int
    option_count: int
    option_months: int
    options_used: int
    notice_months: int
    notice_to: str
    terminated_on: date | None
    annual_cost: Decimal | None


class DpaValues(TypedDict, total=False):
    supplier: str
    signed_on: date | None
    sub_processors: str
    third_countries: str
    oversight_method: str
    oversight_interval_months: int
    last_oversight_on: date | None


class OversightValues(TypedDict, total=False):
    done_on: date
    method: str
    result: str
    notes: str
    document_ref: str


class ThresholdValues(TypedDict):
    valid_from: date
    valid_to: date
    amount: Decimal
    kind: str
    source: str
