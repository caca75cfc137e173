"""adclassify: find people-smuggling advertising in social-media posts.

>>> import adclassify
>>> clf = adclassify.load_model()
>>> records = clf.score(["Crossing to UK this week, 4 places, WhatsApp +44 7700 900123"])
"""

from typing import Any

from adclassify.classifier import MAX_CHARS, Classifier, load_model
from adclassify.evidence import Evidence, extract, extract_many
from adclassify.models.persist import ModelError

__version__ = "0.1.0"
LABELS = ("benign", "smuggling_offer", "document_fraud", "recruitment_lure", "smuggling_request")

__all__ = [
    "LABELS",
    "MAX_CHARS",
    "Classifier",
    "Evidence",
    "ModelError",
    "extract",
    "extract_many",
    "load_model",
    "load_posts",
    "__version__",
]


def __getattr__(name: str) -> Any:
    # load_posts needs the datasets package, which is slow to import: only on use.
    if name == "load_posts":
        from adclassify.data import load_posts

        return load_posts
    raise AttributeError(f"module 'adclassify' has no attribute {name!r}")
