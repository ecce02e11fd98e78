/** An error that becomes an HTTP status with a plain-text body, as Consul answers. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (msg: string): HttpError => new HttpError(400, msg);
export const notFound = (msg: string): HttpError => new HttpError(404, msg);
export const serverError = (msg: string): HttpError => new HttpError(500, msg);
