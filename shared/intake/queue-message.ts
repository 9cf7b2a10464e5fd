/**
 * A queue message as the intake takes it: out of its envelope (the runtime parses the trigger's CloudEvents into
 * these), with the body text and the ids the trigger gave it.
 */
export interface QueueMessage {
  /** Position in the delivered batch. */
  readonly index: number;
  /** The MNS message id (the CloudEvent id when absent). */
  readonly messageId: string;
  /** The message body as text (base64 already decoded when it was base64). */
  readonly body: string;
}
