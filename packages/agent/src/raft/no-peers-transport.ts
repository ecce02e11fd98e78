// The transport of a Raft with a single voter: it has no peers, so nothing is ever sent. The
// cluster's TCP transport on the server port replaces it when servers join.
import type { Message, Transport } from '@proconsul/raft';

export class NoPeersTransport implements Transport {
  send(messages: Message[]): void {
    if (messages.length > 0) throw new Error(`raft: ${messages.length} message(s) to peers, but this server has none`);
  }

  setHandler(): void {}
}
