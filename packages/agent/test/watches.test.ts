// The agent config's `watches` (Consul's agent watches), on a real agent process (127.0.66.31):
// script handlers (`args`, and the deprecated `handler` through the shell) get the data on stdin
// and CONSUL_INDEX; an HTTP handler gets it as a POST with X-Consul-Index and its own headers;
// agent_service blocks on the service's hash; a reload replaces the watches; a bad watch refuses
// the start with Consul's words.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  http,
  RUN_JS,
  startAgentProcess,
  tempDir,
  type AgentProcess,
} from "./helpers.js";
import { spawnSync } from "node:child_process";

const IP = "127.0.66.31";
const dir = tempDir("proconsul-watches-");
const cfg = join(dir.path, "watches.hcl");
const keyOut = join(dir.path, "key.out");
const svcOut = join(dir.path, "service.out");
const agentSvcOut = join(dir.path, "agent-service.out");
const newOut = join(dir.path, "new.out");
let agent: AgentProcess;
let hook: Server;
let hookPort = 0;
const posts: Array<{
  method: string;
  headers: IncomingHttpHeaders;
  body: string;
}> = [];

const lines = (file: string): string[] => {
  try {
    return readFileSync(file, "utf8").split("\n").filter(Boolean);
  } catch {
    return [];
  }
};

function config(withKeyWatch: boolean): string {
  const keyWatch = `watches {
  type = "key"
  key  = "app/config"
  args = ["sh", "-c", "cat >> ${keyOut}; echo \\"index=$CONSUL_INDEX\\" >> ${keyOut}"]
}
`;
  return `${withKeyWatch ? keyWatch : ""}watches {
  type = "keyprefix"
  prefix = "app/"
  handler_type = "http"
  http_handler_config {
    path = "http://${IP}:${hookPort}/hook"
    method = "PUT"
    header = { "x-team" = ["core"] }
    timeout = "5s"
  }
}
watches {
  type = "service"
  service = "web"
  handler = "cat >> ${svcOut}; echo >> ${svcOut}"
}
watches {
  type = "agent_service"
  service_id = "web-1"
  args = ["sh", "-c", "cat >> ${agentSvcOut}; echo \\"index=$CONSUL_INDEX\\" >> ${agentSvcOut}"]
}
${
  withKeyWatch
    ? ""
    : `watches {
  type = "key"
  key = "app/other"
  args = ["sh", "-c", "cat >> ${newOut}"]
}
`
}`;
}

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      posts.push({ method: req.method ?? "", headers: req.headers, body });
      res.end("ok");
    });
  });
  await new Promise<void>((r) => hook.listen(0, IP, r));
  hookPort = (hook.address() as { port: number }).port;
  writeFileSync(cfg, config(true));
  agent = await startAgentProcess(
    [
      "-dev",
      "-client",
      IP,
      "-bind",
      IP,
      "-dns-port",
      "-1",
      "-config-file",
      cfg,
      "-log-level",
      "debug",
    ],
    `${IP}:8500`
  );
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await new Promise((r) => hook?.close(r));
  dir.remove();
});

