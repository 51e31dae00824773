"""The lock files (requirements/*.txt, written by `make lock`) pin every package pyproject.toml
asks for, at a version it allows: a dependency added to pyproject.toml without `make lock`
fails here, not on someone else's fresh machine."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
# Which extras each lock file holds (the Makefile's `lock` target).
LOCKS = {
    "run.txt": [],
    "test.txt": ["test"],
    "production.txt": ["postgres", "redis", "s3", "sentry"],
}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", re.MULTILINE)


def pins(name: str) -> dict[str, str]:
    text = (ROOT / "requirements" / name).read_text(encoding="utf-8")
    return {canonicalize_name(m.group(1)): m.group(2) for m in PIN.finditer(text)}


def wanted(extras: list[str]) -> list[Requirement]:
    """The requirements of the base and the extras, following anskaf[...] self-references."""
    result: list[Requirement] = []
    todo, seen = list(extras), set()
    result.extend(Requirement(r) for r in PROJECT["dependencies"])
    while todo:
        extra = todo.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for raw in PROJECT["optional-dependencies"][extra]:
            req = Requirement(raw)
            if canonicalize_name(req.name) == "anskaf":
                todo.extend(req.extras)
            else:
                result.append(req)
    return result


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_the_lock_pins_every_requirement_at_an_allowed_version(lock):
    pinned = pins(lock)
    problems = []
    for req in wanted(LOCKS[lock]):
        if req.marker is not None and not req.marker.evaluate({"python_version": "3.11"}):
            continue
        version = pinned.get(canonicalize_name(req.name))
        if version is None:
            problems.append(f"{req.name} is missing")
        elif not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req.name}=={version} is outside {req.specifier}")
    assert not problems, f"requirements/{lock} is out of date ({'; '.join(problems)}): run `make lock`"


def test_the_locks_agree_on_every_version():
    test = pins("test.txt")
    for lock in ("run.txt", "production.txt"):
        differ = {name: (v, test[name]) for name, v in pins(lock).items()
                  if name in test and test[name] != v}
        assert not differ, f"requirements/{lock} and test.txt differ: {differ}"


def test_every_pin_has_a_hash():
    for lock in LOCKS:
        text = (ROOT / "requirements" / lock).read_text(encoding="utf-8")
        for block in re.split(r"\n(?=[A-Za-z0-9])", text):
            if PIN.match(block):
                assert "--hash=sha256:" in block, f"{lock}: {block.splitlines()[0]} has no hash"
