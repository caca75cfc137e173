"""Model building and persistence: the pipeline, its classifier, safe model files."""

from adclassify.models.linear import CalibratedLinearClassifier
from adclassify.models.persist import TRUSTED_TYPES, ModelError, load_pipeline, read_metadata, save_pipeline
from adclassify.models.pipeline import average_pipelines, build_pipeline
from adclassify.models.thresholds import pick_thresholds, threshold_rules

__all__ = [
    "TRUSTED_TYPES",
    "CalibratedLinearClassifier",
    "ModelError",
    "average_pipelines",
    "build_pipeline",
    "load_pipeline",
    "pick_thresholds",
    "read_metadata",
    "save_pipeline",
    "threshold_rules",
]
