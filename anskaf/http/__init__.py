"""The HTTP helpers every app's API uses: reading a request and answering with an error.

A plain package, not a Django app, and neutral: it imports nothing of anskaf but the pure rules
below it (`anskaf.validation`, the domain errors of `anskaf.errors`), so any app may import it
(import-linter keeps it beside `process`). What a domain error means over HTTP is decided in
one place per answer: the API shell's exception handler (`anskaf/api/errors.py`) and, for the
HTML views, `refusals` (ADR 0037).

- `errors`: ApiError and its JSON shape {"error", "message"[, "fields"]}, the standard codes'
  Danish messages, pydantic's errors in Danish.
- `params`: JSON bodies, query text, page size, the next page's path, cursors.
- `schemas`: the base of request bodies (`Body`) and the error response (`ErrorOut`).
- `refusals`: a domain error as the HTML page's answer (`html_refusal`, `refusals_as_pages`).
"""
