"""Formatting filters for the documents' templates (the data comes from `panels.py`)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def short_sha(value: str) -> str:
    return (value or "")[:12]


@register.filter
def filesize_da(value: int) -> str:
    if value is None:
        return ""
    if value < 1024:
        return f"{value} bytes"
    if value < 1024 * 1024:
        return f"{value / 1024:.0f} kB".replace(".", ",")
    return f"{value / (1024 * 1024):.1f} MB".replace(".", ",")
