"""Every public entry point that takes a group accepts an IsotropyGroup or a spec string.

With a spec string, ``k=`` (and ``extra_dims=``, ``d − k``) say where; the
result must equal the call with the group built by ``IsotropyGroup.from_spec``.
The list of entry points is derived from ``symbreak.__all__`` (a function or
class whose first parameter is a group), so a new one must be added here.
"""

import inspect

import numpy as np
import pytest

import symbreak as sb
from symbreak.representation import IsotropyGroup

TYPE_II = [0.986704, -0.050413, 0.308011, 0.224516, -0.601512]
G6 = IsotropyGroup.from_spec("k-1,1", 6)
G5 = IsotropyGroup.from_spec("k-1,1", 5)  # TYPE_II read at k = 5: a point with negative curvature
G6_WIDE = IsotropyGroup.from_spec("k-1,1", 6, d=8)  # d − k = 2
P7 = TYPE_II + [0.05, -0.02]  # a point of Fix(k-1,1) with two extra columns (7 coordinates)


def _search(group, **kw):
    res = sb.find_critical_points(group, options=sb.SearchOptions(starts=4, seed=1), **kw)
    return [(p.isotropy, round(p.loss, 12)) for p in res.points]


# name -> (call with the spec string, call with the group); both must give the same value
CASES = {
    "FixedPointSpace": (
        lambda: sb.FixedPointSpace("k-1,1", k=6, extra_dims=2),
        lambda: sb.FixedPointSpace(G6_WIDE),
    ),
    "ReducedSystem": (
        lambda: sb.ReducedSystem("k-1,1", k=6).loss(TYPE_II),
        lambda: sb.ReducedSystem(G6).loss(TYPE_II),
    ),
    "analytic_spectrum": (
        lambda: sb.analytic_spectrum("k-1,1", TYPE_II, k=6).to_json(),
        lambda: sb.analytic_spectrum(G6, TYPE_II).to_json(),
    ),
    "hessian_blocks": (
        lambda: [b.eigenvalues.tolist() for b in sb.hessian_blocks("k-1,1", P7, k=6, extra_dims=2)],
        lambda: [b.eigenvalues.tolist() for b in sb.hessian_blocks(G6_WIDE, P7)],
    ),
    "isotypic_decomposition": (
        lambda: sb.isotypic_decomposition("k-1,1", k=6),
        lambda: sb.isotypic_decomposition(G6),
    ),
    "find_critical_points": (lambda: _search("k-1,1", k=6), lambda: _search(G6)),
    "classify": (
        lambda: sb.classify("k-1,1", TYPE_II, k=6).to_json(),
        lambda: sb.classify(sb.ReducedSystem(G6), TYPE_II).to_json(),
    ),
    "exact_isotropy": (
        lambda: sb.exact_isotropy("k-1,1", TYPE_II, k=6).spec,
        lambda: sb.exact_isotropy(sb.FixedPointSpace(G6), TYPE_II).spec,
    ),
    "annihilation": (
        lambda: sb.annihilation("k-1,1", TYPE_II, k=6, max_extra=1).to_json(),
        lambda: sb.annihilation(G6, TYPE_II, max_extra=1).to_json(),
    ),
    "split_neuron": (
        lambda: sb.split_neuron("k-1,1", TYPE_II, 0, k=6)[1].tolist(),
        lambda: sb.split_neuron(G6, TYPE_II, 0)[1].tolist(),
    ),
    "block_certificate": (
        lambda: sb.block_certificate("k-1,1", TYPE_II, k=5).rayleigh_quotient,
        lambda: sb.block_certificate(G5, TYPE_II).rayleigh_quotient,
    ),
    "certify_critical_point": (
        lambda: sb.certify_critical_point("k-1,1", TYPE_II, k=6).kind,
        lambda: sb.certify_critical_point(G6, TYPE_II).kind,
    ),
    "continue_branch": (
        lambda: sb.continue_branch("k-1,1", TYPE_II, k0=6, k1=6.2).k.tolist(),
        lambda: sb.continue_branch(G6, TYPE_II, k1=6.2).k.tolist(),
    ),
    "continuation": (
        lambda: sb.continue_branch("k-1,1", TYPE_II, k0=6, k1=6.2).loss.tolist(),
        lambda: sb.continue_branch(G6, TYPE_II, k1=6.2).loss.tolist(),
    ),
    "asymptotic_series": (
        lambda: sb.asymptotic_series("k", [1.0, 0.0], k0=6, order=1).loss.coefficients,
        lambda: sb.asymptotic_series(
            IsotropyGroup.from_spec("k", 6), [1.0, 0.0], order=1
        ).loss.coefficients,
    ),
    "eigenvalue_crossing": (
        lambda: sb.eigenvalue_crossing("k-1,1", TYPE_II, k0=6, k_bracket=(5, 6)).k_estimate,
        lambda: sb.eigenvalue_crossing(G6, TYPE_II, k_bracket=(5, 6)).k_estimate,
    ),
}

#: public callables whose first argument is not a group (a record, a point, a matrix, ...)
NOT_GROUP_FIRST = {"switch_branch", "check_interlacing", "detect_isotropy", "run_atlas"}


def _takes_a_group_first(obj) -> bool:
    try:
        params = list(inspect.signature(obj).parameters.values())
    except (TypeError, ValueError):
        return False
    if not params:
        return False
    first = params[0]
    hint = str(first.annotation)
    return first.name in ("group", "spec", "system", "space") or "IsotropyGroup" in hint


def test_every_group_entry_point_is_covered():
    names = {
        n
        for n in sb.__all__
        if callable(getattr(sb, n))
        and not inspect.isclass(getattr(sb, n))
        and _takes_a_group_first(getattr(sb, n))
    }
    names |= {"FixedPointSpace", "ReducedSystem"}
    missing = names - set(CASES) - NOT_GROUP_FIRST
    assert not missing, f"add {sorted(missing)} to CASES (spec string and group)"


@pytest.mark.parametrize("name", sorted(CASES))
def test_spec_string_and_group_give_the_same_result(name):
    with_spec, with_group = CASES[name]
    a, b = with_spec(), with_group()
    if isinstance(a, float):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-14)
    else:
        assert a == b


def test_a_spec_string_needs_k():
    for call in (
        lambda: sb.FixedPointSpace("k-1,1"),
        lambda: sb.analytic_spectrum("k-1,1", TYPE_II),
        lambda: sb.find_critical_points("k-1,1"),
        lambda: sb.annihilation("k-1,1", TYPE_II),
        lambda: sb.isotypic_decomposition("k-1,1"),
    ):
        with pytest.raises(ValueError, match="give k"):
            call()
    with pytest.raises(TypeError, match="IsotropyGroup or a spec string"):
        sb.isotypic_decomposition(np.eye(3))
