// Batched matmul, classic shared-memory tiling: a 16 x 16 workgroup computes a 16 x 16 block of C,
// staging 16 x 16 tiles of op(A) and op(B) in workgroup memory so each value is read from storage
// once per workgroup instead of 16 times. Barriers make it slow on software adapters and usually the
// faster choice on real GPUs. Launched by src/engine/ops/matmul.ts (forward and backward alike).
// Shapes: op(A) is M x K, op(B) is K x N, C is M x N, row-major per batch slice; A stored [K, M] when
//   TRANS_A, B stored [N, K] when TRANS_B. Batch slices as in matmul_naive.wgsl (stride 0 broadcasts,
//   batch_reduce slices summed into one output).
// Grid: x = ceil(N / 16), y = ceil(M / 16), z = output batch; thread (tx, ty) owns C[m0 + ty, n0 + tx].
//   Tiles are zero-filled past the edges, so partial tiles need no special case in the inner loop;
//   every thread runs the loop (out-of-range threads too) because barriers need uniform control flow.
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
const TILE = 16u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

var<workgroup> tile_a: array<array<f32, 16>, 16>; // [m][k]
var<workgroup> tile_b: array<array<f32, 16>, 16>; // [k][n]

fn a_at(base: u32, m: u32, k: u32) -> f32 {
  if (m >= p.M || k >= p.K) { return 0.0; }
  if (TRANS_A) { return a[base + k * p.M + m]; }
  return a[base + m * p.K + k];
}

fn b_at(base: u32, k: u32, n: u32) -> f32 {
  if (k >= p.K || n >= p.N) { return 0.0; }
  if (TRANS_B) { return b[base + n * p.K + k]; }
  return b[base + k * p.N + n];
}

@compute @workgroup_size(16, 16)
fn matmul_forward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let m0 = wg.y * TILE;
  let n0 = wg.x * TILE;
  let tx = lid.x;
  let ty = lid.y;
  // When the operand is stored transposed, let consecutive tx walk its contiguous dimension.
  let am = select(ty, tx, TRANS_A);
  let ak = select(tx, ty, TRANS_A);
  let bk = select(ty, tx, TRANS_B);
  let bn = select(tx, ty, TRANS_B);
  var s = 0.0;
  for (var r = 0u; r < p.batch_reduce; r++) {
    let base_a = (wg.z + r) * p.stride_a;
    let base_b = (wg.z + r) * p.stride_b;
    for (var k0 = 0u; k0 < p.K; k0 += TILE) {
      tile_a[am][ak] = a_at(base_a, m0 + am, k0 + ak);
      tile_b[bk][bn] = b_at(base_b, k0 + bk, n0 + bn);
      workgroupBarrier();
      for (var k = 0u; k < TILE; k++) {
        s += tile_a[ty][k] * tile_b[k][tx];
      }
      workgroupBarrier();
    }
  }
  let m = m0 + ty;
  let n = n0 + tx;
  if (m < p.M && n < p.N) {
    let i = wg.z * p.stride_c + m * p.N + n;
    c[i] = select(s, s + c[i], p.accumulate == 1u);
  }
}
