// The explain jobs' chat client against a real local HTTP server speaking the OpenAI chat completions API: normal
// answers, a 500 (retried), a timeout, a 429 with Retry-After (waited on), malformed JSON, and the request cap,
// counting every HTTP request the client makes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAiStub, type StubHandler } from '../testing/openai-stub.js';
import { CountingChatClient, type LlmSettings, RequestCapReached } from './llm.js';

let stub: OpenAiStub;
const ok: StubHandler = () => ({ content: 'fine' });

beforeAll(async () => {
  stub = await OpenAiStub.start(ok);
});
afterAll(async () => {
  await stub?.stop();
});

const settings = (over: Partial<LlmSettings> = {}): LlmSettings => ({
  baseUrl: stub.baseUrl,
  apiKey: 'sk-test-secret',
  model: 'stub-model-1',
  timeoutMs: 2000,
  maxRetries: 2,
  ...over,
});
const ask = [{ role: 'user' as const, content: 'hello' }];

/** Runs `body` with the stub answering by `handler`; returns the requests it received meanwhile. */
async function withHandler<T>(handler: StubHandler, body: () => Promise<T>) {
  const before = stub.requests.length;
  // Indices from this call's first request.
  stub.handler = (request, i) => handler(request, i - before);
  try {
    const value = await body();
    return { value, requests: stub.requests.slice(before) };
  } finally {
    stub.handler = ok;
  }
}

describe('CountingChatClient against an OpenAI-compatible stub', () => {
  it('sends the model, the messages and the key as a bearer token, and returns the answer', async () => {
    const client = new CountingChatClient(settings(), 10);
    const { value, requests } = await withHandler(
      () => ({ content: '[LABEL]: plural nouns' }),
      () => client.complete(ask),
    );
    expect(value).toBe('[LABEL]: plural nouns');
    expect(requests).toHaveLength(1);
    expect(requests[0]!.path).toBe('/v1/chat/completions');
    expect(requests[0]!.authorization).toBe('Bearer sk-test-secret');
    expect(requests[0]!.body.model).toBe('stub-model-1');
    expect(requests[0]!.body.messages).toEqual([{ role: 'user', content: 'hello' }]);
    expect(client.requests).toBe(1);
  });

  it('retries a 500 and counts both requests', async () => {
    const client = new CountingChatClient(settings(), 10);
    const { value, requests } = await withHandler(
      (_, i) => (i % 2 === 0 ? { status: 500 } : { content: 'second time lucky' }),
      () => client.complete(ask),
    );
    expect(value).toBe('second time lucky');
    expect(requests).toHaveLength(2);
    expect(client.requests).toBe(2);
  });

  it('gives up on a 500 after its retries, saying the status', async () => {
    const client = new CountingChatClient(settings({ maxRetries: 1 }), 10);
    const { value, requests } = await withHandler(
      () => ({ status: 503 }),
      () => client.complete(ask).catch((e: Error) => e),
    );
    expect((value as Error).message).toMatch(/^the endpoint answered 503/);
    expect(requests).toHaveLength(2);
  });

  it('waits for a 429 answer’s Retry-After before trying again', async () => {
    const client = new CountingChatClient(settings(), 10);
    const { value, requests } = await withHandler(
      (_, i) => (i === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { content: 'after the wait' }),
      () => client.complete(ask),
    );
    expect(value).toBe('after the wait');
    expect(requests).toHaveLength(2);
    // Retry-After: 1 (second); the SDK's own backoff without it would be about 0.4-0.5 s.
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('reports a request that never answers as timed out, after its retries', async () => {
    const client = new CountingChatClient(settings({ timeoutMs: 300, maxRetries: 1 }), 10);
    const { value, requests } = await withHandler(
      () => ({ hang: true }),
      () => client.complete(ask).catch((e: Error) => e),
    );
    expect((value as Error).message).toBe('timed out after 300 ms (2 tries)');
    expect(requests).toHaveLength(2);
  });

  it('reports a 200 whose body is not JSON, without retrying it', async () => {
    const client = new CountingChatClient(settings(), 10);
    const { value, requests } = await withHandler(
      () => ({ malformed: '{"choices": [' }),
      () => client.complete(ask).catch((e: Error) => e),
    );
    expect((value as Error).message).toMatch(/not valid JSON/);
    expect((value as Error).message).not.toContain('sk-test-secret');
    expect(requests).toHaveLength(1);
  });

  it('makes no request past its cap, counting those of an earlier run', async () => {
    const client = new CountingChatClient(settings(), 3, 2);
    const { requests } = await withHandler(ok, async () => {
      await client.complete(ask);
      await expect(client.complete(ask)).rejects.toBeInstanceOf(RequestCapReached);
    });
    expect(requests).toHaveLength(1);
    expect(client.requests).toBe(3);
    expect(client.remaining).toBe(0);
  });

  it('stops at the cap in the middle of retries rather than going past it', async () => {
    const client = new CountingChatClient(settings({ maxRetries: 5 }), 2);
    const { value, requests } = await withHandler(
      () => ({ status: 500 }),
      () => client.complete(ask).catch((e: Error) => e),
    );
    expect(value).toBeInstanceOf(RequestCapReached);
    expect(requests).toHaveLength(2);
  });
});
