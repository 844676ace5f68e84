"""Rich renderings of explanations: token tables coloured by score, small image heatmaps."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from ..attribution.explain import Explanation
from .colours import downsample, peak_of, score_rgb

MAX_HEATMAP_SIDE = 32
SHADES = " ░▒▓█"  # magnitude, readable without colour; colour gives the sign


def _styled(score: float, peak: float) -> Text:
    r, g, b = score_rgb(score, peak)
    return Text(f"{score: .4f}", style=f"black on rgb({r},{g},{b})")


def _header(explanation: Explanation) -> Text:
    first = explanation.first
    line = (f"{explanation.input_id}: predicted {first.prediction_label} ({first.probability:.3f}); "
            f"explaining {first.target_label} ({first.target_probability:.3f})")
    if explanation.true_label is not None:
        line += f"; true label {explanation.true_label}"
    if explanation.truncated_tokens:
        line += f"; {explanation.truncated_tokens} tokens truncated"
    return Text(line, style="bold")


def _layer_note(explanation: Explanation) -> str:
    layers = [f"{name} at layer {a.layer}" for name, a in explanation.attributions.items() if a.layer is not None]
    return ("; ".join(layers)) if layers else ""


def text_table(explanation: Explanation) -> Group:
    first = explanation.first
    table = Table(caption=_layer_note(explanation) or None, show_edge=False)
    table.add_column("#", justify="right")
    table.add_column("token")
    for name in explanation.attributions:
        table.add_column(name, justify="right")
    peaks = {name: peak_of(a.scores) for name, a in explanation.attributions.items()}
    for position, unit in enumerate(first.units):
        cells = [_styled(float(a.scores[position]), peaks[name]) for name, a in explanation.attributions.items()]
        table.add_row(str(position), Text(unit), *cells)
    return Group(_header(explanation), table)


def image_heatmaps(explanation: Explanation) -> Group:
    parts: list[object] = [_header(explanation)]
    for name, attribution in explanation.attributions.items():
        grid = downsample(attribution.scores.reshape(attribution.image_shape), MAX_HEATMAP_SIDE)
        peak = peak_of(grid)
        title = f"{name}" + (f" (layer {attribution.layer})" if attribution.layer else "")
        text = Text(f"{title}, peak |score| {peak:.3g} (shade: magnitude; red +, blue -)\n")
        for row in grid:
            for value in row:
                r, g, b = score_rgb(float(value), peak)
                level = 0 if peak <= 0 else min(len(SHADES) - 1, int(abs(value) / peak * (len(SHADES) - 1) + 0.5))
                text.append(SHADES[level] * 2, style=f"rgb({r},{g},{b}) on rgb({r},{g},{b})")
            text.append("\n")
        parts.append(text)
    return Group(*parts)


def render(explanations: list[Explanation]) -> list[object]:
    return [image_heatmaps(e) if e.first.image_shape else text_table(e) for e in explanations]
