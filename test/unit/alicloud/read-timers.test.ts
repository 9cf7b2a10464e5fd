import { channel } from 'node:diagnostics_channel';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { HTTPX_READ_TIMER, releaseHttpxReadTimers } from '../../../shared/alicloud/read-timers.js';

/** A socket as httpx leaves it: its request's read timer under httpx's symbol. */
function socketWithTimer() {
  const symbol = Symbol(HTTPX_READ_TIMER);
  const timer = setTimeout(() => {}, 60_000);
  timer.unref();
  return { socket: { [symbol]: timer } as Record<symbol, unknown>, symbol, timer };
}

const answered = (socket: object, response: EventEmitter) =>
  channel('http.client.response.finish').publish({ request: { socket }, response });

describe('releaseHttpxReadTimers', () => {
  releaseHttpxReadTimers();
  releaseHttpxReadTimers();

  it("keeps the request's read timer while its answer is read, and clears it at the answer's end", () => {
    const { socket, symbol, timer } = socketWithTimer();
    const response = new EventEmitter();
    answered(socket, response);
    expect((timer as unknown as { _destroyed: boolean })._destroyed).toBe(false);
    expect(response.listenerCount('end')).toBe(1);
    response.emit('end');
    expect((timer as unknown as { _destroyed: boolean })._destroyed).toBe(true);
    expect(socket[symbol]).toBeNull();
  });

  it('leaves the timer of a later request on the same socket in place', () => {
    const { socket, symbol, timer } = socketWithTimer();
    const response = new EventEmitter();
    answered(socket, response);
    const later = setTimeout(() => {}, 60_000);
    later.unref();
    socket[symbol] = later;
    response.emit('end');
    expect((timer as unknown as { _destroyed: boolean })._destroyed).toBe(true);
    expect(socket[symbol]).toBe(later);
    clearTimeout(later);
  });

  it('ignores answers on sockets httpx did not use', () => {
    const response = new EventEmitter();
    answered({}, response);
    answered(null as unknown as object, response);
    expect(response.listenerCount('end')).toBe(0);
  });
});
