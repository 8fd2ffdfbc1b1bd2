import type { Services } from '../shared/composition.js';
import type { FunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { healthFunction } from './health.js';

/** Every function of the app. Azure (`app.ts`) and the local host (`dev/`) both serve exactly this list. */
export const functionList: ReadonlyArray<FunctionDefinition<Services>> = [healthFunction];
