// Workgroup counts for 1-D kernels. Kernels index element i = gid.x + gid.y * num_workgroups.x * WG,
// so a large tensor spreads over y when x would pass the 65535-workgroup limit.
export function grid1d(n: number, workgroupSize = 256, maxDim = 65535): [number, number, number] {
  const groups = Math.max(1, Math.ceil(n / workgroupSize));
  if (groups <= maxDim) return [groups, 1, 1];
  const y = Math.ceil(groups / maxDim);
  return [Math.ceil(groups / y), y, 1];
}

export const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);
