// Test support: replaces a role's sampling with fixed texts chosen by the request's keys, so tests of
// the stages downstream of generation run on tiny random models (which never write valid questions).
// Everything else about the role (PPO updates, influence gradients) stays real.
import type { EnginePolicyRole } from './policy-role.ts';
import type { Sample, SampleRequest } from './roles.ts';

export function scriptSampling(role: EnginePolicyRole, text: (req: SampleRequest, row: number) => string): void {
  role.sample = async (req: SampleRequest): Promise<Sample[]> =>
    Array.from({ length: req.n }, (_, row) => {
      const t = text(req, row);
      const tokens = role.tokenizer.encode(t);
      return { tokens, logprobs: tokens.map(() => -1), text: t, finish: 'eos' as const };
    });
}
