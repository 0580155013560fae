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
