"""A pooled estimate over time: one monotone curve with a band over many published figures.

Model, per cumulative indicator, on the log scale::

    log y_i = f(t_i) + b_e(i) + e_i,      e_i ~ sigma * Student-t(nu)

* ``f`` is piecewise linear on a weekly grid and non-decreasing *by construction*: its knot
  values are a start level plus a running sum of rises bounded below by zero, so no
  data can make the curve fall. A penalty on changes of the weekly step (``smoothness``)
  keeps the growth rate from jumping, and a small cost per unit of rise (``growth_cost``,
  an exponential prior on the steps) lets the curve grow only where figures demand it, so
  that a lower bound ("more than 3,000") lifts it to just above the bound, not beyond.
* Qualifiers are censoring, not points: ``over``/``at_least`` say only that the truth is
  above the figure, ``up_to``/``nearly`` that it is below, a range that it lies within,
  ``about``/``exact`` are points with noise. Each enters the likelihood as a tail
  probability, an interval probability or a density. The errors are Student-t (``nu`` = 8),
  so that a stray figure (a misprint, a plan reported as a count) is discounted rather than
  bending the curve.
* A figure for a whole period that starts after the curve's origin ("49 voyages in 2024")
  observes the rise over that period. It says nothing of *when* within the period the rise
  came, so inside such a period the weekly log-rises also pay a quadratic cost (``spread``),
  which spreads the rise evenly unless other figures place it; elsewhere the rise goes where
  the smoothness carries it.
* ``b_e`` is the estimator's effect (a multiplicative factor ``exp(b_e)`` on the curve),
  with a Laplace prior centred on zero (``effect_scale``): an estimator with one figure is
  shrunk to zero unless it is far off, one with many consistent figures earns its effect,
  and because a Laplace prior centres the curve on the *median* estimator, not the mean,
  none can pull the curve on its own.
* ``sigma`` has a log-normal prior so that an indicator with three figures still gets a band.

The fit is a penalised maximum likelihood (MAP) with analytic gradients and L-BFGS-B from
SciPy, the rises bounded below by zero: about a hundred parameters per indicator, fitted in
a fraction of a second. The band is the predictive interval for a new figure of a typical
estimator: residual variance plus the curve's own uncertainty from the Laplace approximation
(inverse Hessian of the objective).

Why not a GAM (pygam, statsmodels)? Neither handles censored observations, and monotonicity
in pygam is a soft constraint; the model above is small enough to write out and test.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import gammaln, stdtr, stdtrit

from dprk_russia.analysis import optimise
from dprk_russia.analysis.tables import counted_mask, distinct_estimates

#: How each qualifier enters the likelihood.
CENSORING = {
    "exact": "point",
    "about": "point",
    "over": "lower",
    "at_least": "lower",
    "up_to": "upper",
    "nearly": "upper",
    "range": "interval",
}
#: Cap on the sd of the curve's log level where figures barely constrain it (a factor of e).
MAX_LEVEL_SD = 1.0
_EFFECT_EPS = 0.01  # smoothing of |b| in the Laplace prior
START_SD = 2.0  # sd of the weak prior on the curve's start level (log scale)
#: Cap on the widening of the band after the newest figure (log scale: at most a doubling).
MAX_AHEAD = float(np.log(2.0))
#: Cumulative indicators whose figures are not comparable enough to pool, and why.
NOT_POOLED = {
    "dprk_earnings_usd": "the figures measure different things (gross value of arms, net earnings, pay)",
    "oil_tanker_calls": "the counts run from different start dates and mix single months with totals",
}


@dataclass(frozen=True)
class PoolSettings:
    """Tuning of the pooled model (all on the natural-log scale)."""

    smoothness: float = 3.0  #: penalty weight on changes of the weekly log-step
    growth_cost: float = 0.5  #: penalty per unit of log rise (growth only where figures demand it)
    spread: float = 30.0  #: weight on squared weekly log-rises inside a period total's period (spread evenly)
    band: float = 0.8  #: central probability of the band
    effect_scale: float = 0.15  #: scale of the Laplace prior on estimator effects (log scale)
    sigma_prior: float = 0.25  #: prior median of the residual sd
    sigma_prior_sd: float = 0.3  #: prior sd of log(sigma)
    step_days: int = 7  #: grid spacing of the curve's knots
    nu: float = 8.0  #: degrees of freedom of the Student-t errors (robust to a stray figure)
    include_warring: bool = True  #: whether figures of warring parties enter the fit


@dataclass
class Fit:
    """A fitted pooled curve for one indicator."""

    indicator: str
    origin: pd.Timestamp
    knots: np.ndarray  #: knot positions in days from origin
    level: np.ndarray  #: fitted log level at each knot (non-decreasing)
    level_sd: np.ndarray  #: sd of the log level at each knot (Laplace)
    effects: pd.DataFrame  #: estimator, effect (log), n
    sigma: float
    inputs: pd.DataFrame
    settings: PoolSettings
    #: figures of a part weighed down as probable totals (see :func:`fit_all`): claim id -> weight
    weights: dict[str, float] = field(default_factory=dict)

    def growth(self, window_days: float = 365.0, min_span_days: float = 182.0) -> float:
        """Mean log rise per day over the year before the newest figure (divided by at least
        ``min_span_days``, so that a burst between two close figures is not taken as a trend)."""
        start = max(float(self.knots[-1]) - window_days, 0.0)
        rise = self.level[-1] - np.interp(start, self.knots, self.level)
        return float(rise / max(float(self.knots[-1]) - start, min_span_days))

    def predict(self, dates: Iterable[pd.Timestamp], estimator: str | None = None) -> pd.DataFrame:
        """Central estimate and band at ``dates`` (for ``estimator``: times its effect, if known).

        Beyond the newest figure the estimate is carried forward flat (no trend is projected),
        while the upper edge of the band widens by the curve's growth rate over the past year, up
        to a doubling (:data:`MAX_AHEAD`): the level may have risen since, but it cannot have
        fallen. The band edges use monotonicity once more: a lower edge valid at one date holds at
        every later date (running maximum), an upper edge at every earlier one (running minimum
        from the end).
        """
        t_req = _days(pd.DatetimeIndex(dates), self.origin)
        t, inverse = np.unique(np.concatenate([self.knots, t_req]), return_inverse=True)
        mu = np.interp(t, self.knots, self.level)
        sd = np.interp(t, self.knots, self.level_sd)
        ahead = np.minimum(np.clip(t - self.knots[-1], 0, None) * self.growth(), MAX_AHEAD)
        z = stdtrit(self.settings.nu, 0.5 + self.settings.band / 2)
        half = z * np.sqrt(sd**2 + self.sigma**2)
        low = np.maximum.accumulate(mu - half)
        high = np.minimum.accumulate((mu + np.sqrt(half**2 + ahead**2))[::-1])[::-1]
        pick = inverse[len(self.knots) :]
        eff = self.effect(estimator) if estimator is not None else 0.0
        return pd.DataFrame(
            {
                "estimate": np.exp(mu[pick] + eff),
                "low": np.exp(low[pick] + eff),
                "high": np.exp(high[pick] + eff),
            }
        )

    def effect(self, estimator: str) -> float:
        """The estimator's log effect (0 for an estimator the fit has not seen)."""
        row = self.effects[self.effects["estimator"] == estimator]
        return float(row["effect"].iloc[0]) if len(row) else 0.0


