import io

import pytest

from symbreak.errors import DomainError, NotDifferentiableError
from symbreak.progress import ProgressUpdate, TqdmProgress, as_progress


def test_update_fraction():
    assert ProgressUpdate("s", 3, 12).fraction == 0.25
    assert ProgressUpdate("s", 3).fraction is None
    assert ProgressUpdate("s", 0, 0).fraction is None


def test_as_progress():
    seen = []
    as_progress(seen.append)(ProgressUpdate("a", 1, 2))
    assert seen == [ProgressUpdate("a", 1, 2)]
    assert as_progress(None)(ProgressUpdate("a", 1, 2)) is None
    with pytest.raises(TypeError, match="callable"):
        as_progress(3)


def test_tqdm_progress_non_tty_prints_one_line_per_finished_stage():
    out = io.StringIO()
    p = TqdmProgress(out)
    p(ProgressUpdate("search", 1, 3))
    p(ProgressUpdate("search", 3, 3, {"converged": 2}))
    assert out.getvalue() == "[search] 3/3 done, converged 2\n"


def test_tqdm_progress_non_tty_writes_a_status_line_for_a_long_stage():
    """Without bars a running stage reports at most every ``interval`` seconds, with the
    time left extrapolated from its rate: 10 units in 60 s, 90 left -> about 9 min."""
    out = io.StringIO()
    now = [100.0]
    p = TqdmProgress(out, interval=60.0, clock=lambda: now[0])
    p(ProgressUpdate("prove", 0, 100))
    now[0] = 130.0
    p(ProgressUpdate("prove", 5, 100))  # 30 s: too early for a line
    assert out.getvalue() == ""
    now[0] = 160.0
    p(ProgressUpdate("prove", 10, 100, {"open": 7}))
    assert out.getvalue() == "[prove] 10/100, about 9 min left, open 7\n"
    now[0] = 170.0
    p(ProgressUpdate("prove", 12, 100))  # 10 s after the last line: nothing
    now[0] = 230.0
    p(ProgressUpdate("stage2", 3, None))  # another stage starts its own clock
    p(ProgressUpdate("prove", 100, 100))
    lines = out.getvalue().splitlines()
    assert lines[1:] == ["[prove] 100/100 done"]
    now[0] = 300.0
    p(ProgressUpdate("stage2", 9, None))  # no total: no time left
    assert out.getvalue().splitlines()[-1] == "[stage2] 9"


def test_tqdm_progress_bar_draws_and_closes():
    out = io.StringIO()
    p = TqdmProgress(out, disable=False)
    p(ProgressUpdate("runs", 1, 4, {"converged": 1}))
    p(ProgressUpdate("runs", 4, 4))
    text = out.getvalue()
    assert "runs" in text and "4/4" in text
    assert p._bars == {}


def test_error_hierarchy():
    assert issubclass(NotDifferentiableError, DomainError)
    assert issubclass(DomainError, ValueError)
