"""Fitting: L-BFGS-B near the optimum, then projected Newton steps to a stated tolerance.

Works on any problem with ``bounds()`` (L-BFGS-B's list of (low, high), None for unbounded) and
``__call__(x) -> (objective, gradient)``: the pooled curve of one indicator and the joint fit of
casualties alike (:mod:`dprk_russia.analysis.pooled`).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
from scipy.optimize import minimize


class Problem(Protocol):
    """An objective with an analytic gradient and box bounds."""

    def bounds(self) -> list[tuple[float | None, float | None]]: ...

    def __call__(self, x: np.ndarray) -> tuple[float, np.ndarray]: ...


#: Convergence criterion of every pooled fit: the largest projected-gradient component (the
#: gradient with components that push a variable against its bound removed) is below this.
GRADIENT_TOL = 1e-9
#: Newton steps allowed after L-BFGS-B (a fit converges in 2-6; more means a bug, reported).
MAX_NEWTON = 50
#: Options of the L-BFGS-B runs that start every fit (:func:`fit`). A ``maxcor`` of 40 past
#: gradients (scipy's default: 10) covers most of a fit's parameters (a curve's knots and its
#: estimators' effects): the real data's fits take about 40 % fewer evaluations, end at the
#: same optimum and give the same rounded outputs.
LBFGS_OPTIONS = {"maxiter": 5000, "ftol": 1e-12, "gtol": 1e-8, "maxcor": 40}
#: L-BFGS-B is run again from where it stopped while the projected gradient there is above this:
#: its ``ftol`` test can stop it after one step of little progress, far from the optimum (a
#: projected gradient of 18 in a test's casualty fit), where Newton steps do not converge.
START_TOL = 1e-2
#: L-BFGS-B runs allowed before the Newton steps take over whatever the gradient.
MAX_STARTS = 10


def hessian(prob: Problem, x: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """Hessian of the objective at ``x`` by central differences of the analytic gradient.

    The 2n gradients are evaluated in one vectorised pass where the problem offers ``batch(X)``
    (objective and gradient at each row of ``X``); each row is computed exactly as a single
    call would compute it, so the Hessian is the same to the last bit either way.
    """
    n = len(x)
    batch = getattr(prob, "batch", None)
    if batch is not None:
        steps = np.eye(n) * eps
        grads = batch(np.concatenate([x + steps, x - steps]))[1]
        H = ((grads[:n] - grads[n:]) / (2 * eps)).T
        return (H + H.T) / 2
    H = np.empty((n, n))
    for j in range(n):
        step = np.zeros(n)
        step[j] = eps
        H[:, j] = (prob(x + step)[1] - prob(x - step)[1]) / (2 * eps)
    return (H + H.T) / 2


def box(prob: Problem) -> tuple[np.ndarray, np.ndarray]:
    """The problem's lower and upper bounds as arrays (None: unbounded)."""
    lo = np.array([-np.inf if b[0] is None else b[0] for b in prob.bounds()])
    hi = np.array([np.inf if b[1] is None else b[1] for b in prob.bounds()])
    return lo, hi


def projected_gradient(prob: Problem, x: np.ndarray, g: np.ndarray) -> np.ndarray:
    """The gradient without the components that push a variable at a bound out of its box."""
    lo, hi = box(prob)
    blocked = ((x <= lo) & (g > 0)) | ((x >= hi) & (g < 0))
    return np.where(blocked, 0.0, g)


def converge(prob: Problem, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Projected Newton steps from ``x`` until the projected gradient is below
    :data:`GRADIENT_TOL`; returns the optimum and the Hessian there.

    Variables at a bound whose gradient pushes them out stay fixed; the others take a Newton
    step, projected back into the box, halved until the objective does not rise. Raises
    RuntimeError when the fit does not converge (never silently returns an unfinished fit).
    """
    lo, hi = box(prob)
    x = np.clip(x, lo, hi)
    f, g = prob(x)
    for _ in range(MAX_NEWTON):
        H = hessian(prob, x)
        pg = projected_gradient(prob, x, g)
        if np.max(np.abs(pg)) < GRADIENT_TOL:
            return x, H
        free = pg != 0
        Hf = H[np.ix_(free, free)]
        # a tiny ridge keeps the step defined where the Hessian is singular (effects of an
        # estimator with one figure sit on the flat top of the smoothed Laplace prior)
        step = np.zeros_like(x)
        step[free] = -np.linalg.solve(Hf + 1e-12 * np.eye(len(Hf)), pg[free])
        a = 1.0
        while True:
            x_new = np.clip(x + a * step, lo, hi)
            f_new, g_new = prob(x_new)
            if f_new <= f + 1e-12 * abs(f) or a < 1e-6:
                break
            a /= 2
        if np.array_equal(x_new, x):
            break
        x, f, g = x_new, f_new, g_new
    pg = projected_gradient(prob, x, g)
    if np.max(np.abs(pg)) < GRADIENT_TOL:
        return x, hessian(prob, x)
    raise RuntimeError(
        f"pooled fit did not converge: projected gradient {np.max(np.abs(pg)):.2e} > {GRADIENT_TOL:g}"
    )


def fit(prob: Problem, x0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The optimum of ``prob`` from ``x0`` and the Hessian there: L-BFGS-B (run again from where
    it stopped while the projected gradient is above :data:`START_TOL`), then :func:`converge`."""
    x = np.asarray(x0, dtype=float)
    for _ in range(MAX_STARTS):
        x = minimize(prob, x, jac=True, method="L-BFGS-B", bounds=prob.bounds(), options=LBFGS_OPTIONS).x
        if np.max(np.abs(projected_gradient(prob, x, prob(x)[1]))) < START_TOL:
            break
    return converge(prob, x)
