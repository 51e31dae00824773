"""`anskaf serve` collects static files only when their sources changed (ADR 0024): the second
app server of a pair, and every restart with the same version, skip the slow part."""

from __future__ import annotations

from pathlib import Path

from anskaf.cli import _collectstatic_locked


def test_collectstatic_runs_again_only_when_the_sources_changed(settings, tmp_path):
    root = tmp_path / "static"
    root.mkdir()
    settings.STATIC_ROOT = str(root)
    _collectstatic_locked(root)
    collected = root / "anskaf" / "app.css"
    assert collected.is_file()
    stamp = root / ".anskaf-collected"

    collected.unlink()
    _collectstatic_locked(root)  # same sources: skipped, so the file stays gone
    assert not collected.exists()

    stamp.write_text("the sources of another version")
    _collectstatic_locked(root)
    assert collected.is_file() and stamp.read_text() != "the sources of another version"
    assert Path(f"{root}.lock").exists()
