"""A printed report (Chromium's print to PDF, A4 and Letter) loses nothing: every hash whole,
collapsed examples expanded, each token's value written beside it."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.conftest import require
from tests.report.conftest import browser

PAGE_SIZES = ["A4", "Letter"]


def pdf_words(pdf) -> list[tuple[int, float, float, str]]:
    """(page, xMin, yMin, word) of every word, from poppler's ``pdftotext -bbox``."""
    require(shutil.which("pdftotext") is not None,
            "poppler's pdftotext is not installed (make test installs Debian's poppler-utils as root)")
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    words = []
    for page, body in enumerate(re.findall(r"<page [^>]*>(.*?)</page>", html, re.S)):
        for x, y, word in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', body):
            words.append((page, float(x), float(y), word))
    return words


def printed_whole(text: str, words: list[tuple[int, float, float, str]]) -> bool:
    """Whether ``text`` is printed whole: one word, or pieces on successive lines of one column."""
    pieces = sorted((w for w in words if w[3] and w[3] in text), key=lambda w: (w[0], w[2]))
    for start, first in enumerate(pieces):
        if len(first[3]) < 4 or not text.startswith(first[3]):  # a wrapped hash may end in a short piece
            continue
        joined, last = first[3], first
        for piece in pieces[start + 1:]:
            same_column = piece[0] == last[0] and abs(piece[1] - last[1]) < 3 and piece[2] > last[2]
            if same_column and text.startswith(joined + piece[3]):
                joined, last = joined + piece[3], piece
        if joined == text:
            return True
    return False


@pytest.fixture(scope="module")
def printable(hostile_report, tmp_path_factory):
    """The hostile report rendered with one example shown and the rest collapsed."""
    from xaudit.report import render
    from xaudit.report.document import AuditReport

    _, data = hostile_report
    report = AuditReport.from_dict(data)
    shown, render.SHOWN_EXAMPLES = render.SHOWN_EXAMPLES, 1
    try:
        html = render.render_html(report)
    finally:
        render.SHOWN_EXAMPLES = shown
    return tmp_path_factory.mktemp("print"), html, report


@pytest.mark.parametrize("size", PAGE_SIZES)
def test_printed_report_loses_nothing(printable, size):
    folder, html, report = printable
    page = folder / f"{size}.html"
    page.write_text(html.replace("@page { margin: 12mm; }", f"@page {{ margin: 12mm; size: {size}; }}"), "utf-8")
    pdf = folder / f"{size}.pdf"
    browser("--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    words = pdf_words(pdf)
    hashes = [m.weights_sha256 for m in report.models if m.weights_sha256] + [
        f.sha256 for f in report.provenance.data_files]
    assert hashes and all(printed_whole(h, words) for h in hashes), "a SHA-256 is cut off"
    text = " ".join(w[3] for w in words)
    collapsed = [e for block in report.explanations for e in block.explanations[1:]]
    assert collapsed and all(f"{e.input_id}:" in text for e in collapsed), "collapsed examples are not printed"
    first = report.explanations[0].explanations[0].first
    value = f"{float(first.scores[0]):.2g}"
    assert any(w[3].endswith(value) for w in words), "token values are not printed"
