import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';

/**
 * The description of the symbol under which httpx (2.x, the transport of every openapi-core and Tea client) keeps
 * a request's read timer on its socket (`lib/index.js`, `READ_TIMER`).
 */
export const HTTPX_READ_TIMER = 'TIMER::READ_TIMER';

/** What Node publishes on `http.client.response.finish`: the request and its response, headers received. */
interface ResponseFinished {
  readonly request: ClientRequest;
  readonly response: IncomingMessage;
}

let released = false;

/** The read-timer symbol last found on a socket (one per copy of httpx: nearly always the same). */
let knownSymbol: symbol | undefined;

/**
 * httpx's read-timer symbol on `socket`, if httpx sent a request on it: the one found before when the socket has it
 * (every response but the first), else found among the socket's symbols by its description.
 */
function readTimerSymbol(socket: object): symbol | undefined {
  if (knownSymbol !== undefined && Object.hasOwn(socket, knownSymbol)) return knownSymbol;
  const found = Object.getOwnPropertySymbols(socket).find((s) => s.description === HTTPX_READ_TIMER);
  if (found !== undefined) knownSymbol = found;
  return found;
}

/** When `response` has been read to its end, clear the read timer httpx started for its request. */
function releaseOnEnd({ request, response }: ResponseFinished): void {
  const socket = request.socket as (object & Record<symbol, unknown>) | null;
  if (!socket) return;
  const symbol = readTimerSymbol(socket);
  if (!symbol) return;
  const timer = socket[symbol];
  if (!timer) return;
  response.once('end', () => {
    clearTimeout(timer as NodeJS.Timeout);
    // A later request on the kept-alive socket has its own timer there: leave that one.
    if (socket[symbol] === timer) socket[symbol] = null;
  });
}

/**
 * Make httpx forget a request's read timer once its response has been read to the end, for every HTTP client of
 * the process (idempotent). httpx arms a timer of the read timeout (10 s for the product's calls) for each
 * request and clears it only in its own `read()`; openapi-core reads bodies with `@darabonba/typescript`'s stream
 * reader instead, so each timer ran on to the full timeout after the answer, keeping its request, response and
 * closures alive: memory that grew with the request rate, about 20 MiB of a 10,000-role run's heap
 * (docs/benchmarks.md, "Memory"). The timer still guards the whole answer: it goes only at the answer's end.
 */
export function releaseHttpxReadTimers(): void {
  if (released) return;
  released = true;
  subscribe('http.client.response.finish', (message) => releaseOnEnd(message as ResponseFinished));
}
