"""The main job: files, schema, plots, report-vs-JSON, reuse, resume, workers."""

import json
import re
import struct
from importlib import resources

import pytest

from symbreak.atlas import AtlasOptions, run_atlas
from symbreak.atlas.report import summary_rows
from symbreak.cli import main

SMALL = AtlasOptions(
    k_values=(6,), groups=("k", "k-1,1"), k_range=(5.0, 7.0), starts=6, max_extra=1, spectrum_k=6.0
)


@pytest.fixture(scope="module")
def atlas_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("atlas")
    calls = []
    atlas = run_atlas(out, SMALL, progress=calls.append)
    return out, atlas, calls


def _png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    w, h = struct.unpack(">II", data[16:24])
    return w, h


def test_files_exist_and_json_validates(atlas_dir):
    jsonschema = pytest.importorskip("jsonschema")
    out, atlas, _ = atlas_dir
    for name in ("atlas.json", "report.md", "bifurcation.png"):
        assert (out / name).exists(), name
    data = json.loads((out / "atlas.json").read_text())
    schema = json.loads(resources.files("symbreak.atlas").joinpath("schema.json").read_text())
    jsonschema.validate(data, schema)
    assert data == json.loads(json.dumps(atlas))


def test_plots_are_real_images(atlas_dir):
    out, atlas, _ = atlas_dir
    pngs = [n for n in atlas["figures"] if n.endswith(".png")]
    assert "bifurcation.png" in pngs and any(n.startswith("spectrum-") for n in pngs)
    for name in pngs:
        w, h = _png_size(out / name)
        assert 600 <= w <= 1200 and 400 <= h <= 800, (name, w, h)


def test_report_numbers_match_json(atlas_dir):
    out, atlas, _ = atlas_dir
    text = (out / "report.md").read_text()
    table_rows = [line for line in text.splitlines() if re.match(r"\| F\d+ \| `", line)]
    assert len(table_rows) == len(atlas["families"])
    for row, fam in zip(table_rows, atlas["families"]):
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[0] == fam["id"]
        assert float(cells[3]) == pytest.approx(fam["loss"], abs=1e-9)
        assert float(cells[4]) == pytest.approx(float(fam["index"]))
        assert cells[5] == fam["kind"]
        assert int(cells[6]) == len(fam["events"])
    assert [r[0] for r in summary_rows(atlas)] == [f["id"] for f in atlas["families"]]
    # every event of the JSON appears in the events table with its k
    for fam in atlas["families"]:
        for e in fam["events"]:
            assert f"{e['k']:.10f}" in text


def test_known_physics_in_the_atlas(atlas_dir):
    _, atlas, _ = atlas_dir
    kinds = [f["kind"] for f in atlas["families"]]
    assert kinds.count("global_minimum") == 1
    t2 = [
        f
        for f in atlas["families"]
        if f["isotropy"] == "k-1,1" and abs(f["loss"] - 0.0250806) < 1e-6
    ]
    assert len(t2) == 1
    # the type-II family becomes a minimum between k = 5 and 6 (one event, in [k-2,1] x [1])
    evs = [e for e in t2[0]["events"] if 5 < e["k"] < 6]
    assert len(evs) == 1 and evs[0]["irrep"] == "[k-2,1] x [1]"
    assert t2[0]["minimum_window"][0][0] == pytest.approx(evs[0]["k"], abs=1e-12)
    assert t2[0]["overparam"]["saddle"] is True


