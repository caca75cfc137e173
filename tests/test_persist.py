"""Model files are loaded safely or refused with a clear error."""

import json
import pickle
import shutil
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio

import adclassify
from adclassify import ModelError
from adclassify.models.persist import _sha256


def copy_model(src, dst):
    shutil.copytree(src, dst)
    return dst


def reseal(directory):
    """Update the sha256 after tampering, so that a later check is what fails."""
    meta = json.loads((directory / "metadata.json").read_text())
    meta["sha256"] = _sha256(directory / "model.skops")
    (directory / "metadata.json").write_text(json.dumps(meta))


def test_round_trip(tiny_model_dir, tiny_pipeline):
    clf = adclassify.load_model(tiny_model_dir)
    texts = ["Crossing to UK this week", "happy birthday"]
    np.testing.assert_allclose(clf.predict_proba(texts), tiny_pipeline.predict_proba(texts), rtol=0, atol=1e-6)


def test_changed_file_is_refused(tiny_model_dir, tmp_path):
    d = copy_model(tiny_model_dir, tmp_path / "m")
    with open(d / "model.skops", "ab") as fh:
        fh.write(b"\0")
    with pytest.raises(ModelError, match="sha256"):
        adclassify.load_model(d)


def test_missing_or_corrupt_metadata(tiny_model_dir, tmp_path):
    d = copy_model(tiny_model_dir, tmp_path / "m")
    (d / "metadata.json").write_text("{not json")
    with pytest.raises(ModelError, match="not valid JSON"):
        adclassify.load_model(d)
    (d / "metadata.json").unlink()
    with pytest.raises(ModelError, match="no metadata.json"):
        adclassify.load_model(d)


def test_pickle_renamed_is_refused(tiny_model_dir, tmp_path):
    d = copy_model(tiny_model_dir, tmp_path / "m")
    (d / "model.skops").write_bytes(pickle.dumps({"a": 1}))
    reseal(d)
    with pytest.raises(ModelError, match="not a zip"):
        adclassify.load_model(d)


class Touch:
    """An object whose unpickling creates a file: proof that loading ran its code."""

    def __init__(self, path):
        self.path = str(path)

    def __setstate__(self, state):
        Path(state["path"]).touch()
        self.__dict__.update(state)


def test_dangerous_types_are_refused_without_running(tiny_model_dir, tmp_path):
    d = copy_model(tiny_model_dir, tmp_path / "m")
    marker = tmp_path / "pwned"
    import os

    sio.dump({"f": os.system, "g": eval, "touch": Touch(marker)}, d / "model.skops")
    reseal(d)
    with pytest.raises(ModelError, match="not allowed") as err:
        adclassify.load_model(d)
    assert "system" in str(err.value) or "eval" in str(err.value)
    assert not marker.exists()


def test_a_pipeline_of_other_steps_is_refused(tiny_model_dir, tmp_path):
    """skops trusts scikit-learn's own types: such a pipeline loads, but it is not a model of this library."""
    from sklearn.feature_extraction.text import HashingVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    d = copy_model(tiny_model_dir, tmp_path / "m")
    other = make_pipeline(HashingVectorizer(n_features=64), LogisticRegression()).fit(["boat", "cake"], [1, 0])
    sio.dump(other, d / "model.skops")
    reseal(d)
    with pytest.raises(ModelError, match="steps"):
        adclassify.load_model(d)


def test_path_traversal_and_zip_bomb(tiny_model_dir, tmp_path):
    d = copy_model(tiny_model_dir, tmp_path / "m")
    with zipfile.ZipFile(d / "model.skops", "a") as zf:
        zf.writestr("../../evil.txt", "x")
    reseal(d)
    with pytest.raises(ModelError, match="unsafe member path"):
        adclassify.load_model(d)
    d2 = copy_model(tiny_model_dir, tmp_path / "m2")
    with zipfile.ZipFile(d2 / "model.skops", "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.bin", b"\0" * (300 * 2**20))
    reseal(d2)
    with pytest.raises(ModelError, match="too large|zip bomb"):
        adclassify.load_model(d2)


def test_other_library_version(tiny_model_dir, tmp_path):
    d = copy_model(tiny_model_dir, tmp_path / "m")
    meta = json.loads((d / "metadata.json").read_text())
    meta["library_version"] = "0.0.1"
    (d / "metadata.json").write_text(json.dumps(meta))
    with pytest.warns(UserWarning, match="0.0.1"):
        adclassify.load_model(d)
    meta["canary"]["scores"][0][0] += 0.5  # as if this version scored the canary differently
    (d / "metadata.json").write_text(json.dumps(meta))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ModelError, match="scores differently"):
            adclassify.load_model(d)


def test_unsupported_format(tiny_model_dir, tmp_path):
    d = copy_model(tiny_model_dir, tmp_path / "m")
    meta = json.loads((d / "metadata.json").read_text())
    meta["format"] = 99
    (d / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="format"):
        adclassify.load_model(d)
