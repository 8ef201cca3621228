import { getMetadataStorage } from 'class-validator';
import { readFileSync } from 'node:fs';
import { ENV_CLASSES } from './env.validation.js';

/** Every variable of the validated schema, from the class-validator metadata. */
export function schemaVariables(): string[] {
  const storage = getMetadataStorage();
  const names = ENV_CLASSES.flatMap((cls) =>
    storage
      .getTargetValidationMetadatas(cls, '', true, false)
      .map((m) => m.propertyName),
  );
  return [...new Set(names)].sort();
}

describe('.env.example', () => {
  const text = readFileSync(
    new URL('../../.env.example', import.meta.url),
    'utf8',
  );
  const documented = [...text.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)]
    .map((m) => m[1])
    .sort();

  it('lists exactly the variables the config schema validates', () => {
    expect(documented).toEqual(schemaVariables());
  });

  it('gives every variable a one-line meaning', () => {
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      if (/^[A-Z][A-Z0-9_]*=/.test(line)) expect(lines[i - 1]).toMatch(/^# \S/);
    });
  });
});
