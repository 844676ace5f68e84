"""Rich tables of attribution by group (``xaudit fairness --model M --explain METHOD``)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from ..fairness.association import MEASURES
from ..fairness.attribution_groups import AttributionByGroup


def _cell(value: float, interval: tuple[float, float] | None) -> str:
    return f"{value:.4f}" + ("" if interval is None else f" [{interval[0]:.4f}, {interval[1]:.4f}]")


def attribution_group_tables(result: AttributionByGroup) -> list[Table]:
    rows = (*result.groups, result.overall)
    roles = {a.feature: "proxy" for a in result.proxies} | {p: "protected" for p in result.protected}
    explained = result.settings.get("rows_explained"), result.settings.get("rows_in_table")
    table = Table(title=f"Mean |{result.method}| attribution toward {result.target!r} by group, model "
                        f"{result.model} ({explained[0]:,} of {explained[1]:,} rows explained)")
    table.add_column("column", overflow="fold")
    table.add_column("role")
    for row in rows:
        table.add_column(f"{row.group} (n={row.n:,})", justify="right")
    for feature in sorted(result.features, key=lambda f: -result.overall.mean_abs[f]):
        table.add_row(Text(feature), roles.get(feature, ""),
                      *(_cell(r.mean_abs[feature], (r.intervals or {}).get(feature)) for r in rows))
    for share in ("protected_share", "proxy_share"):
        table.add_row(Text(share.replace("_", " ")), "",
                      *(_cell(getattr(r, share), (r.intervals or {}).get(share)) for r in rows))
    proxies = ", ".join(f"{a.feature} ~ {a.attribute} ({MEASURES[a.measure]} {a.value:.2f})"
                        for a in result.proxies) or "none"
    table.caption = (f"Protected: {', '.join(result.protected) or 'none'}. Proxies (association >= "
                     f"{result.proxy_threshold:g}): {proxies}. Intervals: percentile bootstrap of rows within "
                     "the group; shares: part of the summed mean |attribution|.")
    return [table]
