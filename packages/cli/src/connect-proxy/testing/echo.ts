/** What a client of an echo service sees through the proxy. */
import { connect as netConnect } from 'node:net';

/** Sends `text` to host:port and resolves with what came back, once the echo is complete, the connection ended, or 5 s passed. */
export function echoThrough(host: string, port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    const s = netConnect({ host, port });
    const done = (): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(got);
    };
    const timer = setTimeout(done, 5000);
    s.on('connect', () => s.write(text));
    s.on('data', (b) => {
      got += b.toString();
      if (got.includes(text)) done();
    });
    s.on('close', done);
    s.on('error', done);
  });
}
