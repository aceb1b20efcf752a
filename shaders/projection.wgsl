// Random projection f = P x of gradient-sized vectors (spec §9.4 R1–R3), P regenerated on the fly from
// Threefry-2x32-20 (a bit-exact port of src/infuser/rng.ts threefry2x32) keyed by (k0, k1) =
// streamKey(seed, 'projection', iteration); no k×d matrix is stored. i is the global coordinate.
//   dense Rademacher: P[j, i] = ±1/√K; with (w0, w1) = threefry(k0, k1, i, j / 64), the sign of row j is
//     bit (j mod 32) of w0 for (j mod 64) < 32, else of w1 (bit set = −)
//   sparse JL (block count-sketch): K rows in S blocks of M = K/S; nonzero r < S sits in block r, from
//     word (r mod 2) w of threefry(k0, k1, i, r / 2): P[r·M + (w >> 1) mod M, i] = ±1/√S, − when w & 1.
//   Both give E[PᵀP] = I; one Threefry call serves 64 dense rows or 2 sparse nonzeros.
// Before projecting, x_i may be transformed (§6.4 (17), §9.4 D): 0 none, 1 exact γ, 2 frozen D·x.
// Shapes: x, v (n) for one tensor; partials (R, K) rows of per-chunk sketches; bounds (G + 1) u32;
//   groups (G, K); features (K).
// project_{sparse,dense}: chunk c of `chunk` consecutive elements fills partial row row_base + c:
//   sparse, one thread per chunk scatter-adds into its own row (zeroed by the caller; no two threads share
//   a row); dense, one thread per (chunk, block of 64 rows) writes its 64 entries. With has_v = 0 the
//   stored v is ignored (empty optimizer state, t = 0).
// project_groups: thread (g, j) sums rows [bounds[g], bounds[g+1]) in order; project_total: thread j sums
//   the G group sketches in order. Barrier-free, fixed order: one seed gives the same bits. Outputs
//   overwrite. Element i = gid.x + gid.y · num_workgroups.x · WG.

struct Params {
  n: u32,            // elements of this tensor; project_groups: G · K; project_total / hash_words: count
  chunk: u32,        // elements per chunk
  row_base: u32,     // first partial row of this tensor
  coord_base: u32,   // global coordinate of element 0; hash_words: first counter word x
  K: u32,            // projection width k
  S: u32,            // sparse: nonzeros per column; project_total: G; hash_words: counter word y
  k0: u32,
  k1: u32,
  transform: u32,    // 0 none, 1 exact γ (17), 2 frozen D
  has_v: u32,        // 0: empty optimizer state, v = 0 (x is bound in v's place)
  beta2: f32,
  one_minus_beta2: f32,
  inv_bias_correction: f32,  // 1 / (1 − β₂^(t+1))
  eps: f32,                  // ε_A
  scale: f32,                // 1/√S (sparse) or 1/√K (dense)
}

override WG: u32 = 256;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;          // (n)
@group(0) @binding(2) var<storage, read> v: array<f32>;          // (n)
@group(0) @binding(3) var<storage, read> bounds: array<u32>;     // (G + 1)
@group(0) @binding(4) var<storage, read_write> partials: array<f32>;  // (R, K)
@group(0) @binding(5) var<storage, read_write> groups: array<f32>;    // (G, K)
@group(0) @binding(6) var<storage, read_write> features: array<f32>;  // (K)
@group(0) @binding(7) var<storage, read_write> words: array<u32>;     // (count, 2), hash_words

fn rotl(a: u32, r: u32) -> u32 {
  return (a << r) | (a >> (32u - r));
}

// Four Threefry rounds with rotations r0..r3.
fn rounds4(s: vec2u, r0: u32, r1: u32, r2: u32, r3: u32) -> vec2u {
  var x0 = s.x;
  var x1 = s.y;
  x0 += x1; x1 = rotl(x1, r0) ^ x0;
  x0 += x1; x1 = rotl(x1, r1) ^ x0;
  x0 += x1; x1 = rotl(x1, r2) ^ x0;
  x0 += x1; x1 = rotl(x1, r3) ^ x0;
  return vec2u(x0, x1);
}

