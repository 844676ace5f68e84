"""The registry of attribution methods: one line per method, explicit, no import side effects.

A new method is one module (a subclass of :class:`~xaudit.attribution.base.AttributionMethod`
that describes itself) plus one line here; the contract tests, ``xaudit attribute``'s
options and ``--help``, and the report's methods section read it from ``METHODS``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from ..errors import ParameterError, unknown_choice
from ..validation import Param
from .alti import AltiMethod
from .attention_norm import AttentionNormMethod
from .base import AttributionMethod
from .blankout import BlankoutMethod
from .deeplift import DeepLiftMethod
from .flow import FlowMethod
from .grad_rollout import GradRolloutMethod
from .gradcam import GradCamMethod
from .gradient_shap import GradientShapMethod
from .kernel_shap import KernelShapMethod
from .lime import LimeMethod
from .integrated_gradients import IntegratedGradientsMethod
from .raw_attention import RawAttentionMethod
from .rollout import RolloutMethod
from .saliency import SaliencyMethod
from .smoothgrad import SmoothGradMethod
from .smoothgrad_ig import SmoothGradIGMethod
from .taylor import TaylorMethod
from .value_zeroing import ValueZeroingMethod

METHODS: dict[str, type[AttributionMethod]] = {method.name: method for method in (
    SaliencyMethod,
    TaylorMethod,
    IntegratedGradientsMethod,
    BlankoutMethod,
    RawAttentionMethod,
    RolloutMethod,
    FlowMethod,
    GradRolloutMethod,
    KernelShapMethod,
    LimeMethod,
    SmoothGradMethod,
    SmoothGradIGMethod,
    DeepLiftMethod,
    GradientShapMethod,
    GradCamMethod,
    AttentionNormMethod,
    AltiMethod,
    ValueZeroingMethod,
)}


def get_method(name: str, **params: Any) -> AttributionMethod:
    """An instance of the registered method ``name`` with ``params`` (checked against its declarations)."""
    if name not in METHODS:
        raise unknown_choice("method", name, METHODS)
    return METHODS[name](**params)


def method_options() -> dict[str, Param]:
    """Every command-line parameter of the registered methods, by parameter name.

    Methods that share a parameter (``baseline`` of taylor and ig) share its option, so
    their declarations must agree.
    """
    options: dict[str, Param] = {}
    for method in METHODS.values():
        for param in method.parameters:
            if not param.cli:
                continue
            known = options.setdefault(param.name, param)
            if known != param:
                raise TypeError(f"methods declare parameter {param.name!r} differently: {known} vs {param}")
    return options


def supported(adapter: object, defaults_only: bool = False) -> list[str]:
    """Names of the registered methods that ``adapter`` can provide what they require for (with
    ``defaults_only``, those among them that run when no method is named)."""
    return [name for name, m in METHODS.items() if m.why_not(adapter) is None and (m.in_defaults or not defaults_only)]


def build_methods(names: Sequence[str], params: Mapping[str, object], given: Collection[str] = ()) -> list[
        AttributionMethod]:
    """Instances of the methods ``names`` (duplicates dropped), each with the ``params`` it declares.

    ``given`` names the parameters the user set on purpose; one that none of the chosen
    methods takes is refused rather than silently ignored.
    """
    if not names:
        raise ParameterError(f"no `method` given; choose one or more of: {', '.join(METHODS)}")
    unknown = [name for name in names if name not in METHODS]
    if unknown:
        raise unknown_choice("method", unknown[0], METHODS)
    chosen = [METHODS[name] for name in dict.fromkeys(names)]
    for name in given:
        if not any(p.name == name for m in chosen for p in m.parameters):
            takers = [m.name for m in METHODS.values() if any(p.name == name for p in m.parameters)]
            raise ParameterError(f"`{name}` applies to {', '.join(takers)}, none of which is among the chosen "
                                 f"methods ({', '.join(m.name for m in chosen)})")
    return [m(**{p.name: params[p.name] for p in m.parameters if p.name in params}) for m in chosen]
