"""A multinomial linear classifier with temperature-scaled probabilities."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import check_is_fitted

__all__ = ["CalibratedLinearClassifier", "average_classifiers"]


class CalibratedLinearClassifier(ClassifierMixin, BaseEstimator):
    """Multinomial logistic regression, calibrated by temperature scaling.

    The logit of each label is ``(X @ coef_[k] + intercept_[k]) / temperature_``,
    so per-feature contributions add up exactly to the logit, which is what
    explanations rely on. The temperature is fitted on a held-out stratified
    part of the training data by minimising the log loss; one scalar keeps the
    ranking of posts unchanged while making the probabilities honest.
    Weights are stored as float32 to keep the model small and scoring fast.

    Parameters
    ----------
    C : float, default=10.0
        Inverse L2 regularisation strength.
    class_weight : dict or "balanced", optional
        Passed to :class:`~sklearn.linear_model.LogisticRegression`.
    max_iter : int, default=300
        Iterations of the solver.
    calibration_fraction : float, default=0.1
        Share of the data held out to fit the temperature; 0 disables it.
    random_state : int, default=0
        Seed of the held-out split.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0]] * 20)
    >>> y = ["benign", "smuggling_offer"] * 20
    >>> clf = CalibratedLinearClassifier(calibration_fraction=0.25).fit(X, y)
    >>> clf.predict(np.array([[0.0, 1.0]])).tolist()
    ['benign']
    """

    def __init__(
        self,
        *,
        C: float = 10.0,
        class_weight: dict | str | None = None,
        max_iter: int = 300,
        calibration_fraction: float = 0.1,
        random_state: int = 0,
    ) -> None:
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.calibration_fraction = calibration_fraction
        self.random_state = random_state

    def fit(
        self, X: sp.spmatrix | np.ndarray, y: object, sample_weight: np.ndarray | None = None
    ) -> CalibratedLinearClassifier:
        """Fit the weights, then the temperature on the held-out part."""
        y = np.asarray(y)
        if not 0.0 <= self.calibration_fraction < 1.0:
            raise ValueError(f"calibration_fraction must be in [0, 1), got {self.calibration_fraction}")
        weights = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        index = np.arange(len(y))
        if self.calibration_fraction > 0:
            fit_idx, cal_idx = train_test_split(
                index, test_size=self.calibration_fraction, stratify=y, random_state=self.random_state
            )
        else:
            fit_idx, cal_idx = index, index[:0]
        model = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter)
        model.fit(X[fit_idx], y[fit_idx], sample_weight=weights[fit_idx])
        self.classes_ = model.classes_
        self.coef_ = np.ascontiguousarray(model.coef_, dtype=np.float32)
        self.intercept_ = model.intercept_.astype(np.float64)
        if model.coef_.shape[0] == 1:  # binary: expand to one row per class
            self.coef_ = np.vstack([-self.coef_ / 2, self.coef_ / 2])
            self.intercept_ = np.array([-self.intercept_[0] / 2, self.intercept_[0] / 2])
        self.n_features_in_ = X.shape[1]
        self.temperature_ = 1.0
        if len(cal_idx):
            raw = self._raw(X[cal_idx])
            target = np.searchsorted(self.classes_, y[cal_idx])

            def loss(log_t: float) -> float:
                logp = log_softmax(raw / np.exp(log_t), axis=1)
                return float(-(weights[cal_idx] * logp[np.arange(len(target)), target]).sum())

            self.temperature_ = float(np.exp(minimize_scalar(loss, bounds=(-3, 3), method="bounded").x))
        return self

    def _raw(self, X: sp.spmatrix | np.ndarray | list) -> np.ndarray:
        # A C-contiguous copy of coef_.T, made once: with the transposed view,
        # scipy would copy all the weights on every call.
        weights = self.__dict__.get("_weights")
        if weights is None:
            weights = self.__dict__["_weights"] = np.ascontiguousarray(self.coef_.T)
        if not isinstance(X, list):
            return np.asarray(X @ weights, dtype=np.float64) + self.intercept_
        scores = np.zeros((X[0].shape[0] if X else 0, weights.shape[1]))
        col = 0
        for block in X:  # column blocks, left to right
            scores += block @ weights[col : col + block.shape[1]]
            col += block.shape[1]
        if col != weights.shape[0]:
            raise ValueError(f"the blocks have {col} columns in all, the model {weights.shape[0]}")
        return scores + self.intercept_

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("_weights", None)
        return state

    def decision_function(self, X: sp.spmatrix | np.ndarray | list) -> np.ndarray:
        """Calibrated logits, one column per class.

        ``X`` may also be a list of column blocks of the feature matrix, left
        to right: the logits are then summed block by block, which equals
        the joined matrix's up to float32 rounding.
        """
        check_is_fitted(self)
        return self._raw(X) / self.temperature_

    def predict_proba(self, X: sp.spmatrix | np.ndarray | list) -> np.ndarray:
        """Class probabilities; rows sum to 1."""
        return softmax(self.decision_function(X), axis=1)

    def predict(self, X: sp.spmatrix | np.ndarray | list) -> np.ndarray:
        """The most likely class of each row."""
        return self.classes_[np.argmax(self.decision_function(X), axis=1)]


def average_classifiers(members: Sequence[CalibratedLinearClassifier]) -> CalibratedLinearClassifier:
    """One classifier whose logits are the mean of the members' calibrated logits.

    Members trained on independent draws of the training data (bagging)
    disagree mostly where each has overfitted its own draw; the mean of their
    logits keeps what they share. Because the members are linear, the mean
    is itself one linear model, so scoring costs the same as one member.

    Parameters
    ----------
    members : sequence of CalibratedLinearClassifier
        Fitted classifiers with the same classes and number of features.

    Returns
    -------
    CalibratedLinearClassifier
        A fitted classifier with the first member's parameters, the mean of
        ``coef_ / temperature_`` and ``intercept_ / temperature_``, and a
        temperature of 1.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0]] * 20)
    >>> y = ["benign", "smuggling_offer"] * 20
    >>> a = CalibratedLinearClassifier(C=1.0).fit(X, y)
    >>> b = CalibratedLinearClassifier(C=2.0).fit(X, y)
    >>> avg = average_classifiers([a, b])
    >>> bool(np.allclose(avg.decision_function(X), (a.decision_function(X) + b.decision_function(X)) / 2, atol=1e-5))
    True
    """
    if not members:
        raise ValueError("no classifiers to average")
    for model in members:
        check_is_fitted(model)
    first = members[0]
    for model in members[1:]:
        if list(model.classes_) != list(first.classes_) or model.n_features_in_ != first.n_features_in_:
            raise ValueError("the classifiers have different classes or numbers of features")
    out = clone(first)
    out.classes_ = first.classes_
    out.n_features_in_ = first.n_features_in_
    out.coef_ = np.mean([m.coef_.astype(np.float64) / m.temperature_ for m in members], axis=0).astype(np.float32)
    out.intercept_ = np.mean([m.intercept_ / m.temperature_ for m in members], axis=0)
    out.temperature_ = 1.0
    return out
