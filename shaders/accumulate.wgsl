// acc += x, elementwise over equal sizes. Used to sum gradient contributions (tape.ts).
// 1-D grid: element i = gid.x + gid.y * (num_workgroups.x * 256), so sizes above 65535 workgroups fit.

@group(0) @binding(1) var<storage, read_write> acc: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;

@compute @workgroup_size(256)
fn accumulate(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i < arrayLength(&acc)) {
    acc[i] += x[i];
  }
}
