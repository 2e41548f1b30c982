/** `node --import build/test/electron/fake-electron/register.js build/electron/main.js` */
import { register } from 'node:module';

register('./hooks.js', import.meta.url);
