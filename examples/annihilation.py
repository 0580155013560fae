"""The annihilation story: extra neurons turn spurious minima into saddles.

For each spurious minimum of the k = 6 problem found in Fix(ΔS_k) and
Fix(Δ(S_{k-1}×S_1)), embed it into the over-parameterised problem with
n = k + ℓ student neurons by splitting neurons (w -> t·w, (1-t)·w; the network
function and criticality are preserved), and report the smallest ℓ that makes
it a saddle, the irrep carrying the descent direction, and a dense check: the
certificate vector has a negative Rayleigh quotient for the dense Hessian of
the n-neuron problem.

Run:  python examples/annihilation.py [--quick]
"""

from __future__ import annotations

import argparse

import numpy as np

from symbreak import (
    FixedPointSpace,
    IsotropyGroup,
    SearchOptions,
    TeacherStudent,
    annihilation,
    find_critical_points,
    isotypic_decomposition,
)
from symbreak.representation import copy_vector_matrix


def main(quick: bool = False) -> list[dict]:
    k = 6
    out = []
    for spec in ("k", "k-1,1"):
        group = IsotropyGroup.from_spec(spec, k)
        res = find_critical_points(group, options=SearchOptions(starts=8 if quick else 48))
        for p in res.points:
            if p.kind != "spurious_minimum" or p.isotropy != group.name:
                continue
            r = annihilation(group, p.coords, max_extra=2)
            best = min(
                (e for e in r.embeddings if e.extra == r.smallest_extra),
                key=lambda e: e.spectrum.min_eigenvalue,
            )
            # dense check of the descent direction in the (k + ℓ)-neuron problem
            W = FixedPointSpace(best.group).embed(best.coords)
            model = TeacherStudent(np.eye(k), n=W.shape[0])
            cert = best.certificate
            comp = next(c for c in isotypic_decomposition(best.group) if c.label == cert.irrep)
            u = sum(
                y * copy_vector_matrix(best.group, comp.irrep, cv)
                for y, cv in zip(cert.vector, comp.copies)
            )
            rq = float(np.sum(u * model.hvp(W, u)) / np.sum(u * u))
            print(
                f"{spec:>6} minimum (loss {p.loss:.7f}): saddle with {r.smallest_extra} extra "
                f"neuron(s), split {best.neuron_class} at t = {best.split:g}, "
                f"min eigenvalue {best.spectrum.min_eigenvalue:.6f} in {r.descent_irrep}; "
                f"dense Rayleigh quotient {rq:.6f}"
            )
            out.append(
                {
                    "spec": spec,
                    "loss": p.loss,
                    "extra": r.smallest_extra,
                    "rayleigh": rq,
                    "min_eig": best.spectrum.min_eigenvalue,
                }
            )
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true")
    main(quick=ap.parse_args().quick)
