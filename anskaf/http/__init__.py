"""The HTTP helpers every app's API uses: reading a request and answering with an error.

A plain package, not a Django app, and neutral: it imports nothing of anskaf, so any app may
import it (import-linter keeps it at the bottom layer, beside `process`). What a domain error
means over HTTP (cases' NotFound and MoveRefused, the engine's refusals) is decided by the API
shell, `anskaf/api/errors.py`, which installs the exception handlers.

- `errors`: ApiError and its JSON shape {"error", "message"[, "fields"]}, the standard codes'
  Danish messages, pydantic's errors in Danish.
- `params`: JSON bodies, query text, page size, the next page's path, cursors.
- `schemas`: the base of request bodies (`Body`) and the error response (`ErrorOut`).
"""
