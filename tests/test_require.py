"""``require``: a test that cannot run skips locally with its reason, and fails on CI."""

from __future__ import annotations

import pytest

from tests.conftest import require, shared_data_dir
from tests.report.conftest import chromium


@pytest.fixture
def local(monkeypatch):
    monkeypatch.delenv("CI", raising=False)


@pytest.fixture
def ci(monkeypatch):
    monkeypatch.setenv("CI", "true")


def test_available_passes_everywhere(ci):
    assert require(True, "never shown") is None


def test_missing_skips_locally_with_the_reason(local):
    with pytest.raises(pytest.skip.Exception, match="no widget here"):
        require(False, "no widget here")


def test_missing_fails_on_ci(ci):
    with pytest.raises(pytest.fail.Exception, match="CI=true, but this test cannot run: no widget here"):
        require(False, "no widget here")


@pytest.mark.parametrize("value", ["false", "0", ""])
def test_ci_false_still_skips(monkeypatch, value):
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.skip.Exception):
        require(False, "no widget here")


def test_missing_shared_data_fails_on_ci(ci, monkeypatch, tmp_path):
    monkeypatch.setenv("XAUDIT_DATA_DIR", str(tmp_path / "absent"))
    with pytest.raises(pytest.fail.Exception, match="shared data folder not found"):
        shared_data_dir()


def test_missing_shared_data_skips_locally(local, monkeypatch, tmp_path):
    monkeypatch.setenv("XAUDIT_DATA_DIR", str(tmp_path / "absent"))
    with pytest.raises(pytest.skip.Exception, match="shared data folder not found"):
        shared_data_dir()
    monkeypatch.setenv("XAUDIT_DATA_DIR", str(tmp_path))
    assert shared_data_dir() == tmp_path


def test_missing_chromium_fails_on_ci(ci, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(pytest.fail.Exception, match="Chromium is not installed"):
        chromium()


def test_missing_chromium_skips_locally(local, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(pytest.skip.Exception, match="Chromium is not installed"):
        chromium()
