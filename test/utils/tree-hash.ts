import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * A short sha1 of files and directory trees (names relative to `root`, and contents, in a fixed
 * order): the key of a test artefact built once from them (the migrated template database, the
 * compiled app).
 */
export function treeHash(root: string, paths: string[]): string {
  const hash = createHash('sha1').update(root);
  const add = (path: string): void => {
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) add(join(path, name));
    } else {
      hash.update(relative(root, path)).update(readFileSync(path));
    }
  };
  for (const path of paths) add(join(root, path));
  return hash.digest('hex').slice(0, 12);
}