#: Floor of a period's rise relative to the level at its end (keeps log(rise) finite).
INCREMENT_EPS = 1e-3
#: A period shorter than this is a level "as of" its month, not a rise over a period.
MIN_PERIOD_DAYS = 60


def increments(inputs: pd.DataFrame, origin: pd.Timestamp) -> np.ndarray:
    """Which figures count the rise over a period rather than the level: those stated for whole
    calendar months or years ("in 2024", "January to June 2024": start and end given as a month
    or a year, not a day) whose period starts after the curve's origin (its first figure) and
    spans at least :data:`MIN_PERIOD_DAYS`. A figure "as of" a day ("two POWs held since January
    2025, as of 31 October") stays a level."""
    cols = ("period_start_date", "period_start_precision", "period_end_precision")
    if any(c not in inputs for c in cols):
        return np.zeros(len(inputs), bool)
    start = pd.to_datetime(inputs["period_start_date"])
    span = (pd.to_datetime(inputs["date"]) - start).dt.days
    whole = inputs["period_start_precision"].isin(["month", "year"]) & inputs["period_end_precision"].isin(
        ["month", "year"]
    )
    return (whole & (start > origin) & (span >= MIN_PERIOD_DAYS)).fillna(False).to_numpy(dtype=bool)


def _days(dates: pd.DatetimeIndex | pd.Series, origin: pd.Timestamp) -> np.ndarray:
    return ((pd.DatetimeIndex(dates) - origin) / pd.Timedelta(days=1)).to_numpy(dtype=float)


