"""The deployment stack fixture lives in deploy_stack.py (its helpers are imported by the tests)."""

from deploy_stack import stack  # noqa: F401 - the module-scoped fixture
