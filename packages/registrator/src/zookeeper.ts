// Loaded only for zookeeper:// URIs (open-registry.ts imports this file dynamically). Znodes
// get the client's default ACL, open to all, as registrator's zk.WorldACL(zk.PermAll).
import { createClient, CreateMode, Exception, type Client, type Stat } from 'node-zookeeper-client';
import { backendAddress } from './backend-uri.js';
import type { Registry, ServiceRef } from './registry.js';
import type { Service } from './service.js';

/** Registrator connects with a 10 s session timeout; every call is bounded by the same. */
const SESSION_TIMEOUT_MS = 10_000;
const CALL_TIMEOUT_MS = 10_000;

type Done<T> = (err: Error | Exception | null, value: T) => void;

/**
 * Registrator's zookeeper backend (zookeeper/zookeeper.go): an ephemeral znode
 * `<base>/<name>/<ip>:<public port>` whose body is
 * `{"Name","IP","PublicPort","PrivatePort","ContainerID","Tags","Attrs"}`, under a persistent
 * `<base>/<name>` that is removed with its last child. The znodes live as long as this
 * client's session, so there is no TTL: a crashed registrator's entries vanish with its
 * session, and a refresh only re-creates what an expired session lost.
 */
export class ZookeeperRegistry implements Registry {
  private client: Client | undefined;

  constructor(private readonly connectString: string, private readonly basePath: string) {}

  /** `zookeeper://host:port/basepath`, default port 2181 as Go's zk client adds it. */
  static fromUri(uri: string): ZookeeperRegistry {
    const { hostPort, path } = backendAddress(uri, '127.0.0.1', 2181);
    return new ZookeeperRegistry(hostPort, path.replace(/\/+$/, ''));
  }

  async ping(): Promise<void> {
    await this.call<Stat>('exists /', (c, done) => c.exists('/', done));
    // Registrator creates the base path when it connects.
    if (this.basePath) await this.call<string>(`create ${this.basePath}`, (c, done) => c.mkdirp(this.basePath, done));
  }

  async register(s: Service): Promise<void> {
    const base = this.servicePath(s.Name);
    const node = `${base}/${s.Address}:${s.Port}`;
    const body = Buffer.from(JSON.stringify({
      Name: s.Name,
      IP: s.Address,
      PublicPort: s.Port,
      PrivatePort: Number.parseInt(s.origin.exposedPort, 10) || 0,
      ContainerID: s.origin.containerHostname,
      Tags: s.Tags,
      Attrs: s.Attrs,
    }));
    await this.call<string>(`create ${base}`, (c, done) => c.mkdirp(base, done));
    try {
      await this.call<string>(`create ${node}`, (c, done) => c.create(node, body, CreateMode.EPHEMERAL, done));
      return;
    } catch (err) {
      if (!hasCode(err, Exception.NODE_EXISTS)) throw err;
    }
    // Registered before: keep our own znode up to date; one left by an older session (a
    // restarted registrator) would vanish with that session, so it is replaced by ours.
    const stat = await this.call<Stat>(`exists ${node}`, (c, done) => c.exists(node, done));
    if (stat && stat.ephemeralOwner.equals(this.connection().getSessionId())) {
      await this.call<Stat>(`set ${node}`, (c, done) => c.setData(node, body, done));
      return;
    }
    await this.removeIfThere(node);
    await this.call<string>(`create ${node}`, (c, done) => c.create(node, body, CreateMode.EPHEMERAL, done));
  }

  async deregister(s: ServiceRef): Promise<void> {
    const base = this.servicePath(s.Name);
    await this.removeIfThere(`${base}/${s.Address}:${s.Port}`);
    let children: string[];
    try {
      children = await this.call<string[]>(`children ${base}`, (c, done) => c.getChildren(base, done));
    } catch (err) {
      if (hasCode(err, Exception.NO_NODE)) return;
      throw err;
    }
    if (children.length > 0) return;
    try {
      await this.removeIfThere(base);
    } catch (err) {
      if (!hasCode(err, Exception.NOT_EMPTY)) throw err; // another instance registered meanwhile
    }
  }

  /** Ephemeral znodes carry no service ID and die with their session: nothing dangles to list. */
  async services(): Promise<ServiceRef[]> {
    return [];
  }

  refresh(s: Service): Promise<void> {
    return this.register(s);
  }

  async close(): Promise<void> {
    this.client?.close();
    this.client = undefined;
  }

  private servicePath(name: string): string {
    return `${this.basePath}/${name}`;
  }

  private async removeIfThere(path: string): Promise<void> {
    try {
      await this.call<void>(`delete ${path}`, (c, done) => c.remove(path, -1, (err) => done(err, undefined)));
    } catch (err) {
      if (!hasCode(err, Exception.NO_NODE)) throw err;
    }
  }

  private connection(): Client {
    if (!this.client) {
      const client = createClient(this.connectString, { sessionTimeout: SESSION_TIMEOUT_MS, spinDelay: 1000, retries: 0 });
      // An expired session took our znodes with it: the next call opens a new session, and
      // the next refresh or resync registers them again.
      client.once('expired', () => {
        if (this.client === client) this.client = undefined;
        client.close();
      });
      client.connect();
      this.client = client;
    }
    return this.client;
  }

  /** One client call, bounded in time (the client queues calls while it (re)connects). */
  private call<T>(what: string, op: (client: Client, done: Done<T>) => void): Promise<T> {
    const client = this.connection();
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`zookeeper ${this.connectString}: ${what}: no answer in ${CALL_TIMEOUT_MS} ms`)), CALL_TIMEOUT_MS);
      op(client, (err, value) => {
        clearTimeout(timer);
        if (err) reject(err instanceof Exception ? new ZookeeperError(err, what) : err);
        else resolve(value);
      });
    });
  }
}

class ZookeeperError extends Error {
  readonly code: number;
  constructor(cause: Exception, what: string) {
    super(`zookeeper: ${what}: ${cause.toString()}`);
    this.code = cause.getCode();
  }
}

function hasCode(err: unknown, code: number): boolean {
  return err instanceof ZookeeperError && err.code === code;
}
