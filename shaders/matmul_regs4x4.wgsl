// Batched matmul, barrier-free register blocking: each thread computes a 4 x 4 block of C in
// registers, reading A and B straight from storage. No workgroup memory and no barriers, which is what
// software adapters (SwiftShader, lavapipe) run fastest. Launched by src/engine/ops/matmul.ts (forward
// and backward go through these entry points with the transpose flags swapped).
// Shapes: op(A) is M x K, op(B) is K x N, C is M x N, row-major per batch slice; A stored [K, M] when
//   TRANS_A, B stored [N, K] when TRANS_B. Batch slices as in matmul_naive.wgsl (stride 0 broadcasts,
//   batch_reduce slices summed into one output).
// Grid: a workgroup of WG_X x WG_Y threads covers a (4 WG_Y) x (4 WG_X) block of C; thread (tx, ty)
//   owns rows m0 = 4 gid.y .. +3 and columns n0 = 4 gid.x .. +3; z = output batch. Edge threads clamp
//   their reads to the last row/column (no branches in the k loop) and skip out-of-range writes.
// Two entry points: matmul_forward takes any shape with scalar loads; matmul_forward_vec4 needs each
//   operand's contiguous dimension to be a multiple of 4 (the launcher checks) and reads 4 x 4 blocks
//   as four vec4 loads, which halves the load instructions and runs about twice as fast on SwiftShader.
// Contract: C is overwritten, or summed into when accumulate = 1.

struct Params {
  M: u32,
  N: u32,
  K: u32,
  batch_reduce: u32,
  stride_a: u32,
  stride_b: u32,
  stride_c: u32,
  accumulate: u32,
}

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override WG_X: u32 = 8u;
override WG_Y: u32 = 8u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
// The same buffers seen as vec4 (matmul_forward_vec4 only; an entry point uses one view or the other).
@group(0) @binding(1) var<storage, read> a4: array<vec4f>;
@group(0) @binding(2) var<storage, read> b4: array<vec4f>;

// Offsets of op(A)[m, 0] and op(B)[0, n]; successive k add a_step / b_step.
fn a_row(m: u32) -> u32 { return select(m * p.K, m, TRANS_A); }
fn b_col(n: u32) -> u32 { return select(n, n * p.K, TRANS_B); }

@compute @workgroup_size(WG_X, WG_Y)
fn matmul_forward(@builtin(global_invocation_id) gid: vec3u) {
  let m0 = gid.y * 4u;
  let n0 = gid.x * 4u;
  if (m0 >= p.M || n0 >= p.N) { return; }
  let a_step = select(1u, p.M, TRANS_A);
  let b_step = select(p.N, 1u, TRANS_B);
  let last_m = p.M - 1u;
  let last_n = p.N - 1u;
  let ra = vec4u(a_row(m0), a_row(min(m0 + 1u, last_m)), a_row(min(m0 + 2u, last_m)), a_row(min(m0 + 3u, last_m)));
  let cb = vec4u(b_col(n0), b_col(min(n0 + 1u, last_n)), b_col(min(n0 + 2u, last_n)), b_col(min(n0 + 3u, last_n)));
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var r = 0u; r < p.batch_reduce; r++) {
    var ia = ra + (gid.z + r) * p.stride_a;
    var ib = cb + (gid.z + r) * p.stride_b;
    for (var k = 0u; k < p.K; k++) {
      let av = vec4f(a[ia.x], a[ia.y], a[ia.z], a[ia.w]);
      let bv = vec4f(b[ib.x], b[ib.y], b[ib.z], b[ib.w]);
      acc0 += av.x * bv;
      acc1 += av.y * bv;
      acc2 += av.z * bv;
      acc3 += av.w * bv;
      ia += a_step;
      ib += b_step;
    }
  }
  let base = gid.z * p.stride_c;
  store_row(base, m0, n0, acc0);
  store_row(base, m0 + 1u, n0, acc1);
  store_row(base, m0 + 2u, n0, acc2);
  store_row(base, m0 + 3u, n0, acc3);
}

