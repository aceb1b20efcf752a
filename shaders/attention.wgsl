// Causal multi-head attention with grouped key/value heads (GQA) and a key offset for KV-cache decode.
//   q, out, d_out, d_q: (B, T, Hq, D);  k, v, d_k, d_v: (B, S, Hkv, D);  lse, delta: (B, T, Hq)
//   Query t sits at position past + t and attends keys j <= past + t (S >= past + T; later rows are
//   unused cache). Query head h reads kv head h / (Hq / Hkv). scale = 1 / sqrt(D).
//   Forward: out = softmax(scale * q k^T) v with an online (running max) softmax.
//   Backward (FlashAttention-2): lse = log-sum-exp of each score row, delta = sum(d_out * out),
//   P = exp(s - lse), dS = P * (d_out . v - delta); d_q = scale * dS k; d_k = scale * dS^T q summed
//   over the Hq / Hkv query heads of a kv head; d_v = P^T d_out likewise. No atomics: deterministic.
// Two techniques, same math:
//   rowloop: one thread per query row (or per key row for d_k/d_v) looping over the other side;
//            barrier-free, the fast choice on software adapters. Grid: 1-D, index = gid.x + gid.y * nwg.x * WG.
//   tiled:   one workgroup per (query or key tile of WG rows, head, batch); the workgroup stages K/V (or
//            Q/d_out) tiles in workgroup memory so each global row is read once per tile, not per thread.
// backward_query writes d_q, lse and delta; backward_key reads lse and delta. Outputs overwrite;
// gradient accumulation is tape.ts's job.

const MAX_D: u32 = 256u;
const NEG_BIG: f32 = -3.0e38;
const KV_TILE_FLOATS: u32 = 2048u; // forward / backward_query: K and V tiles, 16 KiB together
const Q_TILE_FLOATS: u32 = 1920u;  // backward_key: Q and d_out tiles plus lse and delta, under 16 KiB

override WG: u32 = 64u;

