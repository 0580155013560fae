"""The Hessian spectrum at the global minimum W = V = I_k, at any k.

The analytic path (isotypic blocks A_chi) gives every eigenvalue with its exact
multiplicity and irrep label at a cost independent of k; at small k we check it
against the dense (k²×k²) Hessian.  MATH §3: 1/4 - 1/(2π) has multiplicity
k(k-1)/2 and 1/4 + 1/(2π) has k(k-3)/2.

Run:  python examples/global_minimum_spectrum.py [--quick] [--plot FILE.png]
"""

from __future__ import annotations

import argparse

import numpy as np

from symbreak import IsotropyGroup, TeacherStudent, analytic_spectrum
from symbreak._numerics import cluster_eigenvalues


def main(quick: bool = False, plot: str | None = None) -> dict:
    ks = [6, 100] if quick else [6, 100, 10_000, 1_000_000]
    out = {}
    for k in ks:
        s = analytic_spectrum(IsotropyGroup.from_spec("k", k), [1.0, 0.0])
        out[k] = s
        print(
            f"k = {k}: {len(s.entries)} distinct eigenvalues, "
            f"Σ multiplicity = {s.total_multiplicity}"
        )
        for e in s.entries:
            print(f"   {e.value:>14.10f}  x {e.multiplicity:<14} {e.irrep}")
    # dense cross-check at k = 6
    k = 6
    dense = cluster_eigenvalues(np.linalg.eigvalsh(TeacherStudent(np.eye(k)).hessian(np.eye(k))))
    print(f"dense check at k = {k}: {dense}")
    low = 0.25 - 1 / (2 * np.pi)
    print(f"1/4 - 1/(2π) = {low:.10f}, multiplicity k(k-1)/2 = {k * (k - 1) // 2}")
    if plot:
        from symbreak.plotting import spectrum_plot

        ax = spectrum_plot(out[ks[-1]], title=f"Hessian spectrum at W = V, k = {ks[-1]}")
        ax.figure.savefig(plot, dpi=120)
        print(f"wrote {plot}")
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small k only")
    ap.add_argument("--plot", default=None, help="write a spectrum plot to this file")
    args = ap.parse_args()
    main(quick=args.quick, plot=args.plot)
