"""``xaudit.Explainer`` on a local Ray (``num_cpus=2``): Ray Data's ``map_batches`` over a few hundred inputs,
written as JSON Lines parts and read back, equals the single-process explanations; the explainer pickles
without its model."""

from __future__ import annotations

import importlib.util
import json
import pickle

import numpy as np
import pytest

from tests.conftest import require
from xaudit import Explainer, read_explanations
from xaudit.attribution.explain import explain
from xaudit.attribution.registry import build_methods
from xaudit.errors import DataError

NOUNS = ["key", "keys", "cabinet", "cabinets", "door", "doors"]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    rng = np.random.default_rng(4)
    rows = [{"id": f"s{i}", "text": " ".join(["the", *rng.choice(NOUNS, rng.integers(1, 4)), "near", "the",
                                               rng.choice(NOUNS)])} for i in range(240)]
    folder = tmp_path_factory.mktemp("inputs")
    for part in range(3):
        (folder / f"part-{part}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[part * 80:][:80]))
    return folder, rows


def test_explainer_pickles_without_its_model_and_explains_like_explain(trained_adapters, inputs):
    _, rows = inputs
    explainer = Explainer("bert", "saliency,rollout", device="cpu")
    batch = {"id": np.array([r["id"] for r in rows[:20]]), "text": np.array([r["text"] for r in rows[:20]])}
    first = explainer(batch)
    assert explainer._adapter is not None
    copy = pickle.loads(pickle.dumps(explainer))
    assert copy._adapter is None and len(pickle.dumps(explainer)) < 2000
    assert copy(batch) == first
    expected = explain(trained_adapters["bert"], list(batch["text"]), build_methods(["saliency", "rollout"], {}),
                       ids=list(batch["id"]))
    assert [json.loads(text) for text in first["explanation"]] == [e.to_dict() for e in expected]
    with pytest.raises(DataError, match="no 'id' column"):
        explainer({"text": batch["text"]})


def test_ray_data_map_batches_equals_one_process(trained_adapters, inputs, tmp_path):
    require(importlib.util.find_spec("ray") is not None, "ray is not installed (make test installs the ray extra)")
    import ray

    folder, rows = inputs
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        ray.data.DataContext.get_current().enable_progress_bars = False
        (ray.data.read_json(str(folder))
         .map_batches(Explainer, fn_constructor_kwargs={"model": "bert", "methods": "saliency,rollout",
                                                        "device": "cpu"}, batch_size=32, concurrency=2,
                      num_cpus=0.5)  # two workers on one CPU: the other reads the files
         .write_json(str(tmp_path / "explained")))
    finally:
        ray.shutdown()
    parts = sorted((tmp_path / "explained").iterdir())
    assert len(parts) >= 1
    by_ray = {e.input_id: e for e in read_explanations(tmp_path / "explained")}
    assert sorted(by_ray) == sorted(r["id"] for r in rows)  # every input once
    expected = explain(trained_adapters["bert"], [r["text"] for r in rows], build_methods(["saliency", "rollout"], {}),
                       ids=[r["id"] for r in rows])
    for one in expected:
        theirs = by_ray[one.input_id]
        assert theirs.input == one.input and theirs.first.prediction == one.first.prediction
        for name, attribution in one.attributions.items():  # other batches, other padding
            np.testing.assert_allclose(theirs.attributions[name].scores, attribution.scores, rtol=1e-4, atol=1e-6)
