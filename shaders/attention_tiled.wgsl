// Causal GQA attention, tiled technique for real GPUs: one workgroup per (tile of WG query rows, head,
// batch) — per (tile of WG key rows, kv head, batch) for d_k/d_v — stages K/V (or Q/d_out) tiles in
// workgroup memory so each global row is read once per tile, not once per thread. Same math and
// buffers as attention_rowloop.wgsl; launched by src/engine/ops/attention.ts, which substitutes the
// head size D below and names the module per D.
//   q, out, d_out, d_q: (B, T, Hq, D);  k, v, d_k, d_v: (B, S, Hkv, D);  lse, delta: (B, T, Hq)
//   forward: out = softmax(scale q k^T) v (online softmax), lse = the row's log-sum-exp.
//   backward_query: d_q = scale dS k and delta = sum(d_out * out), with P = exp(s - lse) from the
//   forward's lse; backward_key (after it): d_k = scale dS^T q, d_v = P^T d_out over the kv group.
// Outputs overwrite; no atomics: deterministic. Barriers sit in loops whose bounds depend only on
// workgroup_id and params (uniform): threads past the sequence end stage tiles too and skip the math.

const D: u32 = 64u; // head size: attention.ts replaces this line before compiling
const NEG_BIG: f32 = -3.0e38;
const KV_TILE_FLOATS: u32 = 2048u;             // K and V tiles, 16 KiB together
const KV_TILE: u32 = KV_TILE_FLOATS / D;        // key rows per tile
const Q_TILE: u32 = min(64u, 1920u / D);        // query rows per tile of backward_key
const Q_TILE_FLOATS: u32 = Q_TILE * D;          // Q and d_out tiles plus lse and delta, under 16 KiB

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

var<workgroup> k_tile: array<f32, KV_TILE_FLOATS>;
var<workgroup> v_tile: array<f32, KV_TILE_FLOATS>;
var<workgroup> q_tile: array<f32, Q_TILE_FLOATS>;
var<workgroup> do_tile: array<f32, Q_TILE_FLOATS>;
var<workgroup> lse_tile: array<f32, Q_TILE>;
var<workgroup> delta_tile: array<f32, Q_TILE>;

fn q_row(b: u32, t: u32, h: u32) -> u32 {
  return (b * p.T + t) * p.Hq + h;
}

fn kv_row(b: u32, j: u32, kvh: u32) -> u32 {
  return (b * p.S + j) * p.Hkv + kvh;
}

// Stages rows j0..j0+n-1 of K (and V when with_v) of kv head kvh into workgroup memory.
fn stage_kv(b: u32, kvh: u32, j0: u32, n: u32, lid: u32, with_v: bool) {
  for (var i = lid; i < n * D; i += WG) {
    let g = kv_row(b, j0 + i / D, kvh) * D + i % D;
    k_tile[i] = k[g];
    if (with_v) { v_tile[i] = v[g]; }
  }
}

// Keys of the tile starting at j0 (n rows) that a query seeing my_keys keys attends.
fn keys_in_tile(my_keys: u32, j0: u32, n: u32) -> u32 {
  return min(n, select(0u, my_keys - j0, my_keys > j0));
}

@compute @workgroup_size(WG)
fn attention_forward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let b = wid.z;
  let h = wid.y;
  let t = wid.x * WG + lid;
  let kvh = h / (p.Hq / p.Hkv);
  let in_range = t < p.T;
  let row = q_row(b, min(t, p.T - 1u), h);
  var qs: array<f32, D>;  // scaled query
  var acc: array<f32, D>; // running sum of exp(s - m) v
  for (var d = 0u; d < D; d++) { qs[d] = p.scale * q[row * D + d]; }
  var m = NEG_BIG;
  var l = 0.0;
  let wg_keys = p.past + min(wid.x * WG + WG, p.T); // keys the tile's last query sees
  let my_keys = p.past + t + 1u;
  for (var j0 = 0u; j0 < wg_keys; j0 += KV_TILE) {
    let n = min(KV_TILE, wg_keys - j0);
    workgroupBarrier(); // the previous tile is consumed
    stage_kv(b, kvh, j0, n, lid, true);
    workgroupBarrier();
    if (in_range) {
      for (var jj = 0u; jj < keys_in_tile(my_keys, j0, n); jj++) {
        var s = 0.0;
        for (var d = 0u; d < D; d++) { s += qs[d] * k_tile[jj * D + d]; }
        if (s > m) {
          let c = exp(m - s);
          l *= c;
          for (var d = 0u; d < D; d++) { acc[d] *= c; }
          m = s;
        }
        let e = exp(s - m);
        l += e;
        for (var d = 0u; d < D; d++) { acc[d] += e * v_tile[jj * D + d]; }
      }
    }
  }
  if (in_range) {
    for (var d = 0u; d < D; d++) { out[row * D + d] = acc[d] / l; }
    lse[row] = m + log(l);
  }
}

