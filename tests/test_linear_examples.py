"""The linear-network example runs (at small size) and shows the contrast; public API."""

import pathlib
import runpy

import symbreak.linear as linear
from symbreak.linear import Kind

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_linear_contrast_example(capsys):
    module = runpy.run_path(str(ROOT / "examples" / "linear_contrast.py"))
    result = module["main"](n_starts=8, seed=1)
    out = capsys.readouterr().out
    filling, quadratic, logcosh = result["rows"]
    assert filling[3] == 0 and filling[2] >= 1  # no non-global minimum when filling
    assert quadratic[2:] == (1, 0, 2)  # Eckart–Young: I = {1} global, {2} and {} saddles
    assert logcosh[3] == 1
    assert result["counterexample"].point.kind == Kind.LOCAL_MINIMUM
    assert "non-global local minimum" in out


def test_public_api_is_documented():
    assert len(set(linear.__all__)) == len(linear.__all__)
    for name in linear.__all__:
        obj = getattr(linear, name)
        assert obj.__doc__ and obj.__doc__.strip(), name
