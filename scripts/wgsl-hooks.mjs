// Node module hooks: `import src from '.../x.wgsl?raw'` yields the file's text, as Vite does.
import { readFile } from 'node:fs/promises';

export async function load(url, context, nextLoad) {
  if (url.includes('.wgsl')) {
    const path = new URL(url.split('?')[0]);
    const text = await readFile(path, 'utf8');
    return { format: 'module', shortCircuit: true, source: `export default ${JSON.stringify(text)};` };
  }
  return nextLoad(url, context);
}