@compute @workgroup_size(WG)
fn attention_backward_query(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let b = wid.z;
  let h = wid.y;
  let t = wid.x * WG + lid;
  let kvh = h / (p.Hq / p.Hkv);
  let in_range = t < p.T;
  let row = q_row(b, min(t, p.T - 1u), h);
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
  let wg_keys = p.past + min(wid.x * WG + WG, p.T);
  let my_keys = p.past + t + 1u;
  for (var j0 = 0u; j0 < wg_keys; j0 += KV_TILE) {
    let n = min(KV_TILE, wg_keys - j0);
    workgroupBarrier();
    stage_kv(b, kvh, j0, n, lid, true);
    workgroupBarrier();
    if (in_range) {
      for (var jj = 0u; jj < keys_in_tile(my_keys, j0, n); jj++) {
        var s = 0.0;
        var dp = 0.0;
        for (var d = 0u; d < D; d++) {
          s += qs[d] * k_tile[jj * D + d];
          dp += dos[d] * v_tile[jj * D + d];
        }
        let ds = exp(s - row_lse) * (dp - dlt);
        for (var d = 0u; d < D; d++) { acc[d] += ds * k_tile[jj * D + d]; }
      }
    }
  }
  if (in_range) {
    for (var d = 0u; d < D; d++) { out[row * D + d] = p.scale * acc[d]; }
    delta[row] = dlt;
  }
}

// Stages query rows t0..t0+n-1 of head h: q, d_out, lse and delta.
fn stage_queries(b: u32, h: u32, t0: u32, n: u32, lid: u32) {
  for (var i = lid; i < n * D; i += WG) {
    let g = q_row(b, t0 + i / D, h) * D + i % D;
    q_tile[i] = q[g];
    do_tile[i] = d_o[g];
  }
  for (var i = lid; i < n; i += WG) {
    let r = q_row(b, t0 + i, h);
    lse_tile[i] = lse[r];
    delta_tile[i] = delta[r];
  }
}

@compute @workgroup_size(WG)
fn attention_backward_key(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let b = wid.z;
  let kvh = wid.y;
  let j = wid.x * WG + lid;
  let in_range = j < p.S;
  let krow = kv_row(b, min(j, p.S - 1u), kvh);
  var ks: array<f32, D>;
  var vs: array<f32, D>;
  var dk: array<f32, D>;
  var dv: array<f32, D>;
  for (var d = 0u; d < D; d++) {
    ks[d] = p.scale * k[krow * D + d];
    vs[d] = v[krow * D + d];
  }
  let group = p.Hq / p.Hkv;
  let j_first = wid.x * WG;
  let t_first = select(0u, j_first - p.past, j_first > p.past); // first query that sees any key here
  for (var g = 0u; g < group; g++) {
    for (var t0 = t_first; t0 < p.T; t0 += Q_TILE) {
      let n = min(Q_TILE, p.T - t0);
      workgroupBarrier();
      stage_queries(b, kvh * group + g, t0, n, lid);
      workgroupBarrier();
      if (in_range) {
        // Queries before tt0 do not see key j (past + t >= j).
        let tt0 = min(n, select(0u, j - p.past - t0, j > p.past + t0));
        for (var tt = tt0; tt < n; tt++) {
          var s = 0.0;
          var dp = 0.0;
          for (var d = 0u; d < D; d++) {
            s += ks[d] * q_tile[tt * D + d];
            dp += vs[d] * do_tile[tt * D + d];
          }
          let pr = exp(s - lse_tile[tt]);
          let ds = pr * (dp - delta_tile[tt]);
          for (var d = 0u; d < D; d++) {
            dk[d] += ds * q_tile[tt * D + d];
            dv[d] += pr * do_tile[tt * D + d];
          }
        }
      }
    }
  }
  if (in_range) {
    for (var d = 0u; d < D; d++) {
      d_k[krow * D + d] = p.scale * dk[d];
      d_v[krow * D + d] = dv[d];
    }
  }
}