fn store_row(base: u32, m: u32, n0: u32, v: vec4f) {
  if (m >= p.M) { return; }
  let row = base + m * p.N;
  for (var j = 0u; j < 4u; j++) {
    let n = n0 + j;
    if (n < p.N) {
      let i = row + n;
      c[i] = select(v[j], v[j] + c[i], p.accumulate == 1u);
    }
  }
}

// ---- aligned path -------------------------------------------------------------------------------

// The 4 x 4 block of A at op(A)[m0.., k..] as loaded: columns are op(A)'s columns when TRANS_A (A
// stored [K, M]: one vec4 per k), else op(A)'s rows (one vec4 along k per row, clamped past M).
fn a_block(base: u32, m0: u32, k: u32) -> mat4x4f {
  if (TRANS_A) {
    let s = p.M / 4u;
    let i = (base + k * p.M + m0) / 4u;
    return mat4x4f(a4[i], a4[i + s], a4[i + 2u * s], a4[i + 3u * s]);
  }
  let l = p.M - 1u;
  let s = p.K / 4u;
  let i = (base + k) / 4u;
  return mat4x4f(a4[i + m0 * s], a4[i + min(m0 + 1u, l) * s], a4[i + min(m0 + 2u, l) * s], a4[i + min(m0 + 3u, l) * s]);
}

// The 4 x 4 block of op(B)[k.., n0..] as loaded: columns are op(B)'s columns when TRANS_B (B stored
// [N, K]: one vec4 along k per n, clamped past N), else op(B)'s rows (one vec4 along n per k).
fn b_block(base: u32, k: u32, n0: u32) -> mat4x4f {
  if (TRANS_B) {
    let l = p.N - 1u;
    let s = p.K / 4u;
    let i = (base + k) / 4u;
    return mat4x4f(b4[i + n0 * s], b4[i + min(n0 + 1u, l) * s], b4[i + min(n0 + 2u, l) * s], b4[i + min(n0 + 3u, l) * s]);
  }
  let s = p.N / 4u;
  let i = (base + k * p.N + n0) / 4u;
  return mat4x4f(b4[i], b4[i + s], b4[i + 2u * s], b4[i + 3u * s]);
}

@compute @workgroup_size(WG_X, WG_Y)
fn matmul_forward_vec4(@builtin(global_invocation_id) gid: vec3u) {
  let m0 = gid.y * 4u;
  let n0 = gid.x * 4u;
  if (m0 >= p.M || n0 >= p.N) { return; }
  // acc holds C's block (column j = C[m0.., n0 + j]), except for A·B where it holds the transpose:
  // loaded blocks are then both transposed, and Cᵀ = op(B)ᵀ op(A)ᵀ needs no transpose per step
  // (two per step halve the speed on SwiftShader).
  var acc = mat4x4f();
  for (var r = 0u; r < p.batch_reduce; r++) {
    let base_a = (gid.z + r) * p.stride_a;
    let base_b = (gid.z + r) * p.stride_b;
    var k = 0u;
    for (; k + 4u <= p.K; k += 4u) {
      let ab = a_block(base_a, m0, k);
      let bb = b_block(base_b, k, n0);
      if (TRANS_A && TRANS_B) { acc += ab * bb; }
      if (TRANS_A && !TRANS_B) { acc += ab * transpose(bb); }
      if (!TRANS_A && TRANS_B) { acc += transpose(ab) * bb; }
      if (!TRANS_A && !TRANS_B) { acc += bb * ab; }
    }
    // Only Aᵀ·B (neither operand vectorised along k) may leave k % 4 steps: outer products.
    if (TRANS_A && !TRANS_B) {
      for (; k < p.K; k++) {
        let av = a4[(base_a + k * p.M + m0) / 4u];
        let bv = b4[(base_b + k * p.N + n0) / 4u];
        acc += mat4x4f(av * bv.x, av * bv.y, av * bv.z, av * bv.w);
      }
    }
  }
  if (!TRANS_A && !TRANS_B) { acc = transpose(acc); }
  let base = gid.z * p.stride_c;
  for (var i = 0u; i < 4u; i++) {
    store_row(base, m0 + i, n0, vec4f(acc[0][i], acc[1][i], acc[2][i], acc[3][i]));
  }
}

