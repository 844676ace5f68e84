"""Reading the inputs of ``attribute`` / ``predict``: texts, text files, images, bundled digits."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import DataError, ParameterError
from .jsonl import iter_lines, iter_objects
from .wording import article


@dataclass
class Inputs:
    """Raw inputs for an adapter, with an id and (when known) the true label of each."""

    items: list[object]
    ids: list[str]
    true_labels: list[int | None] = field(default_factory=list)


def read_text_records(path: Path) -> list[dict[str, object]]:
    """JSONL objects with a string ``text`` field (blank lines skipped); errors name the line."""
    records = list(iter_text_records(path))
    if not records:
        raise DataError(f"{path} holds no examples")
    return records


def iter_text_records(path: Path) -> Iterator[dict[str, object]]:
    """:func:`read_text_records` a line at a time."""
    for number, record in iter_objects(path):
        if not isinstance(record.get("text"), str):
            raise DataError(f"{path}:{number}: expected an object with a string 'text' field")
        yield record


def read_text_file(path: Path) -> list[str]:
    """``.txt``: one example per non-blank line; ``.jsonl``: objects with a ``text`` field."""
    texts = list(iter_text_file(path))
    if not texts:
        raise DataError(f"{path} holds no examples")
    return texts


def iter_text_file(path: Path) -> Iterator[str]:
    """:func:`read_text_file` a line at a time (for inputs too large to hold)."""
    if path.suffix == ".jsonl":
        return (str(record["text"]) for record in iter_text_records(path))
    return (line for _, line in iter_lines(path))


def read_labelled_texts(path: Path, labels: list[str]) -> tuple[list[str], list[int | None]]:
    """Texts and label indices from JSONL with ``text`` and optional ``label`` (name or index)."""
    texts, targets = [], []
    for record in read_text_records(path):
        texts.append(str(record["text"]))
        label = record.get("label")
        if label is None:
            targets.append(None)
        elif str(label) in labels:
            targets.append(labels.index(str(label)))
        elif isinstance(label, int) and 0 <= label < len(labels):
            targets.append(label)
        else:
            raise DataError(f"{path}: unknown label {label!r}; the model's labels are {', '.join(labels)}")
    return texts, targets


def read_image_file(path: Path, channels: int) -> np.ndarray:
    """A PNG (scaled from 0..255) or ``.npy`` array (values in [0, 1]) as a float image."""
    if not path.exists():
        raise DataError(f"image file not found: {path}")
    if path.suffix == ".npy":
        try:
            array = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise DataError(f"cannot read {path}: {exc}") from None
        return np.asarray(array, dtype=np.float32)
    try:
        from PIL import Image

        with Image.open(path) as image:
            converted = image.convert("L" if channels == 1 else "RGB")
            return np.asarray(converted, dtype=np.float32) / 255.0
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot read image {path}: {exc}") from None


INPUT_OPTIONS = {"text": ("texts", "input_file"), "image": ("image", "digit", "input_file"), "tabular": ("data",)}
"""The input options that fit each modality."""


def check_input_options(modality: str, **options: object) -> None:
    """ParameterError unless some input option is given and every one given fits ``modality``."""
    allowed = INPUT_OPTIONS[modality]
    given = [name for name, value in options.items() if value not in (None, [])]
    wrong = [f"`{name}`" for name in given if name not in allowed]
    if modality == "tabular" and (wrong or not given):
        raise ParameterError(f"{', '.join(wrong) or 'no input'} given; a tabular model reads a table: use `data`")
    if not given:
        raise ParameterError(f"no input given; use {', '.join(f'`{name}`' for name in allowed[:-1])} or "
                             f"`{allowed[-1]}`")
    if wrong:
        raise ParameterError(f"{', '.join(wrong)} does not fit {article(modality)} {modality} model")


def check_table_input(adapter: object, data: Path | None, **other_inputs: object) -> Path:
    """``data`` when ``adapter`` is a tabular model and no text or image input is given, else an error."""
    from .models.decisions import require_tabular

    require_tabular(adapter)
    check_input_options("tabular", data=data, **other_inputs)
    return data  # type: ignore[return-value]


def parse_rows(text: str, n_rows: int) -> list[int]:
    """Row positions from ``1,7`` and half-open ranges ``0:20`` (``20:`` to the end), in the order given."""
    chosen: list[int] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        start, colon, stop = part.partition(":")
        try:
            chosen += list(range(int(start or 0), int(stop) if stop.strip() else n_rows)) if colon else [int(part)]
        except ValueError:
            raise ParameterError(f"`rows` must be row numbers or ranges such as 0:20, comma separated; "
                                 f"got {text!r}") from None
    return chosen


def table_rows(adapter: object, data: Path | None, rows: str | None, **other_inputs: object) -> Inputs:
    """Rows of ``data`` (0-based positions or ranges in ``rows``, see :func:`parse_rows`; default all) for a
    tabular model,
    each checked against the model's schema with its own row number in errors."""
    from .models.decisions import read_rows

    path = check_table_input(adapter, data, **other_inputs)
    frame = read_rows(path, adapter.schema.names)  # type: ignore[attr-defined]
    chosen = parse_rows(rows, len(frame)) if rows else list(range(len(frame)))
    outside = [r for r in chosen if not 0 <= r < len(frame)]
    if outside:
        raise ParameterError(f"`rows` {outside[0]} is outside the table's rows 0..{len(frame) - 1}")
    for row in chosen:
        adapter.encode(frame.iloc[[row]], first_row=row)  # type: ignore[attr-defined]
    return Inputs(frame.iloc[chosen].to_dict("records"), [str(r) for r in chosen], [None] * len(chosen))


def collect(
    modality: str,
    *,
    texts: list[str] | None = None,
    input_file: Path | None = None,
    image: Path | None = None,
    digit: int | None = None,
    channels: int = 1,
) -> Inputs:
    """Gather inputs from exactly the options that fit the model's modality."""
    check_input_options(modality, texts=texts, input_file=input_file, image=image, digit=digit)
    if modality == "text":
        items = list(texts or []) + (read_text_file(input_file) if input_file else [])
        return Inputs(items, [str(i) for i in range(len(items))], [None] * len(items))
    items, ids, labels = [], [], []
    if image is not None:
        items.append(read_image_file(image, channels))
        ids.append(image.name)
        labels.append(None)
    if input_file is not None:
        items.append(read_image_file(input_file, channels))
        ids.append(input_file.name)
        labels.append(None)
    if digit is not None:
        from .datasets.digits import test_image

        picture, label = test_image(digit)
        items.append(picture)
        ids.append(f"digit {digit}")
        labels.append(label)
    return Inputs(items, ids, labels)