def pool_inputs(
    claims: pd.DataFrame, indicator: str, warring: Iterable[str] = (), include_warring: bool = True
) -> pd.DataFrame:
    """The figures one pooled curve is fitted to.

    Distinct estimates only (relayed copies once, repeats of an older figure left out), counted
    bases only (assessed, official; never capacity or forecast), whole-indicator scope, with a
    positive number, each at the date it refers to. Adds ``censor`` (point, lower, upper,
    interval) from the qualifier.
    """
    return pool_estimates(pool_rows(claims, indicator, warring, include_warring))


def pool_rows(
    claims: pd.DataFrame, indicator: str, warring: Iterable[str] = (), include_warring: bool = True
) -> pd.DataFrame:
    """The claims of ``indicator`` that may enter its pooled curve (counted, whole-indicator,
    positive, the warring parties' own left out unless ``include_warring``), in their order:
    row by row, so that the rows of any subset (say, those published by a cut-off) are those of
    the same subset of ``claims``. :func:`pool_estimates` makes them the fit's figures."""
    keep = counted_mask(claims) & (claims["indicator"] == indicator).to_numpy()
    keep &= (claims["value_high"] > 0).to_numpy()
    if not include_warring:
        keep &= ~claims["estimator"].isin(set(warring)).to_numpy()
    return claims[keep]


def pool_estimates(sub: pd.DataFrame) -> pd.DataFrame:
    """Rows of :func:`pool_rows` as the figures of a fit: distinct estimates, with ``censor``."""
    if sub.empty:
        return sub.assign(censor=pd.Series(dtype=str))
    sub = distinct_estimates(sub)
    censor = sub["qualifier"].map(CENSORING)
    # "about 11,000-12,000" is an interval too; a lower bound of 0 says nothing
    censor = censor.where(~((censor == "point") & (sub["value_high"] > sub["value_low"])), "interval")
    sub["censor"] = censor  # (distinct_estimates made sub: a new frame, set in place)
    dropped = ((censor == "lower") & (sub["value_low"] <= 0)).to_numpy()
    return sub[~dropped].reset_index(drop=True) if dropped.any() else sub


def _t_logpdf(z: np.ndarray, nu: float) -> np.ndarray:
    return _t_const(nu) - (nu + 1) / 2 * np.log1p(z**2 / nu)


@functools.cache
def _t_const(nu: float) -> float:
    """The constant part of the Student-t log density (computed once per ``nu``)."""
    return gammaln((nu + 1) / 2) - gammaln(nu / 2) - 0.5 * np.log(nu * np.pi)


