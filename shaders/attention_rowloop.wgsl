// Causal GQA attention, rowloop technique: one thread per query row (per key row for d_k/d_v) looping
// over the other side. Barrier-free: the fast choice on software adapters. Launched by
// src/engine/ops/attention.ts, which substitutes the head size D below and names the module per D.
//   q, out, d_out, d_q: (B, T, Hq, D);  k, v, d_k, d_v: (B, S, Hkv, D);  lse, delta: (B, T, Hq)
//   Query t sits at position past + t and attends keys j <= past + t (S >= past + T; later rows are
//   unused cache). Query head h reads kv head h / (Hq / Hkv). scale = 1 / sqrt(D).
//   forward: out = softmax(scale q k^T) v with an online (running max) softmax; lse = the row's
//   log-sum-exp, kept by the tape for backward.
//   backward (FlashAttention-2): P = exp(s - lse), delta = sum(d_out * out), dS = P (d_out . v - delta);
//   d_q = scale dS k (backward_query, which also writes delta); d_k = scale dS^T q and d_v = P^T d_out
//   summed over the Hq / Hkv query heads of a kv head (backward_key, after backward_query).
// Grid: 1-D, index = gid.x + gid.y * nwg.x * WG. Rows are held in function-scope arrays exactly D long
// (constant trip counts, no spills of a worst-case size). Outputs overwrite; no atomics: deterministic.

const D: u32 = 64u; // head size: attention.ts replaces this line before compiling
const NEG_BIG: f32 = -3.0e38;

override WG: u32 = 64u;

struct Params {
  B: u32,
  T: u32,
  S: u32,
  past: u32,
  Hq: u32,
  Hkv: u32,
  scale: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;           // (B, T, Hq, D)
@group(0) @binding(2) var<storage, read> k: array<f32>;           // (B, S, Hkv, D)
@group(0) @binding(3) var<storage, read> v: array<f32>;           // (B, S, Hkv, D)
@group(0) @binding(4) var<storage, read> o: array<f32>;           // forward output (B, T, Hq, D)
@group(0) @binding(5) var<storage, read> d_o: array<f32>;         // (B, T, Hq, D)
@group(0) @binding(6) var<storage, read_write> lse: array<f32>;   // (B, T, Hq)
@group(0) @binding(7) var<storage, read_write> delta: array<f32>; // (B, T, Hq)
@group(0) @binding(8) var<storage, read_write> out: array<f32>;   // forward output or d_q (B, T, Hq, D)
@group(0) @binding(9) var<storage, read_write> d_k: array<f32>;   // (B, S, Hkv, D)
@group(0) @binding(10) var<storage, read_write> d_v: array<f32>;  // (B, S, Hkv, D)

fn flat(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

fn kv_row(b: u32, j: u32, kvh: u32) -> u32 {
  return (b * p.S + j) * p.Hkv + kvh;
}

struct RowIds {
  b: u32,
  t: u32,
  kvh: u32,
}

fn row_ids(row: u32) -> RowIds {
  let bt = row / p.Hq;
  return RowIds(bt / p.T, bt % p.T, (row % p.Hq) / (p.Hq / p.Hkv));
}

@compute @workgroup_size(WG)
fn attention_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let row = flat(gid, nwg);
  if (row >= p.B * p.T * p.Hq) { return; }
  let id = row_ids(row);
  var qs: array<f32, D>;  // scaled query
  var acc: array<f32, D>; // running sum of exp(s - m) v
  for (var d = 0u; d < D; d++) { qs[d] = p.scale * q[row * D + d]; }
  var m = NEG_BIG;
  var l = 0.0;
  for (var j = 0u; j <= p.past + id.t; j++) {
    let base = kv_row(id.b, j, id.kvh) * D;
    var s = 0.0;
    for (var d = 0u; d < D; d++) { s += qs[d] * k[base + d]; }
    if (s > m) {
      // A new maximum rescales what was summed so far (the first key multiplies zeros).
      let c = exp(m - s);
      l *= c;
      for (var d = 0u; d < D; d++) { acc[d] *= c; }
      m = s;
    }
    let e = exp(s - m);
    l += e;
    for (var d = 0u; d < D; d++) { acc[d] += e * v[base + d]; }
  }
  for (var d = 0u; d < D; d++) { out[row * D + d] = acc[d] / l; }
  lse[row] = m + log(l);
}

// d_q and delta for one query row, from the forward's lse.
@compute @workgroup_size(WG)
fn attention_backward_query(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let row = flat(gid, nwg);
  if (row >= p.B * p.T * p.Hq) { return; }
  let id = row_ids(row);
  var qs: array<f32, D>;
  var dos: array<f32, D>;
  var acc: array<f32, D>;
  var dlt = 0.0;
  for (var d = 0u; d < D; d++) {
    qs[d] = p.scale * q[row * D + d];
    dos[d] = d_o[row * D + d];
    dlt += dos[d] * o[row * D + d];
  }
  let row_lse = lse[row];
  for (var j = 0u; j <= p.past + id.t; j++) {
    let base = kv_row(id.b, j, id.kvh) * D;
    var s = 0.0;
    var dp = 0.0;
    for (var d = 0u; d < D; d++) {
      s += qs[d] * k[base + d];
      dp += dos[d] * v[base + d];
    }
    let ds = exp(s - row_lse) * (dp - dlt);
    for (var d = 0u; d < D; d++) { acc[d] += ds * k[base + d]; }
  }
  for (var d = 0u; d < D; d++) { out[row * D + d] = p.scale * acc[d]; }
  delta[row] = dlt;
}

// d_k and d_v for one key row, summed over the query heads of its group and the queries that see it.
@compute @workgroup_size(WG)
fn attention_backward_key(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let krow = flat(gid, nwg);
  if (krow >= p.B * p.S * p.Hkv) { return; }
  let kvh = krow % p.Hkv;
  let j = (krow / p.Hkv) % p.S;
  let b = krow / (p.Hkv * p.S);
  var ks: array<f32, D>;
  var vs: array<f32, D>;
  var dk: array<f32, D>;
  var dv: array<f32, D>;
  for (var d = 0u; d < D; d++) {
    ks[d] = p.scale * k[krow * D + d];
    vs[d] = v[krow * D + d];
  }
  let group = p.Hq / p.Hkv;
  // Query t sees key j when past + t >= j; rows of one t are Hq apart, the group's heads adjacent.
  let t0 = select(0u, j - p.past, j > p.past);
  for (var t = t0; t < p.T; t++) {
    for (var g = 0u; g < group; g++) {
      let row = (b * p.T + t) * p.Hq + kvh * group + g;
      let base = row * D;
      var s = 0.0;
      var dp = 0.0;
      for (var d = 0u; d < D; d++) {
        s += ks[d] * q[base + d];
        dp += vs[d] * d_o[base + d];
      }
      let pr = exp(s - lse[row]);
      let ds = pr * (dp - delta[row]);
      for (var d = 0u; d < D; d++) {
        dk[d] += ds * q[base + d];
        dv[d] += pr * d_o[base + d];
      }
    }
  }
  for (var d = 0u; d < D; d++) {
    d_k[krow * D + d] = p.scale * dk[d];
    d_v[krow * D + d] = dv[d];
  }
}
