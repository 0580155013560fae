"""Versioned JSON and NPZ files (symbreak.io)."""

import json

import numpy as np
import pytest

from symbreak import io


def test_json_roundtrip_with_numpy(tmp_path):
    data = {"a": np.arange(3), "b": np.float64(0.5), "c": [np.int64(2), "x", None, True]}
    path = io.save_json(tmp_path / "sub" / "f.json", "branch", data, 3)
    doc = json.loads(path.read_text())
    assert doc["format"] == "symbreak.branch" and doc["version"] == 3
    assert "symbreak_version" in doc
    back, version = io.load_json(path, "branch", versions=(1, 2, 3))
    assert version == 3
    assert back == {"a": [0, 1, 2], "b": 0.5, "c": [2, "x", None, True]}
    assert list(tmp_path.joinpath("sub").iterdir()) == [path]  # no temporary files left


def test_json_errors(tmp_path):
    path = io.save_json(tmp_path / "f.json", "atlas", {"x": 1}, 2)
    with pytest.raises(ValueError, match="'symbreak.atlas'.*expected 'symbreak.branch'"):
        io.load_json(path, "branch", versions=(2,))
    with pytest.raises(ValueError, match="newer.*upgrade"):
        io.load_json(path, "atlas", versions=(1,))
    old = io.save_json(tmp_path / "old.json", "atlas", {"x": 1}, 1)
    with pytest.raises(ValueError, match="no longer reads.*recompute"):
        io.load_json(old, "atlas", versions=(2, 3))
    with pytest.raises(FileNotFoundError, match="no such file"):
        io.load_json(tmp_path / "missing.json", "atlas")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        io.load_json(tmp_path / "bad.json", "atlas")
    (tmp_path / "plain.json").write_text('{"a": 1}')
    with pytest.raises(ValueError, match="not a symbreak file"):
        io.load_json(tmp_path / "plain.json", "atlas")
    with pytest.raises(ValueError, match="JSON cannot store"):
        io.save_json(tmp_path / "nan.json", "atlas", {"x": float("nan")}, 1)
    with pytest.raises(TypeError, match="no JSON form"):
        io.save_json(tmp_path / "obj.json", "atlas", {"x": object()}, 1)
    with pytest.raises(ValueError, match="kind"):
        io.save_json(tmp_path / "k.json", "Bad Kind", {}, 1)
    with pytest.raises(ValueError, match="version"):
        io.save_json(tmp_path / "v.json", "atlas", {}, 0)
    assert not (tmp_path / "nan.json").exists()


def test_npz_roundtrip_and_errors(tmp_path):
    arrays = {"k": np.linspace(4, 5, 3), "labels": np.array(["a", "bc"])}
    path = io.save_npz(tmp_path / "f.npz", "branch", arrays, 1)
    back, version = io.load_npz(path, "branch")
    assert version == 1 and set(back) == {"k", "labels"}
    np.testing.assert_array_equal(back["k"], arrays["k"])
    assert back["labels"].tolist() == ["a", "bc"]
    with pytest.raises(ValueError, match="expected 'symbreak.atlas'"):
        io.load_npz(path, "atlas")
    with pytest.raises(TypeError, match="object"):
        io.save_npz(tmp_path / "o.npz", "branch", {"x": np.array([{}], dtype=object)}, 1)
    with pytest.raises(ValueError, match="'__'"):
        io.save_npz(tmp_path / "o.npz", "branch", {"__x": [1]}, 1)
    with pytest.raises(ValueError, match=".npz"):
        io.save_npz(tmp_path / "o.dat", "branch", {"x": [1]}, 1)
    with pytest.raises(FileNotFoundError):
        io.load_npz(tmp_path / "none.npz", "branch")


def test_write_json_atomic_roundtrip_and_no_torn_file(tmp_path):
    import json

    from symbreak.io import write_json_atomic

    path = write_json_atomic(tmp_path / "a" / "x.json", {"k": [1, 2.5]})
    assert json.loads(path.read_text()) == {"k": [1, 2.5]}
    with pytest.raises(ValueError):
        write_json_atomic(path, {"bad": float("nan")})
    assert json.loads(path.read_text()) == {"k": [1, 2.5]}  # old content kept
    assert [p.name for p in path.parent.iterdir()] == ["x.json"]  # no temporary left


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_written_files_follow_the_umask(tmp_path, umask):
    # issue 16: atlas.json and the cache files were 0600 whatever the umask
    import os
    import stat

    old = os.umask(umask)
    try:
        io.write_json_atomic(tmp_path / "a.json", {"x": 1})
        io.save_json(tmp_path / "b.json", "branch", {"x": 1}, version=1)
        io.save_npz(tmp_path / "c.npz", "branch", {"x": np.zeros(2)}, version=1)
        (tmp_path / "reference").write_text("written by open()")
    finally:
        os.umask(old)
    expected = 0o666 & ~umask
    assert stat.S_IMODE((tmp_path / "reference").stat().st_mode) == expected
    for name in ("a.json", "b.json", "c.npz"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == expected, name
