import { z } from 'zod';
import { ConfigError } from '../domain/errors.js';

/**
 * Where the Tencent Cloud APIs are reached: the public endpoints by default, or one address for all of them (the
 * local cloud on loopback). The SDK signs for the service named by the endpoint's first label.
 */
export interface TencentEndpoints {
  /** `cam.tencentcloudapi.com`, or the override. */
  readonly cam: string;
  /** `sts.tencentcloudapi.com`, or the override. */
  readonly sts: string;
  /** `https://` for the public endpoints; `http://` is allowed for loopback only. */
  readonly protocol: 'https://' | 'http://';
  /** `ap-guangzhou` unless given; CAM is global, STS takes any region. */
  readonly region: string;
}

const Override = z
  .string()
  .regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, 'give host[:port] without a scheme, e.g. 127.0.0.1:8080')
  .optional();

/** Endpoints from an optional `host[:port]` override (zod-validated); plain HTTP only for a loopback override. */
export function tencentEndpoints(override?: string, region = 'ap-guangzhou'): TencentEndpoints {
  const parsed = Override.safeParse(override);
  if (!parsed.success) {
    throw new ConfigError(`DTS_TRUST_TENCENT_ENDPOINT: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  if (parsed.data === undefined) {
    return { cam: 'cam.tencentcloudapi.com', sts: 'sts.tencentcloudapi.com', protocol: 'https://', region };
  }
  const loopback = /^(127\.\d+\.\d+\.\d+|localhost)(:\d+)?$/.test(parsed.data);
  return { cam: parsed.data, sts: parsed.data, protocol: loopback ? 'http://' : 'https://', region };
}
