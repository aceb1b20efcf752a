// Causal GQA attention, register blocking for software adapters: each thread owns 4 query rows (4 key
// rows for d_k/d_v), one per vec4 lane, and walks the other side 4 rows at a time, so every inner
// d-loop step does 16-32 multiply-adds on values in registers (as matmul_regs4x4.wgsl does). No
// workgroup memory, no barriers. Same math and buffers as attention_rowloop.wgsl; launched by
// src/engine/ops/attention.ts, which substitutes the head size D below and names the module per D.
//   q, out, d_out, d_q: (B, T, Hq, D);  k, v, d_k, d_v: (B, S, Hkv, D);  lse, delta: (B, T, Hq)
//   Query t sits at position past + t and attends keys j <= past + t; query head h reads kv head
//   h / (Hq / Hkv); scale = 1 / sqrt(D).
//   forward: out = softmax(scale q k^T) v, online softmax per block of 4 keys; lse = log-sum-exp.
//   backward_query: P = exp(s - lse), delta = sum(d_out * out), dS = P (d_out . v - delta),
//   d_q = scale dS k. backward_key (after it): d_k = scale dS^T q, d_v = P^T d_out over the kv group.
// Grid: 1-D, index = gid.x + gid.y * nwg.x * WG over (b, block of 4 rows, head), head fastest.
// Rows past the end are clamped to the last row (no branches around loads), masked out of every sum
// and not written. Outputs overwrite; no atomics: deterministic.

const D: u32 = 64u; // head size: attention.ts replaces this line before compiling
const NEG_BIG: f32 = -3.0e38;
const LANE = vec4u(0u, 1u, 2u, 3u);

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

// A thread's block of 4 query rows: t0, the clamped positions t0..t0+3, their flat rows, kv head.
struct QueryBlock {
  b: u32,
  t0: u32,
  rows: vec4u,
  last: vec4u, // last key each row sees: past + t
  kvh: u32,
}

fn query_block(idx: u32) -> QueryBlock {
  let tr = (p.T + 3u) / 4u;
  let h = idx % p.Hq;
  let t0 = ((idx / p.Hq) % tr) * 4u;
  let b = idx / (p.Hq * tr);
  let t = min(vec4u(t0) + LANE, vec4u(p.T - 1u));
  return QueryBlock(b, t0, (vec4u(b * p.T) + t) * p.Hq + h, vec4u(p.past) + t, h / (p.Hq / p.Hkv));
}

// Flat offsets of keys j0..j0+3 of kv head kvh, clamped to key n_keys - 1.
fn key_bases(b: u32, j0: u32, n_keys: u32, kvh: u32) -> vec4u {
  let j = min(vec4u(j0) + LANE, vec4u(n_keys - 1u));
  return ((vec4u(b * p.S) + j) * p.Hkv + kvh) * D;
}

@compute @workgroup_size(WG)
fn attention_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let idx = flat(gid, nwg);
  if (idx >= p.B * ((p.T + 3u) / 4u) * p.Hq) { return; }
  let qb = query_block(idx);
  let r = qb.rows * D;
  var qs: array<vec4f, D>;  // qs[d]: scaled q[rows][d], one row per lane
  var acc: array<vec4f, D>; // running sum of exp(s - m) v per row
  for (var d = 0u; d < D; d++) { qs[d] = p.scale * vec4f(q[r.x + d], q[r.y + d], q[r.z + d], q[r.w + d]); }
  var m = vec4f(NEG_BIG);
  var l = vec4f(0.0);
  let n_keys = p.past + min(qb.t0 + 4u, p.T);
  for (var j0 = 0u; j0 < n_keys; j0 += 4u) {
    let kb = key_bases(qb.b, j0, n_keys, qb.kvh);
    var s = mat4x4f(); // column c: scores of key j0 + c against the 4 rows
    for (var d = 0u; d < D; d++) {
      let qd = qs[d];
      s += mat4x4f(qd * k[kb.x + d], qd * k[kb.y + d], qd * k[kb.z + d], qd * k[kb.w + d]);
    }
    // Keys a row does not see score NEG_BIG; key 0 is visible to every row, so m is finite from here on.
    for (var c = 0u; c < 4u; c++) { s[c] = select(vec4f(NEG_BIG), s[c], vec4u(j0 + c) <= qb.last); }
    let m_new = max(m, max(max(s[0], s[1]), max(s[2], s[3])));
    let c = exp(m - m_new);
    let e = mat4x4f(exp(s[0] - m_new), exp(s[1] - m_new), exp(s[2] - m_new), exp(s[3] - m_new));
    l = l * c + (e[0] + e[1]) + (e[2] + e[3]);
    m = m_new;
    for (var d = 0u; d < D; d++) {
      acc[d] = acc[d] * c + e * vec4f(v[kb.x + d], v[kb.y + d], v[kb.z + d], v[kb.w + d]);
    }
  }
  for (var i = 0u; i < 4u; i++) {
    if (qb.t0 + i >= p.T) { break; }
    for (var d = 0u; d < D; d++) { out[qb.rows[i] * D + d] = acc[d][i] / l[i]; }
    lse[qb.rows[i]] = m[i] + log(l[i]);
  }
}

