// pino loggers: JSON lines on stdout, one child logger per concern ({component}, then {controller, key}
// or {pod, node} as the code goes deeper). LOG_LEVEL sets the level (default info).
import pino from 'pino';

export type Logger = pino.Logger;

export function newLogger(component: string): Logger {
  return pino({ level: process.env.LOG_LEVEL ?? 'info', base: { component } });
}
