type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

function serializeError(value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack };
  }
  return value;
}

/** One JSON object per line, so CloudWatch Logs Insights can query fields. */
export function createLogger(base: LogFields = {}, minLevel = process.env.LOG_LEVEL ?? 'info'): Logger {
  const threshold = order[minLevel as Level] ?? order.info;
  const write = (level: Level, message: string, fields?: LogFields) => {
    if (order[level] < threshold) return;
    const entry: LogFields = { level, message, timestamp: new Date().toISOString(), ...base };
    for (const [key, value] of Object.entries(fields ?? {})) entry[key] = serializeError(value);
    const line = JSON.stringify(entry);
    if (level === 'error' || level === 'warn') process.stderr.write(line + '\n');
    else process.stdout.write(line + '\n');
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger({ ...base, ...fields }, minLevel),
  };
}
