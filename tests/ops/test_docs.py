"""The operations and security documents point only to tests and commands that exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = re.compile(r"(tests/[\w/]+\.py)::(test_\w+)")


def test_every_test_named_in_the_docs_exists():
    named = set()
    for doc in ("docs/security.md", "docs/operations.md"):
        named |= set(REFERENCE.findall((ROOT / doc).read_text(encoding="utf-8")))
    assert len(named) >= 50
    missing = [f"{path}::{name}" for path, name in sorted(named)
               if not re.search(rf"^def {name}\(", (ROOT / path).read_text(encoding="utf-8"), re.M)]
    assert missing == []


def test_the_commands_in_operations_md_exist(app):
    text = (ROOT / "docs/operations.md").read_text(encoding="utf-8")
    used = set(re.findall(r"flask --app wsgi ([a-z][a-z-]+)", text))
    assert {"backup", "restore", "maintenance", "init-db"} <= used
    assert used <= set(app.cli.list_commands(None)) | {"run", "db", "shell", "routes"}
