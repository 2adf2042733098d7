// Loaded with `node --import` by the Chromium lane (npm run test:browser). TEMPORARY WORKAROUND.
//
// Why: package.json pins @types/node 20.9.5, outside vite 8's peer range (^20.19.0), so npm nests vite
// under node_modules/vitest/ instead of the root. @vitest/browser-playwright's own copy of @vitest/mocker
// then cannot import 'vite' and the browser config fails to load (ERR_MODULE_NOT_FOUND). This hook
// resolves a 'vite' that Node cannot find from vitest's folder instead, i.e. the same vite vitest uses.
// It does nothing once vite resolves normally: delete it when @types/node is ≥ 20.19 and the lockfile
// has been regenerated (vite then sits at node_modules/vite).
import { register } from 'node:module';

const hooks = `
const vitest = ${JSON.stringify(new URL('../node_modules/vitest/package.json', import.meta.url).href)};
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !/^vite(\\/|$)/.test(specifier)) throw err;
    return next(specifier, { ...context, parentURL: vitest });
  }
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
