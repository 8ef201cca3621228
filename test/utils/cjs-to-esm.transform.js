// Jest transform: presents a CommonJS package to Jest's ESM loader as an ES module.
//
// Why: @nestjs/throttler (6.x, the latest) ships CommonJS that `require()`s @nestjs/common,
// which is ESM-only since Nest 12. Node >= 20.19 loads that natively (require(esm)), but Jest
// on Node < 24.9 cannot require an ES module. Jest does load an unmarked `.js` whose
// transformed source has ESM syntax as ESM, so this wraps the untouched CommonJS body: every
// `require("x")` becomes a static `import * as`, the body runs with a `require` serving those
// namespaces, and the names it assigns to `exports` become named ESM exports.
// Only used by jest.config.ts for the packages listed there; production runs the real files.
import { createHash } from 'node:crypto';

const REQUIRE = /require\("([^"]+)"\)/g;
const EXPORT_ASSIGN = /exports\.([A-Za-z_$][\w$]*)\s*=/g;
const EXPORT_DEFINE =
  /Object\.defineProperty\(exports,\s*"([A-Za-z_$][\w$]*)"/g;
const EXPORT_STAR = /__exportStar\(require\("([^"]+)"\),\s*exports\)/g;
const VERSION = '1';

function toEsm(source) {
  const specifiers = [
    ...new Set([...source.matchAll(REQUIRE)].map((m) => m[1])),
  ];
  const names = new Set([
    ...[...source.matchAll(EXPORT_ASSIGN)].map((m) => m[1]),
    ...[...source.matchAll(EXPORT_DEFINE)].map((m) => m[1]),
  ]);
  names.delete('__esModule');
  names.delete('__cjs');
  const stars = [...source.matchAll(EXPORT_STAR)].map((m) => m[1]);
  const imports = specifiers.map(
    (s, i) => `import * as __dep${i} from ${JSON.stringify(s)};`,
  );
  const table = specifiers
    .map((s, i) => `${JSON.stringify(s)}: __dep${i}`)
    .join(', ');
  return [
    ...imports,
    `const __deps = { ${table} };`,
    // A wrapped sibling hands out its original exports object; anything else its namespace.
    'const __require = (id) => { const m = __deps[id]; return m && m.__cjs ? m.__cjs : m; };',
    'const __module = { exports: {} };',
    `(function (exports, require, module) {\n${source}\n}).call(__module.exports, __module.exports, __require, __module);`,
    'export const __cjs = __module.exports;',
    names.size > 0
      ? `export const { ${[...names].join(', ')} } = __module.exports;`
      : '',
    ...stars.map((s) => `export * from ${JSON.stringify(s)};`),
  ].join('\n');
}

export default {
  process(sourceText) {
    return { code: toEsm(sourceText) };
  },
  getCacheKey(sourceText, sourcePath) {
    return createHash('sha256')
      .update(VERSION)
      .update(sourcePath)
      .update(sourceText)
      .digest('hex');
  },
};
