"""Wholes and their parts fitted together: all casualties, killed and wounded.

A "killed" figure that is probably a casualty total is weighed, not dropped: each figure of a
part gets the probability that it lies below the whole's pooled curve (:func:`below_whole`),
then the whole and its parts are refitted together with the parts adding up to at most the
whole (:class:`_Joint`). :func:`fit_all` fits every pooled indicator this way round;
:func:`part_sensitivity` says how much the doubtful figures decide.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from scipy.special import stdtr

from dprk_russia.analysis import optimise
from dprk_russia.analysis.pooled import (
    Fit,
    PoolSettings,
    _days,
    _make_fit,
    _Problem,
    anchored,
    fit_indicator,
    pool_inputs,
)
from dprk_russia.analysis.precision import round_columns

#: Weight and softness (log scale) of the constraint that the parts add up to at most the whole.
JOINT_PENALTY = 50.0
JOINT_SOFTNESS = 0.02


class _Joint:
    """A whole (all casualties) and its parts (killed, wounded) fitted together, with the parts'
    curves adding up to at most the whole's at every knot of any of them:
    log(killed + wounded) <= log(total), as a smooth one-sided penalty (softplus of the excess,
    weight :data:`JOINT_PENALTY`, width :data:`JOINT_SOFTNESS`). Each curve keeps its own
    figures, effects and noise; the constraint alone couples them."""

    def __init__(self, probs: list[_Problem], origins: list[pd.Timestamp]):
        self.probs = probs
        self.sizes = [len(p.bounds()) for p in probs]
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)])
        epoch = min(origins)
        starts = [float((o - epoch) / pd.Timedelta(days=1)) for o in origins]
        days = np.unique(np.concatenate([st + p.knots for st, p in zip(starts, probs, strict=True)]))
        days = days[days >= max(starts)]  # where every curve has begun
        self.maps = [self._level_map(p, days - st) for p, st in zip(probs, starts, strict=True)]

    @staticmethod
    def _level_map(prob: _Problem, t: np.ndarray) -> np.ndarray:
        """The linear map from a problem's parameters to its curve's log level at days ``t``."""
        K = prob.n_knots
        M = np.zeros((K, len(prob.bounds())))
        M[:, 0] = 1.0
        M[:, 1:K] = np.tri(K, K - 1, -1)
        if K == 1:
            return np.repeat(M[:1], len(t), axis=0)
        step = prob.knots[1] - prob.knots[0]
        pos = np.clip(t / step, 0, K - 1)
        k = np.minimum(np.floor(pos).astype(int), K - 2)
        w = pos - k
        return M[k] * (1 - w)[:, None] + M[k + 1] * w[:, None]

    def bounds(self) -> list[tuple[float | None, float | None]]:
        return [b for p in self.probs for b in p.bounds()]

    def split(self, x: np.ndarray) -> list[np.ndarray]:
        return [x[a:b] for a, b in zip(self.offsets[:-1], self.offsets[1:], strict=True)]

    def batch(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Objective and gradient at each row of ``X``: each curve's terms in one vectorised pass
        (:meth:`_Problem.batch`), the constraint row by row with the same matrix products as a
        single call, so that every row is the same to the last bit as :meth:`__call__` gives."""
        total, grads = np.zeros(len(X)), []
        for p, (a, b) in zip(self.probs, zip(self.offsets[:-1], self.offsets[1:], strict=True), strict=True):
            f, g = p.batch(X[:, a:b])
            total += f
            grads.append(g)
        for r in range(len(X)):
            x = X[r].copy()  # one parameter vector, laid out in memory as a single call's
            parts = self.split(x)
            u = [m @ xi for m, xi in zip(self.maps, parts, strict=True)]
            whole, pieces = u[0], u[1:]
            excess = np.logaddexp.reduce(np.vstack(pieces), axis=0) - whole
            z = excess / JOINT_SOFTNESS
            total[r] += JOINT_PENALTY * JOINT_SOFTNESS * float(np.sum(np.logaddexp(0.0, z)))
            d = JOINT_PENALTY * 0.5 * (1 + np.tanh(z / 2))  # d penalty / d excess
            grads[0][r] -= self.maps[0].T @ d
            share_log = np.vstack(pieces) - (excess + whole)  # log of each piece's share of the sum
            for i, piece_share in enumerate(share_log, start=1):
                grads[i][r] += self.maps[i].T @ (d * np.exp(piece_share))
        return total, np.concatenate(grads, axis=1)

    def __call__(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        f, g = self.batch(x[None, :])
        return float(f[0]), g[0]


def fit_joint(fits: dict[str, Fit], whole: str, parts: list[str], end: pd.Timestamp) -> dict[str, Fit]:
    """Refit ``whole`` and ``parts`` together (:class:`_Joint`), starting from their separate fits."""
    names = [whole, *parts]
    probs = [_Problem(fits[n].inputs, fits[n].origin, fits[n].settings) for n in names]
    joint = _Joint(probs, [fits[n].origin for n in names])
    x0 = np.concatenate([_params(fits[n], p) for n, p in zip(names, probs, strict=True)])
    x, H = optimise.fit(joint, x0)
    out = {}
    blocks = zip(joint.offsets[:-1], joint.offsets[1:], strict=True)
    for n, p, xi, (a, b) in zip(names, probs, joint.split(x), blocks, strict=True):
        fit = _make_fit(p, xi, H[a:b, a:b], fits[n].inputs, n, fits[n].origin, fits[n].settings)
        fit.weights = fits[n].weights
        out[n] = fit
    return out


def _params(fit: Fit, prob: _Problem) -> np.ndarray:
    """A fit's parameter vector in its problem's layout (start, rises, effects, log sigma)."""
    b = fit.effects.set_index("estimator")["effect"].reindex(prob.estimators).fillna(0.0).to_numpy()
    return np.concatenate([[fit.level[0]], np.diff(fit.level), b, [np.log(fit.sigma)]])


#: Indicators that count a part of another, and the whole they cannot exceed.
PART_OF = {"killed": "casualties_total", "wounded": "casualties_total"}


def below_whole(inputs: pd.DataFrame, whole: Fit) -> np.ndarray:
    """For each figure of a part (e.g. killed): the probability that the whole (all casualties)
    is at least that large at its date, from the whole's pooled curve and band (Student-t on the
    log scale). A figure well below the whole gets 1; one far above it (most likely a total
    reported as the part) gets about 0; one near the whole's estimate about a half. Figures
    dated before the whole's curve starts get 1."""
    dated = (inputs["date"] >= whole.origin).to_numpy()
    t = _days(inputs["date"], whole.origin)
    mu = np.interp(t, whole.knots, whole.level)
    scale = np.sqrt(np.interp(t, whole.knots, whole.level_sd) ** 2 + whole.sigma**2)
    z = (np.log(inputs["value_low"].clip(lower=1e-9).to_numpy(dtype=float)) - mu) / scale
    return np.where(dated, stdtr(whole.settings.nu, -z), 1.0)


def fit_all(
    claims: pd.DataFrame,
    indicators: Iterable[str],
    end: pd.Timestamp,
    settings: PoolSettings | None = None,
    warring: Iterable[str] = (),
    inputs_by_indicator: Mapping[str, pd.DataFrame] | None = None,
    parts: str = "weigh",
    start: Mapping[str, Fit] | None = None,
) -> dict[str, Fit]:
    """One fit per indicator, from its first figure to ``end``.

    Wholes are fitted before their parts (:data:`PART_OF`); each figure of a part is weighed by
    the probability that it lies below the whole at its date (:func:`below_whole`), so that a
    "killed" figure that is probably a casualty total counts for little, without a cut-off that
    drops it; the weights below 0.99 are listed in the part's ``weights``. ``contested`` (claim
    ids) overrides this for a sensitivity check: ``"full"`` gives every figure full weight,
    ``"drop"`` leaves the figures that weigh below one half out.
    ``inputs_by_indicator`` passes figures already selected by :func:`pool_inputs`; ``start``,
    earlier fits by indicator (the backtest's previous cut-off), where each fit starts.
    """
    s = settings or PoolSettings()
    warring = list(warring)
    order = sorted(indicators, key=lambda i: i in PART_OF)
    fits: dict[str, Fit] = {}
    for ind in order:
        if inputs_by_indicator is not None and ind in inputs_by_indicator:
            inputs = inputs_by_indicator[ind]
        else:
            inputs = pool_inputs(claims, ind, warring, s.include_warring)
        whole = fits.get(PART_OF.get(ind, ""))
        weights: dict[str, float] = {}
        if whole is not None and parts != "full":
            w = below_whole(inputs, whole)
            if parts == "drop":
                kept = inputs[w >= 0.5]
                inputs = kept.reset_index(drop=True) if anchored(kept) else inputs
            else:
                inputs = inputs.assign(weight=w)
                weights = {c: float(x) for c, x in zip(inputs["claim_id"], w, strict=True) if x < 0.99}
        fit = fit_indicator(inputs, ind, end, s, (start or {}).get(ind))
        fit.weights = weights
        fits[ind] = fit
    for whole in sorted(set(PART_OF.values())):
        parts = [p for p in sorted(PART_OF) if PART_OF[p] == whole and p in fits]
        if whole in fits and parts:
            fits.update(fit_joint(fits, whole, parts, end))
    return {ind: fits[ind] for ind in indicators}


def part_sensitivity(
    claims: pd.DataFrame,
    fits: Mapping[str, Fit],
    indicators: Iterable[str],
    end: pd.Timestamp,
    settings: PoolSettings | None = None,
    warring: Iterable[str] = (),
) -> pd.DataFrame:
    """For each part whose figures were weighed (:func:`fit_all`): its estimate at ``end`` as
    fitted (weighed), with every figure at full weight, and with the doubtful figures (weight
    below one half) left out, so that a reader sees how much the doubtful figures decide."""
    rows = []
    wanted = list(indicators)
    for part, whole in PART_OF.items():
        if part not in fits or whole not in fits or not fits[part].weights:
            continue
        doubtful = sorted(c for c, w in fits[part].weights.items() if w < 0.5)
        row = {"indicator": part, "doubtful_claim_ids": ";".join(doubtful)}
        for mode, label in (("weigh", "weighed"), ("full", "full_weight"), ("drop", "doubtful_left_out")):
            if mode == "weigh":
                fit = fits[part]
            else:
                fit = fit_all(claims, [whole, part], end, settings, warring, parts=mode)[part]
            row[label] = float(fit.predict([pd.Timestamp(end)])["estimate"].iloc[0])
        rows.append(row)
    cols = ["indicator", "doubtful_claim_ids", "weighed", "full_weight", "doubtful_left_out"]
    table = pd.DataFrame(rows, columns=cols)
    table = table[table["indicator"].isin(wanted)]
    return round_columns(table, ["weighed", "full_weight", "doubtful_left_out"]).reset_index(drop=True)
