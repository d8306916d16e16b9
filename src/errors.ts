/**
 * Typed errors. Commands throw these; `src/index.ts` is the one place that prints them and
 * exits. Each says what went wrong and what to do next (`hint`), and carries its exit code
 * (docs/cli.md, exit codes: 1 error, 2 usage error).
 */
export class AiopsError extends Error {
  readonly exitCode: number;
  readonly hint: string | undefined;
  /** The HTTP status an API server answered, when the error comes from one. */
  readonly httpStatus: number | undefined;

  constructor(message: string, options: { exitCode?: number; hint?: string; cause?: unknown; httpStatus?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? 1;
    this.hint = options.hint;
    this.httpStatus = options.httpStatus;
  }
}

/** Wrong flags or arguments: exit 2. */
export class UsageError extends AiopsError {
  constructor(message: string, hint?: string) {
    super(message, hint === undefined ? { exitCode: 2 } : { exitCode: 2, hint });
  }
}

/** A file or stdin that cannot be read or parsed. */
export class InputError extends AiopsError {}

export class NotFoundError extends AiopsError {}

/** The API server refused: names the verb, resource and namespace that are missing. */
export class ForbiddenError extends AiopsError {
  readonly verb: string;
  readonly resource: string;
  readonly namespace: string | undefined;

  constructor(verb: string, resource: string, namespace: string | undefined, user: string | undefined, serverMessage: string | undefined) {
    const where = namespace === undefined ? "at cluster scope" : `in namespace "${namespace}"`;
    super(`forbidden: ${user === undefined ? "you" : `user "${user}"`} cannot ${verb} ${resource} ${where}${serverMessage === undefined ? "" : ` (${serverMessage})`}`, {
      hint: `ask a cluster admin for RBAC permission to "${verb}" "${resource}" ${where}; check with: kubectl auth can-i ${verb} ${resource}${namespace === undefined ? "" : ` -n ${namespace}`}`,
      httpStatus: 403,
    });
    this.verb = verb;
    this.resource = resource;
    this.namespace = namespace;
  }
}

export class UnauthorizedError extends AiopsError {}

/** Server down, DNS failure, TLS failure or request timeout. */
export class UnreachableError extends AiopsError {}

/** A record or policy refusal: invalid record, tier rule not met, expired window. */
export class PolicyError extends AiopsError {}

/** A bug: the message tells the user how to report it. */
export class InternalError extends AiopsError {}

/** `diagnose --fail-on-problems` found something: exit 3, nothing printed as an error. */
export class ProblemsFoundExit extends AiopsError {
  constructor() {
    super("problems found", { exitCode: 3 });
  }
}
