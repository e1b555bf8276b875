/**
 * PostgreSQL array literals for bulk parameters (`unnest($1::uuid[], …)`), built more cheaply
 * than node-postgres does for a JavaScript array: it converts and escapes every element (two
 * regular-expression replacements each), which was several per cent of a matching worker's CPU
 * for the ~30,000 elements of each multi-row upsert. The result is the same value for
 * PostgreSQL; pass it where the array would have gone.
 */

/** `{a,b,c}` for elements that need no quoting: uuids, finite numbers, booleans, integers. */
export function plainArrayLiteral(values: readonly (string | number | boolean)[]): string {
  return `{${values.join(',')}}`;
}

const NEEDS_ESCAPE = /["\\]/;

/** `{"a","b"}` for any text: each element quoted, `"` and `\` escaped (NULL is not supported). */
export function textArrayLiteral(values: readonly string[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    out += NEEDS_ESCAPE.test(v) ? `"${v.replace(/["\\]/g, '\\$&')}"` : `"${v}"`;
  }
  return `${out}}`;
}