def test_integer_k_tables_match_the_dense_model(atlas_dir):
    import numpy as np
    from _helpers import dense_model

    from symbreak.reduced.fixed_point import FixedPointSpace
    from symbreak.representation import IsotropyGroup

    _, atlas, _ = atlas_dir
    checked = 0
    for fam in atlas["families"]:
        ks = [e["k"] for e in fam["at_integer_k"]]
        assert fam["k0"] in ks  # the seed itself
        for e in fam["at_integer_k"]:
            group = IsotropyGroup.from_spec(fam["isotropy"], e["k"])
            W = FixedPointSpace(group).embed(e["coords"])
            model = dense_model(group)
            assert np.abs(model.grad(W)).max() < 1e-8
            assert model.loss(W) == pytest.approx(e["loss"], abs=1e-10)
            ev = np.linalg.eigvalsh(model.hessian(W))
            assert int(np.sum(ev < -1e-9)) == e["index"]
            assert ev[0] == pytest.approx(e["min_eig"], abs=1e-7)
            checked += 1
    # the window (5, 7) holds the integers 5, 6, 7 for every family
    assert checked == 3 * len(atlas["families"])


def test_type_ii_family_at_integer_k(atlas_dir):
    # MATH §4: a saddle of index 3 at k = 5 (loss 0.0269705), a minimum at k = 6
    _, atlas, _ = atlas_dir
    t2 = next(f for f in atlas["families"] if abs(f["loss"] - 0.0250806) < 1e-6)
    by_k = {e["k"]: e for e in t2["at_integer_k"]}
    assert by_k[5.0]["index"] == 3 and by_k[5.0]["loss"] == pytest.approx(0.0269705, abs=1e-7)
    assert by_k[6.0]["index"] == 0 and by_k[6.0]["min_eig"] == pytest.approx(0.00470, abs=1e-5)


def test_typed_records_read_the_file(atlas_dir):
    from symbreak.atlas import Atlas

    out, atlas, _ = atlas_dir
    typed = Atlas.load(out)
    assert [f.id for f in typed.families] == [f["id"] for f in atlas["families"]]
    assert typed.options == SMALL
    t2 = next(f for f in typed.families if abs(f.loss - 0.0250806) < 1e-6)
    assert typed.family(t2.id) is t2 and [p.index for p in t2.at(6)] == [0]
    assert any(f is t2 for f, _ in typed.minima_at(6))
    assert not any(f is t2 for f, _ in typed.minima_at(5))  # index 3 at k = 5
    with pytest.raises(KeyError):
        typed.family("F999")


def test_second_run_reuses_and_interrupted_run_resumes(atlas_dir, tmp_path):
    out, atlas, first_calls = atlas_dir
    calls = []
    again = run_atlas(out, SMALL, progress=calls.append)
    # everything came from the cache: one update per stage, all units cached
    assert calls and all(c.done == c.total == c.info["cached"] for c in calls)
    assert again["units"]["computed"] == 0 and again["units"]["reused"] > 0
    assert again["families"] == atlas["families"]
    # simulate an interruption: drop one continuation unit and rerun
    cache = next((out / ".cache").iterdir())
    victim = sorted(cache.glob("continue-*.json"))[0]
    victim.unlink()
    calls = []
    resumed = run_atlas(out, SMALL, progress=calls.append)
    recomputed = [c for c in calls if "cached" not in c.info]
    assert len(recomputed) == 1 and recomputed[0].stage.startswith("continue")
    assert resumed["units"]["computed"] == 1 and victim.exists()
    assert resumed["families"] == atlas["families"]


def test_different_arguments_never_mix(atlas_dir):
    out, atlas, _ = atlas_dir
    other = AtlasOptions(**{**SMALL.__dict__, "starts": 5})
    assert other.fingerprint() != SMALL.fingerprint()
    run_atlas(out, other, plots=False, progress=None)
    assert len(list((out / ".cache").iterdir())) == 2


def test_workers_give_identical_results(atlas_dir, tmp_path):
    _, atlas, _ = atlas_dir
    par = run_atlas(tmp_path / "par", SMALL, workers=2, plots=False, progress=None)
    assert par["families"] == atlas["families"]
    assert par["searches"] == atlas["searches"]
    assert _results(par) == _results(atlas)  # everything but timing and cache counts


