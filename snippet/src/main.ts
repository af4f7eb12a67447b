// Entry point of the bundle: document.currentScript is only set while this
// script first runs, so it is read here and nowhere else.
import { start } from './tracker.js';

start(document.currentScript, window);
