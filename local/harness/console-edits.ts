import type { AdminEdit } from '../cloud/admin.js';
import { HarnessError } from './errors.js';

/** An out-of-band change a person makes in the RAM console (the local cloud's admin route). */
export type ConsoleEdit = AdminEdit;

/** Make the edit through the local cloud's admin route, bypassing dts-trust entirely. */
export async function editInConsole(cloud: { readonly url: string }, edit: ConsoleEdit): Promise<void> {
  const res = await fetch(`${cloud.url}/__admin/edits`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(edit),
  });
  if (!res.ok)
    throw new HarnessError(
      'ConsoleEditFailed',
      `console edit ${edit.kind} on ${edit.roleName} failed: ${res.status} ${await res.text()}`,
    );
}
