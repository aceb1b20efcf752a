// Experiment records are read by people as well as scripts: objects get one key per line, but an array
// of plain values (a question's eight predicted letters, a row of numbers) stays on one line, so a
// held-out file with per-answer predictions is half the size JSON.stringify(v, null, 2) makes it
// and still diffs line by line.

const isPlain = (v: unknown): boolean => v === null || typeof v !== 'object';

/** JSON text, indented by two spaces, with arrays of plain values on one line; parses back to the same value. */
export function readableJson(value: unknown, indent = ''): string {
  const json = (value as { toJSON?: () => unknown } | null)?.toJSON;
  if (typeof json === 'function') return readableJson(json.call(value), indent);
  if (isPlain(value)) return JSON.stringify(value) ?? 'null';
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every(isPlain)) return `[${value.map((v) => JSON.stringify(v) ?? 'null').join(', ')}]`;
    return `[\n${value.map((v) => `${inner}${readableJson(v, inner)}`).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined && typeof v !== 'function');
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${readableJson(v, inner)}`).join(',\n')}\n${indent}}`;
}
