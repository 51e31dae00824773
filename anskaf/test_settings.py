"""Settings for the test suite: the normal settings, with testing mode on before they load."""

import os
import tempfile

os.environ.setdefault("ANSKAF_TESTING", "1")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# Uploaded documents go to a throwaway folder, never into var/.
os.environ.setdefault("ANSKAF_DOCUMENTS_DIR", tempfile.mkdtemp(prefix="anskaf-test-documents-"))
# Anchor keys and the anchor log likewise (each test gets its own, see conftest.py).
os.environ.setdefault("ANSKAF_KEY_DIR", tempfile.mkdtemp(prefix="anskaf-test-keys-"))
os.environ.setdefault("ANSKAF_ANCHOR_LOG", os.path.join(
    tempfile.mkdtemp(prefix="anskaf-test-anchors-"), "audit-anchors.jsonl"))

from anskaf.settings import *  # noqa: F403

# Hashing strength is not under test; a fast hasher keeps the suite quick.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