// Threefry-2x32-20: 5 groups of 4 rounds, key injection s after group s (rng.ts's definition).
fn threefry2x32(k0: u32, k1: u32, c0: u32, c1: u32) -> vec2u {
  let k2 = 0x1bd11bdau ^ k0 ^ k1;
  var s = vec2u(c0 + k0, c1 + k1);
  s = rounds4(s, 13u, 15u, 26u, 6u);
  s += vec2u(k1, k2 + 1u);
  s = rounds4(s, 17u, 29u, 16u, 24u);
  s += vec2u(k2, k0 + 2u);
  s = rounds4(s, 13u, 15u, 26u, 6u);
  s += vec2u(k0, k1 + 3u);
  s = rounds4(s, 17u, 29u, 16u, 24u);
  s += vec2u(k1, k2 + 4u);
  s = rounds4(s, 13u, 15u, 26u, 6u);
  s += vec2u(k2, k0 + 5u);
  return s;
}

fn transformed(xi: f32, v_stored: f32) -> f32 {
  if (p.transform == 0u || xi == 0.0) { return xi; }
  let vi = select(0.0, v_stored, p.has_v == 1u);
  let v_term = select(p.beta2 * vi + p.one_minus_beta2 * xi * xi, p.beta2 * vi, p.transform == 2u);
  return xi / (sqrt(v_term * p.inv_bias_correction) + p.eps);
}

fn index(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

fn chunk_count() -> u32 {
  return (p.n + p.chunk - 1u) / p.chunk;
}

fn sparse_chunk(c: u32) {
  let m = p.K / p.S;
  let row = (p.row_base + c) * p.K;
  let end = min(p.n, (c + 1u) * p.chunk);
  for (var i = c * p.chunk; i < end; i++) {
    let xi = transformed(x[i], v[i]) * p.scale;
    if (xi == 0.0) { continue; }
    for (var r = 0u; r < p.S; r += 2u) {
      let w = threefry2x32(p.k0, p.k1, p.coord_base + i, r / 2u);
      partials[row + r * m + (w.x >> 1u) % m] += select(xi, -xi, (w.x & 1u) == 1u);
      if (r + 1u < p.S) {
        partials[row + (r + 1u) * m + (w.y >> 1u) % m] += select(xi, -xi, (w.y & 1u) == 1u);
      }
    }
  }
}

fn dense_chunk(c: u32, b: u32) {
  var acc: array<f32, 64>;
  let end = min(p.n, (c + 1u) * p.chunk);
  for (var i = c * p.chunk; i < end; i++) {
    let xi = transformed(x[i], v[i]);
    let w = threefry2x32(p.k0, p.k1, p.coord_base + i, b);
    for (var r = 0u; r < 32u; r++) {
      acc[r] += select(xi, -xi, ((w.x >> r) & 1u) == 1u);
      acc[r + 32u] += select(xi, -xi, ((w.y >> r) & 1u) == 1u);
    }
  }
  let row = (p.row_base + c) * p.K;
  for (var r = 0u; r < 64u && b * 64u + r < p.K; r++) {
    partials[row + b * 64u + r] = acc[r] * p.scale;
  }
}

@compute @workgroup_size(WG)
fn project_sparse(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let c = index(gid, nwg);
  if (c < chunk_count()) { sparse_chunk(c); }
}

// Thread id = c · blocks + b: neighbouring threads share a chunk, so their x loads coincide.
@compute @workgroup_size(WG)
fn project_dense(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let id = index(gid, nwg);
  let blocks = (p.K + 63u) / 64u;
  if (id < chunk_count() * blocks) { dense_chunk(id / blocks, id % blocks); }
}

@compute @workgroup_size(WG)
fn project_groups(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let id = index(gid, nwg);
  if (id >= p.n) { return; }
  let g = id / p.K;
  let j = id % p.K;
  var s = 0.0;
  for (var r = bounds[g]; r < bounds[g + 1u]; r++) { s += partials[r * p.K + j]; }
  groups[id] = s;
}

@compute @workgroup_size(WG)
fn project_total(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let j = index(gid, nwg);
  if (j >= p.K) { return; }
  var s = 0.0;
  for (var g = 0u; g < p.S; g++) { s += groups[g * p.K + j]; }
  features[j] = s;
}

// Test hook: words[2i], words[2i + 1] = threefry(k0, k1, coord_base + i, S) for i < n.
@compute @workgroup_size(WG)
fn hash_words(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = index(gid, nwg);
  if (i >= p.n) { return; }
  let w = threefry2x32(p.k0, p.k1, p.coord_base + i, p.S);
  words[2u * i] = w.x;
  words[2u * i + 1u] = w.y;
}
