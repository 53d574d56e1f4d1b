"""`MLP`: a multilayer perceptron regressor written from scratch, with scikit-learn's conventions."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from .config import Config
from .doctor import blowup_cause
from .explain import divergence_message
from .network import Network
from .training import train


class DivergenceWarning(UserWarning):
    """Training stopped because the loss blew up; the history up to there is kept."""


class MLP(RegressorMixin, BaseEstimator):
    """Fully connected network with a linear output unit, trained on mean((ŷ − y)²) + l2·Σ‖W‖².

    hidden=() is linear regression trained by gradient descent. batch_size=None is full batch;
    with a batch size, every epoch draws one permutation of the rows from the run's seed and
    steps through it in contiguous slices of batch_size rows (the last one smaller when the rows
    do not divide evenly).
    After fit: coefs_ (list of (fan_in, fan_out)), intercepts_ (list of (fan_out,)), history_
    (`nnlab.History`), n_features_in_. Caps on every argument are in `nnlab.config`.
    sharpness_every=k records the largest Hessian eigenvalue of the objective every k epochs
    (history_.sharpness at history_.sharpness_epochs); None, the default, skips it.
    """

    def __init__(
        self,
        hidden=(64, 32),
        activation="relu",
        init="he",
        lr=0.01,
        epochs=1000,
        batch_size=None,
        optimizer="sgd",
        momentum=0.9,
        l2=0.0,
        random_state=0,
        record_every=None,
        dtype="float64",
        sharpness_every=None,
    ):
        self.hidden = hidden
        self.activation = activation
        self.init = init
        self.lr = lr
        self.epochs = epochs
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.momentum = momentum
        self.l2 = l2
        self.random_state = random_state
        self.record_every = record_every
        self.dtype = dtype
        self.sharpness_every = sharpness_every

    def config(self):
        """The hyperparameters as a validated, hashable `Config`."""
        params = self.get_params()
        params["hidden"] = tuple(params["hidden"]) if isinstance(params["hidden"], (list, tuple)) else params["hidden"]
        config = Config(**params)
        config.validate()
        return config

    def fit(self, X, y, eval_set=None, on_epoch=None):
        """Train on X (n_samples, n_features), y (n_samples,); returns self.

        eval_set=(X_val, y_val) records validation loss and R² each epoch. on_epoch(epoch, loss)
        is called after every epoch; returning False stops training there, keeping the history.
        """
        config = self.config()
        # scikit-learn's finiteness check sums the data; inf + (−inf) would warn before it raises.
        with np.errstate(invalid="ignore", over="ignore"):
            X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
            if eval_set is not None:
                X_val, y_val = eval_set
                X_val = validate_data(self, X_val, reset=False, dtype=np.float64)
                y_val = np.asarray(y_val, dtype=np.float64).reshape(-1)
                if len(y_val) != len(X_val) or not np.all(np.isfinite(y_val)):
                    raise ValueError("eval_set: y_val must be finite with one value per row of X_val")
                eval_set = (X_val, y_val)
        config.check_size(*X.shape)
        callback = None if on_epoch is None else (lambda epoch, losses: on_epoch(epoch, float(losses[0])))
        result = train([config], X, y, eval_set=eval_set, on_epoch=callback)[0]
        self.coefs_, self.intercepts_, self.history_ = result.coefs, result.intercepts, result.history
        if self.history_.diverged_at is not None:
            cause = blowup_cause(self, X, y)
            warnings.warn(divergence_message(self.history_, config, cause), DivergenceWarning, stacklevel=2)
        return self

    def predict(self, X):
        """Predictions (n_samples,) of the last finite parameters."""
        check_is_fitted(self, "coefs_")
        with np.errstate(invalid="ignore", over="ignore"):
            X = validate_data(self, X, reset=False, dtype=np.float64)
        network = Network.from_layers(self.coefs_, self.intercepts_, self.activation)
        with np.errstate(over="ignore", invalid="ignore"):
            prediction = network.forward(X.astype(self.coefs_[0].dtype), network.buffers(len(X)))
        return prediction[0].astype(np.float64)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.random_state is None
        return tags
