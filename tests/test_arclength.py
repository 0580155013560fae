"""The parameter-generic pseudo-arclength core on curves known in closed form."""

import numpy as np
import pytest

from symbreak.continuation import ContinuationOptions, Status, follow
from symbreak.continuation.corrector import correct, tangent
from symbreak.errors import DomainError


class Circle:
    """F(x, lam) = x^2 + lam^2 - 1: a fold in lam at x = 0 (lam = ±1)."""

    def jacobian(self, z):
        x, lam = z
        return np.array([x * x + lam * lam - 1.0]), np.array([[2 * x, 2 * lam]])


class Cubic:
    """x^3 - x - lam = 0 in (x, lam), defined only for lam > -5 (DomainError below)."""

    def jacobian(self, z):
        x, lam = z
        if lam < -5:
            raise DomainError("outside")
        return np.array([x**3 - x - lam]), np.array([[3 * x * x - 1.0, -1.0]])


def test_follow_goes_through_a_fold_and_stays_on_the_curve():
    opts = ContinuationOptions(ds=0.05, ds_max=0.1)
    z0 = np.array([1.0, 0.0])
    t0 = tangent(Circle(), z0, direction=1.0)  # lam increasing
    # lam must stay in [-0.5, 2]; the circle turns back at lam = 1 and leaves through -0.5
    path = follow(Circle(), z0, t0, lo=-0.5, hi=2.0, target=1, options=opts)
    assert path.status is Status.LEFT_WINDOW
    zs = path.zs
    np.testing.assert_allclose(zs[:, 0] ** 2 + zs[:, 1] ** 2, 1.0, atol=1e-10)
    assert zs[:, 1].max() > 0.999  # passed the fold at lam = 1
    assert zs[-1, 1] == pytest.approx(-0.5, abs=1e-12) and zs[-1, 0] < 0  # other sheet
    # consecutive tangents keep their orientation
    assert np.all(np.sum(path.ts[1:] * path.ts[:-1], axis=1) > 0)


def test_follow_lands_exactly_on_the_window_end_and_records_points():
    opts = ContinuationOptions()
    z0 = np.array([1.5, 1.5**3 - 1.5])  # on the branch x > 1/sqrt(3), where lam increases with x
    t0 = tangent(Cubic(), z0, direction=1.0)
    seen = []
    path = follow(
        Cubic(),
        z0,
        t0,
        lo=1.0,
        hi=6.0,
        target=1,
        options=opts,
        make_point=lambda z, t, end: (float(z[1]), end),
        progress=seen.append,
        stage="cubic",
        describe=lambda rec: {"lam": rec[0]},
    )
    assert path.status is Status.COMPLETED
    assert path.points[0][1] == "start" and path.points[-1] == (6.0, "hi")
    x, lam = path.zs[-1]
    assert abs(x**3 - x - lam) < 1e-10
    # the one progress protocol: a ProgressUpdate per accepted point, numbered from 0
    assert [u.done for u in seen] == list(range(len(path.points)))
    assert {u.stage for u in seen} == {"cubic"}
    assert [u.info["lam"] for u in seen] == [p[0] for p in path.points]
    # the former protocol, progress(step, record), still works and warns
    old = []
    with pytest.warns(DeprecationWarning, match="ProgressUpdate"):
        follow(Cubic(), z0, t0, lo=1.0, hi=6.0, target=1, options=opts,
               progress=lambda i, rec: old.append(i))  # fmt: skip
    assert old == list(range(len(path.points)))


def test_corrector_reports_the_domain_and_fixed_parameter_solves():
    opts = ContinuationOptions()
    e = np.array([0.0, 1.0])
    res = correct(Cubic(), [1.2, 0.0], e, 0.0, opts)  # solve x^3 - x = 0 at lam = 0 from 1.2
    assert res.converged and res.z[0] == pytest.approx(1.0, abs=1e-12)
    assert correct(Cubic(), [1.0, -6.0], e, -6.0, opts).reason == "domain"


def test_from_the_middle_sheet_the_cubic_folds_back():
    # x^3 - x = lam from (0, 0) with lam increasing: x decreases to -1/sqrt(3), where lam has a
    # fold at lam = 2 / (3 sqrt 3); the branch then returns and leaves through the lower end
    z0 = np.array([0.0, 0.0])
    path = follow(
        Cubic(),
        z0,
        tangent(Cubic(), z0, direction=1.0),
        lo=-1.0,
        hi=6.0,
        target=1,
        options=ContinuationOptions(),
    )
    assert path.status is Status.LEFT_WINDOW
    assert path.zs[:, 1].max() == pytest.approx(2 / (3 * np.sqrt(3)), abs=1e-3)
    assert path.zs[-1, 1] == pytest.approx(-1.0, abs=1e-12)