def test_cli_atlas_json(tmp_path, capsys):
    out = tmp_path / "cli"
    argv = [
        "atlas",
        "--out",
        str(out),
        "--k-values",
        "6",
        "--group",
        "k",
        "--k-range",
        "5,7",
        "--starts",
        "4",
        "--max-extra",
        "1",
        "--no-plots",
        "--quiet",
        "--json",
    ]
    assert main(argv) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["summary"]["families"] >= 2 and (out / "atlas.json").exists()


def test_bad_options_are_rejected():
    with pytest.raises(ValueError):
        AtlasOptions(k_range=(5.0, 4.0))
    with pytest.raises(ValueError):
        AtlasOptions(k_values=(30,))
    with pytest.raises(ValueError, match="workers"):
        run_atlas("/nonexistent-never-created", SMALL, workers=0)


def test_family_keys_do_not_depend_on_the_other_families(atlas_dir, tmp_path):
    # the key names the family by its own isotropy, first k and loss; a run that
    # searches fewer groups finds fewer families but gives the shared ones the same key
    _, atlas, _ = atlas_dir
    keys = {f["key"]: f for f in atlas["families"]}
    for f in atlas["families"]:
        iso, rest = f["key"].rsplit("@", 1)
        k0, loss = rest.split(":")
        assert iso == f["isotropy"] and float(k0) == f["k0"]
        assert abs(float(loss) - f["loss"]) <= 1e-6 * max(1.0, abs(f["loss"]))
    fewer = run_atlas(
        tmp_path / "fewer",
        AtlasOptions(**{**SMALL.__dict__, "groups": ("k-1,1",)}),
        plots=False,
        progress=None,
    )
    shared = [f for f in fewer["families"] if f["key"] in keys]
    assert shared, "the type-II family is found by both runs"
    for f in shared:
        assert keys[f["key"]]["isotropy"] == f["isotropy"]
        assert abs(keys[f["key"]]["loss"] - f["loss"]) < 1e-9


# --- typed records (issue 11, item 8) and determinism --------------------------------------


def _results(atlas: dict) -> dict:
    """Everything but the run's own bookkeeping (timing, cache counts, plot names)."""
    return {k: v for k, v in atlas.items() if k not in ("timing", "units", "figures")}


def test_records_round_trip_the_written_file(atlas_dir):
    """atlas.json -> Atlas -> JSON gives the file back, key order included; records round-trip."""
    from symbreak.atlas import Atlas, Family
    from symbreak.atlas.records import AtlasEvent, BranchPart, IntegerKPoint, SpectrumAtK

    out, atlas, _ = atlas_dir
    text = (out / "atlas.json").read_text()
    data = json.loads(text)
    rec = Atlas.from_json(data)
    again = rec.to_json()
    assert again == data
    assert json.dumps(again, indent=2) == json.dumps(data, indent=2)  # the same key order
    assert Atlas.from_json(json.loads(json.dumps(again))) == rec
    for f in rec.families:
        assert Family.from_json(f.to_json()) == f
        assert all(AtlasEvent.from_json(e.to_json()) == e for e in f.events)
        assert all(IntegerKPoint.from_json(p.to_json()) == p for p in f.at_integer_k)
        for part in (f.down, f.up):
            assert part is None or BranchPart.from_json(part.to_json()) == part
        if f.spectrum_at_k is not None:
            assert SpectrumAtK.from_json(f.spectrum_at_k.to_json()) == f.spectrum_at_k
    # typed fields read the same numbers as the raw JSON
    for f, d in zip(rec.families, data["families"]):
        assert (f.id, f.k0, f.loss, f.kind) == (d["id"], d["k0"], d["loss"], d["kind"])
        assert [e.k for e in f.events] == [e["k"] for e in d["events"]]
        n = [len(d["branch"][p]["points"]) if d["branch"][p] else 0 for p in ("down", "up")]
        # both halves start at k0: the branch lists that point once
        assert len(f.branch_rows()) == sum(n) - (1 if all(n) else 0)