struct Params {
  B: u32,
  T: u32,
  S: u32,
  past: u32,
  Hq: u32,
  Hkv: u32,
  D: u32,
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

// Per-invocation rows: the scaled query (or key), d_out (or value), and two accumulators.
var<private> ra: array<f32, MAX_D>;
var<private> rb: array<f32, MAX_D>;
var<private> acc: array<f32, MAX_D>;
var<private> acc2: array<f32, MAX_D>;

var<workgroup> k_tile: array<f32, KV_TILE_FLOATS>;
var<workgroup> v_tile: array<f32, KV_TILE_FLOATS>;
var<workgroup> q_tile: array<f32, Q_TILE_FLOATS>;
var<workgroup> do_tile: array<f32, Q_TILE_FLOATS>;
var<workgroup> lse_tile: array<f32, 64>;
var<workgroup> delta_tile: array<f32, 64>;

fn flat(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

fn q_row(b: u32, t: u32, h: u32) -> u32 {
  return (b * p.T + t) * p.Hq + h;
}

fn kv_row(b: u32, j: u32, kvh: u32) -> u32 {
  return (b * p.S + j) * p.Hkv + kvh;
}

fn clear_acc() {
  for (var d = 0u; d < p.D; d++) { acc[d] = 0.0; }
}

fn clear_acc2() {
  for (var d = 0u; d < p.D; d++) { acc2[d] = 0.0; }
}

fn load_query(row: u32) {
  for (var d = 0u; d < p.D; d++) { ra[d] = p.scale * q[row * p.D + d]; }
}

// rb = d_o[row]; returns delta = d_o[row] . o[row].
fn load_d_out(row: u32) -> f32 {
  var dlt = 0.0;
  for (var d = 0u; d < p.D; d++) {
    rb[d] = d_o[row * p.D + d];
    dlt += rb[d] * o[row * p.D + d];
  }
  return dlt;
}

// ---- rowloop ---------------------------------------------------------------------------------

struct RowIds {
  b: u32,
  t: u32,
  h: u32,
  kvh: u32,
}

fn row_ids(row: u32) -> RowIds {
  let h = row % p.Hq;
  let bt = row / p.Hq;
  return RowIds(bt / p.T, bt % p.T, h, h / (p.Hq / p.Hkv));
}

fn dot_ra_k(base: u32) -> f32 {
  var s = 0.0;
  for (var d = 0u; d < p.D; d++) { s += ra[d] * k[base + d]; }
  return s;
}

// log-sum-exp of row's scores over keys 0..n_keys-1, with a running max so exp never overflows.
fn row_lse(id: RowIds, n_keys: u32) -> f32 {
  var m = NEG_BIG;
  var l = 0.0;
  for (var j = 0u; j < n_keys; j++) {
    let s = dot_ra_k(kv_row(id.b, j, id.kvh) * p.D);
    if (s > m) {
      l *= exp(m - s);
      m = s;
    }
    l += exp(s - m);
  }
  return m + log(l);
}

@compute @workgroup_size(WG)
fn attention_rowloop_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let row = flat(gid, nwg);
  if (row >= p.B * p.T * p.Hq) { return; }
  let id = row_ids(row);
  load_query(row);
  clear_acc();
  var m = NEG_BIG;
  var l = 0.0;
  for (var j = 0u; j <= p.past + id.t; j++) {
    let base = kv_row(id.b, j, id.kvh) * p.D;
    let s = dot_ra_k(base);
    if (s > m) {
      // A new maximum rescales what was summed so far (the first key multiplies zeros).
      let c = exp(m - s);
      l *= c;
      for (var d = 0u; d < p.D; d++) { acc[d] *= c; }
      m = s;
    }
    let e = exp(s - m);
    l += e;
    for (var d = 0u; d < p.D; d++) { acc[d] += e * v[base + d]; }
  }
  for (var d = 0u; d < p.D; d++) { out[row * p.D + d] = acc[d] / l; }
}

// d_q, lse and delta for one query row.
@compute @workgroup_size(WG)
fn attention_rowloop_backward_query(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let row = flat(gid, nwg);
  if (row >= p.B * p.T * p.Hq) { return; }
  let id = row_ids(row);
  load_query(row);
  let dlt = load_d_out(row);
  let n_keys = p.past + id.t + 1u;
  let row_l = row_lse(id, n_keys);
  clear_acc();
  for (var j = 0u; j < n_keys; j++) {
    let base = kv_row(id.b, j, id.kvh) * p.D;
    var dp = 0.0;
    for (var d = 0u; d < p.D; d++) { dp += rb[d] * v[base + d]; }
    let ds = exp(dot_ra_k(base) - row_l) * (dp - dlt);
    for (var d = 0u; d < p.D; d++) { acc[d] += ds * k[base + d]; }
  }
  for (var d = 0u; d < p.D; d++) { out[row * p.D + d] = p.scale * acc[d]; }
  lse[row] = row_l;
  delta[row] = dlt;
}

// d_k and d_v for one key row, summed over the query heads of its group and the queries that see it.
@compute @workgroup_size(WG)
fn attention_rowloop_backward_key(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let krow = flat(gid, nwg);
  if (krow >= p.B * p.S * p.Hkv) { return; }
  let kvh = krow % p.Hkv;
  let j = (krow / p.Hkv) % p.S;
  let b = krow / (p.Hkv * p.S);
  for (var d = 0u; d < p.D; d++) {
    ra[d] = p.scale * k[krow * p.D + d];
    rb[d] = v[krow * p.D + d];
  }
  clear_acc();
  clear_acc2();
  let group = p.Hq / p.Hkv;
  // Query t sees key j when past + t >= j.
  let t0 = select(0u, j - p.past, j > p.past);
  for (var g = 0u; g < group; g++) {
    for (var t = t0; t < p.T; t++) {
      let row = q_row(b, t, kvh * group + g);
      let base = row * p.D;
      var s = 0.0;
      var dp = 0.0;
      for (var d = 0u; d < p.D; d++) {
        s += ra[d] * q[base + d];
        dp += rb[d] * d_o[base + d];
      }
      let pr = exp(s - lse[row]);
      let ds = pr * (dp - delta[row]);
      for (var d = 0u; d < p.D; d++) {
        acc[d] += ds * q[base + d];
        acc2[d] += pr * d_o[base + d];
      }
    }
  }
  for (var d = 0u; d < p.D; d++) {
    d_k[krow * p.D + d] = p.scale * acc[d];
    d_v[krow * p.D + d] = acc2[d];
  }
}

// ---- tiled -----------------------------------------------------------------------------------
// Barriers sit in loops whose bounds depend only on workgroup_id and params (uniform); threads past
// the end of the sequence still stage tiles and meet every barrier, they just skip the math.

// Stages rows j0..j0+n-1 of K (and V when with_v) of kv head kvh into workgroup memory.
fn stage_kv(b: u32, kvh: u32, j0: u32, n: u32, lid: u32, with_v: bool) {
  for (var i = lid; i < n * p.D; i += WG) {
    let g = kv_row(b, j0 + i / p.D, kvh) * p.D + i % p.D;
    k_tile[i] = k[g];
    if (with_v) { v_tile[i] = v[g]; }
  }
}

fn dot_ra_tile(jj: u32) -> f32 {
  var s = 0.0;
  for (var d = 0u; d < p.D; d++) { s += ra[d] * k_tile[jj * p.D + d]; }
  return s;
}

// Keys of the tile starting at j0 (n rows) that a query seeing my_keys keys attends.
fn keys_in_tile(my_keys: u32, j0: u32, n: u32) -> u32 {
  return min(n, select(0u, my_keys - j0, my_keys > j0));
}

@compute @workgroup_size(WG)
fn attention_tiled_forward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let b = wid.z;
  let h = wid.y;
  let t = wid.x * WG + lid;
  let kvh = h / (p.Hq / p.Hkv);
  let in_range = t < p.T;
  let row = q_row(b, min(t, p.T - 1u), h);
  if (in_range) { load_query(row); }
  clear_acc();
  var m = NEG_BIG;
  var l = 0.0;
  let tile = KV_TILE_FLOATS / p.D;
  let wg_keys = p.past + min(wid.x * WG + WG, p.T); // keys the tile's last query sees
  let my_keys = p.past + t + 1u;
  for (var j0 = 0u; j0 < wg_keys; j0 += tile) {
    let n = min(tile, wg_keys - j0);
    workgroupBarrier(); // the previous tile is consumed
    stage_kv(b, kvh, j0, n, lid, true);
    workgroupBarrier();
    if (in_range) {
      for (var jj = 0u; jj < keys_in_tile(my_keys, j0, n); jj++) {
        let s = dot_ra_tile(jj);
        if (s > m) {
          let c = exp(m - s);
          l *= c;
          for (var d = 0u; d < p.D; d++) { acc[d] *= c; }
          m = s;
        }
        let e = exp(s - m);
        l += e;
        for (var d = 0u; d < p.D; d++) { acc[d] += e * v_tile[jj * p.D + d]; }
      }
    }
  }
  if (in_range) {
    for (var d = 0u; d < p.D; d++) { out[row * p.D + d] = acc[d] / l; }
  }
}

