// Placeholder: the native helper replaces this file.
import type { Backend } from '../kernels.js';
export function loadNativeBackend(): Backend { throw new Error('native backend not built yet'); }
