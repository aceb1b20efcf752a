// Batched matmul for real GPUs: workgroup tiling plus register blocking. A 16 x 16 workgroup computes
// a 64 x 64 block of C, each thread a 4 x 4 micro-tile in registers; K advances in tiles of 16 staged
// in workgroup memory: per k a thread reads two vec4s of workgroup memory for 16 multiply-adds, and
// each storage value is read once per workgroup. Barriers make it slow on software adapters; autotune decides per adapter.
// Launched by src/engine/ops/matmul.ts (forward and backward alike).
// Shapes: op(A) is M x K, op(B) is K x N, C is M x N, row-major per batch slice; A stored [K, M] when
//   TRANS_A, B stored [N, K] when TRANS_B. Batch slices as in matmul_naive.wgsl (stride 0 broadcasts,
//   batch_reduce slices summed into one output).
// Grid: x = ceil(N / 64), y = ceil(M / 64), z = output batch; thread (tx, ty) owns
//   C[m0 + 4 ty .. +3, n0 + 4 tx .. +3]. The (slice, k tile) pairs run as one loop so the next tile's
//   storage reads are issued before the current tile's arithmetic (register prefetch). Staged tiles are
//   zero past the edges, so partial tiles need no case in the inner loop; every thread runs the loop.
// Staging: both tiles are [k][64] as vec4 (op(A) kept transposed), so the inner loop reads one vec4 of
//   A (a broadcast) and one of B per k, conflict-free. Operands contiguous along K are transposed while
//   staging (4 scalar stores); the vec4 column is XOR-swizzled by 2 (k / 4) in both tiles so that those
//   stores hit 32 distinct banks per warp. Each thread fetches one vec4 per operand per tile: 4 threads
//   cover a row's 16 k when the operand is contiguous along K, else 16 threads a 64-wide m/n row.
// Two entry points: matmul_forward loads scalars (any shape); matmul_forward_vec4 loads vec4s and
//   needs each operand's contiguous dimension to be a multiple of 4 (the launcher checks).
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
const KT = 16u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
// The same buffers seen as vec4 (matmul_forward_vec4 only; an entry point uses one view or the other).
@group(0) @binding(1) var<storage, read> a4: array<vec4f>;
@group(0) @binding(2) var<storage, read> b4: array<vec4f>;

var<workgroup> tile_a: array<vec4f, 256>; // [k][(m / 4) ^ swz(k)]
var<workgroup> tile_b: array<vec4f, 256>; // [k][(n / 4) ^ swz(k)]

/** Slice r and first k of flattened tile i. */
fn tile_origin(i: u32) -> vec2u {
  let tiles = (p.K + KT - 1u) / KT;
  return vec2u(i / tiles, (i % tiles) * KT);
}

/**
 * What thread t fetches of an operand whose tile is 64 (rows) x 16 (k): along k (4 threads per row,
 * row = t / 4, k offset 4 (t % 4)) when the operand is contiguous along K, else along the row.
 * Returns (row offset, k offset) in the tile.
 */
fn fetch_pos(t: u32, along_k: bool) -> vec2u {
  if (along_k) { return vec2u(t / 4u, 4u * (t % 4u)); }
  return vec2u(4u * (t % 16u), t / 16u);
}

// Scalar fetches: 4 consecutive elements along the stored contiguous dimension, zero past the edges.
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

fn fetch_a(z: u32, i: u32, m0: u32, t: u32) -> vec4f {
  let o = tile_origin(i);
  let base = (z + o.x) * p.stride_a;
  let q = fetch_pos(t, !TRANS_A);
  let m = m0 + q.x;
  let k = o.y + q.y;
  if (TRANS_A) { return vec4f(a_at(base, m, k), a_at(base, m + 1u, k), a_at(base, m + 2u, k), a_at(base, m + 3u, k)); }
  return vec4f(a_at(base, m, k), a_at(base, m, k + 1u), a_at(base, m, k + 2u), a_at(base, m, k + 3u));
}

fn fetch_b(z: u32, i: u32, n0: u32, t: u32) -> vec4f {
  let o = tile_origin(i);
  let base = (z + o.x) * p.stride_b;
  let q = fetch_pos(t, TRANS_B);
  let n = n0 + q.x;
  let k = o.y + q.y;
  if (TRANS_B) { return vec4f(b_at(base, k, n), b_at(base, k + 1u, n), b_at(base, k + 2u, n), b_at(base, k + 3u, n)); }
  return vec4f(b_at(base, k, n), b_at(base, k, n + 1u), b_at(base, k, n + 2u), b_at(base, k, n + 3u));
}

// Vec4 fetches: the contiguous dimension is a multiple of 4, so a vec4 is wholly inside or outside.
fn fetch_a4(z: u32, i: u32, m0: u32, t: u32) -> vec4f {
  let o = tile_origin(i);
  let base = (z + o.x) * p.stride_a;
  let q = fetch_pos(t, !TRANS_A);
  let m = m0 + q.x;
  let k = o.y + q.y;
  if (m >= p.M || k >= p.K) { return vec4f(0.0); }
  return a4[(base + select(m * p.K + k, k * p.M + m, TRANS_A)) / 4u];
}

