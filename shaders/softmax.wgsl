// Softmax and log-softmax over the last dimension of x (rows, cols), logits scaled by 1/T first
// (spec §4 (3) uses T = 0.7). Stable: m = max_k x_k/T, lse = m + log Σ_k exp(x_k/T − m).
//   forward:  log = 0: y_j = exp(x_j/T − lse)        log = 1: y_j = x_j/T − lse
//   backward: log = 0: d_x_j = y_j (d_y_j − Σ_k d_y_k y_k) / T
//             log = 1: d_x_j = (d_y_j − exp(y_j) Σ_k d_y_k) / T
// Two thread mappings, same maths: *_rows = one thread per row, barrier-free (software adapters);
// *_wg = one 256-thread workgroup per row, tree reductions in workgroup memory (real GPUs).
// Row r = gid.x + gid.y * num_workgroups.x * WG (rows) or wid.x + wid.y * num_workgroups.x (wg).
// Outputs overwrite; gradient accumulation happens in tape.ts.

struct Params {
  rows: u32,
  cols: u32,
  inv_t: f32,  // 1 / temperature
  log: u32,    // 1 = log-softmax, 0 = softmax
}

override WG: u32 = 256;
const ROW_WG: u32 = 256;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;    // (rows, cols) logits, forward
@group(0) @binding(2) var<storage, read> y: array<f32>;    // (rows, cols) forward output, backward
@group(0) @binding(3) var<storage, read> d_y: array<f32>;  // (rows, cols), backward
@group(0) @binding(4) var<storage, read_write> out: array<f32>;  // (rows, cols): y or d_x

var<workgroup> red: array<f32, ROW_WG>;

fn row_of_thread(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

fn row_of_group(wid: vec3u, nwg: vec3u) -> u32 {
  return wid.x + wid.y * nwg.x;
}

fn forward_value(z: f32, lse: f32) -> f32 {
  return select(exp(z - lse), z - lse, p.log == 1u);
}

// Σ_k d_y_k w_k with w = 1 (log-softmax) or y (softmax); then the per-element gradient.
fn backward_weight(i: u32) -> f32 {
  return select(d_y[i] * y[i], d_y[i], p.log == 1u);
}

fn backward_value(i: u32, s: f32) -> f32 {
  let g = select(y[i] * (d_y[i] - s), d_y[i] - exp(y[i]) * s, p.log == 1u);
  return g * p.inv_t;
}

// Online max and sum in one pass: when a new maximum appears, the running sum is rescaled.
fn row_lse_serial(base: u32) -> f32 {
  var m = x[base] * p.inv_t;
  var s = 1.0;
  for (var j = 1u; j < p.cols; j++) {
    let z = x[base + j] * p.inv_t;
    if (z > m) {
      s = s * exp(m - z) + 1.0;
      m = z;
    } else {
      s += exp(z - m);
    }
  }
  return m + log(s);
}

@compute @workgroup_size(WG)
fn softmax_forward_rows(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = row_of_thread(gid, nwg);
  if (r >= p.rows) { return; }
  let base = r * p.cols;
  let lse = row_lse_serial(base);
  for (var j = 0u; j < p.cols; j++) {
    out[base + j] = forward_value(x[base + j] * p.inv_t, lse);
  }
}

@compute @workgroup_size(WG)
fn softmax_backward_rows(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = row_of_thread(gid, nwg);
  if (r >= p.rows) { return; }
  let base = r * p.cols;
  var s = 0.0;
  for (var j = 0u; j < p.cols; j++) { s += backward_weight(base + j); }
  for (var j = 0u; j < p.cols; j++) { out[base + j] = backward_value(base + j, s); }
}

// Tree reductions over the workgroup; the trailing barrier lets `red` be reused at once.
fn wg_max(v: f32, lid: u32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var s = ROW_WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] = max(red[lid], red[lid + s]); }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

fn wg_sum(v: f32, lid: u32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var s = ROW_WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] += red[lid + s]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

fn row_lse_wg(base: u32, lid: u32) -> f32 {
  var m = x[base] * p.inv_t;
  for (var j = lid; j < p.cols; j += ROW_WG) { m = max(m, x[base + j] * p.inv_t); }
  m = wg_max(m, lid);
  var s = 0.0;
  for (var j = lid; j < p.cols; j += ROW_WG) { s += exp(x[base + j] * p.inv_t - m); }
  return m + log(wg_sum(s, lid));
}

@compute @workgroup_size(ROW_WG)
fn softmax_forward_wg(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32,
                      @builtin(num_workgroups) nwg: vec3u) {
  let r = row_of_group(wid, nwg);
  if (r >= p.rows) { return; }
  let base = r * p.cols;
  let lse = row_lse_wg(base, lid);
  for (var j = lid; j < p.cols; j += ROW_WG) {
    out[base + j] = forward_value(x[base + j] * p.inv_t, lse);
  }
}

@compute @workgroup_size(ROW_WG)
fn softmax_backward_wg(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32,
                       @builtin(num_workgroups) nwg: vec3u) {
  let r = row_of_group(wid, nwg);
  if (r >= p.rows) { return; }
  let base = r * p.cols;
  var s = 0.0;
  for (var j = lid; j < p.cols; j += ROW_WG) { s += backward_weight(base + j); }
  s = wg_sum(s, lid);
  for (var j = lid; j < p.cols; j += ROW_WG) { out[base + j] = backward_value(base + j, s); }
}