def _cols(a: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The masked columns of ``a``, in row-major memory: a row then sums exactly as a single
    vector does (numpy sums a strided row in another order)."""
    return np.ascontiguousarray(a[:, mask])


def _nll_terms(
    mu: np.ndarray, log_sigma: np.ndarray, data: dict, nu: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Negative log-likelihood under Student-t errors with ``nu`` degrees of freedom, and its
    gradient in mu and in log(sigma), for a batch of parameter vectors (``mu``: one row each,
    ``log_sigma``: one value each). Points enter as densities, bounds as tail probabilities,
    ranges as interval probabilities."""
    sigma = np.exp(log_sigma)[:, None]
    wt = data["weight"]
    g_mu = np.zeros_like(mu)
    g_ls = np.zeros(len(mu))
    total = np.zeros(len(mu))
    p = data["point"]
    if p.any():
        r = (data["y"][p] - _cols(mu, p)) / sigma
        psi = (nu + 1) * r / (nu + r**2)
        total += np.sum(wt[p] * (log_sigma[:, None] - _t_logpdf(r, nu)), axis=1)
        g_mu[:, p] = -wt[p] * psi / sigma
        g_ls += np.sum(wt[p] * (1 - psi * r), axis=1)
    lo = data["lower"]
    if lo.any():  # P(Y > L) = T(-z)
        z = (data["lo"][lo] - _cols(mu, lo)) / sigma
        cdf = np.clip(stdtr(nu, -z), 1e-300, None)
        h = wt[lo] * np.exp(_t_logpdf(z, nu)) / cdf
        total -= np.sum(wt[lo] * np.log(cdf), axis=1)
        g_mu[:, lo] = -h / sigma
        g_ls += np.sum(-h * z, axis=1)
    up = data["upper"]
    if up.any():  # P(Y < U) = T(z)
        z = (data["hi"][up] - _cols(mu, up)) / sigma
        cdf = np.clip(stdtr(nu, z), 1e-300, None)
        m = wt[up] * np.exp(_t_logpdf(z, nu)) / cdf
        total -= np.sum(wt[up] * np.log(cdf), axis=1)
        g_mu[:, up] = m / sigma
        g_ls += np.sum(m * z, axis=1)
    iv = data["interval"]
    if iv.any():  # P(A < Y < B), computed on the side of the distribution where it is stable
        za = (data["lo"][iv] - _cols(mu, iv)) / sigma
        zb = (data["hi"][iv] - _cols(mu, iv)) / sigma
        flip = za > 0
        d = np.where(flip, stdtr(nu, -za) - stdtr(nu, -zb), stdtr(nu, zb) - stdtr(nu, za))
        d = np.clip(d, 1e-300, None)
        fa, fb = np.exp(_t_logpdf(za, nu)), np.exp(_t_logpdf(zb, nu))
        total -= np.sum(wt[iv] * np.log(d), axis=1)
        g_mu[:, iv] = wt[iv] * (fb - fa) / (sigma * d)
        g_ls += np.sum(wt[iv] * (fb * zb - fa * za) / d, axis=1)
    return total, g_mu, g_ls


class _Problem:
    """Objective and gradient of the penalised likelihood for one indicator."""

    def __init__(self, inputs: pd.DataFrame, origin: pd.Timestamp, s: PoolSettings):
        self.s = s
        t = _days(inputs["date"], origin)
        # knots run from the first to the newest figure, about step_days apart, the last one on
        # the newest figure (so no knot floats free of data); beyond it the curve stays flat
        span = float(t.max())
        n_knots = max(int(np.round(span / s.step_days)), 1) + 1 if span > 0 else 1
        step = span / (n_knots - 1) if n_knots > 1 else 1.0
        self.knots = np.arange(n_knots, dtype=float) * step
        # linear interpolation weights: observation i sits between knots k and k+1
        pos = np.clip(t / step, 0, n_knots - 1)
        k = np.minimum(np.floor(pos).astype(int), n_knots - 2) if n_knots > 1 else np.zeros(len(t), int)
        w = pos - k
        self.k, self.w, self.n_knots = k, w, n_knots
        # a figure for a period that starts after the curve's origin (MSMT's voyages "in 2024")
        # observes the rise over its period, curve(end) - curve(start), not the level
        self.inc = increments(inputs, origin)
        t0 = _days(inputs["period_start_date"].where(self.inc, inputs["date"]), origin)
        pos0 = np.clip(t0 / step, 0, n_knots - 1)
        k0 = np.minimum(np.floor(pos0).astype(int), n_knots - 2) if n_knots > 1 else np.zeros(len(t), int)
        self.k0, self.w0 = k0, pos0 - k0
        # the weeks inside the period of a period total: its rise is spread over them evenly
        # unless other figures say otherwise (the total says nothing of when within the period)
        mids = (self.knots[:-1] + self.knots[1:]) / 2
        t_end = _days(inputs["date"], origin)
        self.in_period = np.zeros(max(n_knots - 1, 0), bool)
        for a, b in zip(t0[self.inc], t_end[self.inc], strict=True):
            self.in_period |= (mids >= a) & (mids <= b)
        self.estimators = sorted(inputs["estimator"].unique())
        est_index = {e: i for i, e in enumerate(self.estimators)}
        self.e = inputs["estimator"].map(est_index).to_numpy()
        lo = np.log(inputs["value_low"].clip(lower=1e-9).to_numpy(dtype=float))
        hi = np.log(inputs["value_high"].to_numpy(dtype=float))
        censor = inputs["censor"].to_numpy()
        weight = inputs["weight"].to_numpy(dtype=float) if "weight" in inputs else np.ones(len(inputs))
        self.data = {
            "weight": weight,
            "y": (lo + hi) / 2,
            "lo": lo,
            "hi": hi,
            **{c: censor == c for c in ("point", "lower", "upper", "interval")},
        }
        first = np.argsort(t, kind="stable")[:3]
        self.y0 = float(np.median(self.data["y"][first]))

    # parameter layout: [f0, rise_1..rise_{K-1}, b_1..b_E, log_sigma]; rises are bounded below by 0
    def unpack(self, x: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, float]:
        """Split the parameter vector into start level, rises, effects and log sigma (of each row,
        for a batch of vectors)."""
        K, E = self.n_knots, len(self.estimators)
        return x[..., 0], x[..., 1:K], x[..., K : K + E], x[..., K + E]

    def bounds(self) -> list[tuple[float | None, float | None]]:
        """Rises are non-negative (the monotone constraint); sigma stays in a sane range."""
        K, E = self.n_knots, len(self.estimators)
        return [(None, None)] + [(0.0, None)] * (K - 1) + [(None, None)] * E + [(np.log(0.02), np.log(3.0))]

    def levels(self, f0: float | np.ndarray, rises: np.ndarray) -> np.ndarray:
        """Knot levels: a start plus a running sum of non-negative rises (of each row of a batch)."""
        f0 = np.asarray(f0)[..., None]
        return f0 + np.concatenate([np.zeros(rises.shape[:-1] + (1,)), np.cumsum(rises, axis=-1)], axis=-1)

    def _at(self, g: np.ndarray, k: np.ndarray, w: np.ndarray) -> np.ndarray:
        if self.n_knots == 1:
            return np.repeat(g[:, :1], len(k), axis=1)
        return g[:, k] * (1 - w) + g[:, k + 1] * w

    def mu(self, g: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Log of what each figure observes (the level at its date, or the rise over its period),
        with the derivatives of that log with respect to the curve at the end and at the start;
        one row per row of the knot levels ``g`` and effects ``b``."""
        ge, gs = self._at(g, self.k, self.w), self._at(g, self.k0, self.w0)
        # log(e^ge - e^gs), kept finite where the curve is flat: log(e^ge (1 + eps - e^-(ge-gs)))
        q = np.exp(-np.clip(ge - gs, 0, None))
        frac = 1 + INCREMENT_EPS - q
        mu = np.where(self.inc, ge + np.log(frac), ge) + b[:, self.e]
        d_end = np.where(self.inc, 1 + q / frac, 1.0)
        d_start = np.where(self.inc, -q / frac, 0.0)
        return mu, d_end, d_start

    def _spread(self, v: np.ndarray, k: np.ndarray, w: np.ndarray) -> np.ndarray:
        """Gradient with respect to the knot levels of a value read at interpolation (k, w)."""
        out = np.zeros((len(v), self.n_knots))
        if self.n_knots == 1:
            out[:, 0] = v.sum(axis=1)
        else:
            rows = np.arange(len(v))[:, None]
            np.add.at(out, (rows, k), v * (1 - w))
            np.add.at(out, (rows, k + 1), v * w)
        return out

    def core(
        self, f0: np.ndarray, steps: np.ndarray, b: np.ndarray, ls: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Objective and gradient in (f0, steps, b, log_sigma), steps being the knot-to-knot rises,
        for a batch of parameter vectors (one row, or one value, each)."""
        s = self.s
        # a weak prior on the start level (sd: a factor of e^2) keeps a fit anchored when the
        # first figures are all bounds of one kind
        f0_dev = (f0 - self.y0) / START_SD
        mu, d_end, d_start = self.mu(self.levels(f0, steps), b)
        nll, g_mu, g_ls = _nll_terms(mu, ls, self.data, s.nu)
        g_g = self._spread(g_mu * d_end, self.k, self.w)
        if self.inc.any():
            g_g += self._spread(g_mu * d_start, self.k0, self.w0)
        E = len(self.estimators)
        g_b = np.zeros((len(b), E))
        np.add.at(g_b, (np.arange(len(b))[:, None], self.e), g_mu)
        # smoothness: penalise changes of the weekly rise
        d = np.diff(steps, axis=1)
        pen = s.smoothness * np.sum(d**2, axis=1)
        g_steps = np.cumsum(g_g[:, ::-1], axis=1)[:, ::-1][:, 1:] + s.growth_cost
        pen += s.growth_cost * np.sum(steps, axis=1)
        if s.spread and self.in_period.any():
            inside = np.where(self.in_period, steps, 0.0)
            pen += s.spread * np.sum(inside**2, axis=1)
            g_steps += 2 * s.spread * inside
        if d.shape[1]:
            g_steps[:, 1:] += 2 * s.smoothness * d
            g_steps[:, :-1] -= 2 * s.smoothness * d
        # priors: estimator effects shrunk to zero by a (smoothed) Laplace prior, whose centre is
        # the median estimator rather than the mean, so one far-off estimator cannot shift the
        # curve; log sigma around its prior median
        root = np.sqrt(b**2 + _EFFECT_EPS**2)
        pen += np.sum(root - _EFFECT_EPS, axis=1) / s.effect_scale
        g_b += b / root / s.effect_scale
        lsp = ls - np.log(s.sigma_prior)
        pen += lsp**2 / (2 * s.sigma_prior_sd**2)
        g_ls += lsp / s.sigma_prior_sd**2
        pen += 0.5 * f0_dev**2
        g_f0 = g_g.sum(axis=1) + f0_dev / START_SD
        return nll + pen, np.concatenate([g_f0[:, None], g_steps, g_b, g_ls[:, None]], axis=1)

    def batch(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Objective and gradient at each row of ``X`` (one vectorised pass; the Hessian by
        differences of the gradient evaluates all its points at once)."""
        return self.core(*self.unpack(X))

    def __call__(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """Objective and gradient in the optimiser's parameters."""
        f, g = self.batch(x[None, :])
        return float(f[0]), g[0]


def fit_indicator(
    inputs: pd.DataFrame,
    indicator: str,
    end: pd.Timestamp,
    settings: PoolSettings | None = None,
    start: Fit | None = None,
) -> Fit:
    """Fit the pooled curve to ``inputs`` (from :func:`pool_inputs`), from the first figure to ``end``.

    ``start``, an earlier fit of the indicator (the backtest's previous cut-off), is where the
    optimiser starts (:func:`warm_start`); the fit converges to the same optimum either way.
    """
    s = settings or PoolSettings()
    if inputs.empty:
        raise ValueError(f"{indicator}: no figures to pool")
    origin = inputs["date"].min().normalize()
    prob = _Problem(inputs, origin, s)
    K, E = prob.n_knots, len(prob.estimators)
    if start is None:
        x0 = np.concatenate([[prob.y0], np.zeros(K - 1), np.zeros(E), [np.log(s.sigma_prior)]])
    else:
        x0 = warm_start(prob, origin, start)
    # for a fixed sigma the problem is convex in (start, rises, effects) with box constraints
    # L-BFGS-B stops on its ftol criterion with a gradient of up to ~1e-4 left, where the
    # rounding of another CPU's kernels moves the optimum in the 5th digit: Newton steps on the
    # free variables finish the fit to a projected gradient below GRADIENT_TOL (optimise.fit)
    x, H = optimise.fit(prob, x0)
    return _make_fit(prob, x, H, inputs, indicator, origin, s)


def warm_start(prob: _Problem, origin: pd.Timestamp, earlier: Fit) -> np.ndarray:
    """A starting point for ``prob`` from an earlier fit of the same indicator: its curve read at
    the problem's knots (flat beyond its newest figure), its estimators' effects (0 for a new
    estimator) and its noise."""
    t = prob.knots + float((origin - earlier.origin) / pd.Timedelta(days=1))
    level = np.interp(t, earlier.knots, earlier.level)
    b = earlier.effects.set_index("estimator")["effect"].reindex(prob.estimators).fillna(0.0).to_numpy()
    return np.concatenate([level[:1], np.clip(np.diff(level), 0, None), b, [np.log(earlier.sigma)]])


def _make_fit(
    prob: _Problem,
    x: np.ndarray,
    H: np.ndarray,
    inputs: pd.DataFrame,
    indicator: str,
    origin: pd.Timestamp,
    s: PoolSettings,
) -> Fit:
    f0, rises, b, ls = prob.unpack(x)
    level = prob.levels(f0, rises)
    level_sd = _level_sd(prob, x, H)
    counts = pd.Series(prob.e).value_counts()
    effects = pd.DataFrame(
        {"estimator": prob.estimators, "effect": b, "n": [int(counts.get(i, 0)) for i in range(len(b))]}
    )
    return Fit(indicator, origin, prob.knots, level, level_sd, effects, float(np.exp(ls)), inputs, s)


def _level_sd(prob: _Problem, x: np.ndarray, H: np.ndarray) -> np.ndarray:
    """Sd of each knot level (Laplace): inverse Hessian ``H`` in the rises."""
    K, n = prob.n_knots, len(x)
    # rises held at zero by the constraint are fixed there (a constrained Laplace approximation)
    free = np.concatenate([[True], x[1:K] > 1e-4, np.ones(n - K, bool)])
    H = H[np.ix_(free, free)]
    cov = np.linalg.pinv(H)
    J = np.zeros((K, n))  # d level_k / d z: 1 for f0 and for every rise up to knot k
    J[:, 0] = 1.0
    J[:, 1:K] = np.tri(K, K - 1, -1)
    J = J[:, free]
    var = np.einsum("ij,jk,ik->i", J, cov, J)
    return np.minimum(np.sqrt(np.clip(var, 0, None)), MAX_LEVEL_SD)


def warring_estimators(claims: pd.DataFrame, registry: pd.DataFrame | None = None) -> list[str]:
    """Estimators that belong to a warring party (Russia, North Korea, Ukraine).

    From the estimator registry's ``warring_party`` column when there is one, else the
    estimators of type ``party``.
    """
    if registry is not None and "warring_party" in registry:
        return sorted(registry.loc[registry["warring_party"] == "yes", "estimator"])
    return sorted(claims.loc[claims["estimator_type"] == "party", "estimator"].unique())


def pooled_indicators(
    claims: pd.DataFrame,
    indicators: pd.DataFrame,
    min_estimators: int = 3,
    warring: Iterable[str] = (),
    include_warring: bool = True,
) -> list[str]:
    """Cumulative indicators with counted total figures from at least ``min_estimators`` estimators,
    at least one of them a point or range (bounds alone cannot place a curve), except those in
    :data:`NOT_POOLED`."""
    out = []
    for ind in indicators.loc[indicators["kind"] == "cumulative", "indicator"]:
        inputs = pool_inputs(claims, ind, warring, include_warring)
        if ind not in NOT_POOLED and inputs["estimator"].nunique() >= min_estimators and anchored(inputs):
            out.append(ind)
    return out


def anchored(inputs: pd.DataFrame) -> bool:
    """Whether the figures include a point or a range (not only bounds)."""
    return bool(inputs["censor"].isin(["point", "interval"]).any())
