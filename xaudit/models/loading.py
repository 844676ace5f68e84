"""Load a model by reference name, local path or hub id, and wrap it in its adapter.

A name that is neither a reference model nor a local path is a hub id (``org/name`` or a bare
``bert-base-multilingual-cased``). When the hub cannot be reached (``HF_HUB_OFFLINE``, or no answer
within a few seconds) only the local cache is read, so an offline failure is one line at once, not
minutes of retries.

Safety policy: weights load from safetensors; pickle checkpoints
(``.bin``, ``.pt``, ``.pth``, ``.pkl``, ``.ckpt``) are refused unless ``allow_pickle=True``.
With it, xaudit's own architectures read exactly the named file with
``torch.load(weights_only=True)``, and Hugging Face folders are left to transformers'
loader (which also uses ``weights_only``). ``trust_remote_code`` is never set, and a path
that looks local is never sent to the hub.
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path
from urllib.parse import urlparse

import torch

from ..errors import ModelError, ParameterError
from .base import ModelAdapter
from .cards import read_card
from .kinds import ADAPTERS, hf_kind, resolve
from .registry import REFERENCE_MODELS, close_references, model_path, reference_dir, resolve_reference

PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".pkl", ".ckpt")
WEIGHTS_FILE = "model.safetensors"
HUB_PROBE_SECONDS = 3.0
"""How long to wait for the hub to answer before reading only the local cache."""


def hub_offline() -> str | None:
    """Why the hub cannot be used now (offline mode, or no connection within ``HUB_PROBE_SECONDS``), else None."""
    from huggingface_hub import constants

    if os.environ.get("HF_HUB_OFFLINE", "").upper() in ("1", "ON", "YES", "TRUE") or constants.HF_HUB_OFFLINE:
        return "offline (HF_HUB_OFFLINE is set)"
    host = urlparse(constants.ENDPOINT).hostname or "huggingface.co"
    answered: list[bool] = []

    def probe() -> None:  # in a thread: name resolution itself has no timeout
        try:
            socket.create_connection((host, 443), timeout=HUB_PROBE_SECONDS).close()
            answered.append(True)
        except OSError:
            pass

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(HUB_PROBE_SECONDS)
    return None if answered else f"unreachable ({host} did not answer within {HUB_PROBE_SECONDS:g} s)"


def _hub_failure(spec: str, exc: Exception, offline: str | None) -> ModelError:
    """One line: what ``spec`` is not, and why the hub could not provide it."""
    close = close_references(spec)
    hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
    if offline:
        why = f"it is not in the local cache and the hub is {offline}"
    else:
        why = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return ModelError(f"unknown model {spec!r}: not a reference model ({', '.join(sorted(REFERENCE_MODELS))}) nor "
                      f"a local path, and as a hub id: {why}{hint}")

def refuse_pickle(path: Path) -> ModelError:
    return ModelError(
        f"refusing to load pickle checkpoint {path}: unpickling can run arbitrary code. "
        "Convert it to safetensors, or pass `allow_pickle` if you trust its source"
    )


def _looks_local(spec: str) -> bool:
    path = model_path(spec)
    return spec.startswith((".", "/", "~")) or path.parent.exists() and str(path.parent) not in ("", ".")


def load_model(spec: str, *, allow_pickle: bool = False, device: str | torch.device = "cpu") -> ModelAdapter:
    """Adapter for a registered reference model, a local folder/file, or a hub id."""
    if str(device).startswith("cuda") and not torch.cuda.is_available():
        raise ParameterError("`device` cuda was asked for, but no CUDA device is available")
    name = resolve_reference(spec)
    if name is not None:
        return load_folder(reference_dir(name), name=name, allow_pickle=False, device=device)
    path = model_path(spec)
    weights = None
    if path.is_file():
        if path.suffix in PICKLE_SUFFIXES and not allow_pickle:
            raise refuse_pickle(path)
        path, weights = path.parent, path
    if path.is_dir():
        return load_folder(path, name=spec, allow_pickle=allow_pickle, device=device, weights=weights)
    if _looks_local(spec):
        raise ParameterError(f"no such model file or folder: {spec}")
    return load_hf(spec, name=spec, allow_pickle=allow_pickle, device=device, local=False)


def load_folder(folder: Path, *, name: str, allow_pickle: bool, device: str | torch.device,
                weights: Path | None = None) -> ModelAdapter:
    """A folder holding an xaudit card (recurrent/conv/tabular) or a Hugging Face model.

    ``weights`` names the checkpoint file to read (default: ``model.safetensors``).
    """
    if not folder.exists():
        raise ModelError(f"model folder {folder} does not exist (train it with `xaudit train`)")
    card = read_card(folder)
    architecture = (card or {}).get("architecture", "hf")
    if architecture == "hf":
        if not (folder / "config.json").exists():
            raise ModelError(f"no model found in {folder}: expected config.json or card.json")
        return load_hf(str(folder), name=name, allow_pickle=allow_pickle, device=device, local=True)
    kind = ADAPTERS.get(architecture)
    if kind is None or kind.network is None:
        raise ModelError(f"model card in {folder} names unknown architecture {architecture!r}")
    try:
        model: torch.nn.Module = resolve(kind.network)(**card["config"])
        _load_state(model, weights or folder / WEIGHTS_FILE, allow_pickle)
        return kind.adapter_class().from_card(model.to(device), folder, card, name)
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"model card in {folder} is incomplete or invalid: {exc!r}") from None


def _load_state(model: torch.nn.Module, weights: Path, allow_pickle: bool) -> None:
    """Load exactly ``weights`` (safetensors; a pickle only when allowed) into ``model``."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    if weights.suffix in PICKLE_SUFFIXES:
        if not allow_pickle:
            raise refuse_pickle(weights)
        try:
            state = torch.load(weights, map_location="cpu", weights_only=True)
        except Exception as exc:  # unpickling errors come in many types
            raise ModelError(f"checkpoint {weights} is corrupt or not a weights-only pickle: {exc}") from None
    elif weights.exists():
        try:
            state = load_file(str(weights))
        except (SafetensorError, OSError, ValueError) as exc:
            raise ModelError(f"checkpoint {weights} is corrupt or unreadable: {exc}") from None
    else:
        pickled = sorted(p.name for p in weights.parent.iterdir() if p.suffix in PICKLE_SUFFIXES)
        hint = f"; found {', '.join(pickled)}: name the file and pass `allow_pickle` to use it" if pickled else ""
        raise ModelError(f"no checkpoint {weights}{hint}")
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        raise ModelError(f"checkpoint {weights} does not match its card's config: {exc}") from None


