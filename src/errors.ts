/**
 * Typed errors. Messages name the op or argument and what was expected, so a
 * user can act on one line. UserError marks bad input (the CLI exits with 2).
 */

export class DpgcnError extends Error {
  constructor(message: string) { super(message); this.name = new.target.name; }
}
/** Bad user input: a file, a line, an argument. The CLI prints one line and exits 2. */
export class UserError extends DpgcnError {}
export class ShapeError extends DpgcnError {}
export class GraphError extends DpgcnError {}
/**
 * A kernel was called with a bad argument (a length, a size, an index, a
 * non-SPD matrix). Every backend throws this class, named for the kernel and
 * argument; it is a UserError, so the CLI prints one line and exits 2.
 */
export class KernelArgumentError extends UserError {}
/** A Cholesky pivot was not positive: the matrix is not (numerically) symmetric positive definite. */
export class NotPositiveDefiniteError extends KernelArgumentError {
  constructor(readonly kernel: string, readonly column: number) {
    super(`${kernel}: the matrix is not positive definite (pivot ${column} is not > 0)`);
  }
}
export class BackendUnavailableError extends DpgcnError {
  constructor(readonly backend: string, readonly reason: string) {
    super(`backend ${backend} is unavailable: ${reason}`);
  }
}
export class DataError extends UserError {
  constructor(readonly file: string, readonly line: number | null, what: string) {
    super(line === null ? `${file}: ${what}` : `${file}:${line}: ${what}`);
  }
}

/** Lazy assert: the message is built only on failure. */
export function assert(cond: unknown, msg: () => string, Err: new (m: string) => Error = DpgcnError): asserts cond {
  if (!cond) throw new Err(msg());
}
