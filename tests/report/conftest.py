"""A small report built from tiny models and hostile strings, shared by the report tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

SCRIPT_PAYLOAD = "<script>document.body.dataset.pwned='script'</script>"
ATTRIBUTE_PAYLOAD = "\"><img src=x onerror=\"document.body.dataset.pwned='img'\">"
FOLDER_PAYLOAD = "\"><img src=x onerror=alert(1)>"  # no slash: it is a folder name


def chromium() -> str:
    """Debian's Chromium; skip when absent (fail on CI)."""
    from tests.conftest import require

    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    require(binary is not None, "Chromium is not installed (make test installs Debian's chromium when run as root)")
    return binary


def browser(*args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    """Headless Chromium without network chatter (flags as the machine notes recommend)."""
    binary = chromium()
    profile = Path(subprocess.check_output(["mktemp", "-d"], text=True).strip())
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}"]
    try:
        return subprocess.run([binary, *flags, *args], capture_output=True, text=True, timeout=timeout, check=True)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def write_hostile_mozart(folder: Path) -> Path:
    """Two languages, one sentence each, an annotator per group; answers carry HTML/JS payloads."""
    from tests.cloze.synthetic import row, write_mozart

    flags = {"MN": (1, 1), "FN": (0, 1), "MNN": (1, 0), "FNN": (0, 0)}
    texts = {"en": "the cat [MASK] the dog .", "de": "die katze [MASK] den hund ."}
    return write_mozart(folder, {
        lang: [row(text=text, u_id=group, mask=SCRIPT_PAYLOAD if male else "sees", true_mask="sees",
                   male=male, female=1 - male, native=native, nonnative=1 - native)
               for group, (male, native) in flags.items()]
        for lang, text in texts.items()})


@pytest.fixture(scope="session")
def hostile_report(tiny_models_dir, tiny_mlm_dir, tmp_path_factory):
    """A report whose group names, tokens, model names and file name carry HTML/JS payloads."""
    import os

    from xaudit.report.build import build_report
    from xaudit.report.config import FairnessData, ReportConfig
    from xaudit.report.render import render_html

    root = tmp_path_factory.mktemp("report")
    model_dir = root / FOLDER_PAYLOAD
    shutil.copytree(tiny_models_dir / "lstm", model_dir)
    mlm_dir = root / f"mlm{FOLDER_PAYLOAD}"
    shutil.copytree(tiny_mlm_dir, mlm_dir)
    write_hostile_mozart(root / "shared" / "mozart")
    rows = []
    for i in range(400):
        group = [SCRIPT_PAYLOAD, ATTRIBUTE_PAYLOAD, "plain"][i % 3]
        rows.append({"group": group, "y": i % 2, "yhat": int(i % 10 == 2) if group == "plain" else i % 2})
    data = root / f"{SCRIPT_PAYLOAD.replace('/', '_')}.csv"
    pd.DataFrame(rows).to_csv(data, index=False)
    config = ReportConfig(
        title=f"Audit {SCRIPT_PAYLOAD}", models=[str(model_dir), "cnn"], texts=[f"the keys {SCRIPT_PAYLOAD}",
                                                                            f"my dog {ATTRIBUTE_PAYLOAD}"],
        n_examples=2, n_evaluate=4, n_boot=20, data_dir=root / "shared", cloze_model=str(mlm_dir),
        fairness=FairnessData(data, "y", "yhat", group_cols=["group"]), command="xaudit report (test)",
    )
    previous = os.environ.get("XAUDIT_MODELS_DIR")
    os.environ["XAUDIT_MODELS_DIR"] = str(tiny_models_dir)
    try:
        report = build_report(config)
    finally:
        if previous is None:
            os.environ.pop("XAUDIT_MODELS_DIR")
        else:
            os.environ["XAUDIT_MODELS_DIR"] = previous
    html_path = root / "audit.html"
    html_path.write_text(render_html(report), encoding="utf-8")
    return html_path, report.to_dict()
