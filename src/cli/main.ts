// `infuser-lab COMMAND [options]`: the headless lab on the same WGSL engine as the browser.
import { commands } from './commands.ts';

export const USAGE = `infuser-lab — INFUSER Lab on the command line (same WGSL engine as the browser)

usage: infuser-lab COMMAND [options]        infuser-lab COMMAND --help

commands:
${commands.map((c) => `  ${c.name.padEnd(18)}${c.summary}`).join('\n')}
`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`infuser-lab: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(cmd.help);
    return 0;
  }
  try {
    return (await cmd.run(rest)) ?? 0;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`infuser-lab ${name}: ${msg}\n`);
    if (process.env.INFUSER_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}
