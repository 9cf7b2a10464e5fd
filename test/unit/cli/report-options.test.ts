import { describe, expect, it } from 'vitest';
import { ReportOptionsSchema } from '../../../cli/report.js';

const MESSAGE = '--role must be OWNER/ROLE, e.g. 1111111111111111/ram-for-dts';
const parse = (role: string) => ReportOptionsSchema.safeParse({ html: 'r.html', role });

describe('ReportOptionsSchema --role', () => {
  it('reads OWNER/ROLE into the owner account and the role name', () => {
    expect(parse('1437508826153950/ram-for-dts.v2').data?.role).toEqual({
      ownerAccountId: '1437508826153950',
      roleName: 'ram-for-dts.v2',
    });
  });

  it.each([
    ['a role name alone', 'ram-for-dts'],
    ['an owner of 15 digits', '143750882615395/ram-for-dts'],
    ['an owner of 17 digits', '14375088261539501/ram-for-dts'],
    ['an owner with a letter', '143750882615395x/ram-for-dts'],
    ['a second slash', '1437508826153950/ram-for-dts/x'],
    ['a role name RAM refuses', '1437508826153950/ram_for_dts'],
    ['no role name', '1437508826153950/'],
  ])('refuses %s with the message that names the form', (_, role) => {
    const parsed = parse(role);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.message)).toEqual([MESSAGE]);
  });
});
