"""``require``: a test that cannot run skips locally with its reason, and fails on CI."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import require, shared_data_dir
from tests.report.conftest import chromium

SKIP, FAIL = pytest.skip.Exception, pytest.fail.Exception


def outcome(call: Callable[[], object]) -> tuple[type[BaseException] | None, str]:
    """What ``call`` raised (skip or fail; caught here, so a wrong one fails this test) and its message."""
    try:
        call()
    except (SKIP, FAIL) as exc:
        return type(exc), str(exc)
    return None, ""


@pytest.fixture
def local(monkeypatch):
    monkeypatch.delenv("CI", raising=False)


@pytest.fixture
def ci(monkeypatch):
    monkeypatch.setenv("CI", "true")


def test_available_passes_everywhere(ci):
    assert require(True, "never shown") is None


def test_missing_skips_locally_with_the_reason(local):
    assert outcome(lambda: require(False, "no widget here")) == (SKIP, "no widget here")


def test_missing_fails_on_ci(ci):
    assert outcome(lambda: require(False, "no widget here")) == (FAIL, "CI=true, but this test cannot run: no widget here")


@pytest.mark.parametrize("value", ["false", "0", ""])
def test_ci_false_still_skips(monkeypatch, value):
    monkeypatch.setenv("CI", value)
    assert outcome(lambda: require(False, "no widget here"))[0] is SKIP


def test_missing_shared_data_fails_on_ci(ci, monkeypatch, tmp_path):
    monkeypatch.setenv("XAUDIT_DATA_DIR", str(tmp_path / "absent"))
    kind, message = outcome(shared_data_dir)
    assert kind is FAIL and "shared data folder not found" in message


def test_missing_shared_data_skips_locally(local, monkeypatch, tmp_path):
    monkeypatch.setenv("XAUDIT_DATA_DIR", str(tmp_path / "absent"))
    kind, message = outcome(shared_data_dir)
    assert kind is SKIP and "shared data folder not found" in message
    monkeypatch.setenv("XAUDIT_DATA_DIR", str(tmp_path))
    assert shared_data_dir() == tmp_path


def test_missing_chromium_fails_on_ci(ci, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    kind, message = outcome(chromium)
    assert kind is FAIL and "Chromium is not installed" in message


def test_missing_chromium_skips_locally(local, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    kind, message = outcome(chromium)
    assert kind is SKIP and "Chromium is not installed" in message
