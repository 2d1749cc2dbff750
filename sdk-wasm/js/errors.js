// Typed errors of the JS face, named and shaped like @daytonaio/sdk's.
export class DaytonaError extends Error {
  constructor(message, statusCode, code, source) {
    super(message);
    this.name = new.target.name;
    this.statusCode = statusCode;
    this.code = code;
    this.source = source;
  }
  get errorCode() {
    return this.code;
  }
}
export class DaytonaBadRequestError extends DaytonaError {}
export class DaytonaAuthenticationError extends DaytonaError {}
export class DaytonaForbiddenError extends DaytonaError {}
export class DaytonaNotFoundError extends DaytonaError {}
export class DaytonaTimeoutError extends DaytonaError {}
export class DaytonaConflictError extends DaytonaError {}
export class DaytonaGoneError extends DaytonaError {}
export class DaytonaUnprocessableEntityError extends DaytonaError {}
export class DaytonaRateLimitError extends DaytonaError {}
export class DaytonaInternalServerError extends DaytonaError {}
export class DaytonaBadGatewayError extends DaytonaError {}
export class DaytonaServiceUnavailableError extends DaytonaError {}
export class DaytonaConnectionError extends DaytonaError {}
export class DaytonaAbortError extends DaytonaError {}
export class DaytonaValidationError extends DaytonaBadRequestError {}
export class DaytonaInvalidArgumentError extends DaytonaValidationError {}
export class DaytonaGitAuthFailedError extends DaytonaAuthenticationError {}
export class DaytonaGitRepoNotFoundError extends DaytonaNotFoundError {}
export class DaytonaGitBranchNotFoundError extends DaytonaNotFoundError {}
export class DaytonaGitBranchExistsError extends DaytonaConflictError {}
export class DaytonaGitPushRejectedError extends DaytonaConflictError {}
export class DaytonaGitDirtyWorktreeError extends DaytonaConflictError {}
export class DaytonaGitMergeConflictError extends DaytonaConflictError {}
export class DaytonaGitTransportFailedError extends DaytonaBadGatewayError {}
export class DaytonaGitRemoteRejectedError extends DaytonaUnprocessableEntityError {}

const classes = {
  DaytonaError, DaytonaBadRequestError, DaytonaAuthenticationError, DaytonaForbiddenError,
  DaytonaNotFoundError, DaytonaTimeoutError, DaytonaConflictError, DaytonaGoneError,
  DaytonaUnprocessableEntityError, DaytonaRateLimitError, DaytonaInternalServerError,
  DaytonaBadGatewayError, DaytonaServiceUnavailableError, DaytonaConnectionError,
  DaytonaAbortError, DaytonaInvalidArgumentError,
};

// The daemon's git codes have classes of their own (GIT_AUTH_FAILED → DaytonaGitAuthFailedError).
const byCode = {
  GIT_AUTH_FAILED: DaytonaGitAuthFailedError, GIT_REPO_NOT_FOUND: DaytonaGitRepoNotFoundError,
  GIT_BRANCH_NOT_FOUND: DaytonaGitBranchNotFoundError, GIT_BRANCH_EXISTS: DaytonaGitBranchExistsError,
  GIT_PUSH_REJECTED: DaytonaGitPushRejectedError, GIT_DIRTY_WORKTREE: DaytonaGitDirtyWorktreeError,
  GIT_MERGE_CONFLICT: DaytonaGitMergeConflictError, GIT_TRANSPORT_FAILED: DaytonaGitTransportFailedError,
  GIT_REMOTE_REJECTED: DaytonaGitRemoteRejectedError,
};

// Called from Rust (the one conversion point of SDK errors into JS values).
export function createDaytonaError(className, message, statusCode, code, source) {
  const Cls = byCode[code] || classes[className] || DaytonaError;
  return new Cls(message, statusCode, code, source);
}
