// The WAN flood joiner (Consul's router.FloodJoins): every server of this datacenter that LAN
// gossip shows alive and that is missing from our WAN pool is joined into it at its address
// and `wan_join_port` tag, so a datacenter joins the WAN pool as a whole once any of its
// servers has. Runs every 60 s (Consul's SerfFloodInterval), when a server joins the LAN pool,
// and (beyond Consul, so two half-joined pools merge at once) when the WAN pool gains a member.
import type { Logger } from '../log.js';
import { MemberStatus, type LanPool } from './lan.js';

const FLOOD_INTERVAL_MS = 60_000;

export function startWanFlood(lan: LanPool, wan: LanPool, datacenter: string, log: Logger): () => void {
  let running = false;
  let again = false;
  const flood = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        const inWan = new Set(wan.members().filter((m) => m.Status === MemberStatus.alive).map((m) => m.Name));
        for (const m of lan.members()) {
          const port = Number(m.Tags.wan_join_port);
          if (m.Tags.role !== 'consul' || m.Tags.dc !== datacenter || m.Status !== MemberStatus.alive || !(port > 0)) continue;
          if (inWan.has(`${m.Name}.${datacenter}`)) continue;
          const addr = m.Addr.includes(':') ? `[${m.Addr}]:${port}` : `${m.Addr}:${port}`;
          try {
            await wan.join([addr]);
            log.debug({ server: m.Name, addr }, 'flooded a LAN server into the WAN pool');
          } catch (err) {
            log.debug({ server: m.Name, addr, error: (err as Error).message }, 'failed to flood a LAN server into the WAN pool');
          }
        }
      } while (again);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void flood(), FLOOD_INTERVAL_MS);
  timer.unref();
  const offLan = lan.onMember((e) => {
    if (e.member.Tags.role === 'consul' && (e.type === 'member-join' || e.type === 'member-update')) void flood();
  });
  const offWan = wan.onMember((e) => {
    if (e.type === 'member-join') void flood();
  });
  void flood();
  return () => {
    clearInterval(timer);
    offLan();
    offWan();
  };
}
