/** Reading the JSON parameters of a Tencent API call, with the API's error codes for a missing or bad one. */
import { tencentError } from './replies.js';

/** The call's parameters (the JSON body). */
export type TencentParams = Readonly<Record<string, unknown>>;

/** A required string parameter; `MissingParameter` when absent, `InvalidParameter` when not a string. */
export function requiredString(params: TencentParams, name: string): string {
  const value = params[name];
  if (value === undefined || value === null || value === '')
    throw tencentError('MissingParameter', `The request is missing a required parameter \`${name}\`.`);
  if (typeof value !== 'string') throw tencentError('InvalidParameter', `The parameter \`${name}\` must be a string.`);
  return value;
}

/** An optional string parameter. */
export function optionalString(params: TencentParams, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw tencentError('InvalidParameter', `The parameter \`${name}\` must be a string.`);
  return value;
}

/** An optional integer parameter (JSON number). */
export function optionalInteger(params: TencentParams, name: string): number | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw tencentError('InvalidParameter', `The parameter \`${name}\` must be an integer.`);
  return value;
}

/** A required integer parameter (JSON number); `MissingParameter` when absent. */
export function requiredInteger(params: TencentParams, name: string): number {
  const value = optionalInteger(params, name);
  if (value === undefined)
    throw tencentError('MissingParameter', `The request is missing a required parameter \`${name}\`.`);
  return value;
}

/** `Page` (from 1) and `Rp` (1-200, default 20) of a paged list call, applied to `items`. */
export function page<T>(params: TencentParams, items: readonly T[]): T[] {
  const pageNumber = optionalInteger(params, 'Page') ?? 1;
  const rp = optionalInteger(params, 'Rp') ?? 20;
  if (pageNumber < 1) throw tencentError('InvalidParameter.ParamError', 'Page starts at 1.');
  if (rp < 1 || rp > 200) throw tencentError('InvalidParameter.ParamError', 'Rp is 1-200.');
  return items.slice((pageNumber - 1) * rp, pageNumber * rp);
}

/** `Tags` as a list of `{Key, Value}`. */
export function tagsOf(params: TencentParams, name = 'Tags'): Record<string, string> {
  const value = params[name];
  if (value === undefined || value === null) return {};
  if (!Array.isArray(value)) throw tencentError('InvalidParameter', `The parameter \`${name}\` must be a list.`);
  const tags: Record<string, string> = {};
  for (const tag of value) {
    const { Key, Value } = (tag ?? {}) as { Key?: unknown; Value?: unknown };
    if (typeof Key !== 'string' || Key === '')
      throw tencentError('InvalidParameter', `Each of \`${name}\` needs a Key.`);
    tags[Key] = typeof Value === 'string' ? Value : '';
  }
  return tags;
}
