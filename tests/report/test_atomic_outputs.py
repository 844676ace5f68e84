"""All-or-nothing outputs: a failure between writing the report's HTML and its JSON leaves the old files
(or none) in place, never one new file beside one old."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from xaudit import atomic


class Boom(RuntimeError):
    pass


def fail_on_call(monkeypatch, target: object, name: str, call: int) -> None:
    """Make ``target.name`` raise ``Boom`` on its ``call``-th use (1-based); the others pass through."""
    original = getattr(target, name)
    calls = []

    def wrapped(*args, **kwargs):
        calls.append(args)
        if len(calls) == call:
            raise Boom(f"injected failure in {name}")
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, wrapped)


@pytest.fixture
def old_outputs(tmp_path):
    html, json_path = tmp_path / "audit.html", tmp_path / "audit.json"
    html.write_text("old html")
    json_path.write_text("old json")
    return html, json_path


def contents(*paths) -> list[str | None]:
    return [p.read_text() if p.exists() else None for p in paths]


def leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize(("target", "name", "call"), [(Path, "write_text", 1), (Path, "write_text", 2),
                                                     (os, "replace", 1), (os, "replace", 2)])
def test_failure_while_writing_or_renaming_keeps_both_old_files(monkeypatch, old_outputs, target, name, call):
    html, json_path = old_outputs
    fail_on_call(monkeypatch, target, name, call)
    with pytest.raises(Boom):
        atomic.write_all({json_path: "new json", html: "new html"})
    assert contents(html, json_path) == ["old html", "old json"]
    assert leftovers(html.parent) == []


@pytest.mark.parametrize("call", [1, 2])
def test_failure_while_renaming_new_files_leaves_neither(monkeypatch, tmp_path, call):
    html, json_path = tmp_path / "audit.html", tmp_path / "audit.json"
    fail_on_call(monkeypatch, os, "replace", call)
    with pytest.raises(Boom):
        atomic.write_all({json_path: "new json", html: "new html"})
    assert contents(html, json_path) == [None, None]
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_success_writes_both(old_outputs):
    html, json_path = old_outputs
    atomic.write_all({json_path: "new json", html: b"new html"})
    assert contents(html, json_path) == ["new html", "new json"]
    assert leftovers(html.parent) == []


def test_report_command_keeps_the_old_pair_when_the_second_rename_fails(hostile_report, monkeypatch, old_outputs):
    """``xaudit report`` end to end (the audit itself replaced by a finished one): the HTML rename fails
    after the JSON's; the user keeps the old pair, and an error."""
    from typer.testing import CliRunner

    import xaudit.report.build
    from xaudit.cli import app
    from xaudit.report.document import AuditReport

    html, json_path = old_outputs
    finished = AuditReport.from_dict(hostile_report[1])
    monkeypatch.setattr(xaudit.report.build, "build_report", lambda config, progress=None: finished)
    fail_on_call(monkeypatch, os, "replace", 2)
    result = CliRunner().invoke(app, ["report", "-o", str(html), "--model", "cnn"])
    assert result.exit_code != 0 and "injected failure" in result.output
    assert contents(html, json_path) == ["old html", "old json"]
    monkeypatch.undo()
    monkeypatch.setattr(xaudit.report.build, "build_report", lambda config, progress=None: finished)
    assert CliRunner().invoke(app, ["report", "-o", str(html), "--model", "cnn"]).exit_code == 0
    assert json_path.read_text() == finished.to_json() and html.read_text().startswith("<!DOCTYPE html>")
