/**
 * The part of `@alicloud/mns` 1.2.0 (which ships no types) that dts-trust and its tests use. Facts from the SDK's
 * lib/client.js: every method resolves `{ code, headers, body }` with the XML reply's fields as strings; an error
 * XML rejects with an Error whose `name` is `MNS<Code>Error`; a batch reply is resolved whatever its status (check
 * `code` and each entry's `ErrorCode`); request bodies are written into the XML unescaped.
 */
declare module '@alicloud/mns' {
  /** How the client is built: keys, and a region or a full endpoint URL. */
  interface MnsClientOptions {
    accessKeyId: string;
    accessKeySecret: string;
    securityToken?: string;
    region?: string;
    /** `http(s)://host[:port]`; overrides region, secure, internal and vpc. */
    endpoint?: string;
    secure?: boolean;
    internal?: boolean;
    vpc?: boolean;
    readTimeout?: number;
    connectTimeout?: number;
  }

  /** What every call resolves. */
  interface MnsResponse<T> {
    code: number;
    headers: Record<string, string | undefined>;
    body: T;
  }

  /** A message as the send calls take it. */
  interface MnsOutgoingMessage {
    MessageBody: string;
    DelaySeconds?: number;
    Priority?: number;
  }

  /** One entry of a (batch) send reply. */
  interface MnsSentMessage {
    MessageId?: string;
    MessageBodyMD5?: string;
    ErrorCode?: string;
    ErrorMessage?: string;
  }

  /** A received message. */
  interface MnsReceivedMessage {
    MessageId: string;
    ReceiptHandle: string;
    MessageBodyMD5: string;
    MessageBody: string;
    EnqueueTime: string;
    NextVisibleTime: string;
    FirstDequeueTime: string;
    DequeueCount: string;
    Priority: string;
  }

  class MnsClient {
    constructor(accountId: string, options: MnsClientOptions);
    createQueue(name: string, attributes?: Record<string, string | number>): Promise<MnsResponse<undefined>>;
    deleteQueue(name: string): Promise<MnsResponse<undefined>>;
    listQueue(
      start?: string,
      limit?: number,
      prefix?: string,
    ): Promise<MnsResponse<{ QueueURL: string }[] | undefined>>;
    getQueueAttributes(name: string): Promise<MnsResponse<Record<string, string>>>;
    setQueueAttributes(name: string, attributes: Record<string, string | number>): Promise<MnsResponse<undefined>>;
    sendMessage(queue: string, message: MnsOutgoingMessage): Promise<MnsResponse<MnsSentMessage>>;
    batchSendMessage(queue: string, messages: MnsOutgoingMessage[]): Promise<MnsResponse<MnsSentMessage[]>>;
    receiveMessage(queue: string, waitSeconds?: number): Promise<MnsResponse<MnsReceivedMessage>>;
    batchReceiveMessage(
      queue: string,
      numOfMessages: number,
      waitSeconds?: number,
    ): Promise<MnsResponse<MnsReceivedMessage[]>>;
    peekMessage(queue: string): Promise<MnsResponse<Omit<MnsReceivedMessage, 'ReceiptHandle' | 'NextVisibleTime'>>>;
    batchPeekMessage(
      queue: string,
      numOfMessages: number,
    ): Promise<MnsResponse<Omit<MnsReceivedMessage, 'ReceiptHandle' | 'NextVisibleTime'>[]>>;
    deleteMessage(queue: string, receiptHandle: string): Promise<MnsResponse<undefined>>;
    batchDeleteMessage(
      queue: string,
      receiptHandles: string[],
    ): Promise<MnsResponse<{ ErrorCode: string; ErrorMessage: string; ReceiptHandle: string }[] | undefined>>;
    changeMessageVisibility(
      queue: string,
      receiptHandle: string,
      visibilityTimeout: number,
    ): Promise<MnsResponse<{ ReceiptHandle: string; NextVisibleTime: string }>>;
  }

  export = MnsClient;
}
