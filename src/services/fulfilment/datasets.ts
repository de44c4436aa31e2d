/** Load dataset annotation files (YAML). */
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Dataset, parseDatasetYaml } from '../../core/fulfilment/dataset.ts';

export const DEMO_DATASETS_DIR = fileURLToPath(
  new URL('../../../examples/nestit/datasets/', import.meta.url),
);

export async function readDatasetFiles(paths: string[]): Promise<Dataset[]> {
  const out: Dataset[] = [];
  for (const p of paths) out.push(...parseDatasetYaml(await readFile(p, 'utf8')));
  return out;
}

export async function readDatasetDir(dir: string = DEMO_DATASETS_DIR): Promise<Dataset[]> {
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  return readDatasetFiles(files.map((f) => `${dir.replace(/\/?$/, '/')}${f}`));
}
