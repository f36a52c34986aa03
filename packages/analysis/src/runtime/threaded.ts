/**
 * onnxruntime-node on a worker thread, as the same OrtModule. onnxruntime-node runs a session synchronously on the
 * thread that calls run (and compiles it synchronously too), so a server's event loop stops for as long as a graph
 * runs; here sessions are created and run on one worker thread instead, and the caller's loop keeps going.
 *
 * Feeds are copied to the thread on every run and outputs moved back: meant for graphs whose weights are
 * initializers, sent once when the session is created (SAE encoders, logit effects). A graph fed its weights as
 * inputs would copy them on every run. Sessions share the one thread, so their runs take turns (as they do on a
 * single event loop); ORT's own intra-op threads still parallelise each run.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { OrtModule } from './session.js';

type FeedData = Float32Array | BigInt64Array | Uint8Array;
interface WireTensor {
  type: 'float32' | 'int64' | 'bool';
  data: FeedData;
  dims: readonly number[];
}
type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

// CommonJS, evaluated (no file of its own): it runs the same from the TypeScript sources (tests) and from dist.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
const sessions = new Map();
let nextSession = 0;
parentPort.on('message', async (m) => {
  try {
    if (m.op === 'create') {
      const session = await ort.InferenceSession.create(m.model, m.options);
      sessions.set(nextSession, session);
      parentPort.postMessage({ id: m.id, ok: true, value: nextSession++ });
    } else if (m.op === 'run') {
      const session = sessions.get(m.session);
      if (!session) throw new Error('session already released');
      const feeds = {};
      for (const [name, t] of Object.entries(m.feeds)) feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
      const result = await session.run(feeds, m.fetches);
      const value = {};
      const transfer = [];
      for (const [name, t] of Object.entries(result)) {
        // A view of part of a buffer would move the whole buffer: copy it out instead.
        const whole = t.data.byteOffset === 0 && t.data.byteLength === t.data.buffer.byteLength;
        const data = whole ? t.data : t.data.slice();
        value[name] = { type: t.type, data, dims: t.dims };
        transfer.push(data.buffer);
      }
      parentPort.postMessage({ id: m.id, ok: true, value }, transfer);
    } else if (m.op === 'release') {
      await sessions.get(m.session)?.release();
      sessions.delete(m.session);
      parentPort.postMessage({ id: m.id, ok: true, value: null });
    }
  } catch (error) {
    parentPort.postMessage({ id: m.id, ok: false, error: error instanceof Error ? error.message : String(error) });
  }
});
`;

/** The one worker thread and the requests waiting on it; the thread is unref'd whenever none are waiting. */
class OrtThread {
  private worker: Worker | null = null;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  request(message: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<unknown> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ ...message, id }, transfer);
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const ortPath = createRequire(import.meta.url).resolve('onnxruntime-node');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ortPath } });
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (!this.pending.size) worker.unref();
      if (reply.ok) waiting.resolve(reply.value);
      else waiting.reject(new Error(reply.error));
    });
    const fail = (error: Error) => {
      // Sessions lived on that thread: every request in flight fails, and later ones start a new thread.
      this.worker = null;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the ONNX Runtime thread exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }
}

const thread = new OrtThread();

/** A session on the thread, with the two methods CompiledGraph uses (run, release). */
class ThreadedSession {
  constructor(private readonly id: number) {}

  async run(feeds: Record<string, ort.Tensor>, fetches?: readonly string[]): Promise<Record<string, ort.Tensor>> {
    const wire: Record<string, WireTensor> = {};
    const transfer: ArrayBuffer[] = [];
    for (const [name, tensor] of Object.entries(feeds)) {
      // A copy moves to the thread: the caller keeps its array (and may reuse it while the run is in flight).
      const data = (tensor.data as FeedData).slice();
      wire[name] = { type: tensor.type as WireTensor['type'], data, dims: tensor.dims };
      transfer.push(data.buffer as ArrayBuffer);
    }
    const out = (await thread.request(
      { op: 'run', session: this.id, feeds: wire, fetches: fetches ? [...fetches] : undefined },
      transfer,
    )) as Record<string, WireTensor>;
    return Object.fromEntries(
      Object.entries(out).map(([name, t]) => [name, new ort.Tensor(t.type, t.data, t.dims) as ort.Tensor]),
    );
  }

  async release(): Promise<void> {
    await thread.request({ op: 'release', session: this.id });
  }
}

/** onnxruntime-node whose sessions run on a worker thread (see the top of this file). */
export const threadedNodeOrt: OrtModule = {
  InferenceSession: {
    async create(model, options) {
      const id = (await thread.request({ op: 'create', model, options })) as number;
      return new ThreadedSession(id) as unknown as Awaited<ReturnType<OrtModule['InferenceSession']['create']>>;
    },
  },
  Tensor: ort.Tensor as unknown as OrtModule['Tensor'],
};
