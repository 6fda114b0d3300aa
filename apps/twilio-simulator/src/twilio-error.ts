/** An error the simulated API answers with, in Twilio's shape. */
export class TwilioApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'TwilioApiError';
  }
}

export function twilioErrorBody(status: number, code: number, message: string) {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

export const notFound = (path: string) => new TwilioApiError(404, 20404, `The requested resource ${path} was not found`);
export const invalidParameter = (message: string) => new TwilioApiError(400, 20001, message);
