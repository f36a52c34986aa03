/** An error from the model hub or the local model cache, with a message meant for people. */
export class HubError extends Error {
  override name = 'HubError';
  constructor(
    message: string,
    /** HTTP status when the error came from a response. */
    readonly status?: number,
    /** The hub's X-Error-Code header (RepoNotFound, EntryNotFound, RevisionNotFound, GatedRepo...). */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** A downloaded file whose size or hash differs from what the hub reported. */
export class IntegrityError extends HubError {
  override name = 'IntegrityError';
}

/** A local folder whose config or tensors do not match what a model or SAE needs. */
export class ShapeError extends HubError {
  override name = 'ShapeError';
}

/** Replaces every occurrence of each secret in a text (tokens must never reach output or error messages). */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}
