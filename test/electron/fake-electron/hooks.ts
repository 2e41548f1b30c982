/** Module hook: `import … from 'electron'` gets the fake (electron.js beside this file). */
import type { ResolveHook } from 'node:module';

export const resolve: ResolveHook = (specifier, context, next) => {
  if (specifier === 'electron') {
    return { url: new URL('./electron.js', import.meta.url).href, shortCircuit: true };
  }
  return next(specifier, context);
};
