/** Field-level details of a rejected request: field name -> messages. */
export type FieldErrors = Record<string, string[]>;

/**
 * An error whose message is safe to show to clients. Anything that is not an
 * AppError is treated as a bug: logged in full, answered with a generic 500.
 */
export class AppError extends Error {
  readonly errors?: FieldErrors;
  readonly headers?: Record<string, string>;

  constructor(
    readonly status: number,
    message: string,
    extra: { errors?: FieldErrors; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = new.target.name;
    if (extra.errors) this.errors = extra.errors;
    if (extra.headers) this.headers = extra.headers;
  }
}

export class BadRequestError extends AppError {
  constructor(message: string, errors?: FieldErrors) {
    super(400, message, errors ? { errors } : {});
  }
}

export class UnauthorizedError extends AppError {
  constructor() {
    super(401, 'Unauthorized');
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'Forbidden') {
    super(403, message);
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Not found', errors?: FieldErrors) {
    super(404, message, errors ? { errors } : {});
  }
}

export class ConflictError extends AppError {
  constructor(message: string, errors?: FieldErrors) {
    super(409, message, errors ? { errors } : {});
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message = 'Request body is too large') {
    super(413, message);
  }
}

export class TooManyRequestsError extends AppError {
  constructor(message: string, retryAfterSeconds: number) {
    super(429, message, { headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) } });
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(message: string, options: { retryAfterSeconds?: number; cause?: unknown } = {}) {
    super(503, message, { headers: { 'Retry-After': String(options.retryAfterSeconds ?? 1) }, cause: options.cause });
  }
}

/** A 500 with a contract-defined message, such as Send Message's session failure (README). */
export class InternalError extends AppError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(500, message, options);
  }
}
