// The agent RPC methods (one request, one response, matched by Seq on a shared connection).
export interface RpcRequest {
  Seq: number;
  Method: string;
  Body: unknown;
}

/**
 * A caller that gave up on a call (its watch ended) tells the server with this method, Body
 * `{ Seq }` of the call; nothing answers it. The server aborts that call's handler.
 */
export const RPC_CANCEL = 'RPC.Cancel';

export interface RpcResponse {
  Seq: number;
  /** Set when the call failed; the text is what the caller's user sees (Consul's wording). */
  Error?: string;
  Body?: unknown;
}

/** `HTTP.Forward`: an HTTP API request executed by the server as if it had been asked there. */
export interface ForwardedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Uint8Array;
}

export interface ForwardedResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}
