import type { InvocationContext, LogLevel } from '@azure/functions';
import { InvocationContext as RealInvocationContext } from '../../shared/hosting/azureFunctionsRuntime.js';

export interface LoggedLine {
  level: LogLevel;
  message: string;
}

/** A real InvocationContext whose log lines are kept for assertions instead of printed. */
export function buildInvocationContext(lines: LoggedLine[] = [], functionName = 'test'): InvocationContext {
  return new RealInvocationContext({
    functionName,
    invocationId: crypto.randomUUID(),
    logHandler: (level, ...args) => lines.push({ level, message: args.map(String).join(' ') }),
  });
}