describe("agent config watches", () => {
  it("runs a script handler with the data on stdin and CONSUL_INDEX, first for the current state", async () => {
    // The key does not exist yet: the first call gets null, as Consul's key watch gives.
    await vi.waitFor(
      () => {
        expect(lines(keyOut)[0]).toBe("null");
      },
      { timeout: 10_000, interval: 100 }
    );
    expect(agent.output()).toContain(
      "The 'handler' field in watches has been deprecated and replaced with the 'args' field."
    );
    const put = await http(agent.base, "PUT", "/v1/kv/app/config", "v1");
    expect(put.status).toBe(200);
    const pair = (await http(agent.base, "GET", "/v1/kv/app/config")).json()[0];
    await vi.waitFor(
      () => {
        expect(lines(keyOut).length).toBeGreaterThanOrEqual(4);
      },
      { timeout: 10_000, interval: 100 }
    );
    const got = JSON.parse(lines(keyOut)[2]!);
    // Go's api.KVPair, in its field order.
    expect(Object.keys(got)).toEqual([
      "Key",
      "CreateIndex",
      "ModifyIndex",
      "LockIndex",
      "Flags",
      "Value",
      "Session",
    ]);
    expect(got).toMatchObject({
      Key: "app/config",
      Value: Buffer.from("v1").toString("base64"),
      ModifyIndex: pair.ModifyIndex,
    });
    expect(lines(keyOut)[3]).toBe(`index=${pair.ModifyIndex}`);
  });

  it("posts to an HTTP handler with X-Consul-Index and its configured method and headers", async () => {
    await http(agent.base, "PUT", "/v1/kv/app/extra", "x");
    await vi.waitFor(
      () => {
        expect(posts.some((p) => p.body.includes("app/extra"))).toBe(true);
      },
      { timeout: 10_000, interval: 100 }
    );
    const post = posts.find((p) => p.body.includes("app/extra"))!;
    expect(post.method).toBe("PUT");
    expect(post.headers["content-type"]).toBe("application/json");
    expect(post.headers["x-team"]).toBe("core");
    const index = (
      await http(agent.base, "GET", "/v1/kv/app/?recurse")
    ).headers.get("x-consul-index");
    expect(post.headers["x-consul-index"]).toBe(index);
    expect(
      (JSON.parse(post.body) as Array<{ Key: string }>).map((p) => p.Key)
    ).toEqual(["app/config", "app/extra"]);
    expect(post.body.endsWith("\n")).toBe(true);
  });

  it("a service watch (shell handler) and an agent_service watch (hash-based: index 0) see a registration", async () => {
    const reg = await http(
      agent.base,
      "PUT",
      "/v1/agent/service/register",
      JSON.stringify({ ID: "web-1", Name: "web", Port: 8080 })
    );
    expect(reg.status).toBe(200);
    await vi.waitFor(
      () => {
        expect(lines(svcOut).some((l) => l.includes('"web-1"'))).toBe(true);
      },
      { timeout: 10_000, interval: 100 }
    );
    const entries = JSON.parse(
      lines(svcOut).find((l) => l.includes('"web-1"'))!
    ) as Array<{ Service: { ID: string; Port: number } }>;
    expect(entries.map((e) => [e.Service.ID, e.Service.Port])).toEqual([
      ["web-1", 8080],
    ]);
    await vi.waitFor(
      () => {
        expect(lines(agentSvcOut).some((l) => l.includes('"web-1"'))).toBe(
          true
        );
      },
      { timeout: 15_000, interval: 100 }
    );
    const at = lines(agentSvcOut).findIndex((l) => l.includes('"web-1"'));
    expect(JSON.parse(lines(agentSvcOut)[at]!)).toMatchObject({
      ID: "web-1",
      Service: "web",
      Port: 8080,
    });
    expect(lines(agentSvcOut)[at + 1]).toBe("index=0");
  });

  it("a reload replaces the watches: a removed one stops, an added one starts", async () => {
    writeFileSync(cfg, config(false));
    expect((await http(agent.base, "PUT", "/v1/agent/reload")).status).toBe(
      200
    );
    await vi.waitFor(
      () => {
        expect(lines(newOut)).toEqual(["null"]);
      },
      { timeout: 10_000, interval: 100 }
    );
    const before = lines(keyOut).length;
    await http(agent.base, "PUT", "/v1/kv/app/config", "v2");
    await http(agent.base, "PUT", "/v1/kv/app/other", "o");
    await vi.waitFor(
      () => {
        expect(lines(newOut).length).toBe(2);
      },
      { timeout: 10_000, interval: 100 }
    );
    expect(lines(keyOut).length).toBe(before);

    // A bad watch fails the reload with Consul's words and leaves none running.
    writeFileSync(cfg, 'watches {\n  type = "key"\n  args = ["true"]\n}\n');
    const bad = await http(agent.base, "PUT", "/v1/agent/reload");
    expect(bad.status).toBe(500);
    expect(bad.text).toContain(
      "Failed reloading watches: Failed to parse watch ("
    );
    expect(bad.text).toContain("): Must specify a single key to watch");
    await http(agent.base, "PUT", "/v1/kv/app/other", "o2");
    await new Promise((r) => setTimeout(r, 500));
    expect(lines(newOut).length).toBe(2);
  });
});

describe("a bad watch refuses the start", () => {
  const cases: Array<[string, string]> = [
    ['watches { type = "key" key = "k" }', "Must define a watch handler"],
    [
      'watches { type = "key" key = "k" args = ["a"] handler = "b" }',
      "Only one watch handler allowed",
    ],
    ['watches { type = "nope" args = ["a"] }', "Unsupported watch type: nope"],
    [
      'watches { type = "key" key = "k" args = ["a"] bogus = "x" }',
      "Invalid parameters: [bogus]",
    ],
    [
      'watches { type = "key" key = "k" handler_type = "http" }',
      "Handler type 'http' requires 'http_handler_config' to be set",
    ],
    [
      'watches { type = "key" key = "k" handler_type = "carrier-pigeon" }',
      "Handler type 'carrier-pigeon' not recognized",
    ],
    [
      'watches { type = "connect_roots" args = ["a"] }',
      "Watch type connect_roots is not allowed in agent config",
    ],
  ];
  it.each(cases)("%s", (hcl, message) => {
    const file = join(dir.path, "bad.hcl");
    writeFileSync(file, hcl);
    const r = spawnSync(
      process.execPath,
      [
        RUN_JS,
        "-dev",
        "-client",
        "127.0.66.32",
        "-bind",
        "127.0.66.32",
        "-dns-port",
        "-1",
        "-config-file",
        file,
      ],
      { encoding: "utf8", timeout: 30_000 }
    );
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toContain(message);
  });
});