@compute @workgroup_size(WG)
fn attention_tiled_backward_query(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let b = wid.z;
  let h = wid.y;
  let t = wid.x * WG + lid;
  let kvh = h / (p.Hq / p.Hkv);
  let in_range = t < p.T;
  let row = q_row(b, min(t, p.T - 1u), h);
  var dlt = 0.0;
  if (in_range) {
    load_query(row);
    dlt = load_d_out(row);
  }
  let tile = KV_TILE_FLOATS / p.D;
  let wg_keys = p.past + min(wid.x * WG + WG, p.T);
  let my_keys = p.past + t + 1u;
  // Pass 1: the row's log-sum-exp.
  var m = NEG_BIG;
  var l = 0.0;
  for (var j0 = 0u; j0 < wg_keys; j0 += tile) {
    let n = min(tile, wg_keys - j0);
    workgroupBarrier();
    stage_kv(b, kvh, j0, n, lid, false);
    workgroupBarrier();
    if (in_range) {
      for (var jj = 0u; jj < keys_in_tile(my_keys, j0, n); jj++) {
        let s = dot_ra_tile(jj);
        if (s > m) {
          l *= exp(m - s);
          m = s;
        }
        l += exp(s - m);
      }
    }
  }
  let row_l = m + log(l);
  // Pass 2: d_q = scale * sum_j P (d_out . v_j - delta) k_j.
  clear_acc();
  for (var j0 = 0u; j0 < wg_keys; j0 += tile) {
    let n = min(tile, wg_keys - j0);
    workgroupBarrier();
    stage_kv(b, kvh, j0, n, lid, true);
    workgroupBarrier();
    if (in_range) {
      for (var jj = 0u; jj < keys_in_tile(my_keys, j0, n); jj++) {
        var dp = 0.0;
        for (var d = 0u; d < p.D; d++) { dp += rb[d] * v_tile[jj * p.D + d]; }
        let ds = exp(dot_ra_tile(jj) - row_l) * (dp - dlt);
        for (var d = 0u; d < p.D; d++) { acc[d] += ds * k_tile[jj * p.D + d]; }
      }
    }
  }
  if (in_range) {
    for (var d = 0u; d < p.D; d++) { out[row * p.D + d] = p.scale * acc[d]; }
    lse[row] = row_l;
    delta[row] = dlt;
  }
}

