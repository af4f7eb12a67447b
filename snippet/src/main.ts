// Entry point of the bundle: document.currentScript is only set while this
// script first runs, so it is read here and nowhere else. start() does not
// throw: everything that can fail runs inside its own try.
import { start } from './tracker.js';

start(document.currentScript as HTMLScriptElement | null);
