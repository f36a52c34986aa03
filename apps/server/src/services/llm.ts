import OpenAI, { APIConnectionTimeoutError, APIError } from 'openai';

/**
 * The OpenAI-compatible chat endpoint that drafts labels (LLM_BASE_URL, LLM_API_KEY, LLM_MODEL). Unset: nothing is
 * ever sent, and drafts come from the token pattern. The key stays in this object: never in a job's input, result,
 * error or a log line.
 */
export interface LlmSettings {
  baseUrl: string;
  apiKey: string;
  model: string;
  /** One request's limit (LLM_TIMEOUT_MS); a request past it is retried, then reported as timed out. */
  timeoutMs: number;
  /** Retries of one request after a 429 (waiting its Retry-After), a 408/409, a 5xx or a timeout (LLM_MAX_RETRIES). */
  maxRetries: number;
  /** Features an explain job drafts at once (LLM_CONCURRENCY; default 1). */
  concurrency?: number;
}

/** The request cap of explain jobs: a job's maxRequests defaults to `default` and may not exceed `cap`. */
export interface LlmRequestLimits {
  default: number;
  cap: number;
}
export const DEFAULT_LLM_REQUEST_LIMITS: LlmRequestLimits = { default: 200, cap: 5000 };

/** Thrown when the job's request cap is reached: the job stops there (not a failure of the feature). */
export class RequestCapReached extends Error {
  constructor(readonly cap: number) {
    super(`the request cap of ${cap} was reached`);
  }
}

export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

/**
 * A chat client that counts every HTTP request it makes (retries included) and refuses to make one past `cap`. The
 * official openai package does the protocol, the timeout and the retries (it waits a 429's Retry-After); its
 * `fetch` option is where requests are counted.
 */
export class CountingChatClient {
  private readonly client: OpenAI;
  /** HTTP requests made so far (retries included), starting from an interrupted run's count. */
  requests: number;

  constructor(
    readonly settings: LlmSettings,
    private readonly cap: number,
    requestsBefore = 0,
  ) {
    this.requests = requestsBefore;
    this.client = new OpenAI({
      baseURL: settings.baseUrl,
      apiKey: settings.apiKey || 'none',
      timeout: settings.timeoutMs,
      maxRetries: settings.maxRetries,
      fetch: (url, init) => {
        // Past the cap, an answer that the SDK does not retry (a refused fetch would be retried with backoff).
        if (this.requests >= this.cap) return Promise.resolve(capAnswer(this.cap));
        this.requests++;
        return fetch(url, init);
      },
    });
  }

  get remaining(): number {
    return Math.max(0, this.cap - this.requests);
  }

  /** The answer's text. Errors are described without the request's headers (they carry the key). */
  async complete(messages: ChatMessage[], signal?: AbortSignal): Promise<string> {
    // Refused here rather than by fetch: the SDK would take a refused fetch for a network error and back off.
    if (this.remaining === 0) throw new RequestCapReached(this.cap);
    try {
      const answer = await this.client.chat.completions.create(
        { model: this.settings.model, messages, temperature: 0 },
        { signal },
      );
      const text = answer.choices?.[0]?.message?.content;
      if (typeof text !== 'string' || !text.trim()) throw new Error('the answer had no message content');
      return text;
    } catch (error) {
      throw describeLlmError(error, this.settings);
    }
  }
}

const CAP_HEADER = 'x-workbench-request-cap';

/** What the client's fetch answers instead of making a request past the cap: final (x-should-retry: false). */
function capAnswer(cap: number): Response {
  return new Response(JSON.stringify({ error: { message: 'request cap reached' } }), {
    status: 400,
    headers: { 'content-type': 'application/json', 'x-should-retry': 'false', [CAP_HEADER]: String(cap) },
  });
}

/** What a failed request reads as in a job's result: status, timeout or cause, never a header. */
function describeLlmError(error: unknown, settings: LlmSettings): Error {
  if (error instanceof RequestCapReached) return error;
  if (error instanceof APIError && error.headers?.get(CAP_HEADER))
    return new RequestCapReached(Number(error.headers.get(CAP_HEADER)));
  const tries = settings.maxRetries + 1;
  if (error instanceof APIConnectionTimeoutError) {
    return new Error(`timed out after ${settings.timeoutMs} ms (${tries} tries)`);
  }
  if (error instanceof APIError && error.status !== undefined) {
    const detail = error.message.replace(/^\d+\s*/, '').slice(0, 200);
    return new Error(`the endpoint answered ${error.status}${detail ? `: ${detail}` : ''}`);
  }
  if (error instanceof SyntaxError) return new Error(`the endpoint's answer is not valid JSON (${error.message})`);
  const message = error instanceof Error ? error.message : String(error);
  return new Error(message.slice(0, 300));
}
