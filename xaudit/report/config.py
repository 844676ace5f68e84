"""What a report audits: options and/or a TOML file (options given on the command line win).

Example ``audit.toml``::

    title = "Quarterly model audit"
    models = ["bert", "cnn"]
    methods = ["saliency", "flow"]
    texts = ["the keys to the cabinet"]
    n_evaluate = 200
    seed = 0
    data_dir = "../shared/data"

    [fairness]
    data = "predictions.csv"
    label_col = "y"
    pred_col = "yhat"
    group_cols = ["sex", "race"]

    [cloze]
    enabled = true
    model = "mlm"

    [sign_off]                # printed at the top of the report
    auditor = "A. Auditor, Example Audits LLC"
    date = "2026-12-03"
    scope = "income model decisions on the 2026 applicant table"
    intended_use = "pre-screening of applications, reviewed by a person"

A ``baseline`` (an earlier report's JSON, or an ``xaudit fairness`` JSON) adds the "since the
last audit" section.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ..errors import DataError, ParameterError


@dataclass
class FairnessData:
    """A user's predictions table, read as ``xaudit fairness`` reads it."""

    data: Path
    label_col: str
    pred_col: str | None = None
    score_col: str | None = None
    threshold: float | None = None
    positive: str | None = None
    group_cols: list[str] = field(default_factory=list)
    define: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)


SIGN_OFF_KEYS = ("auditor", "date", "scope", "intended_use")


@dataclass
class ReportConfig:
    """Defaults: every reference model, its default methods, the shared data when present."""

    title: str = "xaudit audit report"
    models: list[str] = field(default_factory=lambda: ["bert", "lstm", "cnn", "vit"])
    methods: list[str] | None = None
    texts: list[str] = field(default_factory=list)
    input: Path | None = None
    n_examples: int = 8
    n_evaluate: int = 100
    seed: int = 0
    n_boot: int = 1000
    data_dir: Path | None = None
    fairness: FairnessData | None = None
    cloze: bool = True
    cloze_model: str = "mlm"
    command: str = ""
    baseline: Path | None = None
    """An earlier audit's JSON: the report then says what changed since."""
    sign_off: dict[str, str] = field(default_factory=dict)
    """Auditor, date, scope and intended use, as the config's [sign_off] gives them."""


