import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One chat completions request as the stub received it. */
export interface StubRequest {
  path: string;
  authorization: string | undefined;
  body: { model: string; messages: { role: string; content: string }[]; [key: string]: unknown };
  /** The system and user messages, joined: what a reply is usually decided on. */
  prompt: string;
  at: number;
}

/** What the stub does with a request: answer with message text, or misbehave as a real endpoint can. */
export type StubReply =
  | { content: string }
  | { status: number; headers?: Record<string, string>; body?: string }
  /** Never answers (the client's timeout must fire). */
  | { hang: true }
  /** 200 with a body that is not JSON. */
  | { malformed: string };

export type StubHandler = (request: StubRequest, index: number) => StubReply;

/**
 * A local HTTP server that speaks the OpenAI chat completions API (POST {base}/chat/completions): what explain jobs
 * and the LLM client are tested against. Every request is recorded; `handler` decides each reply.
 */
export class OpenAiStub {
  readonly requests: StubRequest[] = [];
  handler: StubHandler;
  /** Each reply waits this long first (a slow endpoint). */
  delayMs = 0;
  /** The most requests it was answering at once (a client's concurrency); reset it to measure a stretch. */
  maxOpen = 0;
  private open = 0;
  private readonly hanging = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    handler: StubHandler,
  ) {
    this.handler = handler;
  }

  static async start(handler: StubHandler): Promise<OpenAiStub> {
    let stub: OpenAiStub | undefined;
    const server = createServer((req, res) => void stub!.answer(req, res));
    stub = new OpenAiStub(server, handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return stub;
  }

  /** The base URL to configure (LLM_BASE_URL): the client appends /chat/completions. */
  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' } }),
      );
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString()) as StubRequest['body'];
    const request: StubRequest = {
      path: req.url,
      authorization: req.headers.authorization,
      body,
      prompt: body.messages.map((m) => m.content).join('\n'),
      at: Date.now(),
    };
    const index = this.requests.push(request) - 1;
    const reply = this.handler(request, index);
    this.maxOpen = Math.max(this.maxOpen, ++this.open);
    res.on('close', () => this.open--);
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if ('hang' in reply) {
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      return;
    }
    if ('malformed' in reply) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(reply.malformed);
      return;
    }
    if ('status' in reply) {
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body ?? JSON.stringify({ error: { message: `stub error ${reply.status}`, type: 'server_error' } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(chatCompletion(reply.content, body.model)));
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A chat completion response body as the OpenAI API writes it. */
export function chatCompletion(content: string, model: string) {
  return {
    id: `chatcmpl-stub-${Math.random().toString(36).slice(2)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      { index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' },
    ],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  };
}

/**
 * A labeler that reads the prompts as a diligent model would for features whose activating contexts hold `marker`:
 * it explains with `label`, and in a detection test says 1 exactly for the examples that contain the marker.
 */
export function markerLabeler(marker: string, label: string): StubHandler {
  return (request) => {
    const user = request.body.messages.find((m) => m.role === 'user')?.content ?? '';
    if (!user.startsWith('Label:')) {
      return { content: `[LABEL]: ${label}\n[EXPLANATION]: The word ${marker.trim()} and the words around it.` };
    }
    const examples = user.split('\n').filter((line) => /^Example \d+: /.test(line));
    return { content: JSON.stringify(examples.map((e) => (e.includes(marker) ? 1 : 0))) };
  };
}

/**
 * A labeler for real dashboards: it names the label after the token the explainer prompt shows firing most, and in
 * a detection test says 1 for the examples that contain that token. A crude but honest reader of the prompts.
 */
export function topTokenLabeler(): StubHandler {
  let token = '';
  return (request) => {
    const user = request.body.messages.find((m) => m.role === 'user')?.content ?? '';
    if (!user.startsWith('Label:')) {
      const weights = new Map<string, number>();
      for (const match of user.matchAll(/("(?:[^"\\]|\\.)*") (\d+)/g)) {
        const t = JSON.parse(match[1]!) as string;
        weights.set(t, (weights.get(t) ?? 0) + Number(match[2]));
      }
      token = [...weights.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
      return {
        content: `[LABEL]: the token ${JSON.stringify(token.trim())}\n[EXPLANATION]: Fires on ${JSON.stringify(token)}.`,
      };
    }
    const examples = user.split('\n').filter((line) => /^Example \d+: /.test(line));
    return {
      content: JSON.stringify(examples.map((e) => (token && e.slice(e.indexOf(':') + 1).includes(token) ? 1 : 0))),
    };
  };
}