def test_summary_counts_match_the_families(atlas_dir):
    """The summary record counts what the families say (counted here from the JSON)."""
    from symbreak.atlas import Atlas

    _, atlas, _ = atlas_dir
    s = Atlas.from_json(atlas).summary
    fams = atlas["families"]
    assert s.families == len(fams) == s["families"]
    assert s.spurious_minima == sum(f["kind"] == "spurious_minimum" for f in fams)
    assert s.events == sum(len(f["events"]) for f in fams)
    assert s.groups_searched == len(atlas["searches"]) == 2


def test_notes_and_skipped_units_round_trip():
    from symbreak.atlas.records import AnnihilationSkipped, BranchPart, BranchRow, Continuation

    part = BranchPart(
        status="completed",
        message="m",
        points=(BranchRow(5.0, (0.1, 0.2), 0.3, 1, (("[k]", (1.0, 2.0)),)),),
        notes=("touch not examined: ...",),
    )
    assert part.to_json()["notes"] == ["touch not examined: ..."]
    assert "notes" not in BranchPart("completed", "m", ()).to_json()
    cont = Continuation("k", 6.0, (5.0, 7.0), part, None)
    assert Continuation.from_json(json.loads(json.dumps(cont.to_json()))) == cont
    for skipped in (
        AnnihilationSkipped(8.0, "error", message="Newton at k = 8: failed"),
        AnnihilationSkipped(6.0, "not_a_minimum", coords=(0.5, -0.25)),
    ):
        assert AnnihilationSkipped.from_json(skipped.to_json()) == skipped


def test_a_second_fresh_run_gives_identical_families_and_events(atlas_dir, tmp_path):
    """Determinism: a fresh directory (no cache) gives exactly the same atlas.json."""
    _, atlas, _ = atlas_dir
    again = run_atlas(tmp_path / "again", SMALL, plots=False, progress=None)
    assert again["units"]["reused"] == 0
    assert _results(again) == _results(atlas)


@pytest.mark.parametrize("hashseed", ["0", "1"])
def test_hash_randomisation_does_not_change_the_atlas(atlas_dir, tmp_path, hashseed):
    """String hashing (set and dict order of labels) must not leak into the results."""
    import os
    import subprocess
    import sys

    _, atlas, _ = atlas_dir
    out = tmp_path / f"h{hashseed}"
    code = (
        "import sys\n"
        "from symbreak.atlas import AtlasOptions, run_atlas\n"
        f"opts = AtlasOptions.from_json({json.dumps(SMALL.to_json())})\n"
        "run_atlas(sys.argv[1], opts, plots=False)\n"
    )
    env = dict(os.environ, PYTHONHASHSEED=hashseed)
    subprocess.run([sys.executable, "-c", code, str(out)], check=True, env=env)
    other = json.loads((out / "atlas.json").read_text())
    assert _results(other) == _results(json.loads(json.dumps(atlas)))


def test_records_keep_every_key_their_producers_write():
    """The atlas records copy the JSON of ``CriticalPoint`` and ``AnnihilationResult``
    field by field; a key added to a producer must not vanish from atlas.json silently."""
    from symbreak.atlas.records import Annihilation, FoundPoint
    from symbreak.critical import SearchOptions, find_critical_points
    from symbreak.overparam import annihilation

    pts = find_critical_points("k-1,1", k=6, options=SearchOptions(max_loss=0.03)).points
    p = next(p for p in pts if p.kind == "spurious_minimum")
    produced = p.to_json()
    kept = FoundPoint.from_json(produced).to_json()
    assert set(produced) <= set(kept), sorted(set(produced) - set(kept))
    res = annihilation("k-1,1", p.coords, k=6, max_extra=1)
    produced = {**res.to_json(), "k": 6.0, "coords": list(p.coords)}
    kept = Annihilation.from_json(produced).to_json()
    assert set(produced) <= set(kept), sorted(set(produced) - set(kept))
    assert kept["annihilated_at"] == produced["annihilated_at"] == 1
