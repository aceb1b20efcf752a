// Compiled compute pipelines keyed by (shader, entry point, override constants). Compiling takes
// 20-700 ms per kernel on software adapters, so every pipeline is built once per device.

export interface KernelSpec {
  /** Shader file name without extension, e.g. 'matmul_regs4x4'; used in labels and error messages. */
  name: string;
  /** WGSL source text. */
  code: string;
  entry: string;
  constants?: Record<string, number>;
}

export class PipelineCache {
  private modules = new Map<string, GPUShaderModule>();
  private pipelines = new Map<string, GPUComputePipeline>();
  compiled = 0;

  constructor(private device: GPUDevice) {}

  get(spec: KernelSpec): GPUComputePipeline {
    const constKey = spec.constants ? JSON.stringify(spec.constants) : '';
    const key = `${spec.name}:${spec.entry}:${constKey}`;
    let p = this.pipelines.get(key);
    if (p) return p;
    let mod = this.modules.get(spec.name);
    if (!mod) {
      mod = this.device.createShaderModule({ code: spec.code, label: `${spec.name}.wgsl` });
      this.modules.set(spec.name, mod);
    }
    p = this.device.createComputePipeline({
      label: `${spec.name}.wgsl:${spec.entry}`,
      layout: 'auto',
      compute: { module: mod, entryPoint: spec.entry, constants: spec.constants },
    });
    this.pipelines.set(key, p);
    this.compiled++;
    return p;
  }
}
