// Typed errors: every failure a user can cause names what was wrong and, where it helps, what to do.

/** Base class of every error seqwasm throws on purpose; `code` is stable for programs to branch on. */
export class SeqwasmError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  constructor(code: string, message: string, hint?: string, options?: { cause?: unknown }) {
    super(hint ? `${message}\n  hint: ${hint}` : message, options);
    this.name = new.target.name;
    this.code = code;
    this.hint = hint;
  }
}

/** The WebAssembly module could not be obtained, compiled or instantiated, or was used before `init()`. */
export class InitError extends SeqwasmError {}

/** A tensor, batch or config has the wrong shape, size or value range. */
export class ShapeError extends SeqwasmError {
  constructor(message: string, hint?: string) {
    super('SHAPE', message, hint);
  }
}

/** Where in an input a data error was found; every field that is known is filled. */
export interface DataLocation {
  file?: string;
  line?: number;
  field?: string;
}

/** Bad input data: a row, a vector file, a vocabulary. The message starts with `file:line: field`. */
export class DataError extends SeqwasmError {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly field: string | undefined;
  constructor(message: string, where: DataLocation = {}, hint?: string, options?: { cause?: unknown }) {
    super('DATA', `${formatLocation(where)}${message}`, hint, options);
    this.file = where.file;
    this.line = where.line;
    this.field = where.field;
  }
}

/** A model file (safetensors) is malformed, truncated, or does not match its config. */
export class ModelFileError extends SeqwasmError {
  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super('MODEL_FILE', message, hint, options);
  }
}

/** A model config or training option is invalid. */
export class ConfigError extends SeqwasmError {
  constructor(message: string, hint?: string) {
    super('CONFIG', message, hint);
  }
}

/** A worker thread of parallel training failed, exited or was used after `dispose()`. */
export class ThreadError extends SeqwasmError {
  /** The failing worker (1-based: thread 0 is the calling thread), when one is to blame. */
  readonly thread: number | undefined;
  constructor(message: string, thread?: number, hint?: string, options?: { cause?: unknown }) {
    super('THREAD', message, hint, options);
    this.thread = thread;
  }
}

function formatLocation({ file, line, field }: DataLocation): string {
  const place = [file, line].filter((p) => p !== undefined).join(':');
  const parts = [place, field === undefined ? '' : `field "${field}"`].filter(Boolean);
  return parts.length ? `${parts.join(': ')}: ` : '';
}
