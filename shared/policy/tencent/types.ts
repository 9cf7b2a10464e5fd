/** The CAM trust-policy document as dts-trust writes it (version 2.0, lower-case keys and effect). */
export interface CamTrustPolicyDocument {
  readonly version: '2.0';
  readonly statement: readonly CamTrustStatementDocument[];
}

/** One statement of a CAM trust-policy document as written. */
export interface CamTrustStatementDocument {
  readonly action: string;
  readonly effect: 'allow' | 'deny';
  readonly principal: { readonly qcs?: readonly string[]; readonly service?: readonly string[] };
  readonly condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** A CAM custom policy that lets sub-users assume roles (version 2.0). */
export interface CamAssumeRolePolicyDocument {
  readonly version: '2.0';
  readonly statement: readonly {
    readonly effect: 'allow';
    readonly action: readonly string[];
    readonly resource: readonly string[];
  }[];
}
