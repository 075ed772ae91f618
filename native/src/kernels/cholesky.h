// Dense symmetric positive-definite factorisation and solves, row-major,
// blocked so that all but O(n^2 NB) of the work runs in gemm_strided_f32.
// Small diagonal blocks are factored / inverted unblocked with double
// accumulators; the triangular solves against a diagonal block multiply by
// its explicit inverse (a GEMM), which costs nothing in accuracy for the
// well-conditioned blocks of an SPD matrix and keeps every flop in GEMM.
// Determinism: the order of every reduction is fixed by the block grid and
// GEMM's, never by the thread count.
#pragma once
#include <cstdint>

namespace dpgcn {

// In place: a (n x n) holds L with L L^T = A in its lower triangle and zeros
// above; only the lower triangle of A is read. Returns -1 on success, else the
// first column whose pivot is not > 0 (not positive definite, or NaN); a is
// then partly overwritten.
int64_t cholesky_f32(float* a, int64_t n);

// In place: b (n x m) becomes X with L X = B (trans false) or L^T X = B
// (trans true); only the lower triangle of l (n x n) is read.
void trsm_lower_f32(const float* l, float* b, int64_t n, int64_t m, bool trans);

// In place: a holds L (lower triangle, as cholesky_f32 leaves it) and becomes
// (L L^T)^-1 in full (both triangles, symmetric): L^-1 in place, then L^-T L^-1
// built column strip by column strip in the upper triangle and mirrored down.
void cholesky_inverse_f32(float* a, int64_t n);

// Floats of scratch the three need for size n and m right-hand sides.
int64_t cholesky_workspace_floats(int64_t n, int64_t m);

}  // namespace dpgcn
