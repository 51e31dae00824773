"""A web worker's one-time costs, paid at boot instead of on its first users' requests.

Measured (bench/README.md, third pass): the first case PDF a gunicorn worker renders took
2.1-2.3 s against ~0.6 s for the next ones - importing WeasyPrint and its CSS machinery,
fontconfig's first font lookup, compiling the templates, importing the URL configuration (every view and
the API) and parsing the process model's YAML.
With three workers that put three slow answers into every twenty exports, so the p95 missed
its 1 s target. `anskaf.wsgi` calls `warm_up()` once per worker; ANSKAF_WARMUP=0 turns it off.
"""

from __future__ import annotations

import logging
import time

from django.db import DatabaseError
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import get_resolver

log = logging.getLogger(__name__)

# The pages people open first and most; each compiled template is cached by the loader.
TEMPLATES = (
    "cases/case_list.html",
    "cases/includes/case_row.html",  # rendered on its own, kept (ADR 0046)
    "cases/case_detail.html",
    "cases/includes/step_line.html",  # rendered on its own, kept (ADR 0046)
    "cases/includes/step_body.html",  # a closed step's body, fetched when it is opened
    "cases/my_tasks.html",
    "documents/guide_pdf.html",
)
# A page with the guide's fonts and the structures it lays out (headings, table, strong text).
SAMPLE = (
    '<html lang="da"><head><style>@page { size: A4 landscape; margin: 14mm 12mm; '
    '@bottom-right { content: "Side " counter(page) " af " counter(pages); font-size: 8pt; } } '
    'body { font-family: "DejaVu Sans", sans-serif; font-size: 8.5pt; } '
    "table { border-collapse: collapse; width: 100%; } td, th { border: 1px solid #999; }"
    "</style></head><body><h1>Æ Ø Å</h1><h2>Fase 1</h2><table><thead><tr><th>Trin</th>"
    "<th>Beskrivelse</th></tr></thead><tbody><tr><td>1</td><td><strong>Gennemført</strong> "
    "<em>ja</em> <ul><li>punkt</li></ul></td></tr></tbody></table></body></html>"
)


def warm_up() -> float:
    """Compile the main templates, parse the stored process models and lay out one small PDF.
    Never fails the boot: a database that is not there yet only skips the models."""
    started = time.perf_counter()
    for name in TEMPLATES:
        try:
            get_template(name)
        except TemplateDoesNotExist:  # pragma: no cover - a template renamed without this list
            log.warning("warm-up: template %s does not exist", name)
    patterns = get_resolver().url_patterns  # imports every app's views and the API's routers
    log.debug("warm-up: %d URL patterns", len(patterns))
    _parse_models()
    _first_pdf()
    seconds = time.perf_counter() - started
    log.info("warm-up done in %.2f s", seconds)
    return seconds


def _parse_models() -> None:
    from anskaf.cases.models import ModelVersion
    from anskaf.cases.process_models import model_of

    try:
        for version in ModelVersion.objects.only("sha256", "content"):
            model_of(version)
    except DatabaseError as exc:
        log.warning("warm-up: process models not parsed (%s)", exc)


def _first_pdf() -> None:
    try:
        from weasyprint import HTML
    except OSError as exc:  # Pango missing: the exports will say so when asked for
        log.warning("warm-up: WeasyPrint unavailable (%s)", exc)
        return
    HTML(string=SAMPLE).write_pdf(pdf_variant="pdf/a-2b")