def _check_keys(table: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ParameterError(f"unknown key {unknown[0]!r} in {where}; valid keys: {', '.join(sorted(allowed))}")


_LISTS = {"models", "methods", "texts", "group_cols", "define", "groups"}
_INTS = {"n_examples": 1, "n_evaluate": 0, "seed": 0, "n_boot": 0}
_TEXTS = {"title", "label_col", "pred_col", "score_col", "positive", "model", "data", "input", "data_dir", "baseline",
          *SIGN_OFF_KEYS}


def _checked(table: dict[str, Any], where: str) -> dict[str, Any]:
    """Values of the types the options take; one clear error per bad value."""
    from ..validation import check_float, check_int

    for key, value in table.items():
        if key in _LISTS and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise ParameterError(f"{key!r} in {where} must be a list of strings, e.g. {key} = [\"a\", \"b\"]")
        if key in _INTS:
            check_int(key, value, minimum=_INTS[key])
        if key in _TEXTS and not isinstance(value, str):
            raise ParameterError(f"{key!r} in {where} must be a string. Got {value!r} instead.")
        if key == "threshold":
            check_float(key, value)
        if key == "enabled" and not isinstance(value, bool):
            raise ParameterError(f"'enabled' in {where} must be true or false. Got {value!r} instead.")
    return table


def read_config(path: Path) -> ReportConfig:
    """A ReportConfig from a TOML file (relative paths are relative to the file's folder)."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read config {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"config {path} is not valid TOML: {exc}") from None
    base = path.parent
    plain = {f.name for f in fields(ReportConfig)} - {"fairness", "cloze", "cloze_model", "command", "sign_off"}
    _check_keys(raw, plain | {"fairness", "cloze", "sign_off"}, str(path))
    config = ReportConfig(**_checked({k: v for k, v in raw.items() if k in plain}, str(path)))
    for key in ("input", "data_dir", "baseline"):
        if getattr(config, key) is not None:
            setattr(config, key, base / Path(getattr(config, key)))
    if "fairness" in raw:
        table = raw["fairness"]
        _check_keys(table, {f.name for f in fields(FairnessData)}, f"[fairness] of {path}")
        _checked(table, f"[fairness] of {path}")
        if "data" not in table or "label_col" not in table:
            raise ParameterError(f"[fairness] of {path} needs 'data' and 'label_col'")
        config.fairness = FairnessData(**{**table, "data": base / Path(table["data"])})
    if "sign_off" in raw:
        table = raw["sign_off"]
        if not isinstance(table, dict):
            raise ParameterError(f"[sign_off] of {path} must be a table of {', '.join(SIGN_OFF_KEYS)}")
        _check_keys(table, set(SIGN_OFF_KEYS), f"[sign_off] of {path}")
        _checked(table, f"[sign_off] of {path}")
        config.sign_off = {key: table[key] for key in SIGN_OFF_KEYS if key in table}
    if "cloze" in raw:
        table = raw["cloze"]
        _check_keys(table, {"enabled", "model"}, f"[cloze] of {path}")
        _checked(table, f"[cloze] of {path}")
        config.cloze = bool(table.get("enabled", True))
        config.cloze_model = str(table.get("model", config.cloze_model))
    return config


TABLE_OPTIONS = ("label_col", "pred_col", "score_col", "threshold", "positive", "group_cols", "define", "groups")
"""Options that describe a predictions table (``data``) for the group-fairness section."""


def apply_options(config: ReportConfig, *, data: Path | None = None, **options: Any) -> ReportConfig:
    """``config`` with the options that were given (not None) put over it (the command line wins).

    ``data`` with the ``TABLE_OPTIONS`` replaces the config's [fairness] table; table options
    alone adjust it, and are refused when there is no table to adjust.
    """
    from ..validation import check_int

    table = {name: options.pop(name) for name in TABLE_OPTIONS if options.get(name) not in (None, [])}
    options = {name: value for name, value in options.items() if value is not None}
    for name in ("n_evaluate", "n_boot", "seed"):
        if name in options:
            check_int(name, options[name], minimum=0)
    no_cloze = options.pop("no_cloze", False)
    for name, value in options.items():
        setattr(config, name, value)
    config.cloze = config.cloze and not no_cloze
    if data is not None:
        if "label_col" not in table:
            raise ParameterError("`data` needs `label_col` (and `pred_col` or `score_col`)")
        config.fairness = FairnessData(data, **table)
    elif table:
        if config.fairness is None:
            raise ParameterError(f"`{next(iter(table))}` applies to a predictions table: give `data` (or [fairness] "
                                 "in the config)")
        for name, value in table.items():
            setattr(config.fairness, name, value)
    return config


def check_config(config: ReportConfig) -> None:
    """Usage errors of a report, found before anything loads: unknown models or methods, methods
    that none of the models supports, missing input files."""
    from ..attribution.registry import build_methods, supported
    from ..models.summary import summarize
    from ..cloze.audit import MOZART_FOLDER
    from ..cloze.mozart import present_languages

    methods = build_methods(config.methods, {}) if config.methods else []
    summaries = [summarize(name) for name in config.models]
    if config.cloze and config.data_dir is not None and present_languages(config.data_dir / MOZART_FOLDER):
        summarize(config.cloze_model)
    if methods and summaries and None not in summaries \
            and not any(m.name in supported(summary) for summary in summaries for m in methods):
        raise ParameterError(f"none of the methods {', '.join(m.name for m in methods)} applies to the models "
                             f"{', '.join(config.models)}")
    for what, path in (("input", config.input), ("data", config.fairness.data if config.fairness else None),
                       ("baseline", config.baseline)):
        if path is not None and not Path(path).exists():
            raise ParameterError(f"`{what}` {path} does not exist")
    if config.baseline is not None:
        from ..fairness.diff import read_audits

        read_audits(config.baseline)  # another kind or schema version: a DataError before the audit runs
