/**
 * A decoder as strict as Go's `encoding/json` into typed structs, for checking that a body
 * decodes into an agent's structs without error (V2bX aborts the update on any error; XrayR
 * ignores the error and silently zeroes the field, which is worse). Go semantics kept:
 * - an `int` must be a JSON number without a fraction (`1.5` and `"1"` are errors);
 * - a `string` must be a JSON string, a `bool` true/false, `,string` numbers a quoted number;
 * - `null` decodes into anything as a no-op (no error), except where an agent then
 *   dereferences the value (checked by the agent rules, not here);
 * - object keys match struct tags exactly, else case-insensitively; unknown keys are ignored;
 * - `json.RawMessage` / `interface{}` take anything; `map[int]T` needs integer keys.
 */
export type GoType =
  | 'int'
  | 'uint64'
  | 'int64'
  | 'string'
  | 'bool'
  | 'uint64,string'
  | 'raw'
  | 'any'
  | { struct: Record<string, GoType> }
  | { slice: GoType }
  | { mapIntTo: GoType }
  | { ptr: GoType };

export const struct = (fields: Record<string, GoType>): GoType => ({
  struct: fields,
});
export const slice = (of: GoType): GoType => ({ slice: of });
export const ptr = (to: GoType): GoType => ({ ptr: to });
export const mapIntTo = (of: GoType): GoType => ({ mapIntTo: of });

/** Every decode error, as `path: problem` (empty = it decodes). */
export function goDecodeErrors(
  value: unknown,
  type: GoType,
  path = '$',
): string[] {
  if (value === null) return [];
  if (typeof type === 'string') return scalar(value, type, path);
  if ('ptr' in type) return goDecodeErrors(value, type.ptr, path);
  if ('slice' in type) {
    if (!Array.isArray(value))
      return [`${path}: cannot unmarshal ${kind(value)} into slice`];
    return value.flatMap((v, i) =>
      goDecodeErrors(v, type.slice, `${path}[${i}]`),
    );
  }
  if ('mapIntTo' in type) {
    if (!isObject(value))
      return [`${path}: cannot unmarshal ${kind(value)} into map`];
    return Object.entries(value).flatMap(([k, v]) =>
      /^-?\d+$/.test(k)
        ? goDecodeErrors(v, type.mapIntTo, `${path}.${k}`)
        : [`${path}: map key ${JSON.stringify(k)} is not an int`],
    );
  }
  if (!isObject(value))
    return [`${path}: cannot unmarshal ${kind(value)} into struct`];
  const fields = Object.entries(type.struct);
  const errors: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    const field =
      fields.find(([name]) => name === key) ??
      fields.find(([name]) => name.toLowerCase() === key.toLowerCase());
    if (field) errors.push(...goDecodeErrors(v, field[1], `${path}.${key}`));
  }
  return errors;
}

function scalar(value: unknown, type: string, path: string): string[] {
  switch (type) {
    case 'raw':
    case 'any':
      return [];
    case 'string':
      return typeof value === 'string'
        ? []
        : [`${path}: cannot unmarshal ${kind(value)} into string`];
    case 'bool':
      return typeof value === 'boolean'
        ? []
        : [`${path}: cannot unmarshal ${kind(value)} into bool`];
    case 'uint64,string':
      return typeof value === 'string' && /^\d+$/.test(value)
        ? []
        : [
            `${path}: invalid use of ,string struct tag, trying to unmarshal ${JSON.stringify(value)} into uint64`,
          ];
    default: {
      const unsigned = type === 'uint64';
      if (typeof value !== 'number')
        return [`${path}: cannot unmarshal ${kind(value)} into ${type}`];
      if (!Number.isInteger(value) || (unsigned && value < 0))
        return [`${path}: cannot unmarshal number ${value} into ${type}`];
      return [];
    }
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function kind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'object' : typeof v;
}