// Stages query rows t0..t0+n-1 of head h: q, d_out, lse and delta.
fn stage_queries(b: u32, h: u32, t0: u32, n: u32, lid: u32) {
  for (var i = lid; i < n * p.D; i += WG) {
    let g = q_row(b, t0 + i / p.D, h) * p.D + i % p.D;
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
fn attention_tiled_backward_key(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let b = wid.z;
  let kvh = wid.y;
  let j = wid.x * WG + lid;
  let in_range = j < p.S;
  let krow = kv_row(b, min(j, p.S - 1u), kvh);
  if (in_range) {
    for (var d = 0u; d < p.D; d++) {
      ra[d] = p.scale * k[krow * p.D + d];
      rb[d] = v[krow * p.D + d];
    }
  }
  clear_acc();
  clear_acc2();
  let group = p.Hq / p.Hkv;
  let j_first = wid.x * WG;
  let t_first = select(0u, j_first - p.past, j_first > p.past); // first query that sees any key here
  let tile = min(64u, Q_TILE_FLOATS / p.D);
  for (var g = 0u; g < group; g++) {
    for (var t0 = t_first; t0 < p.T; t0 += tile) {
      let n = min(tile, p.T - t0);
      workgroupBarrier();
      stage_queries(b, kvh * group + g, t0, n, lid);
      workgroupBarrier();
      if (in_range) {
        for (var tt = 0u; tt < n; tt++) {
          if (p.past + t0 + tt < j) { continue; }
          var s = 0.0;
          var dp = 0.0;
          for (var d = 0u; d < p.D; d++) {
            s += ra[d] * q_tile[tt * p.D + d];
            dp += rb[d] * do_tile[tt * p.D + d];
          }
          let pr = exp(s - lse_tile[tt]);
          let ds = pr * (dp - delta_tile[tt]);
          for (var d = 0u; d < p.D; d++) {
            acc[d] += ds * q_tile[tt * p.D + d];
            acc2[d] += pr * do_tile[tt * p.D + d];
          }
        }
      }
    }
  }
  if (in_range) {
    for (var d = 0u; d < p.D; d++) {
      d_k[krow * p.D + d] = p.scale * acc[d];
      d_v[krow * p.D + d] = acc2[d];
    }
  }
}
