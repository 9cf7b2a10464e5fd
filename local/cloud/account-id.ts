/**
 * An Alibaba Cloud account id (UID) as the emulated services accept it: 16 digits. The local cloud keeps its own
 * copy of this rule, as the emulated cloud's contract; the product has its own and neither imports the other.
 */
export const ACCOUNT_ID = /^\d{16}$/;
