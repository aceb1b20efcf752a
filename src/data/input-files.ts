// Input files for §10.1 imports, as plain data so node (paths) and the browser (dropped files) share one
// importer: decoding with binary/empty/size checks, JSON and JSONL parsing whose errors name file and line,
// and the per-row line numbers of a top-level JSON array. Called by documents.ts and dev-pool.ts.

/** A file handed to an importer: already-decoded text, or raw bytes that still need UTF-8 decoding. */
export type InputFile = { name: string; text: string } | { name: string; bytes: Uint8Array };

/** A file or row an importer left out, with the reason (line is 1-based where it applies). */
export interface RejectedInput { file: string; line?: number; reason: string }

/** One JSON object of a file, with the line its value starts on. */
export interface JsonRow { line: number; index: number; value: unknown }

export const DEFAULT_MAX_FILE_BYTES = 32 * 1024 * 1024;

/** Lower-case extension without the dot ('' when none). */
export function fileExtension(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? name;
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot + 1).toLowerCase();
}

/** Decodes a file as UTF-8 text, or says why it cannot be imported (binary, not UTF-8, empty, too large). */
export function decodeInputFile(file: InputFile, maxBytes = DEFAULT_MAX_FILE_BYTES): { text: string } | { reason: string } {
  const size = 'bytes' in file ? file.bytes.byteLength : new TextEncoder().encode(file.text).byteLength;
  if (size > maxBytes) return { reason: `too large: ${size} bytes exceeds the ${maxBytes}-byte limit` };
  let text: string;
  if ('bytes' in file) {
    if (file.bytes.includes(0)) return { reason: 'binary file (contains NUL bytes)' };
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(file.bytes);
    } catch {
      return { reason: 'binary file or not UTF-8 text (invalid UTF-8 bytes)' };
    }
  } else {
    text = file.text.startsWith('\uFEFF') ? file.text.slice(1) : file.text;
    if (text.includes('\u0000')) return { reason: 'binary file (contains NUL characters)' };
  }
  if (text.trim() === '') return { reason: 'empty file' };
  return { text };
}

/** 1-based line number of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Parses a whole JSON file; a syntax error names the file and the line where parsing failed. */
export function parseJsonFile(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const offset = jsonErrorOffset(text);
    const line = lineAt(text, offset < 0 ? text.length : offset);
    throw new Error(`${file}:${line}: malformed JSON (${(error as Error).message})`);
  }
}

/** Parses JSON Lines: blank lines skipped; each other line must be one JSON object. */
export function parseJsonlFile(text: string, file: string): JsonRow[] {
  const rows: JsonRow[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(lines[i]);
    } catch (error) {
      throw new Error(`${file}:${i + 1}: malformed JSON line (${(error as Error).message})`);
    }
    if (!isPlainObject(value)) throw new Error(`${file}:${i + 1}: each JSONL line must be one JSON object`);
    rows.push({ line: i + 1, index: rows.length, value });
  }
  return rows;
}

/** Parses a file that must hold a top-level JSON array; each row keeps the line its element starts on. */
export function parseJsonArrayFile(text: string, file: string): JsonRow[] {
  const parsed = parseJsonFile(text, file);
  if (!Array.isArray(parsed)) throw new Error(`${file}:1: expected a JSON array of objects at the top level`);
  const lines = topLevelArrayLines(text);
  return parsed.map((value, index) => ({ line: lines[index] ?? 1, index, value }));
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** What a JSON row looks like: a document (`content`/`text`), a question (`question_text` + `choices`), or neither. */
export function jsonRowKind(value: unknown): 'document' | 'question' | 'unknown' {
  if (!isPlainObject(value)) return 'unknown';
  if ('question_text' in value && 'choices' in value) return 'question';
  if ('content' in value || 'text' in value) return 'document';
  return 'unknown';
}

/** Line on which each element of a valid top-level JSON array starts. */
export function topLevelArrayLines(text: string): number[] {
  const lines: number[] = [];
  let depth = 0;
  let line = 1;
  let inString = false;
  let expectingElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (expectingElement && !/\s/.test(c)) {
      if (c !== ']') lines.push(line);
      expectingElement = false;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1 && c === '[') expectingElement = true;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expectingElement = true;
  }
  return lines;
}

/**
 * Offset of the first JSON syntax error, or -1 if the text is valid JSON.
 * JSON.parse messages carry a position only on some engines, so errors are located here instead.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => { throw new JsonSyntaxAt(i); };
  const skipSpace = (): void => { while (i < text.length && ' \t\n\r'.includes(text[i])) i++; };
  const literal = (word: string): void => { if (text.startsWith(word, i)) i += word.length; else fail(); };
  const string = (): void => {
    i++;
    while (i < text.length) {
      const c = text[i];
      if (c === '"') { i++; return; }
      if (c === '\\') {
        const e = text[i + 1];
        if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else fail();
      } else if (c < ' ') fail();
      else i++;
    }
    fail();
  };
  const number = (): void => {
    const re = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    re.lastIndex = i;
    if (re.exec(text) === null) fail();
    i = re.lastIndex;
  };
  const members = (close: string, member: () => void): void => {
    i++;
    skipSpace();
    if (text[i] === close) { i++; return; }
    for (;;) {
      member();
      skipSpace();
      if (text[i] === ',') { i++; continue; }
      if (text[i] === close) { i++; return; }
      fail();
    }
  };
  const value = (): void => {
    skipSpace();
    const c = text[i];
    if (c === '{') {
      members('}', () => {
        skipSpace();
        if (text[i] !== '"') fail();
        string();
        skipSpace();
        if (text[i] !== ':') fail();
        i++;
        value();
      });
    } else if (c === '[') members(']', value);
    else if (c === '"') string();
    else if (c === '-' || (c >= '0' && c <= '9')) number();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else fail();
  };
  try {
    value();
    skipSpace();
    if (i < text.length) fail();
    return -1;
  } catch (error) {
    if (error instanceof JsonSyntaxAt) return error.offset;
    throw error;
  }
}

class JsonSyntaxAt {
  constructor(readonly offset: number) {}
}
