// Elementwise binary ops with row broadcasting, their backward pieces, and scaling.
// Shapes: a is [rows, cols]; b is [rows, cols] (bcast = 0) or [cols] broadcast over rows (bcast = 1).
// Outputs overwrite; gradient accumulation happens in tape.ts, not here.
// 1-D grid: element i = gid.x + gid.y * num_workgroups.x * 256.

struct Params {
  n: u32,      // elements of the output (rows * cols)
  cols: u32,
  bcast: u32,
  alpha: f32,  // scale factor (scale, add_scaled)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

fn index(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * 256u;
}

fn bIndex(i: u32) -> u32 {
  return select(i, i % p.cols, p.bcast == 1u);
}

@compute @workgroup_size(256)
fn add_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = index(gid, nwg);
  if (i < p.n) { out[i] = a[i] + b[bIndex(i)]; }
}

@compute @workgroup_size(256)
fn mul_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = index(gid, nwg);
  if (i < p.n) { out[i] = a[i] * b[bIndex(i)]; }
}

// out = alpha * a (b unbound)
@compute @workgroup_size(256)
fn scale_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = index(gid, nwg);
  if (i < p.n) { out[i] = p.alpha * a[i]; }
}

// Broadcast backward: out[c] = sum over rows of a[r, c] (colsum) or a[r, c] * b[r, c] (colsum_mul).
// One thread per column walks the rows: no barriers, fast on software adapters, fine for the
// parameter-sized column counts this serves.
@compute @workgroup_size(256)
fn colsum(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let c = index(gid, nwg);
  if (c >= p.cols) { return; }
  var s = 0.0;
  for (var i = c; i < p.n; i += p.cols) { s += a[i]; }
  out[c] = s;
}

@compute @workgroup_size(256)
fn colsum_mul(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let c = index(gid, nwg);
  if (c >= p.cols) { return; }
  var s = 0.0;
  for (var i = c; i < p.n; i += p.cols) { s += a[i] * b[i]; }
  out[c] = s;
}