fn fetch_b4(z: u32, i: u32, n0: u32, t: u32) -> vec4f {
  let o = tile_origin(i);
  let base = (z + o.x) * p.stride_b;
  let q = fetch_pos(t, TRANS_B);
  let n = n0 + q.x;
  let k = o.y + q.y;
  if (n >= p.N || k >= p.K) { return vec4f(0.0); }
  return b4[(base + select(k * p.N + n, n * p.K + k, TRANS_B)) / 4u];
}

/** Column swizzle of k row (in vec4 units): 0, 2, 4, 6 for the four groups of 4 k. */
fn swz(k: u32) -> u32 { return (k / 4u) * 2u; }

/** Stores thread t's fetched vec4 into a [k][64] tile, transposing it when it runs along k. */
fn stage(tile: ptr<workgroup, array<vec4f, 256>>, v: vec4f, t: u32, along_k: bool) {
  let q = fetch_pos(t, along_k);
  if (along_k) {
    let col = (q.x / 4u) ^ swz(q.y);
    for (var j = 0u; j < 4u; j++) {
      (*tile)[(q.y + j) * 16u + col][q.x % 4u] = v[j];
    }
    return;
  }
  (*tile)[q.y * 16u + ((q.x / 4u) ^ swz(q.y))] = v;
}

struct Acc {
  r0: vec4f,
  r1: vec4f,
  r2: vec4f,
  r3: vec4f,
}

/** The staged tiles' contribution to thread (tx, ty)'s 4 x 4 block (rows r0..r3). */
fn multiply_tile(acc: ptr<function, Acc>, tx: u32, ty: u32) {
  for (var k = 0u; k < KT; k++) {
    let av = tile_a[k * 16u + (ty ^ swz(k))];
    let bv = tile_b[k * 16u + (tx ^ swz(k))];
    (*acc).r0 += av.x * bv;
    (*acc).r1 += av.y * bv;
    (*acc).r2 += av.z * bv;
    (*acc).r3 += av.w * bv;
  }
}

fn store_row(base: u32, m: u32, n0: u32, v: vec4f) {
  if (m >= p.M) { return; }
  for (var j = 0u; j < 4u; j++) {
    if (n0 + j < p.N) {
      let i = base + m * p.N + n0 + j;
      c[i] = select(v[j], v[j] + c[i], p.accumulate == 1u);
    }
  }
}

fn store_block(z: u32, m: u32, n: u32, acc: Acc) {
  let base = z * p.stride_c;
  store_row(base, m, n, acc.r0);
  store_row(base, m + 1u, n, acc.r1);
  store_row(base, m + 2u, n, acc.r2);
  store_row(base, m + 3u, n, acc.r3);
}

@compute @workgroup_size(16, 16)
fn matmul_forward(
  @builtin(workgroup_id) wg: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
  @builtin(local_invocation_index) t: u32,
) {
  let m0 = wg.y * 64u;
  let n0 = wg.x * 64u;
  let tiles = p.batch_reduce * ((p.K + KT - 1u) / KT);
  var acc = Acc();
  var va = fetch_a(wg.z, 0u, m0, t);
  var vb = fetch_b(wg.z, 0u, n0, t);
  for (var i = 0u; i < tiles; i++) {
    stage(&tile_a, va, t, !TRANS_A);
    stage(&tile_b, vb, t, TRANS_B);
    workgroupBarrier();
    if (i + 1u < tiles) {
      va = fetch_a(wg.z, i + 1u, m0, t);
      vb = fetch_b(wg.z, i + 1u, n0, t);
    }
    multiply_tile(&acc, lid.x, lid.y);
    workgroupBarrier();
  }
  store_block(wg.z, m0 + 4u * lid.y, n0 + 4u * lid.x, acc);
}

@compute @workgroup_size(16, 16)
fn matmul_forward_vec4(
  @builtin(workgroup_id) wg: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
  @builtin(local_invocation_index) t: u32,
) {
  let m0 = wg.y * 64u;
  let n0 = wg.x * 64u;
  let tiles = p.batch_reduce * ((p.K + KT - 1u) / KT);
  var acc = Acc();
  var va = fetch_a4(wg.z, 0u, m0, t);
  var vb = fetch_b4(wg.z, 0u, n0, t);
  for (var i = 0u; i < tiles; i++) {
    stage(&tile_a, va, t, !TRANS_A);
    stage(&tile_b, vb, t, TRANS_B);
    workgroupBarrier();
    if (i + 1u < tiles) {
      va = fetch_a4(wg.z, i + 1u, m0, t);
      vb = fetch_b4(wg.z, i + 1u, n0, t);
    }
    multiply_tile(&acc, lid.x, lid.y);
    workgroupBarrier();
  }
  store_block(wg.z, m0 + 4u * lid.y, n0 + 4u * lid.x, acc);
}
