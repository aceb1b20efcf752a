// Flags of the research scripts (build-world, narrow-target, train-anchors): `--name=value` only, the last
// one winning, so `npm run train-anchors -- --choice-steps=600` overrides a flag the npm script already
// passes. Any other argument is refused with the flags the script knows, so a typo or a `--name value`
// pair stops the script instead of being ignored.

/** Checks process.argv against `known` and returns the reader of one flag (`fallback` absent: required). */
export function scriptFlags(script: string, known: readonly string[], argv: readonly string[] = process.argv.slice(2)) {
  for (const arg of argv) {
    const name = /^--([a-z][a-z0-9-]*)=/.exec(arg)?.[1];
    if (name === undefined || !known.includes(name)) {
      const hint = /^--[a-z][a-z0-9-]*$/.test(arg) && known.includes(arg.slice(2)) ? ` (write ${arg}=VALUE)` : '';
      throw new Error(`${script}: unknown argument "${arg}"${hint}; it takes --name=value with name one of ${known.join(', ')}`);
    }
  }
  return (name: string, fallback?: string): string => {
    if (!known.includes(name)) throw new Error(`${script}: flag --${name} is read but not in its list of known flags`);
    const hit = argv.findLast((a) => a.startsWith(`--${name}=`));
    if (hit !== undefined) return hit.slice(name.length + 3);
    if (fallback === undefined) throw new Error(`${script}: --${name}=... is required`);
    return fallback;
  };
}