// d_q and delta for a block of 4 query rows, from the forward's lse.
@compute @workgroup_size(WG)
fn attention_backward_query(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let idx = flat(gid, nwg);
  if (idx >= p.B * ((p.T + 3u) / 4u) * p.Hq) { return; }
  let qb = query_block(idx);
  let r = qb.rows * D;
  var qs: array<vec4f, D>;
  var dos: array<vec4f, D>;
  var acc: array<vec4f, D>;
  var dlt = vec4f(0.0);
  for (var d = 0u; d < D; d++) {
    qs[d] = p.scale * vec4f(q[r.x + d], q[r.y + d], q[r.z + d], q[r.w + d]);
    dos[d] = vec4f(d_o[r.x + d], d_o[r.y + d], d_o[r.z + d], d_o[r.w + d]);
    dlt += dos[d] * vec4f(o[r.x + d], o[r.y + d], o[r.z + d], o[r.w + d]);
  }
  let row_lse = vec4f(lse[qb.rows.x], lse[qb.rows.y], lse[qb.rows.z], lse[qb.rows.w]);
  let n_keys = p.past + min(qb.t0 + 4u, p.T);
  for (var j0 = 0u; j0 < n_keys; j0 += 4u) {
    let kb = key_bases(qb.b, j0, n_keys, qb.kvh);
    var s = mat4x4f();  // column c: key j0 + c against the 4 rows
    var dp = mat4x4f(); // d_out . v
    for (var d = 0u; d < D; d++) {
      let qd = qs[d];
      let od = dos[d];
      s += mat4x4f(qd * k[kb.x + d], qd * k[kb.y + d], qd * k[kb.z + d], qd * k[kb.w + d]);
      dp += mat4x4f(od * v[kb.x + d], od * v[kb.y + d], od * v[kb.z + d], od * v[kb.w + d]);
    }
    var ds = mat4x4f();
    for (var c = 0u; c < 4u; c++) {
      ds[c] = select(vec4f(0.0), exp(s[c] - row_lse) * (dp[c] - dlt), vec4u(j0 + c) <= qb.last);
    }
    for (var d = 0u; d < D; d++) {
      acc[d] += ds * vec4f(k[kb.x + d], k[kb.y + d], k[kb.z + d], k[kb.w + d]);
    }
  }
  for (var i = 0u; i < 4u; i++) {
    if (qb.t0 + i >= p.T) { break; }
    for (var d = 0u; d < D; d++) { out[qb.rows[i] * D + d] = p.scale * acc[d][i]; }
    delta[qb.rows[i]] = dlt[i];
  }
}

// d_k and d_v for a block of 4 key rows (one per lane), summed over the query heads of the kv group
// and the queries that see each key, taken 4 at a time.
@compute @workgroup_size(WG)
fn attention_backward_key(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let idx = flat(gid, nwg);
  let sr = (p.S + 3u) / 4u;
  if (idx >= p.B * sr * p.Hkv) { return; }
  let kvh = idx % p.Hkv;
  let j0 = ((idx / p.Hkv) % sr) * 4u;
  let b = idx / (p.Hkv * sr);
  let j = vec4u(j0) + LANE;
  let krows = (vec4u(b * p.S) + min(j, vec4u(p.S - 1u))) * p.Hkv + kvh;
  let r = krows * D;
  var ks: array<vec4f, D>; // scaled k[krows][d], one key per lane
  var vs: array<vec4f, D>;
  var dk: array<vec4f, D>;
  var dv: array<vec4f, D>;
  for (var d = 0u; d < D; d++) {
    ks[d] = p.scale * vec4f(k[r.x + d], k[r.y + d], k[r.z + d], k[r.w + d]);
    vs[d] = vec4f(v[r.x + d], v[r.y + d], v[r.z + d], v[r.w + d]);
  }
  let group = p.Hq / p.Hkv;
  let t_first = select(0u, j0 - p.past, j0 > p.past); // first query that sees key j0
  for (var g = 0u; g < group; g++) {
    let h = kvh * group + g;
    for (var t0 = t_first; t0 < p.T; t0 += 4u) {
      let t = min(vec4u(t0) + LANE, vec4u(p.T - 1u));
      let rows = (vec4u(b * p.T) + t) * p.Hq + h;
      let qo = rows * D;
      var s = mat4x4f();  // column c: query t0 + c against the 4 keys
      var dp = mat4x4f(); // v . d_out
      for (var d = 0u; d < D; d++) {
        let kd = ks[d];
        let vd = vs[d];
        s += mat4x4f(kd * q[qo.x + d], kd * q[qo.y + d], kd * q[qo.z + d], kd * q[qo.w + d]);
        dp += mat4x4f(vd * d_o[qo.x + d], vd * d_o[qo.y + d], vd * d_o[qo.z + d], vd * d_o[qo.w + d]);
      }
      var pr = mat4x4f();
      var ds = mat4x4f();
      for (var c = 0u; c < 4u; c++) {
        // Query t0 + c (if it exists) sees key j when j <= past + t0 + c.
        let seen = (j <= vec4u(p.past + t0 + c)) & vec4<bool>(t0 + c < p.T);
        pr[c] = select(vec4f(0.0), exp(s[c] - lse[rows[c]]), seen);
        ds[c] = pr[c] * (dp[c] - delta[rows[c]]);
      }
      for (var d = 0u; d < D; d++) {
        dk[d] += ds * vec4f(q[qo.x + d], q[qo.y + d], q[qo.z + d], q[qo.w + d]);
        dv[d] += pr * vec4f(d_o[qo.x + d], d_o[qo.y + d], d_o[qo.z + d], d_o[qo.w + d]);
      }
    }
  }
  for (var i = 0u; i < 4u; i++) {
    if (j0 + i >= p.S) { break; }
    for (var d = 0u; d < D; d++) {
      d_k[krows[i] * D + d] = p.scale * dk[d][i];
      d_v[krows[i] * D + d] = dv[d][i];
    }
  }
}
