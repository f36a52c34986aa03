export interface GraphQLResponse<T> {
  data: T | null;
  errors?: {
    message: string;
    path?: (string | number)[];
    extensions?: { code?: string; field?: string; [key: string]: unknown };
  }[];
}

export interface FinishedJob {
  status: string;
  error: string | null;
  result: Record<string, unknown> | null;
}

/** A minimal cookie-keeping GraphQL client over real HTTP, for tests and benchmarks. */
export class TestClient {
  private cookie = '';
  /** Sent as x-share-token, as the web app does for /c/{slug}?share={token}. */
  shareToken: string | undefined;

  constructor(readonly url: string) {}

  async request<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<GraphQLResponse<T>> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.cookie) headers.cookie = this.cookie;
    if (this.shareToken) headers['x-share-token'] = this.shareToken;
    const response = await fetch(this.url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    for (const setCookie of response.headers.getSetCookie()) {
      const pair = setCookie.split(';')[0] ?? '';
      this.cookie = pair.endsWith('=') ? '' : pair;
    }
    const text = await response.text();
    try {
      return JSON.parse(text) as GraphQLResponse<T>;
    } catch {
      throw new Error(`HTTP ${response.status} from ${this.url}, not GraphQL: ${text.slice(0, 200)}`);
    }
  }

  /** Like request, but throws on any GraphQL error: for setup steps that must succeed. */
  async ok<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const result = await this.request<T>(query, variables);
    if (result.errors?.length || !result.data) throw new Error(`GraphQL failed: ${JSON.stringify(result.errors)}`);
    return result.data;
  }

  /**
   * Polls a job until it succeeds, fails or is cancelled; throws if it is still going after `timeoutMs`, so a
   * stuck job fails the test instead of letting it carry on.
   */
  async waitForJob(id: string, timeoutMs = 60_000): Promise<FinishedJob> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const { job } = await this.ok<{ job: FinishedJob }>('query($id: ID!) { job(id: $id) { status error result } }', {
        id,
      });
      if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(job.status)) return job;
      if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The same session against another server instance (instances share the database, so the session holds). */
  at(url: string): TestClient {
    const client = new TestClient(url);
    client.cookie = this.cookie;
    return client;
  }

  get sessionCookie(): string {
    return this.cookie;
  }

  static async signUp(url: string, email: string, displayName = email.split('@')[0] ?? email): Promise<TestClient> {
    const client = new TestClient(url);
    await client.ok('mutation($i: SignUpInput!) { signUp(input: $i) { id } }', {
      i: { email, displayName, password: 'a long enough password' },
    });
    return client;
  }
}
