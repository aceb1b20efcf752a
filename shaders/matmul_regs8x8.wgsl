// Batched matmul, barrier-free register blocking with 8 x 8 blocks: each thread keeps four 4 x 4
// accumulators (64 outputs) in registers and reads 4 x 4 blocks of op(A) and op(B) as four vec4 loads
// each, so every loaded block feeds two block products (16 multiply-adds per load). On SwiftShader this
// runs about 1.5x matmul_regs4x4's vec4 path. Launched by src/engine/ops/matmul.ts, forward and
// backward alike; shapes whose contiguous dimensions are not multiples of 4 go to matmul_regs4x4's
// scalar entry point instead (the launcher checks).
// Shapes: op(A) is M x K, op(B) is K x N, C is M x N, row-major per batch slice; A stored [K, M] when
//   TRANS_A, B stored [N, K] when TRANS_B. Batch slices as in matmul_naive.wgsl (stride 0 broadcasts,
//   batch_reduce slices summed into one output).
// Grid: a workgroup of WG_X x WG_Y threads covers a (8 WG_Y) x (8 WG_X) block of C; thread owns rows
//   m0 = 8 gid.y .. +7 and columns n0 = 8 gid.x .. +7; z = output batch. Blocks past the edge read
//   clamped (valid) addresses and are not written.
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
@group(0) @binding(1) var<storage, read> a4: array<vec4f>;
@group(0) @binding(2) var<storage, read> b4: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

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

// One block product in the accumulators' orientation: C's block, except for A·B, where both loaded
// blocks are transposed and the accumulators hold Cᵀ = op(B)ᵀ op(A)ᵀ (no transposes per step).
fn block_product(ab: mat4x4f, bb: mat4x4f) -> mat4x4f {
  if (TRANS_A && TRANS_B) { return ab * bb; }
  if (TRANS_A) { return ab * transpose(bb); }
  if (TRANS_B) { return transpose(ab) * bb; }
  return bb * ab;
}

// Outer product op(A)[m0.., k] op(B)[k, n0..]: the k % 4 remainder of Aᵀ·B.
fn outer(base_a: u32, base_b: u32, k: u32, m0: u32, n0: u32) -> mat4x4f {
  let av = a4[(base_a + k * p.M + m0) / 4u];
  let bv = b4[(base_b + k * p.N + n0) / 4u];
  return mat4x4f(av * bv.x, av * bv.y, av * bv.z, av * bv.w);
}

@compute @workgroup_size(WG_X, WG_Y)
fn matmul_forward(@builtin(global_invocation_id) gid: vec3u) {
  let m0 = gid.y * 8u;
  let n0 = gid.x * 8u;
  if (m0 >= p.M || n0 >= p.N) { return; }
  // Second row/column block: clamped to a valid block (whole vec4s along a vectorised dimension).
  let m1 = select(min(m0 + 4u, p.M - 1u), min(m0 + 4u, p.M - 4u), TRANS_A);
  let n1 = select(min(n0 + 4u, p.N - 4u), min(n0 + 4u, p.N - 1u), TRANS_B);
  var c00 = mat4x4f();
  var c01 = mat4x4f();
  var c10 = mat4x4f();
  var c11 = mat4x4f();
  for (var r = 0u; r < p.batch_reduce; r++) {
    let base_a = (gid.z + r) * p.stride_a;
    let base_b = (gid.z + r) * p.stride_b;
    var k = 0u;
    for (; k + 4u <= p.K; k += 4u) {
      let a0 = a_block(base_a, m0, k);
      let a1 = a_block(base_a, m1, k);
      let b0 = b_block(base_b, k, n0);
      let b1 = b_block(base_b, k, n1);
      c00 += block_product(a0, b0);
      c01 += block_product(a0, b1);
      c10 += block_product(a1, b0);
      c11 += block_product(a1, b1);
    }
    if (TRANS_A && !TRANS_B) {
      for (; k < p.K; k++) {
        c00 += outer(base_a, base_b, k, m0, n0);
        c01 += outer(base_a, base_b, k, m0, n1);
        c10 += outer(base_a, base_b, k, m1, n0);
        c11 += outer(base_a, base_b, k, m1, n1);
      }
    }
  }
  if (!TRANS_A && !TRANS_B) {
    c00 = transpose(c00);
    c01 = transpose(c01);
    c10 = transpose(c10);
    c11 = transpose(c11);
  }
  let base = gid.z * p.stride_c;
  store_block(base, m0, n0, c00);
  store_block(base, m0, n0 + 4u, c01);
  store_block(base, m0 + 4u, n0, c10);
  store_block(base, m0 + 4u, n0 + 4u, c11);
}

// Writes the in-range part of a 4 x 4 block whose column j is C[m.., n + j].
fn store_block(base: u32, m: u32, n: u32, v: mat4x4f) {
  for (var i = 0u; i < 4u; i++) {
    let row = m + i;
    for (var j = 0u; j < 4u; j++) {
      if (row < p.M && n + j < p.N) {
        let ci = base + row * p.N + n + j;
        c[ci] = select(v[j][i], v[j][i] + c[ci], p.accumulate == 1u);
      }
    }
  }
}
