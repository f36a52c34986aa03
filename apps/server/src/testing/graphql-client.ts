/** A minimal cookie-keeping GraphQL client over real HTTP, for tests and benchmarks. */
export class TestClient {
  private cookie = '';

  constructor(readonly url: string) {}

  async request<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<{ data: T | null; errors?: { message: string; extensions?: { code?: string; field?: string } }[] }> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.cookie ? { cookie: this.cookie } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    for (const setCookie of response.headers.getSetCookie()) {
      const pair = setCookie.split(';')[0] ?? '';
      this.cookie = pair.endsWith('=') ? '' : pair;
    }
    return (await response.json()) as never;
  }

  get sessionCookie(): string {
    return this.cookie;
  }
}
