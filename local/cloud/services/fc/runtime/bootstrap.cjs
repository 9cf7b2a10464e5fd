// The local cloud's stand-in for FC's nodejs20 runtime, run as a function instance of its own:
// `node bootstrap.cjs` with cwd = the unpacked code package and FC_FUNCTION_HANDLER = `<file>.<export>`.
// Plain CommonJS on purpose: nothing of the project (no tsx, no sources) is loaded into the instance, only the
// code package. It loads the handler once (cold start), then answers `invoke` messages on the IPC channel one
// at a time: the event as a Buffer, a `context` shaped like FC's (requestId, credentials, function, service,
// region, accountId, logger), settings in process.env as the local cloud spawned it.
'use strict';
const path = require('node:path');
const { format } = require('node:util');

const spec = process.env.FC_FUNCTION_HANDLER || 'index.handler';
const dot = spec.lastIndexOf('.');
const file = dot > 0 ? spec.slice(0, dot) : spec;
const exportName = dot > 0 ? spec.slice(dot + 1) : 'handler';

let handler;
let loadError;
try {
  const mod = require(path.resolve(process.cwd(), file));
  handler = mod[exportName];
  if (typeof handler !== 'function') {
    loadError = new Error(`${file} has no exported function ${exportName} (handler ${spec})`);
    loadError.name = 'HandlerNotFound';
  }
} catch (error) {
  loadError = error;
}

/** FC's Node.js runtime body for an unhandled error. */
function errorBody(error) {
  if (error instanceof Error) {
    return {
      errorMessage: error.message,
      errorType: error.name,
      stackTrace: String(error.stack || '')
        .split('\n')
        .slice(1)
        .map((l) => l.trim()),
    };
  }
  return { errorMessage: String(error), errorType: typeof error, stackTrace: [] };
}

/** The return value, in a form that crosses the IPC channel unchanged. */
function encodeResult(result) {
  if (Buffer.isBuffer(result) || result instanceof Uint8Array) {
    return { kind: 'buffer', data: Buffer.from(result).toString('base64') };
  }
  if (result === undefined || result === null) return { kind: 'empty' };
  if (typeof result === 'string') return { kind: 'string', data: result };
  return { kind: 'json', data: JSON.stringify(result) };
}

function contextLogger(requestId) {
  const at =
    (level) =>
    (...args) => {
      process.stdout.write(`${new Date().toISOString()} ${requestId} [${level}] ${format(...args)}\n`);
    };
  return { debug: at('DEBUG'), info: at('INFO'), warn: at('WARN'), error: at('ERROR'), log: at('INFO') };
}

function run(event, context) {
  if (loadError) return Promise.reject(loadError);
  if (handler.length >= 3) {
    return new Promise((resolve, reject) => {
      handler(event, context, (error, result) => (error ? reject(error) : resolve(result)));
    });
  }
  return Promise.resolve().then(() => handler(event, context));
}

process.on('message', (message) => {
  if (message?.type !== 'invoke') return;
  const context = { ...message.context, logger: contextLogger(message.context.requestId) };
  const fail = (error) => process.send({ type: 'result', id: message.id, ok: false, error: errorBody(error) });
  run(Buffer.from(message.event, 'base64'), context).then((result) => {
    let encoded;
    try {
      encoded = encodeResult(result);
    } catch (error) {
      fail(error);
      return;
    }
    process.send({ type: 'result', id: message.id, ok: true, result: encoded });
  }, fail);
});
process.send({ type: 'ready' });
process.on('disconnect', () => process.exit(0));
