/** The cold-start baseline: a handler with no imports at all. */
export const handler = (): Promise<object> => Promise.resolve({});
