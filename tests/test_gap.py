"""Cross-check characters, class sizes and decompositions against GAP (skipped without GAP).

Uses only what Debian's ``gap-core`` provides (``Irr(SymmetricGroup(n))``,
``PermutationCharacter``); the labelled generic table ``CharacterTable("Symmetric", n)``
needs the character table library (Debian ``gap-character-tables``) and is
checked only when that package loads.
"""

import ast
import shutil
import subprocess

import numpy as np
import pytest

from symbreak.representation import (
    IsotropyGroup,
    character,
    character_decomposition,
    character_table,
    class_size,
)

GAP = shutil.which("gap")
pytestmark = pytest.mark.skipif(
    GAP is None, reason="GAP is not installed (apt-get install gap-core)"
)

MAX_N = 8
GROUPS = [
    ("k", 4, None),
    ("k-1,1", 5, None),
    ("k-2,2", 5, None),
    ("k-1,1|1", 4, None),
    ("2,1||2", 3, 5),
]


def run_gap(script: str) -> list[str]:
    proc = subprocess.run(
        [GAP, "-q", "-A", "-b"],
        input="SizeScreen([4096, 100]);;\n" + script + "\nQUIT;\n",
        capture_output=True,
        text=True,
        timeout=300,
    )
    if proc.returncode != 0 or "Error" in proc.stdout + proc.stderr:
        pytest.fail(f"GAP failed:\n{proc.stdout}\n{proc.stderr}")
    return [line for line in proc.stdout.splitlines() if line.startswith("@")]


def cell_generators(group):
    """Generators of H as permutations of the n·d cells (GAP lists, 1-based)."""
    n, d = group.shape
    out = []
    for gen in group.generators():
        pi, rho = group.permutations(gen)
        img = (pi[:, None] * d + rho[None, :]).ravel() + 1
        out.append("PermList([" + ",".join(str(int(x)) for x in img) + "])")
    return out


GAP_FUNCTIONS = """
table := function(n)
  local t;
  t := CharacterTable(SymmetricGroup(n));
  Print("@table ", n, " ",
        List(ConjugacyClasses(t), c -> CycleLengths(Representative(c), [1 .. n])), " ",
        SizesConjugacyClasses(t), " ", List(Irr(t), ValuesOfClassFunction), "\\n");
end;;
decomp := function(idx, gens, N)
  local H, pc;
  H := Group(gens);
  pc := PermutationCharacter(H, [1 .. N], OnPoints);
  Print("@decomp ", idx, " ", List(Filtered(Irr(H), x -> ScalarProduct(x, pc) <> 0),
                                   x -> [ScalarProduct(x, pc), x[1]]), "\\n");
end;;
generic := function(n)
  local s;
  s := CharacterTable("Symmetric", n);
  Print("@generic ", n, " ", List(ClassParameters(s), x -> x[2]), " ",
        List(CharacterParameters(s), x -> x[2]), " ", List(Irr(s), ValuesOfClassFunction), "\\n");
end;;
"""


@pytest.fixture(scope="module")
def gap_output():
    lines = [GAP_FUNCTIONS]
    lines += [f"table({n});" for n in range(1, MAX_N + 1)]
    for idx, (spec, k, d) in enumerate(GROUPS):
        group = IsotropyGroup.from_spec(spec, k, d=d)
        N = group.shape[0] * group.shape[1]
        lines.append(f"decomp({idx}, [{', '.join(cell_generators(group))}], {N});")
    generic = " ".join(f"generic({n});" for n in range(1, MAX_N + 1))
    lines.append(f'if LoadPackage("ctbllib", false) = true then {generic} fi;')
    return run_gap("\n".join(lines))


def parse(line):
    tag, idx, rest = line.split(" ", 2)
    parts = []
    depth, start = 0, 0
    for i, ch in enumerate(rest):  # split the space-separated top-level GAP lists
        depth += ch == "["
        depth -= ch == "]"
        if ch == " " and depth == 0:
            parts.append(rest[start:i])
            start = i + 1
    parts.append(rest[start:])
    return tag, int(idx), [ast.literal_eval(p) for p in parts if p.strip()]


@pytest.mark.parametrize("n", range(1, MAX_N + 1))
def test_character_table_and_class_sizes_match_gap(gap_output, n):
    (cycle_types, sizes, irr) = next(
        p for t, i, p in map(parse, gap_output) if t == "@table" and i == n
    )
    cycle_types = [tuple(sorted(c, reverse=True)) for c in cycle_types]
    assert [class_size(mu) for mu in cycle_types] == sizes
    # GAP does not label the irreps without the table library: compare the sets of rows
    ours = sorted(
        tuple(character(lam, mu) for mu in cycle_types) for lam in character_table(n).irreps
    )
    assert ours == sorted(tuple(row) for row in irr)


@pytest.mark.parametrize("idx", range(len(GROUPS)))
def test_decomposition_of_m_nd_matches_gap(gap_output, idx):
    (pairs,) = next(p for t, i, p in map(parse, gap_output) if t == "@decomp" and i == idx)
    spec, k, d = GROUPS[idx]
    ours = sorted(
        (c.multiplicity, c.dimension)
        for c in character_decomposition(IsotropyGroup.from_spec(spec, k, d=d))
    )
    assert ours == sorted(tuple(p) for p in pairs)


@pytest.mark.parametrize("n", range(1, MAX_N + 1))
def test_labelled_generic_table_matches_gap(gap_output, n):
    found = [p for t, i, p in map(parse, gap_output) if t == "@generic" and i == n]
    if not found:
        pytest.skip("GAP character table library (Debian gap-character-tables) not available")
    class_params, char_params, irr = found[0]
    values = np.array(irr)
    for r, lam in enumerate(char_params):
        for c, mu in enumerate(class_params):
            assert character(tuple(lam), tuple(mu)) == values[r, c]