def load_hf(spec: str, *, name: str, allow_pickle: bool, device: str | torch.device, local: bool) -> ModelAdapter:
    """A Hugging Face model from a folder or hub id, chosen by its ``architectures`` entry."""
    import transformers
    from transformers import AutoConfig

    transformers.utils.logging.disable_progress_bar()

    from . import gpt2_encoder  # noqa: F401  registers Abnar & Zuidema's encoder with the Auto classes
    from .hf import HFImageClassifierAdapter

    if local:
        folder = Path(spec)
        has_safetensors = any(folder.glob("*.safetensors"))
        pickled = [p for p in folder.iterdir() if p.suffix in PICKLE_SUFFIXES]
        if not has_safetensors and pickled and not allow_pickle:
            raise refuse_pickle(pickled[0])
        if not has_safetensors and not pickled:
            raise ModelError(f"no weights in {folder}: expected a .safetensors file")
    offline = None if local else hub_offline()
    options = dict(trust_remote_code=False, local_files_only=local or offline is not None)
    try:
        config = AutoConfig.from_pretrained(spec, **options)
    except Exception as exc:  # transformers raises OSError/ValueError/HTTP errors alike
        if not local:
            raise _hub_failure(spec, exc, offline) from None
        raise ModelError(f"cannot load model config from folder {spec!r}: {exc}") from None
    architectures = getattr(config, "architectures", None) or []
    chosen = hf_kind(architectures)
    if chosen is None:
        hf_kinds = [kind for kind in ADAPTERS.values() if kind.auto_class]
        raise ModelError(
            f"model {spec!r} has architectures {architectures or 'none'}; xaudit supports "
            + ", ".join(f"*{kind.architecture}" for kind in hf_kinds)
        )
    adapter_class = chosen.adapter_class()
    try:
        model = getattr(transformers, chosen.auto_class).from_pretrained(
            spec, attn_implementation="eager", use_safetensors=None if allow_pickle else True, **options
        )
    except Exception as exc:
        raise ModelError(f"cannot load model weights from {spec!r}: {exc}") from None
    model = model.to(device)
    if adapter_class is HFImageClassifierAdapter:
        return HFImageClassifierAdapter(model, name, processor=_image_processor(spec, options))
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(spec, **options)
    except Exception as exc:
        raise ModelError(f"cannot load tokenizer from {spec!r}: {exc}") from None
    if not getattr(tokenizer, "is_fast", False):
        raise ModelError(f"model {spec!r} has no fast tokenizer; xaudit needs one for word alignment")
    return adapter_class(model, tokenizer, name)


def _image_processor(spec: str, options: dict):
    from transformers import AutoImageProcessor

    if options.get("local_files_only") and not (Path(spec) / "preprocessor_config.json").exists():
        return None
    try:
        return AutoImageProcessor.from_pretrained(spec, **options)
    except Exception as exc:
        raise ModelError(f"cannot load image processor from {spec!r}: {exc}") from None
