/** Base class of every error the SDK rejects with (same names as `@daytonaio/sdk`). */
export declare class DaytonaError extends Error {
  /** HTTP status, when the server answered. */
  statusCode?: number;
  /** Machine-readable code, e.g. `FILE_NOT_FOUND`. */
  code?: string;
  /** Who answered: `DAYTONA_API`, `DAYTONA_DAEMON` or `DAYTONA_PROXY`. */
  readonly source?: string;
  constructor(message: string, statusCode?: number, code?: string, source?: string);
  /** Same as `code`. */
  get errorCode(): string | undefined;
}
/** 400. */
export declare class DaytonaBadRequestError extends DaytonaError {}
/** 401: missing or wrong API key. */
export declare class DaytonaAuthenticationError extends DaytonaError {}
/** 403. */
export declare class DaytonaForbiddenError extends DaytonaError {}
/** 404. */
export declare class DaytonaNotFoundError extends DaytonaError {}
/** 408/504 or a client-side timeout. */
export declare class DaytonaTimeoutError extends DaytonaError {}
/** 409. */
export declare class DaytonaConflictError extends DaytonaError {}
/** 410. */
export declare class DaytonaGoneError extends DaytonaError {}
/** 422. */
export declare class DaytonaUnprocessableEntityError extends DaytonaError {}
/** 429. */
export declare class DaytonaRateLimitError extends DaytonaError {}
/** 500. */
export declare class DaytonaInternalServerError extends DaytonaError {}
/** 502. */
export declare class DaytonaBadGatewayError extends DaytonaError {}
/** 503. */
export declare class DaytonaServiceUnavailableError extends DaytonaError {}
/** The server could not be reached (network, CORS). */
export declare class DaytonaConnectionError extends DaytonaError {}
/** Cancelled through an AbortSignal. */
export declare class DaytonaAbortError extends DaytonaError {}
/** 400 caused by a validation failure. */
export declare class DaytonaValidationError extends DaytonaBadRequestError {}
/** An argument was rejected before anything was sent. */
export declare class DaytonaInvalidArgumentError extends DaytonaValidationError {}
/** 401 `GIT_AUTH_FAILED`: the git server refused or wanted credentials. */
export declare class DaytonaGitAuthFailedError extends DaytonaAuthenticationError {}
/** 404 `GIT_REPO_NOT_FOUND`: no repository there (locally or on the server). */
export declare class DaytonaGitRepoNotFoundError extends DaytonaNotFoundError {}
/** 404 `GIT_BRANCH_NOT_FOUND`: no such branch or revision. */
export declare class DaytonaGitBranchNotFoundError extends DaytonaNotFoundError {}
/** 409 `GIT_BRANCH_EXISTS`. */
export declare class DaytonaGitBranchExistsError extends DaytonaConflictError {}
/** 409 `GIT_PUSH_REJECTED`: not a fast-forward (pull first). */
export declare class DaytonaGitPushRejectedError extends DaytonaConflictError {}
/** 409 `GIT_DIRTY_WORKTREE`: local changes would be overwritten. */
export declare class DaytonaGitDirtyWorktreeError extends DaytonaConflictError {}
/** 409 `GIT_MERGE_CONFLICT`: the merge stopped on conflicts. */
export declare class DaytonaGitMergeConflictError extends DaytonaConflictError {}
/** 502 `GIT_TRANSPORT_FAILED`: the git server could not be reached. */
export declare class DaytonaGitTransportFailedError extends DaytonaBadGatewayError {}
/** 422 `GIT_REMOTE_REJECTED`: the server refused the update (a hook, a protected branch). */
export declare class DaytonaGitRemoteRejectedError extends DaytonaUnprocessableEntityError {}
