"""The installation's worker tasks, found by huey's autodiscovery (djhuey imports every
app's `tasks`); they are defined beside the flow they belong to."""

from .jobs import offboard_municipality

__all__ = ["offboard_municipality"]
