/**
 * Why the supervisor refused an action. `kind` maps to the control API's status codes (404,
 * 409, 400, 503, 501), so the HTTP layer never has to guess from a message.
 */
export type SupervisorErrorKind =
  'not_found' | 'conflict' | 'invalid' | 'no_leader' | 'unsupported';

export class SupervisorError extends Error {
  override readonly name: string = 'SupervisorError';

  constructor(
    readonly kind: SupervisorErrorKind,
    message: string,
  ) {
    super(message);
  }
}
