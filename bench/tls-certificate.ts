/**
 * A throwaway certificate for the local cloud's https port: a self-signed P-256 certificate for 127.0.0.1, made
 * with Debian's `openssl` at the start of a run (Node has no certificate builder) and trusted by the processes
 * under measure through `NODE_EXTRA_CA_CERTS`, so the SDKs verify it exactly as they verify a real one.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A generated key and certificate, and the file a process trusts it from. */
export interface LocalCertificate {
  readonly key: string;
  readonly cert: string;
  /** The certificate's PEM file: the value of `NODE_EXTRA_CA_CERTS` for a process that must trust it. */
  readonly certFile: string;
  /** The key's PEM file. */
  readonly keyFile: string;
  /** Delete the files. */
  remove(): Promise<void>;
}

/** Make a certificate valid for a day for `127.0.0.1` and `localhost`; throws naming `openssl` when it is missing. */
export async function makeLocalCertificate(): Promise<LocalCertificate> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dts-trust-tls-'));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  try {
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ]);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(
      `could not make the local cloud's TLS certificate with openssl (apt-get install openssl): ${(error as Error).message}`,
      { cause: error },
    );
  }
  return {
    key: await readFile(keyFile, 'utf8'),
    cert: await readFile(certFile, 'utf8'),
    certFile,
    keyFile,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
